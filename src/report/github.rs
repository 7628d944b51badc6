//! GitHub Actions workflow commands (SPEC §6): one `::error`, `::warning` or `::notice` line per
//! finding, which the runner turns into an annotation on the file and line; input errors become
//! `::error` lines too. Values are escaped as GitHub's toolkit (`@actions/core`) escapes them,
//! after every piece of input text has had its control characters made visible ([`shown`]): a
//! newline or CR inside a file name or value is percent-encoded by the toolkit escaping anyway,
//! so it can never start a line the runner would read as another command, but it would still
//! break the annotation's text, and ESC or a bidi control would reach the log viewer.

use std::fmt::Write;

use super::Location;
use super::Report;
use crate::rules::{Finding, Severity};

/// One workflow command per finding, then one per input error.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for f in &report.findings {
        out.push_str(&finding_command(f, report));
    }
    for e in &report.errors {
        let place = e.place.map(|(id, span)| {
            let f = &report.files[id];
            f.lines.line_col(&f.text, span.start)
        });
        let mut props = Vec::new();
        if let Some(path) = &e.path {
            props.push(("file", shown(path).into_owned()));
        }
        if let Some(p) = place {
            props.push(("line", p.line.to_string()));
            props.push(("col", p.column.to_string()));
        }
        props.push(("title", "cognitrust: input could not be analysed".to_string()));
        out.push_str(&command("error", &props, &shown(&e.message)));
    }
    out
}

fn finding_command(f: &Finding, report: &Report) -> String {
    let loc = Location::of(&report.files, f.loc);
    let name = match f.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "notice",
    };
    // The newlines written here are the message's own lines; those of the input are escaped.
    let mut text = shown(&f.message).into_owned();
    if let Some(path) = &f.construct_path {
        let _ = write!(text, "\nconstruct path: {}", shown(path));
    }
    for r in &f.related {
        let at = Location::of(&report.files, r.loc);
        let _ = write!(text, "\n{}:{}:{}: {}", shown(&at.file), at.line, at.column, shown(&r.message));
    }
    if let Some(help) = &f.help {
        let _ = write!(text, "\nhelp: {}", shown(help));
    }
    let props = [
        ("file", shown(&loc.file).into_owned()),
        ("line", loc.line.to_string()),
        ("col", loc.column.to_string()),
        ("endLine", loc.end_line.to_string()),
        ("endColumn", loc.end_column.to_string()),
        ("title", title(f)),
    ];
    command(name, &props, &text)
}

/// `CT106 trust-no-aud`; a Guard rule's code already holds its name: `guard:iam_role_path`.
fn title(f: &Finding) -> String {
    // A Guard rule's name comes from a rule file, which may be as untrusted as the templates.
    if crate::guard::is_code(f.rule.code) {
        shown(f.rule.code).into_owned()
    } else {
        format!("{} {}", f.rule.code, f.rule.name)
    }
}

/// Text from an input as the log may show it: the controls [`crate::escape::must_escape`] names, CR and
/// LF included, written as `\u{1b}` escapes.
pub fn shown(text: &str) -> std::borrow::Cow<'_, str> {
    crate::escape::escape_controls(text, "")
}

/// `::name key=value,…::message` and a newline.
fn command(name: &str, props: &[(&str, String)], message: &str) -> String {
    let props: Vec<String> = props.iter().map(|(k, v)| format!("{k}={}", escape_property(v))).collect();
    format!("::{name} {}::{}\n", props.join(","), escape_data(message))
}

/// A command's message: `%`, CR and LF percent-encoded, as `escapeData` in `@actions/core`.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// A command's property value: as [`escape_data`], plus `:` and `,`, as `escapeProperty`.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}
