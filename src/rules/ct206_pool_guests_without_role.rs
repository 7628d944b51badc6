use super::{Context, Findings, declare_rule};
use crate::model::Dialect;
use crate::model::SlotKind;

declare_rule! {
    /// ## What it does
    /// Finds identity pools that allow guests (`AllowUnauthenticatedIdentities: true`) while no
    /// attachment gives them an `unauthenticated` role.
    ///
    /// ## Why is this bad?
    /// Guests get an identity but no credentials: `GetCredentialsForIdentity` fails with
    /// `InvalidIdentityPoolConfigurationException: Invalid identity pool configuration. Check
    /// assigned IAM roles for this pool.` ("the identity pool has no unauthenticated role
    /// configured").
    ///
    /// ## Example
    /// ```yaml
    ///   IdentityPool:
    ///     Properties:
    ///       AllowUnauthenticatedIdentities: true
    ///   IdentityPoolRoles:
    ///     Properties:
    ///       Roles:
    ///         authenticated: !GetAtt AuthRole.Arn
    /// ```
    ///
    /// ## Use instead
    /// Attach a guest role (`unauthenticated: !GetAtt GuestRole.Arn`), or set
    /// `AllowUnauthenticatedIdentities: false`.
    ///
    /// ## References
    /// - [GetCredentialsForIdentity](https://docs.aws.amazon.com/cognitoidentity/latest/APIReference/API_GetCredentialsForIdentity.html)
    code: "CT206", name: "pool-guests-without-role", severity: Error,
    summary: "guests allowed and no unauthenticated role",
    check: check,
}

fn check(cx: &Context, out: &mut Findings) {
    let model = cx.model;
    for (p, pool) in model.pools.iter().enumerate() {
        for variant in &pool.variants {
            if variant.value.allow_guests != Some(true) {
                continue;
            }
            let Some(worlds) = super::facts::worlds_of(model, p, &variant.assign) else {
                continue;
            };
            let covers = |a: &&crate::model::AttachmentProps| {
                super::facts::has_slot_or_bad_key(a, SlotKind::Unauthenticated)
            };
            if worlds.iter().all(|present| present.iter().any(covers)) {
                continue;
            }
            let at = variant.value.allow_guests_loc.unwrap_or(pool.resource.loc);
            let f = out.add(
                at,
                &pool.resource,
                format!("pool `{}` allows guests but no unauthenticated role is attached to it: guests get InvalidIdentityPoolConfigurationException", pool.resource.name),
            );
            let say = Dialect::of_file(model, pool.resource.file);
            f.label("guests allowed here").help(format!(
                "attach a guest role under {} of the pool's role attachment, or set {}",
                say.slot("unauthenticated"),
                say.property("AllowUnauthenticatedIdentities", "false")
            ));
            super::facts::relate_attachments(model, p, f);
        }
    }
}
