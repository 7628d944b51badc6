//! Terraform source (`.tf`, HCL native syntax) into the spanned [`Node`] tree.
//!
//! hcl-edit parses; this layer re-encodes its tree in the crate's one node type, with a byte span
//! on every key and value, so the Terraform front end reads blocks and expressions the way the
//! CloudFormation one reads templates. HCL constructs that have no JSON counterpart become maps
//! with a single `tf::` key:
//!
//! | HCL                                | Node                                                       |
//! |------------------------------------|------------------------------------------------------------|
//! | body (file, block)                 | `Map` of its attributes and blocks, in source order        |
//! | `key = expr`                       | entry `key` → the expression                               |
//! | `type "l1" l2 { .. }` (may repeat) | entry `type` → `Map { tf::labels: Seq[String], ..body }`   |
//! | `null`, `true`, `1.5e3`, `"text"`  | `Null`, `Bool`, `Number` (as written), `String` (unescaped) |
//! | `[..]`, `{ k = v }`                | `Seq`, `Map` (keys other than names and strings as written) |
//! | `a.b[0]["k"][*].c`, `var.x`        | `Map { tf::ref: String }` normalised; other indexes `[?]`   |
//! | `"x-${e}"`, heredoc with `${e}`    | `Map { tf::template: Seq[String("x-"), e] }`               |
//! | heredoc without `${}`              | `String`, `<<-` indentation stripped; spans the content    |
//! | `f(a)`, `provider::p::f(a)`        | `Map { tf::call: Seq[String(name), a] }`                   |
//! | `c ? a : b`                        | `Map { tf::cond: Seq[c, a, b] }`                           |
//! | `(e)`                              | the node of `e`                                            |
//! | `%{ if c }a%{ else }b%{ endif }`   | `Map { tf::cond: Seq[c, a, b] }`, in a template's parts    |
//! | `%{ for k, v in c }b%{ endfor }`   | `Map { tf::for: Seq[String(k) or Null, String(v), c, b] }` |
//! | `==` `!=` `<` `<=` `>` `>=` `&&` `\|\|` | `Map { tf::compare: Seq[String(op), a, b] }`               |
//! | `!a`                               | `Map { tf::compare: Seq[String("!"), a] }`                 |
//! | arithmetic, `-a`, `for`, `f(a...)` | `Map { tf::unknown: String(source text) }`                 |
//!
//! A `tf::` map's key span is the span of the whole construct. Duplicate attributes in one body
//! and duplicate keys in one object are kept and reported as issues.

mod scan;
mod template;
#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::collections::HashSet;
use std::ops::Range;

use hcl_edit::Span as _;
use hcl_edit::expr::{
    BinaryOperator, Expression, FuncCall, Object, ObjectKey, Traversal, TraversalOperator, UnaryOperator,
};
use hcl_edit::parser::{Error as HclError, parse_body, parse_expr};
use hcl_edit::structure::{Block, BlockLabel, Body, Structure};

use super::{Entry, MAX_DEPTH, Node, Parsed, Span, SyntaxError, Value, report_duplicate_keys};

/// The key of a block's labels, the first entry of every block map.
pub(crate) const LABELS: &str = "tf::labels";
/// The key of a reference (traversal or variable).
pub(crate) const REF: &str = "tf::ref";
/// The key of a string template with interpolations.
pub(crate) const TEMPLATE: &str = "tf::template";
/// The key of a function call.
pub(crate) const CALL: &str = "tf::call";
/// The key of a conditional expression, and of a template's `%{ if }` directive.
pub(crate) const COND: &str = "tf::cond";
/// The key of a template's `%{ for k, v in coll }body%{ endfor }` directive:
/// `Seq[String(k) or Null, String(v), coll, body]`.
pub(crate) const FOR: &str = "tf::for";
/// The key of a comparison or a logical operation (`a == b`, `a != b`, `<`, `<=`, `>`, `>=`,
/// `a && b`, `a || b`): `Seq[String(operator), a, b]`; and of `!a`: `Seq[String("!"), a]`.
pub(crate) const COMPARE: &str = "tf::compare";
/// The key of anything else, holding its source text.
pub(crate) const UNKNOWN: &str = "tf::unknown";

