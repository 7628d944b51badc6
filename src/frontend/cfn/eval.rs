//! Intrinsic functions, resolved symbolically: `Ref`, `Fn::GetAtt` (both forms), `Fn::Sub`
//! (both forms), `Fn::Join`, `Fn::Select`, `Fn::FindInMap`, `Fn::ImportValue` (across every
//! scanned template) and nested stacks' `Parameters` and `Outputs`. `Fn::If` is expanded into
//! variants by [`super::expand`] under the conditions of [`super::conditions`].
//!
//! What crosses from one template to another (a parent's parameter value, a nested stack's
//! output, an export) is evaluated once and remembered, so a value that many others share costs
//! once, not once per path to it. Such links are followed with the chain that led to them: a link
//! met again in its own chain is a cycle (an input error), and a chain longer than
//! [`MAX_CHAIN`] stops with [`Sym::Limit`], which rule CT901 reports. Values are bounded in size
//! the same way ([`MAX_VALUE_BYTES`], [`MAX_PARTS`]).

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, OnceLock};

use rayon::prelude::*;

use super::Template;
use super::exports::{self, Pattern};
use crate::frontend::Resolve;
use crate::model::{EvalError, Sym, Tri};
use crate::source::{Loc, parent_dir};
use crate::syntax::{Entry, Node, Value};

/// Longest chain of nested-stack parameters, outputs and imports followed.
const MAX_CHAIN: usize = 64;
/// Longest literal text a value may hold; longer values are [`Sym::Limit`]s.
pub const MAX_VALUE_BYTES: usize = 16 * 1024;
/// Most parts a joined value may hold.
pub const MAX_PARTS: usize = 1024;
/// Most bytes of values the links of one scan may hold in all: a value is at most
/// [`MAX_VALUE_BYTES`], but many links could each hold one.
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
pub struct Ctx<'a> {
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
        let circular: Vec<EvalError> =
            templates.iter().flat_map(super::conditions::circular_conditions).collect();
        ctx.lock_errors().extend(circular);
        ctx
    }

    pub fn scope(&self, template: usize) -> Scope<'_, 'a> {
        Scope { ctx: self, template, chain: None, len: 0 }
    }

    /// The problems evaluation found, each once, in the order found.
    pub fn take_errors(&self) -> Vec<EvalError> {
        let mut errors = std::mem::take(&mut *self.lock_errors());
        let mut seen = HashSet::new();
        errors.retain(|e| seen.insert((e.loc, e.message.clone())));
        errors
    }

    fn lock_errors(&self) -> std::sync::MutexGuard<'_, Vec<EvalError>> {
        self.errors.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn lock_memo(&self) -> std::sync::MutexGuard<'_, HashMap<Link, Sym>> {
        self.memo.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Links each `AWS::CloudFormation::Stack` to the scanned template its `TemplateURL`
    /// names: a local path relative to the parent, or a URL whose file name is unique, or whose
    /// CDK asset key ([`Template::aliases`]) is unique, or unique in the parent's folder.
    fn link_nested_stacks(&mut self) {
        for (p, tpl) in self.templates.iter().enumerate() {
            for res in tpl.resources.iter().filter(|r| r.type_ == "AWS::CloudFormation::Stack") {
                let Some(props) = &res.properties else { continue };
                let Some(url) = props.get("TemplateURL") else { continue };
                let url = self.scope(p).eval(url);
                let Some(child) = self.template_at(p, &url) else { continue };
                self.children.insert((p, res.logical_id.clone()), child);
                self.parents.entry(child).or_default().push((p, props.get("Parameters")));
            }
        }
    }

    fn template_at(&self, parent: usize, url: &Sym) -> Option<usize> {
        let tail = match url {
            Sym::Lit(s) => s.as_str(),
            Sym::Concat(parts) => parts.last()?.as_lit()?,
            _ => return None,
        };
        let local = !tail.contains("://") && !matches!(url, Sym::Concat(_));
        let wanted = if local {
            normalise(&format!("{}/{tail}", parent_dir(&self.templates[parent].path)))
        } else {
            tail.rsplit('/').next()?.to_string()
        };
        let named = if local { self.by_path.get(&wanted) } else { self.by_name.get(wanted.as_str()) };
        let found: Vec<usize> = named.into_iter().flatten().copied().filter(|&i| i != parent).collect();
        let dir = |i: usize| parent_dir(&self.templates[i].path);
        let by_alias = |i: &usize| !local && self.templates[*i].aliases.contains(&wanted);
        match found.as_slice() {
            [i] => Some(*i),
            // An asset key names the content: the same nested template in two scanned CDK
            // assemblies, of which the parent's own copy is the one.
            many if many.iter().all(by_alias) => {
                match many.iter().filter(|&&i| dir(i) == dir(parent)).collect::<Vec<_>>().as_slice() {
                    [i] => Some(**i),
                    _ => None,
                }
            }
            _ => None,
        }
    }
}

