//! The integrations as GitHub runs them: `--format github` annotations, and SARIF as code
//! scanning and Microsoft's validator read it. The Action and the workflows are tested in
//! tests/action.rs, the wheel and the pre-commit hooks in tests/packaging.rs.
//!
//! Tests that need an outside tool (the SARIF validator) say so and skip when it is missing,
//! except under CI, where `.ci/run` installs it and a skip is a failure (`common::missing`).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use cognitrust::report::github::{escape_data, escape_property};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_cognitrust");

/// One error (CT106 on the guest role, one related place) and one warning (CT110 on the
/// authenticated role, two related places).
const BROKEN: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
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
              "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": unauthenticated}
  Roles:
    Type: AWS::Cognito::IdentityPoolRoleAttachment
    Properties:
      IdentityPoolId: !Ref Pool
      Roles:
        authenticated: !GetAtt AuthRole.Arn
        unauthenticated: !GetAtt GuestRole.Arn
"#;

/// The rules [`BROKEN`] breaks: exact assertions select them, so new rules do not move them.
const SELECT: &str = "CT106,CT110";

/// [`BROKEN`] fixed: both roles check `aud` and `amr`.
fn correct() -> String {
    BROKEN
        .replace(
            "              StringEquals: {\"cognito-identity.amazonaws.com:aud\": !Ref Pool}\n  GuestRole",
            "              StringEquals: {\"cognito-identity.amazonaws.com:aud\": !Ref Pool}\n              \
             \"ForAnyValue:StringLike\": {\"cognito-identity.amazonaws.com:amr\": authenticated}\n  GuestRole",
        )
        .replace(
            "            Condition:\n              \"ForAnyValue:StringLike\": {\"cognito-identity.amazonaws.com:amr\": unauthenticated}",
            "            Condition:\n              StringEquals: {\"cognito-identity.amazonaws.com:aud\": !Ref Pool}\n              \
             \"ForAnyValue:StringLike\": {\"cognito-identity.amazonaws.com:amr\": unauthenticated}",
        )
}

const MALFORMED: &str =
    "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  Pool:\n    Type: [unclosed\n";

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
    dir
}

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN).args(args).current_dir(dir).env("NO_COLOR", "1").output().expect("run cognitrust")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

// ---------------------------------------------------------------------------------------------
// --format github

#[test]
fn github_escaping_follows_the_actions_toolkit() {
    assert_eq!(escape_data("100% done\r\nnext"), "100%25 done%0D%0Anext");
    assert_eq!(escape_data("a:b,c"), "a:b,c", "data keeps : and ,");
    assert_eq!(escape_property("dir, x/a:b.yaml%\n"), "dir%2C x/a%3Ab.yaml%25%0A");
    assert_eq!(escape_property("%3A"), "%253A", "% is escaped first, so escapes are not doubled");
}

#[test]
fn github_format_prints_one_annotation_per_finding() {
    let dir = project(&[("infra/auth.yaml", BROKEN)]);
    let out = run(dir.path(), &["scan", "--format", "github", "--select", SELECT]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines,
        [
            "::warning file=infra/auth.yaml,line=15,col=13,endLine=15,endColumn=22,title=CT110 trust-no-amr::\
             role `AuthRole` is the authenticated role of pool `Pool`, which allows guests, but its trust has no \
             `amr` condition: guest identities could obtain it\
             %0Ainfra/auth.yaml:32:24: attached to pool `Pool` as its authenticated role\
             %0Ainfra/auth.yaml:6:39: guests are allowed here\
             %0Ahelp: add `\"ForAnyValue:StringLike\": {\"cognito-identity.amazonaws.com:amr\": authenticated}`",
            "::error file=infra/auth.yaml,line=25,col=13,endLine=25,endColumn=22,title=CT106 trust-no-aud::\
             role `GuestRole` trusts every identity pool: its trust policy has no \
             cognito-identity.amazonaws.com:aud condition\
             %0Ainfra/auth.yaml:33:26: attached to pool `Pool` as its unauthenticated (guest) role\
             %0Ahelp: add `StringEquals: {\"cognito-identity.amazonaws.com:aud\": !Ref Pool}`",
        ]
    );
}

