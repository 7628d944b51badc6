//! Leniency where saphyr-parser is stricter than the YAML readers CloudFormation and PyYAML
//! use: a multi-line quoted scalar whose continuation lines (often the closing quote of an
//! inline Lambda `ZipFile: '…'`) are indented no deeper than their key. Leading blanks of
//! continuation lines are folded away in flow scalars, so indenting them changes no value: we
//! indent them, parse again, and map every span back to the original text.

use super::super::{Node, Parsed, Span, SyntaxError, Value};

/// The saphyr message this module works around.
pub const UNDER_INDENTED: &str = "invalid indentation in quoted scalar";

/// Most quoted scalars re-indented in one file before giving up.
const MAX_FIXES: usize = 64;

/// Parses `text` after indenting the continuation lines of each quoted scalar that `parse`
/// rejects as under-indented; the result's spans point into `text`.
pub fn reindent_quoted(
    text: &str,
    first: SyntaxError,
    parse: fn(&str) -> Result<Parsed, SyntaxError>,
) -> Result<Parsed, SyntaxError> {
    let mut patched = text.to_string();
    // (original offset, spaces inserted there), in increasing order of offset.
    let mut inserts: Vec<(usize, usize)> = Vec::new();
    let mut error = first;
    for _ in 0..MAX_FIXES {
        let quote = error.span.start;
        let Some(added) = reindent_at(&mut patched, quote) else { break };
        for (patched_at, count) in added {
            let original = to_original(&inserts, patched_at);
            let i = inserts.partition_point(|&(o, _)| o < original);
            inserts.insert(i, (original, count));
        }
        match parse(&patched) {
            Ok(mut parsed) => {
                remap_node(&mut parsed.root, &inserts);
                for issue in &mut parsed.issues {
                    issue.span = remap(issue.span, &inserts);
                }
                return Ok(parsed);
            }
            Err(e) if e.message.contains(UNDER_INDENTED) && e.span.start != quote => error = e,
            Err(mut e) => {
                e.span = remap(e.span, &inserts);
                return Err(e);
            }
        }
    }
    error.span = remap(error.span, &inserts);
    Err(error)
}

/// Indents the continuation lines of the quoted scalar opening at `quote` one column deeper
/// than the line it opens on; returns the (patched offset, count) of each insertion.
fn reindent_at(text: &mut String, quote: usize) -> Option<Vec<(usize, usize)>> {
    let bytes = text.as_bytes();
    let q = *bytes.get(quote)?;
    if q != b'\'' && q != b'"' {
        return None;
    }
    let end = closing_quote(bytes, quote, q)?;
    let line_start = bytes[..quote].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let needed = bytes[line_start..].iter().take_while(|&&b| b == b' ').count() + 1;
    let mut at = Vec::new();
    let mut i = quote;
    while let Some(nl) = bytes[i..end].iter().position(|&b| b == b'\n') {
        let start = i + nl + 1;
        let indent = bytes[start..].iter().take_while(|&&b| b == b' ').count();
        let blank = matches!(bytes.get(start + indent), Some(b'\n') | Some(b'\r') | None);
        if indent < needed && !blank {
            at.push((start, needed - indent));
        }
        i = start;
    }
    if at.is_empty() {
        return None;
    }
    for &(pos, count) in at.iter().rev() {
        text.insert_str(pos, &" ".repeat(count));
    }
    // Offsets of later insertions moved by the earlier ones.
    let mut shift = 0;
    Some(
        at.into_iter()
            .map(|(pos, count)| {
                let out = (pos + shift, count);
                shift += count;
                out
            })
            .collect(),
    )
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

/// The original offset of a patched offset; inserted blanks map to where they were inserted.
fn to_original(inserts: &[(usize, usize)], patched: usize) -> usize {
    let mut shift = 0;
    for &(original, count) in inserts {
        if original + shift + count <= patched {
            shift += count;
        } else if original + shift <= patched {
            return original;
        } else {
            break;
        }
    }
    patched - shift
}

fn remap(span: Span, inserts: &[(usize, usize)]) -> Span {
    Span::new(to_original(inserts, span.start), to_original(inserts, span.end))
}

fn remap_node(node: &mut Node, inserts: &[(usize, usize)]) {
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
mod tests {
    use super::super::parse;

    #[test]
    fn closing_quote_at_the_key_indent_is_accepted_with_original_spans() {
        let text = "A:\n  Code:\n    ZipFile: '\n      var x = 1;\n    '\n  Next: !Ref Y\n";
        let parsed = parse(text).expect("lenient parse");
        let code = parsed.root.get("A").and_then(|a| a.get("Code")).expect("Code");
        let zip = code.get("ZipFile").expect("ZipFile");
        assert_eq!(zip.as_str(), Some(" var x = 1; "));
        assert_eq!(&text[zip.span.start..zip.span.end], "'\n      var x = 1;\n    '");
        let next = parsed.root.get("A").and_then(|a| a.entry("Next")).expect("Next");
        assert_eq!(&text[next.key_span.start..next.key_span.end], "Next");
        let target = next.value.get("Ref").expect("Ref");
        assert_eq!(&text[target.span.start..target.span.end], "Y");
    }

    #[test]
    fn other_errors_are_still_errors() {
        assert!(parse("a: 'unterminated\n").is_err());
    }
}
