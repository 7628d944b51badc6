use super::{Context, Findings, declare_rule};
use crate::iam::request::looks_like_pool_id;
use crate::model::Dialect;
use crate::model::{Model, Sym};

declare_rule! {
    /// ## What it does
    /// Checks that an attachment's `IdentityPoolId` is an identity pool ID (`REGION:GUID`):
    /// not the pool's name or ARN, not a user pool ID, not a region-less GUID.
    ///
    /// ## Why is this bad?
    /// `SetIdentityPoolRoles` validates the ID against `[\w-]+:[0-9a-f-]+` and the deploy fails.
    /// `!GetAtt IdentityPool.Name` is a common slip: `Ref` is the ID.
    ///
    /// ## Example
    /// ```yaml
    ///       IdentityPoolId: !GetAtt IdentityPool.Name
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    ///       IdentityPoolId: !Ref IdentityPool
    /// ```
    ///
    /// ## References
    /// - [SetIdentityPoolRoles](https://docs.aws.amazon.com/cognitoidentity/latest/APIReference/API_SetIdentityPoolRoles.html)
    code: "CT204", name: "attachment-bad-pool-id", severity: Error,
    summary: "`IdentityPoolId` is not a pool ID (name, ARN, user pool ID)",
    check: check,
}

fn problem(model: &Model, value: &Sym) -> Option<String> {
    match value {
        Sym::Attr { file, resource, attr, .. } if attr == "Name" || attr == "Arn" => {
            let identity_pool =
                model.pools.iter().any(|p| p.resource.file == *file && p.resource.name == *resource);
            let what =
                if identity_pool { "the identity pool's" } else { "a user pool's or other resource's" };
            Some(format!(
                "`{}` is {what} {}, not an identity pool ID",
                value.describe(),
                if attr == "Arn" { "ARN" } else { "name" }
            ))
        }
        Sym::Attr { resource, attr, .. } if attr == "UserPoolId" => {
            Some(format!("`{resource}` is a user pool, not an identity pool"))
        }
        Sym::Lit(s) if s.contains('_') && !s.contains(':') => {
            Some(format!("\"{s}\" is a user pool ID, not an identity pool ID"))
        }
        Sym::Lit(s) if s.starts_with("arn:") => Some(format!("\"{s}\" is an ARN, not an identity pool ID")),
        Sym::Lit(s) if !looks_like_pool_id(s) => {
            Some(format!("\"{s}\" is not an identity pool ID (REGION:GUID)"))
        }
        _ => None,
    }
}

fn check(cx: &Context, out: &mut Findings) {
    let model = cx.model;
    for att in &model.attachments {
        for variant in &att.variants {
            let Some(pool) = &variant.value.pool else { continue };
            let Some(why) = problem(model, &pool.value) else { continue };
            let mut here = model.pools.iter().filter(|p| p.resource.file == pool.loc.file);
            let help = match (here.next(), here.next()) {
                (Some(p), None) => format!("use {}", p.id_text),
                _ => "give the identity pool's ID, `REGION:GUID` (the pool's `Ref`)".to_string(),
            };
            let f = out.add(
                pool.loc,
                &att.resource,
                format!(
                    "the {} of `{}` is not an identity pool ID: {why}; the deploy fails",
                    Dialect::of_file(model, att.resource.file).name("IdentityPoolId"),
                    att.resource.name
                ),
            );
            f.label("not an identity pool ID").help(help);
        }
    }
}
