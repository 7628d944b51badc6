//! Builds the model from indexed templates, one variant per consistent choice of `Fn::If`
//! branches: identity pools and attachments here, roles in [`super::roles`], user pools and
//! their clients, groups and principal tags in [`super::userpools`].

use crate::frontend::Resolve;
use rayon::prelude::*;

use super::eval::{Ctx, Scope};
use super::expand::Expansion;
use super::{Resource, Template};
use crate::model::{
    Assign, Attachment, AttachmentProps, Incomplete, Item, Mapping, MappingRule, Model, Pool, PoolProps,
    ProviderName, ResourceRef, Sym, Variant,
};
use crate::syntax::{Node, Value};

/// Adds the CloudFormation resources of every template to `model`.
pub(crate) fn extract(templates: &[Template], model: &mut Model) {
    let ctx = Ctx::new(templates);
    ctx.add_errors(templates.iter().flat_map(super::conditions::circular_conditions));
    // Given the context, each template's resources are independent: they are read in
    // parallel and appended in template order.
    let pieces: Vec<Model> = (0..templates.len()).into_par_iter().map(|i| template_model(&ctx, i)).collect();
    for piece in pieces {
        model.append(piece);
    }
    super::roles::attach_policies(&ctx, model);
    super::roles::find_trust_rewriters(&ctx, model);
    model.errors.extend(ctx.take_errors());
}

/// The resources of one template, before policies are attached to roles.
fn template_model(ctx: &Ctx, i: usize) -> Model {
    let mut model = Model::default();
    let tpl = &ctx.templates[i];
    let scope = ctx.scope(i);
    for res in &tpl.resources {
        add_suppressions(&mut model, &scope, tpl, res);
        add_resource(&mut model, &scope, tpl, res);
    }
    model
}

/// The `Metadata.cognitrust.ignore` entries of a resource, as suppressions.
fn add_suppressions(model: &mut Model, scope: &Scope, tpl: &Template, res: &Resource) {
    for (rule, reason) in &res.ignores {
        model.places.resource_suppressions.push(crate::model::ResourceSuppression {
            file: tpl.file,
            resource: res.logical_id.clone(),
            rule: scope.item(rule),
            reason: reason.clone(),
        });
    }
}

/// What the model reads of one resource, in as many variants as its `Fn::If`s make.
fn add_resource(model: &mut Model, scope: &Scope, tpl: &Template, res: &Resource) {
    let resource = ResourceRef {
        file: tpl.file,
        name: res.logical_id.clone(),
        loc: res.id_loc,
        construct_path: res.cdk_path.clone(),
    };
    let props = res.properties.as_ref();
    let condition = res.condition.as_deref();
    let mut variants = |keys: &[&str], what: &str| {
        let expansion = variants(scope, props, condition, keys);
        if let Some(reason) = super::expand::sampled_reason(&expansion, what) {
            model.incomplete.push(Incomplete { resource: resource.clone(), loc: res.id_loc, reason });
        }
        expansion.variants
    };
    match res.type_.as_str() {
        "AWS::Cognito::IdentityPool" => {
            let variants =
                map_variants(variants(POOL_KEYS, "guest and provider settings"), |p| pool_props(scope, p));
            model.pools.push(Pool {
                id_text: tpl.ref_text(&res.logical_id),
                id: Sym::Attr {
                    file: tpl.file,
                    resource: res.logical_id.clone(),
                    attr: "Id".into(),
                    lang: crate::model::Lang::CloudFormation,
                },
                resource,
                variants,
            })
        }
        "AWS::Cognito::IdentityPoolRoleAttachment" => {
            let variants = map_variants(variants(ATTACHMENT_KEYS, "pool, roles and role mappings"), |p| {
                attachment_props(scope, p)
            });
            model.attachments.push(Attachment { resource, variants })
        }
        "AWS::IAM::Role" => {
            let arn_text = tpl.get_att_text(&res.logical_id, "Arn");
            let trust = variants(&["AssumeRolePolicyDocument"], "trust policy");
            let (role, sampled) = super::roles::role(scope, resource, arn_text, props, trust);
            if let Some(reason) = sampled {
                model.incomplete.push(Incomplete {
                    resource: role.resource.clone(),
                    loc: res.id_loc,
                    reason,
                });
            }
            model.roles.push(role);
        }
        other => super::userpools::extract(scope, other, resource, props, model),
    }
}

/// The properties of an identity pool that differ between its variants.
const POOL_KEYS: &[&str] = &[
    "AllowUnauthenticatedIdentities",
    "AllowClassicFlow",
    "CognitoIdentityProviders",
    "SupportedLoginProviders",
    "OpenIdConnectProviderARNs",
    "SamlProviderARNs",
    "DeveloperProviderName",
];
/// The properties of a role attachment that differ between its variants.
const ATTACHMENT_KEYS: &[&str] = &["IdentityPoolId", "Roles", "RoleMappings"];

/// The concrete shapes of a resource's properties `keys` (`None`: no properties), for each
/// assignment under which the resource exists. Only those properties are expanded: an `Fn::If`
/// in a role's tags does not multiply its trust policies.
pub fn variants(scope: &Scope, props: Option<&Node>, condition: Option<&str>, keys: &[&str]) -> Expansion {
    let mut out = Expansion { variants: Vec::new(), sampled: false, combinations: 0 };
    let projected = props.map(|p| project(p, keys));
    for base in scope.exists(condition) {
        match &projected {
            Some(p) => {
                let e = scope.expand(p, &base);
                out.sampled |= e.sampled;
                out.combinations = out.combinations.max(e.combinations);
                out.variants.extend(e.variants);
            }
            None => out.variants.push((base, None)),
        }
    }
    out
}

