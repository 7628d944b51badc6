//! Members of maps: `each.value` of a `for_each`, the keys of a `for_each`, `local.x.key`,
//! `lookup` and the member under a key of maps written out, in locals and module arguments,
//! or merged by `merge`.

use std::cell::Cell;

use super::super::{Keys, quoted_key};
use super::{Each, Followed, Found, Key, MAX_DEPTH, MAX_MERGE_STEPS, Scope};
use crate::frontend::Resolve;
use crate::frontend::terraform::attribute;
use crate::model::Sym;
use crate::source::Loc;
use crate::syntax::hcl::{CALL, REF};
use crate::syntax::{Node, Value};

impl<'s, 'a> Scope<'s, 'a> {
    /// `each.value`, `each.value.attr`, `each.value["k"]`: the member of the `for_each` map
    /// under this instance's key (and below it), or the key itself for a set.
    pub(super) fn each_value(&self, each: &Each, text: &str) -> Sym {
        let path = segments(text).map(|s| s.into_iter().skip(2).collect::<Vec<_>>());
        let Some(map) = each.map else {
            return match path.as_deref() {
                Some([]) => Sym::Lit(each.key.clone()),
                _ => Sym::Unknown(format!("`{text}` of a set of strings")),
            };
        };
        let Some(path) = path else { return Sym::Unknown(format!("`{text}`")) };
        if self.depth >= MAX_DEPTH {
            return self.src.eval.too_deep();
        }
        // `for_each = aws_x.c`: `each.value` is the instance of `aws_x.c` under the same key.
        let over =
            map.single_entry().filter(|e| e.key == REF).and_then(|e| self.resource_of(e.value.as_str()?));
        if let Some((type_, name, file)) = over {
            let written = format!("{type_}.{name}{}", quoted_key(&each.key));
            return match (path.first(), self.src.instance_address(self.inst, type_, name, &written)) {
                (Some(attr), Ok(address)) => attribute(file, type_, &address, attr),
                (None, _) => Sym::Unknown(format!("`{text}`, a resource instance")),
                (_, Err(why)) => Sym::Unevaluated(why),
            };
        }
        let mut at = Scope { each: None, depth: self.depth + 1, ..*self };
        let budget = Cell::new(MAX_MERGE_STEPS);
        let mut node = map;
        for key in std::iter::once(&each.key).chain(&path) {
            match at.find_key(node, key, &budget) {
                Found::Value(a, n) => (at, node) = (a, n),
                Found::Absent | Found::Unknown => return Sym::Unknown(format!("`{text}`")),
                Found::Limit(why) => return Sym::Limit(why),
            }
        }
        at.eval(node)
    }

    /// The keys of a `for_each` known statically, sorted as Terraform orders them, and whether
    /// it is a map (else a set of strings); why not otherwise.
    pub(in super::super) fn for_each_keys(&self, node: &Node) -> Result<(Vec<String>, bool), String> {
        let unknown = || "its `for_each` is not known statically".to_string();
        let (mut at, mut node) = (*self, node);
        for _ in 0..MAX_DEPTH {
            match node.single_entry().filter(|e| e.key.starts_with("tf::")) {
                Some(e) if e.key == REF => {
                    let text = e.value.as_str().unwrap_or_default();
                    // `for_each = aws_x.c`: the keys of that resource's own `for_each`.
                    if let Some((type_, name, _)) = at.resource_of(text) {
                        let block = at.module().resource_index.get(type_).and_then(|m| m.get(name));
                        return match block.map(|&b| at.src.keys(at.inst, b)).as_deref() {
                            Some(Keys::ForEach(keys, _)) => Ok((keys.clone(), true)),
                            _ => Err(unknown()),
                        };
                    }
                    let (head, path) = member_path(text).unwrap_or_else(|| (text.to_string(), Vec::new()));
                    (at, node) = match at.follow(&head) {
                        Some(Followed::To(a, n)) => (a, n),
                        Some(Followed::Stopped(why)) => return Err(why),
                        _ => return Err(unknown()),
                    };
                    let budget = Cell::new(MAX_MERGE_STEPS);
                    for segment in &path {
                        match at.find_key(node, segment, &budget) {
                            Found::Value(a, n) => (at, node) = (a, n),
                            Found::Limit(why) => return Err(why),
                            _ => return Err(unknown()),
                        }
                    }
                }
                Some(e) if e.key == CALL => match e.value.as_seq() {
                    Some([name, arg]) if matches!(name.as_str(), Some("toset" | "tomap" | "tolist")) => {
                        node = arg;
                    }
                    _ => return Err(unknown()),
                },
                Some(_) => return Err(unknown()),
                None => {
                    let (mut keys, map) = match &node.value {
                        Value::Seq(items) => {
                            let keys: Option<Vec<String>> =
                                items.iter().map(|i| at.eval(i).as_lit().map(String::from)).collect();
                            (keys.ok_or_else(unknown)?, false)
                        }
                        Value::Map(entries) => (entries.iter().map(|e| e.key.to_string()).collect(), true),
                        _ => return Err(unknown()),
                    };
                    keys.sort();
                    keys.dedup();
                    return Ok((keys, map));
                }
            }
        }
        Err(format!("its `for_each` is more than {MAX_DEPTH} references away"))
    }

