#![no_main]
//! The Terraform plan front end on arbitrary JSON (seeded with real plans): no panic.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let report = cognitrust::scan_texts(&[("plan.json", text)]);
        let _ = cognitrust::report::json::render(&report);
    }
});
