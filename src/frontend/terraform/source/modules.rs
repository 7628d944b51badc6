//! The modules of the scanned `.tf` files: the blocks each file adds to its folder's module,
//! where each call's `source` leads, cycles of module calls, and the modules nothing calls.

use std::collections::HashMap;

use super::{Block, Call, Local, Module, Output, Target, TfFile};
use crate::model::EvalError;
use crate::source::Loc;
use crate::syntax::Node;

fn labels(node: &Node) -> Vec<String> {
    node.get("tf::labels")
        .and_then(Node::as_seq)
        .unwrap_or(&[])
        .iter()
        .filter_map(|l| l.as_str().map(String::from))
        .collect()
}

/// The body entries of a block, without its labels.
fn body_entries(node: &Node) -> impl Iterator<Item = &crate::syntax::Entry> {
    node.as_map().unwrap_or(&[]).iter().filter(|e| e.key != "tf::labels")
}

pub(super) fn add_file<'a>(m: &mut Module<'a>, f: &'a TfFile) {
    for e in f.root.as_map().unwrap_or(&[]) {
        let names = labels(&e.value);
        let loc = |span| Loc::new(f.file, span);
        let label_span = e
            .value
            .get("tf::labels")
            .and_then(Node::as_seq)
            .and_then(|l| l.last())
            .map_or(e.key_span, |l| l.span);
        let block = |t: &str, n: &str| Block {
            type_: t.to_string(),
            name: n.to_string(),
            file: f.file,
            body: &e.value,
            loc: loc(label_span),
        };
        match (e.key.as_str(), names.as_slice()) {
            ("resource", [t, n]) => {
                index_first(&mut m.resource_index, t, n, m.resources.len());
                m.resources.push(block(t, n));
            }
            ("data", [t, n]) => {
                index_first(&mut m.data_index, t, n, m.data.len());
                m.data.push(block(t, n));
            }
            ("variable", [n]) => {
                m.variables.insert(n.clone(), (f.file, e.value.get("default")));
            }
            ("output", [n]) => {
                if let Some(value) = e.value.get("value") {
                    m.outputs.insert(n.clone(), Output { loc: loc(label_span), value });
                }
            }
            ("locals", _) => {
                for l in body_entries(&e.value) {
                    let local = Local { file: f.file, name_span: l.key_span, value: &l.value };
                    m.locals.insert(l.key.to_string(), local);
                }
            }
            ("module", [n]) => m.calls.push(Call {
                name: n.clone(),
                file: f.file,
                body: &e.value,
                loc: loc(label_span),
                target: Target::Remote,
            }),
            _ => {}
        }
    }
}

/// Records block `i` under its type and name unless an earlier block has them.
fn index_first(index: &mut HashMap<String, HashMap<String, usize>>, type_: &str, name: &str, i: usize) {
    index.entry(type_.to_string()).or_default().entry(name.to_string()).or_insert(i);
}

/// Where a call's `source` leads: a scanned module, a local path that names none, or elsewhere.
pub(super) fn target(dir: &str, source: &str, by_dir: &HashMap<String, usize>) -> Target {
    match local_source(dir, source) {
        Some(path) => by_dir.get(path.as_str()).map_or(Target::NotScanned, |&m| Target::Module(m)),
        None if is_local_path(source) => Target::NotScanned,
        None => Target::Remote,
    }
}

/// A path on this machine: relative (`./`, `../`) or absolute (`/etc`, `C:\`), as opposed to
/// a registry address or a URL.
fn is_local_path(source: &str) -> bool {
    let bytes = source.as_bytes();
    source.starts_with("./")
        || source.starts_with("../")
        || source.starts_with('/')
        || source.starts_with('\\')
        || (bytes.len() > 2
            && bytes[0].is_ascii_alphabetic()
            && bytes[1] == b':'
            && matches!(bytes[2], b'/' | b'\\'))
}

