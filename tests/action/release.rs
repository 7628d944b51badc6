//! The release scripts (`scripts/release/`) and the action's default download: a release packed
//! and summed as the release workflow does it, checked by the action against the checksums
//! committed in its own copy of the repository, and by the publish gate (verify.sh).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use super::{Runner, common, repo_root, write, write_script};

const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The archive the simulated runner (Linux, X64) downloads.
const RUNNER_TARGET: &str = "x86_64-unknown-linux-musl";

const ALL_TARGETS: [&str; 5] = [
    "x86_64-unknown-linux-musl",
    "aarch64-unknown-linux-musl",
    "x86_64-apple-darwin",
    "aarch64-apple-darwin",
    "x86_64-pc-windows-msvc",
];

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display())) {
        let entry = entry.expect("entry");
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        if entry.file_type().expect("type").is_dir() {
            copy_tree(&src, &dst);
        } else {
            std::fs::copy(&src, &dst).unwrap_or_else(|e| panic!("{}: {e}", src.display()));
        }
    }
}

/// A copy of this checkout's action where a runner puts `uses: cognitrust/cognitrust@vX`: what the
/// action and the release scripts read, without any checksums this checkout has committed.
fn action_copy(into: &Path) -> PathBuf {
    let root = repo_root();
    let dest = into.join(format!("_actions/cognitrust/cognitrust/v{VERSION}"));
    std::fs::create_dir_all(dest.join(".ci")).expect("mkdir");
    for file in [
        "action.yml",
        "Cargo.toml",
        "Cargo.lock",
        ".ci/rust-toolchain.toml",
        "README.md",
        "LICENSE-APACHE",
        "LICENSE-MIT",
    ] {
        std::fs::copy(root.join(file), dest.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
    }
    copy_tree(&root.join("scripts"), &dest.join("scripts"));
    copy_tree(&root.join("src"), &dest.join("src"));
    let sums = dest.join("scripts/action/checksums");
    let _ = std::fs::remove_dir_all(&sums);
    std::fs::create_dir_all(&sums).expect("mkdir");
    dest
}

fn bash(script: &Path, args: &[&str]) -> Output {
    Command::new("bash")
        .arg(script)
        .args(args)
        .env_remove("COGNITRUST_RELEASE_ROOT")
        .output()
        .expect("run bash")
}

fn log(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

fn sha256(path: &Path) -> String {
    let out = Command::new("sha256sum").arg(path).output().expect("sha256sum");
    String::from_utf8_lossy(&out.stdout).split(' ').next().unwrap_or_default().to_string()
}

/// A stand-in for a built binary: small, so packing it is quick, and it says where it came from.
fn fake_binary(dir: &Path, says: &str) -> PathBuf {
    let path = dir.join(format!("built-{says}/cognitrust"));
    write_script(&path, &format!("#!/bin/sh\necho {says}\n"));
    path
}

/// Packs `binary` for `targets` with the copy's package.sh into `mirror/vVERSION/` and sums the
/// folder with its checksums.sh, as the release workflow does; returns that folder.
fn pack_release(action: &Path, mirror: &Path, binary: &Path, targets: &[&str]) -> PathBuf {
    let dir = mirror.join(format!("v{VERSION}"));
    for target in targets {
        let out = bash(
            &action.join("scripts/release/package.sh"),
            &[target, binary.to_str().unwrap(), dir.to_str().unwrap()],
        );
        assert!(out.status.success(), "package.sh {target}: {}", log(&out));
    }
    let out = bash(&action.join("scripts/release/checksums.sh"), &[dir.to_str().unwrap()]);
    assert!(out.status.success(), "checksums.sh: {}", log(&out));
    dir
}

/// Commits the release's SHA256SUMS into the action's copy, as RELEASING.md says.
fn commit_checksums(action: &Path, release: &Path) {
    std::fs::copy(
        release.join("SHA256SUMS"),
        action.join(format!("scripts/action/checksums/v{VERSION}.sha256")),
    )
    .expect("commit the checksums");
}

fn mirror_url(mirror: &Path) -> String {
    format!("file://{}", mirror.display())
}

/// Packs `binary` for `target` into `out_dir` with this checkout's package.sh.
fn package(target: &str, binary: &Path, out_dir: &Path) -> Output {
    let package = repo_root().join("scripts/release/package.sh");
    bash(&package, &[target, binary.to_str().unwrap(), out_dir.to_str().unwrap()])
}

/// The entries of a .tar.gz, sorted, folders without their trailing `/`.
fn tar_entries(archive: &Path) -> Vec<String> {
    let listing = Command::new("tar").arg("-tzf").arg(archive).output().expect("tar");
    let mut entries: Vec<String> = String::from_utf8_lossy(&listing.stdout)
        .lines()
        .map(|l| l.trim_end_matches('/').to_string())
        .collect();
    entries.sort();
    entries
}

#[test]
fn release_archive_holds_the_binary_readme_and_licences() {
    let temp = tempfile::tempdir().expect("tempdir");
    let binary = fake_binary(temp.path(), "cognitrust-packed");
    let out_dir = temp.path().join("dist");
    let out = package(RUNNER_TARGET, &binary, &out_dir);
    assert!(out.status.success(), "{}", log(&out));
    let archive = out_dir.join(format!("cognitrust-{RUNNER_TARGET}.tar.gz"));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), archive.to_str().unwrap(), "prints its path");

    let name = format!("cognitrust-{RUNNER_TARGET}");
    assert_eq!(
        tar_entries(&archive),
        ["", "/LICENSE-APACHE", "/LICENSE-MIT", "/README.md", "/cognitrust"].map(|f| format!("{name}{f}"))
    );
    let unpacked = temp.path().join("unpacked");
    std::fs::create_dir_all(&unpacked).expect("mkdir");
    let ok = Command::new("tar").arg("-xzf").arg(&archive).arg("-C").arg(&unpacked).status().expect("tar");
    assert!(ok.success());
    let run = Command::new(unpacked.join(&name).join("cognitrust")).output().expect("the packed binary runs");
    assert_eq!(String::from_utf8_lossy(&run.stdout), "cognitrust-packed\n");
    for doc in ["README.md", "LICENSE-APACHE", "LICENSE-MIT"] {
        assert_eq!(
            std::fs::read(unpacked.join(&name).join(doc)).expect("doc"),
            std::fs::read(repo_root().join(doc)).expect("doc"),
            "{doc}"
        );
    }

    // Packing the same binary again gives the same bytes (GNU tar: fixed owners and times).
    let first = sha256(&archive);
    let gnu =
        Command::new("tar").arg("--version").output().is_ok_and(|o| o.stdout.starts_with(b"tar (GNU tar)"));
    if !gnu {
        return common::missing("GNU tar", "put GNU tar first on PATH: only its archives are reproducible");
    }
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let out = package(RUNNER_TARGET, &binary, &out_dir);
    assert!(out.status.success(), "{}", log(&out));
    assert_eq!(sha256(&archive), first, "the archive is reproducible");
}

