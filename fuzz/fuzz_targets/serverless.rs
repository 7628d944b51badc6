#![no_main]
//! A Serverless Framework service from arbitrary bytes: the input is split at `0xFF` bytes
//! (never part of UTF-8 text) into `serverless.yml` and three files it may include
//! (`resources/a.yml`, `resources/b.yml`, `config.json`), written to a folder of this process,
//! and that folder is scanned as the CLI scans it. Every scan must finish without a panic and
//! without reading outside the folder, and its reports must render.

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

const FILES: [&str; 4] = ["serverless.yml", "resources/a.yml", "resources/b.yml", "config.json"];

/// The service's folder, of this process, reused by every input.
fn service() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("cognitrust-fuzz-serverless-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("resources")).expect("a folder for the service");
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let dir = service();
    for (name, bytes) in FILES.iter().zip(data.split(|&b| b == 0xff).chain(std::iter::repeat(&[][..]))) {
        let _ = std::fs::write(dir.join(name), bytes);
    }
    let mut opts = cognitrust::Options::new(vec![dir.clone()]);
    opts.cwd = dir.clone();
    opts.jobs = 1;
    let report = cognitrust::scan(&opts);
    for file in &report.files {
        assert!(!file.display.starts_with('/') && !file.display.starts_with(".."), "read outside: {}", file.display);
    }
    let _ = cognitrust::report::json::render(&report);
    let _ = cognitrust::report::human::render(&report, false);
});
