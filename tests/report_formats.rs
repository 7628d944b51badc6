//! `--format junit` and `--format gitlab` as CI systems read them: each report is validated
//! against its published schema (tools/schemas: the Jenkins xUnit plugin's junit-10.xsd with
//! xmllint, GitLab's Code Quality schema with the Python `jsonschema` package), and its content
//! is checked: a finding at its line, input errors, exit codes, and input text that could break
//! the format or a reader's screen.
//!
//! The validators are outside tools: `COGNITRUST_PYTHON` names a Python that has `jsonschema`
//! (else `python3` on PATH), and `xmllint` is looked for on PATH. A missing one skips the
//! validation locally and fails under CI, where `.ci/run` installs them (`common::missing`).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{WARNING, json, project, run};
use serde_json::Value;

/// [`WARNING`] with the guest role's `aud` condition taken out: a CT106 error on the guest
/// role's statement (line 25) and the CT110 warning on the authenticated role's (line 15).
fn broken() -> String {
    WARNING.replace("              StringEquals: {\"cognito-identity.amazonaws.com:aud\": !Ref Pool}\n              \"ForAnyValue", "              \"ForAnyValue")
}

const SELECT: &str = "CT106,CT110";

const MALFORMED: &str =
    "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  Pool:\n    Type: [unclosed\n";

/// What a hostile input can put into a report: ESC (terminal sequences), the end of a CDATA
/// section, markup, an entity and a bidi override.
const HOSTILE: &str = "\u{1b}[2J]]><b>&amp;\u{202e}";

fn schemas() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tools/schemas")
}

/// A Python that can import `jsonschema`: `COGNITRUST_PYTHON`, else `python3`.
fn python() -> Option<String> {
    let python = std::env::var("COGNITRUST_PYTHON").unwrap_or_else(|_| "python3".into());
    let ok =
        Command::new(&python).args(["-c", "import jsonschema"]).output().is_ok_and(|o| o.status.success());
    ok.then_some(python)
}

