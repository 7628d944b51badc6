//! IAM policy documents: statements, principals and conditions, each part with its place.

use super::{Item, Sym};
use crate::source::Loc;

/// A trust (or any) IAM policy document.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub loc: Loc,
    pub statements: Vec<Statement>,
    /// How the policy is written, which says how help spells its parts.
    pub form: PolicyForm,
}

/// How a policy document is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PolicyForm {
    /// In the template's own tree: CloudFormation YAML or JSON, as its file is.
    #[default]
    Template,
    /// JSON text in Terraform: a heredoc, a file read by `file()` or `templatefile()`, a
    /// plan's string.
    JsonText,
    /// An HCL object given to `jsonencode`.
    HclObject,
    /// `data "aws_iam_policy_document"` blocks.
    DocumentBlocks,
}

impl Policy {
    pub(crate) fn written_as(mut self, form: PolicyForm) -> Policy {
        self.form = form;
        self
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
    Unknown,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub loc: Loc,
    pub effect: Effect,
    pub effect_loc: Option<Loc>,
    pub principal: Option<Principal>,
    pub not_principal: Option<Loc>,
    /// `Action` (or `NotAction` when `not_action`), each value with its place.
    pub actions: Vec<Item>,
    pub action_loc: Option<Loc>,
    pub not_action: bool,
    /// `Resource` (or `NotResource`), for permission policies.
    pub resources: Vec<Item>,
    pub not_resource: bool,
    pub conditions: Vec<Condition>,
    /// The `Condition` key, when the statement has one.
    pub condition_loc: Option<Loc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Principal {
    pub loc: Loc,
    /// `Principal: "*"`.
    pub wildcard: bool,
    pub entries: Vec<PrincipalEntry>,
}

/// What a condition key or principal type is when it is computed (a Terraform local, an
/// intrinsic): it may be any key.
pub const UNKNOWN_KEY: &str = "?";

#[derive(Debug, Clone, PartialEq)]
pub struct PrincipalEntry {
    /// `Federated`, `Service`, `AWS`, `CanonicalUser`.
    pub kind: String,
    pub kind_loc: Loc,
    pub value: Sym,
    pub loc: Loc,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub operator: String,
    pub operator_loc: Loc,
    pub key: String,
    pub key_loc: Loc,
    pub values: Vec<Item>,
    /// The place of the whole value (a string or a list).
    pub values_loc: Loc,
}
