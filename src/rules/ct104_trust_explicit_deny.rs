use super::{Findings, PoolRole, declare_rule};
use crate::iam::{WEB_IDENTITY, admits, allows_action, trusts_cognito};
use crate::model::{Effect, Model, Tri};

declare_rule! {
    /// ## What it does
    /// Finds `Deny` statements in a pool role's trust that match the request Cognito makes for
    /// that pool and slot.
    ///
    /// ## Why is this bad?
    /// An explicit deny wins over every allow: STS refuses `AssumeRoleWithWebIdentity` and
    /// users get `InvalidIdentityPoolConfigurationException: Invalid identity pool
    /// configuration. Check assigned IAM roles for this pool.`
    ///
    /// ## Example
    /// ```yaml
    ///         - Effect: Deny
    ///           Principal: {Federated: cognito-identity.amazonaws.com}
    ///           Action: sts:AssumeRoleWithWebIdentity
    /// ```
    ///
    /// ## Use instead
    /// Remove the Deny statement, or narrow it with conditions that do not match the pool's
    /// own users.
    ///
    /// ## References
    /// - [Policy evaluation logic](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html)
    /// - aws-amplify/amplify-js#6195 (a Deny-only trust left in place)
    code: "CT104", name: "trust-explicit-deny", severity: Error,
    summary: "a Deny statement matches the Cognito request",
    check: check,
}

fn check(model: &Model, out: &mut Findings) {
    for pr in PoolRole::all(model) {
        let request = pr.request();
        for st in pr.policy.statements.iter().filter(|s| s.effect == Effect::Deny) {
            let principal = trusts_cognito(st) || st.principal.as_ref().is_some_and(|p| p.wildcard);
            if !principal || allows_action(st, WEB_IDENTITY) != Tri::Yes || admits(st, &request) != Tri::Yes {
                continue;
            }
            let f = out.add(
                st.effect_loc.unwrap_or(st.loc),
                &pr.role.resource,
                format!(
                    "role `{}` is {} but a Deny statement of its trust matches every request the pool makes",
                    pr.role.resource.name,
                    pr.role_of_pool()
                ),
            );
            f.label("this Deny overrides every Allow for the pool's users")
                .help("remove the Deny statement, or give it conditions that do not match this pool's users; until then users get InvalidIdentityPoolConfigurationException");
            pr.relate_slot(f);
        }
    }
}
