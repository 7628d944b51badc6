//! Cheap byte-level scans of HCL source that run outside hcl-edit: the nesting and object size
//! limits checked before parsing, and the key renaming that lets a file with duplicate keys
//! parse at all.
//!
//! Both are approximate lexers (strings, interpolations, comments and heredocs are recognised,
//! nothing else): good enough to bound hostile input and to find the extent of one key, never
//! trusted for values.

use std::collections::HashSet;

use super::super::{MAX_DEPTH, Span, SyntaxError};

/// Most key comparisons hcl-edit may make to check the objects of one file for duplicate keys:
/// it compares each key of an object with every key before it, so one object of 50,000 keys
/// would take 1.25 billion. This is one object of 8,192 items, far above real maps, and a few
/// tenths of a second.
const MAX_OBJECT_COMPARISONS: usize = 1 << 25;

/// Rejects nesting of `(`, `[`, `{`, `${` and `%{` deeper than [`MAX_DEPTH`], and objects whose
/// items would take hcl-edit more than [`MAX_OBJECT_COMPARISONS`], in one linear pass, so that
/// no input reaches the recursive parser with a depth that could exhaust the stack or objects
/// that would take it minutes. Brackets inside string literals, comments and heredoc bodies do
/// not count.
pub(super) fn check_bounds(text: &str) -> Result<(), SyntaxError> {
    let bytes = text.as_bytes();
    // Closers of what is open; `"` marks a string, whose interpolations push `}` again.
    let mut open: Vec<u8> = Vec::new();
    let mut objects = Objects::default();
    let mut depth = 0;
    let mut i = 0;
    while i < bytes.len() {
        let in_string = open.last() == Some(&b'"');
        let step = if in_string {
            string_step(bytes, i)
        } else {
            if !starts_comment(bytes, i) {
                objects.byte(bytes[i])?;
            }
            code_step(bytes, i)
        };
        match step {
            Step::To(to) => {
                i = to;
                continue;
            }
            Step::String => {
                // A string does not nest by itself, but it is a level on the stack.
                open.push(b'"');
                objects.stack.push(None);
            }
            Step::Close => close(&mut open, &mut objects, &mut depth),
            Step::Open { start, at, closer } => {
                if depth >= MAX_DEPTH {
                    let message = format!("nesting deeper than {MAX_DEPTH} levels");
                    return Err(SyntaxError::new(message, Span::new(start, at + 1)));
                }
                open.push(closer);
                objects.opened(!in_string && closer == b'}', at);
                depth += 1;
                i = at;
            }
            Step::Next => {}
        }
        i += 1;
    }
    Ok(())
}

/// What the byte at one place does in [`check_bounds`].
enum Step {
    /// Go on at this place (an escape, a comment, a heredoc).
    To(usize),
    /// A string opens.
    String,
    /// A bracket or an interpolation opens at `start`, its last byte at `at`.
    Open { start: usize, at: usize, closer: u8 },
    /// The innermost string or bracket closes.
    Close,
    /// Nothing opens or closes.
    Next,
}

/// The step at `i` inside a string.
fn string_step(bytes: &[u8], i: usize) -> Step {
    match (bytes[i], bytes.get(i + 1).copied()) {
        (b'\\', _) => Step::To(i + 2),
        // `$${` and `%%{` are escapes, not interpolations.
        (b @ (b'$' | b'%'), Some(n)) if n == b => Step::To(i + 2),
        (b'$' | b'%', Some(b'{')) => Step::Open { start: i, at: i + 1, closer: b'}' },
        // HCL strings end at the line; resynchronise there.
        (b'"' | b'\n', _) => Step::Close,
        _ => Step::Next,
    }
}

/// Whether a comment starts at `i` outside strings.
fn starts_comment(bytes: &[u8], i: usize) -> bool {
    matches!((bytes[i], bytes.get(i + 1)), (b'#', _) | (b'/', Some(b'/' | b'*')))
}

