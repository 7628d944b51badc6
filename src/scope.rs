//! `scan --only-paths`: a whole scan, reported for some files only.
//!
//! Links cross files (`Fn::ImportValue`, nested stacks, Terraform modules, a CDK assembly), so a
//! role file checked without the pool file that hands it out misses what a whole scan finds. The
//! pre-commit hooks therefore scan the whole repository and keep what touches a staged file: a
//! finding whose primary or related place is in one, and the input errors of those files.

use std::path::{Component, Path, PathBuf};

use crate::Report;
use crate::rules::Finding;

/// The files and folders a report is cut down to, as absolute paths without `.` or `..`.
pub struct Scope {
    paths: Vec<PathBuf>,
}

/// What [`Scope::apply`] took out of a report.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Outside {
    pub findings: usize,
    pub errors: usize,
}

impl Scope {
    /// The scope of `paths`, read relative to `cwd`.
    pub fn new(paths: &[PathBuf], cwd: &Path) -> Scope {
        Scope { paths: paths.iter().map(|p| normal(&cwd.join(p))).collect() }
    }

    /// Whether the file a report shows as `display` (relative to `cwd`, or absolute) is one of
    /// the paths or lies in one of their folders.
    pub fn holds(&self, display: &str, cwd: &Path) -> bool {
        let path = normal(&cwd.join(display));
        self.paths.iter().any(|p| path.starts_with(p))
    }

    /// Keeps the findings, suppressed findings and input errors that touch the scope, and
    /// counts the rest; the summary's counts follow.
    pub fn apply(&self, report: &mut Report, cwd: &Path) -> Outside {
        let files: Vec<bool> = report.files.iter().map(|f| self.holds(&f.display, cwd)).collect();
        let before = (report.findings.len(), report.errors.len());
        report.findings.retain(|f| touches(f, &files));
        report.suppressed.retain(|s| touches(&s.finding, &files));
        report.errors.retain(|e| match (&e.place, &e.path) {
            (Some((file, _)), _) => files[*file],
            (None, Some(path)) => self.holds(path, cwd),
            // Not about a file (a guard rule set that cannot be read, say): always said.
            (None, None) => true,
        });
        report.summary.findings = report.findings.len();
        report.summary.suppressed = report.suppressed.len();
        report.summary.errors = report.errors.len();
        Outside { findings: before.0 - report.findings.len(), errors: before.1 - report.errors.len() }
    }
}

fn touches(f: &Finding, in_scope: &[bool]) -> bool {
    in_scope[f.loc.file] || f.related.iter().any(|r| in_scope[r.loc.file])
}

/// `path` with `.` and `..` taken away by its text alone (the files may not exist, and a link
/// is named as the scan names it).
fn normal(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_held_by_its_name_or_a_folder_above_it() {
        let cwd = Path::new("/repo");
        let scope = Scope::new(&[PathBuf::from("infra/roles.yaml"), PathBuf::from("./stacks/")], cwd);
        assert!(scope.holds("infra/roles.yaml", cwd));
        assert!(scope.holds("/repo/infra/roles.yaml", cwd));
        assert!(scope.holds("stacks/a/pool.json", cwd));
        assert!(!scope.holds("infra/roles.yaml.bak", cwd));
        assert!(!scope.holds("infra/pool.yaml", cwd));
        assert!(!scope.holds("stacksx/pool.json", cwd));
        let up = Scope::new(&[PathBuf::from("a/../infra")], cwd);
        assert!(up.holds("infra/x.tf", cwd));
    }
}
