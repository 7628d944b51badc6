//! Reading, classifying and parsing one input file: what it is (a CloudFormation template, a
//! Terraform file or plan, a CDK assembly manifest, or nothing to scan) and its parsed tree.

use std::path::Path;

use crate::discover::Roots;
use crate::frontend::{self, cfn, terraform};
use crate::read::{self, FileKey};
use crate::source::display_path;
use crate::source::{Origin, SourceFile, Syntax, with_markers};
use crate::syntax::{self, Span, SyntaxError};

/// A file after reading and parsing, before it gets its [`FileId`].
pub enum Loaded {
    Template {
        file: SourceFile,
        root: syntax::Node,
        json: bool,
        issues: Vec<SyntaxError>,
        /// The files a Serverless Framework service includes, whose texts its spans reach into.
        fragments: Vec<frontend::serverless::Fragment>,
        /// Whether the text is all the stack is made of: a framework that adds resources at
        /// deploy time (the Serverless Framework) makes it incomplete, so references to names
        /// it does not define are not errors.
        complete: bool,
    },
    /// Any other file.
    Other(Other),
}

/// A file after reading, parsing and, for a template, indexing: what the pipeline keeps of it
/// until the model is built. Only `crate::pipeline::prepare` makes one.
pub enum Prepared {
    /// A template after [`cfn::index`], which took what the model reads out of its tree.
    Indexed {
        file: SourceFile,
        template: Box<cfn::Template>,
        issues: Vec<SyntaxError>,
        /// The files of the template's fragments (`Template::fragments` has where they begin).
        fragments: Vec<SourceFile>,
    },
    Other(Other),
}

/// A file that is not a template, after reading and parsing.
pub enum Other {
    Terraform {
        file: SourceFile,
        root: syntax::Node,
        issues: Vec<SyntaxError>,
    },
    Plan {
        file: SourceFile,
        root: syntax::Node,
        issues: Vec<SyntaxError>,
    },
    Broken {
        file: Option<SourceFile>,
        path: String,
        error: SyntaxError,
    },
    /// A CDK cloud assembly manifest, with the files it names.
    Assembly(frontend::cdk::Read),
    Skipped,
}

/// Reads, classifies and parses one file, and says which file it is on its file system (the
/// same for every path that reaches it).
pub(crate) fn load(path: &Path, cwd: &Path, roots: &Roots) -> (Option<FileKey>, Loaded) {
    let display = &display_path(path, cwd);
    let broken = |file: Option<SourceFile>, message: String, span: Span| {
        Loaded::Other(Other::Broken {
            file,
            path: display.to_string(),
            error: SyntaxError::new(message, span),
        })
    };
    let read = match read::read_file(path) {
        Ok(read) => read,
        Err(message) => return (None, broken(None, message, Span::default())),
    };
    let key = read.key;
    let origin = Origin {
        path: path.to_path_buf(),
        len: read.bytes.len(),
        fingerprint: read::fingerprint(&read.bytes),
    };
    let decoded = match read::decode(read.bytes) {
        Ok(decoded) => decoded,
        Err(bad) => {
            if bad.encoding == "UTF-8" && !looks_like_template_bytes(&bad.bytes) && !is_template_path(path) {
                return (key, Loaded::Other(Other::Skipped));
            }
            let file = SourceFile::new(display.to_string(), bad.prefix);
            let end = file.text.len();
            let message = format!("invalid {} at byte {}", bad.encoding, bad.at);
            return (key, broken(Some(file), message, Span::new(end, end)));
        }
    };
    let text = decoded.text;
    let mut loaded = parse(&Input { path, display, cwd: Some(cwd), roots: Some(roots) }, text);
    loaded.set_origin(origin);
    if let Some(encoding) = decoded.encoding {
        loaded.add_issue(SyntaxError::new(
            format!("the file is {encoding}; CloudFormation and Terraform read UTF-8 only: save it as UTF-8"),
            Span::default(),
        ));
    }
    (key, loaded)
}

