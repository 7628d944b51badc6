//! The concrete shapes of a value that holds `Fn::If` or `AWS::NoValue`, each with the
//! assignment of conditions that chooses it.
//!
//! Every child of a map or list is expanded once and the children's shapes are combined
//! under compatible assignments, so the work is polynomial in the size of the value. While the
//! combinations fit in a budget they are all enumerated; past it they are sampled so that every
//! shape of every child still appears in some combination, and the expansion says so
//! ([`Expansion::sampled`]), which rule CT901 reports. Nothing is dropped silently.

use super::eval::Scope;
use crate::model::Assign;
use crate::syntax::{Entry, Node, Value};

/// Most shapes one value expands into.
const MAX_VARIANTS: usize = 64;
/// Most nodes the shapes of one value may hold together: a large document gets fewer shapes,
/// so a value of a few megabytes with conditions in it cannot take gigabytes.
const NODE_BUDGET: usize = 1 << 21;

/// The shapes of one value.
pub(crate) struct Expansion {
    /// Each shape (`None`: the whole value is `AWS::NoValue`) with the assignment choosing it.
    pub variants: Vec<(Assign, Option<Node>)>,
    /// More combinations exist than were enumerated: every branch appears in some shape, but
    /// not every combination of branches was checked.
    pub sampled: bool,
    /// How many combinations there were, at least, when sampled.
    pub combinations: usize,
}

type Shapes = Vec<(Assign, Option<Node>)>;

/// The budget of one expansion, and what it had to leave out.
struct Budget {
    cap: usize,
    sampled: bool,
    combinations: usize,
}

impl<'c, 'a> Scope<'c, 'a> {
    /// Every concrete shape of `node` with its `Fn::If`s chosen and `AWS::NoValue` removed.
    pub fn expand(&self, node: &Node, base: &Assign) -> Expansion {
        let cap = if has_choice(node) { (NODE_BUDGET / node_count(node)).clamp(2, MAX_VARIANTS) } else { 1 };
        let mut budget = Budget { cap, sampled: false, combinations: 0 };
        let variants = self.shapes(node, base, &mut budget);
        Expansion { variants, sampled: budget.sampled, combinations: budget.combinations }
    }

    fn shapes(&self, node: &Node, base: &Assign, budget: &mut Budget) -> Shapes {
        if !has_choice(node) {
            return vec![(base.clone(), Some(node.clone()))];
        }
        if let Some(e) = node.single_entry() {
            if e.key == "Ref" && e.value.as_str() == Some("AWS::NoValue") {
                return vec![(base.clone(), None)];
            }
            if let ("Fn::If", Some([c, a, b])) = (e.key.as_str(), e.value.as_seq()) {
                let Some(c) = c.as_str() else { return vec![(base.clone(), Some(node.clone()))] };
                return self.if_shapes(c, a, b, base, budget);
            }
        }
        match &node.value {
            Value::Map(entries) => self.map_shapes(node, entries, base, budget),
            Value::Seq(items) => self.seq_shapes(node, items, base, budget),
            _ => vec![(base.clone(), Some(node.clone()))],
        }
    }

    fn if_shapes(&self, condition: &str, a: &Node, b: &Node, base: &Assign, budget: &mut Budget) -> Shapes {
        let rows = self.decide(condition, base);
        let mut branches: [Option<Shapes>; 2] = [None, None];
        for (_, truth) in &rows {
            let slot = usize::from(*truth);
            if branches[slot].is_none() {
                branches[slot] = Some(self.shapes(if *truth { a } else { b }, base, budget));
            }
        }
        // The rows of each truth value combined with that branch's shapes.
        let mut out = Vec::new();
        for truth in [false, true] {
            let Some(shapes) = &branches[usize::from(truth)] else { continue };
            let these: Vec<&Assign> = rows.iter().filter(|(_, t)| *t == truth).map(|(a, _)| a).collect();
            let theirs: Vec<&Assign> = shapes.iter().map(|(a, _)| a).collect();
            for (_, j, assign) in combine(&these, &theirs, budget) {
                out.push((assign, shapes[j].1.clone()));
            }
        }
        out
    }

    fn map_shapes(&self, node: &Node, entries: &[Entry], base: &Assign, budget: &mut Budget) -> Shapes {
        let mut partial: Vec<(Assign, Vec<Entry>)> = vec![(base.clone(), Vec::with_capacity(entries.len()))];
        for entry in entries {
            let entry_of = |value: Node| Entry { key: entry.key.clone(), key_span: entry.key_span, value };
            if !has_choice(&entry.value) {
                for (_, done) in &mut partial {
                    done.push(entry_of(entry.value.clone()));
                }
                continue;
            }
            let shapes = self.shapes(&entry.value, base, budget);
            partial = extend(partial, shapes, budget, |done, value| done.extend(value.map(entry_of)));
        }
        partial.into_iter().map(|(a, e)| (a, Some(Node::new(Value::Map(e), node.span)))).collect()
    }

