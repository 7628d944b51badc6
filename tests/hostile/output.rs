//! Output that cannot be turned against its reader: text from a template never becomes a
//! workflow command in a CI log or a control sequence on a terminal, in any format, and the human
//! report neither panics nor grows with findings times lines.

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use cognitrust::report::{github, human, json, sarif};
use serde_json::Value;

use super::{GOOD, scan_dir};

/// A role whose logical ID holds CR, ESC, a bidi override and a C1 CSI, between two comments
/// holding workflow commands and a colour sequence, on the lines around its finding (CT105).
const EVIL: &str = "AWSTemplateFormatVersion: \"2010-09-09\"
Resources:
  Pool:
    Type: AWS::Cognito::IdentityPool
    Properties:
      AllowUnauthenticatedIdentities: false
  \"Role\\r::add-mask::secret\\e[2J\\u202e\\x9b\":
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            # ::add-mask::x ##[warning]y \u{1b}[31mred\u{1b}[0m \u{202e}
            Principal: {Federated: cognito-identity.amazonaws.com}
            # ::add-mask::x ##[warning]y \u{1b}[31mred\u{1b}[0m
            Action: sts:AssumeRoleWithWebIdentity
  Roles:
    Type: AWS::Cognito::IdentityPoolRoleAttachment
    Properties:
      IdentityPoolId: !Ref Pool
      Roles:
        authenticated: !GetAtt \"Role\\r::add-mask::secret\\e[2J\\u202e\\x9b.Arn\"
";

/// The role's name as the template spells it, unescaped.
const EVIL_NAME: &str = "Role\r::add-mask::secret\u{1b}[2J\u{202e}\u{9b}";

/// A file name that starts a workflow command on its second line and clears the screen.
const EVIL_FILE: &str = "evil\n::warning::pwned\u{1b}[2J.yaml";

/// Runs `f` on a thread; fails if it has not finished within `seconds`. A watchdog against a
/// hang or a quadratic blow-up, generous enough never to fail a slow machine that works.
fn within<T: Send + 'static>(seconds: u64, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(Duration::from_secs(seconds)) {
        Ok(value) => value,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("did not finish within {seconds} s"),
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("panicked (see above)"),
    }
}

/// The lines of `text` that GitHub's runner would read as a command: `::name …` or `##[name]…`
/// after leading blanks.
fn command_lines(text: &str) -> Vec<&str> {
    text.split('\n')
        .filter(|l| {
            let t = l.trim_start();
            t.starts_with("::") || t.starts_with("##[")
        })
        .collect()
}

