//! Serverless Framework services beyond the fixtures: what cannot be resolved is an error at
//! its place, included files stay inside the scanned folders, suppressions work in included
//! files, and variables that fan out or refer to themselves stop at a bound.

mod common;

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use common::project;

/// A pool, a role without `aud` (CT106 on its `Condition`) and the attachment, as one fragment.
const FRAGMENT: &str = r#"Resources:
  Pool:
    Type: AWS::Cognito::IdentityPool
    Properties:
      AllowUnauthenticatedIdentities: false
  AuthRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Federated: cognito-identity.amazonaws.com}
            Action: sts:AssumeRoleWithWebIdentity
            Condition:
              "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": authenticated}
  Attachment:
    Type: AWS::Cognito::IdentityPoolRoleAttachment
    Properties:
      IdentityPoolId: !Ref Pool
      Roles: {authenticated: !GetAtt AuthRole.Arn}
"#;

fn scan(dir: &Path) -> serde_json::Value {
    let out = common::run(dir, &["scan", ".", "--format", "json", "--fail-on", "never"]);
    serde_json::from_slice(&out.stdout).expect("a JSON report")
}

/// (rule, file, line) of each finding.
fn findings(report: &serde_json::Value) -> Vec<(String, String, u64)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_string(),
                f["location"]["file"].as_str().unwrap_or_default().to_string(),
                f["location"]["line"].as_u64().unwrap_or_default(),
            )
        })
        .collect()
}

