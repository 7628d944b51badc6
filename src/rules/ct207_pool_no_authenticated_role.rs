use super::facts::{has_slot_or_bad_key, relate_attachments, worlds_of};
use super::{Context, Findings, declare_rule};
use crate::model::Dialect;
use crate::model::{AttachmentProps, SlotKind};

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
