//! Values as the model holds them: [`Sym`], what an expression denotes without deploying it,
//! its three-valued comparison ([`Tri`]), and [`Item`], a value with the place it was written.

use crate::source::{FileId, Loc};

/// Longest literal text a joined value may hold; longer values are [`Sym::Limit`]s.
pub const MAX_VALUE_BYTES: usize = 16 * 1024;
/// Most parts a joined value may hold.
pub const MAX_PARTS: usize = 1024;

/// The language a resource is declared in: the model calls attributes by CloudFormation's
/// names (`Arn`, `RoleName`), and descriptions spell them as the resource's language does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Lang {
    CloudFormation,
    Terraform,
}

/// A value after symbolic resolution: what a template expression denotes without deploying it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Sym {
    Lit(String),
    /// An attribute of a resource in a scanned file. `Ref` is canonicalised to the attribute it
    /// returns (`Id` for identity pools, `RoleName` for roles), so `!Ref Pool` equals
    /// `!GetAtt Pool.Id` and `!Sub "${Pool}"`.
    Attr {
        file: FileId,
        resource: String,
        attr: String,
        /// Whose names `resource` and its attributes are written in, for [`Sym::describe`].
        lang: Lang,
    },
    /// A template parameter without a usable value: any value at deploy time.
    Param {
        file: FileId,
        name: String,
        default: Option<String>,
    },
    /// A pseudo parameter such as `AWS::Region`.
    Pseudo(String),
    /// An `Fn::ImportValue` whose export is not among the scanned files; keyed by its name.
    Import(Box<Sym>),
    /// Parts joined together (`Fn::Sub`, `Fn::Join`); never holds two adjacent literals.
    Concat(Vec<Sym>),
    /// Anything the analyzer cannot see through (`Fn::Select` over unknown lists, custom
    /// resources, …), with a short description.
    Unknown(String),
    /// A value whose evaluation stopped at a limit (a chain of references too long, a value
    /// too large), with what was hit. It compares like `Unknown`; rule CT901 reports the
    /// resource that holds it, so a limit is never a silent pass.
    Limit(String),
    /// One of several values, depending on which of several scanned stacks is deployed: an
    /// `Fn::ImportValue` whose name two distinct templates export.
    AnyOf(Vec<Sym>),
    /// A value the scanned input defines but cognitrust does not evaluate: a Terraform function
    /// or a CloudFormation intrinsic it does not read, with a short description. It compares
    /// like `Unknown`; a role slot holding one is CT901 (analysis incomplete), not a CT202 note.
    Unevaluated(String),
    /// A value a deploy tool fills in that no scanned file says: a Serverless Framework
    /// variable such as `${opt:stage}`, `${cf:auth.IdentityPoolId}` or `${ssm:/path}`, as
    /// written. It equals the same text and nothing else is known of it: never a literal.
    External(String),
}

/// Three-valued truth for questions the template may not settle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tri {
    Yes,
    No,
    Maybe,
}

impl Tri {
    pub(crate) fn from_bool(b: bool) -> Tri {
        if b { Tri::Yes } else { Tri::No }
    }
    pub fn or(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::Yes, _) | (_, Tri::Yes) => Tri::Yes,
            (Tri::No, Tri::No) => Tri::No,
            _ => Tri::Maybe,
        }
    }
    pub fn and(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::No, _) | (_, Tri::No) => Tri::No,
            (Tri::Yes, Tri::Yes) => Tri::Yes,
            _ => Tri::Maybe,
        }
    }
}

impl std::ops::Not for Tri {
    type Output = Tri;
    fn not(self) -> Tri {
        match self {
            Tri::Yes => Tri::No,
            Tri::No => Tri::Yes,
            Tri::Maybe => Tri::Maybe,
        }
    }
}

