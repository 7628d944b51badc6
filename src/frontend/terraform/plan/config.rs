//! The plan's `configuration`: its modules indexed by path of call names, and their
//! expressions read in the HCL node encoding.

use std::collections::HashMap;

use super::super::policy;
use super::REFS;
use crate::syntax::{Entry, Node, Value};

/// One module of the plan's configuration, by its path of call names.
pub(super) struct ConfigModule<'a> {
    pub(super) node: &'a Node,
    /// Its resources by local address (`aws_iam_role.x`), the first of each.
    pub(super) resources: HashMap<&'a str, &'a Node>,
    /// The call that created it: (parent path, call expressions).
    pub(super) call: Option<(Vec<String>, &'a Node)>,
}

/// Indexes the configuration's modules by path. The recursion follows the plan's own nesting,
/// which the JSON parser bounds (256 levels, so at most 85 modules deep).
pub(super) fn index_config<'a>(
    node: &'a Node,
    path: Vec<String>,
    call: Option<(Vec<String>, &'a Node)>,
    out: &mut HashMap<Vec<String>, ConfigModule<'a>>,
) {
    for e in node.get("module_calls").and_then(Node::as_map).unwrap_or(&[]) {
        let Some(module) = e.value.get("module") else { continue };
        let mut child = path.clone();
        child.push(e.key.to_string());
        let exprs = e.value.get("expressions");
        index_config(module, child, exprs.map(|x| (path.clone(), x)), out);
    }
    let mut resources = HashMap::new();
    for r in node.get("resources").and_then(Node::as_seq).unwrap_or(&[]) {
        if let Some(address) = r.get("address").and_then(Node::as_str) {
            resources.entry(address).or_insert(r);
        }
    }
    out.insert(path, ConfigModule { node, resources, call });
}

/// Configuration expressions in the HCL node encoding: `constant_value` as the value,
/// `references` as a `tf::ref` to the most specific reference, nested blocks as lists of maps.
pub(super) fn expressions(node: &Node) -> Node {
    match &node.value {
        Value::Map(entries) => {
            if let Some(c) = node.get("constant_value") {
                return c.clone();
            }
            if let Some(refs) = node.get("references").and_then(Node::as_seq) {
                let texts: Vec<&str> = refs.iter().filter_map(Node::as_str).collect();
                // References to several things (`{a = aws_iam_role.x.arn, b = module.m.arn}`
                // written as one expression) keep them all: which goes where is not known.
                // The most specific of each: `aws_iam_role.x.arn`, not also `aws_iam_role.x`.
                let extends = |o: &str, r: &str| {
                    o.len() > r.len() && o.starts_with(r) && o[r.len()..].starts_with(['.', '['])
                };
                let mut leaves: Vec<&str> =
                    texts.iter().copied().filter(|r| !texts.iter().any(|o| extends(o, r))).collect();
                leaves.sort_unstable();
                leaves.dedup();
                if leaves.len() > 1 {
                    let list =
                        leaves.iter().map(|r| Node::new(Value::String(r.to_string()), node.span)).collect();
                    let entry = Entry {
                        key: REFS.into(),
                        key_span: node.span,
                        value: Node::new(Value::Seq(list), node.span),
                    };
                    return Node::new(Value::Map(vec![entry]), node.span);
                }
                let best = texts.iter().max_by_key(|r| r.split('.').count());
                return match best {
                    Some(r) => policy::reference(r, node.span),
                    None => Node::new(Value::Null, node.span),
                };
            }
            let converted = entries
                .iter()
                .map(|e| Entry { key: e.key.clone(), key_span: e.key_span, value: expressions(&e.value) })
                .collect();
            Node::new(Value::Map(converted), node.span)
        }
        Value::Seq(items) => Node::new(Value::Seq(items.iter().map(expressions).collect()), node.span),
        _ => node.clone(),
    }
}
