#![no_main]
//! A CDK cloud assembly from arbitrary bytes: the input is split at `0xFF` bytes (never part of
//! UTF-8 text) into `manifest.json`, a stack template, its asset manifest, its metadata file
//! and a nested template, written to a folder of this process, and that folder is scanned as
//! the CLI scans it, so that the manifest's paths, artifacts, nested-stack aliases, metadata
//! and stack traces are all reachable. Every scan must finish without a panic and without
//! reading outside the folder, and its reports must render.

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

const FILES: [&str; 5] = [
    "manifest.json",
    "Stack.template.json",
    "Stack.assets.json",
    "Stack.metadata.json",
    "StackNested0123ABCD.nested.template.json",
];

/// `cdk.out` in a folder of its own for this process, reused by every input.
fn assembly() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("cognitrust-fuzz-cdk-{}", std::process::id()));
        let out = dir.join("cdk.out");
        std::fs::create_dir_all(&out).expect("a folder for the assembly");
        out
    })
}

fuzz_target!(|data: &[u8]| {
    let out = assembly();
    for (name, bytes) in FILES.iter().zip(data.split(|&b| b == 0xff).chain(std::iter::repeat(&[][..]))) {
        let _ = std::fs::write(out.join(name), bytes);
    }
    let mut opts = cognitrust::Options::new(vec![out.clone()]);
    opts.cwd = out.parent().map(PathBuf::from).unwrap_or_default();
    opts.jobs = 1;
    let report = cognitrust::scan(&opts);
    for file in &report.files {
        assert!(!file.display.starts_with('/') && !file.display.starts_with(".."), "read outside: {}", file.display);
    }
    let _ = cognitrust::report::json::render(&report);
    let _ = cognitrust::report::human::render(&report, false);
});
