//! CloudFormation and SAM templates (YAML or JSON): recognising a template, indexing its
//! sections, resolving intrinsic functions ([`eval`]) and building the model ([`extract`]).

mod conditions;
pub mod eval;
mod expand;
mod exports;
pub mod extract;
mod roles;
mod userpools;

use std::collections::HashMap;

use crate::source::{FileId, Loc};
use crate::syntax::{Node, Span, SyntaxError, Value};

/// The properties the model reads of the types where that is a few of many; the index keeps
/// only these (a function's code, a role's tags, are never read). Other modelled types keep all.
const READ_PROPERTIES: &[(&str, &[&str])] = &[
    ("AWS::IAM::Role", &["AssumeRolePolicyDocument", "Policies", "RoleName", "Path", "ManagedPolicyArns"]),
    ("AWS::IAM::Policy", &["PolicyDocument", "Roles"]),
    ("AWS::IAM::ManagedPolicy", &["PolicyDocument", "Roles"]),
    ("AWS::Lambda::Function", &["Role"]),
    ("AWS::CloudFormation::Stack", &["TemplateURL", "Parameters"]),
    ("AWS::Cognito::UserPool", &["Schema"]),
    ("AWS::Cognito::UserPoolClient", &["UserPoolId", "WriteAttributes"]),
    ("AWS::Cognito::UserPoolGroup", &["UserPoolId", "RoleArn"]),
];

