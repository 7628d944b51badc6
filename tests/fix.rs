//! `scan --fix` and `--diff`. Each folder of `testdata/fix/<RULE>/<kind>/` holds one failing
//! input and, beside it, `<input>.fixed`: what `--fix` must make of it. The harness fixes a copy
//! and checks that it equals the committed file, that a scan of it no longer has the finding,
//! still reads and links the same pools and slots, and that a second `--fix` changes nothing.
//! `COGNITRUST_BLESS=1 cargo test --test fix` writes the `.fixed` files (review them).

mod common;
#[path = "fix/review.rs"]
mod review;

use std::path::{Path, PathBuf};

use cognitrust::{Options, Report, scan, scan_and_fix};
use common::{WRONG_ACTION, project, run};

fn options(dir: &Path) -> Options {
    let mut opts = Options::new(vec![dir.to_path_buf()]);
    opts.cwd = dir.to_path_buf();
    opts
}

fn fixtures() -> Vec<(String, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/fix");
    let mut out = Vec::new();
    for rule in std::fs::read_dir(&root).expect("testdata/fix") {
        let rule = rule.unwrap().path();
        let code = rule.file_name().unwrap().to_string_lossy().into_owned();
        for kind in std::fs::read_dir(&rule).unwrap() {
            out.push((code.clone(), kind.unwrap().path()));
        }
    }
    out.sort();
    out
}

/// The one input of a fixture folder: the file without a `.fixed` twin's suffix.
fn input_of(dir: &Path) -> PathBuf {
    let inputs: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_none_or(|e| e != "fixed"))
        .collect();
    assert_eq!(inputs.len(), 1, "{}: one input file per fixture folder", dir.display());
    inputs.into_iter().next().unwrap()
}

fn has(report: &Report, code: &str) -> bool {
    report.findings.iter().any(|f| f.rule.code == code)
}

fn links(report: &Report) -> (usize, usize, usize) {
    let c = report.summary.coverage;
    (c.pools, c.slots, c.roles_checked + c.not_checked)
}

