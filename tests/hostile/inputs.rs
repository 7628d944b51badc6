//! Hostile files and paths: nothing outside the scanned roots is read (links out of them, paths
//! in CDK manifests), only regular files are read, one file is scanned once however it is
//! reached, encodings and line endings are read as the deploy tools read them, suppression
//! markers count only in comments, and a config file outside the repository is not used.

use std::path::Path;
use std::process::Command;

use cognitrust::report::{github, human, json, sarif};
use cognitrust::{Options, Report, scan};

use super::{GOOD, common, findings, scan_dir, watchdog};

/// Text that must never appear in any output: it lives outside the scanned root.
const SECRET: &str = "TOKEN: supersecret-4d1c9e";

/// Every output format of a report, concatenated.
fn all_outputs(report: &Report) -> String {
    [human::render(report, false), json::render(report), sarif::render(report), github::render(report)]
        .concat()
}

/// `outer/secret.txt` holding [`SECRET`], and `outer/repo/` with the good template: the root the
/// tests scan.
fn outer_and_repo() -> (tempfile::TempDir, std::path::PathBuf) {
    let outer = tempfile::tempdir().expect("tempdir");
    std::fs::write(outer.path().join("secret.txt"), format!("{SECRET}\n")).expect("write");
    let repo = outer.path().join("repo");
    std::fs::create_dir(&repo).expect("mkdir");
    std::fs::write(repo.join("good.yaml"), GOOD).expect("write");
    (outer, repo)
}

fn scan_root(root: &Path) -> Report {
    let root = root.to_path_buf();
    watchdog(120, move || scan_dir(&root))
}

#[cfg(unix)]
#[test]
fn a_link_out_of_the_scanned_root_is_reported_and_not_read() {
    let (outer, repo) = outer_and_repo();
    std::os::unix::fs::symlink(outer.path().join("secret.txt"), repo.join("x.tf")).expect("symlink");
    std::os::unix::fs::symlink("/proc/self/environ", repo.join("env.tf")).expect("symlink");
    let report = scan_root(&repo);
    super::assert_good_still_scanned(&report);
    let outputs = all_outputs(&report);
    assert!(!outputs.contains("supersecret"), "the outside file was read:\n{outputs}");
    assert!(!outputs.contains("PATH="), "the environment was read:\n{outputs}");
    for link in ["x.tf", "env.tf"] {
        let e = report.errors.iter().find(|e| e.path.as_deref() == Some(link)).expect("an error per link");
        assert!(e.message.contains("outside the scanned folders"), "{}", e.message);
    }
    assert_eq!(report.files.len(), 1, "only good.yaml was read");
}

#[cfg(unix)]
#[test]
fn a_link_to_the_root_of_the_file_system_is_not_walked() {
    let (_outer, repo) = outer_and_repo();
    std::os::unix::fs::symlink("/", repo.join("everything")).expect("symlink");
    let report = scan_root(&repo);
    super::assert_good_still_scanned(&report);
    assert_eq!(report.summary.files_scanned, 1);
    assert!(report.errors.iter().any(|e| e.path.as_deref() == Some("everything")), "{:?}", report.errors);
}

#[cfg(unix)]
#[test]
fn a_link_inside_the_root_is_followed_and_its_files_scanned_once() {
    // `dev` links to `prod`: one file, two paths; its finding is reported once.
    let (_outer, repo) = outer_and_repo();
    std::fs::remove_file(repo.join("good.yaml")).expect("rm");
    std::fs::create_dir(repo.join("prod")).expect("mkdir");
    std::fs::write(repo.join("prod/good.yaml"), GOOD).expect("write");
    std::os::unix::fs::symlink("prod", repo.join("dev")).expect("symlink");
    let report = scan_root(&repo);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.findings.len(), 1, "{:?}", report.findings);
    assert_eq!(report.summary.files_scanned, 1);
}

#[test]
fn one_file_named_twice_is_scanned_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("a.yaml"), GOOD).expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_cognitrust"))
        .args(["scan", "--no-config", "--format", "json", "a.yaml", "./a.yaml"])
        .current_dir(dir.path())
        .output()
        .expect("run");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(report["findings"].as_array().map(Vec::len), Some(1), "{report}");
    assert_eq!(report["summary"]["files_scanned"], 1);
}

/// A CDK assembly whose manifest names `metadata` as a stack's metadata file and `assets` as
/// an asset manifest.
fn assembly(dir: &Path, metadata: &str, assets: &str) {
    let out = dir.join("cdk.out");
    std::fs::create_dir_all(&out).expect("mkdir");
    std::fs::write(
        out.join("Stack.template.json"),
        "{\"Resources\": {\"T\": {\"Type\": \"AWS::SNS::Topic\"}}}",
    )
    .expect("write");
    let manifest = serde_json::json!({
        "version": "36.0.0",
        "artifacts": {
            "Stack.assets": {"type": "cdk:asset-manifest", "properties": {"file": assets}},
            "Stack": {
                "type": "aws:cloudformation:stack",
                "properties": {"templateFile": "Stack.template.json"},
                "additionalMetadataFile": metadata
            }
        }
    });
    std::fs::write(out.join("manifest.json"), manifest.to_string()).expect("write");
}

