//! Policy documents as Terraform writes them, turned into the node shape `frontend::policy::read_policy`
//! reads: `data "aws_iam_policy_document"` blocks (statement, principals, condition), and JSON
//! text in strings or heredocs whose `${…}` interpolations become `tf::ref`/`tf::template`
//! nodes with their own spans.

use std::collections::HashMap;

use crate::syntax::{Entry, Node, Span, Value};

use super::blocks;

/// Reads a block attribute (`test`, `variable`, `type`) as text, through references and
/// templates; `?` when it cannot be known.
type Text<'e> = &'e dyn Fn(&Node) -> Option<String>;

/// The policy document a `data "aws_iam_policy_document"` body describes.
pub(crate) fn from_document_block(body: &Node, text: Text) -> Node {
    let statements: Vec<Node> = blocks(body, "statement").into_iter().map(|s| statement(s, text)).collect();
    let key = Entry {
        key: "Statement".into(),
        key_span: body.span,
        value: Node::new(Value::Seq(statements), body.span),
    };
    Node::new(Value::Map(vec![key]), body.span)
}

fn entry(key: &str, key_span: Span, value: Node) -> Entry {
    Entry { key: key.into(), key_span, value }
}

fn statement(block: &Node, text: Text) -> Node {
    let mut out = Vec::new();
    let effect =
        block.get("effect").cloned().unwrap_or_else(|| Node::new(Value::String("Allow".into()), block.span));
    out.push(entry("Effect", effect.span, effect));
    for (tf, iam) in [
        ("sid", "Sid"),
        ("actions", "Action"),
        ("not_actions", "NotAction"),
        ("resources", "Resource"),
        ("not_resources", "NotResource"),
    ] {
        if let Some(e) = block.entry(tf) {
            out.push(entry(iam, e.key_span, e.value.clone()));
        }
    }
    for (tf, iam) in [("principals", "Principal"), ("not_principals", "NotPrincipal")] {
        out.extend(principals(block, tf, iam, text));
    }
    out.extend(conditions(block, text));
    Node::new(Value::Map(out), block.span)
}

/// The text of a node, or the key that stands for what is not known.
fn text_or_unknown(n: Option<&Node>, text: Text) -> String {
    n.and_then(text).unwrap_or_else(|| crate::model::UNKNOWN_KEY.to_string())
}

/// The `Principal` (or `NotPrincipal`) entry of a statement's `principals` blocks, if it has any.
fn principals(block: &Node, tf: &str, iam: &str, text: Text) -> Option<Entry> {
    let principals = blocks(block, tf);
    let first = principals.first()?;
    let entries: Vec<Entry> = principals
        .iter()
        .map(|p| {
            let kind = p.get("type");
            let span = kind.map_or(p.span, |k| k.span);
            let ids =
                p.get("identifiers").cloned().unwrap_or_else(|| Node::new(Value::Seq(Vec::new()), p.span));
            entry(&text_or_unknown(kind, text), span, ids)
        })
        .collect();
    let key_span = block.entry(tf).map_or(first.span, |e| e.key_span);
    // `type = "*"` is how the provider writes `Principal: "*"`.
    let value = if entries.iter().any(|e| e.key == "*") {
        Node::new(Value::String("*".into()), first.span)
    } else {
        Node::new(Value::Map(entries), first.span)
    };
    Some(entry(iam, key_span, value))
}

/// The `Condition` entry of a statement's `condition` blocks, grouped by operator, if it has any.
fn conditions(block: &Node, text: Text) -> Option<Entry> {
    let conditions = blocks(block, "condition");
    let first = conditions.first()?;
    let mut by_test: Vec<Entry> = Vec::new();
    // Each operator's entry in `by_test`, so that many condition blocks cost no scan each.
    let mut tests: HashMap<String, usize> = HashMap::new();
    for c in &conditions {
        let test = c.get("test");
        let variable = c.get("variable");
        let values = c.get("values").cloned().unwrap_or_else(|| Node::new(Value::Seq(Vec::new()), c.span));
        let key = entry(&text_or_unknown(variable, text), variable.map_or(c.span, |v| v.span), values);
        let test_text = text_or_unknown(test, text);
        match tests.get(&test_text).and_then(|&i| by_test.get_mut(i)) {
            Some(existing) => {
                if let Value::Map(keys) = &mut existing.value.value {
                    keys.push(key);
                }
            }
            None => {
                tests.insert(test_text.clone(), by_test.len());
                by_test.push(entry(
                    &test_text,
                    test.map_or(c.span, |t| t.span),
                    Node::new(Value::Map(vec![key]), c.span),
                ));
            }
        }
    }
    // The first `condition` block is where a reader looks for the conditions.
    let key_span = block
        .as_map()
        .and_then(|m| m.iter().find(|e| e.key == "condition"))
        .map_or(first.span, |e| e.key_span);
    Some(entry("Condition", key_span, Node::new(Value::Map(by_test), first.span)))
}

