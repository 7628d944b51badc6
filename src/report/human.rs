//! The human report: one miette graphical diagnostic per finding, with the source snippet,
//! labels on the primary and related spans, the rule code and name, and the fix.

use std::fmt;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use crate::rules::{Finding, Severity};
use crate::source::{Loc, SourceFile};
use crate::{InputError, Report};

/// Renders the report; `color` turns on ANSI styles.
pub fn render(report: &Report, color: bool) -> String {
    render_with(report, color, false)
}

/// Renders the report, with the findings suppressions hide when `show_suppressed`.
pub fn render_with(report: &Report, color: bool, show_suppressed: bool) -> String {
    let theme = if color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false)
        .with_show_related_as_nested(true);
    let mut out = String::new();
    for f in &report.findings {
        let diag = FindingDiagnostic::new(f, &report.files);
        if handler.render_report(&mut out, &diag).is_err() {
            out.push_str(&format!("{}: {}\n", f.rule.code, f.message));
        }
        out.push('\n');
    }
    if show_suppressed {
        for s in &report.suppressed {
            let diag = FindingDiagnostic::new(&s.finding, &report.files);
            out.push_str(&format!("suppressed by {} ({}):\n", s.kind, s.reason));
            if handler.render_report(&mut out, &diag).is_err() {
                out.push_str(&format!("{}: {}\n", s.finding.rule.code, s.finding.message));
            }
            out.push('\n');
        }
    }
    for e in &report.errors {
        let diag = ErrorDiagnostic::new(e, &report.files);
        if handler.render_report(&mut out, &diag).is_err() {
            out.push_str(&format!("error: {}\n", e.message));
        }
        out.push('\n');
    }
    out.push_str(&summary_line(report));
    out
}

fn summary_line(report: &Report) -> String {
    let count = |s: Severity| report.findings.iter().filter(|f| f.severity == s).count();
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let mut line = format!(
        "{} ({}, {}, {}) in {} of {} scanned",
        plural(report.findings.len(), "finding"),
        plural(count(Severity::Error), "error"),
        plural(count(Severity::Warning), "warning"),
        plural(count(Severity::Note), "note"),
        plural(report.summary.templates, "template"),
        plural(report.summary.files_scanned, "file"),
    );
    if !report.suppressed.is_empty() {
        line.push_str(&format!(", {} suppressed", report.suppressed.len()));
    }
    if !report.errors.is_empty() {
        line.push_str(&format!("; {} could not be analysed", plural(report.errors.len(), "input")));
    }
    line.push('\n');
    if let Some(config) = &report.summary.config {
        line.push_str(&format!("config: {config}\n"));
    }
    line
}

/// A file's text under its display name, borrowed for the time of one rendering.
struct Named<'a> {
    name: &'a str,
    text: &'a str,
}

impl SourceCode for Named<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let inner = self.text.read_span(span, before, after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.to_string(),
            inner.data(),
            *inner.span(),
            inner.line(),
            inner.column(),
            inner.line_count(),
        )))
    }
}

fn source_span(loc: Loc) -> SourceSpan {
    SourceSpan::new(loc.span.start.into(), loc.span.end.saturating_sub(loc.span.start))
}

fn miette_severity(s: Severity) -> miette::Severity {
    match s {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Note => miette::Severity::Advice,
    }
}

struct FindingDiagnostic<'a> {
    finding: &'a Finding,
    source: Named<'a>,
    labels: Vec<LabeledSpan>,
    /// Related places in other files, each shown with its own snippet.
    elsewhere: Vec<RelatedDiagnostic<'a>>,
}

impl<'a> FindingDiagnostic<'a> {
    fn new(finding: &'a Finding, files: &'a [SourceFile]) -> Self {
        let file = &files[finding.loc.file];
        let mut labels =
            vec![LabeledSpan::new_primary_with_span(Some(finding.label.clone()), source_span(finding.loc))];
        let mut elsewhere = Vec::new();
        for r in &finding.related {
            if r.loc.file == finding.loc.file {
                labels.push(LabeledSpan::new_with_span(Some(r.message.clone()), source_span(r.loc)));
            } else {
                let f = &files[r.loc.file];
                elsewhere.push(RelatedDiagnostic {
                    message: &r.message,
                    source: Named { name: &f.display, text: &f.text },
                    span: source_span(r.loc),
                });
            }
        }
        FindingDiagnostic {
            finding,
            source: Named { name: &file.display, text: &file.text },
            labels,
            elsewhere,
        }
    }
}