/// The folder a local module `source` names, relative to the calling module's folder.
pub(super) fn local_source(dir: &str, source: &str) -> Option<String> {
    if !(source.starts_with("./") || source.starts_with("../")) {
        return None;
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
    for seg in source.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    let joined = parts.join("/");
    Some(if dir.starts_with('/') { format!("/{joined}") } else { joined })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Visit {
    New,
    Open,
    Done,
}

/// Finds every cycle of module calls (`a` calls `b`, `b` calls `a`; a module calling `./`) by
/// a depth-first walk from the modules nothing calls, then from the rest in path order; each
/// call that closes a cycle becomes [`Target::Cycle`] and an error at its label. What is left
/// has no cycle, so every module is reachable from one that nothing calls.
pub(super) fn break_module_cycles(modules: &mut [Module]) -> Vec<EvalError> {
    let mut called = vec![false; modules.len()];
    for call in modules.iter().flat_map(|m| &m.calls) {
        if let Target::Module(child) = call.target {
            called[child] = true;
        }
    }
    let starts: Vec<usize> =
        (0..modules.len()).filter(|&m| !called[m]).chain((0..modules.len()).filter(|&m| called[m])).collect();
    let mut visit = vec![Visit::New; modules.len()];
    let mut errors = Vec::new();
    for start in starts {
        if visit[start] != Visit::New {
            continue;
        }
        visit[start] = Visit::Open;
        // The walk's path: each module with the index of its next call to follow.
        let mut path: Vec<(usize, usize)> = vec![(start, 0)];
        while let Some((m, next)) = path.last_mut() {
            let (m, i) = (*m, *next);
            let Some(call) = modules[m].calls.get(i) else {
                visit[m] = Visit::Done;
                path.pop();
                continue;
            };
            *next += 1;
            let Target::Module(child) = call.target else { continue };
            match visit[child] {
                Visit::New => {
                    visit[child] = Visit::Open;
                    path.push((child, 0));
                }
                Visit::Open => {
                    let from = path.iter().position(|&(p, _)| p == child).unwrap_or(0);
                    let dirs: Vec<&str> = path[from..]
                        .iter()
                        .chain([&(child, 0)])
                        .map(|&(p, _)| shown(&modules[p].dir))
                        .collect();
                    errors.push(EvalError {
                        loc: call.loc,
                        message: format!(
                            "module cycle: {}; module `{}` is not expanded here",
                            dirs.join(" → "),
                            call.name
                        ),
                    });
                    modules[m].calls[i].target = Target::Cycle;
                }
                Visit::Done => {}
            }
        }
    }
    errors
}

/// The modules no call leads to, in path order: after [`break_module_cycles`], every module is
/// one of them or reachable from one.
pub(super) fn roots(modules: &[Module]) -> Vec<usize> {
    let mut called = vec![false; modules.len()];
    for call in modules.iter().flat_map(|m| &m.calls) {
        if let Target::Module(child) = call.target {
            called[child] = true;
        }
    }
    (0..modules.len()).filter(|&m| !called[m]).collect()
}

/// A module's folder as messages show it: `.` for the scan's own folder.
fn shown(dir: &str) -> &str {
    if dir.is_empty() { "." } else { dir }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_sources_resolve_relative_to_the_caller() {
        assert_eq!(local_source("infra", "./modules/auth").as_deref(), Some("infra/modules/auth"));
        assert_eq!(
            local_source("infra/envs/prod", "../../modules/auth").as_deref(),
            Some("infra/modules/auth")
        );
        assert_eq!(local_source("", "./auth").as_deref(), Some("auth"));
        // A folder as the scan path spelled it: the same folder.
        assert_eq!(local_source("infra//envs/./prod", "./").as_deref(), Some("infra/envs/prod"));
        assert_eq!(local_source("infra", "terraform-aws-modules/iam/aws"), None);
        assert_eq!(local_source("/abs/root", "./modules/x").as_deref(), Some("/abs/root/modules/x"));
        // Above the scan's folder: nothing there is scanned.
        assert_eq!(local_source("infra", "../../../../etc"), None);
    }

    #[test]
    fn paths_on_this_machine_are_told_from_remote_sources() {
        for local in ["./a", "../a", "/etc", "\\\\server\\share", "C:\\modules", "c:/modules"] {
            assert!(is_local_path(local), "{local}");
        }
        for remote in
            ["terraform-aws-modules/iam/aws", "git::https://x/y.git", "github.com/a/b", "s3::https://b/k"]
        {
            assert!(!is_local_path(remote), "{remote}");
        }
    }
}
