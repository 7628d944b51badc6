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
pub mod escape;
pub mod fix;
mod frontend;
pub mod guard;
mod iam;
mod link;
mod load;
mod model;
mod options;
mod read;
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

pub use model::Coverage;
pub use options::Options;
pub use pipeline::{FixRun, MAX_FIX_ROUNDS, ParseStats, parse_only, scan_and_fix};
pub use read::MAX_FILE_BYTES;
pub use report::{Report, Summary};
pub use source::{InputError, display_path};

/// Runs a whole scan.
pub fn scan(opts: &Options) -> Report {
    pipeline::scan(opts)
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
