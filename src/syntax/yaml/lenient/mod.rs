//! Leniency where saphyr-parser (YAML 1.2, strict) rejects text that the YAML 1.1 readers of
//! CloudFormation and cfn-lint (PyYAML over libyaml) accept. `bench/yaml_classes.py` finds such
//! text by reading a corpus with both; each class it found has a patch in [`patch`] that makes
//! the text acceptable to saphyr without changing any value:
//!
//! - continuation lines of a multi-line flow collection or quoted scalar indented no deeper than
//!   their key (often the closing `]` or the closing quote of inline Lambda code), or by a tab:
//!   flow context ignores indentation and folds leading blanks away, so blanks are inserted;
//! - a comment with no blank before it, after a quoted scalar, a flow indicator or a block
//!   scalar header (`Value: "x"# note`): a blank is inserted before the `#`;
//! - a tab as the only separator after a mapping key's `:` (`Key:<TAB>value`): a blank is
//!   inserted after the `:`;
//! - a plain `-` in a flow collection (`!Join [-, [a, b]]`): it is quoted.
//!
//! The patched text is parsed again and every span is mapped back to the original text. Each
//! patch follows one error, so the number of re-parses is bounded, and so is the text they read.

use super::super::{Node, Parsed, Span, SyntaxError, Value};
use super::Failure;

mod patch;

/// Most patches applied to one file before giving up.
const MAX_FIXES: usize = 64;
/// Most bytes parsed again in all, over the patches of one file: a large file gets fewer tries.
const REPARSE_BUDGET: usize = 64 * 1024 * 1024;

/// Bytes inserted into the text: `count` copies of `byte` before the byte at `at`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Insert {
    at: usize,
    count: usize,
    byte: u8,
}

impl Insert {
    fn blanks(at: usize, count: usize) -> Self {
        Insert { at, count, byte: b' ' }
    }
}

/// The inserts made so far, at offsets of the original text in increasing order, with where
/// each lands in the patched text, so that offsets map back by binary search.
#[derive(Default)]
struct Inserts {
    list: Vec<Insert>,
    /// For each insert, its offset in the patched text.
    patched: Vec<usize>,
}

impl Inserts {
    /// Adds inserts given at offsets of the current patched text.
    fn add(&mut self, at_patched: &[Insert]) {
        let mut added: Vec<Insert> =
            at_patched.iter().map(|&insert| Insert { at: self.to_original(insert.at), ..insert }).collect();
        added.sort_unstable();
        let mut merged = Vec::with_capacity(self.list.len() + added.len());
        let (mut i, mut j) = (0, 0);
        while i < self.list.len() || j < added.len() {
            if j >= added.len() || (i < self.list.len() && self.list[i].at <= added[j].at) {
                merged.push(self.list[i]);
                i += 1;
            } else {
                merged.push(added[j]);
                j += 1;
            }
        }
        self.list = merged;
        let mut shift = 0;
        self.patched = self
            .list
            .iter()
            .map(|insert| {
                let p = insert.at + shift;
                shift += insert.count;
                p
            })
            .collect();
    }

    /// The original offset of a patched offset; inserted bytes map to where they were inserted.
    fn to_original(&self, patched: usize) -> usize {
        let i = self.patched.partition_point(|&p| p <= patched);
        if i == 0 {
            return patched;
        }
        let Insert { at: original, count, .. } = self.list[i - 1];
        let start = self.patched[i - 1];
        if patched < start + count { original } else { patched - (start + count - original) }
    }
}

/// Parses `text` after patching what `parse` rejects and [`patch`] knows to be valid YAML 1.1,
/// one error at a time; the result's spans point into `text`. Without a patch for `first`, that
/// is the error.
pub fn reparse(
    text: &str,
    first: Failure,
    parse: fn(&str) -> Result<Parsed, Failure>,
) -> Result<Parsed, SyntaxError> {
    let Some(mut at) = patch::for_error(text, &first.error, first.resume) else {
        return Err(first.error);
    };
    let mut patched = text.to_string();
    let mut inserts = Inserts::default();
    let mut error = first.error;
    let tries = (REPARSE_BUDGET / text.len().max(1)).clamp(1, MAX_FIXES);
    for _ in 0..tries {
        let fixed = remap(error.span, &inserts).start;
        patched = with_inserts(&patched, &at);
        inserts.add(&at);
        let failure = match parse(&patched) {
            Ok(mut parsed) => {
                remap_node(&mut parsed.root, &inserts);
                for issue in &mut parsed.issues {
                    issue.span = remap(issue.span, &inserts);
                }
                return Ok(parsed);
            }
            Err(failure) => failure,
        };
        // The same error at the same place: the patch did not help, and will not.
        let stuck =
            failure.error.message == error.message && remap(failure.error.span, &inserts).start == fixed;
        error = failure.error;
        match patch::for_error(&patched, &error, failure.resume) {
            Some(next) if !stuck => at = next,
            _ => break,
        }
    }
    error.span = remap(error.span, &inserts);
    Err(error)
}

/// The text with each insert made, offsets of `text`, in increasing order.
fn with_inserts(text: &str, inserts: &[Insert]) -> String {
    let mut out = String::with_capacity(text.len() + inserts.iter().map(|i| i.count).sum::<usize>());
    let mut from = 0;
    for insert in inserts {
        out.push_str(&text[from..insert.at]);
        out.extend(std::iter::repeat_n(char::from(insert.byte), insert.count));
        from = insert.at;
    }
    out.push_str(&text[from..]);
    out
}

fn remap(span: Span, inserts: &Inserts) -> Span {
    Span::new(inserts.to_original(span.start), inserts.to_original(span.end))
}

fn remap_node(node: &mut Node, inserts: &Inserts) {
    node.span = remap(node.span, inserts);
    match &mut node.value {
        Value::Seq(items) => items.iter_mut().for_each(|n| remap_node(n, inserts)),
        Value::Map(entries) => {
            for e in entries {
                e.key_span = remap(e.key_span, inserts);
                remap_node(&mut e.value, inserts);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests;
