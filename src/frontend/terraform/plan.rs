//! Terraform plan JSON (`terraform show -json`, format_version 1.x): resources from
//! `planned_values` (nested `child_modules`), with values the plan leaves unknown taken from
//! `configuration` expressions (`constant_value`, `references`) and module calls.

use std::collections::HashMap;

use super::{Resolve, TfResource, attach_role_policies, attribute, extract, policy};
use crate::iam::read_policy;
use crate::model::{Model, Policy, Sym};
use crate::source::{FileId, Loc, SourceFile};
use crate::syntax::{Entry, Node, Span, Value};

/// Whether a parsed JSON document is a Terraform plan.
pub fn is_plan(root: &Node) -> bool {
    root.get("format_version").is_some()
        && (root.get("planned_values").is_some() || root.get("resource_changes").is_some())
}

/// One module of the plan's configuration, by its path of call names.
struct ConfigModule<'a> {
    node: &'a Node,
    /// The call that created it: (parent path, call expressions).
    call: Option<(Vec<String>, &'a Node)>,
}

/// A plan file and its index.
pub struct Plan<'a> {
    file: FileId,
    root: &'a Node,
    modules: HashMap<Vec<String>, ConfigModule<'a>>,
    text: &'a str,
}

/// A planned resource: its module path, type, name and planned values.
struct Planned<'a> {
    /// `after_unknown` of the resource's change: which values the plan does not know.
    unknown: Option<&'a Node>,
    path: Vec<String>,
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
        Plan { file, root, modules, text: files.get(file).map_or("", |f| f.text.as_str()) }
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
            prior.retain(|p| p.data && !out.iter().any(|o| o.address == p.address));
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
            let data = r.get("mode").and_then(Node::as_str) == Some("data");
            let prefix: String = path.iter().map(|m| format!("module.{m}.")).collect();
            let local = if data { format!("data.{type_}.{name}") } else { format!("{type_}.{name}") };
            out.push(Planned {
                path,
                type_: type_.to_string(),
                name: name.to_string(),
                address: format!("{prefix}{local}"),
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
        let module = self.modules.get(path)?;
        module
            .node
            .get("resources")?
            .as_seq()?
            .iter()
            .find(|r| r.get("address").and_then(Node::as_str) == Some(local))
    }

    /// The `after_unknown` of the change planned for `address`.
    fn after_unknown(&self, address: &str) -> Option<&'a Node> {
        let changes = self.root.get("resource_changes")?.as_seq()?;
        let change = changes.iter().find(|c| c.get("address").and_then(Node::as_str) == Some(address))?;
        change.get("change")?.get("after_unknown")
    }

    /// The body extraction reads: planned values, with what the plan leaves unknown taken from
    /// the configuration's expressions.
    fn body(&self, p: &Planned) -> Node {
        let local =
            if p.data { format!("data.{}.{}", p.type_, p.name) } else { format!("{}.{}", p.type_, p.name) };
        let config = self.config(&p.path, &local).and_then(|c| c.get("expressions")).map(expressions);
        let empty = Node::new(Value::Map(Vec::new()), p.loc.span);
        overlay(p.values.unwrap_or(&empty), p.unknown, config.as_ref())
    }

    /// Adds the plan's resources to the model, except those `skip` says the `.tf` sources
    /// already define (their findings point at the sources and name the plan as related).
    pub fn extract(&self, model: &mut Model, skip: &dyn Fn(&str) -> bool) {
        let planned = self.planned();
        let bodies: Vec<Node> = planned.iter().map(|p| self.body(p)).collect();
        let each = |f: &mut dyn FnMut(&Scope, &TfResource)| {
            for (p, body) in planned.iter().zip(&bodies).filter(|(p, _)| !p.data && !skip(&p.address)) {
                let scope = Scope { plan: self, path: &p.path, planned: &planned, bodies: &bodies, depth: 0 };
                f(&scope, &TfResource { address: p.address.clone(), type_: &p.type_, body, loc: p.loc });
            }
        };
        each(&mut |scope, res| extract(scope, res, model));
        // Role policies name roles that must all be in the model first.
        each(&mut |scope, res| attach_role_policies(scope, res, model));
    }

    /// Addresses of the plan's managed resources, with their places in the plan.
    pub fn addresses(&self) -> Vec<(String, Loc)> {
        self.planned().into_iter().filter(|p| !p.data).map(|p| (p.address, p.loc)).collect()
    }
}

