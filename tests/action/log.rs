//! The job log and the job summary: nothing a template holds can become a workflow command, HTML
//! or a link.

use super::{Runner, broken};

/// [`broken`] in a file whose name starts a workflow command on its second line, with workflow
/// commands in a comment on the line of its CT106 finding.
const INJECTING_NAME: &str = "infra/evil\n::warning::pwned.yaml";

fn injecting() -> String {
    broken().replace(
        "            Condition:\n              \"ForAnyValue",
        "            Condition:  # ::add-mask::secret ##[warning]pwned\n              \"ForAnyValue",
    )
}

/// The token of the log's one `::stop-commands::TOKEN`, and the lines it holds before `::TOKEN::`.
pub fn stopped_region(log: &str) -> (String, std::ops::Range<usize>) {
    let lines: Vec<&str> = log.lines().collect();
    let starts: Vec<usize> =
        (0..lines.len()).filter(|i| lines[*i].starts_with("::stop-commands::")).collect();
    assert_eq!(starts.len(), 1, "one stop-commands: {log}");
    let token = lines[starts[0]]["::stop-commands::".len()..].to_string();
    assert!(token.len() == 32 && token.bytes().all(|b| b.is_ascii_hexdigit()), "a random token: {token:?}");
    let end =
        lines.iter().position(|l| *l == format!("::{token}::")).unwrap_or_else(|| panic!("resumed: {log}"));
    assert!(end > starts[0], "{log}");
    (token, starts[0] + 1..end)
}

#[test]
fn action_log_holds_every_report_between_stop_commands_with_a_fresh_token() {
    let runner = Runner::new(&[(INJECTING_NAME, &injecting())]);
    let mut tokens = Vec::new();
    for format in ["sarif", "human", "github"] {
        let (scan, _) = runner.action(&[("INPUT_FORMAT", format), ("INPUT_FAIL_ON", "never")]);
        assert_eq!(scan.status, Some(0), "{}", scan.log);
        let (token, stopped) = stopped_region(&scan.log);
        tokens.push(token.clone());
        let lines: Vec<&str> = scan.log.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let text = line.trim_start();
            let command = text.starts_with("::") || text.starts_with("##[");
            if stopped.contains(&i) || !command || text == format!("::{token}::") {
                continue;
            }
            // Outside the stopped region, only the stop itself and whole annotations.
            let annotation =
                ["::error file=", "::warning file=", "::notice file="].iter().any(|p| text.starts_with(p))
                    && text[2..].split_once("::").is_some_and(|(props, _)| !props.contains(':'));
            assert!(
                text.starts_with("::stop-commands::") || (format == "github" && annotation),
                "{format}: a command outside the stopped region: {line:?}\n{}",
                scan.log
            );
        }
        if format == "github" {
            assert!(scan.log.contains("title=CT106 trust-no-aud::"), "annotations still work: {}", scan.log);
        } else {
            let report: Vec<usize> = (0..lines.len()).filter(|i| lines[*i].contains("add-mask")).collect();
            assert!(
                !report.is_empty() && report.iter().all(|i| stopped.contains(i)),
                "{format}: {}",
                scan.log
            );
        }
    }
    tokens.dedup();
    assert_eq!(tokens.len(), 3, "a fresh token per run: {tokens:?}");
}

#[test]
fn action_summary_escapes_html_markdown_and_controls_and_encodes_file_names() {
    // The role's name, in YAML double-quoted syntax: `\r` is a CR, `\e` an ESC.
    let name = r#"Evil<b>*x*</b>|[l](http://e)`_~!#&'\r\e"#;
    let template = broken()
        .replace("  GuestRole:", &format!("  \"{name}\":"))
        .replace("!GetAtt GuestRole.Arn", &format!("!GetAtt \"{name}.Arn\""));
    let runner = Runner::new(&[("my stacks/a|<img src=x>[x](y).yaml", &template)]);
    let (scan, _) = runner.action(&[("INPUT_FORMAT", "json")]);
    assert_eq!(scan.outputs["findings"], "2", "{}", scan.log);
    let summary = runner.summary();
    assert!(
        summary.contains(
            r"role \`Evil&lt;b&gt;\*x\*&lt;/b&gt;\|\[l\](http://e)\`\_\~\!\#&amp;&#39;\\u{d}\\u{1b}\` trusts every identity pool"
        ),
        "{summary}"
    );
    assert!(
        summary.contains(
            "[`my stacks/a\\|<img src=x>[x](y).yaml:25:13`](https://github.com/octo/app/blob/0123abc/my%20stacks/a%7C%3Cimg%20src%3Dx%3E%5Bx%5D%28y%29.yaml#L25)"
        ),
        "in a code span, only `|` is escaped; in the link, all but unreserved characters: {summary}"
    );
    // Code spans show `<` as it is; nowhere else may HTML or a link start.
    let mut outside_code = summary.clone();
    for line in [15, 25] {
        outside_code = outside_code.replace(&format!("`my stacks/a\\|<img src=x>[x](y).yaml:{line}:13`"), "");
    }
    assert!(!outside_code.contains('<') && !outside_code.contains("[l]("), "{outside_code}");
    assert!(!summary.contains(['\r', '\u{1b}']), "{summary:?}");
}
