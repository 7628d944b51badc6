//! Conditional expressions: which branch `c ? a : b` takes under the assignment being
//! extracted, and the atom that names a condition's truth.

use super::Scope;
use crate::frontend::Resolve;
use crate::model::Sym;
use crate::syntax::Node;

impl Scope<'_, '_> {
    /// Which branch a conditional expression takes: a literal condition decides, else the
    /// assignment being extracted (`None` while conditionals are being found). Either way an
    /// undecided condition's atom is recorded.
    pub(super) fn branch(&self, condition: &Node) -> Option<bool> {
        let value = self.eval(condition);
        match value.as_lit() {
            Some("true") => return Some(true),
            Some("false") => return Some(false),
            _ => {}
        }
        let atom = self.atom(condition, &value);
        let state = &self.src.eval;
        let chosen = state.assign.borrow().as_ref().and_then(|a| a.get(&atom));
        state.atoms.borrow_mut().push(atom);
        chosen
    }

    /// The name of a condition's truth, shared by every conditional that tests the same thing:
    /// a condition that is one value (`var.guest`, passed down from the root as
    /// `var.allow_guests`) is named by it, so conditionals in the role and in the attachment
    /// never mix their branches; any other condition by its text in this module instance.
    fn atom(&self, condition: &Node, value: &Sym) -> String {
        let name = match value {
            Sym::Param { file, name, .. } => format!("{file:?}/{name}"),
            Sym::Attr { .. } | Sym::Pseudo(_) | Sym::External(_) | Sym::Import(_) => value.describe(),
            _ => {
                let written = self
                    .src
                    .with_text(self.file, |text| {
                        let written = text.get(condition.span.start..condition.span.end).unwrap_or_default();
                        written.split_whitespace().collect::<Vec<_>>().join(" ")
                    })
                    .unwrap_or_default();
                let prefix = &self.src.instances[self.inst].prefix;
                // `each.key == "guest"` is a condition of its own in each instance.
                match self.each {
                    Some(each) if written.contains("each.") || written.contains("count.") => {
                        format!("{prefix}{written} [{}]", each.key)
                    }
                    _ => format!("{prefix}{written}"),
                }
            }
        };
        let name: String = name.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
        format!("tf:{name}")
    }

    /// `c ? a : b`: the branch the assignment takes; while conditionals are being found, both
    /// (a value they share, else unknown).
    pub(super) fn conditional(&self, parts: &[Node]) -> Sym {
        let [condition, yes, no] = parts else { return Sym::Unknown("a conditional value".into()) };
        match self.branch(condition) {
            Some(true) => self.eval(yes),
            Some(false) => self.eval(no),
            None => {
                let (a, b) = (self.eval(yes), self.eval(no));
                if a == b { a } else { Sym::Unknown("a conditional value".into()) }
            }
        }
    }
}
