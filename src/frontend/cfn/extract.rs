//! Builds the model's pools, attachments and roles from indexed templates, one variant per
//! consistent choice of `Fn::If` branches.

use super::Template;
use super::eval::{Ctx, Scope};
use crate::iam::read_policy;
use crate::model::{
    Assign, Attachment, AttachmentProps, Item, Mapping, Model, Pool, PoolProps, ResourceRef, Role, Slot,
    SlotKind, Sym, Variant,
};
use crate::source::Loc;
use crate::syntax::Node;

/// Adds the CloudFormation resources of every template to `model`.
pub fn extract(templates: &[Template], model: &mut Model) {
    let ctx = Ctx::new(templates);
    for (i, tpl) in templates.iter().enumerate() {
        let scope = ctx.scope(i);
        for res in &tpl.resources {
            let resource = ResourceRef {
                file: tpl.file,
                name: res.logical_id.clone(),
                loc: res.id_loc,
                construct_path: res.cdk_path.clone(),
            };
            let variants = variants(&scope, res.properties.as_ref(), res.condition.as_deref());
            match res.type_.as_str() {
                "AWS::Cognito::IdentityPool" => model.pools.push(Pool {
                    id_text: tpl.ref_text(&res.logical_id),
                    id: Sym::Attr { file: tpl.file, resource: res.logical_id.clone(), attr: "Id".into() },
                    resource,
                    variants: map_variants(variants, |p| pool_props(&scope, p)),
                }),
                "AWS::Cognito::IdentityPoolRoleAttachment" => model.attachments.push(Attachment {
                    resource,
                    variants: map_variants(variants, |p| attachment_props(&scope, p)),
                }),
                "AWS::IAM::Role" => {
                    let arn_text = tpl.get_att_text(&res.logical_id, "Arn");
                    model.roles.push(role(&scope, resource, arn_text, res.properties.as_ref(), variants))
                }
                _ => {}
            }
        }
    }
}

/// The concrete shapes of a resource's properties (`None`: no properties).
fn variants(scope: &Scope, props: Option<&Node>, condition: Option<&str>) -> Vec<(Assign, Option<Node>)> {
    let mut out = Vec::new();
    for base in scope.exists(condition) {
        match props {
            Some(p) => out.extend(scope.expand(p, &base)),
            None => out.push((base, None)),
        }
    }
    out
}

fn map_variants<T>(variants: Vec<(Assign, Option<Node>)>, f: impl Fn(Option<&Node>) -> T) -> Vec<Variant<T>> {
    variants.into_iter().map(|(assign, node)| Variant { value: f(node.as_ref()), assign }).collect()
}

fn loc_of(scope: &Scope, node: &Node) -> Loc {
    Loc::new(file_of(scope), node.span)
}

fn file_of(scope: &Scope) -> usize {
    scope.file()
}

fn pool_props(scope: &Scope, props: Option<&Node>) -> PoolProps {
    let Some(props) = props else { return PoolProps::default() };
    let guests = props.get("AllowUnauthenticatedIdentities");
    let classic = props.get("AllowClassicFlow");
    let mut providers = Vec::new();
    for key in [
        "CognitoIdentityProviders",
        "SupportedLoginProviders",
        "OpenIdConnectProviderARNs",
        "SamlProviderARNs",
        "DeveloperProviderName",
    ] {
        if let Some(e) = props.entry(key) {
            let empty = match &e.value.value {
                crate::syntax::Value::Seq(v) => v.is_empty(),
                crate::syntax::Value::Map(m) => m.is_empty(),
                crate::syntax::Value::Null => true,
                _ => false,
            };
            if !empty {
                providers.push(Loc::new(file_of(scope), e.key_span));
            }
        }
    }
    PoolProps {
        allow_guests: match guests {
            Some(n) => scope.bool_of(n),
            None => Some(false),
        },
        allow_guests_loc: guests.map(|n| loc_of(scope, n)),
        allow_classic_flow: classic.and_then(|n| scope.bool_of(n)),
        allow_classic_flow_loc: classic.map(|n| loc_of(scope, n)),
        providers,
    }
}

fn item(scope: &Scope, node: &Node) -> Item {
    Item { value: scope.eval(node), loc: loc_of(scope, node) }
}

fn attachment_props(scope: &Scope, props: Option<&Node>) -> AttachmentProps {
    let file = file_of(scope);
    let mut out = AttachmentProps { pool: None, roles_loc: None, slots: Vec::new(), mappings: Vec::new() };
    let Some(props) = props else { return out };
    out.pool = props.get("IdentityPoolId").map(|n| item(scope, n));
    if let Some(roles) = props.entry("Roles") {
        out.roles_loc = Some(Loc::new(file, roles.key_span));
        for e in roles.value.as_map().unwrap_or(&[]) {
            let kind = match e.key.as_str() {
                "authenticated" => SlotKind::Authenticated,
                "unauthenticated" => SlotKind::Unauthenticated,
                _ => continue,
            };
            out.slots.push(Slot {
                kind,
                key: e.key.clone(),
                key_loc: Loc::new(file, e.key_span),
                role: item(scope, &e.value),
            });
        }
    }
    for e in props.get("RoleMappings").and_then(Node::as_map).unwrap_or(&[]) {
        let kind = e.value.get("Type");
        out.mappings.push(Mapping {
            key: e.key.clone(),
            key_loc: Loc::new(file, e.key_span),
            kind: kind.map(|k| item(scope, k)),
        });
        let rules = e.value.get("RulesConfiguration").and_then(|r| r.get("Rules")).and_then(Node::as_seq);
        for rule in rules.unwrap_or(&[]) {
            if let Some(arn) = rule.entry("RoleARN") {
                out.slots.push(Slot {
                    kind: SlotKind::Rule,
                    key: e.key.clone(),
                    key_loc: Loc::new(file, arn.key_span),
                    role: item(scope, &arn.value),
                });
            }
        }
    }
    out
}

fn role(
    scope: &Scope,
    resource: ResourceRef,
    arn_text: String,
    props: Option<&Node>,
    variants: Vec<(Assign, Option<Node>)>,
) -> Role {
    let file = file_of(scope);
    let eval = |n: &Node| scope.eval(n);
    Role {
        resource,
        arn_text,
        name: props.and_then(|p| p.get("RoleName")).map(|n| scope.eval(n)),
        path: props.and_then(|p| p.get("Path")).and_then(Node::as_str).map(String::from),
        trust: variants
            .into_iter()
            .map(|(assign, node)| Variant {
                value: node
                    .as_ref()
                    .and_then(|p| p.get("AssumeRolePolicyDocument"))
                    .and_then(|d| read_policy(file, d, &eval)),
                assign,
            })
            .collect(),
    }
}
