use super::{Context, Findings, PoolRole, declare_rule};
use crate::fix::{Change, Fix};
use crate::iam::{allows_action, trusts_only_cognito};
use crate::link::{find_pool, user_pool_of};
use crate::model::Dialect;
use crate::model::{SlotKind, Statement, Sym, Tri};

declare_rule! {
    /// ## What it does
    /// Finds roles handed out to the users of a provider that has principal tags
    /// (`AWS::Cognito::IdentityPoolPrincipalTag` with `UseDefaults: true` or tags), whose trust
    /// does not allow `sts:TagSession`. Guests never receive principal tags, so guest roles are
    /// not checked.
    ///
    /// ## Why is this bad?
    /// To apply principal tags, Cognito tags the session when it assumes the role; "you must
    /// also allow Amazon Cognito to apply principal tags to your user's temporary session …
    /// with the permission-only action sts:TagSession". Without it STS refuses and signed-in
    /// users get `InvalidIdentityPoolConfigurationException: Invalid identity pool
    /// configuration. Check assigned IAM roles for this pool.`
    ///
    /// ## Example
    /// ```yaml
    ///           Action: sts:AssumeRoleWithWebIdentity
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    ///           Action: [sts:AssumeRoleWithWebIdentity, sts:TagSession]
    /// ```
    ///
    /// ## References
    /// - [Using attributes for access control](https://docs.aws.amazon.com/cognito/latest/developerguide/using-afac-with-cognito-identity-pools.html)
    /// - aws/aws-cdk#30919
    code: "CT113", name: "trust-no-tagsession", severity: Error,
    summary: "principal tags are set for a provider and a role its users receive lacks `sts:TagSession`",
    fix: "adds `sts:TagSession` to the actions of the statement that trusts identity pools",
    check: check,
}

/// Whether a mapping's provider may be the tagged provider: two user pool providers are the same
/// only if they name the same user pool.
fn same_provider(via: &Sym, tagged: &Sym) -> bool {
    match (user_pool_of(via), user_pool_of(tagged)) {
        (Some(a), Some(b)) => a == b,
        _ => via.same_as(tagged) != Tri::No,
    }
}

/// `sts:TagSession` after the statement's last action, written literally, when the statement
/// trusts identity pools alone (another principal would be allowed to tag its sessions too).
fn fix(st: &Statement) -> Fix {
    let title = "add `sts:TagSession`".to_string();
    let last = st.actions.last().and_then(|a| a.value.as_lit().map(|s| (s.to_string(), a.loc)));
    match last {
        _ if st.not_action => Fix::uncertain(title, "the statement lists the actions it does not allow"),
        _ if !trusts_only_cognito(st) => Fix::uncertain(
            title,
            "the statement trusts other principals too: give identity pools a statement of their own",
        ),
        Some((last, at)) => {
            Fix::new(title, vec![Change::Append { at, last, value: "sts:TagSession".into() }]).within(st.loc)
        }
        None => Fix::uncertain(title, "the statement's actions are not written literally"),
    }
}

fn check(cx: &Context, out: &mut Findings) {
    let model = cx.model;
    // The roles each pool hands out, gathered once rather than once per tag.
    let mut by_pool: Vec<Vec<&PoolRole>> = model.pools.iter().map(|_| Vec::new()).collect();
    for (u, pr) in model.uses.iter().zip(&cx.pool_roles) {
        if let (Some(p), Some(pr)) = (u.pool, pr) {
            by_pool[p].push(pr);
        }
    }
    for tag in model.principal_tags.iter().filter(|t| t.active) {
        let Some(pool) = tag.pool.as_ref().and_then(|p| find_pool(model, &p.value)) else { continue };
        for pr in &by_pool[pool] {
            let for_provider = match (pr.slot.kind, &pr.slot.via, &tag.provider) {
                (SlotKind::Unauthenticated, _, _) => false,
                (SlotKind::Authenticated, _, _) => true,
                (_, Some(via), Some(provider)) => same_provider(via, &provider.value),
                _ => true,
            };
            let statements: Vec<_> = pr.cognito_allows().collect();
            let Some(first) = statements.first() else { continue };
            if !for_provider || statements.iter().any(|s| allows_action(s, "sts:TagSession") != Tri::No) {
                continue;
            }
            let at = first.action_loc.unwrap_or(first.loc);
            let f = out.add(
                at,
                &pr.role.resource,
                format!(
                    "role `{}` is {} whose users get principal tags from `{}`, but its trust does not allow `sts:TagSession`",
                    pr.role.resource.name,
                    pr.role_of_pool(),
                    tag.resource.name
                ),
            );
            f.label("sts:TagSession is missing here")
                .help(format!(
                    "add `sts:TagSession` to the {} of the statement that trusts cognito-identity.amazonaws.com; until then these users get InvalidIdentityPoolConfigurationException",
                    Dialect::of_policy(model, pr.policy).actions_key()
                ));
            f.fix(fix(first));
            f.related(tag.resource.loc, "principal tags are set here", Some(&tag.resource));
            pr.relate_slot(f);
        }
    }
}
