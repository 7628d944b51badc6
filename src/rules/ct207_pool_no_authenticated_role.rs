use super::say::Dialect;
use super::{Context, Finding, Findings, declare_rule};
use crate::model::{Assign, AttachmentProps, Model, SlotKind};

declare_rule! {
    /// ## What it does
    /// Finds identity pools with sign-in providers (user pools, social or OIDC/SAML providers, a
    /// developer provider) that have no `authenticated` role and no role mapping.
    ///
    /// ## Why is this bad?
    /// Signed-in users get an identity but no credentials: `GetCredentialsForIdentity` fails
    /// with `InvalidIdentityPoolConfigurationException: Invalid identity pool configuration.
    /// Check assigned IAM roles for this pool.` ("the identity pool has no authenticated role
    /// configured").
    ///
    /// ## Example
    /// ```yaml
    ///       Roles:
    ///         unauthenticated: !GetAtt GuestRole.Arn
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    ///       Roles:
    ///         authenticated: !GetAtt AuthRole.Arn
    ///         unauthenticated: !GetAtt GuestRole.Arn
    /// ```
    ///
    /// ## References
    /// - [GetCredentialsForIdentity](https://docs.aws.amazon.com/cognitoidentity/latest/APIReference/API_GetCredentialsForIdentity.html)
    code: "CT207", name: "pool-no-authenticated-role", severity: Error,
    summary: "providers configured and no authenticated role nor mapping",
    check: check,
}

/// Most condition atoms enumerated when deciding which attachments exist together.
const MAX_ATOMS: usize = 8;

/// For each complete choice of the conditions involved, the attachment variants that target
/// pool `p` and exist under it (the pool's own variant `assign` included); `None` when no
/// scanned attachment targets the pool, so nothing can be said.
pub fn worlds_of<'m>(model: &'m Model, p: usize, assign: &Assign) -> Option<Vec<Vec<&'m AttachmentProps>>> {
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
pub fn has_slot_or_bad_key(a: &AttachmentProps, kind: SlotKind) -> bool {
    a.opaque_roles
        || a.slots.iter().any(|s| s.kind == kind)
        || a.role_keys.iter().any(|(k, _)| k != "authenticated" && k != "unauthenticated")
}

/// Adds the attachments of pool `p` as related places.
pub fn relate_attachments(model: &Model, p: usize, f: &mut Finding) {
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

fn check(cx: &Context, out: &mut Findings) {
    let model = cx.model;
    for (p, pool) in model.pools.iter().enumerate() {
        for variant in &pool.variants {
            let Some(&at) = variant.value.providers.first() else { continue };
            let Some(worlds) = worlds_of(model, p, &variant.assign) else { continue };
            let covers = |a: &&AttachmentProps| {
                a.opaque_mappings || !a.mappings.is_empty() || has_slot_or_bad_key(a, SlotKind::Authenticated)
            };
            if worlds.iter().all(|present| present.iter().any(covers)) {
                continue;
            }
            let f = out.add(
                at,
                &pool.resource,
                format!(
                    "pool `{}` has sign-in providers but no authenticated role nor role mapping: signed-in users get InvalidIdentityPoolConfigurationException",
                    pool.resource.name
                ),
            );
            let say = Dialect::of_file(model, pool.resource.file);
            f.label("users sign in through these providers").help(format!(
                "attach an authenticated role under {} of the pool's role attachment",
                say.slot("authenticated")
            ));
            relate_attachments(model, p, f);
        }
    }
}
