//! Views over the model that most rules share, built once per scan in a [`Context`]: a role
//! as a pool hands it out ([`PoolRole`]), and a role whose trust names the Cognito principal or
//! that a pool hands out ([`TrustedRole`]).

use std::collections::HashMap;

use super::Finding;
use crate::iam::{CognitoRequest, cognito_allows};
use crate::model::{
    Assign, Attachment, Model, Policy, Pool, PoolProps, Role, RoleIndex, Slot, SlotKind, Statement, Sym, Use,
};
use crate::source::Loc;

/// What every rule reads: the linked model, and the views of it that several rules share,
/// computed once instead of by each rule.
pub struct Context<'m> {
    pub model: &'m Model,
    /// Each use of `model.uses` as a [`PoolRole`], in order; `None` where the role has no trust
    /// policy.
    pub pool_roles: Vec<Option<PoolRole<'m>>>,
    /// Every trust variant that names the Cognito principal or that a pool hands out.
    pub trusted: Vec<TrustedRole<'m>>,
    /// The roles by resource and by name.
    pub roles: RoleIndex<'m>,
    /// For each trust policy a pool hands roles out through (by its place), whether signed-in
    /// users and whether guests get it.
    pub served: HashMap<Loc, (bool, bool)>,
}

impl<'m> Context<'m> {
    pub fn new(model: &'m Model) -> Context<'m> {
        let pool_roles: Vec<Option<PoolRole<'m>>> = PoolRole::all_with_unusable(model).collect();
        let mut served: HashMap<Loc, (bool, bool)> = HashMap::new();
        for pr in pool_roles.iter().flatten() {
            let (signed_in, guests) = served.entry(pr.policy.loc).or_default();
            if pr.slot.kind.is_authenticated() {
                *signed_in = true;
            } else {
                *guests = true;
            }
        }
        Context {
            model,
            pool_roles,
            trusted: TrustedRole::all(model),
            roles: RoleIndex::new(&model.roles),
            served,
        }
    }

    /// Whether every slot that hands out a role trusting through `policy` serves the identities
    /// `kind` does (signed-in users or guests): an `amr` written for one kind would refuse the
    /// other. Roles that share one policy document (a Terraform data source) count together.
    pub(crate) fn serves_only(&self, policy: &Policy, kind: SlotKind) -> bool {
        let (signed_in, guests) = self.served.get(&policy.loc).copied().unwrap_or_default();
        if kind.is_authenticated() { !guests } else { !signed_in }
    }

    /// The uses whose role has a trust policy, in order.
    pub(crate) fn pool_roles(&self) -> impl Iterator<Item = &PoolRole<'m>> {
        self.pool_roles.iter().flatten()
    }
}

/// A role handed out through one slot of one attachment, with the trust variant that applies.
pub struct PoolRole<'m> {
    pub slot: &'m Slot,
    pub role: &'m Role,
    pub policy: &'m Policy,
    pub pool: Option<&'m Pool>,
    /// The shapes of the pool that may go with this use.
    pub pool_props: Vec<&'m PoolProps>,
    pub attachment: &'m Attachment,
    /// The attachment's `IdentityPoolId` value (the pool's ID even when it is not a resource).
    pub pool_id: Option<&'m Sym>,
}

