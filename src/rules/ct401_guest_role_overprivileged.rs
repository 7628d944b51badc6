use super::{Context, Findings, declare_rule};
use crate::iam::BROAD_ACTIONS;
use crate::model::Dialect;
use crate::model::{Effect, SlotKind, Sym};

declare_rule! {
    /// ## What it does
    /// Finds unauthenticated (guest) roles that allow `*`, `iam:*` or `sts:*` (or use
    /// `NotAction`), or carry an AWS managed administrator policy (`AdministratorAccess`,
    /// `PowerUserAccess`, `IAMFullAccess`), through inline policies, `ManagedPolicyArns`, or
    /// `AWS::IAM::Policy`/`ManagedPolicy` resources attached to them.
    ///
    /// ## Why is this bad?
    /// Anyone who knows the identity pool ID (it ships inside every app) can get guest
    /// credentials with `GetId` and `GetCredentialsForIdentity`. A broad guest role hands your
    /// account to the internet; the enhanced flow's scope-down policy is the only cap, and the
    /// basic flow has none.
    ///
    /// ## Example
    /// ```yaml
    ///       ManagedPolicyArns: [arn:aws:iam::aws:policy/AdministratorAccess]
    /// ```
    ///
    /// ## Use instead
    /// Grant guests only the actions and resources they need, scoped with
    /// `${cognito-identity.amazonaws.com:sub}` where possible.
    ///
    /// ## References
    /// - [IAM roles for identity pools: access policies](https://docs.aws.amazon.com/cognito/latest/developerguide/iam-roles.html)
    /// - [Security best practices for identity pools](https://docs.aws.amazon.com/cognito/latest/developerguide/identity-pools-security-best-practices.html)
    code: "CT401", name: "guest-role-overprivileged", severity: Warning,
    summary: "the unauthenticated role allows `*`, `iam:*`, `sts:*` or an admin managed policy",
    check: check,
}

const ADMIN_POLICIES: &[&str] =
    &[":policy/AdministratorAccess", ":policy/PowerUserAccess", ":policy/IAMFullAccess"];

fn admin_policy(value: &Sym) -> bool {
    let tail = match value {
        Sym::Lit(s) => Some(s.as_str()),
        Sym::Concat(parts) => parts.last().and_then(Sym::as_lit),
        _ => None,
    };
    tail.is_some_and(|t| ADMIN_POLICIES.iter().any(|p| t.ends_with(p)))
}

fn check(cx: &Context, out: &mut Findings) {
    let model = cx.model;
    for pr in cx.pool_roles().filter(|pr| pr.slot.kind == SlotKind::Unauthenticated) {
        let role = pr.role;
        let mut broad = Vec::new();
        for st in role.permissions.iter().flat_map(|p| &p.statements).filter(|s| s.effect == Effect::Allow) {
            if st.not_action {
                broad.extend(
                    st.action_loc
                        .map(|l| (l, "allows every action but those its NotAction lists".to_string())),
                );
                continue;
            }
            for a in &st.actions {
                if let Some(s) =
                    a.value.as_lit().filter(|s| BROAD_ACTIONS.iter().any(|b| b.eq_ignore_ascii_case(s)))
                {
                    broad.push((a.loc, format!("allows `{s}`")));
                }
            }
        }
        for arn in role.managed_policies.iter().filter(|a| admin_policy(&a.value)) {
            broad.push((arn.loc, format!("carries the managed policy {}", arn.value.describe())));
        }
        for (at, what) in broad {
            let f = out.add(
                at,
                &role.resource,
                format!(
                    "role `{}` is {} and {what}: anyone who knows the pool ID gets these permissions",
                    role.resource.name,
                    pr.role_of_pool()
                ),
            );
            let say = Dialect::of_file(model, role.resource.file);
            f.label("too broad for guests").help(format!(
                "grant guests only the actions and resources they need, scoped to {} where possible",
                say.policy_variable("cognito-identity.amazonaws.com:sub")
            ));
            pr.relate_slot(f);
        }
    }
}
