use super::{Context, Findings, declare_rule};
use crate::link::user_pool_of;
use crate::model::Dialect;

declare_rule! {
    /// ## What it does
    /// Finds role-mapping rules whose `Claim` names a custom attribute of the user pool's
    /// `Schema` without the `custom:` prefix.
    ///
    /// ## Why is this bad?
    /// In tokens, custom attributes appear as `custom:<name>`. A rule on `team` never matches the
    /// claim `custom:team`, so the rule's role is never handed out and users fall back to the
    /// ambiguous-role resolution (the default role, or a denial).
    ///
    /// ## Example
    /// ```yaml
    ///               - {Claim: team, MatchType: Equals, Value: admins, RoleARN: !GetAtt AdminRole.Arn}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    ///               - {Claim: "custom:team", MatchType: Equals, Value: admins, RoleARN: !GetAtt AdminRole.Arn}
    /// ```
    ///
    /// ## References
    /// - [User pool attributes: custom attributes](https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-attributes.html)
    code: "CT305", name: "mapping-custom-claim-prefix", severity: Warning,
    summary: "a rule names a custom attribute without the `custom:` prefix",
    check: check,
}

fn check(cx: &Context, out: &mut Findings) {
    let model = cx.model;
    for att in &model.attachments {
        for variant in &att.variants {
            for m in variant.value.mappings.iter().filter(|m| m.kind_is("Rules")) {
                let Some((file, pool)) = user_pool_of(&m.provider.value) else { continue };
                let Some(up) =
                    model.user_pools.iter().find(|u| u.resource.file == file && u.resource.name == pool)
                else {
                    continue;
                };
                for rule in &m.rules {
                    let Some(claim) = &rule.claim else { continue };
                    let Some(name) = claim.value.as_lit() else { continue };
                    let Some((_, loc)) = up.custom_attributes.iter().find(|(a, _)| a == name) else {
                        continue;
                    };
                    let f = out.add(
                        claim.loc,
                        &att.resource,
                        format!(
                            "role mapping `{}` keys on `{name}`, a custom attribute of `{}`: tokens carry it as `custom:{name}`, so the rule never matches",
                            m.key, up.resource.name
                        ),
                    );
                    let say = Dialect::of_file(model, att.resource.file);
                    f.label("missing the custom: prefix")
                        .help(format!("write {}", say.property("Claim", &format!("\"custom:{name}\""))));
                    f.related(*loc, format!("custom attribute `{name}` is defined here"), Some(&up.resource));
                }
            }
        }
    }
}
