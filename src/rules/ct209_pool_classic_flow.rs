use crate::model::Dialect;
use std::collections::HashMap;

use super::TrustedRole;
use super::{Context, Findings, declare_rule};
use crate::iam::request::{KeyKind, key_kind};
use crate::iam::{CognitoRequest, admits};
use crate::model::{Pool, SlotKind, Sym, Tri};

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
/// The trusted roles each pool may give through the basic flow, found without comparing every
/// pool with every role: the roles it hands out, the roles whose `aud` names its ID, and the
/// roles whose `aud` is not a list of exact IDs (those are compared with every pool).
struct Candidates<'t, 'm> {
    trusted: &'t [TrustedRole<'m>],
    handed_out: HashMap<(usize, &'m str), Vec<usize>>,
    by_aud: HashMap<&'m Sym, Vec<usize>>,
    any_pool: Vec<usize>,
}

impl<'t, 'm> Candidates<'t, 'm> {
    fn new(trusted: &'t [TrustedRole<'m>]) -> Self {
        let mut c =
            Candidates { trusted, handed_out: HashMap::new(), by_aud: HashMap::new(), any_pool: Vec::new() };
        for (i, tr) in trusted.iter().enumerate() {
            for u in tr.uses.iter().filter(|u| u.slot.kind.is_authenticated()) {
                if let Some(pool) = u.pool {
                    c.handed_out
                        .entry((pool.resource.file, pool.resource.name.as_str()))
                        .or_default()
                        .push(i);
                }
            }
            match exact_auds(tr) {
                Some(values) => values.into_iter().for_each(|v| c.by_aud.entry(v).or_default().push(i)),
                None => c.any_pool.push(i),
            }
        }
        c
    }

    /// The trusted roles that may go with `pool`, in the order of `trusted`.
    fn of(&self, pool: &Pool) -> Vec<&'t TrustedRole<'m>> {
        let mut found: Vec<usize> = self.any_pool.clone();
        found.extend(
            self.handed_out.get(&(pool.resource.file, pool.resource.name.as_str())).into_iter().flatten(),
        );
        found.extend(self.by_aud.get(&pool.id).into_iter().flatten());
        found.sort_unstable();
        found.dedup();
        found.into_iter().map(|i| &self.trusted[i]).collect()
    }
}

/// The IDs a role's Cognito statements require `aud` to equal, when every such statement
/// requires that with `StringEquals` (only then can a pool of another ID never be admitted).
fn exact_auds<'m>(tr: &TrustedRole<'m>) -> Option<Vec<&'m Sym>> {
    let mut out = Vec::new();
    for st in tr.cognito_allows() {
        let mut auds = st.conditions.iter().filter(|c| key_kind(&c.key) == KeyKind::Aud).peekable();
        auds.peek()?;
        for c in auds {
            if c.operator != "StringEquals" {
                return None;
            }
            out.extend(c.values.iter().map(|v| &v.value));
        }
    }
    Some(out)
}

/// Why the basic flow widens what a pool's identities can get, if it does.
fn widened(candidates: &Candidates, pool: &Pool, guests: Option<bool>) -> Option<String> {
    if guests == Some(true) {
        return Some("guests get their role without the enhanced flow's scope-down policy".into());
    }
    let mut roles: Vec<&str> = Vec::new();
    for tr in candidates.of(pool) {
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

fn check(cx: &Context, out: &mut Findings) {
    let model = cx.model;
    let trusted = &cx.trusted;
    let candidates = Candidates::new(trusted);
    for pool in &model.pools {
        for variant in &pool.variants {
            let (Some(true), Some(loc)) =
                (variant.value.allow_classic_flow, variant.value.allow_classic_flow_loc)
            else {
                continue;
            };
            let Some(why) = widened(&candidates, pool, variant.value.allow_guests) else { continue };
            let f = out.add(
                loc,
                &pool.resource,
                format!("pool `{}` allows the basic (classic) flow, where clients choose the role themselves: {why}", pool.resource.name),
            );
            let say = Dialect::of_file(model, pool.resource.file);
            f.label("classic flow enabled").help(format!(
                "set {} and use the enhanced flow (GetCredentialsForIdentity)",
                say.property("AllowClassicFlow", "false")
            ));
        }
    }
}
