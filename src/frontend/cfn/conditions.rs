//! Template conditions: under which assignments of their `Fn::Equals` atoms a named condition
//! holds. A condition is split on its atoms only until its value is settled (`Fn::Or` of six
//! atoms gives seven cases, not 64), conditions that name other conditions are evaluated once
//! per assignment, and circular conditions, which CloudFormation rejects, are input errors.

use crate::frontend::Resolve;
use std::collections::{HashMap, HashSet};

use super::Template;
use super::eval::Scope;
use crate::model::{Assign, EvalError};
use crate::syntax::Node;

/// Most free atoms a condition is split on; past it the condition itself becomes the atom.
const MAX_ATOMS: usize = 6;
/// How deep conditions may name conditions before the rest is treated as unreadable; deeper
/// chains are cut short rather than risk the stack.
const MAX_NESTING: usize = 256;

impl<'c, 'a> Scope<'c, 'a> {
    /// The assignments under which a named condition holds or not, extending `base`.
    pub fn decide(&self, condition: &str, base: &Assign) -> Vec<(Assign, bool)> {
        let mut atoms = Vec::new();
        self.condition_atoms(condition, &mut HashSet::new(), &mut atoms);
        let free: Vec<String> = atoms.into_iter().filter(|a| !base.has(a)).collect();
        if free.len() > MAX_ATOMS {
            return self.as_atom(condition, base, [true, false]);
        }
        if free.len() > 1 && self.ctx_private(condition) {
            return self.as_atom(condition, base, [false, true]);
        }
        let mut out = Vec::new();
        let mut equals = HashMap::new();
        self.split(condition, base.clone(), &free, &mut equals, &mut out);
        if out.is_empty() {
            // No assignment is possible: both branches stay possible.
            return vec![(base.clone(), true), (base.clone(), false)];
        }
        out
    }

    /// The condition as an atom of its own, with the values `order`.
    fn as_atom(&self, condition: &str, base: &Assign, order: [bool; 2]) -> Vec<(Assign, bool)> {
        let atom = format!("{}#condition:{condition}", self.file());
        order.into_iter().filter_map(|v| Some((base.merge(&Assign(vec![(atom.clone(), v)]))?, v))).collect()
    }

    /// Whether no other condition of the template compares what this one compares (and no rule
    /// reads what it says about the region): then the condition as a whole is the only thing
    /// choices can agree on, and it is one atom, not the cases of its atoms (an `Fn::Or` of six
    /// comparisons is two cases, not seven).
    fn ctx_private(&self, condition: &str) -> bool {
        self.private_conditions().contains(condition)
    }

    /// Shannon expansion of `condition` on the free atoms, the last atom first, so the cases come
    /// in the order of the full assignments they stand for (the first atom varies fastest).
    fn split(
        &self,
        condition: &str,
        assign: Assign,
        free: &[String],
        equals: &mut HashMap<usize, Result<bool, String>>,
        out: &mut Vec<(Assign, bool)>,
    ) {
        if let Some(value) = self.truth(condition, &assign, equals) {
            out.push((assign, value));
            return;
        }
        let Some((atom, rest)) = free.split_last() else {
            // An atom-free condition the analyzer cannot read: both branches stay possible.
            out.push((assign.clone(), true));
            out.push((assign, false));
            return;
        };
        for value in [false, true] {
            if let Some(next) = assign.merge(&Assign(vec![(atom.clone(), value)])) {
                self.split(condition, next, rest, equals, out);
            }
        }
    }

    /// The atoms of a condition and of the conditions it names, each once.
    fn condition_atoms<'t>(&self, condition: &'t str, seen: &mut HashSet<&'t str>, atoms: &mut Vec<String>)
    where
        'a: 't,
    {
        let tpl: &'a Template = self.tpl();
        let Some((name, node)) = tpl.conditions.get_key_value(condition) else { return };
        if seen.len() >= MAX_NESTING || !seen.insert(name.as_str()) {
            return;
        }
        self.formula_atoms(node, seen, atoms);
    }

