use super::{Findings, TrustedRole, declare_rule};
use crate::iam::request::{KeyKind, Operator, SetOp, key_kind};
use crate::model::Model;

declare_rule! {
    /// ## What it does
    /// Finds `cognito-identity.amazonaws.com:amr` conditions under a single-valued operator
    /// (`StringEquals`, `StringLike`) or under `ForAllValues:`.
    ///
    /// ## Why is this bad?
    /// `amr` is multi-valued: for signed-in users it holds `authenticated` plus the providers
    /// used. IAM says multi-valued keys need a set operator; `ForAllValues:StringLike amr
    /// authenticated` fails as soon as a provider entry is present. Every AWS example uses
    /// `ForAnyValue:StringLike`.
    ///
    /// ## Example
    /// ```yaml
    ///             StringEquals: {"cognito-identity.amazonaws.com:amr": authenticated}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    ///             "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": authenticated}
    /// ```
    ///
    /// ## References
    /// - [Single-valued vs. multivalued context keys](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html)
    /// - [Role trust and permissions](https://docs.aws.amazon.com/cognito/latest/developerguide/role-trust-and-permissions.html)
    code: "CT111", name: "trust-amr-operator", severity: Warning,
    summary: "`amr` under a single-valued operator or `ForAllValues` (it is multi-valued)",
    check: check,
}

fn check(model: &Model, out: &mut Findings) {
    for tr in TrustedRole::all(model) {
        for st in tr.cognito_allows() {
            for c in st.conditions.iter().filter(|c| key_kind(&c.key) == KeyKind::Amr) {
                let op = Operator::parse(&c.operator);
                let why = match op.set {
                    Some(SetOp::ForAnyValue) => continue,
                    Some(SetOp::ForAllValues) => {
                        "`ForAllValues` fails when `amr` also lists the sign-in providers"
                    }
                    None => "`amr` is multi-valued and needs a set operator",
                };
                let f = out.add(
                    c.operator_loc,
                    &tr.role.resource,
                    format!(
                        "the `amr` condition of role `{}` uses `{}`: {why}",
                        tr.role.resource.name, c.operator
                    ),
                );
                f.label("use ForAnyValue:StringLike").help(format!(
                    "write \"ForAnyValue:{}\" for `cognito-identity.amazonaws.com:amr`",
                    if op.is_like() { op.base.as_str() } else { "StringLike" }
                ));
                tr.relate_uses(f);
            }
        }
    }
}
