//! CDK cloud assemblies (`cdk.out`, SPEC §3). The templates of an assembly are read as
//! CloudFormation like any other ([`super::cfn`]); this room adds what only the assembly knows:
//!
//! - the asset manifests (`*.assets.json`) name each nested stack's template by the S3 object key
//!   its parent's `TemplateURL` points at, so the key becomes an alias of the template that
//!   [`super::cfn::eval`] matches nested stacks against;
//! - the construct metadata (`metadata` of each stack artifact, or its `additionalMetadataFile`)
//!   gives a resource's construct path where the template lacks `aws:cdk:path`
//!   (`cdk synth --no-path-metadata`), and the stack trace of the line of the app that created
//!   it (`aws:cdk:creationStack`, or the `trace` of older assemblies and of `cdk synth --debug`).
//!
//! A trace frame becomes a place only when its file is below the app's folder (the assembly's
//! parent, where `cdk synth` ran) or the working directory, and can be read: a manifest cannot
//! make the scan show arbitrary files.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use serde::de::DeserializeOwned;

use super::cfn::Template;
use crate::source::{FileId, Loc, SourceFile, parent_dir};
use crate::source::{InputError, display_path};
use crate::syntax::Span;
use schema::{Assets, Data, Manifest, Metadata};

mod schema;

/// What the assemblies among the scanned files add to a scan.
#[derive(Debug, Default)]
pub struct Linked {
    /// (template file, logical ID) → where the app's source created the resource.
    pub app_sources: HashMap<(FileId, String), Loc>,
    /// Manifests and metadata files that name stacks but cannot be read.
    pub errors: Vec<InputError>,
}

/// One `manifest.json` and the files it names.
#[derive(Debug, Default)]
struct Assembly {
    /// The folder as reports show it (`cdk.out`), empty for the working directory.
    dir: String,
    /// The folder on disk.
    fs_dir: PathBuf,
    /// For each stack artifact, its template file and its logical IDs' construct paths.
    stacks: Vec<(String, HashMap<String, Vec<String>>)>,
    /// Asset object key (`<hash>.json`) → template file, for nested stacks.
    nested: Vec<(String, String)>,
    /// Construct path (without the leading `/`) → stack trace frames, innermost first.
    traces: HashMap<String, Vec<String>>,
}

/// One `manifest.json` as the parallel read of the scan's files makes it: the assembly, and
/// the problems of the files it names (which get their file ids in [`link`], in path order).
#[derive(Debug)]
pub struct Read {
    assembly: Option<Assembly>,
    problems: Vec<Problem>,
}

/// Whether a file is a CDK cloud assembly manifest that names a stack: a cheap first look, as
/// for templates (web app manifests and the like are not read further).
pub(crate) fn is_assembly(path: &Path, text: &str) -> bool {
    path.file_name().is_some_and(|n| n == "manifest.json") && text.contains("aws:cloudformation:stack")
}

/// Parses a manifest whose text was read, and reads the asset manifests and metadata files it
/// names.
pub fn read(path: &Path, text: String, cwd: &Path) -> Read {
    let mut problems = Vec::new();
    let assembly = read_assembly(path, text, cwd, &mut problems);
    Read { assembly, problems }
}

/// Applies each assembly read to the templates of its folder, and loads the app source files
/// its stack traces name into `files`.
pub fn link(
    read: Vec<Read>,
    cwd: &Path,
    roots: &crate::discover::Roots,
    templates: &mut [Template],
    files: &mut Vec<SourceFile>,
) -> Linked {
    if read.is_empty() {
        return Linked::default();
    }
    // Templates by display path and by folder, so each assembly finds its own directly.
    let mut by_path: HashMap<String, Vec<usize>> = HashMap::new();
    let mut by_dir: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, tpl) in templates.iter().enumerate() {
        by_path.entry(tpl.path.clone()).or_default().push(i);
        by_dir.entry(parent_dir(&tpl.path).to_string()).or_default().push(i);
    }
    let mut linked = Linked::default();
    let mut sources = Sources { cwd, roots: roots.with(cwd), loaded: HashMap::new() };
    for Read { assembly, problems } in read {
        for problem in problems {
            linked.errors.push(problem.into_error(files));
        }
        let Some(assembly) = assembly else { continue };
        apply(&assembly, templates, &by_path);
        for &i in by_dir.get(&assembly.dir).map_or(&[][..], Vec::as_slice) {
            let tpl = &templates[i];
            files[tpl.file].generated = Some(crate::source::CDK_OUTPUT);
            for res in &tpl.resources {
                let Some(frames) = res.cdk_path.as_ref().and_then(|p| assembly.traces.get(p)) else {
                    continue;
                };
                if let Some(loc) = sources.place(&assembly.fs_dir, frames, files) {
                    linked.app_sources.insert((tpl.file, res.logical_id.clone()), loc);
                }
            }
        }
    }
    linked
}

