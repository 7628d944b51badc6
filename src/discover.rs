//! Finding the files to read: walking the given paths in parallel with the `ignore` crate
//! (honouring .gitignore and .ignore unless told not to) and skipping folders that never hold
//! a user's templates. A file named on the command line is always read.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ignore::{WalkBuilder, WalkState};

/// Folders never walked into: VCS data, dependencies, build output, CDK asset staging.
const SKIPPED_DIRS: &[&str] = &[".git", "node_modules", ".terraform", "target"];

/// Extensions of files that may hold a template.
const EXTENSIONS: &[&str] = &["yaml", "yml", "json", "template", "tf"];

/// A path that could not be walked.
#[derive(Debug, Clone)]
pub struct WalkError {
    pub path: Option<PathBuf>,
    pub message: String,
}

/// The files to read under `roots`, sorted, and the problems met while walking.
pub fn discover(roots: &[PathBuf], honour_ignore_files: bool, jobs: usize) -> (Vec<PathBuf>, Vec<WalkError>) {
    let mut files = Vec::new();
    let mut walk_roots = Vec::new();
    let mut errors = Vec::new();
    for root in roots {
        match std::fs::metadata(root) {
            Ok(m) if m.is_dir() => walk_roots.push(root.clone()),
            Ok(_) => files.push(root.clone()),
            Err(e) => {
                errors.push(WalkError { path: Some(root.clone()), message: format!("cannot read: {e}") })
            }
        }
    }
    if let Some((first, rest)) = walk_roots.split_first() {
        let mut builder = WalkBuilder::new(first);
        for r in rest {
            builder.add(r);
        }
        builder
            .hidden(false)
            .follow_links(true)
            .git_ignore(honour_ignore_files)
            .git_global(false)
            .git_exclude(honour_ignore_files)
            .ignore(honour_ignore_files)
            .parents(honour_ignore_files)
            .require_git(false)
            .threads(jobs)
            .filter_entry(|e| !(e.file_type().is_some_and(|t| t.is_dir()) && skipped_dir(e.path())));
        let found = Mutex::new((Vec::new(), Vec::new()));
        builder.build_parallel().run(|| {
            Box::new(|entry| {
                let mut guard = match found.lock() {
                    Ok(g) => g,
                    Err(poisoned) => poisoned.into_inner(),
                };
                match entry {
                    Ok(e)
                        if e.file_type().is_some_and(|t| t.is_file()) && has_template_extension(e.path()) =>
                    {
                        guard.0.push(e.into_path())
                    }
                    Ok(_) => {}
                    Err(err) => guard.1.push(walk_error(err)),
                }
                WalkState::Continue
            })
        });
        let (walked, walk_errors) = found.into_inner().unwrap_or_else(|p| p.into_inner());
        files.extend(walked);
        errors.extend(walk_errors);
    }
    files.sort();
    files.dedup();
    (files, errors)
}

fn skipped_dir(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else { return false };
    if SKIPPED_DIRS.contains(&name) {
        return true;
    }
    // CDK stages Lambda code and other assets in cdk.out/asset.<hash>/.
    let in_cdk_out = path.parent().and_then(|p| p.file_name()).is_some_and(|p| p == "cdk.out");
    in_cdk_out && name.starts_with("asset.")
}

pub fn has_template_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.iter().any(|x| x.eq_ignore_ascii_case(e)))
}

fn walk_error(err: ignore::Error) -> WalkError {
    let path = error_path(&err).map(Path::to_path_buf);
    let message = match root_error(&err) {
        ignore::Error::Loop { child, .. } => format!("symlink loop at {}", child.display()),
        ignore::Error::Io(io) => format!("cannot read: {io}"),
        other => other.to_string(),
    };
    WalkError { path, message }
}

fn root_error(err: &ignore::Error) -> &ignore::Error {
    match err {
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => root_error(err),
        other => other,
    }
}

fn error_path(err: &ignore::Error) -> Option<&Path> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => error_path(err),
        ignore::Error::Loop { child, .. } => Some(child),
        _ => None,
    }
}
