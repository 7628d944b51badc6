//! The parse-only floor: discovering, reading and parsing as a scan does, and nothing else.

use rayon::prelude::*;

use super::free_in_background;
use crate::discover;
use crate::load::{Loaded, Other, load};
use crate::options::Options;

/// What the parse-only floor did: files read and parsed, bytes, inputs that failed.
#[derive(Debug, Clone, Copy, Default)]
pub struct ParseStats {
    pub files: usize,
    pub bytes: usize,
    pub parsed: usize,
    pub errors: usize,
}

/// Discovers, reads and parses like [`scan`](super::scan), and does nothing else: the floor a whole scan is
/// measured against (`cognitrust parse`, bench/run.sh).
pub fn parse_only(opts: &Options) -> ParseStats {
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
                | Loaded::Other(Other::Terraform { file, .. } | Other::Plan { file, .. }) => {
                    stats.parsed += 1;
                    stats.bytes += file.text.len();
                }
                Loaded::Other(Other::Assembly(_)) => stats.parsed += 1,
                Loaded::Other(Other::Broken { .. }) => stats.errors += 1,
                Loaded::Other(Other::Skipped) => {}
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
