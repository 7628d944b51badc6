//! `.tf` sources: one module per folder, local `source = "./…"` modules followed, variables
//! with defaults, locals and outputs, and references resolved symbolically
//! (`aws_cognito_identity_pool.main.id` is the pool's ID wherever it is written).
//!
//! Every input is hostile here: module calls are cycle-checked (a cycle is an input error at the
//! call that closes it, and every module is still analysed), expansion stops at a depth and a
//! total of instances (CT901 at the call that was not expanded), a module is found only among
//! the scanned folders (nothing else is read), and evaluation ([`eval`]) is memoised, bounded
//! and cycle-checked.

mod eval;
mod files;

use std::collections::{HashMap, HashSet};

use super::{TfResource, attach_role_policies, extract};
use crate::frontend::Resolve;
use crate::model::{Assign, EvalError, Incomplete, Model, ResourceRef, Sym};
use crate::source::{FileId, Loc, SourceFile};
use crate::syntax::hcl::LABELS;
use crate::syntax::{Node, Span};
use eval::{Each, EvalState, Scope};

/// How deep module calls may nest.
const MAX_MODULE_DEPTH: usize = 8;
/// Most module instances one scan expands: a module called ten times from each of eight
/// levels would be 10^8 instances, where a configuration has tens to hundreds and a scan of
/// one root per environment a thousand or so. Every instance of a module repeats its
/// findings' places, which the rules merge into one finding per place.
const MAX_INSTANCES: usize = 2_000;
/// Most resource and data blocks all instances hold together. Each instance's blocks are
/// extracted, linked and checked again, so this bounds the model a small module tree can make;
/// real configurations hold a few thousand (`count` and `for_each` are not expanded).
const MAX_INSTANCE_BLOCKS: usize = 50_000;

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

/// Where a module call leads.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Target {
    /// A scanned module, by index.
    Module(usize),
    /// A module already being expanded when this call is reached: the cycle is an input
    /// error, and the call is not followed.
    Cycle,
    /// A local path (or an absolute one) that names no scanned folder: not followed, since
    /// nothing outside the scanned roots is read, and reported as CT901.
    NotScanned,
    /// A registry, Git or other remote source, which is not among the inputs.
    Remote,
}

struct Call<'a> {
    name: String,
    file: FileId,
    body: &'a Node,
    /// The call's label, where its errors and findings point.
    loc: Loc,
    target: Target,
}

/// A local value, with the place of its name.
struct Local<'a> {
    file: FileId,
    name_span: Span,
    value: &'a Node,
}

/// An output's value expression, with the place of its label.
struct Output<'a> {
    loc: Loc,
    value: &'a Node,
}

#[derive(Default)]
struct Module<'a> {
    dir: String,
    /// The module's folder on disk, with every link resolved, when its files were read from
    /// disk: what `path.module` and `path.root` name, and where `file()` paths start.
    path: Option<std::path::PathBuf>,
    resources: Vec<Block<'a>>,
    data: Vec<Block<'a>>,
    /// The first resource and data block of each type and name, so that a reference finds its
    /// block without a scan.
    resource_index: HashMap<String, HashMap<String, usize>>,
    data_index: HashMap<String, HashMap<String, usize>>,
    variables: HashMap<String, (FileId, Option<&'a Node>)>,
    locals: HashMap<String, Local<'a>>,
    /// Locals on a cycle of locals: reported once as an error, evaluated as unknown.
    cyclic_locals: HashSet<String>,
    outputs: HashMap<String, Output<'a>>,
    calls: Vec<Call<'a>>,
}

impl<'a> Module<'a> {
    /// What one more instance of this module adds to [`MAX_INSTANCE_BLOCKS`].
    fn blocks(&self) -> usize {
        self.resources.len() + self.data.len()
    }

    fn resource(&self, type_: &str, name: &str) -> Option<&Block<'a>> {
        let i = *self.resource_index.get(type_)?.get(name)?;
        self.resources.get(i)
    }

    fn data_source(&self, type_: &str, name: &str) -> Option<&Block<'a>> {
        let i = *self.data_index.get(type_)?.get(name)?;
        self.data.get(i)
    }
}

struct Instance<'a> {
    module: usize,
    /// `module.a.module.b["k"].` for resources of this instance.
    prefix: String,
    /// The instance and call (index into its module's calls) that created this one.
    parent: Option<(usize, usize)>,
    /// For one instance of a call with `count` or `for_each`: its key, which `count.index`,
    /// `each.key` and `each.value` in the call's arguments name.
    each: Option<Each<'a>>,
    /// Child instances by call name, each with its key as an address writes it (`[0]`,
    /// `["a"]`; empty for a call without `count` or `for_each`).
    children: HashMap<String, Vec<(String, usize)>>,
}

/// Why a module call of an instance was not expanded.
enum NotExpanded {
    TooDeep,
    TooManyInstances,
    TooManyBlocks,
    NotScanned,
}

/// All scanned `.tf` modules and their instances.
pub struct Sources<'a> {
    modules: Vec<Module<'a>>,
    instances: Vec<Instance<'a>>,
    files: &'a [SourceFile],
    /// Module and local cycles, found before any evaluation.
    errors: Vec<EvalError>,
    /// Calls not expanded: (instance, call index, why).
    not_expanded: Vec<(usize, usize, NotExpanded)>,
    /// Calls whose `count` or `for_each` instances are not known, expanded as one instance:
    /// (instance, call index, why).
    unkeyed: Vec<(usize, usize, String)>,
    /// Resource and data blocks of the instances so far.
    blocks: usize,
    eval: EvalState,
    /// Files read by `file()` and `templatefile()`, only inside the scanned roots.
    read: files::Read<'a>,
    /// The `count` and `for_each` instances of each resource block of each module instance,
    /// found once, in the order resources are visited.
    keys: std::cell::RefCell<HashMap<(usize, usize), std::rc::Rc<Keys>>>,
    /// The same for data blocks, found when a reference first reads one.
    data_keys: std::cell::RefCell<HashMap<(usize, usize), std::rc::Rc<Keys>>>,
    /// Resource instances `count` and `for_each` added, within [`MAX_INSTANCE_BLOCKS`].
    expanded: std::cell::Cell<usize>,
}

