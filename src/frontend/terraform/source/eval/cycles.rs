//! Cycles of locals, found per module before evaluating.

use std::collections::HashSet;

use super::super::Module;
use super::references::split_reference;
use crate::model::EvalError;
use crate::source::Loc;
use crate::syntax::hcl::REF;
use crate::syntax::{Node, Value};

/// The locals of `module` that lie on a cycle of locals, each cycle reported once as an error
/// at the local that closes it (`cycle: local.a → local.b → local.a`). A walk over the
/// module's locals alone, whatever the instances: a cycle of locals is one in every instance,
/// and reported even where nothing uses it, as Terraform does.
pub(in super::super) fn local_cycles(module: &Module, errors: &mut Vec<EvalError>) -> HashSet<String> {
    let mut names: Vec<&str> = module.locals.keys().map(String::as_str).collect();
    names.sort_by_key(|n| module.locals.get(*n).map(|l| (l.file, l.name_span.start)));
    let refs = |name: &str| -> Vec<&str> {
        let mut out = Vec::new();
        if let Some(local) = module.locals.get(name) {
            local_refs(local.value, &mut out);
        }
        out.retain(|r| module.locals.contains_key(*r));
        out
    };
    let mut open: HashSet<&str> = HashSet::new();
    let mut done: HashSet<&str> = HashSet::new();
    let mut cyclic = HashSet::new();
    for start in names {
        if done.contains(start) {
            continue;
        }
        // The walk's path: each local with the locals it refers to and the next to follow.
        let mut path: Vec<(&str, Vec<&str>, usize)> = vec![(start, refs(start), 0)];
        open.insert(start);
        while let Some((name, targets, next)) = path.last_mut() {
            let Some(&target) = targets.get(*next) else {
                open.remove(*name);
                done.insert(*name);
                path.pop();
                continue;
            };
            *next += 1;
            let name = *name;
            if open.contains(target) {
                let from = path.iter().position(|(n, ..)| *n == target).unwrap_or(0);
                let cycle: Vec<&str> = path[from..].iter().map(|(n, ..)| *n).chain([target]).collect();
                cyclic.extend(cycle.iter().map(|n| n.to_string()));
                let names: Vec<String> = cycle.iter().map(|n| format!("local.{n}")).collect();
                if let Some(local) = module.locals.get(name) {
                    let loc = Loc::new(local.file, local.name_span);
                    errors.push(EvalError { loc, message: format!("cycle: {}", names.join(" → ")) });
                }
            } else if !done.contains(target) {
                open.insert(target);
                path.push((target, refs(target), 0));
            }
        }
    }
    cyclic
}

/// The names of the locals `node` refers to, in order of appearance.
fn local_refs<'n>(node: &'n Node, out: &mut Vec<&'n str>) {
    match &node.value {
        Value::Map(entries) => {
            for e in entries {
                if e.key == REF {
                    if let Some(["local", name, ..]) = e.value.as_str().map(split_reference).as_deref() {
                        out.push(name);
                    }
                } else {
                    local_refs(&e.value, out);
                }
            }
        }
        Value::Seq(items) => items.iter().for_each(|i| local_refs(i, out)),
        _ => {}
    }
}
