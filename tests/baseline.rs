//! `scan --write-baseline` and `--baseline` as a team adopting cognitrust uses them: record
//! today's findings, fail only on new ones, see which entries were fixed, keep matching when
//! lines move, and the config's `baseline`.

mod common;

use std::path::Path;
use std::process::Output;

use common::{WARNING, json, project, run};
use serde_json::{Value, json};

/// [`WARNING`] with the guest role's `aud` condition taken out: a CT106 error on the guest role
/// and the CT110 warning on the authenticated role.
fn broken() -> String {
    WARNING.replace(
        "              StringEquals: {\"cognito-identity.amazonaws.com:aud\": !Ref Pool}\n              \"ForAnyValue",
        "              \"ForAnyValue",
    )
}

/// A role that trusts Cognito without any condition: CT105.
const NEW_ROLE: &str = "Resources:\n  NewRole:\n    Type: AWS::IAM::Role\n    Properties:\n      \
                        AssumeRolePolicyDocument:\n        Statement:\n          - Effect: Allow\n            \
                        Principal: {Federated: cognito-identity.amazonaws.com}\n            \
                        Action: sts:AssumeRoleWithWebIdentity\n";

const BASELINE: &str = "cognitrust-baseline.json";

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn rules(report: &Value) -> Vec<&str> {
    report["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap()).collect()
}

/// A project with [`broken`] whose findings are recorded in [`BASELINE`].
fn baselined() -> tempfile::TempDir {
    let dir = project(&[("infra/auth.yaml", &broken())]);
    let out = run(dir.path(), &["scan", "--write-baseline", BASELINE]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stderr(&out), format!("wrote 2 findings to the baseline {BASELINE}\n"));
    assert!(out.stdout.is_empty(), "no report is printed");
    dir
}

fn scan_json(dir: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["scan", "--format", "json", "--baseline", BASELINE];
    args.extend_from_slice(extra);
    run(dir, &args)
}

#[test]
fn a_baseline_is_sorted_reviewable_json() {
    let dir = baselined();
    let text = std::fs::read_to_string(dir.path().join(BASELINE)).unwrap();
    let file: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(file["version"], 1);
    assert_eq!(file["tool"]["name"], "cognitrust");
    assert_eq!(file["fingerprints"], "cognitrustFindingHash/v1");
    let entries = file["findings"].as_array().unwrap();
    let shown: Vec<(&str, &str, &str)> = entries
        .iter()
        .map(|e| (e["file"].as_str().unwrap(), e["rule"].as_str().unwrap(), e["resource"].as_str().unwrap()))
        .collect();
    assert_eq!(shown, [("infra/auth.yaml", "CT106", "GuestRole"), ("infra/auth.yaml", "CT110", "AuthRole")]);
    assert!(entries.iter().all(|e| e["fingerprint"].as_str().is_some_and(|f| f.len() == 32)));
    assert!(text.ends_with("}\n"));
    // The fingerprints are SARIF's.
    let sarif = json(&run(dir.path(), &["scan", "--format", "sarif"]));
    for r in sarif["runs"][0]["results"].as_array().unwrap() {
        let print = &r["partialFingerprints"]["cognitrustFindingHash/v1"];
        assert!(entries.iter().any(|e| &e["fingerprint"] == print), "{print} not in the baseline");
    }
}

#[test]
fn a_baselined_scan_reports_nothing_and_passes() {
    let dir = baselined();
    let out = scan_json(dir.path(), &["--show-suppressed"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stderr(&out), "");
    let report = json(&out);
    assert!(rules(&report).is_empty());
    assert_eq!(report["summary"]["findings"], 0);
    assert_eq!(report["summary"]["suppressed"], 2);
    assert_eq!(
        report["summary"]["baseline"],
        json!({"file": BASELINE, "entries": 2, "matched": 2, "stale": 0})
    );
    let hidden = report["suppressed"].as_array().unwrap();
    assert_eq!(hidden.len(), 2);
    for s in hidden {
        assert_eq!(
            s["suppression"],
            json!({"kind": "baseline", "reason": format!("in the baseline {BASELINE}")})
        );
    }
    let human = run(dir.path(), &["scan", "--baseline", BASELINE]);
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(
        text.contains(&format!("baseline: {BASELINE} hides 2 findings; 0 entries no longer match\n")),
        "{text}"
    );
}

#[test]
fn only_a_new_broken_role_is_reported() {
    let dir = baselined();
    std::fs::write(dir.path().join("infra/new.yaml"), NEW_ROLE).unwrap();
    let out = scan_json(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(1));
    let report = json(&out);
    let places: Vec<(&str, &str)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["location"]["file"].as_str().unwrap(), f["resource"].as_str().unwrap()))
        .collect();
    assert!(!places.is_empty() && places.iter().all(|p| *p == ("infra/new.yaml", "NewRole")), "{places:?}");
    assert_eq!(report["summary"]["baseline"]["matched"], 2);
    assert_eq!(report["summary"]["baseline"]["stale"], 0);
    // In SARIF the new results are `new`; with --show-suppressed the others are there too, as
    // suppressed by the baseline.
    let sarif =
        json(&run(dir.path(), &["scan", "--format", "sarif", "--baseline", BASELINE, "--show-suppressed"]));
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let states: Vec<&str> = results.iter().map(|r| r["baselineState"].as_str().unwrap()).collect();
    assert_eq!(states.iter().filter(|s| **s == "unchanged").count(), 2, "{states:?}");
    assert!(states.iter().all(|s| *s == "new" || *s == "unchanged"));
    for r in results.iter().filter(|r| r["baselineState"] == "unchanged") {
        assert_eq!(
            r["suppressions"],
            json!([{"kind": "external", "justification": format!("in the baseline {BASELINE}")}])
        );
    }
    let plain = json(&run(dir.path(), &["scan", "--format", "sarif", "--baseline", BASELINE]));
    assert_eq!(plain["runs"][0]["results"].as_array().unwrap().len(), states.len() - 2);
}

