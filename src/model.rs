//! The linked model the rules read: identity pools, role attachments and their slots, roles with
//! their trust policies, and the uses that tie a role to the pool that hands it out. Front ends
//! fill it; rules only read it. Every value keeps the place it was written.

use std::collections::HashMap;

use crate::source::{FileId, Loc};

/// A value after symbolic resolution: what a template expression denotes without deploying it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Sym {
    Lit(String),
    /// An attribute of a resource in a scanned file. `Ref` is canonicalised to the attribute it
    /// returns (`Id` for identity pools, `RoleName` for roles), so `!Ref Pool` equals
    /// `!GetAtt Pool.Id` and `!Sub "${Pool}"`.
    Attr {
        file: FileId,
        resource: String,
        attr: String,
    },
    /// A template parameter without a usable value: any value at deploy time.
    Param {
        file: FileId,
        name: String,
        default: Option<String>,
    },
    /// A pseudo parameter such as `AWS::Region`.
    Pseudo(String),
    /// An `Fn::ImportValue` whose export is not among the scanned files; keyed by its name.
    Import(Box<Sym>),
    /// Parts joined together (`Fn::Sub`, `Fn::Join`); never holds two adjacent literals.
    Concat(Vec<Sym>),
    /// Anything the analyzer cannot see through (`Fn::Select` over unknown lists, custom
    /// resources, …), with a short description.
    Unknown(String),
    /// A value whose evaluation stopped at a limit (a chain of references too long, a value
    /// too large), with what was hit. It compares like `Unknown`; rule CT901 reports the
    /// resource that holds it, so a limit is never a silent pass.
    Limit(String),
    /// One of several values, depending on which of several scanned stacks is deployed: an
    /// `Fn::ImportValue` whose name two distinct templates export.
    AnyOf(Vec<Sym>),
    /// A value the scanned input defines but cognitrust does not evaluate: a Terraform function
    /// or a CloudFormation intrinsic it does not read, with a short description. It compares
    /// like `Unknown`; a role slot holding one is CT901 (analysis incomplete), not a CT202 note.
    Unevaluated(String),
    /// A value a deploy tool fills in that no scanned file says: a Serverless Framework
    /// variable such as `${opt:stage}`, `${cf:auth.IdentityPoolId}` or `${ssm:/path}`, as
    /// written. It equals the same text and nothing else is known of it: never a literal.
    External(String),
}

/// Three-valued truth for questions the template may not settle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tri {
    Yes,
    No,
    Maybe,
}

impl Tri {
    pub fn from_bool(b: bool) -> Tri {
        if b { Tri::Yes } else { Tri::No }
    }
    pub fn or(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::Yes, _) | (_, Tri::Yes) => Tri::Yes,
            (Tri::No, Tri::No) => Tri::No,
            _ => Tri::Maybe,
        }
    }
    pub fn and(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::No, _) | (_, Tri::No) => Tri::No,
            (Tri::Yes, Tri::Yes) => Tri::Yes,
            _ => Tri::Maybe,
        }
    }
}

impl std::ops::Not for Tri {
    type Output = Tri;
    fn not(self) -> Tri {
        match self {
            Tri::Yes => Tri::No,
            Tri::No => Tri::Yes,
            Tri::Maybe => Tri::Maybe,
        }
    }
}

impl Sym {
    pub fn lit(s: impl Into<String>) -> Sym {
        Sym::Lit(s.into())
    }

    pub fn as_lit(&self) -> Option<&str> {
        match self {
            Sym::Lit(s) => Some(s),
            _ => None,
        }
    }

