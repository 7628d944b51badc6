//! Evaluation of `.tf` values inside one module instance, as symbols.
//!
//! A local, a variable's argument or a module output is evaluated once per instance and
//! remembered, so values that fan out (`a = "${local.b}${local.b}"`, `b = "${local.c}…"`) cost
//! one evaluation each, not one per path. Three bounds keep hostile values small, and each
//! gives [`Sym::Limit`], which rule CT901 reports: chains of references deeper than
//! [`MAX_DEPTH`], single values larger than [`MAX_VALUE_BYTES`], and more than
//! [`MAX_TOTAL_BYTES`] of values handed out in all. A cycle (`local.a → local.b → local.a`)
//! is an input error at the value that closes it, and evaluates as unknown.

mod calls;
mod conditionals;
mod cycles;
mod members;
mod operators;
mod policies;
mod references;
mod render;

pub(super) use cycles::local_cycles;

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};

use super::super::TfResource;
use super::{Module, Sources};
use crate::frontend::Resolve;
use crate::model::{Assign, EvalError, Incomplete, Model, ResourceRef, Sym};
use crate::source::{FileId, Loc};
use crate::syntax::hcl::{CALL, COMPARE, COND, FOR, REF, TEMPLATE};
use crate::syntax::{Node, Value};

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
        Sym::concat(values)
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

#[cfg(test)]
mod tests {
    use super::members::member_path;
    use super::references::split_reference;

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
