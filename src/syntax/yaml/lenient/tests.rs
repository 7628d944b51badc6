//! One test per class of `lenient`: the value PyYAML (cfn-lint's loader) reads, spans into the
//! original text, and the near misses that PyYAML rejects still rejected.

use super::super::parse;
use super::MAX_FIXES;
use crate::syntax::{Node, Parsed, Span, Value};

fn parsed(text: &str) -> Parsed {
    match parse(text) {
        Ok(parsed) => parsed,
        Err(e) => panic!("{text:?}: {e:?}"),
    }
}

fn slice(text: &str, span: Span) -> &str {
    &text[span.start..span.end]
}

fn strings(node: &Node) -> Vec<&str> {
    node.as_seq().expect("a list").iter().map(|n| n.as_str().expect("a string")).collect()
}

fn number(text: &str) -> Value {
    Value::Number(text.into())
}

#[test]
fn closing_quote_at_the_key_indent_is_accepted_with_original_spans() {
    let text = "A:\n  Code:\n    ZipFile: '\n      var x = 1;\n    '\n  Next: !Ref Y\n";
    let parsed = parsed(text);
    let code = parsed.root.get("A").and_then(|a| a.get("Code")).expect("Code");
    let zip = code.get("ZipFile").expect("ZipFile");
    assert_eq!(zip.as_str(), Some(" var x = 1; "));
    assert_eq!(slice(text, zip.span), "'\n      var x = 1;\n    '");
    let next = parsed.root.get("A").and_then(|a| a.entry("Next")).expect("Next");
    assert_eq!(slice(text, next.key_span), "Next");
    let target = next.value.get("Ref").expect("Ref");
    assert_eq!(slice(text, target.span), "Y");
}

#[test]
fn several_scalars_in_turn_keep_their_places() {
    let text = "A:\n  B: '\n x\n  '\n  C: \"\n y\n  \"\n  D: z\n";
    let parsed = parsed(text);
    let a = parsed.root.get("A").expect("A");
    for (key, value) in [("B", "'\n x\n  '"), ("C", "\"\n y\n  \""), ("D", "z")] {
        let e = a.entry(key).expect(key);
        assert_eq!(slice(text, e.key_span), key);
        assert_eq!(slice(text, e.value.span), value);
    }
}

#[test]
fn quoted_scalars_in_list_items_and_after_tabs_are_reindented() {
    // PyYAML: [{"ZipFile": " x = 1 "}]; the key sits two columns right of the line's indent.
    let text = "Fns:\n  - ZipFile: '\n    x = 1\n    '\n  - Other: 1\n";
    let root = parsed(text).root;
    let items = root.get("Fns").and_then(Node::as_seq).expect("Fns");
    assert_eq!(items[0].get("ZipFile").and_then(Node::as_str), Some(" x = 1 "));
    assert_eq!(slice(text, items[1].entry("Other").expect("Other").key_span), "Other");

    // PyYAML: {"a": {"b": "x y"}}: a tab where the indentation would be.
    let text = "a:\n  b: 'x\n\ty'\n  c: 2\n";
    let a = parsed(text).root.get("a").cloned().expect("a");
    assert_eq!(a.get("b").and_then(Node::as_str), Some("x y"));
    assert_eq!(slice(text, a.get("c").expect("c").span), "2");
}

#[test]
fn flow_collections_continued_left_of_their_key_are_accepted() {
    // PyYAML: {"A": {"B": [1, 2], "C": "x"}}
    let text = "A:\n  B: [1,\n  2]\n  C: x\n";
    let a = parsed(text).root.get("A").cloned().expect("A");
    let b = a.get("B").expect("B");
    assert_eq!(
        b.as_seq().map(|s| s.iter().map(|n| n.value.clone()).collect()),
        Some(vec![number("1"), number("2")])
    );
    assert_eq!(slice(text, b.span), "[1,\n  2]");
    assert_eq!(slice(text, b.as_seq().expect("seq")[1].span), "2");
    assert_eq!(slice(text, a.entry("C").expect("C").key_span), "C");

    // PyYAML: {"A": [{"b": [1, 2]}, {"a": 1, "b": 2}]}: closing brackets at the dash's column.
    let text = "A:\n  - b: [1, 2\n  ]\n  - {a: 1,\n  b: 2\n  }\n";
    let items = parsed(text).root.get("A").and_then(|a| a.as_seq().map(<[Node]>::to_vec)).expect("A");
    assert_eq!(slice(text, items[0].get("b").expect("b").span), "[1, 2\n  ]");
    assert_eq!(slice(text, items[1].span), "{a: 1,\n  b: 2\n  }");
    assert_eq!(slice(text, items[1].entry("b").expect("b").key_span), "b");
}