#[test]
fn github_format_notices_and_input_errors() {
    let dir = project(&[("a, b.yaml", MALFORMED), ("ok.yaml", &correct())]);
    let out = run(dir.path(), &["scan", "--format", "github"]);
    assert_eq!(out.status.code(), Some(2));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1, "{text}");
    assert!(
        lines[0].starts_with(
            "::error file=a%2C b.yaml,line=5,col=1,title=cognitrust%3A input could not be analysed::"
        ),
        "{text}"
    );
    // A note becomes a notice: a role attached by a literal ARN of another account (CT202).
    let note = BROKEN.replace("!GetAtt GuestRole.Arn", "arn:aws:iam::123456789012:role/elsewhere");
    let dir = project(&[("note.yaml", &note)]);
    let text = stdout(&run(dir.path(), &["scan", "--format", "github", "--select", "CT202"]));
    assert!(text.starts_with("::notice file=note.yaml,line=33,"), "{text}");
    assert!(text.contains(",title=CT202 attachment-role-unresolved::"), "{text}");
}

// ---------------------------------------------------------------------------------------------
// --format sarif

fn sarif_of(dir: &Path, args: &[&str]) -> Value {
    let mut all = vec!["scan", "--format", "sarif"];
    all.extend_from_slice(args);
    let out = run(dir, &all);
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

fn fingerprints(log: &Value) -> Vec<String> {
    log["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            r["partialFingerprints"]["cognitrustFindingHash/v1"].as_str().expect("fingerprint").to_string()
        })
        .collect()
}

#[test]
fn sarif_has_what_code_scanning_needs() {
    let dir = project(&[("infra/auth.yaml", BROKEN)]);
    let log = sarif_of(dir.path(), &["--select", SELECT]);
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(log["runs"].as_array().map(Vec::len), Some(1));
    let run = &log["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "cognitrust");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    let rules = driver["rules"].as_array().expect("rules");
    assert_eq!(rules.len(), cognitrust::rules::RULES.len(), "every rule is described");
    for (rule, r) in cognitrust::rules::RULES.iter().zip(rules) {
        assert_eq!(r["id"], rule.code);
        assert_eq!(r["name"], rule.name);
        assert_eq!(r["shortDescription"]["text"], rule.summary);
        for key in ["fullDescription", "help"] {
            assert!(r[key]["text"].as_str().is_some_and(|t| !t.is_empty()), "{key} of {}", rule.code);
        }
        assert!(r["help"]["markdown"].as_str().is_some_and(|t| t.contains("## Why is this bad?")));
        assert!(r["properties"]["tags"].as_array().is_some_and(|t| t.contains(&"security".into())));
        let (level, score) = match rule.severity.as_str() {
            "error" => ("error", "8.0"),
            "warning" => ("warning", "5.0"),
            _ => ("note", "2.0"),
        };
        assert_eq!(r["defaultConfiguration"]["level"], level);
        assert_eq!(r["properties"]["security-severity"], score);
    }
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);

    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), 2);
    for r in results {
        let index = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[index]["id"], r["ruleId"], "ruleIndex points at the rule");
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], "infra/auth.yaml");
        assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        for key in ["startLine", "startColumn", "endLine", "endColumn"] {
            assert!(loc["region"][key].as_u64().is_some_and(|n| n >= 1), "{key} in {r}");
        }
        let related = r["relatedLocations"].as_array().expect("relatedLocations");
        assert!(!related.is_empty());
        for (i, rel) in related.iter().enumerate() {
            assert_eq!(rel["id"], i + 1);
            assert!(rel["message"]["text"].as_str().is_some_and(|t| !t.is_empty()));
            let link = format!("]({})", i + 1);
            assert!(r["message"]["text"].as_str().unwrap().contains(&link), "the message links related {i}");
        }
    }
    let error = &results[1];
    assert_eq!(error["ruleId"], "CT106");
    assert_eq!(error["level"], "error");
    assert_eq!(
        error["locations"][0]["physicalLocation"]["region"],
        serde_json::json!({"startLine": 25, "startColumn": 13, "endLine": 25, "endColumn": 22})
    );
    assert_eq!(error["relatedLocations"][0]["physicalLocation"]["region"]["startLine"], 33);
    assert_eq!(results[0]["level"], "warning");
}

