//! Evaluation of `.tf` values inside one module instance, as symbols.
//!
//! A local, a variable's argument or a module output is evaluated once per instance and
//! remembered, so values that fan out (`a = "${local.b}${local.b}"`, `b = "${local.c}…"`) cost
//! one evaluation each, not one per path. Three bounds keep hostile values small, and each
//! gives [`Sym::Limit`], which rule CT901 reports: chains of references deeper than
//! [`MAX_DEPTH`], single values larger than [`MAX_VALUE_BYTES`], and more than
//! [`MAX_TOTAL_BYTES`] of values handed out in all. A cycle (`local.a → local.b → local.a`)
//! is an input error at the value that closes it, and evaluates as unknown.

mod operators;
mod render;

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};

use super::super::{Policies, TfResource, attribute, policy};
use super::{Module, Sources, files};
use crate::frontend::Resolve;
use crate::iam::read_policy;
use crate::model::{Assign, EvalError, Incomplete, Model, Policy, PolicyForm, ResourceRef, Sym};
use crate::source::{FileId, Loc};
use crate::syntax::hcl::{CALL, COMPARE, COND, FOR, REF, TEMPLATE};
use crate::syntax::{Node, Span, Value};

/// How deep references may chain (locals, variables, module outputs).
pub(super) const MAX_DEPTH: usize = 16;
/// Largest value one expression may evaluate to: four times the longest string IAM accepts in
/// a policy (a role's inline policies together, 10,240 bytes), so no value a rule reads is
/// anywhere near it.
const MAX_VALUE_BYTES: usize = 64 * 1024;
/// Most bytes of values handed out to resources in one scan: every reference hands out a
/// copy, so this bounds the memory of many references to large values across many module
/// instances (real configurations use a few MiB).
const MAX_TOTAL_BYTES: usize = 64 << 20;

/// Most items a collection a `%{ for }` directive (or a template variable) iterates may have,
/// written out or made by `merge` or `concat`: each template reads its variables' items again.
const MAX_ITEMS: usize = 10_000;
/// Most iterations of `%{ for }` directives one scan renders, each also counted by the size of
/// its body (see `EvalState::step`): nested loops over long lists would otherwise multiply.
/// Real templates loop over a few pool IDs or principals.
const MAX_LOOP_STEPS: usize = 1_000_000;

/// A value that is evaluated once per module instance.
#[derive(Clone, PartialEq, Eq, Hash)]
enum Key {
    /// `local.NAME` of an instance.
    Local(usize, String),
    /// `var.NAME` of an instance: its argument in the calling module.
    Var(usize, String),
    /// `output "NAME"` of an instance (`module.CALL.NAME` in its caller).
    Output(usize, String),
    /// A member of a local or variable of an instance, as written (`local.roles.guest`).
    Member(usize, String),
}

enum Memo {
    InProgress,
    /// The value, how many references deep its evaluation went, and the atoms of the
    /// conditional expressions it met (empty: the value is the same under every assignment).
    Done {
        value: Sym,
        height: usize,
        atoms: Vec<String>,
    },
    /// Evaluated from a scope `depth` deep, it met the depth bound.
    TooDeep {
        depth: usize,
    },
}

impl Memo {
    fn depends_on_assignment(&self) -> bool {
        matches!(self, Memo::Done { atoms, .. } if !atoms.is_empty())
    }
}

/// What evaluation remembers across one scan of the sources.
#[derive(Default)]
pub(super) struct EvalState {
    memo: RefCell<HashMap<Key, Memo>>,
    /// The values being evaluated, innermost last, each with the place that defines it.
    stack: RefCell<Vec<(Key, Loc)>>,
    /// The deepest scope the evaluation in progress reached, and whether it met the bound.
    deepest: Cell<usize>,
    too_deep: Cell<bool>,
    /// Bytes of values handed out so far.
    spent: Cell<usize>,
    /// Cycles through variables and outputs, once per place.
    errors: RefCell<Vec<EvalError>>,
    reported: RefCell<HashSet<Loc>>,
    /// Limits met while following a reference to a policy document, for the resource whose
    /// extraction met them.
    pending: RefCell<Vec<(Loc, String)>>,
    /// The policy document the resource being extracted names, where such limits are said.
    policy_at: Cell<Option<Loc>>,
    /// The branch each conditional expression takes while a resource is extracted once per
    /// assignment; `None` while its conditionals are being found.
    assign: RefCell<Option<Assign>>,
    /// The atoms of the conditional expressions the evaluation in progress met.
    atoms: RefCell<Vec<String>>,
    /// Values that depend on the assignment, remembered for the current one only.
    variant_memo: RefCell<HashMap<Key, Memo>>,
    /// Iterations of `%{ for }` directives so far, within [`MAX_LOOP_STEPS`].
    loop_steps: Cell<usize>,
}

impl EvalState {
    /// Forgets every value remembered, keeping the errors said.
    pub(super) fn forget_values(&self) {
        self.memo.borrow_mut().clear();
        self.variant_memo.borrow_mut().clear();
    }

    /// Reports the limits the extraction of `res` met where no value could hold them.
    pub(super) fn report_pending(&self, res: &TfResource, model: &mut Model) {
        for (loc, reason) in self.pending.take() {
            let resource = ResourceRef {
                file: res.loc.file,
                name: res.address.clone(),
                loc: res.loc,
                construct_path: None,
            };
            model.incomplete.push(Incomplete { resource, loc, reason });
        }
    }

    pub(super) fn take_errors(&self) -> Vec<EvalError> {
        self.errors.take()
    }

    /// Starts an evaluation under `assign` (`None`: both branches of every conditional, to
    /// find their atoms); what the previous assignment remembered is forgotten.
    /// `f`'s value evaluated under no assignment, as if no conditional had been met, and the
    /// atoms it meets forgotten: for what must not vary with the branches (instance keys).
    pub(super) fn outside_assignment<R>(&self, f: impl FnOnce() -> R) -> R {
        let assign = self.assign.borrow_mut().take();
        let atoms = self.atoms.take();
        let value = f();
        *self.assign.borrow_mut() = assign;
        *self.atoms.borrow_mut() = atoms;
        value
    }

    pub(super) fn set_assign(&self, assign: Option<Assign>) {
        self.variant_memo.borrow_mut().clear();
        self.atoms.borrow_mut().clear();
        *self.assign.borrow_mut() = assign;
    }

    /// The atoms of the conditionals met since [`EvalState::set_assign`], sorted, once each.
    pub(super) fn take_atoms(&self) -> Vec<String> {
        let mut atoms = self.atoms.take();
        atoms.sort();
        atoms.dedup();
        atoms
    }

    /// Counts one iteration of a `%{ for }` directive over `body`, one step and one more per
    /// 64 bytes of the body, which each iteration evaluates or copies; `false` past
    /// [`MAX_LOOP_STEPS`]. A long body over nested loops costs as much as many iterations.
    fn step(&self, body: &Node) -> bool {
        let n = self.loop_steps.get();
        self.loop_steps.set(n.saturating_add(1 + body.span.end.saturating_sub(body.span.start) / 64));
        n < MAX_LOOP_STEPS
    }

    /// A policy document could not be followed: said at the attribute that names it.
    fn stopped(&self, at: Loc, why: String) {
        let place = self.policy_at.get().unwrap_or(at);
        self.pending.borrow_mut().push((place, why));
    }