/// A file of an assembly that cannot be read or parsed, before the report gives it an id.
#[derive(Debug)]
struct Problem {
    message: String,
    path: String,
    /// The file's text and the byte offset of the problem, when it was read.
    place: Option<(SourceFile, usize)>,
}

impl Problem {
    fn into_error(self, files: &mut Vec<SourceFile>) -> InputError {
        let place = self.place.map(|(file, at)| {
            files.push(file);
            (files.len() - 1, Span::new(at, at))
        });
        InputError { message: self.message, path: Some(self.path), place }
    }
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() { name.to_string() } else { format!("{dir}/{name}") }
}

/// Adds nested-stack aliases and missing construct paths to the templates of the assembly;
/// `by_path` gives the templates of each display path.
fn apply(assembly: &Assembly, templates: &mut [Template], by_path: &HashMap<String, Vec<usize>>) {
    let named = |file: &str| by_path.get(&join(&assembly.dir, file)).map_or(&[][..], Vec::as_slice);
    for (key, file) in &assembly.nested {
        for &i in named(file) {
            let tpl = &mut templates[i];
            if !tpl.aliases.contains(key) {
                tpl.aliases.push(key.clone());
            }
        }
    }
    for (file, logical_ids) in &assembly.stacks {
        for &i in named(file) {
            for res in templates[i].resources.iter_mut().filter(|r| r.cdk_path.is_none()) {
                // A logical ID that two construct paths claim (a nested stack's) is left alone.
                if let Some([path]) = logical_ids.get(&res.logical_id).map(Vec::as_slice) {
                    res.cdk_path = Some(path.clone());
                }
            }
        }
    }
}

/// Reads a regular file of at most [`crate::read::MAX_FILE_BYTES`] as UTF-8 text.
fn read_text(path: &Path) -> Result<String, String> {
    let read = crate::read::read_file(path)?;
    String::from_utf8(read.bytes)
        .map_err(|e| format!("invalid UTF-8 at byte {}", e.utf8_error().valid_up_to()))
}

/// A file the manifest names, when it lies inside the assembly's folder: a relative path that
/// does not climb out, whose links (if any) resolve inside the folder too. Anything else is a
/// problem of the manifest and is not read.
fn in_assembly(
    fs_dir: &Path,
    name: &str,
    what: &str,
    manifest: &str,
    problems: &mut Vec<Problem>,
) -> Option<PathBuf> {
    let relative =
        Path::new(name).components().all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    let path = fs_dir.join(name);
    let resolves_inside = || match (std::fs::canonicalize(&path), std::fs::canonicalize(fs_dir)) {
        (Ok(file), Ok(dir)) => file.starts_with(dir),
        // Missing: nothing to read (snapshots often lack asset manifests).
        (Err(_), _) => true,
        (_, Err(_)) => false,
    };
    if relative && resolves_inside() {
        return Some(path);
    }
    problems.push(Problem {
        message: format!("{what}: `{name}` is outside the cloud assembly's folder; not read"),
        path: manifest.to_string(),
        place: None,
    });
    None
}

