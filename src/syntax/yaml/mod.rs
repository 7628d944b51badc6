//! YAML into the spanned [`Node`] tree, read the way CloudFormation reads templates.
//!
//! saphyr-parser supplies the events; this layer adds what the front ends rely on: byte spans
//! (saphyr counts characters, and its spans of quoted and block scalars run on into trailing
//! blanks), YAML 1.1 scalar typing (`Enabled: yes` is a boolean to CloudFormation), the short-form
//! intrinsics (`!Ref X` becomes `{Ref: X}`), merge keys, aliases expanded under a node budget,
//! and a nesting limit enforced with an explicit stack so no input can exhaust ours.
//!
//! Only the first document of a stream is the template; anything after it is ignored. The map a
//! short-form tag turns into counts as a nesting level, as it would in the equivalent JSON.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Tag};

mod lenient;

use super::report_duplicate_keys;
use super::{Entry, Key, MAX_ALIAS_NODES, MAX_DEPTH, Node, Parsed, Span, SyntaxError, Value};

/// Parses the first YAML document of `text`; an empty stream is a `Null` root.
///
/// Where saphyr-parser is stricter than the YAML 1.1 readers CloudFormation and cfn-lint use,
/// [`lenient`] patches the text in ways that change no value and parses it again.
///
/// # Errors
///
/// Whatever saphyr-parser rejects (less what [`lenient`] accepts), complex (non-scalar) keys,
/// unknown or self-containing aliases, nesting deeper than [`MAX_DEPTH`] and alias expansion
/// beyond [`MAX_ALIAS_NODES`].
pub fn parse(text: &str) -> Result<Parsed, SyntaxError> {
    parse_strict(text).or_else(|failure| lenient::reparse(text, failure, parse_strict))
}

/// A parse that failed, with what [`lenient`] needs to find the construct being read.
struct Failure {
    error: SyntaxError,
    /// The opening bracket of the outermost flow collection still open, or else the end of the
    /// last event: the construct saphyr was reading starts at or after it.
    resume: usize,
}

fn parse_strict(text: &str) -> Result<Parsed, Failure> {
    let offsets = CharOffsets::new(text);
    let mut builder = Builder::new(text);
    let mut events = Parser::new_from_str(text);
    let fail = |builder: &Builder<'_>, error| Failure { error, resume: builder.resume() };
    while let Some(event) = events.next() {
        let (event, span) = match event {
            Ok(event) => event,
            Err(e) => return Err(fail(&builder, scan_error(text, &offsets, &e))),
        };
        let raw = Span::new(offsets.byte(span.start.index()), offsets.byte(span.end.index()));
        match builder.event(event, raw) {
            Ok(false) => {}
            Ok(true) => {
                // Junk after the root (`{a: 1} junk`) only fails when saphyr looks for the next
                // document; after an explicit `...` or before a `---` it is the next document's
                // problem, and that document is ignored.
                let explicit_end = text.get(raw.start..).is_some_and(|rest| rest.starts_with("..."));
                if let (false, Some(Err(e))) = (explicit_end, events.next()) {
                    return Err(fail(&builder, scan_error(text, &offsets, &e)));
                }
                break;
            }
            Err(error) => return Err(fail(&builder, error)),
        }
    }
    Ok(builder.finish())
}

/// YAML 1.1 booleans, which CloudFormation's reader still honours (YAML 1.2 kept only
/// `true`/`false`): `Enabled: yes` reaches CloudFormation as `true`.
#[rustfmt::skip]
const YAML11_BOOLS: [(&str, bool); 22] = [
    ("true", true), ("True", true), ("TRUE", true),
    ("false", false), ("False", false), ("FALSE", false),
    ("yes", true), ("Yes", true), ("YES", true),
    ("no", false), ("No", false), ("NO", false),
    ("on", true), ("On", true), ("ON", true),
    ("off", false), ("Off", false), ("OFF", false),
    ("y", true), ("Y", true), ("n", false), ("N", false),
];

/// Maps saphyr's character indices to byte offsets: the identity for ASCII text, otherwise a
/// byte offset every `STRIDE` characters and a short walk from there.
struct CharOffsets<'a> {
    text: &'a str,
    checkpoints: Option<Vec<usize>>,
}

const STRIDE: usize = 64;

impl<'a> CharOffsets<'a> {
    fn new(text: &'a str) -> Self {
        let checkpoints =
            (!text.is_ascii()).then(|| text.char_indices().step_by(STRIDE).map(|(at, _)| at).collect());
        CharOffsets { text, checkpoints }
    }

