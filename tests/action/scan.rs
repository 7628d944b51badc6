//! The scan step, the job summary and fail-on: the report in every format, the outputs, and a
//! scanner that crashes after the JSON run.

use std::path::PathBuf;

use serde_json::Value;

use super::log::stopped_region;
use super::{BIN, MALFORMED, Runner, broken, common, correct, write, write_script};

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
fn action_summary_calls_terraform_files_by_their_name() {
    let tf = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/testdata/terraform/CT101/pass/main.tf"
    ))
    .expect("fixture");
    let runner = Runner::new(&[("stack.yaml", &correct()), ("infra/main.tf", &tf)]);
    let (scan, _) = runner.action(&[("INPUT_FORMAT", "github")]);
    assert_eq!(scan.status, Some(0), "{}", scan.log);
    let summary = runner.summary();
    assert!(summary.contains(" in 1 template and 1 Terraform file of 2 files scanned"), "{summary}");
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
// A scanner that crashes after the JSON run

/// A stand-in for the binary: runs the real cognitrust (`REAL`), except the run in format
/// `CRASH_ON`, which starts its report and then exits as `CRASH_HOW` says: a status, `kill`
/// (killed by SIGKILL), or `quiet` (exit 1 without writing its report).
const CRASHING: &str = r#"#!/bin/sh
format=''; out=''; prev=''
for a in "$@"; do
  [ "$prev" = --format ] && format=$a
  [ "$prev" = --output ] && out=$a
  prev=$a
done
if [ "$format" = "$CRASH_ON" ]; then
  [ "$CRASH_HOW" = quiet ] && exit 1
  [ -n "$out" ] && printf '{"partial' > "$out"
  echo "thread 'main' panicked at src/report.rs:1:1" >&2
  [ "$CRASH_HOW" = kill ] && kill -KILL $$
  exit "$CRASH_HOW"
fi
exec "$REAL" "$@"
"#;

/// scan.sh with [`CRASHING`] as the binary over [`broken`] (the JSON run finds 2, exit 1).
fn crashing_scan(format: &str, crash_on: &str, how: &str) -> super::Step {
    let runner = Runner::new(&[("infra/auth.yaml", &broken())]);
    let fake = runner.path("fake-bin/cognitrust");
    write_script(&fake, CRASHING);
    runner.step(
        "scan.sh",
        &[
            ("COGNITRUST_BIN", fake.to_str().unwrap()),
            ("REAL", BIN),
            ("CRASH_ON", crash_on),
            ("CRASH_HOW", how),
            ("INPUT_FORMAT", format),
        ],
    )
}

/// The step fails with an `::error` the runner reads (after the stopped region), and hands on no
/// report: report-file and sarif-file are empty.
fn assert_failed_without_report(scan: &super::Step, error: &str, exit_code: &str) {
    assert_eq!(scan.status, Some(2), "{}", scan.log);
    let (_, stopped) = stopped_region(&scan.log);
    let line = scan.log.lines().position(|l| l.starts_with(&format!("::error title=cognitrust::{error}")));
    assert!(line.is_some_and(|i| i >= stopped.end), "{error:?} after the stopped region: {}", scan.log);
    assert_eq!(scan.outputs["report-file"], "", "{}", scan.log);
    assert_eq!(scan.outputs["sarif-file"], "");
    assert_eq!(scan.outputs["exit-code"], exit_code);
}

#[test]
fn action_scan_fails_when_the_report_run_crashes() {
    let scan = crashing_scan("sarif", "sarif", "101");
    let error = "the scan for the sarif report crashed (exit status 101) after the JSON scan ended with 1";
    assert_failed_without_report(&scan, error, "101");
    assert!(scan.log.contains("panicked"), "the crash's own message is in the log: {}", scan.log);

    let scan = crashing_scan("junit", "junit", "kill");
    assert_failed_without_report(&scan, "the scan for the junit report crashed (exit status 137)", "137");
    let scan = crashing_scan("github", "github", "3");
    assert_failed_without_report(&scan, "the scan for the annotations crashed (exit status 3)", "3");
}

/// Exit 1 (a result) but no report written: not a report-file either.
#[test]
fn action_scan_fails_when_the_report_run_writes_nothing() {
    let scan = crashing_scan("gitlab", "gitlab", "quiet");
    assert_failed_without_report(&scan, "the scan wrote no gitlab report", "1");
}

/// The report is written, but the run that shows the findings in the log crashes.
#[test]
fn action_scan_fails_when_the_log_run_crashes() {
    let scan = crashing_scan("sarif", "human", "101");
    assert_failed_without_report(&scan, "the scan for the log crashed (exit status 101)", "101");
    // The human report itself runs with --output: when that one crashes, it is the report's run.
    let scan = crashing_scan("human", "human", "101");
    assert_failed_without_report(&scan, "the scan for the human report crashed (exit status 101)", "101");
}
