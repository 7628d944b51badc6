//! CDK cloud assemblies: the real `cdk synth` output of the app in `testdata/cdk` (regenerate it
//! with `bash testdata/cdk/synth.sh`), small hand-made assemblies for what that app cannot show,
//! and the CDK snapshots of the corpus beside the project.

mod common;

use std::path::{Path, PathBuf};

use cognitrust::report::{Location, github, human, json, sarif};
use cognitrust::rules::{Finding, Severity};
use cognitrust::{Options, Report, scan};

fn app_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/cdk")
}

/// Scans `path` with `cwd` as the working directory.
fn scan_in(cwd: &Path, path: &Path) -> Report {
    let mut opts = Options::new(vec![path.to_path_buf()]);
    opts.cwd = cwd.to_path_buf();
    scan(&opts)
}

/// The app's cdk.out, scanned from the app's folder as a user scans it after `cdk synth`.
fn app_report() -> Report {
    scan_in(&app_dir(), &app_dir().join("cdk.out"))
}

/// One finding the app's broken constructs must produce.
struct Expected {
    rule: &'static str,
    file: &'static str,
    line: usize,
    construct_path: &'static str,
    /// Other places the finding must name (`file:line`), besides the app source.
    related: &'static [&'static str],
    /// The app source line that created the resource, and a text on it.
    app_source: (&'static str, usize, &'static str),
}

const EXPECTED: &[Expected] = &[
    // FederatedPrincipal left with its default action, sts:AssumeRole.
    Expected {
        rule: "CT103",
        file: "cdk.out/BrokenStack.template.json",
        line: 48,
        construct_path: "BrokenStack/GuestRole/Resource",
        related: &["cdk.out/BrokenStack.template.json:85"],
        app_source: ("lib/broken-stack.ts", 22, "new iam.Role(this, 'GuestRole'"),
    },
    // A second attachment for the IdentityPool L2 construct, which attaches its own roles.
    Expected {
        rule: "CT203",
        file: "cdk.out/BrokenStack.template.json",
        line: 223,
        construct_path: "BrokenStack/ExtraRoles",
        related: &["cdk.out/BrokenStack.template.json:198"],
        app_source: ("lib/broken-stack.ts", 36, "CfnIdentityPoolRoleAttachment(this, 'ExtraRoles'"),
    },
    // A nested stack's guest role that admits only signed-in users, attached by the parent
    // through the nested stack's outputs; its `aud` is the parent's pool, passed as a parameter.
    Expected {
        rule: "CT109",
        file: "cdk.out/NestedParentStackRolesED24526B.nested.template.json",
        line: 47,
        construct_path: "NestedParentStack/Roles/NestedGuestRole/Resource",
        related: &["cdk.out/NestedParentStack.template.json:54"],
        app_source: ("lib/nested-stack.ts", 26, "new iam.Role(this, 'NestedGuestRole'"),
    },
    // A role shared by cross-stack reference with a pool it does not trust.
    Expected {
        rule: "CT107",
        file: "cdk.out/SharedPoolStack.template.json",
        line: 30,
        construct_path: "SharedPoolStack/SharedAuthRole/Resource",
        related: &["cdk.out/ConsumerStack.template.json:26", "cdk.out/SharedPoolStack.template.json:12"],
        app_source: ("lib/shared-role-stacks.ts", 18, "new iam.Role(this, 'SharedAuthRole'"),
    },
];

fn place(report: &Report, loc: cognitrust::source::Loc) -> String {
    let at = Location::of(&report.files, loc);
    format!("{}:{}", at.file, at.line)
}

fn describe(report: &Report, f: &Finding) -> String {
    format!("{} {} {:?}: {}", f.rule.code, place(report, f.loc), f.construct_path, f.message)
}

