//! Fixture tests: the templates under `testdata/cfn/<CODE>/` and the Terraform modules and plans
//! under `testdata/terraform/` carry the findings they must produce as comments, and one harness
//! scans them all and reports every mismatch at once.
//!
//! A marker sits at the end of the line where a finding's primary span starts (`#` starts a
//! comment in YAML and in `.tf` files alike):
//!
//! ```text
//! # expect: CT106                       one CT106 finding here, without related spans
//! # expect: CT109 related=61            one CT109 finding whose related spans start on the
//!                                       listed lines, all of them and no others (repeat
//!                                       `related=` for several)
//! # expect: CT106 related=iam.yaml:17   a related span in another file of the same scan
//! # expect: CT107 related=49, CT111     two findings on one line
//! ```
//!
//! JSON templates and Terraform plans cannot hold comments: `fail.json` has a sidecar
//! `fail.json.expected` holding `[{"rule": "CT106", "line": 32, "related": [44]}]` (related
//! entries are lines of the same file or `"file:line"`); a JSON file without a sidecar expects no
//! finding. A `.tf` file may have a sidecar too, for findings whose primary span starts inside a
//! heredoc, where a comment would be part of the string; its markers and its sidecar add up.
//!
//! Each template is scanned alone, with its folder as the working directory, except in folders
//! holding a file named `.scan-together`: those are scanned as one unit, so links between
//! templates (`Fn::ImportValue` of another stack's export) and between Terraform files and
//! modules (`module "auth" { source = "./modules/auth" }`, a plan beside its sources) are
//! followed. Every Terraform fixture folder is such a unit: one module with the modules it calls.
//! Fixture names start with `fail` (at least one finding) or `pass` (no finding at all, not even
//! a note), and every fixture must scan without input errors. The human output of every `fail`
//! fixture is snapshotted with insta as `human_<path>` (`human_CT106_fail`,
//! `human_CT106_fail_json`), and `human_terraform_<path>` below `testdata/terraform`
//! (`human_terraform_CT106_fail`, `human_terraform_plans_fail_first_apply_json`).

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use cognitrust::report::{Location, human};
use cognitrust::rules::RULES;
use cognitrust::{Options, Report};

const TOGETHER: &str = ".scan-together";

/// A folder of fixtures and what counts as an input in it.
struct Tree {
    /// Below the crate root: `testdata/cfn`.
    dir: &'static str,
    extensions: &'static [&'static str],
    /// Put before a unit's snapshot name, so the trees' snapshots cannot collide.
    snapshot_prefix: &'static str,
}

const CFN: Tree =
    Tree { dir: "testdata/cfn", extensions: &["yaml", "yml", "json", "template"], snapshot_prefix: "" };
const TERRAFORM: Tree =
    Tree { dir: "testdata/terraform", extensions: &["tf", "json", "tpl"], snapshot_prefix: "terraform_" };
/// Serverless Framework services: each fixture folder is a service with the files it includes.
const SERVERLESS: Tree =
    Tree { dir: "testdata/serverless", extensions: &["yml", "yaml", "json"], snapshot_prefix: "serverless_" };

impl Tree {
    fn root(&self) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join(self.dir)
    }

    fn holds(&self, path: &Path) -> bool {
        path.extension().and_then(|e| e.to_str()).is_some_and(|e| self.extensions.contains(&e))
    }
}

/// One scan: a template alone, or a `.scan-together` folder.
struct Unit {
    /// The path below the tree's root, with forward slashes: `CT106/fail.yaml`, `CT106/fail_import`.
    name: String,
    /// `human_` and the tree's snapshot prefix.
    snapshot_prefix: String,
    /// The scan's working directory: report paths are relative to it.
    cwd: PathBuf,
    /// The template files of the unit, each with the path the report shows for it.
    files: Vec<(String, PathBuf)>,
    /// What to hand to the scan.
    scan_path: PathBuf,
}

impl Unit {
    /// The last component of the name: `fail_import`, `pass.yaml`.
    fn base(&self) -> &str {
        self.name.rsplit('/').next().unwrap_or(&self.name)
    }

