//! Resolving the variables of a service's `resources`: `${self:}`, fallbacks and literals,
//! the pseudo parameters, and `Fn::Sub` text; what is filled in at deploy time stays opaque.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::variables::{Piece, pieces, split_top_level};
use super::{Context, Fragment, MAX_DEPTH, MAX_LEVEL, MAX_NODES, VARIABLE, is_opaque};
use crate::syntax::{Entry, Key, Node, Span, SyntaxError, Value};

/// An included file (`include.rs`): its parsed tree (spans shifted), or why it could not be
/// read.
pub(super) struct Included {
    pub(super) root: Result<std::rc::Rc<Node>, String>,
    pub(super) fragment: Option<Fragment>,
}

pub(super) struct Resolver<'a> {
    pub(super) ctx: &'a Context<'a>,
    service: &'a Node,
    pub(super) dir: PathBuf,
    pub(super) next_base: Cell<usize>,
    pub(super) files: RefCell<Vec<Included>>,
    pub(super) by_path: RefCell<HashMap<PathBuf, usize>>,
    pub(super) issues: RefCell<Vec<SyntaxError>>,
    /// The issues so far, each once.
    issued: RefCell<std::collections::HashSet<(Span, String)>>,
    nodes: Cell<usize>,
    /// How deep [`Resolver::resolve`] is in itself.
    level: Cell<usize>,
    /// The `self:` addresses and files being resolved, innermost last: one met again is a cycle.
    pub(super) active: RefCell<Vec<String>>,
}

/// What one variable resolves to.
pub(super) enum Resolved {
    Node(Node),
    /// Filled in at deploy time: the variable's text.
    Opaque,
    /// Not found (a missing `self:` address or file): the next fallback is tried.
    Missing(String),
}