/// The step at `i` outside strings.
fn code_step(bytes: &[u8], i: usize) -> Step {
    let open = |closer| Step::Open { start: i, at: i, closer };
    match (bytes[i], bytes.get(i + 1).copied()) {
        (b'"', _) => Step::String,
        (b'(', _) => open(b')'),
        (b'[', _) => open(b']'),
        (b'{', _) => open(b'}'),
        (b')' | b']' | b'}', _) => Step::Close,
        (b'#', _) | (b'/', Some(b'/')) => Step::To(line_end(bytes, i)),
        (b'/', Some(b'*')) => Step::To(find(bytes, i + 2, b"*/").map_or(bytes.len(), |end| end + 2)),
        (b'<', Some(b'<')) => Step::To(heredoc_end(bytes, i)),
        _ => Step::Next,
    }
}

/// Pops the innermost open string or bracket; only brackets count towards the depth.
fn close(open: &mut Vec<u8>, objects: &mut Objects, depth: &mut usize) {
    objects.stack.pop();
    if open.pop().is_some_and(|closer| closer != b'"') {
        *depth -= 1;
    }
}

/// The items of the objects open during [`check_bounds`], counted as runs of text between
/// commas and newlines at the object's own level: an upper bound on its keys.
#[derive(Default)]
struct Objects {
    /// For each entry of the open stack: the object's items, or `None` for a string, an
    /// interpolation, a block body or another bracket.
    stack: Vec<Option<Items>>,
    /// What hcl-edit's duplicate-key check would compare so far: 0 + 1 + … + (items − 1) of
    /// each object.
    comparisons: usize,
    /// The last byte outside strings, comments and whitespace: a `{` after `=`, `:`, `(`, `[`,
    /// `,`, `?` or `=>` opens an object; any other (a block's name or label) a body.
    last: u8,
}

struct Items {
    /// Where the object starts (its `{`).
    start: usize,
    count: usize,
    /// Whether the current item has begun.
    in_item: bool,
}

impl Objects {
    /// A bracket was pushed at `at`: `brace` when it is a `{` outside a string, which opens an
    /// object or a block body.
    fn opened(&mut self, brace: bool, at: usize) {
        let object = brace && matches!(self.last, b'=' | b':' | b'(' | b'[' | b',' | b'?' | b'>');
        self.stack.push(object.then_some(Items { start: at, count: 0, in_item: false }));
        if brace {
            self.last = b'{';
        }
    }

    /// A byte outside strings and comments, before it opens or closes anything.
    fn byte(&mut self, b: u8) -> Result<(), SyntaxError> {
        if b != b'{' && !b.is_ascii_whitespace() {
            self.last = b;
        }
        let Some(Some(items)) = self.stack.last_mut() else { return Ok(()) };
        match b {
            b'\n' | b',' => items.in_item = false,
            b' ' | b'\t' | b'\r' | b'}' => {}
            _ if !items.in_item => {
                items.in_item = true;
                self.comparisons = self.comparisons.saturating_add(items.count);
                items.count += 1;
                if self.comparisons > MAX_OBJECT_COMPARISONS {
                    let message = format!(
                        "object too large: the HCL parser compares each of its keys with every key \
                         before it, and at {} items the objects of this file would take more than \
                         2^25 comparisons (as one object of 8,192 items would)",
                        items.count
                    );
                    return Err(SyntaxError::new(message, Span::new(items.start, items.start + 1)));
                }
            }
            _ => {}
        }
        Ok(())
    }
}

/// The offset after a heredoc starting at the `<<` at `at` (its body skipped), or just after the
/// `<<` when no heredoc introducer follows.
fn heredoc_end(bytes: &[u8], at: usize) -> usize {
    let mut i = at + 2;
    if bytes.get(i) == Some(&b'-') {
        i += 1;
    }
    let name_start = i;
    while bytes.get(i).is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
        i += 1;
    }
    let name = &bytes[name_start..i];
    if bytes.get(i) == Some(&b'\r') {
        i += 1;
    }
    if name.is_empty() || bytes.get(i) != Some(&b'\n') {
        return at + 2;
    }
    // Each body line is checked for being the delimiter alone (after indentation).
    let mut line = i + 1;
    while line < bytes.len() {
        let end = line_end(bytes, line);
        let content = bytes[line..end].trim_ascii_start();
        let after = content.get(name.len()).copied();
        let continues = after.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if content.starts_with(name) && !continues {
            // Whatever follows the delimiter (`EOF)`) is expression text again.
            return end - content.len() + name.len();
        }
        line = end + 1;
    }
    bytes.len()
}

fn line_end(bytes: &[u8], from: usize) -> usize {
    find(bytes, from, b"\n").unwrap_or(bytes.len())
}

fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|p| from + p)
}

/// Renames keys that hcl-edit refuses to see twice in one body or object, so the file still
/// parses and the converter can keep (and report) every copy.
///
/// Each rename overwrites the key in a working copy of the source with a fresh identifier of
/// the same byte length, so every span of the working copy is a span of the original text.
pub(super) struct KeyRenamer {
    /// Every identifier-like word of the source, so a new name cannot meet an existing one.
    words: HashSet<String>,
    /// Start offsets of the keys renamed so far.
    pub(super) renamed: Vec<usize>,
}

/// Characters of a one-byte replacement name.
const ONE_BYTE_NAMES: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_";

impl KeyRenamer {
    pub(super) fn new(text: &str) -> Self {
        let words = text
            .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
            .filter(|word| !word.is_empty())
            .map(str::to_owned)
            .collect();
        KeyRenamer { words, renamed: Vec::new() }
    }

    /// Renames the key starting at `at` in `work`; false when its extent or a new name cannot
    /// be found (the caller then reports the duplicate as an error).
    pub(super) fn rename(&mut self, work: &mut String, at: usize) -> bool {
        let Some(end) = key_end(work.as_bytes(), at) else { return false };
        if !work.is_char_boundary(at) || !work.is_char_boundary(end) || self.renamed.contains(&at) {
            return false;
        }
        let Some(name) = self.fresh_name(end - at) else { return false };
        work.replace_range(at..end, &name);
        self.words.insert(name);
        self.renamed.push(at);
        true
    }

    fn fresh_name(&self, len: usize) -> Option<String> {
        if len == 1 {
            return ONE_BYTE_NAMES
                .iter()
                .map(|&b| char::from(b).to_string())
                .find(|name| !self.words.contains(name));
        }
        // `_` and a base-36 counter, padded with `_`: no keyword, no number, a valid identifier.
        (0..=self.words.len()).map(|n| base36_name(n, len)).find_map(|name| {
            let name = name?;
            (!self.words.contains(&name)).then_some(name)
        })
    }
}

fn base36_name(mut n: usize, len: usize) -> Option<String> {
    let mut digits = Vec::new();
    loop {
        digits.push(b"0123456789abcdefghijklmnopqrstuvwxyz"[n % 36]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    if digits.len() + 1 > len {
        return None;
    }
    let mut name = String::with_capacity(len);
    name.push('_');
    name.extend(digits.iter().rev().map(|&d| char::from(d)));
    while name.len() < len {
        name.push('_');
    }
    Some(name)
}

/// The end of the attribute or object key starting at `at`: an identifier, a quoted string or a
/// parenthesised expression; `None` for any other shape.
fn key_end(bytes: &[u8], at: usize) -> Option<usize> {
    let first = *bytes.get(at)?;
    if first == b'"' || first == b'(' {
        return balanced_end(bytes, at);
    }
    let ident_len = std::str::from_utf8(bytes.get(at..)?)
        .ok()?
        .char_indices()
        .find(|&(_, c)| !(c.is_alphanumeric() || c == '_' || c == '-'))
        .map_or(bytes.len() - at, |(i, _)| i);
    (ident_len > 0).then_some(at + ident_len)
}

/// The offset after the string or bracket opening at `at`, following nested strings,
/// interpolations and brackets; `None` when it does not close on this side of a stray newline.
fn balanced_end(bytes: &[u8], at: usize) -> Option<usize> {
    let mut open: Vec<u8> = Vec::new();
    let mut i = at;
    loop {
        let b = *bytes.get(i)?;
        let next = bytes.get(i + 1).copied();
        if open.last() == Some(&b'"') {
            match (b, next) {
                (b'\\', _) | (b'$' | b'%', Some(b'$' | b'%')) => i += 1,
                (b'$' | b'%', Some(b'{')) => {
                    open.push(b'}');
                    i += 1;
                }
                (b'"', _) => {
                    open.pop();
                }
                (b'\n', _) => return None,
                _ => {}
            }
        } else {
            match b {
                b'"' => open.push(b'"'),
                b'(' => open.push(b')'),
                b'[' => open.push(b']'),
                b'{' => open.push(b'}'),
                b')' | b']' | b'}' if open.pop() != Some(b) => return None,
                _ => {}
            }
        }
        i += 1;
        if open.is_empty() {
            return Some(i);
        }
    }
}
