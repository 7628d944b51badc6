//! Hostile inputs: each gives a clear error in `errors` naming its file, in bounded time and
//! memory, and the rest of the scan goes on (a good template beside it is still checked).
//! Time is not asserted here (benchmarks measure it); a hang or a crash fails the test run.

use std::path::Path;

mod common;

#[path = "hostile/terraform.rs"]
mod terraform;

use cognitrust::{Options, Report, scan};

#[path = "hostile/cloudformation.rs"]
mod cloudformation;
#[path = "hostile/fixes.rs"]
mod fixes;
#[path = "hostile/inputs.rs"]
mod inputs;
#[path = "hostile/output.rs"]
mod output;

/// A template with one finding (CT106 on AuthRole), scanned beside every hostile input.
const GOOD: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
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

fn scan_dir(dir: &Path) -> Report {
    let mut opts = Options::new(vec![dir.to_path_buf()]);
    opts.cwd = dir.to_path_buf();
    scan(&opts)
}

/// Scans `name` (written with `bytes`) beside the good template; returns the error message for
/// `name` after checking the good template was still analysed.
fn hostile(name: &str, bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("good.yaml"), GOOD).expect("write");
    std::fs::write(dir.path().join(name), bytes).expect("write");
    let report = scan_dir(dir.path());
    assert_good_still_scanned(&report);
    error_for(&report, name)
}

fn assert_good_still_scanned(report: &Report) {
    let good: Vec<&str> = report
        .findings
        .iter()
        .filter(|f| report.files[f.loc.file].display == "good.yaml")
        .map(|f| f.rule.code)
        .collect();
    assert_eq!(good, ["CT106"], "the good template is scanned whatever sits beside it");
}

fn error_for(report: &Report, name: &str) -> String {
    let errors: Vec<&str> = report
        .errors
        .iter()
        .filter(|e| e.path.as_deref() == Some(name))
        .map(|e| e.message.as_str())
        .collect();
    assert_eq!(errors.len(), 1, "one error for {name}: {:?}", report.errors);
    errors[0].to_string()
}

/// Runs `f` on a thread of its own and fails the test if it takes more than `seconds`: a hang
/// guard, far above what the input needs, not a timing assertion.
fn watchdog<T: Send + 'static>(seconds: u64, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = send.send(f());
    });
    match receive.recv_timeout(std::time::Duration::from_secs(seconds)) {
        Ok(value) => value,
        Err(_) => panic!("no result within {seconds} s"),
    }
}

/// Writes `files` (paths relative to a new temporary folder) and scans the folder, under a
/// watchdog; the folder is returned so that it lives as long as the report.
fn scan_files(files: &[(&str, String)]) -> (tempfile::TempDir, Report) {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
    let root = dir.path().to_path_buf();
    let report = watchdog(120, move || scan_dir(&root));
    (dir, report)
}

/// The findings of a report as (rule, file, line), sorted.
fn findings(report: &Report) -> Vec<(&'static str, String, usize)> {
    let mut out: Vec<_> = report
        .findings
        .iter()
        .map(|f| {
            let loc = cognitrust::report::Location::of(&report.files, f.loc);
            (f.rule.code, loc.file, loc.line)
        })
        .collect();
    out.sort();
    out
}

fn deep(open: &str, close: &str, depth: usize, prefix: &str) -> Vec<u8> {
    let mut s = String::from(prefix);
    s.push_str(&open.repeat(depth));
    s.push_str(&close.repeat(depth));
    s.into_bytes()
}

#[test]
fn deep_json_nesting_is_an_error() {
    let text = deep("[", "]", 200_000, "{\"AWSTemplateFormatVersion\": \"2010-09-09\", \"Resources\": ");
    let message = hostile("deep.json", &text);
    assert!(message.contains("nesting deeper than 256"), "{message}");
}

#[test]
fn deep_yaml_flow_nesting_is_an_error() {
    let text = deep("[", "]", 200_000, "AWSTemplateFormatVersion: '2010-09-09'\nResources: ");
    let message = hostile("deep-flow.yaml", &text);
    assert!(message.contains("nesting"), "{message}");
}

#[test]
fn deep_yaml_block_nesting_is_an_error() {
    let mut text = String::from("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n");
    // `- - - … x`: compact block sequences nested 200,000 deep on one line.
    text.push_str(&"- ".repeat(200_000));
    text.push_str("x\n");
    let message = hostile("deep-block.yaml", text.as_bytes());
    assert!(message.contains("nesting"), "{message}");
}

