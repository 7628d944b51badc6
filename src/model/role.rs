//! IAM roles with their trust and permission policies, and the index that finds them by the
//! resource that defines them or by name.

use std::collections::HashMap;

use super::{Item, Policy, ResourceRef, Sym, Variant};
use crate::source::FileId;

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
    pub(crate) fn of_resource(&self, file: FileId, name: &str) -> Option<usize> {
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
