//! The request Cognito makes when it hands a role out (`sts:AssumeRoleWithWebIdentity` with
//! `aud` = the pool ID and `amr` = `unauthenticated`, or `authenticated` plus providers), and
//! whether a statement's conditions admit it.

use super::{COGNITO_PRINCIPALS, cognito_entries, key_namespace, wildcard_match};
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
    /// The identity ID: in every request, with a value not known before the identity exists.
    Sub,
    /// Any other name in an identity-pool namespace (`cognito-identity.amazonaws.com:auds`):
    /// the request Cognito makes never carries it.
    Absent,
    /// A key outside the Cognito namespace (`aws:SourceIp`): not judged here.
    Other,
}

/// What a condition key refers to; key names are case-insensitive in IAM.
pub(crate) fn key_kind(key: &str) -> KeyKind {
    let lower = key.to_ascii_lowercase();
    match key_namespace(&lower) {
        Some((ns, name)) if COGNITO_PRINCIPALS.contains(&ns) => match name {
            "aud" => KeyKind::Aud,
            "amr" => KeyKind::Amr,
            "sub" => KeyKind::Sub,
            _ => KeyKind::Absent,
        },
        _ => KeyKind::Other,
    }
}

/// What a condition key of statement `st` refers to in the requests that reach the statement:
/// as [`key_kind`], but a key of another partition's Cognito namespace than the one the
/// statement's principal names (`cognito-identity-us-gov.amazonaws.com:aud` under
/// `cognito-identity.amazonaws.com`) is never in them, so it is [`KeyKind::Absent`]. When the
/// principal is computed, any Cognito namespace may be its own.
pub(crate) fn key_kind_in(st: &Statement, key: &str) -> KeyKind {
    let kind = key_kind(key);
    if kind == KeyKind::Other {
        return kind;
    }
    let lower = key.to_ascii_lowercase();
    let Some((ns, _)) = key_namespace(&lower) else { return kind };
    let mut own = Vec::new();
    for e in cognito_entries(st) {
        match e.value.as_lit() {
            Some(p) => own.push(p.to_ascii_lowercase()),
            None => return kind,
        }
    }
    if own.is_empty() || own.iter().any(|p| p == ns) { kind } else { KeyKind::Absent }
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
    st.conditions.iter().fold(Tri::Yes, |acc, c| acc.and(condition_admits(st, c, req)))
}

/// Whether one condition of statement `st` admits the request.
pub(crate) fn condition_admits(st: &Statement, c: &Condition, req: &CognitoRequest) -> Tri {
    let op = Operator::parse(&c.operator);
    let unknown_pool;
    let context: Vec<Element> = match key_kind_in(st, &c.key) {
        KeyKind::Other => return Tri::Maybe,
        KeyKind::Absent => return holds_when_absent(c),
        // `aud`, `amr` and `sub` are in every request, whatever the slot.
        _ if op.base == "Null" => return null_holds(&op, c, true),
        KeyKind::Aud => vec![match req.pool {
            Some(p) => Element::Value(p),
            None => {
                unknown_pool = Sym::Unknown("the pool".into());
                Element::Value(&unknown_pool)
            }
        }],
        // Which identities get a role of an unknown slot is not known: nor is what `amr` holds.
        KeyKind::Amr if req.slot == SlotKind::Unknown => return Tri::Maybe,
        KeyKind::Amr if req.slot.is_authenticated() => {
            vec![Element::Text("authenticated"), Element::Provider]
        }
        KeyKind::Amr => vec![Element::Text("unauthenticated")],
        KeyKind::Sub => return Tri::Maybe,
    };
    if !op.is_string() {
        return Tri::Maybe;
    }
    let element_ok = |e: &Element| -> Tri {
        let any = c.values.iter().fold(Tri::No, |acc, v| acc.or(matches(&op, e, &v.value)));
        if op.negated() { !any } else { any }
    };
    match op.set {
        Some(SetOp::ForAllValues) => context.iter().fold(Tri::Yes, |acc, e| acc.and(element_ok(e))),
        _ => context.iter().fold(Tri::No, |acc, e| acc.or(element_ok(e))),
    }
}

