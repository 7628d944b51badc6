//! Extraction of every resource instance into the model, once per assignment of the
//! conditional expressions its values meet, and CT901 for trust policies not read.

use std::collections::HashSet;

use super::super::{TfResource, attach_role_policies, extract};
use super::eval::{Each, Scope};
use super::keys::Keys;
use super::{Sources, quoted_key, thousands};
use crate::model::{Assign, EvalError, Incomplete, Model, ResourceRef};
use crate::source::Loc;
use crate::syntax::hcl::LABELS;

impl<'a> Sources<'a> {
    /// Adds every resource of every module instance to the model, and what could not be
    /// expanded or evaluated.
    pub(crate) fn extract(&self, model: &mut Model) {
        model.errors.extend(self.errors.iter().cloned());
        self.report_not_expanded(model);
        self.report_unkeyed_calls(model);
        self.report_unexpanded_resources(model);
        let mut unread_trusts = Vec::new();
        self.each_resource(|scope, res| {
            model.places.resource_extents.push((res.loc.file, res.body.span, res.address.clone()));
            if res.type_ == "aws_cognito_identity_pool_roles_attachment"
                && let Some(roles) = res.body.entry("roles").filter(|e| e.value.get(LABELS).is_some())
            {
                model.errors.push(EvalError {
                    loc: Loc::new(res.loc.file, roles.key_span),
                    message: "`roles` is a block, as Terraform 0.11 wrote it, which Terraform 0.12 and \
                              later refuse: write it as an argument, `roles = { authenticated = … }`"
                        .to_string(),
                });
            }
            self.extract_variants(scope, res, model);
            if res.type_ == "aws_iam_role"
                && let Some(policy) = res.body.get("assume_role_policy")
                && model.roles.last().is_some_and(|r| r.trust.iter().all(|t| t.value.is_none()))
            {
                unread_trusts.push((model.roles.len() - 1, Loc::new(res.loc.file, policy.span)));
            }
        });
        report_unread_trusts(&unread_trusts, model);
        // Role policies name roles that must all be in the model first.
        let roles = super::super::RoleIndex::new(model);
        self.each_resource(|scope, res| {
            attach_role_policies(scope, res, &roles, model);
            self.eval.report_pending(res, model);
        });
        model.errors.extend(self.eval.take_errors());
    }

    /// Adds one resource to the model, once per assignment of the conditional expressions
    /// (`c ? a : b`) its values meet, as CloudFormation's `Fn::If`s are: every branch is
    /// checked, and conditions shared with other resources keep their branches together.
    /// Past [`MAX_CONDITIONALS`] conditions, [`MAX_ASSIGNMENTS`] assignments are sampled so
    /// that every branch appears, and the resource gets a CT901 finding.
    fn extract_variants(&self, scope: &Scope, res: &TfResource, model: &mut Model) {
        self.eval.set_assign(None);
        let mut found = Model::default();
        extract(scope, res, &mut found);
        self.eval.report_pending(res, &mut found);
        let atoms = self.eval.take_atoms();
        if atoms.is_empty() {
            model.append(found);
            return;
        }
        let (assignments, sampled) = assignments(&atoms);
        let mut merged: Option<Model> = None;
        for assign in assignments {
            self.eval.set_assign(Some(assign.clone()));
            let mut one = Model::default();
            extract(scope, res, &mut one);
            self.eval.report_pending(res, &mut one);
            merge_variant(&mut merged, one, &assign);
        }
        self.eval.set_assign(None);
        let mut merged = merged.unwrap_or_default();
        if sampled {
            let resource = ResourceRef {
                file: res.loc.file,
                name: res.address.clone(),
                loc: res.loc,
                construct_path: None,
            };
            let reason = format!(
                "its values hold {} conditional expressions ({} combinations); {MAX_ASSIGNMENTS} were \
                 checked, so that every branch appears",
                atoms.len(),
                combinations(atoms.len())
            );
            merged.incomplete.push(Incomplete { resource, loc: res.loc, reason });
        }
        model.append(merged);
    }

    pub(super) fn each_resource(&self, mut f: impl FnMut(&Scope, &TfResource)) {
        for (i, inst) in self.instances.iter().enumerate() {
            for (b, block) in self.modules[inst.module].resources.iter().enumerate() {
                let base = format!("{}{}.{}", inst.prefix, block.type_, block.name);
                let mut visit = |each: Option<&Each>, address: String| {
                    let scope = self.scope(i, block.file, each);
                    let res = TfResource { address, type_: &block.type_, body: block.body, loc: block.loc };
                    f(&scope, &res);
                };
                match &*self.keys(i, b) {
                    Keys::One | Keys::Not(_) => {
                        visit(None, base);
                    }
                    Keys::Count(n) => {
                        for index in 0..*n {
                            let e = Each { key: index.to_string(), count: true, map: None };
                            visit(Some(&e), format!("{base}[{index}]"));
                        }
                    }
                    Keys::ForEach(keys, map) => {
                        for key in keys {
                            let map = if *map { block.body.get("for_each") } else { None };
                            let e = Each { key: key.clone(), count: false, map };
                            visit(Some(&e), format!("{base}{}", quoted_key(key)));
                        }
                    }
                }
            }
        }
    }
}

