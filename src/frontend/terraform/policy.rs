//! Policy documents as Terraform writes them, turned into the node shape `iam::read_policy`
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
pub fn from_document_block(body: &Node, text: Text) -> Node {
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
    let text_of =
        |n: Option<&Node>| n.and_then(text).unwrap_or_else(|| crate::iam::policy::UNKNOWN_KEY.to_string());
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
        let principals = blocks(block, tf);
        if let Some(first) = principals.first() {
            let entries: Vec<Entry> = principals
                .iter()
                .map(|p| {
                    let kind = p.get("type");
                    let span = kind.map_or(p.span, |k| k.span);
                    let ids = p
                        .get("identifiers")
                        .cloned()
                        .unwrap_or_else(|| Node::new(Value::Seq(Vec::new()), p.span));
                    entry(&text_of(kind), span, ids)
                })
                .collect();
            let key_span = block.entry(tf).map_or(first.span, |e| e.key_span);
            // `type = "*"` is how the provider writes `Principal: "*"`.
            let value = if entries.iter().any(|e| e.key == "*") {
                Node::new(Value::String("*".into()), first.span)
            } else {
                Node::new(Value::Map(entries), first.span)
            };
            out.push(entry(iam, key_span, value));
        }
    }
    let conditions = blocks(block, "condition");
    if let Some(first) = conditions.first() {
        let mut by_test: Vec<Entry> = Vec::new();
        // Each operator's entry in `by_test`, so that many condition blocks cost no scan each.
        let mut tests: HashMap<String, usize> = HashMap::new();
        for c in &conditions {
            let test = c.get("test");
            let variable = c.get("variable");
            let values =
                c.get("values").cloned().unwrap_or_else(|| Node::new(Value::Seq(Vec::new()), c.span));
            let key = entry(&text_of(variable), variable.map_or(c.span, |v| v.span), values);
            let test_text = text_of(test);
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
        out.push(entry("Condition", key_span, Node::new(Value::Map(by_test), first.span)));
    }
    Node::new(Value::Map(out), block.span)
}

/// The policy document in JSON text: the source slice at `span` when it parses (a heredoc, so
/// spans point into the file), else the decoded string with every span at the string.
pub fn from_json_text(source: &str, node: &Node) -> Option<Node> {
    let span = node.span;
    let raw = source.get(span.start..span.end)?;
    if let Ok(parsed) = crate::syntax::json::parse(raw) {
        let mut root = parsed.root;
        shift(&mut root, span.start);
        interpolate(&mut root, source);
        return Some(root);
    }
    let decoded = match &node.value {
        Value::String(s) => s.clone(),
        _ => return None,
    };
    let mut root = crate::syntax::json::parse(&decoded).ok()?.root;
    flatten(&mut root, span);
    interpolate(&mut root, "");
    Some(root)
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

fn flatten(node: &mut Node, span: Span) {
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

/// Strings holding `${…}` become templates of literal parts and references.
fn interpolate(node: &mut Node, source: &str) {
    match &mut node.value {
        Value::String(s) if s.contains("${") => {
            let s = s.clone();
            // Inside the source, the string's text starts after its opening quote.
            let base = if source.is_empty() { None } else { Some(node.span.start + 1) };
            *node = template(&s, base, node.span);
        }
        Value::Seq(items) => items.iter_mut().for_each(|n| interpolate(n, source)),
        Value::Map(entries) => entries.iter_mut().for_each(|e| interpolate(&mut e.value, source)),
        _ => {}
    }
}

fn template(text: &str, base: Option<usize>, whole: Span) -> Node {
    let at = |from: usize, to: usize| base.map_or(whole, |b| Span::new(b + from, b + to));
    let mut parts = Vec::new();
    let mut rest = 0;
    while let Some(open) = text[rest..].find("${").map(|i| rest + i) {
        let Some(close) = text[open..].find('}').map(|i| open + i) else { break };
        if open > rest {
            parts.push(Node::new(Value::String(text[rest..open].to_string()), at(rest, open)));
        }
        parts.push(reference(text[open + 2..close].trim(), at(open, close + 1)));
        rest = close + 1;
    }
    if rest < text.len() {
        parts.push(Node::new(Value::String(text[rest..].to_string()), at(rest, text.len())));
    }
    let key =
        Entry { key: "tf::template".into(), key_span: whole, value: Node::new(Value::Seq(parts), whole) };
    Node::new(Value::Map(vec![key]), whole)
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
        let start = source.find('{').unwrap();
        let end = source.rfind('}').unwrap() + 1;
        let node = Node::new(Value::String(source[start..end].into()), Span::new(start, end));
        let doc = from_json_text(source, &node).expect("json");
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
        assert_eq!(&source[r.span.start..r.span.end], "${aws_cognito_identity_pool.main.id}");
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
