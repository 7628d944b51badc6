use super::{Context, Findings, declare_rule};
use crate::iam::is_cognito_principal;
use crate::model::Dialect;
use crate::model::UNKNOWN_KEY;
use crate::model::{Effect, Tri};

declare_rule! {
    /// ## What it does
    /// Checks that every role an identity pool hands out has an `Allow` statement whose
    /// principal is `Federated: cognito-identity.amazonaws.com` (the identity-pool principal of
    /// the partition).
    ///
    /// ## Why is this bad?
    /// Cognito obtains the role's credentials with `sts:AssumeRoleWithWebIdentity` as the
    /// identity-pool principal. A trust policy that never names it makes STS refuse, and every
    /// user of the pool gets `InvalidIdentityPoolConfigurationException: Invalid identity pool
    /// configuration. Check assigned IAM roles for this pool.` The template deploys fine.
    ///
    /// ## Example
    /// ```yaml
    /// AuthRole:
    ///   Type: AWS::IAM::Role
    ///   Properties:
    ///     AssumeRolePolicyDocument:
    ///       Statement:
    ///         - Effect: Allow
    ///           Principal: {Service: lambda.amazonaws.com}
    ///           Action: sts:AssumeRole
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    ///         - Effect: Allow
    ///           Principal: {Federated: cognito-identity.amazonaws.com}
    ///           Action: sts:AssumeRoleWithWebIdentity
    ///           Condition:
    ///             StringEquals: {"cognito-identity.amazonaws.com:aud": !Ref IdentityPool}
    ///             "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": authenticated}
    /// ```
    ///
    /// ## References
    /// - [Role trust and permissions](https://docs.aws.amazon.com/cognito/latest/developerguide/role-trust-and-permissions.html)
    /// - [GetCredentialsForIdentity errors](https://docs.aws.amazon.com/cognitoidentity/latest/APIReference/API_GetCredentialsForIdentity.html)
    code: "CT101", name: "trust-no-cognito-principal", severity: Error,
    summary: "no Allow statement of a pool role trusts `Federated: cognito-identity.amazonaws.com`",
    check: check,
}

fn check(cx: &Context, out: &mut Findings) {
    let model = cx.model;
    for pr in cx.pool_roles() {
        let statements = &pr.policy.statements;
        let trusts = statements.iter().any(|s| {
            s.effect != Effect::Deny
                && (s.principal.as_ref().is_some_and(|p| p.wildcard)
                    || s.principal.iter().flat_map(|p| &p.entries).any(|e| {
                        (e.kind == "Federated" || e.kind == UNKNOWN_KEY)
                            && is_cognito_principal(&e.value) != Tri::No
                    }))
        });
        if trusts
            || super::facts::near_miss(statements).is_some()
            || super::facts::rewritten_at_deploy(pr.role, pr.policy)
        {
            continue;
        }
        let at = statements
            .iter()
            .find(|s| s.effect == Effect::Allow)
            .and_then(|s| s.principal.as_ref().map(|p| p.loc))
            .or_else(|| statements.first().and_then(|s| s.effect_loc))
            .unwrap_or(pr.policy.loc);
        let role = &pr.role.resource.name;
        let f = out.add(
            at,
            &pr.role.resource,
            format!(
                "role `{role}` is {} but its trust policy never allows `Federated: cognito-identity.amazonaws.com`",
                pr.role_of_pool()
            ),
        );
        let say = Dialect::of_policy(model, pr.policy);
        f.label("no statement trusts the identity-pool principal").help(format!(
            "add an Allow statement with {}, {}, {} and {}; until then users get InvalidIdentityPoolConfigurationException",
            say.principal(),
            say.action(),
            say.aud(&pr.pool_id_text()),
            say.amr(pr.slot.kind.amr_value()),
        ));
        pr.relate_slot(f);
    }
}