    fn too_deep(&self) -> Sym {
        self.too_deep.set(true);
        Sym::Limit(format!("a chain of more than {MAX_DEPTH} references"))
    }

    /// A copy of a remembered value, charged to the scan's budget.
    fn hand_out(&self, value: Sym) -> Sym {
        let spent = self.spent.get().saturating_add(value.weight());
        self.spent.set(spent);
        if spent > MAX_TOTAL_BYTES {
            return Sym::Limit(format!("more than {} MiB of Terraform values in all", MAX_TOTAL_BYTES >> 20));
        }
        value
    }
}

fn too_large() -> Sym {
    Sym::Limit(format!("a value larger than {} KiB", MAX_VALUE_BYTES / 1024))
}

/// Evaluation inside one module instance, for values written in one file.
#[derive(Clone, Copy)]
pub(super) struct Scope<'s, 'a> {
    pub(super) src: &'s Sources<'a>,
    pub(super) inst: usize,
    pub(super) file: FileId,
    /// How many references were followed to get here.
    pub(super) depth: usize,
    /// Inside a file `templatefile` renders: its variables, the only names it may use.
    pub(super) vars: Option<&'s HashMap<String, Var>>,
    /// Inside a template's `%{ for }` directive: its key and value variables, innermost last.
    pub(super) bound: &'s [(String, Sym)],
    /// Inside one `count` or `for_each` instance of a resource: what `each.*` and
    /// `count.index` are.
    pub(super) each: Option<&'s Each<'s>>,
}

/// One `count` or `for_each` instance of a resource.
pub(super) struct Each<'n> {
    /// The key (`for_each`) or the index (`count`), as text.
    pub(super) key: String,
    /// `count.index`, not `each.key`.
    pub(super) count: bool,
    /// The `for_each` map, whose member under the key is `each.value`; `None` for a set,
    /// whose `each.value` is the key.
    pub(super) map: Option<&'n Node>,
}

/// A template variable: a value, or a list or map a `%{ for }` directive iterates.
#[derive(Clone)]
pub(super) enum Var {
    Value(Sym),
    Items(Vec<(Sym, Sym)>),
}

/// What a `data "template_file"` renders: the template, the file its places are in (the file
/// read, or the `.tf` file, every place at the `template` argument), and its variables.
struct Rendered {
    file: FileId,
    template: std::rc::Rc<Node>,
    vars: HashMap<String, Var>,
}

/// A file `templatefile()` renders: its id, its parsed template and its variables.
type Template = (FileId, std::rc::Rc<Node>, HashMap<String, Var>);

/// What a map holds under a key.
enum Found<'s, 'a, 'n> {
    /// The value, written in this scope.
    Value(Scope<'s, 'a>, &'n Node),
    /// The map is known and lacks the key.
    Absent,
    /// The map is not known statically.
    Unknown,
    /// A limit met on the way, said as CT901.
    Limit(String),
}

/// Most maps one member lookup visits through `merge` calls and references: merges of
/// merges of the same local would otherwise visit exponentially many.
const MAX_MERGE_STEPS: usize = 1_024;

/// Where a reference to a policy document leads.
enum Followed<'s, 'a, 'n> {
    To(Scope<'s, 'a>, &'n Node),
    /// Not followed: a limit, said as CT901 on the resource.
    Stopped(String),
    /// Not followed: a cycle, already an input error.
    Cycle,
}

impl<'s, 'a> Scope<'s, 'a> {
    fn module(&self) -> &'s Module<'a> {
        &self.src.modules[self.src.instances[self.inst].module]
    }

    fn reference(&self, text: &str, span: Span) -> Sym {
        let parts: Vec<&str> = split_reference(text);
        let inst = &self.src.instances[self.inst];
        if let Some((_, value)) =
            parts.first().and_then(|first| self.bound.iter().rev().find(|(n, _)| n == first))
        {
            return match parts.as_slice() {
                [_] => self.src.eval.hand_out(value.clone()),
                _ => Sym::Unknown(format!("`{text}`")),
            };
        }
        if let Some(vars) = self.vars {
            return match parts.as_slice() {
                [name] => match vars.get(*name) {
                    Some(Var::Value(value)) => self.src.eval.hand_out(value.clone()),
                    Some(Var::Items(_)) => Sym::Unknown(format!("`{name}`, a list or map")),
                    None => Sym::Unknown(format!("`{name}`, which the template's variables lack")),
                },
                _ => Sym::Unknown(format!("`{text}` in a template")),
            };
        }
        // `each.value…` of a `for_each`, and members of variables and locals (`var.m["k"]`) when
        // they resolve; else the arms below (let chains, not `if let` guards: rust-version 1.88).
        if let ["each", "value", ..] = parts.as_slice()
            && let Some(each) = self.each.filter(|e| !e.count)
        {
            return self.each_value(each, text);
        }
        if let ["var" | "local", ..] = parts.as_slice()
            && let Some(value) = self.member(&self.index(text, span))
        {
            return value;
        }
        match parts.as_slice() {
            ["path", "root" | "cwd"] => Sym::Lit(".".into()),
            ["path", "module"] => match (self.root().0, self.module().path.as_deref()) {
                (Some(root), Some(folder)) => Sym::Lit(files::relative(root, folder)),
                _ => Sym::Unknown("`path.module`, a folder not on disk".into()),
            },
            ["each", "key"] if self.each.is_some_and(|e| !e.count) => {
                Sym::Lit(self.each.map(|e| e.key.clone()).unwrap_or_default())
            }
            ["count", "index"] if self.each.is_some_and(|e| e.count) => {
                Sym::Lit(self.each.map(|e| e.key.clone()).unwrap_or_default())
            }
            ["var", name, ..] => self.variable(name),
            ["local", name, ..] => self.local(name),
            ["module", name, output, ..] => self.module_output(name, output, &self.index(text, span)),
            ["data", "aws_partition", _, "partition", ..] => Sym::Pseudo("AWS::Partition".into()),
            ["data", "aws_region", _, "name" | "id" | "region", ..] => Sym::Pseudo("AWS::Region".into()),
            ["data", "aws_caller_identity", _, "account_id", ..] => Sym::Pseudo("AWS::AccountId".into()),
            ["data", "template_file", name, "rendered", ..] => match self.template_file(name) {
                Ok(Rendered { file, template, vars }) => {
                    let value =
                        Scope { file, depth: self.depth + 1, vars: Some(&vars), ..*self }.eval(&template);
                    if value.weight() > MAX_VALUE_BYTES { too_large() } else { self.src.eval.hand_out(value) }
                }
                Err(why) => Sym::Limit(why),
            },
            ["data", type_, name, attr, ..] => match self.module().data_source(type_, name) {
                Some(b) => attribute(b.file, type_, &format!("{}data.{type_}.{name}", inst.prefix), attr),
                None => Sym::Unknown(format!("`data.{type_}.{name}.{attr}`")),
            },
            [type_, name, attr, ..] if type_.contains('_') => match self.module().resource(type_, name) {
                Some(b) => match self.src.instance_address(self.inst, type_, name, &self.index(text, span)) {
                    Ok(address) => attribute(b.file, type_, &address, attr),
                    // One of the instances, but which is not told: CT901 where a role is
                    // expected, not a guess.
                    Err(why) => Sym::Unevaluated(why),
                },
                // `mapping_rule.value.role_arn` in the content of `dynamic "mapping_rule"`.
                None if matches!(*name, "value" | "key") => {
                    Sym::Unevaluated(format!("`{text}`, an item of a `dynamic \"{type_}\"` block"))
                }
                None => Sym::Unknown(format!("`{type_}.{name}`, which this module does not define")),
            },
            _ => Sym::Unknown(format!("`{text}`")),
        }
    }

