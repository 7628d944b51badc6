//! Whether the SARIF report goes to code scanning (upload.sh), and under which category.

use super::{Runner, read, workflows};

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

/// GitHub empties a pull request's `head.repo` when its fork is deleted; a branch of this
/// repository always names it. So an empty head repository is a fork, whose token cannot upload.
#[test]
fn action_skips_the_sarif_upload_when_the_fork_was_deleted() {
    let runner = Runner::new(&[]);
    let sarif = [("INPUT_UPLOAD_SARIF", "true"), ("SARIF_FILE", "/tmp/cognitrust.sarif")];
    for head in [Some(""), None] {
        let mut env = vec![("GITHUB_EVENT_NAME", "pull_request")];
        env.extend(head.map(|h| ("HEAD_REPOSITORY", h)));
        env.extend_from_slice(&sarif);
        let step = runner.step("upload.sh", &env);
        assert_eq!(step.status, Some(0), "{}", step.log);
        assert_eq!(step.outputs["upload"], "false", "{head:?}");
        assert!(
            step.log.starts_with(
                "::notice title=cognitrust::SARIF not uploaded: this pull request comes from a fork that was deleted"
            ),
            "{}",
            step.log
        );
    }
    // Other events upload: push and the others have no pull request, and pull_request_target
    // runs with the base repository's token.
    for event in ["push", "schedule", "workflow_dispatch", "pull_request_target"] {
        let mut env = vec![("GITHUB_EVENT_NAME", event), ("HEAD_REPOSITORY", "")];
        env.extend_from_slice(&sarif);
        let step = runner.step("upload.sh", &env);
        assert_eq!((step.outputs["upload"].as_str(), step.log.as_str()), ("true", ""), "{event}");
    }
}
