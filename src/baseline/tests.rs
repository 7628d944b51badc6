use super::*;

/// A role whose two statements are identical and both lack a condition: two CT105 findings with
/// the same rule, file, resource and span text, told apart only by their occurrence.
const TWO: &str = "Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      \
                   AssumeRolePolicyDocument:\n        Statement:\n          - Effect: Allow\n            \
                   Principal: {Federated: cognito-identity.amazonaws.com}\n            \
                   Action: sts:AssumeRoleWithWebIdentity\n          - Effect: Allow\n            \
                   Principal: {Federated: cognito-identity.amazonaws.com}\n            \
                   Action: sts:AssumeRoleWithWebIdentity\n";

fn opts() -> Options {
    Options { cwd: PathBuf::new(), ..Options::new(Vec::new()) }
}

fn baseline_of(report: &Report) -> Baseline {
    Baseline::parse(&render(report), "cognitrust-baseline.json".into()).expect("a baseline parses")
}

/// [`TWO`] with its second statement taken out.
fn one() -> String {
    let second = TWO.rfind("          - Effect").unwrap();
    TWO[..second].to_string()
}

#[test]
fn a_written_baseline_reads_back_sorted_with_its_fingerprints() {
    let report = crate::scan_texts(&[("b.yaml", TWO), ("a.yaml", TWO)]);
    assert_eq!(report.findings.len(), 4);
    let text = render(&report);
    assert!(text.starts_with("{\n  \"version\": 1,\n  \"tool\": {\n    \"name\": \"cognitrust\""), "{text}");
    assert!(text.contains(&format!("\"fingerprints\": \"{}\"", fingerprint::KIND)));
    let read = baseline_of(&report);
    let files: Vec<&str> = read.entries.iter().map(|e| e.file.as_str()).collect();
    assert_eq!(files, ["a.yaml", "a.yaml", "b.yaml", "b.yaml"]);
    let mut prints: Vec<&str> = report.findings.iter().map(|f| f.fingerprint.as_str()).collect();
    prints.sort_unstable();
    let mut read_prints: Vec<&str> = read.entries.iter().map(|e| e.fingerprint.as_str()).collect();
    read_prints.sort_unstable();
    assert_eq!(prints, read_prints);
    assert!(read.entries.iter().all(|e| e.rule == "CT105" && e.resource == "Role"));
}

#[test]
fn a_baselined_scan_hides_every_finding_and_counts_nothing_stale() {
    let mut report = crate::scan_texts(&[("a.yaml", TWO)]);
    let baseline = baseline_of(&report);
    apply(&mut report, &baseline, &opts());
    assert!(report.findings.is_empty());
    assert_eq!(report.suppressed.len(), 2);
    assert!(report.suppressed.iter().all(
        |s| s.kind == crate::suppress::BASELINE && s.reason == "in the baseline cognitrust-baseline.json"
    ));
    let counts = report.summary.baseline.clone().unwrap();
    assert_eq!(
        counts,
        BaselineCounts { file: "cognitrust-baseline.json".into(), entries: 2, matched: 2, stale: 0 }
    );
    assert_eq!((report.summary.findings, report.summary.suppressed), (0, 2));
    assert_eq!(stale_note(&report), None);
}

#[test]
fn fixing_one_of_two_identical_findings_leaves_one_stale_entry_and_nothing_new() {
    let baseline = baseline_of(&crate::scan_texts(&[("a.yaml", TWO)]));
    let mut report = crate::scan_texts(&[("a.yaml", &one())]);
    assert_eq!(report.findings.len(), 1);
    apply(&mut report, &baseline, &opts());
    assert!(
        report.findings.is_empty(),
        "the finding left takes the first occurrence, which the baseline holds"
    );
    assert_eq!(report.summary.baseline.as_ref().map(|c| (c.matched, c.stale)), Some((1, 1)));
    assert_eq!(
        stale_note(&report).as_deref(),
        Some("1 baseline entry no longer matches; `--write-baseline cognitrust-baseline.json` rewrites it")
    );
}

#[test]
fn a_third_identical_finding_is_new() {
    let baseline = baseline_of(&crate::scan_texts(&[("a.yaml", TWO)]));
    let extra = TWO.rfind("          - Effect").unwrap();
    let three = format!("{TWO}{}", &TWO[extra..]);
    let mut report = crate::scan_texts(&[("a.yaml", &three)]);
    apply(&mut report, &baseline, &opts());
    assert_eq!(report.findings.len(), 1, "{:?}", report.findings);
    assert_eq!(report.summary.baseline.as_ref().map(|c| (c.matched, c.stale)), Some((2, 0)));
}

#[test]
fn entries_of_files_and_rules_the_scan_did_not_cover_are_not_stale() {
    let baseline = baseline_of(&crate::scan_texts(&[("a.yaml", TWO), ("b.yaml", TWO)]));
    // b.yaml was not scanned and does not exist under a scanned path: its entries are unknown.
    let mut report = crate::scan_texts(&[("a.yaml", TWO)]);
    apply(&mut report, &baseline, &opts());
    assert_eq!(report.summary.baseline.as_ref().map(|c| (c.matched, c.stale)), Some((2, 0)));
    // CT105 did not run: its entries are not said to no longer match.
    let mut report = crate::scan_texts(&[("a.yaml", &one())]);
    let mut selective = opts();
    selective.ignore = vec!["CT105".into()];
    apply(&mut report, &baseline, &selective);
    assert_eq!(report.summary.baseline.as_ref().map(|c| c.stale), Some(0));
}

#[test]
fn a_file_that_is_no_baseline_is_an_error_with_its_name() {
    let bad = |text: &str| Baseline::parse(text, "b.json".into()).unwrap_err().to_string();
    assert!(bad("{").starts_with("b.json: not a cognitrust baseline: "), "{}", bad("{"));
    assert!(bad("[]").starts_with("b.json: not a cognitrust baseline: "));
    assert_eq!(
        bad(r#"{"version": 2, "findings": []}"#),
        "b.json: baseline version 2 is not one this cognitrust reads (1)"
    );
    assert!(bad(r#"{"version": 1, "fingerprints": "other/v9", "findings": []}"#).contains("`other/v9`"));
    let hostile = Baseline::parse("{", "b\u{1b}[2J.json".into()).unwrap_err().to_string();
    assert!(hostile.starts_with("b\\u{1b}[2J.json: "), "{hostile}");
    let minimal = Baseline::parse(r#"{"version": 1, "findings": []}"#, "b.json".into()).unwrap();
    assert!(minimal.entries.is_empty());
}

#[test]
fn a_missing_baseline_says_how_to_write_one() {
    let dir = std::env::temp_dir().join("cognitrust-no-such-baseline.json");
    let e = Baseline::read(&dir, Path::new("/")).unwrap_err().to_string();
    assert!(e.contains("cannot read the baseline") && e.contains("--write-baseline"), "{e}");
}
