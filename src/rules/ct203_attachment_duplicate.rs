use std::collections::HashMap;

use super::{Context, Findings, declare_rule};
use crate::model::{Model, Sym, Tri};

declare_rule! {
    /// ## What it does
    /// Finds two role attachments (`AWS::Cognito::IdentityPoolRoleAttachment`) for the same
    /// identity pool.
    ///
    /// ## Why is this bad?
    /// A pool has one set of roles. The second attachment fails the deploy with
    /// `<region>:<guid> already exists in stack arn:aws:cloudformation:…`; in CDK this happens
    /// when the `IdentityPool` construct (which creates its own `DefaultRoleAttachment`) is
    /// combined with a hand-made `CfnIdentityPoolRoleAttachment`.
    ///
    /// ## Example
    /// ```yaml
    ///   RolesA:
    ///     Type: AWS::Cognito::IdentityPoolRoleAttachment
    ///     Properties: {IdentityPoolId: !Ref IdentityPool, Roles: {authenticated: !GetAtt AuthRole.Arn}}
    ///   RolesB:
    ///     Type: AWS::Cognito::IdentityPoolRoleAttachment
    ///     Properties: {IdentityPoolId: !Ref IdentityPool, Roles: {unauthenticated: !GetAtt GuestRole.Arn}}
    /// ```
    ///
    /// ## Use instead
    /// One attachment with both roles (and every role mapping).
    ///
    /// ## References
    /// - aws/aws-cdk#20513, aws/aws-cdk#23449, aws/aws-cdk#27411
    code: "CT203", name: "attachment-duplicate", severity: Error,
    summary: "two attachments for one pool (\"… already exists in stack\")",
    check: check,
}

/// "pool `IdentityPool`", or the pool ID as written.
fn pool_name(model: &Model, id: &crate::model::Sym) -> String {
    match crate::link::find_pool(model, id) {
        Some(p) => format!("pool `{}`", model.pools[p].resource.name),
        None => format!("the pool {}", id.describe()),
    }
}

/// Whether two attachments certainly target one deployed pool: in one template, or by
/// reference to the same pool resource. Two files naming the same literal ID or parameter may be
/// alternatives (environments, before/after snapshots) never deployed side by side.
fn deployed_together(
    a: &crate::model::Attachment,
    b: &crate::model::Attachment,
    pool: &crate::model::Sym,
) -> bool {
    a.resource.file == b.resource.file || matches!(pool, crate::model::Sym::Attr { .. })
}

fn check(cx: &Context, out: &mut Findings) {
    let model = cx.model;
    let atts = &model.attachments;
    // Earlier attachment variants by a key that values certainly equal share, so each variant is
    // compared only with the ones that may target its pool, not with every earlier one.
    let mut earlier: HashMap<Sym, Vec<(usize, usize)>> = HashMap::new();
    for (b, second) in atts.iter().enumerate() {
        let mut found_b = Vec::new();
        for (vi, vb) in second.variants.iter().enumerate() {
            let Some(pool_b) = &vb.value.pool else { continue };
            let key = bucket(&pool_b.value);
            found_b.push((key.clone(), vi));
            for &(a, va) in earlier.get(&key).map_or(&[][..], Vec::as_slice) {
                let first = &atts[a];
                let va = &first.variants[va];
                let Some(pool_a) = &va.value.pool else { continue };
                if va.assign.merge(&vb.assign).is_none()
                    || pool_a.value.same_as(&pool_b.value) != Tri::Yes
                    || !deployed_together(first, second, &pool_a.value)
                {
                    continue;
                }
                let f = out.add(
                    pool_b.loc,
                    &second.resource,
                    format!(
                        "`{}` attaches roles to {}, which `{}` already attaches roles to: the deploy fails with \"… already exists in stack\"",
                        second.resource.name,
                        pool_name(model, &pool_b.value),
                        first.resource.name
                    ),
                );
                f.label("a second attachment for this pool").help(format!(
                    "merge the roles and role mappings of `{}` into `{}`",
                    second.resource.name, first.resource.name
                ));
                f.related(pool_a.loc, "the first attachment for this pool", Some(&first.resource));
                break;
            }
        }
        for (key, vi) in found_b {
            earlier.entry(key).or_default().push((b, vi));
        }
    }
}

/// A key that two pool values certainly equal at deploy time (`same_as` is `Yes`) share: a
/// parameter with a default stands for its default.
fn bucket(value: &Sym) -> Sym {
    match value {
        Sym::Param { default: Some(d), .. } => Sym::Lit(d.clone()),
        Sym::Concat(parts) => Sym::Concat(parts.iter().map(bucket).collect()),
        other => other.clone(),
    }
}