/// Validates a Code Quality report against GitLab's schemas; false when the validator is missing.
fn validate_gitlab(report: &[u8]) -> bool {
    let Some(python) = python() else {
        common::missing(
            "the jsonschema Python package",
            "pip install jsonschema==4.26.0; COGNITRUST_PYTHON names that python",
        );
        return false;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("gl-code-quality-report.json");
    std::fs::write(&file, report).expect("write");
    let s = schemas();
    let out = Command::new(python)
        .arg(s.join("validate_json.py"))
        .arg(s.join("gitlab-code-quality-report.json"))
        .arg(&file)
        .args(["--items".as_ref(), s.join("gitlab-codeclimate.json").as_os_str()])
        .output()
        .expect("run the validator");
    assert!(
        out.status.success(),
        "not a valid Code Quality report:\n{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    true
}

/// Validates JUnit XML against junit-10.xsd with xmllint; false when xmllint is missing.
fn validate_junit(report: &[u8]) -> bool {
    if !common::have_tool("xmllint", "apt-get install libxml2-utils") {
        return false;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("junit.xml");
    std::fs::write(&file, report).expect("write");
    let out = Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(schemas().join("junit-10.xsd"))
        .arg(&file)
        .output()
        .expect("run xmllint");
    assert!(out.status.success(), "not valid JUnit XML:\n{}\n{}", text(&out.stderr), text(report));
    true
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn scan(dir: &Path, format: &str, extra: &[&str]) -> Output {
    let mut args = vec!["scan", "--no-config", "--format", format];
    args.extend_from_slice(extra);
    run(dir, &args)
}

/// The `issue` of a Code Quality report for a rule.
fn issue<'a>(report: &'a Value, check: &str) -> &'a Value {
    let all = report.as_array().expect("an array");
    all.iter().find(|i| i["check_name"] == check).unwrap_or_else(|| panic!("no {check} in {report:#}"))
}

// ---------------------------------------------------------------------------------------------
// --format gitlab

#[test]
fn gitlab_places_each_finding_with_the_fingerprint_sarif_gives_it() {
    let dir = project(&[("infra/auth.yaml", &broken())]);
    let out = scan(dir.path(), "gitlab", &["--select", SELECT]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    validate_gitlab(&out.stdout);
    let report = json(&out);
    assert_eq!(report.as_array().map(Vec::len), Some(2), "{report:#}");
    let ct106 = issue(&report, "CT106");
    assert_eq!(ct106["severity"], "critical");
    assert_eq!(ct106["location"]["path"], "infra/auth.yaml");
    assert_eq!(ct106["location"]["lines"]["begin"], 25);
    assert!(ct106["description"].as_str().unwrap().starts_with("CT106 trust-no-aud: role `GuestRole`"));
    assert!(ct106["content"]["body"].as_str().unwrap().contains("help: "));
    let ct110 = issue(&report, "CT110");
    assert_eq!(
        (ct110["severity"].as_str(), ct110["location"]["lines"]["begin"].as_u64()),
        (Some("major"), Some(15))
    );
    // The fingerprints are SARIF's partialFingerprints, so a merge request matches the alerts.
    let sarif = json(&scan(dir.path(), "sarif", &["--select", SELECT]));
    let mut sarif_prints: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["partialFingerprints"]["cognitrustFindingHash/v1"].as_str().unwrap())
        .collect();
    let mut prints: Vec<&str> =
        report.as_array().unwrap().iter().map(|i| i["fingerprint"].as_str().unwrap()).collect();
    sarif_prints.sort_unstable();
    prints.sort_unstable();
    assert_eq!(prints, sarif_prints);
}

#[test]
fn gitlab_reports_inputs_that_could_not_be_analysed_as_blockers() {
    let dir = project(&[("broken.yaml", MALFORMED)]);
    let out = scan(dir.path(), "gitlab", &[]);
    assert_eq!(out.status.code(), Some(2));
    validate_gitlab(&out.stdout);
    let report = json(&out);
    let error = issue(&report, "cognitrust:input-error");
    assert_eq!(error["severity"], "blocker");
    assert_eq!(error["location"]["path"], "broken.yaml");
    assert_eq!(error["location"]["lines"]["begin"], 5, "where the parser stopped");
    assert!(error["description"].as_str().unwrap().starts_with("input could not be analysed: "));
}

#[test]
fn gitlab_of_a_clean_scan_is_an_empty_array() {
    let dir = project(&[("ok.yaml", "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n")]);
    let out = scan(dir.path(), "gitlab", &[]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout), "[]\n");
    validate_gitlab(&out.stdout);
}

// ---------------------------------------------------------------------------------------------
// --format junit

#[test]
fn junit_fails_a_test_case_per_finding_at_or_above_fail_on_and_skips_the_others() {
    let dir = project(&[("infra/auth.yaml", &broken())]);
    let out = scan(dir.path(), "junit", &["--select", SELECT, "--fail-on", "error"]);
    assert_eq!(out.status.code(), Some(1));
    validate_junit(&out.stdout);
    let xml = text(&out.stdout);
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"cognitrust\" tests=\"2\" failures=\"1\" errors=\"0\""), "{xml}");
    assert!(
        xml.contains("<testsuite name=\"cognitrust\" tests=\"2\" failures=\"1\" errors=\"0\" skipped=\"1\"")
    );
    assert!(xml.contains(
        "<testcase name=\"CT106 trust-no-aud: GuestRole\" classname=\"infra/auth.yaml\" file=\"infra/auth.yaml\" line=\"25\" time=\"0\">\n      <failure type=\"error\" message=\"role `GuestRole` "
    ), "{xml}");
    assert!(xml.contains("\ninfra/auth.yaml:25:13\n"), "the failure says the place: {xml}");
    assert!(xml.contains("\nhelp: "), "and the help: {xml}");
    assert!(xml.contains("<testcase name=\"CT110 trust-no-amr: AuthRole\" classname=\"infra/auth.yaml\" file=\"infra/auth.yaml\" line=\"15\""));
    assert!(
        xml.contains("<skipped type=\"below-fail-on\" message=\"role `AuthRole`"),
        "a warning below --fail-on error is skipped: {xml}"
    );
    // With the default fail-on (warning) both fail.
    let out = scan(dir.path(), "junit", &["--select", SELECT]);
    assert!(text(&out.stdout).contains("tests=\"2\" failures=\"2\" errors=\"0\" skipped=\"0\""));
}

