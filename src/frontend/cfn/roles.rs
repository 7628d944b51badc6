//! IAM roles: their trust policy (per variant), their permission policies (inline, managed
//! ARNs, and `AWS::IAM::Policy`/`ManagedPolicy` resources that name them), and whether another
//! resource rewrites their trust at deploy time.

use std::collections::{HashMap, HashSet};

use rayon::prelude::*;

use super::eval::{Ctx, Scope};
use crate::frontend::Resolve;
use crate::frontend::policy::read_policy;
use crate::iam::action_matches;
use crate::model::{Assign, Effect, Incomplete, Model, Policy, ResourceRef, Role, RoleIndex, Sym, Variant};
use crate::source::FileId;
use crate::syntax::Node;

pub fn role(
    scope: &Scope,
    resource: ResourceRef,
    arn_text: String,
    props: Option<&Node>,
    variants: Vec<(Assign, Option<Node>)>,
) -> (Role, Option<String>) {
    let mut permissions = Vec::new();
    let mut sampled = None;
    for policy in props.and_then(|p| p.get("Policies")).and_then(Node::as_seq).unwrap_or(&[]) {
        if let Some(doc) = policy.get("PolicyDocument") {
            let (policies, reason) = policy_variants(scope, doc);
            permissions.extend(policies);
            sampled = sampled.or(reason);
        }
    }
    let role = Role {
        resource,
        arn_text,
        name: props.and_then(|p| p.get("RoleName")).map(|n| scope.eval(n)),
        path: props.and_then(|p| p.get("Path")).and_then(Node::as_str).map(String::from),
        trust: variants
            .into_iter()
            .map(|(assign, node)| Variant {
                value: node
                    .as_ref()
                    .and_then(|p| p.get("AssumeRolePolicyDocument"))
                    .and_then(|d| read_policy(scope, d)),
                assign,
            })
            .collect(),
        permissions,
        managed_policies: props
            .and_then(|p| p.get("ManagedPolicyArns"))
            .map(|n| scope.items(n))
            .unwrap_or_default(),
        rewritten_by: None,
    };
    (role, sampled)
}

/// Every concrete shape of a permission policy document, and what CT901 says when they were
/// sampled.
fn policy_variants(scope: &Scope, doc: &Node) -> (Vec<Policy>, Option<String>) {
    let expansion = scope.expand(doc, &Assign::default());
    let reason = super::expand::sampled_reason(&expansion, "permission policies");
    let policies =
        expansion.variants.into_iter().filter_map(|(_, d)| d.and_then(|d| read_policy(scope, &d))).collect();
    (policies, reason)
}

/// The role a value names: `!Ref Role` (its name, when literal) or `!GetAtt Role.Arn` (the
/// resource, in the same file).
fn role_named(roles: &RoleIndex, value: &Sym) -> Option<usize> {
    match value {
        Sym::Attr { file, resource, .. } => roles.of_resource(*file, resource),
        Sym::Lit(name) => roles.named(None, name),
        _ => None,
    }
}

/// The roles a policy resource names, its documents, and what was not checked of them.
type Attached = (Vec<usize>, Vec<Policy>, Option<Incomplete>);

/// Adds `AWS::IAM::Policy` and `AWS::IAM::ManagedPolicy` documents to the roles they name:
/// read per template in parallel, added in template order.
pub(crate) fn attach_policies(ctx: &Ctx, model: &mut Model) {
    let roles = RoleIndex::new(&model.roles);
    let attached: Vec<Vec<Attached>> = (0..ctx.templates.len())
        .into_par_iter()
        .map(|i| {
            let scope = ctx.scope(i);
            let mut out = Vec::new();
            for res in ctx.templates[i]
                .resources
                .iter()
                .filter(|r| r.type_ == "AWS::IAM::Policy" || r.type_ == "AWS::IAM::ManagedPolicy")
            {
                let Some(props) = &res.properties else { continue };
                let Some(doc) = props.get("PolicyDocument") else { continue };
                let targets: Vec<usize> = props
                    .get("Roles")
                    .map(|n| scope.items(n))
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|role| role_named(&roles, &role.value))
                    .collect();
                if !targets.is_empty() {
                    let (policies, sampled) = policy_variants(&scope, doc);
                    let incomplete = sampled.map(|reason| Incomplete {
                        resource: ResourceRef {
                            file: ctx.templates[i].file,
                            name: res.logical_id.clone(),
                            loc: res.id_loc,
                            construct_path: res.cdk_path.clone(),
                        },
                        loc: res.id_loc,
                        reason,
                    });
                    out.push((targets, policies, incomplete));
                }
            }
            out
        })
        .collect();
    for (targets, policies, incomplete) in attached.into_iter().flatten() {
        for r in targets {
            model.roles[r].permissions.extend(policies.iter().cloned());
        }
        model.incomplete.extend(incomplete);
    }
}

