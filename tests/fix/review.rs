//! Inputs an adversarial review of `--fix` broke it with, kept so they stay fixed.

use super::*;

/// A comment ending in `,` or `{` above a block entry does not make it a flow.
#[test]
fn a_comment_ending_in_a_comma_does_not_make_a_block_a_flow() {
    let text = no_aud()
        .replace("              StringEquals:\n                sts:RoleSessionName: app\n", "")
        .replace("            Condition:\n", "            Condition:   # amr only, aud comes later,\n");
    let dir = project(&[("t.yaml", &text)]);
    let (report, run) = scan_and_fix(&options(dir.path()));
    assert_eq!(run.fixed, 1, "{:?} {:?}", report.findings, report.errors);
    assert!(report.errors.is_empty() && report.findings.is_empty(), "{:?}", report.errors);
    let fixed = std::fs::read_to_string(dir.path().join("t.yaml")).unwrap();
    assert!(
        fixed.contains(
            "later,\n              StringEquals: {\"cognito-identity.amazonaws.com:aud\": !Ref Pool}\n"
        ),
        "{fixed}"
    );
}

/// An anchored value an alias repeats for another role is not rewritten through either.
#[test]
fn a_value_an_alias_repeats_is_not_rewritten() {
    let text = WRONG_ACTION.replace("Action: sts:AssumeRole\n", "Action: &act sts:AssumeRole\n").replace(
        "\n  Roles:\n",
        "\n  LambdaRole:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        Statement:\n          - Effect: Allow\n            Principal: {Service: lambda.amazonaws.com}\n            Action: *act\n  Roles:\n",
    );
    let dir = project(&[("t.yaml", &text)]);
    let report = fix_leaves_alone(dir.path(), &["t.yaml"]);
    assert!(reason(&report, "CT103").contains("YAML anchor `&act`"), "{}", reason(&report, "CT103"));
}

/// Renaming an operator onto one the statement has would make a duplicate key (in Terraform,
/// one that silently drops the other condition).
#[test]
fn a_rename_onto_a_key_that_exists_is_not_made() {
    let tf = r#"resource "aws_cognito_identity_pool" "main" {
  identity_pool_name               = "photos"
  allow_unauthenticated_identities = false
}

resource "aws_iam_role" "auth" {
  name = "auth"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = "cognito-identity.amazonaws.com" }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals             = { "cognito-identity.amazonaws.com:aud" = aws_cognito_identity_pool.main.id }
        "ForAnyValue:StringLike" = { "cognito-identity.amazonaws.com:sub" = ["us-east-1:0000*"] }
        StringLike               = { "cognito-identity.amazonaws.com:amr" = "authenticated" }
      }
    }]
  })
}

resource "aws_cognito_identity_pool_roles_attachment" "main" {
  identity_pool_id = aws_cognito_identity_pool.main.id
  roles = {
    authenticated = aws_iam_role.auth.arn
  }
}
"#;
    let dir = project(&[("main.tf", tf)]);
    let report = fix_leaves_alone(dir.path(), &["main.tf"]);
    assert!(reason(&report, "CT111").contains("has a `ForAnyValue:StringLike` already"));
}