    fn formula_atoms(&self, node: &'a Node, seen: &mut HashSet<&'a str>, atoms: &mut Vec<String>) {
        let Some(e) = node.single_entry() else { return };
        match (e.key.as_str(), e.value.as_seq()) {
            ("Condition", _) => {
                if let Some(name) = e.value.as_str() {
                    self.condition_atoms(name, seen, atoms);
                }
            }
            ("Fn::Equals", Some([a, b])) => {
                if let Err(atom) = self.equals_atom(a, b)
                    && !atoms.contains(&atom)
                {
                    atoms.push(atom);
                }
            }
            (_, Some(items)) => items.iter().for_each(|i| self.formula_atoms(i, seen, atoms)),
            _ => {}
        }
    }

    /// `Ok(value)` when both sides are known, else `Err(atom name)`.
    pub(super) fn equals_atom(&self, a: &Node, b: &Node) -> Result<bool, String> {
        use crate::model::Sym;
        let (a, b) = (self.eval(a), self.eval(b));
        match (&a, &b) {
            (Sym::Lit(x), Sym::Lit(y)) => Ok(x == y),
            // `AWS::Region = us-gov-west-1`: rules read the region or partition of a variant.
            (Sym::Pseudo(p), Sym::Lit(v)) | (Sym::Lit(v), Sym::Pseudo(p)) => {
                Err(format!("{}#{p}{}{v}", self.file(), crate::model::ATOM_VALUE))
            }
            // `Env = prod` and `Env = dev` cannot both hold: the separator lets `Assign` see it.
            (other, Sym::Lit(v)) | (Sym::Lit(v), other) => {
                Err(format!("{}#{other:?}{}{v}", self.file(), crate::model::ATOM_VALUE))
            }
            _ => {
                let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
                Err(format!("{}#{lo:?}={hi:?}", self.file()))
            }
        }
    }

    /// The value of a condition under a partial assignment: `None` while an atom it needs is
    /// unassigned, or when it cannot be read. Conditions it names are evaluated once each.
    fn truth(
        &self,
        condition: &str,
        assign: &Assign,
        equals: &mut HashMap<usize, Result<bool, String>>,
    ) -> Option<bool> {
        let mut eval = Truth { scope: self, assign, equals, known: HashMap::new(), open: HashSet::new() };
        eval.condition(condition)
    }

    /// The assignments under which a resource with `Condition: name` exists.
    pub fn exists(&self, condition: Option<&str>) -> Vec<Assign> {
        match condition {
            None => vec![Assign::default()],
            Some(c) => {
                self.decide(c, &Assign::default()).into_iter().filter_map(|(a, v)| v.then_some(a)).collect()
            }
        }
    }
}

/// One evaluation of conditions under one assignment, remembering each named condition's value.
struct Truth<'s, 'c, 'a> {
    scope: &'s Scope<'c, 'a>,
    assign: &'s Assign,
    /// `Fn::Equals` results by the node's address: the two sides are evaluated once.
    equals: &'s mut HashMap<usize, Result<bool, String>>,
    known: HashMap<String, Option<bool>>,
    open: HashSet<String>,
}

impl Truth<'_, '_, '_> {
    fn condition(&mut self, name: &str) -> Option<bool> {
        if let Some(v) = self.known.get(name) {
            return *v;
        }
        let node = self.scope.tpl().conditions.get(name)?;
        if self.open.len() >= MAX_NESTING || !self.open.insert(name.to_string()) {
            return None; // circular: reported once by `circular_conditions`
        }
        let value = self.formula(node);
        self.open.remove(name);
        self.known.insert(name.to_string(), value);
        value
    }

    fn formula(&mut self, node: &Node) -> Option<bool> {
        let e = node.single_entry()?;
        match (e.key.as_str(), e.value.as_seq()) {
            ("Condition", _) => self.condition(e.value.as_str()?),
            ("Fn::Equals", Some([a, b])) => {
                let key = node as *const Node as usize;
                let scope = self.scope;
                match self.equals.entry(key).or_insert_with(|| scope.equals_atom(a, b)) {
                    Ok(v) => Some(*v),
                    Err(atom) => self.assign.get(atom),
                }
            }
            ("Fn::Not", Some([inner])) => self.formula(inner).map(|v| !v),
            ("Fn::And", Some(list)) => self.fold(list, false),
            ("Fn::Or", Some(list)) => self.fold(list, true),
            _ => None,
        }
    }

    /// `Fn::Or` (`settles` true) or `Fn::And` (false): settled by any operand of that value,
    /// else known only when every operand is.
    fn fold(&mut self, list: &[Node], settles: bool) -> Option<bool> {
        let mut all_known = true;
        for item in list {
            match self.formula(item) {
                Some(v) if v == settles => return Some(settles),
                Some(_) => {}
                None => all_known = false,
            }
        }
        all_known.then_some(!settles)
    }
}