#[test]
fn a_fixed_finding_leaves_a_stale_entry_that_is_counted_and_said() {
    let dir = baselined();
    let fixed = broken().replace(
        "              \"ForAnyValue:StringLike\": {\"cognito-identity.amazonaws.com:amr\": unauthenticated}",
        "              StringEquals: {\"cognito-identity.amazonaws.com:aud\": !Ref Pool}\n              \
         \"ForAnyValue:StringLike\": {\"cognito-identity.amazonaws.com:amr\": unauthenticated}",
    );
    std::fs::write(dir.path().join("infra/auth.yaml"), fixed).unwrap();
    let out = scan_json(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        format!("1 baseline entry no longer matches; `--write-baseline {BASELINE}` rewrites it\n")
    );
    let report = json(&out);
    assert_eq!(
        report["summary"]["baseline"],
        json!({"file": BASELINE, "entries": 2, "matched": 1, "stale": 1})
    );
    // Rewriting it drops the entry.
    run(dir.path(), &["scan", "--write-baseline", BASELINE]);
    let out = scan_json(dir.path(), &[]);
    assert_eq!(json(&out)["summary"]["baseline"]["stale"], 0);
    assert_eq!(stderr(&out), "");
}

#[test]
fn findings_still_match_when_lines_move_above_them() {
    let dir = baselined();
    let moved = broken().replacen("Resources:\n", "# a comment\n\n\nResources:\n", 1);
    std::fs::write(dir.path().join("infra/auth.yaml"), moved).unwrap();
    let out = scan_json(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(json(&out)["summary"]["baseline"]["matched"], 2);
}

#[test]
fn the_config_names_a_baseline_relative_to_its_folder_and_the_flags_win() {
    let dir =
        project(&[("infra/auth.yaml", &broken()), ("cognitrust.toml", "baseline = \"ci/known.json\"\n")]);
    std::fs::create_dir(dir.path().join("ci")).unwrap();
    let out = run(dir.path(), &["scan", "--write-baseline", "ci/known.json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = run(dir.path(), &["scan", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "the config's baseline is used: {}", stderr(&out));
    assert_eq!(json(&out)["summary"]["baseline"]["file"], "ci/known.json");
    let out = run(dir.path(), &["scan", "--format", "json", "--no-baseline"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(json(&out)["summary"].get("baseline").is_none());
    // --baseline wins over the config's: an empty baseline hides nothing.
    std::fs::write(dir.path().join("empty.json"), "{\"version\": 1, \"findings\": []}").unwrap();
    let out = run(dir.path(), &["scan", "--format", "json", "--baseline", "empty.json"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json(&out)["summary"]["baseline"]["file"], "empty.json");
}

#[test]
fn the_configs_baseline_is_read_only_inside_the_config_files_folder() {
    // A real baseline of the project's findings, kept outside the project.
    let outside = tempfile::tempdir().unwrap();
    let kept = outside.path().join("known.json");
    let dir = project(&[("infra/auth.yaml", &broken())]);
    let out = run(dir.path(), &["scan", "--write-baseline", kept.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let refused = "the config's `baseline` must name a file inside the config file's folder; not read";
    let escapes = [
        kept.to_str().unwrap().to_string(),
        format!("../{}/known.json", outside.path().file_name().unwrap().to_str().unwrap()),
        // Nothing is said of whether a file outside exists.
        "/nonexistent/known.json".to_string(),
    ];
    for named in escapes {
        std::fs::write(dir.path().join("cognitrust.toml"), format!("baseline = {named:?}\n")).unwrap();
        let out = run(dir.path(), &["scan", "--format", "json"]);
        assert_eq!(out.status.code(), Some(2), "{named}: {}", stderr(&out));
        assert!(stderr(&out).contains(refused), "{named}: {}", stderr(&out));
        assert!(out.stdout.is_empty(), "{named}: no report hides findings with it");
    }
    // A link inside the folder that leads out, whether or not its target exists.
    #[cfg(unix)]
    for target in [kept.clone(), outside.path().join("missing.json")] {
        let _ = std::fs::remove_file(dir.path().join("link.json"));
        std::os::unix::fs::symlink(&target, dir.path().join("link.json")).unwrap();
        std::fs::write(dir.path().join("cognitrust.toml"), "baseline = \"link.json\"\n").unwrap();
        let out = run(dir.path(), &["scan", "--format", "json"]);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(stderr(&out).contains(refused), "{}", stderr(&out));
    }
    // The user's own --baseline may name it; a missing baseline inside is the usual error.
    let _ = std::fs::remove_file(dir.path().join("link.json"));
    let out = run(dir.path(), &["scan", "--format", "json", "--baseline", kept.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    std::fs::write(dir.path().join("cognitrust.toml"), "baseline = \"ci/known.json\"\n").unwrap();
    let out = run(dir.path(), &["scan"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("ci/known.json: cannot read the baseline: "), "{}", stderr(&out));
}

#[test]
fn a_baseline_that_cannot_be_read_or_parsed_is_an_error_naming_it() {
    let dir = project(&[("infra/auth.yaml", &broken()), ("bad.json", "{\"version\": 1")]);
    let out = run(dir.path(), &["scan", "--baseline", "missing.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).starts_with("error: missing.json: cannot read the baseline: "), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    let out = run(dir.path(), &["scan", "--baseline", "bad.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).starts_with("error: bad.json: not a cognitrust baseline: "), "{}", stderr(&out));
    let out = run(dir.path(), &["scan", "--baseline", "bad.json", "--write-baseline", "x.json"]);
    assert_eq!(out.status.code(), Some(2), "the two flags conflict");
}

#[test]
fn writing_a_baseline_with_an_input_that_could_not_be_analysed_exits_2_and_says_so() {
    let broken_yaml = "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  Pool:\n    Type: [unclosed\n";
    let dir = project(&[("infra/auth.yaml", &broken()), ("broken.yaml", broken_yaml)]);
    let out = run(dir.path(), &["scan", "--write-baseline", BASELINE]);
    assert_eq!(out.status.code(), Some(2));
    let said = stderr(&out);
    assert!(
        said.starts_with(&format!("wrote 2 findings to the baseline {BASELINE}\nerror: broken.yaml: ")),
        "{said}"
    );
    assert!(said.ends_with("  hint: what these inputs hide was not checked, so it is not in the baseline: fix them and write it again\n"), "{said}");
    assert!(dir.path().join(BASELINE).is_file());
}

#[test]
fn json_without_a_baseline_has_no_baseline_fields() {
    let dir = project(&[("infra/auth.yaml", &broken())]);
    let report = json(&run(dir.path(), &["scan", "--format", "json"]));
    assert!(report["summary"].get("baseline").is_none(), "{:#}", report["summary"]);
    let sarif = json(&run(dir.path(), &["scan", "--format", "sarif"]));
    assert!(sarif["runs"][0]["results"].as_array().unwrap().iter().all(|r| r.get("baselineState").is_none()));
}

/// What a reviewer reads in the baseline is what it accepts: an entry that carries a finding's
/// fingerprint under another rule, file or resource hides nothing, and counts as no longer
/// matching.
#[test]
fn an_entry_matches_only_with_its_rule_file_and_resource() {
    let dir = baselined();
    let path = dir.path().join(BASELINE);
    let mut file: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    // The CT106 error's fingerprint, dressed as a note about an example file.
    let entry = &mut file["findings"][0];
    assert_eq!(entry["rule"], "CT106");
    entry["rule"] = json!("CT202");
    entry["file"] = json!("docs/example.yaml");
    std::fs::write(&path, serde_json::to_string_pretty(&file).unwrap()).unwrap();
    let out = scan_json(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = json(&out);
    assert_eq!(rules(&report), ["CT106"]);
    // The renamed entry names a file of the scanned folder that is gone: it no longer matches.
    assert_eq!(
        report["summary"]["baseline"],
        json!({"file": BASELINE, "entries": 2, "matched": 1, "stale": 1})
    );

    // The same fingerprint under the right file but another resource is stale.
    file["findings"][0]["rule"] = json!("CT106");
    file["findings"][0]["file"] = json!("infra/auth.yaml");
    file["findings"][0]["resource"] = json!("AuthRole");
    std::fs::write(&path, serde_json::to_string_pretty(&file).unwrap()).unwrap();
    let report = json(&scan_json(dir.path(), &[]));
    assert_eq!(rules(&report), ["CT106"]);
    assert_eq!(report["summary"]["baseline"]["stale"], 1);
}

#[test]
fn quiet_keeps_only_the_errors_of_a_baseline_write() {
    let dir = project(&[("infra/auth.yaml", &broken())]);
    let out = run(dir.path(), &["scan", "-q", "--write-baseline", BASELINE]);
    assert_eq!((out.status.code(), stderr(&out).as_str()), (Some(0), ""));
    std::fs::write(dir.path().join("infra/bad.yaml"), "Resources: [unclosed\n").unwrap();
    let out = run(dir.path(), &["scan", "-q", "--write-baseline", BASELINE]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).starts_with("error: infra/bad.yaml: "), "{}", stderr(&out));
}
