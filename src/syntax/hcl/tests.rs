use std::time::{Duration, Instant};

use super::*;

/// A module a Cognito identity setup could really have: an inline trust policy, a policy
/// document with two statements, a heredoc policy, an attachment and a module call.
const MAIN_TF: &str = r#"terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

variable "environment" {
  type    = string
  default = "prod"
}

variable "allowed_amr" {
  type    = list(string)
  default = ["authenticated", "graph.facebook.com"]
}

locals {
  pool_name = "photos-${var.environment}"
  tags      = { Team = "identity", "cost-center" = 42 }
}

resource "aws_cognito_identity_pool" "main" {
  identity_pool_name               = local.pool_name
  allow_unauthenticated_identities = false
}

resource "aws_iam_role" "authenticated" {
  name = "cognito-authenticated"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = "cognito-identity.amazonaws.com" }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "cognito-identity.amazonaws.com:aud" = aws_cognito_identity_pool.main.id
        }
        "ForAnyValue:StringLike" = {
          "cognito-identity.amazonaws.com:amr" = "authenticated"
        }
      }
    }]
  })
}

data "aws_iam_policy_document" "trust" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = ["cognito-identity.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "cognito-identity.amazonaws.com:aud"
      values   = [aws_cognito_identity_pool.main.id]
    }
  }
  statement {
    effect  = "Deny"
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = ["cognito-identity.amazonaws.com"]
    }
    condition {
      test     = "ForAnyValue:StringLike"
      variable = "cognito-identity.amazonaws.com:amr"
      values   = ["unauthenticated"]
    }
  }
}

resource "aws_iam_role" "unauthenticated" {
  name               = "cognito-unauthenticated"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}

resource "aws_iam_role" "heredoc" {
  name               = "cognito-heredoc"
  assume_role_policy = <<-EOF
    {
      "Version": "2012-10-17",
      "Statement": [{
        "Effect": "Allow",
        "Principal": {"Federated": "cognito-identity.amazonaws.com"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {
          "StringEquals": {"cognito-identity.amazonaws.com:aud": "${aws_cognito_identity_pool.main.id}"}
        }
      }]
    }
  EOF
}

resource "aws_cognito_identity_pool_roles_attachment" "main" {
  identity_pool_id = aws_cognito_identity_pool.main.id
  roles = {
    authenticated     = aws_iam_role.authenticated.arn
    "unauthenticated" = aws_iam_role.unauthenticated.arn
  }
}

module "pool" {
  source   = "./modules/x"
  count    = var.environment == "prod" ? 1 : 0
  role_arn = aws_iam_role.authenticated.arn
}

output "role_arn" { value = module.pool[0].role_arn }
"#;

fn slice(text: &str, span: Span) -> &str {
    &text[span.start..span.end]
}

fn parse_ok(text: &str) -> Parsed {
    match parse(text) {
        Ok(parsed) => parsed,
        Err(error) => panic!("{} at {:?}: {:?}", error.message, error.span, &text[error.span.start..]),
    }
}

fn error(text: &str) -> SyntaxError {
    match parse(text) {
        Ok(parsed) => panic!("expected an error, got {:?}", parsed.root),
        Err(error) => error,
    }
}

/// The blocks of one type in a body, in source order.
fn blocks<'a>(body: &'a Node, kind: &str) -> Vec<&'a Node> {
    body.as_map().unwrap().iter().filter(|e| e.key == kind).map(|e| &e.value).collect()
}

fn labels(block: &Node) -> Vec<&str> {
    let labels = block.as_map().unwrap().first().unwrap();
    assert_eq!(labels.key, LABELS);
    labels.value.as_seq().unwrap().iter().map(|l| l.as_str().unwrap()).collect()
}

/// The block `kind "labels.."`, which must exist.
fn block<'a>(body: &'a Node, kind: &str, want: &[&str]) -> &'a Node {
    let found = blocks(body, kind).into_iter().find(|b| labels(b) == want);
    found.unwrap_or_else(|| panic!("no block {kind} {want:?}"))
}

/// The single `tf::` entry of a tagged node.
fn tag<'a>(node: &'a Node, key: &str) -> &'a Node {
    let entry = node.single_entry().unwrap_or_else(|| panic!("not a tagged node: {node:?}"));
    assert_eq!(entry.key, key, "{node:?}");
    assert_eq!(entry.key_span, node.span);
    &entry.value
}

fn reference(node: &Node) -> &str {
    let value = tag(node, REF);
    assert_eq!(value.span, node.span);
    value.as_str().unwrap()
}

/// The value of the only attribute `key = ...` of a one-attribute file.
fn value_of(text: &str) -> Node {
    let root = parse_ok(text).root;
    root.as_map().unwrap()[0].value.clone()
}