/// Planned values where known; where `unknown` marks a value unknown (or the plan has none),
/// the configuration's expression for it. A map or list whose elements are unknown but whose
/// configuration is one flat list of references (a `roles` map) becomes `tf::unknown`: which
/// reference fills which key cannot be told.
fn overlay(planned: &Node, unknown: Option<&Node>, config: Option<&Node>) -> Node {
    let whole_unknown = matches!(unknown.map(|u| &u.value), Some(Value::Bool(true)));
    let flat_config = config.is_some_and(|c| c.single_entry().is_some_and(|e| e.key.starts_with("tf::")));
    if whole_unknown || matches!(planned.value, Value::Null) {
        return match config {
            Some(_) if flat_config && has_unknown(unknown) && !matches!(planned.value, Value::Null) => {
                opaque(planned)
            }
            Some(c) => c.clone(),
            None => planned.clone(),
        };
    }
    match &planned.value {
        Value::Map(entries) => {
            if flat_config && has_unknown(unknown) {
                return opaque(planned);
            }
            let mut out: Vec<Entry> = entries
                .iter()
                .map(|e| Entry {
                    key: e.key.clone(),
                    key_span: e.key_span,
                    value: overlay(
                        &e.value,
                        unknown.and_then(|u| u.get(&e.key)),
                        config.and_then(|c| c.get(&e.key)),
                    ),
                })
                .collect();
            for e in config.filter(|_| !flat_config).and_then(Node::as_map).unwrap_or(&[]) {
                if !out.iter().any(|x| x.key == e.key) {
                    out.push(e.clone());
                }
            }
            Node::new(Value::Map(out), planned.span)
        }
        Value::Seq(items) => {
            if flat_config && has_unknown(unknown) {
                return config.cloned().unwrap_or_else(|| opaque(planned));
            }
            // Nested blocks that are sets (a policy document's `condition`s) come back sorted:
            // pair each planned block with the configured one its known values agree with.
            let out = items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    overlay(item, nth(unknown, i), matching(item, config).or_else(|| nth(config, i)))
                })
                .collect();
            Node::new(Value::Seq(out), planned.span)
        }
        _ => planned.clone(),
    }
}

/// The configured block whose literal values all equal the planned block's known ones.
fn matching<'c>(planned: &Node, config: Option<&'c Node>) -> Option<&'c Node> {
    let known: Vec<(&str, &Node)> = planned
        .as_map()?
        .iter()
        .filter(|e| is_known_scalar(&e.value))
        .map(|e| (e.key.as_str(), &e.value))
        .collect();
    if known.is_empty() {
        return None;
    }
    config?.as_seq()?.iter().find(|c| {
        known.iter().all(|(k, v)| match c.get(k) {
            Some(cv) if is_known_scalar(cv) => cv.scalar_text() == v.scalar_text(),
            _ => true,
        }) && known.iter().any(|(k, _)| c.get(k).is_some_and(is_known_scalar))
    })
}

fn nth(node: Option<&Node>, i: usize) -> Option<&Node> {
    node.and_then(Node::as_seq).and_then(|s| s.get(i))
}

/// Whether an `after_unknown` value marks anything unknown.
fn has_unknown(unknown: Option<&Node>) -> bool {
    match unknown.map(|u| &u.value) {
        Some(Value::Bool(b)) => *b,
        Some(Value::Map(entries)) => entries.iter().any(|e| has_unknown(Some(&e.value))),
        Some(Value::Seq(items)) => items.iter().any(|i| has_unknown(Some(i))),
        _ => false,
    }
}

fn opaque(at: &Node) -> Node {
    let value = Node::new(Value::String("a value the plan does not know".into()), at.span);
    Node::new(Value::Map(vec![Entry { key: "tf::unknown".into(), key_span: at.span, value }]), at.span)
}

