//! Function calls: the functions whose value can be told statically (`element`, `try`,
//! `coalesce`, `lookup`, …), and the files `file()`, `templatefile()` and
//! `data "template_file"` read.

use std::collections::HashMap;

use super::{Followed, MAX_DEPTH, Scope, Var, too_large};
use crate::frontend::Resolve;
use crate::model::Sym;
use crate::source::FileId;
use crate::syntax::hcl::{CALL, REF};
use crate::syntax::{Node, Value};

/// What a `data "template_file"` renders: the template, the file its places are in (the file
/// read, or the `.tf` file, every place at the `template` argument), and its variables.
pub(super) struct Rendered {
    pub(super) file: FileId,
    pub(super) template: std::rc::Rc<Node>,
    pub(super) vars: HashMap<String, Var>,
}

/// A file `templatefile()` renders: its id, its parsed template and its variables.
type Template = (FileId, std::rc::Rc<Node>, HashMap<String, Var>);

impl<'s, 'a> Scope<'s, 'a> {
    /// A function call `[name, args..]` whose value is one of its arguments, or that every
    /// instance of a splat gives alike (`element(aws_iam_role.r.*.arn, 0)`).
    pub(super) fn call(&self, call: &[Node]) -> Sym {
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
    pub(super) fn root(&self) -> (Option<&'s std::path::Path>, &'s str) {
        let mut inst = self.inst;
        while let Some((parent, _)) = self.src.instances[inst].parent {
            inst = parent;
        }
        let module = &self.src.modules[self.src.instances[inst].module];
        (module.path.as_deref(), module.dir.as_str())
    }

    /// The file a `file()` or `templatefile()` path names, read once; why it is not read.
    pub(super) fn read_file(&self, path: &Node) -> Result<(FileId, String), String> {
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
    pub(super) fn template_file(&self, name: &str) -> Result<Rendered, String> {
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
    pub(super) fn read_template(&self, path: &Node, vars: &Node) -> Result<Template, String> {
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
}

/// A plain reference (`aws_iam_role.r[*].arn`, `var.x`).
fn is_reference(node: &Node) -> bool {
    node.single_entry().is_some_and(|e| e.key == REF)
}
