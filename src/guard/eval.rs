//! Running cfn-guard: [`failures`] evaluates one rule file on one document with
//! `cfn_guard::run_checks` and reads its evaluation record (the tree of rule, block and clause
//! records cfn-guard's own reporters read) into the failing clauses, each with its property path
//! and custom message. Syntax errors come back with their line and column in the rule file.

use serde_json::Value as Json;

/// A failing clause of a Guard rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The innermost named rule the clause belongs to (`default` for clauses outside rules).
    pub rule: String,
    /// The property path of the value that failed, or of the deepest value that exists when a
    /// property is missing; `None` when the clause is about a variable or another rule.
    pub path: Option<String>,
    /// The query that found nothing below `path`, when a property is missing.
    pub missing: Option<String>,
    /// The clause's custom message (`<<…>>`), as written.
    pub message: Option<String>,
    /// The clause as cfn-guard prints it: `Properties.Path EXISTS`.
    pub clause: String,
}

/// Why a rule file could not be evaluated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GuardError {
    /// The rule file does not parse; line and column are 1-based, the column in characters.
    #[error("{message}")]
    Syntax { message: String, line: Option<usize>, column: Option<usize> },
    #[error("{0}")]
    Evaluation(String),
}

/// Evaluates the rules (`rules`, named `rules_name` in messages) on a JSON or YAML document.
pub fn failures(
    rules: &str,
    rules_name: &str,
    data: &str,
    data_name: &str,
) -> Result<Vec<Failure>, GuardError> {
    let mut out = Vec::new();
    if let Some(tree) = record(rules, rules_name, data, data_name)? {
        descend(&tree, "default", &mut out);
    }
    Ok(out)
}

/// The names of the rules a rule file evaluates (not parameterized rules, which only other
/// rules call), or its syntax error.
pub(crate) fn rule_names(rules: &str, rules_name: &str) -> Result<Vec<String>, GuardError> {
    // cfn-guard parses the rules before it reads the document, and evaluates every rule.
    let Some(tree) = record(rules, rules_name, "{}", "{}")? else { return Ok(Vec::new()) };
    let children = tree.get("children").and_then(Json::as_array).map_or(&[][..], Vec::as_slice);
    let names = children.iter().filter_map(|child| match container(child) {
        Some(("RuleCheck", body)) => body.get("name").and_then(Json::as_str).map(String::from),
        _ => None,
    });
    Ok(names.collect())
}

/// cfn-guard's evaluation record, or `None` for a file of comments only, which has no rules.
fn record(rules: &str, rules_name: &str, data: &str, data_name: &str) -> Result<Option<Json>, GuardError> {
    let run = || {
        cfn_guard::run_checks(
            cfn_guard::ValidateInput { content: data, file_name: data_name },
            cfn_guard::ValidateInput { content: rules, file_name: rules_name },
            true,
        )
    };
    // cfn-guard is not ours to audit for panics; one must not take the scan down with it.
    let record = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)) {
        Ok(Ok(record)) => record,
        Ok(Err(cfn_guard::Error::ParseError(message))) if is_rules_syntax(&message) => {
            return Err(syntax_error(&message));
        }
        Ok(Err(e)) => return Err(GuardError::Evaluation(e.to_string())),
        Err(_) => return Err(GuardError::Evaluation("cfn-guard stopped on an internal error".into())),
    };
    if record.trim().is_empty() {
        return Ok(None);
    }
    serde_json::from_str(&record)
        .map(Some)
        .map_err(|e| GuardError::Evaluation(format!("unreadable cfn-guard record: {e}")))
}

/// cfn-guard reports unreadable data as a parse error too; only the rules' carry a place.
fn is_rules_syntax(message: &str) -> bool {
    !message.contains("Unable to process data")
}

