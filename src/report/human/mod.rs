//! The human report: one miette graphical diagnostic per finding, with the source snippet,
//! labels on the primary and related spans, the rule code and name, and the fix.
//!
//! Everything an input wrote (messages, labels, names, paths, reasons and the snippet lines) is
//! shown through [`escape`], so no control character of a template reaches the terminal; the
//! snippets come from an [`Excerpt`] of the lines around the labels, windowed when long; and the
//! report is bounded: [`FULL_REPORTS`] findings in full, then one line each up to [`LISTED`],
//! then a count, so 2,000 findings cost what 1,000 short lines do, not gigabytes.

mod diagnostic;
mod excerpt;
mod fix;

use std::borrow::Cow;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme};

pub use self::diagnostic::render_config_error;
use self::diagnostic::{ErrorDiagnostic, FindingDiagnostic};
use self::excerpt::{Excerpt, Shown};
use super::Location;
use crate::report::Report;
use crate::rules::{Finding, Severity};
use crate::source::InputError;
use crate::source::SourceFile;
use crate::syntax::Span;

/// Findings (and, apart, suppressed findings and input errors) shown in full. A reader of a
/// terminal or CI log reads a few screens; past 100 reports (2,000 to 3,000 lines) the rest are
/// mostly the same rule on more resources, and one line each still says where they are.
const FULL_REPORTS: usize = 100;
/// Full reports also stop once a section's output reaches this size (1 MiB), whichever is first.
const FULL_BYTES: usize = 1 << 20;
/// Entries, full or one-line, listed per section; past it, and past [`LISTED_BYTES`], only the
/// number of the others is given: `--format json` and `sarif` are the formats for that many.
const LISTED: usize = 1_000;
const LISTED_BYTES: usize = 2 << 20;
/// Characters of one text from an input (a message, a label, a name) shown; the machine formats
/// keep it whole. The longest message or help of the corpus and fixtures has 269.
const MAX_TEXT: usize = 1_000;
/// Related places shown with a finding; the others are counted.
const MAX_RELATED: usize = 16;

/// Text from an input as the human report shows it: the controls [`crate::escape::must_escape`] names
/// (ESC, CR, LF, other C0 and C1 controls, DEL, bidi and invisible formatting characters) as
/// `\u{1b}`-style escapes, TAB as itself.
pub fn escape(text: &str) -> Cow<'_, str> {
    crate::escape::escape_controls(text, "")
}

/// [`escape`]d, after cutting the text to [`MAX_TEXT`] characters.
fn shown(text: &str) -> String {
    match text.char_indices().nth(MAX_TEXT) {
        None => escape(text).into_owned(),
        Some((cut, _)) => {
            let rest = text[cut..].chars().count();
            format!("{}… ({rest} more characters)", escape(&text[..cut]))
        }
    }
}

/// The width a report is wrapped to when it is not written to a terminal: logs and files read
/// the same everywhere.
pub const WIDTH: usize = 100;

/// How a report is shown.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// ANSI styles.
    pub color: bool,
    /// Also the findings that suppressions hide.
    pub show_suppressed: bool,
    /// The width text is wrapped to.
    pub width: usize,
    /// The summary, coverage and hint lines at the end (`scan --quiet` leaves them out).
    pub summary: bool,
}

impl Default for Style {
    fn default() -> Self {
        Style { color: false, show_suppressed: false, width: WIDTH, summary: true }
    }
}

/// Renders the report; `color` turns on ANSI styles.
pub fn render(report: &Report, color: bool) -> String {
    render_with(report, &Style { color, ..Style::default() })
}