/// A relative path without `.` segments and with `..` applied.
fn normalise(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
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

/// The attribute that `Ref` returns for a resource type, named as `Fn::GetAtt` would name it.
fn ref_attr(type_: &str) -> &'static str {
    match type_ {
        "AWS::Cognito::IdentityPool" => "Id",
        "AWS::IAM::Role" => "RoleName",
        "AWS::Cognito::UserPool" => "UserPoolId",
        "AWS::Cognito::UserPoolClient" => "ClientId",
        _ => "Ref",
    }
}

/// A piece of a `Fn::Sub` text: literal text, or what is between `${` and `}`.
pub(super) enum SubPart<'t> {
    Text(&'t str),
    Var(&'t str),
}

/// A `Fn::Sub` text cut at its `${...}`s; an unterminated `${` is text.
pub(super) fn sub_parts(text: &str) -> Vec<SubPart<'_>> {
    let mut parts = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        parts.push(SubPart::Text(&rest[..start]));
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            parts.push(SubPart::Text(&rest[start..]));
            rest = "";
            break;
        };
        parts.push(SubPart::Var(&after[..end]));
        rest = &after[end + 1..];
    }
    parts.push(SubPart::Text(rest));
    parts
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

    fn intrinsic(&self, e: &Entry) -> Sym {
        let arg = &e.value;
        match e.key.as_str() {
            "Ref" => match arg.as_str() {
                Some(name) => self.reference(name),
                None => Sym::Unknown("a `Ref` to a computed name".into()),
            },
            "Fn::GetAtt" => self.get_att(arg),
            "Fn::Sub" => self.sub(arg),
            "Fn::Join" => self.join(arg),
            "Fn::ImportValue" => self.import(arg),
            "Fn::Select" => self.select(arg),
            "Fn::FindInMap" => self.find_in_map(arg),
            "Fn::If" => self.if_both(arg),
            crate::frontend::serverless::VARIABLE => {
                Sym::External(arg.as_str().unwrap_or_default().to_string())
            }
            other => Sym::Unevaluated(format!("`{other}`")),
        }
    }

    /// `Ref` to a parameter, pseudo parameter or resource.
    pub fn reference(&self, name: &str) -> Sym {
        let tpl = self.tpl();
        if let Some(default) = tpl.parameters.get(name) {
            if let Some(bound) = self.parameter_from_parent(name) {
                return bound;
            }
            let default = default.as_ref().and_then(Node::scalar_text);
            if default.as_ref().is_some_and(|d| d.len() > MAX_VALUE_BYTES) {
                return too_long();
            }
            return Sym::Param { file: tpl.file, name: name.to_string(), default };
        }
        if name.starts_with("AWS::") {
            return Sym::Pseudo(name.to_string());
        }
        match tpl.type_of(name) {
            Some(type_) => {
                Sym::Attr { file: tpl.file, resource: name.to_string(), attr: ref_attr(type_).to_string() }
            }
            None => Sym::Unknown(format!("`{name}`, which this template does not define")),
        }
    }

    /// The value a parent stack passes for a parameter, when exactly one parent creates this
    /// template and passes it.
    fn parameter_from_parent(&self, name: &str) -> Option<Sym> {
        let parents = self.ctx.parents.get(&self.template)?;
        let [(parent, params)] = parents.as_slice() else { return None };
        let value = params.as_ref()?.get(name)?;
        Some(self.follow(Link::Param(self.template, name.to_string()), *parent, value))
    }

    /// `Fn::GetAtt Stack.Outputs.Name` of a nested stack among the scanned templates.
    fn nested_output(&self, stack: &str, attr: &str) -> Option<Sym> {
        let name = attr.strip_prefix("Outputs.")?;
        let child = *self.ctx.children.get(&(self.template, stack.to_string()))?;
        let output = self.ctx.templates[child].outputs.iter().find(|o| o.name == name)?;
        let link = Link::Output(self.template, stack.to_string(), name.to_string());
        Some(self.follow(link, child, &output.value))
    }

    /// Evaluates `node` in `template` as the value of `link`: once per scan, remembered; a link
    /// met again in its own chain is a cycle, reported at `node`.
    fn follow(&self, link: Link, template: usize, node: &Node) -> Sym {
        if let Some(known) = self.ctx.lock_memo().get(&link) {
            return known.clone();
        }
        let mut up = self.chain;
        while let Some(frame) = up {
            if frame.link == link {
                let loc = self.ctx.templates[template].loc(node.span);
                let message = format!(
                    "this value refers back to itself through {}: CloudFormation cannot resolve it",
                    describe_link(&link)
                );
                self.ctx.lock_errors().push(EvalError { loc, message });
                return Sym::Unknown("a value that refers back to itself".into());
            }
            up = frame.up;
        }
        if self.len >= MAX_CHAIN {
            return Sym::Limit(format!(
                "a chain of more than {MAX_CHAIN} nested-stack parameters, outputs and imports"
            ));
        }
        let frame = Frame { link: link.clone(), up: self.chain };
        let value = Scope { ctx: self.ctx, template, chain: Some(&frame), len: self.len + 1 }.eval(node);
        let bytes = value.weight();
        let before = self.ctx.linked_bytes.fetch_add(bytes, std::sync::atomic::Ordering::Relaxed);
        if before + bytes > MAX_LINKED_BYTES {
            return Sym::Limit(format!(
                "more than {} MiB of values passed between templates in all",
                MAX_LINKED_BYTES >> 20
            ));
        }
        self.ctx.lock_memo().insert(link, value.clone());
        value
    }

    fn attribute(&self, resource: &str, attr: &str) -> Sym {
        if let Some(value) = self.nested_output(resource, attr) {
            return value;
        }
        let tpl = self.tpl();
        match tpl.type_of(resource) {
            Some(type_) if ref_attr(type_) == attr || attr == "Ref" => self.reference(resource),
            Some(type_)
                if type_ == "AWS::Cognito::UserPool" && (attr == "ProviderName" || attr == "ProviderURL") =>
            {
                // `cognito-idp.<region>.amazonaws.com/<pool id>`, so that it equals the same name
                // spelled with `Fn::Sub`.
                let scheme = if attr == "ProviderURL" { "https://" } else { "" };
                concat(vec![
                    Sym::lit(format!("{scheme}cognito-idp.")),
                    Sym::Pseudo("AWS::Region".into()),
                    Sym::lit(".amazonaws.com/"),
                    self.reference(resource),
                ])
            }
            Some(_) => Sym::Attr { file: tpl.file, resource: resource.to_string(), attr: attr.to_string() },
            None => Sym::Unknown(format!("`{resource}.{attr}`, which this template does not define")),
        }
    }

    fn get_att(&self, arg: &Node) -> Sym {
        if let Some(dotted) = arg.as_str() {
            return match dotted.split_once('.') {
                Some((res, attr)) => self.attribute(res, attr),
                None => Sym::Unknown(format!("`Fn::GetAtt {dotted}`")),
            };
        }
        match arg.as_seq() {
            Some([res, attr]) => match (res.as_str(), self.eval(attr)) {
                (Some(res), Sym::Lit(attr)) => self.attribute(res, &attr),
                _ => Sym::Unknown("a computed `Fn::GetAtt`".into()),
            },
            _ => Sym::Unknown("a malformed `Fn::GetAtt`".into()),
        }
    }

    fn sub(&self, arg: &Node) -> Sym {
        let (text, vars) = match (&arg.value, arg.as_seq()) {
            (Value::String(s), _) => (s.as_str(), None),
            (_, Some([t, v])) => match t.as_str() {
                Some(s) => (s, v.as_map()),
                None => return Sym::Unknown("a computed `Fn::Sub`".into()),
            },
            _ => return Sym::Unknown("a malformed `Fn::Sub`".into()),
        };
        let parts = sub_parts(text)
            .into_iter()
            .map(|part| match part {
                SubPart::Text(t) => Sym::Lit(t.to_string()),
                SubPart::Var(var) => self.sub_var(var, vars),
            })
            .collect();
        concat(parts)
    }

    fn sub_var(&self, var: &str, vars: Option<&[Entry]>) -> Sym {
        if let Some(literal) = var.strip_prefix('!') {
            return Sym::Lit(format!("${{{literal}}}"));
        }
        let var = var.trim();
        if let Some(e) = vars.and_then(|v| v.iter().rev().find(|e| e.key == var)) {
            return self.eval(&e.value);
        }
        match var.split_once('.') {
            Some((res, attr)) if !var.starts_with("AWS::") => self.attribute(res, attr),
            _ => self.reference(var),
        }
    }

    fn join(&self, arg: &Node) -> Sym {
        let Some([delim, list]) = arg.as_seq() else {
            return Sym::Unknown("a malformed `Fn::Join`".into());
        };
        let (Some(delim), Some(items)) = (delim.scalar_text(), list.as_seq()) else {
            return Sym::Unknown("a `Fn::Join` over a computed list".into());
        };
        let mut parts = Vec::new();
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                parts.push(Sym::Lit(delim.clone()));
            }
            parts.push(self.eval(item));
        }
        concat(parts)
    }

    fn select(&self, arg: &Node) -> Sym {
        let Some([index, list]) = arg.as_seq() else {
            return Sym::Unknown("a malformed `Fn::Select`".into());
        };
        match (self.eval(index), list.as_seq()) {
            (Sym::Lit(i), Some(items)) => match i.parse::<usize>().ok().and_then(|i| items.get(i)) {
                Some(item) => self.eval(item),
                None => Sym::Unknown("a `Fn::Select` out of range".into()),
            },
            _ => Sym::Unknown("a `Fn::Select` over a computed list".into()),
        }
    }

    fn find_in_map(&self, arg: &Node) -> Sym {
        let Some([map, top, second]) = arg.as_seq() else {
            return Sym::Unknown("a malformed `Fn::FindInMap`".into());
        };
        let keys = [self.eval(map), self.eval(top), self.eval(second)];
        let [Sym::Lit(m), Sym::Lit(t), Sym::Lit(s)] = &keys else {
            return Sym::Unknown("a `Fn::FindInMap` with computed keys".into());
        };
        let found = self.tpl().mappings.as_ref().and_then(|n| n.get(m)?.get(t)?.get(s));
        // Mapped values are literals (CloudFormation refuses intrinsic functions in `Mappings`,
        // and `cfn::index` reports them), so nothing is evaluated through a mapping.
        match found.map(|v| (v, v.scalar_text())) {
            Some((_, Some(text))) if text.len() > MAX_VALUE_BYTES => too_long(),
            Some((_, Some(text))) => Sym::Lit(text),
            Some(_) => Sym::Unknown(format!("`Fn::FindInMap [{m}, {t}, {s}]`, which is not a string")),
            None => Sym::Unknown(format!("`Fn::FindInMap [{m}, {t}, {s}]`, which is not mapped")),
        }
    }

    /// `Fn::ImportValue`: the value of the export it names, or of each export it may name
    /// (two distinct templates that export one name, as a dev and a prod copy do).
    fn import(&self, arg: &Node) -> Sym {
        let name = self.eval(arg);
        let Some(pattern) = Pattern::of(&name) else {
            return Sym::Limit(format!("an import name longer than {} bytes", exports::MAX_NAME_BYTES));
        };
        let Some(found) = self.ctx.export_names.matching(&pattern, MAX_CANDIDATES) else {
            return Sym::Limit(format!(
                "an import whose name more than {} export names resemble",
                exports::MAX_EXAMINED
            ));
        };
        if found.len() > MAX_CANDIDATES {
            return Sym::Limit(format!("an import that more than {MAX_CANDIDATES} exports may satisfy"));
        }
        let mut values: Vec<Sym> = Vec::new();
        for i in found {
            let export = &self.ctx.exports[i];
            let value = self.follow(Link::Export(i), export.template, export.value);
            if !values.contains(&value) {
                values.push(value);
            }
        }
        match values.len() {
            0 => Sym::Import(Box::new(name)),
            1 => values.pop().unwrap_or(Sym::Import(Box::new(name))),
            _ => Sym::AnyOf(values),
        }
    }

    /// An `Fn::If` met outside expansion: known only when both branches agree.
    fn if_both(&self, arg: &Node) -> Sym {
        match arg.as_seq() {
            Some([_, a, b]) => {
                let (a, b) = (self.eval(a), self.eval(b));
                if a == b { a } else { Sym::Unknown("a conditional value".into()) }
            }
            _ => Sym::Unknown("a malformed `Fn::If`".into()),
        }
    }
}

