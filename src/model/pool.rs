//! Identity pools and their role attachments: the slots that hand roles out, and role
//! mappings with their rules.

use super::{Item, ResourceRef, Sym, Variant};
use crate::source::Loc;

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
    pub(crate) fn is_authenticated(self) -> bool {
        matches!(self, SlotKind::Authenticated | SlotKind::Rule | SlotKind::Group)
    }
    /// The `amr` value of the identities the slot serves.
    pub(crate) fn amr_value(self) -> &'static str {
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
    pub(crate) fn add_role(&mut self, key: &str, key_loc: Loc, role: Item) {
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
    pub(crate) fn kind_is(&self, kind: &str) -> bool {
        self.kind.as_ref().and_then(|k| k.value.as_lit()) == Some(kind)
    }

    /// The slots its rules hand roles out through (authenticated users of its provider).
    pub(crate) fn rule_slots(&self) -> impl Iterator<Item = Slot> + '_ {
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
