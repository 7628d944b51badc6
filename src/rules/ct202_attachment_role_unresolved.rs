use super::{Context, Findings, declare_rule};
use crate::link::user_pool_of;
use crate::model::{Model, SlotKind, Sym};

declare_rule! {
    /// ## What it does
    /// Says which attached roles could not be found among the scanned inputs (a parameter, a
    /// literal ARN of a role defined elsewhere, an import no scanned template exports), so their
    /// trust policies were not checked; likewise a `Token` role mapping whose user pool is not
    /// among the scanned inputs (the roles of its groups were not checked), and a `roles` map a
    /// plan computes (which role fills which slot is not known).
    ///
    /// ## Why is this bad?
    /// It is not bad by itself: it is a gap in what cognitrust could verify. Scan the stack or
    /// module that defines the role together with this one to have its trust checked.
    ///
    /// ## Example
    /// ```yaml
    ///       Roles:
    ///         authenticated: !Ref AuthRoleArn   # a parameter
    /// ```
    ///
    /// ## Use instead
    /// Scan both templates in one run (`cognitrust scan infra/`), or define the role in the same
    /// template and use `!GetAtt AuthRole.Arn`.
    ///
    /// ## References
    /// - [Role trust and permissions](https://docs.aws.amazon.com/cognito/latest/developerguide/role-trust-and-permissions.html)
    code: "CT202", name: "attachment-role-unresolved", severity: Note,
    summary: "the role is not in the scanned inputs, so its trust was not checked",
    check: check,
}

fn check(cx: &Context, out: &mut Findings) {
    let model = cx.model;
    for un in &model.unresolved {
        let att = &model.attachments[un.attachment];
        let slot = &att.variants[un.variant].value.slots[un.slot];
        if matches!(&slot.role.value, Sym::Lit(s) if !s.contains(':')) {
            continue; // a role name: CT201 says more
        }
        if slot.role.value.limit().is_some() || un.unevaluated {
            continue; // evaluation stopped at a limit, or met what it does not read: CT901 says so
        }
        let f = out.add(
            slot.role.loc,
            &att.resource,
            format!("the {} of `{}` was not checked: {}", slot.kind.describe(), att.resource.name, un.reason),
        );
        f.label("role not among the scanned inputs").help(
            "scan the template or module that defines this role in the same run to have its trust checked",
        );
    }
    token_mappings_of_unscanned_user_pools(model, out);
    computed_roles(model, out);
}

/// A `Token` mapping hands out the roles of its user pool's groups: when that user pool is not
/// among the scanned files, those roles were not checked either.
fn token_mappings_of_unscanned_user_pools(model: &Model, out: &mut Findings) {
    let mut noted = std::collections::HashSet::new();
    for att in &model.attachments {
        for m in att.variants.iter().flat_map(|v| &v.value.mappings).filter(|m| m.kind_is("Token")) {
            // A provider the scan does not evaluate is CT901's.
            if user_pool_of(&m.provider.value).is_some()
                || m.provider.value.unevaluated().is_some()
                || !noted.insert(m.provider.loc)
            {
                continue;
            }
            let f = out.add(
                m.provider.loc,
                &att.resource,
                format!(
                    "the roles of the user pool groups that the `Token` mapping `{}` of `{}` hands out were not checked: its provider, {}, is not a user pool of the scanned files",
                    m.key,
                    att.resource.name,
                    m.provider.value.describe()
                ),
            );
            f.label("user pool not among the scanned inputs")
                .help("scan the template or module that defines the user pool and its groups in the same run to have their roles checked");
        }
    }
}

/// An attachment whose roles map is computed: which role fills which slot is not known.
fn computed_roles(model: &Model, out: &mut Findings) {
    for att in &model.attachments {
        for variant in att.variants.iter().filter(|v| v.value.opaque_roles) {
            let at = variant.value.roles_loc.unwrap_or(att.resource.loc);
            let reached: Vec<String> = variant
                .value
                .slots
                .iter()
                .filter(|s| s.kind == SlotKind::Unknown)
                .map(|s| s.role.value.describe())
                .collect();
            let message = if reached.is_empty() {
                format!(
                    "the roles of `{}` are computed, so which role each slot gets, and its trust, were not checked",
                    att.resource.name
                )
            } else {
                format!(
                    "the roles of `{}` are computed, so which role fills which slot is not known: the checks that depend on the slot (`amr`: CT109, CT110, CT401) were skipped; the other trust checks ran on the roles it refers to: {}",
                    att.resource.name,
                    reached.join(", ")
                )
            };
            let f = out.add(at, &att.resource, message);
            f.label("roles not known statically").help(
                "write the roles map with literal `authenticated`/`unauthenticated` keys, or scan the .tf sources with the plan",
            );
        }
    }
}
