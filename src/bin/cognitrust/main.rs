//! The `cognitrust` command line: argument parsing, config discovery, choosing a renderer,
//! exit codes.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{CommandFactory, Parser, ValueEnum};

use cognitrust::config::{self, Config, ConfigError};
use cognitrust::rules::{RULES, Rule};
use cognitrust::{Options, Report, report};

mod args;

use args::{Cli, Color, Command, Format, RulesArgs, RulesFormat, ScanArgs};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Scan(args) => scan(args),
        Command::Rules(args) => rules(args),
        Command::Init { force } => init(force),
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "cognitrust", &mut script);
            print_bytes(&script, "the completion script")
        }
        Command::Man => {
            let mut page = Vec::new();
            match clap_mangen::Man::new(Cli::command()).render(&mut page) {
                Ok(()) => print_bytes(&page, "the manual page"),
                Err(e) => {
                    eprintln!("error: cannot render the manual page: {e}");
                    ExitCode::from(2)
                }
            }
        }
        Command::Parse { paths } => {
            let stats = cognitrust::parse_only(&Options::new(paths));
            println!(
                "{} files, {} parsed, {} bytes, {} errors",
                stats.files, stats.parsed, stats.bytes, stats.errors
            );
            ExitCode::SUCCESS
        }
    }
}

fn scan(args: ScanArgs) -> ExitCode {
    if let Err(message) = check_scan_args(&args) {
        eprintln!("error: {message}");
        return ExitCode::from(2);
    }
    let cwd = std::env::current_dir().unwrap_or_default();
    let config = match load_config(&args, &cwd) {
        Ok(c) => c,
        Err(e) => {
            eprint!("{}", report::human::render_config_error(&e, &cwd));
            return ExitCode::from(2);
        }
    };
    let fail_on =
        args.fail_on.map(config::FailOn::from).or(config.fail_on).unwrap_or(config::FailOn::Warning);
    let scope = match args.only_paths.then(|| cognitrust::scope::Scope::new(&args.paths, &cwd)) {
        Some(Err(message)) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
        Some(Ok(scope)) => Some(scope),
        None => None,
    };
    let opts = options(&args, cwd, config);
    if args.diff {
        return diff(&opts);
    }
    let mut report = if args.fix {
        let (report, run) = cognitrust::scan_and_fix(&opts);
        if !args.quiet {
            eprintln!("{}", fixed_summary(&run, &report));
        }
        report
    } else {
        cognitrust::scan(&opts)
    };
    let baseline_note = match baseline(&args, &mut report, &opts) {
        Ok(note) => note,
        Err(code) => return code,
    };
    if let Some(scope) = &scope {
        scope.apply(&mut report, &opts.cwd);
    }
    let text = render(&args, &report, fail_on);
    if let Err(e) = write_output(args.output.as_ref(), &text) {
        eprintln!("error: cannot write the report: {e}");
        return ExitCode::from(2);
    }
    if let Some(path) = args.output.as_ref().filter(|_| !args.quiet) {
        eprintln!("{}", written_summary(&args, path, &report));
    }
    if let Some(note) = baseline_note.filter(|_| !args.quiet) {
        eprintln!("{note}");
    }
    warn_if_nothing_was_checked(&report);
    ExitCode::from(exit_status(&report, fail_on))
}

/// A scan that found nothing to check passes, and the report alone would not say why.
fn warn_if_nothing_was_checked(report: &Report) {
    if report.summary.templates == 0 && report.errors.is_empty() {
        eprintln!(
            "warning: no CloudFormation or SAM template, Terraform module or plan, CDK cloud assembly or \
             Serverless Framework service was found ({} files looked at)\n  hint: name the folder that \
             holds them; for a CDK app run `cdk synth` first; files your .gitignore lists are skipped \
             (--no-ignore-files reads them)",
            report.summary.files_scanned
        );
    }
}

/// `--baseline`/`--write-baseline` (or the config's `baseline`) on a finished report: what to say
/// once the report is out, or the exit status when the run ends here (a baseline written, or
/// one that cannot be read).
fn baseline(args: &ScanArgs, report: &mut Report, opts: &Options) -> Result<Option<String>, ExitCode> {
    let flags = cognitrust::baseline::Flags {
        read: args.baseline.clone(),
        write: args.write_baseline.clone(),
        none: args.no_baseline,
    };
    match cognitrust::baseline::run(report, opts, &flags) {
        Ok(cognitrust::baseline::Ran::Wrote { summary, errors }) => {
            if !args.quiet {
                eprint!("{summary}");
            }
            eprint!("{errors}");
            Err(ExitCode::from(exit_status(report, config::FailOn::Never)))
        }
        Ok(cognitrust::baseline::Ran::Applied(note)) => Ok(note),
        Ok(cognitrust::baseline::Ran::Nothing) => Ok(None),
        Err(e) => {
            eprintln!("error: {e}");
            Err(ExitCode::from(2))
        }
    }
}

