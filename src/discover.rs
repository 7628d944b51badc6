//! Finding the files to read: walking the given paths in parallel with the `ignore` crate
//! (honouring .gitignore and .ignore unless told not to) and skipping folders that never hold
//! a user's templates. A file named on the command line is always read.
//!
//! Symbolic links are followed only to places inside the scanned roots (the folders named on
//! the command line, and the folders of the files named there): a link out of them (to `/`, to
//! `/proc/self/environ`, to another checkout) is reported and not read, so a repository cannot
//! make the scan read, and print, what lies outside it.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

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

/// The scanned roots as canonical paths: the folders named, and the folders of the files named.
#[derive(Debug, Clone, Default)]
pub struct Roots {
    dirs: Vec<PathBuf>,
}

impl Roots {
    pub fn new(paths: &[PathBuf]) -> Self {
        let mut dirs = Vec::new();
        for p in paths {
            let dir = match std::fs::metadata(p) {
                Ok(m) if m.is_dir() => p.clone(),
                _ => p
                    .parent()
                    .filter(|d| !d.as_os_str().is_empty())
                    .map_or_else(|| PathBuf::from("."), Path::to_path_buf),
            };
            dirs.extend(std::fs::canonicalize(&dir).ok());
        }
        Roots { dirs }
    }

    /// Whether `path`, with every link in it resolved, lies inside a root; `false` when it
    /// cannot be resolved.
    pub fn contain(&self, path: &Path) -> bool {
        std::fs::canonicalize(path).is_ok_and(|c| self.hold(&c))
    }

    /// Whether `resolved`, a path already canonicalized (every link resolved), lies inside a
    /// root: for callers that resolve a path once and then read that very path.
    pub fn hold(&self, resolved: &Path) -> bool {
        self.dirs.iter().any(|d| resolved.starts_with(d))
    }

    /// The roots and `extra` folders (which may not exist).
    pub fn with(&self, extra: &Path) -> Roots {
        let mut dirs = self.dirs.clone();
        dirs.extend(std::fs::canonicalize(extra).ok());
        Roots { dirs }
    }
}

/// The files to read under `paths`, sorted, and the problems met while walking.
pub fn discover(paths: &[PathBuf], honour_ignore_files: bool, jobs: usize) -> (Vec<PathBuf>, Vec<WalkError>) {
    let roots = Roots::new(paths);
    let mut files = Vec::new();
    let mut walk_roots = Vec::new();
    let mut errors = Vec::new();
    for root in paths {
        match std::fs::metadata(root) {
            Ok(m) if m.is_dir() => walk_roots.push(root.clone()),
            Ok(_) if is_link(root) && !roots.contain(root) => errors.push(outside(root.clone())),
            Ok(_) => files.push(root.clone()),
            Err(e) => {
                errors.push(WalkError { path: Some(root.clone()), message: format!("cannot read: {e}") })
            }
        }
    }
    let (walked, walk_errors) = walk(&walk_roots, honour_ignore_files, jobs, &roots);
    // Synthesized output is what gets deployed, and CDK's default .gitignore lists `cdk.out`:
    // the `cdk.out` beside a scanned `cdk.json` is read even when ignored (a config `exclude`
    // still leaves it out).
    let walked_set: std::collections::HashSet<&Path> = walked.iter().map(PathBuf::as_path).collect();
    // The Serverless Framework's `.serverless` beside a service (`serverless.yml`, or the
    // `package.json` of a service written in TypeScript or JavaScript) likewise; the pipeline
    // reads it only where the service file itself gave no template.
    let output_of = |p: &PathBuf| -> Option<PathBuf> {
        let name = p.file_name()?.to_str()?;
        let dir = p.parent()?;
        match name {
            "cdk.json" => Some(dir.join("cdk.out")),
            "package.json" | "serverless.yml" | "serverless.yaml" | "serverless.json" => {
                Some(dir.join(".serverless"))
            }
            _ => None,
        }
    };
    let mut outputs: Vec<PathBuf> = walked
        .iter()
        .filter_map(output_of)
        .filter(|d| d.is_dir() && !walked_set.iter().any(|w| w.starts_with(d)) && roots.contain(d))
        .collect();
    outputs.sort();
    outputs.dedup();
    files.extend(walked);
    errors.extend(walk_errors);
    if honour_ignore_files && !outputs.is_empty() {
        let (walked, walk_errors) = walk(&outputs, false, jobs, &roots);
        files.extend(walked);
        errors.extend(walk_errors);
    }
    files.sort();
    files.dedup();
    (files, errors)
}

/// The files below `dirs` with a template's extension, and the problems met.
fn walk(
    dirs: &[PathBuf],
    honour_ignore_files: bool,
    jobs: usize,
    roots: &Roots,
) -> (Vec<PathBuf>, Vec<WalkError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    let outside_links = Arc::new(Mutex::new(Vec::new()));
    if let Some((first, rest)) = dirs.split_first() {
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
            .filter_entry({
                let (roots, outside_links) = (Arc::new(roots.clone()), Arc::clone(&outside_links));
                move |e| {
                    if e.file_type().is_some_and(|t| t.is_dir()) && skipped_dir(e.path()) {
                        return false;
                    }
                    // A link that resolves (dangling ones are reported by the walk) outside the roots.
                    if e.path_is_symlink() && e.path().exists() && !roots.contain(e.path()) {
                        lock(&outside_links).push(outside(e.path().to_path_buf()));
                        return false;
                    }
                    true
                }
            });
        let found = Mutex::new((Vec::new(), Vec::new()));
        builder.build_parallel().run(|| {
            Box::new(|entry| {
                take(entry, &mut lock(&found));
                WalkState::Continue
            })
        });
        let (walked, walk_errors) = found.into_inner().unwrap_or_else(|p| p.into_inner());
        files.extend(walked);
        errors.extend(walk_errors);
    }
    errors.append(&mut lock(&outside_links));
    (files, errors)
}

/// What the walk keeps of an entry: a file named like a template, or an error (a FIFO, socket or
/// device named like one is said, never opened).
fn take(entry: Result<ignore::DirEntry, ignore::Error>, found: &mut (Vec<PathBuf>, Vec<WalkError>)) {
    match entry {
        Ok(e) if e.file_type().is_some_and(|t| t.is_file()) && has_template_extension(e.path()) => {
            found.0.push(e.into_path())
        }
        Ok(e)
            if e.file_type().is_some_and(|t| !t.is_file() && !t.is_dir())
                && has_template_extension(e.path()) =>
        {
            let message = "not a regular file (a FIFO, socket or device); not read".to_string();
            found.1.push(WalkError { path: Some(e.into_path()), message })
        }
        Ok(_) => {}
        Err(err) => found.1.push(walk_error(err)),
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn is_link(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

fn outside(path: PathBuf) -> WalkError {
    WalkError {
        path: Some(path),
        message: "symbolic link to a place outside the scanned folders; not followed".into(),
    }
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
