//! Policy documents given by reference or call: `jsonencode`, `file`, `templatefile`,
//! conditionals, locals and variables holding one, and `data "aws_iam_policy_document"`
//! blocks (the instance a key names).

use std::cell::Cell;

use super::super::{Keys, quoted_key};
use super::calls::Rendered;
use super::references::{index_written, same_key, split_reference};
use super::{Each, Followed, MAX_DEPTH, MAX_MERGE_STEPS, Scope, render};
use crate::frontend::Resolve;
use crate::frontend::policy::read_policy;
use crate::frontend::terraform::{Policies, policy};
use crate::model::{Policy, PolicyForm};
use crate::source::Loc;
use crate::syntax::hcl::{CALL, COND, REF, TEMPLATE};
use crate::syntax::{Node, Span, Value};

impl Scope<'_, '_> {
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
            Keys::One => None,
            Keys::Count(n) => {
                match written.map_or(Some(0), |w| w[1..w.len() - 1].parse::<usize>().ok()).filter(|i| i < n) {
                    Some(i) => Some(Each { key: i.to_string(), count: true, map: None }),
                    None => {
                        not_known();
                        return None;
                    }
                }
            }
            Keys::ForEach(keys, map) => {
                let found = match written {
                    Some(w) => keys.iter().find(|k| same_key(&quoted_key(k), w)),
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
            Keys::Not(why) => {
                self.src.eval.stopped(place, format!("`{local}`: {why}"));
                return None;
            }
        };
        let scope = Scope { each: each.as_ref(), ..at };
        let doc =
            policy::from_document_block(block.body, &|n: &Node| scope.eval(n).as_lit().map(String::from));
        read_policy(&scope, &doc).map(|p| p.written_as(PolicyForm::DocumentBlocks))
    }

    /// A policy document a function call gives: `jsonencode` of an object, the JSON text of a
    /// `file` or `templatefile`, or text decoded again.
    fn call_policy(&self, node: &Node, call: Option<&[Node]>) -> Option<Policy> {
        match call {
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
            Some([name, text]) if matches!(name.as_str(), Some("jsondecode" | "tostring" | "trimspace")) => {
                self.policy(text)
            }
            _ => None,
        }
    }

    /// A policy document a reference gives: through the local or variable that holds it, a
    /// `data "aws_iam_policy_document"`, or a rendered `data "template_file"`.
    fn reference_policy(&self, node: &Node, text: &str) -> Option<Policy> {
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
            Some(e) if e.key == CALL => self.call_policy(node, e.value.as_seq()),
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
            Some(e) if e.key == REF => self.reference_policy(node, e.value.as_str()?),
            _ => self.template_policy(node, true),
        }
    }
}
