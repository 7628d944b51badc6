//! The pipeline of a scan: discover → read and parse (in parallel, each template indexed as
//! soon as it is parsed) → the front ends build the [`crate::model::Model`] → [`crate::link`] →
//! [`crate::rules`] and cfn-guard → severities and suppressions → the [`Report`].
//!
//! `inputs.rs` holds what was read and builds the model from it, `fix_rounds.rs` runs `--fix`
//! (scan, write, scan again), `parse_only.rs` the parse-only floor.

mod fix_rounds;
mod inputs;
mod parse_only;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

pub use fix_rounds::{FixRun, MAX_FIX_ROUNDS, scan_and_fix};
use inputs::Inputs;
pub use parse_only::{ParseStats, parse_only};

use crate::frontend::{self, cfn};
use crate::load::{Loaded, Prepared, load};
use crate::options::Options;
use crate::report::{Report, Summary};
use crate::rules::{self, Finding, Rule};
use crate::source::{FileId, InputError, SourceFile, display_path};
use crate::{discover, fix, guard, model, read, selection, source, suppress};

/// Runs a whole scan on a thread pool of `opts.jobs` threads (all cores for 0).
pub fn scan(opts: &Options) -> Report {
    let jobs =
        if opts.jobs == 0 { std::thread::available_parallelism().map_or(1, |n| n.get()) } else { opts.jobs };
    let pool = rayon::ThreadPoolBuilder::new().num_threads(jobs).build();
    let run = || scan_paths(opts, jobs);
    match pool {
        Ok(pool) => pool.install(run),
        Err(_) => run(),
    }
}

/// What reading one path gives: the file's key, the keys of the files it includes (a
/// Serverless Framework service's), and the file prepared for analysis.
type Read = (Option<read::FileKey>, Vec<read::FileKey>, (Prepared, guard::Checked));

pub(crate) fn scan_paths(opts: &Options, jobs: usize) -> Report {
    let (mut paths, walk_errors) = discover::discover(&opts.paths, opts.honour_ignore_files, jobs);
    paths.retain(|p| !opts.config.excludes(p));
    let guard_pack = guard::Pack::load(&opts.guard_rules, &opts.cwd);
    let roots = discover::Roots::new(&opts.paths);
    let loaded = read_all(opts, &paths, &roots, &guard_pack);
    let (paths, prepared) = scanned_once(paths, loaded);
    let errors = walk_errors
        .into_iter()
        .map(|w| InputError {
            message: w.message,
            path: w.path.map(|p| display_path(&p, &opts.cwd)),
            place: None,
        })
        .collect();
    analyse(opts, &paths, prepared, errors, guard_pack)
}

/// Reads, parses and prepares every path, in parallel.
fn read_all(
    opts: &Options,
    paths: &[PathBuf],
    roots: &discover::Roots,
    guard_pack: &guard::Pack,
) -> Vec<Read> {
    // Each template is indexed as soon as it is parsed, so its tree is freed while the other
    // files are read: memory holds the texts, the indexes and the trees being worked on.
    paths
        .par_iter()
        .map(|p| {
            let (key, loaded) = load(p, &opts.cwd, roots);
            let included = match &loaded {
                Loaded::Template { fragments, .. } => fragments.iter().filter_map(|f| f.key).collect(),
                _ => Vec::new(),
            };
            (key, included, prepare(loaded, guard_pack))
        })
        .collect()
}

/// The paths scanned, each file once, and the files to analyse: without the files a
/// Serverless Framework service includes or builds.
fn scanned_once(paths: Vec<PathBuf>, loaded: Vec<Read>) -> (Vec<PathBuf>, Vec<(Prepared, guard::Checked)>) {
    // A file a Serverless Framework service includes is part of that service's stack, not a
    // template of its own.
    let included: HashSet<read::FileKey> =
        loaded.iter().flat_map(|(_, included, _)| included.iter().copied()).collect();
    // A Serverless Framework service's build output (`.serverless/`) is what its service file
    // already gave, with places in the user's own files: it is read only for a service whose
    // file gave no template (one written in TypeScript or JavaScript).
    let services: HashSet<PathBuf> = paths
        .iter()
        .zip(&loaded)
        .filter(|(p, (_, _, (item, _)))| {
            frontend::serverless::is_service_file(p) && matches!(item, Prepared::Indexed { .. })
        })
        .filter_map(|(p, _)| p.parent().map(Path::to_path_buf))
        .collect();
    let built_from_service = |p: &Path| {
        p.ancestors()
            .find(|a| a.file_name().is_some_and(|n| n == ".serverless"))
            .and_then(Path::parent)
            .is_some_and(|service| services.contains(service))
    };
    // One file reached by several paths (`a.yaml ./a.yaml`, a linked folder) is scanned once,
    // under the first of them.
    let mut seen = HashSet::new();
    let mut prepared = Vec::with_capacity(loaded.len());
    let mut kept_paths = Vec::with_capacity(paths.len());
    for (path, (key, _, item)) in paths.into_iter().zip(loaded) {
        if key.is_none_or(|k| seen.insert(k)) {
            let fragment =
                key.is_some_and(|k| included.contains(&k)) && !frontend::serverless::is_service_file(&path);
            if !fragment && !built_from_service(&path) {
                prepared.push(item);
            }
            kept_paths.push(path);
        }
    }
    (kept_paths, prepared)
}

