use super::{Context, Findings, declare_rule};
use crate::model::Dialect;

declare_rule! {
    /// ## What it does
    /// Finds `NotPrincipal` in the trust policy of a role that an identity pool hands out or
    /// that trusts the Cognito principal.
    ///
    /// ## Why is this bad?
    /// IAM does not allow `NotPrincipal` in a role trust policy ("You cannot use the
    /// NotPrincipal element in an IAM identity-based policy nor in an IAM role trust policy"),
    /// so the stack fails to deploy; where it is combined with Allow it would trust everyone
    /// else.
    ///
    /// ## Example
    /// ```yaml
    ///         - Effect: Allow
    ///           NotPrincipal: {AWS: arn:aws:iam::123456789012:root}
    ///           Action: sts:AssumeRoleWithWebIdentity
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    ///         - Effect: Allow
    ///           Principal: {Federated: cognito-identity.amazonaws.com}
    ///           Action: sts:AssumeRoleWithWebIdentity
    /// ```
    ///
    /// ## References
    /// - [IAM JSON policy elements: NotPrincipal](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html)
    code: "CT115", name: "trust-notprincipal", severity: Error,
    summary: "`NotPrincipal` in a trust policy",
    check: check,
}

fn check(cx: &Context, out: &mut Findings) {
    let model = cx.model;
    for tr in &cx.trusted {
        for st in &tr.policy.statements {
            let Some(at) = st.not_principal else { continue };
            let f = out.add(
                at,
                &tr.role.resource,
                format!(
                    "the trust policy of role `{}` uses `NotPrincipal`, which IAM refuses in trust policies",
                    tr.role.resource.name
                ),
            );
            f.label("not allowed in a trust policy").help(format!(
                "name the trusted principal with {}",
                Dialect::of_policy(model, tr.policy).principal()
            ));
            tr.relate_uses(f);
        }
    }
}
