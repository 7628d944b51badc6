use super::{Context, Findings, declare_rule};
use crate::iam::cognito_entries;
use crate::model::Dialect;

declare_rule! {
    /// ## What it does
    /// Finds statements that trust `cognito-identity.amazonaws.com` without any `Condition`.
    ///
    /// ## Why is this bad?
    /// Since 2024 IAM refuses to create or update such a role: the deploy fails with
    /// `MalformedPolicyDocument: A condition block must be present for the Cognito provider`.
    /// Roles created before that still work and can be assumed through any identity pool, in
    /// any account, that asks for them.
    ///
    /// ## Example
    /// ```yaml
    ///         - Effect: Allow
    ///           Principal: {Federated: cognito-identity.amazonaws.com}
    ///           Action: sts:AssumeRoleWithWebIdentity
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
    /// - aws-amplify/amplify-cli#13689, c6fc/npk#98
    code: "CT105", name: "trust-no-condition", severity: Error,
    summary: "the Cognito statement has no Condition: IAM refuses it, and any pool could assume the role",
    check: check,
}

fn check(cx: &Context, out: &mut Findings) {
    let model = cx.model;
    for tr in &cx.trusted {
        for st in tr.cognito_allows().filter(|s| s.conditions.is_empty()) {
            let at = cognito_entries(st).next().map(|e| e.loc).unwrap_or(st.loc);
            let f = out.add(
                at,
                &tr.role.resource,
                format!(
                    "role `{}` trusts `cognito-identity.amazonaws.com` without conditions: IAM refuses it (\"A condition block must be present for the Cognito provider\"), and any identity pool could assume it",
                    tr.role.resource.name
                ),
            );
            let say = Dialect::of_policy(model, tr.policy);
            f.label("trusted without conditions").help(format!(
                "add the conditions {} and {} (`unauthenticated` for a guest role)",
                say.aud(&tr.pool_id_text()),
                say.amr("authenticated")
            ));
            tr.relate_uses(f);
        }
    }
}
