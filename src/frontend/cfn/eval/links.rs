//! Links across templates: nested stacks found by their `TemplateURL`, the values parents
//! pass for their parameters, nested stacks' outputs and imports of exports, each followed
//! once with the chain that led to it ([`Scope::follow`]).

use super::{Ctx, EvalError, Frame, Link, MAX_CANDIDATES, MAX_CHAIN, MAX_LINKED_BYTES, Scope};
use crate::frontend::Resolve;
use crate::frontend::cfn::exports::{self, Pattern};
use crate::model::Sym;
use crate::source::parent_dir;
use crate::syntax::Node;

impl Ctx<'_> {
    /// Links each `AWS::CloudFormation::Stack` to the scanned template its `TemplateURL`
    /// names: a local path relative to the parent, or a URL whose file name is unique, or whose
    /// CDK asset key ([`Template::aliases`]) is unique, or unique in the parent's folder.
    ///
    /// [`Template::aliases`]: crate::frontend::cfn::Template::aliases
    pub(super) fn link_nested_stacks(&mut self) {
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
pub(super) fn normalise(path: &str) -> String {
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

impl Scope<'_, '_> {
    /// The value a parent stack passes for a parameter, when exactly one parent creates this
    /// template and passes it.
    pub(super) fn parameter_from_parent(&self, name: &str) -> Option<Sym> {
        let parents = self.ctx.parents.get(&self.template)?;
        let [(parent, params)] = parents.as_slice() else { return None };
        let value = params.as_ref()?.get(name)?;
        Some(self.follow(Link::Param(self.template, name.to_string()), *parent, value))
    }

    /// `Fn::GetAtt Stack.Outputs.Name` of a nested stack among the scanned templates.
    pub(super) fn nested_output(&self, stack: &str, attr: &str) -> Option<Sym> {
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

    /// `Fn::ImportValue`: the value of the export it names, or of each export it may name
    /// (two distinct templates that export one name, as a dev and a prod copy do).
    pub(super) fn import(&self, arg: &Node) -> Sym {
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
}

fn describe_link(link: &Link) -> String {
    match link {
        Link::Param(_, name) => format!("nested-stack parameter `{name}`"),
        Link::Output(_, stack, name) => format!("output `{name}` of nested stack `{stack}`"),
        Link::Export(_) => "an export".to_string(),
    }
}
