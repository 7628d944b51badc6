//! Reading a policy document (a concrete, condition-free tree) into [`Policy`].

use crate::model::{Condition, Effect, Item, Policy, Principal, PrincipalEntry, Statement, Sym};
use crate::source::{FileId, Loc};
use crate::syntax::{Node, Value};

/// Reads a policy document; `eval` resolves the template's own expressions.
pub fn read_policy(file: FileId, doc: &Node, eval: &dyn Fn(&Node) -> Sym) -> Option<Policy> {
    let statements = doc.get("Statement")?;
    let list: Vec<&Node> = match &statements.value {
        Value::Seq(items) => items.iter().collect(),
        Value::Map(_) => vec![statements],
        _ => return None,
    };
    Some(Policy {
        loc: Loc::new(file, doc.span),
        statements: list.into_iter().map(|s| read_statement(file, s, eval)).collect(),
    })
}

fn read_statement(file: FileId, node: &Node, eval: &dyn Fn(&Node) -> Sym) -> Statement {
    let loc = |n: &Node| Loc::new(file, n.span);
    let effect_node = node.get("Effect");
    let effect = match effect_node.map(eval) {
        Some(Sym::Lit(e)) if e == "Allow" => Effect::Allow,
        Some(Sym::Lit(e)) if e == "Deny" => Effect::Deny,
        _ => Effect::Unknown,
    };
    let (actions_node, not_action) = match node.entry("Action") {
        Some(e) => (Some(e), false),
        None => (node.entry("NotAction"), true),
    };
    let (resources_node, not_resource) = match node.entry("Resource") {
        Some(e) => (Some(e), false),
        None => (node.entry("NotResource"), true),
    };
    let condition = node.entry("Condition");
    Statement {
        loc: loc(node),
        effect,
        effect_loc: effect_node.map(loc),
        principal: node.get("Principal").map(|p| read_principal(file, p, eval)),
        not_principal: node.entry("NotPrincipal").map(|e| Loc::new(file, e.key_span)),
        actions: actions_node.map(|e| items(file, &e.value, eval)).unwrap_or_default(),
        action_loc: actions_node.map(|e| Loc::new(file, e.key_span)),
        not_action: not_action && actions_node.is_some(),
        resources: resources_node.map(|e| items(file, &e.value, eval)).unwrap_or_default(),
        not_resource: not_resource && resources_node.is_some(),
        conditions: condition.map(|c| read_conditions(file, &c.value, eval)).unwrap_or_default(),
        condition_loc: condition.map(|e| Loc::new(file, e.key_span)),
    }
}

/// A string-or-list value as items, each with its own place.
pub fn items(file: FileId, node: &Node, eval: &dyn Fn(&Node) -> Sym) -> Vec<Item> {
    match &node.value {
        Value::Seq(list) => {
            list.iter().map(|n| Item { value: eval(n), loc: Loc::new(file, n.span) }).collect()
        }
        _ => vec![Item { value: eval(node), loc: Loc::new(file, node.span) }],
    }
}

fn read_principal(file: FileId, node: &Node, eval: &dyn Fn(&Node) -> Sym) -> Principal {
    let mut principal = Principal { loc: Loc::new(file, node.span), wildcard: false, entries: Vec::new() };
    match &node.value {
        Value::Map(entries)
            if node.single_entry().is_none_or(|e| !e.key.contains("::") && e.key != "Ref") =>
        {
            for e in entries {
                for item in items(file, &e.value, eval) {
                    principal.entries.push(PrincipalEntry {
                        kind: e.key.to_string(),
                        kind_loc: Loc::new(file, e.key_span),
                        value: item.value,
                        loc: item.loc,
                    });
                }
            }
        }
        _ => match eval(node) {
            Sym::Lit(s) => principal.wildcard = s == "*",
            // A computed principal (a Terraform local, a variable): it may be anything.
            value => principal.entries.push(PrincipalEntry {
                kind: UNKNOWN_KEY.to_string(),
                kind_loc: Loc::new(file, node.span),
                value,
                loc: Loc::new(file, node.span),
            }),
        },
    }
    principal
}

/// A computed value (an intrinsic, a Terraform reference or call) rather than a literal map.
fn computed(node: &Node) -> bool {
    node.single_entry().is_some_and(|e| e.key.contains("::") || e.key == "Ref")
}

/// What a condition key or principal type is when it is computed: it may be any key.
pub const UNKNOWN_KEY: &str = "?";

fn unknown_condition(file: FileId, operator: &str, at: &Node) -> Condition {
    Condition {
        operator: operator.to_string(),
        operator_loc: Loc::new(file, at.span),
        key: UNKNOWN_KEY.to_string(),
        key_loc: Loc::new(file, at.span),
        values: Vec::new(),
        values_loc: Loc::new(file, at.span),
    }
}

fn read_conditions(file: FileId, node: &Node, eval: &dyn Fn(&Node) -> Sym) -> Vec<Condition> {
    if computed(node) {
        return vec![unknown_condition(file, UNKNOWN_KEY, node)];
    }
    let mut out = Vec::new();
    for op in node.as_map().unwrap_or(&[]) {
        if computed(&op.value) {
            out.push(unknown_condition(file, &op.key, &op.value));
            continue;
        }
        for key in op.value.as_map().unwrap_or(&[]) {
            out.push(Condition {
                operator: op.key.to_string(),
                operator_loc: Loc::new(file, op.key_span),
                key: key.key.to_string(),
                key_loc: Loc::new(file, key.key_span),
                values: items(file, &key.value, eval),
                values_loc: Loc::new(file, key.value.span),
            });
        }
    }
    out
}