    /// `local.x.key`, `var.x["key"]`: the member of a map written in the value of a local or
    /// of a module argument, remembered like the value itself; `None` when the value is not
    /// a map written out (it is then evaluated whole).
    pub(super) fn member(&self, text: &str) -> Option<Sym> {
        let (head, path) = member_path(text)?;
        let Followed::To(mut scope, mut node) = self.follow(&head)? else { return None };
        let budget = Cell::new(MAX_MERGE_STEPS);
        for key in &path {
            match scope.find_key(node, key, &budget) {
                Found::Value(at, value) => (scope, node) = (at, value),
                Found::Absent | Found::Unknown => return None,
                Found::Limit(why) => return Some(Sym::Limit(why)),
            }
        }
        let key = Key::Member(self.inst, text.to_string());
        Some(self.value_of(key, Loc::new(scope.file, node.span), Scope { depth: self.depth, ..scope }, node))
    }

    /// `lookup(map, key, default)` of a map written out, directly or in a local or variable.
    pub(super) fn lookup(&self, map: &Node, key: &Node, default: Option<&Node>) -> Sym {
        let Some(key) = self.eval(key).as_lit().map(String::from) else {
            return Sym::Unknown("a lookup by a key not known statically".into());
        };
        let budget = Cell::new(MAX_MERGE_STEPS);
        match self.find_key(map, &key, &budget) {
            Found::Value(at, value) => at.eval(value),
            Found::Absent => match default {
                Some(default) => self.eval(default),
                None => Sym::Unknown(format!("a lookup of `{key}`, which the map lacks")),
            },
            Found::Unknown => Sym::Unknown("a lookup in a map not known statically".into()),
            Found::Limit(why) => Sym::Limit(why),
        }
    }

    /// The member `key` of a map written out, of a local or module argument holding one, or
    /// of `merge(…)` of such maps (the last map that has the key wins). `budget` bounds the
    /// maps visited, so merges of merges cannot fan out.
    pub(super) fn find_key<'n>(&self, map: &'n Node, key: &str, budget: &Cell<usize>) -> Found<'s, 'a, 'n>
    where
        's: 'n,
    {
        let left = budget.get();
        if left == 0 {
            return Found::Limit(format!("`merge` of more than {MAX_MERGE_STEPS} maps"));
        }
        budget.set(left - 1);
        match map.single_entry().filter(|e| e.key.starts_with("tf::")) {
            None if map.as_map().is_some() => match map.get(key) {
                Some(value) => Found::Value(*self, value),
                None => Found::Absent,
            },
            None if map.as_seq().is_some() => match key.parse::<usize>() {
                Ok(i) => {
                    let items = map.as_seq().unwrap_or_default();
                    items.get(i).map_or(Found::Absent, |item| Found::Value(*self, item))
                }
                Err(_) => Found::Unknown,
            },
            Some(e) if e.key == REF => {
                let text = e.value.as_str().unwrap_or_default();
                let (head, path) = member_path(text).unwrap_or_else(|| (text.to_string(), Vec::new()));
                let (mut at, mut node) = match self.follow(&head) {
                    Some(Followed::To(at, node)) => (at, node),
                    Some(Followed::Stopped(why)) => return Found::Limit(why),
                    Some(Followed::Cycle) | None => return Found::Unknown,
                };
                for segment in &path {
                    match at.find_key(node, segment, budget) {
                        Found::Value(a, n) => (at, node) = (a, n),
                        other => return other,
                    }
                }
                at.find_key(node, key, budget)
            }
            Some(e) if e.key == CALL => match e.value.as_seq() {
                Some([name, map]) if matches!(name.as_str(), Some("tomap" | "tolist")) => {
                    self.find_key(map, key, budget)
                }
                Some([name, maps @ ..]) if name.as_str() == Some("merge") => {
                    for m in maps.iter().rev() {
                        match self.find_key(m, key, budget) {
                            Found::Absent => {}
                            found => return found,
                        }
                    }
                    Found::Absent
                }
                _ => Found::Unknown,
            },
            _ => Found::Unknown,
        }
    }
}

/// `local.roles.guest` or `var.roles["guest"]` as the reference to the local or variable
/// (`local.roles`) and the keys below it; `None` for a reference with a number index or a
/// splat, and for anything but a local or a variable.
pub(super) fn member_path(text: &str) -> Option<(String, Vec<String>)> {
    let segments = segments(text)?;
    match segments.as_slice() {
        [root, name, _, ..] if root == "local" || root == "var" => {
            Some((format!("{root}.{name}"), segments[2..].to_vec()))
        }
        _ => None,
    }
}

/// `each.value["a.b"].c` → `["each", "value", "a.b", "c"]`, `local.l[0]` and `local.l.0` →
/// `["local", "l", "0"]`; `None` with a splat or an index not known.
fn segments(text: &str) -> Option<Vec<String>> {
    let mut segments = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        if let Some((index, after)) = rest.strip_prefix('[').and_then(|r| r.split_once(']'))
            && !index.is_empty()
            && index.bytes().all(|b| b.is_ascii_digit())
        {
            segments.push(index.to_string());
            rest = after;
        } else if let Some(after) = rest.strip_prefix("[\"") {
            let mut key = String::new();
            let mut chars = after.char_indices();
            let end = loop {
                match chars.next()? {
                    (_, '\\') => key.push(chars.next()?.1),
                    (i, '"') => break i,
                    (_, c) => key.push(c),
                }
            };
            segments.push(key);
            rest = after[end + 1..].strip_prefix(']')?;
        } else {
            let rest_trimmed = rest.strip_prefix('.').unwrap_or(rest);
            let end = rest_trimmed.find(['.', '[']).unwrap_or(rest_trimmed.len());
            let name = &rest_trimmed[..end];
            if name.is_empty() || (segments.is_empty() && name.bytes().all(|b| b.is_ascii_digit())) {
                return None;
            }
            segments.push(name.to_string());
            rest = &rest_trimmed[end..];
        }
    }
    Some(segments)
}
