//! One patch per class of text that saphyr rejects and YAML 1.1 readers accept, chosen by
//! saphyr's message. A patch only inserts bytes, and only where the YAML 1.1 reading is certain,
//! so that the value read from the patched text is the one PyYAML reads from the original; when
//! in doubt there is no patch, and the error stands. Guesses at the same mistake further on are
//! the exception: [`wrong_guesses`] checks them against the tree read.

use super::super::super::{Node, Value};
use super::super::{line_end, token_end};
use super::{Insert, SyntaxError};

/// Most guesses one patch makes, so that the inserts a file collects stay small beside it.
const MAX_GUESSES: usize = 1 << 16;

/// What to insert to get past one error: the fix for the error itself, and guesses at the same
/// mistake further on, which [`wrong_guesses`] checks once the text parses.
pub(super) struct Patch {
    pub inserts: Vec<Insert>,
    pub guesses: Vec<Insert>,
}

impl Patch {
    fn exact(inserts: Vec<Insert>) -> Self {
        Patch { inserts, guesses: Vec::new() }
    }

    /// Inserts and guesses together, in increasing order.
    pub fn all(&self) -> Vec<Insert> {
        let mut all = [self.inserts.as_slice(), self.guesses.as_slice()].concat();
        all.sort_unstable();
        all
    }
}

/// The patch, at offsets of `text`, that gets saphyr past `error`, if it is one of the classes
/// handled here; `resume` is where the construct being read starts at the latest. With
/// `guessing`, the mistakes that are made on many lines at once are guessed at further on.
pub(super) fn for_error(text: &str, error: &SyntaxError, resume: usize, guessing: bool) -> Option<Patch> {
    let bytes = text.as_bytes();
    let at = error.span.start;
    let guess = |find: fn(&[u8], usize) -> Option<usize>| -> Vec<Insert> {
        if !guessing {
            return Vec::new();
        }
        let found = (at + 1..bytes.len()).filter_map(|i| find(bytes, i));
        found.take(MAX_GUESSES).map(|i| Insert::blanks(i, 1)).collect()
    };
    match error.message.as_str() {
        "invalid indentation in quoted scalar"
        | "tab cannot be used as indentation"
        | "invalid indentation in flow construct"
        | "invalid indentation"
        | "tabs disallowed within this context (block indentation)" => {
            reindent(bytes, resume, at).map(Patch::exact)
        }
        "comments must be separated from other tokens by whitespace" => (bytes.get(at) == Some(&b'#'))
            .then(|| Patch { inserts: vec![Insert::blanks(at, 1)], guesses: guess(glued_comment) }),
        "':' must be followed by a valid YAML whitespace" => {
            let colon = bytes[..at].iter().rposition(|&b| b != b'\t')?;
            (bytes[colon] == b':' && colon + 1 < at).then(|| Patch {
                inserts: vec![Insert::blanks(colon + 1, 1)],
                guesses: guess(tab_after_colon),
            })
        }
        "plain scalar cannot start with '-' followed by ,[]{}" => quote_dash(bytes, at).map(Patch::exact),
        _ => None,
    }
}

/// Where to insert a blank if a `#` at `i` is a comment glued to a quoted scalar or a flow
/// indicator, as it is when it is not inside a scalar.
fn glued_comment(bytes: &[u8], i: usize) -> Option<usize> {
    let glued = match bytes[i - 1] {
        // A quote after a blank or an indicator more likely opens a scalar (`- '#!/bin/sh`).
        b'"' | b'\'' => !matches!(
            bytes.get(i.wrapping_sub(2)),
            Some(b' ' | b'\t' | b'\n' | b'[' | b'{' | b',' | b':') | None
        ),
        b']' | b'}' | b',' => true,
        _ => false,
    };
    (bytes[i] == b'#' && glued).then_some(i)
}

/// Where to insert a blank if the `:` at `i` is a key's, separated from its value by tabs only,
/// in the way saphyr rejects (before a letter or a `-`).
fn tab_after_colon(bytes: &[u8], i: usize) -> Option<usize> {
    if bytes[i] != b':' || bytes.get(i + 1) != Some(&b'\t') {
        return None;
    }
    let value = bytes[i + 1..].iter().position(|&b| b != b'\t').map(|n| i + 1 + n)?;
    (bytes[value] == b'-' || bytes[value].is_ascii_alphabetic()).then_some(i + 1)
}