/// Joins parts, merging adjacent literals and flattening nested joins; a join longer than
/// [`MAX_VALUE_BYTES`] or of more than [`MAX_PARTS`] parts is a [`Sym::Limit`].
pub fn concat(parts: Vec<Sym>) -> Sym {
    let mut out: Vec<Sym> = Vec::new();
    let mut bytes = 0;
    for part in parts {
        let pieces = match part {
            Sym::Concat(inner) => inner,
            other => vec![other],
        };
        for piece in pieces {
            if let Sym::Lit(s) = &piece {
                bytes += s.len();
            }
            match (out.last_mut(), piece) {
                (_, Sym::Lit(s)) if s.is_empty() => {}
                (Some(Sym::Lit(prev)), Sym::Lit(s)) => prev.push_str(&s),
                (_, piece) => out.push(piece),
            }
            if bytes > MAX_VALUE_BYTES {
                return too_long();
            }
            if out.len() > MAX_PARTS {
                return Sym::Limit(format!("a value joined from more than {MAX_PARTS} parts"));
            }
        }
    }
    match out.len() {
        0 => Sym::Lit(String::new()),
        1 => out.pop().unwrap_or(Sym::Lit(String::new())),
        _ => Sym::Concat(out),
    }
}

fn too_long() -> Sym {
    Sym::Limit(format!("a value longer than {} KiB", MAX_VALUE_BYTES / 1024))
}