/// The policy document in JSON text: the source slice at `span` when it parses once its
/// interpolations are masked (a heredoc, so spans point into the file), else the text of a
/// quoted string (escapes decoded) with every span at the string.
pub(crate) fn from_json_text(source: &str, node: &Node) -> Option<Node> {
    let span = node.span;
    let raw = source.get(span.start..span.end)?;
    let regions = regions(source, span, &interpolations(node));
    if let Ok(parsed) = crate::syntax::json::parse(&mask(raw, span.start, &regions))
        && parsed.root.as_map().is_some()
    {
        let mut root = parsed.root;
        shift(&mut root, span.start);
        interpolate(&mut root, &regions);
        return Some(root);
    }
    let (decoded, exprs) = decoded(node)?;
    let mut root = crate::syntax::json::parse(&decoded).ok()?.root;
    flatten(&mut root, span);
    substitute_markers(&mut root, &exprs);
    Some(root)
}

/// The JSON document a template's text makes (each `${…}` its expression), every place of it
/// at the template's span: for a template whose spans are not those of a source text.
pub(crate) fn from_template(node: &Node) -> Option<Node> {
    let (decoded, exprs) = decoded(node)?;
    let mut root = crate::syntax::json::parse(&decoded).ok()?.root;
    flatten(&mut root, node.span);
    substitute_markers(&mut root, &exprs);
    Some(root)
}

/// One `${…}` of the source: the bytes from `$` to `}`, and the expression HCL parsed there.
struct Region<'n> {
    start: usize,
    end: usize,
    expr: &'n Node,
}

/// The expressions HCL parsed out of a template's `${…}`s, in source order.
fn interpolations(node: &Node) -> Vec<&Node> {
    let parts = node.get(crate::syntax::hcl::TEMPLATE).and_then(Node::as_seq).unwrap_or(&[]);
    let mut exprs: Vec<&Node> = parts.iter().filter(|p| p.as_str().is_none()).collect();
    exprs.sort_by_key(|e| e.span.start);
    exprs
}

/// Where each expression's `${…}` lies in `source`, within `span`.
fn regions<'n>(source: &str, span: Span, exprs: &[&'n Node]) -> Vec<Region<'n>> {
    let mut out: Vec<Region> = Vec::new();
    for expr in exprs {
        let floor = out.last().map_or(span.start, |r| r.end);
        let (Some(before), Some(after)) =
            (source.get(floor..expr.span.start), source.get(expr.span.end..span.end))
        else {
            continue;
        };
        let (Some(open), Some(close)) = (before.rfind("${"), after.find('}')) else { continue };
        out.push(Region { start: floor + open, end: expr.span.end + close + 1, expr });
    }
    out
}

/// `raw` (which starts at byte `base` of the source) with each region made JSON of the same
/// length: inside a JSON string its interior becomes `_`, elsewhere the region becomes a string
/// of `_`, so the document parses whatever the expressions hold and keeps its spans.
fn mask(raw: &str, base: usize, regions: &[Region]) -> String {
    let mut out = String::with_capacity(raw.len());
    let (mut in_string, mut escaped, mut at) = (false, false, 0);
    for region in regions {
        let (start, end) = (region.start - base, region.end - base);
        for c in raw[at..start].chars() {
            match c {
                _ if escaped => escaped = false,
                '\\' if in_string => escaped = true,
                '"' => in_string = !in_string,
                _ => {}
            }
        }
        out.push_str(&raw[at..start]);
        let filler = "_".repeat(end - start - 3);
        if in_string {
            out.push_str(&format!("${{{filler}}}"));
        } else {
            out.push_str(&format!("\"_{filler}\""));
        }
        at = end;
    }
    out.push_str(&raw[at..]);
    out
}

fn shift(node: &mut Node, by: usize) {
    node.span = Span::new(node.span.start + by, node.span.end + by);
    match &mut node.value {
        Value::Seq(items) => items.iter_mut().for_each(|n| shift(n, by)),
        Value::Map(entries) => {
            for e in entries {
                e.key_span = Span::new(e.key_span.start + by, e.key_span.end + by);
                shift(&mut e.value, by);
            }
        }
        _ => {}
    }
}

/// `node` with every place at `span`: for text whose places inside cannot be told apart.
pub(super) fn flatten(node: &mut Node, span: Span) {
    node.span = span;
    match &mut node.value {
        Value::Seq(items) => items.iter_mut().for_each(|n| flatten(n, span)),
        Value::Map(entries) => {
            for e in entries {
                e.key_span = span;
                flatten(&mut e.value, span);
            }
        }
        _ => {}
    }
}

