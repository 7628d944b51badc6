//! The SARIF 2.1.0 report (SPEC §6) as GitHub code scanning ingests it: one run, every rule with
//! its doc, and results with relative URIs, full regions, related locations embedded in the
//! message, and fingerprints that do not move when unrelated lines are added above a finding.

use std::collections::BTreeMap;

use serde::Serialize;

use self::catalog::{Tool, catalog, driver, level};
use super::Location;
use crate::report::Report;
use crate::rules::{Finding, Rule};
use crate::source::SourceFile;

mod catalog;

/// Where relative artifact URIs are rooted: the folder the scan ran in, which for the GitHub
/// Action is the repository checkout.
const SRCROOT: &str = "%SRCROOT%";
/// The `partialFingerprints` key.
const FINGERPRINT_KEY: &str = super::fingerprint::KIND;

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool,
    invocations: [Invocation; 1],
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
pub(super) struct Text {
    pub(super) text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Text,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<SarifLocation>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: [SarifLocation; 1],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<SarifLocation>,
    partial_fingerprints: BTreeMap<&'static str, String>,
    /// With a baseline: `new`, or `unchanged` for a finding the baseline hides.
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline_state: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression>,
    /// The fix `scan --fix` applies, when it is certain.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<SarifFix>,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<ResultProperties<'a>>,
}