/// Everything after reading: front ends, linking, rules, severities and suppressions.
pub(crate) fn analyse(
    opts: &Options,
    paths: &[PathBuf],
    prepared: Vec<(Prepared, guard::Checked)>,
    errors: Vec<InputError>,
    mut guard_pack: guard::Pack,
) -> Report {
    let (mut inputs, guard_checked) = add_inputs(prepared, errors, &mut guard_pack);
    let model = build_model(opts, &mut inputs);
    let config_file = inputs.add_config_file(opts);
    let selected = selection::selected_rules(&opts.select, &opts.ignore);
    let findings = check(opts, &selected, guard_checked, &model, &mut inputs);
    let (findings, suppressed) =
        apply_suppressions(opts, &selected, findings, &model, config_file, &mut inputs);
    finish(opts, paths, inputs, model, findings, suppressed, guard_pack.rules())
}

/// The prepared files as [`Inputs`], with the Guard results of the templates that have any.
fn add_inputs(
    prepared: Vec<(Prepared, guard::Checked)>,
    errors: Vec<InputError>,
    guard_pack: &mut guard::Pack,
) -> (Inputs, Vec<(FileId, guard::Checked)>) {
    let mut inputs = Inputs { errors, ..Inputs::default() };
    let mut guard_checked = Vec::new();
    for (item, checked) in prepared {
        if !checked.hits.is_empty() || !checked.errors.is_empty() {
            guard_checked.push((inputs.files.len(), checked));
        }
        inputs.add(item);
    }
    inputs.add_guard_errors(std::mem::take(&mut guard_pack.errors));
    (inputs, guard_checked)
}

/// The linked model, after CDK assemblies are applied; its evaluation errors become input errors.
fn build_model(opts: &Options, inputs: &mut Inputs) -> model::Model {
    let assemblies = std::mem::take(&mut inputs.assemblies);
    let roots = discover::Roots::new(&opts.paths);
    let cdk = frontend::cdk::link(assemblies, &opts.cwd, &roots, &mut inputs.templates, &mut inputs.files);
    inputs.errors.extend(cdk.errors);
    let mut model = inputs.model(&roots);
    model.places.app_sources = cdk.app_sources;
    model.folders = inputs.files.iter().map(|f| source::parent_dir(&f.display).to_string()).collect();
    model.dialects = inputs.dialects();
    for e in std::mem::take(&mut model.errors) {
        let path = Some(inputs.files[e.loc.file].display.clone());
        inputs.errors.push(InputError { message: e.message, path, place: Some((e.loc.file, e.loc.span)) });
    }
    model
}

