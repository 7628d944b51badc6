//! `.tf` sources: one module per folder, local `source = "./…"` modules followed, variables
//! with defaults, locals and outputs, and references resolved symbolically
//! (`aws_cognito_identity_pool.main.id` is the pool's ID wherever it is written).

use std::collections::HashMap;

use super::{Resolve, TfResource, attach_role_policies, attribute, extract, policy};
use crate::iam::read_policy;
use crate::model::{Model, Policy, Sym};
use crate::source::{FileId, Loc, SourceFile};
use crate::syntax::{Node, Value};

/// How deep references may chain (locals, variables, module outputs).
const MAX_DEPTH: usize = 16;
/// How deep module calls may nest.
const MAX_MODULE_DEPTH: usize = 8;

/// A parsed `.tf` file.
pub struct TfFile {
    pub file: FileId,
    /// The folder the file is in, as displayed (`infra/auth`), which makes it a module.
    pub dir: String,
    pub root: Node,
}

struct Block<'a> {
    type_: String,
    name: String,
    file: FileId,
    body: &'a Node,
    loc: Loc,
}

struct Call<'a> {
    name: String,
    file: FileId,
    body: &'a Node,
    child: Option<usize>,
}

#[derive(Default)]
struct Module<'a> {
    dir: String,
    resources: Vec<Block<'a>>,
    data: Vec<Block<'a>>,
    variables: HashMap<String, (FileId, Option<&'a Node>)>,
    locals: HashMap<String, (FileId, &'a Node)>,
    outputs: HashMap<String, (FileId, &'a Node)>,
    calls: Vec<Call<'a>>,
}

struct Instance {
    module: usize,
    /// `module.a.module.b.` for resources of this instance.
    prefix: String,
    /// The instance and call (index into its module's calls) that created this one.
    parent: Option<(usize, usize)>,
    /// Child instances by call name.
    children: HashMap<String, usize>,
}

/// All scanned `.tf` modules and their instances.
pub struct Sources<'a> {
    modules: Vec<Module<'a>>,
    instances: Vec<Instance>,
    files: &'a [SourceFile],
}

fn labels(node: &Node) -> Vec<String> {
    node.get("tf::labels")
        .and_then(Node::as_seq)
        .unwrap_or(&[])
        .iter()
        .filter_map(|l| l.as_str().map(String::from))
        .collect()
}

/// The body entries of a block, without its labels.
fn body_entries(node: &Node) -> impl Iterator<Item = &crate::syntax::Entry> {
    node.as_map().unwrap_or(&[]).iter().filter(|e| e.key != "tf::labels")
}

impl<'a> Sources<'a> {
    pub fn new(tf_files: &'a [TfFile], files: &'a [SourceFile]) -> Self {
        let mut by_dir: HashMap<&str, usize> = HashMap::new();
        let mut modules: Vec<Module> = Vec::new();
        for f in tf_files {
            let m = *by_dir.entry(f.dir.as_str()).or_insert_with(|| {
                modules.push(Module { dir: f.dir.clone(), ..Module::default() });
                modules.len() - 1
            });
            add_file(&mut modules[m], f);
        }
        for (m, module) in modules.iter_mut().enumerate() {
            for call in &mut module.calls {
                let source = call.body.get("source").and_then(Node::as_str).unwrap_or_default();
                let child =
                    local_source(&module.dir, source).and_then(|dir| by_dir.get(dir.as_str()).copied());
                call.child = child.filter(|&ch| ch != m);
            }
        }
        let mut sources = Sources { modules, instances: Vec::new(), files };
        let called: Vec<usize> =
            sources.modules.iter().flat_map(|m| m.calls.iter().filter_map(|c| c.child)).collect();
        for root in (0..sources.modules.len()).filter(|m| !called.contains(m)) {
            sources.instantiate(root, String::new(), None, 0);
        }
        sources.qualify_shared_instances();
        sources
    }

    /// A module called the same way from two root modules (envs/prod and envs/staging both
    /// calling ./modules/auth as `module.auth`) would give two instances one address: name each
    /// after its root (`envs/prod:module.auth.…`) so links never cross roots.
    fn qualify_shared_instances(&mut self) {
        let mut seen: HashMap<(usize, String), usize> = HashMap::new();
        for inst in &self.instances {
            *seen.entry((inst.module, inst.prefix.clone())).or_default() += 1;
        }
        for i in 0..self.instances.len() {
            let inst = &self.instances[i];
            if inst.prefix.is_empty() || seen[&(inst.module, inst.prefix.clone())] < 2 {
                continue;
            }
            let mut root = i;
            while let Some((parent, _)) = self.instances[root].parent {
                root = parent;
            }
            let dir = self.modules[self.instances[root].module].dir.clone();
            self.instances[i].prefix = format!("{dir}:{}", self.instances[i].prefix);
        }
    }

    fn instantiate(
        &mut self,
        module: usize,
        prefix: String,
        parent: Option<(usize, usize)>,
        depth: usize,
    ) -> usize {
        let id = self.instances.len();
        self.instances.push(Instance { module, prefix: prefix.clone(), parent, children: HashMap::new() });
        if depth < MAX_MODULE_DEPTH {
            let calls: Vec<(usize, String, Option<usize>)> = self.modules[module]
                .calls
                .iter()
                .enumerate()
                .map(|(i, c)| (i, c.name.clone(), c.child))
                .collect();
            for (i, name, child) in calls {
                if let Some(child) = child {
                    let inst =
                        self.instantiate(child, format!("{prefix}module.{name}."), Some((id, i)), depth + 1);
                    self.instances[id].children.insert(name, inst);
                }
            }
        }
        id
    }

    /// Adds every resource of every module instance to the model.
    pub fn extract(&self, model: &mut Model) {
        self.each_resource(|scope, res| {
            model.resource_extents.push((res.loc.file, res.body.span, res.address.clone()));
            extract(scope, res, model);
        });
        // Role policies name roles that must all be in the model first.
        let roles = super::RoleIndex::new(model);
        self.each_resource(|scope, res| attach_role_policies(scope, res, &roles, model));
    }

    fn each_resource(&self, mut f: impl FnMut(&Scope, &TfResource)) {
        for (i, inst) in self.instances.iter().enumerate() {
            for block in &self.modules[inst.module].resources {
                let scope = Scope { src: self, inst: i, file: block.file, depth: 0 };
                let res = TfResource {
                    address: format!("{}{}.{}", inst.prefix, block.type_, block.name),
                    type_: &block.type_,
                    body: block.body,
                    loc: block.loc,
                };
                f(&scope, &res);
            }
        }
    }

    /// The addresses of the managed resources of every instance, with their places.
    pub fn addresses(&self) -> Vec<(String, Loc)> {
        let mut out = Vec::new();
        for inst in &self.instances {
            for b in &self.modules[inst.module].resources {
                out.push((format!("{}{}.{}", inst.prefix, b.type_, b.name), b.loc));
            }
        }
        out
    }
}

fn add_file<'a>(m: &mut Module<'a>, f: &'a TfFile) {
    for e in f.root.as_map().unwrap_or(&[]) {
        let names = labels(&e.value);
        let loc = |span| Loc::new(f.file, span);
        let label_span = e
            .value
            .get("tf::labels")
            .and_then(Node::as_seq)
            .and_then(|l| l.last())
            .map_or(e.key_span, |l| l.span);
        match (e.key.as_str(), names.as_slice()) {
            ("resource", [t, n]) => m.resources.push(Block {
                type_: t.clone(),
                name: n.clone(),
                file: f.file,
                body: &e.value,
                loc: loc(label_span),
            }),
            ("data", [t, n]) => m.data.push(Block {
                type_: t.clone(),
                name: n.clone(),
                file: f.file,
                body: &e.value,
                loc: loc(label_span),
            }),
            ("variable", [n]) => {
                m.variables.insert(n.clone(), (f.file, e.value.get("default")));
            }
            ("output", [n]) => {
                if let Some(v) = e.value.get("value") {
                    m.outputs.insert(n.clone(), (f.file, v));
                }
            }
            ("locals", _) => {
                for l in body_entries(&e.value) {
                    m.locals.insert(l.key.clone(), (f.file, &l.value));
                }
            }
            ("module", [n]) => {
                m.calls.push(Call { name: n.clone(), file: f.file, body: &e.value, child: None })
            }
            _ => {}
        }
    }
}

