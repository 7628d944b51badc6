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
mod keys;
mod modules;
mod unexpanded;
mod variants;

use std::collections::{HashMap, HashSet};

use crate::model::EvalError;
use crate::source::{FileId, Loc, SourceFile};
use crate::syntax::{Node, Span};
use eval::{Each, EvalState, Scope};
use keys::{Keys, bounded, instance_keys};
use modules::{add_file, break_module_cycles, local_source, roots, target};

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
pub(crate) struct TfFile {
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
pub(crate) struct Sources<'a> {
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
    pub(crate) fn take_read_files(&self) -> Vec<SourceFile> {
        self.read.take_files()
    }

    /// Evaluation in instance `inst`, for values written in `file`, with `each` bound.
    fn scope<'s>(&'s self, inst: usize, file: FileId, each: Option<&'s Each<'s>>) -> Scope<'s, 'a> {
        Scope { src: self, inst, file, depth: 0, vars: None, each, bound: &[] }
    }

    /// The addresses of the managed resources of every instance, with their places.
    pub(crate) fn addresses(&self) -> Vec<(String, Loc)> {
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

#[cfg(test)]
mod tests {
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
}