/// Why a result is not counted: the baseline accepted it.
#[derive(Serialize)]
struct Suppression {
    kind: &'static str,
    justification: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifFix {
    description: Text,
    artifact_changes: Vec<ArtifactChange>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange {
    artifact_location: Artifact,
    replacements: Vec<Replacement>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement {
    deleted_region: Region,
    inserted_content: Content,
}

#[derive(Serialize)]
struct Content {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultProperties<'a> {
    construct_path: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: Physical,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    logical_locations: Vec<Logical>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Physical {
    artifact_location: Artifact,
    region: Region,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Artifact {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_column: Option<usize>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Logical {
    name: String,
    /// The CDK construct path, for CDK output.
    #[serde(skip_serializing_if = "Option::is_none")]
    fully_qualified_name: Option<String>,
    kind: &'static str,
}

/// The report as pretty-printed SARIF 2.1.0, ending in a newline.
pub fn render(report: &Report) -> String {
    render_with(report, false)
}

/// The report as SARIF; with `show_suppressed`, the findings a baseline hides are results too,
/// each with an `external` suppression and `baselineState` `unchanged`.
pub fn render_with(report: &Report, show_suppressed: bool) -> String {
    let rules = catalog(report);
    let log = Log {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: [Run {
            tool: Tool { driver: driver(&rules) },
            invocations: [invocation(report)],
            column_kind: "unicodeCodePoints",
            results: results(report, &rules, show_suppressed),
        }],
    };
    let mut text = crate::escape::to_json_pretty(&log).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}

fn invocation(report: &Report) -> Invocation {
    let notifications = report
        .errors
        .iter()
        .map(|e| {
            let place = e.place.map(|(id, span)| {
                let f = &report.files[id];
                f.lines.line_col(&f.text, span.start)
            });
            let locations = e
                .path
                .as_ref()
                .map(|path| SarifLocation {
                    id: None,
                    physical_location: Physical {
                        artifact_location: artifact(path),
                        region: Region {
                            start_line: place.map_or(1, |p| p.line),
                            start_column: place.map_or(1, |p| p.column),
                            end_line: None,
                            end_column: None,
                        },
                    },
                    logical_locations: Vec::new(),
                    message: None,
                })
                .into_iter()
                .collect();
            Notification { level: "error", message: Text { text: escape(&e.message) }, locations }
        })
        .collect();
    Invocation { execution_successful: report.errors.is_empty(), tool_execution_notifications: notifications }
}

fn results<'a>(report: &'a Report, rules: &[&'static Rule], show_suppressed: bool) -> Vec<SarifResult<'a>> {
    let index = |f: &Finding| rules.iter().position(|r| r.code == f.rule.code).unwrap_or_default();
    let baseline = report.summary.baseline.is_some();
    let mut out: Vec<SarifResult<'a>> = report
        .findings
        .iter()
        .map(|f| {
            let mut r = result(f, &report.files, index(f));
            r.baseline_state = baseline.then_some("new");
            r
        })
        .collect();
    let hidden = report.suppressed.iter().filter(|s| show_suppressed && s.kind == crate::suppress::BASELINE);
    for s in hidden {
        let mut r = result(&s.finding, &report.files, index(&s.finding));
        r.baseline_state = Some("unchanged");
        r.suppressions = vec![Suppression { kind: "external", justification: escape(&s.reason) }];
        out.push(r);
    }
    out
}

fn result<'a>(f: &'a Finding, files: &[SourceFile], rule_index: usize) -> SarifResult<'a> {
    let primary = Location::of(files, f.loc);
    let mut primary = location(&primary, None, (!f.label.is_empty()).then_some(f.label.as_str()));
    primary.logical_locations = vec![Logical {
        name: f.resource.clone(),
        fully_qualified_name: f.construct_path.clone(),
        kind: "resource",
    }];
    SarifResult {
        rule_id: f.rule.code,
        rule_index,
        level: level(f.severity),
        message: Text { text: message(f) },
        locations: [primary],
        related_locations: f
            .related
            .iter()
            .enumerate()
            .map(|(i, r)| location(&Location::of(files, r.loc), Some(i + 1), Some(&r.message)))
            .collect(),
        partial_fingerprints: BTreeMap::from([(FINGERPRINT_KEY, f.fingerprint.clone())]),
        baseline_state: None,
        suppressions: Vec::new(),
        fixes: f.fix.iter().filter(|x| x.applicable()).map(|x| fix(x, files)).collect(),
        properties: f.construct_path.as_deref().map(|construct_path| ResultProperties { construct_path }),
    }
}

/// A fix as SARIF's artifact changes, one per file in the order of its first edit. The text
/// inserted is the file's own: it is not escaped, as a viewer applies it, not shows it raw.
fn fix(x: &crate::fix::Fix, files: &[SourceFile]) -> SarifFix {
    let mut changes: Vec<ArtifactChange> = Vec::new();
    let mut order: Vec<usize> = Vec::new();
    for e in &x.edits {
        let place = Location::of(files, crate::source::Loc::new(e.file, e.span));
        let replacement = Replacement {
            deleted_region: Region {
                start_line: place.line,
                start_column: place.column,
                end_line: Some(place.end_line),
                end_column: Some(place.end_column),
            },
            inserted_content: Content { text: e.replacement.clone() },
        };
        match order.iter().position(|&f| f == e.file) {
            Some(i) => changes[i].replacements.push(replacement),
            None => {
                order.push(e.file);
                changes.push(ArtifactChange {
                    artifact_location: artifact(&place.file),
                    replacements: vec![replacement],
                });
            }
        }
    }
    SarifFix { description: Text { text: escape(&x.title) }, artifact_changes: changes }
}

/// The message, a link to each related location (GitHub shows related locations only through
/// links in the message), and the fix.
fn message(f: &Finding) -> String {
    let mut text = escape(&f.message);
    for (i, r) in f.related.iter().enumerate() {
        text.push_str(&format!("\n[{}]({})", escape(&r.message), i + 1));
    }
    if let Some(help) = &f.help {
        text.push_str(&format!("\nhelp: {}", escape(help)));
    }
    text
}

fn location(loc: &Location, id: Option<usize>, message: Option<&str>) -> SarifLocation {
    SarifLocation {
        id,
        physical_location: Physical {
            artifact_location: artifact(&loc.file),
            region: Region {
                start_line: loc.line,
                start_column: loc.column,
                end_line: Some(loc.end_line),
                end_column: Some(loc.end_column),
            },
        },
        logical_locations: Vec::new(),
        message: message.map(|m| Text { text: escape(m) }),
    }
}

/// A display path as an artifact location: relative paths under `%SRCROOT%`, absolute ones as
/// `file:` URIs.
fn artifact(path: &str) -> Artifact {
    let bytes = path.as_bytes();
    if path.starts_with('/') {
        Artifact { uri: format!("file://{}", encode_path(path)), uri_base_id: None }
    } else if bytes.len() > 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' && bytes[2] == b'/' {
        Artifact { uri: format!("file:///{}:{}", &path[..1], encode_path(&path[2..])), uri_base_id: None }
    } else {
        Artifact { uri: encode_path(path), uri_base_id: Some(SRCROOT) }
    }
}

/// Percent-encodes what may not appear in a URI path (RFC 3986), `:` included so a relative
/// path never reads as a scheme.
fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Plain text for a SARIF message: `[`, `]` and `\` are escaped so no text reads as a link, and
/// the controls [`crate::escape::must_escape`] names (bidi overrides included, which would reorder the
/// text code scanning shows) are written as visible `\u{202e}` escapes, their backslash escaped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '[' | ']' | '\\') {
            out.push('\\');
        }
        crate::escape::push_escaped(&mut out, c, "\\");
    }
    out
}
