//! What the integration tests share: a template with one warning, running the binary in a
//! temporary project, reading its JSON, and what a test does when something from outside the
//! crate is missing (a tool, or `../shared`).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// One certain fix: the authenticated role of a pool trusts Cognito with `sts:AssumeRole`
/// (CT103), and nothing else is wrong.
pub const WRONG_ACTION: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
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
            Action: sts:AssumeRole
            Condition:
              StringEquals: {"cognito-identity.amazonaws.com:aud": !Ref Pool}
              "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": authenticated}
  Roles:
    Type: AWS::Cognito::IdentityPoolRoleAttachment
    Properties:
      IdentityPoolId: !Ref Pool
      Roles:
        authenticated: !GetAtt AuthRole.Arn
"#;

/// Only a warning: the authenticated role of a guest-enabled pool has no amr condition.
pub const WARNING: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Pool:
    Type: AWS::Cognito::IdentityPool
    Properties:
      AllowUnauthenticatedIdentities: true
  AuthRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Federated: cognito-identity.amazonaws.com}
            Action: sts:AssumeRoleWithWebIdentity
            Condition:
              StringEquals: {"cognito-identity.amazonaws.com:aud": !Ref Pool}
  GuestRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Federated: cognito-identity.amazonaws.com}
            Action: sts:AssumeRoleWithWebIdentity
            Condition:
              StringEquals: {"cognito-identity.amazonaws.com:aud": !Ref Pool}
              "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": unauthenticated}
  Roles:
    Type: AWS::Cognito::IdentityPoolRoleAttachment
    Properties:
      IdentityPoolId: !Ref Pool
      Roles:
        authenticated: !GetAtt AuthRole.Arn
        unauthenticated: !GetAtt GuestRole.Arn
"#;

/// Runs `cognitrust` in `dir` without colour.
pub fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cognitrust"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run cognitrust")
}

/// A temporary repository (it has a `.git`, so config discovery stops there) with these files.
pub fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join(".git")).expect("mark the repository root");
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
    dir
}

/// The JSON report a run printed.
pub fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

// ---------------------------------------------------------------------------------------------
// What comes from outside the crate: tools on PATH and `../shared`

/// Whether the tests run under CI: `CI` is set to anything but empty, `0` or `false` (GitHub
/// Actions and GitLab set `CI=true`, and `.ci/run` is run as `CI=true bash .ci/run`). There a
/// missing tool or `../shared` fails the test that needs it, since a skipped test passes without
/// checking anything; `CI=false` is a developer's machine.
pub fn under_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| {
        let v = v.to_string_lossy().trim().to_ascii_lowercase();
        !matches!(v.as_str(), "" | "0" | "false")
    })
}

/// Writes a line to the real stderr: libtest captures `eprintln!` and drops it for a test that
/// passes, and a skip must show in the output of `cargo test` and in CI logs.
fn say(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// What a test does when `what` is missing, before it returns: on a developer's machine it says
/// it skipped on stderr; under CI ([`under_ci`]) it fails, saying `how` to get it.
pub fn missing(what: &str, how: &str) {
    if under_ci() {
        panic!("{what} is missing, and under CI this test must run: {how}");
    }
    say(&format!("skipped: {what} is missing ({how})"));
}

/// Whether `tool --version` runs and succeeds; when not, [`missing`] has been called, and the
/// test returns: `if !common::have_tool("xmllint", "apt-get install libxml2-utils") { return }`.
pub fn have_tool(tool: &str, how: &str) -> bool {
    let ok = Command::new(tool).arg("--version").output().is_ok_and(|o| o.status.success());
    if !ok {
        missing(tool, how);
    }
    ok
}

/// `../shared/<rel>` beside the project (SPEC.md and the real-world corpus), when it exists;
/// when not, [`missing`] has been called, and the test returns. A CI that cannot have it (the
/// repository's GitHub workflow: the corpus is not published with the code) says so by setting
/// `COGNITRUST_NO_SHARED` to why, and the test skips there too, saying why.
pub fn shared(rel: &str) -> Option<PathBuf> {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    let path = shared.join(rel);
    if path.exists() {
        return Some(path);
    }
    if let Some(why) = std::env::var_os("COGNITRUST_NO_SHARED").filter(|v| !v.is_empty()) {
        say(&format!(
            "skipped: ../shared/{rel} is missing, as COGNITRUST_NO_SHARED says: {}",
            why.to_string_lossy()
        ));
        return None;
    }
    let how = format!("put the project's shared material (SPEC.md, corpus/) at {}", shared.display());
    missing(&format!("../shared/{rel}"), &how);
    None
}
