use super::fixes::whole;
use super::{Context, Findings, declare_rule};
use crate::fix::{Change, Fix};

declare_rule! {
    /// ## What it does
    /// Checks that the keys of an attachment's `Roles` are exactly `authenticated` and
    /// `unauthenticated`.
    ///
    /// ## Why is this bad?
    /// `SetIdentityPoolRoles` accepts only those two keys (`(un)?authenticated`); `Authenticated`,
    /// `auth`, `guest` fail the deploy, and a role under such a key is never handed out.
    ///
    /// ## Example
    /// ```yaml
    ///       Roles:
    ///         Authenticated: !GetAtt AuthRole.Arn
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    ///       Roles:
    ///         authenticated: !GetAtt AuthRole.Arn
    /// ```
    ///
    /// ## References
    /// - [SetIdentityPoolRoles](https://docs.aws.amazon.com/cognitoidentity/latest/APIReference/API_SetIdentityPoolRoles.html)
    code: "CT205", name: "attachment-bad-role-key", severity: Error,
    summary: "a `Roles` key other than `authenticated`/`unauthenticated`",
    fix: "writes `authenticated` or `unauthenticated` for the same key in another case",
    check: check,
}

/// The key that was probably meant.
fn meant(key: &str) -> &'static str {
    let k = key.to_ascii_lowercase();
    if k.starts_with("un") || k.contains("guest") || k.contains("anon") {
        "unauthenticated"
    } else {
        "authenticated"
    }
}

fn check(cx: &Context, out: &mut Findings) {
    let model = cx.model;
    for att in &model.attachments {
        for variant in &att.variants {
            for (key, loc) in &variant.value.role_keys {
                if key == "authenticated" || key == "unauthenticated" {
                    continue;
                }
                let f = out.add(
                    *loc,
                    &att.resource,
                    format!("`Roles` of `{}` has the key `{key}`: only `authenticated` and `unauthenticated` are accepted, so the deploy fails", att.resource.name),
                );
                f.label("not a role type").help(format!("write `{}`", meant(key)));
                let to = meant(key);
                let title = format!("write `{to}`");
                let taken = variant.value.role_keys.iter().any(|(k, _)| k == to);
                f.fix(if !key.eq_ignore_ascii_case(to) {
                    Fix::uncertain(title, "the key does not say for sure which role type was meant")
                } else if taken {
                    Fix::uncertain(title, format!("`Roles` has `{to}` already"))
                } else {
                    Fix::new(title, vec![Change::Text { at: *loc, from: key.clone(), to: to.to_string() }])
                        .within(whole(att.resource.file))
                });
            }
        }
    }
}
