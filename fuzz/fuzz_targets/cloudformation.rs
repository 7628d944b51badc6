#![no_main]
//! The whole pipeline (front end, linker, rules, every renderer) on one arbitrary template, in
//! YAML and in JSON: no panic.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        for name in ["template.yaml", "template.json"] {
            let report = cognitrust::scan_texts(&[(name, text)]);
            let _ = cognitrust::report::json::render(&report);
            let _ = cognitrust::report::human::render(&report, false);
            let _ = cognitrust::report::sarif::render(&report);
        }
    }
});
