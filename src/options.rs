//! What a scan is asked to do ([`Options`]), as the CLI and embedding code set it.

use std::path::PathBuf;

use crate::config;

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
