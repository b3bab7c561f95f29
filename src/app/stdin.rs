//! `keyhound scan -`: which flags a scan of standard input takes. The stream has no
//! repository, so git modes and further targets are refused with a clear message; config,
//! `.keyhoundignore` and `.gitleaksignore` come from the current directory.

use crate::cli::ScanArgs;
use anyhow::{bail, Result};
use std::io::IsTerminal;
use std::path::Path;

/// The target that means standard input.
pub const TARGET: &str = "-";

/// True when the scan reads standard input; an error when other flags contradict it.
pub fn wanted(args: &ScanArgs) -> Result<bool> {
    let stdin = args.path.as_os_str() == TARGET;
    let stdin_among_more = args.more_paths.iter().any(|p| p.as_os_str() == TARGET);
    if !stdin && !stdin_among_more {
        return Ok(false);
    }
    if !args.more_paths.is_empty() || args.sweep.repos_file.is_some() {
        bail!("`-` (standard input) is scanned alone: give no other target and no --repos-file");
    }
    let git_flags = [
        (args.staged, "--staged"),
        (args.since.is_some(), "--since"),
        (args.range.is_some(), "--range"),
        (args.pre_receive, "--pre-receive"),
        (args.history_only, "--history-only"),
        (args.branch.is_some(), "--branch"),
        (args.sweep.shard.is_some(), "--shard"),
        (args.sweep.resume.is_some(), "--resume"),
    ];
    if let Some((_, flag)) = git_flags.iter().find(|(set, _)| *set) {
        bail!(
            "{flag} needs a repository; `-` scans standard input (pipe `git diff` into it instead)"
        );
    }
    if !args.quiet && std::io::stdin().is_terminal() {
        eprintln!("keyhound: reading standard input (end it with Ctrl-D)");
    }
    Ok(true)
}

/// Where config and ignore files are looked for: the scan target, or for standard input the
/// current directory.
pub fn root(args: &ScanArgs, stdin: bool) -> &Path {
    if stdin {
        Path::new(".")
    } else {
        &args.path
    }
}