/// Most duplicate keys one file may have: each costs a re-parse.
const MAX_DUPLICATE_KEYS: usize = 64;
/// Stack of the parsing thread: four times what the deepest input hcl-edit accepts needs in a
/// debug build (64 nested `for` expressions, about 2 MiB).
const PARSER_STACK: usize = 8 << 20;

/// Parses one Terraform file; a leading UTF-8 byte order mark is skipped.
///
/// # Errors
///
/// The first syntax error hcl-edit reports (with its byte offset), nesting deeper than
/// [`MAX_DEPTH`] (checked before parsing) or than hcl-edit's own limit of 64 levels, objects
/// too large for hcl-edit's duplicate-key check (also checked before parsing), and more than a
/// few dozen duplicate keys.
pub fn parse(text: &str) -> Result<Parsed, SyntaxError> {
    scan::check_bounds(text)?;
    // hcl-edit stops at 64 levels of its own counting (which sees heredocs, directives and
    // operators the pre-scan does not), but 64 levels of `for` expressions take over 2 MiB of
    // stack in a debug build, so it runs on a thread of its own with room to spare. A panic in
    // hcl-edit becomes an error there too.
    std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .name("hcl-parse".to_owned())
            .stack_size(PARSER_STACK)
            .spawn_scoped(scope, || parse_unbounded(text));
        match worker {
            Ok(handle) => handle.join().unwrap_or_else(|_| {
                Err(SyntaxError::new("the HCL parser failed on this file", Span::new(0, 0)))
            }),
            // Without a thread, release builds still fit hcl-edit's limit in a normal stack.
            Err(_) => parse_unbounded(text),
        }
    })
}

/// [`parse`] after the nesting check, on whatever stack it is called.
fn parse_unbounded(text: &str) -> Result<Parsed, SyntaxError> {
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    // hcl-edit only parses what it accepts: a byte order mark and duplicate keys are overwritten
    // in a working copy with text of the same length, so its spans stay spans of `text`.
    let mut work = Cow::Borrowed(text);
    if bom > 0 {
        work = Cow::Owned(format!("   {}", &text[bom..]));
    }
    let mut renamer: Option<scan::KeyRenamer> = None;
    let body = loop {
        let error = match parse_body(&work) {
            Ok(body) => break body,
            Err(error) => error,
        };
        let at = error_offset(&work, &error);
        if !is_redefinition(&error) {
            let (at, mut message) = refine_error(&work, at, error.message());
            if let Some(hint) = legacy_block_hint(&work, at) {
                message = format!("{message}: {hint}");
            }
            return Err(SyntaxError::new(message, char_span(text, at)));
        }
        let renamer = renamer.get_or_insert_with(|| scan::KeyRenamer::new(text));
        if renamer.renamed.len() >= MAX_DUPLICATE_KEYS || !renamer.rename(work.to_mut(), at) {
            return Err(duplicate_error(text, at, &error));
        }
    };
    let renamed = renamer.map(|r| r.renamed).unwrap_or_default();
    let mut converter = Converter { text, renamed: &renamed, issues: Vec::new() };
    let root = converter.body(&body, Span::new(bom, text.len()), 0)?;
    let mut issues = converter.issues;
    issues.sort_by_key(|issue| issue.span.start);
    Ok(Parsed { root, issues })
}

/// hcl-edit gives up on a whole attribute when its value does not parse and reports the error
/// at the attribute's name (or a block's `}` expected there); parsing the value alone finds the
/// place inside it.
fn refine_error(work: &str, at: usize, message: &str) -> (usize, String) {
    let rest = work.get(at..).unwrap_or_default();
    let name_len = rest.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-')).unwrap_or(rest.len());
    let after_name = rest[name_len..].trim_start_matches([' ', '\t']);
    let is_attribute = name_len > 0
        && after_name.starts_with('=')
        && !after_name.starts_with("==")
        && !rest.starts_with(|c: char| c.is_ascii_digit() || c == '-');
    if is_attribute {
        let value_start = work.len() - after_name.len() + 1;
        let value = work[value_start..].trim_start_matches([' ', '\t']);
        let value_start = work.len() - value.len();
        if let Err(error) = parse_expr(value) {
            return (value_start + error_offset(value, &error), error.message().to_owned());
        }
    }
    (at, message.to_owned())
}

