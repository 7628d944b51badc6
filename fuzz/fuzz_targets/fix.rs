#![no_main]
//! `scan --fix` on arbitrary text: the first byte picks the file's kind (CloudFormation YAML,
//! JSON, Terraform, Serverless), the rest is its text, written to a folder of this process and
//! fixed as the CLI fixes it. Every run must finish without a panic; a file it writes must
//! still read with no new input error, and fixing it again must change nothing.

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

const NAMES: [&str; 4] = ["template.yaml", "template.json", "main.tf", "serverless.yml"];

fn folder() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("cognitrust-fuzz-fix-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a folder for the input");
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&kind, text)) = data.split_first() else { return };
    let dir = folder();
    for name in NAMES {
        let _ = std::fs::remove_file(dir.join(name));
    }
    let path = dir.join(NAMES[usize::from(kind) % NAMES.len()]);
    if std::fs::write(&path, text).is_err() {
        return;
    }
    let mut opts = cognitrust::Options::new(vec![dir.clone()]);
    opts.cwd = dir.clone();
    opts.jobs = 1;
    let before = cognitrust::scan(&opts);
    let (after, run) = cognitrust::scan_and_fix(&opts);
    let _ = cognitrust::report::human::render(&after, false);
    if run.fixed == 0 {
        return;
    }
    // What a fix wrote reads as well as what was there.
    assert!(
        after.errors.len() <= before.errors.len(),
        "new errors after --fix: {:?}\nbefore: {:?}",
        after.errors,
        before.errors
    );
    let written = std::fs::read(&path).unwrap_or_default();
    let (_, again) = cognitrust::scan_and_fix(&opts);
    assert_eq!(again.fixed, 0, "a second --fix fixed more");
    assert_eq!(std::fs::read(&path).unwrap_or_default(), written, "a second --fix changed the file");
});
