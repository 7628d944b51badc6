//! Terraform forms that are input errors rather than fixtures (the fixture harness requires
//! every fixture to scan without one): Terraform 0.11's block syntax for maps, which 0.12 and
//! later refuse, reported with the form that replaced it.

use cognitrust::{Options, Report, scan};

fn scan_text(text: &str) -> Report {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("main.tf"), text).expect("write");
    let mut opts = Options::new(vec![dir.path().to_path_buf()]);
    opts.cwd = dir.path().to_path_buf();
    scan(&opts)
}

#[test]
fn a_roles_block_is_an_input_error_that_gives_the_argument_form() {
    let report = scan_text(
        "resource \"aws_cognito_identity_pool_roles_attachment\" \"a\" {\n  identity_pool_id = \"x\"\n  roles {\n    authenticated = aws_iam_role.a.arn\n  }\n}\n",
    );
    let messages: Vec<&str> = report.errors.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "`roles` is a block, as Terraform 0.11 wrote it, which Terraform 0.12 and later refuse: write it as an \
          argument, `roles = { authenticated = … }`"
        ]
    );
    assert!(report.findings.iter().all(|f| f.rule.code != "CT205"), "no `tf::labels` key is reported");
}

#[test]
fn a_roles_block_with_quoted_keys_is_a_syntax_error_that_gives_the_argument_form() {
    let report = scan_text(
        "resource \"aws_cognito_identity_pool_roles_attachment\" \"a\" {\n  roles {\n    \"unauthenticated\" = \"${aws_iam_role.a.arn}\"\n  }\n}\n",
    );
    assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
    assert!(
        report.errors[0]
            .message
            .ends_with("write the map as an argument: `roles = { \"unauthenticated\" = … }`"),
        "{}",
        report.errors[0].message
    );
}

#[test]
fn a_scan_path_spelled_with_double_or_dot_segments_still_follows_local_modules() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("infra");
    std::fs::create_dir_all(root.join("modules/auth")).expect("mkdir");
    std::fs::write(root.join("main.tf"), "module \"auth\" {\n  source = \"./modules/auth\"\n}\n")
        .expect("write");
    std::fs::write(root.join("modules/auth/main.tf"), "variable \"x\" {\n  default = 1\n}\n").expect("write");
    for spelled in ["infra", "infra/", "./infra", "infra//", ".//infra/.", "infra/./"] {
        let path = format!("{}/{spelled}", dir.path().display());
        let mut opts = Options::new(vec![path.into()]);
        opts.cwd = dir.path().to_path_buf();
        let report = scan(&opts);
        let codes: Vec<&str> = report.findings.iter().map(|f| f.rule.code).collect();
        assert_eq!(
            codes,
            Vec::<&str>::new(),
            "{spelled}: {:?}",
            report.findings.iter().map(|f| &f.message).collect::<Vec<_>>()
        );
        assert!(report.errors.is_empty(), "{spelled}: {:?}", report.errors);
    }
}
