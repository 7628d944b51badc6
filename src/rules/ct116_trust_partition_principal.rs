use super::{Context, Findings, declare_rule};
use crate::iam::cognito_entries;
use crate::iam::request::{KeyKind, key_kind};
use crate::model::Dialect;
use crate::model::Sym;

declare_rule! {
    /// ## What it does
    /// Checks that the identity-pool principal fits the partition and region the role is used
    /// in: `cognito-identity-us-gov.amazonaws.com` in us-gov-west-1,
    /// `cognito-identity.us-gov-east-1.amazonaws.com` in us-gov-east-1, and
    /// `cognito-identity.amazonaws.com` in the commercial regions. The region comes from a literal
    /// pool ID in the `aud` condition (`us-gov-west-1:…`) or from the template's conditions on
    /// `AWS::Region` / `AWS::Partition` under which the statement is chosen.
    ///
    /// ## Why is this bad?
    /// Identity pools in AWS GovCloud (US) assume roles as their own principal. A trust that
    /// names the commercial principal there validates fine but never authorises anyone: users
    /// get `InvalidIdentityPoolConfigurationException: Invalid identity pool configuration. Check
    /// assigned IAM roles for this pool.` The condition keys must use the same prefix as the
    /// principal (CT112).
    ///
    /// ## Example
    /// ```yaml
    ///           Principal: {Federated: cognito-identity.amazonaws.com}
    ///           Condition:
    ///             StringEquals: {"cognito-identity.amazonaws.com:aud": "us-gov-west-1:11111111-2222-3333-4444-555555555555"}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    ///           Principal: {Federated: cognito-identity-us-gov.amazonaws.com}
    ///           Condition:
    ///             StringEquals: {"cognito-identity-us-gov.amazonaws.com:aud": "us-gov-west-1:11111111-2222-3333-4444-555555555555"}
    /// ```
    /// Partition-aware templates wrap the whole statement in `Fn::If` on the region, since
    /// condition keys cannot be built with intrinsics.
    ///
    /// ## References
    /// - [Amazon Cognito in AWS GovCloud (US)](https://docs.aws.amazon.com/govcloud-us/latest/UserGuide/govcloud-cog.html)
    code: "CT116", name: "trust-partition-principal", severity: Warning,
    summary: "the principal does not fit the partition (GovCloud principals)",
    check: check,
}

/// The identity-pool principal of a region.
fn principal_for_region(region: &str) -> Option<&'static str> {
    match region {
        "us-gov-west-1" => Some("cognito-identity-us-gov.amazonaws.com"),
        "us-gov-east-1" => Some("cognito-identity.us-gov-east-1.amazonaws.com"),
        r if r.starts_with("cn-") => None,
        _ => Some("cognito-identity.amazonaws.com"),
    }
}

fn is_gov_principal(p: &str) -> bool {
    p.contains("us-gov")
}

/// What is known of where a statement applies: a region from a literal pool ID in `aud`, and
/// what the variant's conditions say of `AWS::Region` and `AWS::Partition`.
struct Place {
    aud_region: Option<String>,
    /// (pseudo parameter, value, whether it holds).
    facts: Vec<(String, String, bool)>,
}

impl Place {
    fn holding(&self, pseudo: &str) -> Option<&str> {
        self.facts.iter().find(|(p, _, holds)| p == pseudo && *holds).map(|(_, v, _)| v.as_str())
    }
}

/// The principal expected where the statement applies and why, when `principal` does not fit.
fn misfit(principal: &str, place: &Place) -> Option<(String, String)> {
    if let Some(r) = place.aud_region.as_deref() {
        let expected = principal_for_region(r)?;
        return (expected != principal)
            .then(|| (expected.to_string(), format!("its `aud` names a pool in {r}")));
    }
    if let Some(r) = place.holding("AWS::Region") {
        let expected = principal_for_region(r)?;
        return (expected != principal)
            .then(|| (expected.to_string(), format!("this statement is chosen when AWS::Region is {r}")));
    }
    if let Some(p) = place.holding("AWS::Partition") {
        let why = format!("this statement is chosen in the {p} partition");
        return match p {
            "aws-us-gov" if !is_gov_principal(principal) => {
                Some(("cognito-identity-us-gov.amazonaws.com (or the us-gov-east-1 principal)".into(), why))
            }
            "aws" if is_gov_principal(principal) => Some(("cognito-identity.amazonaws.com".into(), why)),
            _ => None,
        };
    }
    // A branch chosen when the region is *not* the one a GovCloud principal belongs to.
    place.facts.iter().filter(|(_, _, holds)| !holds).find_map(|(pseudo, value, _)| {
        let own = match pseudo.as_str() {
            "AWS::Region" => principal_for_region(value) == Some(principal),
            "AWS::Partition" => value == "aws-us-gov",
            _ => false,
        };
        (own && is_gov_principal(principal)).then(|| {
            (
                "cognito-identity.amazonaws.com".to_string(),
                format!("this statement is chosen when {pseudo} is not {value}"),
            )
        })
    })
}

fn check(cx: &Context, out: &mut Findings) {
    let model = cx.model;
    for tr in &cx.trusted {
        let facts: Vec<(String, String, bool)> = tr
            .assign
            .facts()
            .filter(|(lhs, _, _)| *lhs == "AWS::Region" || *lhs == "AWS::Partition")
            .map(|(l, r, h)| (l.to_string(), r.to_string(), h))
            .collect();
        for st in tr.cognito_allows() {
            let aud_region = st
                .conditions
                .iter()
                .filter(|c| key_kind(&c.key) == KeyKind::Aud)
                .flat_map(|c| &c.values)
                .find_map(|v| {
                    let text = match &v.value {
                        Sym::Lit(s) => Some(s.as_str()),
                        Sym::Param { default: Some(d), .. } => Some(d.as_str()),
                        _ => None,
                    };
                    text.and_then(|s| s.split_once(':')).map(|(r, _)| r.to_string())
                });
            let place = Place { aud_region, facts: facts.clone() };
            for entry in cognito_entries(st) {
                let Sym::Lit(principal) = &entry.value else { continue };
                let Some((expected, why)) = misfit(principal, &place) else { continue };
                let f = out.add(
                    entry.loc,
                    &tr.role.resource,
                    format!(
                        "role `{}` trusts `{principal}`, but {why}, where identity pools use `{expected}`",
                        tr.role.resource.name
                    ),
                );
                let say = Dialect::of_policy(model, tr.policy);
                f.label("the principal of another partition").help(format!(
                    "trust `{expected}` and use the same prefix on the condition keys; {}",
                    say.per_partition()
                ));
                tr.relate_uses(f);
            }
        }
    }
}