#[test]
fn each_broken_construct_is_found_with_its_construct_path_and_app_source_line() {
    let report = app_report();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let all: Vec<String> = report.findings.iter().map(|f| describe(&report, f)).collect();
    assert_eq!(report.findings.len(), EXPECTED.len(), "{all:#?}");
    for e in EXPECTED {
        let found = report.findings.iter().find(|f| {
            let at = Location::of(&report.files, f.loc);
            f.rule.code == e.rule && at.file == e.file && at.line == e.line
        });
        let Some(f) = found else { panic!("no {} at {}:{}; found {all:#?}", e.rule, e.file, e.line) };
        assert_eq!(f.construct_path.as_deref(), Some(e.construct_path), "{}", describe(&report, f));
        let related: Vec<String> = f.related.iter().map(|r| place(&report, r.loc)).collect();
        let (app_file, app_line, app_text) = e.app_source;
        let mut wanted: Vec<String> = e.related.iter().map(|r| r.to_string()).collect();
        wanted.push(format!("{app_file}:{app_line}"));
        wanted.sort();
        let mut got = related.clone();
        got.sort();
        assert_eq!(got, wanted, "{}", describe(&report, f));
        let app =
            f.related.iter().find(|r| place(&report, r.loc) == format!("{app_file}:{app_line}")).unwrap();
        let file = &report.files[app.loc.file];
        let text = &file.text[app.loc.span.start..app.loc.span.end];
        assert!(text.contains(app_text), "{app_file}:{app_line} reads {text:?}");
        let name = e.construct_path.trim_end_matches("/Resource");
        assert_eq!(app.message, format!("`{name}` is created here in the CDK app"));
    }
}

#[test]
fn correct_constructs_get_no_finding() {
    let report = app_report();
    let on_correct: Vec<String> = report
        .findings
        .iter()
        .filter(|f| {
            let path = f.construct_path.as_deref().unwrap_or("");
            // The IdentityPool L2 construct, WebIdentityPrincipal, FederatedPrincipal given its
            // action, the nested stack's authenticated role, the shared role where it is trusted.
            path.starts_with("CorrectStack/")
                || path.starts_with("BrokenStack/L2Pool/")
                || path.starts_with("BrokenStack/AuthRole/")
                || path.starts_with("NestedParentStack/Roles/NestedAuthRole/")
                || path.starts_with("ConsumerStack/AppPoolRoles")
        })
        .map(|f| describe(&report, f))
        .collect();
    assert!(on_correct.is_empty(), "{on_correct:#?}");
    // No role is left unresolved: nested stacks and cross-stack references are linked.
    assert!(report.findings.iter().all(|f| f.rule.code != "CT202"));
}

#[test]
fn metadata_added_with_add_metadata_suppresses_with_its_reason() {
    let report = app_report();
    let [s] = report.suppressed.as_slice() else { panic!("{:?}", report.suppressed.len()) };
    assert_eq!(s.finding.rule.code, "CT209");
    assert_eq!(s.finding.construct_path.as_deref(), Some("CorrectStack/RumPool"));
    assert_eq!(s.kind, "metadata");
    assert_eq!(s.reason, "CloudWatch RUM's web client uses the basic flow");
}

#[test]
fn assembly_files_are_not_templates() {
    let report = app_report();
    // Five stacks and one nested stack; manifest.json, tree.json, *.assets.json,
    // *.metadata.json and validation-report.json are skipped silently.
    assert_eq!(report.summary.templates, 6, "{:?}", report.summary);
    assert!(report.errors.is_empty());
}

