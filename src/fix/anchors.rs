//! YAML anchors that an alias repeats elsewhere: an edit inside the anchored node changes
//! every place that repeats it, so it is not certain.

use crate::source::SourceFile;
use crate::syntax::Span;

/// How many aliased anchors of one file are placed; past it, the whole file counts as one.
pub(crate) const MAX_ANCHORS: usize = 10_000;

/// The extents of the nodes of `file` that carry an anchor some alias names (`&a` … `*a`),
/// with the anchor's name. An extent runs from the anchor to the end of the last line after it
/// indented deeper than the anchor's line: it may hold more than the node, never less. Past
/// [`MAX_ANCHORS`], one extent covers the file, with no name.
pub fn aliased(file: &SourceFile) -> Vec<(Span, String)> {
    let text = &file.text;
    if !text.contains('&') || !text.contains('*') {
        return Vec::new();
    }
    let aliases: std::collections::HashSet<String> =
        names_after(text, '*').into_iter().map(|(_, n)| n).collect();
    let anchors: Vec<(usize, String)> =
        names_after(text, '&').into_iter().filter(|(_, n)| aliases.contains(n)).collect();
    if anchors.is_empty() {
        return Vec::new();
    }
    if anchors.len() > MAX_ANCHORS {
        return vec![(Span::new(0, text.len()), String::new())];
    }
    let lines = Lines::new(text);
    anchors.into_iter().map(|(at, name)| (Span::new(at, lines.extent_end(at, text.len())), name)).collect()
}

/// The names after each `mark` that starts a token (`&name`, `*name`), with where they start.
fn names_after(text: &str, mark: char) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (i, _) in text.match_indices(mark) {
        let before = text[..i].chars().next_back();
        if !before.is_none_or(|c| c.is_whitespace() || matches!(c, '[' | '{' | ',' | ':' | '-')) {
            continue;
        }
        let name: String = text[i + 1..]
            .chars()
            .take_while(|c| !c.is_whitespace() && !matches!(c, ',' | '[' | ']' | '{' | '}'))
            .collect();
        if !name.is_empty() {
            out.push((i, name));
        }
    }
    out
}

/// The lines of a text with, for each, where the first line after it that is not blank and not
/// indented deeper starts: found for all lines in one pass (a stack of open lines).
struct Lines {
    starts: Vec<usize>,
    /// For each line, the start of the line that ends what is indented below it.
    ends: Vec<Option<usize>>,
}

impl Lines {
    fn new(text: &str) -> Lines {
        let mut starts = Vec::new();
        let mut indents = Vec::new();
        let mut at = 0;
        for line in text.split('\n') {
            starts.push(at);
            let blank = line.trim().is_empty();
            indents.push((!blank).then(|| line.len() - line.trim_start_matches(' ').len()));
            at += line.len() + 1;
        }
        let mut ends = vec![None; starts.len()];
        let mut open: Vec<usize> = Vec::new();
        for (i, indent) in indents.iter().enumerate() {
            let Some(indent) = *indent else { continue };
            while let Some(&j) = open.last() {
                if indents[j].is_some_and(|o| indent <= o) {
                    ends[j] = Some(starts[i]);
                    open.pop();
                } else {
                    break;
                }
            }
            open.push(i);
        }
        Lines { starts, ends }
    }

    /// Where the node anchored at `at` may end.
    fn extent_end(&self, at: usize, len: usize) -> usize {
        let line = self.starts.partition_point(|&s| s <= at) - 1;
        self.ends[line].map_or(len, |next| next.saturating_sub(1))
    }
}
