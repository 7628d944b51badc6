//! YAML into the spanned [`Node`](super::Node) tree, read the way CloudFormation reads templates.
//!
//! saphyr-parser supplies the events; this layer adds what the front ends rely on: byte spans
//! (saphyr counts characters, and its spans of quoted and block scalars run on into trailing
//! blanks), YAML 1.1 scalar typing (`Enabled: yes` is a boolean to CloudFormation), the short-form
//! intrinsics (`!Ref X` becomes `{Ref: X}`), merge keys, aliases expanded under a node budget,
//! and a nesting limit enforced with an explicit stack so no input can exhaust ours.
//!
//! Only the first document of a stream is the template; anything after it is ignored. The map a
//! short-form tag turns into counts as a nesting level, as it would in the equivalent JSON.

use saphyr_parser::{Parser, ScanError};

mod builder;
mod lenient;
mod scalar;
mod spans;

use super::{MAX_DEPTH, Parsed, Span, SyntaxError};
use builder::Builder;
use spans::{CharOffsets, line_end, point, token_end};

/// Parses the first YAML document of `text`; an empty stream is a `Null` root.
///
/// Where saphyr-parser is stricter than the YAML 1.1 readers CloudFormation and cfn-lint use,
/// [`lenient`] patches the text in ways that change no value and parses it again.
///
/// # Errors
///
/// Whatever saphyr-parser rejects (less what [`lenient`] accepts), complex (non-scalar) keys,
/// unknown or self-containing aliases, nesting deeper than [`MAX_DEPTH`] and alias expansion
/// beyond [`MAX_ALIAS_NODES`](super::MAX_ALIAS_NODES).
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

fn too_deep(text: &str, at: usize) -> SyntaxError {
    SyntaxError::new(format!("nesting deeper than {MAX_DEPTH} levels"), point(text, at))
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
    use crate::syntax::{Entry, Node, Value};
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