/// Marks roles whose trust a custom resource rewrites at deploy time: a function whose role may
/// `iam:UpdateAssumeRolePolicy` on them, invoked by a custom resource that is given a pool ID.
pub(crate) fn find_trust_rewriters(ctx: &Ctx, model: &mut Model) {
    let roles = RoleIndex::new(&model.roles);
    let pool_ids: HashSet<&Sym> = model.pools.iter().map(|p| &p.id).collect();
    let by_file: HashMap<FileId, usize> =
        ctx.templates.iter().enumerate().map(|(i, t)| (t.file, i)).collect();
    let mut rewritten = Vec::new();
    for (i, tpl) in ctx.templates.iter().enumerate() {
        let scope = ctx.scope(i);
        for custom in tpl.resources.iter().filter(|r| super::is_custom(&r.type_)) {
            let Some(props) = &custom.properties else { continue };
            if !fed_a_pool_id(&scope, props, &pool_ids) {
                continue;
            }
            let Some((fn_file, function)) =
                props.get("ServiceToken").map(|t| scope.eval(t)).and_then(|t| match t {
                    Sym::Attr { file, resource, attr, .. } if attr == "Arn" => Some((file, resource)),
                    _ => None,
                })
            else {
                continue;
            };
            let Some(&t) = by_file.get(&fn_file) else { continue };
            let Some(executor) = function_role(ctx, t, &function, &roles) else { continue };
            let by = ResourceRef {
                file: tpl.file,
                name: custom.logical_id.clone(),
                loc: custom.id_loc,
                construct_path: custom.cdk_path.clone(),
            };
            rewritten.extend(updatable_roles(model, &roles, executor).into_iter().map(|r| (r, by.clone())));
        }
    }
    for (r, by) in rewritten {
        model.roles[r].rewritten_by.get_or_insert(by);
    }
}

/// Whether a custom resource is given an identity pool's ID (directly, through a nested
/// stack's output, or under a property named for it).
fn fed_a_pool_id(scope: &Scope, props: &Node, pool_ids: &HashSet<&Sym>) -> bool {
    props.as_map().unwrap_or(&[]).iter().any(|e| {
        let key = e.key.to_ascii_lowercase();
        if key.contains("idp") || key.contains("identitypool") {
            return true;
        }
        pool_ids.contains(&scope.eval(&e.value))
    })
}

/// The execution role of a Lambda function, as an index into the model's roles.
fn function_role(ctx: &Ctx, t: usize, function: &str, roles: &RoleIndex) -> Option<usize> {
    let res = ctx.templates[t].resource(function)?;
    let role = res.properties.as_ref()?.get("Role")?;
    let role = ctx.scope(t).item(role);
    role_named(roles, &role.value)
}

/// The roles whose trust `executor`'s permissions let it update.
fn updatable_roles(model: &Model, roles: &RoleIndex, executor: usize) -> Vec<usize> {
    let mut out = Vec::new();
    for policy in &model.roles[executor].permissions {
        for st in policy.statements.iter().filter(|s| s.effect == Effect::Allow && !s.not_action) {
            let allowed = st
                .actions
                .iter()
                .any(|a| a.value.as_lit().is_some_and(|p| action_matches(p, crate::iam::UPDATE_TRUST)));
            if !allowed || st.not_resource {
                continue;
            }
            for resource in &st.resources {
                match &resource.value {
                    Sym::Lit(s) if s == "*" => {
                        let file = model.roles[executor].resource.file;
                        out.extend((0..model.roles.len()).filter(|&r| model.roles[r].resource.file == file));
                    }
                    other => out.extend(role_named(roles, other)),
                }
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out.retain(|&r| r != executor);
    out
}
