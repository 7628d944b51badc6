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
//! patch follows one error (and may guess at the same mistake further on: see [`reparse`]), so
//! the number of re-parses is bounded, and so is the text they read.

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
///
/// A patch may also guess at the same mistake further on, so that a file that makes it on every
/// line needs few re-parses. Guesses are checked against the tree read: one inside a scalar, or
/// cutting a plain scalar short, would have changed a value, and then the file is read again
/// from the start without it. All of this shares one budget of re-parses.
pub(crate) fn reparse(
    text: &str,
    first: Failure,
    parse: fn(&str) -> Result<Parsed, Failure>,
) -> Result<Parsed, SyntaxError> {
    let mut tries = (REPARSE_BUDGET / text.len().max(1)).clamp(1, MAX_FIXES);
    // Offsets of `text` where a guess was wrong, in increasing order.
    let mut wrong = Vec::new();
    loop {
        match attempt(text, &first, parse, Some(&wrong), &mut tries) {
            Outcome::Parsed(parsed) => return Ok(parsed),
            Outcome::Failed(error) => return Err(error),
            Outcome::Wrong(more) if tries > 0 => {
                wrong.extend(more);
                wrong.sort_unstable();
            }
            // The error may be of a guess's making: read again patching only what saphyr reports.
            Outcome::Wrong(_) | Outcome::Unsure => break,
        }
    }
    match attempt(text, &first, parse, None, &mut tries) {
        Outcome::Parsed(parsed) => Ok(parsed),
        Outcome::Failed(error) => Err(error),
        Outcome::Wrong(_) | Outcome::Unsure => Err(first.error),
    }
}

enum Outcome {
    Parsed(Parsed),
    Failed(SyntaxError),
    /// The text parsed, but these guesses (offsets of the original text) changed a value.
    Wrong(Vec<usize>),
    /// The text did not parse with guesses in it.
    Unsure,
}

/// One reading of `text`, patched error after error while `tries` last; `guessing` holds where
/// guesses were wrong, or is None for no guesses at all.
fn attempt(
    text: &str,
    first: &Failure,
    parse: fn(&str) -> Result<Parsed, Failure>,
    guessing: Option<&[usize]>,
    tries: &mut usize,
) -> Outcome {
    let Some(mut patch) = patch::for_error(text, &first.error, first.resume, guessing.is_some()) else {
        return Outcome::Failed(first.error.clone());
    };
    let mut patched = text.to_string();
    let mut inserts = Inserts::default();
    let mut guesses = Vec::new();
    let mut error = first.error.clone();
    let mut exhausted = true;
    while *tries > 0 {
        *tries -= 1;
        let fixed = remap(error.span, &inserts).start;
        let wrong = guessing.unwrap_or_default();
        patch.guesses.retain(|guess| wrong.binary_search(&inserts.to_original(guess.at)).is_err());
        guesses.extend(patch.guesses.iter().map(|guess| inserts.to_original(guess.at)));
        let all = patch.all();
        patched = with_inserts(&patched, &all);
        inserts.add(&all);
        let failure = match parse(&patched) {
            Ok(mut parsed) => {
                remap_node(&mut parsed.root, &inserts);
                for issue in &mut parsed.issues {
                    issue.span = remap(issue.span, &inserts);
                }
                let wrong = patch::wrong_guesses(text, &parsed.root, &mut guesses);
                return if wrong.is_empty() { Outcome::Parsed(parsed) } else { Outcome::Wrong(wrong) };
            }
            Err(failure) => failure,
        };
        // The same error at the same place: the patch did not help, and will not.
        let stuck =
            failure.error.message == error.message && remap(failure.error.span, &inserts).start == fixed;
        error = failure.error;
        match patch::for_error(&patched, &error, failure.resume, guessing.is_some()) {
            Some(next) if !stuck => patch = next,
            _ => {
                exhausted = false;
                break;
            }
        }
    }
    if !guesses.is_empty() {
        return Outcome::Unsure;
    }
    error.span = remap(error.span, &inserts);
    if exhausted {
        error.message.push_str(&format!(
            " (more places like this than cognitrust patches in one file: {MAX_FIXES}, fewer in a large file)"
        ));
    }
    Outcome::Failed(error)
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