#[test]
fn blocks_keep_their_type_labels_and_order() {
    let text = MAIN_TF;
    let parsed = parse_ok(text);
    assert!(parsed.issues.is_empty(), "{:?}", parsed.issues);
    let root = &parsed.root;
    assert_eq!(root.span, Span::new(0, text.len()));
    let keys: Vec<&str> = root.as_map().unwrap().iter().map(|e| e.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "terraform",
            "variable",
            "variable",
            "locals",
            "resource",
            "resource",
            "data",
            "resource",
            "resource",
            "resource",
            "module",
            "output"
        ]
    );

    let role = block(root, "resource", &["aws_iam_role", "authenticated"]);
    assert!(slice(text, role.span).starts_with("resource \"aws_iam_role\" \"authenticated\" {"));
    assert!(slice(text, role.span).ends_with("})\n}"));
    let entry = root.as_map().unwrap().iter().find(|e| std::ptr::eq(&e.value, role)).unwrap();
    assert_eq!(slice(text, entry.key_span), "resource");
    let label_entry = &role.as_map().unwrap()[0];
    let label_nodes = label_entry.value.as_seq().unwrap();
    assert_eq!(slice(text, label_nodes[0].span), "\"aws_iam_role\"");
    assert_eq!(slice(text, label_nodes[1].span), "\"authenticated\"");
    assert_eq!(slice(text, label_entry.key_span), "\"aws_iam_role\" \"authenticated\"");
    let name = role.entry("name").unwrap();
    assert_eq!(slice(text, name.key_span), "name");
    assert_eq!(name.value.as_str(), Some("cognito-authenticated"));
    assert_eq!(slice(text, name.value.span), "\"cognito-authenticated\"");

    // A block without labels still starts with an empty label list.
    let terraform = blocks(root, "terraform")[0];
    assert!(labels(terraform).is_empty());
    let providers = terraform.get("required_providers").unwrap();
    assert!(labels(providers).is_empty());
    let aws = providers.get("aws").unwrap();
    assert_eq!(aws.get("source").unwrap().as_str(), Some("hashicorp/aws"));
}

#[test]
fn jsonencode_trust_policy_keeps_keys_and_refs() {
    let text = MAIN_TF;
    let root = parse_ok(text).root;
    let role = block(&root, "resource", &["aws_iam_role", "authenticated"]);
    let policy = role.get("assume_role_policy").unwrap();
    let call = tag(policy, CALL).as_seq().unwrap();
    assert_eq!(call.len(), 2);
    assert_eq!(call[0].as_str(), Some("jsonencode"));
    assert_eq!(slice(text, call[0].span), "jsonencode");
    assert!(slice(text, policy.span).starts_with("jsonencode({"));

    let document = &call[1];
    assert_eq!(document.get("Version").unwrap().as_str(), Some("2012-10-17"));
    let statement = &document.get("Statement").unwrap().as_seq().unwrap()[0];
    assert_eq!(statement.get("Action").unwrap().as_str(), Some("sts:AssumeRoleWithWebIdentity"));
    let principal = statement.get("Principal").unwrap();
    assert_eq!(principal.get("Federated").unwrap().as_str(), Some("cognito-identity.amazonaws.com"));

    let condition = statement.get("Condition").unwrap();
    let equals = condition.get("StringEquals").unwrap();
    let aud = equals.entry("cognito-identity.amazonaws.com:aud").unwrap();
    assert_eq!(slice(text, aud.key_span), "\"cognito-identity.amazonaws.com:aud\"");
    assert_eq!(reference(&aud.value), "aws_cognito_identity_pool.main.id");
    assert_eq!(slice(text, aud.value.span), "aws_cognito_identity_pool.main.id");
    let like = condition.entry("ForAnyValue:StringLike").unwrap();
    assert_eq!(slice(text, like.key_span), "\"ForAnyValue:StringLike\"");
    assert_eq!(like.value.get("cognito-identity.amazonaws.com:amr").unwrap().as_str(), Some("authenticated"));
}