/// The entries `keys` of a properties map (the whole value when it is an intrinsic function).
fn project(props: &Node, keys: &[&str]) -> Node {
    match &props.value {
        Value::Map(entries) if props.single_entry().is_none_or(|e| !e.key.starts_with("Fn::")) => {
            let kept = entries.iter().filter(|e| keys.contains(&e.key.as_str())).cloned().collect();
            Node::new(Value::Map(kept), props.span)
        }
        _ => props.clone(),
    }
}

fn map_variants<T>(variants: Vec<(Assign, Option<Node>)>, f: impl Fn(Option<&Node>) -> T) -> Vec<Variant<T>> {
    variants.into_iter().map(|(assign, node)| Variant { value: f(node.as_ref()), assign }).collect()
}

fn is_empty(node: &Node) -> bool {
    match &node.value {
        Value::Seq(v) => v.is_empty(),
        Value::Map(m) => m.is_empty(),
        Value::Null => true,
        _ => false,
    }
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
        if let Some(e) = props.entry(key).filter(|e| !is_empty(&e.value)) {
            providers.push(scope.at(e.key_span));
        }
    }
    PoolProps {
        allow_guests: match guests {
            Some(n) => scope.bool_of(n),
            None => Some(false),
        },
        allow_guests_loc: guests.map(|n| scope.loc(n)),
        allow_classic_flow: classic.and_then(|n| scope.bool_of(n)),
        allow_classic_flow_loc: classic.map(|n| scope.loc(n)),
        providers,
        provider_names: provider_names(scope, props),
    }
}

/// The names role mappings and principal tags use for the pool's providers.
fn provider_names(scope: &Scope, props: &Node) -> Vec<ProviderName> {
    let mut out = Vec::new();
    for p in props.get("CognitoIdentityProviders").and_then(Node::as_seq).unwrap_or(&[]) {
        let Some(name) = p.get("ProviderName") else { continue };
        let name = scope.eval(name);
        let full = match p.get("ClientId") {
            Some(client) => Sym::concat(vec![name, Sym::lit(":"), scope.eval(client)]),
            None => name,
        };
        out.push(ProviderName { name: full, loc: scope.loc(p), user_pool: true });
    }
    for e in props.get("SupportedLoginProviders").and_then(Node::as_map).unwrap_or(&[]) {
        out.push(ProviderName {
            name: Sym::lit(e.key.as_str()),
            loc: scope.at(e.key_span),
            user_pool: false,
        });
    }
    for key in ["OpenIdConnectProviderARNs", "SamlProviderARNs"] {
        for arn in props.get(key).map(|n| scope.items(n)).unwrap_or_default() {
            out.push(ProviderName { name: arn.value, loc: arn.loc, user_pool: false });
        }
    }
    if let Some(dev) = props.get("DeveloperProviderName") {
        out.push(ProviderName { name: scope.eval(dev), loc: scope.loc(dev), user_pool: false });
    }
    out
}

fn attachment_props(scope: &Scope, props: Option<&Node>) -> AttachmentProps {
    let mut out = AttachmentProps {
        pool: None,
        roles_loc: None,
        role_keys: Vec::new(),
        slots: Vec::new(),
        mappings: Vec::new(),
        opaque_mappings: false,
        opaque_roles: false,
    };
    let Some(props) = props else { return out };
    out.pool = props.get("IdentityPoolId").map(|n| scope.item(n));
    if let Some(roles) = props.entry("Roles") {
        out.roles_loc = Some(scope.at(roles.key_span));
        for e in roles.value.as_map().unwrap_or(&[]) {
            out.add_role(&e.key, scope.at(e.key_span), scope.item(&e.value));
        }
    }
    let mappings = props.get("RoleMappings");
    out.opaque_mappings =
        mappings.and_then(Node::single_entry).is_some_and(|e| e.key == "Ref" || e.key.starts_with("Fn::"));
    for e in mappings.filter(|_| !out.opaque_mappings).and_then(Node::as_map).unwrap_or(&[]) {
        let mapping = mapping(scope, e);
        out.slots.extend(mapping.rule_slots());
        out.mappings.push(mapping);
    }
    out
}

fn mapping(scope: &Scope, e: &crate::syntax::Entry) -> Mapping {
    let key_loc = scope.at(e.key_span);
    let config = e.value.entry("RulesConfiguration");
    let rules = config.and_then(|c| c.value.get("Rules")).and_then(Node::as_seq).unwrap_or(&[]);
    Mapping {
        key: e.key.to_string(),
        key_loc,
        provider: match e.value.get("IdentityProvider") {
            Some(p) => scope.item(p),
            None => Item { value: Sym::lit(e.key.as_str()), loc: key_loc },
        },
        kind: e.value.get("Type").map(|n| scope.item(n)),
        ambiguous: e.value.get("AmbiguousRoleResolution").map(|n| scope.item(n)),
        rules_loc: config.map(|c| scope.at(c.key_span)),
        rules: rules
            .iter()
            .map(|r| MappingRule {
                loc: scope.loc(r),
                claim: r.get("Claim").map(|n| scope.item(n)),
                match_type: r.get("MatchType").map(|n| scope.item(n)),
                value: r.get("Value").map(|n| scope.item(n)),
                role: r.get("RoleARN").map(|n| scope.item(n)),
            })
            .collect(),
    }
}
