//! The event builder: saphyr's events into [`Node`]s with byte spans, short-form intrinsics
//! as long-form maps, merge keys, and anchors and aliases under the node budget and the
//! nesting limit, kept with an explicit stack of open collections.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use saphyr_parser::{Event, ScalarStyle, Tag};

use super::super::report_duplicate_keys;
use super::super::{Entry, Key, MAX_ALIAS_NODES, MAX_DEPTH, Node, Parsed, Span, SyntaxError, Value};
use super::scalar::scalar_value;
use super::spans::{block_indicator, quoted_end, skip_properties, tag_span, token_end};
use super::too_deep;

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

pub(super) struct Builder<'a> {
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
    pub(super) fn new(text: &'a str) -> Self {
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
    pub(super) fn event(&mut self, event: Event<'_>, raw: Span) -> Result<bool, SyntaxError> {
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

    pub(super) fn finish(mut self) -> Parsed {
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

    /// Where the construct being read when parsing failed starts, at the latest: see [`Failure`](super::Failure).
    pub(super) fn resume(&self) -> usize {
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
