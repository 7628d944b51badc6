//! Serverless Framework service files (`serverless.yml`, `serverless.yaml`, `serverless.json`):
//! the CloudFormation of their `resources` section, with the files it includes, read as one
//! template.
//!
//! As the Framework does, variables are resolved on the file as written, each `${file(...)}`
//! replaced where it stands, before the elements of a `resources` list are merged (deeply: maps
//! key by key, lists index by index, a later scalar wins). What this module resolves:
//! - `${self:a.b}`: a value of the service file, itself resolved;
//! - `${file(path)}` and `${file(path):a.b}`: a YAML or JSON file, its path taken from the
//!   service file's folder and read only when it lies inside the scanned roots;
//! - `${aws:region}`, `${aws:accountId}`: the pseudo parameters;
//! - fallbacks (`${opt:stage, self:provider.stage, 'dev'}`): the first that resolves; quoted
//!   literals, numbers, `true`, `false` and `null`.
//!
//! Every other source (`opt:`, `sls:`, `env:`, `param:`, `cf:`, `ssm:`, `s3:`, ...) is filled in
//! at deploy time: the variable becomes an opaque value ([`crate::model::Sym::External`]) that
//! equals only the same text. Text that is not a Framework variable (CloudFormation's own
//! `${AWS::Region}` or `${Pool}` inside `Fn::Sub`) is left as it is.
//!
//! The spans of an included file's nodes are shifted past the texts before it, so one tree
//! holds places in several files; [`crate::frontend::cfn::Template::loc`] maps them back.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use crate::discover::Roots;
use crate::read::{self, FileKey};
use crate::source::{Origin, SourceFile, Syntax, display_path};
use crate::syntax::{self, Entry, Key, Node, Span, SyntaxError, Value};

/// The key of the node that stands for an opaque variable in the template; the CloudFormation
/// evaluator reads it as [`crate::model::Sym::External`].
pub const VARIABLE: &str = "Serverless::Variable";

/// How many variables deep a value may refer (`${self:a}` whose value is `${self:b}`, ...).
const MAX_DEPTH: usize = 32;
/// How many files a service may include.
const MAX_INCLUDES: usize = 256;
/// How many nodes resolution may produce in all: variables that fan out stop here.
const MAX_NODES: usize = 1_000_000;
/// How deep resolution may recurse, nesting and variables together: a value 200 levels deep
/// reached through variables from another 200 levels deep stops here, not at the end of the
/// thread's stack. The parsers' own nesting bound, so no resolved tree nests deeper than a
/// parsed one.
const MAX_LEVEL: usize = crate::syntax::MAX_DEPTH;

/// Whether a file is a Serverless Framework service file, by its name.
pub fn is_service_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| matches!(n, "serverless.yml" | "serverless.yaml" | "serverless.json"))
}

/// A file a service includes, with where its spans start in the service's template.
pub struct Fragment {
    pub file: SourceFile,
    pub base: usize,
    pub key: Option<FileKey>,
}

/// A service's CloudFormation: the template (spans past the service file's text lie in the
/// fragments), the files it includes, and the problems met (with spans of the template).
pub struct Service {
    pub root: Node,
    pub fragments: Vec<Fragment>,
    pub issues: Vec<SyntaxError>,
}

/// Where included files are looked for and how they are named.
pub struct Context<'a> {
    /// The service file as found.
    pub path: &'a Path,
    /// The folder reports show paths relative to.
    pub cwd: &'a Path,
    /// The scanned roots: files outside them are never read. `None`: no file is read.
    pub roots: Option<&'a Roots>,
}

/// The CloudFormation of a parsed service file, or `None` when it has no `resources`.
pub fn read(ctx: &Context, text_len: usize, service: &Node) -> Option<Service> {
    let resources = service.get("resources")?;
    let resolver = Resolver {
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
    };
    let resolved = resolver.resolve(resources, 0);
    let mut issues = Vec::new();
    let root = match resolved.value {
        Value::Seq(items) => {
            let mut merged = Node::new(Value::Map(Vec::new()), resolved.span);
            for item in items {
                match item.value {
                    // One that could not be resolved has its error already.
                    _ if is_opaque(&item) => {
                        if !resolver.issues.borrow().iter().any(|i| i.span == item.span) {
                            issues.push(SyntaxError::new(
                                "this element of `resources` is filled in at deploy time: its resources are not checked",
                                item.span,
                            ));
                        }
                    }
                    Value::Map(_) => merge(&mut merged, item),
                    Value::Null => {}
                    _ => issues.push(SyntaxError::new(
                        "this element of `resources` is not a map of CloudFormation sections: its resources are not checked",
                        item.span,
                    )),
                }
            }
            merged
        }
        Value::Map(_) if !is_opaque(&resolved) => resolved,
        Value::Null => Node::new(Value::Map(Vec::new()), resolved.span),
        _ => {
            let what = if is_opaque(&resolved) {
                "is filled in at deploy time"
            } else {
                "is not a map of CloudFormation sections"
            };
            issues.push(SyntaxError::new(
                format!("`resources` {what}: its resources are not checked"),
                resolved.span,
            ));
            Node::new(Value::Map(Vec::new()), resolved.span)
        }
    };
    issues.extend(resolver.issues.take());
    let fragments = resolver.files.take().into_iter().filter_map(|f| f.fragment).collect();
    Some(Service { root, fragments, issues })
}

