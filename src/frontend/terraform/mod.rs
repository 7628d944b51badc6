//! Terraform: `.tf` sources ([`source`]) and plan JSON ([`plan`]). Both present their resources
//! as [`TfResource`]s whose bodies use the HCL node encoding of `syntax::hcl` (attributes as
//! keys, nested blocks as repeated keys or lists of maps, references as `tf::ref` nodes), so one
//! extraction ([`extract`]) builds the model for both.

pub mod plan;
pub mod policy;
pub mod source;

use std::collections::HashMap;

use crate::frontend::Resolve;
use crate::model::{
    Assign, Attachment, AttachmentProps, Client, Group, Item, Mapping, MappingRule, Model, Pool, PoolProps,
    PrincipalTag, ProviderName, ResourceRef, Role, Slot, SlotKind, Sym, UserPool, Variant,
};
use crate::source::{FileId, Loc};
use crate::syntax::{Node, Value};

/// What Terraform extraction needs beyond values: policy documents.
pub(crate) trait Policies: Resolve {
    /// The roles (as their ARNs) a computed value refers to, such as a `roles` map a plan
    /// does not know: each may fill any slot. Empty when they cannot be told.
    fn referenced_roles(&self, _node: &Node) -> Vec<Sym> {
        Vec::new()
    }

    /// The entries of a map written elsewhere that a value names (`local.roles`,
    /// `merge({…}, var.extra)`, `tomap(…)`), each key with its place and its value; `None`
    /// when the map cannot be read.
    fn map_entries(&self, _node: &Node) -> Option<Vec<(String, Loc, Item)>> {
        None
    }

    /// The policy document a value holds or refers to (`jsonencode({...})`, JSON text, a
    /// `data.aws_iam_policy_document`).
    fn policy(&self, node: &Node) -> Option<crate::model::Policy>;
}

/// A managed resource with its address and body.
pub(crate) struct TfResource<'a> {
    pub address: String,
    pub type_: &'a str,
    pub body: &'a Node,
    pub loc: Loc,
}

/// The attribute names Terraform gives what CloudFormation's `Fn::GetAtt` names, so that the
/// rules read one vocabulary (`Arn`, `RoleName`, `Id`, …).
pub(crate) fn canonical_attr(type_: &str, attr: &str) -> String {
    let canonical = match (type_, attr) {
        ("aws_cognito_identity_pool", "id") => "Id",
        ("aws_cognito_identity_pool", "identity_pool_name") => "Name",
        ("aws_iam_role", "name" | "id") => "RoleName",
        ("aws_iam_role", "unique_id") => "RoleId",
        ("aws_cognito_user_pool", "id") => "UserPoolId",
        ("aws_cognito_user_pool", "endpoint") => "ProviderName",
        ("aws_cognito_user_pool_client", "id") => "ClientId",
        (_, "arn") => "Arn",
        (_, other) => other,
    };
    canonical.to_string()
}

/// A value of `resource.attr` as a symbol (the user pool's endpoint spelled out, as in CFN).
pub(crate) fn attribute(file: FileId, type_: &str, address: &str, attr: &str) -> Sym {
    let canonical = canonical_attr(type_, attr);
    let sym = |attr: &str| Sym::Attr {
        file,
        resource: address.to_string(),
        attr: attr.to_string(),
        lang: crate::model::Lang::Terraform,
    };
    if canonical == "ProviderName" {
        return Sym::concat(vec![
            Sym::lit("cognito-idp."),
            Sym::Pseudo("AWS::Region".into()),
            Sym::lit(".amazonaws.com/"),
            sym("UserPoolId"),
        ]);
    }
    sym(&canonical)
}

/// Nested blocks named `name`: repeated keys (HCL) or a list of maps (plan JSON), and the
/// `content` of `dynamic "name"` blocks (one block standing for all it generates; values from
/// its iterator are unknown).
pub fn blocks<'a>(body: &'a Node, name: &str) -> Vec<&'a Node> {
    let mut out = Vec::new();
    for e in body.as_map().unwrap_or(&[]) {
        if e.key == name {
            match &e.value.value {
                Value::Seq(items) => out.extend(items.iter().filter(|i| i.as_map().is_some())),
                Value::Map(_) => out.push(&e.value),
                _ => {}
            }
        } else if e.key == "dynamic" && dynamic_label(&e.value) == Some(name) {
            out.extend(e.value.get("content"));
        }
    }
    out
}

