use super::facts::near_miss;
use super::{Context, Findings, declare_rule};
use crate::fix::{Change, Fix};
use crate::iam::{WEB_IDENTITY, allows_action};
use crate::model::Dialect;
use crate::model::{PrincipalEntry, Statement, Tri};

declare_rule! {
    /// ## What it does
    /// Finds pool roles whose trust names Cognito the wrong way: `Service` or `AWS`
    /// `cognito-identity.amazonaws.com`, the user-pool principal `cognito-idp.amazonaws.com`,
    /// or an OIDC provider ARN, instead of `Federated: cognito-identity.amazonaws.com`.
    ///
    /// ## Why is this bad?
    /// IAM accepts these policies, so the stack deploys, but the identity pool assumes roles as
    /// the federated principal `cognito-identity.amazonaws.com`; nothing else matches. Users get
    /// `InvalidIdentityPoolConfigurationException: Invalid identity pool configuration. Check
    /// assigned IAM roles for this pool.`
    ///
    /// ## Example
    /// ```yaml
    ///       Principal: {Service: cognito-identity.amazonaws.com}
    ///       Action: sts:AssumeRoleWithWebIdentity
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    ///       Principal: {Federated: cognito-identity.amazonaws.com}
    ///       Action: sts:AssumeRoleWithWebIdentity
    /// ```
    ///
    /// ## References
    /// - [Role trust and permissions](https://docs.aws.amazon.com/cognito/latest/developerguide/role-trust-and-permissions.html)
    /// - aws-amplify/amplify-js#741 (an OIDC provider ARN as the principal)
    code: "CT102", name: "trust-wrong-principal-type", severity: Error,
    summary: "a near miss instead of the Cognito principal: `Service`/`AWS` cognito-identity, `cognito-idp`, an OIDC provider ARN",
    fix: "writes `Federated` for a `Service` or `AWS` identity-pool principal, and `sts:AssumeRoleWithWebIdentity` for its action",
    check: check,
}

/// `Service` or `AWS` becomes `Federated`, with the action `sts:AssumeRoleWithWebIdentity`, when
/// every principal of the statement is the identity-pool principal: a key that also names
/// other services would move them too.
fn fix(st: &Statement, entry: &PrincipalEntry) -> Option<Fix> {
    if !matches!(entry.kind.as_str(), "Service" | "AWS") {
        return None;
    }
    let title = "write `Federated: cognito-identity.amazonaws.com`".to_string();
    let only_cognito = st.principal.as_ref().is_some_and(|p| {
        !p.wildcard && p.entries.iter().all(|e| crate::iam::is_cognito_principal(&e.value) == Tri::Yes)
    });
    if !only_cognito {
        return Some(Fix::uncertain(
            title,
            "the statement trusts other principals too: give identity pools a statement of their own",
        ));
    }
    let mut changes = Vec::new();
    for e in st.principal.iter().flat_map(|p| &p.entries).filter(|e| e.kind != "Federated") {
        let change = Change::Text { at: e.kind_loc, from: e.kind.clone(), to: "Federated".into() };
        if !changes.contains(&change) {
            changes.push(change);
        }
    }
    if changes.len() > 1 {
        return Some(Fix::uncertain(
            title,
            "the principal names the identity pools under several keys: keep one `Federated` key",
        ));
    }
    if !st.not_action && allows_action(st, WEB_IDENTITY) != Tri::Yes {
        match super::fixes::action_change(st) {
            Some(action) => changes.push(action),
            None => {
                return Some(Fix::uncertain(
                    title,
                    "the statement's action must become `sts:AssumeRoleWithWebIdentity` too",
                ));
            }
        }
    }
    Some(Fix::new(title, changes).within(st.loc))
}

fn check(cx: &Context, out: &mut Findings) {
    let model = cx.model;
    for pr in cx.pool_roles() {
        let Some((st, entry, why)) = near_miss(&pr.policy.statements) else { continue };
        let f = out.add(
            entry.loc,
            &pr.role.resource,
            format!(
                "role `{}` is {} but trusts `{}: {}` instead of `Federated: cognito-identity.amazonaws.com`",
                pr.role.resource.name,
                pr.role_of_pool(),
                entry.kind,
                Dialect::of_policy(model, pr.policy).describe(&entry.value).trim_matches('"')
            ),
        );
        if let Some(fix) = fix(st, entry) {
            f.fix(fix);
        }
        let say = Dialect::of_policy(model, pr.policy);
        f.label(why).help(format!(
            "write {} with {}; until then users get InvalidIdentityPoolConfigurationException",
            say.principal(),
            say.action()
        ));
        pr.relate_slot(f);
    }
}
