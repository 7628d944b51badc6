//! cfn-guard rules (SPEC §8): `--guard-rules PATH` evaluates Guard rule files with the cfn-guard
//! crate on each CloudFormation template and turns every failing clause into a finding
//! `guard:<rule name>`, placed on our own parse of the template.
//!
//! This file holds what every build needs: the codes (`--select guard:x`, suppressions and the
//! config name Guard rules in a build without Guard too), the rules made at run time, and
//! [`Pack`], the rule files of one scan. The evaluation itself is behind the `guard` feature:
//! `pack.rs` reads rule files and places failures, `eval.rs` runs cfn-guard and reads its
//! evaluation record, `place.rs` maps a Guard property path onto a [`Node`].

#[cfg(feature = "guard")]
mod eval;
#[cfg(feature = "guard")]
mod pack;
#[cfg(feature = "guard")]
mod place;

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

#[cfg(feature = "guard")]
pub use eval::{Failure, GuardError, failures};
#[cfg(feature = "guard")]
pub use pack::Pack;
#[cfg(feature = "guard")]
pub use place::{locate, to_json};

use crate::rules::{Finding, Findings, Rule, Severity};
use crate::source::{FileId, Loc};
use crate::syntax::Span;

/// What every Guard finding's code starts with.
pub(crate) const PREFIX: &str = "guard:";
/// `--select`/`--ignore` entry naming every Guard rule.
pub(crate) const ALL: &str = "guard:*";

/// Whether a rule code names a Guard rule: `guard:` and a name.
pub(crate) fn is_code(code: &str) -> bool {
    code.get(..PREFIX.len()).is_some_and(|p| p.eq_ignore_ascii_case(PREFIX)) && code.len() > PREFIX.len()
}

/// Guard rules are checked by cfn-guard, not by a function over the model.
fn no_check(_: &crate::rules::Context, _: &mut Findings) {}

/// The rules made at run time, by code, each leaked once: `Finding::rule` is `&'static`.
fn registry() -> &'static Mutex<HashMap<String, &'static Rule>> {
    static RULES: OnceLock<Mutex<HashMap<String, &'static Rule>>> = OnceLock::new();
    RULES.get_or_init(Mutex::default)
}

fn intern(key: String, make: impl FnOnce() -> Rule) -> &'static Rule {
    let mut rules = registry().lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    rules.entry(key).or_insert_with(|| Box::leak(Box::new(make())))
}

fn leak(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}

/// The rule a `--select`, suppression or config entry names by its `guard:` code, before (or
/// without) any rule file defining it. Rules compare by code, so this and the rule the findings
/// carry ([`rule`]) are the same rule.
pub fn named(code: &str) -> &'static Rule {
    let name = &code[PREFIX.len()..];
    intern(format!("named\u{0}{name}"), || Rule {
        code: leak(format!("{PREFIX}{name}")),
        name: leak(name.to_string()),
        severity: Severity::Error,
        summary: "a cfn-guard rule of `--guard-rules`",
        doc: "A cfn-guard rule of the files `--guard-rules` names; the comment above the rule in its file documents it.",
        fix: None,
        check: no_check,
    })
}

/// The rule of a Guard rule `name`, with the summary and doc of the first rule file that
/// defines it (its comment).
pub fn rule(name: &str, summary: &str, doc: &str) -> &'static Rule {
    intern(format!("defined\u{0}{name}"), || Rule {
        code: leak(format!("{PREFIX}{name}")),
        name: leak(name.to_string()),
        severity: Severity::Error,
        summary: leak(summary.to_string()),
        doc: leak(doc.to_string()),
        fix: None,
        check: no_check,
    })
}

/// A failing Guard clause, placed in its template; [`Hit::finding`] once the file has its id.
#[derive(Debug, Clone)]
pub struct Hit {
    pub rule: &'static Rule,
    pub severity: Severity,
    pub message: String,
    pub help: Option<String>,
    pub label: String,
    pub span: Span,
    /// The logical ID under `Resources`, or empty when the path is elsewhere.
    pub resource: String,
}

impl Hit {
    pub fn finding(self, file: FileId, construct_path: Option<String>) -> Finding {
        Finding {
            rule: self.rule,
            severity: self.severity,
            message: self.message,
            help: self.help,
            label: self.label,
            loc: Loc::new(file, self.span),
            resource: self.resource,
            construct_path,
            related: Vec::new(),
            fix: None,
            fingerprint: String::new(),
        }
    }
}

/// A rule file that cannot be read or parsed, with its text when it was read.
#[derive(Debug, Clone)]
pub struct PackError {
    pub message: String,
    /// The path as the report shows it.
    pub path: String,
    /// The file's text and the place of the error in it.
    pub place: Option<(String, Span)>,
}

/// Without the `guard` feature there is nothing to evaluate with: asking for Guard rules is an
/// error, and no template is checked.
#[cfg(not(feature = "guard"))]
#[derive(Debug, Default)]
pub struct Pack {
    pub errors: Vec<PackError>,
}

#[cfg(not(feature = "guard"))]
impl Pack {
    pub(crate) const UNSUPPORTED: &str =
        "cognitrust was built without Guard support: `--guard-rules` needs the `guard` feature";

    pub(crate) fn load(paths: &[std::path::PathBuf], cwd: &std::path::Path) -> Pack {
        let errors = paths
            .iter()
            .take(1)
            .map(|p| PackError {
                message: Self::UNSUPPORTED.to_string(),
                path: crate::source::display_path(p, cwd),
                place: None,
            })
            .collect();
        Pack { errors }
    }

    pub fn is_empty(&self) -> bool {
        true
    }

    pub fn rules(&self) -> Vec<&'static Rule> {
        Vec::new()
    }

    pub fn check(&self, _file: &crate::source::SourceFile, _root: &crate::syntax::Node) -> Checked {
        Checked::default()
    }
}

/// What the rule files said about one template.
#[derive(Debug, Default)]
pub struct Checked {
    pub hits: Vec<Hit>,
    /// Evaluation errors (not syntax errors, which [`Pack::load`] reports), one per rule file.
    pub errors: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guard_codes_are_recognised_and_named_rules_share_their_code() {
        assert!(
            is_code("guard:iam_role_path") && is_code("GUARD:x") && !is_code("guard:") && !is_code("CT106")
        );
        let named = named("guard:iam_role_path");
        let defined = rule("iam_role_path", "roles have a path", "roles have a path");
        assert_eq!(named.code, defined.code);
        assert_eq!(defined.name, "iam_role_path");
        assert!(std::ptr::eq(defined, rule("iam_role_path", "another", "")), "interned once");
    }
}