#[test]
fn every_fix_fixture_is_fixed_as_committed_and_only_once() {
    let bless = std::env::var_os("COGNITRUST_BLESS").is_some();
    let fixtures = fixtures();
    assert!(fixtures.len() >= 20, "the fix fixtures are missing: {}", fixtures.len());
    let mut failures = Vec::new();
    for (code, dir) in &fixtures {
        let input = input_of(dir);
        let name = input.file_name().unwrap().to_string_lossy().into_owned();
        let work = tempfile::tempdir().unwrap();
        let copy = work.path().join(&name);
        std::fs::copy(&input, &copy).unwrap();
        let shown = dir.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap().display().to_string();
        let mut fail = |why: String| failures.push(format!("{shown}: {why}"));

        let before = scan(&options(work.path()));
        let fixable = before
            .findings
            .iter()
            .any(|f| f.rule.code == code && f.fix.as_ref().is_some_and(|x| x.applicable()));
        if !fixable {
            fail(format!("no applicable {code} fix before fixing"));
            continue;
        }
        let (after, run) = scan_and_fix(&options(work.path()));
        let fixed = std::fs::read_to_string(&copy).unwrap();
        let expected_path = dir.join(format!("{name}.fixed"));
        if bless {
            std::fs::write(&expected_path, &fixed).unwrap();
        }
        match std::fs::read_to_string(&expected_path) {
            Ok(expected) if expected == fixed => {}
            Ok(_) => fail(format!("the fixed file differs from {name}.fixed:\n{fixed}")),
            Err(_) => fail(format!("{name}.fixed is missing (COGNITRUST_BLESS=1 writes it)")),
        }
        if run.fixed == 0 {
            fail("--fix said it fixed nothing".into());
        }
        if has(&after, code) {
            fail(format!("{code} is still reported after --fix"));
        }
        if !after.errors.is_empty() {
            fail(format!("the fixed file does not read back: {:?}", after.errors));
        }
        // The same pools; no slot or role lost (a miscased `Roles` key, once fixed, is a slot).
        let (b, a) = (links(&before), links(&after));
        if a.0 != b.0 || a.1 < b.1 || a.2 < b.2 {
            fail(format!("pools, slots and roles changed: {b:?} then {a:?}"));
        }
        let (_, again) = scan_and_fix(&options(work.path()));
        if again.fixed != 0 || std::fs::read_to_string(&copy).unwrap() != fixed {
            fail("a second --fix changed the file".into());
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Every rule that offers a fix has a fixture for it (and every fixture's rule offers one).
#[test]
fn every_fixable_rule_has_fix_fixtures() {
    let with_fixtures: std::collections::BTreeSet<String> = fixtures().into_iter().map(|(c, _)| c).collect();
    let fixable: std::collections::BTreeSet<String> =
        cognitrust::rules::RULES.iter().filter(|r| r.fixable()).map(|r| r.code.to_string()).collect();
    assert_eq!(with_fixtures, fixable);
}

/// Scans `dir` with `--fix` and says whether a file changed, with the report.
fn fix_leaves_alone(dir: &Path, files: &[&str]) -> Report {
    let before: Vec<Vec<u8>> = files.iter().map(|f| std::fs::read(dir.join(f)).unwrap()).collect();
    let (report, run) = scan_and_fix(&options(dir));
    let after: Vec<Vec<u8>> = files.iter().map(|f| std::fs::read(dir.join(f)).unwrap()).collect();
    assert_eq!(before, after, "a file was edited");
    assert_eq!(run.fixed, 0);
    report
}

fn reason<'r>(report: &'r Report, code: &str) -> &'r str {
    let f = report.findings.iter().find(|f| f.rule.code == code).expect("the finding");
    let fix = f.fix.as_ref().expect("a fix");
    assert!(!fix.applicable());
    fix.not_applied.as_deref().expect("a reason")
}

#[test]
fn generated_files_are_never_edited() {
    for (path, says) in [
        ("cdk.out/AppStack.template.yaml", "cdk synth"),
        (".serverless/cloudformation-template-update-stack.yaml", "serverless package"),
        (".aws-sam/build/template.yaml", "sam build"),
        ("amplify/backend/auth/app/build/app-cloudformation-template.yaml", "amplify push"),
        ("amplify/#current-cloud-backend/auth/app/template.yaml", "amplify push"),
    ] {
        let dir = project(&[(path, WRONG_ACTION)]);
        let mut opts = options(dir.path());
        opts.honour_ignore_files = false;
        opts.paths = vec![dir.path().join(path)];
        let (report, run) = scan_and_fix(&opts);
        assert_eq!(
            std::fs::read_to_string(dir.path().join(path)).unwrap(),
            WRONG_ACTION,
            "{path} was edited"
        );
        assert_eq!(run.fixed, 0);
        let why = reason(&report, "CT103");
        assert!(why.contains("is generated") && why.contains(says), "{path}: {why}");
    }
}

#[test]
fn a_plan_is_never_edited() {
    let plan =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/terraform/plans/fail_for_each_instances.json");
    let text = std::fs::read_to_string(&plan).expect("the plan fixture");
    let dir = project(&[("plan.json", &text)]);
    let report = fix_leaves_alone(dir.path(), &["plan.json"]);
    assert!(reason(&report, "CT102").contains("terraform show -json"));
}

#[test]
fn uncertain_fixes_are_not_applied_and_say_why() {
    // The statement trusts a service too, which needs sts:AssumeRole.
    let shared = WRONG_ACTION.replace(
        "Principal: {Federated: cognito-identity.amazonaws.com}",
        "Principal: {Federated: cognito-identity.amazonaws.com, Service: lambda.amazonaws.com}",
    );
    // `amr` shares its operator with `aud`: renaming the operator would change `aud`'s test.
    let shared_operator = WRONG_ACTION.replace("sts:AssumeRole\n", "sts:AssumeRoleWithWebIdentity\n").replace(
        "              StringEquals: {\"cognito-identity.amazonaws.com:aud\": !Ref Pool}\n              \"ForAnyValue:StringLike\": {\"cognito-identity.amazonaws.com:amr\": authenticated}",
        "              StringEquals: {\"cognito-identity.amazonaws.com:aud\": !Ref Pool, \"cognito-identity.amazonaws.com:amr\": authenticated}",
    );
    // A key that could be either slot.
    let guessed = WRONG_ACTION
        .replace("sts:AssumeRole\n", "sts:AssumeRoleWithWebIdentity\n")
        .replace("authenticated: !GetAtt AuthRole.Arn", "users: !GetAtt AuthRole.Arn");
    for (text, code, says) in [
        (shared.as_str(), "CT103", "other principals"),
        (shared_operator.as_str(), "CT111", "also tests other keys"),
        (guessed.as_str(), "CT205", "which role type"),
    ] {
        let dir = project(&[("t.yaml", text)]);
        let report = fix_leaves_alone(dir.path(), &["t.yaml"]);
        let why = reason(&report, code);
        assert!(why.contains(says), "{code}: {why}");
    }
}

#[test]
fn a_value_from_a_variable_is_not_rewritten() {
    let tf = r#"resource "aws_cognito_identity_pool" "main" {
  identity_pool_name               = "photos"
  allow_unauthenticated_identities = false
}

locals {
  role = aws_iam_role.auth.name
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
        StringEquals                = { "cognito-identity.amazonaws.com:aud" = aws_cognito_identity_pool.main.id }
        "ForAnyValue:StringLike"    = { "cognito-identity.amazonaws.com:amr" = "authenticated" }
      }
    }]
  })
}

