//! `scan --only-paths`: a whole scan, reported for some files only.
//!
//! Links cross files (`Fn::ImportValue`, nested stacks, Terraform modules, a CDK assembly), so a
//! role file checked without the pool file that hands it out misses what a whole scan finds. The
//! pre-commit hooks therefore scan the whole repository and keep what touches a staged file: a
//! finding whose primary or related place is in one. Input errors are all kept, wherever they
//! are: a file that could not be analysed may hold the other end of a staged file's link, and a
//! pass must not hide that (a file you mean to leave broken goes in `.ignore`).

use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};

use crate::report::Report;
use crate::rules::Finding;

/// The files and folders a report is cut down to, as absolute paths without `.` or `..`.
pub struct Scope {
    files: HashSet<PathBuf>,
    folders: Vec<PathBuf>,
}

impl Scope {
    /// The scope of `paths`, read relative to `cwd`. Each must exist and lie in `cwd`, the folder
    /// the scan covers: a misspelt or outside path would otherwise report nothing and pass.
    pub fn new(paths: &[PathBuf], cwd: &Path) -> Result<Scope, String> {
        let root = normal(cwd);
        let mut scope = Scope { files: HashSet::new(), folders: Vec::new() };
        for p in paths {
            let path = normal(&cwd.join(p));
            let shown = crate::escape::escape_controls(&p.to_string_lossy(), "").into_owned();
            if !path.starts_with(&root) {
                return Err(format!(
                    "`--only-paths`: {shown} is outside the working directory, which is what it scans"
                ));
            }
            match std::fs::symlink_metadata(&path) {
                Ok(m) if m.is_dir() => scope.folders.push(path),
                Ok(_) => {
                    scope.files.insert(path);
                }
                Err(e) => return Err(format!("`--only-paths`: {shown}: {e}")),
            }
        }
        Ok(scope)
    }

    /// Whether the file a report shows as `display` (relative to `cwd`, or absolute) is one of
    /// the files or lies in one of the folders.
    pub fn holds(&self, display: &str, cwd: &Path) -> bool {
        let path = normal(&cwd.join(display));
        self.files.contains(&path) || self.folders.iter().any(|f| path.starts_with(f))
    }

    /// Keeps the findings and suppressed findings that touch the scope, and returns how many
    /// findings it took out; the summary's counts follow. Input errors all stay.
    pub fn apply(&self, report: &mut Report, cwd: &Path) -> usize {
        let files: Vec<bool> = report.files.iter().map(|f| self.holds(&f.display, cwd)).collect();
        let before = report.findings.len();
        report.findings.retain(|f| touches(f, &files));
        report.suppressed.retain(|s| touches(&s.finding, &files));
        report.summary.findings = report.findings.len();
        report.summary.suppressed = report.suppressed.len();
        before - report.findings.len()
    }
}

fn touches(f: &Finding, in_scope: &[bool]) -> bool {
    in_scope[f.loc.file] || f.related.iter().any(|r| in_scope[r.loc.file])
}

/// `path` with `.` and `..` taken away by its text alone (a link is named as the scan names it).
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
        let dir = tempfile::tempdir().expect("tempdir");
        let cwd = dir.path();
        std::fs::create_dir_all(cwd.join("infra")).expect("mkdir");
        std::fs::create_dir_all(cwd.join("stacks/a")).expect("mkdir");
        std::fs::write(cwd.join("infra/roles.yaml"), "").expect("write");
        let scope = Scope::new(&[PathBuf::from("infra/roles.yaml"), PathBuf::from("./stacks/")], cwd)
            .expect("both exist");
        assert!(scope.holds("infra/roles.yaml", cwd));
        assert!(scope.holds(&cwd.join("infra/roles.yaml").to_string_lossy(), cwd));
        assert!(scope.holds("stacks/a/pool.json", cwd));
        assert!(!scope.holds("infra/roles.yaml.bak", cwd));
        assert!(!scope.holds("infra/pool.yaml", cwd));
        assert!(!scope.holds("stacksx/pool.json", cwd));
        let up = Scope::new(&[PathBuf::from("a/../infra")], cwd).expect("infra exists");
        assert!(up.holds("infra/x.tf", cwd));
    }

    #[test]
    fn a_path_that_is_missing_or_outside_the_working_directory_is_an_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cwd = dir.path();
        let missing = Scope::new(&[PathBuf::from("infra/idenity.yaml")], cwd).err().expect("missing");
        assert!(missing.starts_with("`--only-paths`: infra/idenity.yaml: "), "{missing}");
        let outside = Scope::new(&[PathBuf::from("../x.yaml")], cwd).err().expect("outside");
        assert!(outside.contains("../x.yaml is outside the working directory"), "{outside}");
    }
}
