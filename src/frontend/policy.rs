//! Reading a policy document (a concrete, condition-free tree) into [`Policy`], the same way
//! for every front end: each resolves its own expressions and places through [`Resolve`], so
//! `crate::iam` sees only the model's policy documents, never a syntax tree.

use super::Resolve;
use crate::model::{
    Condition, Effect, Policy, PolicyForm, Principal, PrincipalEntry, Statement, Sym, UNKNOWN_KEY,
};
use crate::syntax::{Node, Value};

/// Reads a policy document; `r` resolves the input's own expressions and places.
pub(crate) fn read_policy(r: &dyn Resolve, doc: &Node) -> Option<Policy> {
    let statements = doc.get("Statement")?;
    let list: Vec<&Node> = match &statements.value {
        Value::Seq(items) => items.iter().collect(),
        Value::Map(_) => vec![statements],
        _ => return None,
    };
    let statements = list.into_iter().map(|s| read_statement(r, s)).collect();
    Some(Policy { loc: r.at(doc.span), statements, form: PolicyForm::Template })
}

fn read_statement(r: &dyn Resolve, node: &Node) -> Statement {
    let loc = |n: &Node| r.loc(n);
    let effect_node = node.get("Effect");
    let effect = match effect_node.map(|n| r.eval(n)) {
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
        principal: node.get("Principal").map(|p| read_principal(r, p)),
        not_principal: node.entry("NotPrincipal").map(|e| r.at(e.key_span)),
        actions: actions_node.map(|e| r.items(&e.value)).unwrap_or_default(),
        action_loc: actions_node.map(|e| r.at(e.key_span)),
        not_action: not_action && actions_node.is_some(),
        resources: resources_node.map(|e| r.items(&e.value)).unwrap_or_default(),
        not_resource: not_resource && resources_node.is_some(),
        conditions: condition.map(|c| read_conditions(r, &c.value)).unwrap_or_default(),
        condition_loc: condition.map(|e| r.at(e.key_span)),
    }
}

fn read_principal(r: &dyn Resolve, node: &Node) -> Principal {
    let mut principal = Principal { loc: r.at(node.span), wildcard: false, entries: Vec::new() };
    match &node.value {
        Value::Map(entries)
            if node.single_entry().is_none_or(|e| !e.key.contains("::") && e.key != "Ref") =>
        {
            for e in entries {
                for item in r.items(&e.value) {
                    principal.entries.push(PrincipalEntry {
                        kind: e.key.to_string(),
                        kind_loc: r.at(e.key_span),
                        value: item.value,
                        loc: item.loc,
                    });
                }
            }
        }
        _ => match r.eval(node) {
            Sym::Lit(s) => principal.wildcard = s == "*",
            // A computed principal (a Terraform local, a variable): it may be anything.
            value => principal.entries.push(PrincipalEntry {
                kind: UNKNOWN_KEY.to_string(),
                kind_loc: r.at(node.span),
                value,
                loc: r.at(node.span),
            }),
        },
    }
    principal
}

/// A computed value (an intrinsic, a Terraform reference or call) rather than a literal map.
fn computed(node: &Node) -> bool {
    node.single_entry().is_some_and(|e| e.key.contains("::") || e.key == "Ref")
}

fn unknown_condition(r: &dyn Resolve, operator: &str, at: &Node) -> Condition {
    Condition {
        operator: operator.to_string(),
        operator_loc: r.at(at.span),
        key: UNKNOWN_KEY.to_string(),
        key_loc: r.at(at.span),
        values: Vec::new(),
        values_loc: r.at(at.span),
    }
}

fn read_conditions(r: &dyn Resolve, node: &Node) -> Vec<Condition> {
    if computed(node) {
        return vec![unknown_condition(r, UNKNOWN_KEY, node)];
    }
    let mut out = Vec::new();
    for op in node.as_map().unwrap_or(&[]) {
        if computed(&op.value) {
            out.push(unknown_condition(r, &op.key, &op.value));
            continue;
        }
        for key in op.value.as_map().unwrap_or(&[]) {
            out.push(Condition {
                operator: op.key.to_string(),
                operator_loc: r.at(op.key_span),
                key: key.key.to_string(),
                key_loc: r.at(key.key_span),
                values: r.items(&key.value),
                values_loc: r.at(key.value.span),
            });
        }
    }
    out
}
