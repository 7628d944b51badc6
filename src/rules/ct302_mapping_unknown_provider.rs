use super::{Context, Findings, declare_rule};
use crate::link::user_pool_of;
use crate::model::Dialect;
use crate::model::{Sym, Tri};

declare_rule! {
    /// ## What it does
    /// Checks that each role mapping names a provider of its pool, spelled the way the API wants
    /// it: a user pool as `cognito-idp.<region>.amazonaws.com/<pool id>:<client id>`, not its
    /// `https://` provider URL, and not without `:<client id>`.
    ///
    /// ## Why is this bad?
    /// `SetIdentityPoolRoles` refuses the mapping and the deploy fails with `<provider> is not a
    /// valid RoleMapping ProviderName or is not a configured provider.
    /// (Service: AmazonCognitoIdentity; Status Code: 400; Error Code: InvalidParameterException)`.
    ///
    /// ## Example
    /// ```yaml
    ///           IdentityProvider: !GetAtt UserPool.ProviderURL
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    ///           IdentityProvider: !Sub "${UserPool.ProviderName}:${UserPoolClient}"
    /// ```
    ///
    /// ## References
    /// - [AWS::Cognito::IdentityPoolRoleAttachment RoleMapping](https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-cognito-identitypoolroleattachment-rolemapping.html)
    /// - aws/aws-cdk#22951, aws/aws-cdk#7670
    code: "CT302", name: "mapping-unknown-provider", severity: Error,
    summary: "the mapping's provider is not a provider of the pool (https URL, missing `:clientId`)",
    check: check,
}

/// Whether a name has a `:` after its user pool part (the `:ClientId`).
fn has_client(value: &Sym) -> bool {
    match value {
        Sym::Concat(parts) => {
            let after_pool =
                parts.iter().position(|p| matches!(p, Sym::Attr { attr, .. } if attr == "UserPoolId"));
            after_pool
                .is_none_or(|i| parts[i + 1..].iter().any(|p| p.as_lit().is_some_and(|s| s.contains(':'))))
        }
        Sym::Lit(s) => s.rsplit_once('/').is_none_or(|(_, tail)| tail.contains(':')),
        _ => true,
    }
}

fn starts_https(value: &Sym) -> bool {
    match value {
        Sym::Lit(s) => s.starts_with("https://"),
        Sym::Concat(parts) => parts.first().and_then(Sym::as_lit).is_some_and(|s| s.starts_with("https://")),
        _ => false,
    }
}

fn check(cx: &Context, out: &mut Findings) {
    let model = cx.model;
    for (a, att) in model.attachments.iter().enumerate() {
        for (v, variant) in att.variants.iter().enumerate() {
            let pool = model.attachment_pools[a][v].map(|p| &model.pools[p]);
            for m in &variant.value.mappings {
                let provider = &m.provider.value;
                let why = if starts_https(provider) {
                    "it is the provider's https:// URL; role mappings use `cognito-idp.<region>.amazonaws.com/<pool id>:<client id>`".to_string()
                } else if user_pool_of(provider).is_some() && !has_client(provider) {
                    "a user pool provider needs its app client: `<provider name>:<client id>`".to_string()
                } else {
                    let names: Vec<&Sym> = pool
                        .iter()
                        .flat_map(|p| &p.variants)
                        .flat_map(|pv| pv.value.provider_names.iter().map(|n| &n.name))
                        .collect();
                    if names.is_empty() || names.iter().any(|n| n.same_as(provider) != Tri::No) {
                        continue;
                    }
                    format!("pool `{}` has no such provider", pool.map_or("", |p| p.resource.name.as_str()))
                };
                let f = out.add(
                    m.provider.loc,
                    &att.resource,
                    format!(
                        "role mapping `{}` names {}: {why}; the deploy fails with InvalidParameterException",
                        m.key,
                        Dialect::of_file(model, att.resource.file).describe(provider)
                    ),
                );
                let listed: Vec<&crate::model::ProviderName> =
                    pool.iter().flat_map(|p| &p.variants).flat_map(|pv| &pv.value.provider_names).collect();
                let say = Dialect::of_file(model, att.resource.file);
                let help = match listed.as_slice() {
                    [] => format!(
                        "name the provider as `<user pool provider name>:<app client id>`, and list it in the pool's {}",
                        say.name("CognitoIdentityProviders")
                    ),
                    names => format!(
                        "name one of the pool's providers: {}",
                        names
                            .iter()
                            .map(|n| format!("`{}`", say.describe(&n.name).trim_matches('"')))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                };
                f.label("not a configured provider name").help(help);
                for (p, n) in pool.into_iter().flat_map(|p| listed.iter().map(move |n| (p, n))) {
                    f.related(n.loc, format!("a provider of pool `{}`", p.resource.name), Some(&p.resource));
                }
            }
        }
    }
}