impl Loaded {
    /// Says where a parsed file's text came from, so that it can be released and read again.
    fn set_origin(&mut self, origin: Origin) {
        match self {
            Loaded::Template { file, .. }
            | Loaded::Other(Other::Terraform { file, .. } | Other::Plan { file, .. }) => {
                file.origin = Some(origin)
            }
            Loaded::Other(Other::Broken { .. } | Other::Assembly(_) | Other::Skipped) => {}
        }
    }

    /// Adds a problem to a file that was parsed; other kinds keep theirs.
    fn add_issue(&mut self, issue: SyntaxError) {
        match self {
            Loaded::Template { issues, .. }
            | Loaded::Other(Other::Terraform { issues, .. } | Other::Plan { issues, .. }) => {
                issues.insert(0, issue)
            }
            Loaded::Other(Other::Broken { .. } | Other::Assembly(_) | Other::Skipped) => {}
        }
    }
}

/// Classifies and parses one file's text, named as on disk, without reading anything else
/// (no CDK manifest): what [`crate::scan_texts`] reads.
pub(crate) fn load_text(path: &Path, display: &str, text: String) -> Loaded {
    parse(&Input { path, display, cwd: None, roots: None }, text)
}

/// A file as a front end is given it.
pub struct Input<'a> {
    /// The path as found (the extension and the file name say much of what a file is).
    pub path: &'a Path,
    /// The path as reports show it.
    pub display: &'a str,
    /// The folder display paths are relative to; `None` when the scan reads no file beyond the
    /// one given (in-memory texts).
    pub cwd: Option<&'a Path>,
    /// The scanned roots, outside which no file an input names is read.
    pub roots: Option<&'a Roots>,
}

/// One input format: how its files are recognised and parsed. What each format parses is
/// turned into the model once every file is read (`pipeline.rs`, `Inputs::model`), because
/// references cross files.
pub trait Format: Sync {
    /// Whether this format reads the file, from its path and a cheap look at its text.
    fn recognise(&self, input: &Input, text: &str) -> bool;
    /// Parses the file into what the scan keeps of it.
    fn parse(&self, input: &Input, text: String) -> Loaded;
}

/// Every format, in the order they are tried: the first that recognises a file parses it; a
/// file no format recognises is skipped.
pub(crate) static FORMATS: &[&dyn Format] = &[&CdkManifest, &TerraformSource, &ServerlessService, &Document];

fn parse(input: &Input, text: String) -> Loaded {
    match FORMATS.iter().find(|f| f.recognise(input, &text)) {
        Some(format) => format.parse(input, text),
        None => Loaded::Other(Other::Skipped),
    }
}

fn broken(input: &Input, file: Option<SourceFile>, error: SyntaxError) -> Loaded {
    Loaded::Other(Other::Broken { file, path: input.display.to_string(), error })
}

/// A CDK cloud assembly manifest (`manifest.json` naming a stack), read with the files it names.
struct CdkManifest;

impl Format for CdkManifest {
    fn recognise(&self, input: &Input, text: &str) -> bool {
        input.cwd.is_some() && frontend::cdk::is_assembly(input.path, text)
    }

    fn parse(&self, input: &Input, text: String) -> Loaded {
        let read = frontend::cdk::read(input.path, text, input.cwd.unwrap_or(Path::new("")));
        Loaded::Other(Other::Assembly(read))
    }
}

/// Terraform sources (`.tf`).
struct TerraformSource;

impl Format for TerraformSource {
    fn recognise(&self, input: &Input, _: &str) -> bool {
        is_terraform_path(input.path)
    }

    fn parse(&self, input: &Input, text: String) -> Loaded {
        match syntax::hcl::parse(&text) {
            Ok(p) => Loaded::Other(Other::Terraform {
                file: with_markers(input.display, text, &p.root).written_in(Syntax::Hcl),
                root: p.root,
                issues: p.issues,
            }),
            Err(e) => broken(input, Some(SourceFile::new(input.display.to_string(), text)), e),
        }
    }
}

