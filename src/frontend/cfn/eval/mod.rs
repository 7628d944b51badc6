//! Intrinsic functions, resolved symbolically: `Ref`, `Fn::GetAtt` (both forms), `Fn::Sub`
//! (both forms), `Fn::Join`, `Fn::Select`, `Fn::FindInMap`, `Fn::ImportValue` (across every
//! scanned template) and nested stacks' `Parameters` and `Outputs`. `Fn::If` is expanded into
//! variants by `super::expand` under the conditions of `super::conditions`.
//!
//! What crosses from one template to another (a parent's parameter value, a nested stack's
//! output, an export) is evaluated once and remembered, so a value that many others share costs
//! once, not once per path to it. Such links are followed with the chain that led to them: a link
//! met again in its own chain is a cycle (an input error), and a chain longer than
//! [`MAX_CHAIN`] stops with [`Sym::Limit`], which rule CT901 reports. Values are bounded in size
//! the same way ([`Sym::concat`]: [`crate::model::MAX_VALUE_BYTES`], `MAX_PARTS`).
//!
//! `intrinsics.rs` reads the intrinsic functions of one template; `links.rs` follows what
//! crosses templates (nested stacks, their parameters and outputs, imports of exports).

mod intrinsics;
mod links;

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, OnceLock};

use rayon::prelude::*;

pub(super) use intrinsics::{SubPart, sub_parts};
use links::normalise;

use super::Template;
use super::exports::{self, Pattern};
use crate::frontend::Resolve;
use crate::model::{EvalError, Sym};
use crate::source::Loc;
use crate::syntax::{Node, Value};

/// Longest chain of nested-stack parameters, outputs and imports followed.
const MAX_CHAIN: usize = 64;
/// Most bytes of values the links of one scan may hold in all: a value is at most
/// [`crate::model::MAX_VALUE_BYTES`], but many links could each hold one.
const MAX_LINKED_BYTES: usize = 64 * 1024 * 1024;
/// Most exports an import may resolve to before it is a [`Sym::Limit`].
const MAX_CANDIDATES: usize = 16;

/// An `Outputs` entry with an export.
struct Export<'a> {
    template: usize,
    value: &'a Node,
}

/// A link evaluation follows across templates, remembered by [`Ctx`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Link {
    /// The value a parent stack passes for a parameter of a template.
    Param(usize, String),
    /// An output of the template a nested stack (template, logical ID) creates.
    Output(usize, String, String),
    /// The value of an export.
    Export(usize),
}

/// One link being followed, and the one that led to it.
struct Frame<'f> {
    link: Link,
    up: Option<&'f Frame<'f>>,
}

/// All templates of one scan, with their exports and nested stacks indexed.
pub(crate) struct Ctx<'a> {
    pub templates: &'a [Template],
    exports: Vec<Export<'a>>,
    export_names: exports::Index,
    /// (parent template, stack logical ID) → child template.
    children: HashMap<(usize, String), usize>,
    /// child template → the stacks that create it, with their `Parameters`.
    parents: HashMap<usize, Vec<(usize, Option<&'a Node>)>>,
    /// Templates by normalised path, and by file name or CDK asset key, for `TemplateURL`s.
    by_path: HashMap<String, Vec<usize>>,
    by_name: HashMap<&'a str, Vec<usize>>,
    /// The values of links already followed, and the bytes they hold.
    memo: Mutex<HashMap<Link, Sym>>,
    linked_bytes: std::sync::atomic::AtomicUsize,
    /// Problems found while evaluating (cycles), each once.
    errors: Mutex<Vec<EvalError>>,
    /// Per template, the conditions that are atoms of their own (see `conditions.rs`).
    private: Vec<OnceLock<HashSet<String>>>,
}