/// The condition operators IAM knows, without a set qualifier or `IfExists` (IAM User Guide,
/// "IAM JSON policy elements: Condition operators"); `Null` is judged on its own.
const OPERATORS: &[&str] = &[
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
    "DateEquals",
    "DateNotEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
    "Bool",
    "BinaryEquals",
    "IpAddress",
    "NotIpAddress",
    "ArnEquals",
    "ArnLike",
    "ArnNotEquals",
    "ArnNotLike",
];

/// Whether a condition holds when its key is absent from the request, whatever its values.
///
/// IAM User Guide, "IAM JSON policy elements: Condition operators"
/// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html>):
/// "If the key that you specify in a policy condition is not present in the request context,
/// the values do not match and the condition is false. If the policy condition requires that
/// the key is not matched, such as StringNotLike or ArnNotLike, and the right key is not
/// present, the condition is true. This logic applies to all condition operators except
/// ...IfExists and Null check"; with `...IfExists`, "If the key is not present, evaluate the
/// condition element as true"; `Null` is `true` when "the key doesn't exist".
/// "Single-valued vs. multivalued context keys"
/// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html>):
/// `ForAllValues` "also returns true if there are no context keys in the request", and with
/// `ForAnyValue`, "For no matching context key or if the key does not exist, the condition
/// returns false". How `ForAnyValue:` and `IfExists` combine on a missing key is not documented.
pub fn holds_when_absent(c: &Condition) -> Tri {
    let op = Operator::parse(&c.operator);
    if op.base == "Null" {
        return null_holds(&op, c, false);
    }
    if !OPERATORS.contains(&op.base.as_str()) {
        return Tri::Maybe;
    }
    match (op.set, op.if_exists) {
        (Some(SetOp::ForAllValues), _) => Tri::Yes,
        (Some(SetOp::ForAnyValue), true) => Tri::Maybe,
        (Some(SetOp::ForAnyValue), false) => Tri::No,
        (None, true) => Tri::Yes,
        (None, false) => Tri::from_bool(op.negated()),
    }
}

