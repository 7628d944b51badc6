//! CloudFormation and SAM templates (YAML or JSON): recognising a template, indexing its
//! sections ([`index()`], with `references.rs` checking what they refer to), resolving intrinsic
//! functions ([`eval`]) and building the model ([`extract`]).

mod conditions;
pub(crate) mod eval;
mod expand;
mod exports;
pub(crate) mod extract;
mod index;
mod references;
mod roles;
mod userpools;

pub use index::index;

use std::collections::HashMap;

use crate::source::{FileId, Loc};
use crate::syntax::{Node, Span};

/// One resource of a template.
#[derive(Debug, Clone)]
pub struct Resource {
    pub logical_id: String,
    pub id_loc: Loc,
    pub type_: String,
    /// Properties, kept only for the types the model reads.
    pub properties: Option<Node>,
    pub condition: Option<String>,
    /// The `aws:cdk:path` metadata, when a CDK synth wrote it.
    pub cdk_path: Option<String>,
    /// `Metadata.cognitrust.ignore` entries: (rule node, reason).
    pub ignores: Vec<(Node, Option<String>)>,
}

#[derive(Debug, Clone)]
pub struct Output {
    pub name: String,
    pub value: Node,
    pub export_name: Option<Node>,
}

/// A recognised CloudFormation template.
#[derive(Debug, Clone)]
pub struct Template {
    pub file: FileId,
    /// The file's display path, which nested stacks' `TemplateURL`s are matched against.
    pub path: String,
    /// Other names a nested stack's `TemplateURL` may end in: the S3 object keys under which a
    /// CDK assembly publishes this template (`<hash>.json`), set by [`crate::frontend::cdk`].
    pub aliases: Vec<String>,
    /// Written in JSON rather than YAML: help texts spell intrinsics to match.
    pub json: bool,
    /// The resources the model reads (every resource when the index keeps all, for Guard).
    pub resources: Vec<Resource>,
    pub by_id: HashMap<String, usize>,
    /// Every resource's logical ID and type, sorted by ID, for references to any of them.
    types: Vec<(Box<str>, Box<str>)>,
    /// Parameters and their `Default`, if any.
    pub parameters: HashMap<String, Option<Node>>,
    pub conditions: HashMap<String, Node>,
    pub mappings: Option<Node>,
    pub outputs: Vec<Output>,
    /// Where the texts of other files begin in the template's spans, for a template put
    /// together from several files (a Serverless Framework service and the files it includes):
    /// the spans of the `k`-th start at `fragments[k]`, and it has file id `file + 1 + k`.
    pub fragments: Vec<usize>,
}

impl Template {
    pub fn resource(&self, id: &str) -> Option<&Resource> {
        self.by_id.get(id).map(|&i| &self.resources[i])
    }

    /// Gives back the spare capacity of what the index keeps for the whole scan.
    fn compact(&mut self) {
        for r in &mut self.resources {
            r.properties.iter_mut().for_each(Node::shrink_to_fit);
        }
        self.resources.shrink_to_fit();
        self.mappings.iter_mut().for_each(Node::shrink_to_fit);
        self.conditions.values_mut().for_each(Node::shrink_to_fit);
        self.parameters.values_mut().flatten().for_each(Node::shrink_to_fit);
        for o in &mut self.outputs {
            o.value.shrink_to_fit();
            o.export_name.iter_mut().for_each(Node::shrink_to_fit);
        }
        self.outputs.shrink_to_fit();
    }
    /// The type of any resource of the template.
    pub(crate) fn type_of(&self, id: &str) -> Option<&str> {
        let i = self.types.partition_point(|(name, _)| &**name < id);
        self.types.get(i).filter(|(name, _)| &**name == id).map(|(_, t)| &**t)
    }

    /// Gives the template its file id, for a template indexed before the ids were known.
    pub(crate) fn set_file(&mut self, file: FileId) {
        self.file = file;
        for i in 0..self.resources.len() {
            self.resources[i].id_loc = self.loc(self.resources[i].id_loc.span);
        }
    }

