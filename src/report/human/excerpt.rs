//! What the human report shows of a file for one diagnostic: the lines around its labels, each
//! line with its controls escaped and, when longer than [`LONG_LINE`] characters, cut to windows
//! around the labels' ends. miette reads it as a [`SourceCode`] whose offsets are the excerpt's
//! own and whose line numbers and columns are the file's, so a snippet costs what it shows, not
//! the size of the file or the distance between its labels.
//!
//! Labels far apart land in separate regions, which miette shows as separate snippets; labels
//! close together share one. Given the file's text instead, miette merges two labels' snippets
//! whenever the first starts past half the second's line number, and prints every line between:
//! 264 MB for 2,000 findings whose roles and attachments sit in two long runs.

use std::collections::HashMap;

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

use crate::syntax::{LineIndex, Span};

/// Lines up to this many characters are shown whole: longer than any line a finding pointed at
/// in the corpus (127), so only minified or generated lines are cut.
pub(super) const LONG_LINE: usize = 240;
/// Characters shown on each side of a label's start or end on a longer line.
pub(super) const WINDOW: usize = 60;
/// Characters shown of a longer line on which no label starts or ends.
const HEAD: usize = 120;
/// A label spanning more lines is shown on its first line, with the line where it ends.
const MAX_LABEL_LINES: usize = 8;
/// Lines miette shows above and below a label (its default, which the handler keeps).
const CONTEXT: usize = 1;
/// Lines between two labels' snippets that are shown rather than splitting them: a split costs
/// two lines (the first snippet's foot and the second's head).
const GAP: usize = 2;
/// Marks what a cut line leaves out.
pub(super) const ELLIPSIS: char = '…';

/// The escaped, windowed lines around some spans of one file.
pub(crate) struct Excerpt {
    name: String,
    text: String,
    regions: Vec<Region>,
    /// Each label's start in the excerpt, and the file's 0-based character column there.
    columns: Vec<(usize, usize)>,
}

/// Consecutive lines of the file, in the excerpt.
struct Region {
    /// The file's 0-based line number of the first line.
    first_line: usize,
    /// Where each line starts in the excerpt; every line ends with `\n`.
    starts: Vec<usize>,
    /// Where the region ends in the excerpt.
    end: usize,
}

/// A span as the excerpt shows it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Shown {
    pub span: SourceSpan,
    /// The file's 1-based line where a label shown on its first line only really ends.
    pub cut_at: Option<usize>,
}

/// A span clamped to the text, with its 0-based lines.
struct Label {
    start: usize,
    end: usize,
    first: usize,
    last: usize,
    column: usize,
    cut_at: Option<usize>,
}

impl Excerpt {
    /// The lines of `text` around `spans`, under the (already escaped) display `name`; the
    /// spans as the excerpt shows them, in the same order.
    pub fn new(name: String, text: &str, lines: &LineIndex, spans: &[Span]) -> (Excerpt, Vec<Shown>) {
        let labels: Vec<Label> = spans.iter().map(|s| label(text, lines, *s)).collect();
        let mut excerpt = Excerpt { name, text: String::new(), regions: Vec::new(), columns: Vec::new() };
        let mut at: HashMap<usize, usize> = HashMap::new();
        let mut past_newline: HashMap<usize, usize> = HashMap::new();
        for (first, last) in regions(text, lines, &labels) {
            let mut region = Region { first_line: first, starts: Vec::new(), end: 0 };
            for line in first..=last {
                region.starts.push(excerpt.text.len());
                let points = points_on(&labels, line);
                let newline = push_line(&mut excerpt.text, text, lines, line, &points, &mut at);
                for p in points.into_iter().filter(|p| *p >= newline.1) {
                    past_newline.insert(p, newline.0);
                }
            }
            region.end = excerpt.text.len();
            excerpt.regions.push(region);
        }
        let shown = labels
            .iter()
            .map(|l| {
                let start = at.get(&l.start).copied().unwrap_or_default();
                // An end on the next line's first byte takes the line break with it, as in miette.
                let end = match past_newline.get(&l.end) {
                    Some(after) if l.end > l.start => *after,
                    _ => at.get(&l.end).copied().unwrap_or(start),
                };
                excerpt.columns.push((start, l.column));
                Shown { span: SourceSpan::new(start.into(), end.saturating_sub(start)), cut_at: l.cut_at }
            })
            .collect();
        (excerpt, shown)
    }

