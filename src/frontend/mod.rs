//! Front ends: each knows one input format and turns it into the [`crate::model::Model`].
//! They know nothing about rules.
//!
//! Every front end reads values through one interface, [`Resolve`]: the file values come from,
//! what a value denotes, and where a value is. Policy documents, string-or-list properties and
//! places are read through it the same way for every format ([`policy::read_policy`]).

pub mod cdk;
pub mod cfn;
pub mod policy;
pub mod serverless;
pub mod terraform;

use crate::model::{Item, Sym};
use crate::source::{FileId, Loc};
use crate::syntax::{Node, Span};

/// How a front end resolves the values of its input: CloudFormation scopes (a template, with
/// the nested-stack and import links followed to reach it), Terraform module scopes and plan
/// scopes.
pub(crate) trait Resolve {
    /// The file the values are read from.
    fn file(&self) -> FileId;

    /// What a value denotes: a literal, a reference, a function of them, or unknown.
    fn eval(&self, node: &Node) -> Sym;

    /// The place of a span of the input.
    fn at(&self, span: Span) -> Loc {
        Loc::new(self.file(), span)
    }

    /// The place of a value.
    fn loc(&self, node: &Node) -> Loc {
        self.at(node.span)
    }

    /// A value with its place.
    fn item(&self, node: &Node) -> Item {
        Item { value: self.eval(node), loc: self.loc(node) }
    }

    /// A string-or-list value as items, each with its own place.
    fn items(&self, node: &Node) -> Vec<Item> {
        match node.as_seq() {
            Some(list) => list.iter().map(|n| self.item(n)).collect(),
            None => vec![self.item(node)],
        }
    }
}
