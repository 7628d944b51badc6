//! Terraform plan JSON (`terraform show -json`, format_version 1.x): resources from
//! `planned_values` (nested `child_modules`), with values the plan leaves unknown taken from
//! `configuration` expressions (`constant_value`, `references`) and module calls.

mod address;
mod config;
mod json_text;
mod overlay;
mod prune;
mod scope;

use std::collections::{HashMap, HashSet};

use super::{TfResource, attach_role_policies, extract};
use crate::model::{Incomplete, Model, ResourceRef};
use crate::source::{FileId, Loc, SourceFile};
use crate::syntax::{Node, Value};
use address::{module_keys, module_path, prefix_of};
pub use address::{without_instance, without_keys};
use config::{ConfigModule, expressions, index_config};
use overlay::overlay;
pub use prune::keep_what_is_read;
use scope::Scope;

/// Whether a parsed JSON document is a Terraform plan.
pub(crate) fn is_plan(root: &Node) -> bool {
    root.get("format_version").is_some()
        && (root.get("planned_values").is_some() || root.get("resource_changes").is_some())
}

/// A plan file and its index.
pub(crate) struct Plan<'a> {
    file: FileId,
    root: &'a Node,
    modules: HashMap<Vec<String>, ConfigModule<'a>>,
    /// `resource_changes` by address, the first of each.
    changes: HashMap<&'a str, &'a Node>,
    text: &'a str,
}

/// A planned resource: its module path, type, name and planned values.
struct Planned<'a> {
    /// `after_unknown` of the resource's change: which values the plan does not know.
    unknown: Option<&'a Node>,
    /// The module path by call names (`["auth"]`), which finds the configuration.
    path: Vec<String>,
    /// The module instance path as Terraform addresses it (`["auth[\"a\"]"]`).
    keys: Vec<String>,
    type_: String,
    name: String,
    address: String,
    values: Option<&'a Node>,
    loc: Loc,
    data: bool,
}

impl<'a> Plan<'a> {
    pub fn new(file: FileId, root: &'a Node, files: &'a [SourceFile]) -> Self {
        let mut modules = HashMap::new();
        if let Some(config) = root.get("configuration").and_then(|c| c.get("root_module")) {
            index_config(config, Vec::new(), None, &mut modules);
        }
        let mut changes = HashMap::new();
        for change in root.get("resource_changes").and_then(Node::as_seq).unwrap_or(&[]) {
            if let Some(address) = change.get("address").and_then(Node::as_str) {
                changes.entry(address).or_insert(change);
            }
        }
        Plan { file, root, modules, changes, text: files.get(file).map_or("", |f| f.text.as_str()) }
    }

