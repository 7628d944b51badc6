//! Evaluation inside one module instance of the plan: references to resources, data sources,
//! variables and module outputs, and the roles and policy documents they reach.

use std::collections::{HashMap, HashSet};

use super::super::{Policies, attribute, policy};
use super::address::{instance_key, prefix_of};
use super::config::{ConfigModule, expressions};
use super::json_text::json_in_string;
use super::overlay::is_known_scalar;
use super::{Plan, REFS};
use crate::frontend::Resolve;
use crate::frontend::policy::read_policy;
use crate::model::{Policy, PolicyForm, Sym};
use crate::source::FileId;
use crate::syntax::{Node, Value};

/// How many references may be followed to find the roles a computed `roles` map refers to.
const MAX_ROLE_REFERENCES: usize = 4096;

/// Evaluation inside one module of the plan.
#[derive(Clone, Copy)]
pub(super) struct Scope<'s, 'a> {
    pub(super) plan: &'s Plan<'a>,
    /// The module path by call names, which finds the configuration.
    pub(super) path: &'s [String],
    /// The module instance path, with the keys of `count` and `for_each` instances, which
    /// addresses resources: `module.auth["a"].aws_iam_role.x`.
    pub(super) keys: &'s [String],
    /// Every module instance path that holds planned resources.
    pub(super) instances: &'s HashSet<Vec<String>>,
    /// The planned resources' indexes in `bodies` by address, the first of each.
    pub(super) index: &'s HashMap<&'s str, usize>,
    /// The planned resources' addresses, sorted, for the instances of one resource.
    pub(super) sorted: &'s [&'s str],
    pub(super) bodies: &'s [Node],
    /// How many module outputs and variables were followed to get here.
    pub(super) depth: usize,
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
