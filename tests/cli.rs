//! The command line as a user runs it: exit codes, formats, errors with places, `rules`.

mod common;

use common::{WARNING, json, project, run};

const BROKEN: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Resources:
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
  Roles:
    Type: AWS::Cognito::IdentityPoolRoleAttachment
    Properties:
      IdentityPoolId: !Ref Pool
      Roles:
        authenticated: !GetAtt AuthRole.Arn
"#;

#[test]
fn a_finding_exits_1_and_reports_the_line_in_json() {
    let dir = project(&[("infra/auth.yaml", BROKEN)]);
    let out = run(dir.path(), &["scan", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let report = json(&out);
    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["tool"]["name"], "cognitrust");
    let f = &report["findings"][0];
    assert_eq!(f["rule"], "CT106");
    assert_eq!(f["name"], "trust-no-aud");
    assert_eq!(f["severity"], "error");
    assert_eq!(f["resource"], "AuthRole");
    assert_eq!(f["location"]["file"], "infra/auth.yaml");
    assert_eq!(f["location"]["line"], 15);
    assert_eq!(f["location"]["column"], 13);
    assert_eq!(f["related"][0]["location"]["line"], 22);
    assert_eq!(f["related"][0]["resource"], "Roles");
    assert!(f["help"].as_str().is_some_and(|h| h.contains("!Ref Pool")), "{f}");
    assert_eq!(report["summary"]["templates"], 1);
    assert_eq!(report["summary"]["findings"], 1);
    assert_eq!(report["summary"]["errors"], 0);
}

#[test]
fn fail_on_sets_the_threshold() {
    let dir = project(&[("warn.yaml", WARNING)]);
    let code = |args: &[&str]| run(dir.path(), args).status.code();
    assert_eq!(code(&["scan"]), Some(1), "warnings fail by default");
    assert_eq!(code(&["scan", "--fail-on", "error"]), Some(0));
    assert_eq!(code(&["scan", "--fail-on", "note"]), Some(1));
    assert_eq!(code(&["scan", "--fail-on", "never"]), Some(0));
    let out = run(dir.path(), &["scan", "--format", "json"]);
    let report = json(&out);
    let rules: Vec<&str> =
        report["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap()).collect();
    assert_eq!(rules, ["CT110"]);
}

#[test]
fn select_and_ignore_filter_rules_by_code_or_name() {
    let dir = project(&[("auth.yaml", BROKEN)]);
    assert_eq!(run(dir.path(), &["scan", "--ignore", "CT106"]).status.code(), Some(0));
    assert_eq!(run(dir.path(), &["scan", "--ignore", "trust-no-aud"]).status.code(), Some(0));
    assert_eq!(run(dir.path(), &["scan", "--select", "CT105,CT107"]).status.code(), Some(0));
    assert_eq!(run(dir.path(), &["scan", "--select", "trust-no-aud"]).status.code(), Some(1));
    let out = run(dir.path(), &["scan", "--select", "CT999"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown rule `CT999`"));
}

#[test]
fn a_malformed_template_is_an_error_with_its_place_and_the_rest_is_scanned() {
    let malformed = "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  Pool:\n    Type: [unclosed\n";
    let dir = project(&[("a-broken.yaml", malformed), ("b-auth.yaml", BROKEN)]);
    let out = run(dir.path(), &["scan", "--format", "json"]);
    assert_eq!(out.status.code(), Some(2), "an unreadable input wins over findings");
    let report = json(&out);
    let err = &report["errors"][0];
    assert_eq!(err["location"]["file"], "a-broken.yaml");
    assert!(err["location"]["line"].as_u64().is_some(), "{err}");
    assert_eq!(report["findings"][0]["location"]["file"], "b-auth.yaml");
    assert_eq!(report["summary"]["errors"], 1);
}

#[test]
fn invalid_utf8_is_reported_with_its_file() {
    let dir = project(&[("ok.yaml", WARNING)]);
    std::fs::write(dir.path().join("bad.yaml"), b"AWSTemplateFormatVersion: x\nResources: \xff\xfe\n")
        .unwrap();
    let out = run(dir.path(), &["scan", "--format", "json"]);
    assert_eq!(out.status.code(), Some(2));
    let report = json(&out);
    assert_eq!(report["errors"][0]["location"]["file"], "bad.yaml");
    assert_eq!(report["errors"][0]["location"]["line"], 2);
    assert!(report["errors"][0]["message"].as_str().unwrap().contains("UTF-8"));
    assert_eq!(report["findings"][0]["rule"], "CT110");
}

#[test]
fn files_that_are_not_templates_are_skipped_silently() {
    let dir = project(&[
        ("package.json", "{\"name\": \"app\", \"version\": \"1.0.0\"}"),
        (".github/workflows/ci.yml", "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n"),
        ("k8s.yaml", "apiVersion: v1\nkind: Pod\nspec:\n  containers: []\n  resources: {}\n"),
        ("broken-workflow.yml", "on: [push\n"),
    ]);
    let out = run(dir.path(), &["scan", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    let report = json(&out);
    assert_eq!(report["summary"]["templates"], 0);
    assert_eq!(report["errors"].as_array().unwrap().len(), 0);
}

#[test]
fn gitignored_files_are_skipped_unless_told_otherwise() {
    let dir = project(&[(".gitignore", "generated/\n"), ("generated/auth.yaml", BROKEN)]);
    assert_eq!(run(dir.path(), &["scan"]).status.code(), Some(0));
    assert_eq!(run(dir.path(), &["scan", "--no-ignore-files"]).status.code(), Some(1));
    // A file named on the command line is always read.
    assert_eq!(run(dir.path(), &["scan", "generated/auth.yaml"]).status.code(), Some(1));
}

#[test]
fn output_writes_the_report_to_a_file() {
    let dir = project(&[("auth.yaml", BROKEN)]);
    let out = run(dir.path(), &["scan", "--format", "json", "--output", "report.json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let text = std::fs::read_to_string(dir.path().join("report.json")).unwrap();
    assert!(text.contains("\"CT106\""));
}

#[test]
fn human_output_shows_the_snippet_the_rule_and_the_fix_without_colour() {
    let dir = project(&[("auth.yaml", BROKEN)]);
    let out = run(dir.path(), &["scan"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("CT106 trust-no-aud"), "{text}");
    assert!(text.contains("[auth.yaml:15:13]"), "{text}");
    assert!(
        text.contains("help: add `StringEquals: {\"cognito-identity.amazonaws.com:aud\": !Ref Pool}`"),
        "{text}"
    );
    assert!(!text.contains('\u{1b}'), "no ANSI escapes when not a terminal");
    assert!(
        text.ends_with(
            "1 finding (1 error, 0 warnings, 0 notes) in 1 template of 1 file scanned\n\
             coverage: 1 identity pool, 1 role slot, 1 role checked, 0 slots not checked\n\
             hint: `cognitrust rules CODE` explains a rule, with an example and its fix (CT106)\n"
        ),
        "{text}"
    );
    // A condition key is never broken at its hyphen, whatever the width.
    assert!(text.contains("cognito-identity.amazonaws.com:aud"), "{text}");
    assert!(!text.lines().any(|l| l.trim_end().ends_with("cognito-")), "{text}");
}

#[test]
fn rules_lists_and_explains_every_rule() {
    let dir = project(&[]);
    let out = run(dir.path(), &["rules", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let rules = json(&out);
    let codes: Vec<&str> =
        rules["rules"].as_array().unwrap().iter().map(|r| r["code"].as_str().unwrap()).collect();
    for code in ["CT101", "CT106", "CT115", "CT201", "CT202", "CT206", "CT208"] {
        assert!(codes.contains(&code), "{code} missing from {codes:?}");
    }
    for r in rules["rules"].as_array().unwrap() {
        for key in ["code", "name", "severity", "summary", "doc"] {
            assert!(r[key].as_str().is_some_and(|s| !s.is_empty()), "{key} of {r}");
        }
    }
    let explain = run(dir.path(), &["rules", "trust-no-aud"]);
    let text = String::from_utf8_lossy(&explain.stdout);
    assert!(text.starts_with("# CT106 trust-no-aud"), "{text}");
    assert!(text.contains("## Why is this bad?"));
    assert_eq!(run(dir.path(), &["rules", "CT000"]).status.code(), Some(2));
}

#[test]
fn a_scan_that_finds_nothing_to_check_says_so_on_stderr() {
    let dir = common::project(&[("package.json", "{\"name\": \"app\"}\n"), ("README.md", "# app\n")]);
    let out = common::run(dir.path(), &["scan", ".", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("warning: no CloudFormation or SAM template"), "{stderr}");
    assert!(stderr.contains("hint:"), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(report["summary"]["templates"], 0);
    // A scan that found something says nothing of the kind.
    let dir = common::project(&[("t.yaml", common::WARNING)]);
    let out = common::run(dir.path(), &["scan", ".", "--format", "json"]);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("no CloudFormation"));
}

#[test]
fn the_summary_counts_what_was_checked_and_what_was_not() {
    // The authenticated role comes from a parameter (not checked: CT202); the guest role is
    // in the template and is checked.
    let template = WARNING
        .replace("Resources:\n", "Parameters:\n  AuthRoleArn: {Type: String}\nResources:\n")
        .replace("authenticated: !GetAtt AuthRole.Arn", "authenticated: !Ref AuthRoleArn");
    let dir = project(&[("pool.yaml", &template)]);
    let report = json(&run(dir.path(), &["scan", "--format", "json", "--fail-on", "never"]));
    assert_eq!(
        report["summary"]["coverage"],
        serde_json::json!({"pools": 1, "slots": 2, "roles_checked": 1, "not_checked": 1})
    );
    let rules: Vec<&str> =
        report["findings"].as_array().unwrap().iter().filter_map(|f| f["rule"].as_str()).collect();
    assert_eq!(rules, ["CT202"], "the slot not checked says why");
    let human = run(dir.path(), &["scan", "--fail-on", "never"]);
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(
        text.contains("coverage: 1 identity pool, 2 role slots, 1 role checked, 1 slot not checked"),
        "{text}"
    );
    // A role whose trust policy cannot be read is not checked either: CT901 says why.
    let unread = r#"
resource "aws_cognito_identity_pool" "p" {
  identity_pool_name               = "p"
  allow_unauthenticated_identities = false
}
resource "aws_iam_role" "r" {
  assume_role_policy = "not a policy"
}
resource "aws_cognito_identity_pool_roles_attachment" "a" {
  identity_pool_id = aws_cognito_identity_pool.p.id
  roles            = { authenticated = aws_iam_role.r.arn }
}
"#;
    let dir = project(&[("main.tf", unread)]);
    let report = json(&run(dir.path(), &["scan", "--format", "json", "--fail-on", "never"]));
    assert_eq!(
        report["summary"]["coverage"],
        serde_json::json!({"pools": 1, "slots": 1, "roles_checked": 0, "not_checked": 1})
    );
    let rules: Vec<&str> =
        report["findings"].as_array().unwrap().iter().filter_map(|f| f["rule"].as_str()).collect();
    assert_eq!(rules, ["CT901"]);
}
