//! References: what `var.`, `local.`, `module.`, `data.`, `each.`, `count.`, `path.` and
//! resource attributes name in one module instance, and the local or variable a policy
//! document is followed through.

use super::super::{Target, files, quoted_key};
use super::calls::Rendered;
use super::{Followed, Key, MAX_DEPTH, MAX_VALUE_BYTES, Scope, Var, too_large};
use crate::frontend::Resolve;
use crate::frontend::terraform::attribute;
use crate::frontend::terraform::closing_key;
use crate::model::Sym;
use crate::source::{FileId, Loc};
use crate::syntax::{Node, Span, Value};

impl<'s, 'a> Scope<'s, 'a> {
    pub(super) fn reference(&self, text: &str, span: Span) -> Sym {
        let parts: Vec<&str> = split_reference(text);
        if let Some(value) = self.template_reference(&parts, text) {
            return value;
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
            ["data", ..] => self.data_reference(&parts, text),
            [type_, name, attr, ..] if type_.contains('_') => {
                self.resource_reference(type_, name, attr, text, span)
            }
            _ => Sym::Unknown(format!("`{text}`")),
        }
    }

    /// A name a `%{ for }` directive binds, or any name inside a template, which may use only
    /// its variables; `None` outside both.
    fn template_reference(&self, parts: &[&str], text: &str) -> Option<Sym> {
        if let Some((_, value)) =
            parts.first().and_then(|first| self.bound.iter().rev().find(|(n, _)| n == first))
        {
            return Some(match parts {
                [_] => self.src.eval.hand_out(value.clone()),
                _ => Sym::Unknown(format!("`{text}`")),
            });
        }
        let vars = self.vars?;
        Some(match parts {
            [name] => match vars.get(*name) {
                Some(Var::Value(value)) => self.src.eval.hand_out(value.clone()),
                Some(Var::Items(_)) => Sym::Unknown(format!("`{name}`, a list or map")),
                None => Sym::Unknown(format!("`{name}`, which the template's variables lack")),
            },
            _ => Sym::Unknown(format!("`{text}` in a template")),
        })
    }

    /// `data.TYPE.NAME.ATTR`: the partition, region and account, a rendered `template_file`,
    /// or an attribute of a data source of this module.
    fn data_reference(&self, parts: &[&str], text: &str) -> Sym {
        let inst = &self.src.instances[self.inst];
        match parts {
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
            _ => Sym::Unknown(format!("`{text}`")),
        }
    }

    /// `TYPE.NAME.ATTR` of a managed resource of this module, the instance the index names.
    fn resource_reference(&self, type_: &str, name: &str, attr: &str, text: &str, span: Span) -> Sym {
        match self.module().resource(type_, name) {
            Some(b) => match self.src.instance_address(self.inst, type_, name, &self.index(text, span)) {
                Ok(address) => attribute(b.file, type_, &address, attr),
                // One of the instances, but which is not told: CT901 where a role is
                // expected, not a guess.
                Err(why) => Sym::Unevaluated(why),
            },
            // `mapping_rule.value.role_arn` in the content of `dynamic "mapping_rule"`.
            None if matches!(name, "value" | "key") => {
                Sym::Unevaluated(format!("`{text}`, an item of a `dynamic \"{type_}\"` block"))
            }
            None => Sym::Unknown(format!("`{type_}.{name}`, which this module does not define")),
        }
    }

    /// `aws_iam_role.this[each.key].arn`, which the parser keeps as `this[?]`: the index as
    /// written, when it is a plain reference that evaluates to a literal here (`each.key`,
    /// `count.index`, `local.k`), put in; otherwise `text` as it is.
    pub(super) fn index<'t>(&self, text: &'t str, span: Span) -> std::borrow::Cow<'t, str> {
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
            Sym::Lit(key) => quoted_key(&key),
            _ => return text.into(),
        };
        format!("{}{key}{}", &text[..at], &text[at + 3..]).into()
    }

    /// `aws_x.c`, a managed resource of this module named whole (no attribute): its type,
    /// name and file.
    pub(super) fn resource_of<'t>(&self, text: &'t str) -> Option<(&'t str, &'t str, FileId)> {
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
            let remote = self.module().calls.iter().find(|c| c.name == call && c.target == Target::Remote);
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

    /// The scope and node a reference to a local or a variable stands for, when the policy
    /// document it holds is read; `None` for other references.
    pub(super) fn follow(&self, text: &str) -> Option<Followed<'s, 'a, 's>> {
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
}

/// The index `[…]` at the start of `rest`, up to its closing bracket (a quoted key may hold
/// `]`); `None` without one.
pub(super) fn index_written(rest: &str) -> Option<&str> {
    if rest.starts_with("[\"") {
        return closing_key(rest);
    }
    rest.strip_prefix('[').and_then(|r| r.find(']')).map(|end| &rest[..end + 2])
}

/// Whether an instance key as an address writes it (`[0]`, `["a"]`) is the index written
/// (`[0]`, `["a"]`, `[a]` for a bare name that evaluated to it).
pub(super) fn same_key(key: &str, written: &str) -> bool {
    key == written
        || key
            .strip_prefix("[\"")
            .and_then(|k| k.strip_suffix("\"]"))
            .is_some_and(|k| written.strip_prefix('[').and_then(|w| w.strip_suffix(']')) == Some(k))
}

/// `aws_iam_role.r[0].arn` → `["aws_iam_role", "r", "arn"]`: indexes dropped, since every
/// instance of a counted resource has the same shape.
pub(super) fn split_reference(text: &str) -> Vec<&str> {
    text.split('.')
        .map(|p| p.split('[').next().unwrap_or(p))
        .filter(|p| !p.is_empty() && *p != "*" && !p.bytes().all(|b| b.is_ascii_digit()))
        .collect()
}
