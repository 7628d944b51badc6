//! The `cognitrust` command line: argument parsing, choosing a renderer, exit codes.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use cognitrust::rules::{RULES, Rule, Severity};
use cognitrust::{Options, Report, report};

#[derive(Parser)]
#[command(
    name = "cognitrust",
    version,
    about = "Finds broken and insecure Amazon Cognito identity pool role setups in infrastructure as code"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Scan templates for identity pool role mistakes
    Scan(ScanArgs),
    /// List the rules, or explain one
    Rules(RulesArgs),
}

#[derive(clap::Args)]
struct ScanArgs {
    /// Files or folders to scan
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    #[arg(short, long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Write the report to this file instead of stdout
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Lowest severity that makes the exit status 1
    #[arg(long, value_enum, default_value_t = FailOn::Warning)]
    fail_on: FailOn,
    /// Only these rules (comma-separated codes or names)
    #[arg(long, value_delimiter = ',')]
    select: Vec<String>,
    /// Not these rules (comma-separated codes or names)
    #[arg(long, value_delimiter = ',')]
    ignore: Vec<String>,
    /// Do not honour .gitignore and .ignore files
    #[arg(long)]
    no_ignore_files: bool,
    /// Worker threads (default: all cores)
    #[arg(short, long, default_value_t = 0)]
    jobs: usize,
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
}

#[derive(clap::Args)]
struct RulesArgs {
    /// A rule code or name to explain
    rule: Option<String>,
    #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
    format: RulesFormat,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Human,
    Json,
    Sarif,
    Github,
}

#[derive(Clone, Copy, ValueEnum)]
enum RulesFormat {
    Text,
    Markdown,
    Json,
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
enum FailOn {
    Error,
    Warning,
    Note,
    Never,
}

#[derive(Clone, Copy, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Scan(args) => scan(args),
        Command::Rules(args) => rules(args),
    }
}

fn scan(args: ScanArgs) -> ExitCode {
    let unknown: Vec<&String> =
        args.select.iter().chain(&args.ignore).filter(|s| cognitrust::rules::find(s).is_none()).collect();
    if let Some(bad) = unknown.first() {
        eprintln!("error: unknown rule `{bad}` (see `cognitrust rules`)");
        return ExitCode::from(2);
    }
    let mut opts = Options::new(args.paths);
    opts.select = args.select;
    opts.ignore = args.ignore;
    opts.honour_ignore_files = !args.no_ignore_files;
    opts.jobs = args.jobs;
    let report = cognitrust::scan(&opts);
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => to_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    };
    let text = match args.format {
        Format::Human => report::human::render(&report, color),
        Format::Json => report::json::render(&report),
        Format::Sarif => report::sarif::render(&report),
        Format::Github => report::github::render(&report),
    };
    if let Err(e) = write_output(args.output.as_ref(), &text) {
        eprintln!("error: cannot write the report: {e}");
        return ExitCode::from(2);
    }
    ExitCode::from(exit_status(&report, args.fail_on))
}

fn write_output(path: Option<&PathBuf>, text: &str) -> std::io::Result<()> {
    match path {
        Some(p) => std::fs::write(p, text),
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())?;
            out.flush()
        }
    }
}

/// 2 when an input could not be analysed, else 1 when a finding reaches `fail_on`, else 0.
fn exit_status(report: &Report, fail_on: FailOn) -> u8 {
    if !report.errors.is_empty() {
        return 2;
    }
    let threshold = match fail_on {
        FailOn::Error => Severity::Error,
        FailOn::Warning => Severity::Warning,
        FailOn::Note => Severity::Note,
        FailOn::Never => return 0,
    };
    u8::from(report.findings.iter().any(|f| f.severity >= threshold))
}

fn rules(args: RulesArgs) -> ExitCode {
    let chosen: Vec<&Rule> = match &args.rule {
        Some(name) => match cognitrust::rules::find(name) {
            Some(rule) => vec![rule],
            None => {
                eprintln!("error: unknown rule `{name}`");
                return ExitCode::from(2);
            }
        },
        None => RULES.to_vec(),
    };
    let explain = args.rule.is_some();
    let text = match args.format {
        RulesFormat::Json => cognitrust::report::rules::json(&chosen),
        RulesFormat::Markdown => {
            chosen.iter().map(|r| cognitrust::report::rules::markdown(r)).collect::<Vec<_>>().join("\n")
        }
        RulesFormat::Text if explain => cognitrust::report::rules::markdown(chosen[0]),
        RulesFormat::Text => cognitrust::report::rules::table(&chosen),
    };
    print!("{text}");
    ExitCode::SUCCESS
}