/// Deep merge as lodash's `_.merge`, which the Framework uses for a `resources` list: maps key
/// by key, lists index by index, and otherwise the later value.
fn merge(into: &mut Node, from: Node) {
    match (&mut into.value, from.value) {
        (Value::Map(entries), Value::Map(more)) => {
            // By an index of the keys: two elements of thousands of resources each stay linear.
            let mut at: HashMap<Key, usize> =
                entries.iter().enumerate().map(|(i, e)| (e.key.clone(), i)).collect();
            for e in more {
                match at.get(&e.key) {
                    Some(&i) => merge(&mut entries[i].value, e.value),
                    None => {
                        at.insert(e.key.clone(), entries.len());
                        entries.push(e);
                    }
                }
            }
        }
        (Value::Seq(items), Value::Seq(more)) => {
            for (i, n) in more.into_iter().enumerate() {
                match items.get_mut(i) {
                    Some(x) => merge(x, n),
                    None => items.push(n),
                }
            }
        }
        (_, value) => *into = Node::new(value, from.span),
    }
}

/// An included file: its parsed tree (spans shifted), or why it could not be read.
struct Included {
    root: Result<Rc<Node>, String>,
    fragment: Option<Fragment>,
}

struct Resolver<'a> {
    ctx: &'a Context<'a>,
    service: &'a Node,
    dir: PathBuf,
    next_base: Cell<usize>,
    files: RefCell<Vec<Included>>,
    by_path: RefCell<HashMap<PathBuf, usize>>,
    issues: RefCell<Vec<SyntaxError>>,
    /// The issues so far, each once.
    issued: RefCell<std::collections::HashSet<(Span, String)>>,
    nodes: Cell<usize>,
    /// How deep [`Resolver::resolve`] is in itself.
    level: Cell<usize>,
    /// The `self:` addresses and files being resolved, innermost last: one met again is a cycle.
    active: RefCell<Vec<String>>,
}

/// What one variable resolves to.
enum Resolved {
    Node(Node),
    /// Filled in at deploy time: the variable's text.
    Opaque,
    /// Not found (a missing `self:` address or file): the next fallback is tried.
    Missing(String),
}

