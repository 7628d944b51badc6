//! GitHub Actions workflow commands (SPEC §6): one `::error`, `::warning` or `::notice` line per
//! finding, which the runner turns into an annotation on the file and line; input errors become
//! `::error` lines too. Values are escaped as GitHub's toolkit (`@actions/core`) escapes them.

use std::fmt::Write;

use super::Location;
use crate::Report;
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
            props.push(("file", path.clone()));
        }
        if let Some(p) = place {
            props.push(("line", p.line.to_string()));
            props.push(("col", p.column.to_string()));
        }
        props.push(("title", "cognitrust: input could not be analysed".to_string()));
        out.push_str(&command("error", &props, &e.message));
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
    let mut text = f.message.clone();
    if let Some(path) = &f.construct_path {
        let _ = write!(text, "\nconstruct path: {path}");
    }
    for r in &f.related {
        let at = Location::of(&report.files, r.loc);
        let _ = write!(text, "\n{}:{}:{}: {}", at.file, at.line, at.column, r.message);
    }
    if let Some(help) = &f.help {
        let _ = write!(text, "\nhelp: {help}");
    }
    let props = [
        ("file", loc.file.clone()),
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
    if crate::guard::is_code(f.rule.code) {
        f.rule.code.to_string()
    } else {
        format!("{} {}", f.rule.code, f.rule.name)
    }
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
