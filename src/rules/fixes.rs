//! Fixes that several rules make: a condition added to a trust statement, bound to the pool
//! that hands the role out.

use super::TrustedRole;
use crate::fix::{Anchor, Change, Fix, Form, Value};
use crate::iam::WEB_IDENTITY;
use crate::model::Dialect;
use crate::model::Sym;
use crate::model::{Condition, Model, PolicyForm, Pool, Statement};

/// All of a file, for a fix that must stay in the resource's own file.
pub fn whole(file: crate::source::FileId) -> crate::source::Loc {
    crate::source::Loc::new(file, crate::syntax::Span::new(0, usize::MAX))
}

/// The one pool that hands the role out, when its ID can be written where the trust is: in the
/// same template, or in the same Terraform module. Else why not.
pub(crate) fn the_pool<'m>(model: &Model, tr: &TrustedRole<'m>) -> Result<&'m Pool, String> {
    let mut pools: Vec<&Pool> = tr.uses.iter().filter_map(|u| u.pool).collect();
    pools.dedup_by(|a, b| std::ptr::eq(*a, *b));
    let pool = match pools.as_slice() {
        [one] => *one,
        [] => return Err("no identity pool in the scan hands the role out".into()),
        _ => return Err("several identity pools hand the role out: say which may obtain it".into()),
    };
    let (role, here) = (tr.role.resource.file, pool.resource.file);
    let terraform = Dialect::of_file(model, here).terraform();
    let reachable = if terraform {
        model.folders.get(here) == model.folders.get(role)
            && !pool.id_text.starts_with("module.")
            && !pool.id_text.contains('[')
    } else {
        here == role
    };
    if !reachable {
        return Err(format!("pool `{}` is defined where the trust cannot reference it", pool.resource.name));
    }
    Ok(pool)
}

/// Adds `operator: {key: value}` to the conditions of `st`: into the statement's `operator`
/// block when it has one, else as a new operator (a new `condition` block in a policy
/// document), before the first one.
pub(crate) fn add_condition(
    dialect: Dialect,
    st: &Statement,
    title: String,
    operator: &str,
    key: &str,
    value: Value,
) -> Fix {
    let first = |same: &dyn Fn(&&Condition) -> bool| {
        st.conditions.iter().filter(same).min_by_key(|c| (c.operator_loc.span.start, c.key_loc.span.start))
    };
    let Some(any) = first(&|_| true) else {
        return Fix::uncertain(
            title,
            "the statement's conditions are not written as entries the fix can add to",
        );
    };
    let form = match dialect {
        Dialect::Yaml | Dialect::Serverless => Form::Yaml,
        Dialect::Json => Form::Json,
        Dialect::Terraform(PolicyForm::JsonText) => Form::JsonText,
        Dialect::Terraform(PolicyForm::HclObject) => Form::Hcl,
        Dialect::Terraform(PolicyForm::DocumentBlocks) => {
            let change = Change::ConditionBlock {
                before: any.operator_loc,
                before_test: any.operator.clone(),
                test: operator.into(),
                variable: key.into(),
                value,
            };
            return Fix::new(title, vec![change]).within(st.loc);
        }
        Dialect::Terraform(PolicyForm::Template) => {
            return Fix::uncertain(title, "the policy's form is not known");
        }
        Dialect::TemplateFile => {
            return Fix::uncertain(
                title,
                "the trust is in a file Terraform reads (file(), templatefile()), which cannot reference the pool: pass it the pool's ID with templatefile()",
            );
        }
    };
    let change = match first(&|c| c.operator == operator) {
        Some(same) => Change::Entry {
            before: Anchor::Key { at: same.key_loc, key: same.key.clone() },
            form,
            key: key.into(),
            value,
        },
        None => Change::Entry {
            before: Anchor::Key { at: any.operator_loc, key: any.operator.clone() },
            form,
            key: operator.into(),
            value: Value::Map(vec![(key.into(), value)]),
        },
    };
    Fix::new(title, vec![change]).within(st.loc)
}

/// The change of a statement's first `AssumeRole…` action, written literally, to
/// `sts:AssumeRoleWithWebIdentity`.
pub(crate) fn action_change(st: &Statement) -> Option<Change> {
    if st.not_action {
        return None;
    }
    st.actions.iter().find_map(|a| match &a.value {
        Sym::Lit(s) if is_assume_role(s) => {
            Some(Change::Text { at: a.loc, from: s.clone(), to: WEB_IDENTITY.to_string() })
        }
        _ => None,
    })
}

/// `sts:AssumeRole`, `sts:AssumeRoleWithSAML`: an action that assumes roles the wrong way.
fn is_assume_role(action: &str) -> bool {
    let lower = action.to_ascii_lowercase();
    lower.starts_with("sts:assumerole") && !lower.contains('*') && !lower.contains('?')
}
