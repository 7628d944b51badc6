//! Which rules a scan runs: a rule looked up by code or name, built in or cfn-guard, and what
//! `--select` and `--ignore` leave. The one module that knows both [`crate::rules`] and
//! [`crate::guard`], so that neither imports the other.

use crate::guard;
use crate::rules::{RULES, Rule};

/// Looks a rule up by code or name, case-insensitively; any `guard:<name>` names a cfn-guard
/// rule (`--guard-rules`), whether or not a rule file defines it.
pub fn find(code_or_name: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(code_or_name) || r.name.eq_ignore_ascii_case(code_or_name))
        .or_else(|| guard::is_code(code_or_name).then(|| guard::named(code_or_name)))
}

/// The built-in rules that `--select` and `--ignore` leave.
pub(crate) fn selected_rules(select: &[String], ignore: &[String]) -> Vec<&'static Rule> {
    let named = |list: &[String], r: &Rule| {
        list.iter().any(|s| s.eq_ignore_ascii_case(r.code) || s.eq_ignore_ascii_case(r.name))
    };
    RULES
        .iter()
        .copied()
        .filter(|r| select.is_empty() || named(select, r))
        .filter(|r| !named(ignore, r))
        .collect()
}

/// Whether `--select`/`--ignore` (codes or names, already checked) keep a Guard rule's findings:
/// an empty `select` keeps every rule; `guard:*` names them all.
pub(crate) fn guard_selected(code: &str, select: &[String], ignore: &[String]) -> bool {
    let names = |list: &[String]| list.iter().any(|s| s.eq_ignore_ascii_case(code) || s == guard::ALL);
    (select.is_empty() || names(select)) && !names(ignore)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selection_keeps_guard_rules_unless_left_out() {
        let list = |s: &[&str]| s.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(guard_selected("guard:a", &[], &[]));
        assert!(!guard_selected("guard:a", &list(&["CT106"]), &[]));
        assert!(guard_selected("guard:a", &list(&["guard:*"]), &[]));
        assert!(guard_selected("guard:a", &list(&["GUARD:A"]), &[]));
        assert!(!guard_selected("guard:a", &[], &list(&["guard:a"])));
        assert!(!guard_selected("guard:a", &[], &list(&["guard:*"])));
    }

    #[test]
    fn rules_are_found_by_code_or_name_and_guard_codes_by_their_prefix() {
        assert_eq!(find("ct106").map(|r| r.code), Some("CT106"));
        assert_eq!(find("TRUST-NO-AUD").map(|r| r.code), find("CT106").map(|r| r.code));
        assert_eq!(find("guard:x").map(|r| r.code), Some("guard:x"));
        assert!(find("CT999").is_none());
    }
}
