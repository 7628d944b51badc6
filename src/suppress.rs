//! Deliberate exceptions: `# cognitrust: ignore[CODE] reason` comments (on the finding's line
//! or the line above; in `.tf`, anywhere inside the resource's block), resource
//! `Metadata: {cognitrust: {ignore: [...]}}`, and the config file's `[[suppress]]` entries.
//! A reason is required; a suppression that matches nothing becomes a CT900 note.

use std::path::Path;

use crate::config::{Config, relative};
use crate::model::Model;
use crate::rules::{self, Finding, Findings, Rule};
use crate::source::{FileId, Loc, SourceFile};
use crate::syntax::Span;

/// Where a suppression was written, and what it covers.
#[derive(Debug, Clone)]
enum Target {
    /// A comment: findings on its line or the next one.
    Line { file: FileId, line: usize },
    /// Resource metadata or a comment inside a `.tf` block: the resource's findings.
    Resource { file: FileId, name: String },
    /// A config entry.
    Config { index: usize },
}

#[derive(Debug, Clone)]
struct Suppression {
    rules: Vec<&'static Rule>,
    reason: String,
    kind: &'static str,
    loc: Option<Loc>,
    target: Target,
    used: bool,
}

/// A suppressed finding and why.
#[derive(Debug, Clone)]
pub struct Suppressed {
    pub finding: Finding,
    /// `comment`, `metadata`, `config` or [`BASELINE`].
    pub kind: &'static str,
    pub reason: String,
}

/// The kind of suppression a finding the baseline hides has ([`crate::baseline`]).
pub const BASELINE: &str = "baseline";

/// A suppression written wrongly (no reason, unknown rule), with its place.
#[derive(Debug, Clone)]
pub struct SuppressionError {
    pub message: String,
    pub loc: Loc,
}

/// Splits findings into kept and suppressed, and adds CT900 notes for unused suppressions.
pub struct Outcome {
    pub kept: Vec<Finding>,
    pub suppressed: Vec<Suppressed>,
    pub errors: Vec<SuppressionError>,
}

/// Applies every suppression. `config_file` is the config's id among `files`, when it has
/// suppressions; `cwd` turns display paths back into paths for config globs.
pub fn apply(
    findings: Vec<Finding>,
    model: &Model,
    files: &[SourceFile],
    config: &Config,
    config_file: Option<FileId>,
    cwd: &Path,
    unused_enabled: bool,
) -> Outcome {
    let mut errors = Vec::new();
    let mut sups = comments(files, model, &mut errors);
    sups.extend(metadata(model, &mut errors));
    sups.extend(config.suppress.iter().enumerate().map(|(index, s)| Suppression {
        rules: vec![s.rule],
        reason: s.reason.clone(),
        kind: "config",
        loc: config_file.map(|f| Loc::new(f, Span::new(s.span.start, s.span.end))),
        target: Target::Config { index },
        used: false,
    }));
    let mut kept = Vec::new();
    let mut suppressed = Vec::new();
    // Comment and metadata suppressions by file, so a finding is compared with those of its own
    // file (and the config's), not with every suppression of the scan.
    let mut by_file: std::collections::HashMap<FileId, Vec<usize>> = std::collections::HashMap::new();
    let mut everywhere = Vec::new();
    for (i, s) in sups.iter().enumerate() {
        match s.target {
            Target::Line { file, .. } | Target::Resource { file, .. } => {
                by_file.entry(file).or_default().push(i)
            }
            Target::Config { .. } => everywhere.push(i),
        }
    }
    for f in findings {
        let line = files[f.loc.file].lines.line_col(&files[f.loc.file].text, f.loc.span.start).line;
        let mut candidates: Vec<usize> =
            by_file.get(&f.loc.file).into_iter().flatten().chain(&everywhere).copied().collect();
        candidates.sort_unstable();
        let hit = candidates.into_iter().find(|&i| {
            let s = &sups[i];
            s.rules.iter().any(|r| r.code == f.rule.code) && covers(&s.target, &f, line, files, config, cwd)
        });
        match hit.map(|i| &mut sups[i]) {
            Some(s) => {
                s.used = true;
                suppressed.push(Suppressed { finding: f, kind: s.kind, reason: s.reason.clone() });
            }
            None => kept.push(f),
        }
    }
    if unused_enabled {
        kept.extend(unused(&sups));
    }
    Outcome { kept, suppressed, errors }
}

fn covers(
    target: &Target,
    f: &Finding,
    line: usize,
    files: &[SourceFile],
    config: &Config,
    cwd: &Path,
) -> bool {
    match target {
        Target::Line { file, line: at } => f.loc.file == *file && (line == *at || line == at + 1),
        Target::Resource { file, name } => f.loc.file == *file && f.resource == *name,
        Target::Config { index } => {
            let s = &config.suppress[*index];
            let path_ok = s.path.as_ref().is_none_or(|glob| {
                let base = config.base().unwrap_or(cwd);
                glob.is_match(relative(&cwd.join(&files[f.loc.file].display), base))
            });
            path_ok && s.resource.as_ref().is_none_or(|r| *r == f.resource)
        }
    }
}

