//! Files a service includes through `${file(...)}`: read once and only inside the scanned
//! roots, parsed, and their spans shifted past the texts before them.

use std::path::Path;
use std::rc::Rc;

use super::resolve::{Included, Resolved, Resolver};
use super::{Fragment, MAX_INCLUDES};
use crate::read;
use crate::source::{Origin, SourceFile, Syntax, display_path};
use crate::syntax::{self, Node, Span, Value};

impl Resolver<'_> {
    /// `${file(path):address}`: a value of an included file, resolved in turn.
    pub(super) fn file_value(&self, path: &str, address: &str, span: Span, depth: usize) -> Resolved {
        // A script is run by the Framework (and often not committed): its values are filled in
        // at deploy time.
        if is_script(Path::new(path)) {
            return Resolved::Opaque;
        }
        let index = match self.include(path) {
            Ok(index) => index,
            Err(why) => return Resolved::Missing(why),
        };
        let root = match &self.files.borrow()[index].root {
            Ok(root) => Rc::clone(root),
            Err(why) => return Resolved::Missing(why.clone()),
        };
        let key = format!("file({path}):{address}");
        if self.active.borrow().contains(&key) {
            self.issue(format!("`${{{key}}}` includes itself: the value is not checked"), span);
            return Resolved::Opaque;
        }
        self.active.borrow_mut().push(key);
        let value = self.walk(&root, address, &format!("`{path}`"), depth + 1);
        self.active.borrow_mut().pop();
        value
    }

    /// Reads and parses an included file once, inside the scanned roots only.
    fn include(&self, path: &str) -> Result<usize, String> {
        let full = self.dir.join(path);
        let canonical = std::fs::canonicalize(&full).map_err(|e| format!("`{path}` cannot be read: {e}"))?;
        if let Some(&i) = self.by_path.borrow().get(&canonical) {
            return Ok(i);
        }
        let Some(roots) = self.ctx.roots else {
            return Err(format!("`{path}` is not read when scanning text"));
        };
        if !roots.hold(&canonical) {
            return Err(format!("`{path}` lies outside the scanned folders and is not read"));
        }
        if self.files.borrow().len() >= MAX_INCLUDES {
            return Err(format!("the service includes more than {MAX_INCLUDES} files"));
        }
        // The path that was checked, not `full`, whose links could lead elsewhere by now.
        let included = self.parse_file(&canonical, path);
        let mut files = self.files.borrow_mut();
        files.push(included);
        self.by_path.borrow_mut().insert(canonical, files.len() - 1);
        Ok(files.len() - 1)
    }

    fn parse_file(&self, full: &Path, path: &str) -> Included {
        let failed = |why: String| Included { root: Err(why), fragment: None };
        let extension = full.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
        let bytes = match read::read_file(full) {
            Ok(b) => b,
            Err(e) => return failed(format!("`{path}`: {e}")),
        };
        let origin = Origin {
            path: full.to_path_buf(),
            len: bytes.bytes.len(),
            fingerprint: read::fingerprint(&bytes.bytes),
        };
        let key = bytes.key;
        let text = match read::decode(bytes.bytes) {
            Ok(d) => d.text,
            Err(bad) => return failed(format!("`{path}` is not valid {}", bad.encoding)),
        };
        let parsed = match extension.as_str() {
            "yml" | "yaml" => syntax::yaml::parse(&text),
            "json" => syntax::json::parse(&text),
            _ => {
                return failed(format!("`{path}` is not YAML or JSON"));
            }
        };
        let base = self.next_base.get();
        self.next_base.set(base + text.len() + 1);
        let display = display_path(full, self.ctx.cwd);
        let (root, issues) = match parsed {
            Ok(p) => (Ok(p.root), p.issues),
            Err(e) => (Err(format!("`{path}` cannot be parsed: {}", e.message)), vec![e]),
        };
        let mut file = match &root {
            Ok(root) => crate::source::with_markers(&display, text, root),
            Err(_) => SourceFile::new(display, text),
        };
        file.origin = Some(origin);
        file.syntax = if extension == "json" { Syntax::Json } else { Syntax::Yaml };
        for e in issues {
            self.issue(e.message, shifted(e.span, base));
        }
        let root = root.map(|mut r| {
            shift(&mut r, base);
            Rc::new(r)
        });
        Included { root, fragment: Some(Fragment { file, base, key }) }
    }
}

/// A file the Framework runs rather than reads.
fn is_script(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| matches!(e, "js" | "cjs" | "mjs" | "ts"))
}

fn shifted(span: Span, base: usize) -> Span {
    Span::new(span.start + base, span.end + base)
}

fn shift(node: &mut Node, base: usize) {
    node.span = shifted(node.span, base);
    match &mut node.value {
        Value::Seq(items) => items.iter_mut().for_each(|n| shift(n, base)),
        Value::Map(entries) => {
            for e in entries {
                e.key_span = shifted(e.key_span, base);
                shift(&mut e.value, base);
            }
        }
        _ => {}
    }
}
