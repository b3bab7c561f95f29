//! The workflow commands of the binary: `hook install|uninstall`, `init`, `completions`,
//! `man`, and the stdin side of `scan --pre-receive`. Behaviour lives in the library
//! (`keyhound::hook`, `keyhound::init`, `keyhound::prereceive`); this module talks to the user.

use crate::cli::{Cli, HookAction, ScanArgs};
use anyhow::{Context, Result};
use clap::CommandFactory;
use keyhound::config::Config;
use keyhound::finding::Severity;
use keyhound::finding::SourceKind;
use keyhound::gate;
use keyhound::hook::{self, Installed, StagedFacts, Uninstalled};
use keyhound::prereceive;
use keyhound::report::human::{human_bytes, summary_line};
use keyhound::report::{Format, Report};
use keyhound::source::git::range::RangeSpec;
use keyhound::source::{SkipReason, Skipped};
use std::io::Read;
use std::path::Path;

/// `keyhound hook install|uninstall`.
pub fn run_hook(action: HookAction) -> Result<()> {
    match action {
        HookAction::Install { repo, force } => {
            let dir = hook::hooks_dir(&repo)?;
            let (path, outcome) = hook::install(&dir, force)?;
            warn_if_hook_cannot_find_keyhound();
            let p = path.display();
            match outcome {
                Installed::Fresh => println!("installed the keyhound pre-commit hook: {p}"),
                Installed::Updated => println!("updated the keyhound pre-commit hook: {p}"),
                Installed::Chained => println!(
                    "installed the keyhound pre-commit hook: {p}\n\
                     your previous hook was kept as {} and runs first",
                    dir.join(hook::CHAINED_NAME).display()
                ),
                Installed::Replaced => println!(
                    "installed the keyhound pre-commit hook: {p}\n\
                     your previous hook was replaced (--force) and kept as {}",
                    dir.join(hook::BACKUP_NAME).display()
                ),
            }
        }
        HookAction::Uninstall { repo } => {
            let dir = hook::hooks_dir(&repo)?;
            let (path, outcome) = hook::uninstall(&dir)?;
            let p = path.display();
            match outcome {
                Uninstalled::NotInstalled => println!("no pre-commit hook at {p}; nothing to do"),
                Uninstalled::Removed => println!("removed the keyhound pre-commit hook: {p}"),
                Uninstalled::Restored => println!(
                    "removed the keyhound pre-commit hook and restored your previous hook: {p}"
                ),
            }
        }
    }
    Ok(())
}

/// Warns when the installed hook, looking as it does ($KEYHOUND, then PATH), would not find
/// keyhound: it fails closed, so every commit would be blocked. Says how to fix it.
fn warn_if_hook_cannot_find_keyhound() {
    let env = std::env::var_os("KEYHOUND");
    if hook::hook_would_find(env.as_deref(), std::env::var_os("PATH").as_deref()).is_some() {
        return;
    }
    let exe = std::env::current_exe().ok();
    let this = exe
        .as_deref()
        .map_or("/path/to/keyhound".into(), |p| p.display().to_string());
    let dir = exe
        .as_deref()
        .and_then(Path::parent)
        .map_or("its directory".into(), |d| d.display().to_string());
    let looked = match &env {
        Some(v) if !v.is_empty() => {
            format!("$KEYHOUND ({}) is not an executable", v.to_string_lossy())
        }
        _ => "`keyhound` is not on PATH".to_string(),
    };
    eprintln!(
        "keyhound: warning: {looked}, so the hook cannot find keyhound and will block every commit (it fails closed).\n\
         Fix it with one of:\n  \
         - install it on PATH: cargo install --locked --path . in a clone of keyhound (or copy {this} into a directory on PATH)\n  \
         - add its directory to PATH in your shell profile: export PATH=\"{dir}:$PATH\"\n  \
         - point the hook at it: export KEYHOUND={this}\n\
         (GUI git clients may not read your shell profile: check a commit from yours.)"
    );
}

/// `keyhound init`.
pub fn run_init(dir: &Path, force: bool) -> Result<()> {
    let path = keyhound::init::write_starter(dir, force)?;
    println!(
        "wrote {}: every setting is commented out; see the comments to turn one on",
        path.display()
    );
    Ok(())
}

/// `keyhound completions SHELL`.
pub fn run_completions(shell: clap_complete::Shell) {
    let mut cmd = Cli::command();
    clap_complete::generate(shell, &mut cmd, "keyhound", &mut std::io::stdout());
}

/// `keyhound man [--dir DIR]`: the top page on stdout, or every page (one per subcommand,
/// as the top page's SUBCOMMANDS section references them) written into `dir`.
pub fn run_man(dir: Option<&Path>) -> Result<()> {
    if let Some(dir) = dir {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        clap_mangen::generate_to(Cli::command(), dir)
            .with_context(|| format!("cannot write man pages to {}", dir.display()))?;
        println!("wrote the man pages to {}", dir.display());
        return Ok(());
    }
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut out)?;
    crate::app::write_report(None, |w| w.write_all(&out))
}

/// Reads git's pre-receive input from stdin and returns the commits the push brings in to
/// the repository at `repo`, and the old tip whose settings the scan uses.
pub fn pre_receive_range(repo: &Path) -> Result<(RangeSpec, Option<String>)> {
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .context("cannot read pre-receive input from stdin")?;
    let updates = prereceive::parse(&input)?;
    let existing = prereceive::existing_tips(repo)?;
    Ok((
        prereceive::revisions(&updates, &existing),
        prereceive::settings_base(&updates),
    ))
}