/// Renders the report in `style`. Words are never broken, not even at a hyphen: a condition key
/// such as `cognito-identity.amazonaws.com:aud` stays on one line, to be copied or searched.
pub fn render_with(report: &Report, style: &Style) -> String {
    let Style { color, show_suppressed, width, summary } = *style;
    let theme = if color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(width.clamp(60, 400))
        .with_break_words(false)
        .with_word_splitter(textwrap::WordSplitter::NoHyphenation)
        .with_word_separator(textwrap::WordSeparator::AsciiSpace)
        .with_links(false)
        .with_show_related_as_nested(true);
    let mut out = String::new();
    let mut section = Section::new("finding", &out);
    for f in &report.findings {
        match section.next(&mut out) {
            Shape::Full => {
                full(&handler, &mut out, &FindingDiagnostic::new(f, &report.files));
                if let Some(x) = &f.fix {
                    out.pop();
                    out.push_str(&fix::block(x, &report.files));
                    out.push('\n');
                }
            }
            Shape::Line => out.push_str(&finding_line(f, &report.files)),
            Shape::Omitted => {}
        }
    }
    section.finish(&mut out);
    if show_suppressed {
        let mut section = Section::new("suppressed finding", &out);
        for s in &report.suppressed {
            let by = format!("suppressed by {} ({})", s.kind, shown(&s.reason));
            match section.next(&mut out) {
                Shape::Full => {
                    out.push_str(&format!("{by}:\n"));
                    full(&handler, &mut out, &FindingDiagnostic::new(&s.finding, &report.files));
                }
                Shape::Line => {
                    let line = finding_line(&s.finding, &report.files);
                    out.push_str(&format!("{} [{by}]\n", line.trim_end()));
                }
                Shape::Omitted => {}
            }
        }
        section.finish(&mut out);
    }
    let mut section = Section::new("input error", &out);
    for e in &report.errors {
        match section.next(&mut out) {
            Shape::Full => full(&handler, &mut out, &ErrorDiagnostic::new(e, &report.files)),
            Shape::Line => out.push_str(&error_line(e, &report.files)),
            Shape::Omitted => {}
        }
    }
    section.finish(&mut out);
    if summary {
        out.push_str(&summary_line(report));
    }
    no_command_lines(out)
}

/// `out` with no line that a CI runner reads as a command: GitHub's runner takes a line whose
/// first non-blank characters are `::` (or the older `##[`) as a workflow command. Escaping keeps
/// every line break of the report our own, but miette wraps long messages, help and related
/// snippets onto lines that start with blanks and then input text, and a one-line entry starts
/// with a file name; such a line gets its first character escaped (`\u{3a}:add-mask::…`).
fn no_command_lines(out: String) -> String {
    let is_command = |line: &str| {
        let text = line.trim_start();
        text.starts_with("::") || text.starts_with("##[")
    };
    if !out.lines().any(is_command) {
        return out;
    }
    let mut safe = String::with_capacity(out.len() + 64);
    for line in out.split_inclusive('\n') {
        if is_command(line) {
            let blanks = line.len() - line.trim_start().len();
            let (lead, rest) = line.split_at(blanks);
            let mut chars = rest.chars();
            let first = chars.next().map(u32::from).unwrap_or_default();
            safe.push_str(&format!("{lead}\\u{{{first:x}}}{}", chars.as_str()));
        } else {
            safe.push_str(line);
        }
    }
    safe
}

/// One diagnostic in full and a blank line; its one-line form should miette fail.
fn full(handler: &GraphicalReportHandler, out: &mut String, diag: &dyn Diagnostic) {
    if handler.render_report(out, diag).is_err() {
        let code = diag.code().map(|c| format!("{c}: ")).unwrap_or_default();
        out.push_str(&format!("{code}{diag}\n"));
    }
    out.push('\n');
}

/// How the next entry of a section is shown.
enum Shape {
    Full,
    Line,
    Omitted,
}

/// The bounds of one part of the report (findings, suppressed findings, input errors).
struct Section {
    noun: &'static str,
    /// Where the section starts in the output.
    start: usize,
    full: usize,
    listed: usize,
    omitted: usize,
}

impl Section {
    fn new(noun: &'static str, out: &str) -> Section {
        Section { noun, start: out.len(), full: 0, listed: 0, omitted: 0 }
    }

    /// The shape of the next entry; before the first one-line entry, a note saying why.
    fn next(&mut self, out: &mut String) -> Shape {
        let used = out.len() - self.start;
        if self.full == self.listed && self.full < FULL_REPORTS && used < FULL_BYTES {
            self.full += 1;
            self.listed += 1;
            return Shape::Full;
        }
        if self.listed < LISTED && used < LISTED_BYTES {
            if self.listed == self.full {
                out.push_str(&format!(
                    "only the first {} {}s are shown in full; the next are listed one per line\n\n",
                    self.full, self.noun
                ));
            }
            self.listed += 1;
            return Shape::Line;
        }
        self.omitted += 1;
        Shape::Omitted
    }

    /// After the section: a blank line after one-line entries, and the count of those omitted.
    fn finish(&self, out: &mut String) {
        if self.listed > self.full {
            out.push('\n');
        }
        if self.omitted > 0 {
            let s = if self.omitted == 1 { "" } else { "s" };
            out.push_str(&format!(
                "… and {} more {}{s} not shown: `--format json` or `--format sarif` lists them all\n\n",
                self.omitted, self.noun
            ));
        }
    }
}

