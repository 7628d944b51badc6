use super::{Findings, declare_rule};
use crate::link::user_pool_of;
use crate::model::Model;

declare_rule! {
    /// ## What it does
    /// Notes user pool groups with a `RoleArn` when no attachment has a `Token` role mapping for
    /// their user pool.
    ///
    /// ## Why is this bad?
    /// Group roles reach users only through "Choose role from token" (`Type: Token`). Without
    /// it, the pool hands out its default authenticated role and the group's role is silently
    /// ignored: the permissions you meant for the group never apply.
    ///
    /// ## Example
    /// ```yaml
    ///   AdminsGroup:
    ///     Type: AWS::Cognito::UserPoolGroup
    ///     Properties:
    ///       UserPoolId: !Ref UserPool
    ///       RoleArn: !GetAtt AdminRole.Arn
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    ///       RoleMappings:
    ///         users:
    ///           IdentityProvider: !Sub "${UserPool.ProviderName}:${UserPoolClient}"
    ///           Type: Token
    ///           AmbiguousRoleResolution: AuthenticatedRole
    /// ```
    ///
    /// ## References
    /// - [Adding groups to a user pool](https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-user-groups.html)
    code: "CT306", name: "group-role-unused", severity: Note,
    summary: "a user pool group has a role but no Token mapping uses it",
    check: check,
}

fn check(model: &Model, out: &mut Findings) {
    let tokens: Vec<_> = model
        .attachments
        .iter()
        .flat_map(|a| &a.variants)
        .flat_map(|v| &v.value.mappings)
        .filter(|m| m.kind_is("Token"))
        .map(|m| user_pool_of(&m.provider.value))
        .collect();
    // A Token mapping whose user pool cannot be read, or mappings computed by a custom
    // resource, could be the one that uses the group.
    let opaque = model.attachments.iter().flat_map(|a| &a.variants).any(|v| v.value.opaque_mappings);
    if opaque || tokens.iter().any(Option::is_none) {
        return;
    }
    for group in &model.groups {
        let (Some(role), Some(pool)) = (&group.role, group.user_pool.as_ref().and_then(user_pool_of)) else {
            continue;
        };
        if tokens.contains(&Some(pool)) {
            continue;
        }
        let f = out.add(
            role.loc,
            &group.resource,
            format!(
                "group `{}` has a role, but no role attachment maps `{}` with Type: Token, so the role is never handed out",
                group.resource.name, pool.1
            ),
        );
        let attachment = match model.attachments.as_slice() {
            [only] => format!("`{}`", only.resource.name),
            _ => "the identity pool's role attachment".to_string(),
        };
        f.label("unused group role").help(format!(
            "add a RoleMappings entry with Type: Token and AmbiguousRoleResolution for the provider of user pool `{}` to {attachment}",
            pool.1
        ));
    }
}
