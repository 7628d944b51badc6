use super::{Context, Findings, Severity, declare_rule};
use crate::model::Dialect;
use crate::model::{Client, Model, Sym};

declare_rule! {
    /// ## What it does
    /// Finds role-mapping rules that key on a claim the user pool app client lets users write
    /// (`WriteAttributes`). When `WriteAttributes` is not set, the client can write the standard
    /// attributes; whether it can also write custom ones is not settled by AWS's own sources,
    /// so that case is a note.
    ///
    /// ## Why is this bad?
    /// "If the claim that you are mapping to a role can be modified by the end user, any end user
    /// can assume your role": a user sets the attribute with `UpdateUserAttributes`, signs in
    /// again, and gets the role the rule grants.
    ///
    /// ## Example
    /// ```yaml
    ///   UserPoolClient:
    ///     Properties:
    ///       WriteAttributes: [email, "custom:team"]
    ///   ...
    ///               - {Claim: "custom:team", MatchType: Equals, Value: admins, RoleARN: !GetAtt AdminRole.Arn}
    /// ```
    ///
    /// ## Use instead
    /// Map on claims users cannot set: user pool groups (`Type: Token`), or a custom attribute
    /// left out of every client's `WriteAttributes` and set by an administrator.
    ///
    /// ## References
    /// - [Role-based access control](https://docs.aws.amazon.com/cognito/latest/developerguide/role-based-access-control.html)
    code: "CT304", name: "mapping-writable-claim", severity: Warning,
    summary: "a rule keys on a claim the app client lets users write: users can pick their role",
    check: check,
}

/// Standard attributes an app client may not write even when `WriteAttributes` is unset.
const NOT_USER_WRITABLE: &[&str] = &["sub", "email_verified", "phone_number_verified"];

/// Whether an unset `WriteAttributes` lets users write this standard attribute.
fn writable_by_default(name: &str) -> bool {
    crate::model::STANDARD_ATTRIBUTES.contains(&name) && !NOT_USER_WRITABLE.contains(&name)
}

/// The app client a provider name ends with (`…:${UserPoolClient}`).
fn client_of<'m>(model: &'m Model, provider: &Sym) -> Option<&'m Client> {
    let Sym::Concat(parts) = provider else { return None };
    parts.iter().rev().find_map(|p| match p {
        Sym::Attr { file, resource, attr, .. } if attr == "ClientId" => {
            model.clients.iter().find(|c| c.resource.file == *file && c.resource.name == *resource)
        }
        _ => None,
    })
}

fn check(cx: &Context, out: &mut Findings) {
    let model = cx.model;
    for att in &model.attachments {
        for variant in &att.variants {
            for m in variant.value.mappings.iter().filter(|m| m.kind_is("Rules")) {
                let Some(client) = client_of(model, &m.provider.value) else { continue };
                for rule in &m.rules {
                    let Some(claim) = &rule.claim else { continue };
                    let Some(name) = claim.value.as_lit() else { continue };
                    let write = Dialect::of_file(model, client.resource.file).name("WriteAttributes");
                    let (certain, how) = match &client.write_attributes {
                        Some((list, _)) if list.iter().any(|a| a.value.as_lit() == Some(name)) => {
                            (true, format!("lists it in {write}"))
                        }
                        Some(_) => continue,
                        None if writable_by_default(name) => {
                            (true, format!("sets no {write}, so users can write every standard attribute"))
                        }
                        None if name.starts_with("custom:") => (
                            false,
                            format!(
                                "sets no {write}; AWS sources disagree whether users can then write custom attributes"
                            ),
                        ),
                        None => continue,
                    };
                    let f = out.add(
                        claim.loc,
                        &att.resource,
                        format!(
                            "role mapping `{}` grants a role on claim `{name}`, and app client `{}` {how}: users could pick their own role",
                            m.key, client.resource.name
                        ),
                    );
                    let say = Dialect::of_file(model, client.resource.file);
                    f.label("a claim users can write").help(format!(
                        "map on a claim users cannot set (user pool groups with {}), or set {} on `{}` without `{name}`",
                        Dialect::of_file(model, att.resource.file).role_mapping("Token"),
                        say.name("WriteAttributes"),
                        client.resource.name
                    ));
                    if !certain {
                        f.severity(Severity::Note);
                    }
                    let at = client.write_attributes.as_ref().map_or(client.resource.loc, |(_, loc)| *loc);
                    f.related(
                        at,
                        format!("what app client `{}` lets users write", client.resource.name),
                        Some(&client.resource),
                    );
                }
            }
        }
    }
}
