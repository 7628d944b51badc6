//! The rule catalog: one file per rule (its doc, declaration and check) and [`RULES`], the one
//! list of them. Rules read the linked [`Model`] and nothing else.

mod ct101_trust_no_cognito_principal;
mod ct102_trust_wrong_principal_type;
mod ct103_trust_wrong_action;
mod ct104_trust_explicit_deny;
mod ct105_trust_no_condition;
mod ct106_trust_no_aud;
mod ct107_trust_aud_mismatch;
mod ct108_trust_aud_wildcard;
mod ct109_trust_amr_mismatch;
mod ct110_trust_no_amr;
mod ct111_trust_amr_operator;
mod ct112_trust_condition_key_typo;
mod ct113_trust_no_tagsession;
mod ct114_trust_wildcard_principal;
mod ct115_trust_notprincipal;
mod ct116_trust_partition_principal;
mod ct201_attachment_role_not_arn;
mod ct202_attachment_role_unresolved;
mod ct203_attachment_duplicate;
mod ct204_attachment_bad_pool_id;
mod ct205_attachment_bad_role_key;
mod ct206_pool_guests_without_role;
mod ct207_pool_no_authenticated_role;
mod ct208_pool_unused_guest_role;
mod ct209_pool_classic_flow;
mod ct301_mapping_no_ambiguous_resolution;
mod ct302_mapping_unknown_provider;
mod ct303_mapping_shape;
mod ct304_mapping_writable_claim;
mod ct305_mapping_custom_claim_prefix;
mod ct306_group_role_unused;
mod ct401_guest_role_overprivileged;
mod ct900_unused_suppression;
mod ct901_analysis_incomplete;
mod facts;
mod fixes;
pub mod say;
mod view;

pub use ct900_unused_suppression::RULE as UNUSED_SUPPRESSION;
pub use view::{Context, PoolRole, TrustedRole};

use crate::model::{Model, ResourceRef};
use crate::source::Loc;

/// Every rule, in code order.
pub static RULES: &[&Rule] = &[
    &ct101_trust_no_cognito_principal::RULE,
    &ct102_trust_wrong_principal_type::RULE,
    &ct103_trust_wrong_action::RULE,
    &ct104_trust_explicit_deny::RULE,
    &ct105_trust_no_condition::RULE,
    &ct106_trust_no_aud::RULE,
    &ct107_trust_aud_mismatch::RULE,
    &ct108_trust_aud_wildcard::RULE,
    &ct109_trust_amr_mismatch::RULE,
    &ct110_trust_no_amr::RULE,
    &ct111_trust_amr_operator::RULE,
    &ct112_trust_condition_key_typo::RULE,
    &ct113_trust_no_tagsession::RULE,
    &ct114_trust_wildcard_principal::RULE,
    &ct115_trust_notprincipal::RULE,
    &ct116_trust_partition_principal::RULE,
    &ct201_attachment_role_not_arn::RULE,
    &ct202_attachment_role_unresolved::RULE,
    &ct203_attachment_duplicate::RULE,
    &ct204_attachment_bad_pool_id::RULE,
    &ct205_attachment_bad_role_key::RULE,
    &ct206_pool_guests_without_role::RULE,
    &ct207_pool_no_authenticated_role::RULE,
    &ct208_pool_unused_guest_role::RULE,
    &ct209_pool_classic_flow::RULE,
    &ct301_mapping_no_ambiguous_resolution::RULE,
    &ct302_mapping_unknown_provider::RULE,
    &ct303_mapping_shape::RULE,
    &ct304_mapping_writable_claim::RULE,
    &ct305_mapping_custom_claim_prefix::RULE,
    &ct306_group_role_unused::RULE,
    &ct401_guest_role_overprivileged::RULE,
    &ct900_unused_suppression::RULE,
    &ct901_analysis_incomplete::RULE,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Note,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A rule: its stable code and name, default severity, one-line summary, doc, and check.
pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
    /// Markdown with the sections `## What it does`, `## Why is this bad?`, `## Example`,
    /// `## Use instead`, `## References`.
    pub doc: &'static str,
    /// What the rule's fix does, when it has one: `scan --fix` applies it where it is certain.
    pub fix: Option<&'static str>,
    pub check: fn(&Context, &mut Findings),
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.code, self.name)
    }
}

impl Rule {
    /// Whether `scan --fix` can fix the rule's findings.
    pub fn fixable(&self) -> bool {
        self.fix.is_some()
    }

    /// The doc without the one leading space every `///` line carries.
    pub fn doc_text(&self) -> String {
        let mut out = String::new();
        for line in self.doc.lines() {
            out.push_str(line.strip_prefix(' ').unwrap_or(line));
            out.push('\n');
        }
        out.trim_end().to_string() + "\n"
    }
}

/// Declares a rule from its doc comment and fields.
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        code: $code:literal, name: $name:literal, severity: $sev:ident,
        summary: $summary:literal, $(fix: $fix:literal,)? check: $check:path $(,)?
    ) => {
        pub static RULE: $crate::rules::Rule = $crate::rules::Rule {
            code: $code,
            name: $name,
            severity: $crate::rules::Severity::$sev,
            summary: $summary,
            doc: concat!($($doc, "\n"),*),
            fix: $crate::rules::rule_fix!($($fix)?),
            check: $check,
        };
    };
}
pub(crate) use declare_rule;

