//! The files of one scan: their text, display path and line index, addressed by [`FileId`].

mod comments;

pub use comments::{MARKER, with_markers};

use crate::syntax::{LineIndex, Span};

pub(crate) type FileId = usize;

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
pub(crate) fn parent_dir(display: &str) -> &str {
    display.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// One file read by the scan.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as the report shows it: relative to the working directory when below it.
    pub display: String,
    /// The text, empty while it is [`SourceFile::release`]d.
    pub text: String,
    pub lines: LineIndex,
    /// The suppression comments of the file ([`with_markers`]), found while
    /// its parse tree was at hand.
    pub comments: Vec<Comment>,
    /// Where the text came from, when it can be read again.
    pub origin: Option<Origin>,
    /// How the text is written, which says how a fix is spelled in it.
    pub syntax: Syntax,
    /// Why the file must not be edited (a tool writes it), when it must not.
    pub generated: Option<&'static str>,
    released: bool,
}

/// The language a file is written in, as fixes need to know it: a YAML plain scalar or an HCL
/// identifier is written bare, a JSON string never is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Syntax {
    /// Not known: only quoted strings are edited.
    #[default]
    Unknown,
    Yaml,
    Json,
    Hcl,
}

/// A suppression comment: where its marker starts, its line, and its text from the marker on.
#[derive(Debug, Clone)]
pub struct Comment {
    pub at: usize,
    pub line: usize,
    pub text: String,
}

/// The file a text was read from, with the length and fingerprint of its bytes then.
#[derive(Debug, Clone)]
pub struct Origin {
    pub path: std::path::PathBuf,
    pub len: usize,
    pub fingerprint: u64,
}

impl Origin {
    /// Whether `bytes`, read from the file again, are the bytes it held then.
    pub fn holds(&self, bytes: &[u8]) -> bool {
        bytes.len() == self.len && crate::read::fingerprint(bytes) == self.fingerprint
    }
}

impl SourceFile {
    pub fn new(display: String, text: String) -> Self {
        let lines = LineIndex::new(&text);
        let generated = generated_by_path(display_dirs(&display));
        SourceFile {
            display,
            text,
            lines,
            comments: Vec::new(),
            origin: None,
            syntax: Syntax::Unknown,
            generated,
            released: false,
        }
    }

    /// The file, written in `syntax`.
    pub(crate) fn written_in(mut self, syntax: Syntax) -> Self {
        self.syntax = syntax;
        self
    }

    /// The file, written by a tool: fixes are not applied to it, for `why`.
    pub fn generated(mut self, why: &'static str) -> Self {
        self.generated = Some(why);
        self
    }

    /// Drops the text and its line index, when it can be read again: a scan keeps only the
    /// texts its report needs ([`SourceFile::restore`]).
    pub fn release(&mut self) {
        if self.origin.is_some() {
            self.text = String::new();
            self.lines = LineIndex::new("");
            self.released = true;
        }
    }

    pub(crate) fn is_released(&self) -> bool {
        self.released
    }

    /// Reads a released text again; an error when the file is gone or no longer holds the
    /// bytes it held (its length or fingerprint differs).
    pub fn restore(&mut self) -> Result<(), String> {
        let Some(origin) = &self.origin else { return Ok(()) };
        if !self.released {
            return Ok(());
        }
        let read = crate::read::read_file(&origin.path)?;
        if !origin.holds(&read.bytes) {
            return Err(
                "the file changed while it was scanned; scan again to see its findings in place".into()
            );
        }
        let text = crate::read::decode(read.bytes)
            .map_err(|_| "the file changed while it was scanned".to_string())?;
        self.lines = LineIndex::new(&text.text);
        self.text = text.text;
        self.released = false;
        Ok(())
    }
}

/// The folders of a display path, without its file name.
fn display_dirs(display: &str) -> impl Iterator<Item = &str> {
    parent_dir(display).split('/')
}

/// Why the templates of a CDK cloud assembly are not edited.
pub(crate) const CDK_OUTPUT: &str = "CDK output is written by `cdk synth`: change the CDK app";

/// Why a file in these folders is written by a tool: the build outputs of the CDK, the
/// Serverless Framework, SAM, Amplify and Terraform's module cache.
fn generated_by_path<'a>(mut dirs: impl Iterator<Item = &'a str>) -> Option<&'static str> {
    let mut in_amplify = false;
    dirs.find_map(|dir| {
        in_amplify |= dir == "amplify";
        match dir {
            "cdk.out" => Some(CDK_OUTPUT),
            ".serverless" => Some("`.serverless` is written by `serverless package`: change serverless.yml"),
            ".aws-sam" => Some("`.aws-sam` is written by `sam build`: change the template it was built from"),
            ".terraform" => {
                Some("`.terraform` holds modules `terraform init` fetched: change the module's source")
            }
            "#current-cloud-backend" | "build" if in_amplify => {
                Some("Amplify writes this stack: change the Amplify project and run `amplify push`")
            }
            _ => None,
        }
    })
}

/// An input that looks like infrastructure as code but could not be read or parsed.
#[derive(Debug, Clone)]
pub struct InputError {
    pub message: String,
    /// The display path of the file, when there is one.
    pub path: Option<String>,
    /// The file and place, when the file's text was read.
    pub place: Option<(FileId, Span)>,
}

/// The path as reports show it: relative to `cwd` when below it, with forward slashes.
pub fn display_path(path: &std::path::Path, cwd: &std::path::Path) -> String {
    let rel = path.strip_prefix(cwd).ok().filter(|r| !r.as_os_str().is_empty()).unwrap_or(path);
    let text = rel.to_string_lossy().replace('\\', "/");
    text.strip_prefix("./").map(String::from).unwrap_or(text)
}
