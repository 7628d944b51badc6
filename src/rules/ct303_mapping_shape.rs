use super::{Context, Findings, declare_rule};
use crate::model::Dialect;

/// The documented limit of rules per identity provider.
const MAX_RULES: usize = 25;

declare_rule! {
    /// ## What it does
    /// Checks the shape of role mappings: `Type: Rules` needs `RulesConfiguration.Rules`, `Type:
    /// Token` must not have rules, and a provider can have at most 25 rules.
    ///
    /// ## Why is this bad?
    /// The API refuses these mappings and the deploy fails (Terraform: "mapping_rule is required
    /// for Rules", "mapping_rule must not be set for Token based role mapping").
    ///
    /// ## Example
    /// ```yaml
    ///           Type: Rules
    ///           AmbiguousRoleResolution: Deny
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    ///           Type: Rules
    ///           AmbiguousRoleResolution: Deny
    ///           RulesConfiguration:
    ///             Rules:
    ///               - {Claim: "custom:team", MatchType: Equals, Value: admins, RoleARN: !GetAtt AdminRole.Arn}
    /// ```
    ///
    /// ## References
    /// - [Role-based access control](https://docs.aws.amazon.com/cognito/latest/developerguide/role-based-access-control.html)
    code: "CT303", name: "mapping-shape", severity: Error,
    summary: "Rules without rules, Token with rules, more than 25 rules",
    check: check,
}

fn check(cx: &Context, out: &mut Findings) {
    let model = cx.model;
    for att in &model.attachments {
        for variant in &att.variants {
            for m in &variant.value.mappings {
                let at_kind = m.kind.as_ref().map_or(m.key_loc, |k| k.loc);
                let say = Dialect::of_file(model, att.resource.file);
                let (rules, token) = (say.mapping_rules(), say.property("Type", &say.value("Token")));
                let (at, why, help) = if m.kind_is("Rules") && m.rules.is_empty() {
                    (
                        at_kind,
                        "a Rules mapping without rules".to_string(),
                        format!("add {rules}, or use {token}"),
                    )
                } else if m.kind_is("Token") && m.rules_loc.is_some() {
                    (
                        m.rules_loc.unwrap_or(at_kind),
                        format!("a Token mapping with {rules}"),
                        format!(
                            "remove {}, or use {}",
                            if say.terraform() {
                                "the `mapping_rule` blocks"
                            } else {
                                "`RulesConfiguration`"
                            },
                            say.property("Type", &say.value("Rules"))
                        ),
                    )
                } else if m.rules.len() > MAX_RULES {
                    (
                        m.rules_loc.unwrap_or(at_kind),
                        format!(
                            "given {} rules, more than the {MAX_RULES} allowed per provider",
                            m.rules.len()
                        ),
                        "merge rules, or map users with Token and user pool groups".to_string(),
                    )
                } else {
                    continue;
                };
                let f = out.add(
                    at,
                    &att.resource,
                    format!("role mapping `{}` of `{}` is {why}: the deploy fails", m.key, att.resource.name),
                );
                f.label("malformed role mapping").help(help);
            }
        }
    }
}
