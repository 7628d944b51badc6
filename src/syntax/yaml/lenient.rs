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
/// Most bytes parsed again in all, over the fixes of one file: a large file gets fewer tries.
const REPARSE_BUDGET: usize = 64 * 1024 * 1024;

/// Blanks inserted into the text: (original offset, count), in increasing order of offset,
/// with where each lands in the patched text, so that offsets map back by binary search.
#[derive(Default)]
struct Inserts {
    list: Vec<(usize, usize)>,
    /// For each insert, its offset in the patched text.
    patched: Vec<usize>,
}

impl Inserts {
    /// Adds inserts given at offsets of the current patched text.
    fn add(&mut self, at_patched: &[(usize, usize)]) {
        let mut added: Vec<(usize, usize)> =
            at_patched.iter().map(|&(p, c)| (self.to_original(p), c)).collect();
        added.sort_unstable();
        let mut merged = Vec::with_capacity(self.list.len() + added.len());
        let (mut i, mut j) = (0, 0);
        while i < self.list.len() || j < added.len() {
            if j >= added.len() || (i < self.list.len() && self.list[i].0 <= added[j].0) {
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
            .map(|&(o, c)| {
                let p = o + shift;
                shift += c;
                p
            })
            .collect();
    }

    /// The original offset of a patched offset; inserted blanks map to where they were inserted.
    fn to_original(&self, patched: usize) -> usize {
        let i = self.patched.partition_point(|&p| p <= patched);
        if i == 0 {
            return patched;
        }
        let (original, count) = self.list[i - 1];
        let start = self.patched[i - 1];
        if patched < start + count { original } else { patched - (start + count - original) }
    }
}

/// Parses `text` after indenting the continuation lines of each quoted scalar that `parse`
/// rejects as under-indented; the result's spans point into `text`.
pub fn reindent_quoted(
    text: &str,
    first: SyntaxError,
    parse: fn(&str) -> Result<Parsed, SyntaxError>,
) -> Result<Parsed, SyntaxError> {
    let mut patched = text.to_string();
    let mut inserts = Inserts::default();
    let mut error = first;
    let tries = (REPARSE_BUDGET / text.len().max(1)).clamp(1, MAX_FIXES);
    for _ in 0..tries {
        let quote = error.span.start;
        let Some(at) = reindent_at(&patched, quote) else { break };
        patched = with_blanks(&patched, &at);
        inserts.add(&at);
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

/// The text with `count` blanks inserted at each (offset, count), offsets of `text`.
fn with_blanks(text: &str, at: &[(usize, usize)]) -> String {
    let mut out = String::with_capacity(text.len() + at.iter().map(|(_, c)| c).sum::<usize>());
    let mut from = 0;
    for &(pos, count) in at {
        out.push_str(&text[from..pos]);
        out.extend(std::iter::repeat_n(' ', count));
        from = pos;
    }
    out.push_str(&text[from..]);
    out
}

/// Where the continuation lines of the quoted scalar opening at `quote` need blanks to be one
/// column deeper than the line it opens on: (offset, count), in increasing order.
fn reindent_at(text: &str, quote: usize) -> Option<Vec<(usize, usize)>> {
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
    (!at.is_empty()).then_some(at)
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
    fn several_scalars_in_turn_keep_their_places() {
        let text = "A:\n  B: '\n x\n  '\n  C: \"\n y\n  \"\n  D: z\n";
        let parsed = parse(text).expect("lenient parse");
        let a = parsed.root.get("A").expect("A");
        for (key, value) in [("B", "'\n x\n  '"), ("C", "\"\n y\n  \""), ("D", "z")] {
            let e = a.entry(key).expect(key);
            assert_eq!(&text[e.key_span.start..e.key_span.end], key);
            assert_eq!(&text[e.value.span.start..e.value.span.end], value);
        }
    }

    #[test]
    fn other_errors_are_still_errors() {
        assert!(parse("a: 'unterminated\n").is_err());
    }
}
