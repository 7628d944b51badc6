//! Baselines: `scan --write-baseline FILE` records the findings a report shows (after
//! suppressions) by their [fingerprints](crate::report::fingerprint), and `--baseline FILE` (or
//! the config's `baseline`) hides the findings it records, so that a team adopting cognitrust
//! fails only on new findings. The findings it hides are kept as suppressed findings of kind
//! `baseline`; its entries that no longer match a finding are counted, so that it can shrink.
//!
//! Fingerprints do not hold lines, so a finding moved by an edit above it still matches. Two
//! identical findings (rule, file, resource and span text) differ only by their occurrence, in
//! report order: when one of them is fixed, the one left takes the first occurrence and still
//! matches, and the baseline's second entry is the one that no longer matches.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::options::Options;
use crate::report::fingerprint;
use crate::report::{BaselineCounts, Report};
use crate::suppress::{BASELINE, Suppressed};

/// The version of the file format this build reads and writes.
pub const VERSION: u32 = 1;

/// A baseline file: sorted entries, one per finding, reviewable in a diff.
#[derive(Debug, Serialize, Deserialize)]
struct BaselineFile {
    version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tool: Option<Tool>,
    /// The fingerprint kind the entries hold ([`fingerprint::KIND`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    fingerprints: Option<String>,
    findings: Vec<Entry>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Tool {
    name: String,
    version: String,
}

/// One finding of a baseline: its fingerprint, and for a reviewer its rule, file and resource.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Entry {
    pub file: String,
    pub rule: String,
    pub resource: String,
    pub fingerprint: String,
}

/// A baseline read from its file.
#[derive(Debug, Clone)]
pub struct Baseline {
    /// The file, as reports show paths.
    pub display: String,
    pub entries: Vec<Entry>,
}

/// A baseline that cannot be read, parsed or written.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{}: {}", crate::escape::escape_controls(.display, ""), crate::escape::escape_controls(.message, ""))]
pub struct BaselineError {
    pub display: String,
    pub message: String,
}

/// The baseline options of a scan: `--baseline`, `--write-baseline`, `--no-baseline`.
#[derive(Debug, Clone, Default)]
pub struct Flags {
    pub read: Option<PathBuf>,
    pub write: Option<PathBuf>,
    pub none: bool,
}

/// What [`run`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ran {
    /// No baseline is used.
    Nothing,
    /// A baseline was applied; what to say on stderr after the report, if anything.
    Applied(Option<String>),
    /// A baseline was written instead of a report: how many findings it holds, and the input
    /// errors whose findings it cannot hold (both for stderr; `--quiet` keeps only the errors).
    Wrote { summary: String, errors: String },
}

/// Writes the baseline `flags.write` names, or applies the one `flags.read` or the config names
/// (unless `flags.none`).
pub fn run(report: &mut Report, opts: &Options, flags: &Flags) -> Result<Ran, BaselineError> {
    if let Some(path) = &flags.write {
        let display = crate::source::display_path(path, &opts.cwd);
        crate::write::write_file(path, render(report).as_bytes()).map_err(|e| BaselineError {
            display: display.clone(),
            message: format!("cannot write it: {e}"),
        })?;
        return Ok(Ran::Wrote { summary: written(report, &display), errors: unwritten(report) });
    }
    let path = match (&flags.read, &opts.config.baseline) {
        _ if flags.none => return Ok(Ran::Nothing),
        (Some(path), _) => path,
        (None, Some(path)) => {
            config_baseline_inside(path, opts)?;
            path
        }
        (None, None) => return Ok(Ran::Nothing),
    };
    let baseline = Baseline::read(path, &opts.cwd)?;
    apply(report, &baseline, opts);
    Ok(Ran::Applied(stale_note(report)))
}

