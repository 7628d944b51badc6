//! The files of one scan: their text, display path and line index, addressed by [`FileId`].

use crate::syntax::{LineIndex, Span};

pub type FileId = usize;

/// A place in one scanned file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Loc {
    pub file: FileId,
    pub span: Span,
}

impl Loc {
    pub fn new(file: FileId, span: Span) -> Self {
        Loc { file, span }
    }
}

/// The folder of a display path (`cdk.out` for `cdk.out/App.template.json`), empty for a file
/// of the working directory.
pub fn parent_dir(display: &str) -> &str {
    display.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// One file read by the scan.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as the report shows it: relative to the working directory when below it.
    pub display: String,
    pub text: String,
    pub lines: LineIndex,
    /// Where suppression comments start (`crate::suppress::comment_markers`), found while the
    /// file's parse tree was at hand.
    pub markers: Vec<usize>,
}

impl SourceFile {
    pub fn new(display: String, text: String) -> Self {
        let lines = LineIndex::new(&text);
        SourceFile { display, text, lines, markers: Vec::new() }
    }
}