#[test]
fn repeated_blocks_are_separate_entries_not_duplicates() {
    let text = MAIN_TF;
    let parsed = parse_ok(text);
    assert!(parsed.issues.is_empty());
    let document = block(&parsed.root, "data", &["aws_iam_policy_document", "trust"]);
    let statements = blocks(document, "statement");
    assert_eq!(statements.len(), 2);
    for (statement, (effect, test, variable, value)) in statements.iter().zip([
        ("Allow", "StringEquals", "cognito-identity.amazonaws.com:aud", None),
        ("Deny", "ForAnyValue:StringLike", "cognito-identity.amazonaws.com:amr", Some("unauthenticated")),
    ]) {
        assert!(labels(statement).is_empty());
        assert_eq!(statement.get("effect").unwrap().as_str(), Some(effect));
        let principals = statement.get("principals").unwrap();
        assert_eq!(principals.get("type").unwrap().as_str(), Some("Federated"));
        let identifiers = principals.get("identifiers").unwrap().as_seq().unwrap();
        assert_eq!(identifiers[0].as_str(), Some("cognito-identity.amazonaws.com"));
        let condition = statement.get("condition").unwrap();
        assert_eq!(condition.get("test").unwrap().as_str(), Some(test));
        assert_eq!(condition.get("variable").unwrap().as_str(), Some(variable));
        let values = condition.get("values").unwrap().as_seq().unwrap();
        match value {
            Some(value) => assert_eq!(values[0].as_str(), Some(value)),
            None => assert_eq!(reference(&values[0]), "aws_cognito_identity_pool.main.id"),
        }
    }
    let first = statements[0];
    assert!(slice(text, first.span).starts_with("statement {\n    effect  = \"Allow\""));
    let condition = first.get("condition").unwrap();
    assert!(slice(text, condition.span).starts_with("condition {"));
    assert!(slice(text, condition.span).ends_with('}'));

    let unauthenticated = block(&parsed.root, "resource", &["aws_iam_role", "unauthenticated"]);
    let policy = unauthenticated.get("assume_role_policy").unwrap();
    assert_eq!(reference(policy), "data.aws_iam_policy_document.trust.json");
}

#[test]
fn flush_heredoc_is_a_template_over_its_stripped_content() {
    let text = MAIN_TF;
    let root = parse_ok(text).root;
    let role = block(&root, "resource", &["aws_iam_role", "heredoc"]);
    let policy = role.get("assume_role_policy").unwrap();
    assert!(slice(text, policy.span).starts_with("    {\n      \"Version\""));
    assert!(slice(text, policy.span).ends_with("    }\n"));
    let parts = tag(policy, TEMPLATE).as_seq().unwrap();
    assert_eq!(parts.len(), 3);
    let before = parts[0].as_str().unwrap();
    assert!(before.starts_with("{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\n"), "{before:?}");
    assert!(before.ends_with("{\"cognito-identity.amazonaws.com:aud\": \""), "{before:?}");
    assert!(slice(text, parts[0].span).starts_with("    {\n      \"Version\""));
    assert_eq!(reference(&parts[1]), "aws_cognito_identity_pool.main.id");
    assert_eq!(slice(text, parts[1].span), "aws_cognito_identity_pool.main.id");
    assert_eq!(parts[2].as_str(), Some("\"}\n    }\n  }]\n}\n"));
    assert_eq!(slice(text, parts[2].span), "\"}\n        }\n      }]\n    }\n");
}

#[test]
fn module_variables_locals_and_outputs() {
    let text = MAIN_TF;
    let root = parse_ok(text).root;
    let module = block(&root, "module", &["pool"]);
    let source = module.entry("source").unwrap();
    assert_eq!(source.value.as_str(), Some("./modules/x"));
    assert_eq!(slice(text, source.value.span), "\"./modules/x\"");
    let count = tag(module.get("count").unwrap(), COND).as_seq().unwrap();
    assert_eq!(slice(text, count[0].span), "var.environment == \"prod\"");
    let compare = tag(&count[0], COMPARE).as_seq().unwrap();
    assert_eq!(compare[0].as_str(), Some("=="));
    assert_eq!(reference(&compare[1]), "var.environment");
    assert_eq!(compare[2].as_str(), Some("prod"));
    assert_eq!(count[1].value, Value::Number("1".into()));
    assert_eq!(count[2].value, Value::Number("0".into()));
    assert_eq!(reference(module.get("role_arn").unwrap()), "aws_iam_role.authenticated.arn");

    let environment = block(&root, "variable", &["environment"]);
    assert_eq!(reference(environment.get("type").unwrap()), "string");
    assert_eq!(environment.get("default").unwrap().as_str(), Some("prod"));
    let amr = block(&root, "variable", &["allowed_amr"]);
    let list_type = tag(amr.get("type").unwrap(), CALL).as_seq().unwrap();
    assert_eq!(list_type[0].as_str(), Some("list"));
    assert_eq!(reference(&list_type[1]), "string");
    let defaults: Vec<_> = amr.get("default").unwrap().as_seq().unwrap().iter().map(|d| d.as_str()).collect();
    assert_eq!(defaults, [Some("authenticated"), Some("graph.facebook.com")]);

    let locals = blocks(&root, "locals")[0];
    let pool_name = tag(locals.get("pool_name").unwrap(), TEMPLATE).as_seq().unwrap();
    assert_eq!(pool_name[0].as_str(), Some("photos-"));
    assert_eq!(slice(text, pool_name[0].span), "photos-");
    assert_eq!(reference(&pool_name[1]), "var.environment");
    let tags = locals.get("tags").unwrap();
    let keys: Vec<_> =
        tags.as_map().unwrap().iter().map(|e| (e.key.as_str(), slice(text, e.key_span))).collect();
    assert_eq!(keys, [("Team", "Team"), ("cost-center", "\"cost-center\"")]);
    assert_eq!(tags.get("cost-center").unwrap().value, Value::Number("42".into()));

    let pool = block(&root, "resource", &["aws_cognito_identity_pool", "main"]);
    assert_eq!(pool.get("allow_unauthenticated_identities").unwrap().value, Value::Bool(false));
    let attachment = block(&root, "resource", &["aws_cognito_identity_pool_roles_attachment", "main"]);
    let roles = attachment.get("roles").unwrap();
    assert_eq!(reference(roles.get("unauthenticated").unwrap()), "aws_iam_role.unauthenticated.arn");

    let output = block(&root, "output", &["role_arn"]);
    assert_eq!(reference(output.get("value").unwrap()), "module.pool[0].role_arn");
}

