//! The rule files of one scan: read once (files and folders, `.guard` and `.ruleset`), checked
//! for syntax errors, their rules named from their comments; then evaluated on each template,
//! each failure placed on our parse and worded from its custom message.

use std::path::{Path, PathBuf};

use super::eval::{self, Failure, GuardError};
use super::place::{locate, to_json};
use super::{Checked, Hit, PackError};
use crate::rules::{Rule, Severity};
use crate::source::SourceFile;
use crate::syntax::{LineIndex, Node, Span};

/// Extensions of rule files found in folders (cfn-guard's own choice); a file named on the
/// command line is read whatever its name.
const EXTENSIONS: &[&str] = &["guard", "ruleset"];

struct RulesFile {
    display: String,
    text: String,
    rules: Vec<&'static Rule>,
}

/// The Guard rule files of one scan.
#[derive(Default)]
pub struct Pack {
    files: Vec<RulesFile>,
    /// Files that cannot be read or do not parse.
    pub errors: Vec<PackError>,
}

impl Pack {
    /// Reads the rule files named by `paths` (files, or folders searched recursively).
    pub(crate) fn load(paths: &[PathBuf], cwd: &Path) -> Pack {
        let mut pack = Pack::default();
        let mut found = Vec::new();
        for path in paths {
            let before = found.len();
            let message = match rule_files(path, true, &mut found) {
                Err(e) => format!("cannot read Guard rules: {e}"),
                Ok(()) if found.len() == before => "no `.guard` or `.ruleset` file here".to_string(),
                Ok(()) => continue,
            };
            pack.errors.push(PackError {
                message,
                path: crate::source::display_path(path, cwd),
                place: None,
            });
        }
        found.sort();
        found.dedup();
        for path in found {
            pack.read(&path, crate::source::display_path(&path, cwd));
        }
        pack
    }

    fn read(&mut self, path: &Path, display: String) {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                let message = format!("cannot read Guard rules: {e}");
                self.errors.push(PackError { message, path: display, place: None });
                return;
            }
        };
        let names = match eval::rule_names(&text, &display) {
            Ok(names) => names,
            Err(GuardError::Syntax { message, line, column }) => {
                let span = place_of(&text, line, column);
                self.errors.push(PackError { message, path: display, place: Some((text, span)) });
                return;
            }
            // Evaluating `{}` failed: the rules may still work on templates, and say so there.
            Err(GuardError::Evaluation(_)) => Vec::new(),
        };
        let rules = documented_rules(&text)
            .into_iter()
            .filter(|(name, _, _)| names.contains(name))
            .map(|(name, summary, doc)| super::rule(&name, &summary, &doc))
            .collect();
        self.files.push(RulesFile { display, text, rules });
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Every rule the files define, for the SARIF catalog.
    pub fn rules(&self) -> Vec<&'static Rule> {
        let mut out: Vec<&'static Rule> = Vec::new();
        for r in self.files.iter().flat_map(|f| &f.rules) {
            if !out.iter().any(|o| o.code == r.code) {
                out.push(r);
            }
        }
        out
    }

    /// Evaluates every rule file on one template.
    pub fn check(&self, file: &SourceFile, root: &Node) -> Checked {
        let mut checked = Checked::default();
        if self.files.is_empty() {
            return checked;
        }
        let data = to_json(root).to_string();
        for rules in &self.files {
            match eval::failures(&rules.text, &rules.display, &data, &file.display) {
                Ok(failures) => {
                    for f in failures {
                        let hit = hit(rules, f, root);
                        if !checked.hits.iter().any(|h| h.rule.code == hit.rule.code && h.span == hit.span) {
                            checked.hits.push(hit);
                        }
                    }
                }
                Err(e) => {
                    checked.errors.push(format!("cfn-guard could not evaluate `{}`: {e}", rules.display))
                }
            }
        }
        checked
    }
}

/// Collects the rule files of `path`: itself when it is a file (`named`: the user named it, so
/// whatever its extension), else those below it. Links to folders are not followed below a named
/// folder, so a link loop cannot recurse.
fn rule_files(path: &Path, named: bool, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let meta = if named { std::fs::metadata(path)? } else { std::fs::symlink_metadata(path)? };
    if meta.is_dir() {
        for entry in std::fs::read_dir(path)? {
            rule_files(&entry?.path(), false, out)?;
        }
    } else if named || (path.is_file() && has_rules_extension(path)) {
        out.push(path.to_path_buf());
    }
    Ok(())
}

fn has_rules_extension(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| EXTENSIONS.contains(&e))
}