    fn byte(&self, index: usize) -> usize {
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

/// A finished node on its way into its parent, with what the guards need to know about it.
struct Built {
    node: Node,
    /// Nodes in the subtree (map keys included): what an alias to it would add.
    count: usize,
    /// Maps and sequences on the deepest path through it.
    height: usize,
    /// The scalar as written, for use as a map key (`yes` stays "yes").
    key_text: Option<String>,
    /// Where this occurrence sits in the source; for an alias the `*name`, not the anchor.
    place: Span,
    /// A plain `<<` key.
    merge: bool,
}

/// The long-form key and the span of the tag for a short-form intrinsic such as `!GetAtt`.
struct Intrinsic {
    key: String,
    span: Span,
}

/// A map or sequence whose end event has not arrived yet.
struct Frame {
    items: Items,
    /// First byte of its properties (anchor, tag) or, without them, of its content.
    start: usize,
    /// First byte of the content (`[`, `{`, `-` or the first key).
    content: usize,
    /// End of the last child so far: where a block collection ends.
    end: usize,
    intrinsic: Option<Intrinsic>,
    anchor: usize,
    count: usize,
    height: usize,
    /// Nesting levels this frame adds: two when an intrinsic wraps it.
    levels: usize,
}

enum Items {
    Seq(Vec<Node>),
    Map { entries: Vec<Entry>, key: Option<PendingKey>, merges: Vec<Entry> },
}

struct PendingKey {
    text: String,
    span: Span,
    merge: bool,
}

struct Anchored {
    node: Node,
    count: usize,
    height: usize,
    key_text: Option<String>,
}

struct Builder<'a> {
    text: &'a str,
    frames: Vec<Frame>,
    root: Option<Node>,
    anchors: HashMap<usize, Anchored>,
    /// Nesting levels of the open frames.
    level: usize,
    alias_nodes: usize,
    anchored_nodes: usize,
    /// End of the previous event, where the search for a block scalar's `|` starts.
    prev_end: usize,
    issues: Vec<SyntaxError>,
}

impl<'a> Builder<'a> {
    fn new(text: &'a str) -> Self {
        Builder {
            text,
            frames: Vec::new(),
            root: None,
            anchors: HashMap::new(),
            level: 0,
            alias_nodes: 0,
            anchored_nodes: 0,
            prev_end: 0,
            issues: Vec::new(),
        }
    }

