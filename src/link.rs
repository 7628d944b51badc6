//! Resolves who hands out which role: each attachment slot to its pool and its role, across
//! every scanned file, under consistent condition assignments. A link that cannot be resolved
//! is recorded as [`Unresolved`], never guessed.

use std::collections::{HashMap, HashSet};

use crate::model::{Model, RoleIndex, Slot, SlotKind, Sym, Unresolved, Use};
use crate::source::Loc;

/// Fills `model.uses`, `model.unresolved` and `model.attachment_pools`.
///
/// Work is linear in the variants of each side, not in their product: the pool's variants that
/// fit an attachment variant are found once and kept together in each use, and uses that would
/// tell the rules nothing new (the same slot value handing out the same trust variant in two
/// attachment variants) are kept once.
pub fn link(model: &mut Model) {
    add_group_slots(model);
    let roles = RoleIndex::new(&model.roles);
    let pools = PoolIndex::new(model);
    let mut found = Links::default();
    let mut attachment_pools = Vec::new();
    for (a, att) in model.attachments.iter().enumerate() {
        let mut att_pools = Vec::new();
        for (v, variant) in att.variants.iter().enumerate() {
            let pool_item = variant.value.pool.as_ref();
            let pool = pool_item.and_then(|p| pools.find(&p.value));
            att_pools.push(pool);
            let attached = Attached {
                attachment: a,
                variant: v,
                assign: &variant.assign,
                pool,
                pool_value: pool_item.map(|p| p.value.clone()),
                pool_variants: fitting_pool_variants(model, pool, &variant.assign),
            };
            for (s, slot) in variant.value.slots.iter().enumerate() {
                found.slot(model, &roles, &attached, s, slot);
            }
        }
        attachment_pools.push(att_pools);
    }
    model.has_unresolved_attachment = attachment_pools.iter().flatten().any(Option::is_none);
    model.uses = found.uses;
    model.unresolved = found.unresolved;
    model.attachment_pools = attachment_pools;
}

/// The pool's variants whose condition assignment fits the attachment variant's.
fn fitting_pool_variants(model: &Model, pool: Option<usize>, assign: &crate::model::Assign) -> Vec<usize> {
    match pool {
        Some(p) => model.pools[p]
            .variants
            .iter()
            .enumerate()
            .filter(|(_, pv)| pv.assign.merge(assign).is_some())
            .map(|(i, _)| i)
            .collect(),
        None => Vec::new(),
    }
}

/// An attachment variant and the pool it names, as its slots are linked.
struct Attached<'a> {
    attachment: usize,
    variant: usize,
    assign: &'a crate::model::Assign,
    pool: Option<usize>,
    pool_value: Option<Sym>,
    pool_variants: Vec<usize>,
}

/// What [`link`] finds: the uses, each kept once by what the rules can tell apart, and the
/// slots whose role could not be found.
#[derive(Default)]
struct Links {
    uses: Vec<Use>,
    seen: HashSet<UseKey>,
    unresolved: Vec<Unresolved>,
}

impl Links {
    /// Links slot `s` of an attachment variant: each role it may name, in each trust variant
    /// that fits the attachment's assignment.
    fn slot(&mut self, model: &Model, roles: &RoleIndex, at: &Attached, s: usize, slot: &Slot) {
        for candidate in slot.role.value.alternatives() {
            let role = match find_role(roles, candidate) {
                Ok(role) => role,
                Err(reason) => {
                    let unevaluated = matches!(candidate, Sym::Unevaluated(_));
                    self.unresolved.push(Unresolved {
                        attachment: at.attachment,
                        variant: at.variant,
                        slot: s,
                        reason,
                        unevaluated,
                    });
                    continue;
                }
            };
            for (t, trust) in model.roles[role].trust.iter().enumerate() {
                if trust.assign.merge(at.assign).is_none() {
                    continue;
                }
                let key = UseKey {
                    attachment: at.attachment,
                    kind: slot.kind,
                    at: slot.role.loc,
                    key_at: slot.key_loc,
                    role,
                    trust: t,
                    pool: at.pool,
                    pool_value: at.pool_value.clone(),
                    pool_variants: at.pool_variants.clone(),
                };
                if self.seen.insert(key) {
                    self.uses.push(Use {
                        pool: at.pool,
                        attachment: at.attachment,
                        variant: at.variant,
                        slot: s,
                        role,
                        trust: t,
                        pool_variants: at.pool_variants.clone(),
                    });
                }
            }
        }
    }
}

/// What the rules can tell apart in a use: two uses with the same key give the same findings.
#[derive(PartialEq, Eq, Hash)]
struct UseKey {
    attachment: usize,
    kind: SlotKind,
    at: Loc,
    key_at: Loc,
    role: usize,
    trust: usize,
    pool: Option<usize>,
    pool_value: Option<Sym>,
    pool_variants: Vec<usize>,
}

/// The scanned pools by the value of their ID.
struct PoolIndex {
    by_id: HashMap<Sym, usize>,
}

impl PoolIndex {
    fn new(model: &Model) -> Self {
        let mut by_id = HashMap::new();
        for (i, p) in model.pools.iter().enumerate() {
            by_id.entry(p.id.clone()).or_insert(i);
        }
        PoolIndex { by_id }
    }

    fn find(&self, value: &Sym) -> Option<usize> {
        self.by_id.get(value).copied()
    }
}