/// `# cognitrust: ignore[CT110, CT106] reason` comments in YAML and `.tf` files, at the places
/// the parse found them ([`crate::source::with_markers`]).
fn comments(files: &[SourceFile], model: &Model, errors: &mut Vec<SuppressionError>) -> Vec<Suppression> {
    let mut out = Vec::new();
    let blocks = Blocks::new(model);
    for (id, file) in files.iter().enumerate() {
        let commented = [".yaml", ".yml", ".template", ".tf"].iter().any(|e| file.display.ends_with(e));
        if !commented {
            continue;
        }
        for c in &file.comments {
            let (at, line, comment) = (c.at, c.line, c.text.as_str());
            let loc = Loc::new(id, Span::new(at, at + comment.len()));
            let rest = &comment[crate::source::MARKER.len()..];
            let Some(close) = rest.find(']') else {
                errors.push(SuppressionError {
                    message: "a suppression comment needs `]` after its rule codes".into(),
                    loc,
                });
                continue;
            };
            let Some(rules) = parse_rules(&rest[..close], loc, errors) else { continue };
            let reason = rest[close + 1..].trim().trim_start_matches([':', '-', '—']).trim();
            if reason.is_empty() {
                errors
                    .push(SuppressionError { message: "a suppression needs a reason after `]`".into(), loc });
                continue;
            }
            let target = match blocks.enclosing(id, at) {
                Some(name) if file.display.ends_with(".tf") => Target::Resource { file: id, name },
                _ => Target::Line { file: id, line },
            };
            out.push(Suppression {
                rules,
                reason: reason.to_string(),
                kind: "comment",
                loc: Some(loc),
                target,
                used: false,
            });
        }
    }
    out
}

fn parse_rules(list: &str, loc: Loc, errors: &mut Vec<SuppressionError>) -> Option<Vec<&'static Rule>> {
    let mut rules = Vec::new();
    for code in list.split(',').map(str::trim).filter(|c| !c.is_empty()) {
        match crate::selection::find(code) {
            Some(r) => rules.push(r),
            None => {
                errors.push(SuppressionError {
                    message: format!("unknown rule `{code}` in a suppression"),
                    loc,
                });
                return None;
            }
        }
    }
    if rules.is_empty() {
        errors.push(SuppressionError {
            message: "a suppression names the rules it ignores: `ignore[CT110]`".into(),
            loc,
        });
        return None;
    }
    Some(rules)
}

/// The Terraform resource blocks of each file, by where they start (blocks do not nest).
struct Blocks<'m> {
    by_file: std::collections::HashMap<FileId, Vec<(Span, &'m str)>>,
}

impl<'m> Blocks<'m> {
    fn new(model: &'m Model) -> Self {
        let mut by_file: std::collections::HashMap<FileId, Vec<(Span, &str)>> =
            std::collections::HashMap::new();
        for (file, span, address) in &model.places.resource_extents {
            by_file.entry(*file).or_default().push((*span, address));
        }
        for blocks in by_file.values_mut() {
            blocks.sort_by_key(|(span, _)| span.start);
        }
        Blocks { by_file }
    }

    /// The resource whose block holds byte `at` of `file`.
    fn enclosing(&self, file: FileId, at: usize) -> Option<String> {
        let blocks = self.by_file.get(&file)?;
        let last = blocks.partition_point(|(span, _)| span.start <= at).checked_sub(1)?;
        // A block of a module called twice is there once per instance: the first one names it.
        let start = blocks[last].0.start;
        let first = blocks[..=last].partition_point(|(span, _)| span.start < start);
        let (span, address) = blocks[first];
        (at < span.end).then(|| address.to_string())
    }
}

fn metadata(model: &Model, errors: &mut Vec<SuppressionError>) -> Vec<Suppression> {
    let mut out = Vec::new();
    for s in &model.places.resource_suppressions {
        let Some(code) = s.rule.value.as_lit() else { continue };
        let Some(rule) = crate::selection::find(code) else {
            errors.push(SuppressionError {
                message: format!("unknown rule `{code}` in a suppression"),
                loc: s.rule.loc,
            });
            continue;
        };
        let Some(reason) = s.reason.as_deref().map(str::trim).filter(|r| !r.is_empty()) else {
            errors
                .push(SuppressionError { message: "a suppression needs a `reason`".into(), loc: s.rule.loc });
            continue;
        };
        out.push(Suppression {
            rules: vec![rule],
            reason: reason.to_string(),
            kind: "metadata",
            loc: Some(s.rule.loc),
            target: Target::Resource { file: s.file, name: s.resource.clone() },
            used: false,
        });
    }
    out
}

/// CT900 notes for suppressions that matched nothing.
fn unused(sups: &[Suppression]) -> Vec<Finding> {
    let mut sink = Findings::new(&rules::UNUSED_SUPPRESSION);
    for s in sups.iter().filter(|s| !s.used) {
        let Some(loc) = s.loc else { continue };
        let codes: Vec<&str> = s.rules.iter().map(|r| r.code).collect();
        let resource = crate::model::ResourceRef {
            file: loc.file,
            name: match &s.target {
                Target::Resource { name, .. } => name.clone(),
                _ => String::new(),
            },
            loc,
            construct_path: None,
        };
        let f = sink.add(
            loc,
            &resource,
            format!("this {} suppression of {} matches no finding", s.kind, codes.join(", ")),
        );
        f.label("unused suppression").help("remove it, or fix the rule code, path or resource it names");
    }
    sink.items
}
