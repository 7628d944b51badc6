//! One patch per class of text that saphyr rejects and YAML 1.1 readers accept, chosen by
//! saphyr's message. A patch only inserts bytes, and only where the YAML 1.1 reading is certain,
//! so that the value read from the patched text is the one PyYAML reads from the original; when
//! in doubt there is no patch, and the error stands.

use super::super::{line_end, token_end};
use super::{Insert, SyntaxError};

/// The inserts, at offsets of `text`, that get saphyr past `error`, if it is one of the classes
/// handled here; `resume` is where the construct being read starts at the latest.
pub(super) fn for_error(text: &str, error: &SyntaxError, resume: usize) -> Option<Vec<Insert>> {
    let bytes = text.as_bytes();
    let at = error.span.start;
    match error.message.as_str() {
        "invalid indentation in quoted scalar"
        | "tab cannot be used as indentation"
        | "invalid indentation in flow construct"
        | "invalid indentation"
        | "tabs disallowed within this context (block indentation)" => reindent(bytes, resume, at),
        "comments must be separated from other tokens by whitespace" => {
            (bytes.get(at) == Some(&b'#')).then(|| vec![Insert::blanks(at, 1)])
        }
        "':' must be followed by a valid YAML whitespace" => {
            // A tab as the only blank after a key's `:`, before a letter or a `-`.
            let colon = bytes[..at].iter().rposition(|&b| b != b'\t')?;
            (bytes[colon] == b':' && colon + 1 < at).then(|| vec![Insert::blanks(colon + 1, 1)])
        }
        "plain scalar cannot start with '-' followed by ,[]{}" => quote_dash(bytes, at),
        _ => None,
    }
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
                if key.is_some_and(|key| i - key > 1024 || bytes[key..i].contains(&b'\n')) {
                    return None;
                }
                state = Flow::Node;
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