    /// The file's column of an excerpt offset where a label starts, else the excerpt's own.
    fn column_at(&self, offset: usize, line_start: usize) -> usize {
        match self.columns.iter().find(|(at, _)| *at == offset) {
            Some((_, column)) => *column,
            None => self.text.get(line_start..offset).map_or(0, |t| t.chars().count()),
        }
    }
}

/// `span` clamped to `text` and its character boundaries; a label spanning more than
/// [`MAX_LABEL_LINES`] is cut to the end of its first line.
fn label(text: &str, lines: &LineIndex, span: Span) -> Label {
    let mut start = span.start.min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = span.end.clamp(start, text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    let at = lines.line_col(text, start);
    let first = at.line - 1;
    // The last line is that of the last byte: an end just past a newline stays on its line.
    let last = if end > start { lines.line_col(text, end - 1).line - 1 } else { first };
    let mut label = Label { start, end, first, last, column: at.column - 1, cut_at: None };
    if last - first >= MAX_LABEL_LINES {
        label.cut_at = Some(last + 1);
        label.end = line_bounds(text, lines, first).1.max(start);
        label.last = first;
    }
    label
}

/// The lines each region of the excerpt spans: the labels' lines and [`CONTEXT`] lines on
/// either side, merged where at most [`GAP`] lines lie between them.
fn regions(text: &str, lines: &LineIndex, labels: &[Label]) -> Vec<(usize, usize)> {
    let count = lines.line_col(text, text.len()).line;
    // The empty line after a final newline is only shown when a label is on it.
    let last_line = if count > 1 && text.ends_with('\n') { count - 2 } else { count - 1 };
    let mut wanted: Vec<(usize, usize)> = labels
        .iter()
        .map(|l| (l.first.saturating_sub(CONTEXT), (l.last + CONTEXT).min(last_line.max(l.last))))
        .collect();
    wanted.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(wanted.len());
    for (first, last) in wanted {
        match merged.last_mut() {
            Some(prev) if first <= prev.1 + 1 + GAP => prev.1 = prev.1.max(last),
            _ => merged.push((first, last)),
        }
    }
    merged
}

/// The labels' starts and ends on a 0-based line, sorted.
fn points_on(labels: &[Label], line: usize) -> Vec<usize> {
    let mut points: Vec<usize> = labels
        .iter()
        .flat_map(|l| [(l.first == line).then_some(l.start), (l.last == line).then_some(l.end)])
        .flatten()
        .collect();
    points.sort_unstable();
    points.dedup();
    points
}

/// A 0-based line's start, the end of its text (before `\n`, `\r\n` or a lone `\r`, which
/// [`LineIndex`] also counts as a line break), and the next line's start (the text's length
/// for the last line).
fn line_bounds(text: &str, lines: &LineIndex, line: usize) -> (usize, usize, usize) {
    let start = lines.line_start(line + 1).unwrap_or(text.len()).min(text.len());
    let next = lines.line_start(line + 2).unwrap_or(text.len()).max(start);
    let mut end = next;
    if text[..end].ends_with('\n') && end > start {
        end -= 1;
    }
    if text[..end].ends_with('\r') && end > start {
        end -= 1;
    }
    (start, end, next)
}

/// Appends a 0-based line of `text` to `out`, escaped and windowed, and records where each of
/// `points` that falls on its text lands in `at`. Returns where the line's `\n` lands in `out`
/// and the file offset from which points count as past the line break.
fn push_line(
    out: &mut String,
    text: &str,
    lines: &LineIndex,
    line: usize,
    points: &[usize],
    at: &mut HashMap<usize, usize>,
) -> (usize, usize) {
    let (start, end, next) = line_bounds(text, lines, line);
    let inside: Vec<usize> = points.iter().copied().filter(|p| *p <= end).collect();
    let mut done = start;
    for (from, to) in windows(&text[start..end], start, &inside) {
        if from > done {
            out.push(ELLIPSIS);
        }
        let mut pending = inside.iter().copied().filter(|p| (from..=to).contains(p)).peekable();
        for (i, c) in text[from..to].char_indices() {
            while let Some(p) = pending.next_if(|p| *p <= from + i) {
                at.insert(p, out.len());
            }
            crate::escape::push_escaped(out, c, "");
        }
        for p in pending {
            at.insert(p, out.len());
        }
        done = to;
    }
    if done < end {
        out.push(ELLIPSIS);
    }
    // Points between the text's end and the line break (a `\r`) land on the line's end.
    for p in points.iter().copied().filter(|p| *p > end && *p < next) {
        at.insert(p, out.len());
    }
    let newline = out.len();
    out.push('\n');
    let past = if next > end { next } else { usize::MAX };
    (newline + 1, past)
}

/// The byte ranges of a line (starting at file offset `base`) the excerpt shows: all of a line
/// of at most [`LONG_LINE`] characters; else [`WINDOW`] characters around each point, or the
/// first [`HEAD`] characters of a line without points.
fn windows(line: &str, base: usize, points: &[usize]) -> Vec<(usize, usize)> {
    if line.len() <= LONG_LINE || line.chars().nth(LONG_LINE).is_none() {
        return vec![(base, base + line.len())];
    }
    if points.is_empty() {
        return vec![(base, base + forward(line, 0, HEAD))];
    }
    let mut out: Vec<(usize, usize)> = Vec::new();
    for p in points {
        let rel = p.saturating_sub(base).min(line.len());
        let from = base + backward(line, rel, WINDOW);
        let to = base + forward(line, rel, WINDOW);
        match out.last_mut() {
            Some(prev) if from <= prev.1 => prev.1 = prev.1.max(to),
            _ => out.push((from, to)),
        }
    }
    out
}

/// The offset `n` characters after `at` in `line`, or its end.
pub(super) fn forward(line: &str, at: usize, n: usize) -> usize {
    line[at..].char_indices().nth(n).map_or(line.len(), |(i, _)| at + i)
}

/// The offset `n` characters before `at` in `line`, or its start.
pub(super) fn backward(line: &str, at: usize, n: usize) -> usize {
    line[..at].char_indices().rev().nth(n.saturating_sub(1)).map_or(0, |(i, _)| i)
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let offset = span.offset();
        let region = self
            .regions
            .iter()
            .rev()
            .find(|r| r.starts.first().is_some_and(|s| *s <= offset) && offset <= r.end)
            .ok_or(MietteError::OutOfBounds)?;
        let line_of = |o: usize| region.starts.partition_point(|s| *s <= o).saturating_sub(1);
        let first = line_of(offset);
        let last_byte = (offset + span.len().saturating_sub(1)).min(region.end.saturating_sub(1));
        let last = line_of(last_byte).max(first);
        let from = first.saturating_sub(before);
        let to = (last + after).min(region.starts.len() - 1);
        let data_start = if before == 0 { offset.min(region.end) } else { region.starts[from] };
        let data_end = region.starts.get(to + 1).copied().unwrap_or(region.end).max(data_start);
        let (line, column) =
            if before == 0 { (first, self.column_at(offset, region.starts[first])) } else { (from, 0) };
        // miette merges two labels' snippets when the first's line count reaches the second's
        // line: counting to the region's end merges exactly the labels of one region.
        let line_count = region.starts.len() - from;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            &self.text.as_bytes()[data_start..data_end],
            SourceSpan::new(data_start.into(), data_end - data_start),
            region.first_line + line,
            column,
            line_count,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn excerpt(text: &str, spans: &[(usize, usize)]) -> (Excerpt, Vec<Shown>) {
        let spans: Vec<Span> = spans.iter().map(|(s, e)| Span::new(*s, *e)).collect();
        Excerpt::new("t.yaml".into(), text, &LineIndex::new(text), &spans)
    }

    /// The excerpt text a shown span covers.
    fn covered<'a>(e: &'a Excerpt, s: &Shown) -> &'a str {
        &e.text[s.span.offset()..s.span.offset() + s.span.len()]
    }

    /// What miette reads for a label with one line of context: (first line, text).
    fn context(e: &Excerpt, s: &Shown) -> (usize, String) {
        let c = e.read_span(&s.span, 1, 1).expect("in the excerpt");
        (c.line(), String::from_utf8_lossy(c.data()).into_owned())
    }

    #[test]
    fn short_lines_are_shown_as_they_are() {
        let text = "a: 1\nbb: 22\nccc: 333\nd: 4\n";
        let at = text.find("22").unwrap();
        let (e, shown) = excerpt(text, &[(at, at + 2)]);
        assert_eq!(covered(&e, &shown[0]), "22");
        assert_eq!(context(&e, &shown[0]), (0, "a: 1\nbb: 22\nccc: 333\n".to_string()));
        let head = e.read_span(&shown[0].span, 0, 0).unwrap();
        assert_eq!((head.line(), head.column()), (1, 4), "the file's line and column");
    }

    #[test]
    fn a_long_line_is_cut_to_windows_around_the_label() {
        let text = format!("{}TARGET{}\nnext\n", "x".repeat(70_000), "y".repeat(1_000));
        let (e, shown) = excerpt(&text, &[(70_000, 70_006)]);
        assert_eq!(covered(&e, &shown[0]), "TARGET");
        let (_, data) = context(&e, &shown[0]);
        assert_eq!(data, format!("…{}TARGET{}…\nnext\n", "x".repeat(60), "y".repeat(60)));
        let head = e.read_span(&shown[0].span, 0, 0).unwrap();
        assert_eq!(head.column(), 70_000, "the column is the file's, not the window's");
    }

    #[test]
    fn labels_far_apart_are_separate_regions_with_their_own_line_numbers() {
        let text: String = (1..=100).map(|i| format!("line {i}\n")).collect();
        let a = text.find("line 10\n").unwrap();
        let b = text.find("line 90\n").unwrap();
        let (e, shown) = excerpt(&text, &[(a, a + 7), (b, b + 7)]);
        assert_eq!(e.regions.len(), 2);
        assert_eq!(context(&e, &shown[0]), (8, "line 9\nline 10\nline 11\n".to_string()));
        assert_eq!(context(&e, &shown[1]), (88, "line 89\nline 90\nline 91\n".to_string()));
        assert!(e.text.len() < 60, "only the lines around the labels: {:?}", e.text);
    }

    #[test]
    fn labels_close_together_share_a_region() {
        let text: String = (1..=20).map(|i| format!("line {i}\n")).collect();
        let a = text.find("line 5\n").unwrap();
        let b = text.find("line 9\n").unwrap();
        let (e, _) = excerpt(&text, &[(a, a + 6), (b, b + 6)]);
        assert_eq!(e.regions.len(), 1, "two lines between the snippets are shown, not split");
    }

    #[test]
    fn controls_are_escaped_and_labels_stay_on_their_text() {
        let text = "a: \u{1b}[2J\u{202e}x\rvalue\r\nb: 2\r\n";
        let at = text.find("value").unwrap();
        let (e, shown) = excerpt(text, &[(at, at + 5)]);
        assert_eq!(covered(&e, &shown[0]), "value");
        assert_eq!(
            e.text, "a: \\u{1b}[2J\\u{202e}x\nvalue\nb: 2\n",
            "a CR, alone or before LF, ends the line"
        );
        assert!(!e.text.contains(['\u{1b}', '\r', '\u{202e}']));
    }

    #[test]
    fn a_label_over_many_lines_is_shown_on_its_first_line() {
        let text: String = (1..=30).map(|i| format!("line {i}\n")).collect();
        let a = text.find("line 3\n").unwrap();
        let b = text.find("line 25\n").unwrap() + 7;
        let (e, shown) = excerpt(&text, &[(a, b)]);
        assert_eq!(shown[0].cut_at, Some(25));
        assert_eq!(covered(&e, &shown[0]), "line 3");
        assert_eq!(context(&e, &shown[0]), (1, "line 2\nline 3\nline 4\n".to_string()));
    }

    #[test]
    fn an_end_past_a_newline_keeps_the_newline_as_miette_does() {
        let text = "a: 1\nb: 2\nc: 3\n";
        let (e, shown) = excerpt(text, &[(5, 10)]);
        assert_eq!(covered(&e, &shown[0]), "b: 2\n");
    }

    #[test]
    fn any_span_over_any_text_maps_inside_the_excerpt() {
        let texts = [
            String::new(),
            "\n".to_string(),
            "é\r\n\r\u{1b}ü\n\n".repeat(40),
            format!("{}\n{}", "ab\u{202e}".repeat(300), "ü".repeat(500)),
        ];
        let mut seed = 7u64;
        let mut next = |n: usize| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 33) as usize % (n + 2)
        };
        for text in &texts {
            for _ in 0..300 {
                let spans: Vec<(usize, usize)> =
                    (0..1 + next(4)).map(|_| (next(text.len()), next(text.len()))).collect();
                let (e, shown) = excerpt(text, &spans);
                for s in &shown {
                    let end = s.span.offset() + s.span.len();
                    assert!(e.text.is_char_boundary(s.span.offset()) && e.text.is_char_boundary(end));
                    assert!(end <= e.text.len(), "{spans:?} in {text:?}");
                    assert!(e.read_span(&s.span, 1, 1).is_ok() && e.read_span(&s.span, 0, 0).is_ok());
                }
            }
        }
    }
}