/// The folder a local module `source` names, relative to the calling module's folder.
fn local_source(dir: &str, source: &str) -> Option<String> {
    if !(source.starts_with("./") || source.starts_with("../")) {
        return None;
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
    for seg in source.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    let joined = parts.join("/");
    Some(if dir.starts_with('/') { format!("/{joined}") } else { joined })
}

/// Evaluation inside one module instance, for values written in one file.
#[derive(Clone, Copy)]
struct Scope<'s, 'a> {
    src: &'s Sources<'a>,
    inst: usize,
    file: FileId,
    depth: usize,
}

impl Scope<'_, '_> {
    fn module(&self) -> &Module<'_> {
        &self.src.modules[self.src.instances[self.inst].module]
    }

    fn at(&self, inst: usize, file: FileId) -> Option<Self> {
        (self.depth < MAX_DEPTH).then_some(Scope { src: self.src, inst, file, depth: self.depth + 1 })
    }

    fn reference(&self, text: &str) -> Sym {
        let parts: Vec<&str> = split_reference(text);
        let inst = &self.src.instances[self.inst];
        match parts.as_slice() {
            ["var", name, ..] => self.variable(name),
            ["local", name, ..] => {
                match self.module().locals.get(*name).and_then(|(f, n)| Some((self.at(self.inst, *f)?, n))) {
                    Some((scope, node)) => scope.eval(node),
                    None => Sym::Unknown(format!("`local.{name}`")),
                }
            }
            ["module", name, output, ..] => self.module_output(name, output),
            ["data", "aws_partition", _, "partition", ..] => Sym::Pseudo("AWS::Partition".into()),
            ["data", "aws_region", _, "name" | "id" | "region", ..] => Sym::Pseudo("AWS::Region".into()),
            ["data", "aws_caller_identity", _, "account_id", ..] => Sym::Pseudo("AWS::AccountId".into()),
            ["data", type_, name, attr, ..] => {
                match self.module().data.iter().find(|b| b.type_ == *type_ && b.name == *name) {
                    Some(b) => attribute(b.file, type_, &format!("{}data.{type_}.{name}", inst.prefix), attr),
                    None => Sym::Unknown(format!("`data.{type_}.{name}.{attr}`")),
                }
            }
            [type_, name, attr, ..] if type_.contains('_') => {
                match self.module().resources.iter().find(|b| b.type_ == *type_ && b.name == *name) {
                    Some(b) => attribute(b.file, type_, &format!("{}{type_}.{name}", inst.prefix), attr),
                    None => Sym::Unknown(format!("`{type_}.{name}`, which this module does not define")),
                }
            }
            _ => Sym::Unknown(format!("`{text}`")),
        }
    }

    fn variable(&self, name: &str) -> Sym {
        let inst = &self.src.instances[self.inst];
        if let Some((parent, call)) = inst.parent {
            let pm = &self.src.modules[self.src.instances[parent].module];
            let call = &pm.calls[call];
            if let (Some(arg), Some(scope)) = (call.body.get(name), self.at(parent, call.file)) {
                return scope.eval(arg);
            }
        }
        match self.module().variables.get(name) {
            Some((file, default)) => Sym::Param {
                file: *file,
                name: format!("var.{name}"),
                default: default.and_then(|d| match &d.value {
                    Value::String(s) => Some(s.clone()),
                    Value::Number(n) => Some(n.clone()),
                    Value::Bool(b) => Some(b.to_string()),
                    _ => None,
                }),
            },
            None => Sym::Unknown(format!("`var.{name}`, which this module does not declare")),
        }
    }

    fn module_output(&self, call: &str, output: &str) -> Sym {
        let Some(&child) = self.src.instances[self.inst].children.get(call) else {
            return Sym::Unknown(format!("`module.{call}.{output}`"));
        };
        let m = &self.src.modules[self.src.instances[child].module];
        match m.outputs.get(output).and_then(|(f, n)| Some((self.at(child, *f)?, n))) {
            Some((scope, node)) => scope.eval(node),
            None => Sym::Unknown(format!("`module.{call}.{output}`")),
        }
    }

    /// The scope and node a reference to a local, variable or module output stands for.
    fn follow(&self, text: &str) -> Option<(Self, &Node)> {
        let parts = split_reference(text);
        match parts.as_slice() {
            ["local", name] => {
                let (f, n) = self.module().locals.get(*name)?;
                Some((self.at(self.inst, *f)?, n))
            }
            ["var", name] => {
                let (parent, call) = self.src.instances[self.inst].parent?;
                let call = &self.src.modules[self.src.instances[parent].module].calls[call];
                Some((self.at(parent, call.file)?, call.body.get(name)?))
            }
            _ => None,
        }
    }
}