/// Parses a JSON file of the assembly; a problem becomes a [`Problem`] with its place. A
/// missing file is no problem: snapshots of assemblies are often committed without their asset
/// manifests, and the templates are read all the same.
fn read_json<T: DeserializeOwned>(
    path: &Path,
    cwd: &Path,
    what: &str,
    problems: &mut Vec<Problem>,
) -> Option<T> {
    if !path.exists() {
        return None;
    }
    match read_text(path) {
        Ok(text) => parse_json(text, path, cwd, what, problems),
        Err(message) => {
            let path = display_path(path, cwd);
            problems.push(Problem { message: format!("{what}: {message}"), path, place: None });
            None
        }
    }
}

fn parse_json<T: DeserializeOwned>(
    text: String,
    path: &Path,
    cwd: &Path,
    what: &str,
    problems: &mut Vec<Problem>,
) -> Option<T> {
    match serde_json::from_str(&text) {
        Ok(v) => Some(v),
        Err(e) => {
            let display = display_path(path, cwd);
            let file = SourceFile::new(display.clone(), text);
            let start = file.lines.line_start(e.line()).map_or(0, |s| s + e.column().saturating_sub(1));
            let start = start.min(file.text.len());
            let message = format!("{what}: {e}");
            problems.push(Problem { message, path: display, place: Some((file, start)) });
            None
        }
    }
}

/// Parses a manifest and reads the files it names; `None` when the manifest cannot be parsed.
fn read_assembly(path: &Path, text: String, cwd: &Path, problems: &mut Vec<Problem>) -> Option<Assembly> {
    let manifest: Manifest =
        parse_json(text, path, cwd, "cannot read the CDK cloud assembly manifest", problems)?;
    let fs_dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let manifest_display = display_path(path, cwd);
    let dir = parent_dir(&manifest_display).to_string();
    let mut assembly = Assembly { dir, fs_dir, ..Assembly::default() };
    for artifact in manifest.artifacts.values() {
        match artifact.type_.as_deref() {
            Some("aws:cloudformation:stack") => {
                let mut logical_ids = HashMap::new();
                read_metadata(&artifact.metadata, &mut logical_ids, &mut assembly.traces);
                if let Some(extra) = &artifact.additional_metadata_file {
                    let what = "cannot read CDK metadata";
                    let extra = in_assembly(&assembly.fs_dir, extra, what, &manifest_display, problems);
                    if let Some(metadata) = extra.and_then(|e| read_json::<Metadata>(&e, cwd, what, problems))
                    {
                        read_metadata(&metadata, &mut logical_ids, &mut assembly.traces);
                    }
                }
                if let Some(template) = &artifact.properties.template_file {
                    let what = "the stack's template file";
                    if in_assembly(&assembly.fs_dir, template, what, &manifest_display, problems).is_some() {
                        assembly.stacks.push((template.clone(), logical_ids));
                    }
                }
            }
            Some("cdk:asset-manifest") => {
                let Some(file) = &artifact.properties.file else { continue };
                let what = "cannot read the CDK asset manifest";
                let Some(file) = in_assembly(&assembly.fs_dir, file, what, &manifest_display, problems)
                else {
                    continue;
                };
                if let Some(assets) = read_json::<Assets>(&file, cwd, what, problems) {
                    assembly.nested.extend(nested_templates(&assets));
                }
            }
            _ => {}
        }
    }
    Some(assembly)
}

/// The construct metadata of one stack: `{"/Stack/Role/Resource": [{"type": …, "data": …}]}`.
fn read_metadata(
    metadata: &Metadata,
    logical_ids: &mut HashMap<String, Vec<String>>,
    traces: &mut HashMap<String, Vec<String>>,
) {
    for (path, entries) in metadata.iter() {
        let path = path.strip_prefix('/').unwrap_or(path);
        for entry in entries {
            let frames = match entry.type_.as_deref() {
                Some("aws:cdk:logicalId") => {
                    if let Some(id) = entry.data.as_str() {
                        logical_ids.entry(id.to_string()).or_default().push(path.to_string());
                    }
                    // Older assemblies, and `cdk synth --debug`, trace the logical ID entry.
                    &entry.trace
                }
                Some("aws:cdk:creationStack") => &entry.data,
                _ => continue,
            };
            if let Data::List(frames) = frames
                && !frames.is_empty()
            {
                traces.entry(path.to_string()).or_insert_with(|| frames.clone());
            }
        }
    }
}

