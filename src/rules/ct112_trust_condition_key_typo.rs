use super::{Context, Findings, declare_rule};
use crate::fix::{Change, Fix};
use crate::iam::cognito_entries;
use crate::iam::request::holds_when_absent;
use crate::model::{Condition, Statement, Sym, Tri};

declare_rule! {
    /// ## What it does
    /// Checks that every condition key of a statement trusting the Cognito principal is either
    /// a global key (`aws:…`, `sts:…`) or in the namespace of the statement's own principal:
    /// `cognito-identity.amazonaws.com:amr`, not `cognito-identity.amazon.com:amr`, and not the
    /// GovCloud namespace under the commercial principal.
    ///
    /// ## Why is this bad?
    /// A key that is not in the request context is simply absent. Under `StringEquals`,
    /// `StringLike` or `ForAnyValue:` the condition is then false and the role can never be
    /// assumed: users get `InvalidIdentityPoolConfigurationException: Invalid identity pool
    /// configuration. Check assigned IAM roles for this pool.` Under a negated operator
    /// (`StringNotEquals`), `…IfExists` or `ForAllValues:` it is true instead, and restricts
    /// nothing. IAM accepts the policy either way, so nothing fails at deploy time.
    ///
    /// ## Example
    /// ```yaml
    ///             "ForAnyValue:StringLike": {"cognito-identity.amazon.com:amr": authenticated}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    ///             "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": authenticated}
    /// ```
    ///
    /// ## References
    /// - adrianhall/restaurant-reviews#3
    /// - [IAM JSON policy elements: Condition](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html)
    /// - [Condition operators](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html) (a key not present in the request)
    code: "CT112", name: "trust-condition-key-typo", severity: Error,
    summary: "a condition key whose namespace is not the statement's principal",
    fix: "writes Cognito's namespace for a misspelt one",
    check: check,
}

/// Namespaces of global condition keys, valid under any principal.
const GLOBAL: &[&str] = &["aws", "sts"];

/// The key in the principal's namespace, when the statement has one principal and the key
/// misspells Cognito's namespace with one of its keys (`cognito-identity.amazon.com:aud`):
/// another namespace may be a key of another provider, meant for another statement.
fn fix(st: &Statement, c: &Condition, principals: &[&str], name: &str) -> Fix {
    let expected = principals.first().copied().unwrap_or("cognito-identity.amazonaws.com");
    let to = format!("{expected}:{name}");
    let title = format!("write `{to}`");
    // A namespace that is itself an identity-pool principal (GovCloud's, China's) may be the
    // right one, with the principal wrong: CT116 says which.
    let namespace = c.key.rsplit_once(':').map_or("", |(ns, _)| ns);
    let cognito_typo = namespace.to_ascii_lowercase().starts_with("cognito")
        && !crate::iam::COGNITO_PRINCIPALS.iter().any(|p| p.eq_ignore_ascii_case(namespace))
        && matches!(name, "aud" | "amr" | "sub");
    let mut distinct: Vec<String> = principals.iter().map(|p| p.to_ascii_lowercase()).collect();
    distinct.sort();
    distinct.dedup();
    let taken =
        st.conditions.iter().any(|o| o.operator_loc == c.operator_loc && o.key.eq_ignore_ascii_case(&to));
    match distinct.as_slice() {
        [_] if cognito_typo && taken => {
            Fix::uncertain(title, format!("`{}` has a `{to}` already: keep one of them", c.operator))
        }
        [_] if cognito_typo => {
            Fix::new(title, vec![Change::Text { at: c.key_loc, from: c.key.clone(), to }]).within(st.loc)
        }
        [_] => Fix::uncertain(title, "the key may belong to another provider's statement"),
        _ => Fix::uncertain(
            title,
            "the statement trusts several principals: say which namespace the key is for",
        ),
    }
}

fn check(cx: &Context, out: &mut Findings) {
    for tr in &cx.trusted {
        for st in tr.cognito_allows() {
            let principals: Option<Vec<&str>> = cognito_entries(st)
                .chain(st.principal.iter().flat_map(|p| &p.entries).filter(|e| e.kind == "Federated"))
                .map(|e| match &e.value {
                    Sym::Lit(s) => Some(s.as_str()),
                    _ => None,
                })
                .collect();
            let Some(principals) = principals else { continue };
            for c in st.conditions.iter().filter(|c| c.key != crate::model::UNKNOWN_KEY) {
                let ns = c.key.rsplit_once(':').map(|(ns, _)| ns);
                let ok = ns.is_some_and(|ns| {
                    GLOBAL.iter().any(|g| g.eq_ignore_ascii_case(ns))
                        || principals.iter().any(|p| p.eq_ignore_ascii_case(ns))
                });
                if ok {
                    continue;
                }
                let expected = principals.first().copied().unwrap_or("cognito-identity.amazonaws.com");
                let name = c.key.rsplit_once(':').map_or(c.key.as_str(), |(_, n)| n);
                // What a missing key does depends on the operator (see `holds_when_absent`).
                let outcome = match holds_when_absent(c) {
                    Tri::No => ", so the condition never holds",
                    Tri::Yes => ", so the condition always holds and restricts nothing",
                    Tri::Maybe => "",
                };
                let f = out.add(
                    c.key_loc,
                    &tr.role.resource,
                    format!(
                        "condition key `{}` of role `{}` is not in the namespace of the statement's principal `{expected}`: it is never present{outcome}",
                        c.key, tr.role.resource.name
                    ),
                );
                f.label("this key never appears in the request").help(format!("write `{expected}:{name}`"));
                f.fix(fix(st, c, &principals, name));
                tr.relate_uses(f);
            }
        }
    }
}
