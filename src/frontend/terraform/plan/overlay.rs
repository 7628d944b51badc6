//! A planned resource's values overlaid with its configuration's expressions, where the plan
//! does not know them.

use std::collections::{HashMap, HashSet};

use crate::syntax::{Entry, Node, Value};

/// Planned values where known; where `unknown` marks a value unknown (or the plan has none),
/// the configuration's expression for it. A map or list whose elements are unknown but whose
/// configuration is one flat list of references (a `roles` map) becomes `tf::unknown`: which
/// reference fills which key cannot be told. `unpaired` is set when a list of nested blocks was
/// too long to pair with its configured blocks by their values (they are paired by position).
pub(super) fn overlay(
    planned: &Node,
    unknown: Option<&Node>,
    config: Option<&Node>,
    unpaired: &mut bool,
) -> Node {
    let whole_unknown = matches!(unknown.map(|u| &u.value), Some(Value::Bool(true)));
    let flat_config = config.is_some_and(|c| c.single_entry().is_some_and(|e| e.key.starts_with("tf::")));
    if whole_unknown || matches!(planned.value, Value::Null) {
        return match config {
            Some(_) if flat_config && has_unknown(unknown) && !matches!(planned.value, Value::Null) => {
                opaque(planned, config)
            }
            Some(c) => c.clone(),
            None => planned.clone(),
        };
    }
    match &planned.value {
        Value::Map(entries) => {
            if flat_config && has_unknown(unknown) {
                return opaque(planned, config);
            }
            overlay_map(planned, entries, unknown, config, flat_config, unpaired)
        }
        Value::Seq(items) => {
            if flat_config && has_unknown(unknown) {
                return config.cloned().unwrap_or_else(|| opaque(planned, config));
            }
            overlay_seq(planned, items, unknown, config, unpaired)
        }
        _ => planned.clone(),
    }
}

/// A planned map: each entry overlaid with its configuration, then the configured entries the
/// plan does not hold.
fn overlay_map(
    planned: &Node,
    entries: &[Entry],
    unknown: Option<&Node>,
    config: Option<&Node>,
    flat_config: bool,
    unpaired: &mut bool,
) -> Node {
    let mut out: Vec<Entry> = entries
        .iter()
        .map(|e| Entry {
            key: e.key.clone(),
            key_span: e.key_span,
            value: overlay(
                &e.value,
                unknown.and_then(|u| u.get(&e.key)),
                config.and_then(|c| c.get(&e.key)),
                unpaired,
            ),
        })
        .collect();
    let planned_keys: HashSet<&str> = entries.iter().map(|e| e.key.as_str()).collect();
    let mut added = HashSet::new();
    for e in config.filter(|_| !flat_config).and_then(Node::as_map).unwrap_or(&[]) {
        if !planned_keys.contains(e.key.as_str()) && added.insert(e.key.as_str()) {
            out.push(e.clone());
        }
    }
    Node::new(Value::Map(out), planned.span)
}

/// A planned list: each item overlaid with the configured one paired with it.
fn overlay_seq(
    planned: &Node,
    items: &[Node],
    unknown: Option<&Node>,
    config: Option<&Node>,
    unpaired: &mut bool,
) -> Node {
    // Nested blocks that are sets (a policy document's `condition`s) come back sorted:
    // pair each planned block with the configured one its known values agree with.
    let mut pairing = Pairing::new(config, items.len());
    let out = items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let paired = pairing.find(item).or_else(|| nth(config, i));
            overlay(item, nth(unknown, i), paired, unpaired)
        })
        .collect();
    *unpaired |= pairing.exhausted;
    Node::new(Value::Seq(out), planned.span)
}

/// Finds, for planned blocks, the first configured block whose known values all agree with the
/// planned block's and one of them equal to it. Candidates come from an index of the configured
/// blocks' known values, and the checks of one list are bounded (a few per block): a hostile
/// list of blocks that all share a value but differ in another would otherwise check every pair.
struct Pairing<'c> {
    blocks: &'c [Node],
    /// Configured blocks by each (key, known value) they hold, in order.
    by_value: HashMap<(&'c str, String), Vec<usize>>,
    /// Checks left for this list.
    budget: usize,
    exhausted: bool,
}

impl<'c> Pairing<'c> {
    fn new(config: Option<&'c Node>, planned: usize) -> Self {
        let blocks = config.and_then(Node::as_seq).unwrap_or(&[]);
        let mut by_value: HashMap<(&str, String), Vec<usize>> = HashMap::new();
        for (j, block) in blocks.iter().enumerate() {
            let mut seen = HashSet::new();
            for e in block.as_map().unwrap_or(&[]) {
                // `get` reads the last of repeated keys, as the check does.
                if !seen.insert(e.key.as_str()) {
                    continue;
                }
                if let Some(text) =
                    block.get(&e.key).filter(|v| is_known_scalar(v)).and_then(Node::scalar_text)
                {
                    by_value.entry((e.key.as_str(), text)).or_default().push(j);
                }
            }
        }
        let budget = 64usize.saturating_mul(planned.saturating_add(blocks.len())).saturating_add(1 << 16);
        Pairing { blocks, by_value, budget, exhausted: false }
    }

    fn find(&mut self, planned: &Node) -> Option<&'c Node> {
        if self.exhausted {
            return None;
        }
        let known: Vec<(&str, String)> = planned
            .as_map()?
            .iter()
            .filter(|e| is_known_scalar(&e.value))
            .filter_map(|e| Some((e.key.as_str(), e.value.scalar_text()?)))
            .collect();
        let mut candidates: Vec<usize> = known
            .iter()
            .filter_map(|(k, v)| self.by_value.get(&(*k, v.clone())))
            .flatten()
            .copied()
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        for j in candidates {
            if self.budget == 0 {
                self.exhausted = true;
                return None;
            }
            self.budget -= 1;
            let block = &self.blocks[j];
            let agrees = known.iter().all(|(k, v)| match block.get(k) {
                Some(cv) if is_known_scalar(cv) => cv.scalar_text().as_ref() == Some(v),
                _ => true,
            });
            if agrees {
                return Some(block);
            }
        }
        None
    }
}

fn nth(node: Option<&Node>, i: usize) -> Option<&Node> {
    node.and_then(Node::as_seq).and_then(|s| s.get(i))
}

/// Whether an `after_unknown` value marks anything unknown.
fn has_unknown(unknown: Option<&Node>) -> bool {
    match unknown.map(|u| &u.value) {
        Some(Value::Bool(b)) => *b,
        Some(Value::Map(entries)) => entries.iter().any(|e| has_unknown(Some(&e.value))),
        Some(Value::Seq(items)) => items.iter().any(|i| has_unknown(Some(i))),
        _ => false,
    }
}

/// What a value the plan does not know stands for: the reference its configuration makes, when
/// it makes one (`module.iam.role_arns`), so the roles it reaches can still be found.
fn opaque(at: &Node, config: Option<&Node>) -> Node {
    let value = match config.and_then(Node::single_entry) {
        Some(e) if e.key == "tf::ref" || e.key == super::REFS => e.value.clone(),
        _ => Node::new(Value::String("a value the plan does not know".into()), at.span),
    };
    Node::new(Value::Map(vec![Entry { key: "tf::unknown".into(), key_span: at.span, value }]), at.span)
}

pub(super) fn is_known_scalar(node: &Node) -> bool {
    matches!(node.value, Value::String(_) | Value::Number(_) | Value::Bool(_))
}