    /// `human_CT106_fail` for `CT106/fail.yaml`, `human_CT106_fail_json` for `CT106/fail.json`,
    /// `human_terraform_CT106_fail` for the Terraform folder `CT106/fail`.
    fn snapshot_name(&self) -> String {
        let name =
            self.name.strip_suffix(".yaml").or_else(|| self.name.strip_suffix(".yml")).unwrap_or(&self.name);
        format!("{}{}", self.snapshot_prefix, name.replace(['/', '.'], "_"))
    }

    fn scan(&self) -> Report {
        let mut opts = Options::new(vec![self.scan_path.clone()]);
        opts.cwd = self.cwd.clone();
        opts.jobs = 1;
        cognitrust::scan(&opts)
    }
}

/// A finding, expected or produced, as the fixtures describe it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Expect {
    file: String,
    line: usize,
    rule: String,
    /// Where the finding's related spans start: (file, line).
    related: BTreeSet<(String, usize)>,
}

impl Expect {
    /// The marker that describes this finding, as it would be written on its line.
    fn marker(&self) -> String {
        let mut out = format!("# expect: {}", self.rule);
        for (file, line) in &self.related {
            if *file == self.file {
                let _ = write!(out, " related={line}");
            } else {
                let _ = write!(out, " related={file}:{line}");
            }
        }
        out
    }
}

fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display())).path())
        .collect();
    entries.sort();
    entries
}

fn relative(path: &Path, base: &Path) -> String {
    path.strip_prefix(base).unwrap_or(path).to_string_lossy().replace('\\', "/")
}

/// Every template below `dir`, at any depth.
fn templates_below(tree: &Tree, dir: &Path, out: &mut Vec<PathBuf>) {
    for path in sorted_entries(dir) {
        if path.is_dir() {
            templates_below(tree, &path, out);
        } else if tree.holds(&path) {
            out.push(path);
        }
    }
}

fn collect_units(tree: &Tree, dir: &Path, root: &Path, out: &mut Vec<Unit>) {
    let snapshot_prefix = format!("human_{}", tree.snapshot_prefix);
    if dir.join(TOGETHER).exists() {
        let mut paths = Vec::new();
        templates_below(tree, dir, &mut paths);
        out.push(Unit {
            name: relative(dir, root),
            snapshot_prefix,
            cwd: dir.to_path_buf(),
            files: paths.into_iter().map(|p| (relative(&p, dir), p)).collect(),
            scan_path: dir.to_path_buf(),
        });
        return;
    }
    for path in sorted_entries(dir) {
        if path.is_dir() {
            collect_units(tree, &path, root, out);
        } else if tree.holds(&path) {
            let display = relative(&path, dir);
            out.push(Unit {
                name: relative(&path, root),
                snapshot_prefix: snapshot_prefix.clone(),
                cwd: dir.to_path_buf(),
                files: vec![(display, path.clone())],
                scan_path: path,
            });
        }
    }
}

fn units(tree: &Tree) -> Vec<Unit> {
    let mut out = Vec::new();
    collect_units(tree, &tree.root(), &tree.root(), &mut out);
    out
}

/// `61` (a line of `file`) or `iam.yaml:17` (a line of another file of the unit).
fn parse_related(spec: &str, file: &str) -> Result<(String, usize), String> {
    let (other, line) = match spec.rsplit_once(':') {
        Some((other, line)) => (other.to_string(), line),
        None => (file.to_string(), spec),
    };
    match line.parse::<usize>() {
        Ok(n) if n > 0 => Ok((other, n)),
        _ => Err(format!("`related={spec}` is not a line number or file:line")),
    }
}

/// The `# expect:` markers of a YAML template or a `.tf` file.
fn markers(file: &str, text: &str) -> Result<Vec<Expect>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let Some((_, list)) = line.split_once("# expect:") else { continue };
        for entry in list.split(',') {
            let mut tokens = entry.split_whitespace();
            let Some(rule) = tokens.next() else {
                return Err(format!("{file}:{}: empty entry in `# expect:`", i + 1));
            };
            let mut expect = Expect {
                file: file.to_string(),
                line: i + 1,
                rule: rule.to_string(),
                related: BTreeSet::new(),
            };
            for token in tokens {
                let spec = token
                    .strip_prefix("related=")
                    .ok_or_else(|| format!("{file}:{}: unknown marker token `{token}`", i + 1))?;
                expect
                    .related
                    .insert(parse_related(spec, file).map_err(|e| format!("{file}:{}: {e}", i + 1))?);
            }
            out.push(expect);
        }
    }
    Ok(out)
}