/// A file two Serverless services include is read twice: a change for one may not suit the
/// other, and fixing it flipped it on every run.
#[test]
fn a_file_two_services_include_is_not_edited() {
    let roles = "Resources:\n  AppRole:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        Statement:\n          - Effect: Allow\n            Principal:\n              Federated: cognito-identity.amazonaws.com\n            Action: sts:AssumeRoleWithWebIdentity\n            Condition:\n              StringEquals:\n                cognito-identity.amazonaws.com:aud: !Ref IdentityPool\n";
    let service = |name: &str, slot: &str| {
        format!(
            "service: {name}\nprovider:\n  name: aws\nresources:\n  - ${{file(../shared/roles.yml)}}\n  - Resources:\n      IdentityPool:\n        Type: AWS::Cognito::IdentityPool\n        Properties:\n          AllowUnauthenticatedIdentities: true\n      IdentityPoolRoles:\n        Type: AWS::Cognito::IdentityPoolRoleAttachment\n        Properties:\n          IdentityPoolId: !Ref IdentityPool\n          Roles:\n            {slot}: !GetAtt AppRole.Arn\n"
        )
    };
    let (a, b) = (service("a", "authenticated"), service("b", "unauthenticated"));
    let dir = project(&[("shared/roles.yml", roles), ("a/serverless.yml", &a), ("b/serverless.yml", &b)]);
    let report = fix_leaves_alone(dir.path(), &["shared/roles.yml", "a/serverless.yml", "b/serverless.yml"]);
    let f = report.findings.iter().find(|f| f.fix.is_some()).expect("a finding with a fix");
    let why = f.fix.as_ref().unwrap().not_applied.as_deref().unwrap();
    assert!(why.contains("read by several templates"), "{why}");
}

/// An addition goes above the comment lines right above its place, so a suppression comment
/// keeps naming the line below it.
#[test]
fn an_addition_keeps_a_suppression_comment_on_its_line() {
    let text = no_aud().replace(
        "              StringEquals:\n                sts:RoleSessionName: app\n              \"ForAnyValue:StringLike\": {\"cognito-identity.amazonaws.com:amr\": authenticated}\n",
        "              # cognitrust: ignore[CT111] our provider sends a single amr value\n              StringLike: {\"cognito-identity.amazonaws.com:amr\": authenticated}\n",
    );
    let dir = project(&[("t.yaml", &text)]);
    let (report, run) = scan_and_fix(&options(dir.path()));
    assert_eq!(run.fixed, 1);
    assert_eq!(report.summary.suppressed, 1, "the CT111 stays suppressed");
    let fixed = std::fs::read_to_string(dir.path().join("t.yaml")).unwrap();
    assert!(
        fixed.contains("Condition:\n              StringEquals: {\"cognito-identity.amazonaws.com:aud\": !Ref Pool}\n              # cognitrust: ignore[CT111]"),
        "{fixed}"
    );
    assert!(fixed.contains("\n              StringLike: {"), "the suppressed finding was fixed: {fixed}");
}

#[cfg(unix)]
#[test]
fn a_read_only_file_and_a_hard_linked_one_are_not_written() {
    use std::os::unix::fs::PermissionsExt;
    let dir = project(&[("ro.yaml", WRONG_ACTION), ("linked.yaml", WRONG_ACTION)]);
    let ro = dir.path().join("ro.yaml");
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o444)).unwrap();
    std::fs::hard_link(dir.path().join("linked.yaml"), dir.path().join("other.txt")).unwrap();
    let (report, run) = scan_and_fix(&options(dir.path()));
    assert_eq!(run.fixed, 0);
    assert_eq!(std::fs::read_to_string(&ro).unwrap(), WRONG_ACTION);
    assert_eq!(std::fs::read_to_string(dir.path().join("linked.yaml")).unwrap(), WRONG_ACTION);
    let said: Vec<&str> = report.errors.iter().map(|e| e.message.as_str()).collect();
    assert!(said.iter().any(|m| m.contains("read-only")), "{said:?}");
    assert!(said.iter().any(|m| m.contains("hard links")), "{said:?}");
}

/// A UTF-16 file is read (and reported), but writing it back as UTF-8 would change every byte.
#[test]
fn a_file_not_in_utf8_is_not_rewritten() {
    let mut bytes = vec![0xFF, 0xFE];
    for unit in WRONG_ACTION.encode_utf16() {
        bytes.extend(unit.to_le_bytes());
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("t.yaml"), &bytes).unwrap();
    let (report, run) = scan_and_fix(&options(dir.path()));
    assert_eq!(run.fixed, 0);
    assert_eq!(std::fs::read(dir.path().join("t.yaml")).unwrap(), bytes);
    let why = reason(&report, "CT103");
    assert!(why.contains("is not UTF-8") || why.contains("has input errors"), "{why}");
}