/// The instances of one resource block.
enum Keys {
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
    /// The modules of `tf_files`; `file()` and `templatefile()` read only files inside
    /// `roots`, which become files of the scan after `files` ([`Sources::take_read_files`]).
    pub fn new(tf_files: &'a [TfFile], files: &'a [SourceFile], scanned: &'a crate::discover::Roots) -> Self {
        // By folder as `local_source` spells it: `a//b` and `a/./b` are `a/b`.
        let mut by_dir: HashMap<String, usize> = HashMap::new();
        let mut modules: Vec<Module> = Vec::new();
        for f in tf_files {
            let dir = local_source(&f.dir, "./").unwrap_or_else(|| f.dir.clone());
            let m = *by_dir.entry(dir).or_insert_with(|| {
                modules.push(Module { dir: f.dir.clone(), ..Module::default() });
                modules.len() - 1
            });
            add_file(&mut modules[m], f);
            if modules[m].path.is_none() {
                modules[m].path = files[f.file].origin.as_ref().and_then(|o| o.path.parent()).and_then(|d| {
                    std::fs::canonicalize(if d.as_os_str().is_empty() {
                        std::path::Path::new(".")
                    } else {
                        d
                    })
                    .ok()
                });
            }
        }
        for module in &mut modules {
            for call in &mut module.calls {
                let source = call.body.get("source").and_then(Node::as_str).unwrap_or_default();
                call.target = target(&module.dir, source, &by_dir);
            }
        }
        let mut errors = break_module_cycles(&mut modules);
        for module in &mut modules {
            module.cyclic_locals = eval::local_cycles(module, &mut errors);
        }
        let mut sources = Sources {
            modules,
            instances: Vec::new(),
            files,
            errors,
            not_expanded: Vec::new(),
            unkeyed: Vec::new(),
            blocks: 0,
            eval: EvalState::default(),
            read: files::Read::new(scanned, files.len()),
            keys: std::cell::RefCell::default(),
            data_keys: std::cell::RefCell::default(),
            expanded: std::cell::Cell::new(0),
        };
        for root in roots(&sources.modules) {
            sources.instantiate(root, String::new(), None, None, 0);
        }
        // Values met while the instances were made were evaluated with some instances yet to
        // come (`module.later.x` unknown): evaluate again with all of them.
        sources.eval.forget_values();
        sources.keys.borrow_mut().clear();
        sources.data_keys.borrow_mut().clear();
        sources.expanded.set(0);
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
        each: Option<Each<'a>>,
        depth: usize,
    ) -> usize {
        let id = self.instances.len();
        let instance = Instance { module, prefix: prefix.clone(), parent, each, children: HashMap::new() };
        self.instances.push(instance);
        self.blocks += self.modules[module].blocks();
        for i in 0..self.modules[module].calls.len() {
            let call = &self.modules[module].calls[i];
            let (name, body) = (call.name.clone(), call.body);
            let child = match call.target {
                Target::Module(_) if depth >= MAX_MODULE_DEPTH => {
                    self.not_expanded.push((id, i, NotExpanded::TooDeep));
                    continue;
                }
                Target::Module(child) => child,
                Target::NotScanned => {
                    self.not_expanded.push((id, i, NotExpanded::NotScanned));
                    continue;
                }
                Target::Cycle | Target::Remote => continue,
            };
            for (key, each) in self.call_instances(id, i, body) {
                let why = if self.instances.len() >= MAX_INSTANCES {
                    NotExpanded::TooManyInstances
                } else if self.blocks + self.modules[child].blocks() > MAX_INSTANCE_BLOCKS {
                    NotExpanded::TooManyBlocks
                } else {
                    let at = format!("{prefix}module.{name}{key}.");
                    let inst = self.instantiate(child, at, Some((id, i)), each, depth + 1);
                    self.instances[id].children.entry(name.clone()).or_default().push((key, inst));
                    continue;
                };
                self.not_expanded.push((id, i, why));
                break;
            }
        }
        id
    }

    /// The instances module call `call` of instance `inst` makes: its `count` or `for_each`
    /// keys, as an address writes them, with what `each.*` and `count.index` are in each.
    fn call_instances(
        &mut self,
        inst: usize,
        call: usize,
        body: &'a Node,
    ) -> Vec<(String, Option<Each<'a>>)> {
        let file = self.modules[self.instances[inst].module].calls[call].file;
        let scope = self.scope(inst, file, None);
        match bounded(instance_keys(&scope, body)) {
            Keys::One => vec![(String::new(), None)],
            Keys::Not(why) => {
                self.unkeyed.push((inst, call, why));
                vec![(String::new(), None)]
            }
            Keys::Count(n) => (0..n)
                .map(|i| (format!("[{i}]"), Some(Each { key: i.to_string(), count: true, map: None })))
                .collect(),
            Keys::ForEach(keys, map) => {
                let map = if map { body.get("for_each") } else { None };
                keys.into_iter()
                    .map(|key| (quoted_key(&key), Some(Each { key, count: false, map })))
                    .collect()
            }
        }
    }

    /// The files `file()` and `templatefile()` read, in the order of their ids, which follow
    /// the files the sources were made with.
    pub fn take_read_files(&self) -> Vec<SourceFile> {
        self.read.take_files()
    }