impl<'m> PoolRole<'m> {
    pub fn all(model: &'m Model) -> impl Iterator<Item = PoolRole<'m>> {
        model.uses.iter().filter_map(move |u| PoolRole::of(model, u))
    }

    /// One entry per use of `model.uses`, in order: `None` where the role has no trust policy.
    pub(crate) fn all_with_unusable(model: &'m Model) -> impl Iterator<Item = Option<PoolRole<'m>>> {
        model.uses.iter().map(move |u| PoolRole::of(model, u))
    }

    fn of(model: &'m Model, u: &Use) -> Option<PoolRole<'m>> {
        Some(PoolRole {
            slot: model.slot(u),
            role: &model.roles[u.role],
            policy: model.trust(u)?,
            pool: u.pool.map(|p| &model.pools[p]),
            pool_props: model.pool_props(u),
            attachment: &model.attachments[u.attachment],
            pool_id: model.attachments[u.attachment].variants[u.variant]
                .value
                .pool
                .as_ref()
                .map(|p| &p.value)
                .filter(|v| could_be_pool_id(v)),
        })
    }

    pub fn request(&self) -> CognitoRequest<'m> {
        CognitoRequest { pool: self.pool.map(|p| &p.id).or(self.pool_id), slot: self.slot.kind }
    }

    /// "pool `IdentityPool`", or the attachment when the pool is not in the scan.
    pub(crate) fn pool_name(&self) -> String {
        match (self.pool, self.pool_id) {
            (Some(p), _) => format!("pool `{}`", p.resource.name),
            (None, Some(Sym::Lit(id))) => format!("pool \"{id}\""),
            (None, _) => format!("the pool of `{}`", self.attachment.resource.name),
        }
    }

    /// How a help text in the role's own template writes the pool's ID.
    pub(crate) fn pool_id_text(&self) -> String {
        match (self.pool, self.pool_id) {
            (Some(p), _) if p.resource.file == self.role.resource.file => p.id_text.clone(),
            (Some(p), _) => format!("<the ID of pool `{}`>", p.resource.name),
            (None, Some(Sym::Lit(id))) => format!("\"{id}\""),
            _ => "<identity pool ID>".to_string(),
        }
    }

    /// "the authenticated role of pool `IdentityPool`".
    pub(crate) fn role_of_pool(&self) -> String {
        format!("the {} of {}", self.slot.kind.describe(), self.pool_name())
    }

    /// Adds the slot that hands the role out as a related place.
    pub(crate) fn relate_slot(&self, f: &mut Finding) {
        let message = match self.pool {
            Some(p) => format!("attached to pool `{}` as its {}", p.resource.name, self.slot.kind.describe()),
            None => format!("attached here as the {}", self.slot.kind.describe()),
        };
        f.related(self.slot.role.loc, message, Some(&self.attachment.resource));
    }

    /// The Cognito Allow statements of the trust.
    pub(crate) fn cognito_allows(&self) -> impl Iterator<Item = &'m Statement> {
        cognito_allows(&self.policy.statements)
    }
}

/// A role's trust variant that names the Cognito principal or that some pool hands out, with
/// the slots that hand it out.
pub struct TrustedRole<'m> {
    pub role: &'m Role,
    /// The condition assignment of this trust variant.
    pub assign: &'m Assign,
    pub policy: &'m Policy,
    pub uses: Vec<PoolRole<'m>>,
}

impl<'m> TrustedRole<'m> {
    pub fn all(model: &'m Model) -> Vec<TrustedRole<'m>> {
        let mut by_trust: HashMap<(usize, usize), Vec<PoolRole>> = HashMap::new();
        for u in &model.uses {
            if let Some(pr) = PoolRole::of(model, u) {
                by_trust.entry((u.role, u.trust)).or_default().push(pr);
            }
        }
        let mut out = Vec::new();
        for (r, role) in model.roles.iter().enumerate() {
            for (t, trust) in role.trust.iter().enumerate() {
                let Some(policy) = &trust.value else { continue };
                let uses = by_trust.remove(&(r, t)).unwrap_or_default();
                if uses.is_empty() && cognito_allows(&policy.statements).next().is_none() {
                    continue;
                }
                out.push(TrustedRole { role, assign: &trust.assign, policy, uses });
            }
        }
        out
    }

    pub(crate) fn cognito_allows(&self) -> impl Iterator<Item = &'m Statement> {
        cognito_allows(&self.policy.statements)
    }

    /// Adds every slot that hands the role out as a related place.
    pub(crate) fn relate_uses(&self, f: &mut Finding) {
        for u in &self.uses {
            u.relate_slot(f);
        }
    }

    /// How a help text writes the pool's ID: the handing-out pool's reference when there is
    /// exactly one, else a placeholder.
    pub(crate) fn pool_id_text(&self) -> String {
        let mut pools = self.uses.iter().filter_map(|u| u.pool);
        match (pools.next(), pools.next()) {
            (Some(p), None) if p.resource.file == self.role.resource.file => p.id_text.clone(),
            (Some(p), None) => format!("<the ID of pool `{}`>", p.resource.name),
            _ => "<identity pool ID>".to_string(),
        }
    }
}

/// Whether an attachment's `IdentityPoolId` value may be a pool ID itself (a literal ID, a
/// parameter, an import): a wrong attribute is CT204's, not a pool to compare trusts with.
fn could_be_pool_id(value: &Sym) -> bool {
    match value {
        Sym::Lit(s) => crate::iam::request::looks_like_pool_id(s),
        Sym::Param { .. } | Sym::Import(_) | Sym::External(_) => true,
        _ => false,
    }
}
