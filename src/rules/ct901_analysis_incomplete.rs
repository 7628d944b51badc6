use super::{Context, Findings, TrustedRole, declare_rule};
use crate::model::{Model, ResourceRef, Sym};
use crate::source::Loc;

declare_rule! {
    /// ## What it does
    /// Says which pool, slot or role trust cognitrust could not fully check because a limit
    /// was hit: a chain of references, imports or nested stacks longer than it follows, a value
    /// too large to evaluate, more combinations of template conditions than it enumerates, more
    /// module instances than it expands; or because a slot's role, a pool, a mapping's provider
    /// or a value of a pool role's trust policy is something the scanned files define but
    /// cognitrust does not evaluate (a Terraform function such as `replace`, a CloudFormation
    /// intrinsic such as `Fn::Transform`, a collection a `%{ for }` iterates that is not known),
    /// or a role a pool hands out has a trust policy that cannot be read: it lies inside the
    /// scan and still was not checked. The message names what was not checked and why.
    ///
    /// ## Why is this bad?
    /// A scanner that stops at a limit and says nothing reports a pass it never earned: the
    /// mistake may sit in exactly the part that was not evaluated. The limits keep a scan of a
    /// hostile pull request fast and small; this finding keeps it honest. Its default severity
    /// is a warning, so the default `--fail-on warning` fails the run.
    ///
    /// ## Example
    /// ```yaml
    ///   AuthRole:
    ///     Type: AWS::IAM::Role
    ///     Properties:
    ///       AssumeRolePolicyDocument:
    ///         Statement:
    ///           - !If [C1, {...}, {...}]   # twelve independent Fn::If statements:
    ///           - !If [C2, {...}, {...}]   # 4,096 combinations of conditions
    /// ```
    ///
    /// ## Use instead
    /// Simplify the construct the message names (fewer independent conditions in one trust
    /// policy, a shorter chain of imports), or check that part by hand and suppress the finding
    /// with a reason (`# cognitrust: ignore[CT901] trust reviewed by hand`).
    ///
    /// ## References
    /// - [CloudFormation condition functions](https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference-conditions.html)
    code: "CT901", name: "analysis-incomplete", severity: Warning,
    summary: "a limit was hit or an input could not be evaluated, so a pool, slot or role was not fully checked",
    check: check,
}

/// The resources that take part in a pool's check: pools, attachments, groups with a role,
/// and the roles a pool hands out or that trust the Cognito principal.
fn in_checks<'m>(model: &'m Model, trusted: &[TrustedRole<'m>]) -> std::collections::HashSet<&'m str> {
    let mut names: std::collections::HashSet<&str> = std::collections::HashSet::new();
    names.extend(model.pools.iter().map(|p| p.resource.name.as_str()));
    names.extend(model.attachments.iter().map(|a| a.resource.name.as_str()));
    names.extend(model.groups.iter().filter(|g| g.known_role().is_some()).map(|g| g.resource.name.as_str()));
    names.extend(model.uses.iter().map(|u| model.roles[u.role].resource.name.as_str()));
    names.extend(trusted.iter().map(|t| t.role.resource.name.as_str()));
    names
}

fn check(cx: &Context, out: &mut Findings) {
    let model = cx.model;
    let trusted = &cx.trusted;
    let used = in_checks(model, trusted);
    let relevant = model.incomplete_if_used.iter().filter(|(_, subject)| used.contains(subject.as_str()));
    for inc in model.incomplete.iter().chain(relevant.map(|(inc, _)| inc)) {
        let f = out.add(
            inc.loc,
            &inc.resource,
            format!("`{}` was not fully checked: {}", inc.resource.name, inc.reason),
        );
        f.label("not fully evaluated").help(HELP);
    }
    // A slot whose role is named by what the scan read but does not evaluate: inside the
    // scanned files, so a note saying it lies elsewhere would be wrong, and a pass silent.
    for un in model.unresolved.iter().filter(|u| u.unevaluated) {
        let att = &model.attachments[un.attachment];
        let slot = &att.variants[un.variant].value.slots[un.slot];
        let f = out.add(
            slot.role.loc,
            &att.resource,
            format!("the {} of `{}` was not checked: {}", slot.kind.describe(), att.resource.name, un.reason),
        );
        f.label("not evaluated").help(HELP);
    }
    unread_trust_policies(model, out);
    for (resource, loc, what) in unevaluated_trust_values(trusted) {
        let f = out.add(
            loc,
            resource,
            format!(
                "`{}` was not fully checked: a value of its trust policy could not be evaluated ({what})",
                resource.name
            ),
        );
        f.label("not evaluated").help(HELP);
    }
    for limited in limited_values(model) {
        let f = out.add(
            limited.loc,
            limited.resource,
            format!(
                "`{}` was not fully checked: {} could not be evaluated ({})",
                limited.resource.name, limited.what, limited.limit
            ),
        );
        f.label("evaluation stopped here").help(HELP);
    }
}

/// A role a pool hands out whose trust policy could not be read in any variant, and that no
/// other CT901 already names (a plan's role whose policy is only known at apply, say).
fn unread_trust_policies(model: &crate::model::Model, out: &mut Findings) {
    let named: std::collections::HashSet<&str> =
        model.incomplete.iter().map(|i| i.resource.name.as_str()).collect();
    let mut seen = std::collections::HashSet::new();
    for u in &model.uses {
        let role = &model.roles[u.role];
        if role.trust.iter().any(|t| t.value.is_some())
            || named.contains(role.resource.name.as_str())
            || !seen.insert(u.role)
        {
            continue;
        }
        let f = out.add(
            role.resource.loc,
            &role.resource,
            format!(
                "`{}` was not fully checked: its trust policy could not be read, so its trust was not checked",
                role.resource.name
            ),
        );
        f.label("trust policy not read").help(HELP);
    }
}

const HELP: &str =
    "simplify this part of the input, or check it by hand and suppress this finding with a reason";

/// A modelled value whose evaluation stopped at a limit.
struct Limited<'m> {
    resource: &'m ResourceRef,
    loc: Loc,
    /// What the value is: "the role of a slot".
    what: &'static str,
    /// The limit that was hit.
    limit: &'m str,
}

