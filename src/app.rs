//! Runs the parsed command line: loads rules and config, builds the scan plan, renders the
//! report, and decides the exit code.

mod remediate;
mod sweep;

use crate::cli::{Cli, ColorChoice, Command, DoctorArgs, RulesAction, ScanArgs};
use crate::workflow;
use anyhow::{Context, Result};
use keyhound::baseline;
use keyhound::config::{self, Config};
use keyhound::detect::Detector;
use keyhound::dotenv;
use keyhound::report::{Format, RenderOptions};
use keyhound::rules::RuleSet;
use keyhound::scan::{self, Mode, ScanPlan};
use keyhound::source::git::range::RangeSpec;
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

/// Exit code: no findings.
pub const EXIT_CLEAN: u8 = 0;
/// Exit code: findings.
pub const EXIT_FINDINGS: u8 = 1;
/// Exit code: error.
pub const EXIT_ERROR: u8 = 2;

/// Runs one command.
pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Scan(args) => run_scan(&args),
        Command::GitignoreDoctor(args) => run_doctor(&args),
        Command::Rules { action } => run_rules(action),
        Command::Verify(args) => remediate::run_verify(&args),
        Command::Revoke(args) => remediate::run_revoke(&args),
        Command::Checklist(args) => remediate::run_checklist(&args),
        Command::Merge(args) => sweep::run_merge(&args),
        Command::Hook { action } => workflow::run_hook(action).map(|()| clean()),
        Command::Init { path, force } => workflow::run_init(&path, force).map(|()| clean()),
        Command::Completions { shell } => {
            workflow::run_completions(shell);
            Ok(clean())
        }
        Command::Man { dir } => workflow::run_man(dir.as_deref()).map(|()| clean()),
    }
}

fn run_doctor(args: &DoctorArgs) -> Result<ExitCode> {
    let config = load_config(None, &args.path)?;
    let detector = Detector::new(&load_rules(&[], config.as_ref())?)?;
    let report = dotenv::lint::gitignore_doctor(&args.path, &detector)?;
    let opts = RenderOptions {
        show_secrets: false,
        color: color_enabled(args.color, args.format, args.output.is_some()),
    };
    write_report(args.output.as_deref(), |out| match args.format {
        Format::Human => dotenv::lint::render_human(&report, opts, out),
        format => report.render(format, opts, out),
    })?;
    let code = if report.findings.is_empty() {
        EXIT_CLEAN
    } else {
        EXIT_FINDINGS
    };
    Ok(ExitCode::from(code))
}

fn run_scan(args: &ScanArgs) -> Result<ExitCode> {
    if sweep::is_sweep(args) {
        return sweep::run(args);
    }
    let config = load_config(args.config.as_deref(), &args.path)?;
    let set = load_rules(&args.rules, config.as_ref())?;
    let detector = Detector::new(&set)?;
    let plan = scan_plan(
        args,
        &args.path,
        config.as_ref(),
        scan_mode(args)?,
        !args.quiet,
    );
    let mut report = scan::run(&plan, &detector)?;
    report.fail_on = Some(workflow::fail_on(args, config.as_ref()));
    let config_baseline = config.as_ref().and_then(Config::baseline_path);
    let filter = baseline::FilterOptions {
        root: &args.path,
        baseline: args.baseline.as_deref().or(config_baseline.as_deref()),
        baseline_out: args.baseline_out.as_deref(),
    };
    let baselined = baseline::filter_report(&mut report, filter)?;
    if plan.mode == Mode::Staged {
        let threshold = report.fail_on.unwrap_or(keyhound::finding::Severity::Low);
        scan::mark_committed_keys(&plan, &mut report, threshold)?;
    }
    if !args.quiet {
        for w in &report.warnings {
            eprintln!("keyhound: warning: {}", keyhound::escape::text(w));
        }
        workflow::report_skipped(&report, args.verbose, plan.max_file_size);
    }
    report.providers = set.providers.clone();
    let remediation = remediate::after_scan(&mut report, &set, config.as_ref(), args)?;
    let opts = RenderOptions {
        show_secrets: args.show_secrets,
        color: use_color(args),
    };
    if args.format == Format::Jsonl {
        let mut buf = Vec::new();
        sweep::write_single(args, &report, report.duration, &mut buf)?;
        write_report(args.output.as_deref(), |out| out.write_all(&buf))?;
    } else {
        write_report(args.output.as_deref(), |out| {
            report.render(args.format, opts, out)
        })?;
    }
    let code = remediate::scan_exit(
        &remediation,
        keyhound::gate::Split::of(&report).blocking > 0,
        args.exit_zero || baselined.is_some(),
    );
    if !args.quiet {
        workflow::explain_outcome(args, &report, baselined, code == EXIT_FINDINGS);
    }
    Ok(ExitCode::from(code))
}