#[test]
fn references_are_normalised() {
    for (written, normal) in [
        ("aws_cognito_identity_pool.main.id", "aws_cognito_identity_pool.main.id"),
        ("var.x", "var.x"),
        ("local.y", "local.y"),
        ("module.m.out", "module.m.out"),
        ("data.aws_iam_policy_document.t.json", "data.aws_iam_policy_document.t.json"),
        ("each.value", "each.value"),
        ("count.index", "count.index"),
        ("self", "self"),
        ("aws_iam_role.r[0].arn", "aws_iam_role.r[0].arn"),
        ("aws_iam_role.r.0.arn", "aws_iam_role.r[0].arn"),
        ("x[\"k\"].y", "x[\"k\"].y"),
        ("x[\"a\\\"b\"]", "x[\"a\\\"b\"]"),
        ("a[*].b", "a[*].b"),
        ("a.*.b", "a[*].b"),
        ("aws_iam_role.r[count.index].arn", "aws_iam_role.r[?].arn"),
        ("x[\"${var.k}\"]", "x[?]"),
        ("x [ 1 ] . y", "x[1].y"),
    ] {
        let text = format!("v = {written}\n");
        let node = value_of(&text);
        assert_eq!(reference(&node), normal, "{written}");
        assert_eq!(slice(&text, node.span), written);
    }
}

#[test]
fn calls_conditionals_and_unknowns() {
    let text = "a = format(\"%s-%s\", var.x, 2)\n";
    let call = tag(&value_of(text), CALL).as_seq().unwrap().to_vec();
    assert_eq!(call[0].as_str(), Some("format"));
    assert_eq!(call[1].as_str(), Some("%s-%s"));
    assert_eq!(reference(&call[2]), "var.x");
    assert_eq!(call[3].value, Value::Number("2".into()));

    let text = "a = provider::aws::arn_parse(var.arn).account\nb = provider :: aws :: arn_parse(x)\n";
    let root = parse_ok(text).root;
    // A traversal of a call result has nothing to refer to.
    assert_eq!(
        tag(root.get("a").unwrap(), UNKNOWN).as_str(),
        Some("provider::aws::arn_parse(var.arn).account")
    );
    let call = tag(root.get("b").unwrap(), CALL).as_seq().unwrap();
    assert_eq!(call[0].as_str(), Some("provider::aws::arn_parse"));
    assert_eq!(slice(text, call[0].span), "provider :: aws :: arn_parse");

    let text = "p = templatefile(\"${path.module}/p.json\", { pool = aws_cognito_identity_pool.main.id })\n";
    let call = tag(&value_of(text), CALL).as_seq().unwrap().to_vec();
    assert_eq!(slice(text, call[0].span), "templatefile");
    let path = tag(&call[1], TEMPLATE).as_seq().unwrap();
    assert_eq!(reference(&path[0]), "path.module");
    assert_eq!(path[1].as_str(), Some("/p.json"));
    assert_eq!(reference(call[2].get("pool").unwrap()), "aws_cognito_identity_pool.main.id");

    let text = "c = (var.on ? (\"a\") : null)\n";
    let node = value_of(text);
    assert_eq!(slice(text, node.span), "var.on ? (\"a\") : null");
    let cond = tag(&node, COND).as_seq().unwrap();
    assert_eq!(reference(&cond[0]), "var.on");
    assert_eq!(cond[1].as_str(), Some("a"));
    assert_eq!(slice(text, cond[1].span), "\"a\"");
    assert_eq!(cond[2].value, Value::Null);

    let unknowns = [
        "1 + var.x",
        "-var.n",
        "[for s in var.list : upper(s)]",
        "{for k, v in var.m : k => v}",
        "merge(var.maps...)",
    ];
    for written in unknowns {
        let text = format!("u = {written}\n");
        let node = value_of(&text);
        assert_eq!(tag(&node, UNKNOWN).as_str(), Some(written));
        assert_eq!(slice(&text, node.span), written);
    }
    // Comparisons and logical operators are read; arithmetic is not.
    let text = "u = var.n > 1 && !var.on\n";
    let node = value_of(text);
    let and = tag(&node, COMPARE).as_seq().unwrap();
    assert_eq!(and[0].as_str(), Some("&&"));
    assert_eq!(tag(&and[1], COMPARE).as_seq().unwrap()[0].as_str(), Some(">"));
    let not = tag(&and[2], COMPARE).as_seq().unwrap();
    assert_eq!((not.len(), not[0].as_str()), (2, Some("!")));
    assert_eq!(reference(&not[1]), "var.on");
    // `%{ if }` is a conditional among the template's parts, its branches templates.
    let text = "d = \"a%{if var.on}yes%{else}${var.x}%{endif}\"\n";
    let node = value_of(text);
    let parts = tag(&node, TEMPLATE).as_seq().unwrap();
    assert_eq!(parts[0].as_str(), Some("a"));
    let cond = tag(&parts[1], COND).as_seq().unwrap();
    assert_eq!(reference(&cond[0]), "var.on");
    assert_eq!(cond[1].as_str(), Some("yes"));
    assert_eq!(reference(&tag(&cond[2], TEMPLATE).as_seq().unwrap()[0]), "var.x");
    assert_eq!(slice(text, parts[1].span), "%{if var.on}yes%{else}${var.x}%{endif}");
}