    /// Whether two values denote the same string at deploy time.
    pub fn same_as(&self, other: &Sym) -> Tri {
        match (self, other) {
            (Sym::AnyOf(alternatives), x) | (x, Sym::AnyOf(alternatives)) => {
                let mut answers = alternatives.iter().map(|a| a.same_as(x));
                let first = answers.next().unwrap_or(Tri::Maybe);
                if answers.all(|a| a == first) { first } else { Tri::Maybe }
            }
            (a, b) if a == b && a.is_fixed() => Tri::Yes,
            (Sym::Lit(a), Sym::Lit(b)) => Tri::from_bool(a == b),
            (Sym::Param { default: Some(d), .. }, Sym::Lit(l))
            | (Sym::Lit(l), Sym::Param { default: Some(d), .. })
                if d == l =>
            {
                Tri::Yes
            }
            // Two different resources (or two attributes of one) never share an ID or an ARN: in
            // another file they are another stack's or module's resources. (A plan and the
            // sources that define the same resource are never both read.)
            (Sym::Attr { .. }, Sym::Attr { .. }) => Tri::No,
            (Sym::Concat(a), Sym::Concat(b)) if a.len() == b.len() => {
                a.iter().zip(b).fold(Tri::Yes, |acc, (x, y)| acc.and(x.same_as(y)))
            }
            (Sym::Concat(parts), Sym::Lit(l)) | (Sym::Lit(l), Sym::Concat(parts)) => {
                match (parts.first(), parts.last()) {
                    (Some(Sym::Lit(first)), _) if !l.starts_with(first.as_str()) => Tri::No,
                    (_, Some(Sym::Lit(last))) if !l.ends_with(last.as_str()) => Tri::No,
                    _ => Tri::Maybe,
                }
            }
            _ => Tri::Maybe,
        }
    }

    /// True for values that denote one deploy-time string: equal such values are the same.
    fn is_fixed(&self) -> bool {
        match self {
            Sym::Unknown(_) | Sym::Limit(_) | Sym::AnyOf(_) | Sym::Unevaluated(_) => false,
            Sym::Concat(parts) => parts.iter().all(Sym::is_fixed),
            _ => true,
        }
    }

    /// The resource attribute this value denotes, if it is exactly one.
    pub fn as_attr(&self) -> Option<(FileId, &str, &str)> {
        match self {
            Sym::Attr { file, resource, attr } => Some((*file, resource, attr)),
            _ => None,
        }
    }

    /// How the value reads in a message: literals as written, references as the template
    /// spelled them.
    pub fn describe(&self) -> String {
        match self {
            Sym::Lit(s) => format!("\"{s}\""),
            Sym::Attr { resource, attr, .. } => format!("{resource}.{}", spelled_attr(resource, attr)),
            Sym::Param { name, .. } => format!("parameter `{name}`"),
            Sym::Pseudo(p) => p.clone(),
            Sym::External(text) => format!("`{text}`"),
            Sym::Import(name) => format!("the import of {}", name.describe()),
            Sym::Concat(parts) => parts
                .iter()
                .map(|p| match p {
                    Sym::Lit(s) | Sym::External(s) => s.clone(),
                    other => format!("${{{}}}", other.describe_bare()),
                })
                .collect(),
            Sym::Unknown(what) | Sym::Limit(what) | Sym::Unevaluated(what) => what.clone(),
            Sym::AnyOf(alternatives) => {
                let each: Vec<String> = alternatives.iter().map(Sym::describe).collect();
                format!("one of {}", each.join(", "))
            }
        }
    }

    /// Bytes the value takes, roughly: its text, and one symbol per part. Evaluation budgets
    /// count values in it.
    pub fn weight(&self) -> usize {
        std::mem::size_of::<Sym>()
            + match self {
                Sym::Lit(s)
                | Sym::Pseudo(s)
                | Sym::Unknown(s)
                | Sym::Limit(s)
                | Sym::External(s)
                | Sym::Unevaluated(s) => s.len(),
                Sym::Attr { resource, attr, .. } => resource.len() + attr.len(),
                Sym::Param { name, default, .. } => name.len() + default.as_ref().map_or(0, String::len),
                Sym::Import(name) => name.weight(),
                Sym::Concat(parts) | Sym::AnyOf(parts) => parts.iter().map(Sym::weight).sum(),
            }
    }

    /// The values this one may be: each alternative of an [`Sym::AnyOf`], else itself.
    pub fn alternatives(&self) -> &[Sym] {
        match self {
            Sym::AnyOf(alternatives) => alternatives,
            other => std::slice::from_ref(other),
        }
    }

    /// The limit evaluation stopped at, when this value, or a part of it, holds one.
    pub fn limit(&self) -> Option<&str> {
        match self {
            Sym::Limit(what) => Some(what),
            Sym::Import(name) => name.limit(),
            Sym::Concat(parts) | Sym::AnyOf(parts) => parts.iter().find_map(Sym::limit),
            _ => None,
        }
    }

