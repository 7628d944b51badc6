//! A finding's fix under its report: what it does and the lines it changes, as a small diff, or
//! why `--fix` does not apply it.

use crate::fix::Fix;
use crate::report::escape_controls;
use crate::source::SourceFile;

/// The fix's lines, each indented as miette indents a help, ending in a newline.
pub(super) fn block(fix: &Fix, files: &[SourceFile]) -> String {
    let title = escape_controls(&fix.title, "");
    if let Some(why) = &fix.not_applied {
        return format!("  fix: {title} (not applied: {})\n", escape_controls(why, ""));
    }
    let mut out = format!("  fix: {title} (`cognitrust scan --fix` applies it)\n");
    for edit in &fix.edits {
        let file = &files[edit.file];
        let text = &file.text;
        let start = text[..edit.span.start].rfind('\n').map_or(0, |i| i + 1);
        let end = text[edit.span.end..].find('\n').map_or(text.len(), |i| edit.span.end + i);
        let line = file.lines.line_col(text, start).line;
        let after =
            format!("{}{}{}", &text[start..edit.span.start], edit.replacement, &text[edit.span.end..end]);
        let width = (line + after.lines().count()).to_string().len();
        for (i, old) in text[start..end].lines().enumerate() {
            out.push_str(&format!("  {:>width$} - {}\n", line + i, escape_controls(old, "")));
        }
        for (i, new) in after.lines().enumerate() {
            out.push_str(&format!("  {:>width$} + {}\n", line + i, escape_controls(new, "")));
        }
    }
    out
}