#[test]
fn literals_keep_their_written_form() {
    let text = concat!(
        "n = [1, -2, 1.5e3, - 4, 0.25]\n",
        "b = [true, false, null]\n",
        "s = \"tab\\there \\\"q\\\" \\u00e9 $${x} %%{y}\"\n",
    );
    let root = parse_ok(text).root;
    let numbers: Vec<_> =
        root.get("n").unwrap().as_seq().unwrap().iter().filter_map(Node::scalar_text).collect();
    assert_eq!(numbers, ["1", "-2", "1.5e3", "-4", "0.25"]);
    let literals: Vec<_> = root.get("b").unwrap().as_seq().unwrap().iter().map(|n| n.value.clone()).collect();
    assert_eq!(literals, [Value::Bool(true), Value::Bool(false), Value::Null]);
    let s = root.get("s").unwrap();
    assert_eq!(s.as_str(), Some("tab\there \"q\" é ${x} %{y}"));
    assert_eq!(slice(text, s.span), "\"tab\\there \\\"q\\\" \\u00e9 $${x} %%{y}\"");
}

#[test]
fn object_keys_of_every_kind() {
    let text =
        "o = {\n  plain = 1\n  \"quoted key\" = 2\n  (var.k) = 3\n  \"${var.p}-x\" = 4\n  colon: 5\n}\n";
    let object = value_of(text);
    let keys: Vec<_> =
        object.as_map().unwrap().iter().map(|e| (e.key.as_str(), slice(text, e.key_span))).collect();
    assert_eq!(
        keys,
        [
            ("plain", "plain"),
            ("quoted key", "\"quoted key\""),
            ("(var.k)", "(var.k)"),
            ("\"${var.p}-x\"", "\"${var.p}-x\""),
            ("colon", "colon"),
        ]
    );
    assert_eq!(slice(text, object.get("colon").unwrap().span), "5");
}

#[test]
fn spans_are_bytes_after_non_ascii_text() {
    let text = concat!(
        "# Größe — ünïcode ✓\n",
        "beschreibung = \"Größe — ok\"\n",
        "name = \"x\"\n",
        "l \"é\" {\n  v = \"${var.ß}✓\"\n}\n",
    );
    let root = parse_ok(text).root;
    let description = root.entry("beschreibung").unwrap();
    assert_eq!(slice(text, description.key_span), "beschreibung");
    assert_eq!(slice(text, description.value.span), "\"Größe — ok\"");
    assert_eq!(description.value.as_str(), Some("Größe — ok"));
    let name = root.entry("name").unwrap();
    assert_eq!(slice(text, name.key_span), "name");
    assert_eq!(slice(text, name.value.span), "\"x\"");
    let block = blocks(&root, "l")[0];
    assert_eq!(labels(block), ["é"]);
    assert_eq!(slice(text, block.as_map().unwrap()[0].value.as_seq().unwrap()[0].span), "\"é\"");
    let parts = tag(block.get("v").unwrap(), TEMPLATE).as_seq().unwrap();
    assert_eq!(reference(&parts[0]), "var.ß");
    assert_eq!(slice(text, parts[0].span), "var.ß");
    assert_eq!(parts[1].as_str(), Some("✓"));
    assert_eq!(slice(text, parts[1].span), "✓");
}

