//! Trust-policy evaluation over the model's policy documents (front ends read them,
//! `crate::frontend::policy`): which statements trust the Cognito identity principal,
//! whether they allow `sts:AssumeRoleWithWebIdentity`, and whether their conditions admit the
//! request Cognito makes for a given pool and slot.

pub mod request;

pub use request::{CognitoRequest, admits};

use crate::model::{Effect, PrincipalEntry, Statement, Sym, Tri, UNKNOWN_KEY};

/// The identity-pool principals of every partition (reference §0.3).
pub(crate) const COGNITO_PRINCIPALS: &[&str] = &[
    "cognito-identity.amazonaws.com",
    "cognito-identity-us-gov.amazonaws.com",
    "cognito-identity.us-gov-east-1.amazonaws.com",
    "cognito-identity.cn-north-1.amazonaws.com.cn",
    "cognito-identity.amazonaws.com.cn",
];

pub(crate) const WEB_IDENTITY: &str = "sts:AssumeRoleWithWebIdentity";

/// Permission actions too broad for a guest role (rule CT401); the CloudFormation index keeps
/// of a permission policy's actions only these and those that may rewrite a trust.
pub(crate) const BROAD_ACTIONS: &[&str] = &["*", "iam:*", "sts:*"];

/// The action that rewrites a role's trust policy at deploy time.
pub(crate) const UPDATE_TRUST: &str = "iam:UpdateAssumeRolePolicy";

/// Whether a principal value is an identity-pool principal.
pub(crate) fn is_cognito_principal(value: &Sym) -> Tri {
    match value {
        Sym::Lit(s) => Tri::from_bool(COGNITO_PRINCIPALS.contains(&s.as_str())),
        Sym::Concat(parts) => match parts.first() {
            Some(Sym::Lit(s)) if s.starts_with("cognito-identity") => Tri::Maybe,
            Some(Sym::Lit(_)) => Tri::No,
            _ => Tri::Maybe,
        },
        _ => Tri::Maybe,
    }
}

/// The `Federated` entries of a statement that are (or may be) the Cognito principal.
pub(crate) fn cognito_entries(st: &Statement) -> impl Iterator<Item = &PrincipalEntry> {
    st.principal.iter().flat_map(|p| p.entries.iter()).filter(|e| {
        (e.kind == "Federated" || e.kind == UNKNOWN_KEY) && is_cognito_principal(&e.value) != Tri::No
    })
}

/// Whether a statement trusts the identity-pool principal: `Federated` Cognito, or `*`.
pub(crate) fn trusts_cognito(st: &Statement) -> bool {
    cognito_entries(st).next().is_some()
}

/// Whether every principal a statement names is the identity-pool principal, so that what
/// the statement allows is for identity pools alone.
pub(crate) fn trusts_only_cognito(st: &Statement) -> bool {
    st.principal.as_ref().is_some_and(|p| {
        !p.wildcard
            && p.entries.iter().all(|e| {
                (e.kind == "Federated" || e.kind == UNKNOWN_KEY) && is_cognito_principal(&e.value) == Tri::Yes
            })
    })
}

/// The Allow statements that trust the Cognito principal.
pub(crate) fn cognito_allows(statements: &[Statement]) -> impl Iterator<Item = &Statement> {
    statements.iter().filter(|s| s.effect == Effect::Allow && trusts_cognito(s))
}

/// Whether an IAM action pattern (`sts:Assume*`, `*`) covers `action`, case-insensitively.
pub(crate) fn action_matches(pattern: &str, action: &str) -> bool {
    wildcard_match(&pattern.to_ascii_lowercase(), &action.to_ascii_lowercase())
}

/// Whether the statement's actions cover `action`.
pub(crate) fn allows_action(st: &Statement, action: &str) -> Tri {
    let mut any = Tri::No;
    for item in &st.actions {
        any = any.or(match &item.value {
            Sym::Lit(p) => Tri::from_bool(action_matches(p, action)),
            _ => Tri::Maybe,
        });
    }
    if st.not_action { !any } else { any }
}

/// IAM `*`/`?` wildcard matching.
pub(crate) fn wildcard_match(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// The namespace of a condition key: `cognito-identity.amazonaws.com` of
/// `cognito-identity.amazonaws.com:aud`.
pub(crate) fn key_namespace(key: &str) -> Option<(&str, &str)> {
    key.rsplit_once(':')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_like_iam() {
        assert!(action_matches("sts:Assume*", "sts:AssumeRoleWithWebIdentity"));
        assert!(action_matches("*", "sts:AssumeRoleWithWebIdentity"));
        assert!(action_matches("STS:assumerolewithwebidentity", "sts:AssumeRoleWithWebIdentity"));
        assert!(!action_matches("sts:AssumeRole", "sts:AssumeRoleWithWebIdentity"));
        assert!(wildcard_match("us-east-1:?bc", "us-east-1:abc"));
    }
}