/// Refuses a baseline the config names outside the config file's folder, before anything there
/// is opened: the config may come with the change under review, and must not make a scan read,
/// and quote in its errors, a file elsewhere on the machine (`baseline = "/home/runner/…"`,
/// `"../../…"`, or a link that leads out). Whether such a file exists is not said either.
/// `--baseline` is the user's own and may name any file.
fn config_baseline_inside(path: &Path, opts: &Options) -> Result<(), BaselineError> {
    let refused = || BaselineError {
        display: crate::source::display_path(path, &opts.cwd),
        message: "the config's `baseline` must name a file inside the config file's folder; not read \
                  (`--baseline` reads a baseline kept elsewhere)"
            .into(),
    };
    let Some(base) = opts.config.base() else { return Err(refused()) };
    // Lexically: not absolute, no `..`.
    let Ok(rel) = path.strip_prefix(base) else { return Err(refused()) };
    if rel.components().any(|c| !matches!(c, std::path::Component::Normal(_))) {
        return Err(refused());
    }
    // Through links: the file, or when it does not exist (yet) the nearest folder above it that
    // does, resolves inside (a link whose target is missing resolves nowhere).
    let folder = crate::discover::Roots::new(&[base.to_path_buf()]);
    let nearest = path.ancestors().find(|p| p.as_os_str().is_empty() || std::fs::symlink_metadata(p).is_ok());
    let resolves_inside = match nearest {
        Some(p) if !p.as_os_str().is_empty() => folder.contain(p),
        _ => true,
    };
    if resolves_inside { Ok(()) } else { Err(refused()) }
}

impl Baseline {
    /// Reads and parses a baseline file; `cwd` only names it in messages.
    pub fn read(path: &Path, cwd: &Path) -> Result<Baseline, BaselineError> {
        let display = crate::source::display_path(path, cwd);
        let bytes = crate::read::read_file(path).map(|r| r.bytes).map_err(|e| BaselineError {
            display: display.clone(),
            message: format!("cannot read the baseline: {e} (`--write-baseline {display}` writes one)"),
        })?;
        let text = String::from_utf8(bytes).map_err(|e| BaselineError {
            display: display.clone(),
            message: format!("not a baseline: invalid UTF-8 at byte {}", e.utf8_error().valid_up_to()),
        })?;
        Baseline::parse(&text, display)
    }

    /// Parses a baseline's text.
    pub fn parse(text: &str, display: String) -> Result<Baseline, BaselineError> {
        let error = |message: String| BaselineError { display: display.clone(), message };
        let file: BaselineFile =
            serde_json::from_str(text).map_err(|e| error(format!("not a cognitrust baseline: {e}")))?;
        if file.version != VERSION {
            return Err(error(format!(
                "baseline version {} is not one this cognitrust reads ({VERSION})",
                file.version
            )));
        }
        if let Some(kind) = file.fingerprints.as_deref().filter(|k| *k != fingerprint::KIND) {
            return Err(error(format!(
                "its fingerprints are `{kind}`, this cognitrust computes `{}`: rewrite it with \
                 `--write-baseline {display}`",
                fingerprint::KIND
            )));
        }
        Ok(Baseline { entries: file.findings, display })
    }
}

/// The entries of a report's findings, sorted by file, rule, resource and fingerprint.
pub fn entries(report: &Report) -> Vec<Entry> {
    let mut entries: Vec<Entry> = report.findings.iter().map(|f| entry_of(&report.files, f)).collect();
    entries.sort();
    entries
}

/// The baseline file of a report's findings, pretty-printed JSON ending in a newline.
pub fn render(report: &Report) -> String {
    let file = BaselineFile {
        version: VERSION,
        tool: Some(Tool { name: "cognitrust".into(), version: env!("CARGO_PKG_VERSION").into() }),
        fingerprints: Some(fingerprint::KIND.into()),
        findings: entries(report),
    };
    let mut text = crate::escape::to_json_pretty(&file).unwrap_or_default();
    text.push('\n');
    text
}

/// The entry of a finding: what the baseline records of it.
fn entry_of(files: &[crate::source::SourceFile], f: &crate::rules::Finding) -> Entry {
    Entry {
        file: files[f.loc.file].display.clone(),
        rule: f.rule.code.to_string(),
        resource: f.resource.clone(),
        fingerprint: f.fingerprint.clone(),
    }
}

/// Hides the findings the baseline records: they move to [`Report::suppressed`] with kind
/// [`BASELINE`], and the summary counts them and the entries that no longer match. An entry matches
/// a finding only when its file, rule and resource are the finding's too, not by fingerprint
/// alone: what a reviewer reads in the file is what it accepts. Apply it to the whole scan's
/// report, before `--only-paths` cuts it down, so that entries of files outside the paths are
/// not counted as no longer matching.
pub fn apply(report: &mut Report, baseline: &Baseline, opts: &Options) {
    let recorded: BTreeSet<&Entry> = baseline.entries.iter().collect();
    let reason = format!("in the baseline {}", baseline.display);
    let mut matched: BTreeSet<Entry> = BTreeSet::new();
    let (mut hidden, mut kept) = (Vec::new(), Vec::new());
    for f in std::mem::take(&mut report.findings) {
        let entry = entry_of(&report.files, &f);
        if recorded.contains(&entry) {
            matched.insert(entry);
            hidden.push(f);
        } else {
            kept.push(f);
        }
    }
    report.findings = kept;
    let reach = Reach::new(report, opts);
    let stale = recorded.iter().filter(|e| !matched.contains(**e) && reach.covers(e)).count();
    report.summary.findings = report.findings.len();
    report.summary.suppressed += hidden.len();
    report.summary.baseline = Some(BaselineCounts {
        file: baseline.display.clone(),
        entries: recorded.len(),
        matched: hidden.len(),
        stale,
    });
    let suppressed =
        hidden.into_iter().map(|finding| Suppressed { finding, kind: BASELINE, reason: reason.clone() });
    report.suppressed.extend(suppressed);
}