#[test]
fn heredocs_follow_terraform_indentation_rules() {
    // `<<EOF` keeps everything; the span is the content, closing newline included.
    let text = "a = <<EOF\n  x\n    y\nEOF\n";
    let node = value_of(text);
    assert_eq!(node.as_str(), Some("  x\n    y\n"));
    assert_eq!(slice(text, node.span), "  x\n    y\n");

    // `<<-` strips the smallest indentation; whitespace-only lines neither count nor change.
    let text = "a = <<-EOT\n    x\n      y\n  \n\n    z\n    EOT\n";
    assert_eq!(value_of(text).as_str(), Some("x\n  y\n  \n\nz\n"));

    // A line that starts with an interpolation has no indentation to strip.
    let text = "a = <<-EOT\n    x\n${var.y}\n    EOT\n";
    let parts = tag(&value_of(text), TEMPLATE).as_seq().unwrap().to_vec();
    assert_eq!(parts[0].as_str(), Some("    x\n"));
    assert_eq!(parts[2].as_str(), Some("\n"));

    // Interpolations in the middle of lines do not stop it.
    let text = "a = <<-EOT\n    arn:${var.p}:x\n      y\n    EOT\n";
    let parts = tag(&value_of(text), TEMPLATE).as_seq().unwrap().to_vec();
    assert_eq!(parts[0].as_str(), Some("arn:"));
    assert_eq!(slice(text, parts[0].span), "    arn:");
    assert_eq!(parts[2].as_str(), Some(":x\n  y\n"));

    // `$${` is an escape, backslashes are text, CRLF stays, strip markers eat whitespace.
    let text = "a = <<EOF\r\nC:\\dir $${x}\r\n  ${~ var.v ~}  \r\n end\r\nEOF\r\n";
    let parts = tag(&value_of(text), TEMPLATE).as_seq().unwrap().to_vec();
    assert_eq!(parts[0].as_str(), Some("C:\\dir ${x}"));
    assert_eq!(reference(&parts[1]), "var.v");
    assert_eq!(parts[2].as_str(), Some("end\r\n"));

    let text = "a = <<EOF\nEOF\nb = 1\n";
    let root = parse_ok(text).root;
    let empty = root.get("a").unwrap();
    assert_eq!(empty.as_str(), Some(""));
    assert!(empty.span.start >= text.find('\n').unwrap());
    assert_eq!(root.get("b").unwrap().value, Value::Number("1".into()));

    // `%{ for }` with its strip markers: the body's text is stripped where `~` says.
    let text = "a = <<EOF\n%{for k, x in var.l ~}\n  [${x}]  \n%{~ endfor}\nEOF\n";
    let node = value_of(text);
    let parts = tag(&node, TEMPLATE).as_seq().unwrap();
    let each = tag(&parts[0], FOR).as_seq().unwrap();
    assert_eq!((each[0].as_str(), each[1].as_str()), (Some("k"), Some("x")));
    assert_eq!(reference(&each[2]), "var.l");
    let body = tag(&each[3], TEMPLATE).as_seq().unwrap();
    assert_eq!(body[0].as_str(), Some("["));
    assert_eq!(reference(&body[1]), "x");
    assert_eq!(body[2].as_str(), Some("]"));
    assert_eq!(parts[1].as_str(), Some("\n"));
}

