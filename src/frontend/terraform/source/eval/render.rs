//! Collections and template directives: the items a `%{ for }` iterates (lists and maps written
//! out, in locals, module arguments and template variables, and `merge`, `concat`, `tolist`,
//! `toset`, `tomap` of such), the entries of a `roles` map written elsewhere, and templates
//! whose `%{ if }` and `%{ for }` directives are rendered before their JSON is read.

use std::cell::Cell;

use super::members::member_path;
use super::references::split_reference;
use super::{
    Followed, Found, MAX_ITEMS, MAX_LOOP_STEPS, MAX_MERGE_STEPS, MAX_VALUE_BYTES, Scope, Var, too_large,
};
use crate::frontend::Resolve;
use crate::frontend::policy::read_policy;
use crate::frontend::terraform::policy;
use crate::model::{Policy, PolicyForm, Sym};
use crate::source::Loc;
use crate::syntax::hcl::{CALL, COND, FOR, REF, TEMPLATE};
use crate::syntax::{Node, Value};

impl Scope<'_, '_> {
    /// The keys (indexes of a list) and values of a list or map written out, directly or in a
    /// local, a module argument or a template variable, as `%{ for }` iterates them: a list in
    /// order, a map by key. Why not, when it is not known statically.
    pub(super) fn items_of(&self, node: &Node) -> Result<Vec<(Sym, Sym)>, String> {
        self.items_within(node, &Cell::new(MAX_MERGE_STEPS))
    }

    /// [`Scope::items_of`], visiting at most `budget` collections through `merge`, `concat` and
    /// references, so merges of merges cannot fan out.
    fn items_within(&self, node: &Node, budget: &Cell<usize>) -> Result<Vec<(Sym, Sym)>, String> {
        let unknown = || "a collection not known statically".to_string();
        let left = budget.get();
        if left == 0 {
            return Err(format!("`merge` or `concat` of more than {MAX_MERGE_STEPS} collections"));
        }
        budget.set(left - 1);
        let written = node.as_seq().map(<[Node]>::len).or(node.as_map().map(<[_]>::len)).unwrap_or(0);
        if written > MAX_ITEMS {
            return Err(format!("a collection of more than {MAX_ITEMS} items"));
        }
        match node.single_entry().filter(|e| e.key.starts_with("tf::")) {
            None => match &node.value {
                Value::Seq(items) => Ok(items
                    .iter()
                    .enumerate()
                    .map(|(i, n)| (Sym::Lit(i.to_string()), self.eval(n)))
                    .collect()),
                Value::Map(entries) => {
                    let mut items: Vec<(Sym, Sym)> =
                        entries.iter().map(|e| (Sym::Lit(e.key.to_string()), self.eval(&e.value))).collect();
                    items.sort_by(|a, b| a.0.as_lit().cmp(&b.0.as_lit()));
                    Ok(items)
                }
                _ => Err(unknown()),
            },
            Some(e) if e.key == REF => self.referenced_items(e.value.as_str().unwrap_or_default(), budget),
            Some(e) if e.key == CALL => self.call_items(e.value.as_seq(), budget),
            _ => Err(unknown()),
        }
    }

    /// The items of the collection a reference names: a template variable, or a list or map
    /// written in a local or module argument (and members below it).
    fn referenced_items(&self, text: &str, budget: &Cell<usize>) -> Result<Vec<(Sym, Sym)>, String> {
        let unknown = || "a collection not known statically".to_string();
        if let (Some(vars), [name]) = (self.vars, split_reference(text).as_slice()) {
            return match vars.get(*name) {
                Some(Var::Items(items)) => Ok(items.clone()),
                _ => Err(unknown()),
            };
        }
        let (head, path) = member_path(text).unwrap_or_else(|| (text.to_string(), Vec::new()));
        let (mut at, mut node) = match self.follow(&head) {
            Some(Followed::To(at, node)) => (at, node),
            Some(Followed::Stopped(why)) => return Err(why),
            _ => return Err(unknown()),
        };
        for segment in &path {
            match at.find_key(node, segment, budget) {
                Found::Value(a, n) => (at, node) = (a, n),
                Found::Limit(why) => return Err(why),
                _ => return Err(unknown()),
            }
        }
        at.items_within(node, budget)
    }

    /// The items of `tolist`, `toset`, `tomap`, `merge` or `concat` of collections.
    fn call_items(&self, call: Option<&[Node]>, budget: &Cell<usize>) -> Result<Vec<(Sym, Sym)>, String> {
        let unknown = || "a collection not known statically".to_string();
        match call {
            Some([name, arg]) if matches!(name.as_str(), Some("tolist" | "toset" | "tomap")) => {
                self.items_within(arg, budget)
            }
            // The maps' keys, the last map's value for each.
            Some([name, maps @ ..]) if name.as_str() == Some("merge") => {
                let mut merged: std::collections::BTreeMap<String, (Sym, Sym)> = Default::default();
                for map in maps {
                    for (key, value) in self.items_within(map, budget)? {
                        merged.insert(key.describe(), (key, value));
                    }
                    if merged.len() > MAX_ITEMS {
                        return Err(format!("a collection of more than {MAX_ITEMS} items"));
                    }
                }
                Ok(merged.into_values().collect())
            }
            Some([name, lists @ ..]) if name.as_str() == Some("concat") => {
                let mut all = Vec::new();
                for list in lists {
                    all.extend(self.items_within(list, budget)?.into_iter().map(|(_, v)| v));
                    if all.len() > MAX_ITEMS {
                        return Err(format!("a collection of more than {MAX_ITEMS} items"));
                    }
                }
                Ok(all.into_iter().enumerate().map(|(i, v)| (Sym::Lit(i.to_string()), v)).collect())
            }
            _ => Err(unknown()),
        }
    }