impl fmt::Debug for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.finding.rule.code, self.finding.message)
    }
}

impl fmt::Display for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)?;
        match &self.finding.construct_path {
            Some(path) => write!(f, "\nconstruct path: {path}"),
            None => Ok(()),
        }
    }
}

impl std::error::Error for FindingDiagnostic<'_> {}

impl Diagnostic for FindingDiagnostic<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        let rule = self.finding.rule;
        // A Guard rule's code already holds its name: `guard:iam_role_path`.
        if crate::guard::is_code(rule.code) {
            return Some(Box::new(rule.code));
        }
        Some(Box::new(format!("{} {}", rule.code, rule.name)))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette_severity(self.finding.severity))
    }
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.finding.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn Diagnostic> + 'b>> {
        if self.elsewhere.is_empty() {
            return None;
        }
        Some(Box::new(self.elsewhere.iter().map(|d| d as &dyn Diagnostic)))
    }
}

struct RelatedDiagnostic<'a> {
    message: &'a str,
    source: Named<'a>,
    span: SourceSpan,
}

impl fmt::Debug for RelatedDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message)
    }
}

impl fmt::Display for RelatedDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message)
    }
}

impl std::error::Error for RelatedDiagnostic<'_> {}

impl Diagnostic for RelatedDiagnostic<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Advice)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(LabeledSpan::new_primary_with_span(None, self.span))))
    }
}

struct ErrorDiagnostic<'a> {
    error: &'a InputError,
    source: Option<(Named<'a>, SourceSpan)>,
}

impl<'a> ErrorDiagnostic<'a> {
    fn new(error: &'a InputError, files: &'a [SourceFile]) -> Self {
        let source = error.place.map(|(id, span)| {
            let f = &files[id];
            (Named { name: &f.display, text: &f.text }, source_span(Loc::new(id, span)))
        });
        ErrorDiagnostic { error, source }
    }
}

impl fmt::Debug for ErrorDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.error.message)
    }
}

impl fmt::Display for ErrorDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.error.path, &self.source) {
            (Some(path), None) => write!(f, "{path}: {}", self.error.message),
            _ => f.write_str(&self.error.message),
        }
    }
}

impl std::error::Error for ErrorDiagnostic<'_> {}

impl Diagnostic for ErrorDiagnostic<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new("input-error"))
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|(n, _)| n as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let (_, span) = self.source.as_ref()?;
        Some(Box::new(std::iter::once(LabeledSpan::new_primary_with_span(Some("here".into()), *span))))
    }
}

/// A config file problem, with the snippet of the file when its place is known.
pub fn render_config_error(e: &crate::config::ConfigError, cwd: &std::path::Path) -> String {
    let name = crate::display_path(&e.path, cwd);
    let Some(span) = e.span.clone() else { return format!("error: {name}: {}\n", e.message) };
    let diag = ConfigDiagnostic {
        message: &e.message,
        source: Named { name: &name, text: &e.text },
        span: SourceSpan::new(span.start.into(), span.end.saturating_sub(span.start)),
    };
    let handler = GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor()).with_width(100);
    let mut out = String::new();
    if handler.render_report(&mut out, &diag).is_err() {
        out = format!("error: {name}: {}\n", e.message);
    }
    out
}

struct ConfigDiagnostic<'a> {
    message: &'a str,
    source: Named<'a>,
    span: SourceSpan,
}

impl fmt::Debug for ConfigDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message)
    }
}

impl fmt::Display for ConfigDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message)
    }
}

impl std::error::Error for ConfigDiagnostic<'_> {}

impl Diagnostic for ConfigDiagnostic<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new("config-error"))
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(LabeledSpan::new_primary_with_span(Some("here".into()), self.span))))
    }
}