/// (file, line, message) of each input error.
fn errors(report: &serde_json::Value) -> Vec<(String, u64, String)> {
    report["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["location"]["file"].as_str().unwrap_or_default().to_string(),
                e["location"]["line"].as_u64().unwrap_or_default(),
                e["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[test]
fn a_fragment_is_read_once_as_part_of_its_service_and_findings_point_into_it() {
    let dir = project(&[
        ("serverless.yml", "service: s\nresources:\n  - ${file(resources/cognito.yml)}\n"),
        ("resources/cognito.yml", FRAGMENT),
    ]);
    let report = scan(dir.path());
    assert_eq!(findings(&report), [("CT106".to_string(), "resources/cognito.yml".to_string(), 14)]);
    assert_eq!(report["summary"]["templates"], 1, "the fragment is not a template of its own");
    assert!(errors(&report).is_empty(), "{:?}", errors(&report));
}

#[test]
fn a_suppression_comment_in_a_fragment_suppresses_there() {
    let suppressed = FRAGMENT.replace(
        "            Condition:\n",
        "            Condition:  # cognitrust: ignore[CT106] the pool is private to this account\n",
    );
    let dir = project(&[
        ("serverless.yml", "service: s\nresources:\n  - ${file(resources/cognito.yml)}\n"),
        ("resources/cognito.yml", &suppressed),
    ]);
    let report = scan(dir.path());
    assert!(findings(&report).is_empty(), "{:?}", findings(&report));
    assert_eq!(report["summary"]["suppressed"], 1);
}

#[test]
fn a_value_the_service_file_lacks_is_an_error_at_the_variable() {
    let service = "service: s\nresources:\n  Resources:\n    Pool:\n      Type: AWS::Cognito::IdentityPool\n      \
                   Properties:\n        AllowUnauthenticatedIdentities: ${self:custom.guests}\n";
    let dir = project(&[("serverless.yml", service)]);
    let report = scan(dir.path());
    let errors = errors(&report);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!((errors[0].0.as_str(), errors[0].1), ("serverless.yml", 7));
    assert!(
        errors[0].2.contains("`${self:custom.guests}`") && errors[0].2.contains("no `custom`"),
        "{errors:?}"
    );
}

#[test]
fn a_file_outside_the_scanned_folder_is_never_read() {
    let outside = tempfile::tempdir().expect("tempdir");
    std::fs::write(outside.path().join("secret.yml"), "Resources:\n  Leak: {Type: TOKEN-d41d8cd9}\n")
        .expect("write");
    let relative =
        format!("../{}/secret.yml", outside.path().file_name().and_then(|n| n.to_str()).expect("name"));
    let service =
        format!("service: s\nresources:\n  - ${{file({relative})}}\n  - ${{file(/etc/hostname)}}\n");
    let parent = outside.path().parent().expect("a parent").to_path_buf();
    let dir = tempfile::tempdir_in(&parent).expect("tempdir beside it");
    std::fs::create_dir(dir.path().join(".git")).expect("repository root");
    std::fs::write(dir.path().join("serverless.yml"), service).expect("write");
    let out = common::run(dir.path(), &["scan", ".", "--format", "json", "--fail-on", "never"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("TOKEN-d41d8cd9"), "the outside file was read: {text}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let errors = errors(&report);
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors.iter().all(|e| e.2.contains("outside the scanned folders")), "{errors:?}");
}

#[test]
fn variables_that_fan_out_or_refer_to_themselves_stop_at_a_bound() {
    // Each level doubles the one below: 2^40 values if expanded.
    let mut custom = String::from("custom:\n  l0: [x, y]\n");
    for i in 1..=40 {
        custom.push_str(&format!(
            "  l{i}: [\"${{self:custom.l{}}}\", \"${{self:custom.l{}}}\"]\n",
            i - 1,
            i - 1
        ));
    }
    custom.push_str("  loop: ${self:custom.loop2}\n  loop2: ${self:custom.loop}\n");
    let service = format!(
        "service: s\n{custom}resources:\n  Resources:\n    Pool:\n      Type: AWS::Cognito::IdentityPool\n      \
         Properties:\n        IdentityPoolName: ${{self:custom.loop}}\n        SupportedLoginProviders: ${{self:custom.l40}}\n"
    );
    let dir = project(&[("serverless.yml", &service), ("cognito.yml", common::WARNING)]);
    let path = dir.path().to_path_buf();
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = send.send(scan(&path));
    });
    let report = receive.recv_timeout(Duration::from_secs(60)).expect("the scan finishes");
    let messages: Vec<String> = errors(&report).into_iter().map(|e| e.2).collect();
    assert!(messages.iter().any(|m| m.contains("refers back to itself")), "{messages:?}");
    assert!(messages.iter().any(|m| m.contains("more than 1000000 values")), "{messages:?}");
    // The template beside it is still scanned.
    assert!(findings(&report).iter().any(|f| f.1 == "cognito.yml"), "{:?}", findings(&report));
}

#[cfg(feature = "guard")]
#[test]
fn guard_findings_point_into_the_included_file() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/serverless/list/fail");
    let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/cognito-trust.guard");
    let rules = rules.to_str().expect("a UTF-8 path");
    let out =
        common::run(&fixture, &["scan", ".", "--no-config", "--guard-rules", rules, "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let guard: Vec<_> = findings(&report).into_iter().filter(|f| f.0.starts_with("guard:")).collect();
    assert_eq!(
        guard,
        [("guard:cognito_trust_principal_type".to_string(), "resources/roles.yml".to_string(), 11)]
    );
}

#[test]
fn variables_nested_deep_stop_at_a_bound_not_at_the_end_of_the_stack() {
    // 32 values, each a flow map 200 levels deep whose innermost value is the next variable.
    let mut service = String::from("service: s\ncustom:\n");
    for i in 0..32 {
        let inner = if i < 31 { format!("${{self:custom.l{}}}", i + 1) } else { "x".to_string() };
        service.push_str(&format!("  l{i}: {}\"{inner}\"{}\n", "{a: ".repeat(200), "}".repeat(200)));
    }
    service.push_str(
        "resources:\n  Resources:\n    Pool:\n      Type: AWS::Cognito::IdentityPool\n      Properties:\n        \
         IdentityPoolName: ${self:custom.l0}\n",
    );
    // And one string of 50,000 variables, each inside the one before.
    let nested = format!("{}x{}", "${self:".repeat(50_000), "}".repeat(50_000));
    let other = format!(
        "service: t\nresources:\n  Resources:\n    Pool:\n      Type: AWS::Cognito::IdentityPool\n      Properties:\n        \
         IdentityPoolName: \"{nested}\"\n"
    );
    let dir = project(&[("a/serverless.yml", &service), ("b/serverless.yml", &other)]);
    let path = dir.path().to_path_buf();
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = send.send(scan(&path));
    });
    let report = receive.recv_timeout(Duration::from_secs(60)).expect("the scan finishes");
    let errors = errors(&report);
    assert!(errors.iter().any(|e| e.0 == "a/serverless.yml" && e.2.contains("levels deep")), "{errors:?}");
    assert!(
        errors.iter().any(|e| e.0 == "b/serverless.yml" && e.2.contains("more than 32 others")),
        "{errors:?}"
    );
}

/// The compiled template `serverless package` writes, with the role of [`FRAGMENT`].
fn compiled() -> String {
    let template = fragment_as_json(FRAGMENT);
    format!("{{\"AWSTemplateFormatVersion\": \"2010-09-09\", {}", &template[1..])
}

/// [`FRAGMENT`] as JSON, as the Framework writes it under `.serverless/`.
fn fragment_as_json(yaml: &str) -> String {
    // The fragment's short tags become their long forms, as the Framework writes them.
    let text = yaml
        .replace("!Ref Pool", "{\"Ref\": \"Pool\"}")
        .replace("!GetAtt AuthRole.Arn", "{\"Fn::GetAtt\": [\"AuthRole\", \"Arn\"]}");
    let value: serde_json::Value = yaml_to_json(&text);
    serde_json::to_string_pretty(&value).expect("JSON")
}

fn yaml_to_json(text: &str) -> serde_json::Value {
    let parsed = cognitrust::syntax::yaml::parse(text).expect("YAML");
    fn to_json(node: &cognitrust::syntax::Node) -> serde_json::Value {
        use cognitrust::syntax::Value;
        match &node.value {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(n) => serde_json::Value::String(n.clone()),
            Value::String(s) => serde_json::Value::String(s.clone()),
            Value::Seq(items) => serde_json::Value::Array(items.iter().map(to_json).collect()),
            Value::Map(entries) => serde_json::Value::Object(
                entries.iter().map(|e| (e.key.to_string(), to_json(&e.value))).collect(),
            ),
        }
    }
    to_json(&parsed.root)
}

#[test]
fn an_ignored_build_output_is_read_for_a_service_the_scan_cannot_read_and_only_then() {
    // A service written in TypeScript: its compiled template is the only view of its stack.
    let dir = project(&[
        (".gitignore", ".serverless\nnode_modules\n"),
        ("package.json", "{\"name\": \"svc\"}\n"),
        ("serverless.ts", "export default { service: 's' };\n"),
        (".serverless/cloudformation-template-update-stack.json", &compiled()),
    ]);
    let report = scan(dir.path());
    let found = findings(&report);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].0.as_str(), found[0].1.as_str()),
        ("CT106", ".serverless/cloudformation-template-update-stack.json")
    );
    // A service file the scan reads is checked instead, with places in the user's own files.
    let dir = project(&[
        (".gitignore", ".serverless\n"),
        ("serverless.yml", "service: s\nresources:\n  - ${file(resources/cognito.yml)}\n"),
        ("resources/cognito.yml", FRAGMENT),
        (".serverless/cloudformation-template-update-stack.json", &compiled()),
    ]);
    let found = findings(&scan(dir.path()));
    assert_eq!(found, [("CT106".to_string(), "resources/cognito.yml".to_string(), 14)]);
}

