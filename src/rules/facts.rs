//! Facts that several rules ask of the model, kept here rather than in one rule's file: which
//! attachments of a pool exist together, which keys are misspelled, which principals are near
//! misses of Cognito's, which trusts are rewritten at deploy time.

use super::Finding;
use crate::iam::request::{KeyKind, key_kind};
use crate::iam::{COGNITO_PRINCIPALS, cognito_allows};
use crate::model::{
    Assign, AttachmentProps, Effect, Model, Policy, PrincipalEntry, Role, SlotKind, Statement, Sym,
};

/// Most condition atoms enumerated when deciding which attachments exist together.
const MAX_ATOMS: usize = 8;

/// For each complete choice of the conditions involved, the attachment variants that target
/// pool `p` and exist under it (the pool's own variant `assign` included); `None` when no
/// scanned attachment targets the pool, so nothing can be said.
pub(crate) fn worlds_of<'m>(
    model: &'m Model,
    p: usize,
    assign: &Assign,
) -> Option<Vec<Vec<&'m AttachmentProps>>> {
    let mut targeting: Vec<&'m crate::model::Variant<AttachmentProps>> = Vec::new();
    for (a, att) in model.attachments.iter().enumerate() {
        for (v, variant) in att.variants.iter().enumerate() {
            if model.attachment_pools[a][v] == Some(p) && variant.assign.merge(assign).is_some() {
                targeting.push(variant);
            }
        }
    }
    // A pool no scanned attachment targets gets its roles elsewhere (another stack or module,
    // the console): nothing can be said.
    if targeting.is_empty() {
        return None;
    }
    let mut atoms: Vec<&str> =
        targeting.iter().flat_map(|v| v.assign.0.iter().map(|(a, _)| a.as_str())).collect();
    atoms.retain(|a| assign.0.iter().all(|(b, _)| b != a));
    atoms.sort_unstable();
    atoms.dedup();
    if atoms.len() > MAX_ATOMS {
        return Some(vec![targeting.iter().map(|v| &v.value).collect()]);
    }
    let mut worlds = Vec::new();
    for bits in 0..(1u32 << atoms.len()) {
        let ext =
            Assign(atoms.iter().enumerate().map(|(i, a)| (a.to_string(), bits & (1 << i) != 0)).collect());
        let Some(world) = assign.merge(&ext) else { continue };
        let present = targeting
            .iter()
            .filter(|v| v.assign.0.iter().all(|(a, val)| world.0.iter().any(|(w, wv)| w == a && wv == val)))
            .map(|v| &v.value)
            .collect();
        worlds.push(present);
    }
    Some(worlds)
}

/// Whether an attachment has a slot of `kind`, or a `Roles` key CT205 reports (the deploy
/// fails on it first; saying the role is missing too would be noise).
pub(crate) fn has_slot_or_bad_key(a: &AttachmentProps, kind: SlotKind) -> bool {
    a.opaque_roles
        || a.slots.iter().any(|s| s.kind == kind)
        || a.role_keys.iter().any(|(k, _)| k != "authenticated" && k != "unauthenticated")
}

/// Adds the attachments of pool `p` as related places.
pub(crate) fn relate_attachments(model: &Model, p: usize, f: &mut Finding) {
    for (a, att) in model.attachments.iter().enumerate() {
        for (v, variant) in att.variants.iter().enumerate() {
            if model.attachment_pools[a][v] == Some(p) {
                let loc = variant.value.roles_loc.unwrap_or(att.resource.loc);
                f.related(
                    loc,
                    format!("roles of pool `{}` are attached here", model.pools[p].resource.name),
                    Some(&att.resource),
                );
            }
        }
    }
}

/// Whether a condition key ends in `:aud` or `:amr` under a namespace that is not Cognito's.
pub(crate) fn misspelled(st: &Statement, name: &str) -> bool {
    st.conditions.iter().any(|c| {
        key_kind(&c.key) == KeyKind::Other
            && c.key.rsplit_once(':').is_some_and(|(_, n)| n.eq_ignore_ascii_case(name))
    })
}

/// Whether the role's trust is Deny-only as written and another resource rewrites it at
/// deploy time.
pub(crate) fn rewritten_at_deploy(role: &Role, policy: &Policy) -> bool {
    role.rewritten_by.is_some() && policy.statements.iter().all(|s| s.effect != Effect::Allow)
}

/// The first principal entry of an Allow statement that looks like a Cognito principal
/// written the wrong way.
pub(crate) fn near_miss(statements: &[Statement]) -> Option<(&Statement, &PrincipalEntry, &'static str)> {
    if cognito_allows(statements).next().is_some() {
        return None;
    }
    statements
        .iter()
        .filter(|s| s.effect == Effect::Allow)
        .flat_map(|s| s.principal.iter().flat_map(move |p| p.entries.iter().map(move |e| (s, e))))
        .find_map(|(s, e)| why_near_miss(e).map(|why| (s, e, why)))
}

fn why_near_miss(e: &PrincipalEntry) -> Option<&'static str> {
    let value = match &e.value {
        Sym::Lit(v) => v.clone(),
        // `!Sub arn:${AWS::Partition}:iam::${AWS::AccountId}:oidc-provider/…`: its literal text.
        Sym::Concat(parts) => parts.iter().filter_map(Sym::as_lit).collect(),
        _ => return None,
    };
    let cognito = COGNITO_PRINCIPALS.contains(&value.as_str());
    match e.kind.as_str() {
        "Service" | "AWS" if cognito => {
            Some("the identity-pool principal is a federated principal, not a service")
        }
        "Service" | "Federated" if value.starts_with("cognito-idp") => Some(
            "`cognito-idp` is the user-pool service; identity pools assume roles as `cognito-identity.amazonaws.com`",
        ),
        "Federated" if value.contains(":oidc-provider/") => Some(
            "an OIDC provider is trusted directly; the identity pool issues its own token as `cognito-identity.amazonaws.com`",
        ),
        "Federated" if value.starts_with("cognito-identity") => {
            Some("this is not the identity-pool principal")
        }
        _ => None,
    }
}
