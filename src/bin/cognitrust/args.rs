//! The command line's definition: subcommands, options and their help, for clap (which also
//! derives `--help`, the completion scripts and the manual page from it).

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use cognitrust::config;

#[derive(Parser)]
#[command(
    name = "cognitrust",
    version,
    about = "Finds broken and insecure Amazon Cognito identity pool role setups in infrastructure as code"
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Subcommand)]
pub(crate) enum Command {
    /// Scan templates for identity pool role mistakes
    Scan(ScanArgs),
    /// List the rules, or explain one
    Rules(RulesArgs),
    /// Write a commented cognitrust.toml in the current folder
    Init {
        /// Overwrite an existing cognitrust.toml
        #[arg(long)]
        force: bool,
    },
    /// Print a completion script for a shell (for example `cognitrust completions bash >
    /// ~/.local/share/bash-completion/completions/cognitrust`)
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page, in roff (`cognitrust man > cognitrust.1; man ./cognitrust.1`)
    Man,
    /// Read and parse the inputs and do nothing else: the floor benchmarks compare a scan to
    #[command(hide = true)]
    Parse {
        #[arg(default_value = ".")]
        paths: Vec<PathBuf>,
    },
}

#[derive(clap::Args)]
pub(crate) struct ScanArgs {
    /// Files or folders to scan
    #[arg(default_value = ".")]
    pub(crate) paths: Vec<PathBuf>,
    /// Report format
    #[arg(short, long, value_enum, default_value_t = Format::Human)]
    pub(crate) format: Format,
    /// Write the report to this file instead of stdout, and say on stderr what it holds
    #[arg(short, long, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
    /// Scan the working directory as a whole, then report only the findings whose place or
    /// related place is in one of PATHS (files or folders in it); input errors are all reported.
    /// The pre-commit hooks pass the staged files
    #[arg(long, conflicts_with_all = ["fix", "diff"])]
    pub(crate) only_paths: bool,
    /// Print how many findings each rule has instead of the findings (human or json format)
    #[arg(long, conflicts_with_all = ["fix", "diff"])]
    pub(crate) statistics: bool,
    /// Print findings and input errors only: no summary, and nothing on stderr but warnings
    /// and errors
    #[arg(short, long)]
    pub(crate) quiet: bool,
    /// Lowest severity that makes the exit status 1 [default: warning, or the config's fail-on]
    #[arg(long, value_enum)]
    pub(crate) fail_on: Option<FailOn>,
    /// Only these rules (comma-separated codes or names)
    #[arg(long, value_delimiter = ',')]
    pub(crate) select: Vec<String>,
    /// Not these rules (comma-separated codes or names)
    #[arg(long, value_delimiter = ',')]
    pub(crate) ignore: Vec<String>,
    /// Read this config file instead of looking for cognitrust.toml
    #[arg(long, conflicts_with = "no_config")]
    pub(crate) config: Option<PathBuf>,
    /// Read no config file
    #[arg(long)]
    pub(crate) no_config: bool,
    /// Also list the findings that suppressions hide
    #[arg(long)]
    pub(crate) show_suppressed: bool,
    /// Ignore every suppression (comments, metadata and config)
    #[arg(long)]
    pub(crate) no_suppress: bool,
    /// Report and fail only on findings this baseline file does not record (`--write-baseline`
    /// writes it) [default: the config's `baseline`]
    #[arg(long, value_name = "FILE", conflicts_with = "no_baseline")]
    pub(crate) baseline: Option<PathBuf>,
    /// Use no baseline, not even the config's
    #[arg(long)]
    pub(crate) no_baseline: bool,
    /// Record the findings in this baseline file instead of reporting them; exit 0, or 2 when
    /// an input could not be analysed
    #[arg(long, value_name = "FILE", conflicts_with_all = ["baseline", "diff", "only_paths", "statistics"])]
    pub(crate) write_baseline: Option<PathBuf>,
    /// Do not honour .gitignore and .ignore files
    #[arg(long)]
    pub(crate) no_ignore_files: bool,
    /// Also evaluate these cfn-guard rule files, or the .guard and .ruleset files of these
    /// folders, on each CloudFormation template (findings `guard:<rule name>`)
    #[arg(long, value_name = "PATH")]
    pub(crate) guard_rules: Vec<PathBuf>,
    /// Apply the fixes that are certain to the files, in place, then report what is left
    #[arg(long, conflicts_with = "diff")]
    pub(crate) fix: bool,
    /// Print the fixes that are certain as a unified diff instead of writing them (exit 1 when
    /// there is one)
    #[arg(long)]
    pub(crate) diff: bool,
    /// Worker threads [default: one per core]
    #[arg(short, long, value_name = "N")]
    pub(crate) jobs: Option<usize>,
    /// When to colour the human report
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub(crate) color: Color,
}

#[derive(clap::Args)]
pub(crate) struct RulesArgs {
    /// A rule code or name to explain
    pub(crate) rule: Option<String>,
    #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
    pub(crate) format: RulesFormat,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum Format {
    /// Each finding with its snippet, help and fix, then a summary (for a terminal or a log)
    Human,
    /// Every finding with its places, help and fix (README "JSON report")
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers
    Sarif,
    /// GitHub Actions workflow commands: an annotation per finding
    Github,
    /// JUnit XML, for Jenkins, AWS CodeBuild and GitLab test reports: a test case per finding
    Junit,
    /// GitLab Code Quality JSON, for merge requests (`artifacts:reports:codequality`)
    Gitlab,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum RulesFormat {
    Text,
    Markdown,
    Json,
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
pub(crate) enum FailOn {
    Error,
    Warning,
    Note,
    Never,
}

impl From<FailOn> for config::FailOn {
    fn from(f: FailOn) -> Self {
        match f {
            FailOn::Error => config::FailOn::Error,
            FailOn::Warning => config::FailOn::Warning,
            FailOn::Note => config::FailOn::Note,
            FailOn::Never => config::FailOn::Never,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum Color {
    /// Colour when stdout is a terminal and NO_COLOR is not set
    Auto,
    Always,
    Never,
}