    fn planned(&self) -> Vec<Planned<'a>> {
        let mut out = Vec::new();
        if let Some(root) = self.root.get("planned_values").and_then(|p| p.get("root_module")) {
            self.walk(root, &mut out);
        }
        if let Some(root) =
            self.root.get("prior_state").and_then(|p| p.get("values")).and_then(|v| v.get("root_module"))
        {
            let mut prior = Vec::new();
            self.walk(root, &mut prior);
            let planned: HashSet<&str> = out.iter().map(|o| o.address.as_str()).collect();
            prior.retain(|p| p.data && !planned.contains(p.address.as_str()));
            out.extend(prior);
        }
        out
    }

    fn walk(&self, module: &'a Node, out: &mut Vec<Planned<'a>>) {
        for r in module.get("resources").and_then(Node::as_seq).unwrap_or(&[]) {
            let (Some(type_), Some(name), Some(address)) = (
                r.get("type").and_then(Node::as_str),
                r.get("name").and_then(Node::as_str),
                r.get("address"),
            ) else {
                continue;
            };
            let full = address.as_str().unwrap_or_default();
            let path = module_path(full);
            let keys = module_keys(full);
            let data = r.get("mode").and_then(Node::as_str) == Some("data");
            let prefix = prefix_of(&keys);
            let local = if data { format!("data.{type_}.{name}") } else { format!("{type_}.{name}") };
            // A `count` or `for_each` instance keeps its key, as Terraform addresses it.
            let instance = full.rfind(&format!("{local}[")).map_or("", |at| &full[at + local.len()..]);
            out.push(Planned {
                path,
                keys,
                type_: type_.to_string(),
                name: name.to_string(),
                address: format!("{prefix}{local}{instance}"),
                values: r.get("values"),
                unknown: self.after_unknown(full),
                loc: Loc::new(self.file, address.span),
                data,
            });
        }
        for child in module.get("child_modules").and_then(Node::as_seq).unwrap_or(&[]) {
            self.walk(child, out);
        }
    }

    /// The configuration of a resource, by module path and local address.
    fn config(&self, path: &[String], local: &str) -> Option<&'a Node> {
        self.modules.get(path)?.resources.get(local).copied()
    }

    /// The `after_unknown` of the change planned for `address`.
    fn after_unknown(&self, address: &str) -> Option<&'a Node> {
        self.changes.get(address)?.get("change")?.get("after_unknown")
    }

    /// The body extraction reads: planned values, with what the plan leaves unknown taken from
    /// the configuration's expressions; and whether a list of its nested blocks was too long to
    /// pair with the configured ones.
    fn body(&self, p: &Planned) -> (Node, bool) {
        let local =
            if p.data { format!("data.{}.{}", p.type_, p.name) } else { format!("{}.{}", p.type_, p.name) };
        let config = self.config(&p.path, &local).and_then(|c| c.get("expressions")).map(expressions);
        let empty = Node::new(Value::Map(Vec::new()), p.loc.span);
        let mut unpaired = false;
        let body = overlay(p.values.unwrap_or(&empty), p.unknown, config.as_ref(), &mut unpaired);
        (body, unpaired)
    }

    /// Adds the plan's resources to the model, except those `skip` says the `.tf` sources
    /// already define (their findings point at the sources and name the plan as related).
    pub(crate) fn extract(&self, model: &mut Model, skip: &dyn Fn(&str) -> bool) {
        let planned = self.planned();
        let mut bodies = Vec::with_capacity(planned.len());
        for p in &planned {
            let (body, unpaired) = self.body(p);
            if unpaired && super::is_modelled(&p.type_) && !skip(&p.address) {
                model.incomplete.push(unpaired_blocks(self.file, p));
            }
            bodies.push(body);
        }
        let mut index: HashMap<&str, usize> = HashMap::with_capacity(planned.len());
        for (i, p) in planned.iter().enumerate() {
            index.entry(p.address.as_str()).or_insert(i);
        }
        // A reference without the instance key (`aws_iam_role.this.arn`) names the first.
        for (i, p) in planned.iter().enumerate() {
            index.entry(without_instance(&p.address)).or_insert(i);
        }
        // Every module instance the plan holds resources in, and those above them.
        let mut instances: HashSet<Vec<String>> = HashSet::new();
        for p in &planned {
            for n in 0..=p.keys.len() {
                instances.insert(p.keys[..n].to_vec());
            }
        }
        let mut sorted: Vec<&str> = planned.iter().map(|p| p.address.as_str()).collect();
        sorted.sort_unstable();
        sorted.dedup();
        let each = |f: &mut dyn FnMut(&Scope, &TfResource)| {
            for (p, body) in planned.iter().zip(&bodies).filter(|(p, _)| !p.data && !skip(&p.address)) {
                let scope = Scope {
                    plan: self,
                    path: &p.path,
                    keys: &p.keys,
                    instances: &instances,
                    index: &index,
                    sorted: &sorted,
                    bodies: &bodies,
                    depth: 0,
                };
                f(&scope, &TfResource { address: p.address.clone(), type_: &p.type_, body, loc: p.loc });
            }
        };
        each(&mut |scope, res| extract(scope, res, model));
        // Role policies name roles that must all be in the model first.
        let roles = super::RoleIndex::new(model);
        each(&mut |scope, res| attach_role_policies(scope, res, &roles, model));
    }

    /// Addresses of the plan's managed resources, with their places in the plan.
    pub(crate) fn addresses(&self) -> Vec<(String, Loc)> {
        self.planned().into_iter().filter(|p| !p.data).map(|p| (p.address, p.loc)).collect()
    }
}

/// A configuration expression that refers to several things: a list of their references.
pub(super) const REFS: &str = "tf::refs";

/// CT901 for a resource whose nested blocks were paired with their configuration by position.
fn unpaired_blocks(file: FileId, p: &Planned) -> Incomplete {
    Incomplete {
        resource: ResourceRef { file, name: p.address.clone(), loc: p.loc, construct_path: None },
        loc: p.loc,
        reason: "a list of its nested blocks is too long to pair each planned block with its \
                 configuration by their values, so values the plan does not know may come from \
                 another block's configuration"
            .into(),
    }
}