#[test]
fn large_resources_lists_merge_in_linear_time_and_includes_stop_at_a_bound() {
    // Two elements of 20,000 resources each, with the same logical IDs: merged key by key.
    let element = |kind: &str| {
        let mut text = String::from("  - Resources:\n");
        for i in 0..20_000 {
            text.push_str(&format!("      R{i}: {{Type: {kind}}}\n"));
        }
        text
    };
    let big = format!("service: s\nresources:\n{}{}", element("AWS::SNS::Topic"), element("AWS::SQS::Queue"));
    // 300 includes of 300 files: past 256, the rest are errors, not reads.
    let mut many = String::from("service: t\nresources:\n");
    let mut files: Vec<(String, String)> = Vec::new();
    for i in 0..300 {
        many.push_str(&format!("  - ${{file(parts/p{i}.yml)}}\n"));
        files.push((format!("b/parts/p{i}.yml"), format!("Resources:\n  T{i}: {{Type: AWS::SNS::Topic}}\n")));
    }
    let mut all: Vec<(&str, &str)> = vec![("a/serverless.yml", &big), ("b/serverless.yml", &many)];
    all.extend(files.iter().map(|(p, t)| (p.as_str(), t.as_str())));
    let dir = project(&all);
    let path = dir.path().to_path_buf();
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = send.send(scan(&path));
    });
    let report = receive.recv_timeout(Duration::from_secs(60)).expect("the scan finishes");
    let errors = errors(&report);
    let over: Vec<_> = errors.iter().filter(|e| e.2.contains("more than 256 files")).collect();
    assert_eq!(over.len(), 300 - 256, "{errors:?}");
    assert!(errors.iter().all(|e| e.0 == "b/serverless.yml"), "{errors:?}");
}
