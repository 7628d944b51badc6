//! Suppression comments, found while a file's parse tree is at hand: a marker inside a string
//! or a key is data, not a comment. `crate::suppress` reads what they say.

use super::{Comment, SourceFile};
use crate::syntax::{Node, Span, Value};

/// The marker comments carry.
pub const MARKER: &str = "cognitrust: ignore[";

/// The file with the suppression comments its parse tree shows to be comments.
pub fn with_markers(display: &str, text: String, root: &Node) -> SourceFile {
    let markers = comment_markers(&text, root);
    let mut file = SourceFile::new(display.to_string(), text);
    file.comments = markers
        .into_iter()
        .map(|at| {
            let rest = &file.text[at..];
            let end = rest.find(['\n', '\r']).unwrap_or(rest.len());
            let line = file.lines.line_col(&file.text, at).line;
            Comment { at, line, text: rest[..end].trim_end().to_string() }
        })
        .collect();
    file
}

/// Where suppression comments start in a parsed file: each `cognitrust: ignore[` after a `#`
/// or `//` on its line that is not inside a string or key of the parsed tree (text in a quoted
/// value, a block scalar or a heredoc is data, not a comment).
fn comment_markers(text: &str, root: &Node) -> Vec<usize> {
    let mut hits: Vec<usize> = text
        .match_indices(MARKER)
        .map(|(at, _)| at)
        .filter(|&at| {
            let line_start = text[..at].rfind(['\n', '\r']).map_or(0, |i| i + 1);
            let before = &text[line_start..at];
            before.contains('#') || before.contains("//")
        })
        .collect();
    if hits.is_empty() {
        return hits;
    }
    // Scalars and keys never overlap: the last span starting at or before a marker is the only
    // one that can hold it.
    let mut spans = Vec::new();
    data_spans(root, &mut spans);
    spans.sort_unstable_by_key(|s| s.start);
    hits.retain(|&at| {
        let i = spans.partition_point(|s| s.start <= at);
        !(i > 0 && at < spans[i - 1].end)
    });
    hits
}

/// The spans of the scalars and keys of a tree.
fn data_spans(node: &Node, out: &mut Vec<Span>) {
    match &node.value {
        Value::Map(entries) => {
            for e in entries {
                out.push(e.key_span);
                data_spans(&e.value, out);
            }
        }
        Value::Seq(items) => items.iter().for_each(|i| data_spans(i, out)),
        _ => out.push(node.span),
    }
}