    /// Adds every resource of every module instance to the model, and what could not be
    /// expanded or evaluated.
    pub fn extract(&self, model: &mut Model) {
        model.errors.extend(self.errors.iter().cloned());
        self.report_not_expanded(model);
        self.report_unkeyed_calls(model);
        self.report_unexpanded_resources(model);
        let mut unread_trusts = Vec::new();
        self.each_resource(|scope, res| {
            model.resource_extents.push((res.loc.file, res.body.span, res.address.clone()));
            if res.type_ == "aws_cognito_identity_pool_roles_attachment"
                && let Some(roles) = res.body.entry("roles").filter(|e| e.value.get(LABELS).is_some())
            {
                model.errors.push(EvalError {
                    loc: Loc::new(res.loc.file, roles.key_span),
                    message: "`roles` is a block, as Terraform 0.11 wrote it, which Terraform 0.12 and \
                              later refuse: write it as an argument, `roles = { authenticated = … }`"
                        .to_string(),
                });
            }
            self.extract_variants(scope, res, model);
            if res.type_ == "aws_iam_role"
                && let Some(policy) = res.body.get("assume_role_policy")
                && model.roles.last().is_some_and(|r| r.trust.iter().all(|t| t.value.is_none()))
            {
                unread_trusts.push((model.roles.len() - 1, Loc::new(res.loc.file, policy.span)));
            }
        });
        report_unread_trusts(&unread_trusts, model);
        // Role policies name roles that must all be in the model first.
        let roles = super::RoleIndex::new(model);
        self.each_resource(|scope, res| {
            attach_role_policies(scope, res, &roles, model);
            self.eval.report_pending(res, model);
        });
        model.errors.extend(self.eval.take_errors());
    }

    /// Adds one resource to the model, once per assignment of the conditional expressions
    /// (`c ? a : b`) its values meet, as CloudFormation's `Fn::If`s are: every branch is
    /// checked, and conditions shared with other resources keep their branches together.
    /// Past [`MAX_CONDITIONALS`] conditions, [`MAX_ASSIGNMENTS`] assignments are sampled so
    /// that every branch appears, and the resource gets a CT901 finding.
    fn extract_variants(&self, scope: &Scope, res: &TfResource, model: &mut Model) {
        self.eval.set_assign(None);
        let mut found = Model::default();
        extract(scope, res, &mut found);
        self.eval.report_pending(res, &mut found);
        let atoms = self.eval.take_atoms();
        if atoms.is_empty() {
            model.append(found);
            return;
        }
        let (assignments, sampled) = assignments(&atoms);
        let mut merged: Option<Model> = None;
        for assign in assignments {
            self.eval.set_assign(Some(assign.clone()));
            let mut one = Model::default();
            extract(scope, res, &mut one);
            self.eval.report_pending(res, &mut one);
            merge_variant(&mut merged, one, &assign);
        }
        self.eval.set_assign(None);
        let mut merged = merged.unwrap_or_default();
        if sampled {
            let resource = ResourceRef {
                file: res.loc.file,
                name: res.address.clone(),
                loc: res.loc,
                construct_path: None,
            };
            let reason = format!(
                "its values hold {} conditional expressions ({} combinations); {MAX_ASSIGNMENTS} were \
                 checked, so that every branch appears",
                atoms.len(),
                combinations(atoms.len())
            );
            merged.incomplete.push(Incomplete { resource, loc: res.loc, reason });
        }
        model.append(merged);
    }

    /// One CT901 finding per module call block some instance did not expand, named after the
    /// first such instance.
    fn report_not_expanded(&self, model: &mut Model) {
        let mut seen = HashSet::new();
        for (inst, call, why) in &self.not_expanded {
            let instance = &self.instances[*inst];
            let c = &self.modules[instance.module].calls[*call];
            if !seen.insert((instance.module, *call)) {
                continue;
            }
            let source = c.body.get("source").and_then(Node::as_str).unwrap_or_default();
            let reason = match why {
                NotExpanded::TooDeep => format!(
                    "modules nest more than {MAX_MODULE_DEPTH} deep: module `{}` (`{source}`) and the \
                     modules it calls were not expanded, so their resources were not checked",
                    c.name
                ),
                NotExpanded::TooManyInstances => format!(
                    "more than {} module instances: module `{}` (`{source}`) and the modules it \
                     calls were not expanded, so their resources were not checked",
                    thousands(MAX_INSTANCES),
                    c.name
                ),
                NotExpanded::TooManyBlocks => format!(
                    "module instances would hold more than {} resource and data blocks: module \
                     `{}` (`{source}`) and the modules it calls were not expanded, so their \
                     resources were not checked",
                    thousands(MAX_INSTANCE_BLOCKS),
                    c.name
                ),
                NotExpanded::NotScanned => format!(
                    "its source `{source}` is not among the scanned folders (module sources are \
                     only followed inside them), so its resources were not checked"
                ),
            };
            let resource = ResourceRef {
                file: c.file,
                name: format!("{}module.{}", instance.prefix, c.name),
                loc: c.loc,
                construct_path: None,
            };
            model.incomplete.push(Incomplete { resource, loc: c.loc, reason });
        }
    }

    /// One CT901 finding per module call block whose `count` or `for_each` instances some
    /// instance could not tell.
    fn report_unkeyed_calls(&self, model: &mut Model) {
        let mut seen = HashSet::new();
        for (inst, call, why) in &self.unkeyed {
            let instance = &self.instances[*inst];
            let c = &self.modules[instance.module].calls[*call];
            let children = instance.children.get(&c.name).map_or(&[][..], Vec::as_slice);
            let mut subjects = Vec::new();
            for &(_, child) in children {
                self.modelled_addresses(child, &mut subjects);
            }
            if subjects.is_empty() || !seen.insert((instance.module, *call)) {
                continue;
            }
            let reason = format!(
                "{why}, so its instances were not expanded: module `{}` was checked as one \
                 instance whose {} unknown",
                c.name,
                instance_names(c.body)
            );
            let resource = ResourceRef {
                file: c.file,
                name: format!("{}module.{}", instance.prefix, c.name),
                loc: c.loc,
                construct_path: None,
            };
            // Said when a resource of the module takes part in a pool's check.
            let incomplete = Incomplete { resource, loc: c.loc, reason };
            model.incomplete_if_used.extend(subjects.into_iter().map(|s| (incomplete.clone(), s)));
        }
    }

