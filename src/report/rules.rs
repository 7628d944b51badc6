//! Rendering the rule catalog: a table, markdown docs (`docs/rules/`), and JSON.

use serde::Serialize;

use crate::rules::Rule;

/// One line per rule: code, severity, name, summary.
pub fn table(rules: &[&Rule]) -> String {
    let mut out = String::new();
    for r in rules {
        out.push_str(&format!("{:<6} {:<8} {:<34} {}\n", r.code, r.severity.as_str(), r.name, r.summary));
    }
    out
}

/// The rule's full doc as markdown, headed by its code and name.
pub fn markdown(rule: &Rule) -> String {
    format!(
        "# {} {}\n\nDefault severity: **{}**. {}.\n\n{}",
        rule.code,
        rule.name,
        rule.severity.as_str(),
        capitalise(rule.summary),
        rule.doc_text()
    )
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[derive(Serialize)]
struct JsonRules<'a> {
    rules: Vec<JsonRule<'a>>,
}

#[derive(Serialize)]
struct JsonRule<'a> {
    code: &'a str,
    name: &'a str,
    severity: &'a str,
    summary: &'a str,
    doc: String,
}

/// `{"rules":[{"code","name","severity","summary","doc"}]}`.
pub fn json(rules: &[&Rule]) -> String {
    let out = JsonRules {
        rules: rules
            .iter()
            .map(|r| JsonRule {
                code: r.code,
                name: r.name,
                severity: r.severity.as_str(),
                summary: r.summary,
                doc: r.doc_text(),
            })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&out).unwrap_or_default();
    text.push('\n');
    text
}