#[test]
fn sarif_fingerprints_survive_unrelated_edits() {
    let before = project(&[("infra/auth.yaml", BROKEN), ("infra/other.yaml", BROKEN)]);
    let moved = format!("\n\n\n# a comment\n{BROKEN}");
    let after = project(&[("infra/auth.yaml", &moved), ("infra/other.yaml", BROKEN)]);
    let (a, b) =
        (sarif_of(before.path(), &["--select", SELECT]), sarif_of(after.path(), &["--select", SELECT]));
    assert_eq!(fingerprints(&a), fingerprints(&b), "blank lines at the top change no fingerprint");
    let line = |log: &Value| {
        log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"].clone()
    };
    assert_eq!(line(&a).as_u64().unwrap() + 4, line(&b).as_u64().unwrap(), "but the lines moved");

    let all = fingerprints(&a);
    let mut unique = all.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), all.len(), "the same finding in two files has two fingerprints: {all:?}");

    let changed = project(&[("infra/auth.yaml", &BROKEN.replace("GuestRole", "VisitorRole"))]);
    let c = fingerprints(&sarif_of(changed.path(), &["--select", SELECT]));
    assert_eq!(c[0], all[0], "the untouched finding keeps its fingerprint");
    assert_ne!(c[1], all[1], "a renamed resource is a new finding");
}

