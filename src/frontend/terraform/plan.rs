//! Terraform plan JSON (`terraform show -json`, format_version 1.x): resources from
//! `planned_values` (nested `child_modules`), with values the plan leaves unknown taken from
//! `configuration` expressions (`constant_value`, `references`) and module calls.

mod overlay;

use std::collections::{HashMap, HashSet};

use super::{Policies, TfResource, attach_role_policies, attribute, extract, policy};
use crate::frontend::Resolve;
use crate::iam::read_policy;
use crate::model::{Incomplete, Model, Policy, PolicyForm, ResourceRef, Sym};
use crate::source::{FileId, Loc, SourceFile};
use crate::syntax::{Entry, Node, Span, Value};
use overlay::{is_known_scalar, overlay};

/// Whether a parsed JSON document is a Terraform plan.
pub fn is_plan(root: &Node) -> bool {
    root.get("format_version").is_some()
        && (root.get("planned_values").is_some() || root.get("resource_changes").is_some())
}

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

/// One module of the plan's configuration, by its path of call names.
struct ConfigModule<'a> {
    node: &'a Node,
    /// Its resources by local address (`aws_iam_role.x`), the first of each.
    resources: HashMap<&'a str, &'a Node>,
    /// The call that created it: (parent path, call expressions).
    call: Option<(Vec<String>, &'a Node)>,
}

/// A plan file and its index.
pub struct Plan<'a> {
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
    pub fn extract(&self, model: &mut Model, skip: &dyn Fn(&str) -> bool) {
        let planned = self.planned();
        let mut bodies = Vec::with_capacity(planned.len());
        for p in &planned {
            let (body, unpaired) = self.body(p);
            if unpaired && is_modelled(&p.type_) && !skip(&p.address) {
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
    pub fn addresses(&self) -> Vec<(String, Loc)> {
        self.planned().into_iter().filter(|p| !p.data).map(|p| (p.address, p.loc)).collect()
    }
}

/// The address without the instance key of its resource: `aws_iam_role.this["a"]` →
/// `aws_iam_role.this` (module instance keys stay out of addresses here).
pub fn without_instance(address: &str) -> &str {
    match address.strip_suffix(']') {
        Some(_) => address.rfind('[').map_or(address, |at| &address[..at]),
        None => address,
    }
}

/// `address` without any instance key, of resources or module calls:
/// `module.m["a"].aws_iam_role.r[0]` → `module.m.aws_iam_role.r`. Sources name a module
/// instance without a key where its `count` is one or none (`var.create ? 1 : 0`).
pub fn without_keys(address: &str) -> String {
    let mut out = String::with_capacity(address.len());
    let mut rest = address;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let after = &rest[open..];
        let len = if after.starts_with("[\"") {
            super::source::closing_key(after).map_or(after.len(), str::len)
        } else {
            after.find(']').map_or(after.len(), |end| end + 1)
        };
        rest = &after[len..];
    }
    out.push_str(rest);
    out
}

/// The instance key (`["a"]`, `[0]`) written right after `local` in a reference's text.
fn instance_key<'t>(text: &'t str, local: &str) -> Option<&'t str> {
    let at = text.find(&format!("{local}["))? + local.len();
    let end = text[at..].find(']')? + at + 1;
    Some(&text[at..end])
}

/// How many references may be followed to find the roles a computed `roles` map refers to.
const MAX_ROLE_REFERENCES: usize = 4096;

/// A configuration expression that refers to several things: a list of their references.
pub(super) const REFS: &str = "tf::refs";

/// Whether the model reads a resource of this type (or a data source, for its policy document).
pub(super) fn is_modelled(type_: &str) -> bool {
    type_.starts_with("aws_cognito_")
        || type_.starts_with("aws_iam_role")
        || type_ == "aws_iam_policy_document"
}

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

