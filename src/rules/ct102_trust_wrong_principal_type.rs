use super::say::Dialect;
use super::{Context, Findings, declare_rule};
use crate::fix::{Change, Fix};
use crate::iam::{COGNITO_PRINCIPALS, WEB_IDENTITY, allows_action, cognito_allows};
use crate::model::{Effect, PrincipalEntry, Statement, Sym, Tri};

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

/// The first principal entry of an Allow statement that looks like a Cognito principal
/// written the wrong way.
pub fn near_miss(statements: &[Statement]) -> Option<(&Statement, &PrincipalEntry, &'static str)> {
    if cognito_allows(statements).next().is_some() {
        return None;
    }
    statements
        .iter()
        .filter(|s| s.effect == Effect::Allow)
        .flat_map(|s| s.principal.iter().flat_map(move |p| p.entries.iter().map(move |e| (s, e))))
        .find_map(|(s, e)| why_near_miss(e).map(|why| (s, e, why)))
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
        match super::ct103_trust_wrong_action::action_change(st) {
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
