//! A build without the `guard` feature (`cargo test --no-default-features`) refuses
//! `--guard-rules` with a clear error rather than skipping the rules in silence.
#![cfg(not(feature = "guard"))]

mod common;

use common::{WARNING, project, run};

#[test]
fn guard_rules_need_the_guard_feature() {
    let dir = project(&[("app.yaml", WARNING), ("rules.guard", "rule a { Resources exists }\n")]);
    let out = run(dir.path(), &["scan", "--guard-rules", "rules.guard", "app.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("built without Guard support"), "{stderr}");
}
