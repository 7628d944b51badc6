//! `Fn::ImportValue` names matched to `Outputs … Export.Name`s across every scanned template.
//!
//! A name is a pattern: its literal text, with a wildcard wherever it holds a value unknown
//! before deploy (the stack name, a parameter). An import and an export match when some string
//! matches both. Exports are indexed by their literal tail (the text after their last wildcard,
//! the whole name when there is none), so an import is compared only with the exports whose
//! tail fits its own: the time per import grows with its name and with the exports it matches,
//! not with every export.

use std::collections::HashMap;

use crate::model::Sym;

/// Longest export or import name compared, in bytes: names are identifiers, far shorter.
pub(crate) const MAX_NAME_BYTES: usize = 1024;

/// Most exports whose tail fits an import's that are compared with it in full: past it, the
/// import is not resolved (a crafted set of names could otherwise make matching quadratic).
pub(crate) const MAX_EXAMINED: usize = 1024;

/// A name as literal parts around wildcards: one part for a literal name; else the text before
/// the first wildcard, the literal runs between wildcards, and the text after the last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pattern {
    parts: Vec<String>,
}

impl Pattern {
    /// The pattern of a value, or `None` when its literal text is longer than
    /// [`MAX_NAME_BYTES`].
    pub fn of(sym: &Sym) -> Option<Pattern> {
        let mut parts = vec![String::new()];
        let mut bytes = 0;
        push(sym, &mut parts, &mut bytes);
        (bytes <= MAX_NAME_BYTES).then_some(Pattern { parts })
    }

    fn wild(&self) -> bool {
        self.parts.len() > 1
    }

    /// The literal text after the last wildcard (the whole name when there is none).
    fn tail(&self) -> &str {
        self.parts.last().map_or("", String::as_str)
    }

    /// Whether some string matches both patterns.
    pub fn meets(&self, other: &Pattern) -> bool {
        match (self.wild(), other.wild()) {
            (false, false) => self.parts == other.parts,
            (true, false) => self.matches(&other.parts[0]),
            (false, true) => other.matches(&self.parts[0]),
            // With a wildcard on each side, the ends decide: one head must begin the other and
            // one tail end the other; the wildcards absorb every literal in between.
            (true, true) => {
                let (h1, h2) = (&self.parts[0], &other.parts[0]);
                let (t1, t2) = (self.tail(), other.tail());
                (h1.starts_with(h2.as_str()) || h2.starts_with(h1.as_str()))
                    && (t1.ends_with(t2) || t2.ends_with(t1))
            }
        }
    }

    /// Whether a literal string matches this pattern: the head, each middle part leftmost in
    /// turn, and the tail, without overlapping.
    fn matches(&self, text: &str) -> bool {
        let (head, tail) = (&self.parts[0], self.tail());
        if text.len() < head.len() + tail.len() || !text.starts_with(head.as_str()) || !text.ends_with(tail) {
            return false;
        }
        let mut rest = &text[head.len()..text.len() - tail.len()];
        for middle in &self.parts[1..self.parts.len() - 1] {
            match rest.find(middle.as_str()) {
                Some(at) => rest = &rest[at + middle.len()..],
                None => return false,
            }
        }
        true
    }
}

fn push(sym: &Sym, parts: &mut Vec<String>, bytes: &mut usize) {
    let mut literal = |text: &str, parts: &mut Vec<String>| {
        *bytes += text.len();
        if *bytes <= MAX_NAME_BYTES
            && let Some(last) = parts.last_mut()
        {
            last.push_str(text);
        }
    };
    match sym {
        Sym::Lit(s) => literal(s, parts),
        Sym::Param { default: Some(d), .. } => literal(d, parts),
        Sym::Concat(items) => items.iter().for_each(|i| push(i, parts, bytes)),
        _ => {
            if parts.len() == 1 || !parts.last().is_some_and(String::is_empty) {
                parts.push(String::new());
            }
        }
    }
}

/// Export patterns by tail: `sorted` holds every export's reversed tail in order, so the exports
/// whose tail ends with a given text form one range; `by_tail` finds those whose whole tail is a
/// suffix of a given text.
pub(crate) struct Index {
    patterns: Vec<Pattern>,
    sorted: Vec<(String, usize)>,
    by_tail: HashMap<String, Vec<usize>>,
    /// The lengths of the tails in `by_tail`, ascending.
    tail_lengths: Vec<usize>,
}