resource "aws_cognito_identity_pool_roles_attachment" "main" {
  identity_pool_id = aws_cognito_identity_pool.main.id
  roles = {
    authenticated = local.role
  }
}
"#;
    let dir = project(&[("main.tf", tf)]);
    let report = fix_leaves_alone(dir.path(), &["main.tf"]);
    assert!(reason(&report, "CT201").contains("not referenced directly"), "{:?}", report.findings);
}

#[test]
fn diff_prints_the_fix_and_exits_1_without_writing() {
    let dir = project(&[("t.yaml", WRONG_ACTION)]);
    let out = run(dir.path(), &["scan", "--diff"]);
    assert_eq!(out.status.code(), Some(1));
    let diff = String::from_utf8(out.stdout).unwrap();
    assert!(diff.starts_with("--- a/t.yaml\n+++ b/t.yaml\n@@ -11,7 +11,7 @@\n"), "{diff}");
    assert!(
        diff.contains(
            "\n-            Action: sts:AssumeRole\n+            Action: sts:AssumeRoleWithWebIdentity\n"
        ),
        "{diff}"
    );
    assert_eq!(std::fs::read_to_string(dir.path().join("t.yaml")).unwrap(), WRONG_ACTION);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("would fix 1 finding in 1 file"), "{stderr}");

    let fixed = WRONG_ACTION.replace("sts:AssumeRole\n", "sts:AssumeRoleWithWebIdentity\n");
    let clean = project(&[("t.yaml", &fixed)]);
    let out = run(clean.path(), &["scan", "--diff"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
}

#[test]
fn fix_writes_reports_what_is_left_and_exits_on_it() {
    let dir = project(&[("t.yaml", WRONG_ACTION)]);
    let out = run(dir.path(), &["scan", "--fix", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("fixed 1 finding in 1 file"), "{stderr}");
    let text = std::fs::read_to_string(dir.path().join("t.yaml")).unwrap();
    assert_eq!(text, WRONG_ACTION.replace("sts:AssumeRole\n", "sts:AssumeRoleWithWebIdentity\n"));
    assert_eq!(common::json(&out)["summary"]["findings"], 0);
    assert!(
        run(dir.path(), &["scan", "--fix", "--diff"]).status.code() == Some(2),
        "--fix and --diff conflict"
    );
}

#[test]
fn a_diff_escapes_what_the_file_holds() {
    let text =
        WRONG_ACTION.replace("Action: sts:AssumeRole\n", "Action: sts:AssumeRole # \u{1b}[31m\u{202e}\n");
    let dir = project(&[("t.yaml", &text)]);
    let out = run(dir.path(), &["scan", "--diff"]);
    let diff = String::from_utf8(out.stdout).unwrap();
    assert!(!diff.contains('\u{1b}') && !diff.contains('\u{202e}'), "{diff:?}");
    assert!(diff.contains("\\u{1b}[31m\\u{202e}"), "{diff}");
    // The fix block of the human report shows the same line, escaped too.
    let human = String::from_utf8(run(dir.path(), &["scan"]).stdout).unwrap();
    assert!(human.contains("fix: write `sts:AssumeRoleWithWebIdentity`"), "{human}");
    assert!(!human.contains('\u{1b}') && !human.contains('\u{202e}'), "{human:?}");
    assert!(human.contains("sts:AssumeRoleWithWebIdentity # \\u{1b}[31m\\u{202e}"), "{human}");
}

/// CloudFormation spellings that help for a Terraform finding must never contain.
const CLOUDFORMATION: &[&str] = &[
    "!Ref",
    "!GetAtt",
    "!Sub",
    "!Join",
    "Fn::",
    "{\"Ref\"",
    "AWS::",
    "Roles:",
    "Principal:",
    "Action:",
    "Condition:",
    "RoleMappings",
    "RulesConfiguration",
    "AllowUnauthenticatedIdentities",
    "AllowClassicFlow",
    "AmbiguousRoleResolution",
    "IdentityPoolId",
    "CognitoIdentityProviders",
    "WriteAttributes",
    "RoleARN",
    "Claim:",
    "Type:",
];

/// Every finding on Terraform (sources and plans) across the fixtures speaks Terraform in its
/// message, labels, help and fix, whatever the rule.
#[test]
fn help_for_terraform_findings_has_no_cloudformation_syntax() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut opts = options(root);
    opts.paths = vec![root.join("testdata/terraform"), root.join("testdata/fix")];
    opts.honour_ignore_files = false;
    let report = scan(&opts);
    let mut bad = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for f in &report.findings {
        let file = &report.files[f.loc.file].display;
        if !(file.ends_with(".tf") || file.contains("terraform/plans/")) {
            continue;
        }
        seen.insert(f.rule.code);
        let mut texts = vec![f.message.as_str(), f.label.as_str(), f.help.as_deref().unwrap_or("")];
        texts.extend(f.fix.as_ref().map(|x| x.title.as_str()));
        texts.extend(f.related.iter().map(|r| r.message.as_str()));
        for text in texts {
            if let Some(word) = CLOUDFORMATION.iter().find(|w| text.contains(*w)) {
                bad.push(format!("{} {}:{}: `{word}` in {text:?}", f.rule.code, file, f.loc.span.start));
            }
        }
    }
    assert!(seen.len() >= 25, "the Terraform fixtures cover the rules: {seen:?}");
    assert!(bad.is_empty(), "{} helps in CloudFormation syntax:\n{}", bad.len(), bad.join("\n"));
}

/// [`WRONG_ACTION`] with the web identity action, and `StringEquals` holding another key than `aud`.
fn no_aud() -> String {
    WRONG_ACTION.replace("sts:AssumeRole\n", "sts:AssumeRoleWithWebIdentity\n").replace(
        "              StringEquals: {\"cognito-identity.amazonaws.com:aud\": !Ref Pool}\n",
        "              StringEquals:\n                sts:RoleSessionName: app\n",
    )
}

#[test]
fn an_operator_the_statement_has_gets_the_new_key() {
    let dir = project(&[("t.yaml", &no_aud())]);
    let (report, run) = scan_and_fix(&options(dir.path()));
    assert_eq!(run.fixed, 1);
    assert!(report.findings.is_empty(), "{:?}", report.findings);
    let fixed = std::fs::read_to_string(dir.path().join("t.yaml")).unwrap();
    assert_eq!(
        fixed,
        no_aud().replace(
            "              StringEquals:\n                sts:RoleSessionName: app\n",
            "              StringEquals:\n                cognito-identity.amazonaws.com:aud: !Ref Pool\n                sts:RoleSessionName: app\n"
        )
    );
}

#[test]
fn an_aud_is_not_added_for_a_role_two_pools_hand_out() {
    let second = no_aud().replace("Resources:\n", "Resources:\n  Pool2:\n    Type: AWS::Cognito::IdentityPool\n    Properties:\n      AllowUnauthenticatedIdentities: false\n  Roles2:\n    Type: AWS::Cognito::IdentityPoolRoleAttachment\n    Properties:\n      IdentityPoolId: !Ref Pool2\n      Roles:\n        authenticated: !GetAtt AuthRole.Arn\n");
    let dir = project(&[("t.yaml", &second)]);
    let report = fix_leaves_alone(dir.path(), &["t.yaml"]);
    assert!(reason(&report, "CT106").contains("several identity pools"));
}

/// CDK output is never edited, and the reason names the line of the app that creates the
/// resource, from the assembly's stack traces.
#[test]
fn cdk_output_is_not_edited_and_the_app_line_is_named() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/cdk");
    let work = tempfile::tempdir().unwrap();
    for dir in ["cdk.out", "lib"] {
        let to = work.path().join(dir);
        std::fs::create_dir_all(&to).unwrap();
        for e in std::fs::read_dir(root.join(dir)).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_file() {
                std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
            }
        }
    }
    let mut opts = options(work.path());
    opts.paths = vec![work.path().join("cdk.out")];
    let before = std::fs::read(work.path().join("cdk.out/BrokenStack.template.json")).unwrap();
    let (report, run) = scan_and_fix(&opts);
    assert_eq!(run.fixed, 0);
    assert_eq!(std::fs::read(work.path().join("cdk.out/BrokenStack.template.json")).unwrap(), before);
    let why = reason(&report, "CT103");
    assert!(why.contains("cdk synth") && why.ends_with("at lib/broken-stack.ts:22"), "{why}");
}

