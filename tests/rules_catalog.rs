//! The rule catalog itself: stable unique codes and names, complete docs, the codes SPEC.md
//! lists, and generated docs/rules/ that are not stale.

use std::collections::BTreeSet;
use std::path::Path;

use cognitrust::report::rules::markdown;
use cognitrust::rules::RULES;

const SECTIONS: &[&str] =
    &["## What it does", "## Why is this bad?", "## Example", "## Use instead", "## References"];

#[test]
fn codes_and_names_are_unique_and_well_formed() {
    let mut codes = BTreeSet::new();
    let mut names = BTreeSet::new();
    for r in RULES {
        assert!(codes.insert(r.code), "duplicate code {}", r.code);
        assert!(names.insert(r.name), "duplicate name {}", r.name);
        assert!(
            r.code.len() == 5 && r.code.starts_with("CT") && r.code[2..].chars().all(|c| c.is_ascii_digit()),
            "{}",
            r.code
        );
        assert!(r.name.chars().all(|c| c.is_ascii_lowercase() || c == '-'), "{}", r.name);
        assert!(!r.summary.ends_with('.'), "{}: summaries have no trailing period", r.code);
    }
    let sorted: Vec<&str> = RULES.iter().map(|r| r.code).collect();
    let mut expected = sorted.clone();
    expected.sort_unstable();
    assert_eq!(sorted, expected, "RULES is kept in code order");
}

#[test]
fn every_doc_has_its_sections_in_order() {
    for r in RULES {
        let doc = r.doc_text();
        let mut at = 0;
        for section in SECTIONS {
            match doc[at..].find(section) {
                Some(i) => at += i + section.len(),
                None => panic!("{}: doc lacks `{section}` (or it is out of order)", r.code),
            }
        }
        assert!(doc.contains("```"), "{}: doc has no example block", r.code);
    }
}

#[test]
fn the_catalog_has_every_code_spec_lists() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/SPEC.md");
    let Ok(text) = std::fs::read_to_string(&spec) else {
        eprintln!("skipped: no SPEC.md at {}", spec.display());
        return;
    };
    let ours: BTreeSet<(&str, &str, &str)> =
        RULES.iter().map(|r| (r.code, r.name, r.severity.as_str())).collect();
    let mut listed = 0;
    for line in text.lines().filter(|l| l.starts_with("| CT")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let (code, name, severity) = (cells[1], cells[2], cells[3]);
        listed += 1;
        assert!(
            ours.contains(&(code, name, severity)),
            "SPEC lists {code} {name} ({severity}); the catalog does not"
        );
    }
    // Beyond SPEC's list, only meta rules (CT9xx: about cognitrust's own suppressions).
    for r in RULES.iter().filter(|r| !text.contains(&format!("| {} |", r.code))) {
        assert!(r.code.starts_with("CT9"), "{} is in the catalog but not in SPEC.md", r.code);
    }
    assert!(listed <= RULES.len());
}

#[test]
fn generated_rule_docs_are_up_to_date() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules");
    let mut stale = Vec::new();
    for r in RULES {
        let path = dir.join(format!("{}.md", r.code));
        if std::fs::read_to_string(&path).ok().as_deref() != Some(markdown(r).as_str()) {
            stale.push(path.display().to_string());
        }
    }
    let index = std::fs::read_to_string(dir.join("README.md")).unwrap_or_default();
    for r in RULES {
        if !index.contains(&format!("[{}]({}.md) | {} |", r.code, r.code, r.name)) {
            stale.push(format!("docs/rules/README.md ({})", r.code));
        }
    }
    assert!(stale.is_empty(), "stale rule docs, run `bash scripts/gen-rule-docs.sh`: {stale:?}");
}