/// (object key, template file) for each file asset that is a JSON template: the nested stacks.
fn nested_templates(assets: &Assets) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for asset in assets.files.values() {
        let Some(path) = &asset.source.path else { continue };
        let packaging = asset.source.packaging.as_deref();
        if !path.ends_with(".json") || packaging.is_some_and(|p| p != "file") {
            continue;
        }
        for dest in asset.destinations.values() {
            if let Some(key) = &dest.object_key {
                let key = key.rsplit('/').next().unwrap_or(key).to_string();
                if !out.contains(&(key.clone(), path.clone())) {
                    out.push((key, path.clone()));
                }
            }
        }
    }
    out
}

/// The app source files stack traces name, loaded once each.
struct Sources<'a> {
    cwd: &'a Path,
    /// Where app sources may be read: the scanned roots and the working directory.
    roots: crate::discover::Roots,
    /// Canonical path → the file's id, or `None` when it may not or cannot be read.
    loaded: HashMap<PathBuf, Option<FileId>>,
}

impl Sources<'_> {
    /// The place of the first frame of `frames` that is in the app's own code and readable.
    fn place(&mut self, assembly_dir: &Path, frames: &[String], files: &mut Vec<SourceFile>) -> Option<Loc> {
        let app_dir = assembly_dir.join("..");
        frames.iter().find_map(|frame| {
            let (file, line, column) = frame_place(frame)?;
            let path = if Path::new(file).is_absolute() { PathBuf::from(file) } else { app_dir.join(file) };
            let path = normalise(&path);
            let id = self.load(&path, files)?;
            let file = &files[id];
            Some(Loc::new(id, line_span(file, line, column)?))
        })
    }

    fn load(&mut self, path: &Path, files: &mut Vec<SourceFile>) -> Option<FileId> {
        let canonical = std::fs::canonicalize(path).ok()?;
        if let Some(known) = self.loaded.get(&canonical) {
            return *known;
        }
        // Source code only, inside the scan: a trace cannot make the report print a credentials
        // file an earlier CI step left in the checkout, or anything outside it.
        let source_code = canonical
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| APP_SOURCE_EXTENSIONS.contains(&e));
        let allowed = source_code && self.roots.hold(&canonical);
        let display = display_path(path, self.cwd);
        let id = if !allowed {
            None
        } else if let Some(i) = files.iter().position(|f| f.display == display) {
            Some(i)
        } else {
            read_text(&canonical).ok().map(|text| {
                files.push(SourceFile::new(display, text));
                files.len() - 1
            })
        };
        self.loaded.insert(canonical, id);
        id
    }
}

/// The files a creation stack trace may name: the app's JavaScript or TypeScript.
const APP_SOURCE_EXTENSIONS: &[&str] = &["ts", "js", "mts", "cts", "mjs", "cjs", "tsx", "jsx"];

/// `new BrokenStack (lib/broken-stack.ts:22:23)` → (`lib/broken-stack.ts`, 22, 23); frames in
/// node's own code or in dependencies are not the app's, and elided frames
/// (`...node internals...`) have no place.
fn frame_place(frame: &str) -> Option<(&str, usize, usize)> {
    let frame = frame.trim();
    let frame = frame.strip_prefix("at ").unwrap_or(frame);
    let place = match (frame.rfind('('), frame.strip_suffix(')')) {
        (Some(open), Some(inner)) => &inner[open + 1..],
        _ => frame,
    };
    let (rest, column) = place.rsplit_once(':')?;
    let (file, line) = rest.rsplit_once(':')?;
    let in_dependency = file.contains("/node_modules/") || file.contains("\\node_modules\\");
    if file.is_empty() || file.starts_with("node:") || in_dependency {
        return None;
    }
    Some((file, line.parse().ok()?, column.parse().ok()?))
}

/// From the frame's column to the end of its line, trailing blanks left out.
fn line_span(file: &SourceFile, line: usize, column: usize) -> Option<Span> {
    let start = file.lines.line_start(line)?;
    let text = &file.text[start..];
    let end = start + text.find('\n').unwrap_or(text.len());
    let line_text = file.text[start..end].trim_end();
    let skip = line_text.char_indices().nth(column.saturating_sub(1)).map_or(0, |(i, _)| i);
    let rest = &line_text[skip..];
    let indent = rest.len() - rest.trim_start().len();
    Some(Span::new(start + skip + indent, start + line_text.len()))
}

