//! Writing fixed texts back to their files (`scan --fix`), and showing them as a unified diff
//! (`scan --diff`).

use std::path::Path;

use super::Fixed;
use crate::discover::Roots;
use crate::source::{InputError, SourceFile};

/// Writes each fixed text over its file: only a file inside the scanned roots that still holds
/// the bytes the scan read, by a new file renamed over it so that a reader never sees half of
/// it. What cannot be written is an error of the report.
pub fn write(fixed: &[Fixed], files: &[SourceFile], roots: &Roots) -> Vec<InputError> {
    let mut errors = Vec::new();
    for f in fixed {
        let file = &files[f.file];
        if let Err(message) = write_one(file, &f.text, roots) {
            errors.push(InputError { message, path: Some(file.display.clone()), place: None });
        }
    }
    errors
}

fn write_one(file: &SourceFile, text: &str, roots: &Roots) -> Result<(), String> {
    let origin = file.origin.as_ref().ok_or("not fixed: the text was not read from a file")?;
    let path = std::fs::canonicalize(&origin.path).map_err(|e| format!("not fixed: {e}"))?;
    if !roots.hold(&path) {
        return Err("not fixed: the file lies outside the scanned folders".into());
    }
    let meta = std::fs::metadata(&path).map_err(|e| format!("not fixed: {e}"))?;
    if meta.permissions().readonly() {
        return Err("not fixed: the file is read-only".into());
    }
    #[cfg(unix)]
    if std::os::unix::fs::MetadataExt::nlink(&meta) > 1 {
        return Err(
            "not fixed: the file has other hard links, which writing it anew would split from it".into()
        );
    }
    let now = crate::read::read_file(&path).map_err(|e| format!("not fixed: {e}"))?.bytes;
    if !origin.holds(&now) {
        return Err("not fixed: the file changed while it was scanned; scan again".into());
    }
    replace(&path, text.as_bytes()).map_err(|e| format!("not fixed: cannot write the file: {e}"))
}

/// Writes `bytes` to a new file beside `path` with its permissions, then renames it over `path`.
fn replace(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temp = dir.join(format!(".{name}.cognitrust-fix-{}", std::process::id()));
    let meta = std::fs::metadata(path)?;
    let result = (|| {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        // Readable by its owner alone until it has the file's own permissions.
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut out = options.open(&temp)?;
        out.write_all(bytes)?;
        out.sync_all()?;
        // The file's owner and group, where this user may set them (a group of theirs).
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let _ = std::os::unix::fs::chown(&temp, Some(meta.uid()), Some(meta.gid()));
        }
        std::fs::set_permissions(&temp, meta.permissions())?;
        std::fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

/// The fixed files as a unified diff against what they hold, paths as reports show them. Text
/// from the files is escaped as every report escapes it.
pub fn diff(fixed: &[Fixed], files: &[SourceFile]) -> String {
    let mut out = String::new();
    for f in fixed {
        let file = &files[f.file];
        let display = crate::escape::escape_controls(file.display.trim_start_matches('/'), "");
        out.push_str(&format!("--- a/{display}\n+++ b/{display}\n"));
        let diff = similar::TextDiff::from_lines(file.text.as_str(), f.text.as_str());
        for hunk in diff.unified_diff().context_radius(3).iter_hunks() {
            out.push_str(&format!("{}\n", hunk.header()));
            for change in hunk.iter_changes() {
                let sign = match change.tag() {
                    similar::ChangeTag::Delete => '-',
                    similar::ChangeTag::Insert => '+',
                    similar::ChangeTag::Equal => ' ',
                };
                let line = change.value();
                let (body, newline) = match line.strip_suffix('\n') {
                    Some(body) => (body.strip_suffix('\r').unwrap_or(body), true),
                    None => (line, false),
                };
                out.push(sign);
                out.push_str(&crate::escape::escape_controls(body, ""));
                out.push('\n');
                if !newline {
                    out.push_str("\\ No newline at end of file\n");
                }
            }
        }
    }
    out
}
