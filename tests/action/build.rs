//! `version: source`: build.sh compiles the action's own source with the toolchain the action pins,
//! whatever the scanned repository or the workflow asks for, and says what to do without cargo.

use std::path::{Path, PathBuf};

use super::{Runner, read, repo_root, write_script};

/// A fake `cargo` and `rustup` in the runner's `fake-bin/` that append how they were run to
/// `record.txt` (`RECORD`); the fake `cargo install --root R` puts a binary in `R/bin` that prints
/// `cognitrust 0.0.0-fake`. Returns a PATH that finds them first, and the record's path.
fn fake_rust(runner: &Runner) -> (String, PathBuf) {
    let bin = runner.path("fake-bin");
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
    (format!("{}:/usr/bin:/bin", bin.display()), runner.path("record.txt"))
}

/// The channel the checkout's `.ci/rust-toolchain.toml` pins.
fn pinned_channel() -> String {
    read(".ci/rust-toolchain.toml")
        .lines()
        .find_map(|l| l.strip_prefix("channel = \"").and_then(|c| c.strip_suffix('"')).map(str::to_string))
        .expect("the checkout's .ci/rust-toolchain.toml names a channel")
}

/// The workspace and the workflow both ask for another toolchain, which must not be the one used.
#[test]
fn action_build_uses_the_action_s_toolchain_in_the_action_s_folder() {
    let runner = Runner::new(&[("rust-toolchain.toml", "[toolchain]\nchannel = \"nightly-2020-01-01\"\n")]);
    let (path, record) = fake_rust(&runner);
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

    let channel = pinned_channel();
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
}

/// No cargo on PATH (only bash, which runs the step): the step says what to do.
#[test]
fn action_build_without_cargo_says_to_install_rust() {
    let runner = Runner::new(&[]);
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