fn clean() -> ExitCode {
    ExitCode::from(EXIT_CLEAN)
}

/// The scan of `root` the command line and `root`'s config ask for: size limit from the flag,
/// else the config, else the default; allow globs from the config.
fn scan_plan(
    args: &ScanArgs,
    root: &Path,
    config: Option<&Config>,
    mode: Mode,
    progress: bool,
) -> ScanPlan {
    ScanPlan {
        root: root.to_path_buf(),
        threads: args.threads.unwrap_or_else(default_threads),
        no_ignore: args.no_ignore,
        max_file_size: args
            .max_file_size
            .or(config.and_then(|c| c.max_file_size))
            .unwrap_or(scan::DEFAULT_MAX_FILE_SIZE),
        allow_paths: config.map(|c| c.allow_paths.clone()).unwrap_or_default(),
        progress,
        mode,
    }
}

fn scan_mode(args: &ScanArgs) -> Result<Mode> {
    if args.pre_receive {
        return Ok(Mode::Range(workflow::pre_receive_range(&args.path)?));
    }
    if args.staged {
        return Ok(Mode::Staged);
    }
    if let Some(rev) = &args.since {
        return Ok(Mode::Range(RangeSpec::since(rev)));
    }
    if let Some(range) = &args.range {
        let spec = RangeSpec::parse(range)
            .with_context(|| format!("--range takes A..B (two revisions), not `{range}`"))?;
        return Ok(Mode::Range(spec));
    }
    if args.no_history {
        return Ok(Mode::Files);
    }
    Ok(Mode::Full {
        worktree: !args.history_only,
        branch: args.branch.clone(),
    })
}

fn run_rules(action: RulesAction) -> Result<ExitCode> {
    match action {
        RulesAction::List { rules } => {
            let set = load_rules(&rules, None)?;
            let mut out = std::io::stdout().lock();
            for r in set.rules.iter().chain(&dotenv::rules()) {
                writeln!(
                    out,
                    "{:<22} {:<9} {:<11} {}",
                    r.id,
                    r.severity.as_str(),
                    r.provider.as_deref().unwrap_or("-"),
                    r.description
                )?;
                for line in keyhound::rules::shapes::listing(r) {
                    writeln!(out, "{:<22} {}", "", keyhound::escape::text(&line))?;
                }
            }
        }
        RulesAction::Check { file } => {
            let set = match config::check_rules_file(&file) {
                Ok(set) => set,
                Err(errors) => {
                    for e in &errors.0 {
                        eprintln!("keyhound: error: {e}");
                    }
                    return Ok(ExitCode::from(EXIT_ERROR));
                }
            };
            println!(
                "{}: ok ({} rules loaded in total)",
                file.display(),
                set.rules.len()
            );
        }
    }
    Ok(ExitCode::from(EXIT_CLEAN))
}

/// The config from `--config`, else `.keyhound.toml` at the scan root.
pub fn load_config(explicit: Option<&Path>, root: &Path) -> Result<Option<Config>> {
    Ok(match explicit {
        Some(path) => Some(Config::load(path)?),
        None => Config::discover(root)?,
    })
}

/// Built-in rules, then `--rules` files, then the config's rules and overrides.
pub fn load_rules(extra: &[std::path::PathBuf], config: Option<&Config>) -> Result<RuleSet> {
    let mut set = RuleSet::builtin().context("built-in rules are broken")?;
    for path in extra {
        set.add_path(path)?;
    }
    if let Some(config) = config {
        config.apply(&mut set)?;
    }
    Ok(set)
}

fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(2, usize::from)
}

fn use_color(args: &ScanArgs) -> bool {
    color_enabled(args.color, args.format, args.output.is_some())
}

fn color_enabled(choice: ColorChoice, format: Format, to_file: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            format == Format::Human
                && !to_file
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    }
}

/// Runs `render` against the output file or stdout, buffered.
pub fn write_report(
    output: Option<&Path>,
    render: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    match output {
        Some(path) => {
            let file = std::fs::File::create(path)
                .with_context(|| format!("cannot write {}", path.display()))?;
            let mut out = std::io::BufWriter::new(file);
            render(&mut out).with_context(|| format!("cannot write {}", path.display()))?;
            out.flush()?;
        }
        None => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            if let Err(e) = render(&mut out).and_then(|()| out.flush()) {
                if e.kind() != std::io::ErrorKind::BrokenPipe {
                    return Err(e.into());
                }
            }
        }
    }
    Ok(())
}