/// A Serverless Framework service file: the CloudFormation of its `resources`, with the files
/// it includes, as one template.
struct ServerlessService;

impl Format for ServerlessService {
    fn recognise(&self, input: &Input, _: &str) -> bool {
        frontend::serverless::is_service_file(input.path)
    }

    fn parse(&self, input: &Input, text: String) -> Loaded {
        let display = input.display;
        let (json, parsed) = parse_document(input.path, &text);
        let p = match parsed {
            Ok(p) => p,
            Err(e) => return broken(input, Some(SourceFile::new(display.to_string(), text)), e),
        };
        let ctx = frontend::serverless::Context {
            path: input.path,
            cwd: input.cwd.unwrap_or(Path::new("")),
            roots: input.roots,
        };
        let Some(service) = frontend::serverless::read(&ctx, text.len(), &p.root) else {
            return Loaded::Other(Other::Skipped);
        };
        let mut issues = p.issues;
        issues.extend(service.issues);
        Loaded::Template {
            file: with_markers(display, text, &p.root).written_in(document_syntax(json)),
            root: service.root,
            json,
            issues,
            fragments: service.fragments,
            complete: false,
        }
    }
}

/// A JSON or YAML document: a CloudFormation template, or a Terraform plan
/// (`terraform show -json`); its parsed root says which.
struct Document;

impl Format for Document {
    fn recognise(&self, _: &Input, text: &str) -> bool {
        looks_like_template(text) || looks_like_plan(text)
    }

    fn parse(&self, input: &Input, text: String) -> Loaded {
        let display = input.display;
        let (json, parsed) = parse_document(input.path, &text);
        match parsed {
            Ok(p) if cfn::is_template(&p.root) => Loaded::Template {
                file: with_markers(display, text, &p.root).written_in(document_syntax(json)),
                root: p.root,
                json,
                issues: p.issues,
                fragments: Vec::new(),
                complete: true,
            },
            Ok(mut p) if json && terraform::plan::is_plan(&p.root) => {
                terraform::plan::keep_what_is_read(&mut p.root);
                Loaded::Other(Other::Plan {
                    file: SourceFile::new(display.to_string(), text)
                        .written_in(Syntax::Json)
                        .generated("a plan is written by `terraform show -json`: change the .tf sources"),
                    root: p.root,
                    issues: p.issues,
                })
            }
            Ok(_) => Loaded::Other(Other::Skipped),
            Err(e) => broken(input, Some(SourceFile::new(display.to_string(), text)), e),
        }
    }
}

fn document_syntax(json: bool) -> Syntax {
    if json { Syntax::Json } else { Syntax::Yaml }
}

/// A JSON or YAML document, by its extension or first character: whether it is JSON, and its
/// tree.
fn parse_document(path: &Path, text: &str) -> (bool, Result<syntax::Parsed, SyntaxError>) {
    let json = is_json(path, text);
    (json, if json { syntax::json::parse(text) } else { syntax::yaml::parse(text) })
}

/// A cheap first look: only files mentioning a template's top-level keys are parsed.
fn looks_like_template(text: &str) -> bool {
    text.contains("AWSTemplateFormatVersion") || text.contains("Resources")
}

fn looks_like_template_bytes(bytes: &[u8]) -> bool {
    let has = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    has(b"AWSTemplateFormatVersion") || has(b"Resources")
}

/// A Terraform plan (`terraform show -json`) names its format version first.
fn looks_like_plan(text: &str) -> bool {
    text.contains("\"format_version\"")
        && (text.contains("\"planned_values\"") || text.contains("\"resource_changes\""))
}

fn is_terraform_path(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("tf"))
}

/// `.template` files and the like that are named for CloudFormation.
fn is_template_path(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "template")
}

fn is_json(path: &Path, text: &str) -> bool {
    match path.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("json") => true,
        Some(e) if e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml") => false,
        _ => text.trim_start_matches('\u{feff}').trim_start().starts_with('{'),
    }
}