/// A `Token` role mapping hands out the roles of the user pool groups of its provider's user
/// pool: each group role becomes a slot of the attachment, checked like the others.
fn add_group_slots(model: &mut Model) {
    for a in 0..model.attachments.len() {
        for v in 0..model.attachments[a].variants.len() {
            let mut slots = Vec::new();
            for mapping in
                model.attachments[a].variants[v].value.mappings.iter().filter(|m| m.kind_is("Token"))
            {
                let Some(user_pool) = user_pool_of(&mapping.provider.value) else { continue };
                for group in model
                    .groups
                    .iter()
                    .filter(|g| g.user_pool.as_ref().and_then(user_pool_of) == Some(user_pool))
                {
                    let Some(role) = &group.role else { continue };
                    slots.push(Slot {
                        kind: SlotKind::Group,
                        key: group.resource.name.clone(),
                        key_loc: group.role_key_loc.unwrap_or(group.resource.loc),
                        role: role.clone(),
                        via: Some(mapping.provider.value.clone()),
                    });
                }
            }
            model.attachments[a].variants[v].value.slots.extend(slots);
        }
    }
}

/// The user pool (file, logical ID) a provider name or user pool ID refers to.
pub(crate) fn user_pool_of(value: &Sym) -> Option<(usize, &str)> {
    let parts: &[Sym] = match value {
        Sym::Concat(parts) => parts,
        other => std::slice::from_ref(other),
    };
    parts.iter().find_map(|p| match p {
        Sym::Attr { file, resource, attr, .. }
            if ["UserPoolId", "ProviderName", "ProviderURL"].contains(&attr.as_str()) =>
        {
            Some((*file, resource.as_str()))
        }
        _ => None,
    })
}

/// The scanned pool whose ID a value denotes.
pub(crate) fn find_pool(model: &Model, value: &Sym) -> Option<usize> {
    model.pools.iter().position(|p| p.id == *value)
}

/// The index of the scanned role a slot value denotes (its ARN; or its name, as `RoleName` or
/// a literal, which CT201 reports), or why it cannot be found.
pub(crate) fn find_role(roles: &RoleIndex, value: &Sym) -> Result<usize, String> {
    match value {
        Sym::Attr { file, resource, attr, .. } => match (roles.of_resource(*file, resource), attr.as_str()) {
            (Some(r), "Arn" | "RoleName") => Ok(r),
            (Some(_), _) => Err(format!("it is `{}`, not the role's ARN", value.describe())),
            (None, _) => Err(format!(
                "it comes from `{}`, which is not an IAM role in the scanned files",
                value.describe()
            )),
        },
        Sym::Lit(text) => match role_name_of_arn(text) {
            Some((path, name)) => roles
                .named(path, name)
                .ok_or_else(|| format!("no scanned template defines a role named `{name}`")),
            None if !text.contains(':') => roles
                .named(None, text)
                .ok_or_else(|| format!("no scanned template defines a role named `{text}`")),
            None => Err(format!("`{text}` is not a role ARN")),
        },
        Sym::Concat(parts) => find_role_in_concat(roles, parts),
        Sym::Param { default: Some(d), .. } => find_role(roles, &Sym::Lit(d.clone())),
        Sym::Param { name, .. } => Err(format!("it comes from parameter `{name}`")),
        Sym::Import(name) => {
            Err(format!("it is imported from {}, which no scanned template exports", name.describe()))
        }
        Sym::Pseudo(p) => Err(format!("it is the pseudo parameter `{p}`")),
        Sym::External(text) => Err(format!("it is `{text}`, which is filled in at deploy time")),
        Sym::Unknown(what) => Err(format!("it comes from {what}")),
        Sym::Unevaluated(what) => Err(format!("it comes from {what}, which cognitrust does not evaluate")),
        Sym::Limit(what) => Err(format!("it could not be evaluated: {what}")),
        Sym::AnyOf(_) => Err(format!("it is {}", value.describe())),
    }
}

/// A hand-built ARN: `arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${Role}` or `…:role/Name`.
fn find_role_in_concat(roles: &RoleIndex, parts: &[Sym]) -> Result<usize, String> {
    match parts {
        [.., Sym::Lit(before), last @ Sym::Attr { attr, .. }]
            if before.contains(":role/") && before.ends_with('/') && attr == "RoleName" =>
        {
            find_role(roles, last)
        }
        [.., Sym::Lit(tail)] if tail.contains(":role/") => {
            let after = tail.rsplit_once(":role/").map(|(_, a)| a).unwrap_or_default();
            let (path, name) = split_path(after);
            roles
                .named(path, name)
                .ok_or_else(|| format!("no scanned template defines a role named `{name}`"))
        }
        _ => Err(format!("it is built as `{}`", Sym::Concat(parts.to_vec()).describe())),
    }
}

/// The path and name of a role ARN `arn:aws:iam::123456789012:role/path/name`.
pub(crate) fn role_name_of_arn(arn: &str) -> Option<(Option<&str>, &str)> {
    let rest = arn.strip_prefix("arn:")?;
    let mut fields = rest.splitn(5, ':');
    let (_partition, service, _region, _account, resource) =
        (fields.next()?, fields.next()?, fields.next()?, fields.next()?, fields.next()?);
    if service != "iam" {
        return None;
    }
    Some(split_path(resource.strip_prefix("role/")?))
}

fn split_path(path_and_name: &str) -> (Option<&str>, &str) {
    match path_and_name.rsplit_once('/') {
        Some((path, name)) => (Some(path), name),
        None => (None, path_and_name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_arns_split_into_path_and_name() {
        assert_eq!(role_name_of_arn("arn:aws:iam::123456789012:role/app/Auth"), Some((Some("app"), "Auth")));
        assert_eq!(role_name_of_arn("arn:aws-us-gov:iam::1:role/Auth"), Some((None, "Auth")));
        assert_eq!(role_name_of_arn("arn:aws:s3:::bucket"), None);
    }
}
