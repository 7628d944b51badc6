//! The pipeline of a scan: discover → read and parse (in parallel, each template indexed as
//! soon as it is parsed) → the front ends build the [`crate::model::Model`] → [`crate::link`] →
//! [`crate::rules`] and cfn-guard → severities and suppressions → the [`crate::Report`].

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::frontend::{self, cfn, terraform};
use crate::load::{Loaded, load};
use crate::rules::{self, Finding};
use crate::source::{FileId, InputError, SourceFile, display_path};
use crate::syntax::{self, SyntaxError};
use crate::{
    Options, ParseStats, Report, Summary, discover, fix, guard, link, model, read, selection, source,
    suppress,
};

pub(crate) fn scan_paths(opts: &Options, jobs: usize) -> Report {
    let (mut paths, walk_errors) = discover::discover(&opts.paths, opts.honour_ignore_files, jobs);
    paths.retain(|p| !opts.config.excludes(p));
    let guard_pack = guard::Pack::load(&opts.guard_rules, &opts.cwd);
    let roots = discover::Roots::new(&opts.paths);
    // Each template is indexed as soon as it is parsed, so its tree is freed while the other
    // files are read: memory holds the texts, the indexes and the trees being worked on.
    type Read = (Option<read::FileKey>, Vec<read::FileKey>, (Loaded, guard::Checked));
    let loaded: Vec<Read> = paths
        .par_iter()
        .map(|p| {
            let (key, loaded) = load(p, &opts.cwd, &roots);
            let included = match &loaded {
                Loaded::Template { fragments, .. } => fragments.iter().filter_map(|f| f.key).collect(),
                _ => Vec::new(),
            };
            (key, included, prepare(loaded, &guard_pack))
        })
        .collect();
    // A file a Serverless Framework service includes is part of that service's stack, not a
    // template of its own.
    let included: std::collections::HashSet<read::FileKey> =
        loaded.iter().flat_map(|(_, included, _)| included.iter().copied()).collect();
    // A Serverless Framework service's build output (`.serverless/`) is what its service file
    // already gave, with places in the user's own files: it is read only for a service whose
    // file gave no template (one written in TypeScript or JavaScript).
    let services: std::collections::HashSet<PathBuf> = paths
        .iter()
        .zip(&loaded)
        .filter(|(p, (_, _, (item, _)))| {
            frontend::serverless::is_service_file(p) && matches!(item, Loaded::Indexed { .. })
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
    let mut seen = std::collections::HashSet::new();
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
    let paths = kept_paths;
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

/// Everything after reading: front ends, linking, rules, severities and suppressions.
pub(crate) fn analyse(
    opts: &Options,
    paths: &[PathBuf],
    prepared: Vec<(Loaded, guard::Checked)>,
    errors: Vec<InputError>,
    mut guard_pack: guard::Pack,
) -> Report {
    let mut inputs = Inputs { errors, ..Inputs::default() };
    let mut guard_checked = Vec::new();
    for (item, checked) in prepared {
        if !checked.hits.is_empty() || !checked.errors.is_empty() {
            guard_checked.push((inputs.files.len(), checked));
        }
        inputs.add(item);
    }
    inputs.add_guard_errors(std::mem::take(&mut guard_pack.errors));
    let assemblies = std::mem::take(&mut inputs.assemblies);
    let roots = discover::Roots::new(&opts.paths);
    let cdk = frontend::cdk::link(assemblies, &opts.cwd, &roots, &mut inputs.templates, &mut inputs.files);
    inputs.errors.extend(cdk.errors);
    let mut model = inputs.model(&roots);
    model.app_sources = cdk.app_sources;
    model.folders = inputs.files.iter().map(|f| source::parent_dir(&f.display).to_string()).collect();
    model.dialects = inputs.dialects();
    for e in std::mem::take(&mut model.errors) {
        let path = Some(inputs.files[e.loc.file].display.clone());
        inputs.errors.push(InputError { message: e.message, path, place: Some((e.loc.file, e.loc.span)) });
    }
    let config_file = inputs.add_config_file(opts);
    let selected = selection::selected_rules(&opts.select, &opts.ignore);
    let mut findings = rules::check_all(&model, &selected);
    findings.extend(inputs.guard_findings(guard_checked, opts));
    inputs.restore_texts(&findings, &model);
    let blocked = fix::blocked_files(&inputs.files, &inputs.errors);
    fix::spell_all(&mut findings, &inputs.files, &blocked);
    point_at_app_sources(&mut findings, &model, &inputs.files);
    for f in &mut findings {
        // Only what the config sets: some findings carry their own severity (a note where a
        // trust is rewritten at deploy time).
        if let Some(severity) = opts.config.severity_of(f.rule) {
            f.severity = severity;
        }
    }
    let (mut findings, suppressed) = if opts.no_suppress {
        (findings, Vec::new())
    } else {
        let unused_on = selected.iter().any(|r| r.code == rules::UNUSED_SUPPRESSION.code);
        let outcome =
            suppress::apply(findings, &model, &inputs.files, &opts.config, config_file, &opts.cwd, unused_on);
        for e in outcome.errors {
            let path = inputs.files[e.loc.file].display.clone();
            inputs.errors.push(InputError {
                message: e.message,
                path: Some(path),
                place: Some((e.loc.file, e.loc.span)),
            });
        }
        (outcome.kept, outcome.suppressed)
    };
    let Inputs { files, templates, tf_files, plans, mut errors, .. } = inputs;
    sort_findings(&mut findings, &files);
    crate::report::fingerprint::assign(&mut findings, &files);
    errors.sort_by(|a, b| (&a.path, a.place.map(|p| p.1)).cmp(&(&b.path, b.place.map(|p| p.1))));
    let summary = Summary {
        files_scanned: if paths.is_empty() { files.len() } else { paths.len() },
        templates: templates.len() + tf_files.len() + plans.len(),
        findings: findings.len(),
        suppressed: suppressed.len(),
        errors: errors.len(),
        config: opts.config.source.as_ref().map(|(path, _)| display_path(path, &opts.cwd)),
        coverage: model.coverage(),
        baseline: None,
    };
    free_in_background((templates, model, tf_files, plans));
    Report { files, findings, suppressed, errors, summary, guard_rules: guard_pack.rules() }
}

/// A fix not applied to CDK output names the line of the app that creates the resource, where
/// the change belongs.
fn point_at_app_sources(findings: &mut [Finding], model: &model::Model, files: &[SourceFile]) {
    for f in findings {
        let Some(fix) = &mut f.fix else { continue };
        if files[f.loc.file].generated != Some(frontend::cdk::CDK_OUTPUT) {
            continue;
        }
        let (Some(why), Some(at)) =
            (&mut fix.not_applied, model.app_sources.get(&(f.loc.file, f.resource.clone())))
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
pub(crate) fn prepare(item: Loaded, pack: &guard::Pack) -> (Loaded, guard::Checked) {
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
            (Loaded::Indexed { file, template, issues, fragments }, checked)
        }
        other => (other, guard::Checked::default()),
    }
}

/// Discovers, reads and parses like [`scan`], and does nothing else: the floor a whole scan is
/// measured against (`cognitrust parse`, bench/run.sh).
pub(crate) fn parse_only(opts: &Options) -> ParseStats {
    let jobs =
        if opts.jobs == 0 { std::thread::available_parallelism().map_or(1, |n| n.get()) } else { opts.jobs };
    let run = || {
        let (paths, walk_errors) = discover::discover(&opts.paths, opts.honour_ignore_files, jobs);
        let roots = discover::Roots::new(&opts.paths);
        let loaded: Vec<Loaded> = paths.par_iter().map(|p| load(p, &opts.cwd, &roots).1).collect();
        let mut stats = ParseStats { files: paths.len(), errors: walk_errors.len(), ..ParseStats::default() };
        for item in &loaded {
            match item {
                Loaded::Template { file, .. }
                | Loaded::Indexed { file, .. }
                | Loaded::Terraform { file, .. }
                | Loaded::Plan { file, .. } => {
                    stats.parsed += 1;
                    stats.bytes += file.text.len();
                }
                Loaded::Assembly(_) => stats.parsed += 1,
                Loaded::Broken { .. } => stats.errors += 1,
                Loaded::Skipped => {}
            }
        }
        // Freed like a scan frees its trees, so the floor does what a scan must and no more.
        free_in_background(loaded);
        stats
    };
    match rayon::ThreadPoolBuilder::new().num_threads(jobs).build() {
        Ok(pool) => pool.install(run),
        Err(_) => run(),
    }
}

/// Everything read, by kind, with the files' ids assigned in path order.
#[derive(Default)]
struct Inputs {
    files: Vec<SourceFile>,
    templates: Vec<cfn::Template>,
    tf_files: Vec<terraform::source::TfFile>,
    plans: Vec<(FileId, syntax::Node)>,
    errors: Vec<InputError>,
    assemblies: Vec<frontend::cdk::Read>,
    /// The files Serverless Framework services include.
    fragments: Vec<FileId>,
}

impl Inputs {
    fn add(&mut self, item: Loaded) {
        let id = self.files.len();
        match item {
            Loaded::Template { .. } => {
                let (indexed, _) = prepare(item, &guard::Pack::default());
                self.add(indexed);
            }
            Loaded::Indexed { file, mut template, issues, fragments } => {
                template.set_file(id);
                for e in issues {
                    let loc = template.loc(e.span);
                    let path = if loc.file == id { &file } else { &fragments[loc.file - id - 1] };
                    let path = Some(path.display.clone());
                    self.errors.push(InputError {
                        message: e.message,
                        path,
                        place: Some((loc.file, loc.span)),
                    });
                }
                self.files.push(file);
                self.fragments.extend(self.files.len()..self.files.len() + fragments.len());
                self.files.extend(fragments);
                self.templates.push(*template);
            }
            Loaded::Terraform { file, root, issues } => {
                self.push_issues(&file, issues);
                let dir = source::parent_dir(&file.display).to_string();
                self.files.push(file);
                self.tf_files.push(terraform::source::TfFile { file: id, dir, root });
            }
            Loaded::Plan { file, root, issues } => {
                self.push_issues(&file, issues);
                self.files.push(file);
                self.plans.push((id, root));
            }
            Loaded::Broken { file, path, error } => {
                let place = file.map(|f| {
                    self.files.push(f);
                    (id, error.span)
                });
                self.errors.push(InputError { message: error.message, path: Some(path), place });
            }
            Loaded::Assembly(read) => self.assemblies.push(read),
            Loaded::Skipped => {}
        }
    }

    /// Reads again the released texts the report needs: files with findings, related places,
    /// errors or suppressions. A file that changed since is an error.
    fn restore_texts(&mut self, findings: &[Finding], model: &model::Model) {
        let mut needed: Vec<FileId> = Vec::new();
        for f in findings {
            needed.push(f.loc.file);
            needed.extend(f.related.iter().map(|r| r.loc.file));
            needed.extend(f.fix.iter().flat_map(|x| x.changes.iter().map(|c| c.at().file)));
        }
        needed.extend(self.errors.iter().filter_map(|e| e.place.map(|(file, _)| file)));
        needed.extend(model.resource_suppressions.iter().map(|s| s.file));
        needed.extend((0..self.files.len()).filter(|&i| !self.files[i].comments.is_empty()));
        needed.sort_unstable();
        needed.dedup();
        let restored: Vec<(FileId, Result<(), String>)> = {
            let files = &mut self.files;
            let mut wanted: Vec<(FileId, &mut SourceFile)> = files
                .iter_mut()
                .enumerate()
                .filter(|(i, f)| f.is_released() && needed.binary_search(i).is_ok())
                .collect();
            wanted.par_iter_mut().map(|(i, f)| (*i, f.restore())).collect()
        };
        for (id, result) in restored {
            if let Err(message) = result {
                let path = Some(self.files[id].display.clone());
                self.errors.push(InputError { message, path, place: None });
            }
        }
    }

    /// How each file is written, for help in its own syntax.
    fn dialects(&self) -> Vec<rules::say::Dialect> {
        let plans: std::collections::HashSet<FileId> = self.plans.iter().map(|(id, _)| *id).collect();
        let serverless = |i: usize, f: &SourceFile| {
            frontend::serverless::is_service_file(Path::new(&f.display)) || self.fragments.contains(&i)
        };
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| rules::say::Dialect::for_file(f.syntax, serverless(i, f), plans.contains(&i)))
            .collect()
    }

    /// The config file, as a file of the report when its `[[suppress]]` entries need places.
    fn add_config_file(&mut self, opts: &Options) -> Option<FileId> {
        let (path, text) = opts.config.source.as_ref()?;
        if opts.config.suppress.is_empty() {
            return None;
        }
        self.files.push(SourceFile::new(display_path(path, &opts.cwd), text.clone()));
        Some(self.files.len() - 1)
    }

    /// Guard rule files that cannot be read or parsed, as errors in their own text.
    fn add_guard_errors(&mut self, errors: Vec<guard::PackError>) {
        for e in errors {
            let place = e.place.map(|(text, span)| {
                self.files.push(SourceFile::new(e.path.clone(), text));
                (self.files.len() - 1, span)
            });
            let path = Some(e.path).filter(|p| !p.is_empty());
            self.errors.push(InputError { message: e.message, path, place });
        }
    }

    /// The Guard failures of each template that `--select`/`--ignore` keep, with construct
    /// paths; evaluation errors become input errors of the template.
    fn guard_findings(&mut self, checked: Vec<(FileId, guard::Checked)>, opts: &Options) -> Vec<Finding> {
        let mut out = Vec::new();
        for (file, checked) in checked {
            for message in checked.errors {
                let path = Some(self.files[file].display.clone());
                self.errors.push(InputError { message, path, place: None });
            }
            let template = self.templates.iter().find(|t| t.file == file);
            for hit in checked.hits {
                if !selection::guard_selected(hit.rule.code, &opts.select, &opts.ignore) {
                    continue;
                }
                let resource = template.and_then(|t| t.resource(&hit.resource));
                let mut finding = hit.finding(file, resource.and_then(|r| r.cdk_path.clone()));
                // A Serverless Framework service's spans reach into the files it includes.
                if let Some(t) = template {
                    finding.loc = t.loc(finding.loc.span);
                }
                out.push(finding);
            }
        }
        out
    }

    fn push_issues(&mut self, file: &SourceFile, issues: impl IntoIterator<Item = SyntaxError>) {
        let id = self.files.len();
        for e in issues {
            self.errors.push(InputError {
                message: e.message,
                path: Some(file.display.clone()),
                place: Some((id, e.span)),
            });
        }
    }

    /// The linked model of every input. A plan whose resources the scanned `.tf` sources
    /// define is read only for what the sources lack; its places become related locations.
    fn model(&mut self, roots: &discover::Roots) -> model::Model {
        let mut model = model::Model::default();
        cfn::extract::extract(&self.templates, &mut model);
        let sources = terraform::source::Sources::new(&self.tf_files, &self.files, roots);
        sources.extract(&mut model);
        let defined: std::collections::HashSet<String> =
            sources.addresses().into_iter().map(|(a, _)| a).collect();
        // Sources name a counted resource, or a module whose count is one or none, without
        // the key the plan names each instance by.
        let source_address = |a: &str| -> Option<String> {
            let base = terraform::plan::without_instance(a);
            let unkeyed = terraform::plan::without_keys(a);
            [a, base, &unkeyed].into_iter().find(|s| defined.contains(*s)).map(String::from)
        };
        for (file, root) in &self.plans {
            let plan = terraform::plan::Plan::new(*file, root, &self.files);
            let planned = plan.addresses();
            let in_sources = |a: &str| source_address(a).is_some();
            let covered = planned.iter().any(|(a, _)| in_sources(a));
            for (address, loc) in planned.iter().filter(|_| covered) {
                if let Some(source) = source_address(address) {
                    model.plan_places.entry(source).or_insert(*loc);
                }
            }
            plan.extract(&mut model, &|a: &str| covered && in_sources(a));
        }
        // Files `file()` and `templatefile()` read: their ids follow the scanned files.
        let read = sources.take_read_files();
        drop(sources);
        self.files.extend(read);
        link::link(&mut model);
        model
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
