//! The GitHub Action and the release it downloads: the action's shell steps (`scripts/action/`)
//! run in a simulated runner, the release scripts (`scripts/release/`) pack and check a release
//! that the action's resolve step then downloads, and `action.yml` and the workflows are read for
//! what no script can show (step conditions, pins, permissions).
//!
//! Tests that need an outside tool say so and skip when it is missing, except under CI, where
//! `.ci/run` installs it and a skip is a failure (`common::missing`).

mod common;

#[path = "action/build.rs"]
mod build;
#[path = "action/log.rs"]
mod log;
#[path = "action/release.rs"]
mod release;
#[path = "action/scan.rs"]
mod scan;
#[path = "action/upload.rs"]
mod upload;
#[path = "action/workflows.rs"]
mod workflows;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

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
