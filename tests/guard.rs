//! cfn-guard: the rule pack `rules/cognito-trust.guard` agrees with the cognitrust rules it
//! mirrors on every CloudFormation fixture, and `--guard-rules` reports user rules' failures at
//! their resource and line in every output format.
//!
//! The agreement relation (rules/README.md): with suppressions off, for every fixture and every
//! role, a rule of the pack fails on the role if and only if the cognitrust rule it mirrors
//! fires on it, except for the deliberate differences listed in [`DIFFERENCES`], each shown by a
//! fixture of `testdata/guard/agreement/`. Templates are scanned alone, or a `.scan-together`
//! folder as one unit so cross-stack links are followed on the cognitrust side; Guard always sees
//! one template. Every fixture is also evaluated by cfn-guard from its own text, as the plain
//! `cfn-guard` CLI would, and must fail the same rules on the same resources as through
//! `--guard-rules`, which hands cfn-guard our parse.
#![cfg(feature = "guard")]

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use cognitrust::{Options, Report};
use common::{json, project, run};

const PACK: &str = "rules/cognito-trust.guard";

/// Each rule of the pack and the cognitrust rule it mirrors.
const MIRRORS: &[(&str, &str)] = &[
    ("guard:cognito_trust_principal_type", "CT102"),
    ("guard:cognito_trust_action", "CT103"),
    ("guard:cognito_trust_condition", "CT105"),
    ("guard:cognito_trust_aud", "CT106"),
    ("guard:cognito_trust_amr", "CT110"),
    ("guard:cognito_trust_wildcard_principal", "CT114"),
];

/// Who reports a role the other side does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Only {
    Guard,
    Cognitrust,
}

/// The deliberate differences: (fixture, role, rule of the pack, who reports it, why).
const DIFFERENCES: &[(&str, &str, &str, Only, &str)] = &[
    (
        "guard/agreement/differ_amr_no_guests.yaml",
        "AuthRole",
        "guard:cognito_trust_amr",
        Only::Guard,
        "Guard cannot see that the pool allows no guests",
    ),
    (
        "guard/agreement/differ_amr_guest_role.yaml",
        "GuestRole",
        "guard:cognito_trust_amr",
        Only::Guard,
        "Guard cannot see which slot the role fills",
    ),
    (
        "guard/agreement/differ_principal_unattached.yaml",
        "SpareRole",
        "guard:cognito_trust_principal_type",
        Only::Guard,
        "cognitrust reports near misses on pool roles only; Guard cannot see the pool",
    ),
    (
        "guard/agreement/differ_wildcard_unattached.yaml",
        "SpareRole",
        "guard:cognito_trust_wildcard_principal",
        Only::Guard,
        "cognitrust checks roles that trust the Federated principal or that a pool hands out",
    ),
    (
        "guard/agreement/differ_wildcard_no_cognito.yaml",
        "AuthRole",
        "guard:cognito_trust_wildcard_principal",
        Only::Cognitrust,
        "a role that names no Cognito principal or key is a pool role only through its attachment",
    ),
    (
        "guard/agreement/differ_intrinsic_principal.yaml",
        "AuthRole",
        "guard:cognito_trust_condition",
        Only::Cognitrust,
        "Guard sees Fn::If, not the principals of its branches",
    ),
    (
        "guard/agreement/differ_if_statement.yaml",
        "AuthRole",
        "guard:cognito_trust_condition",
        Only::Cognitrust,
        "Guard does not look inside a statement chosen by Fn::If",
    ),
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A scan: a template alone, or a `.scan-together` folder.
struct Unit {
    /// The scan's working directory.
    cwd: PathBuf,
    scan_path: PathBuf,
    /// The unit's templates, as the report names them, with their paths.
    files: Vec<(String, PathBuf)>,
}

fn is_template(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "yaml" || e == "json")
}

fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> =
        std::fs::read_dir(dir).expect("read fixtures").map(|e| e.expect("entry").path()).collect();
    entries.sort();
    entries
}

fn units_below(dir: &Path, out: &mut Vec<Unit>) {
    if dir.join(".scan-together").exists() {
        let files = sorted_entries(dir)
            .into_iter()
            .filter(|p| is_template(p))
            .map(|p| (p.file_name().expect("name").to_string_lossy().into_owned(), p))
            .collect();
        out.push(Unit { cwd: dir.to_path_buf(), scan_path: dir.to_path_buf(), files });
        return;
    }
    for path in sorted_entries(dir) {
        if path.is_dir() {
            units_below(&path, out);
        } else if is_template(&path) {
            let name = path.file_name().expect("name").to_string_lossy().into_owned();
            out.push(Unit { cwd: dir.to_path_buf(), scan_path: path.clone(), files: vec![(name, path)] });
        }
    }
}

