//! Fixes. A rule says what to change as data ([`Change`]: this string becomes that one, this
//! reference becomes the role's ARN); [`spell`] writes it in the syntax of the file that holds
//! it, as byte [`Edit`]s, or says why it cannot be sure of the edit. `scan --fix` applies the
//! edits of the fixes that are certain ([`apply`]), `--diff` shows them, and every report
//! carries them.

mod anchors;
mod spell;
mod write;

use std::collections::{BTreeMap, HashMap};

use crate::source::{FileId, InputError, Loc, SourceFile, Syntax};
use crate::syntax::Span;

use spell::spell;
pub use write::{diff, write};

/// What a rule asks to change, in no file's syntax.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Writes `to` where the string `from` is written, as a value or a key, keeping its quotes.
    Text { at: Loc, from: String, to: String },
    /// Writes the ARN of role `resource` where its name or ID (`attr`) is referenced.
    RoleArn { at: Loc, resource: String, attr: String },
    /// Adds `key: value` to a map, before the entry whose key is at `before` (or, with
    /// [`Anchor::ValueOf`], whose value is there), as the map writes its entries.
    Entry { before: Anchor, form: Form, key: String, value: Value },
    /// Adds the string `value` to the list whose last item is the string `last`, written at
    /// `at`; when `last` is the whole value (`Action: sts:X`), it becomes a list of both.
    Append { at: Loc, last: String, value: String },
    /// Adds an `aws_iam_policy_document` `condition` block before the `condition` block whose
    /// `test` value, `before_test`, is at `before`.
    ConditionBlock { before: Loc, before_test: String, test: String, variable: String, value: Value },
}

/// Where an [`Change::Entry`] goes: before the entry whose key, or whose value, is the string
/// written at `at` (checked, so that an addition never lands where a span stands for a whole
/// string or template).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Anchor {
    Key { at: Loc, key: String },
    ValueOf { at: Loc, value: String },
}

/// The language of the map an entry is added to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// A CloudFormation (or Serverless) YAML template.
    Yaml,
    /// A CloudFormation JSON template.
    Json,
    /// JSON in a Terraform heredoc, where references are interpolated.
    JsonText,
    /// An HCL object or block.
    Hcl,
}

/// A value to write: a string, an expression already written in the file's syntax (`!Ref
/// Pool`, `aws_cognito_identity_pool.main.id`), or a map of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Lit(String),
    Expr(String),
    Map(Vec<(String, Value)>),
}