/// Windows targets are zip archives holding cognitrust.exe.
#[test]
fn release_windows_archive_is_a_zip_holding_cognitrust_exe() {
    if Command::new("unzip").arg("-v").output().is_err() {
        return common::missing("unzip", "apt-get install unzip");
    }
    let temp = tempfile::tempdir().expect("tempdir");
    let binary = fake_binary(temp.path(), "cognitrust-packed");
    let out_dir = temp.path().join("dist");
    let windows = "x86_64-pc-windows-msvc";
    let out = package(windows, &binary, &out_dir);
    if log(&out).contains("neither zip nor 7z") {
        return common::missing("zip", "apt-get install zip");
    }
    assert!(out.status.success(), "{}", log(&out));
    let listing = Command::new("unzip")
        .arg("-Z1")
        .arg(out_dir.join(format!("cognitrust-{windows}.zip")))
        .output()
        .expect("unzip");
    let listed = String::from_utf8_lossy(&listing.stdout);
    assert!(listed.lines().any(|l| l == format!("cognitrust-{windows}/cognitrust.exe")), "{listed}");
    assert!(listed.lines().any(|l| l == format!("cognitrust-{windows}/LICENSE-MIT")), "{listed}");
}

#[test]
fn release_checksums_list_every_asset_and_the_source() {
    let temp = tempfile::tempdir().expect("tempdir");
    let action = action_copy(temp.path());
    let binary = fake_binary(temp.path(), "cognitrust-summed");
    let dir =
        pack_release(&action, &temp.path().join("mirror"), &binary, &[RUNNER_TARGET, "x86_64-apple-darwin"]);
    write(&dir.join(format!("cognitrust-{VERSION}-py3-none-any.whl")), "a wheel\n");
    let out = bash(&action.join("scripts/release/checksums.sh"), &[dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", log(&out));

    let sums = std::fs::read_to_string(dir.join("SHA256SUMS")).expect("SHA256SUMS");
    let names: Vec<&str> = sums.lines().filter_map(|l| l.split_once("  ").map(|(_, n)| n)).collect();
    let wheel = format!("cognitrust-{VERSION}-py3-none-any.whl");
    assert_eq!(
        names,
        [
            "SOURCE-SHA256SUMS",
            &wheel,
            "cognitrust-x86_64-apple-darwin.tar.gz",
            "cognitrust-x86_64-unknown-linux-musl.tar.gz"
        ],
        "every asset, by name, and not SHA256SUMS itself"
    );
    for line in sums.lines() {
        let (hash, name) = line.split_once("  ").expect("sha256sum format");
        assert_eq!(hash, sha256(&dir.join(name)), "{name}");
    }
    // SOURCE-SHA256SUMS lists the source the binaries are built from, as sha256sum checks it.
    let source = std::fs::read_to_string(dir.join("SOURCE-SHA256SUMS")).expect("SOURCE-SHA256SUMS");
    let files: Vec<&str> = source.lines().filter_map(|l| l.split_once("  ").map(|(_, n)| n)).collect();
    assert_eq!(&files[..3], [".ci/rust-toolchain.toml", "Cargo.lock", "Cargo.toml"]);
    assert!(
        files.contains(&"src/bin/cognitrust/main.rs") && files.iter().skip(3).all(|f| f.starts_with("src/")),
        "{files:?}"
    );
    let check = Command::new("sha256sum")
        .args(["--check", "--strict", "--quiet"])
        .arg(dir.join("SOURCE-SHA256SUMS"))
        .current_dir(&action)
        .output()
        .expect("sha256sum");
    assert!(check.status.success(), "{}", log(&check));

    write(&dir.join("notes.txt"), "stray\n");
    let out = bash(&action.join("scripts/release/checksums.sh"), &[dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(log(&out).contains("notes.txt is not a release asset"), "{}", log(&out));
}

/// By default the action downloads the release of its own version and checks it against the
/// checksums committed in its own copy; an archive replaced in the release, with the release's
/// SHA256SUMS replaced to match, is refused.
#[test]
fn action_downloads_its_own_release_checked_against_the_committed_checksums() {
    let runner_dir = tempfile::tempdir().expect("tempdir");
    let mut runner = Runner::new(&[]);
    runner.action = action_copy(runner_dir.path());
    let mirror = runner.path("mirror");
    let binary = fake_binary(runner_dir.path(), "cognitrust-from-release");
    let release = pack_release(&runner.action, &mirror, &binary, &[RUNNER_TARGET]);
    commit_checksums(&runner.action, &release);
    let url = mirror_url(&mirror);

    let step = runner.step("resolve.sh", &[("INPUT_VERSION", ""), ("COGNITRUST_RELEASES_URL", &url)]);
    assert_eq!(step.status, Some(0), "{}", step.log);
    assert_eq!(step.outputs["need-build"], "false");
    let run = Command::new(&step.outputs["bin"]).output().expect("run the downloaded binary");
    assert_eq!(String::from_utf8_lossy(&run.stdout), "cognitrust-from-release\n");
    assert!(
        step.log.contains(&format!(
            "cognitrust v{VERSION} for {RUNNER_TARGET}, sha256 {}, as committed in scripts/action/checksums/v{VERSION}.sha256",
            sha256(&release.join(format!("cognitrust-{RUNNER_TARGET}.tar.gz")))
        )),
        "{}",
        step.log
    );

    // Whoever controls the release replaces the archive and its SHA256SUMS line alike.
    let asset = format!("cognitrust-{RUNNER_TARGET}.tar.gz");
    let good = sha256(&release.join(&asset));
    let evil = fake_binary(runner_dir.path(), "pwned");
    let evil_dir = pack_release(&runner.action, &runner.path("evil"), &evil, &[RUNNER_TARGET]);
    std::fs::copy(evil_dir.join(&asset), release.join(&asset)).expect("replace the archive");
    std::fs::copy(evil_dir.join("SHA256SUMS"), release.join("SHA256SUMS")).expect("replace SHA256SUMS");
    let step = runner.step("resolve.sh", &[("INPUT_VERSION", ""), ("COGNITRUST_RELEASES_URL", &url)]);
    assert_eq!(step.status, Some(1), "{}", step.log);
    assert!(
        step.log.contains(&format!(
            "::error title=cognitrust::refusing {asset} of v{VERSION}: its sha256 is {}, but the checksum committed in scripts/action/checksums/v{VERSION}.sha256 is {}",
            sha256(&evil_dir.join(&asset)),
            good,
        )),
        "{}",
        step.log
    );
    assert!(!step.outputs.contains_key("bin") && !step.outputs.contains_key("need-build"));
}

/// A commit of the action that is not a release has no committed checksums for its version: the
/// default fails and says what to set; `version: source` builds; another version not committed
/// here is refused with the versions that are.
#[test]
fn action_without_committed_checksums_fails_unless_asked_to_build() {
    let runner_dir = tempfile::tempdir().expect("tempdir");
    let mut runner = Runner::new(&[]);
    runner.action = action_copy(runner_dir.path());
    let url = mirror_url(&runner.path("mirror"));

    let step = runner.step("resolve.sh", &[("INPUT_VERSION", ""), ("COGNITRUST_RELEASES_URL", &url)]);
    assert_eq!(step.status, Some(1), "{}", step.log);
    assert!(
        step.log.contains(&format!(
            "::error title=cognitrust::this commit of the action is not a release: no checksums of cognitrust v{VERSION}"
        )),
        "{}",
        step.log
    );
    assert!(
        step.log.contains("set the input `version: source` to build the action's source"),
        "{}",
        step.log
    );
    assert!(step.outputs.is_empty(), "{:?}", step.outputs);

    let step = runner.step("resolve.sh", &[("INPUT_VERSION", " source\n")]);
    assert_eq!(step.status, Some(0), "{}", step.log);
    assert_eq!(step.outputs["need-build"], "true");
    let key = &step.outputs["key"];
    assert!(
        key.starts_with("cognitrust-Linux-X64-") && key.len() == "cognitrust-Linux-X64-".len() + 64,
        "{key}"
    );
    // The cache key is the hash of the source listing: another source, another key.
    write(&runner.action.join("src/extra.rs"), "// changed\n");
    let changed = runner.step("resolve.sh", &[("INPUT_VERSION", "source")]);
    assert_ne!(&changed.outputs["key"], key);

    write(&runner.action.join("scripts/action/checksums/v0.0.1.sha256"), "");
    write(&runner.action.join("scripts/action/checksums/v0.0.2.sha256"), "");
    let step = runner.step("resolve.sh", &[("INPUT_VERSION", "v9.9.9"), ("COGNITRUST_RELEASES_URL", &url)]);
    assert_eq!(step.status, Some(1), "{}", step.log);
    assert!(
        step.log.contains("no checksums of release v9.9.9 are committed in this commit of the action (scripts/action/checksums/ has: v0.0.1, v0.0.2)"),
        "{}",
        step.log
    );
    let step = runner.step("resolve.sh", &[("INPUT_VERSION", "latest")]);
    assert_eq!(step.status, Some(1));
    assert!(step.log.contains("version must be empty (the action's own release), a release such as 0.2.0, or source; not 'latest'"), "{}", step.log);
}

/// A commit after a release that kept its version (Cargo.toml not bumped yet) is not that
/// release's source: by default its binary is refused, as the action's scripts may need newer
/// code; naming the version explicitly takes it anyway.
#[test]
fn action_refuses_its_version_s_release_when_its_source_changed() {
    let runner_dir = tempfile::tempdir().expect("tempdir");
    let mut runner = Runner::new(&[]);
    runner.action = action_copy(runner_dir.path());
    let mirror = runner.path("mirror");
    let binary = fake_binary(runner_dir.path(), "cognitrust-released");
    let release = pack_release(&runner.action, &mirror, &binary, &[RUNNER_TARGET]);
    commit_checksums(&runner.action, &release);
    let url = mirror_url(&mirror);

    // A Windows checkout's CRLF line endings are the same source.
    let main_rs = runner.action.join("src/bin/cognitrust/main.rs");
    let text = std::fs::read_to_string(&main_rs).expect("main.rs");
    std::fs::write(&main_rs, text.replace('\n', "\r\n")).expect("write");
    let step = runner.step("resolve.sh", &[("INPUT_VERSION", ""), ("COGNITRUST_RELEASES_URL", &url)]);
    assert_eq!(step.status, Some(0), "{}", step.log);

    std::fs::write(&main_rs, format!("{text}// a change after the release\n")).expect("write");
    let step = runner.step("resolve.sh", &[("INPUT_VERSION", ""), ("COGNITRUST_RELEASES_URL", &url)]);
    assert_eq!(step.status, Some(1), "{}", step.log);
    assert!(
        step.log.contains(&format!(
            "this commit of the action has the version of v{VERSION} (Cargo.toml) but not its source"
        )),
        "{}",
        step.log
    );
    assert!(step.log.contains("`version: source`"), "{}", step.log);

    let step = runner.step("resolve.sh", &[("INPUT_VERSION", VERSION), ("COGNITRUST_RELEASES_URL", &url)]);
    assert_eq!(step.status, Some(0), "an explicit version is taken as asked: {}", step.log);
    let run = Command::new(&step.outputs["bin"]).output().expect("run");
    assert_eq!(String::from_utf8_lossy(&run.stdout), "cognitrust-released\n");

    // A runner with no release archive says so, and how to build instead.
    let step = runner.step(
        "resolve.sh",
        &[
            ("INPUT_VERSION", VERSION),
            ("COGNITRUST_RELEASES_URL", &url),
            ("RUNNER_OS", "Windows"),
            ("RUNNER_ARCH", "ARM64"),
        ],
    );
    assert_eq!(step.status, Some(1));
    assert!(
        step.log.contains(
            "cognitrust releases have no binary for Windows/ARM64: set the input `version: source`"
        ),
        "{}",
        step.log
    );
}

/// The publish gate: the draft's assets are exactly the committed ones, built from this source.
#[test]
fn release_verify_accepts_only_the_committed_assets_of_this_source() {
    let temp = tempfile::tempdir().expect("tempdir");
    let action = action_copy(temp.path());
    let binary = fake_binary(temp.path(), "cognitrust-verified");
    let release = pack_release(&action, &temp.path().join("mirror"), &binary, &ALL_TARGETS);
    let verify = action.join("scripts/release/verify.sh");
    let dir = release.to_str().unwrap();

    let out = bash(&verify, &[&format!("v{VERSION}"), dir]);
    assert_eq!(out.status.code(), Some(1), "nothing committed yet: {}", log(&out));
    assert!(log(&out).contains(&format!("scripts/action/checksums/v{VERSION}.sha256 is not committed")));

    commit_checksums(&action, &release);
    let out = bash(&verify, &[&format!("v{VERSION}"), dir]);
    assert!(out.status.success(), "{}", log(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!(
            "release v{VERSION}: 6 assets match scripts/action/checksums/v{VERSION}.sha256 and this source"
        )
    );

    let out = bash(&verify, &["0.0.0-other", dir]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        log(&out).contains(&format!("asked for 0.0.0-other, but Cargo.toml says {VERSION}")),
        "{}",
        log(&out)
    );

    // An asset nobody committed.
    write(&release.join("cognitrust-extra.zip"), "extra\n");
    let out = bash(&verify, &[VERSION, dir]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        log(&out).contains("cognitrust-extra.zip is in the release but has no committed checksum"),
        "{}",
        log(&out)
    );
    std::fs::remove_file(release.join("cognitrust-extra.zip")).expect("rm");

    // An asset replaced, with the release's SHA256SUMS left alone.
    let asset = release.join("cognitrust-aarch64-apple-darwin.tar.gz");
    let original = std::fs::read(&asset).expect("read");
    std::fs::write(&asset, b"replaced").expect("write");
    let out = bash(&verify, &[VERSION, dir]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        log(&out).contains("cognitrust-aarch64-apple-darwin.tar.gz does not match its committed checksum"),
        "{}",
        log(&out)
    );
    std::fs::write(&asset, original).expect("restore");

    // The tag's source is not the source the binaries were built from.
    write(&action.join("src/later.rs"), "// after the build\n");
    let out = bash(&verify, &[VERSION, dir]);
    assert_eq!(out.status.code(), Some(1));
    assert!(log(&out).contains("the binaries were not built from this checkout's source"), "{}", log(&out));
}
