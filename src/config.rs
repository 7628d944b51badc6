//! `cognitrust.toml` / `.cognitrust.toml`: found from the working directory up to the
//! repository root (or given with `--config`), read with spans so that unknown keys and bad
//! values point at their place in the file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobMatcher};
use serde::Deserialize;
use toml::Spanned;

use crate::rules::{Rule, Severity};

/// File names looked for, in order, in each folder.
pub const FILE_NAMES: &[&str] = &["cognitrust.toml", ".cognitrust.toml"];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    fail_on: Option<Spanned<String>>,
    select: Option<Vec<Spanned<String>>>,
    ignore: Option<Vec<Spanned<String>>>,
    severity: Option<BTreeMap<String, Spanned<String>>>,
    exclude: Option<Vec<Spanned<String>>>,
    suppress: Option<Vec<Spanned<RawSuppress>>>,
    baseline: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSuppress {
    rule: Spanned<String>,
    path: Option<Spanned<String>>,
    resource: Option<Spanned<String>>,
    reason: Option<Spanned<String>>,
}

/// The lowest severity that fails a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    Error,
    Warning,
    Note,
    Never,
}

impl FailOn {
    pub fn parse(text: &str) -> Option<FailOn> {
        match text {
            "error" => Some(FailOn::Error),
            "warning" => Some(FailOn::Warning),
            "note" => Some(FailOn::Note),
            "never" => Some(FailOn::Never),
            _ => None,
        }
    }

    /// The severity at or above which a finding fails the run, if any does.
    pub fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Note => Some(Severity::Note),
            FailOn::Never => None,
        }
    }
}

/// A `[[suppress]]` entry.
#[derive(Debug, Clone)]
pub struct ConfigSuppression {
    pub rule: &'static Rule,
    pub path: Option<GlobMatcher>,
    pub resource: Option<String>,
    pub reason: String,
    /// Byte span of the entry in the config file.
    pub span: std::ops::Range<usize>,
}

/// A read configuration.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The file it was read from, and its text (for placing unused-suppression notes).
    pub source: Option<(PathBuf, String)>,
    pub fail_on: Option<FailOn>,
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub severity: Vec<(&'static Rule, Severity)>,
    /// Path globs, relative to the config file's folder, of files not to scan.
    pub exclude: Vec<GlobMatcher>,
    pub suppress: Vec<ConfigSuppression>,
    /// The baseline file (`baseline = "…"`, relative to the config file's folder).
    pub baseline: Option<PathBuf>,
}

/// A problem in a config file, with its place.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct ConfigError {
    pub path: PathBuf,
    pub text: String,
    pub message: String,
    pub span: Option<std::ops::Range<usize>>,
}

impl Config {
    /// The folder paths in the config are relative to.
    pub fn base(&self) -> Option<&Path> {
        self.source.as_ref().and_then(|(p, _)| p.parent())
    }

    /// Whether a file (as an absolute or cwd-relative path) is excluded.
    pub(crate) fn excludes(&self, path: &Path) -> bool {
        let Some(base) = self.base() else { return false };
        let rel = relative(path, base);
        self.exclude.iter().any(|g| g.is_match(&rel))
    }

    /// Reads and checks a config file.
    pub fn read(path: &Path) -> Result<Config, ConfigError> {
        let text = read_text(path)?;
        let file = ConfigFile { path, text: &text };
        let raw: RawConfig =
            toml::from_str(&text).map_err(|e| file.err(e.message().trim().to_string(), e.span()))?;
        let mut config = Config { source: Some((path.to_path_buf(), text.clone())), ..Config::default() };
        if let Some(f) = &raw.fail_on {
            config.fail_on = Some(FailOn::parse(f.get_ref()).ok_or_else(|| {
                file.err(
                    format!("`fail-on` must be error, warning, note or never, not `{}`", f.get_ref()),
                    Some(f.span()),
                )
            })?);
        }
        for s in raw.select.iter().flatten() {
            config.select.push(file.rule(s)?.code.to_string());
        }
        for s in raw.ignore.iter().flatten() {
            config.ignore.push(file.rule(s)?.code.to_string());
        }
        for (code, sev) in raw.severity.iter().flatten() {
            config.severity.push(file.severity(code, sev)?);
        }
        for g in raw.exclude.iter().flatten() {
            config.exclude.push(glob(g).map_err(|m| file.err(m, Some(g.span())))?);
        }
        if let Some(b) = &raw.baseline {
            if b.get_ref().trim().is_empty() {
                return Err(file.err("`baseline` names a file: it is empty".into(), Some(b.span())));
            }
            let base = path.parent().unwrap_or(Path::new(""));
            config.baseline = Some(base.join(b.get_ref()));
        }
        for entry in raw.suppress.iter().flatten() {
            config.suppress.push(file.suppression(entry)?);
        }
        Ok(config)
    }

    /// The config file for a run started in `cwd`: the first `cognitrust.toml` or
    /// `.cognitrust.toml` from `cwd` up to the repository root (the nearest folder holding
    /// `.git`). Outside a repository only `cwd` is looked in: a config in some parent folder
    /// (a shared temporary folder, a home) is not the project's and could exclude everything.
    pub fn discover(cwd: &Path) -> Option<PathBuf> {
        let root = cwd.ancestors().find(|dir| dir.join(".git").exists());
        let searched =
            cwd.ancestors().take(root.map_or(1, |r| cwd.ancestors().take_while(|d| d != &r).count() + 1));
        for dir in searched {
            for name in FILE_NAMES {
                let candidate = dir.join(name);
                if candidate.is_file() {
                    return Some(candidate);
                }
            }
        }
        None
    }

