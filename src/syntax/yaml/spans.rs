//! Byte spans in the source text: saphyr's character indices as byte offsets, and the scans
//! that find where properties, tags, tokens, quoted and block scalars begin and end.

use super::super::Span;

/// Maps saphyr's character indices to byte offsets: the identity for ASCII text, otherwise a
/// byte offset every `STRIDE` characters and a short walk from there.
pub(super) struct CharOffsets<'a> {
    text: &'a str,
    checkpoints: Option<Vec<usize>>,
}

const STRIDE: usize = 64;

impl<'a> CharOffsets<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        let checkpoints =
            (!text.is_ascii()).then(|| text.char_indices().step_by(STRIDE).map(|(at, _)| at).collect());
        CharOffsets { text, checkpoints }
    }

    pub(super) fn byte(&self, index: usize) -> usize {
        let len = self.text.len();
        let Some(checkpoints) = &self.checkpoints else {
            return index.min(len);
        };
        let Some(&base) = checkpoints.get(index / STRIDE) else {
            return len;
        };
        let rest = self.text.get(base..).unwrap_or_default();
        rest.char_indices().nth(index % STRIDE).map_or(len, |(at, _)| base + at)
    }
}

/// Skips anchors, tags, blanks and comments from `at`, stopping at `limit`.
pub(super) fn skip_properties(text: &str, mut at: usize, limit: usize) -> usize {
    let bytes = text.as_bytes();
    while at < limit {
        match bytes.get(at) {
            Some(b'!' | b'&') => at = token_end(bytes, at),
            Some(b' ' | b'\t' | b'\r' | b'\n') => at += 1,
            Some(b'#') => at = line_end(bytes, at),
            _ => break,
        }
    }
    at.min(limit)
}

/// The span of the tag among the properties starting at `at` (`&a !Ref x` gives `!Ref`).
pub(super) fn tag_span(text: &str, mut at: usize) -> Option<Span> {
    let bytes = text.as_bytes();
    loop {
        match bytes.get(at)? {
            b'!' => return Some(Span::new(at, token_end(bytes, at))),
            b'&' => at = token_end(bytes, at),
            b' ' | b'\t' | b'\r' | b'\n' => at += 1,
            _ => return None,
        }
    }
}

/// End of a tag, anchor or alias token: the next blank or flow indicator (`!<...>` to its `>`).
pub(super) fn token_end(bytes: &[u8], at: usize) -> usize {
    let verbatim = bytes.get(at..).is_some_and(|rest| rest.starts_with(b"!<"));
    let mut end = at + 1;
    while let Some(&b) = bytes.get(end) {
        if verbatim {
            end += 1;
            if b == b'>' {
                break;
            }
        } else if matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b',' | b'[' | b']' | b'{' | b'}') {
            break;
        } else {
            end += 1;
        }
    }
    end.min(bytes.len())
}

pub(super) fn line_end(bytes: &[u8], at: usize) -> usize {
    bytes.get(at..).and_then(|rest| rest.iter().position(|&b| b == b'\n')).map_or(bytes.len(), |n| at + n)
}

/// End of the quoted scalar whose opening quote is at `at`, past the closing quote.
pub(super) fn quoted_end(bytes: &[u8], at: usize) -> Option<usize> {
    let quote = *bytes.get(at).filter(|&&b| b == b'"' || b == b'\'')?;
    let mut i = at + 1;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'\\' if quote == b'"' => i += 2,
            b'\'' if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 2,
            _ if b == quote => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// The `|` or `>` of a block scalar header between the previous event and the content at `to`.
pub(super) fn block_indicator(bytes: &[u8], from: usize, to: usize) -> Option<usize> {
    let mut at = from;
    while at <= to {
        match bytes.get(at)? {
            b'|' | b'>' => return Some(at),
            b' ' | b'\t' | b'\r' | b'\n' | b':' | b'-' | b'?' | b',' => at += 1,
            b'#' => at = line_end(bytes, at),
            b'!' | b'&' => at = token_end(bytes, at),
            _ => return None,
        }
    }
    None
}

/// The character at `at` (empty at the end of the text).
pub(super) fn point(text: &str, at: usize) -> Span {
    let len = text.get(at..).and_then(|rest| rest.chars().next()).map_or(0, char::len_utf8);
    Span::new(at, at + len)
}