fn is_known_scalar(node: &Node) -> bool {
    matches!(node.value, Value::String(_) | Value::Number(_) | Value::Bool(_))
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

fn index_config<'a>(
    node: &'a Node,
    path: Vec<String>,
    call: Option<(Vec<String>, &'a Node)>,
    out: &mut HashMap<Vec<String>, ConfigModule<'a>>,
) {
    if path.len() > 16 {
        return;
    }
    for e in node.get("module_calls").and_then(Node::as_map).unwrap_or(&[]) {
        let Some(module) = e.value.get("module") else { continue };
        let mut child = path.clone();
        child.push(e.key.clone());
        let exprs = e.value.get("expressions");
        index_config(module, child, exprs.map(|x| (path.clone(), x)), out);
    }
    out.insert(path, ConfigModule { node, call });
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
                let best = refs.iter().filter_map(Node::as_str).max_by_key(|r| r.split('.').count());
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
    path: &'s [String],
    planned: &'s [Planned<'a>],
    bodies: &'s [Node],
    depth: usize,
}

impl Scope<'_, '_> {
    fn reference(&self, text: &str) -> Sym {
        let parts: Vec<&str> = text.split('.').map(|p| p.split('[').next().unwrap_or(p)).collect();
        let prefix: String = self.path.iter().map(|m| format!("module.{m}.")).collect();
        match parts.as_slice() {
            ["var", name, ..] => self.variable(name),
            ["data", "aws_partition", _, "partition", ..] => Sym::Pseudo("AWS::Partition".into()),
            ["data", "aws_region", _, "name" | "id" | "region", ..] => Sym::Pseudo("AWS::Region".into()),
            ["data", "aws_caller_identity", _, "account_id", ..] => Sym::Pseudo("AWS::AccountId".into()),
            ["data", type_, name, attr, ..] => {
                attribute(self.plan.file, type_, &format!("{prefix}data.{type_}.{name}"), attr)
            }
            ["module", name, output, ..] => self.module_output(name, output),
            [type_, name, attr, ..] if type_.contains('_') => {
                let address = format!("{prefix}{type_}.{name}");
                // A value the plan knows beats the reference.
                let known = self
                    .planned
                    .iter()
                    .position(|p| p.address == address)
                    .and_then(|i| self.bodies[i].get(attr))
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

    /// `module.NAME.OUTPUT`: the output's expression, evaluated in the child module.
    fn module_output(&self, name: &str, output: &str) -> Sym {
        let mut child = self.path.to_vec();
        child.push(name.to_string());
        let expr = self
            .plan
            .modules
            .get(&child)
            .and_then(|m| m.node.get("outputs"))
            .and_then(|o| o.get(output))
            .and_then(|o| o.get("expression"));
        match (expr, self.plan.modules.get_key_value(&child)) {
            (Some(expr), Some((path, _))) if self.depth < 16 => {
                Scope { path, depth: self.depth + 1, ..*self }.eval(&expressions(expr))
            }
            _ => Sym::Unknown(format!("`module.{name}.{output}`")),
        }
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
            Some((parent, expr)) if self.depth < 16 => {
                let scope = Scope { path: parent, depth: self.depth + 1, ..*self };
                scope.eval(&expressions(expr))
            }
            _ => Sym::Unknown(format!("`var.{name}`")),
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
                _ => Sym::Unknown("a map".into()),
            },
            _ => Sym::Unknown("a value the plan does not know".into()),
        }
    }

    fn policy(&self, node: &Node) -> Option<Policy> {
        let eval = |n: &Node| self.eval(n);
        if let Some(e) = node.single_entry().filter(|e| e.key == "tf::ref") {
            let parts: Vec<&str> = e.value.as_str()?.split('.').collect();
            let ["data", "aws_iam_policy_document", name, "json", ..] = parts.as_slice() else { return None };
            let prefix: String = self.path.iter().map(|m| format!("module.{m}.")).collect();
            let address = format!("{prefix}data.aws_iam_policy_document.{name}");
            let i = self.planned.iter().position(|p| p.address == address)?;
            let body = &self.bodies[i];
            if let Some(json) = body.get("json").filter(|j| is_known_scalar(j)) {
                return self.policy(json);
            }
            let doc = policy::from_document_block(body, &|n: &Node| self.eval(n).as_lit().map(String::from));
            return read_policy(self.plan.file, &doc, &eval);
        }
        let doc = json_in_string(self.plan.text, node)?;
        read_policy(self.plan.file, &doc, &eval)
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