    fn seq_shapes(&self, node: &Node, items: &[Node], base: &Assign, budget: &mut Budget) -> Shapes {
        let mut partial: Vec<(Assign, Vec<Node>)> = vec![(base.clone(), Vec::with_capacity(items.len()))];
        for item in items {
            if !has_choice(item) {
                for (_, done) in &mut partial {
                    done.push(item.clone());
                }
                continue;
            }
            let shapes = self.shapes(item, base, budget);
            partial = extend(partial, shapes, budget, |done, value| done.extend(value));
        }
        partial.into_iter().map(|(a, items)| (a, Some(Node::new(Value::Seq(items), node.span)))).collect()
    }
}

/// The partial shapes of a map or list, each extended by the compatible shapes of one more
/// child (`push` adds a child's shape to a partial one).
fn extend<T: Clone>(
    mut partial: Vec<(Assign, Vec<T>)>,
    shapes: Shapes,
    budget: &mut Budget,
    push: impl Fn(&mut Vec<T>, Option<Node>),
) -> Vec<(Assign, Vec<T>)> {
    let left: Vec<&Assign> = partial.iter().map(|(a, _)| a).collect();
    let right: Vec<&Assign> = shapes.iter().map(|(a, _)| a).collect();
    let pairs = combine(&left, &right, budget);
    // Pairs come left-major: the last pair of a partial shape takes it instead of a copy, so a
    // child without alternatives costs no copy of what came before it.
    let mut uses = vec![0usize; partial.len()];
    for (i, _, _) in &pairs {
        uses[*i] += 1;
    }
    let mut out = Vec::with_capacity(pairs.len());
    for (i, j, assign) in pairs {
        uses[i] -= 1;
        let mut done = if uses[i] == 0 { std::mem::take(&mut partial[i].1) } else { partial[i].1.clone() };
        push(&mut done, shapes[j].1.clone());
        out.push((assign, done));
    }
    out
}

/// The compatible pairs of `left` and `right` assignments with their union, in left-major
/// order. When there are more than the budget allows, a sample: every right one first (each
/// with a compatible left one, taken in turn), then the left ones not yet used, up to the cap.
fn combine(left: &[&Assign], right: &[&Assign], budget: &mut Budget) -> Vec<(usize, usize, Assign)> {
    let mut pairs = Vec::new();
    for (i, l) in left.iter().enumerate() {
        for (j, r) in right.iter().enumerate() {
            if let Some(m) = l.merge(r) {
                pairs.push((i, j, m));
            }
        }
    }
    if pairs.len() <= budget.cap {
        return pairs;
    }
    budget.sampled = true;
    budget.combinations = budget.combinations.max(pairs.len());
    let mut by_right: Vec<Vec<usize>> = vec![Vec::new(); right.len()];
    let mut by_left: Vec<Vec<usize>> = vec![Vec::new(); left.len()];
    for (k, (i, j, _)) in pairs.iter().enumerate() {
        by_right[*j].push(k);
        by_left[*i].push(k);
    }
    let mut chosen: Vec<usize> = Vec::new();
    let mut left_used = vec![false; left.len()];
    for (j, ks) in by_right.iter().enumerate() {
        if let Some(&k) = ks.get(j % ks.len().max(1)) {
            chosen.push(k);
            left_used[pairs[k].0] = true;
        }
    }
    for (i, ks) in by_left.iter().enumerate() {
        if chosen.len() >= budget.cap {
            break;
        }
        if !left_used[i]
            && let Some(&k) = ks.get(i % ks.len().max(1))
        {
            chosen.push(k);
        }
    }
    chosen.sort_unstable();
    chosen.truncate(budget.cap.max(right.len()));
    let mut keep = vec![false; pairs.len()];
    for k in chosen {
        keep[k] = true;
    }
    pairs.into_iter().zip(keep).filter_map(|(p, k)| k.then_some(p)).collect()
}

/// Whether a value holds an `Fn::If` or `AWS::NoValue` anywhere.
pub(crate) fn has_choice(node: &Node) -> bool {
    match &node.value {
        Value::Map(entries) => entries.iter().any(|e| {
            e.key == "Fn::If"
                || (e.key == "Ref" && e.value.as_str() == Some("AWS::NoValue"))
                || has_choice(&e.value)
        }),
        Value::Seq(items) => items.iter().any(has_choice),
        _ => false,
    }
}

/// How many nodes a value holds.
fn node_count(node: &Node) -> usize {
    1 + match &node.value {
        Value::Map(entries) => entries.iter().map(|e| node_count(&e.value)).sum(),
        Value::Seq(items) => items.iter().map(node_count).sum(),
        _ => 0,
    }
}

/// What CT901 says when an expansion sampled the combinations of `what`'s conditions.
pub(crate) fn sampled_reason(e: &Expansion, what: &str) -> Option<String> {
    e.sampled.then(|| {
        format!(
            "`Fn::If` conditions in its {what} make more combinations than are enumerated (at least {}, {} checked), so a mistake that shows only in a combination that was not checked may be missed",
            e.combinations,
            e.variants.len()
        )
    })
}
