use super::fixes::whole;
use super::{Context, Findings, declare_rule};
use crate::fix::{Anchor, Change, Fix, Form, Value};
use crate::model::Dialect;
use crate::model::Item;

declare_rule! {
    /// ## What it does
    /// Checks that every role mapping of type `Token` or `Rules` sets `AmbiguousRoleResolution`
    /// to `AuthenticatedRole` or `Deny`.
    ///
    /// ## Why is this bad?
    /// The API requires it: "If you specify Token or Rules as the Type, AmbiguousRoleResolution
    /// is required", so the deploy fails (Terraform: "Ambiguous Role Resolution must be defined
    /// when "type" equals "Token" or "Rules"").
    ///
    /// ## Example
    /// ```yaml
    ///       RoleMappings:
    ///         users:
    ///           IdentityProvider: !Sub "${UserPool.ProviderName}:${UserPoolClient}"
    ///           Type: Token
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    ///           Type: Token
    ///           AmbiguousRoleResolution: AuthenticatedRole
    /// ```
    ///
    /// ## References
    /// - [RoleMapping](https://docs.aws.amazon.com/cognitoidentity/latest/APIReference/API_RoleMapping.html)
    code: "CT301", name: "mapping-no-ambiguous-resolution", severity: Error,
    summary: "`Type` Token/Rules without `AmbiguousRoleResolution`",
    fix: "adds `AmbiguousRoleResolution: Deny`, so users no rule matches get no role",
    check: check,
}

/// `AmbiguousRoleResolution: Deny` beside the mapping's `Type`: users no rule matches get no
/// role, which is what a mapping that chooses roles means to say.
fn deny(say: Dialect, kind: &Item) -> Fix {
    let (form, key) = match say {
        Dialect::Yaml | Dialect::Serverless => (Form::Yaml, "AmbiguousRoleResolution"),
        Dialect::Json => (Form::Json, "AmbiguousRoleResolution"),
        Dialect::Terraform(_) | Dialect::TemplateFile => (Form::Hcl, "ambiguous_role_resolution"),
    };
    let change = Change::Entry {
        before: Anchor::ValueOf { at: kind.loc, value: kind.value.as_lit().unwrap_or_default().to_string() },
        form,
        key: key.into(),
        value: Value::Lit("Deny".into()),
    };
    Fix::new(format!("add {}", say.property("AmbiguousRoleResolution", &say.value("Deny"))), vec![change])
}

fn check(cx: &Context, out: &mut Findings) {
    let model = cx.model;
    for att in &model.attachments {
        for variant in &att.variants {
            for m in &variant.value.mappings {
                let at = m.kind.as_ref().map_or(m.key_loc, |k| k.loc);
                let say = Dialect::of_file(model, att.resource.file);
                let (message, label, help) = match &m.ambiguous {
                    None if m.kind_is("Token") || m.kind_is("Rules") => (
                        format!(
                            "role mapping `{}` of `{}` has no {}, which Token and Rules mappings require: the deploy fails",
                            m.key,
                            att.resource.name,
                            say.name("AmbiguousRoleResolution")
                        ),
                        "a resolution is needed here",
                        format!(
                            "add {} (unmatched users get the authenticated role) or {}",
                            say.property("AmbiguousRoleResolution", &say.value("AuthenticatedRole")),
                            say.property("AmbiguousRoleResolution", &say.value("Deny"))
                        ),
                    ),
                    Some(a) => match a.value.as_lit() {
                        Some(v) if v != "AuthenticatedRole" && v != "Deny" => (
                            format!(
                                "the {} of role mapping `{}` of `{}` is `{v}`; only AuthenticatedRole and Deny are accepted, so the deploy fails",
                                say.name("AmbiguousRoleResolution"),
                                m.key,
                                att.resource.name
                            ),
                            "not a valid resolution",
                            "write `AuthenticatedRole` (unmatched users get the authenticated role) or `Deny`".to_string(),
                        ),
                        _ => continue,
                    },
                    None => continue,
                };
                let at = m.ambiguous.as_ref().map_or(at, |a| a.loc);
                let f = out.add(at, &att.resource, message);
                f.label(label).help(help);
                if let (None, Some(kind)) = (&m.ambiguous, &m.kind) {
                    f.fix(deny(say, kind).within(whole(att.resource.file)));
                }
            }
        }
    }
}