    /// The addresses of the resources the model reads in instance `inst` and the instances
    /// below it.
    fn modelled_addresses(&self, inst: usize, out: &mut Vec<String>) {
        let instance = &self.instances[inst];
        for b in self.modules[instance.module].resources.iter().filter(|b| super::plan::is_modelled(&b.type_))
        {
            out.push(format!("{}{}.{}", instance.prefix, b.type_, b.name));
        }
        for &(_, child) in instance.children.values().flatten() {
            self.modelled_addresses(child, out);
        }
    }

    fn each_resource(&self, mut f: impl FnMut(&Scope, &TfResource)) {
        for (i, inst) in self.instances.iter().enumerate() {
            for (b, block) in self.modules[inst.module].resources.iter().enumerate() {
                let base = format!("{}{}.{}", inst.prefix, block.type_, block.name);
                let mut visit = |each: Option<&Each>, address: String| {
                    let scope = self.scope(i, block.file, each);
                    let res = TfResource { address, type_: &block.type_, body: block.body, loc: block.loc };
                    f(&scope, &res);
                };
                match &*self.keys(i, b) {
                    Keys::One | Keys::Not(_) => {
                        visit(None, base);
                    }
                    Keys::Count(n) => {
                        for index in 0..*n {
                            let e = Each { key: index.to_string(), count: true, map: None };
                            visit(Some(&e), format!("{base}[{index}]"));
                        }
                    }
                    Keys::ForEach(keys, map) => {
                        for key in keys {
                            let map = if *map { block.body.get("for_each") } else { None };
                            let e = Each { key: key.clone(), count: false, map };
                            visit(Some(&e), format!("{base}{}", quoted_key(key)));
                        }
                    }
                }
            }
        }
    }

    /// The instances of resource block `block` of instance `inst`, found once.
    fn keys(&self, inst: usize, block: usize) -> std::rc::Rc<Keys> {
        remembered(&self.keys, (inst, block), || self.find_keys(inst, block))
    }

    /// The instances of the data block `type_.name` of instance `inst`, found once, whatever
    /// assignment of conditionals the extraction in progress is under; `None` when the module
    /// has no such block.
    fn data_keys(&self, inst: usize, type_: &str, name: &str) -> Option<std::rc::Rc<Keys>> {
        let module = &self.modules[self.instances[inst].module];
        let block = *module.data_index.get(type_)?.get(name)?;
        let b = &module.data[block];
        Some(remembered(&self.data_keys, (inst, block), || {
            let scope = self.scope(inst, b.file, None);
            bounded(self.eval.outside_assignment(|| instance_keys(&scope, b.body)))
        }))
    }