/// The guessed blanks, among `guesses` (offsets of the original `text`), that changed a value:
/// those inside a scalar, and those that end a plain scalar, which they may have cut short
/// (`x"#y`). Sorts `guesses`.
pub(super) fn wrong_guesses(text: &str, root: &Node, guesses: &mut [usize]) -> Vec<usize> {
    if guesses.is_empty() {
        return Vec::new();
    }
    let mut spans = Vec::new();
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        match &node.value {
            Value::Seq(items) => stack.extend(items),
            Value::Map(entries) => {
                for entry in entries {
                    spans.push((entry.key_span.start, entry.key_span.end));
                    stack.push(&entry.value);
                }
            }
            _ => spans.push((node.span.start, node.span.end)),
        }
    }
    spans.sort_unstable();
    guesses.sort_unstable();
    let bytes = text.as_bytes();
    let quoted = |start: usize| matches!(bytes.get(start), Some(b'"' | b'\''));
    let holds = |at: usize| {
        // Spans of scalars do not overlap: only the last one starting before `at` can hold it.
        let before = spans.partition_point(|&(start, _)| start < at);
        before == 0 || {
            let (start, end) = spans[before - 1];
            end < at || (end == at && quoted(start))
        }
    };
    guesses.iter().copied().filter(|&at| !holds(at)).collect()
}

/// Blanks that indent the continuation lines of the flow collection or quoted scalar holding
/// `at` one column deeper than the content of the line it opens on. YAML 1.1 readers do not
/// look at indentation inside either, and fold leading blanks away, so no value changes.
fn reindent(bytes: &[u8], resume: usize, at: usize) -> Option<Vec<Insert>> {
    let open = opening(bytes, resume)?;
    let close = match bytes[open] {
        q @ (b'\'' | b'"') => closing_quote(bytes, open, q)?,
        _ => closing_bracket(bytes, open)?,
    };
    if !(open..=close).contains(&at) {
        return None;
    }
    let line_start = bytes[..open].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let needed = content_column(bytes, line_start) + 1;
    let mut inserts = Vec::new();
    let mut from = open;
    while let Some(nl) = bytes[from..close].iter().position(|&b| b == b'\n') {
        let start = from + nl + 1;
        let indent = bytes[start..].iter().take_while(|&&b| b == b' ').count();
        let rest = &bytes[start + indent..];
        // A document marker ends a flow collection or quoted scalar for YAML 1.1 readers too.
        if indent == 0 && (rest.starts_with(b"---") || rest.starts_with(b"...")) {
            return None;
        }
        let blank = matches!(rest.first(), Some(b'\n' | b'\r') | None);
        if indent < needed && !blank {
            inserts.push(Insert::blanks(start, needed - indent));
        }
        from = start;
    }
    (!inserts.is_empty()).then_some(inserts)
}

/// The `[`, `{` or quote of the construct starting at `resume`, past the indicators, properties
/// and comments between the last node read and the next.
fn opening(bytes: &[u8], resume: usize) -> Option<usize> {
    let mut at = resume;
    loop {
        match bytes.get(at)? {
            b'[' | b'{' | b'\'' | b'"' => return Some(at),
            b' ' | b'\t' | b'\r' | b'\n' | b':' | b'-' | b'?' | b',' => at += 1,
            b'#' => at = line_end(bytes, at),
            b'!' | b'&' => at = token_end(bytes, at),
            _ => return None,
        }
    }
}

/// The column of the first node on the line starting at `start`, past block sequence entries
/// and an explicit key's `?`: the indentation of the innermost block collection there, or more.
fn content_column(bytes: &[u8], start: usize) -> usize {
    let mut at = start;
    loop {
        while bytes.get(at) == Some(&b' ') {
            at += 1;
        }
        let indicator = matches!(bytes.get(at), Some(b'-' | b'?'));
        if indicator && matches!(bytes.get(at + 1), Some(b' ' | b'\t')) {
            at += 2;
        } else {
            return at - start;
        }
    }
}