    /// The severity `[severity]` sets for a rule, if it sets one.
    pub(crate) fn severity_of(&self, rule: &Rule) -> Option<Severity> {
        self.severity.iter().find(|(r, _)| r.code == rule.code).map(|(_, s)| *s)
    }
}

fn glob(pattern: &Spanned<String>) -> Result<GlobMatcher, String> {
    let text = pattern.get_ref();
    Glob::new(text.trim_start_matches("./"))
        .map(|g| g.compile_matcher())
        .map_err(|e| format!("bad glob `{text}`: {e}"))
}

/// The text of a config file, or why it cannot be read.
fn read_text(path: &Path) -> Result<String, ConfigError> {
    crate::read::read_file(path)
        .and_then(|r| {
            String::from_utf8(r.bytes)
                .map_err(|e| format!("invalid UTF-8 at byte {}", e.utf8_error().valid_up_to()))
        })
        .map_err(|e| ConfigError {
            path: path.to_path_buf(),
            text: String::new(),
            message: format!("cannot read the config file: {e}"),
            span: None,
        })
}

/// A config file being read: its errors carry its path and text, for a snippet.
struct ConfigFile<'a> {
    path: &'a Path,
    text: &'a str,
}

impl ConfigFile<'_> {
    fn err(&self, message: String, span: Option<std::ops::Range<usize>>) -> ConfigError {
        ConfigError { path: self.path.to_path_buf(), text: self.text.to_string(), message, span }
    }

    fn rule(&self, s: &Spanned<String>) -> Result<&'static Rule, ConfigError> {
        crate::selection::find(s.get_ref())
            .ok_or_else(|| self.err(format!("unknown rule `{}`", s.get_ref()), Some(s.span())))
    }

    /// One line of `[severity]`: a rule and the severity it gets.
    fn severity(&self, code: &str, sev: &Spanned<String>) -> Result<(&'static Rule, Severity), ConfigError> {
        let rule = crate::selection::find(code)
            .ok_or_else(|| self.err(format!("unknown rule `{code}` in [severity]"), Some(sev.span())))?;
        let severity = match sev.get_ref().as_str() {
            "error" => Severity::Error,
            "warning" => Severity::Warning,
            "note" => Severity::Note,
            other => {
                return Err(self
                    .err(format!("a severity is error, warning or note, not `{other}`"), Some(sev.span())));
            }
        };
        Ok((rule, severity))
    }

    /// One `[[suppress]]` entry: a rule, a path glob and/or a resource, and a reason.
    fn suppression(&self, entry: &Spanned<RawSuppress>) -> Result<ConfigSuppression, ConfigError> {
        let span = entry.span();
        let s = entry.get_ref();
        let reason = match &s.reason {
            Some(r) if !r.get_ref().trim().is_empty() => r.get_ref().trim().to_string(),
            Some(r) => {
                return Err(
                    self.err("a suppression needs a reason: `reason` is empty".into(), Some(r.span()))
                );
            }
            None => return Err(self.err("a suppression needs a `reason`".into(), Some(span))),
        };
        if s.path.is_none() && s.resource.is_none() {
            return Err(
                self.err("a suppression names a `path` glob, a `resource`, or both".into(), Some(span))
            );
        }
        let path = match &s.path {
            Some(p) => Some(glob(p).map_err(|m| self.err(m, Some(p.span())))?),
            None => None,
        };
        Ok(ConfigSuppression {
            rule: self.rule(&s.rule)?,
            path,
            resource: s.resource.as_ref().map(|r| r.get_ref().clone()),
            reason,
            span,
        })
    }
}

/// `path` relative to `base` with forward slashes, or as given when it is not below it.
pub fn relative(path: &Path, base: &Path) -> String {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().map(|c| c.join(path)).unwrap_or_else(|_| path.to_path_buf())
    };
    let base = std::fs::canonicalize(base).unwrap_or_else(|_| base.to_path_buf());
    let absolute = std::fs::canonicalize(&absolute).unwrap_or(absolute);
    absolute.strip_prefix(&base).unwrap_or(&absolute).to_string_lossy().replace('\\', "/")
}

/// The starting file `cognitrust init` writes; its first line links Cargo.toml's `repository`.
pub const STARTER: &str = concat!(
    "# cognitrust configuration: ",
    env!("CARGO_PKG_REPOSITORY"),
    "#configuration-and-suppressions\n",
    r#"# Keys may appear in any order; unknown keys are errors.

# Lowest severity that makes `cognitrust scan` exit 1: error, warning, note or never.
# fail-on = "warning"

# Run only these rules (codes or names), or all but these.
# select = ["CT101", "trust-no-aud"]
# ignore = ["CT208"]

# Change the severity of a rule: error, warning or note.
# [severity]
# CT110 = "error"

# Files not to scan, as globs relative to this file's folder.
# exclude = ["cdk.out/asset.*/**", "legacy/**"]

# Fail only on findings not in this baseline (relative to this file's folder);
# `cognitrust scan --write-baseline .cognitrust-baseline.json` writes it.
# baseline = ".cognitrust-baseline.json"

# Deliberate exceptions. Each names the rule, a path glob and/or a resource (a logical ID or
# a Terraform address), and why. A suppression that matches nothing is reported as a note.
# [[suppress]]
# rule = "CT209"
# path = "infra/rum.tf"
# resource = "aws_cognito_identity_pool.rum"
# reason = "CloudWatch RUM's web client uses the basic flow"
"#
);
