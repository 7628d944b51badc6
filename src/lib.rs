//! cognitrust: finds broken and insecure Amazon Cognito identity pool role setups in
//! infrastructure as code before it is deployed.
//!
//! [`scan`] is the one entry point the CLI and the tests share; `pipeline.rs` runs it: discover
//! → read and parse (in parallel) → front ends build the [`model::Model`] → [`link`] →
//! [`rules`] → [`Report`].
#![forbid(unsafe_code)]

pub mod baseline;
pub mod config;
pub mod discover;
pub mod fix;
pub mod frontend;
pub mod guard;
pub mod iam;
pub mod link;
pub mod load;
pub mod model;
pub mod read;
pub mod report;
pub mod rules;
pub mod scope;
pub mod selection;
pub mod source;
pub mod suppress;
pub mod syntax;
pub mod write;

mod pipeline;

use std::path::{Path, PathBuf};

use rules::{Finding, Rule};
use source::SourceFile;

pub use read::MAX_FILE_BYTES;
pub use source::{InputError, display_path};

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

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Summary {
    pub files_scanned: usize,
    pub templates: usize,
    pub findings: usize,
    pub suppressed: usize,
    pub errors: usize,
    /// The config file the scan used, as reports show paths; absent when none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<String>,
    /// What the scan could link and check.
    pub coverage: Coverage,
    /// The baseline's counts, when one is used (`--baseline`, config `baseline`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<baseline::Counts>,
}

/// How much of the identity pools' setup the scan could check: every slot is either checked
/// through a role it found, or not checked with a finding that says why (CT202, CT901).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Coverage {
    /// Identity pools found.
    pub pools: usize,
    /// Role slots of their attachments: `authenticated`, `unauthenticated`, role-mapping rules,
    /// user pool groups reached through `Token` mappings, roles of a computed `roles` map; and
    /// each computed `roles` map whose roles could not be told.
    pub slots: usize,
    /// Roles whose trust was checked for a slot.
    pub roles_checked: usize,
    /// Slots whose role was not checked (each has a CT202 or CT901 finding).
    pub not_checked: usize,
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

/// Runs a whole scan.
pub fn scan(opts: &Options) -> Report {
    let jobs =
        if opts.jobs == 0 { std::thread::available_parallelism().map_or(1, |n| n.get()) } else { opts.jobs };
    let pool = rayon::ThreadPoolBuilder::new().num_threads(jobs).build();
    let run = || pipeline::scan_paths(opts, jobs);
    match pool {
        Ok(pool) => pool.install(run),
        Err(_) => run(),
    }
}

/// How many times `--fix` scans, applies and scans again: a fix can uncover a finding that
/// another fixes (a principal written as a service, then its action).
pub const MAX_FIX_ROUNDS: usize = 8;

/// What `--fix` did.
#[derive(Debug, Default)]
pub struct FixRun {
    /// The findings fixed, over every round.
    pub fixed: usize,
    /// The files written at least once.
    pub files: std::collections::BTreeSet<String>,
}

/// Scans, applies the certain fixes to the files and scans again, until no fix applies or
/// [`MAX_FIX_ROUNDS`] rounds ran; the report is the last scan's, with the files that could not
/// be written among its errors.
pub fn scan_and_fix(opts: &Options) -> (Report, FixRun) {
    let roots = discover::Roots::new(&opts.paths);
    let mut run = FixRun::default();
    let mut write_errors = Vec::new();
    // Every text each file has held, so that fixes that undo each other stop at once.
    let mut held: std::collections::HashMap<String, Vec<u64>> = std::collections::HashMap::new();
    let mut report = scan(opts);
    let mut settled = false;
    for _ in 1..MAX_FIX_ROUNDS {
        let (mut fixed, unread) = fix::apply(&report.findings, &report.files);
        write_errors.extend(unread);
        fixed.retain(|f| {
            let file = &report.files[f.file];
            let texts = held.entry(file.display.clone()).or_default();
            texts.push(read::fingerprint(file.text.as_bytes()));
            if texts.contains(&read::fingerprint(f.text.as_bytes())) {
                write_errors.push(InputError {
                    message: "not fixed further: its fixes undo each other (please report this)".into(),
                    path: Some(file.display.clone()),
                    place: None,
                });
                return false;
            }
            true
        });
        let errors = fix::write(&fixed, &report.files, &roots);
        let failed: Vec<&str> = errors.iter().filter_map(|e| e.path.as_deref()).collect();
        let written: Vec<_> =
            fixed.iter().filter(|f| !failed.contains(&report.files[f.file].display.as_str())).collect();
        write_errors.extend(errors);
        if written.is_empty() {
            settled = true;
            break;
        }
        run.fixed += written.iter().map(|f| f.fixes).sum::<usize>();
        run.files.extend(written.iter().map(|f| report.files[f.file].display.clone()));
        report = scan(opts);
    }
    let left = report.findings.iter().any(|f| f.fix.as_ref().is_some_and(fix::Fix::applicable));
    if !settled && left {
        // A bound hit is said: the report's findings still show fixes to apply.
        write_errors.push(InputError {
            message: format!(
                "--fix still changed files after {MAX_FIX_ROUNDS} rounds and stopped; run it again, and please report this"
            ),
            path: None,
            place: None,
        });
    }
    write_errors.sort_by(|a, b| (&a.path, &a.message).cmp(&(&b.path, &b.message)));
    write_errors.dedup_by(|a, b| a.path == b.path && a.message == b.message);
    report.summary.errors += write_errors.len();
    report.errors.extend(write_errors);
    (report, run)
}

/// Scans in-memory files, named as on disk (the extension decides the format): what the fuzz
/// targets and embedding tools use. No config, no suppressions file, no CDK manifests.
pub fn scan_texts(files: &[(&str, &str)]) -> Report {
    let opts = Options { cwd: PathBuf::new(), ..Options::new(Vec::new()) };
    let pack = guard::Pack::default();
    let prepared = files
        .iter()
        .map(|(name, text)| {
            pipeline::prepare(load::load_text(Path::new(name), name, text.to_string()), &pack)
        })
        .collect();
    pipeline::analyse(&opts, &[], prepared, Vec::new(), pack)
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
    pipeline::parse_only(opts)
}