    /// The entries of the map `node` names, added to `out` (a key again replaces the earlier
    /// entry, as `merge` does), visiting at most `budget` maps.
    pub(super) fn entries_within(&self, node: &Node, budget: &Cell<usize>, out: &mut Entries) -> Option<()> {
        let left = budget.get().checked_sub(1)?;
        budget.set(left);
        match node.single_entry().filter(|e| e.key.starts_with("tf::")) {
            None => {
                let map = node.as_map()?;
                // A roles map has a few keys: past the item bound in all it is not read (a
                // CT202 note says the roles are computed).
                if out.list.len() + map.len() > MAX_ITEMS {
                    return None;
                }
                for e in map {
                    out.add(e.key.to_string(), Loc::new(self.file, e.key_span), self.item(&e.value));
                }
                Some(())
            }
            Some(e) if e.key == REF => {
                let text = e.value.as_str()?;
                let (head, path) = member_path(text).unwrap_or_else(|| (text.to_string(), Vec::new()));
                let Followed::To(mut at, mut node) = self.follow(&head)? else { return None };
                for segment in &path {
                    match at.find_key(node, segment, budget) {
                        Found::Value(a, n) => (at, node) = (a, n),
                        _ => return None,
                    }
                }
                at.entries_within(node, budget, out)
            }
            // `c ? {…} : {}`: the branch the assignment takes, each in turn.
            Some(e) if e.key == COND => {
                let [condition, yes, no] = e.value.as_seq()? else { return None };
                let chosen = if self.branch(condition) == Some(false) { no } else { yes };
                self.entries_within(chosen, budget, out)
            }
            Some(e) if e.key == CALL => match e.value.as_seq()? {
                [name, map] if name.as_str() == Some("tomap") => self.entries_within(map, budget, out),
                [name, maps @ ..] if name.as_str() == Some("merge") => {
                    maps.iter().try_for_each(|map| self.entries_within(map, budget, out))
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// `%{ for k, v in coll }body%{ endfor }`: the body once per item, joined.
    pub(super) fn repeat(&self, parts: &[Node]) -> Sym {
        let [key, value, collection, body] = parts else { return Sym::Unknown("a `%{ for }`".into()) };
        let items = match self.items_of(collection) {
            Ok(items) => items,
            Err(why) => return Sym::Unevaluated(format!("a `%{{ for }}` directive over {why}")),
        };
        let mut values = Vec::with_capacity(items.len());
        let mut total = 0usize;
        for (k, v) in items {
            if !self.src.eval.step(body) {
                return Sym::Limit(format!(
                    "more than {MAX_LOOP_STEPS} iterations of `%{{ for }}` directives (a long body counts as several)"
                ));
            }
            let mut bound = self.bound.to_vec();
            if let Some(name) = key.as_str() {
                bound.push((name.to_string(), k));
            }
            bound.push((value.as_str().unwrap_or_default().to_string(), v));
            let piece = Scope { bound: &bound, ..*self }.eval(body);
            total = total.saturating_add(piece.weight());
            if total > MAX_VALUE_BYTES {
                return too_large();
            }
            values.push(piece);
        }
        Sym::concat(values)
    }

    /// The policy document a template's JSON text holds: read from the text of this scope's
    /// file (`in_text`, so places point into it) or from the template alone. A template with
    /// `%{ if }` or `%{ for }` directives is rendered first, every place at the template.
    pub(super) fn template_policy(&self, template: &Node, in_text: bool) -> Option<Policy> {
        if !has_directive(template) {
            let doc = if in_text {
                self.src.with_text(self.file, |text| policy::from_json_text(text, template))??
            } else {
                policy::from_template(template)?
            };
            return read_policy(self, &doc).map(|p| p.written_as(PolicyForm::JsonText));
        }
        let mut bound = self.bound.to_vec();
        let mut rendering = Rendering::default();
        match self.unfold(template, &mut bound, &mut rendering) {
            Ok(()) => {
                let parts = Node::new(Value::Seq(rendering.parts), template.span);
                let entry =
                    crate::syntax::Entry { key: TEMPLATE.into(), key_span: template.span, value: parts };
                let Some(doc) = policy::from_template(&Node::new(Value::Map(vec![entry]), template.span))
                else {
                    let why = "the template, its directives rendered, is not a JSON document".to_string();
                    self.src.eval.stopped(Loc::new(self.file, template.span), why);
                    return None;
                };
                read_policy(&Scope { bound: &bound, ..*self }, &doc)
                    .map(|p| p.written_as(PolicyForm::JsonText))
            }
            Err(why) => {
                self.src.eval.stopped(Loc::new(self.file, template.span), why);
                None
            }
        }
    }

    /// The text and `${…}` parts `node` renders to, its directives unfolded: each `%{ if }`
    /// the branch the assignment being extracted takes (its atom recorded, so that every
    /// branch is extracted in turn, as conditional expressions are), each `%{ for }` body once
    /// per item, its references to the loop's variables renamed apart (`id#3`) and bound in
    /// `bound`. Why not, when a collection is not known or the rendering is too large.
    fn unfold(&self, node: &Node, bound: &mut Vec<(String, Sym)>, out: &mut Rendering) -> Result<(), String> {
        let Some(parts) = node.get(TEMPLATE).and_then(Node::as_seq) else {
            return push_part(out, node.clone());
        };
        for part in parts {
            match part.single_entry() {
                Some(e) if e.key == COND => {
                    let [condition, yes, no] = e.value.as_seq().unwrap_or(&[]) else { continue };
                    let branch = Scope { bound: bound.as_slice(), ..*self }.branch(condition);
                    let chosen = if branch == Some(false) { no } else { yes };
                    self.unfold(chosen, bound, out)?;
                }
                Some(e) if e.key == FOR => {
                    let [key, value, collection, body] = e.value.as_seq().unwrap_or(&[]) else { continue };
                    let items = Scope { bound: bound.as_slice(), ..*self }
                        .items_of(collection)
                        .map_err(|why| format!("a `%{{ for }}` directive over {why}"))?;
                    for (k, v) in items {
                        if !self.src.eval.step(body) {
                            return Err(format!(
                                "more than {MAX_LOOP_STEPS} iterations of `%{{ for }}` directives (a long body counts as several)"
                            ));
                        }
                        let n = bound.len();
                        let mut renames = Vec::new();
                        if let Some(name) = key.as_str() {
                            renames.push((name.to_string(), format!("{name}#{n}")));
                            bound.push((format!("{name}#{n}"), k));
                        }
                        let name = value.as_str().unwrap_or_default();
                        renames.push((name.to_string(), format!("{name}#{n}")));
                        bound.push((format!("{name}#{n}"), v));
                        self.unfold(&renamed(body, &renames), bound, out)?;
                    }
                }
                _ => push_part(out, part.clone())?,
            }
        }
        Ok(())
    }
}

/// A template's parts as its directives render them, and the bytes of their text (an
/// expression counts as its source's length), within [`MAX_VALUE_BYTES`].
#[derive(Default)]
struct Rendering {
    parts: Vec<Node>,
    bytes: usize,
}

fn push_part(out: &mut Rendering, part: Node) -> Result<(), String> {
    out.bytes += part.as_str().map_or(part.span.end.saturating_sub(part.span.start).max(1), str::len);
    if out.bytes > MAX_VALUE_BYTES {
        return Err(format!("a template that renders to more than {} KiB", MAX_VALUE_BYTES / 1024));
    }
    out.parts.push(part);
    Ok(())
}

/// Whether a template holds a `%{ if }` or `%{ for }` directive.
fn has_directive(node: &Node) -> bool {
    node.get(TEMPLATE).and_then(Node::as_seq).is_some_and(|parts| {
        parts.iter().any(|p| p.single_entry().is_some_and(|e| e.key == COND || e.key == FOR))
    })
}

/// `node` with references whose first name is one of `renames` renamed (`id.x` → `id#3.x`).
fn renamed(node: &Node, renames: &[(String, String)]) -> Node {
    let mut node = node.clone();
    rename_in(&mut node, renames);
    node
}

fn rename_in(node: &mut Node, renames: &[(String, String)]) {
    match &mut node.value {
        Value::Map(entries) => {
            for e in entries {
                if e.key == REF
                    && let Value::String(text) = &mut e.value.value
                {
                    let end = text.find(['.', '[']).unwrap_or(text.len());
                    if let Some((_, to)) = renames.iter().find(|(from, _)| *from == text[..end]) {
                        text.replace_range(..end, to);
                    }
                } else {
                    rename_in(&mut e.value, renames);
                }
            }
        }
        Value::Seq(items) => items.iter_mut().for_each(|i| rename_in(i, renames)),
        _ => {}
    }
}

/// The entries of a map as `merge` builds it: a key added again moves to the end with its new
/// value, each addition in constant time.
#[derive(Default)]
pub(super) struct Entries {
    list: Vec<Option<(String, Loc, crate::model::Item)>>,
    at: std::collections::HashMap<String, usize>,
}

impl Entries {
    fn add(&mut self, key: String, loc: Loc, item: crate::model::Item) {
        if let Some(old) = self.at.insert(key.clone(), self.list.len()) {
            self.list[old] = None;
        }
        self.list.push(Some((key, loc, item)));
    }

    pub(super) fn into_vec(self) -> Vec<(String, Loc, crate::model::Item)> {
        self.list.into_iter().flatten().collect()
    }
}
