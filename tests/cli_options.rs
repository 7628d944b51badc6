//! The scan options for hooks and CI logs: `--only-paths`, `--statistics`, `-o`'s summary,
//! `--quiet`; and `completions` and `man`.

mod common;

use common::{json, project, run};

fn fixture(path: &str) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(root.join("testdata/cfn").join(path)).expect("fixture")
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A role stack and the pool stack that imports its role (CT106 on the role, with the pool's
/// import as its related place), and an unrelated broken template elsewhere.
fn linked_project() -> tempfile::TempDir {
    project(&[
        ("infra/iam.yaml", &fixture("CT106/fail_import/iam.yaml")),
        ("infra/identity.yaml", &fixture("CT106/fail_import/identity.yaml")),
        ("legacy/auth.yaml", &fixture("CT106/fail.yaml")),
    ])
}

fn files_of(report: &serde_json::Value) -> Vec<String> {
    let findings = report["findings"].as_array().expect("findings");
    findings.iter().map(|f| format!("{}:{}", f["location"]["file"], f["location"]["line"])).collect()
}

#[test]
fn only_paths_reports_what_touches_the_paths_from_a_whole_scan() {
    let dir = linked_project();
    // The pool file alone holds no role, yet the role it imports is reported: the scan is whole,
    // and the finding's related place is in the path.
    let out = run(dir.path(), &["scan", "--only-paths", "--format", "json", "infra/identity.yaml"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = json(&out);
    assert_eq!(files_of(&report), [r#""infra/iam.yaml":17"#]);
    assert_eq!(report["summary"]["findings"], 1);

    // Scanned alone, the same file cannot see the role (CT202 says the import is not found):
    // that is what the hook used to do.
    let alone = json(&run(dir.path(), &["scan", "--format", "json", "infra/identity.yaml"]));
    let rules: Vec<&str> =
        alone["findings"].as_array().expect("findings").iter().filter_map(|f| f["rule"].as_str()).collect();
    assert_eq!(rules, ["CT202"]);

    // A folder is a path too; a file no finding touches passes.
    let out = run(dir.path(), &["scan", "--only-paths", "--format", "json", "legacy"]);
    assert_eq!(files_of(&json(&out)).len(), 1);
    assert!(files_of(&json(&out))[0].starts_with(r#""legacy/auth.yaml":"#));
    let root = dir.path().join("README.md");
    std::fs::write(&root, "no template\n").expect("write");
    let out = run(dir.path(), &["scan", "--only-paths", "README.md"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

/// An input error anywhere fails the run: the role file that could not be analysed is the other
/// end of the staged pool file's link, and without it the pool's finding is a mere CT202 note.
#[test]
fn only_paths_reports_every_input_error() {
    let dir = linked_project();
    std::fs::write(dir.path().join("infra/iam.yaml"), "Resources: [unclosed\n").expect("write");
    let out = run(dir.path(), &["scan", "--only-paths", "--format", "json", "infra/identity.yaml"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let report = json(&out);
    assert_eq!(report["errors"][0]["location"]["file"], "infra/iam.yaml");
    assert_eq!(report["summary"]["errors"], 1);
    // .ignore is how a file is left out on purpose: then the pool's own note is what is left.
    std::fs::write(dir.path().join(".ignore"), "infra/iam.yaml\n").expect("write");
    let out = run(dir.path(), &["scan", "--only-paths", "--format", "json", "infra/identity.yaml"]);
    assert_eq!(json(&out)["summary"]["errors"], 0, "{}", stderr(&out));
}

#[test]
fn only_paths_refuses_a_path_that_is_missing_or_outside() {
    let dir = linked_project();
    let out = run(dir.path(), &["scan", "--only-paths", "infra/idenity.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).starts_with("error: `--only-paths`: infra/idenity.yaml: "), "{}", stderr(&out));
    let out = run(&dir.path().join("infra"), &["scan", "--only-paths", "../legacy/auth.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("is outside the working directory"), "{}", stderr(&out));
}

/// A report or a baseline is never written through a symbolic link that the repository under
/// scan may hold where CI writes it.
#[cfg(unix)]
#[test]
fn reports_and_baselines_are_not_written_through_links() {
    let dir = linked_project();
    let outside = tempfile::tempdir().expect("tempdir");
    let precious = outside.path().join("precious");
    std::fs::write(&precious, "keep\n").expect("write");
    std::os::unix::fs::symlink(&precious, dir.path().join("cognitrust.sarif")).expect("link");
    std::os::unix::fs::symlink(&precious, dir.path().join(".cognitrust-baseline.json")).expect("link");
    for args in [
        &["scan", "-f", "sarif", "-o", "cognitrust.sarif"][..],
        &["scan", "--write-baseline", ".cognitrust-baseline.json"][..],
    ] {
        let out = run(dir.path(), args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).contains("symbolic link"), "{args:?}: {}", stderr(&out));
    }
    assert_eq!(std::fs::read_to_string(&precious).expect("read"), "keep\n");
}

/// `cognitrust completions bash | head -1`: a reader that stops early is not a crash.
#[test]
fn completions_into_a_closed_pipe_do_not_panic() {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_cognitrust"))
        .args(["completions", "zsh"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"), "{}", stderr(&out));
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn statistics_count_findings_per_rule() {
    let dir = linked_project();
    let out = run(dir.path(), &["scan", "--statistics"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "count  code   severity fixable  rule\n    2  CT106  error          1  trust-no-aud\n"
    );
    let out = run(dir.path(), &["scan", "--statistics", "--format", "json"]);
    let stats = json(&out);
    assert_eq!(stats["rules"][0]["code"], "CT106");
    assert_eq!(stats["rules"][0]["count"], 2);
    assert_eq!(stats["input_errors"], 0);
    let out = run(dir.path(), &["scan", "--statistics", "--format", "sarif"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("`--statistics` prints human or json, not sarif"), "{}", stderr(&out));
    let clean = project(&[("a.yaml", "AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n")]);
    let out = run(clean.path(), &["scan", "--statistics"]);
    assert_eq!(
        (out.status.code(), String::from_utf8_lossy(&out.stdout).as_ref()),
        (Some(0), "no findings\n")
    );
}

#[test]
fn output_file_is_summarised_on_stderr_unless_quiet() {
    let dir = linked_project();
    let out = run(dir.path(), &["scan", "-f", "sarif", "-o", "report.sarif"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert_eq!(
        stderr(&out),
        "wrote the sarif report to report.sarif: 2 findings (2 errors, 0 warnings, 0 notes)\n"
    );
    let sarif: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("report.sarif")).expect("report"))
            .expect("json");
    assert_eq!(sarif["runs"][0]["results"].as_array().map(Vec::len), Some(2));
    let out = run(dir.path(), &["scan", "-q", "-f", "sarif", "-o", "report.sarif"]);
    assert_eq!((out.status.code(), stderr(&out).as_str()), (Some(1), ""));
}

#[test]
fn quiet_leaves_the_summary_out_of_the_human_report() {
    let dir = linked_project();
    let loud = String::from_utf8_lossy(&run(dir.path(), &["scan"]).stdout).into_owned();
    let out = run(dir.path(), &["scan", "--quiet"]);
    let quiet = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(1));
    assert!(loud.contains("2 findings (2 errors"), "{loud}");
    assert!(quiet.contains("CT106 trust-no-aud") && !quiet.contains("2 findings"), "{quiet}");
    assert!(loud.starts_with(&quiet), "the findings are the same:\n{quiet}\n---\n{loud}");
    // Warnings stay: a scan that found nothing to check says so even when quiet.
    let empty = project(&[("notes.txt", "nothing\n")]);
    let out = run(empty.path(), &["scan", "-q"]);
    assert!(stderr(&out).starts_with("warning: no CloudFormation"), "{}", stderr(&out));
}

#[test]
fn completions_and_man_page_come_from_the_command_line_definition() {
    let dir = project(&[]);
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef cognitrust"),
        ("fish", "complete -c cognitrust"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let out = run(dir.path(), &["completions", shell]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        assert!(text.contains(marker) && text.contains("only-paths"), "{shell}: {text}");
    }
    let out = run(dir.path(), &["man"]);
    let page = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0));
    assert!(page.contains(".TH cognitrust 1"), "{page}");
    assert!(page.contains("Finds broken and insecure Amazon Cognito"), "{page}");
}
