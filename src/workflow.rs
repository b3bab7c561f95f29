//! The workflow commands of the binary: `hook install|uninstall`, `init`, `completions`,
//! `man`, and the stdin side of `scan --pre-receive`. Behaviour lives in the library
//! (`keyhound::hook`, `keyhound::init`, `keyhound::prereceive`); this module talks to the user.

use crate::cli::{Cli, HookAction, ScanArgs};
use anyhow::{Context, Result};
use clap::CommandFactory;
use keyhound::finding::SourceKind;
use keyhound::hook::{self, Installed, Uninstalled};
use keyhound::prereceive;
use keyhound::report::Report;
use keyhound::source::git::range::RangeSpec;
use std::io::Read;
use std::path::Path;

/// `keyhound hook install|uninstall`.
pub fn run_hook(action: HookAction) -> Result<()> {
    match action {
        HookAction::Install { repo, force } => {
            let dir = hook::hooks_dir(&repo)?;
            let (path, outcome) = hook::install(&dir, force)?;
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

/// `keyhound man`.
pub fn run_man() -> Result<()> {
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut out)?;
    crate::app::write_report(None, |w| w.write_all(&out))
}

/// Reads git's pre-receive input from stdin and returns the commits the push brings in to
/// the repository at `repo`.
pub fn pre_receive_range(repo: &Path) -> Result<RangeSpec> {
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .context("cannot read pre-receive input from stdin")?;
    let updates = prereceive::parse(&input)?;
    let existing = prereceive::existing_tips(repo)?;
    Ok(prereceive::revisions(&updates, &existing))
}

/// Tells the user, on stderr, what a scan's outcome means for the workflow it ran in: a
/// baseline written, a commit blocked (the three ways forward), a push rejected.
pub fn explain_outcome(args: &ScanArgs, report: &Report, baselined: Option<usize>, failed: bool) {
    if let (Some(n), Some(path)) = (baselined, &args.baseline_out) {
        eprintln!(
            "keyhound: wrote {n} fingerprint{} to {}; scan with --baseline {} to see only new findings",
            if n == 1 { "" } else { "s" },
            path.display(),
            path.display()
        );
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
        eprint!("{}", hook::STAGED_ADVICE);
    }
}