/// Terraform 0.11 wrote maps as blocks with quoted keys (`roles { "authenticated" = … }`),
/// which HCL 2 refuses at the first quote: the form that replaced it, named after the block.
fn legacy_block_hint(work: &str, at: usize) -> Option<String> {
    let rest = work.get(at..).filter(|rest| rest.starts_with('"'))?;
    let key_len = rest[1..].find('"')? + 2;
    if !rest[key_len..].trim_start_matches([' ', '\t']).starts_with('=') {
        return None;
    }
    let before = work.get(..at)?.trim_end();
    let before = before.strip_suffix('{')?.trim_end();
    let name_start =
        before.rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-')).map_or(0, |i| i + 1);
    let name = &before[name_start..];
    if name.is_empty() {
        return None;
    }
    let key = &rest[..key_len];
    Some(format!(
        "this is Terraform 0.11 block syntax, which Terraform 0.12 and later refuse; write the map \
         as an argument: `{name} = {{ {key} = … }}`"
    ))
}

/// hcl-edit refuses a second attribute or object key of the same name.
fn is_redefinition(error: &HclError) -> bool {
    let message = error.message();
    message.contains("redefined attribute") || message.contains("redefined object key")
}

/// The error for a duplicate key that could not be renamed away.
fn duplicate_error(text: &str, at: usize, error: &HclError) -> SyntaxError {
    let what = if error.message().contains("attribute") { "attribute" } else { "key" };
    let key: String = text
        .get(at..)
        .unwrap_or_default()
        .chars()
        .take_while(|&c| c.is_alphanumeric() || c == '_' || c == '-')
        .collect();
    let end = at + key.len();
    SyntaxError::new(format!("duplicate {what} `{key}`"), Span::new(at, end.max(at)))
}

/// The byte offset of an hcl-edit error in `work`, the text it parsed.
///
/// `Location::offset` is a byte offset but clamped to the last byte; the column (characters, or
/// bytes when the clamped offset splits a character) carries the rest, as in hcl-edit's
/// `locate_error`, so the clamp is undone from it.
fn error_offset(work: &str, error: &HclError) -> usize {
    let Some(last) = work.len().checked_sub(1) else { return 0 };
    let location = error.location();
    let clamped = location.offset().min(last);
    let line_begin = work.as_bytes()[..clamped].iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    let counted =
        work.get(line_begin..=clamped).map_or(clamped - line_begin + 1, |line| line.chars().count());
    let beyond = location.column().saturating_sub(counted);
    floor_char_boundary(work, clamped.saturating_add(beyond))
}

/// The span of the character at `at` (empty at the end of the input).
fn char_span(text: &str, at: usize) -> Span {
    let at = floor_char_boundary(text, at);
    let len = text[at..].chars().next().map_or(0, char::len_utf8);
    Span::new(at, at + len)
}

fn floor_char_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// Walks hcl-edit's tree; everything textual is read from the original source through spans,
/// since the parsed copy may have renamed keys.
struct Converter<'a> {
    text: &'a str,
    /// Start offsets of keys renamed in the parsed copy.
    renamed: &'a [usize],
    issues: Vec<SyntaxError>,
}

impl<'a> Converter<'a> {
    /// A span from hcl-edit, clamped onto the source and its character boundaries.
    fn span(&self, range: Option<Range<usize>>) -> Span {
        let range = range.unwrap_or_default();
        let start = floor_char_boundary(self.text, range.start);
        Span::new(start, floor_char_boundary(self.text, range.end).max(start))
    }

