//! Operators and string functions: comparisons and logical operators, `format` and `join`.

use super::{MAX_VALUE_BYTES, Scope, too_large};
use crate::frontend::Resolve;
use crate::model::Sym;
use crate::syntax::Node;

impl Scope<'_, '_> {
    /// A comparison or logical operation, where it can be told: `==` and `!=` of two literals,
    /// of the same resource attribute, or of a resource attribute (an ID, an ARN, a name: never
    /// empty) and `""`; `<`, `<=`, `>`, `>=` of two numbers; `&&`, `||` and `!` of `true` and
    /// `false` (`false && x` is `false`, `true || x` is `true`).
    pub(super) fn compare(&self, parts: &[Node]) -> Sym {
        let unknown = || Sym::Unknown("a comparison".into());
        let truth = |b: bool| Sym::Lit(b.to_string());
        let boolean = |s: &Sym| match s.as_lit() {
            Some("true") => Some(true),
            Some("false") => Some(false),
            _ => None,
        };
        let (operator, lhs, rhs) = match parts {
            [operator, operand] if operator.as_str() == Some("!") => {
                return boolean(&self.eval(operand)).map_or_else(unknown, |b| truth(!b));
            }
            [operator, lhs, rhs] => (operator.as_str().unwrap_or_default(), lhs, rhs),
            _ => return unknown(),
        };
        let a = self.eval(lhs);
        match (operator, boolean(&a)) {
            ("&&", Some(false)) => return truth(false),
            ("||", Some(true)) => return truth(true),
            ("&&" | "||", Some(_)) => return boolean(&self.eval(rhs)).map_or_else(unknown, truth),
            ("&&" | "||", None) => return unknown(),
            _ => {}
        }
        let b = self.eval(rhs);
        let number = |s: &Sym| s.as_lit().and_then(|t| t.parse::<f64>().ok());
        let known = match operator {
            "==" | "!=" => match (&a, &b) {
                (Sym::Lit(x), Sym::Lit(y)) => Some(x == y),
                (Sym::Attr { .. }, Sym::Lit(s)) | (Sym::Lit(s), Sym::Attr { .. }) if s.is_empty() => {
                    Some(false)
                }
                (Sym::Attr { .. }, Sym::Attr { .. }) if a == b => Some(true),
                _ => None,
            }
            .map(|equal| equal == (operator == "==")),
            _ => match (number(&a), number(&b)) {
                (Some(x), Some(y)) => match operator {
                    "<" => Some(x < y),
                    "<=" => Some(x <= y),
                    ">" => Some(x > y),
                    ">=" => Some(x >= y),
                    _ => None,
                },
                _ => None,
            },
        };
        known.map_or_else(unknown, truth)
    }

    /// `format(spec, args…)` with `%s`, `%d` and `%v` (each the next argument, as it is) and
    /// `%%`; other verbs, flags and widths are not evaluated.
    pub(super) fn format(&self, spec: &Node, args: &[Node]) -> Sym {
        let Some(spec) = self.eval(spec).as_lit().map(String::from) else {
            return Sym::Unknown("a `format` whose format is not known statically".into());
        };
        let mut parts = Vec::new();
        let mut args = args.iter();
        let mut text = String::new();
        let mut chars = spec.chars();
        while let Some(c) = chars.next() {
            if c != '%' {
                text.push(c);
                continue;
            }
            match chars.next() {
                Some('%') => text.push('%'),
                Some('s' | 'd' | 'v') => {
                    let Some(arg) = args.next() else {
                        return Sym::Unknown("a `format` with too few arguments".into());
                    };
                    parts.push(Sym::Lit(std::mem::take(&mut text)));
                    parts.push(self.eval(arg));
                }
                _ => return Sym::Unevaluated(format!("a call of `format` with `{spec}`")),
            }
        }
        parts.push(Sym::Lit(text));
        Sym::concat(parts)
    }

    /// `join(separator, list)` of a list written out, or held by a local or variable.
    pub(super) fn join(&self, separator: &Node, list: &Node) -> Sym {
        let Some(separator) = self.eval(separator).as_lit().map(String::from) else {
            return Sym::Unknown("a `join` whose separator is not known statically".into());
        };
        match self.items_of(list) {
            Ok(items) => {
                let mut parts = Vec::with_capacity(items.len() * 2);
                for (i, (_, value)) in items.into_iter().enumerate() {
                    if i > 0 {
                        parts.push(Sym::Lit(separator.clone()));
                    }
                    parts.push(value);
                }
                let value = Sym::concat(parts);
                if value.weight() > MAX_VALUE_BYTES { too_large() } else { value }
            }
            Err(why) => Sym::Unevaluated(format!("a call of `join` over {why}")),
        }
    }
}