impl Resolver<'_> {
    /// A problem at a place, once: a value referred to from many places is resolved each time.
    fn issue(&self, message: impl Into<String>, span: Span) {
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
    fn resolve(&self, node: &Node, depth: usize) -> Node {
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
    fn walk(&self, root: &Node, address: &str, what: &str, depth: usize) -> Resolved {
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

    /// `${file(path):address}`: a value of an included file, resolved in turn.
    fn file_value(&self, path: &str, address: &str, span: Span, depth: usize) -> Resolved {
        // A script is run by the Framework (and often not committed): its values are filled in
        // at deploy time.
        if is_script(Path::new(path)) {
            return Resolved::Opaque;
        }
        let index = match self.include(path) {
            Ok(index) => index,
            Err(why) => return Resolved::Missing(why),
        };
        let root = match &self.files.borrow()[index].root {
            Ok(root) => Rc::clone(root),
            Err(why) => return Resolved::Missing(why.clone()),
        };
        let key = format!("file({path}):{address}");
        if self.active.borrow().contains(&key) {
            self.issue(format!("`${{{key}}}` includes itself: the value is not checked"), span);
            return Resolved::Opaque;
        }
        self.active.borrow_mut().push(key);
        let value = self.walk(&root, address, &format!("`{path}`"), depth + 1);
        self.active.borrow_mut().pop();
        value
    }

    /// Reads and parses an included file once, inside the scanned roots only.
    fn include(&self, path: &str) -> Result<usize, String> {
        let full = self.dir.join(path);
        let canonical = std::fs::canonicalize(&full).map_err(|e| format!("`{path}` cannot be read: {e}"))?;
        if let Some(&i) = self.by_path.borrow().get(&canonical) {
            return Ok(i);
        }
        let Some(roots) = self.ctx.roots else {
            return Err(format!("`{path}` is not read when scanning text"));
        };
        if !roots.hold(&canonical) {
            return Err(format!("`{path}` lies outside the scanned folders and is not read"));
        }
        if self.files.borrow().len() >= MAX_INCLUDES {
            return Err(format!("the service includes more than {MAX_INCLUDES} files"));
        }
        // The path that was checked, not `full`, whose links could lead elsewhere by now.
        let included = self.parse_file(&canonical, path);
        let mut files = self.files.borrow_mut();
        files.push(included);
        self.by_path.borrow_mut().insert(canonical, files.len() - 1);
        Ok(files.len() - 1)
    }

    fn parse_file(&self, full: &Path, path: &str) -> Included {
        let failed = |why: String| Included { root: Err(why), fragment: None };
        let extension = full.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
        let bytes = match read::read_file(full) {
            Ok(b) => b,
            Err(e) => return failed(format!("`{path}`: {e}")),
        };
        let origin = Origin {
            path: full.to_path_buf(),
            len: bytes.bytes.len(),
            fingerprint: read::fingerprint(&bytes.bytes),
        };
        let key = bytes.key;
        let text = match read::decode(bytes.bytes) {
            Ok(d) => d.text,
            Err(bad) => return failed(format!("`{path}` is not valid {}", bad.encoding)),
        };
        let parsed = match extension.as_str() {
            "yml" | "yaml" => syntax::yaml::parse(&text),
            "json" => syntax::json::parse(&text),
            _ => {
                return failed(format!("`{path}` is not YAML or JSON"));
            }
        };
        let base = self.next_base.get();
        self.next_base.set(base + text.len() + 1);
        let display = display_path(full, self.ctx.cwd);
        let (root, issues) = match parsed {
            Ok(p) => (Ok(p.root), p.issues),
            Err(e) => (Err(format!("`{path}` cannot be parsed: {}", e.message)), vec![e]),
        };
        let mut file = match &root {
            Ok(root) => crate::load::with_markers(&display, text, root),
            Err(_) => SourceFile::new(display, text),
        };
        file.origin = Some(origin);
        file.syntax = if extension == "json" { Syntax::Json } else { Syntax::Yaml };
        for e in issues {
            self.issue(e.message, shifted(e.span, base));
        }
        let root = root.map(|mut r| {
            shift(&mut r, base);
            Rc::new(r)
        });
        Included { root, fragment: Some(Fragment { file, base, key }) }
    }
}

/// A file the Framework runs rather than reads.
fn is_script(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| matches!(e, "js" | "cjs" | "mjs" | "ts"))
}

fn shifted(span: Span, base: usize) -> Span {
    Span::new(span.start + base, span.end + base)
}

fn shift(node: &mut Node, base: usize) {
    node.span = shifted(node.span, base);
    match &mut node.value {
        Value::Seq(items) => items.iter_mut().for_each(|n| shift(n, base)),
        Value::Map(entries) => {
            for e in entries {
                e.key_span = shifted(e.key_span, base);
                shift(&mut e.value, base);
            }
        }
        _ => {}
    }
}

fn entry(key: &str, span: Span, value: Node) -> Entry {
    Entry { key: Key::from(key), key_span: span, value }
}

fn pseudo(name: &str, span: Span) -> Node {
    Node::new(Value::Map(vec![entry("Ref", span, Node::new(Value::String(name.to_string()), span))]), span)
}

/// Whether a node stands for a variable filled in at deploy time.
fn is_opaque(node: &Node) -> bool {
    node.single_entry().is_some_and(|e| e.key == VARIABLE)
}

enum Piece {
    Text(String),
    /// What is between `${` and its `}`.
    Variable(String),
}

/// A string cut into text and Framework variables. `${...}` that is not a Framework variable
/// (no source: `${AWS::Region}`, `${Pool}`, `${cognito-identity.amazonaws.com:sub}` is one) stays
/// text; `\${` is an escape.
fn pieces(s: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut rest = s;
    while let Some(at) = rest.find("${") {
        if rest[..at].ends_with('\\') {
            text.push_str(&rest[..at - 1]);
            text.push_str("${");
            rest = &rest[at + 2..];
            continue;
        }
        text.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        let Some(end) = closing(after) else {
            text.push_str(&rest[at..]);
            rest = "";
            break;
        };
        let content = &after[..end];
        if is_variable(content) {
            if !text.is_empty() {
                out.push(Piece::Text(std::mem::take(&mut text)));
            }
            out.push(Piece::Variable(content.to_string()));
        } else {
            text.push_str(&rest[at..at + 2 + end + 1]);
        }
        rest = &after[end + 1..];
    }
    text.push_str(rest);
    if !text.is_empty() {
        out.push(Piece::Text(text));
    }
    out
}

/// Where the `}` closing a variable is, counting nested `${`.
fn closing(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'$' if bytes.get(i + 1) == Some(&b'{') => {
                depth += 1;
                i += 1;
            }
            b'}' if depth == 0 => return Some(i),
            b'}' => depth -= 1,
            _ => {}
        }
        i += 1;
    }
    None
}