    /// Feeds one event; true once the first document is complete.
    fn event(&mut self, event: Event<'_>, raw: Span) -> Result<bool, SyntaxError> {
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                self.scalar(text, style, anchor, tag.as_deref(), raw)?;
            }
            Event::SequenceStart(anchor, tag) => {
                self.open(Items::Seq(Vec::new()), anchor, tag.as_deref(), raw)?;
            }
            Event::MappingStart(anchor, tag) => {
                let items = Items::Map { entries: Vec::new(), key: None, merges: Vec::new() };
                self.open(items, anchor, tag.as_deref(), raw)?;
            }
            Event::SequenceEnd | Event::MappingEnd => self.close(raw)?,
            Event::Alias(id) => self.alias(id, raw)?,
            Event::DocumentEnd | Event::StreamEnd => return Ok(true),
            Event::StreamStart | Event::DocumentStart(_) | Event::Nothing => {}
        }
        self.prev_end = raw.end;
        Ok(false)
    }

    fn finish(mut self) -> Parsed {
        let root = self.root.unwrap_or_else(|| Node::new(Value::Null, Span::default()));
        // Maps report their duplicates when they close, inner maps first; readers want source order.
        self.issues.sort_by_key(|issue| issue.span.start);
        Parsed { root, issues: self.issues }
    }

    fn scalar(
        &mut self,
        text: Cow<'_, str>,
        style: ScalarStyle,
        anchor: usize,
        tag: Option<&Tag>,
        raw: Span,
    ) -> Result<(), SyntaxError> {
        let has_properties = anchor > 0 || tag.is_some();
        let span = self.scalar_span(raw, style, has_properties);
        let intrinsic = tag.and_then(|tag| self.intrinsic(tag, raw.start));
        if intrinsic.is_some() && self.level + 1 > MAX_DEPTH {
            return Err(too_deep(self.text, raw.start));
        }
        let merge = style == ScalarStyle::Plain && tag.is_none() && text == "<<";
        let as_key = self.awaiting_key();
        if as_key && anchor == 0 && intrinsic.is_none() {
            // The common case of a plain key: no typed node needed, so no second copy.
            let node = Node::new(Value::Null, span);
            let key_text = Some(text.into_owned());
            let built = Built { node, count: 1, height: 0, key_text, place: span, merge };
            return self.attach(built);
        }
        let key_text = (as_key || anchor > 0).then(|| text.to_string());
        let value = match intrinsic {
            // An intrinsic's argument is the text as written: `!Ref true` names "true".
            Some(_) => Value::String(text.into_owned()),
            None => scalar_value(text, style, tag),
        };
        let mut built =
            Built { node: Node::new(value, span), count: 1, height: 0, key_text, place: span, merge };
        if let Some(intrinsic) = intrinsic {
            built.node = wrap(intrinsic, built.node, raw.start);
            built.count += 1;
            built.height += 1;
            built.place = built.node.span;
        }
        self.complete(built, anchor)
    }

    fn open(&mut self, items: Items, anchor: usize, tag: Option<&Tag>, raw: Span) -> Result<(), SyntaxError> {
        let intrinsic = tag.and_then(|tag| self.intrinsic(tag, raw.start));
        let levels = 1 + usize::from(intrinsic.is_some());
        if self.level + levels > MAX_DEPTH {
            return Err(too_deep(self.text, raw.start));
        }
        self.level += levels;
        let content = if anchor > 0 || tag.is_some() {
            skip_properties(self.text, raw.start, self.text.len())
        } else {
            raw.start
        };
        let frame = Frame {
            items,
            start: raw.start,
            content,
            end: content,
            intrinsic,
            anchor,
            count: levels,
            height: 0,
            levels,
        };
        self.frames.push(frame);
        Ok(())
    }

    fn close(&mut self, raw: Span) -> Result<(), SyntaxError> {
        let Some(frame) = self.frames.pop() else {
            return Ok(());
        };
        self.level -= frame.levels;
        // A flow collection ends at its bracket; saphyr puts a block collection's end at the
        // next token, which would swallow trailing comments, so end at the last child instead.
        let bracket = matches!(self.text.as_bytes().get(raw.start), Some(b']' | b'}'));
        let end = if bracket && raw.end > raw.start { raw.start + 1 } else { frame.end };
        let value = match frame.items {
            Items::Seq(items) => Value::Seq(items),
            Items::Map { entries, merges, .. } => Value::Map(self.merged(entries, merges)),
        };
        let mut node = Node::new(value, Span::new(frame.content, end));
        if let Some(intrinsic) = frame.intrinsic {
            node = wrap(intrinsic, node, frame.start);
        }
        let (count, height) = (frame.count, frame.height + frame.levels);
        let place = node.span;
        let built = Built { node, count, height, key_text: None, place, merge: false };
        self.complete(built, frame.anchor)
    }

    /// Expands an alias to a copy of its anchored node, spans and all (the text lives there),
    /// after checking the copy against the node budget and the nesting limit.
    fn alias(&mut self, id: usize, raw: Span) -> Result<(), SyntaxError> {
        let place = Span::new(raw.start, token_end(self.text.as_bytes(), raw.start));
        let name = self.text.get(place.start..place.end).unwrap_or("*");
        let Some(anchored) = self.anchors.get(&id) else {
            let message = format!("alias `{name}` refers to a node that contains it");
            return Err(SyntaxError::new(message, place));
        };
        self.alias_nodes = self.alias_nodes.saturating_add(anchored.count);
        if self.alias_nodes > MAX_ALIAS_NODES {
            let message = format!("alias expansion exceeds {MAX_ALIAS_NODES} nodes");
            return Err(SyntaxError::new(message, place));
        }
        if self.level + anchored.height > MAX_DEPTH {
            return Err(too_deep(self.text, raw.start));
        }
        let built = Built {
            node: anchored.node.clone(),
            count: anchored.count,
            height: anchored.height,
            key_text: anchored.key_text.clone(),
            place,
            merge: false,
        };
        self.attach(built)
    }

    /// Remembers an anchored node, then hands it to its parent.
    fn complete(&mut self, built: Built, anchor: usize) -> Result<(), SyntaxError> {
        if anchor > 0 {
            // Nested anchors copy their subtrees once each; bound that like alias expansion.
            self.anchored_nodes = self.anchored_nodes.saturating_add(built.count);
            if self.anchored_nodes > MAX_ALIAS_NODES {
                let message = format!("anchored nodes exceed {MAX_ALIAS_NODES} nodes");
                return Err(SyntaxError::new(message, built.place));
            }
            let anchored = Anchored {
                node: built.node.clone(),
                count: built.count,
                height: built.height,
                key_text: built.key_text.clone(),
            };
            self.anchors.insert(anchor, anchored);
        }
        self.attach(built)
    }

    fn attach(&mut self, built: Built) -> Result<(), SyntaxError> {
        let Some(frame) = self.frames.last_mut() else {
            self.root = Some(built.node);
            return Ok(());
        };
        frame.count = frame.count.saturating_add(built.count);
        frame.height = frame.height.max(built.height);
        frame.end = frame.end.max(built.place.end);
        match &mut frame.items {
            Items::Seq(items) => items.push(built.node),
            Items::Map { entries, key, merges } => match key.take() {
                None => {
                    let Some(text) = built.key_text else {
                        let message = "complex mapping keys are not supported";
                        return Err(SyntaxError::new(message, built.place));
                    };
                    *key = Some(PendingKey { text, span: built.place, merge: built.merge });
                }
                Some(key) if key.merge => merges.extend(merge_source(built.node)?),
                Some(key) => {
                    entries.push(Entry { key: key.text.into(), key_span: key.span, value: built.node })
                }
            },
        }
        Ok(())
    }

    /// Where the construct being read when parsing failed starts, at the latest: see [`Failure`].
    fn resume(&self) -> usize {
        let flow = |frame: &&Frame| matches!(self.text.as_bytes().get(frame.content), Some(b'[' | b'{'));
        self.frames.iter().find(flow).map_or(self.prev_end, |frame| frame.content)
    }

    fn awaiting_key(&self) -> bool {
        matches!(self.frames.last(), Some(Frame { items: Items::Map { key: None, .. }, .. }))
    }

    /// A map's own entries, duplicates reported, then each merged key it does not define itself
    /// (earlier merge sources win over later ones, as the merge-key spec says).
    fn merged(&mut self, mut entries: Vec<Entry>, merges: Vec<Entry>) -> Vec<Entry> {
        report_duplicate_keys(&entries, &mut self.issues);
        if merges.is_empty() {
            return entries;
        }
        let mut present: HashSet<Key> = entries.iter().map(|e| e.key.clone()).collect();
        for entry in merges {
            if present.insert(entry.key.clone()) {
                entries.push(entry);
            }
        }
        entries
    }

    /// A local tag `!Name` as the intrinsic it abbreviates; other tags are not intrinsics.
    fn intrinsic(&self, tag: &Tag, start: usize) -> Option<Intrinsic> {
        if tag.handle != "!" {
            return None;
        }
        let key = match tag.suffix.as_str() {
            "Ref" | "Condition" => tag.suffix.clone(),
            name => format!("Fn::{name}"),
        };
        let fallback = Span::new(start, (start + 1 + tag.suffix.len()).min(self.text.len()));
        let span = tag_span(self.text, start).unwrap_or(fallback);
        Some(Intrinsic { key, span })
    }

    /// The scalar's own text: after its properties, up to its closing quote, from its `|`.
    fn scalar_span(&self, raw: Span, style: ScalarStyle, has_properties: bool) -> Span {
        let bytes = self.text.as_bytes();
        let start = if has_properties { skip_properties(self.text, raw.start, raw.end) } else { raw.start };
        match style {
            // saphyr places an empty value at its `:` or `-`; put it just after.
            ScalarStyle::Plain if start == raw.end && !has_properties => {
                let after = start + usize::from(matches!(bytes.get(start), Some(b':' | b'-' | b'?')));
                Span::new(after, after)
            }
            ScalarStyle::Plain => Span::new(start, raw.end),
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
                Span::new(start, quoted_end(bytes, start).unwrap_or(raw.end))
            }
            ScalarStyle::Literal | ScalarStyle::Folded => {
                // saphyr starts a block scalar at its first content line, after the header.
                let start = block_indicator(bytes, self.prev_end, start).unwrap_or(start);
                let mut end = raw.end.min(bytes.len()).max(start);
                while end > start && matches!(bytes[end - 1], b' ' | b'\t' | b'\r' | b'\n') {
                    end -= 1;
                }
                Span::new(start, end)
            }
        }
    }
}