    /// What was not evaluated, when this value, or a part of it, is a function or intrinsic
    /// the scan does not read ([`Sym::Unevaluated`]).
    pub fn unevaluated(&self) -> Option<&str> {
        match self {
            Sym::Unevaluated(what) => Some(what),
            Sym::Import(name) => name.unevaluated(),
            Sym::Concat(parts) | Sym::AnyOf(parts) => parts.iter().find_map(Sym::unevaluated),
            _ => None,
        }
    }

    fn describe_bare(&self) -> String {
        match self {
            Sym::Param { name, .. } => name.clone(),
            other => other.describe(),
        }
    }
}

/// An attribute as the resource's language names it: Terraform addresses (`aws_iam_role.x`)
/// use Terraform's attribute names for what the model calls by CloudFormation's.
fn spelled_attr<'a>(resource: &str, attr: &'a str) -> &'a str {
    let terraform = resource.split('.').any(|part| part.starts_with("aws_"));
    if !terraform {
        return attr;
    }
    match attr {
        "Id" | "UserPoolId" | "ClientId" => "id",
        "Arn" => "arn",
        "RoleName" => "name",
        "RoleId" => "unique_id",
        "Name" => "identity_pool_name",
        "ProviderName" => "endpoint",
        other => other,
    }
}

/// A value with the place it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub value: Sym,
    pub loc: Loc,
}

/// One assignment of truth values to the atoms of a template's conditions, sorted by atom.
/// Values from two branches of the same `Fn::If` never meet under one assignment.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Assign(pub Vec<(String, bool)>);

impl Assign {
    /// The value the assignment gives an atom, if any.
    pub fn get(&self, atom: &str) -> Option<bool> {
        self.0.binary_search_by(|(a, _)| a.as_str().cmp(atom)).ok().map(|i| self.0[i].1)
    }

    /// Whether the assignment gives the atom a value.
    pub fn has(&self, atom: &str) -> bool {
        self.get(atom).is_some()
    }

    /// The union of two assignments, or `None` when they disagree on an atom.
    pub fn merge(&self, other: &Assign) -> Option<Assign> {
        let mut out = self.0.clone();
        for (atom, value) in &other.0 {
            match out.binary_search_by(|(a, _)| a.as_str().cmp(atom)) {
                Ok(i) if out[i].1 != *value => return None,
                Ok(_) => {}
                Err(i) => out.insert(i, (atom.clone(), *value)),
            }
        }
        let out = Assign(out);
        out.possible().then_some(out)
    }

    /// Whether no two atoms give one value two different literals (`Env = prod` and
    /// `Env = dev` both true).
    pub fn possible(&self) -> bool {
        let held: Vec<(&str, &str)> =
            self.0.iter().filter(|(_, v)| *v).filter_map(|(a, _)| a.rsplit_once(ATOM_VALUE)).collect();
        held.iter().enumerate().all(|(i, (lhs, rhs))| held[i + 1..].iter().all(|(l, r)| l != lhs || r == rhs))
    }

    /// The literal an atom says a value equals, when the atom holds: `("AWS::Region", "us-gov-west-1")`.
    pub fn facts(&self) -> impl Iterator<Item = (&str, &str, bool)> {
        self.0.iter().filter_map(|(atom, holds)| {
            let (_, fact) = atom.split_once('#')?;
            let (lhs, rhs) = fact.rsplit_once(ATOM_VALUE)?;
            Some((lhs, rhs, *holds))
        })
    }
}

/// Separates an atom's value from its literal (`Env␟prod`), so atoms about one value can be
/// recognised as exclusive.
pub const ATOM_VALUE: char = '\u{1f}';

/// Something that exists in several shapes depending on template conditions.
#[derive(Debug, Clone)]
pub struct Variant<T> {
    pub assign: Assign,
    pub value: T,
}

