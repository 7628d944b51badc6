//! CT901 for what was not expanded: module calls past the bounds or outside the scanned
//! folders, and module calls and resources whose `count` or `for_each` instances are not known.

use std::collections::HashSet;

use super::keys::Keys;
use super::{MAX_INSTANCE_BLOCKS, MAX_INSTANCES, MAX_MODULE_DEPTH, NotExpanded, Sources, thousands};
use crate::frontend::Resolve;
use crate::model::{Incomplete, Model, ResourceRef, Sym};
use crate::syntax::Node;

impl Sources<'_> {
    /// One CT901 finding per module call block some instance did not expand, named after the
    /// first such instance.
    pub(super) fn report_not_expanded(&self, model: &mut Model) {
        let mut seen = HashSet::new();
        for (inst, call, why) in &self.not_expanded {
            let instance = &self.instances[*inst];
            let c = &self.modules[instance.module].calls[*call];
            if !seen.insert((instance.module, *call)) {
                continue;
            }
            let source = c.body.get("source").and_then(Node::as_str).unwrap_or_default();
            let reason = match why {
                NotExpanded::TooDeep => format!(
                    "modules nest more than {MAX_MODULE_DEPTH} deep: module `{}` (`{source}`) and the \
                     modules it calls were not expanded, so their resources were not checked",
                    c.name
                ),
                NotExpanded::TooManyInstances => format!(
                    "more than {} module instances: module `{}` (`{source}`) and the modules it \
                     calls were not expanded, so their resources were not checked",
                    thousands(MAX_INSTANCES),
                    c.name
                ),
                NotExpanded::TooManyBlocks => format!(
                    "module instances would hold more than {} resource and data blocks: module \
                     `{}` (`{source}`) and the modules it calls were not expanded, so their \
                     resources were not checked",
                    thousands(MAX_INSTANCE_BLOCKS),
                    c.name
                ),
                NotExpanded::NotScanned => format!(
                    "its source `{source}` is not among the scanned folders (module sources are \
                     only followed inside them), so its resources were not checked"
                ),
            };
            let resource = ResourceRef {
                file: c.file,
                name: format!("{}module.{}", instance.prefix, c.name),
                loc: c.loc,
                construct_path: None,
            };
            model.incomplete.push(Incomplete { resource, loc: c.loc, reason });
        }
    }

    /// One CT901 finding per module call block whose `count` or `for_each` instances some
    /// instance could not tell.
    pub(super) fn report_unkeyed_calls(&self, model: &mut Model) {
        let mut seen = HashSet::new();
        for (inst, call, why) in &self.unkeyed {
            let instance = &self.instances[*inst];
            let c = &self.modules[instance.module].calls[*call];
            let children = instance.children.get(&c.name).map_or(&[][..], Vec::as_slice);
            let mut subjects = Vec::new();
            for &(_, child) in children {
                self.modelled_addresses(child, &mut subjects);
            }
            if subjects.is_empty() || !seen.insert((instance.module, *call)) {
                continue;
            }
            let reason = format!(
                "{why}, so its instances were not expanded: module `{}` was checked as one \
                 instance whose {} unknown",
                c.name,
                instance_names(c.body)
            );
            let resource = ResourceRef {
                file: c.file,
                name: format!("{}module.{}", instance.prefix, c.name),
                loc: c.loc,
                construct_path: None,
            };
            // Said when a resource of the module takes part in a pool's check.
            let incomplete = Incomplete { resource, loc: c.loc, reason };
            model.incomplete_if_used.extend(subjects.into_iter().map(|s| (incomplete.clone(), s)));
        }
    }

    /// The addresses of the resources the model reads in instance `inst` and the instances
    /// below it.
    fn modelled_addresses(&self, inst: usize, out: &mut Vec<String>) {
        let instance = &self.instances[inst];
        for b in
            self.modules[instance.module].resources.iter().filter(|b| super::super::is_modelled(&b.type_))
        {
            out.push(format!("{}{}.{}", instance.prefix, b.type_, b.name));
        }
        for &(_, child) in instance.children.values().flatten() {
            self.modelled_addresses(child, out);
        }
    }

    /// CT901 for every resource the model reads whose `count` or `for_each` instances were not
    /// expanded (an S3 object per file of a `fileset` is none of the analysis's business).
    pub(super) fn report_unexpanded_resources(&self, model: &mut Model) {
        for (i, inst) in self.instances.iter().enumerate() {
            for (b, block) in self.modules[inst.module].resources.iter().enumerate() {
                if !super::super::is_modelled(&block.type_) {
                    continue;
                }
                if let Keys::Not(why) = &*self.keys(i, b) {
                    // A role policy matters when its role does; anything else when it itself does.
                    let scope = self.scope(i, block.file, None);
                    let subject = match block
                        .body
                        .get("role")
                        .filter(|_| block.type_.starts_with("aws_iam_role_policy"))
                    {
                        Some(role) => match scope.eval(role) {
                            Sym::Attr { resource, .. } => resource,
                            _ => String::new(),
                        },
                        None => format!("{}{}.{}", inst.prefix, block.type_, block.name),
                    };
                    let resource = ResourceRef {
                        file: block.file,
                        name: format!("{}{}.{}", inst.prefix, block.type_, block.name),
                        loc: block.loc,
                        construct_path: None,
                    };
                    let reason = format!(
                        "{why}, so its instances were not expanded: it was checked as one resource \
                         whose {} unknown",
                        instance_names(block.body)
                    );
                    model.incomplete_if_used.push((Incomplete { resource, loc: block.loc, reason }, subject));
                }
            }
        }
    }
}

/// What names an instance in a block with `count` or `for_each`, as a message says it.
fn instance_names(body: &Node) -> &'static str {
    if body.get("count").is_some() { "`count.index` is" } else { "`each.key` and `each.value` are" }
}
