//! What the load keeps of a plan: the resources of the types the front end reads, in every
//! section and module that holds resources.

use crate::syntax::{Node, Value};

/// Keeps of a plan what its front end reads: the resources of the types the model reads or
/// names (Cognito, IAM, and the data sources of the partition, region and account), in every
/// module of `planned_values`, `prior_state`, `resource_changes` and `configuration`, and gives
/// back spare capacity. A plan is held from its parse until every input is read; the other
/// resources of a large plan are most of it.
pub fn keep_what_is_read(root: &mut Node) {
    for section in ["planned_values", "prior_state"] {
        let Some(values) = entry_mut(root, section) else { continue };
        let values = if section == "prior_state" { entry_mut(values, "values") } else { Some(values) };
        if let Some(module) = values.and_then(|v| entry_mut(v, "root_module")) {
            prune_module(module, "child_modules");
        }
    }
    if let Some(changes) = entry_mut(root, "resource_changes") {
        retain_read_resources(changes);
    }
    if let Some(module) = entry_mut(root, "configuration").and_then(|c| entry_mut(c, "root_module")) {
        prune_config_module(module);
    }
    root.shrink_to_fit();
}

/// Whether the model reads resources of this type, or references to them resolve through it.
fn read_type(type_: &str) -> bool {
    type_.starts_with("aws_cognito_")
        || type_.starts_with("aws_iam_")
        || matches!(type_, "aws_caller_identity" | "aws_partition" | "aws_region")
}

fn entry_mut<'n>(node: &'n mut Node, key: &str) -> Option<&'n mut Node> {
    match &mut node.value {
        Value::Map(entries) => entries.iter_mut().rev().find(|e| e.key == key).map(|e| &mut e.value),
        _ => None,
    }
}

/// Drops the resources of a list that are of a type not read (entries without a `type` stay).
fn retain_read_resources(list: &mut Node) {
    if let Value::Seq(items) = &mut list.value {
        items.retain(|r| r.get("type").and_then(Node::as_str).is_none_or(read_type));
    }
}

fn prune_module(module: &mut Node, children: &str) {
    if let Some(resources) = entry_mut(module, "resources") {
        retain_read_resources(resources);
    }
    if let Some(Node { value: Value::Seq(modules), .. }) = entry_mut(module, children) {
        modules.iter_mut().for_each(|m| prune_module(m, children));
    }
}

/// The configuration's modules nest through `module_calls.<name>.module`; the JSON nesting
/// bound keeps the recursion shallow.
fn prune_config_module(module: &mut Node) {
    if let Some(resources) = entry_mut(module, "resources") {
        retain_read_resources(resources);
    }
    if let Some(Node { value: Value::Map(calls), .. }) = entry_mut(module, "module_calls") {
        for call in calls {
            if let Some(child) = entry_mut(&mut call.value, "module") {
                prune_config_module(child);
            }
        }
    }
}
