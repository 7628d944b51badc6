//! GitLab Code Quality (`--format gitlab`): the JSON array of Code Climate issues that GitLab
//! reads from a job's `artifacts:reports:codequality` and shows in merge requests. GitLab reads
//! `description`, `check_name`, `fingerprint`, `severity`, `location.path` and
//! `location.lines.begin`; `type`, `categories`, `content` and `lines.end` make each issue a
//! Code Climate issue too. Fingerprints are the ones SARIF and the baseline use, so GitLab
//! matches a finding across pipelines even when lines move. An input that could not be analysed
//! is an issue of its own (`cognitrust:input-error`, severity `blocker`): nothing in it was
//! checked. Text from inputs has its control characters made visible before it is written, as
//! GitLab shows what the JSON decodes to.

use serde::Serialize;

use super::Location;
use super::Report;
use crate::escape::escape_controls;
use crate::rules::{Finding, Severity};

/// The `check_name` of an input that could not be analysed.
pub(crate) const INPUT_ERROR: &str = "cognitrust:input-error";

#[derive(Serialize)]
struct Issue {
    #[serde(rename = "type")]
    kind: &'static str,
    check_name: String,
    description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    content: Option<Content>,
    categories: [&'static str; 1],
    fingerprint: String,
    severity: &'static str,
    location: IssueLocation,
}

#[derive(Serialize)]
struct Content {
    body: String,
}

#[derive(Serialize)]
struct IssueLocation {
    path: String,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
    end: usize,
}

/// The report as a pretty-printed Code Quality JSON array, ending in a newline.
pub fn render(report: &Report) -> String {
    let mut issues: Vec<Issue> = report.findings.iter().map(|f| issue(f, report)).collect();
    issues.extend(report.errors.iter().map(|e| {
        let line = e.place.map_or(1, |(id, span)| {
            let f = &report.files[id];
            f.lines.line_col(&f.text, span.start).line
        });
        let path = e.path.as_deref().unwrap_or(".");
        Issue {
            kind: "issue",
            check_name: INPUT_ERROR.to_string(),
            description: format!("input could not be analysed: {}", escape_controls(&e.message, "")),
            content: None,
            categories: ["Bug Risk"],
            fingerprint: super::fingerprint::hash(&format!("{INPUT_ERROR}\u{0}{path}\u{0}{}", e.message)),
            severity: "blocker",
            location: IssueLocation {
                path: escape_controls(path, "").into_owned(),
                lines: Lines { begin: line, end: line },
            },
        }
    }));
    let mut text =
        crate::escape::to_json_pretty(&issues).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}

fn issue(f: &Finding, report: &Report) -> Issue {
    let loc = Location::of(&report.files, f.loc);
    let code = escape_controls(f.rule.code, "");
    let title =
        if crate::guard::is_code(f.rule.code) { code.to_string() } else { format!("{code} {}", f.rule.name) };
    let mut body = Vec::new();
    for r in &f.related {
        let at = Location::of(&report.files, r.loc);
        body.push(format!(
            "{}:{}:{}: {}",
            escape_controls(&at.file, ""),
            at.line,
            at.column,
            escape_controls(&r.message, "")
        ));
    }
    if let Some(help) = &f.help {
        body.push(format!("help: {}", escape_controls(help, "")));
    }
    Issue {
        kind: "issue",
        check_name: code.into_owned(),
        description: format!("{title}: {}", escape_controls(&f.message, "")),
        content: (!body.is_empty()).then(|| Content { body: body.join("\n") }),
        categories: ["Security"],
        fingerprint: f.fingerprint.clone(),
        severity: severity(f.severity),
        location: IssueLocation {
            path: escape_controls(&loc.file, "").into_owned(),
            lines: Lines { begin: loc.line, end: loc.end_line },
        },
    }
}

/// Code Quality's scale: an error (the pool fails, or is open to others) is `critical`, a
/// warning `major`, a note `info`; `blocker` is kept for inputs that could not be analysed.
fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "critical",
        Severity::Warning => "major",
        Severity::Note => "info",
    }
}