/// The human report of each fix fixture: the help in the file's syntax and the fix as a small
/// diff, for every rule and input kind.
#[test]
fn human_output_shows_help_and_fix_in_each_input_kind() {
    let mut failed = Vec::new();
    for (code, dir) in fixtures() {
        let input = input_of(&dir);
        let name = input.file_name().unwrap().to_string_lossy().into_owned();
        let work = tempfile::tempdir().unwrap();
        std::fs::copy(&input, work.path().join(&name)).unwrap();
        let output = cognitrust::report::human::render(&scan(&options(work.path())), false);
        let kind = dir.file_name().unwrap().to_string_lossy().into_owned();
        let snapshot = format!("fix_{code}_{kind}");
        let mut settings = insta::Settings::clone_current();
        settings.set_description(format!("cognitrust scan testdata/fix/{code}/{kind} (human, no colour)"));
        settings.set_omit_expression(true);
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            settings.bind(|| insta::assert_snapshot!(snapshot.as_str(), output));
        }));
        if outcome.is_err() {
            failed.push(snapshot);
        }
    }
    assert!(failed.is_empty(), "snapshots that differ: {}", failed.join(", "));
}

/// A Serverless variable's value lives in another file and may serve other places: the fix
/// says so instead of editing it.
#[test]
fn a_value_from_a_serverless_variable_is_not_rewritten() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/serverless/file-key/fail");
    let work = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for entry in walk(&root) {
        let rel = entry.strip_prefix(&root).unwrap().to_path_buf();
        std::fs::create_dir_all(work.path().join(&rel).parent().unwrap()).unwrap();
        std::fs::copy(&entry, work.path().join(&rel)).unwrap();
        files.push(rel.to_string_lossy().into_owned());
    }
    let names: Vec<&str> = files.iter().map(String::as_str).collect();
    let report = fix_leaves_alone(work.path(), &names);
    assert!(reason(&report, "CT109").contains("written elsewhere"));
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let path = e.unwrap().path();
        if path.is_dir() { out.extend(walk(&path)) } else { out.push(path) }
    }
    out
}