/// `text` without the SGR colour sequences (`ESC [ digits ; m`) the renderer itself writes.
fn without_colours(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('\u{1b}') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let params = after.strip_prefix('[').map(|p| p.find(|c: char| !c.is_ascii_digit() && c != ';'));
        match params {
            Some(Some(end)) if after[1 + end..].starts_with('m') => rest = &after[2 + end..],
            // Not a colour: keep the ESC, so the caller sees it.
            _ => {
                out.push('\u{1b}');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Characters no report may hold raw: CR, ESC, C1 controls, bidi controls.
fn raw_controls(text: &str) -> Vec<char> {
    text.chars()
        .filter(|c| matches!(c, '\r' | '\u{1b}' | '\u{80}'..='\u{9f}' | '\u{202a}'..='\u{202e}'))
        .collect()
}

fn evil_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("good.yaml"), GOOD).expect("write");
    std::fs::write(dir.path().join(EVIL_FILE), EVIL).expect("write a file name with a newline");
    dir
}

#[test]
fn template_text_never_becomes_a_workflow_command_or_a_terminal_control() {
    let dir = evil_dir();
    let report = scan_dir(dir.path());
    let evil: Vec<&str> = report
        .findings
        .iter()
        .filter(|f| report.files[f.loc.file].display == EVIL_FILE)
        .map(|f| f.rule.code)
        .collect();
    assert_eq!(evil, ["CT105"], "the evil template is analysed: {:?}", report.errors);

    let plain = human::render(&report, false);
    let coloured = human::render(&report, true);
    let annotations = github::render(&report);
    let sarif = sarif::render(&report);
    let json = json::render(&report);
    for (format, text) in [("human", &plain), ("github", &annotations), ("sarif", &sarif), ("json", &json)] {
        assert_eq!(raw_controls(text), Vec::<char>::new(), "{format}:\n{text}");
    }
    assert_eq!(
        raw_controls(&without_colours(&coloured)),
        Vec::<char>::new(),
        "human with colour:\n{coloured}"
    );
    assert!(coloured.contains('\u{1b}'), "--color always still colours the report");
    for (format, text) in
        [("human", &plain), ("human with colour", &coloured), ("sarif", &sarif), ("json", &json)]
    {
        assert_eq!(command_lines(text), Vec::<&str>::new(), "{format}:\n{text}");
    }
    // Every line of the github format is one annotation, whose properties hold no `:` (the
    // runner reads them up to the first `::`).
    for line in annotations.lines() {
        let (head, _) = line[2..].split_once("::").unwrap_or_else(|| panic!("not a command: {line}"));
        assert!(["error ", "warning ", "notice "].iter().any(|n| head.starts_with(n)), "{line}");
        assert!(!head.contains(':'), "{line}");
    }

    // What was escaped is shown, not dropped.
    assert!(plain.contains("[evil\\u{a}::warning::pwned\\u{1b}[2J.yaml:14:36]"), "{plain}");
    assert!(plain.contains("# ::add-mask::x ##[warning]y \\u{1b}[31mred\\u{1b}[0m \\u{202e}"), "{plain}");
    assert!(plain.contains("role `Role\\u{d}::add-mask::secret\\u{1b}[2J\\u{202e}\\u{9b}`"), "{plain}");
    assert!(annotations.contains("::error file=evil\\u{a}%3A%3Awarning%3A%3Apwned\\u{1b}[2J.yaml,line=14,"));
    let log: Value = serde_json::from_str(&sarif).expect("SARIF");
    let text = log["runs"][0]["results"].as_array().expect("results").iter().find_map(|r| {
        let text = r["message"]["text"].as_str()?;
        text.contains("Role").then(|| text.to_string())
    });
    // SARIF text escapes `[` and backslashes, so code scanning shows `secret\u{1b}[2J…`.
    assert!(
        text.is_some_and(|t| t.contains(r"secret\\u{1b}\[2J\\u{202e}\\u{9b}")),
        "visible in code scanning"
    );
    // The machine formats keep the data: the JSON still decodes to the name the template wrote.
    let parsed: Value = serde_json::from_str(&json).expect("JSON");
    assert!(parsed["findings"].as_array().expect("findings").iter().any(|f| f["resource"] == EVIL_NAME));
}

#[test]
fn a_lone_cr_ends_its_line_and_never_reaches_the_output_raw() {
    // YAML reads a lone CR as a line break, and so does the line index: the snippet of the
    // error shows two lines, and no CR reaches the terminal or the log.
    let dir = tempfile::tempdir().expect("tempdir");
    let text = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  # hidden\rX: [\n";
    std::fs::write(dir.path().join("cr.yaml"), text).expect("write");
    let report = scan_dir(dir.path());
    assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
    let plain = human::render(&report, false);
    assert!(plain.contains("4 │ X: ["), "the CR ended line 3: {plain}");
    assert_eq!(raw_controls(&plain), Vec::<char>::new(), "{plain}");
}

/// A minified one-line JSON template of about 71 KB whose role has no Condition (CT105).
fn one_line_template(description: usize) -> String {
    let role = r#""AuthRole":{"Type":"AWS::IAM::Role","Properties":{"AssumeRolePolicyDocument":{"Statement":[{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity"}]}}}"#;
    format!(
        r#"{{"AWSTemplateFormatVersion":"2010-09-09","Description":"{}","Resources":{{"Pool":{{"Type":"AWS::Cognito::IdentityPool","Properties":{{"AllowUnauthenticatedIdentities":false}}}},{role},"Roles":{{"Type":"AWS::Cognito::IdentityPoolRoleAttachment","Properties":{{"IdentityPoolId":{{"Ref":"Pool"}},"Roles":{{"authenticated":{{"Fn::GetAtt":["AuthRole","Arn"]}}}}}}}}}}}}"#,
        "x".repeat(description)
    )
}

#[test]
fn a_71_kb_one_line_template_renders_a_window_of_its_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = one_line_template(70_000);
    assert!(text.len() > 70_000 && !text.contains('\n'));
    std::fs::write(dir.path().join("min.json"), &text).expect("write");
    let report = scan_dir(dir.path());
    let [finding] = &report.findings[..] else { panic!("{:?}", report.findings) };
    let at = cognitrust::report::Location::of(&report.files, finding.loc);
    assert!(at.column > 70_000, "the role is past the description: {at:?}");

    let plain = human::render(&report, false);
    assert!(plain.contains(&format!("[min.json:1:{}]", at.column)), "the file's own column:\n{plain}");
    assert!(
        plain.contains(" 1 │ …") && plain.contains("\"Federated\":\"cognito-identity.amazonaws.com\""),
        "{plain}"
    );
    assert!(plain.contains("trusted without conditions"), "{plain}");
    assert!(!plain.contains(&"x".repeat(200)), "the description is not shown whole");
    assert!(plain.len() < 8_000, "{} bytes:\n{plain}", plain.len());
}