/// The long form CloudFormation sees for a short-form tag: `!Ref X` is `{Ref: X}`.
fn wrap(intrinsic: Intrinsic, inner: Node, start: usize) -> Node {
    let span = Span::new(start.min(intrinsic.span.start), inner.span.end.max(intrinsic.span.end));
    let entry = Entry { key: intrinsic.key.into(), key_span: intrinsic.span, value: inner };
    Node::new(Value::Map(vec![entry]), span)
}

/// The entries a `<<` value contributes: one map's, or those of a sequence of maps in order.
fn merge_source(value: Node) -> Result<Vec<Entry>, SyntaxError> {
    let Node { value, span } = value;
    match value {
        Value::Map(entries) => Ok(entries),
        Value::Seq(items) if items.iter().all(|item| item.as_map().is_some()) => {
            let entries = items.into_iter().flat_map(|item| match item.value {
                Value::Map(entries) => entries,
                _ => Vec::new(),
            });
            Ok(entries.collect())
        }
        _ => {
            let message = "merge key `<<` expects a mapping or a list of mappings";
            Err(SyntaxError::new(message, span))
        }
    }
}

/// The value of an untagged or core-tagged scalar, typed as a YAML 1.1 reader would.
fn scalar_value(text: Cow<'_, str>, style: ScalarStyle, tag: Option<&Tag>) -> Value {
    if let Some(tag) = tag.filter(|tag| tag.is_yaml_core_schema()) {
        match tag.suffix.as_str() {
            "str" => return Value::String(text.into_owned()),
            "int" | "float" => return Value::Number(text.into_owned()),
            "null" => return Value::Null,
            "bool" => {
                if let Some(b) = yaml11_bool(&text) {
                    return Value::Bool(b);
                }
            }
            _ => {}
        }
    }
    // Quoted and block scalars are strings; so is a plain one under the non-specific tag `!`.
    let non_specific = tag.is_some_and(|tag| tag.handle.is_empty() && tag.suffix == "!");
    if style != ScalarStyle::Plain || non_specific {
        return Value::String(text.into_owned());
    }
    if matches!(&*text, "" | "~" | "null" | "Null" | "NULL") {
        Value::Null
    } else if let Some(b) = yaml11_bool(&text) {
        Value::Bool(b)
    } else if is_number(&text) {
        Value::Number(text.into_owned())
    } else {
        Value::String(text.into_owned())
    }
}

