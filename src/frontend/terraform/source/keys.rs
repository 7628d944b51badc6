//! The `count` and `for_each` instances of resource, data and module call blocks, found once
//! per module instance within the bounds, and the instance a reference's index names.

use std::collections::HashMap;

use super::super::closing_key;
use super::eval::Scope;
use super::{MAX_INSTANCE_BLOCKS, MAX_INSTANCES, Sources, quoted_key, thousands};
use crate::frontend::Resolve;
use crate::syntax::Node;

/// The instances of one resource block.
pub(super) enum Keys {
    /// No `count` or `for_each`, or one not known statically whose instances are all alike
    /// (`count = var.create ? 1 : 0`, or values that use no `count.index` or `each.*`): one
    /// resource, addressed without a key.
    One,
    /// `count = N`.
    Count(usize),
    /// `for_each` of a map (`true`) or of a set of strings, by key.
    ForEach(Vec<String>, bool),
    /// Not expanded (one resource, and CT901 saying why).
    Not(String),
}

impl Keys {
    /// How many instances: one for a block not expanded.
    fn len(&self) -> usize {
        match self {
            Keys::One | Keys::Not(_) => 1,
            Keys::Count(n) => *n,
            Keys::ForEach(keys, _) => keys.len(),
        }
    }
}

impl<'a> Sources<'a> {
    /// The instances of resource block `block` of instance `inst`, found once.
    pub(super) fn keys(&self, inst: usize, block: usize) -> std::rc::Rc<Keys> {
        remembered(&self.keys, (inst, block), || self.find_keys(inst, block))
    }

    /// The instances of the data block `type_.name` of instance `inst`, found once, whatever
    /// assignment of conditionals the extraction in progress is under; `None` when the module
    /// has no such block.
    pub(super) fn data_keys(&self, inst: usize, type_: &str, name: &str) -> Option<std::rc::Rc<Keys>> {
        let module = &self.modules[self.instances[inst].module];
        let block = *module.data_index.get(type_)?.get(name)?;
        let b = &module.data[block];
        Some(remembered(&self.data_keys, (inst, block), || {
            let scope = self.scope(inst, b.file, None);
            bounded(self.eval.outside_assignment(|| instance_keys(&scope, b.body)))
        }))
    }

    fn find_keys(&self, inst: usize, block: usize) -> Keys {
        let b = &self.modules[self.instances[inst].module].resources[block];
        let scope = self.scope(inst, b.file, None);
        match bounded(instance_keys(&scope, b.body)) {
            keys @ (Keys::One | Keys::Not(_)) => keys,
            keys if self.blocks + self.expanded.get() + keys.len() > MAX_INSTANCE_BLOCKS => {
                Keys::Not(format!(
                    "resource instances would be more than {} resource and data blocks",
                    thousands(MAX_INSTANCE_BLOCKS)
                ))
            }
            keys => {
                self.expanded.set(self.expanded.get() + keys.len());
                keys
            }
        }
    }

    /// The address a reference (`aws_iam_role.this["guest"].arn`) to resource `type_.name` of
    /// instance `inst` names: that instance, the first for a counted resource referred to
    /// without an index or by a splat; why not when the instance is not known.
    pub(super) fn instance_address(
        &self,
        inst: usize,
        type_: &str,
        name: &str,
        text: &str,
    ) -> Result<String, String> {
        let base = format!("{}{type_}.{name}", self.instances[inst].prefix);
        let module = &self.modules[self.instances[inst].module];
        let Some(&block) = module.resource_index.get(type_).and_then(|m| m.get(name)) else {
            return Ok(base);
        };
        let local = format!("{type_}.{name}");
        let written = text
            .find(&format!("{local}["))
            .map(|at| at + local.len())
            .and_then(|at| text[at..].find(']').map(|end| &text[at..at + end + 1]));
        let written = written.map(|w| {
            // A quoted key may hold `]`: up to its closing quote.
            if w.starts_with("[\"") {
                let start = text.find(w).unwrap_or(0);
                closing_key(&text[start..]).unwrap_or(w)
            } else {
                w
            }
        });
        let unknown = || format!("`{text}` (an instance of `{local}` by a key not known statically)");
        let absent = || format!("`{text}` (an instance `{local}` does not have)");
        match (&*self.keys(inst, block), written) {
            (Keys::One | Keys::Not(_), _) => Ok(base),
            (Keys::Count(n), None | Some("[*]")) => {
                if *n > 0 {
                    Ok(format!("{base}[0]"))
                } else {
                    Err(absent())
                }
            }
            (Keys::Count(n), Some(index)) => match index[1..index.len() - 1].parse::<usize>() {
                Ok(i) if i < *n => Ok(format!("{base}[{i}]")),
                Ok(_) => Err(absent()),
                Err(_) => Err(unknown()),
            },
            (Keys::ForEach(keys, _), Some(index)) if index != "[*]" && index != "[?]" => keys
                .iter()
                .map(|k| quoted_key(k))
                .find(|k| *k == index || format!("[{}]", &k[2..k.len() - 2]) == index)
                .map(|k| format!("{base}{k}"))
                .ok_or_else(absent),
            _ => Err(unknown()),
        }
    }
}