    /// The place of a span of the template: in its own file, or in the file it includes that
    /// the span lies in.
    pub fn loc(&self, span: Span) -> Loc {
        match self.fragments.partition_point(|&base| base <= span.start) {
            0 => Loc::new(self.file, span),
            k => {
                let base = self.fragments[k - 1];
                Loc::new(
                    self.file + k,
                    Span::new(span.start - base, span.end.saturating_sub(base).max(span.start - base)),
                )
            }
        }
    }
}

/// Whether a parsed document is a CloudFormation template: a top-level `Resources` map of
/// `Type`d resources, or an `AWSTemplateFormatVersion`.
pub fn is_template(root: &Node) -> bool {
    if root.get("AWSTemplateFormatVersion").is_some() {
        return true;
    }
    match root.get("Resources").and_then(Node::as_map) {
        Some(resources) if !resources.is_empty() => resources.iter().all(|r| {
            r.key.starts_with("Fn::ForEach::") || r.value.get("Type").and_then(Node::as_str).is_some()
        }),
        _ => false,
    }
}

pub(super) fn is_custom(type_: &str) -> bool {
    type_.starts_with("Custom::") || type_ == "AWS::CloudFormation::CustomResource"
}

impl Template {
    /// `!Ref Name` in the template's own syntax.
    pub(crate) fn ref_text(&self, name: &str) -> String {
        if self.json { format!("{{\"Ref\": \"{name}\"}}") } else { format!("!Ref {name}") }
    }

    /// `!GetAtt Name.Attr` in the template's own syntax.
    pub(crate) fn get_att_text(&self, name: &str, attr: &str) -> String {
        if self.json {
            format!("{{\"Fn::GetAtt\": [\"{name}\", \"{attr}\"]}}")
        } else {
            format!("!GetAtt {name}.{attr}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATE: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Stage: {Type: String}
Resources:
  Pool:
    Type: AWS::Cognito::IdentityPool
    Properties:
      AllowUnauthenticatedIdentities: false
      IdentityPoolName: !Sub "photos_${Stage}_${AWS::Region}_${!Literal}_${Local}"
  Attachment:
    Type: AWS::Cognito::IdentityPoolRoleAttachment
    Properties:
      IdentityPoolId: !Ref Pool
      Roles:
        authenticated: !GetAtt AuthRol.Arn
        unauthenticated: !Sub ["${GuestRole.Arn}", {Unused: x}]
"#;

    fn errors(text: &str) -> Vec<(usize, String)> {
        let parsed = crate::syntax::yaml::parse(text).expect("YAML");
        let (_, errors) = index(0, "t.yaml", false, parsed.root, false, true);
        let lines = crate::syntax::LineIndex::new(text);
        errors.into_iter().map(|e| (lines.line_col(text, e.span.start).line, e.message)).collect()
    }

    #[test]
    fn references_to_names_the_template_does_not_define_are_errors_at_the_reference() {
        let found = errors(TEMPLATE);
        let mut names: Vec<(usize, &str)> =
            found.iter().map(|(line, m)| (*line, m.split('`').nth(1).unwrap_or_default())).collect();
        names.sort();
        assert_eq!(names, [(9, "Local"), (15, "AuthRol"), (16, "GuestRole")], "{found:?}");
        assert!(found[0].1.contains("Unresolved resource dependencies"), "{found:?}");
    }

    #[test]
    fn templates_a_transform_or_another_file_may_complete_are_not_checked() {
        let transformed =
            TEMPLATE.replace("Parameters:", "Transform: AWS::Serverless-2016-10-31\nParameters:");
        assert!(errors(&transformed).is_empty());
        let fragment = TEMPLATE.replace("AWSTemplateFormatVersion: \"2010-09-09\"\n", "");
        assert!(errors(&fragment).is_empty());
    }
}