/// Masked strings become the expressions HCL parsed: a whole region alone, or a template of
/// literal parts and expressions.
fn interpolate(node: &mut Node, regions: &[Region]) {
    match &mut node.value {
        Value::String(s) => {
            let (start, end) = (node.span.start, node.span.end);
            let first = regions.partition_point(|r| r.start < start);
            let inside: Vec<&Region> = regions[first..].iter().take_while(|r| r.end <= end).collect();
            match inside.as_slice() {
                [] if s.contains("$${") || s.contains("%%{") => *s = unescape_markers(s),
                [] => {}
                [only] if only.start == start && only.end == end => *node = only.expr.clone(),
                _ => {
                    // Inside the source, the string's text starts after its opening quote.
                    let text = s.clone();
                    *node = template(&text, start + 1, node.span, &inside);
                }
            }
        }
        Value::Seq(items) => items.iter_mut().for_each(|n| interpolate(n, regions)),
        Value::Map(entries) => entries.iter_mut().for_each(|e| interpolate(&mut e.value, regions)),
        _ => {}
    }
}

/// A string whose text starts at byte `base` of the source as literal parts and the
/// expressions of the regions inside it. JSON escapes before a region would shift it: then
/// the text is cut where the masked `${_…}`s are.
fn template(text: &str, base: usize, whole: Span, regions: &[&Region]) -> Node {
    let mut parts = Vec::new();
    let mut rest = 0;
    let mut regions = regions.iter();
    let mut from = 0;
    while let Some(open) = text[from..].find("${_").map(|i| from + i) {
        let Some(close) = text[open..].find('}').map(|i| open + i) else { break };
        let Some(region) = regions.next() else { break };
        if open > rest {
            let span = Span::new(base + rest, (base + open).max(base + rest));
            parts.push(Node::new(Value::String(unescape_markers(&text[rest..open])), span));
        }
        parts.push(region.expr.clone());
        rest = close + 1;
        from = rest;
    }
    if rest < text.len() {
        let span = Span::new(base + rest, whole.end.saturating_sub(1).max(base + rest));
        parts.push(Node::new(Value::String(unescape_markers(&text[rest..])), span));
    }
    let key = Entry {
        key: crate::syntax::hcl::TEMPLATE.into(),
        key_span: whole,
        value: Node::new(Value::Seq(parts), whole),
    };
    Node::new(Value::Map(vec![key]), whole)
}

/// Heredoc text as Terraform reads it: `$${` and `%%{` stand for `${` and `%{`.
fn unescape_markers(raw: &str) -> String {
    raw.replace("$${", "${").replace("%%{", "%{")
}

/// Marks an expression in [`decoded`] text: `#` cannot start an HCL expression.
const MARKER: &str = "${#";

/// The text of a quoted string (`"{\"Statement\": …}"`) or template, each interpolation written
/// as `${#N}`, with the expressions by `N`.
fn decoded(node: &Node) -> Option<(String, Vec<&Node>)> {
    if let Value::String(s) = &node.value {
        return Some((s.clone(), Vec::new()));
    }
    let parts = node.get(crate::syntax::hcl::TEMPLATE)?.as_seq()?;
    let (mut text, mut exprs) = (String::new(), Vec::new());
    for part in parts {
        match part.as_str() {
            Some(literal) => text.push_str(literal),
            None => {
                text.push_str(&format!("{MARKER}{}}}", exprs.len()));
                exprs.push(part);
            }
        }
    }
    Some((text, exprs))
}

/// Strings of decoded text holding `${#N}` markers become the expressions, or templates of them.
fn substitute_markers(node: &mut Node, exprs: &[&Node]) {
    match &mut node.value {
        Value::String(s) if s.contains(MARKER) => {
            let mut parts = Vec::new();
            let mut rest = s.as_str();
            while let Some(open) = rest.find(MARKER) {
                let after = &rest[open + MARKER.len()..];
                let Some(close) = after.find('}') else { break };
                let Some(expr) = after[..close].parse::<usize>().ok().and_then(|i| exprs.get(i)) else {
                    break;
                };
                if open > 0 {
                    parts.push(Node::new(Value::String(rest[..open].to_string()), node.span));
                }
                parts.push((*expr).clone());
                rest = &after[close + 1..];
            }
            if !rest.is_empty() {
                parts.push(Node::new(Value::String(rest.to_string()), node.span));
            }
            *node = match parts.as_slice() {
                [only] => only.clone(),
                _ => {
                    let value = Node::new(Value::Seq(parts), node.span);
                    let key = Entry { key: crate::syntax::hcl::TEMPLATE.into(), key_span: node.span, value };
                    Node::new(Value::Map(vec![key]), node.span)
                }
            };
        }
        Value::Seq(items) => items.iter_mut().for_each(|n| substitute_markers(n, exprs)),
        Value::Map(entries) => entries.iter_mut().for_each(|e| substitute_markers(&mut e.value, exprs)),
        _ => {}
    }
}

