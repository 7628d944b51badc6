#![no_main]
//! A Terraform module tree from arbitrary bytes: the input is split at `0xFF` bytes (never
//! part of UTF-8 text) into up to four files, `main.tf`, `modules/a/main.tf`,
//! `modules/b/main.tf` and `modules/a/c/main.tf`, so module calls between them
//! (`source = "./modules/a"`, `"../b"`, `"./c"`, `"./"`), their cycles and fan-out, and
//! locals, variables and outputs that refer to each other across them are all reachable.
//! Every scan must finish without a panic, within libFuzzer's time and memory limits, and
//! its JSON report must render.

use libfuzzer_sys::fuzz_target;

const PATHS: [&str; 4] = ["main.tf", "modules/a/main.tf", "modules/b/main.tf", "modules/a/c/main.tf"];

fuzz_target!(|data: &[u8]| {
    let files: Vec<(&str, &str)> = PATHS
        .iter()
        .zip(data.split(|&b| b == 0xff))
        .filter_map(|(path, bytes)| Some((*path, std::str::from_utf8(bytes).ok()?)))
        .collect();
    let report = cognitrust::scan_texts(&files);
    let _ = cognitrust::report::json::render(&report);
});
