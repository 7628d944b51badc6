//! What only `action.yml` and the workflows say: step order and conditions, pins, permissions,
//! and that the release builds every archive the action downloads.

use std::collections::BTreeSet;

use super::{read, repo_root};

/// The text of the step of action.yml with this name, up to the next step.
pub fn action_step(name: &str) -> String {
    let action = read("action.yml");
    let steps = steps(&action);
    steps.into_iter().find(|s| s.starts_with(&format!("    - name: {name}\n"))).unwrap_or_else(|| {
        panic!("action.yml has no step {name:?}");
    })
}

/// The steps of action.yml's `runs:` in order, each from its `- name:` line.
fn steps(action: &str) -> Vec<String> {
    let runs = action.split_once("\nruns:\n").expect("runs:").1;
    let mut steps: Vec<String> = Vec::new();
    for line in runs.lines() {
        if line.starts_with("    - ") {
            steps.push(String::new());
        } else if line.trim_start().starts_with('#') {
            continue;
        }
        if let Some(step) = steps.last_mut() {
            step.push_str(line);
            step.push('\n');
        }
    }
    steps
}

/// A step's `key: value` (its own, at six spaces, or one of `with:`/`env:`, at eight).
pub fn field(step: &str, key: &str) -> Option<String> {
    step.lines().find_map(|l| {
        let t = l.trim_start().trim_start_matches("- ");
        let indent = l.len() - l.trim_start().len();
        (indent >= 6).then(|| t.strip_prefix(&format!("{key}: ")).map(str::to_string)).flatten()
    })
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
    for input in ["paths", "format", "fail-on", "config", "upload-sarif", "category", "version"] {
        assert!(action.contains(&format!("\n  {input}:\n")), "input {input}");
    }
    for output in ["findings", "report-file", "sarif-file"] {
        assert!(action.contains(&format!("\n  {output}:\n")), "output {output}");
    }
    assert!(action.contains("value: ${{ steps.scan.outputs.report-file }}"));
    for script in ["resolve.sh", "build.sh", "scan.sh", "upload.sh", "finish.sh"] {
        assert!(action.contains(&format!("\"$GITHUB_ACTION_PATH/scripts/action/{script}\"")), "{script}");
    }
    // Failing comes last, after the upload, so results reach code scanning either way.
    let names: Vec<String> =
        steps(&action).iter().map(|s| s.lines().next().unwrap_or("").to_string()).collect();
    assert_eq!(names.last().map(String::as_str), Some("    - name: Apply fail-on"), "{names:?}");
}

/// actions/cache's post-step saves only when the job succeeds, and a repository with findings
/// fails it: the build is saved by its own step, right after it is built, whatever comes after.
#[test]
fn action_saves_its_build_in_a_step_of_its_own_whatever_the_scan_finds() {
    let action = read("action.yml");
    assert!(!action.contains("actions/cache@"), "no cache step with a post-step save");
    let restore = action_step("Restore the cognitrust build");
    let save = action_step("Save the cognitrust build");
    assert!(field(&restore, "uses").is_some_and(|u| u.starts_with("actions/cache/restore@")), "{restore}");
    assert!(field(&save, "uses").is_some_and(|u| u.starts_with("actions/cache/save@")), "{save}");
    for key in ["path", "key"] {
        assert_eq!(field(&restore, key), field(&save, key), "restore and save agree on {key}");
    }
    let condition = field(&save, "if").expect("the save has a condition");
    assert!(condition.contains("!cancelled()") || condition.contains("always()"), "{condition}");
    assert!(condition.contains("steps.build.outputs.built == 'true'"), "only after a build: {condition}");

    let names: Vec<String> = steps(&action)
        .iter()
        .map(|s| s.lines().next().unwrap_or("").trim_start_matches("    - name: ").to_string())
        .collect();
    let at = |name: &str| names.iter().position(|n| n == name).unwrap_or_else(|| panic!("{name}: {names:?}"));
    let build = at("Build cognitrust from the action's source");
    assert_eq!(at("Save the cognitrust build"), build + 1, "saved straight after the build: {names:?}");
    assert!(at("Scan") > build + 1 && at("Apply fail-on") > at("Scan"), "{names:?}");
}

