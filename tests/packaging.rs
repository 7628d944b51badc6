//! What a user installs: the licences and metadata, the one repository URL, the wheel that
//! carries the binary (built with maturin, installed offline with pip into a fresh virtual
//! environment), and the pre-commit hooks run by a real `pre-commit try-repo`: the wheel hook
//! with pip pointed at a local folder of wheels, and the build-from-source hook.
//!
//! Tests that need an outside tool (maturin, pre-commit, a setuptools wheel) skip when it is
//! missing, except under CI, where `.ci/run` installs them and a skip is a failure
//! (`common::missing`).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

const BIN: &str = env!("CARGO_BIN_EXE_cognitrust");
const VERSION: &str = env!("CARGO_PKG_VERSION");
const REPOSITORY: &str = env!("CARGO_PKG_REPOSITORY");

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

fn toml(path: &str) -> toml::Table {
    read(path).parse().unwrap_or_else(|e| panic!("{path}: {e}"))
}

// ---------------------------------------------------------------------------------------------
// Identity

#[test]
fn licence_and_metadata_are_complete() {
    let cargo = toml("Cargo.toml");
    let package = cargo["package"].as_table().expect("[package]");
    for key in ["description", "license", "repository", "homepage", "readme", "rust-version"] {
        assert!(package.get(key).and_then(|v| v.as_str()).is_some_and(|v| !v.is_empty()), "{key}");
    }
    assert_eq!(package["license"].as_str(), Some("Apache-2.0 OR MIT"));
    assert!(package["keywords"].as_array().is_some_and(|k| !k.is_empty() && k.len() <= 5));
    assert!(package["categories"].as_array().is_some_and(|c| !c.is_empty()));
    let apache = read("LICENSE-APACHE");
    assert!(apache.contains("Apache License") && apache.contains("Version 2.0, January 2004"));
    assert!(read("LICENSE-MIT").starts_with("MIT License\n\nCopyright (c) "));
    let release = cargo["profile"]["release"].as_table().expect("[profile.release]");
    assert_eq!(release["lto"].as_str(), Some("fat"));
    assert_eq!(release["codegen-units"].as_integer(), Some(1));
    assert_eq!(release["strip"].as_str(), Some("symbols"));
    // The toolchain CI and clippy use is a release number, and rust-version does not ask for more.
    // It is not at the root, where rustup would download it for the README's two commands on a
    // machine that has another Rust and no network.
    assert!(!root().join("rust-toolchain.toml").exists() && !root().join("rust-toolchain").exists());
    let channel =
        toml(".ci/rust-toolchain.toml")["toolchain"]["channel"].as_str().expect("channel").to_owned();
    let number = |v: &str| v.split('.').map(|n| n.parse::<u32>().expect("number")).collect::<Vec<_>>();
    assert!(number(&channel) >= number(package["rust-version"].as_str().expect("rust-version")), "{channel}");
}