#[test]
fn duplicate_attributes_and_object_keys_are_kept_and_reported() {
    let text = "name = \"a\"\nblock {\n  x = 1\n  y = 2\n  x = 3\n}\nname = \"b\"\n";
    let parsed = parse_ok(text);
    let messages: Vec<_> =
        parsed.issues.iter().map(|i| (i.message.as_str(), slice(text, i.span), i.span.start)).collect();
    assert_eq!(
        messages,
        [
            ("duplicate attribute `x`", "x", text.find("x = 3").unwrap()),
            ("duplicate attribute `name`", "name", text.rfind("name").unwrap())
        ]
    );
    let names: Vec<_> = parsed.root.as_map().unwrap().iter().filter(|e| e.key == "name").collect();
    assert_eq!(names.len(), 2);
    assert_eq!(names[1].value.as_str(), Some("b"));
    let inner = parsed.root.get("block").unwrap();
    let xs: Vec<_> =
        inner.as_map().unwrap().iter().filter(|e| e.key == "x").map(|e| e.value.clone()).collect();
    let spans: Vec<_> = xs.iter().map(|x| slice(text, x.span)).collect();
    assert_eq!(spans, ["1", "3"]);
    assert_eq!(xs[1].span.start, text.find("x = 3").unwrap() + 4);

    let text =
        "o = {\n  \"k\" = 1\n  k = 2\n  \"k\" = 3\n  (var.e) = 4\n  (var.e) = 5\n  \"\" = 6\n  \"\" = 7\n}\n";
    let parsed = parse_ok(text);
    let object = parsed.root.get("o").unwrap();
    let keys: Vec<_> =
        object.as_map().unwrap().iter().map(|e| (e.key.as_str(), slice(text, e.key_span))).collect();
    assert_eq!(
        keys,
        [
            ("k", "\"k\""),
            ("k", "k"),
            ("k", "\"k\""),
            ("(var.e)", "(var.e)"),
            ("(var.e)", "(var.e)"),
            ("", "\"\""),
            ("", "\"\"")
        ]
    );
    let issues: Vec<_> = parsed.issues.iter().map(|i| (i.message.as_str(), slice(text, i.span))).collect();
    assert_eq!(
        issues,
        [
            ("duplicate key `k`", "k"),
            ("duplicate key `k`", "\"k\""),
            ("duplicate key `(var.e)`", "(var.e)"),
            ("duplicate key ``", "\"\"")
        ]
    );
    assert_eq!(object.get("k").unwrap().value, Value::Number("3".into()));

    let mut text = String::new();
    for _ in 0..=MAX_DUPLICATE_KEYS + 1 {
        text.push_str("a = 1\n");
    }
    let err = error(&text);
    assert_eq!(err.message, "duplicate attribute `a`");
    assert_eq!(slice(&text, err.span), "a");
}

#[test]
fn parse_errors_point_at_the_problem() {
    for (text, message, at) in [
        ("a = 1 2\n", "expected newline or eof", "2\n"),
        ("x = [\n1,\n2\né", "expected `]`", "é"),
        ("a = [\"é\"", "expected `]`", ""),
        ("ä = \"x\"\nö = \"${\"", "unexpected token", "${\""),
        ("a = \n", "invalid expression", "\n"),
        ("x {\n  a = 1 +\n}\n", "invalid expression", "\n}\n"),
        ("a = <<EOF\nabc\n", "expected heredoc end delimiter", "abc\n"),
        ("1 = 2", "unexpected token", "1 = 2"),
        ("a = \"ééé\n", "unexpected token", ""),
    ] {
        let err = error(text);
        assert!(err.message.starts_with(message), "{text:?}: {}", err.message);
        assert_eq!(&text[err.span.start..], at, "{text:?}");
        assert!(text.is_char_boundary(err.span.end));
    }
}

#[test]
fn byte_order_mark_is_skipped() {
    let text = "\u{feff}a = 1\n";
    let root = parse_ok(text).root;
    assert_eq!(slice(text, root.span), "a = 1\n");
    assert_eq!(slice(text, root.as_map().unwrap()[0].key_span), "a");
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    // Prefix, one level, its bracket, the innermost content, the closing of one level.
    let kinds = [
        ("a = ", "[", "[", "1", "]"),
        ("a = ", "(", "(", "1", ")"),
        ("a = ", "{a=", "{", "1", "}"),
        ("a = ", "\"${", "${", "1", "}\""),
        ("a = ", "f(", "(", "1", ")"),
        ("a = ", "x[", "[", "1", "]"),
        ("", "b {\n", "{", "x = 1\n", "}\n"),
    ];
    for (prefix, open, bracket, inner, close) in kinds {
        let deep = format!("{prefix}{}", open.repeat(200_000));
        let start = Instant::now();
        let err = error(&deep);
        assert!(start.elapsed() < Duration::from_secs(1), "{open}: {:?}", start.elapsed());
        assert_eq!(err.message, "nesting deeper than 256 levels", "{open}");
        // The error covers the opening bracket of level 257.
        let at = prefix.len() + MAX_DEPTH * open.len() + open.find(bracket).unwrap();
        assert_eq!(err.span, Span::new(at, at + bracket.len()), "{open}");

        // Closed input just past the limit fails the same way; at the limit hcl-edit's own
        // limit of 64 levels answers instead.
        let nested = |depth: usize| format!("{prefix}{}{inner}{}", open.repeat(depth), close.repeat(depth));
        assert_eq!(error(&nested(MAX_DEPTH + 1)).message, "nesting deeper than 256 levels", "{open}");
        assert!(error(&nested(MAX_DEPTH)).message.contains("at most 64 nested levels"), "{open}");
        assert!(parse(&nested(60)).is_ok(), "{open}");
    }
    let text = format!("a = {}1{}", "[".repeat(60), "]".repeat(60));
    let mut node = value_of(&text);
    for _ in 0..60 {
        node = node.as_seq().unwrap()[0].clone();
    }
    assert_eq!(node.value, Value::Number("1".into()));
}

