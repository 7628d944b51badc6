//! Intrinsic functions, resolved symbolically: `Ref`, `Fn::GetAtt` (both forms), `Fn::Sub`
//! (both forms), `Fn::Join`, `Fn::Select`, `Fn::FindInMap`, `Fn::ImportValue` (across every
//! scanned template) and `Fn::If` (every branch, with conditions correlated through
//! [`Assign`]ments of their `Fn::Equals` atoms).

use std::collections::HashMap;

use rayon::prelude::*;

use super::Template;
use crate::model::{Assign, Sym, Tri};
use crate::source::parent_dir;
use crate::syntax::{Entry, Node, Value};

/// Most variants one value may expand into; past it the remaining branches are dropped.
const MAX_VARIANTS: usize = 64;
/// Most atoms enumerated for one condition; past it the condition itself becomes the atom.
const MAX_ATOMS: usize = 6;
/// How deep imports and condition references may chain.
const MAX_DEPTH: usize = 8;

/// An `Outputs` entry with an export, as a glob over its possible names.
struct Export<'a> {
    template: usize,
    name: Vec<Glob>,
    value: &'a Node,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Glob {
    Char(char),
    Any,
}

/// All templates of one scan, with their exports and nested stacks indexed.
pub struct Ctx<'a> {
    pub templates: &'a [Template],
    exports: Vec<Export<'a>>,
    /// (parent template, stack logical ID) → child template.
    children: HashMap<(usize, String), usize>,
    /// child template → the stacks that create it, with their `Parameters`.
    parents: HashMap<usize, Vec<(usize, Option<&'a Node>)>>,
    /// Templates by normalised path, and by file name or CDK asset key, for `TemplateURL`s.
    by_path: HashMap<String, Vec<usize>>,
    by_name: HashMap<&'a str, Vec<usize>>,
}

