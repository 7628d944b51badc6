//! Renderers: they know findings and files, nothing about front ends or rules.

pub mod fingerprint;
pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod junit;
pub mod rules;
pub mod sarif;
pub mod stats;

use crate::model::Coverage;
use crate::rules::{Finding, Rule};
use crate::source::{InputError, Loc, SourceFile};
use crate::{fix, suppress};

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Summary {
    /// What was analysed, as summaries say it: `3 templates`, `2 Terraform files`, `1 template
    /// and 2 Terraform files`.
    pub fn analysed(&self) -> String {
        let n = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
        let templates = self.templates.saturating_sub(self.terraform);
        match (templates, self.terraform) {
            (_, 0) => n(templates, "template"),
            (0, tf) => n(tf, "Terraform file"),
            (cfn, tf) => format!("{} and {}", n(cfn, "template"), n(tf, "Terraform file")),
        }
    }
}

/// A place as reports show it: 1-based lines and character columns, end inclusive of the
/// last character's column + 1 (exclusive), as SARIF and GitHub expect.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

impl Location {
    pub fn of(files: &[SourceFile], loc: Loc) -> Location {
        let file = &files[loc.file];
        let start = file.lines.line_col(&file.text, loc.span.start);
        let end = file.lines.line_col(&file.text, loc.span.end.max(loc.span.start));
        Location {
            file: file.display.clone(),
            line: start.line,
            column: start.column,
            end_line: end.line,
            end_column: end.column,
        }
    }
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Summary {
    pub files_scanned: usize,
    /// CloudFormation templates, Terraform files and plans analysed (the JSON key is
    /// `templates` for all three, as SPEC.md gives it).
    pub templates: usize,
    /// How many of [`Summary::templates`] are Terraform files or plans, so summaries do not
    /// call them templates (`terraform_files` in JSON, left out when there are none).
    #[serde(rename = "terraform_files", skip_serializing_if = "is_zero")]
    pub terraform: usize,
    pub findings: usize,
    pub suppressed: usize,
    pub errors: usize,
    /// The config file the scan used, as reports show paths; absent when none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<String>,
    /// What the scan could link and check.
    pub coverage: Coverage,
    /// The baseline's counts, when one is used (`--baseline`, config `baseline`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineCounts>,
}

/// The result of a scan: the files read, findings sorted by place and rule, and input errors.
#[derive(Debug)]
pub struct Report {
    pub files: Vec<SourceFile>,
    pub findings: Vec<Finding>,
    /// Findings a suppression hides, with its kind and reason.
    pub suppressed: Vec<suppress::Suppressed>,
    pub errors: Vec<InputError>,
    pub summary: Summary,
    /// The rules of `--guard-rules`, which `rules::RULES` does not list.
    pub guard_rules: Vec<&'static Rule>,
}

impl Report {
    /// The fixes of the findings, in the findings' order ([`fix::apply`] takes them).
    pub fn fixes(&self) -> impl Iterator<Item = &fix::Fix> {
        self.findings.iter().filter_map(|f| f.fix.as_ref())
    }
}

/// The baseline's counts in the summary (`summary.baseline` in JSON), only when one is used.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BaselineCounts {
    pub file: String,
    /// Entries in the file.
    pub entries: usize,
    /// Findings it hides.
    pub matched: usize,
    /// Entries of scanned files and rules that run which match no finding: fixed, or changed.
    pub stale: usize,
}

#[cfg(test)]
mod tests {
    use super::Summary;

    #[test]
    fn summaries_call_terraform_files_by_their_name() {
        let said = |templates, terraform| Summary { templates, terraform, ..Summary::default() }.analysed();
        assert_eq!(said(3, 0), "3 templates");
        assert_eq!(said(1, 1), "1 Terraform file");
        assert_eq!(said(3, 2), "1 template and 2 Terraform files");
        assert_eq!(said(0, 0), "0 templates");
    }
}