#[test]
fn every_output_format_carries_the_construct_path() {
    let report = app_report();
    let path = "BrokenStack/GuestRole/Resource";

    let json: serde_json::Value = serde_json::from_str(&json::render(&report)).unwrap();
    let finding = json["findings"].as_array().unwrap().iter().find(|f| f["rule"] == "CT103").unwrap();
    assert_eq!(finding["construct_path"], path);
    let related: Vec<&str> = finding["related"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["location"]["file"].as_str().unwrap())
        .collect();
    assert!(related.contains(&"lib/broken-stack.ts"), "{related:?}");

    let log: serde_json::Value = serde_json::from_str(&sarif::render(&report)).unwrap();
    let result =
        log["runs"][0]["results"].as_array().unwrap().iter().find(|r| r["ruleId"] == "CT103").unwrap();
    assert_eq!(result["properties"]["constructPath"], path);
    assert_eq!(result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"], path);
    let uris: Vec<&str> = result["relatedLocations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap())
        .collect();
    assert!(uris.contains(&"lib/broken-stack.ts"), "{uris:?}");

    let annotations = github::render(&report);
    let line = annotations.lines().find(|l| l.contains("CT103")).unwrap();
    assert!(line.contains(&format!("%0Aconstruct path: {path}")), "{line}");
    assert!(line.contains("lib/broken-stack.ts:22:23: `BrokenStack/GuestRole` is created here"), "{line}");

    let text = human::render(&report, false);
    assert!(text.contains(&format!("construct path: {path}")), "{text}");
    assert!(text.contains("╭─[lib/broken-stack.ts:22:23]"), "{text}");
}

#[test]
fn scanning_the_app_folder_finds_the_same() {
    // package.json, tsconfig.json and cdk.json are not templates; node_modules is not walked.
    let from_app = scan_in(&app_dir(), &app_dir());
    assert!(from_app.errors.is_empty(), "{:?}", from_app.errors);
    let key = |r: &Report| {
        let mut v: Vec<String> = r.findings.iter().map(|f| describe(r, f)).collect();
        v.sort();
        v
    };
    assert_eq!(key(&from_app), key(&app_report()));
}

/// Copies the app's sources and cdk.out to a temporary folder, letting `edit` change the
/// assembly's JSON files on the way.
fn copy_app(edit: impl Fn(&str, serde_json::Value) -> serde_json::Value) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["lib", "bin", "cdk.out"] {
        let to = dir.path().join(sub);
        std::fs::create_dir_all(&to).unwrap();
        for entry in std::fs::read_dir(app_dir().join(sub)).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&path).unwrap();
            // Files the edit leaves alone keep their text, and so their line numbers.
            let text = match serde_json::from_str::<serde_json::Value>(&text) {
                Ok(value) if name.ends_with(".json") => {
                    let edited = edit(&name, value.clone());
                    if edited == value { text } else { serde_json::to_string_pretty(&edited).unwrap() }
                }
                _ => text,
            };
            std::fs::write(to.join(name), text).unwrap();
        }
    }
    dir
}

#[test]
fn construct_paths_come_from_the_manifest_when_templates_lack_them() {
    // `cdk synth --no-path-metadata`: no `aws:cdk:path` in the templates.
    let dir = copy_app(|name, mut value| {
        if name.ends_with(".template.json") {
            for res in value["Resources"].as_object_mut().unwrap().values_mut() {
                if let Some(meta) = res.get_mut("Metadata").and_then(|m| m.as_object_mut()) {
                    meta.remove("aws:cdk:path");
                }
            }
        }
        value
    });
    let report = scan_in(dir.path(), &dir.path().join("cdk.out"));
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let ct103 = report.findings.iter().find(|f| f.rule.code == "CT103").unwrap();
    assert_eq!(ct103.construct_path.as_deref(), Some("BrokenStack/GuestRole/Resource"));
    assert!(ct103.related.iter().any(|r| place(&report, r.loc) == "lib/broken-stack.ts:22"));
}

#[test]
fn nested_stacks_are_linked_through_the_asset_manifest() {
    // Without the asset manifests the parent's TemplateURL names only `<hash>.json`.
    let dir = copy_app(|_, value| value);
    for entry in std::fs::read_dir(dir.path().join("cdk.out")).unwrap() {
        let path = entry.unwrap().path();
        if path.to_string_lossy().ends_with(".assets.json") {
            std::fs::remove_file(path).unwrap();
        }
    }
    let report = scan_in(dir.path(), &dir.path().join("cdk.out"));
    assert!(report.errors.is_empty(), "a missing asset manifest is no error: {:?}", report.errors);
    let rules: Vec<&str> = report.findings.iter().map(|f| f.rule.code).collect();
    assert!(rules.contains(&"CT202") && !rules.contains(&"CT109"), "{rules:?}");
    assert!(app_report().findings.iter().any(|f| f.rule.code == "CT109"));
}