/// Every address of the project's repository, in README, the wheel, the hook package, the
/// Action's docs and `cognitrust init`, is Cargo.toml's `repository`.
#[test]
fn the_repository_url_is_written_once() {
    assert!(REPOSITORY.starts_with("https://github.com/") && !REPOSITORY.ends_with('/'));
    let slug = REPOSITORY.trim_start_matches("https://github.com/");
    for file in ["README.md", "RELEASING.md", "pyproject.toml", "action.yml", "src/config.rs"] {
        let Ok(body) = std::fs::read_to_string(root().join(file)) else { continue };
        assert!(!body.contains("OWNER/"), "{file} still says OWNER");
        for (at, _) in body.match_indices("/cognitrust") {
            // `github.com/OWNER/cognitrust` and `uses: OWNER/cognitrust@…` name the repository.
            let before = &body[..at];
            let owner_at = before
                .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'))
                .map_or(0, |i| i + 1);
            let owner = &before[owner_at..];
            let lead = &before[..owner_at];
            if lead.ends_with("github.com/") || lead.ends_with("uses: ") {
                assert_eq!(
                    format!("{owner}/cognitrust"),
                    slug,
                    "{file}: {}",
                    &body[owner_at.saturating_sub(20)..at + 11]
                );
            }
        }
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let out = Command::new(BIN).arg("init").current_dir(dir.path()).output().expect("run init");
    assert!(out.status.success(), "{}", text(&out));
    let written = std::fs::read_to_string(dir.path().join("cognitrust.toml")).expect("cognitrust.toml");
    assert!(written.starts_with(&format!("# cognitrust configuration: {REPOSITORY}#")), "{written}");
    // README's heading that the link points at.
    assert!(read("README.md").contains("\n## Configuration and suppressions\n"));
    let sarif = Command::new(BIN)
        .args(["scan", "-f", "sarif", "examples"])
        .current_dir(root())
        .output()
        .expect("scan");
    let log: serde_json::Value = serde_json::from_slice(&sarif.stdout).expect("sarif");
    let driver = &log["runs"][0]["tool"]["driver"];
    assert_eq!(driver["informationUri"].as_str(), Some(REPOSITORY));
    let help = driver["rules"][0]["helpUri"].as_str().expect("helpUri");
    assert!(help.starts_with(&format!("{REPOSITORY}/blob/main/docs/rules/CT")), "{help}");
    assert!(root().join(help.trim_start_matches(&format!("{REPOSITORY}/blob/main/"))).is_file(), "{help}");
}

#[test]
fn the_wheel_and_the_hook_package_carry_the_crate_version() {
    let hook = toml("pyproject.toml");
    assert_eq!(hook["project"]["version"].as_str(), Some(VERSION));
    let deps = hook["project"]["dependencies"].as_array().expect("dependencies");
    assert_eq!(
        deps.iter().filter_map(|d| d.as_str()).collect::<Vec<_>>(),
        [format!("cognitrust=={VERSION}")]
    );
    let wheel = toml("python/pyproject.toml");
    assert_eq!(wheel["project"]["name"].as_str(), Some("cognitrust"));
    assert_eq!(wheel["tool"]["maturin"]["bindings"].as_str(), Some("bin"));
    let dynamic = wheel["project"]["dynamic"].as_array().expect("dynamic");
    assert!(dynamic.iter().any(|d| d.as_str() == Some("version")), "the version comes from Cargo.toml");
    let hooks = read(".pre-commit-hooks.yaml");
    for line in [
        "- id: cognitrust\n",
        "- id: cognitrust-source\n",
        "  language: python\n",
        "  language: rust\n",
        "  entry: cognitrust scan --only-paths\n",
        "  pass_filenames: true\n",
        "  files: \\.(ya?ml|json|template|tf)$\n",
    ] {
        assert!(hooks.contains(line), "{line}");
    }
}

// ---------------------------------------------------------------------------------------------
// The wheel

/// Where tests build: apart from `cargo test`'s own folder, whose lock it holds, and shared by
/// the wheel and the source hook. The packaging is under test, not the optimiser: the release
/// profile is built unoptimised.
fn packaging_env(cmd: &mut Command) -> &mut Command {
    cmd.env("CARGO_TARGET_DIR", root().join("target/packaging-test"))
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
        .env("CARGO_PROFILE_RELEASE_LTO", "false")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16")
        .env("NO_COLOR", "1")
}

const MATURIN: &str = "python3 -m pip install maturin==1.16.0";
const PRE_COMMIT: &str = "python3 -m pip install pre-commit==4.7.0";

/// The folder holding the wheel scripts/release/wheel.sh built from this checkout, once per
/// test run; `None` when maturin is missing (and [`common::missing`] has been called).
fn wheelhouse() -> Option<&'static Path> {
    static BUILT: OnceLock<tempfile::TempDir> = OnceLock::new();
    if !common::have_tool("maturin", MATURIN) {
        return None;
    }
    let built = BUILT.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = packaging_env(Command::new("bash").arg(root().join("scripts/release/wheel.sh")))
            .arg("")
            .arg(dir.path())
            .output()
            .expect("run wheel.sh");
        assert!(out.status.success(), "wheel.sh: {}", text(&out));
        dir
    });
    Some(built.path())
}

fn wheel_file(dir: &Path) -> PathBuf {
    let wheels: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("wheelhouse")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("cognitrust-")))
        .collect();
    assert_eq!(wheels.len(), 1, "{wheels:?}");
    wheels[0].clone()
}

fn venv(at: &Path) -> PathBuf {
    let out = Command::new("python3").args(["-m", "venv"]).arg(at).output().expect("python3 -m venv");
    assert!(out.status.success(), "venv: {}", text(&out));
    at.join("bin")
}

