use super::facts::rewritten_at_deploy;
use super::{Context, Findings, PoolRole, declare_rule};
use crate::iam::request::{KeyKind, key_kind_in};
use crate::iam::{WEB_IDENTITY, admits, allows_action, trusts_cognito};
use crate::model::{Effect, Tri};
use crate::rules::Severity;

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
    /// A Deny meant for other tokens can match all of them through a condition key Cognito
    /// never sends (anything in its namespace but `aud`, `amr` and `sub`): IAM treats a missing
    /// key as matching a negated operator (`StringNotEquals`), any `…IfExists`,
    /// `ForAllValues:` and `Null: true`.
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
    /// Generated mobile backends (Amplify Gen 1 root stacks) deploy their roles with a Deny-only
    /// trust on purpose and rewrite it at deploy time from a custom resource whose function may
    /// `iam:UpdateAssumeRolePolicy` on the roles. cognitrust recognises that pair and reports a
    /// note instead: the trust that will be in force is not in the template, so check that the
    /// custom resource runs (aws-amplify/amplify-js#6195 is what happens when it does not).
    ///
    /// ## References
    /// - [Policy evaluation logic](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html)
    /// - [Condition operators](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html) (a key not present in the request)
    /// - aws-amplify/amplify-js#6195 (a Deny-only trust left in place)
    code: "CT104", name: "trust-explicit-deny", severity: Error,
    summary: "a Deny statement matches the Cognito request",
    check: check,
}

fn check(cx: &Context, out: &mut Findings) {
    for pr in cx.pool_roles() {
        if rewritten_at_deploy(pr.role, pr.policy) {
            note_rewritten(pr, out);
            continue;
        }
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
            // A condition on a key the request never carries holds by IAM's rule for missing
            // keys, which is rarely what its author meant: show where.
            for c in st.conditions.iter().filter(|c| key_kind_in(st, &c.key) == KeyKind::Absent) {
                f.related(
                    c.key_loc,
                    format!("Cognito never sends this key, so `{}` on it always holds", c.operator),
                    None,
                );
            }
        }
    }
}

/// The Deny-only trust of a generated backend: say what will be in force instead of an error.
fn note_rewritten(pr: &PoolRole, out: &mut Findings) {
    let Some(by) = &pr.role.rewritten_by else { return };
    let at = pr.policy.statements.first().and_then(|s| s.effect_loc).unwrap_or(pr.policy.loc);
    let f = out.add(
        at,
        &pr.role.resource,
        format!(
            "role `{}` is {} and its trust is Deny-only as written: `{}` rewrites it at deploy time, so the trust in force was not checked",
            pr.role.resource.name,
            pr.role_of_pool(),
            by.name
        ),
    );
    f.severity(Severity::Note)
        .label("replaced at deploy time")
        .help("make sure the custom resource runs on every deploy; if it does not, users get InvalidIdentityPoolConfigurationException");
    f.related(by.loc, "rewrites the trust with iam:UpdateAssumeRolePolicy", Some(by));
    pr.relate_slot(f);
}