    /// Evaluation in instance `inst`, for values written in `file`, with `each` bound.
    fn scope<'s>(&'s self, inst: usize, file: FileId, each: Option<&'s Each<'s>>) -> Scope<'s, 'a> {
        Scope { src: self, inst, file, depth: 0, vars: None, each, bound: &[] }
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

    /// CT901 for every resource the model reads whose `count` or `for_each` instances were not
    /// expanded (an S3 object per file of a `fileset` is none of the analysis's business).
    fn report_unexpanded_resources(&self, model: &mut Model) {
        for (i, inst) in self.instances.iter().enumerate() {
            for (b, block) in self.modules[inst.module].resources.iter().enumerate() {
                if !super::plan::is_modelled(&block.type_) {
                    continue;
                }
                if let Keys::Not(why) = &*self.keys(i, b) {
                    // A role policy matters when its role does; anything else when it itself does.
                    let scope = self.scope(i, block.file, None);
                    let subject = match block
                        .body
                        .get("role")
                        .filter(|_| block.type_.starts_with("aws_iam_role_policy"))
                    {
                        Some(role) => match scope.eval(role) {
                            Sym::Attr { resource, .. } => resource,
                            _ => String::new(),
                        },
                        None => format!("{}{}.{}", inst.prefix, block.type_, block.name),
                    };
                    let resource = ResourceRef {
                        file: block.file,
                        name: format!("{}{}.{}", inst.prefix, block.type_, block.name),
                        loc: block.loc,
                        construct_path: None,
                    };
                    let reason = format!(
                        "{why}, so its instances were not expanded: it was checked as one resource \
                         whose {} unknown",
                        instance_names(block.body)
                    );
                    model.incomplete_if_used.push((Incomplete { resource, loc: block.loc, reason }, subject));
                }
            }
        }
    }

    /// The address a reference (`aws_iam_role.this["guest"].arn`) to resource `type_.name` of
    /// instance `inst` names: that instance, the first for a counted resource referred to
    /// without an index or by a splat; why not when the instance is not known.
    fn instance_address(&self, inst: usize, type_: &str, name: &str, text: &str) -> Result<String, String> {
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

    /// The addresses of the managed resources of every instance, with their places.
    pub fn addresses(&self) -> Vec<(String, Loc)> {
        let mut out = Vec::new();
        self.each_resource(|_, res| out.push((res.address.clone(), res.loc)));
        out
    }
}

/// `["guest"]`: a `for_each` key as Terraform writes it in an address.
pub(super) fn quoted_key(key: &str) -> String {
    let mut out = String::from("[\"");
    for c in key.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push_str("\"]");
    out
}

/// `["a]b"]` at the start of `text`, up to its closing quote and bracket.
pub(super) fn closing_key(text: &str) -> Option<&str> {
    let mut chars = text.char_indices().skip(2);
    loop {
        match chars.next()? {
            (_, '\\') => {
                chars.next()?;
            }
            (i, '"') => return text.get(..i + 2).filter(|t| t.ends_with("\"]")),
            _ => {}
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

/// What names an instance in a block with `count` or `for_each`, as a message says it.
fn instance_names(body: &Node) -> &'static str {
    if body.get("count").is_some() { "`count.index` is" } else { "`each.key` and `each.value` are" }
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
fn bounded(found: Result<Keys, String>) -> Keys {
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

/// The instances the `count` or `for_each` of a resource or module call `body` makes, in
/// `scope`; why they are not known statically. Instances that do not use their key are all
/// alike, and one stands for them.
fn instance_keys(scope: &Scope, body: &Node) -> Result<Keys, String> {
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

/// Most distinct conditions one resource is expanded on, every combination checked.
const MAX_CONDITIONALS: usize = 6;
/// Most assignments one resource is extracted under: `2^MAX_CONDITIONALS`, as CloudFormation's
/// `Fn::If` combinations.
const MAX_ASSIGNMENTS: usize = 1 << MAX_CONDITIONALS;

/// The assignments a resource is extracted under: all of them for a few atoms; past that all
/// false, all true, then each atom alone true and alone false, up to [`MAX_ASSIGNMENTS`].
fn assignments(atoms: &[String]) -> (Vec<Assign>, bool) {
    let assign = |value: &dyn Fn(usize) -> bool| {
        Assign(atoms.iter().enumerate().map(|(i, a)| (a.clone(), value(i))).collect())
    };
    if atoms.len() <= MAX_CONDITIONALS {
        let all = (0..1usize << atoms.len()).map(|bits| assign(&|i| bits >> i & 1 == 1)).collect();
        return (all, false);
    }
    let mut out = vec![assign(&|_| false), assign(&|_| true)];
    for alone in 0..atoms.len() {
        out.push(assign(&|i| i == alone));
        out.push(assign(&|i| i != alone));
    }
    out.truncate(MAX_ASSIGNMENTS);
    (out, true)
}

/// `2^n`, or "more than 10^18".
fn combinations(n: usize) -> String {
    match u32::try_from(n).ok().and_then(|n| 1u64.checked_shl(n)).filter(|_| n < 60) {
        Some(c) => thousands(usize::try_from(c).unwrap_or(usize::MAX)),
        None => "more than 10^18".to_string(),
    }
}

/// Adds the resource `one` holds, extracted under `assign`, to `merged` as one more variant
/// of the same resource: pools and attachments by their variants, roles by their trust.
fn merge_variant(merged: &mut Option<Model>, mut one: Model, assign: &Assign) {
    for pool in &mut one.pools {
        pool.variants.iter_mut().for_each(|v| v.assign = assign.clone());
    }
    for attachment in &mut one.attachments {
        attachment.variants.iter_mut().for_each(|v| v.assign = assign.clone());
    }
    for role in &mut one.roles {
        role.trust.iter_mut().for_each(|v| v.assign = assign.clone());
    }
    let Some(into) = merged else {
        *merged = Some(one);
        return;
    };
    for (pool, more) in into.pools.iter_mut().zip(one.pools) {
        pool.variants.extend(more.variants);
    }
    for (attachment, more) in into.attachments.iter_mut().zip(one.attachments) {
        attachment.variants.extend(more.variants);
    }
    for (role, more) in into.roles.iter_mut().zip(one.roles) {
        role.trust.extend(more.trust);
    }
    // Limits met under any assignment are said once per place.
    for incomplete in one.incomplete {
        if !into.incomplete.iter().any(|i| i.loc == incomplete.loc && i.reason == incomplete.reason) {
            into.incomplete.push(incomplete);
        }
    }
}

/// A role a pool hands out whose trust policy could not be read (a spelling or a function
/// not understood) would pass every trust rule unchecked: CT901 at its `assume_role_policy`.
/// Roles no slot or group names are left alone, as other front ends leave them.
fn report_unread_trusts(unread: &[(usize, Loc)], model: &mut Model) {
    if unread.is_empty() {
        return;
    }
    let mut handed_out: HashSet<&str> = HashSet::new();
    let slots = model.attachments.iter().flat_map(|a| &a.variants).flat_map(|v| &v.value.slots);
    for value in
        slots.map(|s| &s.role.value).chain(model.groups.iter().filter_map(|g| Some(&g.role.as_ref()?.value)))
    {
        for alternative in value.alternatives() {
            if let Some((_, resource, _)) = alternative.as_attr() {
                handed_out.insert(resource);
            }
        }
    }
    let incomplete: Vec<Incomplete> = unread
        .iter()
        .filter(|(role, _)| handed_out.contains(model.roles[*role].resource.name.as_str()))
        .map(|&(role, loc)| Incomplete {
            resource: model.roles[role].resource.clone(),
            loc,
            reason: "its trust policy could not be read (`jsonencode({...})`, JSON text with `${...}` \
                     and `data.aws_iam_policy_document` are understood), so its trust was not checked"
                .to_string(),
        })
        .collect();
    model.incomplete.extend(incomplete);
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
        let block = |t: &str, n: &str| Block {
            type_: t.to_string(),
            name: n.to_string(),
            file: f.file,
            body: &e.value,
            loc: loc(label_span),
        };
        match (e.key.as_str(), names.as_slice()) {
            ("resource", [t, n]) => {
                index_first(&mut m.resource_index, t, n, m.resources.len());
                m.resources.push(block(t, n));
            }
            ("data", [t, n]) => {
                index_first(&mut m.data_index, t, n, m.data.len());
                m.data.push(block(t, n));
            }
            ("variable", [n]) => {
                m.variables.insert(n.clone(), (f.file, e.value.get("default")));
            }
            ("output", [n]) => {
                if let Some(value) = e.value.get("value") {
                    m.outputs.insert(n.clone(), Output { loc: loc(label_span), value });
                }
            }
            ("locals", _) => {
                for l in body_entries(&e.value) {
                    let local = Local { file: f.file, name_span: l.key_span, value: &l.value };
                    m.locals.insert(l.key.to_string(), local);
                }
            }
            ("module", [n]) => m.calls.push(Call {
                name: n.clone(),
                file: f.file,
                body: &e.value,
                loc: loc(label_span),
                target: Target::Remote,
            }),
            _ => {}
        }
    }
}

/// Records block `i` under its type and name unless an earlier block has them.
fn index_first(index: &mut HashMap<String, HashMap<String, usize>>, type_: &str, name: &str, i: usize) {
    index.entry(type_.to_string()).or_default().entry(name.to_string()).or_insert(i);
}

/// Where a call's `source` leads: a scanned module, a local path that names none, or elsewhere.
fn target(dir: &str, source: &str, by_dir: &HashMap<String, usize>) -> Target {
    match local_source(dir, source) {
        Some(path) => by_dir.get(path.as_str()).map_or(Target::NotScanned, |&m| Target::Module(m)),
        None if is_local_path(source) => Target::NotScanned,
        None => Target::Remote,
    }
}

/// A path on this machine: relative (`./`, `../`) or absolute (`/etc`, `C:\`), as opposed to
/// a registry address or a URL.
fn is_local_path(source: &str) -> bool {
    let bytes = source.as_bytes();
    source.starts_with("./")
        || source.starts_with("../")
        || source.starts_with('/')
        || source.starts_with('\\')
        || (bytes.len() > 2
            && bytes[0].is_ascii_alphabetic()
            && bytes[1] == b':'
            && matches!(bytes[2], b'/' | b'\\'))
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

#[derive(Clone, Copy, PartialEq, Eq)]
enum Visit {
    New,
    Open,
    Done,
}

/// Finds every cycle of module calls (`a` calls `b`, `b` calls `a`; a module calling `./`) by
/// a depth-first walk from the modules nothing calls, then from the rest in path order; each
/// call that closes a cycle becomes [`Target::Cycle`] and an error at its label. What is left
/// has no cycle, so every module is reachable from one that nothing calls.
fn break_module_cycles(modules: &mut [Module]) -> Vec<EvalError> {
    let mut called = vec![false; modules.len()];
    for call in modules.iter().flat_map(|m| &m.calls) {
        if let Target::Module(child) = call.target {
            called[child] = true;
        }
    }
    let starts: Vec<usize> =
        (0..modules.len()).filter(|&m| !called[m]).chain((0..modules.len()).filter(|&m| called[m])).collect();
    let mut visit = vec![Visit::New; modules.len()];
    let mut errors = Vec::new();
    for start in starts {
        if visit[start] != Visit::New {
            continue;
        }
        visit[start] = Visit::Open;
        // The walk's path: each module with the index of its next call to follow.
        let mut path: Vec<(usize, usize)> = vec![(start, 0)];
        while let Some((m, next)) = path.last_mut() {
            let (m, i) = (*m, *next);
            let Some(call) = modules[m].calls.get(i) else {
                visit[m] = Visit::Done;
                path.pop();
                continue;
            };
            *next += 1;
            let Target::Module(child) = call.target else { continue };
            match visit[child] {
                Visit::New => {
                    visit[child] = Visit::Open;
                    path.push((child, 0));
                }
                Visit::Open => {
                    let from = path.iter().position(|&(p, _)| p == child).unwrap_or(0);
                    let dirs: Vec<&str> = path[from..]
                        .iter()
                        .chain([&(child, 0)])
                        .map(|&(p, _)| shown(&modules[p].dir))
                        .collect();
                    errors.push(EvalError {
                        loc: call.loc,
                        message: format!(
                            "module cycle: {}; module `{}` is not expanded here",
                            dirs.join(" → "),
                            call.name
                        ),
                    });
                    modules[m].calls[i].target = Target::Cycle;
                }
                Visit::Done => {}
            }
        }
    }
    errors
}

/// The modules no call leads to, in path order: after [`break_module_cycles`], every module is
/// one of them or reachable from one.
fn roots(modules: &[Module]) -> Vec<usize> {
    let mut called = vec![false; modules.len()];
    for call in modules.iter().flat_map(|m| &m.calls) {
        if let Target::Module(child) = call.target {
            called[child] = true;
        }
    }
    (0..modules.len()).filter(|&m| !called[m]).collect()
}

/// `10000` as `10,000`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A module's folder as messages show it: `.` for the scan's own folder.
fn shown(dir: &str) -> &str {
    if dir.is_empty() { "." } else { dir }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A role `aws_iam_role.this` with `META` before its trust, which names `each.key` or
    /// `count.index` in its `amr`, and the attachment's guest role `GUEST`.
    fn counted(meta: &str, amr: &str, guest: &str) -> crate::Report {
        let text = format!(
            r#"
resource "aws_cognito_identity_pool" "main" {{
  identity_pool_name               = "photos"
  allow_unauthenticated_identities = true
}}
resource "aws_iam_role" "this" {{
  {meta}
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect    = "Allow"
      Principal = {{ Federated = "cognito-identity.amazonaws.com" }}
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {{
        StringEquals = {{ "cognito-identity.amazonaws.com:aud" = aws_cognito_identity_pool.main.id }}
        "ForAnyValue:StringLike" = {{ "cognito-identity.amazonaws.com:amr" = {amr} }}
      }}
    }}]
  }})
}}
resource "aws_cognito_identity_pool_roles_attachment" "main" {{
  identity_pool_id = aws_cognito_identity_pool.main.id
  roles = {{ unauthenticated = {guest} }}
}}
"#
        );
        let report = crate::scan_texts(&[("main.tf", &text)]);
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        report
    }

    fn findings(report: &crate::Report) -> Vec<(&'static str, String)> {
        report.findings.iter().map(|f| (f.rule.code, f.message.clone())).collect()
    }

    #[test]
    fn count_and_for_each_instances_are_resources_of_their_own() {
        let guest = "element([\"unauthenticated\", \"authenticated\"], count.index)";
        // The guest slot gets instance 1, whose amr is "authenticated".
        let report = counted("count = 2", guest, "aws_iam_role.this[1].arn");
        let found = findings(&report);
        assert!(found.iter().any(|(_, m)| m.contains("aws_iam_role.this[1]")), "{found:?}");
        assert!(counted("count = 2", guest, "aws_iam_role.this[0].arn").findings.is_empty());
        // A splat or no index: the first instance.
        assert!(counted("count = 2", guest, "aws_iam_role.this[*].arn").findings.is_empty());
        let set = "for_each = toset([\"unauthenticated\", \"authenticated\"])";
        assert!(counted(set, "each.key", "aws_iam_role.this[\"unauthenticated\"].arn").findings.is_empty());
        let found = findings(&counted(set, "each.value", "aws_iam_role.this[\"authenticated\"].arn"));
        assert!(found.iter().any(|(_, m)| m.contains("aws_iam_role.this[\"authenticated\"]")), "{found:?}");
    }

    #[test]
    fn instances_not_known_are_said() {
        // A key that is not known statically, or that the resource lacks: CT901 on the slot.
        let set = "for_each = toset([\"unauthenticated\"])";
        for guest in
            ["aws_iam_role.this[var.k].arn", "aws_iam_role.this[\"other\"].arn", "aws_iam_role.this.arn"]
        {
            let found = findings(&counted(set, "each.key", guest));
            assert_eq!(found.iter().map(|(c, _)| *c).collect::<Vec<_>>(), ["CT901"], "{guest}: {found:?}");
        }
        // A `for_each` or `count` not known statically, used by the instances: one resource
        // and CT901; unused, the instances are all alike and one stands for them.
        let found = findings(&counted("for_each = var.roles", "each.key", "aws_iam_role.this[\"a\"].arn"));
        assert!(found.iter().any(|(c, m)| *c == "CT901" && m.contains("not known statically")), "{found:?}");
        let found = findings(&counted("count = var.n", "\"unauthenticated\"", "aws_iam_role.this[0].arn"));
        assert!(found.is_empty(), "{found:?}");
        // Over itself, directly or through another resource's `for_each`: not expanded, no hang.
        let found =
            findings(&counted("for_each = aws_iam_role.this", "each.key", "aws_iam_role.this[\"a\"].arn"));
        assert!(found.iter().any(|(c, _)| *c == "CT901"), "{found:?}");
        // Referring to itself: not expanded, no hang.
        let found = findings(&counted(
            "for_each = toset([aws_iam_role.this[\"a\"].name])",
            "each.key",
            "aws_iam_role.this[\"a\"].arn",
        ));
        assert!(found.iter().any(|(c, _)| *c == "CT901"), "{found:?}");
    }

    #[test]
    fn instances_refer_to_each_other_by_their_key() {
        // Each role's inline policy is its own instance's: only the guest role's is too broad.
        let text = r#"
resource "aws_cognito_identity_pool" "main" {
  identity_pool_name               = "photos"
  allow_unauthenticated_identities = true
}
locals {
  roles = { auth = { amr = "authenticated", action = "*" }, guest = { amr = "unauthenticated", action = "s3:GetObject" } }
}
resource "aws_iam_role" "this" {
  for_each = tomap(local.roles)
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = "cognito-identity.amazonaws.com" }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = { "cognito-identity.amazonaws.com:aud" = aws_cognito_identity_pool.main.id }
        "ForAnyValue:StringLike" = { "cognito-identity.amazonaws.com:amr" = each.value.amr }
      }
    }]
  })
}
resource "aws_iam_role_policy" "this" {
  for_each = local.roles
  role     = aws_iam_role.this[each.key].name
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = each.value.action, Resource = "*" }]
  })
}
resource "aws_cognito_identity_pool_roles_attachment" "main" {
  identity_pool_id = aws_cognito_identity_pool.main.id
  roles = {
    authenticated   = aws_iam_role.this["auth"].arn
    unauthenticated = aws_iam_role.this["guest"].arn
  }
}
"#;
        let with = |guest_action: &str| {
            let text = text.replace("action = \"s3:GetObject\"", &format!("action = \"{guest_action}\""));
            let report = crate::scan_texts(&[("main.tf", &text)]);
            assert!(report.errors.is_empty(), "{:?}", report.errors);
            report
                .findings
                .iter()
                .filter(|f| f.message.contains("guest") || f.resource.contains("guest"))
                .map(|f| (f.rule.code, f.resource.clone()))
                .collect::<Vec<_>>()
        };
        let broad = with("*");
        assert!(broad.iter().any(|(c, r)| *c == "CT401" && r.contains("this[\"guest\"]")), "{broad:?}");
        assert_eq!(with("s3:GetObject"), Vec::new());
    }

    #[test]
    fn policy_document_instances_not_known_are_said() {
        let fixture = include_str!("../../../testdata/terraform/data_for_each/pass/main.tf");
        for (from, to, why) in [
            (
                "for_each = local.slots\n\n  statement",
                "for_each = var.slots\n\n  statement",
                "not known statically",
            ),
            ("trust[each.key]", "trust[\"other\"]", "names an instance"),
        ] {
            let text = fixture.replace(from, to);
            assert_ne!(text, fixture);
            let found = findings(&crate::scan_texts(&[("main.tf", &text)]));
            assert!(
                found.iter().any(|(c, m)| *c == "CT901"
                    && m.contains("aws_iam_policy_document.trust")
                    && m.contains(why)),
                "{found:?}"
            );
        }
    }

    #[test]
    fn instances_of_what_the_analysis_does_not_read_are_not_said() {
        // An S3 object per file of a `fileset`, directly and in a module called per file.
        let objects = "resource \"aws_s3_object\" \"site\" {\n  for_each = fileset(path.module, \"**\")\n  key      = each.key\n}\n";
        let root = format!(
            "{objects}module \"m\" {{\n  source   = \"./m\"\n  for_each = fileset(path.module, \"*\")\n  key      = each.key\n}}\n"
        );
        let report = crate::scan_texts(&[("main.tf", &root), ("m/main.tf", objects)]);
        assert_eq!(findings(&report), Vec::new());
        // A role no pool hands out, and its policy attachments: their instances change nothing.
        let roles = "resource \"aws_iam_role\" \"r\" {\n  for_each = var.names\n  name     = each.key\n}\n\
                     resource \"aws_iam_role_policy_attachment\" \"p\" {\n  for_each   = var.arns\n  role       = aws_iam_role.r[\"a\"].name\n  policy_arn = each.value\n}\n";
        assert_eq!(findings(&crate::scan_texts(&[("main.tf", roles)])), Vec::new());
        // A module called per file that holds a role: said when a pool hands the role out.
        let role = "resource \"aws_iam_role\" \"r\" {\n  name = var.key\n}\nvariable \"key\" {}\n";
        let report = crate::scan_texts(&[("main.tf", &root), ("m/main.tf", role)]);
        assert_eq!(findings(&report), Vec::new());
        let attached = format!(
            "{root}resource \"aws_cognito_identity_pool_roles_attachment\" \"a\" {{\n  identity_pool_id = \"us-east-1:x\"\n  roles = {{ authenticated = module.m[\"a\"].arn }}\n}}\n"
        );
        let with_output = format!("{role}output \"arn\" {{\n  value = aws_iam_role.r.arn\n}}\n");
        let report = crate::scan_texts(&[("main.tf", &attached), ("m/main.tf", &with_output)]);
        let found = findings(&report);
        assert!(found.iter().any(|(c, m)| *c == "CT901" && m.contains("module `m`")), "{found:?}");
    }

    #[test]
    fn items_of_dynamic_blocks_are_said_not_evaluated() {
        let text = r#"
variable "rules" {}
resource "aws_cognito_identity_pool" "main" {
  identity_pool_name = "photos"
}
resource "aws_cognito_identity_pool_roles_attachment" "main" {
  identity_pool_id = aws_cognito_identity_pool.main.id
  role_mapping {
    identity_provider = "cognito-idp.us-east-1.amazonaws.com/us-east-1_abc:client"
    type              = "Rules"
    dynamic "mapping_rule" {
      for_each = var.rules
      content {
        claim      = mapping_rule.value.claim
        match_type = "Equals"
        value      = mapping_rule.value.value
        role_arn   = mapping_rule.value.role_arn
      }
    }
  }
}
"#;
        let found = findings(&crate::scan_texts(&[("main.tf", text)]));
        assert!(
            found
                .iter()
                .any(|(c, m)| *c == "CT901" && m.contains("an item of a `dynamic \"mapping_rule\"` block")),
            "{found:?}"
        );
        assert!(found.iter().all(|(c, _)| *c != "CT202"), "{found:?}");
    }

    #[test]
    fn roles_from_remote_modules_are_said_to_be_not_fetched() {
        let text = "module \"iam\" {\n  source = \"terraform-aws-modules/iam/aws\"\n}\n\
                    resource \"aws_cognito_identity_pool_roles_attachment\" \"a\" {\n  identity_pool_id = \"us-east-1:x\"\n  roles = { authenticated = module.iam.arn }\n}\n";
        let found = findings(&crate::scan_texts(&[("main.tf", text)]));
        assert!(
            found
                .iter()
                .any(|(c, m)| *c == "CT202"
                    && m.contains("`terraform-aws-modules/iam/aws`, which is not fetched")),
            "{found:?}"
        );
    }

    #[test]
    fn instances_are_bounded() {
        let start = std::time::Instant::now();
        let found = findings(&counted(
            "count = 100000",
            "element([\"unauthenticated\"], count.index)",
            "aws_iam_role.this[0].arn",
        ));
        assert!(start.elapsed().as_secs() < 10);
        assert!(found.iter().any(|(c, m)| *c == "CT901" && m.contains("more than 2,000")), "{found:?}");
    }

    #[test]
    fn local_sources_resolve_relative_to_the_caller() {
        assert_eq!(local_source("infra", "./modules/auth").as_deref(), Some("infra/modules/auth"));
        assert_eq!(
            local_source("infra/envs/prod", "../../modules/auth").as_deref(),
            Some("infra/modules/auth")
        );
        assert_eq!(local_source("", "./auth").as_deref(), Some("auth"));
        // A folder as the scan path spelled it: the same folder.
        assert_eq!(local_source("infra//envs/./prod", "./").as_deref(), Some("infra/envs/prod"));
        assert_eq!(local_source("infra", "terraform-aws-modules/iam/aws"), None);
        assert_eq!(local_source("/abs/root", "./modules/x").as_deref(), Some("/abs/root/modules/x"));
        // Above the scan's folder: nothing there is scanned.
        assert_eq!(local_source("infra", "../../../../etc"), None);
    }

    #[test]
    fn paths_on_this_machine_are_told_from_remote_sources() {
        for local in ["./a", "../a", "/etc", "\\\\server\\share", "C:\\modules", "c:/modules"] {
            assert!(is_local_path(local), "{local}");
        }
        for remote in
            ["terraform-aws-modules/iam/aws", "git::https://x/y.git", "github.com/a/b", "s3::https://b/k"]
        {
            assert!(!is_local_path(remote), "{remote}");
        }
    }
}