/// A `tf::ref` node for a plain reference, else `tf::unknown`.
pub fn reference(text: &str, span: Span) -> Node {
    let plain = !text.is_empty()
        && text.chars().all(|c| c.is_ascii_alphanumeric() || "_.-[]*\"".contains(c))
        && text.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
    let key = if plain { "tf::ref" } else { "tf::unknown" };
    let value = Node::new(Value::String(text.to_string()), span);
    Node::new(Value::Map(vec![Entry { key: key.into(), key_span: span, value }]), span)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heredoc_json_keeps_spans_and_turns_interpolations_into_refs() {
        let source = "p = <<EOT\n{\"Statement\": [{\"Condition\": {\"StringEquals\": {\"cognito-identity.amazonaws.com:aud\": \"${aws_cognito_identity_pool.main.id}\"}}}]}\nEOT\n";
        let root = crate::syntax::hcl::parse(source).expect("parses").root;
        let doc = from_json_text(source, root.get("p").expect("p")).expect("json");
        let aud = doc
            .get("Statement")
            .and_then(|s| s.as_seq())
            .and_then(|s| s[0].get("Condition"))
            .and_then(|c| c.get("StringEquals"))
            .and_then(|c| c.get("cognito-identity.amazonaws.com:aud"))
            .expect("aud");
        let parts = aud.get("tf::template").and_then(Node::as_seq).expect("template");
        let r = parts[0].get("tf::ref").expect("ref");
        assert_eq!(r.as_str(), Some("aws_cognito_identity_pool.main.id"));
        assert_eq!(&source[r.span.start..r.span.end], "aws_cognito_identity_pool.main.id");
        assert_eq!(&source[aud.span.start..aud.span.end], "\"${aws_cognito_identity_pool.main.id}\"");
    }

    #[test]
    fn quoted_json_strings_keep_their_interpolations() {
        let source =
            "p = \"{\\\"Statement\\\": {\\\"aud\\\": \\\"${aws_cognito_identity_pool.main.id}\\\"}}\"\n";
        let root = crate::syntax::hcl::parse(source).expect("parses").root;
        let doc = from_json_text(source, root.get("p").expect("p")).expect("json");
        let aud = doc.get("Statement").and_then(|s| s.get("aud")).expect("aud");
        assert_eq!(aud.get("tf::ref").and_then(Node::as_str), Some("aws_cognito_identity_pool.main.id"));
    }

    #[test]
    fn heredoc_interpolations_are_the_expressions_hcl_parsed() {
        let source = "p = <<EOT\n{\"a\": \"${element(aws_cognito_identity_pool.p.*.id, 0)}\", \"b\": \"$${x}-${var.c ? \"}\" : \"y\"}\"}\nEOT\n";
        let root = crate::syntax::hcl::parse(source).expect("parses").root;
        let node = root.get("p").expect("p");
        let doc = from_json_text(source, node).expect("json");
        let a = doc.get("a").and_then(|a| a.get(crate::syntax::hcl::TEMPLATE)).and_then(Node::as_seq);
        let call = a.and_then(|parts| parts[0].get(crate::syntax::hcl::CALL)).expect("call");
        assert_eq!(&source[call.span.start..call.span.end], "element(aws_cognito_identity_pool.p.*.id, 0)");
        let b = doc.get("b").and_then(|b| b.get(crate::syntax::hcl::TEMPLATE)).and_then(Node::as_seq);
        let b = b.expect("template");
        assert_eq!(b[0].as_str(), Some("${x}-"));
        assert!(b[1].get(crate::syntax::hcl::COND).is_some());
        assert_eq!(b.len(), 2);
    }

    #[test]
    fn condition_blocks_group_by_operator_in_order_of_first_appearance() {
        let block = |test: &str, variable: &str| {
            format!("condition {{\n test = \"{test}\"\n variable = \"{variable}\"\n values = [\"x\"]\n}}\n")
        };
        let mut text = String::from("statement {\n");
        for i in 0..5_000 {
            text.push_str(&block(&format!("Op{i}"), "k"));
        }
        text.push_str(&block("Op1", "second"));
        text.push_str("}\n");
        let root = crate::syntax::hcl::parse(&text).expect("parses").root;
        let doc = from_document_block(&root, &|n: &Node| n.as_str().map(String::from));
        let statement = &doc.get("Statement").and_then(Node::as_seq).expect("statements")[0];
        let conditions = statement.get("Condition").and_then(Node::as_map).expect("conditions");
        assert_eq!(conditions.len(), 5_000);
        assert_eq!(conditions[4_999].key, "Op4999");
        let keys: Vec<&str> =
            conditions[1].value.as_map().expect("keys").iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["k", "second"]);
    }
}