/// Whether `${content}` is a Framework variable: a source name (a lower-case letter first)
/// followed by `:` or `(`, and no `::` (CloudFormation's pseudo parameters).
fn is_variable(content: &str) -> bool {
    let first = split_top_level(content).into_iter().next().unwrap_or("").trim();
    if first.contains("::") || !first.starts_with(|c: char| c.is_ascii_lowercase()) {
        return false;
    }
    let name_end = first.find([':', '(']).unwrap_or(first.len());
    let name = &first[..name_end];
    name_end < first.len() && name.chars().all(|c| c.is_ascii_alphanumeric()) && !name.contains('.')
}

/// The comma-separated fallbacks of a variable, outside quotes, parentheses and nested `${}`.
fn split_top_level(content: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut quote, mut start) = (0i32, None::<char>, 0);
    for (i, c) in content.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(' | '{') => depth += 1,
            (None, ')' | '}') => depth -= 1,
            (None, ',') if depth == 0 => {
                out.push(&content[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&content[start..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<String> {
        pieces(s)
            .into_iter()
            .map(|p| match p {
                Piece::Text(t) => format!("T:{t}"),
                Piece::Variable(v) => format!("V:{v}"),
            })
            .collect()
    }

    #[test]
    fn variables_are_told_from_cloudformation_placeholders() {
        assert_eq!(texts("${self:custom.stage}-pool"), ["V:self:custom.stage", "T:-pool"]);
        assert_eq!(
            texts("arn:${AWS::Partition}:s3:::${Bucket}/${cognito-identity.amazonaws.com:sub}"),
            ["T:arn:${AWS::Partition}:s3:::${Bucket}/${cognito-identity.amazonaws.com:sub}"]
        );
        assert_eq!(texts("${self:custom.${opt:stage}}"), ["V:self:custom.${opt:stage}"]);
        assert_eq!(texts("${opt:stage, 'dev'}"), ["V:opt:stage, 'dev'"]);
        assert_eq!(texts("${file(resources/a.yml):Resources}"), ["V:file(resources/a.yml):Resources"]);
        assert_eq!(texts(r"\${self:x}"), ["T:${self:x}"]);
        assert_eq!(texts("${self:x"), ["T:${self:x"]);
    }

    #[test]
    fn fallbacks_split_outside_quotes_and_calls() {
        assert_eq!(
            split_top_level("opt:stage, self:provider.stage, 'a,b'"),
            ["opt:stage", " self:provider.stage", " 'a,b'"]
        );
        assert_eq!(split_top_level("file(a,b.yml):x, null"), ["file(a,b.yml):x", " null"]);
    }

    #[test]
    fn merge_is_deep_and_later_scalars_win() {
        let a = syntax::yaml::parse("Resources:\n  R:\n    Type: A\n    Properties: {X: 1, L: [a, b]}\n")
            .unwrap()
            .root;
        let b = syntax::yaml::parse("Resources:\n  R:\n    Properties: {X: 2, L: [c]}\n  S: {Type: B}\n")
            .unwrap()
            .root;
        let mut m = a;
        merge(&mut m, b);
        let r = m.get("Resources").and_then(|r| r.get("R")).unwrap();
        assert_eq!(r.get("Type").and_then(Node::as_str), Some("A"));
        let p = r.get("Properties").unwrap();
        assert_eq!(p.get("X").and_then(Node::scalar_text).as_deref(), Some("2"));
        let l: Vec<_> = p.get("L").and_then(Node::as_seq).unwrap().iter().filter_map(Node::as_str).collect();
        assert_eq!(l, ["c", "b"]);
        assert!(m.get("Resources").and_then(|r| r.get("S")).is_some());
    }
}
