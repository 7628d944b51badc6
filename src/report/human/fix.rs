//! A finding's fix under its report: what it does and the lines it changes, as a small diff, or
//! why `--fix` does not apply it. A long line (minified JSON) is shown as a window around the
//! edit, as the snippets above it are.

use super::excerpt::{ELLIPSIS, LONG_LINE, WINDOW, backward, forward};
use crate::escape::escape_controls;
use crate::fix::{Edit, Fix};
use crate::source::SourceFile;

/// Lines of an edit shown, before and after; the rest are counted.
const MAX_LINES: usize = 12;

/// The fix's lines, each indented as miette indents a help, ending in a newline.
pub(super) fn block(fix: &Fix, files: &[SourceFile]) -> String {
    let title = escape_controls(&fix.title, "");
    if let Some(why) = &fix.not_applied {
        return format!("  fix: {title} (not applied: {})\n", escape_controls(why, ""));
    }
    let mut out = format!("  fix: {title} (`cognitrust scan --fix` applies it)\n");
    for edit in &fix.edits {
        let file = &files[edit.file];
        let (line, before, after) = lines_of(file, edit);
        let width = (line + after.len()).to_string().len();
        for (sign, lines) in [('-', &before), ('+', &after)] {
            for (i, text) in lines.iter().take(MAX_LINES).enumerate() {
                out.push_str(&format!("  {:>width$} {sign} {}\n", line + i, escape_controls(text, "")));
            }
            if lines.len() > MAX_LINES {
                out.push_str(&format!("  {:>width$} {sign} … {} more lines\n", "", lines.len() - MAX_LINES));
            }
        }
    }
    out
}

/// The first line number of an edit, and the lines it touches before and after it.
fn lines_of(file: &SourceFile, edit: &Edit) -> (usize, Vec<String>, Vec<String>) {
    let text = &file.text;
    let start = file.lines.start_of_line_at(edit.span.start);
    let end = text[edit.span.end..].find(['\n', '\r']).map_or(text.len(), |i| edit.span.end + i);
    let line = file.lines.line_col(text, start).line;
    let (head, tail) = (&text[start..edit.span.start], &text[edit.span.end..end]);
    let (head, tail) = if head.len() + tail.len() + edit.span.end - edit.span.start > LONG_LINE {
        (window_end(head), window_start(tail))
    } else {
        (head.to_string(), tail.to_string())
    };
    let before = format!("{head}{}{tail}", &text[edit.span.start..edit.span.end]);
    let after = format!("{head}{}{tail}", edit.replacement);
    let split = |s: &str| s.lines().map(String::from).collect::<Vec<_>>();
    (line, split(&before), split(&after))
}

/// The last [`WINDOW`] characters of `s`, after `…` when cut, as the snippets cut lines.
fn window_end(s: &str) -> String {
    match backward(s, s.len(), WINDOW) {
        0 => s.to_string(),
        at => format!("{ELLIPSIS}{}", &s[at..]),
    }
}

/// The first [`WINDOW`] characters of `s`, before `…` when cut.
fn window_start(s: &str) -> String {
    match forward(s, 0, WINDOW) {
        at if at == s.len() => s.to_string(),
        at => format!("{}{ELLIPSIS}", &s[..at]),
    }
}