#[test]
#[ignore = "slow: maturin builds the wheel, minutes from cold; .ci/run runs it"]
fn the_wheel_installs_offline_and_runs() {
    let Some(wheels) = wheelhouse() else { return };
    let wheel = wheel_file(wheels);
    let name = wheel.file_name().expect("name").to_string_lossy().into_owned();
    assert!(name.starts_with(&format!("cognitrust-{VERSION}-py3-none-")), "{name}");
    // The binary, the licences and the metadata, and nothing else.
    let listing = Command::new("python3").args(["-m", "zipfile", "-l"]).arg(&wheel).output().expect("list");
    let listing = String::from_utf8_lossy(&listing.stdout).into_owned();
    for member in [
        format!("cognitrust-{VERSION}.data/scripts/cognitrust"),
        format!("cognitrust-{VERSION}.dist-info/licenses/LICENSE-APACHE"),
        format!("cognitrust-{VERSION}.dist-info/licenses/LICENSE-MIT"),
    ] {
        assert!(listing.contains(&member), "{member} missing:\n{listing}");
    }

    let temp = tempfile::tempdir().expect("tempdir");
    let bin = venv(&temp.path().join("venv"));
    let out = Command::new(bin.join("python"))
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-index",
            "--find-links",
        ])
        .arg(wheels)
        .arg("cognitrust")
        .output()
        .expect("pip install");
    assert!(out.status.success(), "pip install: {}", text(&out));
    let installed = bin.join("cognitrust");
    let out = Command::new(&installed).arg("--version").output().expect("run the installed binary");
    assert_eq!(String::from_utf8_lossy(&out.stdout), format!("cognitrust {VERSION}\n"));
    let out = Command::new(&installed)
        .args(["scan", "--format", "json", "examples"])
        .current_dir(root())
        .output()
        .expect("scan");
    assert_eq!(out.status.code(), Some(1), "the example has findings: {}", text(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(report["findings"][0]["location"]["file"], "examples/photo-app.yaml");
}

// ---------------------------------------------------------------------------------------------
// pre-commit

fn git(dir: &Path, args: &[&str]) -> Output {
    let out = Command::new("git")
        .args(["-c", "user.name=cognitrust test", "-c", "user.email=test@example.invalid"])
        .args(["-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run git");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out
}

/// A git repository holding this checkout's working tree (tracked and untracked, not ignored)
/// as one commit: `try-repo` clones a commit, and local edits are not committed yet.
fn hook_repo(into: &Path) -> Option<PathBuf> {
    let listed = Command::new("git")
        .args(["ls-files", "-z", "--cached", "--others", "--exclude-standard"])
        .current_dir(root())
        .output()
        .ok()
        .filter(|o| o.status.success())?;
    let repo = into.join("hook-repo");
    for name in listed.stdout.split(|b| *b == 0).filter(|n| !n.is_empty()) {
        let name = String::from_utf8_lossy(name);
        let from = root().join(name.as_ref());
        if from.is_file() {
            let to = repo.join(name.as_ref());
            std::fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
            std::fs::copy(&from, &to).expect("copy");
        }
    }
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "the working tree under test"]);
    Some(repo)
}

fn fixture(path: &str) -> String {
    read(&format!("testdata/cfn/{path}"))
}

/// A user's repository with a role stack and the pool stack that imports the role (CT106 on
/// the role, related to the pool's import), and an unrelated broken template, all committed.
fn user_repo(at: &Path) -> PathBuf {
    let user = at.join("user-repo");
    for (path, body) in [
        ("infra/iam.yaml", fixture("CT106/fail_import/iam.yaml")),
        ("infra/identity.yaml", fixture("CT106/fail_import/identity.yaml")),
        ("legacy/auth.yaml", fixture("CT106/fail.yaml")),
        ("README.md", "not scanned\n".to_owned()),
    ] {
        std::fs::create_dir_all(user.join(path).parent().expect("parent")).expect("mkdir");
        std::fs::write(user.join(path), body).expect("write");
    }
    git(&user, &["init", "-q"]);
    git(&user, &["add", "-A"]);
    git(&user, &["commit", "-q", "-m", "infrastructure"]);
    user
}

/// Stages an edit of `path` (a comment at its end).
fn touch(user: &Path, path: &str) {
    let mut body = std::fs::read_to_string(user.join(path)).expect("read");
    body.push_str("# edited\n");
    std::fs::write(user.join(path), body).expect("write");
    git(user, &["add", path]);
}

/// Runs hook `id` of `hooks` on the staged files of `user`; `env` adds to the environment.
fn try_repo(hooks: &Path, id: &str, user: &Path, home: &Path, env: &[(&str, &Path)]) -> Output {
    let mut cmd = Command::new("pre-commit");
    cmd.args(["try-repo"]).arg(hooks).args([id, "--color", "never"]);
    cmd.env("PRE_COMMIT_HOME", home).current_dir(user);
    for (key, value) in env {
        cmd.env(key, value);
    }
    packaging_env(&mut cmd).output().expect("run pre-commit")
}