/// The offset of the quote that closes the scalar opening at `open`.
fn closing_quote(bytes: &[u8], open: usize, q: u8) -> Option<usize> {
    let mut i = open + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if q == b'"' => i += 2,
            b if b == q && q == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 2,
            b if b == q => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// What the reader of a flow collection expects next.
#[derive(PartialEq)]
enum Flow {
    /// A node: a quote opens a quoted scalar here.
    Node,
    /// Inside a plain scalar, where quotes are text and `#` needs a blank before it.
    Plain,
    /// After a quoted scalar, an alias or a nested collection.
    After,
}

/// The offset of the bracket that closes the flow collection opening at `open`, reading quoted
/// scalars, plain scalars and comments as a YAML 1.1 reader does; None if it is not closed, or
/// if it holds what a YAML 1.1 reader rejects and saphyr, once the lines are indented, would
/// not: an implicit key that does not end on the line it starts on, or runs over 1024 bytes.
fn closing_bracket(bytes: &[u8], open: usize) -> Option<usize> {
    // Per open collection, where its latest node started: the key, if a `:` follows.
    let mut nodes: Vec<Option<usize>> = Vec::new();
    let mut state = Flow::Node;
    let mut i = open;
    while let Some(&b) = bytes.get(i) {
        let blank_after = matches!(bytes.get(i + 1), Some(b' ' | b'\t' | b'\r' | b'\n') | None);
        let starts_node = !matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'#' | b',' | b']' | b'}' | b':');
        if state == Flow::Node
            && starts_node
            && let Some(node @ None) = nodes.last_mut()
        {
            *node = Some(i);
        }
        match b {
            b'[' | b'{' => {
                nodes.push(None);
                state = Flow::Node;
            }
            b']' | b'}' => {
                nodes.pop()?;
                if nodes.is_empty() {
                    return Some(i);
                }
                state = Flow::After;
            }
            b',' => {
                *nodes.last_mut()? = None;
                state = Flow::Node;
            }
            b' ' | b'\t' | b'\r' | b'\n' => {}
            b'#' if state != Flow::Plain || matches!(bytes[i - 1], b' ' | b'\t' | b'\r' | b'\n') => {
                i = line_end(bytes, i);
                continue;
            }
            b'\'' | b'"' if state == Flow::Node => {
                i = closing_quote(bytes, i, b)?;
                state = Flow::After;
            }
            b':' if state == Flow::After || blank_after => {
                let key = nodes.last_mut()?.take();
                state = implicit_key(bytes, key, i)?;
            }
            b'?' if state == Flow::Node && blank_after => {}
            b'!' | b'&' if state == Flow::Node => {
                i = token_end(bytes, i);
                continue;
            }
            b'*' if state == Flow::Node => {
                i = token_end(bytes, i);
                state = Flow::After;
                continue;
            }
            _ => state = Flow::Plain,
        }
        i += 1;
    }
    None
}

/// What follows the `:` at `colon` of an implicit key that started at `key`: a node, or None
/// if a YAML 1.1 reader rejects the key (over 1024 bytes, or not on one line).
fn implicit_key(bytes: &[u8], key: Option<usize>, colon: usize) -> Option<Flow> {
    match key {
        Some(key) if colon - key > 1024 || bytes[key..colon].contains(&b'\n') => None,
        _ => Some(Flow::Node),
    }
}

/// Quotes around a plain `-` that is a whole flow entry (`[-, x]`, `{k: -}`): a YAML 1.1 reader
/// reads it as the string "-". Only where a node starts, after `[`, `{`, `,`, an indicator or a
/// property; after a blank inside a plain scalar (`[a -]`) the dash is text, and stays an error.
fn quote_dash(bytes: &[u8], at: usize) -> Option<Vec<Insert>> {
    if bytes.get(at) != Some(&b'-') || !matches!(bytes.get(at + 1), Some(b',' | b']' | b'}')) {
        return None;
    }
    let before = bytes[..at].iter().rposition(|b| !b" \t\r\n".contains(b))?;
    let word = bytes[..=before].iter().rposition(|b| b" \t\r\n[{,".contains(b)).map_or(0, |i| i + 1);
    let node_starts = match bytes[before] {
        b'[' | b'{' | b',' => true,
        b':' | b'?' => before + 1 < at,
        _ => matches!(bytes[word], b'!' | b'&'),
    };
    let quote = |at| Insert { at, count: 1, byte: b'\'' };
    node_starts.then(|| vec![quote(at), quote(at + 1)])
}
