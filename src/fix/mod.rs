//! Fixes. A rule says what to change as data ([`Change`]: this string becomes that one, this
//! reference becomes the role's ARN); [`spell`] writes it in the syntax of the file that holds
//! it, as byte [`Edit`]s, or says why it cannot be sure of the edit. `scan --fix` applies the
//! edits of the fixes that are certain ([`apply`]), `--diff` shows them, and every report
//! carries them.

mod spell;
mod write;

use std::collections::HashMap;

use crate::rules::Finding;
use crate::source::{FileId, Loc, SourceFile};
use crate::syntax::Span;

pub use spell::spell;
pub use write::{diff, write};

/// What a rule asks to change, in no file's syntax.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Writes `to` where the string `from` is written, as a value or a key, keeping its quotes.
    Text { at: Loc, from: String, to: String },
    /// Writes the ARN of role `resource` where its name or ID (`attr`) is referenced.
    RoleArn { at: Loc, resource: String, attr: String },
}

impl Change {
    pub fn at(&self) -> Loc {
        match self {
            Change::Text { at, .. } | Change::RoleArn { at, .. } => *at,
        }
    }
}

/// A fix of one finding: what it does, its changes, and once spelled its edits, or why it is
/// not applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// What the fix does, in a few words: "write `sts:AssumeRoleWithWebIdentity`".
    pub title: String,
    pub changes: Vec<Change>,
    /// The changes as written in their files, once [`spell`]ed.
    pub edits: Vec<Edit>,
    /// Why the fix is not applied, when it is not certain.
    pub not_applied: Option<String>,
}

impl Fix {
    pub fn new(title: impl Into<String>, changes: Vec<Change>) -> Self {
        Fix { title: title.into(), changes, edits: Vec::new(), not_applied: None }
    }

    /// A fix the rule knows but cannot be sure of, for `why`.
    pub fn uncertain(title: impl Into<String>, why: impl Into<String>) -> Self {
        Fix { title: title.into(), changes: Vec::new(), edits: Vec::new(), not_applied: Some(why.into()) }
    }

    /// Whether `scan --fix` applies it.
    pub fn applicable(&self) -> bool {
        self.not_applied.is_none() && !self.edits.is_empty()
    }
}

/// Text to write over a span of a file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Edit {
    pub file: FileId,
    pub span: Span,
    pub replacement: String,
}

/// Spells the fix of every finding in its files, which must hold their texts.
pub fn spell_all(findings: &mut [Finding], files: &[SourceFile]) {
    for f in findings {
        let Some(fix) = &mut f.fix else { continue };
        if fix.not_applied.is_some() {
            continue;
        }
        let mut edits = Vec::new();
        for change in &fix.changes {
            match spell(change, files) {
                Ok(e) => edits.push(e),
                Err(why) => {
                    fix.not_applied = Some(why);
                    break;
                }
            }
        }
        edits.sort();
        edits.dedup();
        if fix.not_applied.is_none() {
            fix.edits = edits;
        }
    }
}

/// A file with the fixes applied.
#[derive(Debug)]
pub struct Fixed {
    pub file: FileId,
    pub text: String,
    /// The findings fixed in it.
    pub fixes: usize,
}

/// Applies the applicable fixes of `findings` to their files' texts. A fix is applied whole
/// or not at all: one whose edits overlap an edit already taken (and differ from it) waits for
/// the next round, when the file is scanned again.
pub fn apply(findings: &[Finding], files: &[SourceFile]) -> Vec<Fixed> {
    let mut taken: HashMap<FileId, Vec<&Edit>> = HashMap::new();
    let mut fixes: HashMap<FileId, usize> = HashMap::new();
    for fix in findings.iter().filter_map(|f| f.fix.as_ref()).filter(|f| f.applicable()) {
        let clashes = fix.edits.iter().any(|e| {
            taken.get(&e.file).is_some_and(|t| t.iter().any(|o| *o != e && overlap(o.span, e.span)))
        });
        if clashes {
            continue;
        }
        for e in &fix.edits {
            let t = taken.entry(e.file).or_default();
            if !t.contains(&e) {
                t.push(e);
            }
        }
        if let Some(first) = fix.edits.first() {
            *fixes.entry(first.file).or_default() += 1;
        }
    }
    let mut out: Vec<Fixed> = taken
        .into_iter()
        .map(|(file, mut edits)| {
            edits.sort_by_key(|e| e.span.start);
            let old = &files[file].text;
            let mut text = String::with_capacity(old.len());
            let mut at = 0;
            for e in edits {
                text.push_str(&old[at..e.span.start]);
                text.push_str(&e.replacement);
                at = e.span.end;
            }
            text.push_str(&old[at..]);
            Fixed { file, text, fixes: fixes.get(&file).copied().unwrap_or(0) }
        })
        .collect();
    out.sort_by_key(|f| f.file);
    out
}

/// Whether two spans share a byte, or are both insertions at one place.
fn overlap(a: Span, b: Span) -> bool {
    (a.start < b.end && b.start < a.end) || (a.start == b.start && (a.start == a.end || b.start == b.end))
}
