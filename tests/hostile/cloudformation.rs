//! Hostile CloudFormation: recursion through mappings, conditions, nested stacks and imports is
//! bounded and cycle-checked; conditions and variants cost polynomial time; a limit that is hit
//! is a CT901 finding and never a silent drop.

use super::{GOOD, assert_good_still_scanned, findings, scan_files};

/// A pool, a role trusting it as `AuthRole`, and an attachment, around `role_props` (the role's
/// properties, indented by six spaces) and `extra` top-level sections.
fn template(extra: &str, role_props: &str) -> String {
    format!(
        r#"AWSTemplateFormatVersion: "2010-09-09"
{extra}Resources:
  Pool:
    Type: AWS::Cognito::IdentityPool
    Properties:
      AllowUnauthenticatedIdentities: false
  AuthRole:
    Type: AWS::IAM::Role
    Properties:
{role_props}  Att:
    Type: AWS::Cognito::IdentityPoolRoleAttachment
    Properties:
      IdentityPoolId: !Ref Pool
      Roles:
        authenticated: !GetAtt AuthRole.Arn
"#
    )
}

/// A correct Cognito trust statement as a flow map.
const STATEMENT: &str = r#"{Effect: Allow, Principal: {Federated: cognito-identity.amazonaws.com}, Action: sts:AssumeRoleWithWebIdentity, Condition: {StringEquals: {"cognito-identity.amazonaws.com:aud": !Ref Pool}, "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": authenticated}}}"#;

/// The same statement trusting `Service` instead of `Federated` (CT102 when it is the only one).
fn service_statement() -> String {
    STATEMENT.replace("{Federated:", "{Service:")
}

