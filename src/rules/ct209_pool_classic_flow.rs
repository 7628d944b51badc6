use super::TrustedRole;
use super::{Findings, declare_rule};
use crate::iam::{CognitoRequest, admits};
use crate::model::{Model, SlotKind, Tri};

declare_rule! {
    /// ## What it does
    /// Finds identity pools with `AllowClassicFlow: true` where the basic flow gives clients
    /// more than the enhanced flow would: the pool allows guests (who lose the scope-down
    /// policy), or signed-in users could choose among several roles that trust the pool (role
    /// mappings, user pool groups, or other roles whose trust admits the pool's `aud`).
    ///
    /// ## Why is this bad?
    /// In the basic (classic) flow the client calls `GetOpenIdToken` and then
    /// `AssumeRoleWithWebIdentity` itself, with any role ARN it chooses: every role whose trust
    /// accepts the pool's token becomes reachable, and guests lose the scope-down policy the
    /// enhanced flow applies to them.
    ///
    /// ## Example
    /// ```yaml
    ///       AllowClassicFlow: true
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    ///       AllowClassicFlow: false
    /// ```
    ///
    /// ## References
    /// - [Identity pools authentication flow](https://docs.aws.amazon.com/cognito/latest/developerguide/authentication-flow.html)
    /// - [Security best practices for identity pools](https://docs.aws.amazon.com/cognito/latest/developerguide/identity-pools-security-best-practices.html)
    code: "CT209", name: "pool-classic-flow", severity: Warning,
    summary: "`AllowClassicFlow: true`: clients may assume any role that trusts the pool",
    check: check,
}

/// Why the basic flow widens what a pool's identities can get, if it does.
fn widened(model: &Model, trusted: &[TrustedRole], p: usize, guests: Option<bool>) -> Option<String> {
    if guests == Some(true) {
        return Some("guests get their role without the enhanced flow's scope-down policy".into());
    }
    let pool = &model.pools[p];
    let mut roles: Vec<&str> = Vec::new();
    for tr in trusted {
        let handed_out = tr
            .uses
            .iter()
            .any(|u| u.pool.is_some_and(|q| std::ptr::eq(q, pool)) && u.slot.kind.is_authenticated());
        let request = CognitoRequest { pool: Some(&pool.id), slot: SlotKind::Authenticated };
        let admits_pool = tr.cognito_allows().any(|s| admits(s, &request) == Tri::Yes);
        if (handed_out || admits_pool) && !roles.contains(&tr.role.resource.name.as_str()) {
            roles.push(&tr.role.resource.name);
        }
    }
    (roles.len() > 1).then(|| {
        format!(
            "any signed-in user may pick any of the roles {}",
            roles.iter().map(|r| format!("`{r}`")).collect::<Vec<_>>().join(", ")
        )
    })
}

fn check(model: &Model, out: &mut Findings) {
    let trusted = TrustedRole::all(model);
    for (p, pool) in model.pools.iter().enumerate() {
        for variant in &pool.variants {
            let (Some(true), Some(loc)) =
                (variant.value.allow_classic_flow, variant.value.allow_classic_flow_loc)
            else {
                continue;
            };
            let Some(why) = widened(model, &trusted, p, variant.value.allow_guests) else { continue };
            let f = out.add(
                loc,
                &pool.resource,
                format!("pool `{}` allows the basic (classic) flow, where clients choose the role themselves: {why}", pool.resource.name),
            );
            f.label("classic flow enabled")
                .help("set AllowClassicFlow: false and use the enhanced flow (GetCredentialsForIdentity)");
        }
    }
}
