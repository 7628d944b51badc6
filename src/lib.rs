//! cognitrust: finds broken and insecure Amazon Cognito identity pool role setups in
//! infrastructure as code before it is deployed.
//!
//! [`scan`] is the one entry point the CLI and the tests share: discover → read and parse (in
//! parallel) → front ends build the [`model::Model`] → [`link`] → [`rules`] → [`Report`].
#![forbid(unsafe_code)]

pub mod config;
pub mod discover;
pub mod frontend;
pub mod guard;
pub mod iam;
pub mod link;
pub mod model;
pub mod report;
pub mod rules;
pub mod source;
pub mod suppress;
pub mod syntax;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use frontend::{cfn, terraform};
use rules::{Finding, Rule};
use source::{FileId, SourceFile};
use syntax::{Span, SyntaxError};

/// Largest file read; larger ones are reported, not parsed.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// What to scan and how.
#[derive(Debug, Clone)]
pub struct Options {
    pub paths: Vec<PathBuf>,
    /// Report paths relative to this folder when they are below it.
    pub cwd: PathBuf,
    /// Rules to run (codes or names); empty: all.
    pub select: Vec<String>,
    /// Rules not to run (codes or names).
    pub ignore: Vec<String>,
    pub honour_ignore_files: bool,
    /// Worker threads; 0: all cores.
    pub jobs: usize,
    /// Severities, excludes and `[[suppress]]` entries from the config file.
    pub config: config::Config,
    /// Ignore every suppression (comments, metadata, config).
    pub no_suppress: bool,
    /// cfn-guard rule files or folders to evaluate on each CloudFormation template.
    pub guard_rules: Vec<PathBuf>,
}

impl Options {
    pub fn new(paths: Vec<PathBuf>) -> Self {
        Options {
            paths,
            cwd: std::env::current_dir().unwrap_or_default(),
            select: Vec::new(),
            ignore: Vec::new(),
            honour_ignore_files: true,
            jobs: 0,
            config: config::Config::default(),
            no_suppress: false,
            guard_rules: Vec::new(),
        }
    }
}