/// Most distinct conditions one resource is expanded on, every combination checked.
const MAX_CONDITIONALS: usize = 6;

/// Most assignments one resource is extracted under: `2^MAX_CONDITIONALS`, as CloudFormation's
/// `Fn::If` combinations.
const MAX_ASSIGNMENTS: usize = 1 << MAX_CONDITIONALS;

/// The assignments a resource is extracted under: all of them for a few atoms; past that all
/// false, all true, then each atom alone true and alone false, up to [`MAX_ASSIGNMENTS`].
fn assignments(atoms: &[String]) -> (Vec<Assign>, bool) {
    let assign = |value: &dyn Fn(usize) -> bool| {
        Assign(atoms.iter().enumerate().map(|(i, a)| (a.clone(), value(i))).collect())
    };
    if atoms.len() <= MAX_CONDITIONALS {
        let all = (0..1usize << atoms.len()).map(|bits| assign(&|i| bits >> i & 1 == 1)).collect();
        return (all, false);
    }
    let mut out = vec![assign(&|_| false), assign(&|_| true)];
    for alone in 0..atoms.len() {
        out.push(assign(&|i| i == alone));
        out.push(assign(&|i| i != alone));
    }
    out.truncate(MAX_ASSIGNMENTS);
    (out, true)
}

/// `2^n`, or "more than 10^18".
fn combinations(n: usize) -> String {
    match u32::try_from(n).ok().and_then(|n| 1u64.checked_shl(n)).filter(|_| n < 60) {
        Some(c) => thousands(usize::try_from(c).unwrap_or(usize::MAX)),
        None => "more than 10^18".to_string(),
    }
}

/// Adds the resource `one` holds, extracted under `assign`, to `merged` as one more variant
/// of the same resource: pools and attachments by their variants, roles by their trust.
fn merge_variant(merged: &mut Option<Model>, mut one: Model, assign: &Assign) {
    for pool in &mut one.pools {
        pool.variants.iter_mut().for_each(|v| v.assign = assign.clone());
    }
    for attachment in &mut one.attachments {
        attachment.variants.iter_mut().for_each(|v| v.assign = assign.clone());
    }
    for role in &mut one.roles {
        role.trust.iter_mut().for_each(|v| v.assign = assign.clone());
    }
    let Some(into) = merged else {
        *merged = Some(one);
        return;
    };
    for (pool, more) in into.pools.iter_mut().zip(one.pools) {
        pool.variants.extend(more.variants);
    }
    for (attachment, more) in into.attachments.iter_mut().zip(one.attachments) {
        attachment.variants.extend(more.variants);
    }
    for (role, more) in into.roles.iter_mut().zip(one.roles) {
        role.trust.extend(more.trust);
    }
    // Limits met under any assignment are said once per place.
    for incomplete in one.incomplete {
        if !into.incomplete.iter().any(|i| i.loc == incomplete.loc && i.reason == incomplete.reason) {
            into.incomplete.push(incomplete);
        }
    }
}

/// A role a pool hands out whose trust policy could not be read (a spelling or a function
/// not understood) would pass every trust rule unchecked: CT901 at its `assume_role_policy`.
/// Roles no slot or group names are left alone, as other front ends leave them.
fn report_unread_trusts(unread: &[(usize, Loc)], model: &mut Model) {
    if unread.is_empty() {
        return;
    }
    let mut handed_out: HashSet<&str> = HashSet::new();
    let slots = model.attachments.iter().flat_map(|a| &a.variants).flat_map(|v| &v.value.slots);
    for value in
        slots.map(|s| &s.role.value).chain(model.groups.iter().filter_map(|g| Some(&g.role.as_ref()?.value)))
    {
        for alternative in value.alternatives() {
            if let Some((_, resource, _)) = alternative.as_attr() {
                handed_out.insert(resource);
            }
        }
    }
    let incomplete: Vec<Incomplete> = unread
        .iter()
        .filter(|(role, _)| handed_out.contains(model.roles[*role].resource.name.as_str()))
        .map(|&(role, loc)| Incomplete {
            resource: model.roles[role].resource.clone(),
            loc,
            reason: "its trust policy could not be read (`jsonencode({...})`, JSON text with `${...}` \
                     and `data.aws_iam_policy_document` are understood), so its trust was not checked"
                .to_string(),
        })
        .collect();
    model.incomplete.extend(incomplete);
}
