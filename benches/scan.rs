//! Whole-scan throughput over the corpus's general templates: prints files/s and MB/s.
//! Run with `cargo bench --bench scan`; a benchmark, not a test (nothing is asserted).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use cognitrust::{Options, scan};

fn total_bytes(dir: &Path) -> u64 {
    let mut total = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if cognitrust::discover::has_template_extension(&path) {
                total += entry.metadata().map_or(0, |m| m.len());
            }
        }
    }
    total
}

fn main() {
    let corpus: PathBuf = std::env::var_os("COGNITRUST_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/general"));
    if !corpus.is_dir() {
        eprintln!("skipped: no corpus at {}", corpus.display());
        return;
    }
    let bytes = total_bytes(&corpus);
    let mut opts = Options::new(vec![corpus.clone()]);
    opts.cwd = corpus.clone();
    let warm = scan(&opts);
    let files = warm.summary.files_scanned;
    let mut times: Vec<Duration> = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while times.len() < 5 || (Instant::now() < deadline && times.len() < 50) {
        let start = Instant::now();
        let report = scan(&opts);
        times.push(start.elapsed());
        assert_eq!(report.summary.files_scanned, files);
    }
    times.sort();
    let median = times[times.len() / 2].as_secs_f64();
    let best = times[0].as_secs_f64();
    println!(
        "scan {}: {} files ({} templates), {:.1} MB, {} runs",
        corpus.display(),
        files,
        warm.summary.templates,
        bytes as f64 / 1e6,
        times.len()
    );
    println!(
        "median {:.1} ms: {:.0} files/s, {:.1} MB/s (best {:.1} ms)",
        median * 1e3,
        files as f64 / median,
        bytes as f64 / 1e6 / median,
        best * 1e3
    );
}
