//! The linked model the rules read: identity pools, role attachments and their slots, roles with
//! their trust policies, and the uses that tie a role to the pool that hands it out. Front ends
//! fill it; rules only read it. Every value keeps the place it was written.

mod assign;
mod coverage;
mod dialect;
mod places;
mod policy;
mod pool;
mod role;
mod sym;
mod user_pool;

pub use assign::{ATOM_VALUE, Assign, Variant};
pub use coverage::Coverage;
pub use dialect::Dialect;
pub use places::{Places, ResourceSuppression};
pub use policy::{Condition, Effect, Policy, PolicyForm, Principal, PrincipalEntry, Statement, UNKNOWN_KEY};
pub use pool::{
    Attachment, AttachmentProps, Mapping, MappingRule, Pool, PoolProps, ProviderName, Slot, SlotKind,
};
pub use role::{Role, RoleIndex};
pub use sym::{Item, Lang, MAX_VALUE_BYTES, Sym, Tri};
pub use user_pool::{Client, Group, PrincipalTag, STANDARD_ATTRIBUTES, UserPool};

use crate::source::{FileId, Loc};

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
    /// What only reports and suppressions read, never a rule's check.
    pub places: Places,
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
    pub dialects: Vec<Dialect>,
}

impl Model {
    /// Whether `file` lies in the folder of `of`, or below it: the one project a value that
    /// cannot be read may speak for. Unrelated projects of a monorepo sit in folders beside
    /// each other.
    pub(crate) fn same_project(&self, of: FileId, file: FileId) -> bool {
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

impl Model {
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
            places,
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
        self.places.append(places);
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
    pub(crate) fn pool_props(&self, u: &Use) -> Vec<&PoolProps> {
        let Some(pool) = u.pool else { return Vec::new() };
        u.pool_variants.iter().map(|&v| &self.pools[pool].variants[v].value).collect()
    }
}
