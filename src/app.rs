//! Runs the parsed command line: loads rules and config, builds the scan plan, renders the
//! report, and decides the exit code.

mod remediate;
mod stdin;
mod sweep;

use crate::cli::{Cli, ColorChoice, Command, DoctorArgs, RulesAction, ScanArgs};
use crate::workflow;
use anyhow::{Context, Result};
use keyhound::baseline;
use keyhound::config::{self, Config};
use keyhound::detect::Detector;
use keyhound::dotenv;
use keyhound::incomplete::{Gate, Incomplete};
use keyhound::report::{Format, RenderOptions};
use keyhound::rules::RuleSet;
use keyhound::scan::{self, Mode, ScanPlan};
use keyhound::source::git::range::RangeSpec;
use keyhound::trust;
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
    let mut report = dotenv::lint::gitignore_doctor(&args.path, &detector)?;
    let max_size = config
        .as_ref()
        .and_then(|c| c.max_file_size)
        .unwrap_or(scan::DEFAULT_MAX_FILE_SIZE);
    scan::doctor_history(&args.path, &detector, max_size, &mut report)?;
    report.sort();
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
    let from_stdin = stdin::wanted(args)?;
    if !from_stdin && sweep::is_sweep(args) {
        return sweep::run(args);
    }
    let root = stdin::root(args, from_stdin);
    let (mode, base) = if from_stdin {
        (Mode::Stdin, trust::Base::Worktree)
    } else {
        scan_mode_and_base(args)?
    };
    let settings = repo_settings(args, root, &base)?;
    let config = settings.config.as_ref();
    let set = load_rules(&args.rules, config)?;
    let detector = Detector::new(&set)?;
    let plan = scan_plan(args, root, config, mode, !args.quiet);
    let mut report = scan::run(&plan, &detector)?;
    report.fail_on = Some(workflow::fail_on(args, config));
    let filter = baseline::FilterOptions {
        ignore: settings.ignore.as_ref().map(trust::Text::pair),
        gitleaks_ignore: settings.gitleaks_ignore.as_ref().map(trust::Text::pair),
        baseline: settings.baseline.as_ref().map(trust::Text::pair),
        baseline_out: args.baseline_out.as_deref(),
    };
    let baselined = baseline::filter_report(&mut report, filter)?;
    add_settings_findings(&settings, &plan, &mut report)?;
    let config = settings.config.as_ref();
    if plan.mode == Mode::Staged {
        let threshold = report.fail_on.unwrap_or(keyhound::finding::Severity::Low);
        scan::mark_committed_keys(&plan, &mut report, threshold)?;
    }
    let gate = gate_of(args);
    if !args.quiet {
        for w in &report.warnings {
            eprintln!("keyhound: warning: {}", keyhound::escape::text(w));
        }
        // a gate's oversize files are errors, named below
        if gate == Gate::None {
            workflow::report_skipped(&report, args.verbose, plan.max_file_size);
        }
    }
    report.providers = set.providers.clone();
    let remediation = remediate::after_scan(&mut report, &set, config, args)?;
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
    let mut code = remediate::scan_exit(
        &remediation,
        keyhound::gate::Split::of(&report).blocking > 0,
        args.exit_zero || baselined.is_some(),
    );
    if !args.quiet {
        workflow::explain_outcome(args, &report, baselined, code == EXIT_FINDINGS);
    }
    let incomplete = Incomplete::of(&report, gate);
    for line in incomplete.messages(args.allow_unreadable, plan.max_file_size, gate) {
        if !args.quiet || line.starts_with("error") {
            eprintln!("keyhound: {line}");
        }
    }
    if incomplete.fails(args.allow_unreadable) {
        code = EXIT_ERROR;
    }
    Ok(ExitCode::from(code))
}