/// The sidecar `<file>.expected` of a JSON template, a plan or a `.tf` file; no sidecar means
/// no finding.
fn sidecar(file: &str, path: &Path) -> Result<Vec<Expect>, String> {
    let mut side = path.as_os_str().to_owned();
    side.push(".expected");
    let side = PathBuf::from(side);
    if !side.exists() {
        return Ok(Vec::new());
    }
    let text = std::fs::read_to_string(&side).map_err(|e| format!("{}: {e}", side.display()))?;
    let items: Vec<serde_json::Value> =
        serde_json::from_str(&text).map_err(|e| format!("{file}.expected: not a JSON list: {e}"))?;
    let bad = |what: &str| format!("{file}.expected: {what}");
    items
        .iter()
        .map(|item| {
            let rule = item["rule"].as_str().ok_or_else(|| bad("an entry without a string `rule`"))?;
            let line = item["line"].as_u64().ok_or_else(|| bad("an entry without a numeric `line`"))?;
            let mut related = BTreeSet::new();
            for r in item["related"].as_array().map(Vec::as_slice).unwrap_or_default() {
                let spec = match r {
                    serde_json::Value::Number(n) => n.to_string(),
                    serde_json::Value::String(s) => s.clone(),
                    _ => return Err(bad("a `related` entry that is neither a line nor \"file:line\"")),
                };
                related.insert(parse_related(&spec, file).map_err(|e| bad(&e))?);
            }
            let line = usize::try_from(line).map_err(|_| bad("a line out of range"))?;
            Ok(Expect { file: file.to_string(), line, rule: rule.to_string(), related })
        })
        .collect()
}

fn expectations(unit: &Unit) -> Result<Vec<Expect>, String> {
    let mut out = Vec::new();
    for (display, path) in &unit.files {
        if path.extension().is_none_or(|e| e != "json") {
            let text = std::fs::read_to_string(path).map_err(|e| format!("{display}: {e}"))?;
            out.extend(markers(display, &text)?);
        }
        out.extend(sidecar(display, path)?);
    }
    out.sort();
    Ok(out)
}

/// What the scan found, each with its message.
fn produced(report: &Report) -> Vec<(Expect, String)> {
    let mut out: Vec<(Expect, String)> = report
        .findings
        .iter()
        .map(|f| {
            let at = Location::of(&report.files, f.loc);
            let related = f
                .related
                .iter()
                .map(|r| {
                    let l = Location::of(&report.files, r.loc);
                    (l.file, l.line)
                })
                .collect();
            (
                Expect { file: at.file, line: at.line, rule: f.rule.code.to_string(), related },
                f.message.clone(),
            )
        })
        .collect();
    out.sort();
    out
}

/// Every way a unit differs from its markers, one line each.
fn mismatches(unit: &Unit) -> Vec<String> {
    let mut problems = Vec::new();
    let expected = match expectations(unit) {
        Ok(e) => e,
        Err(e) => return vec![format!("bad marker: {e}")],
    };
    let fail = unit.base().starts_with("fail");
    if fail && expected.is_empty() {
        problems.push("a fail fixture without any expected finding".to_string());
    }
    if !fail && !unit.base().starts_with("pass") {
        problems.push("fixture names start with `fail` or `pass`".to_string());
    }
    if !fail && !expected.is_empty() {
        problems.push("a pass fixture must not expect findings".to_string());
    }

    let report = unit.scan();
    for e in &report.errors {
        let place = e.place.map(|(file, span)| {
            let at = Location::of(&report.files, cognitrust::source::Loc::new(file, span));
            format!("{}:{}: ", at.file, at.line)
        });
        problems.push(format!("input error: {}{}", place.unwrap_or_default(), e.message));
    }

    let mut missing = expected;
    let mut unexpected = Vec::new();
    for (found, message) in produced(&report) {
        match missing.iter().position(|m| *m == found) {
            Some(i) => {
                missing.remove(i);
            }
            None => unexpected.push((found, message)),
        }
    }
    for m in &missing {
        let same_place = unexpected
            .iter()
            .position(|(u, _): &(Expect, String)| (&u.file, u.line, &u.rule) == (&m.file, m.line, &m.rule));
        match same_place {
            // Found where expected, but its related spans are elsewhere: say so in one line.
            Some(i) => {
                let (u, _) = unexpected.remove(i);
                problems.push(format!(
                    "related     {}:{}  `{}` expected, found `{}`",
                    m.file,
                    m.line,
                    m.marker(),
                    u.marker()
                ));
            }
            None => problems.push(format!("missing     {}:{}  {}", m.file, m.line, m.marker())),
        }
    }
    for (u, message) in &unexpected {
        problems.push(format!("unexpected  {}:{}  {}  ({message})", u.file, u.line, u.marker()));
    }
    problems
}