#[test]
fn flow_collections_hold_quoted_scalars_tags_and_tabs() {
    // PyYAML: {"A": {"B": {"Fn::Join": ["", ["x y", "z", "w"]]}}}
    let text = "A:\n  B: !Join ['', [\n    'x\n  y', \"z\",\n  w]]\n";
    let b = parsed(text).root.get("A").and_then(|a| a.get("B")).cloned().expect("B");
    let args = b.get("Fn::Join").and_then(Node::as_seq).expect("Fn::Join");
    assert_eq!(strings(&args[1]), ["x y", "z", "w"]);
    assert_eq!(slice(text, args[1].as_seq().expect("list")[0].span), "'x\n  y'");

    // PyYAML: [["foo", "foo"]]: a tab where the indentation would be.
    let text = "- [\n\tfoo,\n foo\n ]\n";
    let root = parsed(text).root;
    assert_eq!(strings(&root.as_seq().expect("list")[0]), ["foo", "foo"]);
}

#[test]
fn flow_collections_still_end_at_document_markers() {
    // PyYAML rejects both: a document marker ends the flow collection.
    assert!(parse("a:\n  b: [x,\n---\n]\n").is_err());
    assert!(parse("a:\n  b: [x,\n...\n]\n").is_err());
    assert!(parse("a:\n  b: [x,\n  y\n").is_err());
}

#[test]
fn flow_keys_over_several_lines_are_still_errors() {
    // PyYAML rejects an implicit key that does not end on its line: re-indenting the lines must
    // not let saphyr, which accepts it in an indented flow mapping, read it.
    assert!(parse("k: {\nk\n:\nv\n}\n").is_err());
    assert!(parse("a:\n  b: {x,\n'y\nz': 1}\n").is_err());
    let long = format!("a:\n  b: {{x: 1,\n{}: 2}}\n", "k".repeat(1100));
    assert!(parse(&long).is_err());
    // A key on one line is read, whatever the indentation.
    let text = "a:\n  b: {x: 1,\ny: 2}\n";
    let b = parsed(text).root.get("a").and_then(|a| a.get("b")).cloned().expect("b");
    assert_eq!(slice(text, b.entry("y").expect("y").key_span), "y");
}

#[test]
fn comments_right_after_quotes_brackets_and_headers_are_comments() {
    // PyYAML: {"a": "x", "b": ["x", "u"], "c": ["z"], "d": "w\n", "e": "v"}
    let text = "a: \"x\"#c\nb: [x,#c\n  u]\nc: [z]#c\nd: |#c\n  w\ne: 'v'#c\n";
    let root = parsed(text).root;
    assert_eq!(root.get("a").and_then(Node::as_str), Some("x"));
    assert_eq!(strings(root.get("b").expect("b")), ["x", "u"]);
    assert_eq!(strings(root.get("c").expect("c")), ["z"]);
    assert_eq!(root.get("d").and_then(Node::as_str), Some("w\n"));
    assert_eq!(root.get("e").and_then(Node::as_str), Some("v"));
    assert_eq!(slice(text, root.get("a").expect("a").span), "\"x\"");
    assert_eq!(slice(text, root.get("d").expect("d").span), "|#c\n  w");
    assert_eq!(slice(text, root.entry("e").expect("e").key_span), "e");
    // In a plain scalar `#` is text to both.
    assert_eq!(parsed("a: x#c\n").root.get("a").and_then(Node::as_str), Some("x#c"));
}

#[test]
fn a_tab_after_a_keys_colon_separates_the_value() {
    // PyYAML: [{"a": "b", "c": "d"}]
    let text = "- a:\tb\n  c:\t\td\n";
    let root = parsed(text).root;
    let item = &root.as_seq().expect("list")[0];
    assert_eq!(item.get("a").and_then(Node::as_str), Some("b"));
    assert_eq!(item.get("c").and_then(Node::as_str), Some("d"));
    assert_eq!(slice(text, item.get("a").expect("a").span), "b");
    assert_eq!(slice(text, item.get("c").expect("c").span), "d");
    assert_eq!(slice(text, item.entry("c").expect("c").key_span), "c");
}

