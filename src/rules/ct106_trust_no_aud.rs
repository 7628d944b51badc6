use super::facts::misspelled;
use super::{Context, Findings, declare_rule};
use crate::fix::{Fix, Value};
use crate::iam::request::{KeyKind, key_kind};
use crate::model::Dialect;
use crate::model::UNKNOWN_KEY;

declare_rule! {
    /// ## What it does
    /// Finds statements trusting `cognito-identity.amazonaws.com` that have conditions but none
    /// on `cognito-identity.amazonaws.com:aud`.
    ///
    /// ## Why is this bad?
    /// `aud` is the identity pool ID. Without it, the role can be obtained through any identity
    /// pool that names it, including pools in other accounts using the basic flow. The STS
    /// documentation says such a policy "creates a risk that a user from an unintended identity
    /// pool can assume the role"; cross-account requests without it fail.
    ///
    /// ## Example
    /// ```yaml
    ///           Condition:
    ///             "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": authenticated}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    ///           Condition:
    ///             StringEquals: {"cognito-identity.amazonaws.com:aud": !Ref IdentityPool}
    ///             "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": authenticated}
    /// ```
    ///
    /// ## References
    /// - [AssumeRoleWithWebIdentity](https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html)
    /// - [Security best practices for identity pools](https://docs.aws.amazon.com/cognito/latest/developerguide/identity-pools-security-best-practices.html)
    code: "CT106", name: "trust-no-aud", severity: Error,
    summary: "no `cognito-identity.amazonaws.com:aud` condition: any identity pool can obtain the role",
    fix: "adds the `aud` condition on the one pool that hands the role out, with the template's own reference to it",
    check: check,
}

fn check(cx: &Context, out: &mut Findings) {
    let model = cx.model;
    for tr in &cx.trusted {
        for st in tr.cognito_allows() {
            let has_aud =
                st.conditions.iter().any(|c| key_kind(&c.key) == KeyKind::Aud || c.key == UNKNOWN_KEY);
            let Some(at) = st.condition_loc else { continue };
            if has_aud || st.conditions.is_empty() || misspelled(st, "aud") {
                continue;
            }
            let f = out.add(
                at,
                &tr.role.resource,
                format!(
                    "role `{}` trusts every identity pool: its trust policy has no cognito-identity.amazonaws.com:aud condition",
                    tr.role.resource.name
                ),
            );
            let say = Dialect::of_policy(model, tr.policy);
            f.label("no `aud` condition here").help(format!("add {}", say.aud(&tr.pool_id_text())));
            let title = "add the `aud` condition".to_string();
            f.fix(match super::fixes::the_pool(model, tr) {
                Ok(pool) => super::fixes::add_condition(
                    say,
                    st,
                    title,
                    "StringEquals",
                    "cognito-identity.amazonaws.com:aud",
                    Value::Expr(pool.id_text.clone()),
                ),
                Err(why) => Fix::uncertain(title, why),
            });
            tr.relate_uses(f);
        }
    }
}