/// `Parser Error when parsing `… at line 12 at column 5, when handling <what>, fragment …``:
/// the place, and what the parser expected.
fn syntax_error(message: &str) -> GuardError {
    let number_after = |marker: &str| {
        let start = message.find(marker)? + marker.len();
        let digits: String = message[start..].chars().take_while(char::is_ascii_digit).collect();
        digits.parse::<usize>().ok()
    };
    let expected = message
        .split_once("when handling ")
        .and_then(|(_, rest)| rest.split_once(", fragment").map(|(what, _)| what.trim()));
    let message = match expected {
        Some(what) => format!("cannot parse the Guard rules: {what}"),
        None => format!("cannot parse the Guard rules: {}", message.lines().next().unwrap_or_default()),
    };
    GuardError::Syntax { message, line: number_after(" at line "), column: number_after(" at column ") }
}

/// The one `{variant: body}` entry of a record's `container`.
fn container(record: &Json) -> Option<(&str, &Json)> {
    record.get("container")?.as_object()?.iter().next().map(|(k, v)| (k.as_str(), v))
}

fn failed(status: Option<&Json>) -> bool {
    status.and_then(Json::as_str) == Some("FAIL")
}

/// Walks the failing records below `record`, as cfn-guard's reporters do: into failed rules,
/// blocks, `when` blocks and type blocks, never into conditions and filters, which decide what
/// applies rather than fail.
fn descend(record: &Json, rule: &str, out: &mut Vec<Failure>) {
    let children = record.get("children").and_then(Json::as_array).map_or(&[][..], Vec::as_slice);
    let mut clauses = Vec::new();
    for child in children {
        let Some((kind, body)) = container(child) else { continue };
        match kind {
            "FileCheck" => descend(child, rule, out),
            "RuleCheck" if failed(body.get("status")) => {
                let name = body.get("name").and_then(Json::as_str).unwrap_or(rule);
                descend(child, name, out);
            }
            // The branches of a failed `or` all failed, often on one value: one failure per
            // place, with the message written once, on the last branch.
            "Disjunction" if failed(body.get("status")) => {
                let mut branches = Vec::new();
                descend(child, rule, &mut branches);
                let message = branches.iter().find_map(|c| c.message.clone());
                for mut c in branches {
                    if c.message.is_none() {
                        c.message.clone_from(&message);
                    }
                    if !out.iter().any(|o| o.rule == c.rule && o.path == c.path) {
                        out.push(c);
                    }
                }
            }
            "BlockGuardCheck" | "GuardClauseBlockCheck" | "WhenCheck" if failed(body.get("status")) => {
                descend(child, rule, out)
            }
            "TypeCheck" if failed(body.pointer("/block/status")) => descend(child, rule, out),
            "TypeBlock" if failed(Some(body)) => descend(child, rule, out),
            "ClauseValueCheck" => clauses.extend(clause(child, body, rule)),
            _ => {}
        }
    }
    // The clauses of one block are one clause of the rule file on each value: a clause cfn-guard
    // records without the message (a key filter's comparisons) takes its sibling's, and one
    // without a place (an empty variable) is left out when a sibling has one.
    let message = clauses.iter().find_map(|c: &Failure| c.message.clone());
    let placed = clauses.iter().any(|c| c.path.is_some());
    for mut c in clauses {
        if c.path.is_none() && placed {
            continue;
        }
        if c.message.is_none() {
            c.message.clone_from(&message);
        }
        if !out.contains(&c) {
            out.push(c);
        }
    }
}

