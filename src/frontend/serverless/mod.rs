//! Serverless Framework service files (`serverless.yml`, `serverless.yaml`, `serverless.json`):
//! the CloudFormation of their `resources` section, with the files it includes, read as one
//! template.
//!
//! As the Framework does, variables are resolved on the file as written, each `${file(...)}`
//! replaced where it stands, before the elements of a `resources` list are merged (deeply: maps
//! key by key, lists index by index, a later scalar wins). What this module resolves:
//! - `${self:a.b}`: a value of the service file, itself resolved;
//! - `${file(path)}` and `${file(path):a.b}`: a YAML or JSON file, its path taken from the
//!   service file's folder and read only when it lies inside the scanned roots;
//! - `${aws:region}`, `${aws:accountId}`: the pseudo parameters;
//! - fallbacks (`${opt:stage, self:provider.stage, 'dev'}`): the first that resolves; quoted
//!   literals, numbers, `true`, `false` and `null`.
//!
//! Every other source (`opt:`, `sls:`, `env:`, `param:`, `cf:`, `ssm:`, `s3:`, ...) is filled in
//! at deploy time: the variable becomes an opaque value ([`crate::model::Sym::External`]) that
//! equals only the same text. Text that is not a Framework variable (CloudFormation's own
//! `${AWS::Region}` or `${Pool}` inside `Fn::Sub`) is left as it is.
//!
//! The spans of an included file's nodes are shifted past the texts before it, so one tree
//! holds places in several files; [`crate::frontend::cfn::Template::loc`] maps them back.

mod include;
mod resolve;
mod variables;

use std::collections::HashMap;
use std::path::Path;

use crate::discover::Roots;
use crate::read::FileKey;
use crate::source::SourceFile;
use crate::syntax::{Key, Node, Span, SyntaxError, Value};
use resolve::Resolver;

/// The key of the node that stands for an opaque variable in the template; the CloudFormation
/// evaluator reads it as [`crate::model::Sym::External`].
pub(crate) const VARIABLE: &str = "Serverless::Variable";

/// How many variables deep a value may refer (`${self:a}` whose value is `${self:b}`, ...).
const MAX_DEPTH: usize = 32;
/// How many files a service may include.
const MAX_INCLUDES: usize = 256;
/// How many nodes resolution may produce in all: variables that fan out stop here.
const MAX_NODES: usize = 1_000_000;
/// How deep resolution may recurse, nesting and variables together: a value 200 levels deep
/// reached through variables from another 200 levels deep stops here, not at the end of the
/// thread's stack. The parsers' own nesting bound, so no resolved tree nests deeper than a
/// parsed one.
const MAX_LEVEL: usize = crate::syntax::MAX_DEPTH;

/// Whether a file is a Serverless Framework service file, by its name.
pub(crate) fn is_service_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| matches!(n, "serverless.yml" | "serverless.yaml" | "serverless.json"))
}

/// A file a service includes, with where its spans start in the service's template.
pub struct Fragment {
    pub file: SourceFile,
    pub base: usize,
    pub key: Option<FileKey>,
}

/// A service's CloudFormation: the template (spans past the service file's text lie in the
/// fragments), the files it includes, and the problems met (with spans of the template).
pub struct Service {
    pub root: Node,
    pub fragments: Vec<Fragment>,
    pub issues: Vec<SyntaxError>,
}

/// Where included files are looked for and how they are named.
pub struct Context<'a> {
    /// The service file as found.
    pub path: &'a Path,
    /// The folder reports show paths relative to.
    pub cwd: &'a Path,
    /// The scanned roots: files outside them are never read. `None`: no file is read.
    pub roots: Option<&'a Roots>,
}

/// The CloudFormation of a parsed service file, or `None` when it has no `resources`.
pub fn read(ctx: &Context, text_len: usize, service: &Node) -> Option<Service> {
    let resources = service.get("resources")?;
    let resolver = Resolver::new(ctx, service, text_len);
    let resolved = resolver.resolve(resources, 0);
    let mut issues = Vec::new();
    let root = template(resolved, &resolver, &mut issues);
    issues.extend(resolver.issues.take());
    let fragments = resolver.files.take().into_iter().filter_map(|f| f.fragment).collect();
    Some(Service { root, fragments, issues })
}

