//! The SARIF log's `tool.driver`: the tool and its rule catalog, each rule with its help, tags
//! and GitHub's `security-severity`.

use serde::Serialize;

use super::Text;
use crate::report::Report;
use crate::rules::{RULES, Rule, Severity};

#[derive(Serialize)]
pub(super) struct Tool {
    pub(super) driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    information_uri: Option<&'static str>,
    rules: Vec<Descriptor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor {
    id: &'static str,
    name: &'static str,
    short_description: Text,
    full_description: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<String>,
    help: Help,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: Vec<&'static str>,
    #[serde(rename = "security-severity")]
    security_severity: &'static str,
}

/// Every rule, so code scanning can show any rule's help, then the Guard rules of the scan, then
/// any other rule a finding names.
pub(super) fn catalog(report: &Report) -> Vec<&'static Rule> {
    let mut rules: Vec<&'static Rule> = RULES.to_vec();
    for r in &report.guard_rules {
        if !rules.iter().any(|known| known.code == r.code) {
            rules.push(r);
        }
    }
    for f in &report.findings {
        if !rules.iter().any(|r| r.code == f.rule.code) {
            rules.push(f.rule);
        }
    }
    rules
}

pub(super) fn driver(rules: &[&'static Rule]) -> Driver {
    Driver {
        name: "cognitrust",
        version: env!("CARGO_PKG_VERSION"),
        semantic_version: env!("CARGO_PKG_VERSION"),
        information_uri: project_uri(),
        rules: rules.iter().map(|r| descriptor(r)).collect(),
    }
}

/// The project's home as Cargo.toml names it (`repository`, else `homepage`), when it does.
fn project_uri() -> Option<&'static str> {
    [env!("CARGO_PKG_REPOSITORY"), env!("CARGO_PKG_HOMEPAGE")].into_iter().find(|u| !u.is_empty())
}

fn descriptor(rule: &'static Rule) -> Descriptor {
    let repo = env!("CARGO_PKG_REPOSITORY").trim_end_matches('/');
    Descriptor {
        id: rule.code,
        name: rule.name,
        short_description: Text { text: rule.summary.to_string() },
        full_description: Text { text: doc_section(&rule.doc_text(), "What it does") },
        help_uri: (!repo.is_empty() && !crate::guard::is_code(rule.code))
            .then(|| format!("{repo}/blob/main/docs/rules/{}.md", rule.code)),
        help: Help { text: rule.doc_text(), markdown: crate::report::rules::markdown(rule) },
        default_configuration: Configuration { level: level(rule.severity) },
        properties: RuleProperties {
            tags: tags(rule.code),
            security_severity: security_severity(rule.severity),
        },
    }
}

/// The paragraph under `## {title}` in a rule doc, on one line.
fn doc_section(doc: &str, title: &str) -> String {
    let heading = format!("## {title}");
    let body: Vec<&str> = doc
        .lines()
        .skip_while(|l| l.trim() != heading)
        .skip(1)
        .take_while(|l| !l.starts_with("## "))
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if body.is_empty() { doc.lines().next().unwrap_or_default().to_string() } else { body.join(" ") }
}

/// Tags by rule family; `security` makes GitHub rank alerts by `security-severity`.
fn tags(code: &str) -> Vec<&'static str> {
    let family: &[&'static str] = match code.get(..3) {
        Some("CT1") => &["iam", "trust-policy"],
        Some("CT2") => &["iam", "identity-pool"],
        Some("CT3") => &["identity-pool", "role-mapping"],
        Some("CT4") => &["iam", "least-privilege"],
        _ if crate::guard::is_code(code) => return vec!["security", "cfn-guard"],
        _ => &[],
    };
    let mut tags = vec!["security", "cognito"];
    tags.extend_from_slice(family);
    tags
}

pub(super) fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// GitHub's scale: 7.0–8.9 high, 4.0–6.9 medium, 0.1–3.9 low.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "8.0",
        Severity::Warning => "5.0",
        Severity::Note => "2.0",
    }
}