fn yaml11_bool(text: &str) -> Option<bool> {
    YAML11_BOOLS.iter().find(|(word, _)| *word == text).map(|&(_, b)| b)
}

/// YAML 1.1 ints and floats: decimal (with `_` separators), `0x`, `0o`, `0b`, `.inf`, `.nan`.
fn is_number(text: &str) -> bool {
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    if matches!(unsigned, ".inf" | ".Inf" | ".INF") || matches!(text, ".nan" | ".NaN" | ".NAN") {
        return true;
    }
    let radix = [("0x", 16_u32), ("0o", 8), ("0b", 2)];
    if let Some((digits, radix)) = radix.iter().find_map(|(p, r)| Some((unsigned.strip_prefix(p)?, *r))) {
        let digit = |c: char| c.is_digit(radix);
        return digits.chars().any(digit) && digits.chars().all(|c| c == '_' || digit(c));
    }
    let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e.strip_prefix(['+', '-']).unwrap_or(e))),
        None => (unsigned, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let int_ok = int.is_empty()
        || (int.starts_with(|c: char| c.is_ascii_digit())
            && int.bytes().all(|b| b.is_ascii_digit() || b == b'_'));
    let exponent_ok = exponent.is_none_or(|e| !e.is_empty() && digits(e));
    let has_digit = int.bytes().chain(frac.bytes()).any(|b| b.is_ascii_digit());
    int_ok && digits(frac) && exponent_ok && has_digit
}

