//! The integrations as GitHub and pre-commit run them: `--format github` annotations, SARIF as
//! code scanning and Microsoft's validator read it, the action's shell steps in a simulated
//! runner, the workflows' hygiene, and a real `pre-commit try-repo` of this checkout.
//!
//! Tests that need an outside tool (the SARIF validator, pre-commit) say so and skip when it is
//! missing, except under CI (`CI` set), where `.ci/run` installs them and a skip is a failure.

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

/// Whether a missing tool may skip a test: not under CI, where `.ci/run` installs it.
fn skip_without(tool: &str, how: &str) {
    assert!(std::env::var_os("CI").is_none(), "{tool} is not installed, and CI must run this test: {how}");
    eprintln!("SKIPPED: {tool} is not installed ({how})");
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
fn fixture_sarif_passes_the_sarif_validator_with_github_rules() {
    let Some(tool) = multitool() else {
        return skip_without("Sarif.Multitool", "cd tools/sarif && npm ci");
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

// ---------------------------------------------------------------------------------------------
// The action's shell steps in a simulated runner

/// A simulated runner: a workspace, RUNNER_TEMP, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files.
struct Runner {
    dir: tempfile::TempDir,
}

struct Step {
    status: Option<i32>,
    log: String,
    outputs: std::collections::BTreeMap<String, String>,
}

impl Runner {
    fn new(files: &[(&str, &str)]) -> Runner {
        let dir = tempfile::tempdir().expect("tempdir");
        for sub in ["workspace", "temp"] {
            std::fs::create_dir_all(dir.path().join(sub)).expect("mkdir");
        }
        for (name, text) in files {
            let path = dir.path().join("workspace").join(name);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, text).expect("write");
        }
        Runner { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn summary(&self) -> String {
        std::fs::read_to_string(self.path("summary.md")).unwrap_or_default()
    }

    /// Runs `scripts/action/<script>` as action.yml does: `bash`, the inputs as env.
    fn step(&self, script: &str, env: &[(&str, &str)]) -> Step {
        let output = self.path("output");
        std::fs::write(&output, "").expect("GITHUB_OUTPUT");
        let out = Command::new("bash")
            .arg(repo_root().join("scripts/action").join(script))
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.dir.path())
            .env("GITHUB_ACTION_PATH", repo_root())
            .env("GITHUB_WORKSPACE", self.path("workspace"))
            .env("GITHUB_OUTPUT", &output)
            .env("GITHUB_STEP_SUMMARY", self.path("summary.md"))
            .env("GITHUB_SERVER_URL", "https://github.com")
            .env("GITHUB_REPOSITORY", "octo/app")
            .env("GITHUB_SHA", "0123abc")
            .env("RUNNER_TEMP", self.path("temp"))
            .env("RUNNER_OS", "Linux")
            .env("RUNNER_ARCH", "X64")
            .envs(env.iter().copied())
            .current_dir(self.dir.path())
            .output()
            .expect("run bash");
        let outputs = std::fs::read_to_string(&output)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.split_once('=').map(|(k, v)| (k.to_string(), v.to_string())))
            .collect();
        let log = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        Step { status: out.status.code(), log, outputs }
    }

    /// resolve → build (from a cached binary) → scan → finish, as action.yml chains them.
    fn action(&self, inputs: &[(&str, &str)]) -> (Step, Step) {
        let resolve = self.step("resolve.sh", &[("INPUT_VERSION", "")]);
        assert_eq!(resolve.status, Some(0), "{}", resolve.log);
        assert_eq!(resolve.outputs["need-build"], "true");
        // The cache step restored a build: put the test binary where build.sh looks.
        let root = PathBuf::from(&resolve.outputs["root"]);
        std::fs::create_dir_all(root.join("bin")).expect("mkdir");
        // A symlink, not a copy: a copy is open for writing for a moment, and a process another
        // test forks then can hold it open, so running it fails with "Text file busy".
        let _ = std::fs::remove_file(root.join("bin/cognitrust"));
        #[cfg(unix)]
        std::os::unix::fs::symlink(BIN, root.join("bin/cognitrust")).expect("link the binary");
        #[cfg(not(unix))]
        std::fs::copy(BIN, root.join("bin/cognitrust")).expect("copy the binary");
        let build = self.step("build.sh", &[("INSTALL_ROOT", &resolve.outputs["root"])]);
        assert_eq!(build.status, Some(0), "{}", build.log);
        assert!(build.log.contains("using the cached build"), "{}", build.log);
        let mut env = vec![("COGNITRUST_BIN", build.outputs["bin"].as_str())];
        env.extend_from_slice(inputs);
        let scan = self.step("scan.sh", &env);
        let finish = self.step(
            "finish.sh",
            &[
                ("SCAN_EXIT_CODE", scan.outputs.get("exit-code").map_or("", String::as_str)),
                ("FINDINGS", scan.outputs.get("findings").map_or("", String::as_str)),
                (
                    "INPUT_FAIL_ON",
                    inputs.iter().find(|(k, _)| *k == "INPUT_FAIL_ON").map_or("warning", |(_, v)| v),
                ),
            ],
        );
        (scan, finish)
    }
}

#[test]
fn action_scan_of_a_broken_template_uploads_summarises_and_fails() {
    let runner = Runner::new(&[("infra/auth.yaml", BROKEN), ("docs/readme.yaml", "a: 1\n")]);
    let (scan, finish) = runner.action(&[("INPUT_PATHS", "infra\n docs"), ("INPUT_FORMAT", "sarif")]);
    assert_eq!(scan.status, Some(0), "the scan step leaves failing to the last step: {}", scan.log);
    assert_eq!(scan.outputs["findings"], "2");
    assert_eq!(scan.outputs["exit-code"], "1");
    let sarif = &scan.outputs["sarif-file"];
    assert!(sarif.ends_with("cognitrust.sarif") && sarif.starts_with(runner.path("temp").to_str().unwrap()));
    let log: Value =
        serde_json::from_str(&std::fs::read_to_string(sarif).expect("sarif file")).expect("SARIF");
    assert_eq!(
        log["runs"][0]["results"][1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "infra/auth.yaml"
    );
    assert!(scan.log.contains("CT106 trust-no-aud"), "the log shows the findings: {}", scan.log);

    let summary = runner.summary();
    assert!(
        summary.starts_with("## cognitrust\n\n**2 findings** in 1 template of 2 files scanned"),
        "{summary}"
    );
    assert!(
        summary
            .contains("| errors | warnings | notes | suppressed |\n|---:|---:|---:|---:|\n| 1 | 1 | 0 | 0 |")
    );
    assert!(summary.contains("| severity | rule | location | message |"), "{summary}");
    assert!(
        summary.contains(
            "| error | CT106 trust-no-aud | [`infra/auth.yaml:25:13`](https://github.com/octo/app/blob/0123abc/infra/auth.yaml#L25) | role \\`GuestRole\\` trusts every identity pool"
        ),
        "{summary}"
    );
    assert!(summary.contains("| warning | CT110 trust-no-amr |"), "{summary}");

    assert_eq!(finish.status, Some(1), "{}", finish.log);
    assert!(finish.log.contains("::error title=cognitrust::2 finding(s)"), "{}", finish.log);
}

#[test]
fn action_scan_of_a_correct_template_passes() {
    let runner = Runner::new(&[("stack.yaml", &correct())]);
    let (scan, finish) = runner.action(&[("INPUT_FORMAT", "github")]);
    assert_eq!(scan.status, Some(0), "{}", scan.log);
    assert_eq!(scan.outputs["findings"], "0");
    assert_eq!(scan.outputs["exit-code"], "0");
    assert_eq!(scan.outputs["sarif-file"], "", "no SARIF for format github");
    assert!(runner.summary().contains("No findings in 1 template of 1 file scanned"), "{}", runner.summary());
    assert!(
        runner
            .summary()
            .contains("Coverage: 1 identity pool, 2 role slots, 2 roles checked, every slot checked."),
        "{}",
        runner.summary()
    );
    assert_eq!(finish.status, Some(0), "{}", finish.log);
}

#[test]
fn action_fail_on_and_github_annotations() {
    let runner = Runner::new(&[("infra/auth.yaml", BROKEN)]);
    let (scan, finish) = runner.action(&[("INPUT_FORMAT", "github"), ("INPUT_FAIL_ON", "never")]);
    assert!(
        scan.log.contains(
            "::error file=infra/auth.yaml,line=25,col=13,endLine=25,endColumn=22,title=CT106 trust-no-aud::"
        ),
        "{}",
        scan.log
    );
    assert_eq!(scan.outputs["exit-code"], "0");
    assert_eq!(finish.status, Some(0), "fail-on never: {}", finish.log);

    let (scan, finish) = runner.action(&[("INPUT_FORMAT", "json"), ("INPUT_FAIL_ON", "error")]);
    assert_eq!((scan.outputs["exit-code"].as_str(), finish.status), ("1", Some(1)));
    let (_, finish) = runner.action(&[
        ("INPUT_FORMAT", "json"),
        ("INPUT_PATHS", "infra/auth.yaml"),
        ("INPUT_FAIL_ON", "error"),
    ]);
    assert_eq!(finish.status, Some(1));
}

#[test]
fn action_rejects_bad_inputs_and_reports_unreadable_templates() {
    let runner = Runner::new(&[("broken.yaml", MALFORMED)]);
    let (scan, finish) = runner.action(&[("INPUT_FORMAT", "xml")]);
    assert_eq!(scan.status, Some(2));
    assert!(scan.log.contains("format must be sarif, json, github or human, not 'xml'"), "{}", scan.log);
    assert_eq!(finish.status, Some(2));

    let (scan, finish) = runner.action(&[]);
    assert_eq!(scan.status, Some(0), "{}", scan.log);
    assert_eq!(scan.outputs["exit-code"], "2");
    assert!(
        runner.summary().contains("| input that could not be analysed | error |"),
        "{}",
        runner.summary()
    );
    assert_eq!(finish.status, Some(2));
    assert!(finish.log.contains("could not be analysed"), "{}", finish.log);

    // `config` goes through only once the CLI has --config; until then the step says why it stops.
    let help = stdout(&run(runner.path("workspace").as_path(), &["scan", "--help"]));
    let (scan, _) = runner.action(&[("INPUT_CONFIG", "cognitrust.toml")]);
    if help.contains("--config") {
        assert!(!scan.log.contains("the config input needs"), "{}", scan.log);
    } else {
        assert_eq!(scan.status, Some(2));
        assert!(
            scan.log.contains("the config input needs a cognitrust that supports --config"),
            "{}",
            scan.log
        );
    }
}

/// [`BROKEN`] in a file whose name starts a workflow command on its second line, with workflow
/// commands in a comment on the line of its CT106 finding.
const INJECTING_NAME: &str = "infra/evil\n::warning::pwned.yaml";

fn injecting() -> String {
    BROKEN.replace(
        "            Condition:\n              \"ForAnyValue",
        "            Condition:  # ::add-mask::secret ##[warning]pwned\n              \"ForAnyValue",
    )
}

/// The token of the log's one `::stop-commands::TOKEN`, and the lines it holds before `::TOKEN::`.
fn stopped_region(log: &str) -> (String, std::ops::Range<usize>) {
    let lines: Vec<&str> = log.lines().collect();
    let starts: Vec<usize> =
        (0..lines.len()).filter(|i| lines[*i].starts_with("::stop-commands::")).collect();
    assert_eq!(starts.len(), 1, "one stop-commands: {log}");
    let token = lines[starts[0]]["::stop-commands::".len()..].to_string();
    assert!(token.len() == 32 && token.bytes().all(|b| b.is_ascii_hexdigit()), "a random token: {token:?}");
    let end =
        lines.iter().position(|l| *l == format!("::{token}::")).unwrap_or_else(|| panic!("resumed: {log}"));
    assert!(end > starts[0], "{log}");
    (token, starts[0] + 1..end)
}

#[test]
fn action_log_holds_every_report_between_stop_commands_with_a_fresh_token() {
    let runner = Runner::new(&[(INJECTING_NAME, &injecting())]);
    let mut tokens = Vec::new();
    for format in ["sarif", "human", "github"] {
        let (scan, _) = runner.action(&[("INPUT_FORMAT", format), ("INPUT_FAIL_ON", "never")]);
        assert_eq!(scan.status, Some(0), "{}", scan.log);
        let (token, stopped) = stopped_region(&scan.log);
        tokens.push(token.clone());
        let lines: Vec<&str> = scan.log.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let text = line.trim_start();
            let command = text.starts_with("::") || text.starts_with("##[");
            if stopped.contains(&i) || !command || text == format!("::{token}::") {
                continue;
            }
            // Outside the stopped region, only the stop itself and whole annotations.
            let annotation =
                ["::error file=", "::warning file=", "::notice file="].iter().any(|p| text.starts_with(p))
                    && text[2..].split_once("::").is_some_and(|(props, _)| !props.contains(':'));
            assert!(
                text.starts_with("::stop-commands::") || (format == "github" && annotation),
                "{format}: a command outside the stopped region: {line:?}\n{}",
                scan.log
            );
        }
        if format == "github" {
            assert!(scan.log.contains("title=CT106 trust-no-aud::"), "annotations still work: {}", scan.log);
        } else {
            let report: Vec<usize> = (0..lines.len()).filter(|i| lines[*i].contains("add-mask")).collect();
            assert!(
                !report.is_empty() && report.iter().all(|i| stopped.contains(i)),
                "{format}: {}",
                scan.log
            );
        }
    }
    tokens.dedup();
    assert_eq!(tokens.len(), 3, "a fresh token per run: {tokens:?}");
}

#[test]
fn action_summary_escapes_html_markdown_and_controls_and_encodes_file_names() {
    // The role's name, in YAML double-quoted syntax: `\r` is a CR, `\e` an ESC.
    let name = r#"Evil<b>*x*</b>|[l](http://e)`_~!#&'\r\e"#;
    let template = BROKEN
        .replace("  GuestRole:", &format!("  \"{name}\":"))
        .replace("!GetAtt GuestRole.Arn", &format!("!GetAtt \"{name}.Arn\""));
    let runner = Runner::new(&[("my stacks/a|<img src=x>[x](y).yaml", &template)]);
    let (scan, _) = runner.action(&[("INPUT_FORMAT", "json")]);
    assert_eq!(scan.outputs["findings"], "2", "{}", scan.log);
    let summary = runner.summary();
    assert!(
        summary.contains(
            r"role \`Evil&lt;b&gt;\*x\*&lt;/b&gt;\|\[l\](http://e)\`\_\~\!\#&amp;&#39;\\u{d}\\u{1b}\` trusts every identity pool"
        ),
        "{summary}"
    );
    assert!(
        summary.contains(
            "[`my stacks/a\\|<img src=x>[x](y).yaml:25:13`](https://github.com/octo/app/blob/0123abc/my%20stacks/a%7C%3Cimg%20src%3Dx%3E%5Bx%5D%28y%29.yaml#L25)"
        ),
        "in a code span, only `|` is escaped; in the link, all but unreserved characters: {summary}"
    );
    // Code spans show `<` as it is; nowhere else may HTML or a link start.
    let mut outside_code = summary.clone();
    for line in [15, 25] {
        outside_code = outside_code.replace(&format!("`my stacks/a\\|<img src=x>[x](y).yaml:{line}:13`"), "");
    }
    assert!(!outside_code.contains('<') && !outside_code.contains("[l]("), "{outside_code}");
    assert!(!summary.contains(['\r', '\u{1b}']), "{summary:?}");
}

/// A fake release: `cognitrust-<target>.tar.gz` with a script named cognitrust, and SHA256SUMS.
fn fake_release(dir: &Path, tag: &str, tamper: bool) -> String {
    let release = dir.join("releases").join(tag);
    let staging = dir.join("staging");
    std::fs::create_dir_all(&release).expect("mkdir");
    std::fs::create_dir_all(&staging).expect("mkdir");
    std::fs::write(staging.join("cognitrust"), "#!/bin/sh\necho cognitrust-from-release\n").expect("write");
    let archive = "cognitrust-x86_64-unknown-linux-gnu.tar.gz";
    let ok = Command::new("tar")
        .args(["-czf"])
        .arg(release.join(archive))
        .args(["-C"])
        .arg(&staging)
        .arg(".")
        .status()
        .expect("tar");
    assert!(ok.success());
    let sum = Command::new("sha256sum").arg(release.join(archive)).output().expect("sha256sum");
    let mut hash = String::from_utf8_lossy(&sum.stdout).split(' ').next().unwrap_or_default().to_string();
    if tamper {
        hash = "0".repeat(64);
    }
    std::fs::write(release.join("SHA256SUMS"), format!("{hash}  {archive}\n")).expect("write");
    format!("file://{}", dir.join("releases").display())
}

#[test]
fn action_downloads_a_release_and_checks_its_checksum() {
    let runner = Runner::new(&[]);
    let url = fake_release(&runner.path("mirror"), "v0.1.0", false);
    let step = runner.step("resolve.sh", &[("INPUT_VERSION", "0.1.0"), ("COGNITRUST_RELEASES_URL", &url)]);
    assert_eq!(step.status, Some(0), "{}", step.log);
    assert_eq!(step.outputs["need-build"], "false");
    let bin = &step.outputs["bin"];
    let out = Command::new(bin).output().expect("run the downloaded binary");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "cognitrust-from-release\n");

    // A version with no release builds the action's own source instead, with a warning.
    let step = runner.step("resolve.sh", &[("INPUT_VERSION", "v9.9.9"), ("COGNITRUST_RELEASES_URL", &url)]);
    assert_eq!(step.status, Some(0), "{}", step.log);
    assert_eq!(step.outputs["need-build"], "true");
    assert!(step.log.contains("::warning title=cognitrust::release v9.9.9 has no binary"), "{}", step.log);
    let key = &step.outputs["key"];
    assert!(
        key.starts_with("cognitrust-Linux-X64-") && key.len() == "cognitrust-Linux-X64-".len() + 64,
        "{key}"
    );

    let tampered = runner.path("tampered");
    let url = fake_release(&tampered, "v0.1.0", true);
    let step = runner.step("resolve.sh", &[("INPUT_VERSION", "0.1.0"), ("COGNITRUST_RELEASES_URL", &url)]);
    assert_eq!(step.status, Some(1), "{}", step.log);
    assert!(step.log.contains("checksum mismatch"), "{}", step.log);
    assert!(!step.outputs.contains_key("bin"));
}

// ---------------------------------------------------------------------------------------------
// action.yml and the workflows

fn read(path: &str) -> String {
    std::fs::read_to_string(repo_root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn workflow_files() -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(repo_root().join(".github/workflows"))
        .expect(".github/workflows")
        .filter_map(|e| e.ok())
        .map(|e| format!(".github/workflows/{}", e.file_name().to_string_lossy()))
        .filter(|p| p.ends_with(".yml") || p.ends_with(".yaml"))
        .collect();
    files.sort();
    files.push("action.yml".to_string());
    files
}

/// The lines of every `run:` script, block or inline.
fn run_scripts(text: &str) -> Vec<&str> {
    let mut scripts = Vec::new();
    let mut block_indent: Option<usize> = None;
    for line in text.lines() {
        let indent = line.len() - line.trim_start().len();
        if let Some(i) = block_indent {
            if line.trim().is_empty() || indent > i {
                scripts.push(line);
                continue;
            }
            block_indent = None;
        }
        let trimmed = line.trim_start().trim_start_matches("- ");
        if let Some(rest) = trimmed.strip_prefix("run:") {
            let rest = rest.trim();
            if rest.starts_with('|') || rest.starts_with('>') {
                block_indent = Some(indent);
            } else {
                scripts.push(rest);
            }
        }
    }
    scripts
}

#[test]
fn inputs_reach_shell_steps_only_through_env_and_actions_are_pinned() {
    for file in workflow_files() {
        let text = read(&file);
        let scripts = run_scripts(&text);
        assert!(!scripts.is_empty(), "{file} has run steps");
        for line in scripts {
            assert!(!line.contains("${{"), "{file}: an expression inside a run script: {line}");
        }
        for line in text.lines().map(str::trim).filter(|l| l.trim_start_matches("- ").starts_with("uses:")) {
            let target = line.trim_start_matches("- ").trim_start_matches("uses:").trim();
            if target.starts_with("./") {
                continue;
            }
            let (_, rest) = target.split_once('@').unwrap_or_else(|| panic!("{file}: unpinned {target}"));
            let (sha, comment) =
                rest.split_once(" # v").unwrap_or_else(|| panic!("{file}: no version comment: {line}"));
            assert!(
                sha.len() == 40 && sha.bytes().all(|b| b.is_ascii_hexdigit()),
                "{file}: not a commit SHA: {line}"
            );
            assert!(!comment.is_empty());
        }
        if file.contains("workflows") {
            assert!(
                text.contains("persist-credentials: false") || !text.contains("actions/checkout"),
                "{file}"
            );
        }
    }
    let action = read("action.yml");
    assert!(action.contains("using: composite"));
    for input in ["paths", "format", "fail-on", "config", "upload-sarif", "version"] {
        assert!(action.contains(&format!("\n  {input}:\n")), "input {input}");
    }
    for output in ["findings", "sarif-file"] {
        assert!(action.contains(&format!("\n  {output}:\n")), "output {output}");
    }
    for script in ["resolve.sh", "build.sh", "scan.sh", "finish.sh"] {
        assert!(action.contains(&format!("\"$GITHUB_ACTION_PATH/scripts/action/{script}\"")), "{script}");
    }
    assert!(action.contains("category: cognitrust"));
    // Failing comes last, after the upload, so results reach code scanning either way.
    let upload = action.find("codeql-action/upload-sarif@").expect("upload step");
    assert!(action.find("finish.sh").expect("finish step") > upload);
}

#[test]
fn pre_commit_hook_definition() {
    let hooks = read(".pre-commit-hooks.yaml");
    for line in [
        "- id: cognitrust",
        "entry: cognitrust scan",
        "language: rust",
        "pass_filenames: true",
        r"files: \.(ya?ml|json|template|tf)$",
    ] {
        assert!(hooks.contains(line), "{line}");
    }
}

// ---------------------------------------------------------------------------------------------
// pre-commit try-repo

fn git(dir: &Path, args: &[&str]) -> Output {
    let out = Command::new("git")
        .args(["-c", "user.name=cognitrust test", "-c", "user.email=test@example.invalid"])
        .args(["-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run git");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out
}

/// A git repository holding this checkout's working tree (tracked and untracked, not ignored)
/// as one commit: `try-repo` clones a commit, and local edits are not committed yet.
fn hook_repo(into: &Path) -> Option<PathBuf> {
    let root = repo_root();
    let listed = Command::new("git")
        .args(["ls-files", "-z", "--cached", "--others", "--exclude-standard"])
        .current_dir(&root)
        .output()
        .ok()
        .filter(|o| o.status.success())?;
    let repo = into.join("hook-repo");
    for name in listed.stdout.split(|b| *b == 0).filter(|n| !n.is_empty()) {
        let name = String::from_utf8_lossy(name);
        let from = root.join(name.as_ref());
        if from.is_file() {
            let to = repo.join(name.as_ref());
            std::fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
            std::fs::copy(&from, &to).expect("copy");
        }
    }
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "the working tree under test"]);
    Some(repo)
}

#[test]
fn pre_commit_try_repo_fails_on_a_broken_template_and_passes_on_a_correct_one() {
    let version = Command::new("pre-commit").arg("--version").output();
    if !version.is_ok_and(|o| o.status.success()) {
        return skip_without("pre-commit", "python3 -m pip install pre-commit");
    }
    let temp = tempfile::tempdir().expect("tempdir");
    let Some(hooks) = hook_repo(temp.path()) else {
        return skip_without(
            "a git checkout",
            "pre-commit try-repo needs this folder to be a git repository",
        );
    };
    let user = temp.path().join("user-repo");
    std::fs::create_dir_all(user.join("infra")).expect("mkdir");
    git(&user, &["init", "-q"]);
    std::fs::write(user.join("infra/auth.yaml"), BROKEN).expect("write");
    std::fs::write(user.join("README.md"), "not scanned\n").expect("write");
    git(&user, &["add", "-A"]);

    // The hook's cargo build reuses one target folder across runs.
    let target = repo_root().join("target/pre-commit-test");
    let try_repo = || {
        Command::new("pre-commit")
            .args(["try-repo"])
            .arg(&hooks)
            .args(["cognitrust", "--all-files", "--color", "never"])
            .env("PRE_COMMIT_HOME", temp.path().join("pre-commit-home"))
            .env("CARGO_TARGET_DIR", &target)
            // The hook is under test, not the optimiser: unoptimised, the build takes a third of the time.
            .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
            .env("NO_COLOR", "1")
            .current_dir(&user)
            .output()
            .expect("run pre-commit")
    };
    let out = try_repo();
    let text = format!("{}{}", stdout(&out), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "a broken template fails the hook: {text}");
    assert!(text.contains("CT106 trust-no-aud"), "{text}");
    assert!(text.contains("infra/auth.yaml:25:13"), "{text}");

    std::fs::write(user.join("infra/auth.yaml"), correct()).expect("write");
    git(&user, &["add", "-A"]);
    let out = try_repo();
    let text = format!("{}{}", stdout(&out), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "a correct template passes: {text}");
    assert!(text.contains("cognitrust") && text.contains("Passed"), "{text}");
}
