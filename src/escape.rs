//! Text from inputs made safe to show: the one place that decides which characters may not
//! reach a terminal, a CI log or a code-scanning page as themselves, and JSON written without
//! them. Every output (reports, diffs, error messages) goes through it; it imports nothing of
//! the crate.

/// Whether a character from an input must not reach a terminal, a CI log or a code-scanning
/// page as itself: C0 controls but TAB (ESC starts terminal sequences, CR overwrites a line, LF
/// starts a new log line that the runner reads as a command), DEL, C1 controls (U+009B is CSI
/// on some terminals), line and paragraph separators, the byte-order mark, and the bidi
/// controls that reorder what a reader sees (Trojan Source, CVE-2021-42574).
pub fn must_escape(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{8}' | '\u{a}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        | '\u{feff}')
}

/// `text` with each [escaped](must_escape) character written as Rust writes it in a string,
/// `\u{1b}`, after `prefix` (an extra backslash where the format reads backslash escapes). TAB
/// stays: it only moves the cursor forward.
pub fn escape_controls<'a>(text: &'a str, prefix: &str) -> std::borrow::Cow<'a, str> {
    if !text.chars().any(must_escape) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        push_escaped(&mut out, c, prefix);
    }
    std::borrow::Cow::Owned(out)
}

/// Pushes `c`, or its `\u{…}` escape when it is [escaped](must_escape).
pub(crate) fn push_escaped(out: &mut String, c: char, prefix: &str) {
    if must_escape(c) {
        out.push_str(prefix);
        out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
    } else {
        out.push(c);
    }
}

/// Pretty-printed JSON (JSON and SARIF reports) whose strings hold no raw character that
/// [`must_escape`] names: serde_json escapes C0 controls itself; DEL, C1, separators and bidi
/// controls are written as `\uXXXX` escapes too, so the text a JSON reader decodes is unchanged
/// while a terminal or log that shows the file sees only ASCII there.
pub(crate) fn to_json_pretty<T: serde::Serialize>(value: &T) -> Result<String, serde_json::Error> {
    let mut bytes = Vec::with_capacity(4096);
    let mut ser = serde_json::Serializer::with_formatter(&mut bytes, SafeFormatter::default());
    value.serialize(&mut ser)?;
    // Only `str`s and our own punctuation were written, so the bytes are UTF-8.
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// serde_json's pretty formatter, with [`must_escape`]s escaped in strings.
#[derive(Default)]
struct SafeFormatter(serde_json::ser::PrettyFormatter<'static>);

impl serde_json::ser::Formatter for SafeFormatter {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut rest = fragment;
        while let Some(at) = rest.find(must_escape) {
            writer.write_all(&rest.as_bytes()[..at])?;
            let c = rest[at..].chars().next().unwrap_or_default();
            // Every such character is in the Basic Multilingual Plane: one `\uXXXX` each.
            write!(writer, "\\u{:04x}", u32::from(c))?;
            rest = &rest[at + c.len_utf8()..];
        }
        writer.write_all(rest.as_bytes())
    }

    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object_value(w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    #[test]
    fn json_is_serde_jsons_own_with_controls_escaped() {
        let ordinary = json!({"a": ["x", 1, {"b": null}], "s": "tab\there, é, \"quoted\"\n"});
        assert_eq!(to_json_pretty(&ordinary).unwrap(), serde_json::to_string_pretty(&ordinary).unwrap());
        let hostile = json!({"s": "\u{1b}[2J\u{202e}\u{9b}\u{7f}\u{2028}"});
        let text = to_json_pretty(&hostile).unwrap();
        assert_eq!(text, "{\n  \"s\": \"\\u001b[2J\\u202e\\u009b\\u007f\\u2028\"\n}");
        assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), hostile, "readers decode the same text");
    }

    #[test]
    fn controls_are_escaped_visibly_and_tab_stays() {
        assert_eq!(
            escape_controls("a\tb\nc\u{1b}[0m\u{202e}\u{feff}", ""),
            "a\tb\\u{a}c\\u{1b}[0m\\u{202e}\\u{feff}"
        );
        assert_eq!(escape_controls("\r", "\\"), "\\\\u{d}");
        assert!(matches!(escape_controls("plain é", ""), std::borrow::Cow::Borrowed(_)));
    }
}
