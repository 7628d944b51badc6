//! The GitHub Action and the release it downloads: the action's shell steps (`scripts/action/`)
//! run in a simulated runner, the release scripts (`scripts/release/`) pack and check a release
//! that the action's resolve step then downloads, and `action.yml` and the workflows are read for
//! what no script can show (step conditions, pins, permissions).
//!
//! Tests that need an outside tool say so and skip when it is missing, except under CI (`CI`
//! set), where `.ci/run` installs it and a skip is a failure.

mod common;

#[path = "action/release.rs"]
mod release;
#[path = "action/workflows.rs"]
mod workflows;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_cognitrust");

/// One error (CT106: the guest role's trust has no `aud` condition) and one warning (CT110: the
/// authenticated role of a guest-enabled pool has no `amr` condition).
fn broken() -> String {
    common::WARNING.replace(
        "              StringEquals: {\"cognito-identity.amazonaws.com:aud\": !Ref Pool}\n              \
         \"ForAnyValue:StringLike\": {\"cognito-identity.amazonaws.com:amr\": unauthenticated}",
        "              \"ForAnyValue:StringLike\": {\"cognito-identity.amazonaws.com:amr\": unauthenticated}",
    )
}

/// Both roles check `aud` and `amr`: no finding.
fn correct() -> String {
    common::WARNING.replace(
        "              StringEquals: {\"cognito-identity.amazonaws.com:aud\": !Ref Pool}\n  GuestRole",
        "              StringEquals: {\"cognito-identity.amazonaws.com:aud\": !Ref Pool}\n              \
         \"ForAnyValue:StringLike\": {\"cognito-identity.amazonaws.com:amr\": authenticated}\n  GuestRole",
    )
}

