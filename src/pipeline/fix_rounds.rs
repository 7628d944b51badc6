//! `--fix`: scan, write the certain fixes into the files, and scan again until nothing is left
//! to fix.

use std::collections::{BTreeSet, HashMap};

use super::scan;
use crate::options::Options;
use crate::report::Report;
use crate::source::InputError;
use crate::{discover, fix, read};

/// How many times `--fix` scans, applies and scans again: a fix can uncover a finding that
/// another fixes (a principal written as a service, then its action).
pub const MAX_FIX_ROUNDS: usize = 8;

/// What `--fix` did.
#[derive(Debug, Default)]
pub struct FixRun {
    /// The findings fixed, over every round.
    pub fixed: usize,
    /// The files written at least once.
    pub files: BTreeSet<String>,
}

/// Scans, applies the certain fixes to the files and scans again, until no fix applies or
/// [`MAX_FIX_ROUNDS`] rounds ran; the report is the last scan's, with the files that could not
/// be written among its errors.
pub fn scan_and_fix(opts: &Options) -> (Report, FixRun) {
    let roots = discover::Roots::new(&opts.paths);
    let mut run = FixRun::default();
    let mut write_errors = Vec::new();
    // Every text each file has held, so that fixes that undo each other stop at once.
    let mut held: HashMap<String, Vec<u64>> = HashMap::new();
    let mut report = scan(opts);
    let mut settled = false;
    for _ in 1..MAX_FIX_ROUNDS {
        let (mut fixed, unread) = fix::apply(report.fixes(), &report.files);
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
