use super::facts::misspelled;
use super::{Context, Findings, declare_rule};
use crate::fix::{Fix, Value};
use crate::iam::request::{KeyKind, key_kind};
use crate::model::Dialect;
use crate::model::UNKNOWN_KEY;
use crate::model::{PoolProps, SlotKind};

declare_rule! {
    /// ## What it does
    /// Finds the authenticated roles (and role-mapping roles) of pools that allow guests whose
    /// trust has no `cognito-identity.amazonaws.com:amr` condition.
    ///
    /// ## Why is this bad?
    /// Without `amr`, a guest identity of the same pool satisfies the trust too: through the
    /// basic (classic) flow it can call `GetOpenIdToken` and then `AssumeRoleWithWebIdentity`
    /// on the authenticated role, getting signed-in permissions without signing in. AWS
    /// recommends both `aud` and `amr` on every role that trusts identity pools.
    ///
    /// ## Example
    /// ```yaml
    ///           Condition:
    ///             StringEquals: {"cognito-identity.amazonaws.com:aud": !Ref IdentityPool}
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
    /// - [Security best practices for identity pools](https://docs.aws.amazon.com/cognito/latest/developerguide/identity-pools-security-best-practices.html)
    /// - [Identity pools authentication flow](https://docs.aws.amazon.com/cognito/latest/developerguide/authentication-flow.html)
    code: "CT110", name: "trust-no-amr", severity: Warning,
    summary: "no `amr` condition on an authenticated role of a pool that allows guests",
    fix: "adds an `amr` condition admitting `authenticated` when only signed-in users are handed the role",
    check: check,
}

fn check(cx: &Context, out: &mut Findings) {
    let model = cx.model;
    for pr in cx.pool_roles() {
        let guests: Vec<&PoolProps> =
            pr.pool_props.iter().copied().filter(|p| p.allow_guests == Some(true)).collect();
        if guests.is_empty() || !pr.slot.kind.is_authenticated() {
            continue;
        }
        for st in pr.cognito_allows() {
            let has_amr =
                st.conditions.iter().any(|c| key_kind(&c.key) == KeyKind::Amr || c.key == UNKNOWN_KEY);
            let Some(at) = st.condition_loc else { continue };
            if has_amr || misspelled(st, "amr") {
                continue;
            }
            let f = out.add(
                at,
                &pr.role.resource,
                format!(
                    "role `{}` is {}, which allows guests, but its trust has no `amr` condition: guest identities could obtain it",
                    pr.role.resource.name,
                    pr.role_of_pool()
                ),
            );
            let say = Dialect::of_policy(model, pr.policy);
            f.label("no `amr` condition here").help(format!("add {}", say.amr("authenticated")));
            let title = "add the `amr` condition".to_string();
            f.fix(if cx.serves_only(pr.policy, SlotKind::Authenticated) {
                super::fixes::add_condition(
                    say,
                    st,
                    title,
                    "ForAnyValue:StringLike",
                    "cognito-identity.amazonaws.com:amr",
                    Value::Lit("authenticated".into()),
                )
            } else {
                Fix::uncertain(
                    title,
                    "guests are handed a role with this trust too: give them a role and trust of their own",
                )
            });
            pr.relate_slot(f);
            for loc in guests.iter().filter_map(|p| p.allow_guests_loc) {
                f.related(loc, "guests are allowed here", pr.pool.map(|p| &p.resource));
            }
        }
    }
}