/// Which gate a scan runs as: the pre-commit hook, the pre-receive hook, or none.
fn gate_of(args: &ScanArgs) -> Gate {
    if args.pre_receive {
        Gate::Push
    } else if args.staged {
        Gate::Commit
    } else {
        Gate::None
    }
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
        threads: args.threads.map_or_else(default_threads, usize::from),
        no_ignore: args.no_ignore,
        max_file_size: args
            .max_file_size
            .or(config.and_then(|c| c.max_file_size))
            .unwrap_or(scan::DEFAULT_MAX_FILE_SIZE),
        allow_paths: config.map(|c| c.allow_paths.clone()).unwrap_or_default(),
        progress,
        mode,
        gate: gate_of(args) != Gate::None,
        archives: scan::ArchiveOptions {
            max_depth: args.max_archive_depth,
            max_total: args
                .max_archive_size
                .unwrap_or(keyhound::source::archive::DEFAULT_MAX_TOTAL),
        },
    }
}

fn scan_mode(args: &ScanArgs) -> Result<Mode> {
    scan_mode_and_base(args).map(|(mode, _)| mode)
}

/// The scan mode, and where the scanned repository's settings files are read from: the
/// base of the commits under review, or the work tree.
fn scan_mode_and_base(args: &ScanArgs) -> Result<(Mode, trust::Base)> {
    if args.pre_receive {
        let (spec, old) = workflow::pre_receive_range(&args.path)?;
        return Ok((Mode::Range(spec), trust::Base::PreReceive { old }));
    }
    let range = |spec: RangeSpec| {
        let base = trust::Base::MergeBase {
            include: spec.include[0].clone(),
            exclude: spec.exclude[0].clone(),
        };
        (Mode::Range(spec), base)
    };
    if let Some(rev) = &args.since {
        return Ok(range(RangeSpec::since(rev)));
    }
    if let Some(r) = &args.range {
        let spec = RangeSpec::parse(r)
            .with_context(|| format!("--range takes A..B (two revisions), not `{r}`"))?;
        return Ok(range(spec));
    }
    Ok((worktree_mode(args), trust::Base::Worktree))
}

/// The modes that read the work tree's settings.
fn worktree_mode(args: &ScanArgs) -> Mode {
    if args.staged {
        return Mode::Staged;
    }
    if args.no_history {
        return Mode::Files;
    }
    Mode::Full {
        worktree: !args.history_only,
        branch: args.branch.clone(),
    }
}

/// The settings a scan of `root` runs with (`keyhound::trust`): `--config`/`--baseline` as
/// given, the repository's own files from `base` unless `--no-repo-config`.
fn repo_settings(args: &ScanArgs, root: &Path, base: &trust::Base) -> Result<trust::Settings> {
    Ok(trust::Settings::load(&trust::Request {
        root,
        base,
        explicit_config: args.config.as_deref(),
        explicit_baseline: args.baseline.as_deref(),
        no_repo_config: args.no_repo_config,
    })?)
}

/// Adds what the settings mean for the report: a finding per change to a settings file
/// within the scanned commits (after suppressions, which cannot hide one), notes on
/// settings the repository turns off, and the rule's metadata.
fn add_settings_findings(
    settings: &trust::Settings,
    plan: &ScanPlan,
    report: &mut keyhound::report::Report,
) -> Result<()> {
    let added = settings.additions(&plan.root, &plan.mode)?;
    report.findings.extend(added.findings);
    report.notes.extend(added.notes);
    if settings.repo_use.note().is_some() {
        report.repo_config = Some(settings.repo_use.clone());
    }
    report.rules.extend(trust::rules());
    report.sort();
    Ok(())
}

fn run_rules(action: RulesAction) -> Result<ExitCode> {
    match action {
        RulesAction::List { rules } => {
            let set = load_rules(&rules, None)?;
            let mut out = std::io::stdout().lock();
            for r in set
                .rules
                .iter()
                .chain(&dotenv::rules())
                .chain(&trust::rules())
            {
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