fn dynamic_label(block: &Node) -> Option<&str> {
    block.get(crate::syntax::hcl::LABELS)?.as_seq()?.first()?.as_str()
}

fn bool_attr(r: &dyn Policies, node: Option<&Node>, default: bool) -> Option<bool> {
    match node {
        None => Some(default),
        Some(n) => match n.as_bool() {
            Some(b) => Some(b),
            None => match r.eval(n) {
                Sym::Lit(s) => s.parse().ok(),
                _ => None,
            },
        },
    }
}

fn variant<T>(value: T) -> Vec<Variant<T>> {
    vec![Variant { assign: Assign::default(), value }]
}

/// Adds one Terraform resource to the model.
pub(crate) fn extract(r: &dyn Policies, res: &TfResource, model: &mut Model) {
    let resource =
        ResourceRef { file: r.file(), name: res.address.clone(), loc: res.loc, construct_path: None };
    let body = res.body;
    let get = |k: &str| body.get(k);
    match res.type_ {
        "aws_cognito_identity_pool" => model.pools.push(Pool {
            // A plan that knows the pool's ID says it; sources name it by reference.
            id: match get("id").and_then(Node::as_str) {
                Some(known) => Sym::lit(known),
                None => attribute(r.file(), res.type_, &res.address, "id"),
            },
            id_text: format!("{}.id", res.address),
            resource,
            variants: variant(pool_props(r, body)),
        }),
        "aws_cognito_identity_pool_roles_attachment" => {
            model.attachments.push(Attachment { resource, variants: variant(attachment_props(r, body)) })
        }
        "aws_iam_role" => model.roles.push(role(r, res, resource)),
        "aws_cognito_user_pool" => model.user_pools.push(user_pool(r, body, resource)),
        "aws_cognito_user_pool_client" => model.clients.push(Client {
            resource,
            user_pool: get("user_pool_id").map(|n| r.eval(n)),
            write_attributes: get("write_attributes").map(|n| (r.items(n), Loc::new(r.file(), n.span))),
        }),
        "aws_cognito_user_group" => model.groups.push(Group {
            resource,
            user_pool: get("user_pool_id").map(|n| r.eval(n)),
            // `role_arn = null` is no role.
            role: get("role_arn").filter(|n| !matches!(n.value, Value::Null)).map(|n| r.item(n)),
            role_key_loc: body.entry("role_arn").map(|e| Loc::new(r.file(), e.key_span)),
        }),
        "aws_cognito_identity_pool_provider_principal_tag" => model.principal_tags.push(PrincipalTag {
            pool: get("identity_pool_id").map(|n| r.item(n)),
            provider: get("identity_provider_name").map(|n| r.item(n)),
            active: bool_attr(r, get("use_defaults"), true) == Some(true)
                || get("principal_tags").and_then(Node::as_map).is_some_and(|m| !m.is_empty()),
            resource,
        }),
        _ => {}
    }
}

/// An `aws_iam_role`: its trust, inline and managed policies.
fn role(r: &dyn Policies, res: &TfResource, resource: ResourceRef) -> Role {
    let get = |k: &str| res.body.get(k);
    Role {
        arn_text: format!("{}.arn", res.address),
        name: get("name").map(|n| r.eval(n)),
        path: get("path").and_then(Node::as_str).map(String::from),
        trust: variant(get("assume_role_policy").and_then(|p| r.policy(p))),
        permissions: blocks(res.body, "inline_policy")
            .iter()
            .filter_map(|b| b.get("policy"))
            .filter_map(|p| r.policy(p))
            .collect(),
        managed_policies: get("managed_policy_arns").map(|n| r.items(n)).unwrap_or_default(),
        rewritten_by: None,
        resource,
    }
}

/// An `aws_cognito_user_pool` with the custom attributes of its `schema` blocks.
fn user_pool(r: &dyn Policies, body: &Node, resource: ResourceRef) -> UserPool {
    UserPool {
        resource,
        custom_attributes: blocks(body, "schema")
            .iter()
            .filter_map(|s| s.get("name"))
            .filter_map(|n| Some((n.as_str()?.to_string(), Loc::new(r.file(), n.span))))
            .filter(|(name, _)| !crate::model::STANDARD_ATTRIBUTES.contains(&name.as_str()))
            .collect(),
    }
}