/// The findings of the selected rules and Guard rules, with their fixes spelled and the
/// severities the config sets.
fn check(
    opts: &Options,
    selected: &[&'static Rule],
    guard_checked: Vec<(FileId, guard::Checked)>,
    model: &model::Model,
    inputs: &mut Inputs,
) -> Vec<Finding> {
    let mut findings = rules::check_all(model, selected);
    findings.extend(inputs.guard_findings(guard_checked, opts));
    inputs.restore_texts(&findings, model);
    let blocked = fix::blocked_files(&inputs.files, &inputs.errors);
    fix::spell_all(findings.iter_mut().filter_map(|f| f.fix.as_mut()), &inputs.files, &blocked);
    point_at_app_sources(&mut findings, model, &inputs.files);
    for f in &mut findings {
        // Only what the config sets: some findings carry their own severity (a note where a
        // trust is rewritten at deploy time).
        if let Some(severity) = opts.config.severity_of(f.rule) {
            f.severity = severity;
        }
    }
    findings
}

/// The findings kept and those suppressions hide, unless `--no-suppress`; suppressions'
/// errors become input errors.
fn apply_suppressions(
    opts: &Options,
    selected: &[&'static Rule],
    findings: Vec<Finding>,
    model: &model::Model,
    config_file: Option<FileId>,
    inputs: &mut Inputs,
) -> (Vec<Finding>, Vec<suppress::Suppressed>) {
    if opts.no_suppress {
        return (findings, Vec::new());
    }
    let unused_on = selected.iter().any(|r| r.code == rules::UNUSED_SUPPRESSION.code);
    let outcome =
        suppress::apply(findings, model, &inputs.files, &opts.config, config_file, &opts.cwd, unused_on);
    for e in outcome.errors {
        let path = inputs.files[e.loc.file].display.clone();
        inputs.errors.push(InputError {
            message: e.message,
            path: Some(path),
            place: Some((e.loc.file, e.loc.span)),
        });
    }
    (outcome.kept, outcome.suppressed)
}

/// The report: findings and errors sorted, findings fingerprinted, the summary counted; the
/// indexes and the model are freed in the background.
fn finish(
    opts: &Options,
    paths: &[PathBuf],
    inputs: Inputs,
    model: model::Model,
    mut findings: Vec<Finding>,
    suppressed: Vec<suppress::Suppressed>,
    guard_rules: Vec<&'static Rule>,
) -> Report {
    let Inputs { files, templates, tf_files, plans, mut errors, .. } = inputs;
    sort_findings(&mut findings, &files);
    crate::report::fingerprint::assign(&mut findings, &files);
    errors.sort_by(|a, b| (&a.path, a.place.map(|p| p.1)).cmp(&(&b.path, b.place.map(|p| p.1))));
    let summary = Summary {
        files_scanned: if paths.is_empty() { files.len() } else { paths.len() },
        templates: templates.len() + tf_files.len() + plans.len(),
        terraform: tf_files.len() + plans.len(),
        findings: findings.len(),
        suppressed: suppressed.len(),
        errors: errors.len(),
        config: opts.config.source.as_ref().map(|(path, _)| display_path(path, &opts.cwd)),
        coverage: model.coverage(),
        baseline: None,
    };
    free_in_background((templates, model, tf_files, plans));
    Report { files, findings, suppressed, errors, summary, guard_rules }
}

/// A fix not applied to CDK output names the line of the app that creates the resource, where
/// the change belongs.
fn point_at_app_sources(findings: &mut [Finding], model: &model::Model, files: &[SourceFile]) {
    for f in findings {
        let Some(fix) = &mut f.fix else { continue };
        if files[f.loc.file].generated != Some(source::CDK_OUTPUT) {
            continue;
        }
        let (Some(why), Some(at)) =
            (&mut fix.not_applied, model.places.app_sources.get(&(f.loc.file, f.resource.clone())))
        else {
            continue;
        };
        let file = &files[at.file];
        let line = file.lines.line_col(&file.text, at.span.start).line;
        why.push_str(&format!(" at {}:{line}", file.display));
    }
}

/// Frees `value` on a thread of its own. The parsed trees of a scan take about as long to free
/// as to build, and nothing waits for them: the report is written meanwhile, and at the end of
/// the process the system takes the memory back at once.
pub(crate) fn free_in_background<T: Send + 'static>(value: T) {
    // Should the thread not start, the closure and `value` are dropped here instead.
    let _ = std::thread::Builder::new().name("free".into()).spawn(move || drop(value));
}

/// The per-file part of analysis, run with the reading: what the Guard rule files say about a
/// template, then its index (which takes its tree apart, so it comes second). The template
/// gets its file id when it is added to [`Inputs`].
pub(crate) fn prepare(item: Loaded, pack: &guard::Pack) -> (Prepared, guard::Checked) {
    match item {
        Loaded::Template { mut file, root, json, mut issues, fragments, complete } => {
            let checked = if pack.is_empty() { guard::Checked::default() } else { pack.check(&file, &root) };
            let (template, index_errors) =
                cfn::index(0, &file.display, json, root, !pack.is_empty(), complete);
            issues.extend(index_errors);
            // The index holds what the model reads, with places; the text is read again only
            // if the report shows something in it.
            file.release();
            let mut template = Box::new(template);
            template.fragments = fragments.iter().map(|f| f.base).collect();
            let fragments = fragments.into_iter().map(|f| f.file).collect();
            (Prepared::Indexed { file, template, issues, fragments }, checked)
        }
        Loaded::Other(other) => (Prepared::Other(other), guard::Checked::default()),
    }
}

fn sort_findings(findings: &mut [Finding], files: &[SourceFile]) {
    // Each key once: a column is counted from the start of its line, which in a minified
    // template is the whole file.
    findings.sort_by_cached_key(|f| {
        let file = &files[f.loc.file];
        let lc = file.lines.line_col(&file.text, f.loc.span.start);
        (file.display.clone(), lc.line, lc.column, f.rule.code)
    });
}

#[cfg(test)]
mod tests {
    use crate::scan_texts;

    #[test]
    fn findings_name_their_own_file_after_skipped_and_broken_ones() {
        // Templates are indexed before they have their file id: a skipped file takes none, a
        // broken one with text takes one.
        let template = "Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      \
                        AssumeRolePolicyDocument:\n        Statement:\n          - Effect: Allow\n            \
                        Principal: {Federated: cognito-identity.amazonaws.com}\n            \
                        Action: sts:AssumeRoleWithWebIdentity\n";
        let report = scan_texts(&[
            ("a.json", r#"{"name": "not a template"}"#),
            ("b.yaml", "Resources:\n  X: [\n"),
            ("c.yaml", template),
        ]);
        let names: Vec<&str> = report.files.iter().map(|f| f.display.as_str()).collect();
        assert_eq!(names, ["b.yaml", "c.yaml"]);
        assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
        assert_eq!(report.errors[0].path.as_deref(), Some("b.yaml"));
        let [finding] = &report.findings[..] else { panic!("{:?}", report.findings) };
        assert_eq!(finding.rule.code, "CT105");
        let file = &report.files[finding.loc.file];
        assert_eq!(file.display, "c.yaml");
        assert_eq!(file.lines.line_col(&file.text, finding.loc.span.start).line, 8);
    }
}