/// The byte span of a 1-based line and character column (the character there, or the end of a
/// line that is shorter).
fn place_of(text: &str, line: Option<usize>, column: Option<usize>) -> Span {
    let lines = LineIndex::new(text);
    let Some(start) = line.and_then(|l| lines.line_start(l)) else { return Span::default() };
    let rest = &text[start..];
    let line_len = rest.find('\n').unwrap_or(rest.len());
    let offset: usize =
        rest[..line_len].chars().take(column.unwrap_or(1).saturating_sub(1)).map(char::len_utf8).sum();
    let width = rest[offset..line_len].chars().next().map_or(0, char::len_utf8);
    Span::new(start + offset, start + offset + width)
}

/// Each `rule NAME` of a rule file with the comment right above it: (name, summary, doc).
/// The summary is the comment's first sentence.
fn documented_rules(text: &str) -> Vec<(String, String, String)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(rest) = line.trim_start().strip_prefix("rule ") else { continue };
        let name: String =
            rest.trim_start().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        if name.is_empty() || out.iter().any(|(n, _, _)| *n == name) {
            continue;
        }
        let comment: Vec<&str> = lines[..i]
            .iter()
            .rev()
            .take_while(|l| l.trim_start().starts_with('#'))
            .map(|l| l.trim_start().trim_start_matches('#').trim())
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        // One paragraph per run of comment lines, as SARIF descriptions read them.
        let doc = comment.split(|l| l.is_empty()).map(|p| p.join(" ")).filter(|p| !p.is_empty());
        let doc = doc.collect::<Vec<_>>().join("\n\n");
        let flat = comment.join(" ");
        let summary = flat.split(". ").next().unwrap_or_default().trim().trim_end_matches('.').to_string();
        let summary = if summary.is_empty() { format!("the cfn-guard rule `{name}`") } else { summary };
        let doc = if doc.is_empty() { summary.clone() } else { doc };
        out.push((name, summary, doc));
    }
    out
}

/// A failure as a finding's parts: the rule's custom message is the message (`Violation:`
/// dropped), its `Fix:` line the help, its `Severity:` line the severity.
fn hit(rules: &RulesFile, f: Failure, root: &Node) -> Hit {
    let rule = rules.rules.iter().copied().find(|r| r.name == f.rule).unwrap_or_else(|| {
        let summary = format!("the cfn-guard rule `{}` of `{}`", f.rule, rules.display);
        super::rule(&f.rule, &summary, &summary)
    });
    let place = match &f.path {
        Some(path) => locate(root, path),
        None => locate(root, "/Resources"),
    };
    let mut message = Vec::new();
    let mut help = None;
    let mut severity = Severity::Error;
    for line in f.message.as_deref().unwrap_or_default().lines().map(str::trim).filter(|l| !l.is_empty()) {
        let field = |name: &str| {
            line.get(..name.len()).filter(|p| p.eq_ignore_ascii_case(name)).map(|_| line[name.len()..].trim())
        };
        if let Some(fix) = field("fix:") {
            help = Some(fix.to_string());
        } else if let Some(level) = field("severity:") {
            severity = match level.to_ascii_lowercase().as_str() {
                "warning" => Severity::Warning,
                "note" | "info" | "advice" => Severity::Note,
                _ => Severity::Error,
            };
        } else {
            message.push(field("violation:").unwrap_or(line));
        }
    }
    let message = if message.is_empty() {
        format!("guard rule `{}` failed: {}", f.rule, f.clause)
    } else {
        message.join(" ")
    };
    let label = match f.missing.as_deref().map(first_property) {
        Some(missing) if !missing.is_empty() => format!("no `{missing}` here"),
        _ => format!("fails `{}`", rule.code),
    };
    Hit {
        rule,
        severity,
        message,
        help,
        label,
        span: place.span,
        resource: place.resource.unwrap_or_default(),
    }
}

/// The first property of a remaining query: `Condition` of `Condition.*. (map-key-filter-clauses)`.
fn first_property(query: &str) -> &str {
    let end = query.find(['.', '[', ' ']).unwrap_or(query.len());
    &query[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_take_their_summary_and_doc_from_the_comment_above() {
        let text = "# Roles have a path. Paths group roles.\n# second line\nrule iam_role_path {\n}\n\nrule bare when x {\n}\n";
        let rules = documented_rules(text);
        assert_eq!(
            rules[0],
            (
                "iam_role_path".into(),
                "Roles have a path".into(),
                "Roles have a path. Paths group roles. second line".into()
            )
        );
        assert_eq!(rules[1].0, "bare");
        assert_eq!(rules[1].1, "the cfn-guard rule `bare`");
    }

    #[test]
    fn syntax_error_places_are_character_columns() {
        let text = "rule a {\n  é = \n}\n";
        let span = place_of(text, Some(2), Some(5));
        assert_eq!(&text[span.start..span.end], "=");
        assert_eq!(place_of(text, None, None), Span::default());
    }
}