impl<'a> Ctx<'a> {
    pub fn new(templates: &'a [Template]) -> Self {
        let mut ctx = Ctx {
            templates,
            exports: Vec::new(),
            children: HashMap::new(),
            parents: HashMap::new(),
            by_path: HashMap::new(),
            by_name: HashMap::new(),
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
        let exports = (0..templates.len())
            .into_par_iter()
            .flat_map_iter(|i| {
                let scope = ctx.scope(i);
                templates[i].outputs.iter().filter_map(move |out| {
                    let sym = scope.eval(out.export_name.as_ref()?);
                    Some(Export { template: i, name: glob(&sym), value: &out.value })
                })
            })
            .collect();
        ctx.exports = exports;
        ctx
    }

    pub fn scope(&self, template: usize) -> Scope<'_, 'a> {
        Scope { ctx: self, template, depth: 0 }
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
    depth: usize,
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

impl<'c, 'a> Scope<'c, 'a> {
    fn tpl(&self) -> &'a Template {
        &self.ctx.templates[self.template]
    }

    /// The file of the template this scope evaluates in.
    pub fn file(&self) -> crate::source::FileId {
        self.tpl().file
    }

    /// What a value denotes. Lists and maps that are not intrinsics are `Unknown`.
    pub fn eval(&self, node: &Node) -> Sym {
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
            other => Sym::Unknown(format!("`{other}`")),
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
            return Sym::Param { file: tpl.file, name: name.to_string(), default };
        }
        if name.starts_with("AWS::") {
            return Sym::Pseudo(name.to_string());
        }
        match tpl.resource(name) {
            Some(r) => {
                Sym::Attr { file: tpl.file, resource: name.to_string(), attr: ref_attr(&r.type_).to_string() }
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
        if self.depth >= MAX_DEPTH {
            return None;
        }
        Some(Scope { ctx: self.ctx, template: *parent, depth: self.depth + 1 }.eval(value))
    }

    /// `Fn::GetAtt Stack.Outputs.Name` of a nested stack among the scanned templates.
    fn nested_output(&self, stack: &str, attr: &str) -> Option<Sym> {
        let name = attr.strip_prefix("Outputs.")?;
        let child = *self.ctx.children.get(&(self.template, stack.to_string()))?;
        let output = self.ctx.templates[child].outputs.iter().find(|o| o.name == name)?;
        if self.depth >= MAX_DEPTH {
            return None;
        }
        Some(Scope { ctx: self.ctx, template: child, depth: self.depth + 1 }.eval(&output.value))
    }

    fn attribute(&self, resource: &str, attr: &str) -> Sym {
        if let Some(value) = self.nested_output(resource, attr) {
            return value;
        }
        let tpl = self.tpl();
        match tpl.resource(resource) {
            Some(r) if ref_attr(&r.type_) == attr || attr == "Ref" => self.reference(resource),
            Some(r)
                if r.type_ == "AWS::Cognito::UserPool"
                    && (attr == "ProviderName" || attr == "ProviderURL") =>
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
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            parts.push(Sym::Lit(rest[..start].to_string()));
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                parts.push(Sym::Lit(rest[start..].to_string()));
                rest = "";
                break;
            };
            let var = &after[..end];
            parts.push(self.sub_var(var, vars));
            rest = &after[end + 1..];
        }
        parts.push(Sym::Lit(rest.to_string()));
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
        match found {
            Some(value) => self.eval(value),
            None => Sym::Unknown(format!("`Fn::FindInMap [{m}, {t}, {s}]`, which is not mapped")),
        }
    }

    fn import(&self, arg: &Node) -> Sym {
        let name = self.eval(arg);
        if self.depth >= MAX_DEPTH {
            return Sym::Import(Box::new(name));
        }
        let wanted = glob(&name);
        let mut found = self.ctx.exports.iter().filter(|e| globs_meet(&e.name, &wanted));
        match (found.next(), found.next()) {
            (Some(export), None) => {
                let scope = Scope { ctx: self.ctx, template: export.template, depth: self.depth + 1 };
                scope.eval(export.value)
            }
            _ => Sym::Import(Box::new(name)),
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

/// Joins parts, merging adjacent literals and flattening nested joins.
pub fn concat(parts: Vec<Sym>) -> Sym {
    let mut out: Vec<Sym> = Vec::new();
    for part in parts {
        let pieces = match part {
            Sym::Concat(inner) => inner,
            other => vec![other],
        };
        for piece in pieces {
            match (out.last_mut(), piece) {
                (_, Sym::Lit(s)) if s.is_empty() => {}
                (Some(Sym::Lit(prev)), Sym::Lit(s)) => prev.push_str(&s),
                (_, piece) => out.push(piece),
            }
        }
    }
    match out.len() {
        0 => Sym::Lit(String::new()),
        1 => out.pop().unwrap_or(Sym::Lit(String::new())),
        _ => Sym::Concat(out),
    }
}

fn glob(sym: &Sym) -> Vec<Glob> {
    match sym {
        Sym::Lit(s) => s.chars().map(Glob::Char).collect(),
        Sym::Concat(parts) => parts.iter().flat_map(glob).collect(),
        Sym::Param { default: Some(d), .. } => d.chars().map(Glob::Char).collect(),
        _ => vec![Glob::Any],
    }
}

/// Whether some string matches both globs.
fn globs_meet(a: &[Glob], b: &[Glob]) -> bool {
    // Literal heads and tails must agree where both have them: this settles most pairs of
    // export names without the table.
    let chars = |g: &Glob| match g {
        Glob::Char(c) => Some(*c),
        Glob::Any => None,
    };
    let differ = |pairs: &mut dyn Iterator<Item = (Option<char>, Option<char>)>| {
        pairs.map_while(|(x, y)| Some((x?, y?))).any(|(x, y)| x != y)
    };
    let mut heads = a.iter().map(chars).zip(b.iter().map(chars));
    let mut tails = a.iter().rev().map(chars).zip(b.iter().rev().map(chars));
    if differ(&mut heads) || differ(&mut tails) {
        return false;
    }
    // row[j] after step i: a[i..] and b[j..] share a string; `next` is the row of i + 1.
    let mut next = vec![false; b.len() + 1];
    let mut row = vec![false; b.len() + 1];
    for i in (0..=a.len()).rev() {
        for j in (0..=b.len()).rev() {
            row[j] = match (a.get(i), b.get(j)) {
                (None, None) => true,
                (Some(Glob::Any), _) => next[j] || (j < b.len() && row[j + 1]),
                (_, Some(Glob::Any)) => row[j + 1] || (i < a.len() && next[j]),
                (Some(Glob::Char(x)), Some(Glob::Char(y))) => x == y && next[j + 1],
                _ => false,
            };
        }
        std::mem::swap(&mut next, &mut row);
    }
    next[0]
}

impl<'c, 'a> Scope<'c, 'a> {
    /// The assignments under which a named condition holds or not, extending `base`.
    pub fn decide(&self, condition: &str, base: &Assign) -> Vec<(Assign, bool)> {
        let mut atoms = Vec::new();
        self.condition_atoms(condition, 0, &mut atoms);
        let free: Vec<String> = atoms.into_iter().filter(|a| base.0.iter().all(|(b, _)| b != a)).collect();
        if free.len() > MAX_ATOMS {
            let atom = format!("{}#condition:{condition}", self.tpl().file);
            return [true, false]
                .into_iter()
                .filter_map(|v| Some((base.merge(&Assign(vec![(atom.clone(), v)]))?, v)))
                .collect();
        }
        let mut out: Vec<(Assign, bool)> = Vec::new();
        for bits in 0..(1u32 << free.len()) {
            let mut ext: Vec<(String, bool)> =
                free.iter().enumerate().map(|(i, a)| (a.clone(), bits & (1 << i) != 0)).collect();
            ext.sort();
            let Some(assign) = base.merge(&Assign(ext)) else { continue };
            if let Some(value) = self.truth(condition, &assign, 0) {
                out.push((assign, value));
            }
        }
        if out.is_empty() {
            // A condition the analyzer cannot read: both branches stay possible.
            return vec![(base.clone(), true), (base.clone(), false)];
        }
        out
    }

    fn condition_atoms(&self, condition: &str, depth: usize, atoms: &mut Vec<String>) {
        if depth > MAX_DEPTH {
            return;
        }
        if let Some(node) = self.tpl().conditions.get(condition) {
            self.formula_atoms(node, depth, atoms);
        }
    }

    fn formula_atoms(&self, node: &Node, depth: usize, atoms: &mut Vec<String>) {
        let Some(e) = node.single_entry() else { return };
        match (e.key.as_str(), e.value.as_seq()) {
            ("Condition", _) => {
                if let Some(name) = e.value.as_str() {
                    self.condition_atoms(name, depth + 1, atoms);
                }
            }
            ("Fn::Equals", Some([a, b])) => {
                if let Err(atom) = self.equals_atom(a, b)
                    && !atoms.contains(&atom)
                {
                    atoms.push(atom);
                }
            }
            (_, Some(items)) => items.iter().for_each(|i| self.formula_atoms(i, depth, atoms)),
            _ => {}
        }
    }

    /// `Ok(value)` when both sides are known, else `Err(atom name)`.
    fn equals_atom(&self, a: &Node, b: &Node) -> Result<bool, String> {
        let (a, b) = (self.eval(a), self.eval(b));
        match (&a, &b) {
            (Sym::Lit(x), Sym::Lit(y)) => Ok(x == y),
            // `AWS::Region = us-gov-west-1`: rules read the region or partition of a variant.
            (Sym::Pseudo(p), Sym::Lit(v)) | (Sym::Lit(v), Sym::Pseudo(p)) => {
                Err(format!("{}#{p}{}{v}", self.tpl().file, crate::model::ATOM_VALUE))
            }
            // `Env = prod` and `Env = dev` cannot both hold: the separator lets `Assign` see it.
            (other, Sym::Lit(v)) | (Sym::Lit(v), other) => {
                Err(format!("{}#{other:?}{}{v}", self.tpl().file, crate::model::ATOM_VALUE))
            }
            _ => {
                let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
                Err(format!("{}#{lo:?}={hi:?}", self.tpl().file))
            }
        }
    }

    fn truth(&self, condition: &str, assign: &Assign, depth: usize) -> Option<bool> {
        if depth > MAX_DEPTH {
            return None;
        }
        let node = self.tpl().conditions.get(condition)?;
        self.formula(node, assign, depth)
    }

    fn formula(&self, node: &Node, assign: &Assign, depth: usize) -> Option<bool> {
        let e = node.single_entry()?;
        let items = e.value.as_seq();
        match (e.key.as_str(), items) {
            ("Condition", _) => self.truth(e.value.as_str()?, assign, depth + 1),
            ("Fn::Equals", Some([a, b])) => match self.equals_atom(a, b) {
                Ok(v) => Some(v),
                Err(atom) => assign.0.iter().find(|(k, _)| *k == atom).map(|(_, v)| *v),
            },
            ("Fn::Not", Some([inner])) => self.formula(inner, assign, depth).map(|v| !v),
            ("Fn::And", Some(list)) => {
                let vals: Option<Vec<bool>> = list.iter().map(|n| self.formula(n, assign, depth)).collect();
                vals.map(|v| v.into_iter().all(|b| b))
            }
            ("Fn::Or", Some(list)) => {
                let vals: Option<Vec<bool>> = list.iter().map(|n| self.formula(n, assign, depth)).collect();
                vals.map(|v| v.into_iter().any(|b| b))
            }
            _ => None,
        }
    }

    /// The assignments under which a resource with `Condition: name` exists.
    pub fn exists(&self, condition: Option<&str>) -> Vec<Assign> {
        match condition {
            None => vec![Assign::default()],
            Some(c) => {
                self.decide(c, &Assign::default()).into_iter().filter_map(|(a, v)| v.then_some(a)).collect()
            }
        }
    }

    /// Every concrete shape of `node` with its `Fn::If`s chosen and `AWS::NoValue` removed
    /// (`None` when the whole value is removed), each with the assignment that chooses it.
    pub fn expand(&self, node: &Node, base: &Assign) -> Vec<(Assign, Option<Node>)> {
        if !has_choice(node) {
            return vec![(base.clone(), Some(node.clone()))];
        }
        if let Some(e) = node.single_entry() {
            if e.key == "Ref" && e.value.as_str() == Some("AWS::NoValue") {
                return vec![(base.clone(), None)];
            }
            if let ("Fn::If", Some([c, a, b])) = (e.key.as_str(), e.value.as_seq()) {
                let Some(c) = c.as_str() else { return vec![(base.clone(), Some(node.clone()))] };
                let mut out = Vec::new();
                for (assign, truth) in self.decide(c, base) {
                    out.extend(self.expand(if truth { a } else { b }, &assign));
                }
                out.truncate(MAX_VARIANTS);
                return out;
            }
        }
        match &node.value {
            Value::Map(entries) => self.expand_map(node, entries, base),
            Value::Seq(items) => self.expand_seq(node, items, base),
            _ => vec![(base.clone(), Some(node.clone()))],
        }
    }

    fn expand_map(&self, node: &Node, entries: &[Entry], base: &Assign) -> Vec<(Assign, Option<Node>)> {
        let mut partial: Vec<(Assign, Vec<Entry>)> = vec![(base.clone(), Vec::new())];
        for entry in entries {
            let mut next = Vec::new();
            for (assign, done) in &partial {
                for (a, value) in self.expand(&entry.value, assign) {
                    let mut done = done.clone();
                    if let Some(value) = value {
                        done.push(Entry { key: entry.key.clone(), key_span: entry.key_span, value });
                    }
                    next.push((a, done));
                }
            }
            next.truncate(MAX_VARIANTS);
            partial = next;
        }
        partial.into_iter().map(|(a, e)| (a, Some(Node::new(Value::Map(e), node.span)))).collect()
    }

    fn expand_seq(&self, node: &Node, items: &[Node], base: &Assign) -> Vec<(Assign, Option<Node>)> {
        let mut partial: Vec<(Assign, Vec<Node>)> = vec![(base.clone(), Vec::new())];
        for item in items {
            let mut next = Vec::new();
            for (assign, done) in &partial {
                for (a, value) in self.expand(item, assign) {
                    let mut done = done.clone();
                    done.extend(value);
                    next.push((a, done));
                }
            }
            next.truncate(MAX_VARIANTS);
            partial = next;
        }
        partial.into_iter().map(|(a, items)| (a, Some(Node::new(Value::Seq(items), node.span)))).collect()
    }

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

/// Whether a value holds an `Fn::If` or `AWS::NoValue` anywhere.
fn has_choice(node: &Node) -> bool {
    match &node.value {
        Value::Map(entries) => entries.iter().any(|e| {
            e.key == "Fn::If"
                || (e.key == "Ref" && e.value.as_str() == Some("AWS::NoValue"))
                || has_choice(&e.value)
        }),
        Value::Seq(items) => items.iter().any(has_choice),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(s: &str) -> Vec<Glob> {
        s.chars().map(|c| if c == '*' { Glob::Any } else { Glob::Char(c) }).collect()
    }

    #[test]
    fn globs_meet_when_some_string_matches_both() {
        assert!(globs_meet(&g("*-PoolId"), &g("auth-PoolId")));
        assert!(globs_meet(&g("*-PoolId"), &g("stack-*")));
        assert!(!globs_meet(&g("*-PoolId"), &g("*-RoleArn")));
        assert!(globs_meet(&g("a*c"), &g("*b*")));
        assert!(!globs_meet(&g("abc"), &g("abd")));
        assert!(!globs_meet(&g("abc"), &g("abcd")));
        assert!(!globs_meet(&g("x*c"), &g("y*c")));
        assert!(globs_meet(&g("ab*"), &g("abx")));
        assert!(globs_meet(&g("*x"), &g("y*")));
        assert!(!globs_meet(&g("a*b"), &g("ab*c")));
    }

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
