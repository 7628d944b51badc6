use super::{Context, Findings, declare_rule};
use crate::model::Dialect;
use crate::model::{Effect, Sym};

declare_rule! {
    /// ## What it does
    /// Finds `Principal: "*"` or `Principal: {AWS: "*"}` in an Allow statement of a role that an
    /// identity pool hands out or that trusts the Cognito principal.
    ///
    /// ## Why is this bad?
    /// A wildcard principal lets any AWS principal, in any account, assume the role, whatever
    /// the Cognito statements say. It is a common "fix" added while chasing
    /// `InvalidIdentityPoolConfigurationException`, and it turns the role into a public one.
    ///
    /// ## Example
    /// ```yaml
    ///         - Effect: Allow
    ///           Principal: {AWS: "*"}
    ///           Action: sts:AssumeRole
    /// ```
    ///
    /// ## Use instead
    /// Remove the statement; keep only the `Federated: cognito-identity.amazonaws.com`
    /// statement with `aud` and `amr` conditions.
    ///
    /// ## References
    /// - [IAM JSON policy elements: Principal](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html)
    code: "CT114", name: "trust-wildcard-principal", severity: Error,
    summary: "`Principal: \"*\"` or `AWS: \"*\"` on a pool role",
    check: check,
}

fn check(cx: &Context, out: &mut Findings) {
    let model = cx.model;
    for tr in &cx.trusted {
        for st in tr.policy.statements.iter().filter(|s| s.effect == Effect::Allow) {
            let Some(p) = &st.principal else { continue };
            let at = if p.wildcard {
                Some(p.loc)
            } else {
                p.entries.iter().find(|e| e.kind == "AWS" && e.value == Sym::lit("*")).map(|e| e.loc)
            };
            let Some(at) = at else { continue };
            let f = out.add(
                at,
                &tr.role.resource,
                format!(
                    "role `{}` trusts every AWS principal: its trust policy allows `*`",
                    tr.role.resource.name
                ),
            );
            let say = Dialect::of_policy(model, tr.policy);
            let help = if p.wildcard {
                format!("trust only {}, and keep the aud and amr conditions", say.principal())
            } else {
                format!(
                    "remove the `AWS` principal `*`; identity pools need only {} with aud and amr conditions",
                    say.principal()
                )
            };
            f.label("any principal in any account").help(help);
            tr.relate_uses(f);
        }
    }
}
