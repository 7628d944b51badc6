use super::{Context, Findings, declare_rule};
use crate::iam::request::{KeyKind, Operator, key_kind};
use crate::model::Dialect;

declare_rule! {
    /// ## What it does
    /// Finds `cognito-identity.amazonaws.com:aud` conditions that are a wildcard
    /// (`"*"`, `"us-east-1:*"` under `StringLike`), negated (`StringNotEquals`), or empty.
    ///
    /// ## Why is this bad?
    /// A wildcard or negated `aud` lets every identity pool in scope obtain the role, which is
    /// the confused-deputy problem the condition exists to prevent. An empty value, or `"*"`
    /// under `StringEquals`, matches no pool at all, and users get
    /// `InvalidIdentityPoolConfigurationException: Invalid identity pool configuration. Check
    /// assigned IAM roles for this pool.`
    ///
    /// ## Example
    /// ```yaml
    ///             StringLike: {"cognito-identity.amazonaws.com:aud": "us-east-1:*"}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    ///             StringEquals: {"cognito-identity.amazonaws.com:aud": !Ref IdentityPool}
    /// ```
    ///
    /// ## References
    /// - [AssumeRoleWithWebIdentity](https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html)
    /// - [IAM condition operators](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html)
    code: "CT108", name: "trust-aud-wildcard", severity: Error,
    summary: "`aud` is a wildcard, negated, or empty",
    check: check,
}

fn check(cx: &Context, out: &mut Findings) {
    let model = cx.model;
    for tr in &cx.trusted {
        for st in tr.cognito_allows() {
            for c in st.conditions.iter().filter(|c| key_kind(&c.key) == KeyKind::Aud) {
                let op = Operator::parse(&c.operator);
                let problem = if op.negated() {
                    Some((
                        c.operator_loc,
                        format!("`{}` admits every identity pool but the ones listed", c.operator),
                        "negated",
                    ))
                } else if c.values.is_empty() {
                    Some((c.values_loc, "an empty list matches no identity pool".to_string(), "empty"))
                } else {
                    c.values.iter().find_map(|v| match v.value.as_lit() {
                        Some("") => {
                            Some((v.loc, "an empty `aud` matches no identity pool".to_string(), "empty"))
                        }
                        Some("*") if !op.is_like() => Some((
                            v.loc,
                            format!(
                                "under `{}`, \"*\" is a literal and matches no identity pool",
                                c.operator
                            ),
                            "wildcard",
                        )),
                        Some(s) if op.is_like() && (s.contains('*') || s.contains('?')) => Some((
                            v.loc,
                            format!("\"{s}\" admits every identity pool it matches"),
                            "wildcard",
                        )),
                        _ => None,
                    })
                };
                let Some((at, why, kind)) = problem else { continue };
                let f = out.add(
                    at,
                    &tr.role.resource,
                    format!("the `aud` condition of role `{}` is {kind}: {why}", tr.role.resource.name),
                );
                let say = Dialect::of_policy(model, tr.policy);
                f.label(format!("{kind} `aud`")).help(format!("use {}", say.aud(&tr.pool_id_text())));
                tr.relate_uses(f);
            }
        }
    }
}