/// An input that looks like infrastructure as code but could not be read or parsed.
#[derive(Debug, Clone)]
pub struct InputError {
    pub message: String,
    /// The display path of the file, when there is one.
    pub path: Option<String>,
    /// The file and place, when the file's text was read.
    pub place: Option<(FileId, Span)>,
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Summary {
    pub files_scanned: usize,
    pub templates: usize,
    pub findings: usize,
    pub suppressed: usize,
    pub errors: usize,
}

/// The result of a scan: the files read, findings sorted by place and rule, and input errors.
#[derive(Debug)]
pub struct Report {
    pub files: Vec<SourceFile>,
    pub findings: Vec<Finding>,
    /// Findings a suppression hides, with its kind and reason.
    pub suppressed: Vec<suppress::Suppressed>,
    pub errors: Vec<InputError>,
    pub summary: Summary,
    /// The rules of `--guard-rules`, which `rules::RULES` does not list.
    pub guard_rules: Vec<&'static Rule>,
}

/// A file after reading and parsing, before it gets its [`FileId`].
enum Loaded {
    Template {
        file: SourceFile,
        root: syntax::Node,
        json: bool,
        issues: Vec<SyntaxError>,
    },
    /// A template after [`cfn::index`], which took what the model reads out of its tree.
    Indexed {
        file: SourceFile,
        template: Box<cfn::Template>,
        issues: Vec<SyntaxError>,
    },
    Terraform {
        file: SourceFile,
        root: syntax::Node,
        issues: Vec<SyntaxError>,
    },
    Plan {
        file: SourceFile,
        root: syntax::Node,
        issues: Vec<SyntaxError>,
    },
    Broken {
        file: Option<SourceFile>,
        path: String,
        error: SyntaxError,
    },
    /// A CDK cloud assembly manifest, with the files it names.
    Assembly(frontend::cdk::Read),
    Skipped,
}

/// Runs a whole scan.
pub fn scan(opts: &Options) -> Report {
    let jobs =
        if opts.jobs == 0 { std::thread::available_parallelism().map_or(1, |n| n.get()) } else { opts.jobs };
    let pool = rayon::ThreadPoolBuilder::new().num_threads(jobs).build();
    let run = || scan_inner(opts, jobs);
    match pool {
        Ok(pool) => pool.install(run),
        Err(_) => run(),
    }
}

fn scan_inner(opts: &Options, jobs: usize) -> Report {
    let (mut paths, walk_errors) = discover::discover(&opts.paths, opts.honour_ignore_files, jobs);
    paths.retain(|p| !opts.config.excludes(p));
    let guard_pack = guard::Pack::load(&opts.guard_rules, &opts.cwd);
    // Each template is indexed as soon as it is parsed, so its tree is freed while the other
    // files are read: memory holds the texts, the indexes and the trees being worked on.
    let prepared = paths.par_iter().map(|p| prepare(load(p, &opts.cwd), &guard_pack)).collect();
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

/// Scans in-memory files, named as on disk (the extension decides the format): what the fuzz
/// targets and embedding tools use. No config, no suppressions file, no CDK manifests.
pub fn scan_texts(files: &[(&str, &str)]) -> Report {
    let opts = Options { cwd: PathBuf::new(), ..Options::new(Vec::new()) };
    let pack = guard::Pack::default();
    let prepared = files
        .iter()
        .map(|(name, text)| prepare(load_text(Path::new(name), name, text.to_string()), &pack))
        .collect();
    analyse(&opts, &[], prepared, Vec::new(), pack)
}

/// Everything after reading: front ends, linking, rules, severities and suppressions.
fn analyse(
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
    let cdk = frontend::cdk::link(assemblies, &opts.cwd, &mut inputs.templates, &mut inputs.files);
    inputs.errors.extend(cdk.errors);
    let mut model = inputs.model();
    model.app_sources = cdk.app_sources;
    for e in std::mem::take(&mut model.errors) {
        let path = Some(inputs.files[e.loc.file].display.clone());
        inputs.errors.push(InputError { message: e.message, path, place: Some((e.loc.file, e.loc.span)) });
    }
    let config_file = inputs.add_config_file(opts);
    let selected = selected_rules(&opts.select, &opts.ignore);
    let mut findings = rules::check_all(&model, &selected);
    findings.extend(inputs.guard_findings(guard_checked, opts));
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
    let Inputs { files, templates, tf_files, plans, mut errors, assemblies: _ } = inputs;
    sort_findings(&mut findings, &files);
    errors.sort_by(|a, b| (&a.path, a.place.map(|p| p.1)).cmp(&(&b.path, b.place.map(|p| p.1))));
    let summary = Summary {
        files_scanned: if paths.is_empty() { files.len() } else { paths.len() },
        templates: templates.len() + tf_files.len() + plans.len(),
        findings: findings.len(),
        suppressed: suppressed.len(),
        errors: errors.len(),
    };
    free_in_background((templates, model, tf_files, plans));
    Report { files, findings, suppressed, errors, summary, guard_rules: guard_pack.rules() }
}

/// Frees `value` on a thread of its own. The parsed trees of a scan take about as long to free
/// as to build, and nothing waits for them: the report is written meanwhile, and at the end of
/// the process the system takes the memory back at once.
fn free_in_background<T: Send + 'static>(value: T) {
    // Should the thread not start, the closure and `value` are dropped here instead.
    let _ = std::thread::Builder::new().name("free".into()).spawn(move || drop(value));
}

/// The per-file part of analysis, run with the reading: what the Guard rule files say about a
/// template, then its index (which takes its tree apart, so it comes second). The template
/// gets its file id when it is added to [`Inputs`].
fn prepare(item: Loaded, pack: &guard::Pack) -> (Loaded, guard::Checked) {
    match item {
        Loaded::Template { file, root, json, mut issues } => {
            let checked = if pack.is_empty() { guard::Checked::default() } else { pack.check(&file, &root) };
            let (template, index_errors) = cfn::index(0, &file.display, json, root);
            issues.extend(index_errors);
            (Loaded::Indexed { file, template: Box::new(template), issues }, checked)
        }
        other => (other, guard::Checked::default()),
    }
}

/// What the parse-only floor did: files read and parsed, bytes, inputs that failed.
#[derive(Debug, Clone, Copy, Default)]
pub struct ParseStats {
    pub files: usize,
    pub bytes: usize,
    pub parsed: usize,
    pub errors: usize,
}

/// Discovers, reads and parses like [`scan`], and does nothing else: the floor a whole scan is
/// measured against (`cognitrust parse`, bench/run.sh).
pub fn parse_only(opts: &Options) -> ParseStats {
    let jobs =
        if opts.jobs == 0 { std::thread::available_parallelism().map_or(1, |n| n.get()) } else { opts.jobs };
    let run = || {
        let (paths, walk_errors) = discover::discover(&opts.paths, opts.honour_ignore_files, jobs);
        let loaded: Vec<Loaded> = paths.par_iter().map(|p| load(p, &opts.cwd)).collect();
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
}

impl Inputs {
    fn add(&mut self, item: Loaded) {
        let id = self.files.len();
        match item {
            Loaded::Template { .. } => {
                let (indexed, _) = prepare(item, &guard::Pack::default());
                self.add(indexed);
            }
            Loaded::Indexed { file, mut template, issues } => {
                template.set_file(id);
                self.push_issues(&file, issues);
                self.files.push(file);
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
                if !guard::selected(hit.rule.code, &opts.select, &opts.ignore) {
                    continue;
                }
                let resource = template.and_then(|t| t.resource(&hit.resource));
                out.push(hit.finding(file, resource.and_then(|r| r.cdk_path.clone())));
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
    fn model(&self) -> model::Model {
        let mut model = model::Model::default();
        cfn::extract::extract(&self.templates, &mut model);
        let sources = terraform::source::Sources::new(&self.tf_files, &self.files);
        sources.extract(&mut model);
        let defined: std::collections::HashSet<String> =
            sources.addresses().into_iter().map(|(a, _)| a).collect();
        for (file, root) in &self.plans {
            let plan = terraform::plan::Plan::new(*file, root, &self.files);
            let planned = plan.addresses();
            let covered = planned.iter().any(|(a, _)| defined.contains(a));
            for (address, loc) in planned.iter().filter(|(a, _)| covered && defined.contains(a)) {
                model.plan_places.insert(address.clone(), *loc);
            }
            plan.extract(&mut model, &|a: &str| covered && defined.contains(a));
        }
        link::link(&mut model);
        model
    }
}

/// The rules that `--select` and `--ignore` leave.
pub fn selected_rules(select: &[String], ignore: &[String]) -> Vec<&'static Rule> {
    let named = |list: &[String], r: &Rule| {
        list.iter().any(|s| s.eq_ignore_ascii_case(r.code) || s.eq_ignore_ascii_case(r.name))
    };
    rules::RULES
        .iter()
        .copied()
        .filter(|r| select.is_empty() || named(select, r))
        .filter(|r| !named(ignore, r))
        .collect()
}

fn sort_findings(findings: &mut [Finding], files: &[SourceFile]) {
    findings.sort_by(|a, b| {
        let key = |f: &Finding| {
            let file = &files[f.loc.file];
            let lc = file.lines.line_col(&file.text, f.loc.span.start);
            (file.display.clone(), lc.line, lc.column, f.rule.code)
        };
        key(a).cmp(&key(b))
    });
}

/// The path as reports show it: relative to `cwd` when below it, with forward slashes.
pub fn display_path(path: &Path, cwd: &Path) -> String {
    let rel = path.strip_prefix(cwd).ok().filter(|r| !r.as_os_str().is_empty()).unwrap_or(path);
    let text = rel.to_string_lossy().replace('\\', "/");
    text.strip_prefix("./").map(String::from).unwrap_or(text)
}

/// Reads, classifies and parses one file.
fn load(path: &Path, cwd: &Path) -> Loaded {
    let display = &display_path(path, cwd);
    let broken = |file: Option<SourceFile>, message: String, span: Span| Loaded::Broken {
        file,
        path: display.to_string(),
        error: SyntaxError::new(message, span),
    };
    match std::fs::metadata(path) {
        Ok(m) if m.len() > MAX_FILE_BYTES => {
            return broken(
                None,
                format!("file is larger than {} MiB; not read", MAX_FILE_BYTES / (1024 * 1024)),
                Span::default(),
            );
        }
        Err(e) => return broken(None, format!("cannot read: {e}"), Span::default()),
        Ok(_) => {}
    }
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => return broken(None, format!("cannot read: {e}"), Span::default()),
    };
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            if !looks_like_template_bytes(e.as_bytes()) && !is_template_path(path) {
                return Loaded::Skipped;
            }
            let prefix = String::from_utf8_lossy(&e.as_bytes()[..at]).into_owned();
            let file = SourceFile::new(display.to_string(), prefix);
            let end = file.text.len();
            return broken(Some(file), format!("invalid UTF-8 at byte {at}"), Span::new(end, end));
        }
    };
    if frontend::cdk::is_assembly(path, &text) {
        return Loaded::Assembly(frontend::cdk::read(path, text, cwd));
    }
    load_text(path, display, text)
}

/// Classifies and parses one file's text.
fn load_text(path: &Path, display: &str, text: String) -> Loaded {
    let broken = |file: Option<SourceFile>, message: String, span: Span| Loaded::Broken {
        file,
        path: display.to_string(),
        error: SyntaxError::new(message, span),
    };
    if is_terraform_path(path) {
        return match syntax::hcl::parse(&text) {
            Ok(p) => Loaded::Terraform {
                file: SourceFile::new(display.to_string(), text),
                root: p.root,
                issues: p.issues,
            },
            Err(e) => broken(Some(SourceFile::new(display.to_string(), text)), e.message, e.span),
        };
    }
    if !looks_like_template(&text) && !looks_like_plan(&text) {
        return Loaded::Skipped;
    }
    let json = is_json(path, &text);
    let parsed = if json { syntax::json::parse(&text) } else { syntax::yaml::parse(&text) };
    let file = SourceFile::new(display.to_string(), text);
    match parsed {
        Ok(p) if cfn::is_template(&p.root) => Loaded::Template { file, root: p.root, json, issues: p.issues },
        Ok(p) if json && terraform::plan::is_plan(&p.root) => {
            Loaded::Plan { file, root: p.root, issues: p.issues }
        }
        Ok(_) => Loaded::Skipped,
        Err(e) => broken(Some(file), e.message, e.span),
    }
}

/// A cheap first look: only files mentioning a template's top-level keys are parsed.
fn looks_like_template(text: &str) -> bool {
    text.contains("AWSTemplateFormatVersion") || text.contains("Resources")
}

fn looks_like_template_bytes(bytes: &[u8]) -> bool {
    let has = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    has(b"AWSTemplateFormatVersion") || has(b"Resources")
}

/// A Terraform plan (`terraform show -json`) names its format version first.
fn looks_like_plan(text: &str) -> bool {
    text.contains("\"format_version\"")
        && (text.contains("\"planned_values\"") || text.contains("\"resource_changes\""))
}

fn is_terraform_path(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("tf"))
}

/// `.template` files and the like that are named for CloudFormation.
fn is_template_path(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "template")
}

fn is_json(path: &Path, text: &str) -> bool {
    match path.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("json") => true,
        Some(e) if e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml") => false,
        _ => text.trim_start_matches('\u{feff}').trim_start().starts_with('{'),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