/// A failing clause value check, if this one failed.
fn clause(record: &Json, body: &Json, rule: &str) -> Option<Failure> {
    let (kind, check) = body.as_object()?.iter().next()?;
    let (from, message) = match kind.as_str() {
        "Comparison" | "InComparison" | "MissingBlockValue" => {
            if kind != "MissingBlockValue" && !failed(check.get("status")) {
                return None;
            }
            (check.get("from"), check.get("custom_message"))
        }
        "Unary" => {
            let value = check.get("value")?;
            if !failed(value.get("status")) {
                return None;
            }
            (value.get("from"), value.get("custom_message"))
        }
        "NoValueForEmptyCheck" => (None, Some(check)),
        // A rule that depends on a failed rule: that rule reports its own clauses.
        _ => return None,
    };
    let (path, missing) = match from.and_then(|f| f.as_object()?.iter().next()) {
        Some((k, v)) if k == "Resolved" => (v.get("path").and_then(Json::as_str), None),
        Some((k, v)) if k == "UnResolved" => (
            v.pointer("/traversed_to/path").and_then(Json::as_str),
            v.get("remaining_query").and_then(Json::as_str),
        ),
        _ => (None, None),
    };
    let context = record.get("context").and_then(Json::as_str).unwrap_or_default();
    Some(Failure {
        rule: rule.to_string(),
        path: path.map(String::from),
        missing: missing.map(String::from),
        message: message.and_then(Json::as_str).map(String::from).filter(|m| !m.trim().is_empty()),
        clause: context.split_whitespace().collect::<Vec<_>>().join(" "),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROLE: &str =
        r#"{"Resources": {"AuthRole": {"Type": "AWS::IAM::Role", "Properties": {"Tags": [{"Key": "a"}]}}}}"#;

    #[test]
    fn a_missing_property_fails_at_its_parent_with_the_custom_message() {
        let rules = "rule iam_role_path {\n  Resources.*[ Type == 'AWS::IAM::Role' ].Properties.Path exists <<roles need a path>>\n}\n";
        let got = failures(rules, "r.guard", ROLE, "t.json").expect("evaluates");
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].rule, "iam_role_path");
        assert_eq!(got[0].path.as_deref(), Some("/Resources/AuthRole/Properties"));
        assert_eq!(got[0].missing.as_deref(), Some("Path"));
        assert_eq!(got[0].message.as_deref(), Some("roles need a path"));
    }

    #[test]
    fn a_failed_comparison_names_the_value_and_passing_rules_name_nothing() {
        let rules = "rule tagged { Resources.*.Properties.Tags[*].Key == 'b' }\nrule typed { Resources.*.Type == 'AWS::IAM::Role' }\n";
        let got = failures(rules, "r.guard", ROLE, "t.json").expect("evaluates");
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].path.as_deref(), Some("/Resources/AuthRole/Properties/Tags/0/Key"));
        assert_eq!(got[0].message, None);
    }

    #[test]
    fn the_branches_of_a_failed_or_are_one_failure_with_the_message() {
        let rules = "rule path_or_tags {\n  Resources.*.Properties.Path exists or\n  Resources.*.Properties.Tags empty <<roles need a path>>\n}\n";
        let got = failures(rules, "r.guard", ROLE, "t.json").expect("evaluates");
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(got.iter().all(|f| f.message.as_deref() == Some("roles need a path")), "{got:?}");
        assert_eq!(got[1].path.as_deref(), Some("/Resources/AuthRole/Properties/Tags"));
    }

    #[test]
    fn rule_names_are_the_evaluated_rules() {
        let rules = "rule a { Resources exists }\nrule check(x) { %x exists }\n# rule not_a_rule\nrule b when a { check(Resources) }\n";
        assert_eq!(rule_names(rules, "r.guard"), Ok(vec!["a".to_string(), "b".to_string()]));
        assert_eq!(rule_names("# nothing\n", "r.guard"), Ok(Vec::new()));
    }

    #[test]
    fn syntax_errors_carry_their_line_and_column() {
        let rules = "rule ok { Resources exists }\n\nrule broken {\n  Resources.* == \n}\n";
        match failures(rules, "r.guard", ROLE, "t.json") {
            Err(GuardError::Syntax { message, line, column }) => {
                assert!(message.starts_with("cannot parse the Guard rules"), "{message}");
                assert_eq!((line, column), (Some(4), Some(17)), "{message}");
            }
            other => panic!("expected a syntax error, got {other:?}"),
        }
    }
}
