#![no_main]
//! The human renderer on arbitrary text: the findings the pipeline makes of one template, then
//! findings, a suppressed finding and an input error with arbitrary spans and messages over
//! arbitrary text (in the same file and in another), with and without colour. No panic; without
//! colour, no character of the input that must be escaped reaches the output; no line reads as
//! a workflow command; and the report stays bounded.

use cognitrust::escape::must_escape;
use cognitrust::report::human;
use cognitrust::rules::{Finding, RULES, Related};
use cognitrust::source::{Loc, SourceFile};
use cognitrust::suppress::Suppressed;
use cognitrust::syntax::Span;
use cognitrust::{InputError, Report, Summary};
use libfuzzer_sys::fuzz_target;

fn check(out: &str, plain: bool) {
    for line in out.lines() {
        let text = line.trim_start();
        assert!(!text.starts_with("::") && !text.starts_with("##["), "a command line: {line:?}");
    }
    if plain {
        let raw: Vec<char> = out.chars().filter(|c| *c != '\n' && must_escape(*c)).collect();
        assert!(raw.is_empty(), "raw {raw:?} in:\n{out}");
    }
    assert!(out.len() < 4 << 20, "{} bytes", out.len());
}

/// Without colour, and with it when `color` (half the inputs: miette's text wrapping dominates
/// the time of a run).
fn render(report: &Report, color: bool) {
    let style = |color| human::Style { color, show_suppressed: true, ..human::Style::default() };
    check(&human::render_with(report, &style(false)), true);
    if color {
        check(&human::render_with(report, &style(true)), false);
    }
}

/// A span from two 16-bit numbers, anywhere in or just past the text.
fn span(text: &str, a: u16, b: u16) -> Span {
    let start = usize::from(a) % (text.len() + 2);
    Span::new(start, start.saturating_add(usize::from(b) % (text.len() + 2)))
}

/// Up to 300 bytes of the text from `at`, on character boundaries: messages that hold whatever
/// the input holds.
fn piece(text: &str, at: u16) -> String {
    let mut start = usize::from(at) % (text.len() + 1);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    text[start..].chars().take(300).collect()
}

fn synthetic(params: &[u16], text: &str) -> Report {
    let rule = RULES[usize::from(params[0]) % RULES.len()];
    let related = |i: usize, file: usize| Related {
        message: piece(text, params[i]),
        loc: Loc::new(file, span(text, params[i], params[i + 1])),
        resource: None,
    };
    let finding = Finding {
        rule,
        severity: rule.severity,
        message: piece(text, params[1]),
        help: Some(piece(text, params[2])),
        label: piece(text, params[3]),
        loc: Loc::new(0, span(text, params[4], params[5])),
        resource: piece(text, params[6]),
        construct_path: Some(piece(text, params[7])),
        related: vec![related(8, 0), related(10, 1), related(12, 0)],
        fix: None,
        fingerprint: piece(text, params[13]),
    };
    let error = InputError {
        message: piece(text, params[14]),
        path: Some(piece(text, params[15])),
        place: Some((1, span(text, params[15], params[0]))),
    };
    let files = vec![
        SourceFile::new(piece(text, params[2]), text.to_string()),
        SourceFile::new("other.yaml".into(), text.to_string()),
    ];
    let suppressed = Suppressed { finding: finding.clone(), kind: "comment", reason: piece(text, params[9]) };
    Report {
        files,
        findings: vec![finding],
        suppressed: vec![suppressed],
        errors: vec![error],
        summary: Summary::default(),
        guard_rules: Vec::new(),
    }
}

fuzz_target!(|data: &[u8]| {
    let (head, rest) = data.split_at(data.len().min(32));
    let text = String::from_utf8_lossy(rest);
    let mut params = [0u16; 16];
    for (p, pair) in params.iter_mut().zip(head.chunks(2)) {
        *p = u16::from_le_bytes([pair[0], *pair.get(1).unwrap_or(&0)]);
    }
    let color = params[15] & 1 == 1;
    render(&cognitrust::scan_texts(&[("template.yaml", &text)]), color);
    render(&synthetic(&params, &text), color);
});