fn pool_props(r: &dyn Policies, body: &Node) -> PoolProps {
    let guests = body.get("allow_unauthenticated_identities");
    let classic = body.get("allow_classic_flow");
    let file = r.file();
    let mut providers = Vec::new();
    let mut provider_names = Vec::new();
    for p in blocks(body, "cognito_identity_providers") {
        providers.push(Loc::new(file, p.span));
        let Some(name) = p.get("provider_name") else { continue };
        let full = match p.get("client_id") {
            Some(c) => Sym::concat(vec![r.eval(name), Sym::lit(":"), r.eval(c)]),
            None => r.eval(name),
        };
        provider_names.push(ProviderName { name: full, loc: Loc::new(file, p.span), user_pool: true });
    }
    if let Some(e) = body.entry("supported_login_providers") {
        for p in e.value.as_map().unwrap_or(&[]) {
            providers.push(Loc::new(file, e.key_span));
            provider_names.push(ProviderName {
                name: Sym::lit(p.key.as_str()),
                loc: Loc::new(file, p.key_span),
                user_pool: false,
            });
        }
    }
    for key in ["openid_connect_provider_arns", "saml_provider_arns"] {
        if let Some(e) = body.entry(key) {
            for arn in r.items(&e.value) {
                providers.push(Loc::new(file, e.key_span));
                provider_names.push(ProviderName { name: arn.value, loc: arn.loc, user_pool: false });
            }
        }
    }
    if let Some(e) = body.entry("developer_provider_name").filter(|e| !matches!(e.value.value, Value::Null)) {
        providers.push(Loc::new(file, e.key_span));
        provider_names.push(ProviderName {
            name: r.eval(&e.value),
            loc: Loc::new(file, e.value.span),
            user_pool: false,
        });
    }
    providers.dedup();
    PoolProps {
        allow_guests: bool_attr(r, guests, false),
        allow_guests_loc: guests.map(|n| Loc::new(file, n.span)),
        allow_classic_flow: bool_attr(r, classic, false),
        allow_classic_flow_loc: classic.map(|n| Loc::new(file, n.span)),
        providers,
        provider_names,
    }
}

fn attachment_props(r: &dyn Policies, body: &Node) -> AttachmentProps {
    let file = r.file();
    let mut out = AttachmentProps {
        pool: body.get("identity_pool_id").map(|n| r.item(n)),
        roles_loc: body.entry("roles").map(|e| Loc::new(file, e.key_span)),
        role_keys: Vec::new(),
        slots: Vec::new(),
        mappings: Vec::new(),
        opaque_mappings: false,
        opaque_roles: false,
    };
    // A `roles { … }` block (Terraform 0.11) is an input error of its own: no slots are guessed.
    let roles = body.get("roles").filter(|n| n.get(crate::syntax::hcl::LABELS).is_none());
    let written = roles.filter(|n| n.single_entry().is_none_or(|e| !e.key.starts_with("tf::")));
    let entries = match (written.and_then(Node::as_map), roles) {
        (Some(map), _) => Some(
            map.iter().map(|e| (e.key.to_string(), Loc::new(file, e.key_span), r.item(&e.value))).collect(),
        ),
        // A map held by a local or made by `merge`, where the front end can read it.
        (None, Some(n)) => r.map_entries(n),
        (None, None) => None,
    };
    match entries {
        Some(entries) => {
            for (key, key_loc, role) in entries {
                out.add_role(&key, key_loc, role);
            }
        }
        None => out.opaque_roles = body.get("roles").is_some(),
    }
    if let Some(roles) = body.get("roles").filter(|_| out.opaque_roles) {
        // Which role fills which slot is not known, but each role may fill one: the rules that
        // do not depend on the slot still check it.
        let key_loc = out.roles_loc.unwrap_or(Loc::new(file, roles.span));
        for role in r.referenced_roles(roles) {
            out.slots.push(Slot {
                kind: SlotKind::Unknown,
                key: "?".to_string(),
                key_loc,
                role: Item { value: role, loc: r.loc(roles) },
                via: None,
            });
        }
    }
    for (index, m) in blocks(body, "role_mapping").into_iter().enumerate() {
        let mapping = mapping(r, m, index);
        out.slots.extend(mapping.rule_slots());
        out.mappings.push(mapping);
    }
    out
}