fn describe_link(link: &Link) -> String {
    match link {
        Link::Param(_, name) => format!("nested-stack parameter `{name}`"),
        Link::Output(_, stack, name) => format!("output `{name}` of nested stack `{stack}`"),
        Link::Export(_) => "an export".to_string(),
    }
}

impl<'c, 'a> Scope<'c, 'a> {
    /// Whether a boolean property is known: `Some` for literals, `None` for computed ones.
    pub fn bool_of(&self, node: &Node) -> Option<bool> {
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

    /// Whether a value is a truthy boolean, as a three-valued answer.
    pub fn truthy(&self, node: Option<&Node>) -> Tri {
        match node {
            None => Tri::No,
            Some(n) => match self.bool_of(n) {
                Some(b) => Tri::from_bool(b),
                None => Tri::Maybe,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concat_merges_literals() {
        let s = concat(vec![
            Sym::lit("a"),
            Sym::lit(""),
            Sym::Concat(vec![Sym::lit("b"), Sym::Pseudo("X".into())]),
        ]);
        assert_eq!(s, Sym::Concat(vec![Sym::lit("ab"), Sym::Pseudo("X".into())]));
        assert_eq!(concat(vec![Sym::Pseudo("X".into())]), Sym::Pseudo("X".into()));
    }
}