/// A resource as the report names it.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceRef {
    pub file: FileId,
    /// Logical ID or Terraform address.
    pub name: String,
    /// The place of the logical ID (the key of the resource).
    pub loc: Loc,
    pub construct_path: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Pool {
    pub resource: ResourceRef,
    /// How the template would write a reference to the pool's ID (`!Ref IdentityPool`).
    pub id_text: String,
    /// The pool's own ID as other values refer to it (`Ref`/`GetAtt Id`).
    pub id: Sym,
    pub variants: Vec<Variant<PoolProps>>,
}

#[derive(Debug, Clone, Default)]
pub struct PoolProps {
    /// `AllowUnauthenticatedIdentities`: `None` when it cannot be known statically.
    pub allow_guests: Option<bool>,
    pub allow_guests_loc: Option<Loc>,
    pub allow_classic_flow: Option<bool>,
    pub allow_classic_flow_loc: Option<Loc>,
    /// Places of the provider settings (CognitoIdentityProviders, SupportedLoginProviders, …).
    pub providers: Vec<Loc>,
    /// The pool's sign-in providers by the names role mappings must use: a user pool is
    /// `ProviderName:ClientId`; social providers their domain; OIDC and SAML providers their ARN.
    pub provider_names: Vec<ProviderName>,
}

/// A provider a pool accepts, named as `RoleMappings` and principal tags name it.
#[derive(Debug, Clone)]
pub struct ProviderName {
    pub name: Sym,
    pub loc: Loc,
    /// A Cognito user pool provider (`cognito-idp…`), whose mapping name needs `:ClientId`.
    pub user_pool: bool,
}

#[derive(Debug, Clone)]
pub struct Attachment {
    pub resource: ResourceRef,
    pub variants: Vec<Variant<AttachmentProps>>,
}

#[derive(Debug, Clone)]
pub struct AttachmentProps {
    pub pool: Option<Item>,
    pub roles_loc: Option<Loc>,
    /// Every key of `Roles` as written, valid or not.
    pub role_keys: Vec<(String, Loc)>,
    pub slots: Vec<Slot>,
    pub mappings: Vec<Mapping>,
    /// `RoleMappings` is computed (a custom resource's output): its mappings are unknown.
    pub opaque_mappings: bool,
    /// `Roles` is computed (a Terraform variable): its slots are unknown.
    pub opaque_roles: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SlotKind {
    Authenticated,
    Unauthenticated,
    /// The role of a rule of a `Rules` role mapping (authenticated users only).
    Rule,
    /// The role of a user pool group, handed out through a `Token` role mapping.
    Group,
    /// A role the attachment hands out in a slot the input does not tell: a plan whose `roles`
    /// map is computed. The rules that depend on the slot (`amr`) skip it; the others check it.
    Unknown,
}

impl SlotKind {
    /// Whether signed-in users get the role; `false` too when the slot is not known.
    pub fn is_authenticated(self) -> bool {
        matches!(self, SlotKind::Authenticated | SlotKind::Rule | SlotKind::Group)
    }
    /// The `amr` value of the identities the slot serves.
    pub fn amr_value(self) -> &'static str {
        if self == SlotKind::Unauthenticated { "unauthenticated" } else { "authenticated" }
    }
    pub fn describe(self) -> &'static str {
        match self {
            SlotKind::Authenticated => "authenticated role",
            SlotKind::Unauthenticated => "unauthenticated (guest) role",
            SlotKind::Rule => "role of a role-mapping rule",
            SlotKind::Group => "role of a user pool group (Token mapping)",
            SlotKind::Unknown => "role (in a slot the plan does not tell)",
        }
    }
}

impl AttachmentProps {
    /// Records one `Roles` entry: every key (CT205 judges them), and a slot for the two valid
    /// ones.
    pub fn add_role(&mut self, key: &str, key_loc: Loc, role: Item) {
        self.role_keys.push((key.to_string(), key_loc));
        let kind = match key {
            "authenticated" => SlotKind::Authenticated,
            "unauthenticated" => SlotKind::Unauthenticated,
            _ => return,
        };
        self.slots.push(Slot { kind, key: key.to_string(), key_loc, role, via: None });
    }
}

/// One place where an attachment hands out a role.
#[derive(Debug, Clone)]
pub struct Slot {
    pub kind: SlotKind,
    /// The key as written (`authenticated`, or the mapping key for rules).
    pub key: String,
    pub key_loc: Loc,
    pub role: Item,
    /// For rule and group slots: the provider of the role mapping that hands the role out.
    pub via: Option<Sym>,
}

