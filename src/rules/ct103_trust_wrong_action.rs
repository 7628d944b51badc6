use super::fixes::action_change;
use super::{Context, Findings, declare_rule};
use crate::fix::Fix;
use crate::iam::{WEB_IDENTITY, allows_action, trusts_only_cognito};
use crate::model::Dialect;
use crate::model::{Statement, Tri};

declare_rule! {
    /// ## What it does
    /// Checks that a statement trusting `cognito-identity.amazonaws.com` allows
    /// `sts:AssumeRoleWithWebIdentity`.
    ///
    /// ## Why is this bad?
    /// Identity pools obtain credentials only through `sts:AssumeRoleWithWebIdentity`. A trust
    /// that allows `sts:AssumeRole` (the default action of CDK's `FederatedPrincipal`) deploys,
    /// then every user gets `InvalidIdentityPoolConfigurationException: Invalid identity pool
    /// configuration. Check assigned IAM roles for this pool.` IAM Access Analyzer reports it as
    /// `MISMATCHED_ACTION_FOR_PRINCIPAL`.
    ///
    /// ## Example
    /// ```yaml
    ///       Principal: {Federated: cognito-identity.amazonaws.com}
    ///       Action: sts:AssumeRole
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    ///       Principal: {Federated: cognito-identity.amazonaws.com}
    ///       Action: sts:AssumeRoleWithWebIdentity
    /// ```
    /// In CDK, use `WebIdentityPrincipal` or pass `'sts:AssumeRoleWithWebIdentity'` as the
    /// third argument of `FederatedPrincipal`.
    ///
    /// ## References
    /// - [Role trust and permissions](https://docs.aws.amazon.com/cognito/latest/developerguide/role-trust-and-permissions.html)
    /// - danilop/LambdAuth#4, aws-amplify/amplify-backend#678
    code: "CT103", name: "trust-wrong-action", severity: Error,
    summary: "the Cognito statement lacks `sts:AssumeRoleWithWebIdentity`",
    fix: "writes `sts:AssumeRoleWithWebIdentity` for `sts:AssumeRole`, keeping the other actions",
    check: check,
}

/// `sts:AssumeRole` (or another `AssumeRole…` action) becomes `sts:AssumeRoleWithWebIdentity`
/// in a statement that trusts identity pools alone; the other actions stay.
fn fix(st: &Statement) -> Option<Fix> {
    let title = format!("write `{WEB_IDENTITY}`");
    let change = action_change(st)?;
    if !trusts_only_cognito(st) {
        return Some(Fix::uncertain(
            title,
            "the statement trusts other principals too, which may need this action: give identity pools a statement of their own",
        ));
    }
    Some(Fix::new(title, vec![change]).within(st.loc))
}

fn check(cx: &Context, out: &mut Findings) {
    let model = cx.model;
    for tr in &cx.trusted {
        let statements: Vec<_> = tr.cognito_allows().collect();
        let Some(first) = statements.first() else { continue };
        if statements.iter().any(|s| allows_action(s, WEB_IDENTITY) != Tri::No) {
            continue;
        }
        let at = first.actions.first().map(|a| a.loc).or(first.action_loc).unwrap_or(first.loc);
        let written: Vec<String> = first.actions.iter().map(|a| a.value.describe()).collect();
        let message = if first.not_action {
            format!(
                "role `{}` trusts `cognito-identity.amazonaws.com` but excludes `sts:AssumeRoleWithWebIdentity` with NotAction",
                tr.role.resource.name
            )
        } else {
            format!(
                "role `{}` trusts `cognito-identity.amazonaws.com` but allows only {}, not `sts:AssumeRoleWithWebIdentity`",
                tr.role.resource.name,
                written.join(", ")
            )
        };
        let f = out.add(at, &tr.role.resource, message);
        if let Some(fix) = fix(first) {
            f.fix(fix);
        }
        let say = Dialect::of_policy(model, tr.policy);
        let cdk = if tr.role.resource.construct_path.is_some() {
            " (in the CDK app: `WebIdentityPrincipal`, or `FederatedPrincipal(..., 'sts:AssumeRoleWithWebIdentity')`)"
        } else {
            ""
        };
        f.label("identity pools call sts:AssumeRoleWithWebIdentity")
            .help(format!("write {}{cdk}", say.action()));
        tr.relate_uses(f);
    }
}
