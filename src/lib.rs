//! cognitrust: finds broken and insecure Amazon Cognito identity pool role setups in
//! infrastructure as code before it is deployed.
//!
//! [`scan`] is the one entry point the CLI and the tests share; `pipeline/` runs it: discover
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

pub use model::Coverage;
pub use pipeline::{FixRun, MAX_FIX_ROUNDS, ParseStats, parse_only, scan_and_fix};
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
