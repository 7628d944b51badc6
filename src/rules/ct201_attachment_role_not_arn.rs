use super::fixes::whole;
use super::{Context, Findings, declare_rule};
use crate::fix::{Change, Fix};
use crate::model::Dialect;
use crate::model::{Role, Sym};

declare_rule! {
    /// ## What it does
    /// Checks that every role given to an attachment (`Roles` slots and role-mapping rules) is
    /// an ARN, not a role name: `!GetAtt Role.Arn`, not `!Ref Role`.
    ///
    /// ## Why is this bad?
    /// `Ref` on an `AWS::IAM::Role` returns its name. `SetIdentityPoolRoles` wants ARNs and
    /// fails the deploy with `NotAuthorizedException: Access to Role 'my-stack-AuthRole-KBKHTR8P6UC2'
    /// is forbidden.`, which reads like a permissions problem and is not one.
    ///
    /// ## Example
    /// ```yaml
    ///       Roles:
    ///         authenticated: !Ref AuthRole
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    ///       Roles:
    ///         authenticated: !GetAtt AuthRole.Arn
    /// ```
    ///
    /// ## References
    /// - [AWS::IAM::Role return values](https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-iam-role.html#aws-resource-iam-role-return-values)
    /// - aws/aws-sdk-js#908, boto/boto3#73
    code: "CT201", name: "attachment-role-not-arn", severity: Error,
    summary: "a slot or rule gets a role name, not an ARN: \"Access to Role 'x' is forbidden.\"",
    fix: "references the role's ARN instead of its name or ID",
    check: check,
}

fn check(cx: &Context, out: &mut Findings) {
    let model = cx.model;
    for att in &model.attachments {
        for variant in &att.variants {
            for slot in &variant.value.slots {
                let Some((name, role)) = named_role(cx, &slot.role.value) else { continue };
                let f = out.add(
                    slot.role.loc,
                    &att.resource,
                    format!(
                        "the {} of `{}` is {name}, not its ARN: the deploy fails with \"Access to Role '…' is forbidden.\"",
                        slot.kind.describe(),
                        att.resource.name
                    ),
                );
                f.label("a role name, not an ARN");
                let Some(r) = role else {
                    let say = Dialect::of_file(model, att.resource.file);
                    f.help(format!("give the role's ARN: {}", say.role_arn_pattern()));
                    continue;
                };
                f.help(format!("use {}", r.arn_text));
                if let Sym::Attr { resource, attr, .. } = &slot.role.value {
                    let change =
                        Change::RoleArn { at: slot.role.loc, resource: resource.clone(), attr: attr.clone() };
                    f.fix(
                        Fix::new(format!("use {}", r.arn_text), vec![change])
                            .within(whole(att.resource.file)),
                    );
                }
                f.related(
                    r.resource.loc,
                    format!("role `{}` is defined here", r.resource.name),
                    Some(&r.resource),
                );
            }
        }
    }
}

/// How a slot's value names a role instead of giving its ARN, and the role when the model has
/// it; None for anything else.
fn named_role<'m>(cx: &Context<'m>, value: &Sym) -> Option<(String, Option<&'m Role>)> {
    let model = cx.model;
    match value {
        Sym::Attr { file, resource, attr, .. } if attr == "RoleName" || attr == "RoleId" => {
            let what = if attr == "RoleId" { "role ID" } else { "role name" };
            let role = cx.roles.of_resource(*file, resource).map(|r| &model.roles[r]);
            Some((format!("the {what} of `{resource}`"), role))
        }
        Sym::Lit(s) if !s.is_empty() && !s.starts_with("arn:") && !s.contains(':') => {
            Some((format!("the role name `{s}`"), cx.roles.named(None, s).map(|r| &model.roles[r])))
        }
        _ => None,
    }
}