/// What clap cannot check: rule names, a Guard build, `--statistics` formats.
fn check_scan_args(args: &ScanArgs) -> Result<(), String> {
    let unknown = args.select.iter().chain(&args.ignore).find(|s| cognitrust::selection::find(s).is_none());
    if let Some(bad) = unknown {
        return Err(format!("unknown rule `{bad}` (see `cognitrust rules`)"));
    }
    if !args.guard_rules.is_empty() && !cfg!(feature = "guard") {
        return Err("`--guard-rules`: cognitrust was built without Guard support (rebuild with the default \
                    `guard` feature)"
            .into());
    }
    if args.statistics && !matches!(args.format, Format::Human | Format::Json) {
        return Err(format!("`--statistics` prints human or json, not {}", format_name(args.format)));
    }
    Ok(())
}

/// The scan's options: the paths (the working directory as a whole under `--only-paths`), the
/// rules the config and the flags choose, and the config itself.
fn options(args: &ScanArgs, cwd: PathBuf, config: Config) -> Options {
    let paths = if args.only_paths { vec![PathBuf::from(".")] } else { args.paths.clone() };
    let mut opts = Options::new(paths);
    opts.cwd = cwd;
    opts.select = if args.select.is_empty() { config.select.clone() } else { args.select.clone() };
    opts.ignore = config.ignore.iter().cloned().chain(args.ignore.iter().cloned()).collect();
    opts.honour_ignore_files = !args.no_ignore_files;
    opts.jobs = args.jobs.unwrap_or(0);
    opts.no_suppress = args.no_suppress;
    opts.guard_rules = args.guard_rules.clone();
    opts.config = config;
    opts
}

/// The report in the chosen format, or the counts per rule under `--statistics`.
fn render(args: &ScanArgs, report: &Report, fail_on: config::FailOn) -> String {
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => to_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    };
    if args.statistics {
        return match args.format {
            Format::Json => report::stats::json(report),
            _ => report::stats::table(report),
        };
    }
    match args.format {
        Format::Human => {
            // A terminal's own width; a log or a file the same everywhere.
            let width = terminal_size::terminal_size()
                .filter(|_| to_terminal)
                .map_or(report::human::WIDTH, |(w, _)| usize::from(w.0));
            let style = report::human::Style {
                color,
                show_suppressed: args.show_suppressed,
                width,
                summary: !args.quiet,
            };
            report::human::render_with(report, &style)
        }
        Format::Json => report::json::render_with(report, args.show_suppressed),
        Format::Sarif => report::sarif::render_with(report, args.show_suppressed),
        Format::Github => report::github::render(report),
        Format::Junit => report::junit::render(report, fail_on.threshold()),
        Format::Gitlab => report::gitlab::render(report),
    }
}

/// `-o FILE`'s line on stderr: "wrote the sarif report to out.sarif: 3 findings (1 error, ...)".
fn written_summary(args: &ScanArgs, path: &Path, report: &Report) -> String {
    let count = |s: cognitrust::rules::Severity| report.findings.iter().filter(|f| f.severity == s).count();
    let mut line = format!(
        "wrote the {} report to {}: {} ({}, {}, {})",
        if args.statistics { "statistics".to_owned() } else { format_name(args.format) },
        cognitrust::escape::escape_controls(&path.display().to_string(), ""),
        plural(report.findings.len(), "finding"),
        plural(count(cognitrust::rules::Severity::Error), "error"),
        plural(count(cognitrust::rules::Severity::Warning), "warning"),
        plural(count(cognitrust::rules::Severity::Note), "note"),
    );
    if !report.errors.is_empty() {
        line.push_str(&format!("; {} could not be analysed", plural(report.errors.len(), "input")));
    }
    line
}

/// The name `--format` takes for `format`.
fn format_name(format: Format) -> String {
    format.to_possible_value().map(|v| v.get_name().to_owned()).unwrap_or_default()
}

