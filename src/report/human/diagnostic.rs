//! The human report's findings, related places, input errors and config errors as miette
//! diagnostics: what miette draws, read from an [`Excerpt`] of the lines around the labels.

use std::fmt;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceCode};

use super::excerpt::{Excerpt, Shown};
use super::{MAX_RELATED, code, excerpt, label_text, no_command_lines, shown};
use crate::rules::{Finding, Severity};
use crate::source::{InputError, SourceFile};
use crate::syntax::{LineIndex, Span};

fn miette_severity(s: Severity) -> miette::Severity {
    match s {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Note => miette::Severity::Advice,
    }
}

pub(super) struct FindingDiagnostic {
    code: String,
    severity: Severity,
    /// The message, and the construct path on a line of its own.
    message: String,
    help: Option<String>,
    source: Excerpt,
    labels: Vec<LabeledSpan>,
    /// Related places in other files, each shown with its own snippet, and the count of those
    /// past [`MAX_RELATED`].
    elsewhere: Vec<RelatedDiagnostic>,
}

impl FindingDiagnostic {
    pub(super) fn new(finding: &Finding, files: &[SourceFile]) -> Self {
        let file = &files[finding.loc.file];
        let related = &finding.related[..finding.related.len().min(MAX_RELATED)];
        let here: Vec<_> = related.iter().filter(|r| r.loc.file == finding.loc.file).collect();
        let spans: Vec<Span> =
            std::iter::once(finding.loc.span).chain(here.iter().map(|r| r.loc.span)).collect();
        let (source, spans) = excerpt(file, &spans);
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            Some(label_text(&finding.label, spans[0])),
            spans[0].span,
        )];
        for (r, at) in here.iter().zip(&spans[1..]) {
            labels.push(LabeledSpan::new_with_span(Some(label_text(&r.message, *at)), at.span));
        }
        let mut elsewhere: Vec<RelatedDiagnostic> = related
            .iter()
            .filter(|r| r.loc.file != finding.loc.file)
            .map(|r| RelatedDiagnostic::new(&r.message, &files[r.loc.file], r.loc.span))
            .collect();
        if finding.related.len() > related.len() {
            let more = finding.related.len() - related.len();
            elsewhere.push(RelatedDiagnostic {
                message: format!("and {more} more related places: `--format json` lists them all"),
                source: None,
            });
        }
        let mut message = shown(&finding.message);
        if let Some(path) = &finding.construct_path {
            message.push_str(&format!("\nconstruct path: {}", shown(path)));
        }
        FindingDiagnostic {
            code: code(finding),
            severity: finding.severity,
            message,
            help: finding.help.as_deref().map(shown),
            source,
            labels,
            elsewhere,
        }
    }
}

impl fmt::Debug for FindingDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl fmt::Display for FindingDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FindingDiagnostic {}

impl Diagnostic for FindingDiagnostic {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.code))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette_severity(self.severity))
    }
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
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

/// A related place in another file, or the count of related places not shown.
struct RelatedDiagnostic {
    message: String,
    source: Option<(Excerpt, Shown)>,
}

impl RelatedDiagnostic {
    fn new(message: &str, file: &SourceFile, span: Span) -> Self {
        let (source, spans) = excerpt(file, &[span]);
        RelatedDiagnostic { message: shown(message), source: Some((source, spans[0])) }
    }
}

impl fmt::Debug for RelatedDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for RelatedDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RelatedDiagnostic {}

impl Diagnostic for RelatedDiagnostic {
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Advice)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|(s, _)| s as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let (_, at) = self.source.as_ref()?;
        let text = at.cut_at.map(|_| label_text("", *at));
        Some(Box::new(std::iter::once(LabeledSpan::new_primary_with_span(text, at.span))))
    }
}

pub(super) struct ErrorDiagnostic {
    message: String,
    source: Option<(Excerpt, Shown)>,
}

impl ErrorDiagnostic {
    pub(super) fn new(error: &InputError, files: &[SourceFile]) -> Self {
        let source = error.place.and_then(|(id, span)| {
            let (source, spans) = excerpt(files.get(id)?, &[span]);
            Some((source, spans[0]))
        });
        let message = match (&error.path, &source) {
            (Some(path), None) => format!("{}: {}", shown(path), shown(&error.message)),
            _ => shown(&error.message),
        };
        ErrorDiagnostic { message, source }
    }
}

impl fmt::Debug for ErrorDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for ErrorDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ErrorDiagnostic {}

impl Diagnostic for ErrorDiagnostic {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new("input-error"))
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|(s, _)| s as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let (_, at) = self.source.as_ref()?;
        Some(Box::new(std::iter::once(LabeledSpan::new_primary_with_span(
            Some(label_text("here", *at)),
            at.span,
        ))))
    }
}

/// A config file problem, with the snippet of the file when its place is known.
pub fn render_config_error(e: &crate::config::ConfigError, cwd: &std::path::Path) -> String {
    let name = shown(&crate::source::display_path(&e.path, cwd));
    let Some(span) = e.span.clone() else { return format!("error: {name}: {}\n", shown(&e.message)) };
    let lines = LineIndex::new(&e.text);
    let (source, spans) = Excerpt::new(name.clone(), &e.text, &lines, &[Span::new(span.start, span.end)]);
    let diag = ConfigDiagnostic { message: shown(&e.message), source, span: spans[0] };
    let handler = GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor()).with_width(100);
    let mut out = String::new();
    if handler.render_report(&mut out, &diag).is_err() {
        out = format!("error: {name}: {}\n", diag.message);
    }
    no_command_lines(out)
}

struct ConfigDiagnostic {
    message: String,
    source: Excerpt,
    span: Shown,
}

impl fmt::Debug for ConfigDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for ConfigDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigDiagnostic {}

impl Diagnostic for ConfigDiagnostic {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new("config-error"))
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let text = label_text("here", self.span);
        Some(Box::new(std::iter::once(LabeledSpan::new_primary_with_span(Some(text), self.span.span))))
    }
}