#[derive(Debug, Clone)]
pub struct Mapping {
    pub key: String,
    pub key_loc: Loc,
    /// `IdentityProvider`, or the key itself when it is absent.
    pub provider: Item,
    /// `Type`: `Token` or `Rules`.
    pub kind: Option<Item>,
    pub ambiguous: Option<Item>,
    /// The `RulesConfiguration` key, when present.
    pub rules_loc: Option<Loc>,
    pub rules: Vec<MappingRule>,
}

impl Mapping {
    pub fn kind_is(&self, kind: &str) -> bool {
        self.kind.as_ref().and_then(|k| k.value.as_lit()) == Some(kind)
    }

    /// The slots its rules hand roles out through (authenticated users of its provider).
    pub fn rule_slots(&self) -> impl Iterator<Item = Slot> + '_ {
        self.rules.iter().filter_map(|rule| {
            Some(Slot {
                kind: SlotKind::Rule,
                key: self.key.clone(),
                key_loc: rule.loc,
                role: rule.role.clone()?,
                via: Some(self.provider.value.clone()),
            })
        })
    }
}

#[derive(Debug, Clone)]
pub struct MappingRule {
    pub loc: Loc,
    pub claim: Option<Item>,
    pub match_type: Option<Item>,
    pub value: Option<Item>,
    pub role: Option<Item>,
}

/// A trust (or any) IAM policy document.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub loc: Loc,
    pub statements: Vec<Statement>,
    /// How the policy is written, which says how help spells its parts.
    pub form: PolicyForm,
}

/// How a policy document is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PolicyForm {
    /// In the template's own tree: CloudFormation YAML or JSON, as its file is.
    #[default]
    Template,
    /// JSON text in Terraform: a heredoc, a file read by `file()` or `templatefile()`, a
    /// plan's string.
    JsonText,
    /// An HCL object given to `jsonencode`.
    HclObject,
    /// `data "aws_iam_policy_document"` blocks.
    DocumentBlocks,
}