impl Change {
    pub fn at(&self) -> Loc {
        match self {
            Change::Text { at, .. } | Change::RoleArn { at, .. } | Change::Append { at, .. } => *at,
            Change::Entry { before: Anchor::Key { at, .. } | Anchor::ValueOf { at, .. }, .. } => *at,
            Change::ConditionBlock { before, .. } => *before,
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
    /// The construct every change must lie in (the statement, the attachment): a value the
    /// rule saw that is written elsewhere (a variable, a local, a Serverless `${file(...)}`)
    /// may be used elsewhere too.
    pub within: Option<Loc>,
}

impl Fix {
    pub fn new(title: impl Into<String>, changes: Vec<Change>) -> Self {
        Fix { title: title.into(), changes, edits: Vec::new(), not_applied: None, within: None }
    }

    /// The fix, certain only where every change lies in `construct`.
    pub fn within(mut self, construct: Loc) -> Self {
        self.within = Some(construct);
        self
    }

    /// A fix the rule knows but cannot be sure of, for `why`.
    pub(crate) fn uncertain(title: impl Into<String>, why: impl Into<String>) -> Self {
        Fix {
            title: title.into(),
            changes: Vec::new(),
            edits: Vec::new(),
            not_applied: Some(why.into()),
            within: None,
        }
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

/// Why fixes are not applied in some files, whatever they change: a file read more than once
/// (a Serverless file two services include, where a change for one may not suit the other), a
/// file with input errors (what the scan read of it may not be what it holds).
pub(crate) fn blocked_files(files: &[SourceFile], errors: &[InputError]) -> HashMap<FileId, &'static str> {
    let mut blocked = HashMap::new();
    let mut by_path: HashMap<&std::path::Path, Vec<FileId>> = HashMap::new();
    for (id, f) in files.iter().enumerate() {
        if let Some(origin) = &f.origin {
            by_path.entry(origin.path.as_path()).or_default().push(id);
        }
    }
    for ids in by_path.values().filter(|ids| ids.len() > 1) {
        for &id in ids {
            blocked.insert(
                id,
                "is read by several templates (included twice), and a change for one may not suit the other",
            );
        }
    }
    for (id, _) in errors.iter().filter_map(|e| e.place) {
        blocked.insert(id, "has input errors: fix them first, then run --fix again");
    }
    blocked
}

/// Spells each fix (the findings') in its files, which must hold their texts; nothing is
/// changed in the `blocked` files.
pub(crate) fn spell_all<'f>(
    fixes: impl IntoIterator<Item = &'f mut Fix>,
    files: &[SourceFile],
    blocked: &HashMap<FileId, &'static str>,
) {
    let mut aliased: HashMap<FileId, Vec<(Span, String)>> = HashMap::new();
    for fix in fixes {
        if fix.not_applied.is_some() {
            continue;
        }
        let outside = |at: Loc| {
            fix.within.is_some_and(|w| {
                w.file != at.file || at.span.start < w.span.start || at.span.end > w.span.end
            })
        };
        if let Some((file, why)) =
            fix.changes.iter().find_map(|c| blocked.get(&c.at().file).map(|w| (c.at().file, w)))
        {
            fix.not_applied = Some(format!("{} {why}", files[file].display));
            continue;
        }
        if fix.changes.iter().any(|c| outside(c.at())) {
            fix.not_applied = Some(
                "the value is written elsewhere (a variable, a local, a parameter, an included file) and may serve other places: change it there"
                    .into(),
            );
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
        if let Some(name) = in_aliased_anchor(&edits, files, &mut aliased) {
            fix.not_applied = Some(if name.is_empty() {
                format!(
                    "the file has more than {} YAML anchors that aliases repeat, more than the fix looks through",
                    anchors::MAX_ANCHORS
                )
            } else {
                format!(
                    "the value lies in the YAML anchor `&{name}`, which an alias repeats elsewhere: a change here changes both"
                )
            });
        }
        if fix.not_applied.is_none() {
            fix.edits = edits;
        }
    }
}

/// The name of the aliased YAML anchor an edit lies in, when one does (empty past the anchors
/// counted); each file's anchors are found once, in `aliased`.
fn in_aliased_anchor(
    edits: &[Edit],
    files: &[SourceFile],
    aliased: &mut HashMap<FileId, Vec<(Span, String)>>,
) -> Option<String> {
    edits.iter().find_map(|e| {
        if files[e.file].syntax != Syntax::Yaml {
            return None;
        }
        let anchors = aliased.entry(e.file).or_insert_with(|| anchors::aliased(&files[e.file]));
        anchors.iter().find(|(s, _)| s.start <= e.span.start && e.span.end <= s.end).map(|(_, n)| n.clone())
    })
}

/// A file with the fixes applied.
#[derive(Debug)]
pub struct Fixed {
    pub file: FileId,
    pub text: String,
    /// The findings fixed in it.
    pub fixes: usize,
}

/// Applies the applicable ones of `fixes` (the findings', in their order) to their files' texts. A fix is applied whole
/// or not at all: one whose edits overlap an edit already taken (and differ from it) waits for
/// the next round, when the file is scanned again. A fixed text that would not parse, or
/// parses with a problem, is not kept: it is an error, naming the file, for the report (a fix
/// is never written unread).
pub fn apply<'f>(
    fixes: impl IntoIterator<Item = &'f Fix>,
    files: &[SourceFile],
) -> (Vec<Fixed>, Vec<InputError>) {
    let mut errors = Vec::new();
    let fixed = apply_unchecked(fixes, files)
        .into_iter()
        .filter(|f| match reads_as_well(&files[f.file], &f.text) {
            Ok(()) => true,
            Err(why) => {
                errors.push(InputError {
                    message: format!("not fixed: the fixed text {why} (please report this)"),
                    path: Some(files[f.file].display.clone()),
                    place: None,
                });
                false
            }
        })
        .collect();
    (fixed, errors)
}

/// Whether `fixed` parses in `file`'s syntax with no problem. A file with input errors gets
/// no fix ([`blocked_files`]), so the file parsed cleanly and any problem is the fix's.
fn reads_as_well(file: &SourceFile, fixed: &str) -> Result<(), String> {
    let parse = match file.syntax {
        Syntax::Yaml => crate::syntax::yaml::parse,
        Syntax::Json => crate::syntax::json::parse,
        Syntax::Hcl => crate::syntax::hcl::parse,
        Syntax::Unknown => return Ok(()),
    };
    match parse(fixed) {
        Ok(p) => match p.issues.first() {
            None => Ok(()),
            Some(issue) => Err(format!("has a problem the file has not: {}", issue.message)),
        },
        Err(e) => Err(format!("would not parse: {}", e.message)),
    }
}

fn apply_unchecked<'f>(fixes: impl IntoIterator<Item = &'f Fix>, files: &[SourceFile]) -> Vec<Fixed> {
    // The edits taken in each file, by where they start: no two overlap, so a new edit can
    // only clash with the one starting at or before it and the one after.
    let mut taken: HashMap<FileId, BTreeMap<usize, &Edit>> = HashMap::new();
    let mut counts: HashMap<FileId, usize> = HashMap::new();
    for fix in fixes.into_iter().filter(|f| f.applicable()) {
        let clashes = fix.edits.iter().any(|e| taken.get(&e.file).is_some_and(|t| clash(t, e)));
        if clashes {
            continue;
        }
        for e in &fix.edits {
            taken.entry(e.file).or_default().insert(e.span.start, e);
        }
        if let Some(first) = fix.edits.first() {
            *counts.entry(first.file).or_default() += 1;
        }
    }
    let mut out: Vec<Fixed> = taken
        .into_iter()
        .map(|(file, edits)| {
            let old = &files[file].text;
            let mut text = String::with_capacity(old.len());
            let mut at = 0;
            for e in edits.into_values() {
                text.push_str(&old[at..e.span.start]);
                text.push_str(&e.replacement);
                at = e.span.end;
            }
            text.push_str(&old[at..]);
            Fixed { file, text, fixes: counts.get(&file).copied().unwrap_or(0) }
        })
        .collect();
    out.sort_by_key(|f| f.file);
    out
}

/// Whether `e` overlaps an edit taken, other than the same edit (two findings that need the
/// same change share it).
fn clash(taken: &BTreeMap<usize, &Edit>, e: &Edit) -> bool {
    let before = taken.range(..=e.span.start).next_back().map(|(_, o)| *o);
    let after = taken.range(e.span.start + 1..).next().map(|(_, o)| *o);
    [before, after].into_iter().flatten().any(|o| o != e && overlap(o.span, e.span))
}

/// Whether two spans share a byte, or are both insertions at one place.
fn overlap(a: Span, b: Span) -> bool {
    (a.start < b.end && b.start < a.end) || (a.start == b.start && (a.start == a.end || b.start == b.end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(start: usize, end: usize, text: &str) -> Edit {
        Edit { file: 0, span: Span::new(start, end), replacement: text.into() }
    }

    #[test]
    fn edits_clash_when_they_overlap_and_differ() {
        let taken_edits = [edit(10, 20, "a"), edit(30, 30, "b"), edit(40, 50, "c")];
        let taken: BTreeMap<usize, &Edit> = taken_edits.iter().map(|e| (e.span.start, e)).collect();
        assert!(clash(&taken, &edit(15, 16, "x")), "inside a replacement");
        assert!(clash(&taken, &edit(5, 11, "x")), "across a replacement's start");
        assert!(clash(&taken, &edit(30, 30, "y")), "another insertion at the same place");
        assert!(clash(&taken, &edit(30, 35, "y")), "a replacement where an insertion goes");
        assert!(clash(&taken, &edit(0, 100, "y")), "over all of them");
        assert!(!clash(&taken, &edit(10, 20, "a")), "the same edit is shared");
        assert!(!clash(&taken, &edit(20, 30, "y")), "between two, touching both");
        assert!(!clash(&taken, &edit(50, 50, "y")), "an insertion at a replacement's end");
        assert!(!clash(&taken, &edit(60, 61, "y")), "after all of them");
    }
}
