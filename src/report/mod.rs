//! Renderers: they know findings and files, nothing about front ends or rules.

pub mod github;
pub mod human;
pub mod json;
pub mod rules;
pub mod sarif;

use crate::source::{Loc, SourceFile};

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