/// `module.a.module.b.aws_iam_role.x[0]` → `["a", "b"]`.
fn module_path(address: &str) -> Vec<String> {
    let mut path = Vec::new();
    let mut parts = address.split('.');
    while let Some(p) = parts.next() {
        if p == "module" {
            if let Some(name) = parts.next() {
                path.push(name.split('[').next().unwrap_or(name).to_string());
            }
        } else {
            break;
        }
    }
    path
}

/// `module.a.module.b["k"].aws_iam_role.x[0]` → `["a", "b[\"k\"]"]`: the module instance
/// path, keys as written.
fn module_keys(address: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let mut rest = address;
    while let Some(after) = rest.strip_prefix("module.") {
        let end = after.find(['.', '[']).unwrap_or(after.len());
        let mut len = end;
        if after[end..].starts_with("[\"") {
            len += super::source::closing_key(&after[end..]).map_or(after.len() - end, str::len);
        } else if after[end..].starts_with('[') {
            len += after[end..].find(']').map_or(after.len() - end, |e| e + 1);
        }
        keys.push(after[..len].to_string());
        rest = after[len..].strip_prefix('.').unwrap_or("");
    }
    keys
}

/// `module.a.module.b["k"].` for a module instance path.
fn prefix_of(keys: &[String]) -> String {
    keys.iter().map(|k| format!("module.{k}.")).collect()
}

/// Indexes the configuration's modules by path. The recursion follows the plan's own nesting,
/// which the JSON parser bounds (256 levels, so at most 85 modules deep).
fn index_config<'a>(
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
fn expressions(node: &Node) -> Node {
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

/// Evaluation inside one module of the plan.
#[derive(Clone, Copy)]
struct Scope<'s, 'a> {
    plan: &'s Plan<'a>,
    /// The module path by call names, which finds the configuration.
    path: &'s [String],
    /// The module instance path, with the keys of `count` and `for_each` instances, which
    /// addresses resources: `module.auth["a"].aws_iam_role.x`.
    keys: &'s [String],
    /// Every module instance path that holds planned resources.
    instances: &'s HashSet<Vec<String>>,
    /// The planned resources' indexes in `bodies` by address, the first of each.
    index: &'s HashMap<&'s str, usize>,
    /// The planned resources' addresses, sorted, for the instances of one resource.
    sorted: &'s [&'s str],
    bodies: &'s [Node],
    /// How many module outputs and variables were followed to get here.
    depth: usize,
}

/// How deep references may chain through module outputs and variables. A plan Terraform wrote
/// has no cycle, but a crafted one may: the chain stops here and the value is a limit (CT901).
const MAX_DEPTH: usize = 16;

fn too_deep() -> Sym {
    Sym::Limit(format!("a chain of more than {MAX_DEPTH} references"))
}

impl<'s, 'a> Scope<'s, 'a> {
    fn reference(&self, text: &str) -> Sym {
        let parts: Vec<&str> = text.split('.').map(|p| p.split('[').next().unwrap_or(p)).collect();
        let prefix = prefix_of(self.keys);
        match parts.as_slice() {
            ["var", name, ..] => self.variable(name),
            ["data", "aws_partition", _, "partition", ..] => Sym::Pseudo("AWS::Partition".into()),
            ["data", "aws_region", _, "name" | "id" | "region", ..] => Sym::Pseudo("AWS::Region".into()),
            ["data", "aws_caller_identity", _, "account_id", ..] => Sym::Pseudo("AWS::AccountId".into()),
            ["data", type_, name, attr, ..] => {
                attribute(self.plan.file, type_, &format!("{prefix}data.{type_}.{name}"), attr)
            }
            ["module", name, output, ..] => self.module_output(name, output, text),
            [type_, name, attr, ..] if type_.contains('_') => {
                let base = format!("{prefix}{type_}.{name}");
                // `aws_iam_role.this["guest"].arn`: that instance, when the plan has it.
                let keyed = instance_key(text, &format!("{type_}.{name}")).map(|key| format!("{base}{key}"));
                let address = keyed.filter(|k| self.index.contains_key(k.as_str())).unwrap_or(base);
                // A value the plan knows beats the reference.
                let known = self
                    .index
                    .get(address.as_str())
                    .and_then(|&i| self.bodies.get(i))
                    .and_then(|body| body.get(attr))
                    .filter(|n| is_known_scalar(n));
                match known {
                    Some(n) if *attr != "id" && *attr != "arn" => {
                        Sym::Lit(n.scalar_text().unwrap_or_default())
                    }
                    _ => attribute(self.plan.file, type_, &address, attr),
                }
            }
            _ => Sym::Unknown(format!("`{text}`")),
        }
    }

