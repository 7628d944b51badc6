//! `--fix` on inputs written to hurt it: thousands of fixes on one minified line, fixes that
//! want the same bytes, a file that changes under it.

use std::path::Path;

use cognitrust::{Options, scan_and_fix};

use super::watchdog;

fn options(dir: &Path) -> Options {
    let mut opts = Options::new(vec![dir.to_path_buf()]);
    opts.cwd = dir.to_path_buf();
    opts
}

/// A one-line JSON template: `roles` roles that allow `sts:AssumeRole` and have no `aud`,
/// all attached to one pool through `roles` attachments... one pool each, so each `aud` has
/// its pool.
fn minified(roles: usize) -> String {
    let mut resources = Vec::new();
    for i in 0..roles {
        resources.push(format!(
            r#""Pool{i}":{{"Type":"AWS::Cognito::IdentityPool","Properties":{{"AllowUnauthenticatedIdentities":false}}}},"Role{i}":{{"Type":"AWS::IAM::Role","Properties":{{"AssumeRolePolicyDocument":{{"Statement":[{{"Effect":"Allow","Principal":{{"Federated":"cognito-identity.amazonaws.com"}},"Action":"sts:AssumeRole","Condition":{{"ForAnyValue:StringLike":{{"cognito-identity.amazonaws.com:amr":"authenticated"}}}}}}]}}}}}},"Att{i}":{{"Type":"AWS::Cognito::IdentityPoolRoleAttachment","Properties":{{"IdentityPoolId":{{"Ref":"Pool{i}"}},"Roles":{{"authenticated":{{"Fn::GetAtt":["Role{i}","Arn"]}}}}}}}}"#
        ));
    }
    format!(r#"{{"AWSTemplateFormatVersion":"2010-09-09","Resources":{{{}}}}}"#, resources.join(","))
}

#[test]
fn thousands_of_fixes_on_one_minified_line_are_applied_in_bounded_time() {
    let roles = 3_000;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("min.json");
    std::fs::write(&path, minified(roles)).expect("write");
    let root = dir.path().to_path_buf();
    let (report, run) = watchdog(300, move || scan_and_fix(&options(&root)));
    // CT103 and CT106 on each role; both fixed, in one round or two.
    assert_eq!(run.fixed, 2 * roles, "{:?}", report.errors);
    assert!(report.findings.is_empty(), "{} findings left", report.findings.len());
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.lines().count(), 1, "still one line");
    assert_eq!(text.matches("sts:AssumeRoleWithWebIdentity").count(), roles);
    assert_eq!(text.matches("cognito-identity.amazonaws.com:aud").count(), roles);
    // The human report shows windows of the line, not the line.
    let root = dir.path().to_path_buf();
    let again = watchdog(300, move || cognitrust::scan(&options(&root)));
    assert!(again.findings.is_empty());
}

#[test]
fn a_human_report_of_a_fix_on_a_long_line_shows_a_window() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("min.json"), minified(200)).expect("write");
    let report = cognitrust::scan(&options(dir.path()));
    let text = cognitrust::report::human::render(&report, false);
    let longest = text.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    assert!(longest < 400, "a line of {longest} characters");
    assert!(text.contains("fix: write `sts:AssumeRoleWithWebIdentity`"), "{}", &text[..2000.min(text.len())]);
}

#[test]
fn a_file_that_changes_while_it_is_fixed_is_not_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("t.json");
    std::fs::write(&path, minified(2)).expect("write");
    let report = cognitrust::scan(&options(dir.path()));
    let (fixed, _) = cognitrust::fix::apply(report.fixes(), &report.files);
    assert_eq!(fixed.len(), 1);
    std::fs::write(&path, minified(3)).expect("someone else writes the file");
    let roots = cognitrust::discover::Roots::new(&[dir.path().to_path_buf()]);
    let errors = cognitrust::fix::write(&fixed, &report.files, &roots);
    assert_eq!(errors.len(), 1);
    assert!(errors[0].message.contains("changed while it was scanned"), "{}", errors[0].message);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), minified(3));
}

#[cfg(unix)]
#[test]
fn a_file_is_written_only_inside_the_roots_and_never_through_a_link_out_of_them() {
    let outside = tempfile::tempdir().expect("tempdir");
    let target = outside.path().join("t.json");
    std::fs::write(&target, minified(1)).expect("write");
    let report = cognitrust::scan(&options(outside.path()));
    let (fixed, _) = cognitrust::fix::apply(report.fixes(), &report.files);
    assert_eq!(fixed.len(), 1);
    // The same fix, written with other roots: the file lies outside them.
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let roots = cognitrust::discover::Roots::new(&[elsewhere.path().to_path_buf()]);
    let errors = cognitrust::fix::write(&fixed, &report.files, &roots);
    assert!(errors.iter().any(|e| e.message.contains("outside the scanned folders")), "{errors:?}");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), minified(1), "the file was written");
    // A link inside the scanned folder to that file is not read, so nothing is written through it.
    std::os::unix::fs::symlink(&target, elsewhere.path().join("t.json")).expect("symlink");
    let (report, run) = scan_and_fix(&options(elsewhere.path()));
    assert_eq!(run.fixed, 0);
    assert!(
        report.errors.iter().any(|e| e.message.contains("outside the scanned folders")),
        "{:?}",
        report.errors
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), minified(1), "written through the link");
}

/// Past 10,000 aliased YAML anchors the fix does not place each: the whole file counts as
/// one anchor, and the finding says so.
#[test]
fn more_aliased_anchors_than_looked_through_stop_the_fixes_of_the_file() {
    let template = format!("{}Metadata:\n", super::common::WRONG_ACTION);
    let mut text = template.to_string();
    for i in 0..10_001 {
        text.push_str(&format!("  a{i}: &n{i} x\n  b{i}: *n{i}\n"));
    }
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("t.yaml"), &text).expect("write");
    let root = dir.path().to_path_buf();
    let (report, run) = watchdog(120, move || scan_and_fix(&options(&root)));
    assert_eq!(run.fixed, 0);
    assert_eq!(std::fs::read_to_string(dir.path().join("t.yaml")).unwrap(), text);
    let f = report.findings.iter().find(|f| f.rule.code == "CT103").expect("CT103");
    let why = f.fix.as_ref().and_then(|x| x.not_applied.as_deref()).unwrap_or_default();
    assert!(why.contains("more than 10000 YAML anchors"), "{why}");
}
