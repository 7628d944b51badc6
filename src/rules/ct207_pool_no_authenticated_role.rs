use super::{Finding, Findings, declare_rule};
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

/// The attachment variants that target pool `p` under an assignment compatible with `assign`;
/// `None` when some attachment's pool is unknown and could be this one (nothing can be said).
pub fn attachments_of<'m>(model: &'m Model, p: usize, assign: &Assign) -> Option<Vec<&'m AttachmentProps>> {
    let mut out = Vec::new();
    for (a, att) in model.attachments.iter().enumerate() {
        for (v, variant) in att.variants.iter().enumerate() {
            if model.attachment_pools[a][v] == Some(p) && variant.assign.merge(assign).is_some() {
                out.push(&variant.value);
            }
        }
    }
    if out.is_empty() && model.has_unresolved_attachment {
        return None;
    }
    Some(out)
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

fn check(model: &Model, out: &mut Findings) {
    for (p, pool) in model.pools.iter().enumerate() {
        for variant in &pool.variants {
            let Some(&at) = variant.value.providers.first() else { continue };
            let Some(attached) = attachments_of(model, p, &variant.assign) else { continue };
            let covered = attached
                .iter()
                .any(|a| !a.mappings.is_empty() || a.slots.iter().any(|s| s.kind == SlotKind::Authenticated));
            if covered {
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
            f.label("users sign in through these providers")
                .help("attach an authenticated role under `Roles: {authenticated: ...}` of the pool's role attachment");
            relate_attachments(model, p, f);
        }
    }
}