    fn slice(&self, span: Span) -> &'a str {
        self.text.get(span.start..span.end).unwrap_or_default()
    }

    /// Counts a level of the tree; hcl-edit and the pre-scan bound the depth already, this keeps
    /// the converter safe on its own.
    fn enter(&self, depth: usize, span: Span) -> Result<usize, SyntaxError> {
        if depth >= MAX_DEPTH {
            let message = format!("nesting deeper than {MAX_DEPTH} levels");
            return Err(SyntaxError::new(message, span));
        }
        Ok(depth + 1)
    }

    fn body(&mut self, body: &Body, span: Span, depth: usize) -> Result<Node, SyntaxError> {
        let depth = self.enter(depth, span)?;
        let mut entries = Vec::with_capacity(body.len());
        self.body_entries(body, depth, &mut entries)?;
        Ok(Node::new(Value::Map(entries), span))
    }

    fn body_entries(
        &mut self,
        body: &Body,
        depth: usize,
        entries: &mut Vec<Entry>,
    ) -> Result<(), SyntaxError> {
        let mut attributes = HashSet::new();
        for structure in body.iter() {
            match structure {
                Structure::Attribute(attribute) => {
                    let key_span = self.span(attribute.key.span());
                    let key = self.slice(key_span);
                    if !attributes.insert(key) {
                        let message = format!("duplicate attribute `{key}`");
                        self.issues.push(SyntaxError::new(message, key_span));
                    }
                    let value = self.expr(&attribute.value, depth)?;
                    entries.push(Entry { key: key.into(), key_span, value });
                }
                Structure::Block(block) => {
                    let key_span = self.span(block.ident.span());
                    let value = self.block(block, depth)?;
                    entries.push(Entry { key: block.ident.as_str().into(), key_span, value });
                }
            }
        }
        Ok(())
    }

    /// `Map { tf::labels: [..], ..body }`, spanning the whole block.
    fn block(&mut self, block: &Block, depth: usize) -> Result<Node, SyntaxError> {
        let span = self.span(block.span());
        let depth = self.enter(depth, span)?;
        let labels: Vec<Node> = block
            .labels
            .iter()
            .map(|label| {
                let text = match label {
                    BlockLabel::Ident(ident) => ident.as_str(),
                    BlockLabel::String(string) => string.as_str(),
                };
                Node::new(Value::String(text.to_owned()), self.span(label.span()))
            })
            .collect();
        let labels_span = match (labels.first(), labels.last()) {
            (Some(first), Some(last)) => Span::new(first.span.start, last.span.end),
            _ => self.span(block.ident.span()),
        };
        let mut entries = Vec::with_capacity(block.body.len() + 1);
        entries.push(Entry {
            key: LABELS.into(),
            key_span: labels_span,
            value: Node::new(Value::Seq(labels), labels_span),
        });
        self.body_entries(&block.body, depth, &mut entries)?;
        Ok(Node::new(Value::Map(entries), span))
    }

    fn expr(&mut self, expr: &Expression, depth: usize) -> Result<Node, SyntaxError> {
        let span = self.span(expr.span());
        let depth = self.enter(depth, span)?;
        let value = match expr {
            Expression::Null(_) => Value::Null,
            Expression::Bool(b) => Value::Bool(*b.value()),
            Expression::Number(_) => {
                // `- 1` is one number token to hcl-edit.
                Value::Number(self.slice(span).chars().filter(|c| !c.is_whitespace()).collect())
            }
            Expression::String(s) => Value::String(s.value().clone()),
            Expression::Array(array) => {
                Value::Seq(array.iter().map(|item| self.expr(item, depth)).collect::<Result<_, _>>()?)
            }
            Expression::Object(object) => return self.object(object, span, depth),
            Expression::StringTemplate(template) => return self.string_template(template, span, depth),
            Expression::HeredocTemplate(heredoc) => return self.heredoc(heredoc, span, depth),
            Expression::Parenthesis(inner) => return self.expr(inner.inner(), depth),
            Expression::Variable(name) => return Ok(tagged(REF, span, string(name.as_str(), span))),
            Expression::Traversal(traversal) => return Ok(self.traversal(traversal, span)),
            Expression::FuncCall(call) => return self.call(call, span, depth),
            Expression::Conditional(cond) => {
                let parts = [&cond.cond_expr, &cond.true_expr, &cond.false_expr];
                let parts = parts.into_iter().map(|part| self.expr(part, depth)).collect::<Result<_, _>>()?;
                return Ok(tagged(COND, span, Node::new(Value::Seq(parts), span)));
            }
            Expression::BinaryOp(op) if is_comparison(*op.operator.value()) => {
                let operator = string(op.operator.value().as_str(), span);
                let parts = vec![operator, self.expr(&op.lhs_expr, depth)?, self.expr(&op.rhs_expr, depth)?];
                return Ok(tagged(COMPARE, span, Node::new(Value::Seq(parts), span)));
            }
            Expression::UnaryOp(op) if *op.operator.value() == UnaryOperator::Not => {
                let parts = vec![string("!", span), self.expr(&op.expr, depth)?];
                return Ok(tagged(COMPARE, span, Node::new(Value::Seq(parts), span)));
            }
            Expression::UnaryOp(_) | Expression::BinaryOp(_) | Expression::ForExpr(_) => {
                return Ok(self.unknown(span));
            }
        };
        Ok(Node::new(value, span))
    }

    fn object(&mut self, object: &Object, span: Span, depth: usize) -> Result<Node, SyntaxError> {
        let mut entries = Vec::with_capacity(object.len());
        for (key, value) in object.iter() {
            let key_span = self.span(key.span());
            let key = self.object_key(key, key_span);
            let value = self.expr(value.expr(), depth)?;
            entries.push(Entry { key: key.into(), key_span, value });
        }
        report_duplicate_keys(&entries, &mut self.issues);
        Ok(Node::new(Value::Map(entries), span))
    }

    /// An identifier or a string key's text; any other expression as written.
    fn object_key(&self, key: &ObjectKey, span: Span) -> String {
        let written = self.slice(span);
        if self.renamed.contains(&span.start) {
            // The parsed copy holds a made-up name: read the original key again.
            return match parse_expr(written) {
                Ok(Expression::String(s)) => s.value().clone(),
                _ => written.to_owned(),
            };
        }
        match key {
            ObjectKey::Ident(ident) => ident.as_str().to_owned(),
            ObjectKey::Expression(Expression::String(s)) => s.value().clone(),
            ObjectKey::Expression(_) => written.to_owned(),
        }
    }

    /// `Map { tf::ref: "root.attr[0][\"k\"][*]" }`; a traversal of anything but a variable
    /// (`f(x).y`) is unknown.
    fn traversal(&self, traversal: &Traversal, span: Span) -> Node {
        let Expression::Variable(root) = &traversal.expr else { return self.unknown(span) };
        let mut path = root.as_str().to_owned();
        for operator in &traversal.operators {
            match operator.value() {
                TraversalOperator::GetAttr(name) => {
                    path.push('.');
                    path.push_str(name.as_str());
                }
                TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => path.push_str("[*]"),
                TraversalOperator::LegacyIndex(index) => path.push_str(&format!("[{}]", index.value())),
                TraversalOperator::Index(index) => self.push_index(&mut path, index),
            }
        }
        tagged(REF, span, string(&path, span))
    }

    fn push_index(&self, path: &mut String, index: &Expression) {
        match index {
            Expression::Number(_) => {
                let written = self.slice(self.span(index.span()));
                path.push('[');
                path.extend(written.chars().filter(|c| !c.is_whitespace()));
                path.push(']');
            }
            Expression::String(key) => {
                path.push_str("[\"");
                for c in key.value().chars() {
                    if c == '"' || c == '\\' {
                        path.push('\\');
                    }
                    path.push(c);
                }
                path.push_str("\"]");
            }
            _ => path.push_str("[?]"),
        }
    }

    /// `Map { tf::call: [name, args..] }`; a namespaced name keeps its `::` separators. A call
    /// that spreads its last argument (`merge(var.maps...)`) has no fixed arguments: unknown.
    fn call(&mut self, call: &FuncCall, span: Span, depth: usize) -> Result<Node, SyntaxError> {
        if call.args.expand_final() {
            return Ok(self.unknown(span));
        }
        let name = &call.name;
        let first = name.namespace.first().unwrap_or(&name.name);
        let (start, end) = (self.span(first.span()).start, self.span(name.name.span()).end);
        let name_span = Span::new(start, end.max(start));
        let mut full = String::new();
        for part in &name.namespace {
            full.push_str(part.as_str());
            full.push_str("::");
        }
        full.push_str(name.name.as_str());
        let mut items = vec![string(&full, name_span)];
        for arg in call.args.iter() {
            items.push(self.expr(arg, depth)?);
        }
        Ok(tagged(CALL, span, Node::new(Value::Seq(items), span)))
    }

    fn unknown(&self, span: Span) -> Node {
        tagged(UNKNOWN, span, string(self.slice(span), span))
    }
}

/// The operators `tf::compare` holds: comparisons and the logical ones.
fn is_comparison(op: BinaryOperator) -> bool {
    use BinaryOperator::*;
    matches!(op, Eq | NotEq | Less | LessEq | Greater | GreaterEq | And | Or)
}

fn string(text: &str, span: Span) -> Node {
    Node::new(Value::String(text.to_owned()), span)
}

/// A single-entry map `{ key: value }` standing for an HCL construct at `span`.
fn tagged(key: &str, span: Span, value: Node) -> Node {
    Node::new(Value::Map(vec![Entry { key: key.into(), key_span: span, value }]), span)
}
