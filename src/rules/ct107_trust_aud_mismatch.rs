use super::view::TrustedRole;
use super::{Context, Findings, declare_rule};
use crate::iam::request::{KeyKind, Operator, admits, condition_admits, key_kind_in, looks_like_pool_id};
use crate::iam::{WEB_IDENTITY, allows_action};
use crate::model::{Condition, Sym, Tri};

declare_rule! {
    /// ## What it does
    /// Checks that the `cognito-identity.amazonaws.com:aud` condition can equal the ID of the
    /// pool that hands the role out. Flags another pool's ID, a placeholder
    /// (`my-identity-pool-id`), a user pool ID (`us-east-1_AbC`), or the pool's name or ARN.
    ///
    /// ## Why is this bad?
    /// The `aud` of the token Cognito presents to STS is the identity pool ID (`REGION:GUID`).
    /// Any other value never matches, so users get `InvalidIdentityPoolConfigurationException:
    /// Invalid identity pool configuration. Check assigned IAM roles for this pool.` This is the
    /// usual result of re-creating a pool or reusing a role from another pool.
    ///
    /// ## Example
    /// ```yaml
    ///             StringEquals: {"cognito-identity.amazonaws.com:aud": !GetAtt IdentityPool.Name}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    ///             StringEquals: {"cognito-identity.amazonaws.com:aud": !Ref IdentityPool}
    /// ```
    ///
    /// ## References
    /// - [Role trust and permissions](https://docs.aws.amazon.com/cognito/latest/developerguide/role-trust-and-permissions.html)
    /// - aws-amplify/amplify-cli#3198, aws-samples/aws-serverless-workshops#218
    code: "CT107", name: "trust-aud-mismatch", severity: Error,
    summary: "`aud` cannot equal the attaching pool: another pool, a placeholder, a user pool ID, the pool name or ARN",
    check: check,
}

/// Attributes that are never an identity pool ID.
const NOT_POOL_IDS: &[&str] =
    &["Name", "Arn", "UserPoolId", "ProviderName", "ProviderURL", "ClientId", "RoleName", "RoleId"];

/// Why a value can never be an identity pool ID, if it cannot.
fn never_a_pool_id(value: &Sym) -> Option<String> {
    match value {
        Sym::Lit(s) if s.is_empty() || s.contains('*') || s.contains('?') => None,
        Sym::Lit(s) if s.contains('_') && !s.contains(':') => {
            Some(format!("\"{s}\" is a user pool ID, not an identity pool ID"))
        }
        Sym::Lit(s) if !looks_like_pool_id(s) => {
            Some(format!("\"{s}\" is not an identity pool ID (REGION:GUID)"))
        }
        Sym::Concat(parts) if parts.first().and_then(Sym::as_lit).is_some_and(|s| s.starts_with("arn:")) => {
            Some(format!("{} is an ARN, not an identity pool ID", value.describe()))
        }
        Sym::Attr { attr, .. } if NOT_POOL_IDS.contains(&attr.as_str()) => {
            Some(format!("`{}` is not an identity pool ID", value.describe()))
        }
        _ => None,
    }
}

/// An `aud` condition of statement `st` under a positive, exact operator (wildcards and
/// negations are CT108's; another partition's `aud` is CT112's).
fn exact_aud(st: &crate::model::Statement, c: &Condition) -> bool {
    let op = Operator::parse(&c.operator);
    key_kind_in(st, &c.key) == KeyKind::Aud
        && op.is_string()
        && !op.negated()
        && !c.values.iter().any(|v| {
            v.value.as_lit().is_some_and(|s| {
                s.is_empty() || s == "*" || (op.is_like() && (s.contains('*') || s.contains('?')))
            })
        })
}

fn check(cx: &Context, out: &mut Findings) {
    for tr in &cx.trusted {
        for st in tr.cognito_allows() {
            for c in st.conditions.iter().filter(|c| exact_aud(st, c)) {
                if !never_a_pool(tr, c, out) {
                    other_pool(tr, st, c, out);
                }
            }
        }
    }
}

/// An `aud` condition whose every value can never be an identity pool ID; whether it is one.
fn never_a_pool(tr: &TrustedRole, c: &Condition, out: &mut Findings) -> bool {
    let Some(why) = c.values.iter().map(|v| never_a_pool_id(&v.value)).collect::<Option<Vec<_>>>() else {
        return false;
    };
    let f = out.add(
        c.values_loc,
        &tr.role.resource,
        format!(
            "the `aud` condition of role `{}` can never match an identity pool: {}",
            tr.role.resource.name,
            why.join("; ")
        ),
    );
    f.label("not an identity pool ID")
        .help(format!("set `cognito-identity.amazonaws.com:aud` to {}", tr.pool_id_text()));
    tr.relate_uses(f);
    true
}

/// An `aud` condition of statement `st` that names another pool than one that hands the role
/// out, when no other statement of the role admits that pool.
fn other_pool(tr: &TrustedRole, st: &crate::model::Statement, c: &Condition, out: &mut Findings) {
    for pr in &tr.uses {
        let request = pr.request();
        let (Some(pool_id), Tri::No) = (request.pool, condition_admits(st, c, &request)) else {
            continue;
        };
        // A role several pools hand out may trust each in a statement of its own.
        let admitted = |other: &&crate::model::Statement| {
            !std::ptr::eq(*other, st)
                && allows_action(other, WEB_IDENTITY) != Tri::No
                && admits(other, &request) != Tri::No
        };
        if tr.cognito_allows().any(|other| admitted(&other)) {
            continue;
        }
        let names: Vec<String> = c.values.iter().map(|v| v.value.describe()).collect();
        let f = out.add(
            c.values_loc,
            &tr.role.resource,
            format!(
                "role `{}` is {} but its `aud` condition names {}, not that pool",
                tr.role.resource.name,
                pr.role_of_pool(),
                names.join(", ")
            ),
        );
        let wanted = match pr.pool {
            Some(_) => pr.pool_id_text(),
            None => pool_id.describe(),
        };
        f.label("a different pool").help(format!(
            "set `cognito-identity.amazonaws.com:aud` to {wanted}; until then users get InvalidIdentityPoolConfigurationException"
        ));
        pr.relate_slot(f);
        if let Some(pool) = pr.pool {
            f.related(
                pool.resource.loc,
                format!("pool `{}` is defined here", pool.resource.name),
                Some(&pool.resource),
            );
        }
    }
}