impl Sym {
    /// Joins parts, merging adjacent literals and flattening nested joins; a join longer than
    /// [`MAX_VALUE_BYTES`] or of more than [`MAX_PARTS`] parts is a [`Sym::Limit`].
    pub fn concat(parts: Vec<Sym>) -> Sym {
        let mut out: Vec<Sym> = Vec::new();
        let mut bytes = 0;
        for part in parts {
            let pieces = match part {
                Sym::Concat(inner) => inner,
                other => vec![other],
            };
            for piece in pieces {
                if let Sym::Lit(s) = &piece {
                    bytes += s.len();
                }
                match (out.last_mut(), piece) {
                    (_, Sym::Lit(s)) if s.is_empty() => {}
                    (Some(Sym::Lit(prev)), Sym::Lit(s)) => prev.push_str(&s),
                    (_, piece) => out.push(piece),
                }
                if bytes > MAX_VALUE_BYTES {
                    return Sym::too_long();
                }
                if out.len() > MAX_PARTS {
                    return Sym::Limit(format!("a value joined from more than {MAX_PARTS} parts"));
                }
            }
        }
        match out.len() {
            0 => Sym::Lit(String::new()),
            1 => out.pop().unwrap_or(Sym::Lit(String::new())),
            _ => Sym::Concat(out),
        }
    }

    /// A value longer than [`MAX_VALUE_BYTES`], as a [`Sym::Limit`].
    pub(crate) fn too_long() -> Sym {
        Sym::Limit(format!("a value longer than {} KiB", MAX_VALUE_BYTES / 1024))
    }

    pub(crate) fn lit(s: impl Into<String>) -> Sym {
        Sym::Lit(s.into())
    }

    pub(crate) fn as_lit(&self) -> Option<&str> {
        match self {
            Sym::Lit(s) => Some(s),
            _ => None,
        }
    }

    /// Whether two values denote the same string at deploy time.
    pub(crate) fn same_as(&self, other: &Sym) -> Tri {
        match (self, other) {
            (Sym::AnyOf(alternatives), x) | (x, Sym::AnyOf(alternatives)) => {
                let mut answers = alternatives.iter().map(|a| a.same_as(x));
                let first = answers.next().unwrap_or(Tri::Maybe);
                if answers.all(|a| a == first) { first } else { Tri::Maybe }
            }
            (a, b) if a == b && a.is_fixed() => Tri::Yes,
            (Sym::Lit(a), Sym::Lit(b)) => Tri::from_bool(a == b),
            (Sym::Param { default: Some(d), .. }, Sym::Lit(l))
            | (Sym::Lit(l), Sym::Param { default: Some(d), .. })
                if d == l =>
            {
                Tri::Yes
            }
            // Two different resources (or two attributes of one) never share an ID or an ARN: in
            // another file they are another stack's or module's resources. (A plan and the
            // sources that define the same resource are never both read.)
            (Sym::Attr { .. }, Sym::Attr { .. }) => Tri::No,
            (Sym::Concat(a), Sym::Concat(b)) if a.len() == b.len() => {
                a.iter().zip(b).fold(Tri::Yes, |acc, (x, y)| acc.and(x.same_as(y)))
            }
            (Sym::Concat(parts), Sym::Lit(l)) | (Sym::Lit(l), Sym::Concat(parts)) => {
                match (parts.first(), parts.last()) {
                    (Some(Sym::Lit(first)), _) if !l.starts_with(first.as_str()) => Tri::No,
                    (_, Some(Sym::Lit(last))) if !l.ends_with(last.as_str()) => Tri::No,
                    _ => Tri::Maybe,
                }
            }
            _ => Tri::Maybe,
        }
    }

    /// True for values that denote one deploy-time string: equal such values are the same.
    fn is_fixed(&self) -> bool {
        match self {
            Sym::Unknown(_) | Sym::Limit(_) | Sym::AnyOf(_) | Sym::Unevaluated(_) => false,
            Sym::Concat(parts) => parts.iter().all(Sym::is_fixed),
            _ => true,
        }
    }

    /// The resource attribute this value denotes, if it is exactly one.
    pub(crate) fn as_attr(&self) -> Option<(FileId, &str, &str)> {
        match self {
            Sym::Attr { file, resource, attr, .. } => Some((*file, resource, attr)),
            _ => None,
        }
    }

