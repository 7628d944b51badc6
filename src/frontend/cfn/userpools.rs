//! User pools, their app clients and groups, and identity-pool principal tags.

use super::eval::Scope;
use crate::frontend::Resolve;
use crate::model::{Client, Group, Model, PrincipalTag, ResourceRef, STANDARD_ATTRIBUTES, UserPool};
use crate::syntax::Node;

/// Adds a user pool, client, group or principal tag resource to the model.
pub(crate) fn extract(
    scope: &Scope,
    type_: &str,
    resource: ResourceRef,
    props: Option<&Node>,
    model: &mut Model,
) {
    let get = |key: &str| props.and_then(|p| p.get(key));
    match type_ {
        "AWS::Cognito::UserPool" => model.user_pools.push(UserPool {
            resource,
            custom_attributes: get("Schema")
                .and_then(Node::as_seq)
                .unwrap_or(&[])
                .iter()
                .filter_map(|a| a.get("Name"))
                .filter_map(|n| Some((n.as_str()?.to_string(), scope.loc(n))))
                .filter(|(name, _)| !STANDARD_ATTRIBUTES.contains(&name.as_str()))
                .map(|(name, loc)| (name.strip_prefix("custom:").map(String::from).unwrap_or(name), loc))
                .collect(),
        }),
        "AWS::Cognito::UserPoolClient" => model.clients.push(Client {
            resource,
            user_pool: get("UserPoolId").map(|n| scope.eval(n)),
            write_attributes: get("WriteAttributes").map(|n| (scope.items(n), scope.loc(n))),
        }),
        "AWS::Cognito::UserPoolGroup" => model.groups.push(Group {
            resource,
            user_pool: get("UserPoolId").map(|n| scope.eval(n)),
            role: get("RoleArn").map(|n| scope.item(n)),
            role_key_loc: props.and_then(|p| p.entry("RoleArn")).map(|e| scope.at(e.key_span)),
        }),
        "AWS::Cognito::IdentityPoolPrincipalTag" => {
            let tags_set = get("PrincipalTags").and_then(Node::as_map).is_some_and(|m| !m.is_empty());
            let defaults = get("UseDefaults").and_then(|n| scope.bool_of(n)) == Some(true);
            model.principal_tags.push(PrincipalTag {
                resource,
                pool: get("IdentityPoolId").map(|n| scope.item(n)),
                provider: get("IdentityProviderName").map(|n| scope.item(n)),
                active: tags_set || defaults,
            });
        }
        _ => {}
    }
}