#[test]
fn two_copies_of_an_assembly_link_each_nested_stack_to_its_own_parent() {
    // The nested template's asset key is a hash of its content: both copies have it.
    let root = tempfile::tempdir().unwrap();
    for copy in ["a", "b"] {
        let app = copy_app(|_, value| value);
        std::fs::rename(app.path(), root.path().join(copy)).unwrap();
    }
    let report = scan_in(root.path(), root.path());
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let mut ct109: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.rule.code == "CT109")
        .map(|f| f.related.iter().map(|r| place(&report, r.loc)).collect::<Vec<_>>().join(" "))
        .collect();
    ct109.sort();
    assert_eq!(
        ct109,
        [
            "a/cdk.out/NestedParentStack.template.json:54 a/lib/nested-stack.ts:26",
            "b/cdk.out/NestedParentStack.template.json:54 b/lib/nested-stack.ts:26"
        ]
    );
}

const OLD_TEMPLATE: &str = r#"{
 "Resources": {
  "Pool": {"Type": "AWS::Cognito::IdentityPool", "Properties": {"AllowUnauthenticatedIdentities": false}},
  "AuthRole": {
   "Type": "AWS::IAM::Role",
   "Properties": {"AssumeRolePolicyDocument": {"Statement": [{
     "Effect": "Allow", "Principal": {"Federated": "cognito-identity.amazonaws.com"},
     "Action": "sts:AssumeRole",
     "Condition": {"StringEquals": {"cognito-identity.amazonaws.com:aud": {"Ref": "Pool"}}}}]}}
  },
  "GuestRole": {
   "Type": "AWS::IAM::Role",
   "Properties": {"AssumeRolePolicyDocument": {"Statement": [{
     "Effect": "Allow", "Principal": {"Federated": "cognito-identity.amazonaws.com"},
     "Action": "sts:AssumeRole",
     "Condition": {"StringEquals": {"cognito-identity.amazonaws.com:aud": {"Ref": "Pool"}}}}]}}
  },
  "Roles": {
   "Type": "AWS::Cognito::IdentityPoolRoleAttachment",
   "Properties": {"IdentityPoolId": {"Ref": "Pool"},
     "Roles": {"authenticated": {"Fn::GetAtt": ["AuthRole", "Arn"]}, "unauthenticated": {"Fn::GetAtt": ["GuestRole", "Arn"]}}}
  }
 }
}
"#;

#[test]
fn older_assemblies_trace_the_logical_id_entry_and_traces_stay_in_the_app() {
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("app");
    std::fs::create_dir_all(app.join("cdk.out")).unwrap();
    std::fs::create_dir_all(app.join("lib")).unwrap();
    std::fs::write(app.join("lib/stack.ts"), "// stack\nconst role = new iam.Role(this, 'AuthRole', {\n")
        .unwrap();
    let outside = dir.path().join("secret.ts");
    std::fs::write(&outside, "const secret = 'do not show';\n").unwrap();
    let stack_ts = app.join("lib/stack.ts");
    let manifest = serde_json::json!({
        "version": "21.0.0",
        "artifacts": {"S": {
            "type": "aws:cloudformation:stack",
            "properties": {"templateFile": "S.template.json"},
            "metadata": {
                "/S/AuthRole/Resource": [{"type": "aws:cdk:logicalId", "data": "AuthRole", "trace": [
                    format!("new Role ({}/node_modules/aws-cdk-lib/aws-iam/lib/role.js:1:1)", app.display()),
                    format!("new S ({}:2:14)", stack_ts.display()),
                ]}],
                "/S/GuestRole/Resource": [{"type": "aws:cdk:logicalId", "data": "GuestRole", "trace": [
                    format!("new S ({}:1:1)", outside.display()),
                ]}],
            },
        }},
    });
    std::fs::write(app.join("cdk.out/manifest.json"), manifest.to_string()).unwrap();
    std::fs::write(app.join("cdk.out/S.template.json"), OLD_TEMPLATE).unwrap();
    let report = scan_in(&app, &app.join("cdk.out"));
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let on =
        |name: &str| report.findings.iter().find(|f| f.rule.code == "CT103" && f.resource == name).unwrap();
    let auth = on("AuthRole");
    assert_eq!(auth.construct_path.as_deref(), Some("S/AuthRole/Resource"));
    let app_line = auth.related.iter().find(|r| report.files[r.loc.file].display == "lib/stack.ts").unwrap();
    let file = &report.files[app_line.loc.file];
    assert_eq!(
        &file.text[app_line.loc.span.start..app_line.loc.span.end],
        "new iam.Role(this, 'AuthRole', {"
    );
    // A trace that leaves the app's folder is not followed.
    let guest = on("GuestRole");
    assert!(guest.related.iter().all(|r| !report.files[r.loc.file].display.ends_with("secret.ts")));
    assert!(report.files.iter().all(|f| !f.text.contains("do not show")));
}

