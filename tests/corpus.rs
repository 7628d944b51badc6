//! The real-world corpus beside the project (`../shared/corpus`): each repository folder of
//! `cognito/` is scanned as a user scans a repository, and the results are held against the
//! hand review in `ASSESSMENT.md`. Skipped, with a message, when the corpus is absent, except
//! under CI, where that fails.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use cognitrust::rules::Severity;
use cognitrust::{Options, scan};

/// `../shared/corpus`, with its hand review.
fn corpus() -> Option<PathBuf> {
    common::shared("corpus/ASSESSMENT.md").and_then(|review| review.parent().map(Path::to_path_buf))
}

/// `cognito/REPO/path` → verdict, from the per-file lines of ASSESSMENT.md.
fn verdicts(corpus: &Path) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(corpus.join("ASSESSMENT.md")).expect("read ASSESSMENT.md");
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("- `") else { continue };
        let Some((path, rest)) = rest.split_once("` — **") else { continue };
        let Some((verdict, _)) = rest.split_once("**") else { continue };
        out.insert(path.to_string(), verdict.to_string());
    }
    out
}

fn scan_dir(dir: &Path) -> cognitrust::Report {
    let mut opts = Options::new(vec![dir.to_path_buf()]);
    opts.cwd = dir.to_path_buf();
    scan(&opts)
}

#[test]
fn reviewed_cognito_files_get_the_verdicts_they_deserve() {
    let Some(corpus) = corpus() else { return };
    let verdicts = verdicts(&corpus);
    assert!(verdicts.len() > 100, "ASSESSMENT.md lines not understood: {}", verdicts.len());
    let mut failures = Vec::new();
    let mut checked = (0, 0);
    let mut repos: Vec<PathBuf> = std::fs::read_dir(corpus.join("cognito"))
        .expect("read cognito/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    repos.sort();
    for repo in repos {
        let repo_name = repo.file_name().unwrap().to_string_lossy().to_string();
        let report = scan_dir(&repo);
        for e in &report.errors {
            failures.push(format!("{repo_name}: input error {:?}: {}", e.path, e.message));
        }
        for (path, verdict) in
            verdicts.iter().filter(|(p, _)| p.starts_with(&format!("cognito/{repo_name}/")))
        {
            let rel = &path[format!("cognito/{repo_name}/").len()..];
            let serious: Vec<_> = report
                .findings
                .iter()
                .filter(|f| f.severity >= Severity::Warning && report.files[f.loc.file].display == rel)
                .collect();
            match verdict.as_str() {
                "correct" => {
                    checked.0 += 1;
                    for f in serious {
                        failures.push(format!(
                            "{path} is reviewed correct but got {} {}",
                            f.rule.code, f.message
                        ));
                    }
                }
                "broken" | "insecure" => {
                    checked.1 += 1;
                    if serious.is_empty() {
                        failures.push(format!("{path} is reviewed {verdict} but got no error or warning"));
                    }
                }
                _ => {}
            }
        }
    }
    eprintln!("checked {} correct and {} broken/insecure files", checked.0, checked.1);
    assert!(checked.0 >= 40, "too few correct files checked: {}", checked.0);
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn the_whole_corpus_scans_without_a_crash() {
    let Some(corpus) = corpus() else { return };
    for part in ["general", "cognito"] {
        let report = scan_dir(&corpus.join(part));
        assert!(report.summary.files_scanned > 100, "{part}: {:?}", report.summary);
        assert!(report.summary.templates > 0);
        // Every error names its file; the bad inputs of cfn-lint's own fixtures are expected.
        for e in &report.errors {
            assert!(e.path.is_some(), "{part}: error without a file: {}", e.message);
        }
    }
}

#[test]
fn generated_mobile_backend_root_stacks_are_notes_not_errors() {
    let Some(corpus) = corpus() else { return };
    let report = scan_dir(&corpus.join("cognito/aws-amplify__amplify-cli"));
    let is_root = |f: &cognitrust::rules::Finding| {
        let path = &report.files[f.loc.file].display;
        path.ends_with("root-cloudformation-stack.json") || path.ends_with("rootStackTemplate.json")
    };
    let serious: Vec<String> = report
        .findings
        .iter()
        .filter(|f| is_root(f) && f.severity >= Severity::Warning)
        .map(|f| format!("{} {}", f.rule.code, f.message))
        .collect();
    assert!(serious.is_empty(), "{serious:#?}");
    let notes = report.findings.iter().filter(|f| is_root(f) && f.rule.code == "CT104").count();
    assert!(notes >= 2, "the Deny-only roles of linked root stacks are noted as rewritten at deploy time");
}