/// `--diff`: the certain fixes of one scan as a unified diff on stdout; exit 1 when there is one.
fn diff(opts: &Options) -> ExitCode {
    let report = cognitrust::scan(opts);
    let (fixed, unread) = cognitrust::fix::apply(report.fixes(), &report.files);
    for e in &unread {
        let path = e.path.as_deref().map(|p| cognitrust::escape::escape_controls(p, "").into_owned());
        eprintln!("error: {}: {}", path.unwrap_or_default(), e.message);
    }
    let text = cognitrust::fix::diff(&fixed, &report.files);
    if let Err(e) = write_output(None, &text) {
        eprintln!("error: cannot write the diff: {e}");
        return ExitCode::from(2);
    }
    let fixes: usize = fixed.iter().map(|f| f.fixes).sum();
    eprintln!(
        "would fix {} in {} (`--fix` writes them)",
        plural(fixes, "finding"),
        plural(fixed.len(), "file")
    );
    if !report.errors.is_empty() || !unread.is_empty() {
        ExitCode::from(2)
    } else {
        ExitCode::from(u8::from(fixes > 0))
    }
}

/// "fixed 3 findings in 2 files; 1 left": what `--fix` did, for stderr.
fn fixed_summary(run: &cognitrust::FixRun, report: &Report) -> String {
    let mut text = format!("fixed {} in {}", plural(run.fixed, "finding"), plural(run.files.len(), "file"));
    let fixable = report.findings.iter().filter(|f| f.fix.as_ref().is_some_and(|x| !x.applicable())).count();
    if fixable > 0 {
        let (it, is) = if fixable == 1 { ("it", "is") } else { ("they", "are") };
        text.push_str(&format!(
            "; {} not applied because {it} {is} not certain (the report says why)",
            plural(fixable, "fix")
        ));
    }
    text
}

fn plural(n: usize, what: &str) -> String {
    let ending = if n == 1 {
        ""
    } else if what.ends_with('x') {
        "es"
    } else {
        "s"
    };
    format!("{n} {what}{ending}")
}

/// `--config`, `--no-config`, or the first cognitrust.toml from the working directory up.
fn load_config(args: &ScanArgs, cwd: &Path) -> Result<Config, ConfigError> {
    if args.no_config {
        return Ok(Config::default());
    }
    match args.config.clone().or_else(|| Config::discover(cwd)) {
        Some(path) => Config::read(&path),
        None => Ok(Config::default()),
    }
}

/// `bytes` on stdout; a closed pipe (`| head`) or a full disk is an error, never a panic.
fn print_bytes(bytes: &[u8], what: &str) -> ExitCode {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: cannot write {what}: {e}");
            ExitCode::from(2)
        }
    }
}

fn write_output(path: Option<&PathBuf>, text: &str) -> std::io::Result<()> {
    match path {
        Some(p) => cognitrust::write::write_file(p, text.as_bytes()),
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())?;
            out.flush()
        }
    }
}

/// 2 when an input could not be analysed, else 1 when a finding reaches `fail_on`, else 0.
fn exit_status(report: &Report, fail_on: config::FailOn) -> u8 {
    if !report.errors.is_empty() {
        return 2;
    }
    match fail_on.threshold() {
        Some(threshold) => u8::from(report.findings.iter().any(|f| f.severity >= threshold)),
        None => 0,
    }
}

fn rules(args: RulesArgs) -> ExitCode {
    let chosen: Vec<&Rule> = match &args.rule {
        Some(name) => match cognitrust::selection::find(name) {
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
        RulesFormat::Json => report::rules::json(&chosen),
        RulesFormat::Markdown => {
            chosen.iter().map(|r| report::rules::markdown(r)).collect::<Vec<_>>().join("\n")
        }
        RulesFormat::Text if explain => report::rules::markdown(chosen[0]),
        RulesFormat::Text => report::rules::table(&chosen),
    };
    print!("{text}");
    ExitCode::SUCCESS
}

fn init(force: bool) -> ExitCode {
    let path = Path::new(config::FILE_NAMES[0]);
    if path.exists() && !force {
        eprintln!("error: {} already exists (use --force to overwrite it)", path.display());
        return ExitCode::from(2);
    }
    match std::fs::write(path, config::STARTER) {
        Ok(()) => {
            println!("wrote {}", path.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: cannot write {}: {e}", path.display());
            ExitCode::from(2)
        }
    }
}