impl Resolve for Scope<'_, '_> {
    fn file(&self) -> FileId {
        self.file
    }

    fn eval(&self, node: &Node) -> Sym {
        match &node.value {
            Value::String(s) => Sym::Lit(s.clone()),
            Value::Number(n) => Sym::Lit(n.clone()),
            Value::Bool(b) => Sym::Lit(b.to_string()),
            Value::Null => Sym::Unknown("null".into()),
            Value::Seq(_) => Sym::Unknown("a list".into()),
            Value::Map(_) => match node.single_entry() {
                Some(e) if e.key == "tf::ref" => self.reference(e.value.as_str().unwrap_or_default()),
                Some(e) if e.key == "tf::template" => crate::frontend::cfn::eval::concat(
                    e.value.as_seq().unwrap_or(&[]).iter().map(|p| self.eval(p)).collect(),
                ),
                Some(e) if e.key == "tf::call" => match e.value.as_seq() {
                    Some([name, arg]) if matches!(name.as_str(), Some("tostring" | "trimspace")) => {
                        self.eval(arg)
                    }
                    _ => Sym::Unknown("a function call".into()),
                },
                Some(e) if e.key == "tf::cond" => match e.value.as_seq() {
                    Some([_, a, b]) => {
                        let (a, b) = (self.eval(a), self.eval(b));
                        if a == b { a } else { Sym::Unknown("a conditional value".into()) }
                    }
                    _ => Sym::Unknown("a conditional value".into()),
                },
                _ => Sym::Unknown("a map".into()),
            },
        }
    }

