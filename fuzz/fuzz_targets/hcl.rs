#![no_main]
//! The hcl parser on arbitrary text: no panic, and every span within the input on a character
//! boundary.

use cognitrust::syntax::{Node, Value};
use libfuzzer_sys::fuzz_target;

fn check(text: &str, node: &Node) {
    assert!(node.span.start <= node.span.end && node.span.end <= text.len());
    assert!(text.is_char_boundary(node.span.start) && text.is_char_boundary(node.span.end));
    match &node.value {
        Value::Seq(items) => items.iter().for_each(|n| check(text, n)),
        Value::Map(entries) => {
            for e in entries {
                assert!(e.key_span.end <= text.len() && text.is_char_boundary(e.key_span.start));
                check(text, &e.value);
            }
        }
        _ => {}
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(parsed) = cognitrust::syntax::hcl::parse(text) {
            check(text, &parsed.root);
        }
    }
});