/// Every unit of a tree that differs from its markers, with its problems.
fn tree_mismatches(tree: &Tree) -> String {
    let units = units(tree);
    assert!(!units.is_empty(), "no fixtures under {}", tree.root().display());
    let mut report = String::new();
    for unit in &units {
        let problems = mismatches(unit);
        if !problems.is_empty() {
            let _ = writeln!(report, "\n{}:", unit.name);
            for p in problems {
                let _ = writeln!(report, "  {p}");
            }
        }
    }
    report
}

#[test]
fn fixtures_match_their_markers() {
    let report = tree_mismatches(&CFN);
    assert!(report.is_empty(), "fixtures that do not match their markers:\n{report}");
}

#[test]
fn terraform_fixtures_match_their_markers() {
    let report = tree_mismatches(&TERRAFORM);
    assert!(report.is_empty(), "Terraform fixtures that do not match their markers:\n{report}");
}

#[test]
fn serverless_fixtures_match_their_markers() {
    let report = tree_mismatches(&SERVERLESS);
    assert!(report.is_empty(), "Serverless fixtures that do not match their markers:\n{report}");
}

#[test]
fn every_rule_has_fail_and_pass_fixtures() {
    let mut problems = Vec::new();
    for rule in RULES {
        let dir = CFN.root().join(rule.code);
        let fail = dir.join("fail.yaml");
        match std::fs::read_to_string(&fail) {
            Ok(text) => match markers("fail.yaml", &text) {
                Ok(m) if m.iter().any(|e| e.rule == rule.code) => {}
                Ok(_) => {
                    problems.push(format!("{}/fail.yaml has no `# expect: {}` marker", rule.code, rule.code))
                }
                Err(e) => problems.push(format!("{}/{e}", rule.code)),
            },
            Err(_) => problems.push(format!("{} has no testdata/cfn/{}/fail.yaml", rule.code, rule.code)),
        }
        if !dir.join("pass.yaml").is_file() {
            problems.push(format!("{} has no testdata/cfn/{}/pass.yaml", rule.code, rule.code));
        }
    }
    assert!(problems.is_empty(), "rules without fixtures:\n  {}", problems.join("\n  "));
}

/// Snapshots the human output of every `fail` unit of a tree; the names of those that differ.
fn snapshot_fail_units(tree: &Tree) -> Vec<String> {
    let mut failed = Vec::new();
    for unit in units(tree).iter().filter(|u| u.base().starts_with("fail")) {
        let output = human::render(&unit.scan(), false);
        let name = unit.snapshot_name();
        let mut settings = insta::Settings::clone_current();
        settings.set_description(format!("cognitrust scan {}/{} (human, no colour)", tree.dir, unit.name));
        settings.set_omit_expression(true);
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            settings.bind(|| insta::assert_snapshot!(name.as_str(), output));
        }));
        if outcome.is_err() {
            failed.push(name);
        }
    }
    failed
}

#[test]
fn human_output_of_fail_fixtures() {
    let failed = snapshot_fail_units(&CFN);
    assert!(failed.is_empty(), "snapshots that differ (see the diffs above): {}", failed.join(", "));
}

#[test]
fn human_output_of_terraform_fail_fixtures() {
    let failed = snapshot_fail_units(&TERRAFORM);
    assert!(failed.is_empty(), "snapshots that differ (see the diffs above): {}", failed.join(", "));
}

#[test]
fn human_output_of_serverless_fail_fixtures() {
    let failed = snapshot_fail_units(&SERVERLESS);
    assert!(failed.is_empty(), "snapshots that differ (see the diffs above): {}", failed.join(", "));
}