const MALFORMED: &str =
    "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  Pool:\n    Type: [unclosed\n";

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &str) -> String {
    std::fs::read_to_string(repo_root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Whether a missing tool may skip a test: not under CI, where `.ci/run` installs it.
fn skip_without(tool: &str, how: &str) {
    assert!(std::env::var_os("CI").is_none(), "{tool} is not installed, and CI must run this test: {how}");
    eprintln!("SKIPPED: {tool} is not installed ({how})");
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// An executable script (the stand-in for a binary or a tool on PATH).
fn write_script(path: &Path, text: &str) {
    write(path, text);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
}

// ---------------------------------------------------------------------------------------------
// A simulated runner

/// A simulated runner: a workspace, RUNNER_TEMP, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, and
/// the action's folder (this checkout, or a copy under `_actions/` as a runner lays it out).
struct Runner {
    dir: tempfile::TempDir,
    action: PathBuf,
}

struct Step {
    status: Option<i32>,
    log: String,
    outputs: BTreeMap<String, String>,
}

impl Runner {
    fn new(files: &[(&str, &str)]) -> Runner {
        let dir = tempfile::tempdir().expect("tempdir");
        for sub in ["workspace/.git", "temp"] {
            std::fs::create_dir_all(dir.path().join(sub)).expect("mkdir");
        }
        for (name, text) in files {
            write(&dir.path().join("workspace").join(name), text);
        }
        Runner { dir, action: repo_root() }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn summary(&self) -> String {
        std::fs::read_to_string(self.path("summary.md")).unwrap_or_default()
    }

    /// Runs `scripts/action/<script>` of the action's folder as action.yml does: `bash`, in the
    /// workspace, the inputs as env (which may replace PATH or any variable set here).
    fn step(&self, script: &str, env: &[(&str, &str)]) -> Step {
        let output = self.path("output");
        std::fs::write(&output, "").expect("GITHUB_OUTPUT");
        let out = Command::new("bash")
            .arg(self.action.join("scripts/action").join(script))
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.dir.path())
            .env("GITHUB_ACTION_PATH", &self.action)
            .env("GITHUB_WORKSPACE", self.path("workspace"))
            .env("GITHUB_OUTPUT", &output)
            .env("GITHUB_STEP_SUMMARY", self.path("summary.md"))
            .env("GITHUB_SERVER_URL", "https://github.com")
            .env("GITHUB_REPOSITORY", "octo/app")
            .env("GITHUB_SHA", "0123abc")
            .env("GITHUB_EVENT_NAME", "push")
            .env("GITHUB_ACTOR", "octocat")
            .env("RUNNER_TEMP", self.path("temp"))
            .env("RUNNER_OS", "Linux")
            .env("RUNNER_ARCH", "X64")
            .envs(env.iter().copied())
            .current_dir(self.path("workspace"))
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

    /// resolve (`version: source`) → build (from a restored cache) → scan → finish, as action.yml
    /// chains them. The inputs go to scan and finish.
    fn action(&self, inputs: &[(&str, &str)]) -> (Step, Step) {
        let resolve = self.step("resolve.sh", &[("INPUT_VERSION", "source")]);
        assert_eq!(resolve.status, Some(0), "{}", resolve.log);
        assert_eq!(resolve.outputs["need-build"], "true");
        // The cache restore step put a build there: the test binary, where build.sh looks.
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
        assert!(!build.outputs.contains_key("built"), "a restored build is not saved again");
        let mut env = vec![("COGNITRUST_BIN", build.outputs["bin"].as_str())];
        env.extend_from_slice(inputs);
        let scan = self.step("scan.sh", &env);
        let fail_on = inputs.iter().find(|(k, _)| *k == "INPUT_FAIL_ON").map_or("", |(_, v)| v);
        let finish = self.step(
            "finish.sh",
            &[
                ("SCAN_EXIT_CODE", scan.outputs.get("exit-code").map_or("", String::as_str)),
                ("FINDINGS", scan.outputs.get("findings").map_or("", String::as_str)),
                ("INPUT_FAIL_ON", fail_on),
            ],
        );
        (scan, finish)
    }
}

// ---------------------------------------------------------------------------------------------
// Scan, summary and fail-on

#[test]
fn action_scan_of_a_broken_template_summarises_and_fails() {
    let runner = Runner::new(&[("infra/auth.yaml", &broken()), ("docs/readme.yaml", "a: 1\n")]);
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
    assert!(summary.contains("(fail-on: the configuration's, else `warning`)."), "{summary}");
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
    assert!(
        finish.log.contains(
            "::error title=cognitrust::2 finding(s), at least one at or above the configured fail-on"
        ),
        "{}",
        finish.log
    );
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
    let runner = Runner::new(&[("infra/auth.yaml", &broken())]);
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
    assert!(finish.log.contains("none at or above fail-on 'never'"), "{}", finish.log);

    let (scan, finish) = runner.action(&[("INPUT_FORMAT", "json"), ("INPUT_FAIL_ON", "error")]);
    assert_eq!((scan.outputs["exit-code"].as_str(), finish.status), ("1", Some(1)));
    assert!(runner.summary().contains("(fail-on: `error`)."), "{}", runner.summary());
}

/// Only a warning in the workspace: the CLI's default (warning) fails, a configuration file's
/// `fail-on = "error"` passes, and a non-empty input overrides the file.
#[test]
fn action_fail_on_empty_lets_the_configuration_decide() {
    let runner = Runner::new(&[("stack.yaml", common::WARNING)]);
    let (scan, finish) = runner.action(&[("INPUT_FORMAT", "json")]);
    assert_eq!(scan.outputs["exit-code"], "1", "no configuration: the CLI's default, warning: {}", scan.log);
    assert_eq!(finish.status, Some(1));

    write(&runner.path("workspace/cognitrust.toml"), "fail-on = \"error\"\n");
    let (scan, finish) = runner.action(&[("INPUT_FORMAT", "json"), ("INPUT_FAIL_ON", "")]);
    assert_eq!(scan.outputs["findings"], "1", "{}", scan.log);
    assert_eq!(scan.outputs["exit-code"], "0", "cognitrust.toml decides: {}", scan.log);
    assert_eq!(finish.status, Some(0), "{}", finish.log);
    assert!(finish.log.contains("1 finding(s), none at or above the configured fail-on"), "{}", finish.log);

    let (scan, finish) = runner.action(&[("INPUT_FORMAT", "json"), ("INPUT_FAIL_ON", "warning")]);
    assert_eq!((scan.outputs["exit-code"].as_str(), finish.status), ("1", Some(1)), "the input wins");

    // The `config` input names another file, relative to the workspace.
    std::fs::remove_file(runner.path("workspace/cognitrust.toml")).expect("rm");
    write(&runner.path("workspace/ci/lenient.toml"), "fail-on = \"never\"\n");
    let (scan, finish) = runner.action(&[("INPUT_FORMAT", "json"), ("INPUT_CONFIG", "ci/lenient.toml")]);
    assert_eq!((scan.outputs["exit-code"].as_str(), finish.status), ("0", Some(0)), "{}", scan.log);
}

#[test]
fn action_rejects_bad_inputs_and_reports_unreadable_templates() {
    let runner = Runner::new(&[("broken.yaml", MALFORMED)]);
    let (scan, finish) = runner.action(&[("INPUT_FORMAT", "xml")]);
    assert_eq!(scan.status, Some(2));
    assert!(
        scan.log.contains("format must be sarif, json, github, human, junit or gitlab, not 'xml'"),
        "{}",
        scan.log
    );
    assert_eq!(finish.status, Some(2));
    let (scan, _) = runner.action(&[("INPUT_FAIL_ON", "warnings")]);
    assert_eq!(scan.status, Some(2));
    assert!(scan.log.contains("fail-on must be error, warning, note, never or empty"), "{}", scan.log);

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

    // A config file that does not exist stops the scan with the CLI's own message.
    let (scan, _) = runner.action(&[("INPUT_CONFIG", "missing.toml")]);
    assert_eq!(scan.status, Some(2), "{}", scan.log);
    assert!(scan.log.contains("the scan did not run"), "{}", scan.log);
}

/// The report in the requested format is a file under RUNNER_TEMP, named by `report-file`, for
/// every format, and the log still shows the findings.
#[test]
fn action_report_file_for_every_format() {
    let runner = Runner::new(&[("infra/auth.yaml", &broken())]);
    for format in ["human", "json", "sarif", "github", "junit", "gitlab"] {
        let (scan, _) = runner.action(&[("INPUT_FORMAT", format), ("INPUT_FAIL_ON", "never")]);
        assert_eq!(scan.status, Some(0), "{format}: {}", scan.log);
        let file = PathBuf::from(&scan.outputs["report-file"]);
        assert!(file.starts_with(runner.path("temp")), "{format}: {}", file.display());
        let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{format}: {e}"));
        match format {
            "human" => {
                assert!(text.contains("CT106") && text.contains("infra/auth.yaml"), "{text}");
                assert!(!text.contains('\u{1b}'), "the file has no colour codes: {text:?}");
            }
            "json" => {
                let report: Value = serde_json::from_str(&text).expect("JSON");
                assert_eq!(report["summary"]["findings"], 2);
                assert_eq!(scan.outputs["json-file"], scan.outputs["report-file"]);
            }
            "sarif" => {
                let log: Value = serde_json::from_str(&text).expect("SARIF");
                assert_eq!(log["version"], "2.1.0");
                assert_eq!(scan.outputs["sarif-file"], scan.outputs["report-file"]);
            }
            "junit" => {
                assert!(text.starts_with("<?xml"), "{text}");
                assert!(text.contains("<testsuites") && text.contains("CT106"), "{text}");
            }
            "gitlab" => {
                let issues: Value = serde_json::from_str(&text).expect("GitLab JSON");
                assert_eq!(issues.as_array().map(Vec::len), Some(2), "{text}");
                assert_eq!(issues[0]["location"]["path"], "infra/auth.yaml");
            }
            _ => {
                assert_eq!(text.lines().count(), 2, "{text}");
                assert!(text.lines().all(|l| l.starts_with("::")), "{text}");
                assert!(text.contains("title=CT106 trust-no-aud::"), "{text}");
            }
        }
        assert!(scan.log.contains("CT106"), "{format}: the log shows the findings: {}", scan.log);
        if format != "sarif" {
            assert_eq!(scan.outputs["sarif-file"], "", "{format}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The log

/// [`broken`] in a file whose name starts a workflow command on its second line, with workflow
/// commands in a comment on the line of its CT106 finding.
const INJECTING_NAME: &str = "infra/evil\n::warning::pwned.yaml";

fn injecting() -> String {
    broken().replace(
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
    let template = broken()
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

// ---------------------------------------------------------------------------------------------
// The SARIF upload

#[test]
fn action_skips_the_sarif_upload_with_a_notice_on_pull_requests_from_forks() {
    let runner = Runner::new(&[]);
    let decide = |env: &[(&str, &str)]| {
        let mut all = vec![("INPUT_UPLOAD_SARIF", "true"), ("SARIF_FILE", "/tmp/cognitrust.sarif")];
        all.extend_from_slice(env);
        runner.step("upload.sh", &all)
    };
    let fork = decide(&[("GITHUB_EVENT_NAME", "pull_request"), ("HEAD_REPOSITORY", "mallory/app")]);
    assert_eq!(fork.status, Some(0), "{}", fork.log);
    assert_eq!(fork.outputs["upload"], "false");
    assert!(
        fork.log.starts_with(
            "::notice title=cognitrust::SARIF not uploaded: this pull request comes from the fork mallory/app"
        ),
        "{}",
        fork.log
    );

    let same = decide(&[("GITHUB_EVENT_NAME", "pull_request"), ("HEAD_REPOSITORY", "octo/app")]);
    assert_eq!((same.outputs["upload"].as_str(), same.log.as_str()), ("true", ""));
    let push = decide(&[("GITHUB_EVENT_NAME", "push"), ("HEAD_REPOSITORY", "")]);
    assert_eq!(push.outputs["upload"], "true");
    let target = decide(&[("GITHUB_EVENT_NAME", "pull_request_target"), ("HEAD_REPOSITORY", "mallory/app")]);
    assert_eq!(target.outputs["upload"], "true", "pull_request_target has the base repository's token");
    let dependabot = decide(&[
        ("GITHUB_EVENT_NAME", "pull_request"),
        ("HEAD_REPOSITORY", "octo/app"),
        ("GITHUB_ACTOR", "dependabot[bot]"),
    ]);
    assert_eq!(dependabot.outputs["upload"], "false");
    assert!(dependabot.log.contains("::notice title=cognitrust::SARIF not uploaded: a Dependabot"));

    let off = runner.step("upload.sh", &[("INPUT_UPLOAD_SARIF", "false"), ("SARIF_FILE", "/tmp/x.sarif")]);
    assert_eq!((off.outputs["upload"].as_str(), off.log.as_str()), ("false", ""), "no notice when not asked");
    let json = runner.step("upload.sh", &[("INPUT_UPLOAD_SARIF", "true"), ("SARIF_FILE", "")]);
    assert_eq!(json.outputs["upload"], "false", "format json has no SARIF to upload");
}

#[test]
fn action_passes_the_category_to_the_upload() {
    let runner = Runner::new(&[]);
    let step = runner.step("upload.sh", &[("SARIF_FILE", "x.sarif"), ("INPUT_CATEGORY", "cognitrust-infra")]);
    assert_eq!(step.outputs["category"], "cognitrust-infra");
    let step = runner.step("upload.sh", &[("SARIF_FILE", "x.sarif"), ("INPUT_CATEGORY", "")]);
    assert_eq!(step.outputs["category"], "cognitrust", "an empty input keeps the default");
    let step = runner.step("upload.sh", &[("SARIF_FILE", "x.sarif"), ("INPUT_CATEGORY", "a\nupload=true")]);
    assert_eq!(step.status, Some(2), "a category cannot add an output line: {}", step.log);
    assert!(!step.outputs.contains_key("category"));

    let upload = workflows::action_step("Upload SARIF to code scanning");
    assert_eq!(
        workflows::field(&upload, "category").as_deref(),
        Some("${{ steps.upload.outputs.category }}")
    );
    let decide = workflows::action_step("Decide the SARIF upload");
    assert!(decide.contains("        INPUT_CATEGORY: ${{ inputs.category }}\n"), "{decide}");
    assert!(read("action.yml").contains("  category:\n    description: "), "the input");
    assert!(read("action.yml").contains("    default: cognitrust\n"));
}

// ---------------------------------------------------------------------------------------------
// The source build

/// A fake `cargo` and `rustup` on PATH that record how they were run; the workspace and the
/// workflow both ask for another toolchain, which must not be the one used.
#[test]
fn action_build_uses_the_action_s_toolchain_in_the_action_s_folder() {
    let runner = Runner::new(&[("rust-toolchain.toml", "[toolchain]\nchannel = \"nightly-2020-01-01\"\n")]);
    let bin = runner.path("fake-bin");
    let record = runner.path("record.txt");
    write_script(
        &bin.join("cargo"),
        "#!/bin/sh\n\
         printf 'cargo toolchain=%s cwd=%s args=%s\\n' \"${RUSTUP_TOOLCHAIN-unset}\" \"$(pwd -P)\" \"$*\" >> \"$RECORD\"\n\
         root=''; prev=''\n\
         for a in \"$@\"; do [ \"$prev\" = --root ] && root=$a; prev=$a; done\n\
         mkdir -p \"$root/bin\"\n\
         printf '#!/bin/sh\\necho cognitrust 0.0.0-fake\\n' > \"$root/bin/cognitrust\"\n\
         chmod +x \"$root/bin/cognitrust\"\n",
    );
    write_script(&bin.join("rustup"), "#!/bin/sh\nprintf 'rustup %s\\n' \"$*\" >> \"$RECORD\"\n");
    let path = format!("{}:/usr/bin:/bin", bin.display());
    let root = runner.path("temp/cognitrust-build");
    let env = [
        ("PATH", path.as_str()),
        ("RECORD", record.to_str().unwrap()),
        ("RUSTUP_TOOLCHAIN", "stable"),
        ("INSTALL_ROOT", root.to_str().unwrap()),
    ];
    let step = runner.step("build.sh", &env);
    assert_eq!(step.status, Some(0), "{}", step.log);
    assert_eq!(step.outputs.get("built").map(String::as_str), Some("true"), "it compiled: save the cache");
    assert!(step.log.contains("cognitrust 0.0.0-fake"), "{}", step.log);

    let channel = read("rust-toolchain.toml")
        .lines()
        .find_map(|l| l.strip_prefix("channel = \"").and_then(|c| c.strip_suffix('"')).map(str::to_string))
        .expect("the checkout's rust-toolchain.toml names a channel");
    let action = repo_root().canonicalize().expect("canonical");
    assert_eq!(
        std::fs::read_to_string(&record).expect("record"),
        format!(
            "rustup toolchain install {channel} --profile minimal --no-self-update\n\
             cargo toolchain={channel} cwd={} args=install --path . --locked --root {}\n",
            action.display(),
            root.display()
        )
    );

    // The restored cache: nothing compiled, nothing to save.
    let step = runner.step("build.sh", &env);
    assert_eq!(step.status, Some(0), "{}", step.log);
    assert!(step.log.contains("using the cached build"), "{}", step.log);
    assert!(!step.outputs.contains_key("built"));
    assert_eq!(std::fs::read_to_string(&record).expect("record").lines().count(), 2, "cargo ran once");

    // No cargo on PATH (only bash, which runs the step): the step says what to do.
    let tools = runner.path("only-bash");
    std::fs::create_dir_all(&tools).expect("mkdir");
    let bash = ["/bin/bash", "/usr/bin/bash"].into_iter().find(|p| Path::new(p).is_file()).expect("bash");
    #[cfg(unix)]
    std::os::unix::fs::symlink(bash, tools.join("bash")).expect("link bash");
    let other = runner.path("temp/other-root");
    let step = runner
        .step("build.sh", &[("PATH", tools.to_str().unwrap()), ("INSTALL_ROOT", other.to_str().unwrap())]);
    assert_eq!(step.status, Some(1), "{}", step.log);
    assert!(
        step.log.contains("::error title=cognitrust::cargo is not installed: install Rust before this step"),
        "{}",
        step.log
    );
}
