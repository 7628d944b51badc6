//! The linked model the rules read: identity pools, role attachments and their slots, roles with
//! their trust policies, and the uses that tie a role to the pool that hands it out. Front ends
//! fill it; rules only read it. Every value keeps the place it was written.

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
            (a, b) if a == b && a.is_fixed() => Tri::Yes,
            (Sym::Lit(a), Sym::Lit(b)) => Tri::from_bool(a == b),
            (Sym::Param { default: Some(d), .. }, Sym::Lit(l))
            | (Sym::Lit(l), Sym::Param { default: Some(d), .. })
                if d == l =>
            {
                Tri::Yes
            }
            (
                Sym::Attr { file: f1, resource: r1, attr: a1 },
                Sym::Attr { file: f2, resource: r2, attr: a2 },
            ) if f1 == f2 && (r1 != r2 || a1 != a2) => Tri::No,
            _ => Tri::Maybe,
        }
    }

    /// True for values that denote one deploy-time string: equal such values are the same.
    fn is_fixed(&self) -> bool {
        match self {
            Sym::Unknown(_) => false,
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
            Sym::Attr { resource, attr, .. } => format!("{resource}.{attr}"),
            Sym::Param { name, .. } => format!("parameter `{name}`"),
            Sym::Pseudo(p) => p.clone(),
            Sym::Import(name) => format!("the import of {}", name.describe()),
            Sym::Concat(parts) => parts
                .iter()
                .map(|p| match p {
                    Sym::Lit(s) => s.clone(),
                    other => format!("${{{}}}", other.describe_bare()),
                })
                .collect(),
            Sym::Unknown(what) => what.clone(),
        }
    }

    fn describe_bare(&self) -> String {
        match self {
            Sym::Param { name, .. } => name.clone(),
            other => other.describe(),
        }
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
        Some(Assign(out))
    }
}

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
    pub slots: Vec<Slot>,
    pub mappings: Vec<Mapping>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SlotKind {
    Authenticated,
    Unauthenticated,
    /// The role of a rule of a `Rules` role mapping (authenticated users only).
    Rule,
}

impl SlotKind {
    pub fn is_authenticated(self) -> bool {
        !matches!(self, SlotKind::Unauthenticated)
    }
    pub fn describe(self) -> &'static str {
        match self {
            SlotKind::Authenticated => "authenticated role",
            SlotKind::Unauthenticated => "unauthenticated (guest) role",
            SlotKind::Rule => "role of a role-mapping rule",
        }
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
}

#[derive(Debug, Clone)]
pub struct Mapping {
    pub key: String,
    pub key_loc: Loc,
    pub kind: Option<Item>,
}

/// A trust (or any) IAM policy document.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub loc: Loc,
    pub statements: Vec<Statement>,
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
    /// Index of the pool's variant, when the pool is known.
    pub pool_variant: Option<usize>,
    /// The slot value names the role instead of giving its ARN.
    pub by_name: bool,
}

/// A slot whose role is not among the scanned inputs.
#[derive(Debug, Clone)]
pub struct Unresolved {
    pub attachment: usize,
    pub variant: usize,
    pub slot: usize,
    pub reason: String,
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
}

impl Model {
    pub fn slot(&self, u: &Use) -> &Slot {
        &self.attachments[u.attachment].variants[u.variant].value.slots[u.slot]
    }
    pub fn trust(&self, u: &Use) -> Option<&Policy> {
        self.roles[u.role].trust[u.trust].value.as_ref()
    }
    pub fn pool_props(&self, u: &Use) -> Option<&PoolProps> {
        let pool = u.pool?;
        Some(&self.pools[pool].variants[u.pool_variant?].value)
    }
}