    fn policy(&self, node: &Node) -> Option<Policy> {
        let eval = |n: &Node| self.eval(n);
        match node.single_entry() {
            Some(e) if e.key == "tf::call" => match e.value.as_seq() {
                Some([name, doc]) if name.as_str() == Some("jsonencode") => {
                    read_policy(self.file, doc, &eval)
                }
                _ => None,
            },
            Some(e) if e.key == "tf::ref" => {
                let text = e.value.as_str()?;
                if let Some((scope, target)) = self.follow(text) {
                    return scope.policy(target);
                }
                let parts = split_reference(text);
                let ["data", "aws_iam_policy_document", name, "json", ..] = parts.as_slice() else {
                    return None;
                };
                let block = self
                    .module()
                    .data
                    .iter()
                    .find(|b| b.type_ == "aws_iam_policy_document" && b.name == *name)?;
                let scope = self.at(self.inst, block.file)?;
                let doc = policy::from_document_block(block.body, &|n: &Node| {
                    scope.eval(n).as_lit().map(String::from)
                });
                read_policy(block.file, &doc, &|n: &Node| scope.eval(n))
            }
            _ => {
                let text = &self.src.files.get(self.file)?.text;
                let doc = policy::from_json_text(text, node)?;
                read_policy(self.file, &doc, &eval)
            }
        }
    }
}

/// `aws_iam_role.r[0].arn` → `["aws_iam_role", "r", "arn"]`: indexes dropped, since every
/// instance of a counted resource has the same shape.
fn split_reference(text: &str) -> Vec<&str> {
    text.split('.').map(|p| p.split('[').next().unwrap_or(p)).filter(|p| !p.is_empty()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_split_without_indexes() {
        assert_eq!(split_reference("aws_iam_role.r[0].arn"), ["aws_iam_role", "r", "arn"]);
        assert_eq!(split_reference("module.auth.pool_id"), ["module", "auth", "pool_id"]);
        assert_eq!(split_reference("x[\"k\"].y"), ["x", "y"]);
    }

    #[test]
    fn local_sources_resolve_relative_to_the_caller() {
        assert_eq!(local_source("infra", "./modules/auth").as_deref(), Some("infra/modules/auth"));
        assert_eq!(
            local_source("infra/envs/prod", "../../modules/auth").as_deref(),
            Some("infra/modules/auth")
        );
        assert_eq!(local_source("", "./auth").as_deref(), Some("auth"));
        assert_eq!(local_source("infra", "terraform-aws-modules/iam/aws"), None);
        assert_eq!(local_source("/abs/root", "./modules/x").as_deref(), Some("/abs/root/modules/x"));
    }
}