impl Index {
    pub fn new(patterns: Vec<Pattern>) -> Self {
        let mut sorted: Vec<(String, usize)> =
            patterns.iter().enumerate().map(|(i, p)| (p.tail().chars().rev().collect(), i)).collect();
        sorted.sort();
        let mut by_tail: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, p) in patterns.iter().enumerate() {
            by_tail.entry(p.tail().to_string()).or_default().push(i);
        }
        let mut tail_lengths: Vec<usize> = by_tail.keys().map(String::len).collect();
        tail_lengths.sort_unstable();
        tail_lengths.dedup();
        Index { patterns, sorted, by_tail, tail_lengths }
    }

    /// The exports an import's pattern meets, in export order; when there are more than `most`,
    /// `most` + 1 of them, which says so. `None` when more than [`MAX_EXAMINED`] exports have a
    /// tail that fits and would have to be compared in full.
    pub fn matching(&self, import: &Pattern, most: usize) -> Option<Vec<usize>> {
        let tail = import.tail();
        let reversed: String = tail.chars().rev().collect();
        let mut found = Vec::new();
        let mut examined = 0;
        let mut meets = |i: usize| {
            examined += 1;
            self.patterns[i].meets(import)
        };
        // Exports whose tail ends with the import's tail.
        let start = self.sorted.partition_point(|(r, _)| r.as_str() < reversed.as_str());
        for (r, i) in &self.sorted[start..] {
            if !r.starts_with(reversed.as_str()) {
                break;
            }
            if meets(*i) {
                found.push(*i);
                if found.len() > most {
                    break;
                }
            }
        }
        // Exports whose tail is a shorter suffix of the import's tail (the empty tail included).
        if found.len() <= most {
            for &len in self.tail_lengths.iter().take_while(|&&len| len < tail.len()) {
                let Some(suffix) = tail.get(tail.len() - len..) else { continue };
                for &i in self.by_tail.get(suffix).into_iter().flatten() {
                    if meets(i) {
                        found.push(i);
                    }
                }
            }
        }
        if examined > MAX_EXAMINED {
            return None;
        }
        found.sort_unstable();
        found.dedup();
        found.truncate(most + 1);
        Some(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pattern from text with `*` for each wildcard.
    fn p(text: &str) -> Pattern {
        let parts: Vec<Sym> = text
            .split('*')
            .enumerate()
            .flat_map(|(i, lit)| {
                let wild = (i > 0).then(|| Sym::Unknown("x".into()));
                wild.into_iter().chain(std::iter::once(Sym::lit(lit)))
            })
            .collect();
        Pattern::of(&Sym::Concat(parts)).expect("short")
    }

    #[test]
    fn patterns_meet_when_some_string_matches_both() {
        assert!(p("*-PoolId").meets(&p("auth-PoolId")));
        assert!(p("*-PoolId").meets(&p("stack-*")));
        assert!(!p("*-PoolId").meets(&p("*-RoleArn")));
        assert!(p("a*c").meets(&p("*b*")));
        assert!(!p("abc").meets(&p("abd")));
        assert!(!p("abc").meets(&p("abcd")));
        assert!(!p("x*c").meets(&p("y*c")));
        assert!(p("ab*").meets(&p("abx")));
        assert!(p("*x").meets(&p("y*")));
        assert!(!p("a*b").meets(&p("ab*c")));
        assert!(p("a*b*c").meets(&p("abxc")));
        assert!(!p("a*bb*c").meets(&p("abc")));
        assert!(!p("ab*ba").meets(&p("aba")), "head and tail may not overlap");
    }

    #[test]
    fn the_index_finds_exports_by_their_tail() {
        let exports = vec![p("*-UserPoolId"), p("auth-UserPoolId"), p("*-RoleArn"), p("*"), p("*Id")];
        let index = Index::new(exports);
        assert_eq!(index.matching(&p("prod-UserPoolId"), 10).unwrap(), [0, 3, 4]);
        assert_eq!(index.matching(&p("auth-UserPoolId"), 10).unwrap(), [0, 1, 3, 4]);
        assert_eq!(index.matching(&p("*-UserPoolId"), 10).unwrap(), [0, 1, 3, 4]);
        assert_eq!(index.matching(&p("*-RoleArn"), 10).unwrap(), [2, 3]);
        assert_eq!(index.matching(&p("*"), 10).unwrap(), [0, 1, 2, 3, 4]);
        assert_eq!(
            index.matching(&p("*"), 1).unwrap().len(),
            2,
            "one more than asked for says there are more"
        );
    }

    #[test]
    fn long_names_match_nothing() {
        assert!(Pattern::of(&Sym::lit("x".repeat(MAX_NAME_BYTES + 1))).is_none());
    }
}
