//! What the report and suppressions read beside the model, and no rule's check does: places
//! that findings are shown with (a Terraform plan's resource, a CDK app's source line) and
//! where suppressions are written (resources' metadata, Terraform blocks' extents). Rules find
//! their facts in the rest of [`super::Model`]; what is here only decides where and whether a
//! finding is shown.

use std::collections::HashMap;

use super::Item;
use crate::source::{FileId, Loc};
use crate::syntax::Span;

/// Report-only places of a [`super::Model`].
#[derive(Debug, Default)]
pub struct Places {
    /// Where a Terraform plan plans a resource that `.tf` sources define (address → place), so
    /// findings on the sources can name the plan too.
    pub plan_places: HashMap<String, Loc>,
    /// Where the app that generated a template created each resource, from a CDK assembly's
    /// stack traces: (template file, logical ID) → the line of the app's source.
    pub app_sources: HashMap<(FileId, String), Loc>,
    /// Suppressions written in resources' `Metadata: {cognitrust: {ignore: [...]}}`.
    pub resource_suppressions: Vec<ResourceSuppression>,
    /// The extent of each Terraform resource block (file, span, address), so a comment inside
    /// a block can suppress that resource's findings.
    pub resource_extents: Vec<(FileId, Span, String)>,
}

impl Places {
    /// Adds the places of another model's files, read after this one's.
    pub fn append(&mut self, other: Places) {
        let Places { plan_places, app_sources, resource_suppressions, resource_extents } = other;
        self.plan_places.extend(plan_places);
        self.app_sources.extend(app_sources);
        self.resource_suppressions.extend(resource_suppressions);
        self.resource_extents.extend(resource_extents);
    }
}

/// `Metadata: {cognitrust: {ignore: [{rule: CT110, reason: "…"}]}}` on a resource.
#[derive(Debug, Clone)]
pub struct ResourceSuppression {
    pub file: FileId,
    pub resource: String,
    /// The rule as written, and its place.
    pub rule: Item,
    pub reason: Option<String>,
}