#[test]
fn paths_in_a_cdk_manifest_cannot_leave_the_assembly() {
    for (metadata, assets) in [("/etc/passwd", "../../secret.txt"), ("../../secret.txt", "/etc/hostname")] {
        let (outer, repo) = outer_and_repo();
        assembly(
            &repo,
            &metadata.replace("/etc/passwd", &outer.path().join("secret.txt").to_string_lossy()),
            assets,
        );
        let report = scan_root(&repo);
        super::assert_good_still_scanned(&report);
        let outputs = all_outputs(&report);
        assert!(!outputs.contains("supersecret") && !outputs.contains("root:"), "{outputs}");
        let outside: Vec<&str> = report
            .errors
            .iter()
            .filter(|e| e.message.contains("outside the cloud assembly's folder"))
            .map(|e| e.message.as_str())
            .collect();
        assert_eq!(outside.len(), 2, "{:?}", report.errors);
    }
}

#[cfg(unix)]
#[test]
fn special_files_named_on_the_command_line_are_errors_not_hangs() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("good.yaml"), GOOD).expect("write");
    let fifo = dir.path().join("pipe.yaml");
    let made = Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success());
    if !made {
        common::missing("a working mkfifo", "it is in coreutils");
    }
    let mut paths = vec![dir.path().join("good.yaml"), "/dev/zero".into()];
    if made {
        paths.push(fifo.clone());
    }
    let cwd = dir.path().to_path_buf();
    let report = watchdog(60, move || {
        let mut opts = Options::new(paths);
        opts.cwd = cwd;
        scan(&opts)
    });
    super::assert_good_still_scanned(&report);
    let messages: Vec<&str> = report.errors.iter().map(|e| e.message.as_str()).collect();
    assert!(messages.contains(&"not a regular file (a device); not read"), "{messages:?}");
    if made {
        assert!(messages.contains(&"not a regular file (a FIFO); not read"), "{messages:?}");
    }
}

#[cfg(unix)]
#[test]
fn a_fifo_in_a_scanned_folder_is_an_error_not_a_hang() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("good.yaml"), GOOD).expect("write");
    if !Command::new("mkfifo").arg(dir.path().join("pipe.yaml")).status().is_ok_and(|s| s.success()) {
        return common::missing("a working mkfifo", "it is in coreutils");
    }
    let report = scan_root(dir.path());
    super::assert_good_still_scanned(&report);
    assert!(report.errors.iter().any(|e| e.path.as_deref() == Some("pipe.yaml")), "{:?}", report.errors);
}

#[test]
fn a_utf16_template_is_read_and_said_to_be_utf16() {
    let mut bytes = vec![0xFF, 0xFE];
    for unit in GOOD.encode_utf16() {
        bytes.extend(unit.to_le_bytes());
    }
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("wide.yaml"), bytes).expect("write");
    let report = scan_root(dir.path());
    assert_eq!(findings(&report), [("CT106", "wide.yaml".into(), 15)]);
    let [error] = &report.errors[..] else { panic!("{:?}", report.errors) };
    assert!(
        error.message.contains("UTF-16LE; CloudFormation and Terraform read UTF-8 only"),
        "{}",
        error.message
    );
}

#[test]
fn carriage_returns_alone_end_lines() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("mac.yaml"), GOOD.replace('\n', "\r")).expect("write");
    let report = scan_root(dir.path());
    assert_eq!(findings(&report), [("CT106", "mac.yaml".into(), 15)]);
}

#[test]
fn suppression_markers_count_only_in_comments() {
    // In a quoted value and in a block scalar, `# cognitrust: ignore[...]` is data.
    let quoted = GOOD.replace(
        "            Condition:\n",
        "            Sid: \"# cognitrust: ignore[CT106] in a string\"\n            Condition:\n",
    );
    let block = GOOD.replace(
        "  Roles:\n",
        "  Code:\n    Type: AWS::Lambda::Function\n    Properties:\n      Code:\n        ZipFile: |\n          x = 1\n          # cognitrust: ignore[CT106] in code\n  Roles:\n",
    );
    let comment = GOOD.replace(
        "            Condition:\n",
        "            # cognitrust: ignore[CT106] a real comment\n            Condition:\n",
    );
    for (text, suppressed) in [(quoted, false), (block, false), (comment, true)] {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("t.yaml"), &text).expect("write");
        let report = scan_root(dir.path());
        let kept: Vec<&str> = report.findings.iter().map(|f| f.rule.code).collect();
        if suppressed {
            assert_eq!((kept, report.suppressed.len()), (vec![], 1), "{text}");
        } else {
            assert_eq!(kept, ["CT106"], "{text}");
            assert!(report.suppressed.is_empty(), "{text}");
        }
    }
}

#[test]
fn a_config_file_above_a_folder_outside_any_repository_is_not_used() {
    // `/tmp/x/cognitrust.toml` must not rule a scan of `/tmp/x/work`: without a repository,
    // only the working directory is looked in.
    let outer = tempfile::tempdir().expect("tempdir");
    std::fs::write(outer.path().join("cognitrust.toml"), "exclude = [\"**\"]\n").expect("write");
    let work = outer.path().join("work");
    std::fs::create_dir(&work).expect("mkdir");
    std::fs::write(work.join("good.yaml"), GOOD).expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_cognitrust"))
        .args(["scan", "--format", "json"])
        .current_dir(&work)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stdout));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(report["summary"].get("config").is_none(), "{report}");
    // In the working directory it is found, and the report names it.
    std::fs::rename(outer.path().join("cognitrust.toml"), work.join("cognitrust.toml")).expect("mv");
    std::fs::write(work.join("cognitrust.toml"), "fail-on = \"never\"\n").expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_cognitrust"))
        .args(["scan", "--format", "json"])
        .current_dir(&work)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(report["summary"]["config"], "cognitrust.toml");
}