    /// How the value reads in a message: literals as written, references as the template
    /// spelled them.
    pub fn describe(&self) -> String {
        match self {
            Sym::Lit(s) => format!("\"{s}\""),
            Sym::Attr { resource, attr, lang, .. } => format!("{resource}.{}", spelled_attr(*lang, attr)),
            Sym::Param { name, .. } => format!("parameter `{name}`"),
            Sym::Pseudo(p) => p.clone(),
            Sym::External(text) => format!("`{text}`"),
            Sym::Import(name) => format!("the import of {}", name.describe()),
            Sym::Concat(parts) => parts
                .iter()
                .map(|p| match p {
                    Sym::Lit(s) | Sym::External(s) => s.clone(),
                    other => format!("${{{}}}", other.describe_bare()),
                })
                .collect(),
            Sym::Unknown(what) | Sym::Limit(what) | Sym::Unevaluated(what) => what.clone(),
            Sym::AnyOf(alternatives) => {
                let each: Vec<String> = alternatives.iter().map(Sym::describe).collect();
                format!("one of {}", each.join(", "))
            }
        }
    }

    /// Bytes the value takes, roughly: its text, and one symbol per part. Evaluation budgets
    /// count values in it.
    pub(crate) fn weight(&self) -> usize {
        std::mem::size_of::<Sym>()
            + match self {
                Sym::Lit(s)
                | Sym::Pseudo(s)
                | Sym::Unknown(s)
                | Sym::Limit(s)
                | Sym::External(s)
                | Sym::Unevaluated(s) => s.len(),
                Sym::Attr { resource, attr, .. } => resource.len() + attr.len(),
                Sym::Param { name, default, .. } => name.len() + default.as_ref().map_or(0, String::len),
                Sym::Import(name) => name.weight(),
                Sym::Concat(parts) | Sym::AnyOf(parts) => parts.iter().map(Sym::weight).sum(),
            }
    }

    /// The values this one may be: each alternative of an [`Sym::AnyOf`], else itself.
    pub(crate) fn alternatives(&self) -> &[Sym] {
        match self {
            Sym::AnyOf(alternatives) => alternatives,
            other => std::slice::from_ref(other),
        }
    }

    /// The limit evaluation stopped at, when this value, or a part of it, holds one.
    pub fn limit(&self) -> Option<&str> {
        match self {
            Sym::Limit(what) => Some(what),
            Sym::Import(name) => name.limit(),
            Sym::Concat(parts) | Sym::AnyOf(parts) => parts.iter().find_map(Sym::limit),
            _ => None,
        }
    }

    /// What was not evaluated, when this value, or a part of it, is a function or intrinsic
    /// the scan does not read ([`Sym::Unevaluated`]).
    pub(crate) fn unevaluated(&self) -> Option<&str> {
        match self {
            Sym::Unevaluated(what) => Some(what),
            Sym::Import(name) => name.unevaluated(),
            Sym::Concat(parts) | Sym::AnyOf(parts) => parts.iter().find_map(Sym::unevaluated),
            _ => None,
        }
    }

    fn describe_bare(&self) -> String {
        match self {
            Sym::Param { name, .. } => name.clone(),
            other => other.describe(),
        }
    }
}

/// An attribute as the resource's language names it: Terraform's attribute names for what the
/// model calls by CloudFormation's.
fn spelled_attr(lang: Lang, attr: &str) -> &str {
    if lang == Lang::CloudFormation {
        return attr;
    }
    match attr {
        "Id" | "UserPoolId" | "ClientId" => "id",
        "Arn" => "arn",
        "RoleName" => "name",
        "RoleId" => "unique_id",
        "Name" => "identity_pool_name",
        "ProviderName" => "endpoint",
        other => other,
    }
}

/// A value with the place it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub value: Sym,
    pub loc: Loc,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concat_merges_literals() {
        let s = Sym::concat(vec![
            Sym::lit("a"),
            Sym::lit(""),
            Sym::Concat(vec![Sym::lit("b"), Sym::Pseudo("X".into())]),
        ]);
        assert_eq!(s, Sym::Concat(vec![Sym::lit("ab"), Sym::Pseudo("X".into())]));
        assert_eq!(Sym::concat(vec![Sym::Pseudo("X".into())]), Sym::Pseudo("X".into()));
    }
}