/// Whether `node` refers to `count.index` (`root` = `count`) or to `each.key`/`each.value`.
fn refers_to(node: &Node, root: &str) -> bool {
    match &node.value {
        crate::syntax::Value::Map(entries) => entries.iter().any(|e| {
            if e.key == crate::syntax::hcl::REF {
                e.value.as_str().is_some_and(|t| t.split(['.', '[']).next() == Some(root))
            } else {
                refers_to(&e.value, root)
            }
        }),
        crate::syntax::Value::Seq(items) => items.iter().any(|i| refers_to(i, root)),
        _ => false,
    }
}

/// The instance keys remembered in `cache` under `key`, found by `find` the first time. A
/// `count` or `for_each` that refers back to its own block meets a placeholder that says so.
fn remembered(
    cache: &std::cell::RefCell<HashMap<(usize, usize), std::rc::Rc<Keys>>>,
    key: (usize, usize),
    find: impl FnOnce() -> Keys,
) -> std::rc::Rc<Keys> {
    if let Some(keys) = cache.borrow().get(&key) {
        return keys.clone();
    }
    let cycle = Keys::Not("its `count` or `for_each` refers to the block itself".into());
    cache.borrow_mut().insert(key, std::rc::Rc::new(cycle));
    let keys = std::rc::Rc::new(find());
    cache.borrow_mut().insert(key, keys.clone());
    keys
}

/// Instance keys found, or why not, as [`Keys`]: more than [`MAX_INSTANCES`] are not expanded.
pub(super) fn bounded(found: Result<Keys, String>) -> Keys {
    match found {
        Ok(keys) if keys.len() > MAX_INSTANCES => Keys::Not(format!(
            "it has {} instances, more than {}",
            thousands(keys.len()),
            thousands(MAX_INSTANCES)
        )),
        Ok(keys) => keys,
        Err(why) => Keys::Not(why),
    }
}

/// The instances the `count` or `for_each` of a resource or module call `body` makes, in
/// `scope`; why they are not known statically. Instances that do not use their key are all
/// alike, and one stands for them.
pub(super) fn instance_keys(scope: &Scope, body: &Node) -> Result<Keys, String> {
    if let Some(count) = body.get("count") {
        match scope.eval(count).as_lit().map(str::parse::<usize>) {
            Some(Ok(n)) => Ok(Keys::Count(n)),
            _ if zero_or_one(scope, count) || !refers_to(body, "count") => Ok(Keys::One),
            _ => Err("its `count` is not known statically".to_string()),
        }
    } else if let Some(for_each) = body.get("for_each") {
        match scope.for_each_keys(for_each) {
            Ok((keys, map)) => Ok(Keys::ForEach(keys, map)),
            Err(_) if !refers_to(body, "each") => Ok(Keys::One),
            Err(why) => Err(why),
        }
    } else {
        Ok(Keys::One)
    }
}

/// `count = var.create ? 1 : 0`: a count of one or none, which one resource stands for.
fn zero_or_one(scope: &Scope, count: &Node) -> bool {
    let Some(e) = count.single_entry().filter(|e| e.key == crate::syntax::hcl::COND) else { return false };
    match e.value.as_seq() {
        Some([_, yes, no]) => [yes, no].iter().all(|n| matches!(scope.eval(n).as_lit(), Some("0" | "1"))),
        _ => false,
    }
}