#[test]
fn junit_of_a_clean_scan_has_one_passing_test_so_ci_does_not_say_no_tests() {
    let dir = project(&[("ok.yaml", "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n")]);
    let out = scan(dir.path(), "junit", &[]);
    assert_eq!(out.status.code(), Some(0));
    validate_junit(&out.stdout);
    let xml = text(&out.stdout);
    assert!(xml.contains("tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"0\""), "{xml}");
    assert!(xml.contains("<testcase name=\"no findings\" classname=\"cognitrust\" time=\"0\">\n      <system-out>1 template in 1 file scanned; 0 identity pools, 0 role slots, 0 roles checked, 0 slots not checked</system-out>"), "{xml}");
}

#[test]
fn junit_reports_inputs_that_could_not_be_analysed_as_errors() {
    let dir = project(&[("broken.yaml", MALFORMED), ("infra/auth.yaml", &broken())]);
    let out = scan(dir.path(), "junit", &["--select", SELECT]);
    assert_eq!(out.status.code(), Some(2), "2 wins over 1");
    validate_junit(&out.stdout);
    let xml = text(&out.stdout);
    assert!(xml.contains("tests=\"3\" failures=\"2\" errors=\"1\""), "{xml}");
    assert!(xml.contains("<testcase name=\"input could not be analysed\" classname=\"broken.yaml\" file=\"broken.yaml\" line=\"5\" time=\"0\">\n      <error type=\"input-error\" message=\""), "{xml}");
    assert!(xml.contains(">broken.yaml:5:1: "), "{xml}");
}

// ---------------------------------------------------------------------------------------------
// Hostile input text

/// A role whose logical ID, and a file whose name, hold [`HOSTILE`]: no condition, so CT105.
fn hostile_project() -> tempfile::TempDir {
    let id = "Role\\e[2J]]><b>&amp;\\u202E";
    let template = format!(
        "Resources:\n  \"{id}\":\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        \
         Statement:\n          - Effect: Allow\n            Principal: {{Federated: cognito-identity.amazonaws.com}}\n            \
         Action: sts:AssumeRoleWithWebIdentity\n"
    );
    project(&[(&format!("in{HOSTILE}.yaml"), &template)])
}

/// No raw control character (TAB, LF and CR aside) nor bidi control in a report.
fn assert_no_raw_controls(report: &str) {
    let bad: Vec<char> = report
        .chars()
        .filter(|&c| {
            (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) || ('\u{202a}'..='\u{202e}').contains(&c)
        })
        .collect();
    assert!(bad.is_empty(), "raw controls {bad:?} in:\n{report}");
}

#[test]
fn hostile_names_are_escaped_in_junit() {
    let dir = hostile_project();
    let out = scan(dir.path(), "junit", &["--select", "CT105"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    validate_junit(&out.stdout);
    let xml = text(&out.stdout);
    assert_no_raw_controls(&xml);
    let shown = "\\u{1b}[2J]]&gt;&lt;b&gt;&amp;amp;\\u{202e}";
    assert!(xml.contains(&format!("classname=\"in{shown}.yaml\"")), "{xml}");
    assert!(xml.contains(&format!("name=\"CT105 trust-no-condition: Role{shown}\"")), "{xml}");
    assert!(xml.contains(&format!("\nin{shown}.yaml:")), "{xml}");
    assert!(!xml.contains("]]>") && !xml.contains("<b>"), "{xml}");
}

#[test]
fn hostile_names_are_escaped_in_gitlab() {
    let dir = hostile_project();
    let out = scan(dir.path(), "gitlab", &["--select", "CT105"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    validate_gitlab(&out.stdout);
    assert_no_raw_controls(&text(&out.stdout));
    let report = json(&out);
    let ct105 = issue(&report, "CT105");
    // What GitLab shows (the decoded text) has the controls made visible, the rest as written.
    let shown = "\\u{1b}[2J]]><b>&amp;\\u{202e}";
    assert_eq!(ct105["location"]["path"], format!("in{shown}.yaml"));
    assert!(ct105["description"].as_str().unwrap().contains(&format!("`Role{shown}`")), "{ct105:#}");
}