#[test]
fn a_broken_manifest_is_an_error_with_its_place() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("manifest.json"),
        "{\"version\": \"21.0.0\", \"artifacts\": {\"S\": {\"type\": \"aws:cloudformation:stack\",\n  oops}}}\n",
    )
    .unwrap();
    // A web app manifest is not an assembly and is skipped silently.
    let other = tempfile::tempdir().unwrap();
    std::fs::write(other.path().join("manifest.json"), "{\"name\": \"app\", \"icons\": [\n").unwrap();
    assert!(scan_in(other.path(), other.path()).errors.is_empty());

    let report = scan_in(dir.path(), dir.path());
    let [e] = report.errors.as_slice() else { panic!("{:?}", report.errors) };
    assert_eq!(e.path.as_deref(), Some("manifest.json"));
    assert!(e.message.starts_with("cannot read the CDK cloud assembly manifest"), "{}", e.message);
    let (file, span) = e.place.unwrap();
    let at = report.files[file].lines.line_col(&report.files[file].text, span.start);
    assert_eq!(at.line, 2);
}

#[test]
fn cdk_snapshots_of_the_corpus_give_no_error_or_warning() {
    for repo in ["awslabs__aws-solutions-constructs", "aws__aws-cdk"] {
        let Some(dir) = common::shared(&format!("corpus/cognito/{repo}")) else { continue };
        let report = scan_in(&dir, &dir);
        assert!(report.summary.templates > 0, "{repo}: {:?}", report.summary);
        assert!(report.errors.is_empty(), "{repo}: {:?}", report.errors);
        let serious: Vec<String> = report
            .findings
            .iter()
            .filter(|f| f.severity >= Severity::Warning)
            .map(|f| describe(&report, f))
            .collect();
        assert!(serious.is_empty(), "{repo}: {serious:#?}");
    }
}

#[test]
fn a_manifest_field_of_the_wrong_type_is_an_error_at_the_field() {
    // Only the fields cognitrust reads are typed; the rest of a newer schema is skipped.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("manifest.json"),
        "{\"version\": \"99.0.0\", \"future\": {\"x\": [1]}, \"artifacts\": {\n  \"S\": {\"type\": \
         \"aws:cloudformation:stack\",\n    \"properties\": {\"templateFile\": 3}}}}\n",
    )
    .unwrap();
    let report = scan_in(dir.path(), dir.path());
    let [e] = report.errors.as_slice() else { panic!("{:?}", report.errors) };
    assert_eq!(e.path.as_deref(), Some("manifest.json"));
    assert!(e.message.contains("invalid type: integer `3`, expected a string"), "{}", e.message);
    let (file, span) = e.place.unwrap();
    assert_eq!(report.files[file].lines.line_col(&report.files[file].text, span.start).line, 3);
}

#[test]
fn an_ignored_cdk_out_beside_cdk_json_is_still_scanned() {
    // CDK's default .gitignore lists cdk.out: the synthesized templates are what gets deployed.
    let dir = copy_app(|_, v| v);
    std::fs::copy(app_dir().join("cdk.json"), dir.path().join("cdk.json")).unwrap();
    std::fs::write(dir.path().join(".gitignore"), "cdk.out\nnode_modules\n").unwrap();
    let report = scan_in(dir.path(), dir.path());
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let mut found: Vec<String> = report.findings.iter().map(|f| describe(&report, f)).collect();
    let mut expected: Vec<String> =
        app_report().findings.iter().map(|f| describe(&app_report(), f)).collect();
    found.sort();
    expected.sort();
    assert!(!found.is_empty());
    assert_eq!(found, expected);
    // Without a cdk.json beside it, an ignored cdk.out stays ignored.
    std::fs::remove_file(dir.path().join("cdk.json")).unwrap();
    assert!(scan_in(dir.path(), dir.path()).findings.is_empty());
}