    /// The planned `aws_iam_role`s a reference reaches, through module outputs and variables
    /// (the configuration's `references` of each), each instance of a `count` or `for_each`.
    fn roles_of(&self, text: &str, out: &mut Vec<Sym>, budget: &mut usize) {
        if *budget == 0 {
            return;
        }
        *budget -= 1;
        let parts: Vec<&str> = text.split('.').map(|p| p.split('[').next().unwrap_or(p)).collect();
        let follow = |scope: Scope, expr: Option<&Node>, out: &mut Vec<Sym>, budget: &mut usize| {
            for r in expr.and_then(|e| e.get("references")).and_then(Node::as_seq).unwrap_or(&[]) {
                if let Some(r) = r.as_str() {
                    scope.roles_of(r, out, budget);
                }
            }
        };
        match parts.as_slice() {
            ["aws_iam_role", name, ..] => {
                let prefix = prefix_of(self.keys);
                let address = format!("{prefix}aws_iam_role.{name}");
                let start = self.sorted.partition_point(|a| *a < address.as_str());
                for a in self.sorted[start..].iter().take_while(|a| a.starts_with(address.as_str())) {
                    if a.len() == address.len() || a[address.len()..].starts_with('[') {
                        out.push(attribute(self.plan.file, "aws_iam_role", a, "arn"));
                    }
                }
            }
            _ if self.depth >= MAX_DEPTH => {}
            ["module", name, output, ..] => {
                for child in self.children(name, text) {
                    let expr = child.config_module().and_then(|m| m.node.get("outputs"));
                    let expr = expr.and_then(|o| o.get(output)).and_then(|o| o.get("expression"));
                    follow(child, expr, out, budget);
                }
            }
            ["var", name, ..] if !self.path.is_empty() => {
                let call = self.plan.modules.get(self.path).and_then(|m| m.call.as_ref());
                if let Some((_, exprs)) = call {
                    follow(self.parent(), exprs.get(name), out, budget);
                }
            }
            _ => {}
        }
    }

    /// `module.NAME.OUTPUT`, or `module.NAME["k"].OUTPUT`: the output's expression, evaluated
    /// in that instance of the child module.
    fn module_output(&self, name: &str, output: &str, text: &str) -> Sym {
        let children = self.children(name, text);
        let [child] = children.as_slice() else {
            return Sym::Unknown(format!("`{text}`"));
        };
        let expr = child
            .config_module()
            .and_then(|m| m.node.get("outputs"))
            .and_then(|o| o.get(output))
            .and_then(|o| o.get("expression"));
        match expr {
            Some(_) if self.depth >= MAX_DEPTH => too_deep(),
            Some(expr) => child.eval(&expressions(expr)),
            None => Sym::Unknown(format!("`module.{name}.{output}`")),
        }
    }

    fn config_module(&self) -> Option<&'s ConfigModule<'a>> {
        self.plan.modules.get(self.path)
    }