    /// `aws_iam_role.this[each.key].arn`, which the parser keeps as `this[?]`: the index as
    /// written, when it is a plain reference that evaluates to a literal here (`each.key`,
    /// `count.index`, `local.k`), put in; otherwise `text` as it is.
    fn index<'t>(&self, text: &'t str, span: Span) -> std::borrow::Cow<'t, str> {
        let Some(at) = text.find("[?]").filter(|&at| text.find('[') == Some(at)) else { return text.into() };
        let written = self.src.with_text(self.file, |source| {
            let written = source.get(span.start..span.end)?;
            let open = written.find('[')?;
            let close = open + written[open..].find(']')?;
            Some(written[open + 1..close].trim().to_string())
        });
        let Some(Some(index)) = written else { return text.into() };
        let plain = !index.is_empty()
            && index.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'-');
        if !plain || self.vars.is_some() || self.depth >= MAX_DEPTH {
            return text.into();
        }
        let key = match (Scope { depth: self.depth + 1, ..*self }).reference(&index, span) {
            Sym::Lit(key) if key.bytes().all(|b| b.is_ascii_digit()) && !key.is_empty() => format!("[{key}]"),
            Sym::Lit(key) => super::quoted_key(&key),
            _ => return text.into(),
        };
        format!("{}{key}{}", &text[..at], &text[at + 3..]).into()
    }

    /// `each.value`, `each.value.attr`, `each.value["k"]`: the member of the `for_each` map
    /// under this instance's key (and below it), or the key itself for a set.
    fn each_value(&self, each: &Each, text: &str) -> Sym {
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
            let written = format!("{type_}.{name}{}", super::quoted_key(&each.key));
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
    pub(super) fn for_each_keys(&self, node: &Node) -> Result<(Vec<String>, bool), String> {
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
                            Some(super::Keys::ForEach(keys, _)) => Ok((keys.clone(), true)),
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

    /// `aws_x.c`, a managed resource of this module named whole (no attribute): its type,
    /// name and file.
    fn resource_of<'t>(&self, text: &'t str) -> Option<(&'t str, &'t str, FileId)> {
        let (type_, name) = text.split_once('.')?;
        if !type_.contains('_') || name.contains(['.', '[']) || type_ == "data" {
            return None;
        }
        Some((type_, name, self.module().resource(type_, name)?.file))
    }

    fn local(&self, name: &str) -> Sym {
        let module = self.module();
        let Some(local) = module.locals.get(name) else {
            return Sym::Unknown(format!("`local.{name}`"));
        };
        if module.cyclic_locals.contains(name) {
            return Sym::Unknown(format!("`local.{name}`, which is part of a cycle"));
        }
        let key = Key::Local(self.inst, name.to_string());
        let place = Loc::new(local.file, local.name_span);
        self.value_of(key, place, Scope { file: local.file, each: None, ..*self }, local.value)
    }

    fn variable(&self, name: &str) -> Sym {
        if let Some((parent, call)) = self.src.instances[self.inst].parent {
            let call = &self.src.modules[self.src.instances[parent].module].calls[call];
            if let Some(arg) = call.body.entry(name) {
                let key = Key::Var(self.inst, name.to_string());
                let place = Loc::new(call.file, arg.key_span);
                let each = self.src.instances[self.inst].each.as_ref();
                return self.value_of(
                    key,
                    place,
                    Scope { inst: parent, file: call.file, each, ..*self },
                    &arg.value,
                );
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

    /// `module.CALL.OUTPUT`, or `module.CALL["k"].OUTPUT` of a call with `count` or
    /// `for_each`, as written in `text`: the output evaluated in that instance.
    fn module_output(&self, call: &str, output: &str, text: &str) -> Sym {
        let Some(children) = self.src.instances[self.inst].children.get(call) else {
            // A registry or Git module is never fetched: say so, rather than send the user
            // looking for the role among the scanned files.
            let remote =
                self.module().calls.iter().find(|c| c.name == call && c.target == super::Target::Remote);
            return match remote.and_then(|c| c.body.get("source")).and_then(Node::as_str) {
                Some(source) => Sym::Unknown(format!(
                    "`module.{call}.{output}`, an output of the module `{source}`, which is not fetched (only \
                     local modules inside the scanned folders are read)"
                )),
                None => Sym::Unknown(format!("`module.{call}.{output}`")),
            };
        };
        let child = match children.as_slice() {
            // One instance, which `module.m[0]` also names when its count is one or none.
            [(key, child)] if key.is_empty() => *child,
            _ => {
                let written = text.strip_prefix(&format!("module.{call}")).and_then(index_written);
                let found = written.and_then(|w| children.iter().find(|(key, _)| same_key(key, w)));
                match found {
                    Some((_, child)) => *child,
                    None => {
                        return Sym::Unevaluated(format!(
                            "`{text}` (an instance of `module.{call}` {})",
                            if written.is_some_and(|w| !w.contains('?')) {
                                "it does not have"
                            } else {
                                "by a key not known statically"
                            }
                        ));
                    }
                }
            }
        };
        let m = &self.src.modules[self.src.instances[child].module];
        match m.outputs.get(output) {
            Some(o) => {
                let key = Key::Output(child, output.to_string());
                self.value_of(
                    key,
                    o.loc,
                    Scope { inst: child, file: o.loc.file, each: None, ..*self },
                    o.value,
                )
            }
            None => Sym::Unknown(format!("`module.{call}.{output}`")),
        }
    }

    /// The value of `node` evaluated in `at` one reference deeper, remembered under `key`.
    ///
    /// A remembered value is what a fresh evaluation from this depth would give: its height
    /// (how many references deep it went) says whether it fits under [`MAX_DEPTH`] from here,
    /// and one that met the bound from some depth is evaluated again only from a shallower
    /// one, so each value is evaluated at most [`MAX_DEPTH`] times.
    fn value_of(&self, key: Key, place: Loc, at: Scope<'s, 'a>, node: &Node) -> Sym {
        let state = &self.src.eval;
        if self.depth >= MAX_DEPTH {
            return state.too_deep();
        }
        let depth = self.depth + 1;
        // Under an assignment, a value that depends on it is remembered for that one only.
        let in_variant = state.assign.borrow().is_some();
        let remembered = {
            let (memo, variant_memo) = (state.memo.borrow(), state.variant_memo.borrow());
            let shared = memo.get(&key).filter(|m| !(in_variant && m.depends_on_assignment()));
            match variant_memo.get(&key).filter(|_| in_variant).or(shared) {
                Some(Memo::Done { value, height, atoms }) => {
                    Some(Ok((value.clone(), *height, atoms.clone())))
                }
                Some(Memo::TooDeep { depth: from }) if depth >= *from => Some(Err(false)),
                Some(Memo::InProgress) => Some(Err(true)),
                _ => None,
            }
        };
        match remembered {
            Some(Ok((value, height, atoms))) if depth + height <= MAX_DEPTH => {
                state.deepest.set(state.deepest.get().max(depth + height));
                state.atoms.borrow_mut().extend(atoms);
                return state.hand_out(value);
            }
            Some(Ok(_) | Err(false)) => return state.too_deep(),
            Some(Err(true)) => return self.cycle(&key),
            None => {}
        }
        let memo_of = |conditional: bool| {
            if in_variant && conditional { &state.variant_memo } else { &state.memo }
        };
        memo_of(true).borrow_mut().insert(key.clone(), Memo::InProgress);
        state.stack.borrow_mut().push((key.clone(), place));
        let outer = (state.deepest.replace(depth), state.too_deep.replace(false), state.atoms.take());
        let mut value = Scope { depth, bound: &[], ..at }.eval(node);
        if value.weight() > MAX_VALUE_BYTES {
            value = too_large();
        }
        let (deepest, too_deep) = (state.deepest.get(), state.too_deep.get());
        state.deepest.set(outer.0.max(deepest));
        state.too_deep.set(outer.1 || too_deep);
        let mut atoms = state.atoms.replace(outer.2);
        atoms.sort();
        atoms.dedup();
        state.atoms.borrow_mut().extend(atoms.iter().cloned());
        state.stack.borrow_mut().pop();
        state.variant_memo.borrow_mut().remove(&key);
        let conditional = !atoms.is_empty();
        let memo = if too_deep {
            Memo::TooDeep { depth }
        } else {
            Memo::Done { value: value.clone(), height: deepest - depth, atoms }
        };
        memo_of(conditional).borrow_mut().insert(key, memo);
        state.hand_out(value)
    }

    /// Which branch a conditional expression takes: a literal condition decides, else the
    /// assignment being extracted (`None` while conditionals are being found). Either way an
    /// undecided condition's atom is recorded.
    fn branch(&self, condition: &Node) -> Option<bool> {
        let value = self.eval(condition);
        match value.as_lit() {
            Some("true") => return Some(true),
            Some("false") => return Some(false),
            _ => {}
        }
        let atom = self.atom(condition, &value);
        let state = &self.src.eval;
        let chosen = state.assign.borrow().as_ref().and_then(|a| a.get(&atom));
        state.atoms.borrow_mut().push(atom);
        chosen
    }

    /// The name of a condition's truth, shared by every conditional that tests the same thing:
    /// a condition that is one value (`var.guest`, passed down from the root as
    /// `var.allow_guests`) is named by it, so conditionals in the role and in the attachment
    /// never mix their branches; any other condition by its text in this module instance.
    fn atom(&self, condition: &Node, value: &Sym) -> String {
        let name = match value {
            Sym::Param { file, name, .. } => format!("{file:?}/{name}"),
            Sym::Attr { .. } | Sym::Pseudo(_) | Sym::External(_) | Sym::Import(_) => value.describe(),
            _ => {
                let written = self
                    .src
                    .with_text(self.file, |text| {
                        let written = text.get(condition.span.start..condition.span.end).unwrap_or_default();
                        written.split_whitespace().collect::<Vec<_>>().join(" ")
                    })
                    .unwrap_or_default();
                let prefix = &self.src.instances[self.inst].prefix;
                // `each.key == "guest"` is a condition of its own in each instance.
                match self.each {
                    Some(each) if written.contains("each.") || written.contains("count.") => {
                        format!("{prefix}{written} [{}]", each.key)
                    }
                    _ => format!("{prefix}{written}"),
                }
            }
        };
        let name: String = name.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
        format!("tf:{name}")
    }

    /// `c ? a : b`: the branch the assignment takes; while conditionals are being found, both
    /// (a value they share, else unknown).
    fn conditional(&self, parts: &[Node]) -> Sym {
        let [condition, yes, no] = parts else { return Sym::Unknown("a conditional value".into()) };
        match self.branch(condition) {
            Some(true) => self.eval(yes),
            Some(false) => self.eval(no),
            None => {
                let (a, b) = (self.eval(yes), self.eval(no));
                if a == b { a } else { Sym::Unknown("a conditional value".into()) }
            }
        }
    }

    /// `key` refers back to itself: an error at the innermost value, which closes the cycle.
    fn cycle(&self, key: &Key) -> Sym {
        let state = &self.src.eval;
        let stack = state.stack.borrow();
        let from = stack.iter().position(|(k, _)| k == key).unwrap_or(0);
        let names: Vec<String> =
            stack[from..].iter().map(|(k, _)| self.src.name(k)).chain([self.src.name(key)]).collect();
        if let Some(&(_, place)) = stack.last()
            && state.reported.borrow_mut().insert(place)
        {
            let message = format!("cycle: {}", names.join(" → "));
            state.errors.borrow_mut().push(EvalError { loc: place, message });
        }
        Sym::Unknown(format!("`{}`, which is part of a cycle", self.src.name(key)))
    }

    /// The scope and node a reference to a local or a variable stands for, when the policy
    /// document it holds is read; `None` for other references.
    fn follow(&self, text: &str) -> Option<Followed<'s, 'a, 's>> {
        if self.vars.is_some() {
            return None;
        }
        let parts = split_reference(text);
        let (at, node) = match parts.as_slice() {
            ["local", name] => {
                let local = self.module().locals.get(*name)?;
                if self.module().cyclic_locals.contains(*name) {
                    return Some(Followed::Cycle);
                }
                (Scope { file: local.file, each: None, ..*self }, local.value)
            }
            ["var", name] => {
                let (parent, call) = self.src.instances[self.inst].parent?;
                let call = &self.src.modules[self.src.instances[parent].module].calls[call];
                let each = self.src.instances[self.inst].each.as_ref();
                (Scope { inst: parent, file: call.file, each, ..*self }, call.body.get(name)?)
            }
            _ => return None,
        };
        if self.depth >= MAX_DEPTH {
            let why = format!("the policy document `{text}` holds is more than {MAX_DEPTH} references away");
            return Some(Followed::Stopped(why));
        }
        Some(Followed::To(Scope { depth: self.depth + 1, ..at }, node))
    }

    /// `local.x.key`, `var.x["key"]`: the member of a map written in the value of a local or
    /// of a module argument, remembered like the value itself; `None` when the value is not
    /// a map written out (it is then evaluated whole).
    fn member(&self, text: &str) -> Option<Sym> {
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

    /// A template's parts joined, or a limit as soon as they grow too large.
    fn template(&self, parts: &[Node]) -> Sym {
        let mut values = Vec::with_capacity(parts.len());
        let mut total = 0usize;
        for part in parts {
            let value = self.eval(part);
            total = total.saturating_add(value.weight());
            if total > MAX_VALUE_BYTES {
                return too_large();
            }
            values.push(value);
        }
        crate::frontend::cfn::eval::concat(values)
    }

    /// A `data "aws_iam_policy_document"` of this module, by name, referred to at `place` as
    /// `text`: the instance its key names when the block has `count` or `for_each`.
    fn document(&self, name: &str, text: &str, place: Loc) -> Option<Policy> {
        let block = self.module().data_source("aws_iam_policy_document", name)?;
        let local = format!("data.aws_iam_policy_document.{name}");
        if self.depth >= MAX_DEPTH {
            let why = format!("`{local}` is more than {MAX_DEPTH} references away");
            self.src.eval.stopped(place, why);
            return None;
        }
        let at = Scope { file: block.file, depth: self.depth + 1, each: None, bound: &[], ..*self };
        let written = text.strip_prefix(&local).and_then(index_written).filter(|w| *w != "[*]");
        let keys = self.src.data_keys(self.inst, "aws_iam_policy_document", name)?;
        let not_known = || {
            self.src.eval.stopped(place, format!("`{text}` names an instance of `{local}` not known"));
        };
        let each = match &*keys {
            super::Keys::One => None,
            super::Keys::Count(n) => {
                match written.map_or(Some(0), |w| w[1..w.len() - 1].parse::<usize>().ok()).filter(|i| i < n) {
                    Some(i) => Some(Each { key: i.to_string(), count: true, map: None }),
                    None => {
                        not_known();
                        return None;
                    }
                }
            }
            super::Keys::ForEach(keys, map) => {
                let found = match written {
                    Some(w) => keys.iter().find(|k| same_key(&super::quoted_key(k), w)),
                    None => keys.first(),
                };
                let Some(key) = found else {
                    not_known();
                    return None;
                };
                Some(Each {
                    key: key.clone(),
                    count: false,
                    map: if *map { block.body.get("for_each") } else { None },
                })
            }
            super::Keys::Not(why) => {
                self.src.eval.stopped(place, format!("`{local}`: {why}"));
                return None;
            }
        };
        let scope = Scope { each: each.as_ref(), ..at };
        let doc =
            policy::from_document_block(block.body, &|n: &Node| scope.eval(n).as_lit().map(String::from));
        read_policy(&scope, &doc).map(|p| p.written_as(PolicyForm::DocumentBlocks))
    }
}

impl Sources<'_> {
    /// Calls `f` with the text of a scanned file or of one `file()` read.
    fn with_text<R>(&self, id: FileId, f: impl FnOnce(&str) -> R) -> Option<R> {
        if self.read.holds(id) {
            self.read.with_text(id, f)
        } else {
            self.files.get(id).map(|file| f(&file.text))
        }
    }

    /// A remembered value's name as Terraform writes it (`module.auth.var.pool_id`).
    fn name(&self, key: &Key) -> String {
        let (inst, kind, name) = match key {
            Key::Local(i, n) => (i, "local", n),
            Key::Var(i, n) => (i, "var", n),
            Key::Output(i, n) => (i, "output", n),
            Key::Member(i, n) => {
                return format!("{}{n}", self.instances.get(*i).map_or("", |i| i.prefix.as_str()));
            }
        };
        let prefix = self.instances.get(*inst).map_or("", |i| i.prefix.as_str());
        format!("{prefix}{kind}.{name}")
    }
}

impl Resolve for Scope<'_, '_> {
    fn file(&self) -> FileId {
        self.file
    }

    /// Lists as written, and `tolist`, `toset`, `concat` and `flatten` of them.
    fn items(&self, node: &Node) -> Vec<crate::model::Item> {
        match node.single_entry().filter(|e| e.key == CALL).and_then(|e| e.value.as_seq()) {
            Some([name, args @ ..])
                if matches!(name.as_str(), Some("tolist" | "toset" | "concat" | "flatten"))
                    && !args.is_empty() =>
            {
                args.iter().flat_map(|arg| self.items(arg)).collect()
            }
            _ => match node.as_seq() {
                Some(list) => list.iter().map(|n| self.item(n)).collect(),
                None => vec![self.item(node)],
            },
        }
    }

    fn eval(&self, node: &Node) -> Sym {
        match &node.value {
            Value::String(s) => Sym::Lit(s.clone()),
            Value::Number(n) => Sym::Lit(n.clone()),
            Value::Bool(b) => Sym::Lit(b.to_string()),
            Value::Null => Sym::Unknown("null".into()),
            Value::Seq(_) => Sym::Unknown("a list".into()),
            Value::Map(_) => match node.single_entry() {
                Some(e) if e.key == REF => self.reference(e.value.as_str().unwrap_or_default(), e.value.span),
                Some(e) if e.key == TEMPLATE => self.template(e.value.as_seq().unwrap_or(&[])),
                Some(e) if e.key == CALL => self.call(e.value.as_seq().unwrap_or(&[])),
                Some(e) if e.key == COND => self.conditional(e.value.as_seq().unwrap_or(&[])),
                Some(e) if e.key == FOR => self.repeat(e.value.as_seq().unwrap_or(&[])),
                Some(e) if e.key == COMPARE => self.compare(e.value.as_seq().unwrap_or(&[])),
                _ => Sym::Unknown("a map".into()),
            },
        }
    }
}

impl<'s, 'a> Scope<'s, 'a> {
    /// A function call `[name, args..]` whose value is one of its arguments, or that every
    /// instance of a splat gives alike (`element(aws_iam_role.r.*.arn, 0)`).
    fn call(&self, call: &[Node]) -> Sym {
        match call {
            [name, arg] if matches!(name.as_str(), Some("tostring" | "trimspace" | "one")) => self.eval(arg),
            [name, list, index] if name.as_str() == Some("element") => match &list.value {
                Value::Seq(items) if !items.is_empty() => {
                    match self.eval(index).as_lit().map(str::parse::<usize>) {
                        Some(Ok(i)) => self.eval(&items[i % items.len()]),
                        _ => Sym::Unknown("an element of a list".into()),
                    }
                }
                _ if is_reference(list) => self.eval(list),
                _ => Sym::Unknown("an element of a list".into()),
            },
            [name, args @ ..] if name.as_str() == Some("try") => {
                let mut last = Sym::Unknown("`try` without arguments".into());
                for arg in args {
                    last = self.eval(arg);
                    if !matches!(last, Sym::Unknown(_) | Sym::Limit(_)) {
                        return last;
                    }
                }
                last
            }
            [name, args @ ..] if name.as_str() == Some("coalesce") => self.coalesce(args),
            [name, spec, args @ ..] if name.as_str() == Some("format") => self.format(spec, args),
            [name, separator, list] if name.as_str() == Some("join") => self.join(separator, list),
            [name, path] if name.as_str() == Some("file") => match self.read_file(path) {
                Ok((id, _)) => self.src.with_text(id, |text| Sym::Lit(text.into())).unwrap_or_else(too_large),
                Err(why) => Sym::Limit(why),
            },
            [name, path, vars] if name.as_str() == Some("templatefile") => {
                match self.read_template(path, vars) {
                    Ok((id, template, vars)) => {
                        Scope { file: id, depth: self.depth + 1, vars: Some(&vars), ..*self }.eval(&template)
                    }
                    Err(why) => Sym::Limit(why),
                }
            }
            [name, map, key, default @ ..] if name.as_str() == Some("lookup") && default.len() <= 1 => {
                self.lookup(map, key, default.first())
            }
            [name, ..] => match name.as_str() {
                Some(name) => Sym::Unevaluated(format!("a call of `{name}`")),
                None => Sym::Unknown("a function call".into()),
            },
            [] => Sym::Unknown("a function call".into()),
        }
    }

    /// The root module instance's folder and its display path: where Terraform, run there,
    /// resolves relative paths.
    fn root(&self) -> (Option<&'s std::path::Path>, &'s str) {
        let mut inst = self.inst;
        while let Some((parent, _)) = self.src.instances[inst].parent {
            inst = parent;
        }
        let module = &self.src.modules[self.src.instances[inst].module];
        (module.path.as_deref(), module.dir.as_str())
    }

    /// The file a `file()` or `templatefile()` path names, read once; why it is not read.
    fn read_file(&self, path: &Node) -> Result<(FileId, String), String> {
        if self.depth >= MAX_DEPTH {
            return Err(format!("a chain of more than {MAX_DEPTH} references"));
        }
        let Some(written) = self.eval(path).as_lit().map(String::from) else {
            return Err("a file whose path is not known statically is not read".into());
        };
        let (root, shown) = self.root();
        let id = self.src.read.file(root, shown, &written)?;
        Ok((id, written))
    }

    /// The template of `data "template_file" "NAME"` of this module, parsed, with its `vars`:
    /// `template = file(...)` (places in the file read), or a string (places at the argument).
    fn template_file(&self, name: &str) -> Result<Rendered, String> {
        let address = format!("`data.template_file.{name}`");
        if self.vars.is_some() || self.depth >= MAX_DEPTH {
            return Err(format!("{address} is not read here"));
        }
        let block = self
            .module()
            .data_source("template_file", name)
            .ok_or_else(|| format!("{address}, which this module does not define"))?;
        let at = Scope { file: block.file, depth: self.depth + 1, ..*self };
        let template_node =
            block.body.get("template").ok_or_else(|| format!("{address} has no `template`"))?;
        let vars = match block.body.get("vars") {
            Some(vars) => at.template_vars(vars, &address)?,
            None => HashMap::new(),
        };
        let file_call = template_node
            .single_entry()
            .filter(|e| e.key == CALL)
            .and_then(|e| e.value.as_seq())
            .filter(|call| call.len() == 2 && call[0].as_str() == Some("file"));
        if let Some([_, path]) = file_call {
            let (file, written) = at.read_file(path)?;
            let template = self.src.read.template(file, &written)?;
            return Ok(Rendered { file, template, vars });
        }
        let Some(text) = at.eval(template_node).as_lit().map(String::from) else {
            return Err(format!("the template of {address} is not known statically"));
        };
        let template = self.src.read.literal_template(block.file, template_node.span, &text, &address)?;
        Ok(Rendered { file: block.file, template, vars })
    }

    /// The variables of a template, a map written out here or in a local or module argument,
    /// evaluated where they are written.
    fn template_vars(&self, vars: &Node, of: &str) -> Result<HashMap<String, Var>, String> {
        let unknown = || format!("the variables of {of} are not known statically");
        let (at, map) = match vars.single_entry().filter(|e| e.key.starts_with("tf::")) {
            None => (*self, vars),
            Some(e) if e.key == REF => match self.follow(e.value.as_str().unwrap_or_default()) {
                Some(Followed::To(at, node)) => (at, node),
                Some(Followed::Stopped(why)) => return Err(why),
                _ => return Err(unknown()),
            },
            _ => return Err(unknown()),
        };
        let entries = map
            .as_map()
            .filter(|_| map.single_entry().is_none_or(|e| !e.key.starts_with("tf::")))
            .ok_or_else(unknown)?;
        Ok(entries
            .iter()
            .map(|e| {
                let var = match at.items_of(&e.value) {
                    Ok(items) => Var::Items(items),
                    Err(_) => Var::Value(at.eval(&e.value)),
                };
                (e.key.to_string(), var)
            })
            .collect())
    }

    /// The file a `templatefile()` renders, parsed, with its variables evaluated here.
    fn read_template(&self, path: &Node, vars: &Node) -> Result<Template, String> {
        if self.vars.is_some() {
            return Err("`templatefile` inside a template, which Terraform refuses, is not read".into());
        }
        let (id, written) = self.read_file(path)?;
        let template = self.src.read.template(id, &written)?;
        let values = self.template_vars(vars, &format!("the template `{written}`"))?;
        Ok((id, template, values))
    }

    /// `coalesce(a, b, …)`: the first argument that is neither null nor empty, while that can
    /// be told.
    fn coalesce(&self, args: &[Node]) -> Sym {
        for arg in args {
            if matches!(arg.value, Value::Null) {
                continue;
            }
            match self.eval(arg) {
                Sym::Lit(s) if s.is_empty() => continue,
                value @ (Sym::Lit(_) | Sym::Attr { .. } | Sym::Pseudo(_) | Sym::Concat(_)) => return value,
                _ => return Sym::Unknown("the first non-empty of values not known statically".into()),
            }
        }
        Sym::Unknown("`coalesce` of empty values".into())
    }

    /// `lookup(map, key, default)` of a map written out, directly or in a local or variable.
    fn lookup(&self, map: &Node, key: &Node, default: Option<&Node>) -> Sym {
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
    fn find_key<'n>(&self, map: &'n Node, key: &str, budget: &Cell<usize>) -> Found<'s, 'a, 'n>
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

/// The index `[…]` at the start of `rest`, up to its closing bracket (a quoted key may hold
/// `]`); `None` without one.
fn index_written(rest: &str) -> Option<&str> {
    if rest.starts_with("[\"") {
        return super::closing_key(rest);
    }
    rest.strip_prefix('[').and_then(|r| r.find(']')).map(|end| &rest[..end + 2])
}

/// Whether an instance key as an address writes it (`[0]`, `["a"]`) is the index written
/// (`[0]`, `["a"]`, `[a]` for a bare name that evaluated to it).
fn same_key(key: &str, written: &str) -> bool {
    key == written
        || key
            .strip_prefix("[\"")
            .and_then(|k| k.strip_suffix("\"]"))
            .is_some_and(|k| written.strip_prefix('[').and_then(|w| w.strip_suffix(']')) == Some(k))
}

/// `local.roles.guest` or `var.roles["guest"]` as the reference to the local or variable
/// (`local.roles`) and the keys below it; `None` for a reference with a number index or a
/// splat, and for anything but a local or a variable.
fn member_path(text: &str) -> Option<(String, Vec<String>)> {
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

/// A plain reference (`aws_iam_role.r[*].arn`, `var.x`).
fn is_reference(node: &Node) -> bool {
    node.single_entry().is_some_and(|e| e.key == REF)
}

impl Policies for Scope<'_, '_> {
    fn map_entries(&self, node: &Node) -> Option<Vec<(String, Loc, crate::model::Item)>> {
        let mut entries = render::Entries::default();
        self.entries_within(node, &Cell::new(MAX_MERGE_STEPS), &mut entries)?;
        Some(entries.into_vec())
    }

    fn policy(&self, node: &Node) -> Option<Policy> {
        if self.depth == 0 {
            self.src.eval.policy_at.set(Some(Loc::new(self.file, node.span)));
        }
        match node.single_entry() {
            Some(e) if e.key == CALL => match e.value.as_seq() {
                Some([name, doc]) if name.as_str() == Some("jsonencode") => {
                    read_policy(self, doc).map(|p| p.written_as(PolicyForm::HclObject))
                }
                Some([name, path]) if name.as_str() == Some("file") => match self.read_file(path) {
                    Ok((id, _)) => {
                        let scope = Scope { file: id, depth: self.depth + 1, ..*self };
                        let doc = self.src.with_text(id, |text| {
                            policy::from_json_text(
                                text,
                                &Node::new(Value::String(text.into()), Span::new(0, text.len())),
                            )
                        })??;
                        read_policy(&scope, &doc).map(|p| p.written_as(PolicyForm::JsonText))
                    }
                    Err(why) => {
                        self.src.eval.stopped(Loc::new(self.file, node.span), why);
                        None
                    }
                },
                Some([name, path, vars]) if name.as_str() == Some("templatefile") => {
                    match self.read_template(path, vars) {
                        Ok((id, template, vars)) => {
                            let scope = Scope { file: id, depth: self.depth + 1, vars: Some(&vars), ..*self };
                            scope.template_policy(&template, true)
                        }
                        Err(why) => {
                            self.src.eval.stopped(Loc::new(self.file, node.span), why);
                            None
                        }
                    }
                }
                // The document's text, decoded again: read as the text is.
                Some([name, text])
                    if matches!(name.as_str(), Some("jsondecode" | "tostring" | "trimspace")) =>
                {
                    self.policy(text)
                }
                _ => None,
            },
            Some(e) if e.key == COND => match e.value.as_seq()? {
                [condition, yes, no] => match self.branch(condition) {
                    Some(true) => self.policy(yes),
                    Some(false) => self.policy(no),
                    None => {
                        let (yes, no) = (self.policy(yes), self.policy(no));
                        yes.or(no)
                    }
                },
                _ => None,
            },
            // `"${data.aws_iam_policy_document.x.json}"`: the interpolation alone is the value.
            Some(e)
                if e.key == TEMPLATE
                    && matches!(e.value.as_seq(), Some([only]) if only.as_str().is_none()) =>
            {
                self.policy(e.value.as_seq().and_then(<[Node]>::first)?)
            }
            Some(e) if e.key == REF => {
                let text = e.value.as_str()?;
                match self.follow(text) {
                    Some(Followed::To(scope, target)) => return scope.policy(target),
                    Some(Followed::Stopped(why)) => {
                        self.src.eval.stopped(Loc::new(self.file, node.span), why);
                        return None;
                    }
                    Some(Followed::Cycle) => return None,
                    None => {}
                }
                match split_reference(text).as_slice() {
                    ["data", "aws_iam_policy_document", name, "json", ..] => {
                        self.document(name, &self.index(text, node.span), Loc::new(self.file, node.span))
                    }
                    ["data", "template_file", name, "rendered", ..] => match self.template_file(name) {
                        Ok(Rendered { file, template, vars }) => {
                            let scope = Scope { file, depth: self.depth + 1, vars: Some(&vars), ..*self };
                            scope.template_policy(&template, self.src.read.holds(file))
                        }
                        Err(why) => {
                            self.src.eval.stopped(Loc::new(self.file, node.span), why);
                            None
                        }
                    },
                    _ => None,
                }
            }
            _ => self.template_policy(node, true),
        }
    }
}

/// The locals of `module` that lie on a cycle of locals, each cycle reported once as an error
/// at the local that closes it (`cycle: local.a → local.b → local.a`). A walk over the
/// module's locals alone, whatever the instances: a cycle of locals is one in every instance,
/// and reported even where nothing uses it, as Terraform does.
pub(super) fn local_cycles(module: &Module, errors: &mut Vec<EvalError>) -> HashSet<String> {
    let mut names: Vec<&str> = module.locals.keys().map(String::as_str).collect();
    names.sort_by_key(|n| module.locals.get(*n).map(|l| (l.file, l.name_span.start)));
    let refs = |name: &str| -> Vec<&str> {
        let mut out = Vec::new();
        if let Some(local) = module.locals.get(name) {
            local_refs(local.value, &mut out);
        }
        out.retain(|r| module.locals.contains_key(*r));
        out
    };
    let mut open: HashSet<&str> = HashSet::new();
    let mut done: HashSet<&str> = HashSet::new();
    let mut cyclic = HashSet::new();
    for start in names {
        if done.contains(start) {
            continue;
        }
        // The walk's path: each local with the locals it refers to and the next to follow.
        let mut path: Vec<(&str, Vec<&str>, usize)> = vec![(start, refs(start), 0)];
        open.insert(start);
        while let Some((name, targets, next)) = path.last_mut() {
            let Some(&target) = targets.get(*next) else {
                open.remove(*name);
                done.insert(*name);
                path.pop();
                continue;
            };
            *next += 1;
            let name = *name;
            if open.contains(target) {
                let from = path.iter().position(|(n, ..)| *n == target).unwrap_or(0);
                let cycle: Vec<&str> = path[from..].iter().map(|(n, ..)| *n).chain([target]).collect();
                cyclic.extend(cycle.iter().map(|n| n.to_string()));
                let names: Vec<String> = cycle.iter().map(|n| format!("local.{n}")).collect();
                if let Some(local) = module.locals.get(name) {
                    let loc = Loc::new(local.file, local.name_span);
                    errors.push(EvalError { loc, message: format!("cycle: {}", names.join(" → ")) });
                }
            } else if !done.contains(target) {
                open.insert(target);
                path.push((target, refs(target), 0));
            }
        }
    }
    cyclic
}

/// The names of the locals `node` refers to, in order of appearance.
fn local_refs<'n>(node: &'n Node, out: &mut Vec<&'n str>) {
    match &node.value {
        Value::Map(entries) => {
            for e in entries {
                if e.key == REF {
                    if let Some(["local", name, ..]) = e.value.as_str().map(split_reference).as_deref() {
                        out.push(name);
                    }
                } else {
                    local_refs(&e.value, out);
                }
            }
        }
        Value::Seq(items) => items.iter().for_each(|i| local_refs(i, out)),
        _ => {}
    }
}

/// `aws_iam_role.r[0].arn` → `["aws_iam_role", "r", "arn"]`: indexes dropped, since every
/// instance of a counted resource has the same shape.
fn split_reference(text: &str) -> Vec<&str> {
    text.split('.')
        .map(|p| p.split('[').next().unwrap_or(p))
        .filter(|p| !p.is_empty() && *p != "*" && !p.bytes().all(|b| b.is_ascii_digit()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_split_without_indexes() {
        assert_eq!(split_reference("aws_iam_role.r[0].arn"), ["aws_iam_role", "r", "arn"]);
        assert_eq!(split_reference("module.auth.pool_id"), ["module", "auth", "pool_id"]);
        assert_eq!(split_reference("x[\"k\"].y"), ["x", "y"]);
        // Terraform 0.11's index forms.
        assert_eq!(
            split_reference("aws_cognito_identity_pool.p.0.id"),
            ["aws_cognito_identity_pool", "p", "id"]
        );
        assert_eq!(split_reference("aws_iam_role.r.*.arn[0]"), ["aws_iam_role", "r", "arn"]);
    }

    /// A guest role whose `aud` is `AUD`, handed out by the main pool.
    fn with_aud(aud: &str) -> String {
        format!(
            r#"
locals {{
  base    = {{ main = aws_cognito_identity_pool.main.id, staging = "x" }}
  pools   = merge(local.base, {{ staging = aws_cognito_identity_pool.staging.id }})
  deep    = merge({{ other = "y" }}, local.pools)
  roles   = merge({{ guest = "" }}, {{ guest = aws_iam_role.guest.arn }})
}}
resource "aws_cognito_identity_pool" "main" {{
  identity_pool_name               = "photos"
  allow_unauthenticated_identities = true
}}
resource "aws_cognito_identity_pool" "staging" {{
  identity_pool_name               = "photos-staging"
  allow_unauthenticated_identities = true
}}
resource "aws_iam_role" "guest" {{
  name = "photos-guest"
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect    = "Allow"
      Principal = {{ Federated = "cognito-identity.amazonaws.com" }}
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {{
        StringEquals = {{ "cognito-identity.amazonaws.com:aud" = {aud} }}
        "ForAnyValue:StringLike" = {{ "cognito-identity.amazonaws.com:amr" = "unauthenticated" }}
      }}
    }}]
  }})
}}
resource "aws_cognito_identity_pool_roles_attachment" "main" {{
  identity_pool_id = local.pools.main
  roles = {{ unauthenticated = local.roles["guest"] }}
}}
"#
        )
    }

    fn codes(aud: &str) -> Vec<&'static str> {
        let report = crate::scan_texts(&[("main.tf", &with_aud(aud))]);
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        report.findings.iter().map(|f| f.rule.code).collect()
    }

    #[test]
    fn merge_of_maps_takes_the_last_value_of_each_key() {
        assert_eq!(codes("lookup(local.pools, \"main\")"), Vec::<&str>::new());
        assert_eq!(codes("local.deep.main"), Vec::<&str>::new());
        assert_eq!(codes("lookup(merge(local.base, { main = \"other\" }), \"main\")"), ["CT107"]);
        // The later map's staging pool, not the base map's "x".
        assert_eq!(codes("local.pools[\"staging\"]"), ["CT107"]);
        assert_eq!(
            codes("lookup(merge({}, {}), \"main\", aws_cognito_identity_pool.main.id)"),
            Vec::<&str>::new()
        );
        // A map not known statically is never taken as lacking the key: the value is unknown,
        // not the default "z" (which CT107 would report).
        assert_eq!(codes("lookup(merge(local.base, var.extra), \"main\", \"z\")"), Vec::<&str>::new());
    }

    #[test]
    fn merges_of_merges_are_bounded() {
        let mut locals = String::from("locals {\n  m0 = { a = \"x\" }\n");
        for i in 1..=40 {
            locals.push_str(&format!("  m{i} = merge(local.m{p}, local.m{p}, local.m{p})\n", p = i - 1));
        }
        locals.push_str("}\n");
        let text = format!("{locals}{}", with_aud("lookup(local.m40, \"zz\", \"q\")"));
        let start = std::time::Instant::now();
        let report = crate::scan_texts(&[("main.tf", &text)]);
        assert!(start.elapsed().as_secs() < 10);
        assert!(report.findings.iter().any(|f| f.rule.code == "CT901"), "{:?}", report.findings);
    }

    #[test]
    fn members_of_locals_and_variables_are_split_into_keys() {
        let path = |t| member_path(t);
        assert_eq!(path("local.roles.guest"), Some(("local.roles".into(), vec!["guest".into()])));
        assert_eq!(path("var.m[\"a.b\"].c"), Some(("var.m".into(), vec!["a.b".into(), "c".into()])));
        assert_eq!(path("local.roles"), None);
        assert_eq!(path("local.l[0].x"), Some(("local.l".into(), vec!["0".into(), "x".into()])));
        assert_eq!(path("local.l.0"), Some(("local.l".into(), vec!["0".into()])));
        assert_eq!(path("local.l[*].x"), None);
        assert_eq!(path("local.l[?]"), None);
        assert_eq!(path("aws_iam_role.r.arn"), None);
    }

    #[test]
    fn template_directives_render_as_terraform_renders_them() {
        // A `for` over a map of a local, its items by key: "main" then "staging".
        let each = "\"%{ for k, id in local.pools }%{ if k == \"main\" }${id}%{ endif }%{ endfor }\"";
        assert_eq!(codes(each), Vec::<&str>::new());
        let staging = each.replace("== \"main\"", "== \"staging\"");
        assert_ne!(staging, each);
        assert_eq!(codes(&staging), ["CT107"]);
        // Comparisons and logical operators of what is known decide: the usual comma idiom.
        let second = "\"%{ for i, x in [\"a\", \"b\"] }%{ if i > 0 && !(i >= 2) || false }${local.pools.main}%{ endif }%{ endfor }\"";
        assert_eq!(codes(second), Vec::<&str>::new(), "the aud is the pool's ID, once");
        assert_eq!(codes(&second.replace("i > 0", "i > 5")), ["CT108"], "the aud is empty");
        // Over a list written out; an `if` whose condition is not known: both branches.
        assert_eq!(codes("\"%{ for id in [local.pools.main] }${id}%{ endfor }\""), Vec::<&str>::new());
        assert_eq!(codes("\"%{ if var.x }${local.pools.main}%{ else }x%{ endif }\""), ["CT107"]);
        // `format` with %s, %d, %v and %%, and `join`, of what is known.
        assert_eq!(codes("format(\"%s\", local.pools.main)"), Vec::<&str>::new());
        assert_eq!(codes("format(\"%s%%\", \"us-east-1:x\")"), ["CT107"]);
        assert_eq!(codes("join(\"\", [local.pools.main])"), Vec::<&str>::new());
        assert_eq!(codes("format(\"%05d\", 1)"), ["CT901"]);
        // Over something not known statically: said, not guessed; so is a function not read.
        assert_eq!(codes("\"%{ for id in var.ids }${id}%{ endfor }\""), ["CT901"]);
        assert_eq!(codes("upper(local.pools.main)"), ["CT901"]);
    }

    #[test]
    fn template_collections_are_bounded() {
        let items: Vec<String> = (0..20_000).map(|i| format!("\"{i}\"")).collect();
        let text = format!(
            "locals {{\n  l = [{}]\n}}\n{}",
            items.join(", "),
            with_aud("\"%{ for a in local.l }%{ endfor }${local.pools.main}\"")
        );
        let report = crate::scan_texts(&[("main.tf", &text)]);
        assert!(
            report
                .findings
                .iter()
                .any(|f| f.rule.code == "CT901" && f.message.contains("more than 10000 items")),
            "{:?}",
            report.findings.iter().map(|f| &f.message).collect::<Vec<_>>()
        );
    }

    #[test]
    fn template_loops_are_bounded() {
        // 2,000 items, three loops deep: 8 * 10^9 iterations if rendered.
        let items: Vec<String> = (0..2_000).map(|i| format!("\"{i}\"")).collect();
        let text = format!(
            "locals {{\n  l = [{}]\n}}\n{}",
            items.join(", "),
            with_aud(
                "\"%{ for a in local.l }%{ for b in local.l }%{ for c in local.l }%{ endfor }%{ endfor }%{ endfor }\""
            )
        );
        let start = std::time::Instant::now();
        let report = crate::scan_texts(&[("main.tf", &text)]);
        assert!(start.elapsed().as_secs() < 30);
        assert!(
            report.findings.iter().any(|f| f.rule.code == "CT901" && f.message.contains("iterations")),
            "{:?}",
            report.findings.iter().map(|f| &f.message).collect::<Vec<_>>()
        );
    }
}
