//! JUnit XML (`--format junit`), as Jenkins' JUnit plugin, AWS CodeBuild test reports and GitLab's
//! `artifacts:reports:junit` read it (the shape of the Jenkins xUnit plugin's `junit-10.xsd`):
//! one `testsuite` of one `testcase` per finding, named by rule and resource, its class the file.
//! A finding at or above `--fail-on` is a `<failure>`; one below it is `<skipped>`, so that the
//! CI marks the build as failed exactly when the scan's exit status does. An input that could
//! not be analysed is an `<error>`. A scan with neither has one passing test case, `no
//! findings`, so that Jenkins does not fail on a report without tests.
//!
//! Text from inputs has its control characters made visible ([`crate::escape::escape_controls`]) before
//! it is XML-escaped: XML 1.0 cannot carry most C0 controls, not even as character references.

use std::fmt::Write;

use super::Location;
use super::Report;
use crate::escape::escape_controls;
use crate::rules::{Finding, Severity};

const SUITE: &str = "cognitrust";

/// The report as JUnit XML, ending in a newline; findings at or above `failing` are failures,
/// the others skipped (`None`: every finding is skipped, as `--fail-on never` fails nothing).
pub fn render(report: &Report, failing: Option<Severity>) -> String {
    let fails = |f: &Finding| failing.is_some_and(|t| f.severity >= t);
    let failures = report.findings.iter().filter(|f| fails(f)).count();
    let skipped = report.findings.len() - failures;
    let errors = report.errors.len();
    let clean = report.findings.is_empty() && errors == 0;
    let tests = report.findings.len() + errors + usize::from(clean);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let counts = format!("tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\"");
    let _ = writeln!(out, "<testsuites name=\"{SUITE}\" {counts} time=\"0\">");
    let _ = writeln!(out, "  <testsuite name=\"{SUITE}\" {counts} skipped=\"{skipped}\" time=\"0\">");
    // Test cases are named by rule and resource, not line, so that CI keeps their history when
    // lines move; a repeated name in one file gets its occurrence.
    let mut seen: std::collections::HashMap<(usize, String), usize> = std::collections::HashMap::new();
    for f in &report.findings {
        let n = seen.entry((f.loc.file, case_name(f))).or_insert(0);
        *n += 1;
        finding_case(&mut out, f, report, fails(f), *n);
    }
    for e in &report.errors {
        let place = e.place.map(|(id, span)| {
            let f = &report.files[id];
            f.lines.line_col(&f.text, span.start)
        });
        let path = e.path.as_deref().unwrap_or(SUITE);
        let at = place.map_or(String::new(), |p| format!(":{}:{}", p.line, p.column));
        let line = place.map_or(String::new(), |p| format!(" line=\"{}\"", p.line));
        let _ = writeln!(
            out,
            "    <testcase name=\"input could not be analysed\" classname=\"{0}\" file=\"{0}\"{line} time=\"0\">",
            attr(path)
        );
        let _ = writeln!(
            out,
            "      <error type=\"input-error\" message=\"{}\">{}{at}: {}</error>",
            attr(&e.message),
            text(path),
            text(&e.message)
        );
        out.push_str("    </testcase>\n");
    }
    if clean {
        let _ = writeln!(out, "    <testcase name=\"no findings\" classname=\"{SUITE}\" time=\"0\">");
        let _ = writeln!(out, "      <system-out>{}</system-out>", text(&scanned(report)));
        out.push_str("    </testcase>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

/// `<testcase>` of a finding: its failure (or skip) carries the message, the place, the related
/// places and the help.
fn finding_case(out: &mut String, f: &Finding, report: &Report, fails: bool, occurrence: usize) {
    let loc = Location::of(&report.files, f.loc);
    let title = title(f);
    let mut name = case_name(f);
    if occurrence > 1 {
        let _ = write!(name, " #{occurrence}");
    }
    let _ = writeln!(
        out,
        "    <testcase name=\"{}\" classname=\"{1}\" file=\"{1}\" line=\"{2}\" time=\"0\">",
        attr(&name),
        attr(&loc.file),
        loc.line
    );
    // Each piece of input text is escaped on its own: the newlines between them are ours.
    let mut body = vec![
        format!("{} {}", f.severity.as_str(), text(&title)),
        format!("{}:{}:{}", text(&loc.file), loc.line, loc.column),
        text(&f.message),
    ];
    if let Some(path) = &f.construct_path {
        body.push(format!("construct path: {}", text(path)));
    }
    for r in &f.related {
        let at = Location::of(&report.files, r.loc);
        body.push(format!("{}:{}:{}: {}", text(&at.file), at.line, at.column, text(&r.message)));
    }
    if let Some(help) = &f.help {
        body.push(format!("help: {}", text(help)));
    }
    let (element, kind) = if fails { ("failure", f.severity.as_str()) } else { ("skipped", "below-fail-on") };
    let _ = writeln!(
        out,
        "      <{element} type=\"{kind}\" message=\"{}\">{}</{element}>",
        attr(&f.message),
        body.join("\n")
    );
    out.push_str("    </testcase>\n");
}

/// `CT106 trust-no-aud`; a Guard rule's code already holds its name: `guard:iam_role_path`.
fn title(f: &Finding) -> String {
    if crate::guard::is_code(f.rule.code) {
        f.rule.code.to_string()
    } else {
        format!("{} {}", f.rule.code, f.rule.name)
    }
}

/// `CT106 trust-no-aud: AuthRole`.
fn case_name(f: &Finding) -> String {
    if f.resource.is_empty() { title(f) } else { format!("{}: {}", title(f), f.resource) }
}

/// What a clean scan looked at, for the passing test case's output.
fn scanned(report: &Report) -> String {
    let (s, c) = (&report.summary, report.summary.coverage);
    let n = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
    format!(
        "{} in {} scanned; {}, {}, {} checked, {} not checked",
        s.analysed(),
        n(s.files_scanned, "file"),
        n(c.pools, "identity pool"),
        n(c.slots, "role slot"),
        n(c.roles_checked, "role"),
        n(c.not_checked, "slot"),
    )
}

/// Element text: controls made visible, then `&`, `<` and `>` escaped (`>` too, so that `]]>`
/// never appears), and the two noncharacters XML 1.0 excludes made visible too.
pub fn text(input: &str) -> String {
    let shown = escape_controls(input, "");
    let mut out = String::with_capacity(shown.len());
    for c in shown.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\u{fffe}' | '\u{ffff}' => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            _ => out.push(c),
        }
    }
    out
}

/// An attribute value in double quotes: as [`text`], with quotes escaped and TAB written as a
/// reference (a parser turns a raw TAB in an attribute into a space).
pub(crate) fn attr(input: &str) -> String {
    text(input).replace('"', "&quot;").replace('\'', "&apos;").replace('\t', "&#9;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_text_never_holds_markup_controls_or_noncharacters() {
        assert_eq!(text("a<b>&c]]>"), "a&lt;b&gt;&amp;c]]&gt;");
        assert_eq!(text("\u{1b}[31m\u{202e}x\u{0}\u{ffff}"), "\\u{1b}[31m\\u{202e}x\\u{0}\\u{ffff}");
        assert_eq!(attr("say \"hi\"\tit's"), "say &quot;hi&quot;&#9;it&apos;s");
        assert_eq!(text("tab\tstays"), "tab\tstays");
    }
}