fn scan(unit: &Unit) -> Report {
    let mut opts = Options::new(vec![unit.scan_path.clone()]);
    opts.cwd = unit.cwd.clone();
    opts.jobs = 1;
    opts.no_suppress = true;
    opts.guard_rules = vec![root().join(PACK)];
    cognitrust::scan(&opts)
}

/// (file, role, rule of the pack) for each side: the pack's failures, and the findings of the
/// rules it mirrors named by the pack rule that mirrors them.
type Verdicts = BTreeSet<(String, String, &'static str)>;

fn verdicts(report: &Report) -> (Verdicts, Verdicts) {
    let (mut guard, mut cognitrust) = (Verdicts::new(), Verdicts::new());
    for f in &report.findings {
        let file = report.files[f.loc.file].display.clone();
        for &(pack_rule, mirrored) in MIRRORS {
            if f.rule.code == pack_rule {
                guard.insert((file.clone(), f.resource.clone(), pack_rule));
            } else if f.rule.code == mirrored {
                cognitrust.insert((file.clone(), f.resource.clone(), pack_rule));
            }
        }
    }
    (guard, cognitrust)
}

/// A file of the unit as its path below `testdata/`: `guard/agreement/differ_if_statement.yaml`.
fn below_testdata(unit: &Unit, display: &str) -> String {
    let path = unit.files.iter().find(|(name, _)| name == display).map_or(Path::new(display), |(_, p)| p);
    let relative = path.strip_prefix(root().join("testdata")).unwrap_or(path);
    relative.to_string_lossy().replace('\\', "/")
}

/// The (rule, role) pairs cfn-guard fails when it reads the fixture itself.
fn plain_guard(pack: &str, path: &Path, name: &str) -> BTreeSet<(String, String)> {
    let text = std::fs::read_to_string(path).expect("read fixture");
    let failures = cognitrust::guard::failures(pack, PACK, &text, name)
        .unwrap_or_else(|e| panic!("cfn-guard cannot evaluate {name}: {e}"));
    failures
        .into_iter()
        .map(|f| {
            let path = f.path.unwrap_or_default();
            let role = path.strip_prefix("/Resources/").and_then(|p| p.split('/').next()).unwrap_or_default();
            (format!("guard:{}", f.rule), role.to_string())
        })
        .collect()
}

#[test]
#[ignore = "slow: cfn-guard evaluates the rule pack on every fixture (17 s); .ci/run runs it"]
fn the_rule_pack_agrees_with_the_rules_it_mirrors_on_every_fixture() {
    let pack = std::fs::read_to_string(root().join(PACK)).expect("read the pack");
    let mut units = Vec::new();
    units_below(&root().join("testdata/cfn"), &mut units);
    units_below(&root().join("testdata/guard/agreement"), &mut units);
    let mut seen = Vec::new();
    let mut problems = Vec::new();
    let mut fired = BTreeSet::new();
    for unit in &units {
        let report = scan(unit);
        for e in &report.errors {
            problems.push(format!("{}: input error: {}", unit.scan_path.display(), e.message));
        }
        let (guard, cognitrust) = verdicts(&report);
        fired.extend(guard.iter().map(|(_, _, rule)| *rule));
        for v in guard.symmetric_difference(&cognitrust) {
            let only = if guard.contains(v) { Only::Guard } else { Only::Cognitrust };
            seen.push((below_testdata(unit, &v.0), v.1.clone(), v.2, only));
        }
        for (name, path) in &unit.files {
            let through_scan: BTreeSet<(String, String)> = report
                .findings
                .iter()
                .filter(|f| f.rule.code.starts_with("guard:") && report.files[f.loc.file].display == *name)
                .map(|f| (f.rule.code.to_string(), f.resource.clone()))
                .collect();
            let plain = plain_guard(&pack, path, name);
            if plain != through_scan {
                problems.push(format!(
                    "{}: cfn-guard on the file's own text fails {plain:?}, through --guard-rules {through_scan:?}",
                    path.display()
                ));
            }
        }
    }
    let expected: Vec<_> = DIFFERENCES.iter().map(|d| (d.0.to_string(), d.1.to_string(), d.2, d.3)).collect();
    for s in seen.iter().filter(|s| !expected.contains(s)) {
        problems.push(format!("unexpected disagreement: {s:?} (rules/README.md lists the deliberate ones)"));
    }
    for e in DIFFERENCES.iter().filter(|d| !seen.contains(&(d.0.to_string(), d.1.to_string(), d.2, d.3))) {
        problems.push(format!("a listed difference no longer shows: {e:?}"));
    }
    for (rule, _) in MIRRORS.iter().filter(|(rule, _)| !fired.contains(rule)) {
        problems.push(format!("no fixture makes `{rule}` fail"));
    }
    assert!(units.len() > 100, "fixtures found: {}", units.len());
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}

/// Runs a scan of the user-rule sample in `testdata/guard`.
fn scan_sample(args: &[&str]) -> std::process::Output {
    let mut all = vec!["scan", "--no-config", "--guard-rules", "user-rules"];
    all.extend_from_slice(args);
    run(&root().join("testdata/guard"), &all)
}

/// (rule, resource, line, column, severity) of each finding of a JSON report.
fn placed(report: &serde_json::Value) -> Vec<(String, String, u64, u64, String)> {
    let findings = report["findings"].as_array().expect("findings");
    findings
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_string(),
                f["resource"].as_str().unwrap_or_default().to_string(),
                f["location"]["line"].as_u64().unwrap_or_default(),
                f["location"]["column"].as_u64().unwrap_or_default(),
                f["severity"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn owned(rows: &[(&str, &str, u64, u64, &str)]) -> Vec<(String, String, u64, u64, String)> {
    rows.iter().map(|r| (r.0.into(), r.1.into(), r.2, r.3, r.4.into())).collect()
}

#[test]
fn user_rules_fail_at_their_resource_and_line_in_json() {
    let out = scan_sample(&["--format", "json", "app.yaml"]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let report = json(&out);
    let expected = owned(&[
        // `AllowClassicFlow: true`: the value the `or` compared.
        ("CT209", "IdentityPool", 9, 25, "warning"),
        ("guard:identity_pool_no_classic_flow", "IdentityPool", 9, 25, "error"),
        // `Path` is missing: its parent, `Properties`.
        ("guard:iam_role_path", "AuthRole", 14, 5, "error"),
        // `MaxSessionDuration: 43200`, a warning by its message's `Severity:` line.
        ("guard:iam_role_short_sessions", "GuestRole", 32, 27, "warning"),
    ]);
    assert_eq!(placed(&report), expected);
    let path = &report["findings"][2];
    assert_eq!(path["name"], "iam_role_path");
    assert_eq!(path["message"], "IAM roles must have a Path");
    assert_eq!(path["help"], "add Path: /photos/");
    assert_eq!(path["location"]["file"], "app.yaml");
    assert_eq!(report["findings"][1]["message"], "identity pools must not allow the basic (classic) flow");
    assert_eq!(report["errors"], serde_json::json!([]));
}

#[test]
fn user_rules_fail_at_their_resource_and_line_in_a_json_template() {
    let report = json(&scan_sample(&["--format", "json", "app.json"]));
    let expected = owned(&[
        ("guard:identity_pool_no_classic_flow", "IdentityPool", 9, 29, "error"),
        ("guard:iam_role_path", "AuthRole", 15, 7, "error"),
    ]);
    assert_eq!(placed(&report), expected);
}

#[test]
fn user_rules_fail_at_their_resource_and_line_in_sarif() {
    let out = scan_sample(&["--format", "sarif", "app.yaml"]);
    let sarif = json(&out);
    let run = &sarif["runs"][0];
    let results: Vec<(String, String, u64, u64, String)> = run["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            let loc = &r["locations"][0];
            let region = &loc["physicalLocation"]["region"];
            (
                r["ruleId"].as_str().unwrap_or_default().to_string(),
                loc["logicalLocations"][0]["name"].as_str().unwrap_or_default().to_string(),
                region["startLine"].as_u64().unwrap_or_default(),
                region["startColumn"].as_u64().unwrap_or_default(),
                r["level"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    let expected = owned(&[
        ("CT209", "IdentityPool", 9, 25, "warning"),
        ("guard:identity_pool_no_classic_flow", "IdentityPool", 9, 25, "error"),
        ("guard:iam_role_path", "AuthRole", 14, 5, "error"),
        ("guard:iam_role_short_sessions", "GuestRole", 32, 27, "warning"),
    ]);
    assert_eq!(results, expected);
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    for result in run["results"].as_array().expect("results") {
        let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[index]["id"], result["ruleId"], "ruleIndex points at the rule");
    }
    let path = rules.iter().find(|r| r["id"] == "guard:iam_role_path").expect("the rule is in the catalog");
    assert_eq!(path["name"], "iam_role_path");
    assert_eq!(path["shortDescription"]["text"], "IAM roles must have a path");
    assert!(path.get("helpUri").is_none(), "{path}");
    // app.json passes this rule: the catalog lists every rule of the files, failed or not.
    let other = json(&scan_sample(&["--format", "sarif", "app.json"]));
    let listed = other["runs"][0]["tool"]["driver"]["rules"].as_array().expect("rules");
    assert!(listed.iter().any(|r| r["id"] == "guard:iam_role_short_sessions"), "{other}");
}

#[test]
fn a_guard_syntax_error_is_an_input_error_at_its_line() {
    let out = run(
        &root().join("testdata/guard"),
        &["scan", "--no-config", "--guard-rules", "broken", "--format", "json", "app.yaml"],
    );
    assert_eq!(out.status.code(), Some(2));
    let report = json(&out);
    let error = &report["errors"][0];
    assert_eq!(error["location"], serde_json::json!({"file": "broken/typo.guard", "line": 4, "column": 27}));
    let message = error["message"].as_str().expect("message");
    assert!(message.starts_with("cannot parse the Guard rules: expecting"), "{message}");
    let human = run(
        &root().join("testdata/guard"),
        &["scan", "--no-config", "--guard-rules", "broken/typo.guard", "app.yaml"],
    );
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(text.contains("broken/typo.guard:4:27") && text.contains("Properties.Path =="), "{text}");
}

#[test]
fn select_ignore_suppressions_and_github_take_guard_codes() {
    let only = json(&scan_sample(&["--format", "json", "--select", "guard:iam_role_path", "app.yaml"]));
    assert_eq!(placed(&only), owned(&[("guard:iam_role_path", "AuthRole", 14, 5, "error")]));
    let none = json(&scan_sample(&["--format", "json", "--ignore", "guard:*", "app.yaml"]));
    assert_eq!(placed(&none), owned(&[("CT209", "IdentityPool", 9, 25, "warning")]));
    let unknown = scan_sample(&["--select", "guard:no_such_rule", "app.yaml"]);
    assert_eq!(unknown.status.code(), Some(0), "{}", String::from_utf8_lossy(&unknown.stderr));
    let github = String::from_utf8(scan_sample(&["--format", "github", "app.yaml"]).stdout).expect("utf-8");
    assert!(github.contains("::error file=app.yaml,line=14,col=5,endLine=14,endColumn=15,title=guard%3Aiam_role_path::IAM roles must have a Path"), "{github}");

    let template = std::fs::read_to_string(root().join("testdata/guard/app.yaml")).expect("read");
    let suppressed = template.replace(
        "  AuthRole:\n    Type: AWS::IAM::Role\n",
        "  AuthRole:\n    Type: AWS::IAM::Role\n    Metadata:\n      cognitrust:\n        ignore:\n          - {rule: \"guard:iam_role_path\", reason: roles of this stack share the default path}\n",
    );
    let rules = std::fs::read_to_string(root().join("testdata/guard/user-rules/iam.guard")).expect("read");
    let dir = project(&[("app.yaml", &suppressed), ("iam.guard", &rules)]);
    let out = json(&run(
        dir.path(),
        &["scan", "--guard-rules", "iam.guard", "--format", "json", "--show-suppressed", "app.yaml"],
    ));
    assert_eq!(out["suppressed"][0]["rule"], "guard:iam_role_path", "{out}");
    assert_eq!(out["summary"]["suppressed"], 1);
}

#[test]
fn the_config_sets_guard_rules_severity_and_selection() {
    let template = std::fs::read_to_string(root().join("testdata/guard/app.yaml")).expect("read");
    let rules = std::fs::read_to_string(root().join("testdata/guard/user-rules/iam.guard")).expect("read");
    let config = "select = [\"guard:iam_role_path\"]\n[severity]\n\"guard:iam_role_path\" = \"note\"\n";
    let dir = project(&[("app.yaml", &template), ("iam.guard", &rules), ("cognitrust.toml", config)]);
    let out = run(dir.path(), &["scan", "--guard-rules", "iam.guard", "--format", "json", "app.yaml"]);
    assert_eq!(out.status.code(), Some(0), "a note does not fail the run");
    assert_eq!(placed(&json(&out)), owned(&[("guard:iam_role_path", "AuthRole", 14, 5, "note")]));
}

#[test]
fn missing_rule_files_are_input_errors() {
    let out = scan_sample(&["--guard-rules", "no-such-folder", "app.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("no-such-folder") && text.contains("cannot read Guard rules"), "{text}");
    let empty = scan_sample(&["--guard-rules", "agreement", "app.yaml"]);
    assert_eq!(empty.status.code(), Some(2), "a folder without rule files is a mistake, not a pass");
    let text = String::from_utf8_lossy(&empty.stdout);
    assert!(text.contains("agreement: no `.guard` or `.ruleset` file here"), "{text}");
}