/// The hook scans the whole repository and reports what touches the staged files: the role's
/// finding when only the pool file is staged (a per-file check cannot see the role), never the
/// unrelated template's; a staged README does not run it.
fn check_hook(id: &str, env: &[(&str, &Path)]) {
    let temp = tempfile::tempdir().expect("tempdir");
    let hooks = hook_repo(temp.path()).expect("this checkout is a git repository");
    let user = user_repo(temp.path());
    let home = temp.path().join("pre-commit-home");

    touch(&user, "infra/identity.yaml");
    let out = try_repo(&hooks, id, &user, &home, env);
    let log = text(&out);
    assert_eq!(out.status.code(), Some(1), "the imported role's finding fails the hook: {log}");
    assert!(log.contains("CT106 trust-no-aud") && log.contains("infra/iam.yaml:17:13"), "{log}");
    assert!(!log.contains("legacy/auth.yaml"), "an unstaged, unrelated file is not reported: {log}");

    git(&user, &["commit", "-q", "-m", "edit"]);
    touch(&user, "README.md");
    let out = try_repo(&hooks, id, &user, &home, env);
    let log = text(&out);
    assert_eq!(out.status.code(), Some(0), "{log}");
    assert!(log.contains("(no files to check)Skipped"), "{log}");

    std::fs::write(user.join("infra/iam.yaml"), fixture("CT106/pass_import/iam.yaml")).expect("write");
    git(&user, &["add", "infra/iam.yaml"]);
    let out = try_repo(&hooks, id, &user, &home, env);
    let log = text(&out);
    assert_eq!(out.status.code(), Some(0), "a correct role passes: {log}");
    assert!(log.contains("Passed"), "{log}");
}

/// The `cognitrust` hook installs the wheel from a local folder of wheels, with no index and
/// no Rust: `PATH` holds no cargo while it runs.
#[test]
#[ignore = "slow: pre-commit try-repo with the wheel maturin builds (3 min from cold); .ci/run runs it"]
fn pre_commit_wheel_hook_runs_the_wheel_offline() {
    if !common::have_tool("pre-commit", PRE_COMMIT) {
        return;
    }
    let Some(wheels) = wheelhouse() else { return };
    // setuptools builds the hook package; `.ci/run` downloads its wheel.
    let ci_wheels = root().join("target/ci-wheelhouse");
    let setuptools = std::fs::read_dir(&ci_wheels)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .find(|e| e.file_name().to_string_lossy().starts_with("setuptools-"));
    let Some(setuptools) = setuptools else {
        return common::missing(
            "a setuptools wheel",
            "python3 -m pip download --only-binary=:all: --no-deps --dest target/ci-wheelhouse setuptools",
        );
    };
    let local = tempfile::tempdir().expect("tempdir");
    std::fs::copy(wheel_file(wheels), local.path().join(wheel_file(wheels).file_name().expect("name")))
        .expect("copy");
    std::fs::copy(setuptools.path(), local.path().join(setuptools.file_name())).expect("copy");
    // pre-commit and git, but no cargo: the hook must not build anything.
    let tools = tempfile::tempdir().expect("tempdir");
    for tool in ["pre-commit", "git", "python3"] {
        let found = which(tool).unwrap_or_else(|| panic!("{tool} on PATH"));
        std::os::unix::fs::symlink(found, tools.path().join(tool)).expect("link");
    }
    let path = std::env::join_paths([tools.path(), Path::new("/usr/bin"), Path::new("/bin")]).expect("PATH");
    let path = PathBuf::from(path);
    let cargo = std::env::split_paths(&path).map(|d| d.join("cargo")).find(|p| p.exists());
    assert_eq!(cargo, None, "the hook must run where cargo cannot be found");
    check_hook(
        "cognitrust",
        &[("PIP_NO_INDEX", Path::new("1")), ("PIP_FIND_LINKS", local.path()), ("PATH", &path)],
    );
}

/// The `cognitrust-source` hook builds this checkout with cargo.
#[test]
#[ignore = "slow: pre-commit try-repo builds the crate with cargo (5 min from cold); .ci/run runs it"]
fn pre_commit_source_hook_builds_and_runs() {
    if !common::have_tool("pre-commit", PRE_COMMIT) {
        return;
    }
    check_hook("cognitrust-source", &[]);
}

fn which(tool: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?).map(|d| d.join(tool)).find(|p| p.is_file())
}
