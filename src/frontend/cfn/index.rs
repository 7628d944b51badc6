//! Indexing a template: what the model reads of each section is moved out of the parsed tree
//! (the properties read of the modelled types, the ID and type of the others, permission
//! policies trimmed to what the rules read), and what CloudFormation would refuse becomes an
//! error with its place.

use std::collections::HashMap;

use super::references::undefined_references;
use super::{Output, Resource, Template, is_custom};
use crate::source::{FileId, Loc};
use crate::syntax::{Node, SyntaxError, Value};

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
    add_resources(&mut tpl, root.take("Resources"), keep_all, &mut errors);
    for mut entry in root.take("Parameters").map(Node::into_entries).unwrap_or_default() {
        tpl.parameters.insert(entry.key.to_string(), entry.value.take("Default"));
    }
    if complete {
        undefined_references(&tpl, &mut errors);
    }
    for entry in root.take("Conditions").map(Node::into_entries).unwrap_or_default() {
        tpl.conditions.insert(entry.key.to_string(), entry.value);
    }
    tpl.outputs = outputs(root.take("Outputs"));
    (tpl, errors)
}

/// Indexes the `Resources` section: every resource's ID and type, and the resources the model
/// reads (all of them when `keep_all`).
fn add_resources(tpl: &mut Template, resources: Option<Node>, keep_all: bool, errors: &mut Vec<SyntaxError>) {
    match resources {
        Some(Node { value: Value::Map(entries), .. }) => {
            // `Fn::ForEach::Name` loops (the LanguageExtensions transform) expand at deploy time.
            for entry in entries.into_iter().filter(|e| !e.key.starts_with("Fn::ForEach::")) {
                match resource(tpl.file, entry) {
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
}

/// The `Outputs` that have a `Value`, with their export names.
fn outputs(section: Option<Node>) -> Vec<Output> {
    let mut outputs = Vec::new();
    for mut entry in section.map(Node::into_entries).unwrap_or_default() {
        if let Some(value) = entry.value.take("Value") {
            outputs.push(Output {
                export_name: entry.value.take("Export").and_then(|mut e| e.take("Name")),
                name: entry.key.to_string(),
                value,
            });
        }
    }
    outputs
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