#[test]
fn fix_says_how_many_fixes_it_did_not_apply() {
    let shared = WRONG_ACTION.replace(
        "Principal: {Federated: cognito-identity.amazonaws.com}",
        "Principal: {Federated: cognito-identity.amazonaws.com, Service: lambda.amazonaws.com}",
    );
    let dir = project(&[("t.yaml", &shared)]);
    let out = run(dir.path(), &["scan", "--fix"]);
    assert_eq!(out.status.code(), Some(1), "the finding is left");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("fixed 0 findings in 0 files; 1 fix not applied because it is not certain"),
        "{stderr}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("fix: write `sts:AssumeRoleWithWebIdentity` (not applied: the statement trusts other principals too"), "{stdout}");
    assert_eq!(std::fs::read_to_string(dir.path().join("t.yaml")).unwrap(), shared);
}

/// `sts:AssumeRole` on a role whose users get principal tags: the first round writes the web
/// identity action, which uncovers CT113, and the second adds `sts:TagSession` beside it.
#[test]
fn fix_runs_until_a_fix_uncovers_nothing_more() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/fix/CT113/yaml/template.yaml");
    let text = std::fs::read_to_string(root).unwrap();
    let before = text.replace("Action: sts:AssumeRoleWithWebIdentity", "Action: sts:AssumeRole");
    assert_ne!(before, text);
    let dir = project(&[("t.yaml", &before)]);
    let (report, run) = scan_and_fix(&options(dir.path()));
    assert_eq!(run.fixed, 2);
    assert!(report.findings.is_empty(), "{:?}", report.findings);
    let after = std::fs::read_to_string(dir.path().join("t.yaml")).unwrap();
    assert_eq!(
        after,
        text.replace(
            "Action: sts:AssumeRoleWithWebIdentity",
            "Action: [sts:AssumeRoleWithWebIdentity, sts:TagSession]"
        )
    );
}

