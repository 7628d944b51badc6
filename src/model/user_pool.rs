//! Cognito user pools, their app clients and groups, and the principal tags an identity pool
//! sets for a provider.

use super::{Item, ResourceRef, Sym};
use crate::source::Loc;

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
    pub(crate) fn known_role(&self) -> Option<&Item> {
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
