//! Byte offsets to 1-based lines and character columns.

/// Maps byte offsets of one source to lines and columns.
#[derive(Debug, Clone)]
pub struct LineIndex {
    /// Byte offset at which each line starts.
    starts: Vec<usize>,
    /// Whether each line is ASCII, where a column is a byte count: a column on a long line
    /// (minified JSON) costs a subtraction, not a count of the characters before it.
    ascii: Vec<bool>,
}

/// A 1-based line and a 1-based column counted in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

impl LineIndex {
    /// Lines end at LF, CRLF or a lone CR (old Mac files), as YAML reads them.
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        for (i, b) in bytes.iter().enumerate() {
            let ends = *b == b'\n' || (*b == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
            if ends {
                starts.push(i + 1);
            }
        }
        let ascii = starts
            .iter()
            .enumerate()
            .map(|(i, &s)| bytes[s..starts.get(i + 1).copied().unwrap_or(bytes.len())].is_ascii())
            .collect();
        LineIndex { starts, ascii }
    }

    /// The line and column of `offset`; offsets past the end clamp to the end, offsets inside a
    /// multi-byte character count as that character.
    pub fn line_col(&self, text: &str, offset: usize) -> LineCol {
        let offset = offset.min(text.len());
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let mut end = offset;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let column = if self.ascii.get(line).copied().unwrap_or(false) {
            end - start + 1
        } else {
            text[start..end].chars().count() + 1
        };
        LineCol { line: line + 1, column }
    }

    /// Byte offset of the start of the line that holds `offset`.
    pub(crate) fn start_of_line_at(&self, offset: usize) -> usize {
        self.starts[self.starts.partition_point(|&s| s <= offset).max(1) - 1]
    }

    /// Byte offset where the line after the one that holds `offset` starts, if there is one.
    pub(crate) fn start_of_next_line_at(&self, offset: usize) -> Option<usize> {
        self.starts.get(self.starts.partition_point(|&s| s <= offset)).copied()
    }

    /// Byte offset of the start of a 1-based line, if the line exists.
    pub(crate) fn line_start(&self, line: usize) -> Option<usize> {
        line.checked_sub(1).and_then(|l| self.starts.get(l).copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters_not_bytes() {
        let text = "a: 1\nnäme: x\n";
        let idx = LineIndex::new(text);
        let x = text.find('x').unwrap();
        assert_eq!(idx.line_col(text, x), LineCol { line: 2, column: 7 });
        assert_eq!(idx.line_col(text, 0), LineCol { line: 1, column: 1 });
    }

    #[test]
    fn ascii_lines_and_others_count_columns_alike() {
        let text = "é: x\nab: y\r\nc";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_col(text, text.find('x').unwrap()), LineCol { line: 1, column: 4 });
        assert_eq!(idx.line_col(text, text.find('y').unwrap()), LineCol { line: 2, column: 5 });
        assert_eq!(idx.start_of_line_at(text.find('y').unwrap()), text.find("ab").unwrap());
        assert_eq!(idx.start_of_next_line_at(text.find('y').unwrap()), Some(text.find('c').unwrap()));
        assert_eq!(idx.start_of_next_line_at(text.len()), None);
    }

    #[test]
    fn lone_carriage_returns_end_lines_and_crlf_is_one_break() {
        let text = "a: 1\rb: 2\r\nc: 3\n";
        let idx = LineIndex::new(text);
        let at = |s: &str| idx.line_col(text, text.find(s).unwrap());
        assert_eq!(at("b"), LineCol { line: 2, column: 1 });
        assert_eq!(at("c"), LineCol { line: 3, column: 1 });
        assert_eq!(idx.line_start(3), Some(text.find('c').unwrap()));
    }
}