/// A trust written as a quoted JSON string in HCL has every place at the whole string: no
/// addition may land there.
#[test]
fn a_policy_in_a_quoted_string_is_not_edited() {
    let tf = r#"resource "aws_cognito_identity_pool" "main" {
  identity_pool_name               = "photos"
  allow_unauthenticated_identities = false
}

resource "aws_iam_role" "auth" {
  name               = "auth"
  assume_role_policy = "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"Federated\": \"cognito-identity.amazonaws.com\"}, \"Action\": \"sts:AssumeRoleWithWebIdentity\", \"Condition\": {\"ForAnyValue:StringLike\": {\"cognito-identity.amazonaws.com:amr\": \"authenticated\"}}}]}"
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
    assert!(reason(&report, "CT106").contains("does not lay out"), "{}", reason(&report, "CT106"));
}

/// A file with CRLF line ends gets CRLF in what a fix adds.
#[test]
fn an_addition_keeps_the_files_line_ends() {
    let crlf = no_aud()
        .replace("              StringEquals:\n                sts:RoleSessionName: app\n", "")
        .replace('\n', "\r\n");
    let dir = project(&[("t.yaml", &crlf)]);
    let (report, run) = scan_and_fix(&options(dir.path()));
    assert_eq!(run.fixed, 1, "{:?}", report.findings);
    let fixed = std::fs::read_to_string(dir.path().join("t.yaml")).unwrap();
    assert!(fixed.contains("            Condition:\r\n              StringEquals: {\"cognito-identity.amazonaws.com:aud\": !Ref Pool}\r\n              \"ForAnyValue"), "{fixed:?}");
    assert_eq!(fixed.matches('\n').count(), fixed.matches("\r\n").count(), "a bare LF");
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in walk(from) {
        let rel = entry.strip_prefix(from).unwrap();
        std::fs::create_dir_all(to.join(rel).parent().unwrap()).unwrap();
        std::fs::copy(&entry, to.join(rel)).unwrap();
    }
}

/// `--fix` over every rule fixture (written to test rules, not fixes): each fix the rules are
/// sure of is applied, no file stops reading, no finding appears, and nothing certain is left.
#[test]
fn fixing_every_rule_fixture_breaks_nothing() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    let work = tempfile::tempdir().unwrap();
    for tree in ["cfn", "terraform", "serverless", "cdk"] {
        copy_tree(&root.join(tree), &work.path().join(tree));
    }
    let mut opts = options(work.path());
    opts.honour_ignore_files = false;
    let count = |r: &Report| {
        let mut by_rule = std::collections::BTreeMap::new();
        for f in &r.findings {
            *by_rule.entry(f.rule.code).or_insert(0) += 1;
        }
        by_rule
    };
    let errors = |r: &Report| {
        let mut e: Vec<String> = r.errors.iter().map(|e| format!("{:?}: {}", e.path, e.message)).collect();
        e.sort();
        e
    };
    let before = scan(&opts);
    let (after, run) = scan_and_fix(&opts);
    assert!(run.fixed >= 40, "{} fixed", run.fixed);
    assert_eq!(errors(&after), errors(&before), "the fixed files read as before");
    let (b, a) = (count(&before), count(&after));
    for (rule, n) in &a {
        assert!(b.get(rule).is_some_and(|m| m >= n), "{rule}: {:?} then {n}", b.get(rule));
    }
    let left: Vec<String> = after
        .findings
        .iter()
        .filter(|f| f.fix.as_ref().is_some_and(|x| x.applicable()))
        .map(|f| format!("{} {}", f.rule.code, after.files[f.loc.file].display))
        .collect();
    assert!(left.is_empty(), "certain fixes left after --fix: {left:?}");
}