/// Skips anchors, tags, blanks and comments from `at`, stopping at `limit`.
fn skip_properties(text: &str, mut at: usize, limit: usize) -> usize {
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
fn tag_span(text: &str, mut at: usize) -> Option<Span> {
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
fn token_end(bytes: &[u8], at: usize) -> usize {
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

fn line_end(bytes: &[u8], at: usize) -> usize {
    bytes.get(at..).and_then(|rest| rest.iter().position(|&b| b == b'\n')).map_or(bytes.len(), |n| at + n)
}

/// End of the quoted scalar whose opening quote is at `at`, past the closing quote.
fn quoted_end(bytes: &[u8], at: usize) -> Option<usize> {
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
fn block_indicator(bytes: &[u8], from: usize, to: usize) -> Option<usize> {
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

fn too_deep(text: &str, at: usize) -> SyntaxError {
    SyntaxError::new(format!("nesting deeper than {MAX_DEPTH} levels"), point(text, at))
}

/// The character at `at` (empty at the end of the text).
fn point(text: &str, at: usize) -> Span {
    let len = text.get(at..).and_then(|rest| rest.chars().next()).map_or(0, char::len_utf8);
    Span::new(at, at + len)
}

fn scan_error(text: &str, offsets: &CharOffsets<'_>, error: &ScanError) -> SyntaxError {
    let at = offsets.byte(error.marker().index());
    let info = error.info();
    // saphyr keeps its flow nesting level in a `u8` and gives up at 256 open brackets, before
    // emitting any event for them; that is this module's depth limit reached.
    if info == "recursion limit exceeded" {
        return too_deep(text, at);
    }
    if info.ends_with("found unknown anchor") {
        let span = Span::new(at, token_end(text.as_bytes(), at));
        let name = text.get(span.start..span.end).unwrap_or("*");
        return SyntaxError::new(format!("alias `{name}` refers to an unknown anchor"), span);
    }
    if info == "did not find expected <document start>" {
        let message = "unexpected content after the document (a new one starts with `---`)";
        return SyntaxError::new(message, Span::new(at, at));
    }
    let mut message = info.to_owned();
    if let Some(first) = message.get(..1) {
        message.replace_range(..1, &first.to_ascii_lowercase());
    }
    SyntaxError::new(message, Span::new(at, at))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    fn slice(text: &str, span: Span) -> &str {
        &text[span.start..span.end]
    }

    fn root(text: &str) -> Node {
        match parse(text) {
            Ok(parsed) => parsed.root,
            Err(error) => panic!("{error:?}"),
        }
    }

    fn error(text: &str) -> SyntaxError {
        match parse(text) {
            Ok(parsed) => panic!("expected an error, got {:?}", parsed.root),
            Err(error) => error,
        }
    }

    const TEMPLATE: &str = "\
# Größe: a comment with non-ASCII text — before everything
Description: \"Ünïcode — description\"   # trailing
Resources:
  Bucket:
    Type: 'AWS::S3::Bucket'
    Properties:
      BucketName: naïve-bücket
      Tags:
        - Key: Script
          Value: |
            echo \"héllo\"
            exit 0

        - {Key: Flow, Value: [a, é]}

# a comment after the resources
Outputs: {}
";

    #[test]
    fn spans_are_bytes_even_after_non_ascii_text() {
        let root = root(TEMPLATE);
        let description = root.entry("Description").unwrap();
        assert_eq!(slice(TEMPLATE, description.key_span), "Description");
        assert_eq!(slice(TEMPLATE, description.value.span), "\"Ünïcode — description\"");
        let bucket = root.get("Resources").unwrap().get("Bucket").unwrap();
        assert_eq!(slice(TEMPLATE, bucket.get("Type").unwrap().span), "'AWS::S3::Bucket'");
        let properties = bucket.get("Properties").unwrap();
        let name = properties.entry("BucketName").unwrap();
        assert_eq!(slice(TEMPLATE, name.key_span), "BucketName");
        assert_eq!(slice(TEMPLATE, name.value.span), "naïve-bücket");
        let tags = properties.get("Tags").unwrap();
        let script = tags.as_seq().unwrap()[0].get("Value").unwrap();
        assert_eq!(script.as_str(), Some("echo \"héllo\"\nexit 0\n"));
        assert_eq!(slice(TEMPLATE, script.span), "|\n            echo \"héllo\"\n            exit 0");
        let flow = &tags.as_seq().unwrap()[1];
        assert_eq!(slice(TEMPLATE, flow.span), "{Key: Flow, Value: [a, é]}");
        assert_eq!(slice(TEMPLATE, flow.get("Value").unwrap().span), "[a, é]");
        // Block collections end at their last child, not at the comment that follows.
        assert!(slice(TEMPLATE, tags.span).ends_with("[a, é]}"));
        assert!(slice(TEMPLATE, bucket.span).starts_with("Type:"));
        assert!(slice(TEMPLATE, bucket.span).ends_with("[a, é]}"));
        let outputs = root.get("Outputs").unwrap();
        assert_eq!(slice(TEMPLATE, outputs.span), "{}");
    }

    /// The single entry of a converted short-form intrinsic.
    fn intrinsic<'a>(text: &str, node: &'a Node) -> (&'a str, String, &'a Node) {
        let entry = node.single_entry().unwrap();
        (entry.key.as_str(), slice(text, entry.key_span).to_owned(), &entry.value)
    }

    #[test]
    fn short_form_tags_become_long_form_maps() {
        let text = "\
A: !Ref MyBucket
B: !GetAtt Role.Arn
C: !GetAtt [Role, Arn]
D: !Sub 'arn:${AWS::Partition}:s3:::x'
E: !If [IsProd, yes, !Ref AWS::NoValue]
F: !Join
  - ','
  - [a, b]
G: !Ref true
H: !GetAtt
I: !Condition IsProd
J: !Custom {x: 1}
";
        let root = root(text);
        let (key, tag, value) = intrinsic(text, root.get("A").unwrap());
        assert_eq!((key, tag.as_str(), value.as_str()), ("Ref", "!Ref", Some("MyBucket")));
        assert_eq!(slice(text, value.span), "MyBucket");
        assert_eq!(slice(text, root.get("A").unwrap().span), "!Ref MyBucket");

        let (key, tag, value) = intrinsic(text, root.get("B").unwrap());
        assert_eq!((key, tag.as_str(), value.as_str()), ("Fn::GetAtt", "!GetAtt", Some("Role.Arn")));

        let (key, tag, value) = intrinsic(text, root.get("C").unwrap());
        assert_eq!((key, tag.as_str()), ("Fn::GetAtt", "!GetAtt"));
        assert_eq!(slice(text, value.span), "[Role, Arn]");
        assert_eq!(value.as_seq().unwrap().len(), 2);

        let (key, tag, value) = intrinsic(text, root.get("D").unwrap());
        assert_eq!((key, tag.as_str()), ("Fn::Sub", "!Sub"));
        assert_eq!(value.as_str(), Some("arn:${AWS::Partition}:s3:::x"));
        assert_eq!(slice(text, value.span), "'arn:${AWS::Partition}:s3:::x'");

        let (key, tag, value) = intrinsic(text, root.get("E").unwrap());
        assert_eq!((key, tag.as_str()), ("Fn::If", "!If"));
        let args = value.as_seq().unwrap();
        assert_eq!(args[1].value, Value::Bool(true));
        let (key, tag, _) = intrinsic(text, &args[2]);
        assert_eq!((key, tag.as_str()), ("Ref", "!Ref"));

        let (key, tag, value) = intrinsic(text, root.get("F").unwrap());
        assert_eq!((key, tag.as_str()), ("Fn::Join", "!Join"));
        assert_eq!(slice(text, value.span), "- ','\n  - [a, b]");

        let (_, _, value) = intrinsic(text, root.get("G").unwrap());
        assert_eq!(value.value, Value::String("true".into()));

        let (key, tag, value) = intrinsic(text, root.get("H").unwrap());
        assert_eq!((key, tag.as_str(), value.as_str()), ("Fn::GetAtt", "!GetAtt", Some("")));

        let (key, _, value) = intrinsic(text, root.get("I").unwrap());
        assert_eq!((key, value.as_str()), ("Condition", Some("IsProd")));

        let (key, _, value) = intrinsic(text, root.get("J").unwrap());
        assert_eq!(key, "Fn::Custom");
        assert_eq!(value.get("x").unwrap().value, Value::Number("1".into()));
    }

    #[test]
    fn plain_scalars_are_typed_like_yaml_1_1() {
        let text = "\
- yes
- \"yes\"
- No
- off
- y
- ~
- null
-
- 12
- -1.5e3
- 0x1F
- 0o17
- .inf
- -.INF
- .nan
- 1_000
- 2010-09-09
- 'true'
- !!str 12
- !!int '12'
- !!bool 'yes'
- |
  true
- 1.2.3
";
        let root = root(text);
        let values: Vec<Value> = root.as_seq().unwrap().iter().map(|n| n.value.clone()).collect();
        let string = |s: &str| Value::String(s.into());
        let number = |s: &str| Value::Number(s.into());
        let expected = [
            Value::Bool(true),
            string("yes"),
            Value::Bool(false),
            Value::Bool(false),
            Value::Bool(true),
            Value::Null,
            Value::Null,
            Value::Null,
            number("12"),
            number("-1.5e3"),
            number("0x1F"),
            number("0o17"),
            number(".inf"),
            number("-.INF"),
            number(".nan"),
            number("1_000"),
            string("2010-09-09"),
            string("true"),
            string("12"),
            number("12"),
            Value::Bool(true),
            string("true\n"),
            string("1.2.3"),
        ];
        assert_eq!(values, expected);
    }

    #[test]
    fn keys_are_kept_as_written() {
        let root = root("yes: 1\n1: 2\n\"q\": 3\n~: 4\n");
        let keys: Vec<&str> = root.as_map().unwrap().iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["yes", "1", "q", "~"]);
    }

    #[test]
    fn complex_keys_are_errors() {
        let text = "? [a, b]\n: c\n";
        let err = error(text);
        assert_eq!(err.message, "complex mapping keys are not supported");
        assert_eq!(slice(text, err.span), "[a, b]");
    }

    #[test]
    fn duplicate_keys_are_kept_and_reported() {
        let text = "Foo: 1\nBar: 2\nFoo: 3\n";
        let parsed = parse(text).unwrap();
        assert_eq!(parsed.root.as_map().unwrap().len(), 3);
        assert_eq!(parsed.root.get("Foo").unwrap().scalar_text().as_deref(), Some("3"));
        assert_eq!(parsed.issues.len(), 1);
        assert_eq!(parsed.issues[0].message, "duplicate key `Foo`");
        assert_eq!(parsed.issues[0].span, Span::new(14, 17));
    }

    #[test]
    fn merge_keys_merge_without_overriding() {
        let text = "\
base: &base {A: 1, B: 2}
extra: &extra {B: 20, C: 30}
one:
  <<: *base
  B: own
two:
  B: own
  <<: [*extra, *base]
";
        let parsed = parse(text).unwrap();
        assert!(parsed.issues.is_empty(), "{:?}", parsed.issues);
        let one = parsed.root.get("one").unwrap();
        let text_of = |node: &Node, key: &str| node.get(key).and_then(Node::scalar_text);
        assert_eq!(text_of(one, "A").as_deref(), Some("1"));
        assert_eq!(text_of(one, "B").as_deref(), Some("own"));
        assert!(one.get("<<").is_none());
        let two = parsed.root.get("two").unwrap();
        assert_eq!(text_of(two, "A").as_deref(), Some("1"));
        assert_eq!(text_of(two, "B").as_deref(), Some("own"));
        assert_eq!(text_of(two, "C").as_deref(), Some("30"));
        // Merged entries keep the spans of the text they came from.
        assert_eq!(slice(text, one.entry("A").unwrap().key_span), "A");
        assert_eq!(one.entry("A").unwrap().key_span.start, 13);

        let err = error("a: &a x\nb:\n  <<: *a\n");
        assert_eq!(err.message, "merge key `<<` expects a mapping or a list of mappings");
    }

    #[test]
    fn aliases_expand_with_the_anchor_spans() {
        let text = "tags: &t\n  - Key: é\n    Value: x\nother: *t\nname: &n Bob\nagain: *n\n";
        let root = root(text);
        let original = root.get("tags").unwrap();
        let copy = root.get("other").unwrap();
        assert_eq!(copy, original);
        assert_eq!(slice(text, copy.span), "- Key: é\n    Value: x");
        assert_eq!(root.get("again").unwrap().as_str(), Some("Bob"));
        assert_eq!(slice(text, root.get("again").unwrap().span), "Bob");
        // The map itself still ends at its last value, the alias text.
        assert!(slice(text, root.span).ends_with("again: *n"));

        let err = error("a: *nope\n");
        assert_eq!(err.message, "alias `*nope` refers to an unknown anchor");
        assert_eq!(err.span, Span::new(3, 8));

        let err = error("a: &a [1, *a]\n");
        assert_eq!(err.message, "alias `*a` refers to a node that contains it");
    }

    #[test]
    fn alias_bomb_fails_fast() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for level in 1..=9 {
            let refs = vec![format!("*a{}", level - 1); 10].join(", ");
            text.push_str(&format!("a{level}: &a{level} [{refs}]\n"));
        }
        let started = Instant::now();
        let err = error(&text);
        assert_eq!(err.message, "alias expansion exceeds 1000000 nodes");
        assert!(started.elapsed() < Duration::from_secs(1), "took {:?}", started.elapsed());
    }

    #[test]
    fn deep_flow_nesting_is_an_error_not_a_stack_overflow() {
        let started = Instant::now();
        let err = error(&"[".repeat(200_000));
        assert_eq!(err.message, "nesting deeper than 256 levels");
        assert!(started.elapsed() < Duration::from_secs(1), "took {:?}", started.elapsed());

        let ok = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert!(parse(&ok).is_ok());
    }

    #[test]
    fn deep_block_nesting_is_an_error() {
        let mut text = String::new();
        for depth in 0..300 {
            text.push_str(&" ".repeat(depth));
            text.push_str("k:\n");
        }
        let err = error(&text);
        assert_eq!(err.message, "nesting deeper than 256 levels");
        assert_eq!(slice(&text, err.span), "k");
        assert_eq!(err.span.start, (0..MAX_DEPTH).map(|d| d + 3).sum::<usize>() + MAX_DEPTH);

        let err = error(&format!("{}x\n", "- ".repeat(200_000)));
        assert_eq!(err.message, "nesting deeper than 256 levels");
    }

    #[test]
    fn aliases_cannot_exceed_the_depth_limit() {
        let nest = |n: usize| format!("{}x{}", "[".repeat(n), "]".repeat(n));
        let text = format!("a: &a {}\nb: {}*a{}\n", nest(200), "[".repeat(100), "]".repeat(100));
        assert_eq!(error(&text).message, "nesting deeper than 256 levels");
    }

    #[test]
    fn empty_and_comment_only_files_are_null() {
        for text in ["", "# only a comment\n", "\n\n", "---\n"] {
            assert_eq!(root(text).value, Value::Null, "{text:?}");
        }
    }

    #[test]
    fn only_the_first_document_counts() {
        let first = root("a: 1\n---\nb: [\n");
        assert_eq!(first.get("a").and_then(Node::scalar_text).as_deref(), Some("1"));
        assert!(first.get("b").is_none());
        let first = root("a: 1\n...\n@ not yaml\n");
        assert_eq!(first.as_map().map(<[Entry]>::len), Some(1));

        let err = error("{a: 1} junk\n");
        assert!(err.message.starts_with("unexpected content after the document"));
        assert_eq!(err.span, Span::new(7, 7));
    }

    #[test]
    fn scanner_errors_carry_a_byte_offset() {
        let text = "é: 1\n  b: 2\n";
        let err = error(text);
        assert!(err.message.starts_with(char::is_lowercase), "{}", err.message);
        assert_eq!(err.span.start, err.span.end);
        assert!(err.span.start <= text.len());
        assert!(text.is_char_boundary(err.span.start));
    }

    #[test]
    fn byte_order_mark_and_crlf_keep_spans_right() {
        let text = "\u{feff}A: é\r\nB: !Ref C\r\n";
        let root = root(text);
        assert_eq!(slice(text, root.get("A").unwrap().span), "é");
        let (_, tag, value) = intrinsic(text, root.get("B").unwrap());
        assert_eq!((tag.as_str(), slice(text, value.span)), ("!Ref", "C"));
    }
}
