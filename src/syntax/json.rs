//! JSON (RFC 8259) into the spanned [`Node`] tree, for CloudFormation templates, CDK output and
//! Terraform plans.
//!
//! A small hand-written recursive-descent parser rather than `serde_json`, because every key and
//! value needs its byte span and duplicate keys must survive as issues instead of vanishing. It
//! works on bytes and copies each string once (straight from the source when it has no escapes),
//! since whole directories of large templates go through it.

use super::{Entry, MAX_DEPTH, Node, Parsed, Span, SyntaxError, Value, report_duplicate_keys};

/// Parses one JSON document; a leading UTF-8 byte order mark is skipped. Duplicate keys are
/// kept (the last wins in [`Node::get`]) and reported in [`Parsed::issues`].
///
/// # Errors
///
/// The first syntax error, nesting deeper than [`MAX_DEPTH`], or anything after the value.
pub fn parse(text: &str) -> Result<Parsed, SyntaxError> {
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut parser = JsonParser { text, bytes: text.as_bytes(), pos: bom, issues: Vec::new() };
    parser.skip_ws();
    let root = parser.value(0)?;
    parser.skip_ws();
    if parser.pos < parser.bytes.len() {
        let found = parser.found();
        return Err(parser.error_at(parser.pos, format!("unexpected {found} after the JSON value")));
    }
    // Objects report their duplicates when they close, inner ones first; readers want source order.
    parser.issues.sort_by_key(|issue| issue.span.start);
    Ok(Parsed { root, issues: parser.issues })
}

struct JsonParser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    issues: Vec<SyntaxError>,
}