fn mapping(r: &dyn Policies, m: &Node, index: usize) -> Mapping {
    let file = r.file();
    let provider = match m.get("identity_provider") {
        Some(p) => r.item(p),
        None => Item {
            value: Sym::Unknown("a role mapping without identity_provider".into()),
            loc: Loc::new(file, m.span),
        },
    };
    let rules = blocks(m, "mapping_rule");
    Mapping {
        // Terraform's role mappings are unnamed blocks: name them by position.
        key: format!("role_mapping #{}", index + 1),
        key_loc: Loc::new(file, m.span),
        provider,
        kind: m.get("type").map(|n| r.item(n)),
        ambiguous: m.get("ambiguous_role_resolution").map(|n| r.item(n)),
        rules_loc: m.entry("mapping_rule").map(|e| Loc::new(file, e.key_span)),
        rules: rules
            .iter()
            .map(|rule| MappingRule {
                loc: Loc::new(file, rule.span),
                claim: rule.get("claim").map(|n| r.item(n)),
                match_type: rule.get("match_type").map(|n| r.item(n)),
                value: rule.get("value").map(|n| r.item(n)),
                role: rule.get("role_arn").map(|n| r.item(n)),
            })
            .collect(),
    }
}

/// The model's roles by resource address and by literal name, first one first: what
/// [`attach_role_policies`] looks up for every policy resource. Built once per pass, so that
/// many policies on many roles cost no scan of the roles each.
pub struct RoleIndex {
    by_resource: HashMap<String, usize>,
    by_name: HashMap<String, usize>,
}

impl RoleIndex {
    pub fn new(model: &Model) -> Self {
        let mut index = RoleIndex { by_resource: HashMap::new(), by_name: HashMap::new() };
        for (i, role) in model.roles.iter().enumerate() {
            index.by_resource.entry(role.resource.name.clone()).or_insert(i);
            if let Some(name) = role.name.as_ref().and_then(Sym::as_lit) {
                index.by_name.entry(name.to_string()).or_insert(i);
            }
        }
        index
    }

    /// The first role the value names: by the resource of an attribute, or by literal name.
    fn find(&self, role: &Sym) -> Option<usize> {
        match role {
            Sym::Attr { resource, .. } => self.by_resource.get(resource).copied(),
            Sym::Lit(name) => self.by_name.get(name).copied(),
            _ => None,
        }
    }
}

/// Adds the permission policies of `aws_iam_role_policy` and managed policy attachments to the
/// roles they name.
pub(crate) fn attach_role_policies(r: &dyn Policies, res: &TfResource, roles: &RoleIndex, model: &mut Model) {
    if !matches!(res.type_, "aws_iam_role_policy" | "aws_iam_role_policy_attachment") {
        return;
    }
    let body = res.body;
    let Some(role) = body.get("role").map(|n| r.eval(n)) else { return };
    let Some(index) = roles.find(&role) else { return };
    match res.type_ {
        "aws_iam_role_policy" => {
            if let Some(p) = body.get("policy").and_then(|p| r.policy(p)) {
                model.roles[index].permissions.push(p);
            }
        }
        "aws_iam_role_policy_attachment" => {
            if let Some(arn) = body.get("policy_arn") {
                let arn = r.item(arn);
                model.roles[index].managed_policies.push(arn);
            }
        }
        _ => {}
    }
}

/// Whether the model reads a resource of this type (or a data source, for its policy document).
pub(crate) fn is_modelled(type_: &str) -> bool {
    type_.starts_with("aws_cognito_")
        || type_.starts_with("aws_iam_role")
        || type_ == "aws_iam_policy_document"
}

/// `["a]b"]` at the start of `text`, up to its closing quote and bracket.
pub(crate) fn closing_key(text: &str) -> Option<&str> {
    let mut chars = text.char_indices().skip(2);
    loop {
        match chars.next()? {
            (_, '\\') => {
                chars.next()?;
            }
            (i, '"') => return text.get(..i + 2).filter(|t| t.ends_with("\"]")),
            _ => {}
        }
    }
}