#[test]
fn action_inputs_say_what_they_do() {
    let action = read("action.yml");
    // An input's lines: its name at two spaces, then the deeper ones.
    let input = |name: &str| {
        let mut lines = action.lines().skip_while(|l| *l != format!("  {name}:"));
        let first = lines.next().unwrap_or_else(|| panic!("input {name}"));
        let body: Vec<&str> = lines.take_while(|l| l.starts_with("    ")).collect();
        format!("{first}\n{}\n", body.join("\n"))
    };
    assert!(input("fail-on").contains("    default: \"\"\n"), "the config file's fail-on applies by default");
    assert!(!input("config").contains("once the CLI supports"), "{}", input("config"));
    assert!(input("config").contains("(--config)"), "{}", input("config"));
    assert!(input("format").contains("an annotation for every finding"), "{}", input("format"));
    assert!(!action.contains("changed lines"));
    assert!(input("version").contains("source: build the action's source"), "{}", input("version"));
    assert!(input("upload-sarif").contains("forks"), "{}", input("upload-sarif"));
}

/// The fork check reads the pull request's head repository through env, never inside a script.
#[test]
fn action_decides_the_upload_from_env_and_uploads_only_when_told() {
    let decide = action_step("Decide the SARIF upload");
    assert_eq!(field(&decide, "id").as_deref(), Some("upload"));
    assert_eq!(
        field(&decide, "HEAD_REPOSITORY").as_deref(),
        Some("${{ github.event.pull_request.head.repo.full_name }}")
    );
    assert_eq!(field(&decide, "SARIF_FILE").as_deref(), Some("${{ steps.scan.outputs.sarif-file }}"));
    let upload = action_step("Upload SARIF to code scanning");
    assert_eq!(field(&upload, "if").as_deref(), Some("steps.upload.outputs.upload == 'true'"));
    assert!(field(&upload, "uses").is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif@")));
}

/// The targets of resolve.sh's runner mapping.
fn action_targets() -> BTreeSet<String> {
    read("scripts/action/resolve.sh")
        .lines()
        .filter_map(|l| l.trim().split_once(") echo ").map(|(_, t)| t.trim_end_matches(" ;;").to_string()))
        .filter(|t| t.contains('-'))
        .collect()
}

#[test]
fn release_builds_every_archive_the_action_downloads() {
    let targets = action_targets();
    assert_eq!(
        targets,
        [
            "aarch64-apple-darwin",
            "aarch64-unknown-linux-musl",
            "x86_64-apple-darwin",
            "x86_64-pc-windows-msvc",
            "x86_64-unknown-linux-musl"
        ]
        .map(String::from)
        .into(),
        "static musl binaries on Linux"
    );
    let release = read(".github/workflows/release.yml");
    let built: BTreeSet<String> = release
        .lines()
        .filter_map(|l| l.trim().strip_prefix("target: ").map(str::to_string))
        .filter(|t| !t.contains("${{"))
        .collect();
    assert_eq!(built, targets, "release.yml's matrix");
    let verify = read("scripts/release/verify.sh");
    for target in &targets {
        assert!(verify.contains(target), "verify.sh requires {target}");
    }
    for script in ["version.sh", "build.sh", "wheel.sh", "checksums.sh", "verify.sh"] {
        assert!(release.contains(&format!("bash scripts/release/{script} ")), "release.yml runs {script}");
    }
}

/// release.yml's jobs in order: each name, and its lines up to the next job.
fn release_jobs() -> Vec<(String, String)> {
    let release = read(".github/workflows/release.yml");
    let mut jobs: Vec<(String, String)> = Vec::new();
    for line in release.split_once("\njobs:\n").expect("jobs").1.lines() {
        let header = line.strip_prefix("  ").filter(|h| !h.starts_with(' ') && h.ends_with(':'));
        match (header, jobs.last_mut()) {
            (Some(h), _) => jobs.push((h.trim_end_matches(':').to_string(), String::new())),
            (None, Some((_, text))) => text.push_str(&format!("{line}\n")),
            (None, None) => {}
        }
    }
    jobs
}

fn release_job(name: &str) -> String {
    release_jobs().into_iter().find(|(n, _)| n == name).unwrap_or_else(|| panic!("no job {name}")).1
}

/// Only attest and pypi can mint an OIDC token, and only attest can write attestations; the jobs
/// that publish on GitHub cannot, and the build jobs only read.
#[test]
fn release_attests_with_permissions_on_that_job_only() {
    let release = read(".github/workflows/release.yml");
    assert!(release.contains("\npermissions: {}\n"), "nothing by default");
    let mut names = Vec::new();
    for (name, job) in release_jobs() {
        assert_eq!(
            job.contains("attestations: write"),
            name == "attest",
            "{name}: attestations only on attest"
        );
        let oidc = ["attest", "pypi"].contains(&name.as_str());
        assert_eq!(job.contains("id-token: write"), oidc, "{name}: id-token only on attest and pypi");
        if name == "attest" {
            assert!(job.contains("uses: actions/attest-build-provenance@"), "{job}");
            assert!(job.contains("subject-checksums: dist/SHA256SUMS"), "{job}");
        }
        if ["build", "checksums", "attest", "pypi"].contains(&name.as_str()) {
            assert!(!job.contains("contents: write"), "{name} only reads");
        }
        names.push(name);
    }
    assert_eq!(names, ["build", "checksums", "attest", "draft", "publish", "pypi"]);
}

/// The pypi job uploads, by trusted publishing, the wheels publish checked with verify.sh, and
/// nothing else; it holds no PyPI token, and can mint an OIDC token only in the `pypi`
/// environment, with no other permission.
#[test]
fn release_uploads_only_the_verified_wheels_to_pypi_by_trusted_publishing() {
    let publish = release_job("publish");
    let at = |text: &str| publish.find(text).unwrap_or_else(|| panic!("publish has no {text:?}: {publish}"));
    let verify = at("run: bash scripts/release/verify.sh \"$GITHUB_REF_NAME\" dist\n");
    let upload = at("uses: actions/upload-artifact@");
    assert!(verify < upload, "the wheels are handed on only after verify.sh passed: {publish}");
    let handed = &publish[upload..];
    assert!(handed.contains("name: wheels\n") && handed.contains("path: dist/*.whl\n"), "{publish}");
    assert!(handed.contains("if-no-files-found: error\n"), "{publish}");
    assert_eq!(publish.matches("upload-artifact@").count(), 1, "{publish}");

    let pypi = release_job("pypi");
    assert!(pypi.contains("    needs: publish\n"), "{pypi}");
    assert!(pypi.contains("    if: github.event_name == 'push'\n"), "{pypi}");
    assert!(pypi.contains("    environment:\n      name: pypi\n"), "{pypi}");
    let permissions = pypi.split_once("    permissions:\n").expect("permissions").1;
    let granted: Vec<&str> = permissions.lines().take_while(|l| l.starts_with("      ")).collect();
    assert_eq!(granted.len(), 1, "{granted:?}");
    assert!(granted[0].starts_with("      id-token: write"), "{granted:?}");
    assert!(
        !pypi.contains("actions/checkout") && !pypi.contains("run:"),
        "it only downloads and uploads: {pypi}"
    );
    assert!(pypi.contains("name: wheels\n          path: wheels\n"), "{pypi}");
    let uses: Vec<&str> = pypi.lines().filter_map(|l| l.trim().strip_prefix("- uses: ")).collect();
    assert_eq!(uses.len(), 2, "{uses:?}");
    assert!(uses[0].starts_with("actions/download-artifact@"), "{uses:?}");
    assert!(uses[1].starts_with("pypa/gh-action-pypi-publish@") && uses[1].contains(" # v1."), "{uses:?}");
    assert!(pypi.trim_end().ends_with("packages-dir: wheels/"), "{pypi}");
    for token in ["password", "secrets.", "skip-existing", "repository-url"] {
        assert!(!pypi.contains(token), "{token}: {pypi}");
    }
}

#[test]
fn self_test_builds_this_commit_from_source() {
    let selftest = read(".github/workflows/action-selftest.yml");
    let uses = selftest.matches("uses: ./\n").count();
    assert!(uses >= 3, "{selftest}");
    assert_eq!(selftest.matches("uses: ./\n        with:\n          version: source\n").count(), uses);
}