impl<'c, 'a> Scope<'c, 'a> {
    /// The conditions of the template that compare what no other condition compares, found
    /// once per template.
    pub(super) fn private_conditions(&self) -> &'c HashSet<String> {
        self.private_slot().get_or_init(|| {
            let tpl = self.tpl();
            let mut subjects_of: Vec<(&str, HashSet<String>)> = Vec::new();
            let mut users: HashMap<String, usize> = HashMap::new();
            for name in tpl.conditions.keys() {
                let mut atoms = Vec::new();
                self.condition_atoms(name, &mut HashSet::new(), &mut atoms);
                let subjects: HashSet<String> = atoms.iter().map(|a| subject(a).to_string()).collect();
                for s in &subjects {
                    *users.entry(s.clone()).or_default() += 1;
                }
                subjects_of.push((name, subjects));
            }
            subjects_of
                .into_iter()
                .filter(|(_, subjects)| {
                    subjects.iter().all(|s| users.get(s) == Some(&1) && !s.contains("#AWS::"))
                })
                .map(|(name, _)| name.to_string())
                .collect()
        })
    }
}

/// What an atom compares: `Env` for `Env = prod`; atoms of different subjects are independent.
fn subject(atom: &str) -> &str {
    atom.rsplit_once(crate::model::ATOM_VALUE).map_or(atom, |(subject, _)| subject)
}

/// Conditions that name themselves through others, which CloudFormation rejects: one error
/// per cycle, at the condition that closes it.
pub(crate) fn circular_conditions(tpl: &Template) -> Vec<EvalError> {
    let mut names: Vec<&String> = tpl.conditions.keys().collect();
    names.sort();
    let mut state: HashMap<&str, bool> = HashMap::new(); // false: on the path; true: done
    let mut errors = Vec::new();
    for name in names {
        let mut path = Vec::new();
        visit(tpl, name, &mut state, &mut path, &mut errors);
    }
    errors
}

fn visit<'t>(
    tpl: &'t Template,
    name: &'t str,
    state: &mut HashMap<&'t str, bool>,
    path: &mut Vec<&'t str>,
    errors: &mut Vec<EvalError>,
) {
    match state.get(name) {
        Some(true) => return,
        Some(false) => {
            let start = path.iter().position(|n| *n == name).unwrap_or(0);
            let mut cycle: Vec<&str> = path[start..].to_vec();
            cycle.push(name);
            let at =
                tpl.conditions.get(*path.last().unwrap_or(&name)).map_or_else(Default::default, |n| n.span);
            errors.push(EvalError {
                loc: tpl.loc(at),
                message: format!(
                    "circular conditions: {}; CloudFormation rejects the template",
                    cycle.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(" → ")
                ),
            });
            return;
        }
        None => {}
    }
    let Some(node) = tpl.conditions.get(name) else { return };
    if path.len() >= MAX_NESTING {
        return;
    }
    state.insert(name, false);
    path.push(name);
    let mut named = Vec::new();
    named_conditions(node, &mut named);
    for next in named {
        visit(tpl, next, state, path, errors);
    }
    path.pop();
    state.insert(name, true);
}

/// The conditions a formula names with `Condition`.
fn named_conditions<'n>(node: &'n Node, out: &mut Vec<&'n str>) {
    let Some(e) = node.single_entry() else { return };
    match (e.key.as_str(), e.value.as_seq()) {
        ("Condition", _) => out.extend(e.value.as_str()),
        (_, Some(items)) => items.iter().for_each(|i| named_conditions(i, out)),
        _ => {}
    }
}
