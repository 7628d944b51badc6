//! The request Cognito makes when it hands a role out (`sts:AssumeRoleWithWebIdentity` with
//! `aud` = the pool ID and `amr` = `unauthenticated`, or `authenticated` plus providers), and
//! whether a statement's conditions admit it.

use super::{COGNITO_PRINCIPALS, key_namespace, wildcard_match};
use crate::model::{Condition, SlotKind, Statement, Sym, Tri};

/// The Cognito request for one slot of one pool.
#[derive(Debug, Clone, Copy)]
pub struct CognitoRequest<'a> {
    /// The pool's ID, when the pool is known.
    pub pool: Option<&'a Sym>,
    pub slot: SlotKind,
}

/// What a condition key refers to in a Cognito request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyKind {
    Aud,
    Amr,
    /// Another key of the identity-pool namespace (`sub`).
    OtherCognito,
    /// A key outside the Cognito namespace (`aws:SourceIp`): not judged here.
    Other,
}

pub(crate) fn key_kind(key: &str) -> KeyKind {
    let lower = key.to_ascii_lowercase();
    match key_namespace(&lower) {
        Some((ns, name)) if COGNITO_PRINCIPALS.contains(&ns) => match name {
            "aud" => KeyKind::Aud,
            "amr" => KeyKind::Amr,
            _ => KeyKind::OtherCognito,
        },
        _ => KeyKind::Other,
    }
}

/// A condition operator split into its parts: `ForAnyValue:StringLikeIfExists`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Operator {
    pub set: Option<SetOp>,
    pub base: String,
    pub if_exists: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SetOp {
    ForAnyValue,
    ForAllValues,
}

impl Operator {
    pub fn parse(text: &str) -> Operator {
        let (set, rest) = match text.split_once(':') {
            Some((p, rest)) if p.eq_ignore_ascii_case("ForAnyValue") => (Some(SetOp::ForAnyValue), rest),
            Some((p, rest)) if p.eq_ignore_ascii_case("ForAllValues") => (Some(SetOp::ForAllValues), rest),
            _ => (None, text),
        };
        let (base, if_exists) = match rest.strip_suffix("IfExists") {
            Some(b) => (b, true),
            None => (rest, false),
        };
        Operator { set, base: base.to_string(), if_exists }
    }

    /// `StringNotEquals`, `StringNotLike`, … : true when no value matches.
    pub(crate) fn negated(&self) -> bool {
        self.base.contains("Not")
    }

    pub(crate) fn is_like(&self) -> bool {
        self.base.contains("Like")
    }

    pub(crate) fn is_string(&self) -> bool {
        self.base.starts_with("String")
    }
}

/// One element of a request's context value.
#[derive(Debug, Clone, Copy)]
enum Element<'a> {
    Value(&'a Sym),
    Text(&'static str),
    /// A provider name in an authenticated `amr`: never `authenticated`/`unauthenticated`.
    Provider,
}

/// Whether all conditions of a statement admit the request.
pub fn admits(st: &Statement, req: &CognitoRequest) -> Tri {
    st.conditions.iter().fold(Tri::Yes, |acc, c| acc.and(condition_admits(c, req)))
}

/// Whether one condition admits the request.
pub(crate) fn condition_admits(c: &Condition, req: &CognitoRequest) -> Tri {
    let op = Operator::parse(&c.operator);
    let unknown_pool;
    let context: Option<Vec<Element>> = match key_kind(&c.key) {
        KeyKind::Aud => Some(vec![match req.pool {
            Some(p) => Element::Value(p),
            None => {
                unknown_pool = Sym::Unknown("the pool".into());
                Element::Value(&unknown_pool)
            }
        }]),
        // Which identities get a role of an unknown slot is not known: nor is what `amr` holds.
        KeyKind::Amr if req.slot == SlotKind::Unknown => return Tri::Maybe,
        KeyKind::Amr if req.slot.is_authenticated() => {
            Some(vec![Element::Text("authenticated"), Element::Provider])
        }
        KeyKind::Amr => Some(vec![Element::Text("unauthenticated")]),
        KeyKind::OtherCognito | KeyKind::Other => return Tri::Maybe,
    };
    if op.base == "Null" {
        // Null:true asks that the key be absent; aud and amr are always present.
        return Tri::Maybe.and(Tri::from_bool(c.values.iter().all(|v| v.value == Sym::lit("false"))));
    }
    if !op.is_string() {
        return Tri::Maybe;
    }
    let Some(context) = context else {
        return Tri::from_bool(op.if_exists || op.set == Some(SetOp::ForAllValues));
    };
    let element_ok = |e: &Element| -> Tri {
        let any = c.values.iter().fold(Tri::No, |acc, v| acc.or(matches(&op, e, &v.value)));
        if op.negated() { !any } else { any }
    };
    match op.set {
        Some(SetOp::ForAllValues) => context.iter().fold(Tri::Yes, |acc, e| acc.and(element_ok(e))),
        _ => context.iter().fold(Tri::No, |acc, e| acc.or(element_ok(e))),
    }
}

/// Whether one context element matches one condition value (before negation).
fn matches(op: &Operator, element: &Element, pattern: &Sym) -> Tri {
    let ignore_case = op.base.contains("IgnoreCase");
    let fold = |s: &str| if ignore_case { s.to_ascii_lowercase() } else { s.to_string() };
    let like = op.is_like();
    let text = match element {
        Element::Text(t) => Sym::lit(*t),
        Element::Value(v) => (*v).clone(),
        Element::Provider => {
            return match pattern.as_lit() {
                Some(p) if ["authenticated", "unauthenticated"].contains(&p) => Tri::No,
                _ => Tri::Maybe,
            };
        }
    };
    match (&text, pattern) {
        (Sym::Lit(t), Sym::Lit(p)) if like => Tri::from_bool(wildcard_match(&fold(p), &fold(t))),
        (Sym::Lit(t), Sym::Lit(p)) => Tri::from_bool(fold(p) == fold(t)),
        (_, Sym::Lit(p)) if like && p == "*" => Tri::Yes,
        (_, Sym::Lit(p)) if like && (p.contains('*') || p.contains('?')) => Tri::Maybe,
        (_, Sym::Lit(p)) if !looks_like_pool_id(p) && text.as_attr().is_some() => Tri::No,
        _ => text.same_as(pattern),
    }
}

/// The identity pool ID format, `REGION:GUID` (botocore `IdentityPoolId` pattern).
pub(crate) fn looks_like_pool_id(s: &str) -> bool {
    match s.split_once(':') {
        Some((region, guid)) => {
            !region.is_empty()
                && region.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                && !guid.is_empty()
                && guid.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operators_split() {
        let op = Operator::parse("ForAnyValue:StringLikeIfExists");
        assert_eq!(op.set, Some(SetOp::ForAnyValue));
        assert_eq!(op.base, "StringLike");
        assert!(op.if_exists);
        assert!(Operator::parse("StringNotEquals").negated());
    }

    #[test]
    fn pool_id_format() {
        assert!(looks_like_pool_id("us-east-1:12345678-dead-beef-cafe-123456790ab"));
        assert!(!looks_like_pool_id("us-east-1_AbCdEf"));
        assert!(!looks_like_pool_id("my-identity-pool-id"));
        assert!(!looks_like_pool_id(""));
    }
}