/// Resource types whose properties the model reads; others are only indexed.
const MODELLED_TYPES: &[&str] = &[
    "AWS::Cognito::IdentityPool",
    "AWS::Cognito::IdentityPoolRoleAttachment",
    "AWS::Cognito::IdentityPoolPrincipalTag",
    "AWS::Cognito::UserPool",
    "AWS::Cognito::UserPoolClient",
    "AWS::Cognito::UserPoolGroup",
    "AWS::IAM::Role",
    "AWS::IAM::Policy",
    "AWS::IAM::ManagedPolicy",
    "AWS::Lambda::Function",
    "AWS::CloudFormation::Stack",
    "AWS::CloudFormation::CustomResource",
];

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
    pub condition: Option<String>,
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
    pub fn type_of(&self, id: &str) -> Option<&str> {
        let i = self.types.partition_point(|(name, _)| &**name < id);
        self.types.get(i).filter(|(name, _)| &**name == id).map(|(_, t)| &**t)
    }

    /// Gives the template its file id, for a template indexed before the ids were known.
    pub fn set_file(&mut self, file: FileId) {
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

/// Indexes a template, moving what the model reads out of the parsed tree; problems that
/// CloudFormation would refuse become errors with places, and the rest of the template is
/// still used. Resources the model does not read keep only their ID and type, unless
/// `keep_all` (Guard findings may name any resource).
pub fn index(
    file: FileId,
    path: &str,
    json: bool,
    mut root: Node,
    keep_all: bool,
    complete: bool,
) -> (Template, Vec<SyntaxError>) {
    let mut errors = Vec::new();
    // A transform (SAM, a macro) adds resources at deploy time, and a file without
    // `AWSTemplateFormatVersion` may be a fragment another file completes (a Serverless
    // Framework include); a whole template without a transform must define what it refers to.
    let complete =
        complete && root.get("Transform").is_none() && root.get("AWSTemplateFormatVersion").is_some();
    let mut tpl = Template {
        file,
        path: path.to_string(),
        aliases: Vec::new(),
        json,
        resources: Vec::new(),
        by_id: HashMap::new(),
        types: Vec::new(),
        parameters: HashMap::new(),
        conditions: HashMap::new(),
        mappings: root.take("Mappings").map(|m| literal_mappings(m, &mut errors)),
        outputs: Vec::new(),
        fragments: Vec::new(),
    };
    match root.take("Resources") {
        Some(Node { value: Value::Map(entries), .. }) => {
            // `Fn::ForEach::Name` loops (the LanguageExtensions transform) expand at deploy time.
            for entry in entries.into_iter().filter(|e| !e.key.starts_with("Fn::ForEach::")) {
                match resource(file, entry) {
                    Ok(r) => {
                        tpl.types.push((r.logical_id.as_str().into(), r.type_.as_str().into()));
                        if keep_all || r.properties.is_some() || is_modelled(&r.type_) {
                            tpl.by_id.insert(r.logical_id.clone(), tpl.resources.len());
                            tpl.resources.push(r);
                        }
                    }
                    Err(e) => errors.push(e),
                }
            }
        }
        Some(node) => errors.push(SyntaxError::new("`Resources` must be a map", node.span)),
        None => {}
    }
    tpl.compact();
    // Sorted for lookups; of a duplicated ID the last one counts, as for `by_id`.
    tpl.types.reverse();
    tpl.types.sort_by(|a, b| a.0.cmp(&b.0));
    tpl.types.dedup_by(|later, first| later.0 == first.0);
    tpl.types.shrink_to_fit();
    for mut entry in root.take("Parameters").map(Node::into_entries).unwrap_or_default() {
        tpl.parameters.insert(entry.key.to_string(), entry.value.take("Default"));
    }
    if complete {
        undefined_references(&tpl, &mut errors);
    }
    for entry in root.take("Conditions").map(Node::into_entries).unwrap_or_default() {
        tpl.conditions.insert(entry.key.to_string(), entry.value);
    }
    for mut entry in root.take("Outputs").map(Node::into_entries).unwrap_or_default() {
        if let Some(value) = entry.value.take("Value") {
            tpl.outputs.push(Output {
                export_name: entry.value.take("Export").and_then(|mut e| e.take("Name")),
                condition: entry.value.get("Condition").and_then(Node::as_str).map(String::from),
                name: entry.key.to_string(),
                value,
            });
        }
    }
    (tpl, errors)
}

/// `Mappings` as CloudFormation accepts them: each value a string, a number, a boolean or a list
/// of those. A value that is an intrinsic function or a map is an error (CloudFormation refuses
/// it) and is left out, so nothing is ever evaluated through a mapping.
fn literal_mappings(mut mappings: Node, errors: &mut Vec<SyntaxError>) -> Node {
    let literal = |n: &Node| match &n.value {
        Value::Seq(items) => items.iter().all(|i| i.scalar_text().is_some()),
        _ => n.scalar_text().is_some(),
    };
    let Value::Map(maps) = &mut mappings.value else { return mappings };
    for map in maps {
        let Value::Map(tops) = &mut map.value.value else { continue };
        for top in tops {
            let Value::Map(seconds) = &mut top.value.value else { continue };
            seconds.retain(|second| {
                let ok = literal(&second.value);
                if !ok {
                    errors.push(SyntaxError::new(
                        format!(
                            "mapping value `{}.{}.{}` must be a string or a list of strings: CloudFormation refuses maps and intrinsic functions in `Mappings`",
                            map.key, top.key, second.key
                        ),
                        second.value.span,
                    ));
                }
                ok
            });
        }
    }
    mappings
}

/// Calls `f` on each permission policy document of a role's or policy's properties (a role's
/// trust policy is not one: it is read whole).
fn permission_documents(entries: &mut [crate::syntax::Entry], f: &mut dyn FnMut(&mut Node)) {
    for e in entries {
        match e.key.as_str() {
            "PolicyDocument" => f(&mut e.value),
            "Policies" => {
                if let Value::Seq(policies) = &mut e.value.value {
                    for p in policies {
                        if let Value::Map(fields) = &mut p.value {
                            permission_documents(fields, f);
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

/// Keeps of each statement of a permission policy what the rules read of permissions (the
/// effect, actions and resources): conditions and principals of a large CDK policy are never
/// read, and the index is held for the whole scan.
fn only_what_permissions_need(node: &mut Node) {
    match &mut node.value {
        Value::Map(entries) => {
            if entries.iter().any(|e| e.key == "Effect") {
                // Resources are read only to see which roles' trust a statement may rewrite.
                // (`NotAction` statements are not read for that.)
                let rewrites = entries.iter().any(|e| e.key == "Action" && may_update_trust(&e.value));
                entries.retain(|e| match e.key.as_str() {
                    "Effect" | "Action" | "NotAction" => true,
                    "Resource" | "NotResource" => rewrites,
                    _ => false,
                });
                if let Some(e) = entries.iter_mut().find(|e| e.key == "Action") {
                    keep_read_actions(&mut e.value);
                }
            } else {
                entries.iter_mut().for_each(|e| only_what_permissions_need(&mut e.value));
            }
        }
        Value::Seq(items) => items.iter_mut().for_each(only_what_permissions_need),
        _ => {}
    }
}

/// Keeps of an `Action` list the actions the rules read of permissions: the broad ones, those
/// that may rewrite a trust, and any that is not a literal. (`NotAction` is kept whole.)
fn keep_read_actions(actions: &mut Node) {
    let read = |n: &Node| match n.as_str() {
        Some(a) => {
            crate::iam::BROAD_ACTIONS.iter().any(|b| b.eq_ignore_ascii_case(a))
                || crate::iam::action_matches(a, crate::iam::UPDATE_TRUST)
        }
        None => true,
    };
    if actions.as_seq().is_none() && !read(actions) {
        actions.value = Value::Seq(Vec::new());
    } else if let Value::Seq(items) = &mut actions.value {
        items.retain(read);
    }
}

/// Whether an `Action` value may allow `iam:UpdateAssumeRolePolicy`: a pattern that covers it,
/// or anything not a literal.
fn may_update_trust(actions: &Node) -> bool {
    let may = |n: &Node| match n.as_str() {
        Some(a) => crate::iam::action_matches(a, crate::iam::UPDATE_TRUST),
        None => true,
    };
    match actions.as_seq() {
        Some(items) => items.iter().any(may),
        None => may(actions),
    }
}

pub(super) fn is_custom(type_: &str) -> bool {
    type_.starts_with("Custom::") || type_ == "AWS::CloudFormation::CustomResource"
}

/// What the model reads of a custom resource: its `ServiceToken`, and whether it is given an
/// identity pool's ID: under a name that says so, or as a reference (a literal is never a pool
/// resource's ID).
fn custom_property_read(key: &str, value: &Node) -> bool {
    let lower = key.to_ascii_lowercase();
    key == "ServiceToken"
        || lower.contains("idp")
        || lower.contains("identitypool")
        || value.single_entry().is_some_and(|e| e.key == "Ref" || e.key.starts_with("Fn::"))
}

fn is_modelled(type_: &str) -> bool {
    MODELLED_TYPES.contains(&type_) || type_.starts_with("Custom::")
}

fn resource(file: FileId, entry: crate::syntax::Entry) -> Result<Resource, SyntaxError> {
    let mut node = entry.value;
    let type_ = match node.get("Type") {
        Some(t) => t.as_str().ok_or_else(|| {
            SyntaxError::new(format!("the `Type` of resource `{}` must be a string", entry.key), t.span)
        })?,
        None if node.as_map().is_some() => {
            return Err(SyntaxError::new(format!("resource `{}` has no `Type`", entry.key), entry.key_span));
        }
        None => {
            return Err(SyntaxError::new(format!("resource `{}` must be a map", entry.key), node.span));
        }
    };
    let type_ = type_.to_string();
    let modelled = is_modelled(&type_);
    let metadata = node.get("Metadata");
    let cdk_path = metadata.and_then(|m| m.get("aws:cdk:path")).and_then(Node::as_str).map(String::from);
    let ignores = metadata
        .and_then(|m| m.get("cognitrust"))
        .and_then(|c| c.get("ignore"))
        .and_then(Node::as_seq)
        .unwrap_or(&[])
        .iter()
        .filter_map(|i| Some((i.get("rule")?.clone(), i.get("reason").and_then(Node::scalar_text))))
        .collect();
    let mut properties = if modelled { node.take("Properties") } else { None };
    if let (Some(Node { value: Value::Map(entries), .. }), true) = (&mut properties, is_custom(&type_)) {
        entries.retain(|e| custom_property_read(&e.key, &e.value));
    }
    if let (Some(Node { value: Value::Map(entries), .. }), Some((_, read))) =
        (&mut properties, READ_PROPERTIES.iter().find(|(t, _)| *t == type_))
    {
        entries.retain(|e| read.contains(&e.key.as_str()));
        permission_documents(entries, &mut |doc| only_what_permissions_need(doc));
    }
    Ok(Resource {
        id_loc: Loc::new(file, entry.key_span),
        condition: node.get("Condition").and_then(Node::as_str).map(String::from),
        properties,
        logical_id: entry.key.to_string(),
        type_,
        cdk_path,
        ignores,
    })
}

impl Template {
    /// `!Ref Name` in the template's own syntax.
    pub fn ref_text(&self, name: &str) -> String {
        if self.json { format!("{{\"Ref\": \"{name}\"}}") } else { format!("!Ref {name}") }
    }

    /// `!GetAtt Name.Attr` in the template's own syntax.
    pub fn get_att_text(&self, name: &str, attr: &str) -> String {
        if self.json {
            format!("{{\"Fn::GetAtt\": [\"{name}\", \"{attr}\"]}}")
        } else {
            format!("!GetAtt {name}.{attr}")
        }
    }
}

/// References of the modelled resources' properties (`Ref`, `Fn::GetAtt`, the names of
/// `Fn::Sub`) to names the template does not define: CloudFormation rejects such a template.
fn undefined_references(tpl: &Template, errors: &mut Vec<SyntaxError>) {
    let defined = |name: &str| {
        name.starts_with("AWS::") || tpl.parameters.contains_key(name) || tpl.type_of(name).is_some()
    };
    let mut report = |name: &str, span: Span| {
        errors.push(SyntaxError::new(
            format!(
                "`{name}` is not defined in this template: CloudFormation rejects it \
                 (\"Unresolved resource dependencies [{name}] in the Resources block of the template\")"
            ),
            span,
        ))
    };
    let mut stack: Vec<&Node> = tpl.resources.iter().filter_map(|r| r.properties.as_ref()).collect();
    while let Some(node) = stack.pop() {
        match &node.value {
            Value::Seq(items) => stack.extend(items),
            Value::Map(entries) => {
                if let Some(e) = node.single_entry() {
                    match (e.key.as_str(), &e.value.value) {
                        ("Ref", Value::String(name)) if !defined(name) => report(name, e.value.span),
                        ("Fn::GetAtt", _) => {
                            let name = match (&e.value.value, e.value.as_seq()) {
                                (Value::String(dotted), _) => dotted.split('.').next(),
                                (_, Some([first, ..])) => first.as_str(),
                                _ => None,
                            };
                            if let Some(name) = name.filter(|n| !defined(n)) {
                                report(name, e.value.span);
                            }
                        }
                        ("Fn::Sub", _) => {
                            let (text, vars) = match (&e.value.value, e.value.as_seq()) {
                                (Value::String(_), _) => (Some(&e.value), None),
                                (_, Some([text, vars])) => (Some(text), vars.as_map()),
                                _ => (None, None),
                            };
                            let local = |name: &str| vars.is_some_and(|v| v.iter().any(|x| x.key == name));
                            if let Some(text_node) = text
                                && let Some(text) = text_node.as_str()
                            {
                                for name in sub_names(text) {
                                    if !local(name) && !defined(name) {
                                        report(name, text_node.span);
                                    }
                                }
                            }
                        }
                        _ => {}
                    }
                }
                stack.extend(entries.iter().map(|e| &e.value));
            }
            _ => {}
        }
    }
}

/// The resource and parameter names a `Fn::Sub` text refers to: `${Name}` and `${Name.Attr}`,
/// not `${!Literal}`.
fn sub_names(text: &str) -> Vec<&str> {
    eval::sub_parts(text)
        .into_iter()
        .filter_map(|part| match part {
            eval::SubPart::Var(var) => {
                let var = var.trim();
                (!var.starts_with('!') && !var.is_empty()).then(|| var.split('.').next().unwrap_or(var))
            }
            _ => None,
        })
        .collect()
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