/// A path with `.` segments dropped and `..` applied where it can be.
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.components().next_back(), Some(Component::Normal(_))) => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_give_the_app_source_place() {
        assert_eq!(
            frame_place("new BrokenStack (lib/broken-stack.ts:22:23)"),
            Some(("lib/broken-stack.ts", 22, 23))
        );
        assert_eq!(
            frame_place("at Object.<anonymous> (/app/bin/app.ts:7:1)"),
            Some(("/app/bin/app.ts", 7, 1))
        );
        assert_eq!(frame_place("/app/lib/x.ts:3:4"), Some(("/app/lib/x.ts", 3, 4)));
        assert_eq!(frame_place("C:\\app\\lib\\x.ts:3:4"), Some(("C:\\app\\lib\\x.ts", 3, 4)));
        assert_eq!(frame_place("new Role (/app/node_modules/aws-cdk-lib/aws-iam/lib/role.js:1:2)"), None);
        assert_eq!(frame_place("Module._compile (node:internal/modules/cjs/loader:1:2)"), None);
        assert_eq!(frame_place("...node internals, ts-node..."), None);
        assert_eq!(frame_place("...new Role2 in aws-cdk-lib..."), None);
    }

    #[test]
    fn spans_run_from_the_column_to_the_end_of_the_line() {
        let file = SourceFile::new("x.ts".into(), "a\n    const r = new iam.Role(this, 'R', {  \nb".into());
        let span = line_span(&file, 2, 15).unwrap();
        assert_eq!(&file.text[span.start..span.end], "new iam.Role(this, 'R', {");
        let span = line_span(&file, 2, 1).unwrap();
        assert_eq!(&file.text[span.start..span.end], "const r = new iam.Role(this, 'R', {");
        assert!(line_span(&file, 9, 1).is_none());
    }

    #[test]
    fn metadata_of_old_and_new_assemblies() {
        let metadata: Metadata = serde_json::from_value(serde_json::json!({
            "/S/Role/Resource": [
                {"type": "aws:cdk:logicalId", "data": "Role1", "trace": ["new S (lib/s.ts:3:5)"]},
            ],
            "/S/Pool": [
                {"type": "aws:cdk:logicalId", "data": "Pool"},
                {"type": "aws:cdk:creationStack", "data": ["new S (lib/s.ts:9:1)"]},
            ],
        }))
        .unwrap();
        let (mut ids, mut traces) = (HashMap::new(), HashMap::new());
        read_metadata(&metadata, &mut ids, &mut traces);
        assert_eq!(ids["Role1"], vec!["S/Role/Resource".to_string()]);
        assert_eq!(traces["S/Role/Resource"], vec!["new S (lib/s.ts:3:5)".to_string()]);
        assert_eq!(traces["S/Pool"], vec!["new S (lib/s.ts:9:1)".to_string()]);
    }

    #[test]
    fn nested_templates_are_named_by_their_object_key() {
        let assets: Assets = serde_json::from_value(serde_json::json!({"files": {
            "abc": {"source": {"path": "P.Nested.nested.template.json", "packaging": "file"},
                    "destinations": {"d": {"bucketName": "b", "objectKey": "abc.json"}}},
            "def": {"source": {"path": "asset.def", "packaging": "zip"},
                    "destinations": {"d": {"bucketName": "b", "objectKey": "def.zip"}}},
        }}))
        .unwrap();
        assert_eq!(
            nested_templates(&assets),
            vec![("abc.json".into(), "P.Nested.nested.template.json".into())]
        );
    }

    #[test]
    fn normalising_applies_parent_segments() {
        assert_eq!(normalise(Path::new("a/cdk.out/../lib/x.ts")), PathBuf::from("a/lib/x.ts"));
        assert_eq!(normalise(Path::new("./../lib/x.ts")), PathBuf::from("../lib/x.ts"));
    }
}
