use super::{Context, Findings, declare_rule};
use crate::model::Dialect;
use crate::model::SlotKind;

declare_rule! {
    /// ## What it does
    /// Notes a guest (`unauthenticated`) role attached to a pool that does not allow guests.
    ///
    /// ## Why is this bad?
    /// The role is never used today: guests get `NotAuthorizedException: Unauthenticated access
    /// is not supported for this identity pool.` at `GetId`. It becomes live the moment someone
    /// flips `AllowUnauthenticatedIdentities`, with whatever permissions it has then.
    ///
    /// ## Example
    /// ```yaml
    ///       AllowUnauthenticatedIdentities: false
    ///   ...
    ///       Roles:
    ///         unauthenticated: !GetAtt GuestRole.Arn
    /// ```
    ///
    /// ## Use instead
    /// Remove the guest role from the attachment, or allow guests on purpose.
    ///
    /// ## References
    /// - [Identity pools: guest access](https://docs.aws.amazon.com/cognito/latest/developerguide/identity-pools.html)
    code: "CT208", name: "pool-unused-guest-role", severity: Note,
    summary: "a guest role attached while guests are disallowed",
    check: check,
}

fn check(cx: &Context, out: &mut Findings) {
    let model = cx.model;
    for (a, att) in model.attachments.iter().enumerate() {
        for (v, variant) in att.variants.iter().enumerate() {
            let Some(p) = model.attachment_pools[a][v] else { continue };
            let pool = &model.pools[p];
            let disallowed = pool.variants.iter().find(|pv| {
                pv.value.allow_guests == Some(false) && pv.assign.merge(&variant.assign).is_some()
            });
            let Some(pv) = disallowed else { continue };
            for slot in variant.value.slots.iter().filter(|s| s.kind == SlotKind::Unauthenticated) {
                let f = out.add(
                    slot.key_loc,
                    &att.resource,
                    format!("`{}` attaches a guest role to pool `{}`, which does not allow guests: the role is unused", att.resource.name, pool.resource.name),
                );
                let say = Dialect::of_file(model, pool.resource.file);
                f.label("unused guest role").help(format!(
                    "remove the `unauthenticated` role, or set {} on purpose",
                    say.property("AllowUnauthenticatedIdentities", "true")
                ));
                let loc = pv.value.allow_guests_loc.unwrap_or(pool.resource.loc);
                f.related(loc, "guests are not allowed here", Some(&pool.resource));
            }
        }
    }
}
