use super::{Context, Findings, declare_rule};
use crate::fix::{Change, Fix};
use crate::iam::request::{KeyKind, Operator, SetOp, key_kind};
use crate::model::{Condition, Statement};

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
    fix: "writes `ForAnyValue:StringLike` for the operator of `amr`",
    check: check,
}

/// The operator becomes `ForAnyValue:StringLike`, when it only compares `amr` with values
/// (`StringEquals`, `StringLike`): a negated or other operator means something the fix would
/// change, and an operator that also holds other keys would change their test too.
fn fix(st: &Statement, c: &Condition, op: &Operator) -> Fix {
    let to = "ForAnyValue:StringLike";
    let title = format!("write `{to}`");
    if !matches!(op.base.as_str(), "StringEquals" | "StringLike") || op.if_exists {
        return Fix::uncertain(title, format!("`{}` does not say which test was meant", c.operator));
    }
    // Places collapsed onto one (a policy in a quoted string) are not keys sharing an operator:
    // the speller finds the operator not written literally there.
    let shared = st.conditions.iter().any(|o| {
        o.operator_loc == c.operator_loc && o.key_loc != c.key_loc && key_kind(&o.key) != KeyKind::Amr
    });
    if st.conditions.iter().any(|o| o.operator == to && o.operator_loc != c.operator_loc) {
        return Fix::uncertain(title, format!("the statement has a `{to}` already: move `amr` into it"));
    }
    if shared {
        return Fix::uncertain(
            title,
            format!("`{}` also tests other keys: move `amr` under an operator of its own", c.operator),
        );
    }
    Fix::new(title, vec![Change::Text { at: c.operator_loc, from: c.operator.clone(), to: to.to_string() }])
        .within(st.loc)
}

fn check(cx: &Context, out: &mut Findings) {
    for tr in &cx.trusted {
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
                f.fix(fix(st, c, &op));
                f.label("use ForAnyValue:StringLike").help(format!(
                    "write \"ForAnyValue:{}\" for `cognito-identity.amazonaws.com:amr`",
                    if op.is_like() { op.base.as_str() } else { "StringLike" }
                ));
                tr.relate_uses(f);
            }
        }
    }
}