/// Which baseline entries this scan could have matched: the rule ran, and the file was scanned
/// and analysed, or it is gone from a scanned folder. An entry of a file outside the paths
/// scanned, or of a rule `--select` left out, is not counted as no longer matching.
struct Reach {
    analysed: HashSet<String>,
    rules: HashSet<&'static str>,
    guard: Vec<&'static crate::rules::Rule>,
    roots: Vec<PathBuf>,
    cwd: PathBuf,
    select: Vec<String>,
    ignore: Vec<String>,
}

impl Reach {
    fn new(report: &Report, opts: &Options) -> Reach {
        let broken: HashSet<&str> = report.errors.iter().filter_map(|e| e.path.as_deref()).collect();
        let analysed =
            report.files.iter().map(|f| f.display.clone()).filter(|d| !broken.contains(d.as_str())).collect();
        let rules =
            crate::selection::selected_rules(&opts.select, &opts.ignore).iter().map(|r| r.code).collect();
        Reach {
            analysed,
            rules,
            guard: report.guard_rules.clone(),
            roots: opts.paths.iter().map(|p| opts.cwd.join(p)).collect(),
            cwd: opts.cwd.clone(),
            select: opts.select.clone(),
            ignore: opts.ignore.clone(),
        }
    }

    fn covers(&self, entry: &Entry) -> bool {
        let rule_ran = self.rules.contains(entry.rule.as_str())
            || (self.guard.iter().any(|r| r.code == entry.rule)
                && crate::selection::guard_selected(&entry.rule, &self.select, &self.ignore));
        if !rule_ran {
            return false;
        }
        if self.analysed.contains(&entry.file) {
            return true;
        }
        // The textual test first: an entry's path is only looked at on disk when it lies in a
        // scanned folder (a committed baseline may name `//host/share/x`).
        let path = self.cwd.join(&entry.file);
        self.roots.iter().any(|root| path.starts_with(root)) && !path.exists()
    }
}

/// "3 baseline entries no longer match; …" when some do.
pub(crate) fn stale_note(report: &Report) -> Option<String> {
    let counts = report.summary.baseline.as_ref().filter(|c| c.stale > 0)?;
    let (entries, verb) = if counts.stale == 1 { ("entry", "matches") } else { ("entries", "match") };
    let file = crate::escape::escape_controls(&counts.file, "");
    let mut note = format!(
        "{} baseline {entries} no longer {verb}; `--write-baseline {file}` rewrites it",
        counts.stale
    );
    if counts.matched == 0 && counts.stale == counts.entries {
        note.push_str(
            "\n  hint: fingerprints hold paths relative to the working directory: scan from the \
             folder the baseline was written in",
        );
    }
    Some(note)
}

/// What `--write-baseline` says: how many findings it recorded.
fn written(report: &Report, display: &str) -> String {
    let n = report.findings.len();
    format!(
        "wrote {n} finding{} to the baseline {}\n",
        if n == 1 { "" } else { "s" },
        crate::escape::escape_controls(display, "")
    )
}

/// The inputs `--write-baseline` could not analyse, whose findings the baseline does not hold.
fn unwritten(report: &Report) -> String {
    let mut text = String::new();
    for e in &report.errors {
        let path = e.path.as_deref().map(|p| format!("{}: ", crate::escape::escape_controls(p, "")));
        text.push_str(&format!(
            "error: {}{}\n",
            path.unwrap_or_default(),
            crate::escape::escape_controls(&e.message, "")
        ));
    }
    if !report.errors.is_empty() {
        text.push_str(
            "  hint: what these inputs hide was not checked, so it is not in the baseline: fix them \
             and write it again\n",
        );
    }
    text
}

#[cfg(test)]
mod tests;
