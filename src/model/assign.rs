//! Template conditions in the model: an [`Assign`]ment of truth values to their atoms, and a
//! [`Variant`], something that exists in one shape per assignment.

/// One assignment of truth values to the atoms of a template's conditions, sorted by atom.
/// Values from two branches of the same `Fn::If` never meet under one assignment.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Assign(pub Vec<(String, bool)>);

impl Assign {
    /// The value the assignment gives an atom, if any.
    pub fn get(&self, atom: &str) -> Option<bool> {
        self.0.binary_search_by(|(a, _)| a.as_str().cmp(atom)).ok().map(|i| self.0[i].1)
    }

    /// Whether the assignment gives the atom a value.
    pub fn has(&self, atom: &str) -> bool {
        self.get(atom).is_some()
    }

    /// The union of two assignments, or `None` when they disagree on an atom.
    pub fn merge(&self, other: &Assign) -> Option<Assign> {
        let mut out = self.0.clone();
        for (atom, value) in &other.0 {
            match out.binary_search_by(|(a, _)| a.as_str().cmp(atom)) {
                Ok(i) if out[i].1 != *value => return None,
                Ok(_) => {}
                Err(i) => out.insert(i, (atom.clone(), *value)),
            }
        }
        let out = Assign(out);
        out.possible().then_some(out)
    }

    /// Whether no two atoms give one value two different literals (`Env = prod` and
    /// `Env = dev` both true).
    pub fn possible(&self) -> bool {
        let held: Vec<(&str, &str)> =
            self.0.iter().filter(|(_, v)| *v).filter_map(|(a, _)| a.rsplit_once(ATOM_VALUE)).collect();
        held.iter().enumerate().all(|(i, (lhs, rhs))| held[i + 1..].iter().all(|(l, r)| l != lhs || r == rhs))
    }

    /// The literal an atom says a value equals, when the atom holds: `("AWS::Region", "us-gov-west-1")`.
    pub(crate) fn facts(&self) -> impl Iterator<Item = (&str, &str, bool)> {
        self.0.iter().filter_map(|(atom, holds)| {
            let (_, fact) = atom.split_once('#')?;
            let (lhs, rhs) = fact.rsplit_once(ATOM_VALUE)?;
            Some((lhs, rhs, *holds))
        })
    }
}

/// Separates an atom's value from its literal (`Env␟prod`), so atoms about one value can be
/// recognised as exclusive.
pub const ATOM_VALUE: char = '\u{1f}';

/// Something that exists in several shapes depending on template conditions.
#[derive(Debug, Clone)]
pub struct Variant<T> {
    pub assign: Assign,
    pub value: T,
}