#[test]
fn an_alias_bomb_is_an_error() {
    let mut text = String::from(
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  a: &a [x, x, x, x, x, x, x, x, x, x]\n",
    );
    let mut prev = "a".to_string();
    for level in 0..9 {
        let name = format!("l{level}");
        text.push_str(&format!("  {name}: &{name} [{}]\n", vec![format!("*{prev}"); 10].join(", ")));
        prev = name;
    }
    let message = hostile("bomb.yaml", text.as_bytes());
    assert!(message.contains("alias") || message.contains("anchored"), "{message}");
}

#[test]
fn a_100_mb_template_is_refused_unread() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("good.yaml"), GOOD).expect("write");
    let big = std::fs::File::create(dir.path().join("huge.json")).expect("create");
    // Sparse: the scan must refuse it by size without reading 100 MB.
    big.set_len(100 * 1024 * 1024).expect("set_len");
    let report = scan_dir(dir.path());
    assert_good_still_scanned(&report);
    let message = error_for(&report, "huge.json");
    assert!(message.contains("larger than 64 MiB"), "{message}");
}

#[test]
fn invalid_utf8_is_an_error_with_its_place() {
    let bytes = b"AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  X: \xc3\x28\n";
    let message = hostile("bad-utf8.yaml", bytes);
    assert!(message.contains("invalid UTF-8 at byte"), "{message}");
}

#[test]
fn a_binary_file_named_json_is_skipped_or_an_error_never_a_crash() {
    let mut bytes: Vec<u8> = (0..=255u8).cycle().take(64 * 1024).collect();
    // Not IaC at all: skipped silently, unless it mentions a template key.
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("good.yaml"), GOOD).expect("write");
    std::fs::write(dir.path().join("blob.json"), &bytes).expect("write");
    let report = scan_dir(dir.path());
    assert_good_still_scanned(&report);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    // With a template key inside, it looks like IaC and is reported.
    bytes.splice(0..0, b"{\"Resources\": ".iter().copied());
    let message = hostile("blob.json", &bytes);
    assert!(!message.is_empty());
}

#[cfg(unix)]
#[test]
fn a_symlink_loop_is_an_error_and_the_walk_goes_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("good.yaml"), GOOD).expect("write");
    std::fs::create_dir(dir.path().join("loop")).expect("mkdir");
    std::os::unix::fs::symlink("..", dir.path().join("loop/up")).expect("symlink");
    let report = scan_dir(dir.path());
    assert_good_still_scanned(&report);
    assert!(
        report.errors.iter().any(|e| e.message.contains("symlink loop")
            && e.path.as_deref().is_some_and(|p| p.contains("loop/up"))),
        "{:?}",
        report.errors
    );
}

#[cfg(unix)]
#[test]
fn an_unreadable_path_is_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("good.yaml"), GOOD).expect("write");
    // A dangling symlink cannot be read, whoever runs the tests (root reads chmod 000 files).
    std::os::unix::fs::symlink("gone.yaml", dir.path().join("dangling.yaml")).expect("symlink");
    let report = scan_dir(dir.path());
    assert_good_still_scanned(&report);
    assert!(
        report.errors.iter().any(|e| e.path.as_deref().is_some_and(|p| p.contains("dangling.yaml"))),
        "{:?}",
        report.errors
    );
}

#[test]
fn a_file_removed_before_it_is_read_is_an_error() {
    // What the walk found but the read could not open: the same path as a file named on the
    // command line that no longer exists.
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("good.yaml"), GOOD).expect("write");
    let mut opts = Options::new(vec![dir.path().join("good.yaml"), dir.path().join("removed.yaml")]);
    opts.cwd = dir.path().to_path_buf();
    let report = scan(&opts);
    assert_good_still_scanned(&report);
    assert!(error_for(&report, "removed.yaml").starts_with("cannot read"));
}

#[test]
fn deep_hcl_nesting_is_an_error() {
    let mut text = deep("[", "]", 200_000, "locals {\n  x = ");
    text.extend_from_slice(b"\n}\n");
    let message = hostile("deep.tf", &text);
    assert!(message.contains("nesting"), "{message}");
}