impl Policy {
    pub fn written_as(mut self, form: PolicyForm) -> Policy {
        self.form = form;
        self
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
    Unknown,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub loc: Loc,
    pub effect: Effect,
    pub effect_loc: Option<Loc>,
    pub principal: Option<Principal>,
    pub not_principal: Option<Loc>,
    /// `Action` (or `NotAction` when `not_action`), each value with its place.
    pub actions: Vec<Item>,
    pub action_loc: Option<Loc>,
    pub not_action: bool,
    /// `Resource` (or `NotResource`), for permission policies.
    pub resources: Vec<Item>,
    pub not_resource: bool,
    pub conditions: Vec<Condition>,
    /// The `Condition` key, when the statement has one.
    pub condition_loc: Option<Loc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Principal {
    pub loc: Loc,
    /// `Principal: "*"`.
    pub wildcard: bool,
    pub entries: Vec<PrincipalEntry>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PrincipalEntry {
    /// `Federated`, `Service`, `AWS`, `CanonicalUser`.
    pub kind: String,
    pub kind_loc: Loc,
    pub value: Sym,
    pub loc: Loc,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub operator: String,
    pub operator_loc: Loc,
    pub key: String,
    pub key_loc: Loc,
    pub values: Vec<Item>,
    /// The place of the whole value (a string or a list).
    pub values_loc: Loc,
}

#[derive(Debug, Clone)]
pub struct Role {
    pub resource: ResourceRef,
    /// How the template would write the role's ARN (`!GetAtt AuthRole.Arn`).
    pub arn_text: String,
    /// The role's name when it is written in the template (`RoleName`).
    pub name: Option<Sym>,
    pub path: Option<String>,
    pub trust: Vec<Variant<Option<Policy>>>,
    /// Permission policies in effect: inline, and attached `AWS::IAM::Policy`/`ManagedPolicy`.
    pub permissions: Vec<Policy>,
    /// `ManagedPolicyArns`, each with its place.
    pub managed_policies: Vec<Item>,
    /// A resource that rewrites this role's trust at deploy time (a custom resource whose
    /// function may `iam:UpdateAssumeRolePolicy` on it, as generated mobile backends do).
    pub rewritten_by: Option<ResourceRef>,
}

/// The standard attributes of a user pool; every other `Schema` name is a custom attribute.
pub const STANDARD_ATTRIBUTES: &[&str] = &[
    "address",
    "birthdate",
    "email",
    "email_verified",
    "family_name",
    "gender",
    "given_name",
    "locale",
    "middle_name",
    "name",
    "nickname",
    "phone_number",
    "phone_number_verified",
    "picture",
    "preferred_username",
    "profile",
    "sub",
    "updated_at",
    "website",
    "zoneinfo",
];

/// A Cognito user pool.
#[derive(Debug, Clone)]
pub struct UserPool {
    pub resource: ResourceRef,
    /// Custom attributes of the `Schema`, by name without the `custom:` prefix.
    pub custom_attributes: Vec<(String, Loc)>,
}

/// A user pool app client.
#[derive(Debug, Clone)]
pub struct Client {
    pub resource: ResourceRef,
    pub user_pool: Option<Sym>,
    /// `WriteAttributes` and its place; `None` when unset.
    pub write_attributes: Option<(Vec<Item>, Loc)>,
}

/// A user pool group, which can carry a role.
#[derive(Debug, Clone)]
pub struct Group {
    pub resource: ResourceRef,
    pub user_pool: Option<Sym>,
    pub role: Option<Item>,
    pub role_key_loc: Option<Loc>,
}

impl Group {
    /// The group's role, unless it may be no role at all: a value not known, such as
    /// `lookup(g, "role_arn", null)`, is not said to be one.
    pub fn known_role(&self) -> Option<&Item> {
        self.role.as_ref().filter(|r| !matches!(r.value, Sym::Unknown(_)))
    }
}

/// Principal tags set for one provider of one pool.
#[derive(Debug, Clone)]
pub struct PrincipalTag {
    pub resource: ResourceRef,
    pub pool: Option<Item>,
    pub provider: Option<Item>,
    /// Tags are really set: `UseDefaults: true` or a non-empty `PrincipalTags` map.
    pub active: bool,
}

/// A role handed out by a pool through a slot, under one consistent assignment of conditions.
#[derive(Debug, Clone)]
pub struct Use {
    pub pool: Option<usize>,
    pub attachment: usize,
    /// Index into the attachment variant's slots.
    pub variant: usize,
    pub slot: usize,
    pub role: usize,
    /// Index of the role's trust variant.
    pub trust: usize,
    /// The pool's variants that may go with the attachment's (empty when the pool is not
    /// known, or none fits).
    pub pool_variants: Vec<usize>,
}

/// A slot whose role is not among the scanned inputs.
#[derive(Debug, Clone)]
pub struct Unresolved {
    pub attachment: usize,
    pub variant: usize,
    pub slot: usize,
    pub reason: String,
    /// The role is named by something the scan read but does not evaluate (CT901), rather
    /// than lying outside the scanned files (CT202).
    pub unevaluated: bool,
}

/// The model's roles by what names them: the resource that defines them (file, logical ID)
/// and their literal `RoleName`, each in model order. Built once where many lookups follow.
pub struct RoleIndex<'m> {
    roles: &'m [Role],
    by_resource: HashMap<(FileId, &'m str), usize>,
    by_name: HashMap<&'m str, Vec<usize>>,
}

impl<'m> RoleIndex<'m> {
    pub fn new(roles: &'m [Role]) -> Self {
        let mut index = RoleIndex { roles, by_resource: HashMap::new(), by_name: HashMap::new() };
        for (i, r) in roles.iter().enumerate() {
            index.by_resource.entry((r.resource.file, r.resource.name.as_str())).or_insert(i);
            if let Some(name) = r.name.as_ref().and_then(Sym::as_lit) {
                index.by_name.entry(name).or_default().push(i);
            }
        }
        index
    }

    /// The first role the resource `name` of `file` defines.
    pub fn of_resource(&self, file: FileId, name: &str) -> Option<usize> {
        self.by_resource.get(&(file, name)).copied()
    }

    /// The first role named `name`, under `path` when one is given (slashes around it aside).
    pub fn named(&self, path: Option<&str>, name: &str) -> Option<usize> {
        let in_path = |r: usize| {
            path.is_none_or(|p| {
                self.roles[r].path.as_deref().map(|rp| rp.trim_matches('/')) == Some(p.trim_matches('/'))
            })
        };
        self.by_name.get(name)?.iter().copied().find(|&r| in_path(r))
    }
}

/// Everything the rules look at.
#[derive(Debug, Default)]
pub struct Model {
    pub pools: Vec<Pool>,
    pub attachments: Vec<Attachment>,
    pub roles: Vec<Role>,
    pub uses: Vec<Use>,
    pub unresolved: Vec<Unresolved>,
    /// For each attachment variant, the pool it targets when known: (attachment, variant) → pool.
    pub attachment_pools: Vec<Vec<Option<usize>>>,
    /// Attachments whose pool could not be resolved: the pool may be any pool.
    pub has_unresolved_attachment: bool,
    pub user_pools: Vec<UserPool>,
    pub clients: Vec<Client>,
    pub groups: Vec<Group>,
    pub principal_tags: Vec<PrincipalTag>,
    /// Where a Terraform plan plans a resource that `.tf` sources define (address → place), so
    /// findings on the sources can name the plan too.
    pub plan_places: std::collections::HashMap<String, Loc>,
    /// Where the app that generated a template created each resource, from a CDK assembly's
    /// stack traces: (template file, logical ID) → the line of the app's source.
    pub app_sources: std::collections::HashMap<(FileId, String), Loc>,
    /// Suppressions written in resources' `Metadata: {cognitrust: {ignore: [...]}}`.
    pub resource_suppressions: Vec<ResourceSuppression>,
    /// The extent of each Terraform resource block (file, span, address), so a comment inside
    /// a block can suppress that resource's findings.
    pub resource_extents: Vec<(FileId, crate::syntax::Span, String)>,
    /// What front ends and the linker could not fully evaluate (CT901).
    pub incomplete: Vec<Incomplete>,
    /// The same, said only when the resource named beside it (a pool, an attachment, a group,
    /// or a role) takes part in a pool's check: `count` or `for_each` instances not expanded
    /// of a role no pool hands out, or of a policy attachment of such a role, change nothing.
    pub incomplete_if_used: Vec<(Incomplete, String)>,
    /// Input problems found while evaluating, reported as input errors.
    pub errors: Vec<EvalError>,
    /// The folder of each file, as reports show paths: what belongs to one project when no
    /// explicit link says so.
    pub folders: Vec<String>,
    /// How each file is written, and whether it is a Serverless Framework service, so help
    /// speaks the file's own syntax.
    pub dialects: Vec<crate::rules::say::Dialect>,
}

impl Model {
    /// Whether `file` lies in the folder of `of`, or below it: the one project a value that
    /// cannot be read may speak for. Unrelated projects of a monorepo sit in folders beside
    /// each other.
    pub fn same_project(&self, of: FileId, file: FileId) -> bool {
        let (Some(dir), Some(other)) = (self.folders.get(of), self.folders.get(file)) else {
            return of == file;
        };
        dir.is_empty()
            || other == dir
            || other.strip_prefix(dir.as_str()).is_some_and(|rest| rest.starts_with('/'))
    }
}

/// A part of a resource that could not be fully evaluated because a limit was hit: rule CT901
/// reports it, saying what was not checked and why.
#[derive(Debug, Clone)]
pub struct Incomplete {
    pub resource: ResourceRef,
    pub loc: Loc,
    /// What was not checked, and why: "its trust policy has 4,096 combinations of conditions; …".
    pub reason: String,
}

/// A problem of the input found while evaluating it (a cycle of conditions or of mapped
/// values), which the deploy would reject: reported as an input error at its place.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalError {
    pub loc: Loc,
    pub message: String,
}

/// `Metadata: {cognitrust: {ignore: [{rule: CT110, reason: "…"}]}}` on a resource.
#[derive(Debug, Clone)]
pub struct ResourceSuppression {
    pub file: FileId,
    pub resource: String,
    /// The rule as written, and its place.
    pub rule: Item,
    pub reason: Option<String>,
}

impl Model {
    /// What the linked model covers: see [`crate::Coverage`].
    pub fn coverage(&self) -> crate::Coverage {
        let mut slots = std::collections::HashSet::new();
        let mut opaque = 0;
        for (a, att) in self.attachments.iter().enumerate() {
            for v in &att.variants {
                for s in &v.value.slots {
                    // The roles of a computed `roles` map share its place: each is a slot.
                    let role =
                        if s.kind == SlotKind::Unknown { s.role.value.describe() } else { String::new() };
                    slots.insert((a, s.kind.describe(), s.key.as_str(), s.role.loc, role));
                }
                if v.value.opaque_roles && !v.value.slots.iter().any(|s| s.kind == SlotKind::Unknown) {
                    opaque += 1;
                }
            }
        }
        let mut not_checked = std::collections::HashSet::new();
        for un in &self.unresolved {
            let s = &self.attachments[un.attachment].variants[un.variant].value.slots[un.slot];
            let role = if s.kind == SlotKind::Unknown { s.role.value.describe() } else { String::new() };
            not_checked.insert((un.attachment, s.kind.describe(), s.key.as_str(), s.role.loc, role));
        }
        // A slot whose role's trust policy could not be read in any variant was not checked
        // either (CT901 says why).
        let mut read = std::collections::HashSet::new();
        let mut unread = std::collections::HashSet::new();
        for u in &self.uses {
            let s = &self.attachments[u.attachment].variants[u.variant].value.slots[u.slot];
            let role = if s.kind == SlotKind::Unknown { s.role.value.describe() } else { String::new() };
            let slot = (u.attachment, s.kind.describe(), s.key.as_str(), s.role.loc, role);
            if self.trust(u).is_some() {
                read.insert(slot)
            } else {
                unread.insert(slot)
            };
        }
        not_checked.extend(unread.into_iter().filter(|slot| !read.contains(slot)));
        let roles: std::collections::HashSet<usize> =
            self.uses.iter().filter(|u| self.trust(u).is_some()).map(|u| u.role).collect();
        crate::Coverage {
            pools: self.pools.len(),
            slots: slots.len() + opaque,
            roles_checked: roles.len(),
            not_checked: not_checked.len() + opaque,
        }
    }

    /// Adds the resources of `other`, a model of other files read before linking, after this
    /// one's.
    pub fn append(&mut self, other: Model) {
        let Model {
            pools,
            attachments,
            roles,
            uses,
            unresolved,
            attachment_pools,
            has_unresolved_attachment,
            user_pools,
            clients,
            groups,
            principal_tags,
            plan_places,
            app_sources,
            resource_suppressions,
            resource_extents,
            incomplete,
            incomplete_if_used,
            errors,
            folders,
            dialects,
        } = other;
        debug_assert!(uses.is_empty() && unresolved.is_empty() && attachment_pools.is_empty(), "linked");
        debug_assert!(folders.is_empty() && dialects.is_empty(), "set once the model is built");
        self.pools.extend(pools);
        self.attachments.extend(attachments);
        self.roles.extend(roles);
        self.has_unresolved_attachment |= has_unresolved_attachment;
        self.user_pools.extend(user_pools);
        self.clients.extend(clients);
        self.groups.extend(groups);
        self.principal_tags.extend(principal_tags);
        self.plan_places.extend(plan_places);
        self.app_sources.extend(app_sources);
        self.resource_suppressions.extend(resource_suppressions);
        self.resource_extents.extend(resource_extents);
        self.incomplete.extend(incomplete);
        self.incomplete_if_used.extend(incomplete_if_used);
        self.errors.extend(errors);
    }

    pub fn slot(&self, u: &Use) -> &Slot {
        &self.attachments[u.attachment].variants[u.variant].value.slots[u.slot]
    }
    pub fn trust(&self, u: &Use) -> Option<&Policy> {
        self.roles[u.role].trust[u.trust].value.as_ref()
    }
    /// The shapes of the pool that may go with the use, in variant order.
    pub fn pool_props(&self, u: &Use) -> Vec<&PoolProps> {
        let Some(pool) = u.pool else { return Vec::new() };
        u.pool_variants.iter().map(|&v| &self.pools[pool].variants[v].value).collect()
    }
}
