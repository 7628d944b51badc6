//! JSON documents written as text inside a plan's string values (`policy`, `json`), parsed
//! with their spans mapped through the string's escapes into the plan file.

use crate::syntax::{Node, Span, Value};

/// The JSON document inside a JSON string value of the plan, with spans mapped through the
/// string's escapes into the plan file.
pub(super) fn json_in_string(text: &str, node: &Node) -> Option<Node> {
    let Value::String(decoded) = &node.value else { return None };
    let raw = text.get(node.span.start..node.span.end)?;
    let map = decoded_to_raw(raw)?;
    let mut doc = crate::syntax::json::parse(decoded).ok()?.root;
    remap(&mut doc, &map, node.span.start);
    Some(doc)
}

/// For each byte of a JSON string's decoded text, the offset of its source in the raw literal
/// (quotes included); one extra entry for the end.
fn decoded_to_raw(raw: &str) -> Option<Vec<usize>> {
    let bytes = raw.as_bytes();
    let mut map = Vec::with_capacity(raw.len());
    let mut i = 1;
    while i + 1 < bytes.len() {
        if bytes[i] == b'\\' {
            let (len, decoded_len) = match bytes.get(i + 1)? {
                b'u' => {
                    let hex = raw.get(i + 2..i + 6)?;
                    let c = u32::from_str_radix(hex, 16).ok().and_then(char::from_u32).unwrap_or('\u{fffd}');
                    (6, c.len_utf8())
                }
                _ => (2, 1),
            };
            map.extend(std::iter::repeat_n(i, decoded_len));
            i += len;
        } else {
            map.push(i);
            i += 1;
        }
    }
    map.push(i);
    Some(map)
}

fn remap(node: &mut Node, map: &[usize], base: usize) {
    let at = |o: usize| base + map.get(o).copied().unwrap_or_else(|| map.last().copied().unwrap_or(0));
    node.span = Span::new(at(node.span.start), at(node.span.end));
    match &mut node.value {
        Value::Seq(items) => items.iter_mut().for_each(|n| remap(n, map, base)),
        Value::Map(entries) => {
            for e in entries {
                e.key_span = Span::new(at(e.key_span.start), at(e.key_span.end));
                remap(&mut e.value, map, base);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_spans_map_through_string_escapes() {
        let text = r#"{"p": "{\"Effect\":\"Allow\"}"}"#;
        let root = crate::syntax::json::parse(text).unwrap().root;
        let p = root.get("p").unwrap();
        let doc = json_in_string(text, p).unwrap();
        let effect = doc.get("Effect").unwrap();
        assert_eq!(&text[effect.span.start..effect.span.end], r#"\"Allow\""#);
        let key = &doc.as_map().unwrap()[0];
        assert_eq!(&text[key.key_span.start..key.key_span.end], r#"\"Effect\""#);
    }
}
