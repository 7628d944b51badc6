//! The JSON report, schema_version 1 (SPEC §2): stable field names and order.

use serde::Serialize;

use super::Location;
use super::{Report, Summary};

#[derive(Serialize)]
struct JsonReport<'a> {
    schema_version: u32,
    tool: Tool,
    findings: Vec<JsonFinding<'a>>,
    /// Only with `--show-suppressed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressed: Option<Vec<JsonSuppressed<'a>>>,
    errors: Vec<JsonError>,
    summary: &'a Summary,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'static str,
    name: &'static str,
    severity: &'static str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
    location: Location,
    resource: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    construct_path: Option<&'a str>,
    related: Vec<JsonRelated<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<JsonFix<'a>>,
}

/// A finding's fix: `applicable` when `scan --fix` applies it, else `reason` says why not.
#[derive(Serialize)]
struct JsonFix<'a> {
    title: &'a str,
    applicable: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
    edits: Vec<JsonEdit<'a>>,
}

/// Text to write from `start` to `end` (exclusive) of a file.
#[derive(Serialize)]
struct JsonEdit<'a> {
    file: &'a str,
    start: Position,
    end: Position,
    replacement: &'a str,
}

/// A place in a file: its line and character column, 1-based, and its byte offset.
#[derive(Serialize)]
struct Position {
    line: usize,
    column: usize,
    offset: usize,
}

#[derive(Serialize)]
struct JsonSuppressed<'a> {
    #[serde(flatten)]
    finding: JsonFinding<'a>,
    suppression: JsonSuppression<'a>,
}

#[derive(Serialize)]
struct JsonSuppression<'a> {
    kind: &'a str,
    reason: &'a str,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    message: &'a str,
    location: Location,
    #[serde(skip_serializing_if = "Option::is_none")]
    resource: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonError {
    message: String,
    location: ErrorLocation,
}

#[derive(Serialize)]
struct ErrorLocation {
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    column: Option<usize>,
}

/// The report as pretty-printed JSON, ending in a newline.
pub fn render(report: &Report) -> String {
    render_with(report, false)
}

fn finding<'a>(files: &'a [crate::source::SourceFile], f: &'a crate::rules::Finding) -> JsonFinding<'a> {
    JsonFinding {
        rule: f.rule.code,
        name: f.rule.name,
        severity: f.severity.as_str(),
        message: &f.message,
        help: f.help.as_deref(),
        location: Location::of(files, f.loc),
        resource: &f.resource,
        construct_path: f.construct_path.as_deref(),
        related: f
            .related
            .iter()
            .map(|r| JsonRelated {
                message: &r.message,
                location: Location::of(files, r.loc),
                resource: r.resource.as_deref(),
            })
            .collect(),
        fix: f.fix.as_ref().map(|x| fix(files, x)),
    }
}

fn fix<'a>(files: &'a [crate::source::SourceFile], x: &'a crate::fix::Fix) -> JsonFix<'a> {
    let position = |file: &crate::source::SourceFile, offset: usize| {
        let at = file.lines.line_col(&file.text, offset);
        Position { line: at.line, column: at.column, offset }
    };
    JsonFix {
        title: &x.title,
        applicable: x.applicable(),
        reason: x.not_applied.as_deref(),
        edits: x
            .edits
            .iter()
            .map(|e| {
                let file = &files[e.file];
                JsonEdit {
                    file: &file.display,
                    start: position(file, e.span.start),
                    end: position(file, e.span.end),
                    replacement: &e.replacement,
                }
            })
            .collect(),
    }
}

/// The report as JSON, listing suppressed findings too when `show_suppressed`.
pub fn render_with(report: &Report, show_suppressed: bool) -> String {
    let files = &report.files;
    let out = JsonReport {
        schema_version: 1,
        tool: Tool { name: "cognitrust", version: env!("CARGO_PKG_VERSION") },
        findings: report.findings.iter().map(|f| finding(files, f)).collect(),
        suppressed: show_suppressed.then(|| {
            report
                .suppressed
                .iter()
                .map(|s| JsonSuppressed {
                    finding: finding(files, &s.finding),
                    suppression: JsonSuppression { kind: s.kind, reason: &s.reason },
                })
                .collect()
        }),
        errors: report
            .errors
            .iter()
            .map(|e| {
                let place = e.place.map(|(id, span)| {
                    let f = &files[id];
                    f.lines.line_col(&f.text, span.start)
                });
                JsonError {
                    message: e.message.clone(),
                    location: ErrorLocation {
                        file: e.path.clone(),
                        line: place.map(|p| p.line),
                        column: place.map(|p| p.column),
                    },
                }
            })
            .collect(),
        summary: &report.summary,
    };
    let mut text = crate::escape::to_json_pretty(&out).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}