/// One template with `roles` roles that lack a Condition (CT105 each), each attached to the same
/// pool by an attachment of its own (CT203 for each but the first); the roles come first, then
/// the attachments, so each finding's two places are thousands of lines apart.
fn many_findings(roles: usize) -> String {
    let mut t = String::from(
        "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  Pool:\n    Type: AWS::Cognito::IdentityPool\n    Properties:\n      AllowUnauthenticatedIdentities: false\n",
    );
    for i in 0..roles {
        t.push_str(&format!(
            "  Role{i}:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        Statement:\n          - Effect: Allow\n            Principal: {{Federated: cognito-identity.amazonaws.com}}\n            Action: sts:AssumeRoleWithWebIdentity\n"
        ));
    }
    for i in 0..roles {
        t.push_str(&format!(
            "  Attach{i}:\n    Type: AWS::Cognito::IdentityPoolRoleAttachment\n    Properties:\n      IdentityPoolId: !Ref Pool\n      Roles:\n        authenticated: !GetAtt Role{i}.Arn\n"
        ));
    }
    t
}

#[test]
fn two_thousand_findings_give_a_bounded_report() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("good.yaml"), GOOD).expect("write");
    std::fs::write(dir.path().join("many.yaml"), many_findings(1_000)).expect("write");
    let path = dir.path().to_path_buf();
    let (total, plain) = within(300, move || {
        let report = scan_dir(&path);
        (report.findings.len(), human::render(&report, false))
    });
    assert_eq!(total, 2_000, "1,000 CT105, 999 CT203 and good.yaml's CT106");
    assert!(plain.len() < 5_000_000, "{} bytes", plain.len());
    let full = plain.lines().filter(|l| l.starts_with("CT") && !l.contains(':')).count();
    assert_eq!(full, 100, "full reports");
    assert!(
        plain.contains("only the first 100 findings are shown in full; the next are listed one per line")
    );
    let listed = plain.lines().filter(|l| l.contains(".yaml:") && l.contains(": CT")).count();
    assert_eq!(listed, 900, "one-line entries");
    assert!(
        plain.contains(
            "… and 1000 more findings not shown: `--format json` or `--format sarif` lists them all"
        )
    );
    let summary = plain.lines().rev().find(|l| l.contains(" findings (")).unwrap_or_default();
    assert!(
        summary.starts_with("2000 findings (2000 errors, 0 warnings, 0 notes) in 2 templates"),
        "{summary}"
    );
}