    /// The scopes of the instances of module call `name` that `text` names, one reference
    /// deeper: the one its key names (`module.m["a"]`), or every instance without a key. A
    /// module the plan holds no resources of is known by its call path alone.
    fn children(&self, name: &str, text: &str) -> Vec<Scope<'s, 'a>> {
        let mut path = self.path.to_vec();
        path.push(name.to_string());
        let Some((path, _)) = self.plan.modules.get_key_value(&path) else { return Vec::new() };
        let key = instance_key(text, &format!("module.{name}")).filter(|k| !k.contains(['*', '?']));
        let mut keyed = self.keys.to_vec();
        keyed.push(format!("{name}{}", key.unwrap_or_default()));
        let deeper = |keys: &'s [String]| Scope { path, keys, depth: self.depth + 1, ..*self };
        if let Some(keys) = self.instances.get(&keyed) {
            return vec![deeper(keys)];
        }
        let mut siblings: Vec<&Vec<String>> = self
            .instances
            .iter()
            .filter(|k| {
                k.len() == keyed.len()
                    && k[..self.keys.len()] == *self.keys
                    && k.last().and_then(|l| l.strip_prefix(name)).is_some_and(|rest| rest.starts_with('['))
            })
            .collect();
        match (key, siblings.is_empty()) {
            // An instance the plan does not have.
            (Some(_), false) => Vec::new(),
            (None, false) => {
                siblings.sort();
                siblings.into_iter().map(|keys| deeper(keys)).collect()
            }
            (_, true) => vec![deeper(path)],
        }
    }

    /// The scope of the module instance that called this one, one reference deeper.
    fn parent(&self) -> Self {
        let parent = self.plan.modules.get(self.path).and_then(|m| m.call.as_ref()).map(|(p, _)| p);
        let keys = &self.keys[..self.keys.len().saturating_sub(1)];
        Scope { path: parent.map_or(&[][..], |p| p.as_slice()), keys, depth: self.depth + 1, ..*self }
    }

    fn variable(&self, name: &str) -> Sym {
        if self.path.is_empty() {
            let value =
                self.plan.root.get("variables").and_then(|v| v.get(name)).and_then(|v| v.get("value"));
            return match value.and_then(Node::scalar_text) {
                Some(v) => Sym::Lit(v),
                None => Sym::Unknown(format!("`var.{name}`")),
            };
        }
        let module = self.plan.modules.get(self.path);
        let arg =
            module.and_then(|m| m.call.as_ref()).and_then(|(parent, exprs)| Some((parent, exprs.get(name)?)));
        match arg {
            Some(_) if self.depth >= MAX_DEPTH => too_deep(),
            Some((_, expr)) => self.parent().eval(&expressions(expr)),
            None => Sym::Unknown(format!("`var.{name}`")),
        }
    }
}

impl Resolve for Scope<'_, '_> {
    fn file(&self) -> FileId {
        self.plan.file
    }

    fn eval(&self, node: &Node) -> Sym {
        match &node.value {
            Value::String(s) => Sym::Lit(s.clone()),
            Value::Number(n) => Sym::Lit(n.clone()),
            Value::Bool(b) => Sym::Lit(b.to_string()),
            Value::Map(_) => match node.single_entry() {
                Some(e) if e.key == "tf::ref" => self.reference(e.value.as_str().unwrap_or_default()),
                Some(e) if e.key == REFS => Sym::Unknown("a value built from several references".into()),
                _ => Sym::Unknown("a map".into()),
            },
            _ => Sym::Unknown("a value the plan does not know".into()),
        }
    }
}

impl Policies for Scope<'_, '_> {
    fn referenced_roles(&self, node: &Node) -> Vec<Sym> {
        let Some(e) =
            node.single_entry().filter(|e| ["tf::ref", "tf::unknown", REFS].contains(&e.key.as_str()))
        else {
            return Vec::new();
        };
        let texts: Vec<&str> = match e.value.as_seq() {
            Some(list) => list.iter().filter_map(Node::as_str).collect(),
            None => e.value.as_str().into_iter().collect(),
        };
        let mut out = Vec::new();
        let mut budget = MAX_ROLE_REFERENCES;
        for text in texts {
            self.roles_of(text, &mut out, &mut budget);
        }
        if budget == 0 {
            out.push(Sym::Limit(format!(
                "more than {MAX_ROLE_REFERENCES} references were followed to find the roles a computed `roles` map refers to"
            )));
        }
        out.sort_by_key(Sym::describe);
        out.dedup();
        out
    }

