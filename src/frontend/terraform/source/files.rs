//! Files read by `file()` and `templatefile()`: only inside the scanned roots, with every link
//! resolved, through [`crate::read::read_file`] (regular files only, size-checked), each once,
//! and at most [`MAX_FILES`] of at most [`MAX_BYTES`] each per scan. A path that leads
//! elsewhere, or a file that cannot be read, is a reason that names the path, which the
//! evaluator reports as CT901; nothing of such a file is read.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use crate::discover::Roots;
use crate::source::{FileId, Origin, SourceFile, Syntax};
use crate::syntax::{Node, Span, Value};

/// Most files `file()` and `templatefile()` read in one scan.
pub(super) const MAX_FILES: usize = 256;
/// Largest file they read: the largest value a Terraform expression may evaluate to.
pub(super) const MAX_BYTES: usize = 64 * 1024;

/// A template parsed, or why it is not read.
type Parsed = Result<Rc<Node>, String>;

#[derive(Default)]
struct State {
    /// Each file by its resolved path: its id, or why it was not read.
    by_path: HashMap<PathBuf, Result<FileId, String>>,
    files: Vec<SourceFile>,
    /// Each file parsed as a template, once.
    templates: HashMap<FileId, Parsed>,
    /// Template texts written in `.tf` files (`data "template_file"`), by where they are
    /// written and their length and fingerprint, each parsed once, with every place there.
    literals: HashMap<(FileId, Span, usize, u64), Parsed>,
}

pub(super) struct Read<'a> {
    roots: &'a Roots,
    /// The id of the first file read.
    base: FileId,
    state: RefCell<State>,
}

impl<'a> Read<'a> {
    pub(super) fn new(roots: &'a Roots, base: FileId) -> Self {
        Read { roots, base, state: RefCell::default() }
    }

    pub(super) fn take_files(&self) -> Vec<SourceFile> {
        std::mem::take(&mut self.state.borrow_mut().files)
    }

    /// Whether `id` is a file read here.
    pub(super) fn holds(&self, id: FileId) -> bool {
        id >= self.base
    }

    /// Calls `f` with the text of a file read here.
    pub(super) fn with_text<R>(&self, id: FileId, f: impl FnOnce(&str) -> R) -> Option<R> {
        let state = self.state.borrow();
        let file = state.files.get(id.checked_sub(self.base)?)?;
        Some(f(&file.text))
    }

    /// The file `written` names, relative to the root module's folder `root` (shown as
    /// `root_display`) as Terraform resolves it: read once, or why it is not.
    pub(super) fn file(
        &self,
        root: Option<&Path>,
        root_display: &str,
        written: &str,
    ) -> Result<FileId, String> {
        let shown = format!("`{}`", written.escape_debug());
        let Some(root) = root else {
            return Err(format!("the file {shown} is not read: the module's folder is not on disk"));
        };
        let path = if Path::new(written).is_absolute() { PathBuf::from(written) } else { root.join(written) };
        let Ok(resolved) = std::fs::canonicalize(&path) else {
            return Err(format!("the file {shown} does not exist or cannot be resolved; not read"));
        };
        if !self.roots.hold(&resolved) {
            return Err(format!("the file {shown} lies outside the scanned folders; not read"));
        }
        if let Some(known) = self.state.borrow().by_path.get(&resolved) {
            return known.clone();
        }
        let result = self.read(&resolved, root_display, written, &shown);
        self.state.borrow_mut().by_path.insert(resolved, result.clone());
        result
    }

    fn read(
        &self,
        resolved: &Path,
        root_display: &str,
        written: &str,
        shown: &str,
    ) -> Result<FileId, String> {
        if self.state.borrow().by_path.len() >= MAX_FILES {
            return Err(format!(
                "the file {shown} is not read: more than {MAX_FILES} files read by `file()` and `templatefile()`"
            ));
        }
        let too_large = || format!("the file {shown} is larger than {} KiB; not read", MAX_BYTES / 1024);
        if std::fs::metadata(resolved).is_ok_and(|m| m.len() > MAX_BYTES as u64) {
            return Err(too_large());
        }
        let bytes = crate::read::read_file(resolved).map_err(|e| format!("the file {shown}: {e}"))?.bytes;
        if bytes.len() > MAX_BYTES {
            return Err(too_large());
        }
        let origin = Origin {
            path: resolved.to_path_buf(),
            len: bytes.len(),
            fingerprint: crate::read::fingerprint(&bytes),
        };
        let text = String::from_utf8(bytes)
            .map_err(|_| format!("the file {shown} is not UTF-8, which Terraform requires; not read"))?;
        let display = if Path::new(written).is_absolute() || root_display.is_empty() {
            normalize(written)
        } else {
            normalize(&format!("{root_display}/{written}"))
        };
        let mut state = self.state.borrow_mut();
        let syntax = match resolved.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("json") => Syntax::Json,
            Some(e) if e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml") => Syntax::Yaml,
            _ => Syntax::Unknown,
        };
        let mut file = SourceFile::new(display, text).written_in(syntax);
        file.origin = Some(origin);
        state.files.push(file);
        Ok(self.base + state.files.len() - 1)
    }

    /// A file read here, parsed as a Terraform template (`${...}` interpolations and `%{...}`
    /// directives), with spans in the file.
    pub(super) fn template(&self, id: FileId, written: &str) -> Result<Rc<Node>, String> {
        if let Some(known) = self.state.borrow().templates.get(&id) {
            return known.clone();
        }
        let shown = format!("`{}`", written.escape_debug());
        let parsed = self
            .with_text(id, |text| parse_template(text, &shown))
            .unwrap_or_else(|| Err(format!("the template {shown} was not read")));
        self.state.borrow_mut().templates.insert(id, parsed.clone());
        parsed
    }
}