#[test]
fn a_plain_dash_in_a_flow_collection_is_the_string_dash() {
    // PyYAML: {"a": {"Fn::Join": ["-", ["x", "w"]]}, "b": ["-"], "c": {"k": "-"}, "d": ["x", "-"],
    // "e": [{"Ref": "-"}]}
    let text = "a: !Join [-, [x, w]]\nb: [ -]\nc: {k: -}\nd: [x,\n  -]\ne: [!Ref -]\n";
    let root = parsed(text).root;
    let join = root.get("a").and_then(|a| a.get("Fn::Join")).and_then(Node::as_seq).expect("Fn::Join");
    assert_eq!(join[0].as_str(), Some("-"));
    assert_eq!(slice(text, join[0].span), "-");
    assert_eq!(strings(&join[1]), ["x", "w"]);
    assert_eq!(strings(root.get("b").expect("b")), ["-"]);
    assert_eq!(root.get("c").and_then(|c| c.get("k")).and_then(Node::as_str), Some("-"));
    assert_eq!(strings(root.get("d").expect("d")), ["x", "-"]);
    assert_eq!(slice(text, root.get("d").expect("d").span), "[x,\n  -]");
    let e = &root.get("e").and_then(Node::as_seq).expect("e")[0];
    assert_eq!(e.get("Ref").and_then(Node::as_str), Some("-"));
    assert_eq!(slice(text, e.span), "!Ref -");
}

#[test]
fn other_errors_are_still_errors() {
    assert!(parse("a: 'unterminated\n").is_err());
    // PyYAML rejects a block entry inside a flow collection, and a dash before a bracket.
    assert!(parse("a: [- x]\n").is_err());
    assert!(parse("a: [ - ]\n").is_err());
    assert!(parse("a: [-[x]]\n").is_err());
    // PyYAML reads `[a -]` as ["a -"]; a dash after a blank inside a plain scalar is not patched.
    assert!(parse("a: [a -]\n").is_err());
    // Tabs as block indentation are an error to PyYAML too.
    assert!(parse("a:\n\tb: c\n").is_err());
}

#[test]
fn a_mistake_made_on_every_line_is_patched_in_few_parses() {
    // More places than MAX_FIXES re-parses could patch one at a time: the patch for the first
    // guesses at the others. PyYAML: {"k0": "v0", ..., "k499": "v499"}
    let text: String = (0..500).map(|i| format!("k{i}:\tv{i}\nq{i}: \"x\"#c\n")).collect();
    let root = parsed(&text).root;
    let entries = root.as_map().expect("map");
    assert_eq!(entries.len(), 1000);
    let last = root.entry("k499").expect("k499");
    assert_eq!(last.value.as_str(), Some("v499"));
    assert_eq!(slice(&text, last.key_span), "k499");
    assert_eq!(slice(&text, last.value.span), "v499");
    assert_eq!(slice(&text, root.get("q499").expect("q499").span), "\"x\"");
}

#[test]
fn wrong_guesses_are_undone() {
    // PyYAML: {"a": "b", "c": "x:\ty\n", "d": "e"}: the tab after `x:` is block scalar text.
    let text = "a:\tb\nc: |\n  x:\ty\nd:\te\n";
    let root = parsed(text).root;
    assert_eq!(root.get("c").and_then(Node::as_str), Some("x:\ty\n"));
    assert_eq!(root.get("d").and_then(Node::as_str), Some("e"));
    assert_eq!(slice(text, root.get("d").expect("d").span), "e");

    // PyYAML: {"a": "x", "b": "y\"#z", "c": "it's\"#no", "d": ["e"]}: a `#` after a quote inside
    // a plain or a quoted scalar is text.
    let text = "a: \"x\"#c\nb: y\"#z\nc: 'it''s\"#no'\nd: [e]#f\n";
    let root = parsed(text).root;
    assert_eq!(root.get("b").and_then(Node::as_str), Some("y\"#z"));
    assert_eq!(root.get("c").and_then(Node::as_str), Some("it's\"#no"));
    assert_eq!(strings(root.get("d").expect("d")), ["e"]);
    assert_eq!(slice(text, root.get("b").expect("b").span), "y\"#z");
}

#[test]
fn too_many_places_for_the_budget_is_an_error_that_says_so() {
    // Under-indented flow collections are patched one per parse; MAX_FIXES of them are read.
    let one = "a:\n  b: [1,\n  2]\n";
    let fits: String = (0..MAX_FIXES).map(|i| one.replace('a', &format!("a{i}"))).collect();
    assert!(parse(&fits).is_ok());
    let over: String = (0..=MAX_FIXES).map(|i| one.replace('a', &format!("a{i}"))).collect();
    let err = parse(&over).expect_err("over the budget");
    assert!(
        err.message.starts_with("invalid indentation in flow construct (more places like this"),
        "{}",
        err.message
    );
    assert_eq!(slice(&over, Span::new(err.span.start, err.span.start + 2)), "2]");
}