impl JsonParser<'_> {
    /// One value; `depth` is the number of arrays and objects around it.
    fn value(&mut self, depth: usize) -> Result<Node, SyntaxError> {
        match self.peek() {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => {
                let (text, span) = self.string()?;
                Ok(Node::new(Value::String(text), span))
            }
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Null),
            _ => Err(self.expected("a value")),
        }
    }

    /// Checks the depth limit at an opening bracket, before anything inside it is parsed, so
    /// hostile nesting costs one error instead of the stack.
    fn enter(&self, depth: usize) -> Result<usize, SyntaxError> {
        if depth >= MAX_DEPTH {
            let message = format!("nesting deeper than {MAX_DEPTH} levels");
            return Err(self.error_at(self.pos, message));
        }
        Ok(depth + 1)
    }

    fn array(&mut self, depth: usize) -> Result<Node, SyntaxError> {
        let depth = self.enter(depth)?;
        let start = self.pos;
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.eat(b']') {
            return Ok(Node::new(Value::Seq(items), Span::new(start, self.pos)));
        }
        loop {
            items.push(self.value(depth)?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.comma(b']')?,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Node::new(Value::Seq(items), Span::new(start, self.pos)));
                }
                _ => return Err(self.expected("`,` or `]`")),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Node, SyntaxError> {
        let depth = self.enter(depth)?;
        let start = self.pos;
        self.pos += 1;
        let mut entries = Vec::new();
        self.skip_ws();
        if !self.eat(b'}') {
            loop {
                entries.push(self.entry(depth)?);
                self.skip_ws();
                match self.peek() {
                    Some(b',') => self.comma(b'}')?,
                    Some(b'}') => {
                        self.pos += 1;
                        break;
                    }
                    _ => return Err(self.expected("`,` or `}`")),
                }
            }
        }
        report_duplicate_keys(&entries, &mut self.issues);
        Ok(Node::new(Value::Map(entries), Span::new(start, self.pos)))
    }

    /// `"key": value`, starting at the key.
    fn entry(&mut self, depth: usize) -> Result<Entry, SyntaxError> {
        if self.peek() != Some(b'"') {
            return Err(self.expected("a string key"));
        }
        let (key, key_span) = self.string()?;
        self.skip_ws();
        if !self.eat(b':') {
            return Err(self.expected("`:` after the key"));
        }
        self.skip_ws();
        let value = self.value(depth)?;
        Ok(Entry { key: key.into(), key_span, value })
    }

    /// Consumes a `,` and rejects a trailing one before `close`, pointing at the comma.
    fn comma(&mut self, close: u8) -> Result<(), SyntaxError> {
        let comma = self.pos;
        self.pos += 1;
        self.skip_ws();
        if self.peek() == Some(close) {
            return Err(SyntaxError::new("trailing comma", Span::new(comma, comma + 1)));
        }
        Ok(())
    }

    fn literal(&mut self, word: &str, value: Value) -> Result<Node, SyntaxError> {
        let start = self.pos;
        if !self.bytes[start..].starts_with(word.as_bytes()) {
            return Err(self.expected("a value"));
        }
        self.pos += word.len();
        Ok(Node::new(value, Span::new(start, self.pos)))
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, kept as text.
    fn number(&mut self) -> Result<Node, SyntaxError> {
        let start = self.pos;
        let mut i = start + usize::from(self.bytes[start] == b'-');
        match self.bytes.get(i) {
            Some(b'0') => i += 1,
            Some(b'1'..=b'9') => i = self.digits(i),
            _ => return Err(self.invalid_number(start, i)),
        }
        if self.bytes.get(i) == Some(&b'.') {
            let after = self.digits(i + 1);
            if after == i + 1 {
                return Err(self.invalid_number(start, after));
            }
            i = after;
        }
        if matches!(self.bytes.get(i), Some(b'e' | b'E')) {
            i += 1;
            if matches!(self.bytes.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            let after = self.digits(i);
            if after == i {
                return Err(self.invalid_number(start, after));
            }
            i = after;
        }
        self.pos = i;
        Ok(Node::new(Value::Number(self.text[start..i].to_owned()), Span::new(start, i)))
    }

    fn digits(&self, mut i: usize) -> usize {
        while self.bytes.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        i
    }

    fn invalid_number(&self, start: usize, bad: usize) -> SyntaxError {
        let end = bad + self.char_len(bad);
        SyntaxError::new("invalid number", Span::new(start, end))
    }

    /// A string at the opening quote: its decoded text and the span including both quotes.
    fn string(&mut self) -> Result<(String, Span), SyntaxError> {
        let start = self.pos;
        let mut i = start + 1;
        // Fast path: most keys and values have no escapes and are copied in one go.
        loop {
            match self.bytes.get(i) {
                None => return Err(unterminated(start)),
                Some(b'"') => {
                    self.pos = i + 1;
                    return Ok((self.text[start + 1..i].to_owned(), Span::new(start, i + 1)));
                }
                Some(b'\\') => return self.escaped_string(start, i),
                Some(&b) if b < 0x20 => return Err(control_character(b, i)),
                Some(_) => i += 1,
            }
        }
    }

    /// The rest of a string from its first backslash at `i`.
    fn escaped_string(&mut self, start: usize, mut i: usize) -> Result<(String, Span), SyntaxError> {
        let mut out = String::with_capacity(i - start + 16);
        let mut segment = start + 1;
        loop {
            match self.bytes.get(i) {
                None => return Err(unterminated(start)),
                Some(b'"') => {
                    out.push_str(&self.text[segment..i]);
                    self.pos = i + 1;
                    return Ok((out, Span::new(start, i + 1)));
                }
                Some(b'\\') => {
                    out.push_str(&self.text[segment..i]);
                    i = self.escape(i, &mut out)?;
                    segment = i;
                }
                Some(&b) if b < 0x20 => return Err(control_character(b, i)),
                Some(_) => i += 1,
            }
        }
    }

    /// Decodes the escape at the backslash `at` into `out`; returns the offset after it.
    fn escape(&self, at: usize, out: &mut String) -> Result<usize, SyntaxError> {
        let decoded = match self.bytes.get(at + 1) {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => return self.unicode_escape(at, out),
            None => return Err(unterminated(at)),
            Some(_) => {
                let end = at + 1 + self.char_len(at + 1);
                let escape = self.text.get(at..end).unwrap_or("\\");
                return Err(SyntaxError::new(
                    format!("invalid escape `{escape}` in string"),
                    Span::new(at, end),
                ));
            }
        };
        out.push(decoded);
        Ok(at + 2)
    }

    /// `\uXXXX` at `at`, joining a UTF-16 surrogate pair when one follows.
    fn unicode_escape(&self, at: usize, out: &mut String) -> Result<usize, SyntaxError> {
        let unit = self.hex4(at)?;
        let code = match unit {
            0xD800..=0xDBFF => {
                let low =
                    if self.bytes[at + 6..].starts_with(b"\\u") { Some(self.hex4(at + 6)?) } else { None };
                match low {
                    Some(low @ 0xDC00..=0xDFFF) => {
                        let code = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                        out.extend(char::from_u32(code));
                        return Ok(at + 12);
                    }
                    _ => return Err(self.lone_surrogate(at)),
                }
            }
            0xDC00..=0xDFFF => return Err(self.lone_surrogate(at)),
            _ => unit,
        };
        // Not a surrogate, so always a valid scalar value.
        out.extend(char::from_u32(code));
        Ok(at + 6)
    }

    /// The four hex digits after the `\u` at `at`.
    fn hex4(&self, at: usize) -> Result<u32, SyntaxError> {
        let digits = self.bytes.get(at + 2..at + 6).filter(|d| d.iter().all(u8::is_ascii_hexdigit));
        let value =
            digits.and_then(|d| std::str::from_utf8(d).ok()).and_then(|d| u32::from_str_radix(d, 16).ok());
        value.ok_or_else(|| {
            // Cover `\u`, the good digits and the first bad character.
            let mut end = at + 2;
            while end < at + 6 && self.bytes.get(end).is_some_and(u8::is_ascii_hexdigit) {
                end += 1;
            }
            if end < at + 6 {
                end += self.char_len(end);
            }
            SyntaxError::new("invalid unicode escape in string", Span::new(at, end))
        })
    }

    fn lone_surrogate(&self, at: usize) -> SyntaxError {
        let escape = self.text.get(at..at + 6).unwrap_or("\\u");
        SyntaxError::new(format!("lone surrogate `{escape}` in string"), Span::new(at, at + 6))
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        self.pos += usize::from(found);
        found
    }

    /// Byte length of the character at `at` (0 at the end of input).
    fn char_len(&self, at: usize) -> usize {
        self.text.get(at..).and_then(|rest| rest.chars().next()).map_or(0, char::len_utf8)
    }

    /// What sits at the cursor, for messages: "`x`" or "end of input".
    fn found(&self) -> String {
        match self.text.get(self.pos..).and_then(|rest| rest.chars().next()) {
            Some(c) => format!("`{}`", c.escape_default()),
            None => "end of input".to_owned(),
        }
    }

    fn expected(&self, what: &str) -> SyntaxError {
        self.error_at(self.pos, format!("expected {what}, found {}", self.found()))
    }

    /// An error covering the character at `at` (empty at the end of input).
    fn error_at(&self, at: usize, message: String) -> SyntaxError {
        SyntaxError::new(message, Span::new(at, at + self.char_len(at)))
    }
}

fn unterminated(quote: usize) -> SyntaxError {
    SyntaxError::new("unterminated string", Span::new(quote, quote + 1))
}

fn control_character(byte: u8, at: usize) -> SyntaxError {
    let message = format!("control character U+{byte:04X} in string (escape it)");
    SyntaxError::new(message, Span::new(at, at + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slice(text: &str, span: Span) -> &str {
        &text[span.start..span.end]
    }

    fn error(text: &str) -> SyntaxError {
        match parse(text) {
            Ok(parsed) => panic!("expected an error, got {:?}", parsed.root),
            Err(error) => error,
        }
    }

    #[test]
    fn spans_cover_keys_and_values_after_non_ascii_text() {
        let text = "{\n  \"Description\": \"Größe — ok\",\n  \"Résources\": {\"B\": [1.5e3, true, null]}\n}";
        let root = parse(text).unwrap().root;
        let description = root.entry("Description").unwrap();
        assert_eq!(slice(text, description.key_span), "\"Description\"");
        assert_eq!(slice(text, description.value.span), "\"Größe — ok\"");
        assert_eq!(description.value.as_str(), Some("Größe — ok"));
        let resources = root.entry("Résources").unwrap();
        assert_eq!(slice(text, resources.key_span), "\"Résources\"");
        assert_eq!(slice(text, resources.value.span), "{\"B\": [1.5e3, true, null]}");
        let items = resources.value.get("B").unwrap().as_seq().unwrap();
        assert_eq!(items[0].value, Value::Number("1.5e3".into()));
        assert_eq!(slice(text, items[1].span), "true");
        assert_eq!(items[2].value, Value::Null);
        assert_eq!(slice(text, root.span), text);
    }

    #[test]
    fn escapes_and_surrogate_pairs_are_decoded() {
        let text = r#"["a\"b\\c\/d\b\f\n\r\t", "\u00e9\u20AC", "\ud83d\ude00!", "plain"]"#;
        let root = parse(text).unwrap().root;
        let items = root.as_seq().unwrap();
        assert_eq!(items[0].as_str(), Some("a\"b\\c/d\u{8}\u{c}\n\r\t"));
        assert_eq!(items[1].as_str(), Some("é€"));
        assert_eq!(items[2].as_str(), Some("😀!"));
        assert_eq!(slice(text, items[2].span), r#""\ud83d\ude00!""#);
        assert_eq!(items[3].as_str(), Some("plain"));
    }

    #[test]
    fn bad_escapes_point_at_the_escape() {
        let text = r#"{"a": "x\qy"}"#;
        let err = error(text);
        assert_eq!(err.message, "invalid escape `\\q` in string");
        assert_eq!(slice(text, err.span), "\\q");

        let text = r#"["ok", "\ud83d."]"#;
        let err = error(text);
        assert_eq!(err.message, "lone surrogate `\\ud83d` in string");
        assert_eq!(slice(text, err.span), "\\ud83d");

        let text = r#"["\ude00"]"#;
        assert_eq!(slice(text, error(text).span), "\\ude00");

        let text = r#"["\u12G4"]"#;
        let err = error(text);
        assert_eq!(err.message, "invalid unicode escape in string");
        assert_eq!(slice(text, err.span), "\\u12G");
    }

    #[test]
    fn control_characters_and_unterminated_strings_are_errors() {
        let text = "[\"a\nb\"]";
        let err = error(text);
        assert!(err.message.starts_with("control character U+000A"), "{}", err.message);
        assert_eq!(err.span, Span::new(3, 4));

        let text = "{\"Key\": \"never closed}";
        let err = error(text);
        assert_eq!(err.message, "unterminated string");
        assert_eq!(err.span, Span::new(8, 9));
    }

    #[test]
    fn trailing_comma_points_at_the_comma() {
        let text = "{\"a\": [1, 2,\n ]}";
        let err = error(text);
        assert_eq!(err.message, "trailing comma");
        assert_eq!(err.span, Span::new(11, 12));
        assert_eq!(slice(text, err.span), ",");

        let text = "{\"a\": 1,}";
        assert_eq!(error(text).span, Span::new(7, 8));
    }

    #[test]
    fn syntax_errors_name_what_was_expected() {
        let err = error("{\"a\" 1}");
        assert_eq!(err.message, "expected `:` after the key, found `1`");
        assert_eq!(err.span, Span::new(5, 6));

        let err = error("[1 2]");
        assert_eq!(err.message, "expected `,` or `]`, found `2`");

        let err = error("{\"a\": 1} x");
        assert_eq!(err.message, "unexpected `x` after the JSON value");
        assert_eq!(err.span, Span::new(9, 10));

        let err = error("{\"a\": ");
        assert_eq!(err.message, "expected a value, found end of input");
        assert_eq!(err.span, Span::new(6, 6));

        let err = error("[é]");
        assert_eq!(err.span, Span::new(1, 3));

        assert_eq!(error("{a: 1}").message, "expected a string key, found `a`");
        assert_eq!(error("[tru]").message, "expected a value, found `t`");
        assert_eq!(error("").message, "expected a value, found end of input");
    }

    #[test]
    fn numbers_follow_the_rfc_grammar() {
        let root = parse("[0, -1, 10.25, 1E+2, -0.5e-3]").unwrap().root;
        let texts: Vec<_> = root.as_seq().unwrap().iter().filter_map(Node::scalar_text).collect();
        assert_eq!(texts, ["0", "-1", "10.25", "1E+2", "-0.5e-3"]);
        for bad in ["[-]", "[1.]", "[1e]", "[.5]", "[01]", "[+1]"] {
            assert!(parse(bad).is_err(), "{bad} should be rejected");
        }
        let err = error("[1.x]");
        assert_eq!(err.message, "invalid number");
        assert_eq!(err.span, Span::new(1, 4));
    }

    #[test]
    fn duplicate_keys_are_kept_and_reported() {
        let text = r#"{"Foo": 1, "Bar": 2, "Foo": 3}"#;
        let parsed = parse(text).unwrap();
        assert_eq!(parsed.root.as_map().unwrap().len(), 3);
        assert_eq!(parsed.root.get("Foo").unwrap().scalar_text().as_deref(), Some("3"));
        assert_eq!(parsed.issues.len(), 1);
        assert_eq!(parsed.issues[0].message, "duplicate key `Foo`");
        assert_eq!(parsed.issues[0].span, Span::new(21, 26));

        let text = r#"{"A": 1, "B": {"C": 1, "C": 2}, "A": 2}"#;
        let spans: Vec<Span> = parse(text).unwrap().issues.iter().map(|i| i.span).collect();
        assert_eq!(spans, [Span::new(23, 26), Span::new(32, 35)]);
    }

    #[test]
    fn duplicate_keys_in_large_objects_are_reported() {
        let mut text = String::from("{");
        for i in 0..40 {
            text.push_str(&format!("\"k{i}\": {i}, "));
        }
        text.push_str("\"k7\": 0}");
        let parsed = parse(&text).unwrap();
        assert_eq!(parsed.issues.len(), 1);
        assert_eq!(parsed.issues[0].message, "duplicate key `k7`");
        assert_eq!(slice(&text, parsed.issues[0].span), "\"k7\"");
    }

    #[test]
    fn byte_order_mark_is_skipped() {
        let text = "\u{feff}{\"a\": 1}";
        let root = parse(text).unwrap().root;
        assert_eq!(slice(text, root.span), "{\"a\": 1}");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let deep = "[".repeat(200_000);
        let err = error(&deep);
        assert_eq!(err.message, "nesting deeper than 256 levels");
        assert_eq!(err.span, Span::new(MAX_DEPTH, MAX_DEPTH + 1));

        let deep = "{\"a\":".repeat(300);
        assert_eq!(error(&deep).message, "nesting deeper than 256 levels");

        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(parse(&ok).is_ok());
    }
}