#[test]
fn sarif_reports_input_errors_as_tool_notifications() {
    let dir = project(&[("a.yaml", MALFORMED), ("b.yaml", BROKEN)]);
    let log = sarif_of(dir.path(), &["--select", SELECT]);
    let invocation = &log["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let note = &invocation["toolExecutionNotifications"][0];
    assert_eq!(note["level"], "error");
    assert_eq!(note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "a.yaml");
    assert_eq!(
        log["runs"][0]["results"].as_array().map(Vec::len),
        Some(2),
        "the other file is still scanned"
    );
}

#[test]
fn sarif_uris_are_percent_encoded_and_messages_escaped() {
    let dir = project(&[("my stacks/[auth]%.yaml", BROKEN)]);
    let log = sarif_of(dir.path(), &[]);
    let result = &log["runs"][0]["results"][0];
    assert_eq!(
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "my%20stacks/%5Bauth%5D%25.yaml"
    );
    assert_eq!(cognitrust::report::sarif::escape(r"a [b] \c"), r"a \[b\] \\c");
}

#[test]
fn sarif_snapshot() {
    let dir = project(&[("infra/auth.yaml", BROKEN)]);
    let out = run(dir.path(), &["scan", "--format", "sarif", "--select", SELECT]);
    insta::assert_snapshot!("sarif_broken_template", redact_sarif(&stdout(&out)));
}

/// The SARIF text as printed, less what belongs to other tests: the rule catalog (the rules'
/// own tests and docs cover it), rule indexes (they move when rules are added) and the version.
fn redact_sarif(text: &str) -> String {
    let version = format!("\"{}\"", env!("CARGO_PKG_VERSION"));
    let mut out = Vec::new();
    let mut skipping: Option<String> = None;
    for line in text.lines() {
        if let Some(end) = &skipping {
            if line.starts_with(end.as_str()) {
                let comma = if line.ends_with(',') { "," } else { "" };
                let indent = &end[..end.len() - 1];
                out.push(format!("{indent}\"rules\": \"[every rule]\"{comma}"));
                skipping = None;
            }
            continue;
        }
        let indent = &line[..line.len() - line.trim_start().len()];
        match line.trim() {
            "\"rules\": [" => skipping = Some(format!("{indent}]")),
            t if t.starts_with("\"ruleIndex\": ") => {
                let comma = if t.ends_with(',') { "," } else { "" };
                out.push(format!("{indent}\"ruleIndex\": \"[index]\"{comma}"));
            }
            _ => out.push(line.replace(&format!(": {version}"), ": \"[version]\"")),
        }
    }
    out.join("\n")
}

// ---------------------------------------------------------------------------------------------
// Microsoft's SARIF validator with GitHub's rules

/// The validator `.ci/run` installs (`tools/sarif`), or `SARIF_MULTITOOL`.
fn multitool() -> Option<PathBuf> {
    let path = std::env::var_os("SARIF_MULTITOOL").map(PathBuf::from).unwrap_or_else(|| {
        repo_root().join("tools/sarif/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool")
    });
    path.is_file().then_some(path)
}

#[test]
#[ignore = "slow: Microsoft's SARIF validator reads the SARIF of every fixture (20 s); .ci/run runs it"]
fn fixture_sarif_passes_the_sarif_validator_with_github_rules() {
    let Some(tool) = multitool() else {
        return common::missing("Sarif.Multitool", "cd tools/sarif && npm ci, or set SARIF_MULTITOOL");
    };
    let out_dir = tempfile::tempdir().expect("tempdir");
    let root = repo_root();
    let cfn = root.join("testdata/cfn");
    // The whole tree as one log, then each fixture folder as its own.
    let mut targets = vec![("all", PathBuf::from("testdata/cfn"))];
    let mut folders: Vec<PathBuf> = std::fs::read_dir(&cfn)
        .expect("testdata/cfn")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    folders.sort();
    let names: Vec<String> =
        folders.iter().map(|f| f.file_name().unwrap().to_string_lossy().into_owned()).collect();
    for (name, folder) in names.iter().zip(&folders) {
        targets.push((name, folder.strip_prefix(&root).unwrap().to_path_buf()));
    }
    // CDK output: construct paths and related places in the app's TypeScript source.
    targets.push(("cdk", PathBuf::from("testdata/cdk/cdk.out")));
    // Results with fixes (artifact changes), in every input kind.
    targets.push(("fix", PathBuf::from("testdata/fix")));
    let mut files = Vec::new();
    for (name, target) in &targets {
        let file = out_dir.path().join(format!("{name}.sarif"));
        let out = Command::new(BIN)
            .args(["scan", "--format", "sarif", "--fail-on", "never", "--output"])
            .arg(&file)
            .arg(target)
            .current_dir(&root)
            .output()
            .expect("run cognitrust");
        assert!(file.is_file(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
        files.push(file);
    }
    let all: Value = serde_json::from_str(&std::fs::read_to_string(&files[0]).unwrap()).unwrap();
    assert!(all["runs"][0]["results"].as_array().is_some_and(|r| r.len() > 50), "the fixtures gave findings");

    let report = out_dir.path().join("validation.sarif");
    let out = Command::new(&tool)
        .args(["validate", "--rule-kind", "Sarif;Gh", "--output"])
        .arg(&report)
        .args(&files)
        .output()
        .expect("run Sarif.Multitool");
    let console = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "the validator failed: {console}{}", String::from_utf8_lossy(&out.stderr));
    let validation: Value =
        serde_json::from_str(&std::fs::read_to_string(&report).expect("validator output"))
            .expect("validator output is JSON");
    let results = validation["runs"][0]["results"].as_array().cloned().unwrap_or_default();
    let errors: Vec<String> = results
        .iter()
        .filter(|r| r["level"].as_str().unwrap_or("warning") == "error")
        .map(|r| {
            let file = &r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
            format!("{file}: {} {}", r["ruleId"], r["message"])
        })
        .collect();
    assert!(errors.is_empty(), "{} validator errors:\n{}", errors.len(), errors.join("\n"));
    let mut warnings: Vec<&str> = results.iter().filter_map(|r| r["ruleId"].as_str()).collect();
    warnings.sort();
    warnings.dedup();
    eprintln!("validated {} SARIF files: no errors; warnings or notes from {warnings:?}", files.len());
}