#[test]
fn a_long_name_is_cut_in_the_human_report_and_kept_in_json() {
    // JSON, since YAML caps an implicit key at 1,024 characters.
    let name = "R".repeat(50_000);
    let template = one_line_template(10).replace("AuthRole", &name);
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("long.json"), template).expect("write");
    let report = scan_dir(dir.path());
    assert_eq!(report.findings.len(), 1, "{:?}", report.errors);
    let plain = human::render(&report, false);
    // Cut, and said to be: the marker may wrap onto the next line, since words are never broken.
    assert!(plain.contains("…") && plain.contains("(49"), "{}", &plain[..500.min(plain.len())]);
    assert!(plain.len() < 20_000, "{} bytes", plain.len());
    let parsed: Value = serde_json::from_str(&json::render(&report)).expect("JSON");
    assert_eq!(parsed["findings"][0]["resource"], name.as_str());
}

#[test]
fn a_config_error_shows_its_snippet_escaped() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join(".git")).expect("mark the repository root");
    std::fs::write(dir.path().join("good.yaml"), GOOD).expect("write");
    // TOML refuses a raw control character in a string: the error points at this line.
    std::fs::write(dir.path().join("cognitrust.toml"), "fail-on = \"\u{1b}[2J\u{202e}\"\n").expect("write");
    let out = run(dir.path(), &["scan"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("config-error"), "{stderr}");
    assert!(stderr.contains("\\u{1b}[2J\\u{202e}"), "{stderr}");
    assert_eq!(raw_controls(&stderr), Vec::<char>::new(), "{stderr}");
}

fn run(dir: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_cognitrust"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run cognitrust")
}

#[test]
fn terraform_text_quoted_in_messages_is_escaped() {
    // A remote module source and a `format` spec, both quoted in messages (CT202, CT901), that
    // hold ESC, a newline and a workflow command.
    let text = "module \"iam\" {\n  source = \"evil/\\u001b[31mred\\n::error::injected\"\n}\n\
                resource \"aws_cognito_identity_pool_roles_attachment\" \"a\" {\n  identity_pool_id = \"us-east-1:x\"\n  roles = { authenticated = module.iam.arn }\n}\n\
                resource \"aws_iam_role\" \"r\" {\n  assume_role_policy = jsonencode({ Statement = [{ Effect = \"Allow\", Principal = { Federated = \"cognito-identity.amazonaws.com\" }, Action = \"sts:AssumeRoleWithWebIdentity\", Condition = { StringEquals = { \"cognito-identity.amazonaws.com:aud\" = format(\"%q\\u001b\\n::warning::x\", \"a\") } } }] })\n}\n";
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("main.tf"), text).expect("write");
    let report = scan_dir(dir.path());
    let quoted: Vec<&str> = report.findings.iter().map(|f| f.message.as_str()).collect();
    assert!(quoted.iter().any(|m| m.contains("::error::injected")), "{quoted:?}");
    let human = human::render(&report, false);
    assert!(!human.contains('\u{1b}'), "{human}");
    assert!(human.contains("\\u{1b}") && human.contains("\\u{a}::error::injected"), "{human}");
    let annotations = github::render(&report);
    let commands: Vec<&str> = annotations.lines().filter(|l| l.trim_start().starts_with("::")).collect();
    assert_eq!(commands.len(), report.findings.len(), "{annotations}");
    // Every command is one of ours, one per finding: the text quoted is inside it.
    let ours =
        |l: &&str| ["::error file=", "::warning file=", "::notice file="].iter().any(|p| l.starts_with(p));
    assert!(commands.iter().all(ours), "{annotations}");
}