/// A rule's `fix` text as [`Rule::fix`] holds it.
macro_rules! rule_fix {
    () => {
        None
    };
    ($fix:literal) => {
        Some($fix)
    };
}
pub(crate) use rule_fix;

/// Another place that explains a finding: the other end of a link.
#[derive(Debug, Clone, PartialEq)]
pub struct Related {
    pub message: String,
    pub loc: Loc,
    pub resource: Option<String>,
}

/// One problem found by one rule.
#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: &'static Rule,
    pub severity: Severity,
    pub message: String,
    /// What to write instead, in the template's own names.
    pub help: Option<String>,
    /// The label on the primary span: what is wrong there.
    pub label: String,
    pub loc: Loc,
    pub resource: String,
    pub construct_path: Option<String>,
    pub related: Vec<Related>,
    /// The change that makes this finding go away, when the rule knows one.
    pub fix: Option<crate::fix::Fix>,
    /// Its stable fingerprint ([`crate::report::fingerprint`]), set once the report's findings
    /// are sorted; empty before, and for a finding a suppression hides.
    pub fingerprint: String,
}

/// Where rules put their findings.
pub struct Findings {
    rule: &'static Rule,
    pub items: Vec<Finding>,
}

impl Findings {
    pub fn new(rule: &'static Rule) -> Self {
        Findings { rule, items: Vec::new() }
    }

    /// Starts a finding of this rule at `loc`, about `resource`.
    pub fn add(&mut self, loc: Loc, resource: &ResourceRef, message: String) -> &mut Finding {
        self.items.push(Finding {
            rule: self.rule,
            severity: self.rule.severity,
            message,
            help: None,
            label: String::new(),
            loc,
            resource: resource.name.clone(),
            construct_path: resource.construct_path.clone(),
            related: Vec::new(),
            fix: None,
            fingerprint: String::new(),
        });
        let last = self.items.len() - 1;
        &mut self.items[last]
    }
}

impl Finding {
    pub fn help(&mut self, help: impl Into<String>) -> &mut Self {
        self.help = Some(help.into());
        self
    }
    pub fn label(&mut self, label: impl Into<String>) -> &mut Self {
        self.label = label.into();
        self
    }
    pub fn related(
        &mut self,
        loc: Loc,
        message: impl Into<String>,
        resource: Option<&ResourceRef>,
    ) -> &mut Self {
        let related = Related { message: message.into(), loc, resource: resource.map(|r| r.name.clone()) };
        if !self.related.contains(&related) {
            self.related.push(related);
        }
        self
    }
    pub fn fix(&mut self, fix: crate::fix::Fix) -> &mut Self {
        self.fix = Some(fix);
        self
    }
    pub fn severity(&mut self, severity: Severity) -> &mut Self {
        self.severity = severity;
        self
    }
}

/// Runs every rule over the model; findings at the same place from the same rule are merged,
/// keeping every related place, when they are about one resource (found through several
/// links or condition branches) or say the same of several (instances of one module). Instances
/// that fail differently at one place (two `for_each` roles in swapped slots) stay apart.
pub(crate) fn check_all(model: &Model, rules: &[&'static Rule]) -> Vec<Finding> {
    let cx = Context::new(model);
    let mut all: Vec<Finding> = Vec::new();
    // The findings at each place, each with what it says of its resource.
    let mut at: std::collections::HashMap<(&str, Loc), Vec<(usize, String)>> =
        std::collections::HashMap::new();
    // What a finding says of its resource, its name taken out.
    let said = |f: &Finding| {
        if f.resource.is_empty() { f.message.clone() } else { f.message.replace(&f.resource, "\u{0}") }
    };
    for rule in rules {
        let mut sink = Findings::new(rule);
        (rule.check)(&cx, &mut sink);
        for mut f in sink.items {
            if let Some(&loc) = model.places.plan_places.get(&f.resource) {
                f.related(loc, format!("`{}` in the Terraform plan", f.resource), None);
            }
            // A finding's primary span lies in its resource's template.
            if let Some(&loc) = model.places.app_sources.get(&(f.loc.file, f.resource.clone())) {
                let name = f.construct_path.as_deref().map_or(f.resource.as_str(), construct_name);
                f.related(loc, format!("`{name}` is created here in the CDK app"), None);
            }
            let here = at.entry((f.rule.code, f.loc)).or_default();
            let says = said(&f);
            let same = here
                .iter()
                .find(|(i, said)| all[*i].resource == f.resource || *said == says)
                .map(|(i, _)| *i);
            match same {
                Some(i) => {
                    if all[i].fix != f.fix {
                        // Two causes at one place that a single fix may not cure both of.
                        let title = all[i].fix.as_ref().or(f.fix.as_ref()).map(|x| x.title.clone());
                        all[i].fix = title.map(|t| {
                            crate::fix::Fix::uncertain(
                                t,
                                "several roles or condition branches meet at this place and need different fixes (roles of two pools sharing one trust, say)",
                            )
                        });
                    }
                    for r in f.related {
                        if !all[i].related.contains(&r) {
                            all[i].related.push(r);
                        }
                    }
                }
                None => {
                    here.push((all.len(), says));
                    all.push(f);
                }
            }
        }
    }
    all
}

/// A construct path as the app names it: without the `Resource`/`Default` child that L2
/// constructs give their CloudFormation resource.
fn construct_name(path: &str) -> &str {
    path.strip_suffix("/Resource").or_else(|| path.strip_suffix("/Default")).unwrap_or(path)
}
