use super::{Context, Findings, declare_rule};
use crate::link::user_pool_of;
use crate::model::Dialect;

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

fn check(cx: &Context, out: &mut Findings) {
    let model = cx.model;
    let mut tokens = Vec::new();
    // Attachments with a Token mapping whose user pool cannot be read, or with mappings a
    // custom resource computes: one of them could be what uses a group of its own project.
    let mut unknown = Vec::new();
    for a in &model.attachments {
        for v in &a.variants {
            if v.value.opaque_mappings {
                unknown.push(a.resource.file);
            }
            for m in v.value.mappings.iter().filter(|m| m.kind_is("Token")) {
                match user_pool_of(&m.provider.value) {
                    Some(pool) => tokens.push(pool),
                    None => unknown.push(a.resource.file),
                }
            }
        }
    }
    for group in &model.groups {
        let (Some(role), Some(pool)) = (group.known_role(), group.user_pool.as_ref().and_then(user_pool_of))
        else {
            continue;
        };
        if tokens.contains(&pool) || unknown.iter().any(|&file| model.same_project(file, group.resource.file))
        {
            continue;
        }
        let f = out.add(
            role.loc,
            &group.resource,
            format!(
                "group `{}` has a role, but no role attachment maps `{}` with a `Token` role mapping, so the role is never handed out",
                group.resource.name, pool.1
            ),
        );
        let attachment = match model.attachments.as_slice() {
            [only] => format!("`{}`", only.resource.name),
            _ => "the identity pool's role attachment".to_string(),
        };
        let say = Dialect::of_file(model, group.resource.file);
        f.label("unused group role").help(format!(
            "add {} and {} for the provider of user pool `{}` to {attachment}",
            say.role_mapping("Token"),
            say.name("AmbiguousRoleResolution"),
            pool.1
        ));
    }
}