impl<'a> Ctx<'a> {
    pub fn new(templates: &'a [Template]) -> Self {
        let mut ctx = Ctx {
            templates,
            exports: Vec::new(),
            export_names: exports::Index::new(Vec::new()),
            children: HashMap::new(),
            parents: HashMap::new(),
            by_path: HashMap::new(),
            by_name: HashMap::new(),
            memo: Mutex::new(HashMap::new()),
            linked_bytes: std::sync::atomic::AtomicUsize::new(0),
            errors: Mutex::new(Vec::new()),
            private: templates.iter().map(|_| OnceLock::new()).collect(),
        };
        for (i, tpl) in templates.iter().enumerate() {
            ctx.by_path.entry(normalise(&tpl.path)).or_default().push(i);
            let file_name = tpl.path.rsplit('/').next().unwrap_or(&tpl.path);
            for name in std::iter::once(file_name).chain(tpl.aliases.iter().map(String::as_str)) {
                let found = ctx.by_name.entry(name).or_default();
                if found.last() != Some(&i) {
                    found.push(i);
                }
            }
        }
        ctx.link_nested_stacks();
        let found: Vec<(Export, Pattern)> = (0..templates.len())
            .into_par_iter()
            .flat_map_iter(|i| {
                let scope = ctx.scope(i);
                templates[i].outputs.iter().filter_map(move |out| {
                    let name = Pattern::of(&scope.eval(out.export_name.as_ref()?))?;
                    Some((Export { template: i, value: &out.value }, name))
                })
            })
            .collect();
        let (exports, names): (Vec<Export>, Vec<Pattern>) = found.into_iter().unzip();
        ctx.exports = exports;
        ctx.export_names = exports::Index::new(names);
        ctx
    }

    pub fn scope(&self, template: usize) -> Scope<'_, 'a> {
        Scope { ctx: self, template, chain: None, len: 0 }
    }

    /// The problems evaluation found, each once, in the order found.
    pub(crate) fn take_errors(&self) -> Vec<EvalError> {
        let mut errors = std::mem::take(&mut *self.lock_errors());
        let mut seen = HashSet::new();
        errors.retain(|e| seen.insert((e.loc, e.message.clone())));
        errors
    }

    /// Adds problems found outside evaluation (circular conditions), in order after those
    /// found so far.
    pub(crate) fn add_errors(&self, errors: impl IntoIterator<Item = EvalError>) {
        self.lock_errors().extend(errors);
    }

    fn lock_errors(&self) -> std::sync::MutexGuard<'_, Vec<EvalError>> {
        self.errors.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn lock_memo(&self) -> std::sync::MutexGuard<'_, HashMap<Link, Sym>> {
        self.memo.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Evaluation inside one template.
#[derive(Clone, Copy)]
pub struct Scope<'c, 'a> {
    ctx: &'c Ctx<'a>,
    pub template: usize,
    /// The links followed to get here, innermost first, and how many.
    chain: Option<&'c Frame<'c>>,
    len: usize,
}

impl Resolve for Scope<'_, '_> {
    /// The file of the template this scope evaluates in.
    fn file(&self) -> crate::source::FileId {
        self.tpl().file
    }

    fn at(&self, span: crate::syntax::Span) -> Loc {
        self.tpl().loc(span)
    }

    /// What a value denotes. Lists and maps that are not intrinsics are `Unknown`.
    fn eval(&self, node: &Node) -> Sym {
        match &node.value {
            Value::String(s) => Sym::Lit(s.clone()),
            Value::Number(n) => Sym::Lit(n.clone()),
            Value::Bool(b) => Sym::Lit(b.to_string()),
            Value::Null => Sym::Unknown("an empty value".into()),
            Value::Seq(_) => Sym::Unknown("a list".into()),
            Value::Map(_) => match node.single_entry() {
                Some(e) => self.intrinsic(e),
                None => Sym::Unknown("a map".into()),
            },
        }
    }
}

impl<'c, 'a> Scope<'c, 'a> {
    pub(super) fn private_slot(&self) -> &'c OnceLock<HashSet<String>> {
        &self.ctx.private[self.template]
    }

    pub(super) fn tpl(&self) -> &'a Template {
        &self.ctx.templates[self.template]
    }
}

impl<'c, 'a> Scope<'c, 'a> {
    /// Whether a boolean property is known: `Some` for literals, `None` for computed ones.
    pub(crate) fn bool_of(&self, node: &Node) -> Option<bool> {
        match node.as_bool() {
            Some(b) => Some(b),
            None => match self.eval(node) {
                Sym::Param { default: Some(_), .. } => None,
                Sym::Lit(s) => match s.to_ascii_lowercase().as_str() {
                    "true" => Some(true),
                    "false" => Some(false),
                    _ => None,
                },
                _ => None,
            },
        }
    }
}