#[test]
fn deepest_input_hcl_edit_accepts_does_not_exhaust_the_stack() {
    // Every level of these costs hcl-edit far more stack than a bracket does.
    for (open, close) in [("[for x in ", ": x]"), ("{for k, v in ", ": k => v}"), ("<<EOF\n${", "}\nEOF\n")] {
        for depth in [63, 200] {
            let text = format!("a = {}x{}", open.repeat(depth), close.repeat(depth));
            let result = parse(&text);
            if depth == 63 {
                assert!(result.is_ok(), "{open} {depth}: {result:?}");
            } else {
                assert!(result.is_err(), "{open} {depth}");
            }
        }
    }
    for operators in ["!", "- ", "x ? x : "] {
        let text = format!("a = {}x", operators.repeat(200_000));
        assert!(error(&text).message.contains("at most 64 nested levels"), "{operators}");
    }
}

#[test]
fn every_span_is_on_char_boundaries() {
    fn walk(text: &str, node: &Node) {
        assert!(node.span.start <= node.span.end && node.span.end <= text.len());
        assert!(text.is_char_boundary(node.span.start) && text.is_char_boundary(node.span.end));
        match &node.value {
            Value::Map(entries) => {
                for entry in entries {
                    assert!(
                        text.is_char_boundary(entry.key_span.start)
                            && text.is_char_boundary(entry.key_span.end)
                    );
                    walk(text, &entry.value);
                }
            }
            Value::Seq(items) => items.iter().for_each(|item| walk(text, item)),
            _ => {}
        }
    }
    walk(MAIN_TF, &parse_ok(MAIN_TF).root);
    let text = "é = \"ü${ä.ö[\"ß\"]}✓\"\nö = <<-E\n  ✓${x}\n   ü\n  E\n";
    walk(text, &parse_ok(text).root);
}

#[test]
fn objects_too_large_for_the_duplicate_key_check_are_an_error_at_their_brace() {
    let object = |items: usize, separator: &str| {
        let body: Vec<String> = (0..items).map(|i| format!("k{i} = {i}")).collect();
        format!("locals {{\n  big = {{\n{}\n  }}\n}}\n", body.join(separator))
    };
    // 0 + 1 + … + 8191 comparisons fit; the 8,193rd item does not, however it is separated.
    for separator in ["\n", ", ", ",\n\n  # a comment\n"] {
        assert!(scan::check_bounds(&object(8_192, separator)).is_ok(), "{separator:?}");
        let text = object(8_193, separator);
        let err = error(&text);
        assert!(err.message.starts_with("object too large"), "{}", err.message);
        assert!(err.message.contains("at 8193 items"), "{}", err.message);
        let brace = text.find("= {").unwrap() + 2;
        assert_eq!(err.span, Span::new(brace, brace + 1));
    }
    // The bound is on the file: two objects of 6,000 items each take 36 million comparisons.
    let two = format!("{}{}", object(6_000, "\n"), object(6_000, "\n").replace("big", "other"));
    let err = error(&two);
    assert!(err.message.contains("at 5"), "{}", err.message);
    assert_eq!(err.span.start, two.rfind("= {").unwrap() + 2);
}

#[test]
fn block_bodies_nested_objects_and_values_are_not_items_of_an_object() {
    // A block body is checked by hcl-edit with a hash set: any number of attributes.
    let attributes: String =
        (0..20_000).map(|i| format!("  a{i} = {{ x = [1, 2, {{ y = 3 }}] }}\n")).collect();
    assert!(scan::check_bounds(&format!("locals {{\n{attributes}}}\n")).is_ok());
    // Items of a list of objects, arguments of a call, strings, heredocs and comments with
    // commas and newlines inside are one item each: the outer object has 8,000 or 8,200
    // items, and each inner object adds one comparison.
    let item = "k = [{ a = 1, b = 2 }, f(1, 2), \"x, y\", <<EOF\n,\n,\nEOF\n] # ,,,\n";
    let text = format!("x = jsonencode({{\n{}}})\n", item.repeat(8_000));
    assert!(scan::check_bounds(&text).is_ok());
    let text = format!("x = jsonencode({{\n{}}})\n", item.repeat(8_200));
    let err = scan::check_bounds(&text).unwrap_err();
    assert!(err.message.contains("at 8192 items"), "{}", err.message);
}

#[test]
fn terraform_0_11_map_blocks_are_errors_that_give_the_0_12_form() {
    let text = "resource \"a\" \"b\" {\n  roles {\n    \"authenticated\" = \"${x.arn}\"\n  }\n}\n";
    let e = error(text);
    assert!(
        e.message.ends_with(
            "this is Terraform 0.11 block syntax, which Terraform 0.12 and later refuse; write the map as an \
             argument: `roles = { \"authenticated\" = … }`"
        ),
        "{}",
        e.message
    );
    assert_eq!(&text[e.span.start..e.span.end], "\"");
}