impl<'a> Resolver<'a> {
    /// A resolver of the service file's variables; the spans of the files it includes start
    /// past the service file's text (`text_len`).
    pub(super) fn new(ctx: &'a Context<'a>, service: &'a Node, text_len: usize) -> Self {
        Resolver {
            ctx,
            service,
            dir: ctx.path.parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf),
            next_base: Cell::new(text_len + 1),
            files: RefCell::new(Vec::new()),
            by_path: RefCell::new(HashMap::new()),
            issues: RefCell::new(Vec::new()),
            issued: RefCell::new(std::collections::HashSet::new()),
            nodes: Cell::new(0),
            level: Cell::new(0),
            active: RefCell::new(Vec::new()),
        }
    }

    /// A problem at a place, once: a value referred to from many places is resolved each time.
    pub(super) fn issue(&self, message: impl Into<String>, span: Span) {
        let message = message.into();
        if self.issued.borrow_mut().insert((span, message.clone())) {
            self.issues.borrow_mut().push(SyntaxError::new(message, span));
        }
    }

    fn count(&self) -> bool {
        self.nodes.set(self.nodes.get() + 1);
        self.nodes.get() <= MAX_NODES
    }

    /// The node with every variable in its strings resolved.
    pub(super) fn resolve(&self, node: &Node, depth: usize) -> Node {
        if self.level.get() >= MAX_LEVEL {
            self.issue(
                format!("values here nest more than {MAX_LEVEL} levels deep through variables: the rest is not checked"),
                node.span,
            );
            return Node::new(Value::Null, node.span);
        }
        self.level.set(self.level.get() + 1);
        let out = self.resolve_inner(node, depth);
        self.level.set(self.level.get() - 1);
        out
    }

    fn resolve_inner(&self, node: &Node, depth: usize) -> Node {
        if !self.count() {
            if self.nodes.get() == MAX_NODES + 1 {
                self.issue(
                    format!("variables here expand to more than {MAX_NODES} values: the rest is not checked"),
                    node.span,
                );
            }
            return Node::new(Value::Null, node.span);
        }
        match &node.value {
            Value::String(s) if s.contains("${") => self.string(s, node.span, depth),
            Value::Seq(items) => {
                Node::new(Value::Seq(items.iter().map(|n| self.resolve(n, depth)).collect()), node.span)
            }
            Value::Map(entries) => {
                let sub = node.single_entry().is_some_and(|e| e.key == "Fn::Sub");
                let entries = entries
                    .iter()
                    .map(|e| Entry {
                        key: e.key.clone(),
                        key_span: e.key_span,
                        value: if sub {
                            self.sub_argument(&e.value, depth)
                        } else {
                            self.resolve(&e.value, depth)
                        },
                    })
                    .collect();
                Node::new(Value::Map(entries), node.span)
            }
            _ => node.clone(),
        }
    }

    /// The argument of `Fn::Sub`: its text keeps its own `${}` placeholders, so only variables
    /// that resolve to text are replaced there.
    fn sub_argument(&self, node: &Node, depth: usize) -> Node {
        match &node.value {
            Value::String(s) => Node::new(Value::String(self.text_only(s, node.span, depth)), node.span),
            Value::Seq(items) if !items.is_empty() => {
                let mut out: Vec<Node> = Vec::with_capacity(items.len());
                out.push(self.sub_argument(&items[0], depth));
                out.extend(items[1..].iter().map(|n| self.resolve(n, depth)));
                Node::new(Value::Seq(out), node.span)
            }
            _ => self.resolve(node, depth),
        }
    }

    /// A string with its variables: one variable that is the whole string gives its value
    /// (a map, a list, an intrinsic); otherwise the parts are joined.
    fn string(&self, s: &str, span: Span, depth: usize) -> Node {
        let pieces = pieces(s);
        if let [Piece::Variable(content)] = pieces.as_slice() {
            return self.whole(content, span, depth);
        }
        let mut parts: Vec<Node> = Vec::new();
        let mut text = String::new();
        for piece in &pieces {
            match piece {
                Piece::Text(t) => text.push_str(t),
                Piece::Variable(content) => {
                    let value = self.whole(content, span, depth);
                    match value.scalar_text() {
                        Some(t) if !matches!(value.value, Value::Null) => text.push_str(&t),
                        _ => {
                            if !text.is_empty() {
                                parts.push(Node::new(Value::String(std::mem::take(&mut text)), span));
                            }
                            parts.push(value);
                        }
                    }
                }
            }
        }
        if parts.is_empty() {
            return Node::new(Value::String(text), span);
        }
        if !text.is_empty() {
            parts.push(Node::new(Value::String(text), span));
        }
        let join = vec![Node::new(Value::String(String::new()), span), Node::new(Value::Seq(parts), span)];
        Node::new(Value::Map(vec![entry("Fn::Join", span, Node::new(Value::Seq(join), span))]), span)
    }

    /// A string of `Fn::Sub`: variables that resolve to text are replaced; others stay as
    /// written, which `Fn::Sub` reads as an unknown name.
    fn text_only(&self, s: &str, span: Span, depth: usize) -> String {
        let mut out = String::new();
        for piece in pieces(s) {
            match piece {
                Piece::Text(t) => out.push_str(&t),
                Piece::Variable(content) => {
                    let value = self.whole(&content, span, depth);
                    match (&value.value, value.scalar_text()) {
                        (Value::String(_) | Value::Number(_) | Value::Bool(_), Some(t)) => out.push_str(&t),
                        _ => {
                            out.push_str("${");
                            out.push_str(&content);
                            out.push('}');
                        }
                    }
                }
            }
        }
        out
    }

    /// The value of one variable `${content}` (nested variables in it resolved first).
    fn whole(&self, content: &str, span: Span, depth: usize) -> Node {
        let opaque_text = |content: &str| {
            let text = format!("${{{content}}}");
            Node::new(Value::Map(vec![entry(VARIABLE, span, Node::new(Value::String(text), span))]), span)
        };
        if depth >= MAX_DEPTH {
            self.issue(
                format!(
                    "variables refer through more than {MAX_DEPTH} others here: the value is not checked"
                ),
                span,
            );
            return opaque_text(content);
        }
        let content = if content.contains("${") {
            self.text_only(content, span, depth + 1)
        } else {
            content.to_string()
        };
        let opaque = || opaque_text(&content);
        // A variable whose name is built from one filled in at deploy time is filled in then too.
        if content.contains("${") {
            return opaque();
        }
        let mut missing = Vec::new();
        for alternative in split_top_level(&content) {
            match self.alternative(alternative.trim(), span, depth) {
                Resolved::Node(n) => return n,
                Resolved::Opaque => return opaque(),
                Resolved::Missing(why) => missing.push(why),
            }
        }
        self.issue(
            format!(
                "the Serverless Framework cannot resolve `${{{content}}}`: {}; the value is not checked",
                missing.join("; ")
            ),
            span,
        );
        opaque()
    }

    fn alternative(&self, alt: &str, span: Span, depth: usize) -> Resolved {
        if let Some(quoted) = alt
            .strip_prefix('\'')
            .and_then(|a| a.strip_suffix('\''))
            .or_else(|| alt.strip_prefix('"').and_then(|a| a.strip_suffix('"')))
        {
            return Resolved::Node(Node::new(Value::String(quoted.to_string()), span));
        }
        match alt {
            "null" => return Resolved::Node(Node::new(Value::Null, span)),
            "true" | "false" => return Resolved::Node(Node::new(Value::Bool(alt == "true"), span)),
            _ if !alt.is_empty() && alt.parse::<f64>().is_ok() => {
                return Resolved::Node(Node::new(Value::Number(alt.to_string()), span));
            }
            _ => {}
        }
        if let Some(address) = alt.strip_prefix("self:") {
            return self.self_value(address.trim(), span, depth);
        }
        if let Some(rest) = alt.strip_prefix("file(") {
            let Some((path, after)) = rest.split_once(')') else {
                return Resolved::Missing(format!("`{alt}` is not a file reference"));
            };
            let address = after.strip_prefix(':').map(str::trim).unwrap_or("");
            return self.file_value(path.trim().trim_matches(['\'', '"']), address, span, depth);
        }
        match alt {
            "aws:region" => return Resolved::Node(pseudo("AWS::Region", span)),
            "aws:accountId" => return Resolved::Node(pseudo("AWS::AccountId", span)),
            _ => {}
        }
        Resolved::Opaque
    }

    /// `${self:address}`: a value of the service file as written, resolved in turn.
    fn self_value(&self, address: &str, span: Span, depth: usize) -> Resolved {
        let key = format!("self:{address}");
        if self.active.borrow().contains(&key) {
            self.issue(format!("`${{{key}}}` refers back to itself: the value is not checked"), span);
            return Resolved::Opaque;
        }
        self.active.borrow_mut().push(key);
        let value = self.walk(self.service, address, "the service file", depth + 1);
        self.active.borrow_mut().pop();
        value
    }

    /// The value at a dotted address below `root`, resolved; a variable met on the way (as in
    /// `custom: ${file(config.yml)}`) is resolved before going on.
    pub(super) fn walk(&self, root: &Node, address: &str, what: &str, depth: usize) -> Resolved {
        let parts: Vec<&str> = address.split('.').filter(|p| !p.is_empty()).collect();
        if parts.len() > MAX_DEPTH {
            return Resolved::Missing(format!("`{address}` has more than {MAX_DEPTH} parts"));
        }
        self.walk_parts(root, &parts, 0, what, depth)
    }

    fn walk_parts(&self, node: &Node, parts: &[&str], done: usize, what: &str, depth: usize) -> Resolved {
        if matches!(&node.value, Value::String(s) if s.contains("${")) {
            let resolved = self.resolve(node, depth);
            if !matches!(resolved.value, Value::String(_)) {
                return self.walk_parts(&resolved, parts, done, what, depth);
            }
            return match parts.get(done) {
                None => Resolved::Node(resolved),
                Some(_) => Resolved::Missing(format!("{what} has no `{}`", parts[..=done].join("."))),
            };
        }
        if is_opaque(node) {
            return Resolved::Opaque;
        }
        let Some(part) = parts.get(done) else { return Resolved::Node(self.resolve(node, depth)) };
        let next = match &node.value {
            Value::Map(_) => node.get(part),
            Value::Seq(items) => part.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => None,
        };
        match next {
            Some(n) => self.walk_parts(n, parts, done + 1, what, depth),
            None => Resolved::Missing(format!("{what} has no `{}`", parts[..=done].join("."))),
        }
    }
}

fn entry(key: &str, span: Span, value: Node) -> Entry {
    Entry { key: Key::from(key), key_span: span, value }
}

fn pseudo(name: &str, span: Span) -> Node {
    Node::new(Value::Map(vec![entry("Ref", span, Node::new(Value::String(name.to_string()), span))]), span)
}
