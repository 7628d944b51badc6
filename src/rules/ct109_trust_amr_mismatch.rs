use super::{Context, Findings, PoolRole, declare_rule};
use crate::fix::{Change, Fix};
use crate::iam::request::{KeyKind, condition_admits, key_kind_in};
use crate::iam::{WEB_IDENTITY, allows_action};
use crate::model::Dialect;
use crate::model::{Condition, SlotKind, Tri};

declare_rule! {
    /// ## What it does
    /// Checks that the `cognito-identity.amazonaws.com:amr` condition admits the identities of
    /// the slot the role is used in: `unauthenticated` for the guest role, `authenticated` for
    /// the authenticated role and for role-mapping rules.
    ///
    /// ## Why is this bad?
    /// Cognito sets `amr` to `unauthenticated` for guests and to `authenticated` (plus the
    /// providers used) for signed-in users. A guest role that admits only `authenticated` (or
    /// one role put in both slots with one value) fails for one kind of identity with
    /// `InvalidIdentityPoolConfigurationException: Invalid identity pool configuration. Check
    /// assigned IAM roles for this pool.`
    ///
    /// ## Example
    /// ```yaml
    ///   IdentityPoolRoles:
    ///     Properties:
    ///       Roles:
    ///         unauthenticated: !GetAtt GuestRole.Arn   # GuestRole's trust says amr: authenticated
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    ///             "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": unauthenticated}
    /// ```
    ///
    /// ## References
    /// - [Role trust and permissions](https://docs.aws.amazon.com/cognito/latest/developerguide/role-trust-and-permissions.html)
    /// - amazon-archives/amazon-cognito-auth-js#196, aws-amplify/amplify-backend#625
    code: "CT109", name: "trust-amr-mismatch", severity: Error,
    summary: "`amr` does not admit the slot the role is used in",
    fix: "writes the `amr` value of the slot when the role serves only that kind of identity",
    check: check,
}

/// The one `amr` value written becomes the slot's, when every slot that hands the role out
/// serves the same identities; a condition that lists several values, or that admits the slot
/// but under the wrong operator (CT111's), is left alone.
fn fix(cx: &Context, pr: &PoolRole, c: &Condition, wanted: &str) -> Option<Fix> {
    let [value] = c.values.as_slice() else { return None };
    let from = value.value.as_lit()?;
    if from.eq_ignore_ascii_case(wanted) {
        return None;
    }
    let title = format!("write `{wanted}`");
    if !cx.serves_only(pr.policy, pr.slot.kind) {
        return Some(Fix::uncertain(
            title,
            "the trust serves both signed-in users and guests: give each slot a role and trust of its own",
        ));
    }
    Some(
        Fix::new(title, vec![Change::Text { at: value.loc, from: from.to_string(), to: wanted.to_string() }])
            .within(pr.policy.loc),
    )
}

fn check(cx: &Context, out: &mut Findings) {
    let model = cx.model;
    for pr in cx.pool_roles() {
        let request = pr.request();
        let statements: Vec<_> =
            pr.cognito_allows().filter(|s| allows_action(s, WEB_IDENTITY) != Tri::No).collect();
        // The role fails for this slot only when every statement refuses it on `amr`.
        let mut refusing: Option<&Condition> = None;
        let mut all_refuse = !statements.is_empty();
        for st in &statements {
            let amr: Vec<&Condition> =
                st.conditions.iter().filter(|c| key_kind_in(st, &c.key) == KeyKind::Amr).collect();
            match amr.iter().find(|c| condition_admits(st, c, &request) == Tri::No) {
                Some(c) => refusing = refusing.or(Some(c)),
                None => all_refuse = false,
            }
        }
        let (true, Some(c)) = (all_refuse, refusing) else { continue };
        let wanted =
            if pr.slot.kind == SlotKind::Unauthenticated { "unauthenticated" } else { "authenticated" };
        let values: Vec<String> = c.values.iter().map(|v| v.value.describe()).collect();
        let all_values = crate::iam::request::Operator::parse(&c.operator).set
            == Some(crate::iam::request::SetOp::ForAllValues);
        let why = if all_values && pr.slot.kind.is_authenticated() {
            "uses ForAllValues, which fails because a signed-in user's `amr` also lists the providers"
                .to_string()
        } else {
            format!("admits only {}", values.join(", "))
        };
        let f = out.add(
            c.values_loc,
            &pr.role.resource,
            format!(
                "role `{}` is {} but its `amr` condition {why}: `{wanted}` identities are refused",
                pr.role.resource.name,
                pr.role_of_pool(),
            ),
        );
        let say = Dialect::of_policy(model, pr.policy);
        if let Some(fix) = fix(cx, pr, c, wanted) {
            f.fix(fix);
        }
        f.label(format!("{wanted} identities are refused here")).help(format!(
            "use {}, or give this slot a role of its own; until then these users get InvalidIdentityPoolConfigurationException",
            say.amr(wanted)
        ));
        pr.relate_slot(f);
    }
}