/// The template of a resolved `resources`: a map as it is, the elements of a list merged; one
/// filled in at deploy time or not a map of sections is an issue, and its resources are not
/// checked.
fn template(resolved: Node, resolver: &Resolver, issues: &mut Vec<SyntaxError>) -> Node {
    match resolved.value {
        Value::Seq(items) => merged_elements(items, resolved.span, resolver, issues),
        Value::Map(_) if !is_opaque(&resolved) => resolved,
        Value::Null => Node::new(Value::Map(Vec::new()), resolved.span),
        _ => {
            let what = if is_opaque(&resolved) {
                "is filled in at deploy time"
            } else {
                "is not a map of CloudFormation sections"
            };
            issues.push(SyntaxError::new(
                format!("`resources` {what}: its resources are not checked"),
                resolved.span,
            ));
            Node::new(Value::Map(Vec::new()), resolved.span)
        }
    }
}

/// The elements of a `resources` list merged as lodash's `_.merge` does.
fn merged_elements(items: Vec<Node>, span: Span, resolver: &Resolver, issues: &mut Vec<SyntaxError>) -> Node {
    let mut merged = Node::new(Value::Map(Vec::new()), span);
    for item in items {
        match item.value {
            // One that could not be resolved has its error already.
            _ if is_opaque(&item) => {
                if !resolver.issues.borrow().iter().any(|i| i.span == item.span) {
                    issues.push(SyntaxError::new(
                        "this element of `resources` is filled in at deploy time: its resources are not checked",
                        item.span,
                    ));
                }
            }
            Value::Map(_) => merge(&mut merged, item),
            Value::Null => {}
            _ => issues.push(SyntaxError::new(
                "this element of `resources` is not a map of CloudFormation sections: its resources are not checked",
                item.span,
            )),
        }
    }
    merged
}

/// Deep merge as lodash's `_.merge`, which the Framework uses for a `resources` list: maps key
/// by key, lists index by index, and otherwise the later value.
fn merge(into: &mut Node, from: Node) {
    match (&mut into.value, from.value) {
        (Value::Map(entries), Value::Map(more)) => {
            // By an index of the keys: two elements of thousands of resources each stay linear.
            let mut at: HashMap<Key, usize> =
                entries.iter().enumerate().map(|(i, e)| (e.key.clone(), i)).collect();
            for e in more {
                match at.get(&e.key) {
                    Some(&i) => merge(&mut entries[i].value, e.value),
                    None => {
                        at.insert(e.key.clone(), entries.len());
                        entries.push(e);
                    }
                }
            }
        }
        (Value::Seq(items), Value::Seq(more)) => {
            for (i, n) in more.into_iter().enumerate() {
                match items.get_mut(i) {
                    Some(x) => merge(x, n),
                    None => items.push(n),
                }
            }
        }
        (_, value) => *into = Node::new(value, from.span),
    }
}

/// Whether a node stands for a variable filled in at deploy time.
fn is_opaque(node: &Node) -> bool {
    node.single_entry().is_some_and(|e| e.key == VARIABLE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax;

    #[test]
    fn merge_is_deep_and_later_scalars_win() {
        let a = syntax::yaml::parse("Resources:\n  R:\n    Type: A\n    Properties: {X: 1, L: [a, b]}\n")
            .unwrap()
            .root;
        let b = syntax::yaml::parse("Resources:\n  R:\n    Properties: {X: 2, L: [c]}\n  S: {Type: B}\n")
            .unwrap()
            .root;
        let mut m = a;
        merge(&mut m, b);
        let r = m.get("Resources").and_then(|r| r.get("R")).unwrap();
        assert_eq!(r.get("Type").and_then(Node::as_str), Some("A"));
        let p = r.get("Properties").unwrap();
        assert_eq!(p.get("X").and_then(Node::scalar_text).as_deref(), Some("2"));
        let l: Vec<_> = p.get("L").and_then(Node::as_seq).unwrap().iter().filter_map(Node::as_str).collect();
        assert_eq!(l, ["c", "b"]);
        assert!(m.get("Resources").and_then(|r| r.get("S")).is_some());
    }
}