impl Read<'_> {
    /// A template's text written at `span` of a `.tf` file, parsed once, every place at `span`.
    pub(super) fn literal_template(
        &self,
        file: FileId,
        span: Span,
        text: &str,
        shown: &str,
    ) -> Result<Rc<Node>, String> {
        if text.len() > MAX_BYTES {
            return Err(format!("the template of {shown} is larger than {} KiB; not read", MAX_BYTES / 1024));
        }
        let key = (file, span, text.len(), crate::read::fingerprint(text.as_bytes()));
        if let Some(known) = self.state.borrow().literals.get(&key) {
            return known.clone();
        }
        let parsed = parse_template(text, shown).map(|t| {
            let mut t = Rc::unwrap_or_clone(t);
            crate::frontend::terraform::policy::flatten(&mut t, span);
            Rc::new(t)
        });
        self.state.borrow_mut().literals.insert(key, parsed.clone());
        parsed
    }
}

/// `text` as a template: parsed as the content of a heredoc, whose syntax is a template's,
/// with its spans moved back into `text`.
fn parse_template(text: &str, shown: &str) -> Result<Rc<Node>, String> {
    let mut marker = String::from("COGNITRUST_TEMPLATE_END");
    while text.contains(&marker) {
        marker.push('X');
    }
    let prefix = format!("t = <<{marker}\n");
    let newline = if text.is_empty() || text.ends_with('\n') { "" } else { "\n" };
    let wrapped = format!("{prefix}{text}{newline}{marker}\n");
    let parsed = crate::syntax::hcl::parse(&wrapped)
        .map_err(|e| format!("the template {shown} cannot be parsed: {}", e.message))?;
    let mut node =
        parsed.root.get("t").cloned().ok_or_else(|| format!("the template {shown} cannot be parsed"))?;
    unshift(&mut node, prefix.len(), text.len());
    Ok(Rc::new(node))
}

fn unshift(node: &mut Node, by: usize, len: usize) {
    let back = |s: Span| Span::new(s.start.saturating_sub(by).min(len), s.end.saturating_sub(by).min(len));
    node.span = back(node.span);
    match &mut node.value {
        Value::Seq(items) => items.iter_mut().for_each(|n| unshift(n, by, len)),
        Value::Map(entries) => {
            for e in entries {
                e.key_span = back(e.key_span);
                unshift(&mut e.value, by, len);
            }
        }
        _ => {}
    }
}

/// `a/./b/../c` as `a/c`, for display.
fn normalize(path: &str) -> String {
    let absolute = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            ".." if absolute => {}
            _ => parts.push(part),
        }
    }
    let joined = parts.join("/");
    if absolute { format!("/{joined}") } else { joined }
}

/// The path of `to` relative to `from` (both resolved folders), as `path.module` gives it
/// relative to the root module: `.`, `modules/auth`, `../shared`.
pub(super) fn relative(from: &Path, to: &Path) -> String {
    let (from, to): (Vec<_>, Vec<_>) = (from.components().collect(), to.components().collect());
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_string(); from.len() - common];
    parts.extend(to[common..].iter().map(|c| c.as_os_str().to_string_lossy().into_owned()));
    if parts.is_empty() { ".".to_string() } else { parts.join("/") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_shown_normalized_and_relative() {
        assert_eq!(normalize("infra/../shared/./a.json"), "shared/a.json");
        assert_eq!(normalize("../a.json"), "../a.json");
        assert_eq!(relative(Path::new("/r/infra"), Path::new("/r/infra/modules/auth")), "modules/auth");
        assert_eq!(relative(Path::new("/r/infra"), Path::new("/r/shared")), "../shared");
        assert_eq!(relative(Path::new("/r/infra"), Path::new("/r/infra")), ".");
    }

    #[test]
    fn templates_keep_spans_in_their_file() {
        let text = "{\"a\": \"${x}\"}\n";
        let node = parse_template(text, "`t`").unwrap();
        let parts = node.get(crate::syntax::hcl::TEMPLATE).and_then(Node::as_seq).unwrap();
        let expr = parts.iter().find(|p| p.as_str().is_none()).unwrap();
        assert_eq!(&text[expr.span.start..expr.span.end], "x");
        let node = parse_template("%{ if x }a%{ endif }", "`t`").unwrap();
        let parts = node.get(crate::syntax::hcl::TEMPLATE).and_then(Node::as_seq).unwrap();
        assert!(parts[0].get(crate::syntax::hcl::COND).is_some());
    }
}
