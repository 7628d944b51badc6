//! Rendering the rule catalog: a table, markdown docs (`docs/rules/`), and JSON.

use serde::Serialize;

use crate::rules::Rule;

/// One line per rule: code, severity, `fix` when `scan --fix` can fix it, name, summary.
pub fn table(rules: &[&Rule]) -> String {
    let mut out = String::new();
    for r in rules {
        let fix = if r.fixable() { "fix" } else { "" };
        out.push_str(&format!(
            "{:<6} {:<8} {fix:<3} {:<34} {}\n",
            r.code,
            r.severity.as_str(),
            r.name,
            r.summary
        ));
    }
    out
}

/// What the docs say of a rule's fix.
const FIXABLE: &str = "Fixable: `cognitrust scan --fix` applies its fix where it is certain, \
    and the report says why where it is not.";

/// The rule's full doc as markdown, headed by its code and name.
pub fn markdown(rule: &Rule) -> String {
    let fix = rule.fix.map(|f| format!("\n\n{FIXABLE} The fix {f}.")).unwrap_or_default();
    format!(
        "# {} {}\n\nDefault severity: **{}**. {}.{fix}\n\n{}",
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
    fixable: bool,
    /// What the fix does.
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<&'a str>,
    doc: String,
}

/// `{"rules":[{"code","name","severity","summary","fixable","doc"}]}`.
pub fn json(rules: &[&Rule]) -> String {
    let out = JsonRules {
        rules: rules
            .iter()
            .map(|r| JsonRule {
                code: r.code,
                name: r.name,
                severity: r.severity.as_str(),
                summary: r.summary,
                fixable: r.fixable(),
                fix: r.fix,
                doc: r.doc_text(),
            })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&out).unwrap_or_default();
    text.push('\n');
    text
}
