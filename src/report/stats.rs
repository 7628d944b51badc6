//! `scan --statistics`: how many findings each rule has, instead of the findings.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Report;
use crate::escape::escape_controls;
use crate::rules::Finding;

/// One rule's count.
#[derive(Serialize)]
struct Count<'a> {
    code: &'a str,
    name: &'a str,
    severity: &'static str,
    count: usize,
    /// How many of them `scan --fix` would fix.
    fixable: usize,
}

#[derive(Serialize)]
struct Statistics<'a> {
    rules: Vec<Count<'a>>,
    /// Inputs that could not be analysed: their findings are not counted.
    input_errors: usize,
}

/// The counts, most findings first, then by code. A rule whose findings a config gave two
/// severities has a count for each.
fn counts(findings: &[Finding]) -> Vec<Count<'_>> {
    let mut by_rule: BTreeMap<(&str, &'static str), Count> = BTreeMap::new();
    for f in findings {
        let count = by_rule.entry((f.rule.code, f.severity.as_str())).or_insert(Count {
            code: f.rule.code,
            name: f.rule.name,
            severity: f.severity.as_str(),
            count: 0,
            fixable: 0,
        });
        count.count += 1;
        count.fixable += usize::from(f.fix.as_ref().is_some_and(|x| x.applicable()));
    }
    let mut counts: Vec<Count> = by_rule.into_values().collect();
    counts.sort_by(|a, b| b.count.cmp(&a.count).then(a.code.cmp(b.code)).then(a.severity.cmp(b.severity)));
    counts
}

/// A table: count, code, severity, how many are fixable, name; then the inputs not analysed.
/// A Guard rule's code and name come from a rule file and are escaped.
pub fn table(report: &Report) -> String {
    let mut out = String::new();
    for c in counts(&report.findings) {
        let fixable = if c.fixable > 0 { c.fixable.to_string() } else { String::new() };
        out.push_str(&format!(
            "{:>5}  {:<6} {:<8} {:>7}  {}\n",
            c.count,
            escape_controls(c.code, ""),
            c.severity,
            fixable,
            escape_controls(c.name, "")
        ));
    }
    if !out.is_empty() {
        out.insert_str(0, "count  code   severity fixable  rule\n");
    }
    let errors = report.errors.len();
    if errors > 0 {
        out.push_str(&format!(
            "{errors} input{} could not be analysed (the report without --statistics says why)\n",
            if errors == 1 { "" } else { "s" }
        ));
    }
    if out.is_empty() {
        out.push_str("no findings\n");
    }
    out
}

/// The same as JSON: `{"rules": [{code, name, severity, count, fixable}], "input_errors": N}`.
pub fn json(report: &Report) -> String {
    let stats = Statistics { rules: counts(&report.findings), input_errors: report.errors.len() };
    let mut text = crate::escape::to_json_pretty(&stats).unwrap_or_default();
    text.push('\n');
    text
}