/// Whether a `Null` check holds for a key that is or is not in the request: each value asks
/// that the key be absent (`true`) or present (`false`), case-insensitively, and the values
/// are OR-ed like any condition's. A value that is not a literal may ask either.
fn null_holds(op: &Operator, c: &Condition, present: bool) -> Tri {
    // "You can add IfExists to the end of any condition operator name except the Null
    // condition", and a set qualifier on `Null` is not documented: neither is judged.
    if op.set.is_some() || op.if_exists || c.values.is_empty() {
        return Tri::Maybe;
    }
    c.values.iter().fold(Tri::No, |acc, v| {
        acc.or(match v.value.as_lit() {
            Some(s) if s.eq_ignore_ascii_case("true") => Tri::from_bool(!present),
            Some(s) if s.eq_ignore_ascii_case("false") => Tri::from_bool(present),
            _ => Tri::Maybe,
        })
    })
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
    use crate::model::{Effect, Item, Principal, PrincipalEntry};
    use crate::source::Loc;
    use crate::syntax::Span;

    const POOL: &str = "us-east-1:12345678-dead-beef-cafe-123456790ab";
    const AUD: &str = "cognito-identity.amazonaws.com:aud";
    const AMR: &str = "cognito-identity.amazonaws.com:amr";
    const SUB: &str = "cognito-identity.amazonaws.com:sub";
    /// A misspelt `aud` in Cognito's namespace: never in the request.
    const ABSENT: &str = "cognito-identity.amazonaws.com:auds";

    fn condition(operator: &str, key: &str, values: &[&str]) -> Condition {
        let loc = Loc::new(0, Span::new(0, 0));
        Condition {
            operator: operator.into(),
            operator_loc: loc,
            key: key.into(),
            key_loc: loc,
            values: values.iter().map(|v| Item { value: Sym::lit(*v), loc }).collect(),
            values_loc: loc,
        }
    }

    /// A statement whose principal is `Federated: principal` (none when None).
    fn statement(principal: Option<&str>, conditions: Vec<Condition>) -> Statement {
        let loc = Loc::new(0, Span::new(0, 0));
        let entry =
            |p: &str| PrincipalEntry { kind: "Federated".into(), kind_loc: loc, value: Sym::lit(p), loc };
        Statement {
            loc,
            effect: Effect::Allow,
            effect_loc: None,
            principal: principal.map(|p| Principal { loc, wildcard: false, entries: vec![entry(p)] }),
            not_principal: None,
            actions: Vec::new(),
            action_loc: None,
            not_action: false,
            resources: Vec::new(),
            not_resource: false,
            conditions,
            condition_loc: None,
        }
    }

    /// What one condition says of the authenticated role of pool `POOL`.
    fn judge(operator: &str, key: &str, values: &[&str]) -> Tri {
        judge_slot(operator, key, values, SlotKind::Authenticated)
    }

    fn judge_slot(operator: &str, key: &str, values: &[&str], slot: SlotKind) -> Tri {
        let pool = Sym::lit(POOL);
        let request = CognitoRequest { pool: Some(&pool), slot };
        condition_admits(&statement(None, Vec::new()), &condition(operator, key, values), &request)
    }

    #[test]
    fn plain_operators_on_an_absent_key_are_false() {
        assert_eq!(judge("StringEquals", ABSENT, &[POOL]), Tri::No);
        assert_eq!(judge("StringLike", ABSENT, &["*"]), Tri::No);
        assert_eq!(judge("StringEqualsIgnoreCase", ABSENT, &[POOL]), Tri::No);
        assert_eq!(judge("ArnLike", ABSENT, &["arn:*"]), Tri::No);
        assert_eq!(judge("Bool", ABSENT, &["true"]), Tri::No);
    }

    #[test]
    fn negated_operators_on_an_absent_key_are_true() {
        assert_eq!(judge("StringNotEquals", ABSENT, &[POOL]), Tri::Yes);
        assert_eq!(judge("StringNotLike", ABSENT, &["*"]), Tri::Yes);
        assert_eq!(judge("ArnNotLike", ABSENT, &["arn:*"]), Tri::Yes);
        assert_eq!(judge("NotIpAddress", ABSENT, &["203.0.113.0/24"]), Tri::Yes);
    }

    #[test]
    fn if_exists_on_an_absent_key_is_true() {
        assert_eq!(judge("StringEqualsIfExists", ABSENT, &[POOL]), Tri::Yes);
        assert_eq!(judge("StringNotLikeIfExists", ABSENT, &["*"]), Tri::Yes);
        assert_eq!(judge("ForAllValues:StringEqualsIfExists", ABSENT, &[POOL]), Tri::Yes);
        // Not documented: a missing key under both ForAnyValue and IfExists.
        assert_eq!(judge("ForAnyValue:StringLikeIfExists", ABSENT, &["*"]), Tri::Maybe);
    }

    #[test]
    fn set_operators_on_an_absent_key_see_an_empty_set() {
        assert_eq!(judge("ForAllValues:StringEquals", ABSENT, &[POOL]), Tri::Yes);
        assert_eq!(judge("ForAllValues:StringNotLike", ABSENT, &["*"]), Tri::Yes);
        assert_eq!(judge("ForAnyValue:StringLike", ABSENT, &["*"]), Tri::No);
        assert_eq!(judge("ForAnyValue:StringNotEquals", ABSENT, &[POOL]), Tri::No);
        assert_eq!(judge("forallvalues:StringEquals", ABSENT, &[POOL]), Tri::Yes);
    }

    #[test]
    fn null_checks_whether_the_key_is_absent() {
        assert_eq!(judge("Null", ABSENT, &["true"]), Tri::Yes);
        assert_eq!(judge("Null", ABSENT, &["TRUE"]), Tri::Yes);
        assert_eq!(judge("Null", ABSENT, &["false"]), Tri::No);
        assert_eq!(judge("Null", ABSENT, &["False"]), Tri::No);
        for key in [AUD, AMR, SUB] {
            assert_eq!(judge("Null", key, &["true"]), Tri::No, "{key}");
            assert_eq!(judge("Null", key, &["True"]), Tri::No, "{key}");
            assert_eq!(judge("Null", key, &["false"]), Tri::Yes, "{key}");
            assert_eq!(judge("Null", key, &["FALSE"]), Tri::Yes, "{key}");
        }
        // `amr` is in the request even when the slot, and so its value, is not known.
        assert_eq!(judge_slot("Null", AMR, &["false"], SlotKind::Unknown), Tri::Yes);
        assert_eq!(judge_slot("Null", AMR, &["true"], SlotKind::Unknown), Tri::No);
        // Values are OR-ed.
        assert_eq!(judge("Null", AUD, &["true", "false"]), Tri::Yes);
    }

    #[test]
    fn null_with_a_value_that_is_not_a_literal_may_go_either_way() {
        let pool = Sym::lit(POOL);
        let request = CognitoRequest { pool: Some(&pool), slot: SlotKind::Authenticated };
        for key in [AUD, ABSENT] {
            let mut c = condition("Null", key, &[]);
            c.values = vec![Item { value: Sym::Unknown("a parameter".into()), loc: c.values_loc }];
            assert_eq!(condition_admits(&statement(None, Vec::new()), &c, &request), Tri::Maybe, "{key}");
        }
        assert_eq!(judge("Null", ABSENT, &["yes"]), Tri::Maybe);
        assert_eq!(judge("Null", AUD, &[]), Tri::Maybe);
        assert_eq!(judge("NullIfExists", ABSENT, &["true"]), Tri::Maybe);
    }

    #[test]
    fn present_keys_are_judged_by_their_values() {
        assert_eq!(judge("StringEquals", AUD, &[POOL]), Tri::Yes);
        assert_eq!(judge("StringEquals", AUD, &["us-east-1:00000000-0000-0000-0000-000000000000"]), Tri::No);
        assert_eq!(judge("StringNotEquals", AUD, &[POOL]), Tri::No);
        assert_eq!(judge("StringEqualsIfExists", AUD, &[POOL]), Tri::Yes);
        assert_eq!(
            judge("StringEqualsIfExists", AUD, &["us-east-1:00000000-0000-0000-0000-000000000000"]),
            Tri::No
        );
        assert_eq!(judge("StringNotEqualsIfExists", AUD, &[POOL]), Tri::No);
        assert_eq!(judge("ForAllValues:StringEquals", AUD, &[POOL]), Tri::Yes);
        assert_eq!(
            judge("ForAnyValue:StringEquals", AUD, &["us-east-1:00000000-0000-0000-0000-000000000000"]),
            Tri::No
        );
        assert_eq!(judge("ForAnyValue:StringLike", AMR, &["authenticated"]), Tri::Yes);
        assert_eq!(judge("ForAnyValue:StringLikeIfExists", AMR, &["authenticated"]), Tri::Yes);
        // The providers in an authenticated `amr` are not `authenticated`.
        assert_eq!(judge("ForAllValues:StringLike", AMR, &["authenticated"]), Tri::No);
        assert_eq!(judge("ForAnyValue:StringNotLike", AMR, &["unauthenticated"]), Tri::Yes);
        // The identity ID is in the request, but not known here.
        assert_eq!(judge("StringEquals", SUB, &[POOL]), Tri::Maybe);
        assert_eq!(judge("StringNotEqualsIfExists", SUB, &[POOL]), Tri::Maybe);
    }

    #[test]
    fn key_names_are_case_insensitive() {
        assert_eq!(key_kind("Cognito-Identity.AmazonAWS.com:AUD"), KeyKind::Aud);
        assert_eq!(key_kind("cognito-identity.amazonaws.com:Sub"), KeyKind::Sub);
        assert_eq!(key_kind("COGNITO-IDENTITY.amazonaws.com:Audience"), KeyKind::Absent);
        assert_eq!(key_kind("cognito-identity-us-gov.amazonaws.com:amrs"), KeyKind::Absent);
        assert_eq!(judge("StringEquals", "Cognito-Identity.amazonaws.com:AUD", &[POOL]), Tri::Yes);
        assert_eq!(judge("StringNotEquals", "cognito-identity.amazonaws.com:Audience", &[POOL]), Tri::Yes);
    }

    #[test]
    fn keys_outside_the_cognito_namespace_are_not_judged() {
        // A misspelt namespace (CT112's) is a key of another issuer, not an absent Cognito key.
        for key in [
            "aws:SourceIp",
            "aws:PrincipalTag/team",
            "cognito-identity.amazon.com:aud",
            "accounts.google.com:aud",
        ] {
            assert_eq!(judge("StringEquals", key, &["x"]), Tri::Maybe, "{key}");
            assert_eq!(judge("StringNotEquals", key, &["x"]), Tri::Maybe, "{key}");
            assert_eq!(judge("Null", key, &["true"]), Tri::Maybe, "{key}");
            assert_eq!(judge("ForAllValues:StringEquals", key, &["x"]), Tri::Maybe, "{key}");
        }
    }

    #[test]
    fn unknown_operators_are_not_judged() {
        assert_eq!(judge("StringEqual", ABSENT, &[POOL]), Tri::Maybe);
        assert_eq!(judge("ForAllValues:Strange", ABSENT, &[POOL]), Tri::Maybe);
    }

    #[test]
    fn a_statement_admits_when_all_its_conditions_do() {
        let pool = Sym::lit(POOL);
        let request = CognitoRequest { pool: Some(&pool), slot: SlotKind::Authenticated };
        let statement = |conditions| statement(None, conditions);
        let aud = condition("StringEquals", AUD, &[POOL]);
        let amr = condition("ForAnyValue:StringLike", AMR, &["authenticated"]);
        assert_eq!(admits(&statement(vec![aud.clone(), amr.clone()]), &request), Tri::Yes);
        let typo = condition("StringEquals", ABSENT, &[POOL]);
        assert_eq!(admits(&statement(vec![aud.clone(), typo]), &request), Tri::No);
        let guard = condition("StringEqualsIfExists", ABSENT, &[POOL]);
        assert_eq!(admits(&statement(vec![guard, amr]), &request), Tri::Yes);
        let tagged = condition("StringEquals", "aws:PrincipalTag/team", &["a"]);
        assert_eq!(admits(&statement(vec![aud, tagged]), &request), Tri::Maybe);
    }

    #[test]
    fn keys_of_another_partitions_namespace_are_absent() {
        let pool = Sym::lit(POOL);
        let request = CognitoRequest { pool: Some(&pool), slot: SlotKind::Authenticated };
        let gov_aud = "cognito-identity-us-gov.amazonaws.com:aud";
        let commercial = |c| statement(Some("cognito-identity.amazonaws.com"), vec![c]);
        // Under the commercial principal, the GovCloud `aud` is never in the request.
        assert_eq!(admits(&commercial(condition("StringEquals", gov_aud, &[POOL])), &request), Tri::No);
        assert_eq!(admits(&commercial(condition("StringNotEquals", gov_aud, &[POOL])), &request), Tri::Yes);
        assert_eq!(
            key_kind_in(&commercial(condition("StringEquals", gov_aud, &[POOL])), gov_aud),
            KeyKind::Absent
        );
        // Under its own principal, or a computed one, it is the `aud`.
        let gov = statement(
            Some("cognito-identity-us-gov.amazonaws.com"),
            vec![condition("StringEquals", gov_aud, &[POOL])],
        );
        assert_eq!(admits(&gov, &request), Tri::Yes);
        assert_eq!(
            admits(&statement(None, vec![condition("StringEquals", gov_aud, &[POOL])]), &request),
            Tri::Yes
        );
    }

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
