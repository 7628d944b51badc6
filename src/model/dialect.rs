//! The syntax a file's resources are written in ([`Dialect`]), which help text speaks
//! (`rules/say.rs` writes in it).

use super::{Model, Policy, PolicyForm};
use crate::source::{FileId, Syntax};

/// The syntax help writes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Yaml,
    Json,
    Serverless,
    /// Terraform, with the form of the policy the help is about (`HclObject` for resources).
    Terraform(PolicyForm),
    /// JSON in a file Terraform reads with `templatefile()`, where only its variables are known.
    TemplateFile,
}

impl Dialect {
    /// The dialect of the file that holds `file`'s resources.
    pub(crate) fn of_file(model: &Model, file: FileId) -> Dialect {
        model.dialects.get(file).copied().unwrap_or(Dialect::Yaml)
    }

    /// The dialect of a file's resources: Terraform's (sources or a plan), a Serverless
    /// service's, or CloudFormation's in the file's syntax.
    pub(crate) fn for_file(syntax: Syntax, serverless: bool, terraform: bool) -> Dialect {
        match syntax {
            _ if terraform || syntax == Syntax::Hcl => Dialect::Terraform(PolicyForm::HclObject),
            _ if serverless => Dialect::Serverless,
            Syntax::Json => Dialect::Json,
            _ => Dialect::Yaml,
        }
    }

    /// The dialect of a policy: its file's, or the Terraform form it is written in.
    pub(crate) fn of_policy(model: &Model, policy: &Policy) -> Dialect {
        match (policy.form, Dialect::of_file(model, policy.loc.file)) {
            (PolicyForm::Template, d) => d,
            (PolicyForm::JsonText, Dialect::Terraform(_)) => Dialect::Terraform(PolicyForm::JsonText),
            (PolicyForm::JsonText, _) => Dialect::TemplateFile,
            (form, _) => Dialect::Terraform(form),
        }
    }
}