/// `file:line:col: CT106 trust-no-aud: message`.
fn finding_line(f: &Finding, files: &[SourceFile]) -> String {
    let at = Location::of(files, f.loc);
    format!("{}:{}:{}: {}: {}\n", shown(&at.file), at.line, at.column, code(f), shown(&f.message))
}

/// `file:line:col: input-error: message`, with as much of the place as is known.
fn error_line(e: &InputError, files: &[SourceFile]) -> String {
    let place = e.place.and_then(|(id, span)| {
        let f = files.get(id)?;
        let at = f.lines.line_col(&f.text, span.start);
        Some(format!(":{}:{}", at.line, at.column))
    });
    let path = e.path.as_deref().map(|p| format!("{}{}: ", shown(p), place.unwrap_or_default()));
    format!("{}input-error: {}\n", path.unwrap_or_default(), shown(&e.message))
}

/// `CT106 trust-no-aud`; a Guard rule's code already holds its name (`guard:iam_role_path`),
/// read from a rule file that may be as untrusted as the templates.
fn code(f: &Finding) -> String {
    if crate::guard::is_code(f.rule.code) {
        shown(f.rule.code)
    } else {
        format!("{} {}", f.rule.code, f.rule.name)
    }
}

fn summary_line(report: &Report) -> String {
    let count = |s: Severity| report.findings.iter().filter(|f| f.severity == s).count();
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let mut line = format!(
        "{} ({}, {}, {}) in {} of {} scanned",
        plural(report.findings.len(), "finding"),
        plural(count(Severity::Error), "error"),
        plural(count(Severity::Warning), "warning"),
        plural(count(Severity::Note), "note"),
        report.summary.analysed(),
        plural(report.summary.files_scanned, "file"),
    );
    if !report.suppressed.is_empty() {
        line.push_str(&format!(", {} suppressed", report.suppressed.len()));
    }
    if !report.errors.is_empty() {
        line.push_str(&format!("; {} could not be analysed", plural(report.errors.len(), "input")));
    }
    line.push('\n');
    let c = report.summary.coverage;
    if c.pools > 0 || c.slots > 0 {
        line.push_str(&format!(
            "coverage: {}, {}, {} checked, {} not checked\n",
            plural(c.pools, "identity pool"),
            plural(c.slots, "role slot"),
            plural(c.roles_checked, "role"),
            plural(c.not_checked, "slot"),
        ));
    }
    if let Some(config) = &report.summary.config {
        line.push_str(&format!("config: {}\n", shown(config)));
    }
    if let Some(b) = &report.summary.baseline {
        let entries = if b.stale == 1 { "entry no longer matches" } else { "entries no longer match" };
        line.push_str(&format!(
            "baseline: {} hides {}; {} {entries}\n",
            shown(&b.file),
            plural(b.matched, "finding"),
            b.stale
        ));
    }
    let mut codes: Vec<&str> = report.findings.iter().map(|f| f.rule.code).collect();
    codes.sort_unstable();
    codes.dedup();
    if !codes.is_empty() {
        line.push_str(&format!(
            "hint: `cognitrust rules CODE` explains a rule, with an example and its fix ({})\n",
            codes.join(", ")
        ));
    }
    line
}

/// The excerpt of `file` around `spans`, under its escaped display name.
fn excerpt(file: &SourceFile, spans: &[Span]) -> (Excerpt, Vec<Shown>) {
    Excerpt::new(shown(&file.display), &file.text, &file.lines, spans)
}

/// A label's text, saying where it ends when the excerpt shows only its first line.
fn label_text(text: &str, shown_as: Shown) -> String {
    match (shown_as.cut_at, text.is_empty()) {
        (None, _) => shown(text),
        (Some(line), true) => format!("(to line {line})"),
        (Some(line), false) => format!("{} (to line {line})", shown(text)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_line_starts_with_a_workflow_command() {
        let out = "CT105\n  ::add-mask::x\n\u{3000}##[warning]y\n a ::ok\n".to_string();
        assert_eq!(
            no_command_lines(out),
            "CT105\n  \\u{3a}:add-mask::x\n\u{3000}\\u{23}#[warning]y\n a ::ok\n"
        );
    }

    #[test]
    fn long_texts_are_cut_and_escaped() {
        let text = format!("\u{1b}{}", "x".repeat(5_000));
        let cut = shown(&text);
        assert!(cut.starts_with("\\u{1b}xxx"), "{cut}");
        assert!(cut.ends_with("x… (4001 more characters)"), "{cut}");
        assert_eq!(shown("role `A\nB`"), "role `A\\u{a}B`");
    }
}