/// Every modelled value whose evaluation stopped at a limit.
/// Principals, actions and condition values of the trust policies of pool roles that hold a
/// function or intrinsic the scan does not evaluate: the rules read them as any value, so
/// say so. Once per place.
fn unevaluated_trust_values<'m>(trusted: &[TrustedRole<'m>]) -> Vec<(&'m ResourceRef, Loc, &'m str)> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for tr in trusted {
        for st in &tr.policy.statements {
            let principals = st.principal.iter().flat_map(|p| &p.entries).map(|e| (&e.value, e.loc));
            let items = st.actions.iter().chain(st.conditions.iter().flat_map(|c| &c.values));
            for (value, loc) in principals.chain(items.map(|i| (&i.value, i.loc))) {
                if let Some(what) = value.unevaluated()
                    && seen.insert(loc)
                {
                    out.push((&tr.role.resource, loc, what));
                }
            }
        }
    }
    out
}

fn limited_values<'m>(model: &'m Model) -> Vec<Limited<'m>> {
    let mut out = Vec::new();
    // A limit met, or (`unevaluated`) a function or intrinsic the scan does not read.
    let mut add =
        |resource: &'m ResourceRef, value: &'m Sym, loc: Loc, what: &'static str, unevaluated: bool| {
            if let Some(limit) = value.limit().or(value.unevaluated().filter(|_| unevaluated)) {
                out.push(Limited { resource, loc, what, limit });
            }
        };
    for att in &model.attachments {
        for props in att.variants.iter().map(|v| &v.value) {
            if let Some(pool) = &props.pool {
                add(&att.resource, &pool.value, pool.loc, "the pool it attaches roles to", true);
            }
            for slot in &props.slots {
                // A slot whose role is not evaluated is said with the slot (`unresolved`).
                add(&att.resource, &slot.role.value, slot.role.loc, "the role of a slot", false);
            }
            for m in &props.mappings {
                add(&att.resource, &m.provider.value, m.provider.loc, "the provider of a role mapping", true);
            }
        }
    }
    for role in &model.roles {
        for st in role.trust.iter().filter_map(|t| t.value.as_ref()).flat_map(|p| &p.statements) {
            for e in st.principal.iter().flat_map(|p| &p.entries) {
                add(&role.resource, &e.value, e.loc, "a principal of its trust policy", false);
            }
            for item in st.actions.iter().chain(st.conditions.iter().flat_map(|c| &c.values)) {
                add(&role.resource, &item.value, item.loc, "a value of its trust policy", false);
            }
        }
    }
    out
}