/// The fail-on threshold of a scan: `--fail-on`, else the config's `fail_on`, else `high`
/// for the commit and push gates (`--staged`, `--pre-receive`) and `low` for scans.
pub fn fail_on(args: &ScanArgs, config: Option<&Config>) -> Severity {
    args.fail_on
        .or(config.and_then(|c| c.fail_on))
        .unwrap_or_else(|| gate::default_threshold(args.staged || args.pre_receive))
}

/// Most oversized files named on stderr without `--verbose`.
const LARGE_NAMED: usize = 10;

/// Names skipped files on stderr: every oversized one (content that was not checked, up to
/// ten without `--verbose`), and with `--verbose` every binary one too, each with why.
pub fn report_skipped(report: &Report, verbose: bool, limit: u64) {
    let large: Vec<&Skipped> = report
        .skipped
        .iter()
        .filter(|s| matches!(s.reason, SkipReason::TooLarge(_)))
        .collect();
    let shown = if verbose {
        large.len()
    } else {
        large.len().min(LARGE_NAMED)
    };
    for s in &large[..shown] {
        eprintln!("keyhound: warning: {}", skip_line(s, limit));
    }
    let more = large.len() - shown;
    if more > 0 {
        eprintln!(
            "keyhound: warning: {more} more file{} over the size limit (--verbose lists them)",
            if more == 1 { "" } else { "s" }
        );
    }
    let unnamed = (report.stats.skipped_large as usize).saturating_sub(large.len());
    if unnamed > 0 {
        eprintln!(
            "keyhound: warning: {unnamed} more blob{} over the size limit ({}) not scanned and not named (history blobs met while decoding packs have no single path)",
            if unnamed == 1 { "" } else { "s" },
            human_bytes(limit)
        );
    }
    if verbose {
        for s in report
            .skipped
            .iter()
            .filter(|s| s.reason == SkipReason::Binary)
        {
            eprintln!("keyhound: skipped: {}", skip_line(s, limit));
        }
    }
}

/// `big.sql: skipped, too large (12.0 MB > 10.5 MB limit)`, `logo.png: skipped, binary`.
fn skip_line(s: &Skipped, limit: u64) -> String {
    let why = match s.reason {
        SkipReason::TooLarge(Some(size)) => format!(
            "too large ({} > {} limit; raise it with --max-file-size)",
            human_bytes(size),
            human_bytes(limit)
        ),
        SkipReason::TooLarge(None) => format!("too large (over the {} limit)", human_bytes(limit)),
        SkipReason::Binary => "binary (NUL byte in its first 8 KiB)".to_string(),
    };
    format!("{}: skipped, {why}", keyhound::escape::text(&s.what))
}

/// Tells the user, on stderr, what a scan's outcome means for the workflow it ran in: a
/// baseline written, the report's one-line summary when it went to a file (so a CI log says
/// what failed), findings below the fail-on threshold, a commit blocked (what was found and
/// the three ways forward), a push rejected.
pub fn explain_outcome(args: &ScanArgs, report: &Report, baselined: Option<usize>, failed: bool) {
    if let (Some(n), Some(path)) = (baselined, &args.baseline_out) {
        eprintln!(
            "keyhound: wrote {n} fingerprint{} to {}; scan with --baseline {} to see only new findings",
            if n == 1 { "" } else { "s" },
            path.display(),
            path.display()
        );
    }
    if let Some(path) = &args.output {
        eprintln!(
            "keyhound: {} (report: {})",
            summary_line(report),
            path.display()
        );
    }
    let split = gate::Split::of(report);
    // the human report's summary line (and the `-o` line above) already says it
    let summarised = args.format == Format::Human || args.output.is_some();
    if let Some(note) = split.below_note().filter(|_| !summarised) {
        eprintln!("keyhound: {note}");
    }
    // the human report prints its notes; elsewhere a CI log would lose them (a shallow clone)
    if args.format != Format::Human || args.output.is_some() {
        for note in &report.notes {
            eprintln!("keyhound: note: {}", keyhound::escape::text(note));
        }
    }
    if !failed {
        return;
    }
    if args.pre_receive {
        eprint!("{}", prereceive::PUSH_ADVICE);
    } else if report
        .findings
        .iter()
        .any(|f| f.source == SourceKind::Staged)
    {
        eprint!(
            "{}",
            hook::staged_advice(&staged_facts(report, split.threshold))
        );
    }
}

/// What blocks a commit: the distinct keys at or above the threshold (and which of them HEAD
/// already holds) and the env files.
fn staged_facts(report: &Report, threshold: Severity) -> StagedFacts {
    let mut facts = StagedFacts::default();
    let mut keys = std::collections::BTreeSet::new();
    for f in report.findings.iter().filter(|f| f.severity >= threshold) {
        match &f.secret {
            Some(s) if keys.insert(s.sha256()) => {
                facts.secrets += 1;
                let held = report
                    .facts
                    .get(s.sha256())
                    .and_then(|x| x.committed_at.clone());
                if let Some(path) = held {
                    facts.committed.push((s.redacted(), path));
                }
            }
            Some(_) => {}
            None => facts.env_files.push(f.path.clone()),
        }
    }
    facts
}