    fn policy(&self, node: &Node) -> Option<Policy> {
        if let Some(e) = node.single_entry().filter(|e| e.key == "tf::ref") {
            let parts: Vec<&str> = e.value.as_str()?.split('.').collect();
            let ["data", "aws_iam_policy_document", name, "json", ..] = parts.as_slice() else { return None };
            let address = format!("{}data.aws_iam_policy_document.{name}", prefix_of(self.keys));
            let body = self.bodies.get(*self.index.get(address.as_str())?)?;
            if let Some(json) = body.get("json").filter(|j| is_known_scalar(j)) {
                return self.policy(json);
            }
            let doc = policy::from_document_block(body, &|n: &Node| self.eval(n).as_lit().map(String::from));
            return read_policy(self, &doc).map(|p| p.written_as(PolicyForm::DocumentBlocks));
        }
        let doc = json_in_string(self.plan.text, node)?;
        read_policy(self, &doc).map(|p| p.written_as(PolicyForm::JsonText))
    }
}

/// The JSON document inside a JSON string value of the plan, with spans mapped through the
/// string's escapes into the plan file.
fn json_in_string(text: &str, node: &Node) -> Option<Node> {
    let Value::String(decoded) = &node.value else { return None };
    let raw = text.get(node.span.start..node.span.end)?;
    let map = decoded_to_raw(raw)?;
    let mut doc = crate::syntax::json::parse(decoded).ok()?.root;
    remap(&mut doc, &map, node.span.start);
    Some(doc)
}

/// For each byte of a JSON string's decoded text, the offset of its source in the raw literal
/// (quotes included); one extra entry for the end.
fn decoded_to_raw(raw: &str) -> Option<Vec<usize>> {
    let bytes = raw.as_bytes();
    let mut map = Vec::with_capacity(raw.len());
    let mut i = 1;
    while i + 1 < bytes.len() {
        if bytes[i] == b'\\' {
            let (len, decoded_len) = match bytes.get(i + 1)? {
                b'u' => {
                    let hex = raw.get(i + 2..i + 6)?;
                    let c = u32::from_str_radix(hex, 16).ok().and_then(char::from_u32).unwrap_or('\u{fffd}');
                    (6, c.len_utf8())
                }
                _ => (2, 1),
            };
            map.extend(std::iter::repeat_n(i, decoded_len));
            i += len;
        } else {
            map.push(i);
            i += 1;
        }
    }
    map.push(i);
    Some(map)
}

fn remap(node: &mut Node, map: &[usize], base: usize) {
    let at = |o: usize| base + map.get(o).copied().unwrap_or_else(|| map.last().copied().unwrap_or(0));
    node.span = Span::new(at(node.span.start), at(node.span.end));
    match &mut node.value {
        Value::Seq(items) => items.iter_mut().for_each(|n| remap(n, map, base)),
        Value::Map(entries) => {
            for e in entries {
                e.key_span = Span::new(at(e.key_span.start), at(e.key_span.end));
                remap(&mut e.value, map, base);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_paths_come_from_addresses() {
        assert_eq!(module_path("module.a.module.b[0].aws_iam_role.x"), ["a", "b"]);
        assert!(module_path("aws_iam_role.x").is_empty());
        assert_eq!(module_keys("module.a.module.b[0].aws_iam_role.x"), ["a", "b[0]"]);
        assert_eq!(module_keys("module.a[\"x.y]\"].aws_iam_role.x[\"k\"]"), ["a[\"x.y]\"]"]);
        assert!(module_keys("aws_iam_role.x").is_empty());
    }

    #[test]
    fn policy_spans_map_through_string_escapes() {
        let text = r#"{"p": "{\"Effect\":\"Allow\"}"}"#;
        let root = crate::syntax::json::parse(text).unwrap().root;
        let p = root.get("p").unwrap();
        let doc = json_in_string(text, p).unwrap();
        let effect = doc.get("Effect").unwrap();
        assert_eq!(&text[effect.span.start..effect.span.end], r#"\"Allow\""#);
        let key = &doc.as_map().unwrap()[0];
        assert_eq!(&text[key.key_span.start..key.key_span.end], r#"\"Effect\""#);
    }
}