/// The same statement without its `aud` condition (CT106, wherever it stands).
fn statement_without_aud() -> String {
    STATEMENT.replace(r#"StringEquals: {"cognito-identity.amazonaws.com:aud": !Ref Pool}, "#, "")
}

fn parameters_and_conditions(n: usize) -> String {
    let mut out = String::from("Parameters:\n");
    for i in 0..n {
        out.push_str(&format!("  P{i}: {{Type: String}}\n"));
    }
    out.push_str("Conditions:\n");
    for i in 0..n {
        out.push_str(&format!("  C{i}: !Equals [!Ref P{i}, \"yes\"]\n"));
    }
    out
}

#[test]
fn a_mapping_that_maps_to_itself_is_an_error_not_a_stack_overflow() {
    let role = "      RoleName: !FindInMap [M, a, b]\n      AssumeRolePolicyDocument:\n        Statement:\n          - ";
    let text =
        template("Mappings:\n  M:\n    a:\n      b: !FindInMap [M, a, b]\n", &format!("{role}{STATEMENT}\n"));
    let (_dir, report) = scan_files(&[("good.yaml", GOOD.into()), ("map.yaml", text)]);
    assert_good_still_scanned(&report);
    let [error] = &report.errors[..] else { panic!("{:?}", report.errors) };
    assert!(error.message.contains("mapping value `M.a.b` must be a string"), "{}", error.message);
    let (file, span) = error.place.expect("a place");
    let f = &report.files[file];
    assert_eq!((f.display.as_str(), f.lines.line_col(&f.text, span.start).line), ("map.yaml", 5));
}

#[test]
fn a_wrong_principal_beside_six_harmless_conditions_is_found() {
    // The principal's `Fn::If` comes first and six `Fn::If`s follow in the tags: 128 shapes of
    // the properties, of which the first 64 all took the correct branch.
    let mut role = format!(
        "      AssumeRolePolicyDocument:\n        Statement:\n          - !If [C0, {}, {STATEMENT}]\n      Tags:\n",
        service_statement()
    );
    for i in 1..7 {
        role.push_str(&format!("        - {{Key: k{i}, Value: !If [C{i}, a, b]}}\n"));
    }
    let (_dir, report) = scan_files(&[("t.yaml", template(&parameters_and_conditions(7), &role))]);
    assert_eq!(findings(&report), [("CT102", "t.yaml".into(), 28)], "{:?}", report.findings);
}

#[test]
fn a_wrong_principal_among_many_conditional_statements_is_found_and_the_sampling_said() {
    // Eight conditional statements in the trust itself: 256 combinations. Each branch still
    // appears in a checked combination, so the statement without `aud` is found, and CT901
    // says that not every combination was checked.
    let mut role = String::from("      AssumeRolePolicyDocument:\n        Statement:\n");
    for i in 0..8 {
        let chosen = if i == 5 { statement_without_aud() } else { STATEMENT.to_string() };
        role.push_str(&format!("          - !If [C{i}, {chosen}, {STATEMENT}]\n"));
    }
    let (_dir, report) = scan_files(&[("t.yaml", template(&parameters_and_conditions(8), &role))]);
    assert_eq!(findings(&report), [("CT106", "t.yaml".into(), 35), ("CT901", "t.yaml".into(), 25)]);
}

#[test]
fn conditions_of_many_comparisons_in_every_resource_cost_polynomial_time() {
    // Each condition an `Fn::Or` of six comparisons, conditions in the pool, the role and the
    // attachment: the old expansion multiplied 64-way splits of each and cut them at 64,
    // dropping the guest-role amr mistake (CT109) and the classic flow (CT209).
    let mut extra = String::from("Parameters:\n");
    for i in 0..48 {
        extra.push_str(&format!("  P{i}: {{Type: String}}\n"));
    }
    extra.push_str("Conditions:\n");
    for k in 0..8 {
        let atoms: Vec<String> = (0..6).map(|i| format!("!Equals [!Ref P{}, x]", 6 * k + i)).collect();
        extra.push_str(&format!("  C{k}: !Or [{}]\n", atoms.join(", ")));
    }
    let text = format!(
        r#"AWSTemplateFormatVersion: "2010-09-09"
{extra}Resources:
  Pool:
    Type: AWS::Cognito::IdentityPool
    Properties:
      AllowUnauthenticatedIdentities: !If [C0, true, false]
      AllowClassicFlow: !If [C1, true, false]
      DeveloperProviderName: !If [C7, a, b]
  AuthRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {{Federated: cognito-identity.amazonaws.com}}
            Action: !If [C2, sts:AssumeRoleWithWebIdentity, sts:AssumeRole]
            Condition:
              StringEquals: {{"cognito-identity.amazonaws.com:aud": !If [C3, !Ref Pool, !Ref Pool]}}
              "ForAnyValue:StringLike": {{"cognito-identity.amazonaws.com:amr": !If [C4, authenticated, authenticated]}}
  Att:
    Type: AWS::Cognito::IdentityPoolRoleAttachment
    Properties:
      IdentityPoolId: !Ref Pool
      Roles:
        authenticated: !If [C5, !GetAtt AuthRole.Arn, !GetAtt AuthRole.Arn]
        unauthenticated: !If [C6, !GetAtt AuthRole.Arn, !GetAtt AuthRole.Arn]
"#
    );
    let (_dir, report) = scan_files(&[("t.yaml", text)]);
    let rules: std::collections::BTreeSet<&str> = report.findings.iter().map(|f| f.rule.code).collect();
    assert_eq!(rules.into_iter().collect::<Vec<_>>(), ["CT103", "CT109", "CT208", "CT209"]);
}

#[test]
fn twenty_thousand_statements_and_one_condition_are_expanded_in_linear_time() {
    // The statement list used to be copied once per statement: 5,000 statements took 16 s in a
    // release build and 20,000 did not finish. The conditional statement at the end holds a
    // mistake that must be found.
    let mut role = String::from("      AssumeRolePolicyDocument:\n        Statement:\n");
    for _ in 0..20_000 {
        role.push_str(&format!("          - {STATEMENT}\n"));
    }
    role.push_str(&format!("          - !If [C0, {}, !Ref AWS::NoValue]\n", statement_without_aud()));
    let (_dir, report) = scan_files(&[("t.yaml", template(&parameters_and_conditions(1), &role))]);
    assert_eq!(findings(&report), [("CT106", "t.yaml".into(), 20_016)]);
}

#[test]
fn circular_conditions_are_an_error_at_their_place() {
    let extra = "Parameters:\n  P: {Type: String}\nConditions:\n  A: !And [!Condition B, !Equals [!Ref P, x]]\n  B: !Or [!Condition A, !Equals [!Ref P, y]]\n";
    let role = format!(
        "      AssumeRolePolicyDocument:\n        Statement:\n          - !If [A, {STATEMENT}, {}]\n",
        service_statement()
    );
    let (_dir, report) = scan_files(&[("t.yaml", template(extra, &role))]);
    let [error] = &report.errors[..] else { panic!("{:?}", report.errors) };
    assert!(error.message.starts_with("circular conditions: `A` → `B` → `A`"), "{}", error.message);
    let (file, span) = error.place.expect("a place");
    let f = &report.files[file];
    assert_eq!(f.lines.line_col(&f.text, span.start).line, 6);
    // The rest of the template is still checked: both branches stay possible.
    assert_eq!(findings(&report), [("CT102", "t.yaml".into(), 17)]);
}

#[test]
fn an_export_in_two_templates_gives_findings_for_each() {
    // A dev and a prod copy of one stack export the same name: the import may be either, and a
    // mistake in both is reported in both, not turned into a note that nothing exports it.
    let exporter = |aud: &str| {
        format!(
            r#"AWSTemplateFormatVersion: "2010-09-09"
Resources:
  GuestRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {{Federated: cognito-identity.amazonaws.com}}
            Action: sts:AssumeRoleWithWebIdentity
            Condition:
              StringEquals: {{"cognito-identity.amazonaws.com:aud": "{aud}"}}
              "ForAnyValue:StringLike": {{"cognito-identity.amazonaws.com:amr": authenticated}}
Outputs:
  GuestArn:
    Value: !GetAtt GuestRole.Arn
    Export: {{Name: guest-role-arn}}
"#
        )
    };
    let importer = r#"AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Pool:
    Type: AWS::Cognito::IdentityPool
    Properties:
      AllowUnauthenticatedIdentities: true
  Att:
    Type: AWS::Cognito::IdentityPoolRoleAttachment
    Properties:
      IdentityPoolId: !Ref Pool
      Roles: {unauthenticated: !ImportValue guest-role-arn}
"#;
    let (_dir, report) = scan_files(&[
        ("app.yaml", importer.into()),
        ("dev/roles.yaml", exporter("us-east-1:11111111-2222-3333-4444-555555555555")),
        ("prod/roles.yaml", exporter("us-east-1:66666666-2222-3333-4444-555555555555")),
    ]);
    assert_eq!(
        findings(&report),
        [("CT109", "dev/roles.yaml".into(), 13), ("CT109", "prod/roles.yaml".into(), 13)]
    );
}

/// A template that nests `child` (a file name) as `Child`, passing `P: <value>`, and declares
/// its own `P`, which names a role of its own.
fn parent(child: &str, value: &str) -> String {
    format!(
        r#"AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  P: {{Type: String}}
Resources:
  Named:
    Type: AWS::IAM::Role
    Properties:
      RoleName: !Ref P
      AssumeRolePolicyDocument: {{Statement: [{{Effect: Allow, Principal: {{Service: lambda.amazonaws.com}}, Action: sts:AssumeRole}}]}}
  Child:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: ./{child}
      Parameters:
        P: {value}
"#
    )
}

#[test]
fn nested_stacks_that_nest_each_other_are_an_error_and_stay_small() {
    let value = format!("!Join [\"\", [{}]]", ["!Ref P"; 10].join(", "));
    let (_dir, report) =
        scan_files(&[("a.yaml", parent("b.yaml", &value)), ("b.yaml", parent("a.yaml", &value))]);
    assert!(
        report
            .errors
            .iter()
            .any(|e| e.message.contains("refers back to itself through nested-stack parameter `P`")),
        "{:?}",
        report.errors
    );
}

#[test]
fn nested_stack_parameters_that_fan_out_are_bounded_and_reported() {
    // Twenty stacks in a chain, each passing its child ten copies of its own parameter: the
    // role ARN at the bottom would be 10^20 parts long. It is evaluated once per stack, stops at
    // the size limit, and the slot it fills gets CT901.
    let value = format!("!Join [\"\", [{}]]", ["!Ref P"; 10].join(", "));
    let mut files: Vec<(String, String)> =
        (0..20).map(|i| (format!("s{i}.yaml"), parent(&format!("s{}.yaml", i + 1), &value))).collect();
    files.push((
        "s20.yaml".into(),
        r#"AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  P: {Type: String}
Resources:
  Pool:
    Type: AWS::Cognito::IdentityPool
    Properties:
      AllowUnauthenticatedIdentities: false
  Att:
    Type: AWS::Cognito::IdentityPoolRoleAttachment
    Properties:
      IdentityPoolId: !Ref Pool
      Roles:
        authenticated: !Ref P
"#
        .into(),
    ));
    let files: Vec<(&str, String)> = files.iter().map(|(n, t)| (n.as_str(), t.clone())).collect();
    let (_dir, report) = scan_files(&files);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let [finding] = &report.findings[..] else { panic!("{:?}", report.findings) };
    assert_eq!(finding.rule.code, "CT901");
    assert!(finding.message.contains("the role of a slot could not be evaluated"), "{}", finding.message);
}

#[test]
fn a_chain_of_imports_longer_than_followed_is_reported() {
    // Seventy stacks each re-export the previous one's export: past the chain limit the slot
    // is reported as not evaluated (CT901), not as a role nothing exports (CT202).
    let mut files = vec![(
        "e0.yaml".to_string(),
        template(
            "",
            &format!("      AssumeRolePolicyDocument:\n        Statement:\n          - {STATEMENT}\n"),
        )
        .replace("authenticated: !GetAtt AuthRole.Arn", "authenticated: !ImportValue e70")
            + "Outputs:\n  O:\n    Value: !GetAtt AuthRole.Arn\n    Export: {Name: e0}\n",
    )];
    for i in 1..=70 {
        files.push((
            format!("e{i}.yaml"),
            format!(
                "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  T:\n    Type: AWS::SNS::Topic\nOutputs:\n  O:\n    Value: !ImportValue e{}\n    Export: {{Name: e{i}}}\n",
                i - 1
            ),
        ));
    }
    let files: Vec<(&str, String)> = files.iter().map(|(n, t)| (n.as_str(), t.clone())).collect();
    let (_dir, report) = scan_files(&files);
    let found = findings(&report);
    assert_eq!(found, [("CT901", "e0.yaml".into(), 18)], "{:?}", report.findings);
    assert!(report.findings[0].message.contains("a chain of more than 64"), "{}", report.findings[0].message);
}

#[test]
fn import_names_are_matched_without_comparing_every_pair_in_full() {
    // 1,000 exports and 1,000 imports whose names agree at both ends and differ only between
    // two wildcards: comparing every pair with a table of name length squared took 245 s in a
    // release build. Each import is resolved to its own export, and the wrong principal of the
    // role behind them is found.
    let n = 1000;
    let pad = "x".repeat(120);
    let role = service_statement().replace("!Ref Pool", "us-east-1:11111111-2222-3333-4444-555555555555");
    let mut exports = format!(
        "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        Statement:\n          - {role}\nOutputs:\n"
    );
    for i in 0..n {
        exports.push_str(&format!(
            "  O{i}:\n    Value: !GetAtt Role.Arn\n    Export: {{Name: !Sub \"${{AWS::StackName}}-{pad}-{i}-${{AWS::Region}}-{pad}\"}}\n"
        ));
    }
    let mut imports = String::from("AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n");
    for i in 0..n {
        imports.push_str(&format!(
            "  A{i}:\n    Type: AWS::Cognito::IdentityPoolRoleAttachment\n    Properties:\n      IdentityPoolId: us-east-1:11111111-2222-3333-4444-555555555555\n      Roles: {{authenticated: !ImportValue \"roles-{pad}-{i}-us-east-1-{pad}\"}}\n"
        ));
    }
    let (_dir, report) = scan_files(&[("exports.yaml", exports), ("imports.yaml", imports)]);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let rules: std::collections::BTreeSet<&str> = report.findings.iter().map(|f| f.rule.code).collect();
    assert!(rules.contains("CT102"), "{rules:?}");
    assert!(!rules.contains("CT202") && !rules.contains("CT901"), "{rules:?}");
}

#[test]
#[ignore = "slow: 5 s in a debug build; .ci/run runs it"]
fn many_under_indented_quoted_scalars_are_read_in_linear_time() {
    // Inline code whose quoted continuation lines sit left of their key, as CloudFormation
    // accepts: 64 functions of 2,000 such lines. Each line used to shift the whole text, and
    // every span was mapped back through every insertion.
    let mut text = GOOD.to_string();
    for i in 0..64 {
        text.push_str(&format!(
            "  Fn{i}:\n    Type: AWS::Lambda::Function\n    Properties:\n      Code:\n        ZipFile: '\n"
        ));
        text.push_str(&" x = 1\n".repeat(2000));
        text.push_str("      '\n");
    }
    let (_dir, report) = scan_files(&[("t.yaml", text)]);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(findings(&report), [("CT106", "t.yaml".into(), 15)]);
}

#[test]
fn under_indented_flow_collections_past_the_budget_are_an_error_that_says_why() {
    // Each flow collection continued left of its key costs a re-parse of the whole file: 5,000
    // of them are past the budget, which ends the reading with an error, not a long wait.
    let mut text = GOOD.to_string();
    for i in 0..5000 {
        text.push_str(&format!(
            "  T{i}:\n    Type: AWS::SNS::Topic\n    Properties:\n      Tags: [{{Key: a,\n      Value: b}}]\n"
        ));
    }
    let (_dir, report) = scan_files(&[("good.yaml", GOOD.into()), ("t.yaml", text)]);
    let messages: Vec<&str> = report.errors.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(
        messages[0].contains("more places like this than cognitrust patches in one file"),
        "{messages:?}"
    );
    assert_eq!(findings(&report), [("CT106", "good.yaml".into(), 15)]);
}

#[test]
fn a_tab_after_every_colon_is_read_in_few_parses_and_wrong_guesses_are_undone() {
    // 20,000 `Key:<TAB>value` lines, as CloudFormation accepts, are patched by guesses from the
    // first; the 20,000 such lines of a block scalar are guesses that turn out wrong, which costs
    // one more reading, not one per line.
    let mut text = GOOD.to_string();
    text.push_str("  Script:\n    Type:\tAWS::SSM::Document\n    Properties:\n      Content: |\n");
    text.push_str(&"        key:\tvalue\n".repeat(20_000));
    text.push_str("  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      Tags:\n");
    for i in 0..20_000 {
        text.push_str(&format!("        - Key:\tk{i}\n          Value:\tv{i}\n"));
    }
    let (_dir, report) = scan_files(&[("t.yaml", text)]);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(findings(&report), [("CT106", "t.yaml".into(), 15)]);
}

#[test]
fn pools_and_roles_are_paired_without_comparing_every_pool_with_every_role() {
    // 3,000 pools with the basic flow, each trusted by its own role: which roles a pool could
    // hand out used to be asked of every role for every pool. The last pool is trusted by two
    // roles, which is a finding.
    let n = 3000;
    let role = |i: usize, pool: usize| {
        format!(
            "  Role{i}:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        Statement:\n          - {}\n",
            STATEMENT.replace("!Ref Pool", &format!("!Ref Pool{pool}"))
        )
    };
    let mut text = String::from("AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n");
    for i in 0..n {
        text.push_str(&format!(
            "  Pool{i}:\n    Type: AWS::Cognito::IdentityPool\n    Properties:\n      AllowUnauthenticatedIdentities: false\n      AllowClassicFlow: true\n"
        ));
        text.push_str(&role(i, i));
        text.push_str(&format!(
            "  Att{i}:\n    Type: AWS::Cognito::IdentityPoolRoleAttachment\n    Properties:\n      IdentityPoolId: !Ref Pool{i}\n      Roles:\n        authenticated: !GetAtt Role{i}.Arn\n"
        ));
    }
    text.push_str(&role(n, n - 1));
    let (_dir, report) = scan_files(&[("t.yaml", text)]);
    let [finding] = &report.findings[..] else { panic!("{:?}", report.findings) };
    assert_eq!(finding.rule.code, "CT209");
    assert!(finding.message.contains(&format!("`Role{}`, `Role{n}`", n - 1)), "{}", finding.message);
}

#[test]
fn values_passed_between_templates_stop_at_a_total_budget() {
    // Each export is 16,000 bytes of text built from a 1,600-byte default; 5,000 imports of them
    // would hold 80 MB. Past 64 MiB the rest are reported as not evaluated.
    let n = 5000;
    let mut exports = format!(
        "AWSTemplateFormatVersion: \"2010-09-09\"\nParameters:\n  P: {{Type: String, Default: {}}}\nResources:\n  T:\n    Type: AWS::SNS::Topic\nOutputs:\n",
        "p".repeat(1600)
    );
    let join = format!("!Join [\"\", [{}]]", ["!Ref P"; 10].join(", "));
    for i in 0..n {
        exports.push_str(&format!("  O{i}:\n    Value: {join}\n    Export: {{Name: e{i}}}\n"));
    }
    let mut imports = String::from("AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n");
    for i in 0..n {
        imports.push_str(&format!(
            "  A{i}:\n    Type: AWS::Cognito::IdentityPoolRoleAttachment\n    Properties:\n      IdentityPoolId: us-east-1:11111111-2222-3333-4444-555555555555\n      Roles: {{authenticated: !ImportValue e{i}}}\n"
        ));
    }
    let (_dir, report) = scan_files(&[("exports.yaml", exports), ("imports.yaml", imports)]);
    let limited = report
        .findings
        .iter()
        .filter(|f| {
            f.rule.code == "CT901"
                && f.message.contains("more than 64 MiB of values passed between templates")
        })
        .count();
    assert!(limited > 0 && limited < n, "{limited} of {n}");
}
