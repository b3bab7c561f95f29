//! The command line: clap definitions only. Behaviour lives in `app`.

use clap::{Args, Parser, Subcommand, ValueEnum};
use keyhound::report::Format;
use std::path::PathBuf;

/// keyhound finds leaked meeting-bot API credentials (Meetso, MeetStream, Attendee, Zoom,
/// Deepgram, webhook secrets) in files and git history, and tells you what to do next.
#[derive(Debug, Parser)]
#[command(
    name = "keyhound",
    version,
    about,
    after_help = "Exit codes: 0 no findings, 1 findings, 2 error.\n\
Examples:\n  keyhound scan .                      scan the current directory\n  \
keyhound scan --format sarif --output keyhound.sarif\n  keyhound rules list"
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan a directory (and, for repositories, git history) for leaked credentials.
    Scan(Box<ScanArgs>),
    /// Audit env files and ignore rules only: why each tracked .env got into git, and whether
    /// a new .env would be ignored. Exit 1 on a tracked env file or an ignore-rule gap.
    GitignoreDoctor(DoctorArgs),
    /// List or validate detection rules.
    Rules {
        /// Rules action.
        #[command(subcommand)]
        action: RulesAction,
    },
    /// Install or remove the git pre-commit hook.
    Hook {
        /// Hook action.
        #[command(subcommand)]
        action: HookAction,
    },
    /// Write a commented starter .keyhound.toml.
    Init {
        /// Directory to write it in.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Overwrite an existing .keyhound.toml.
        #[arg(long)]
        force: bool,
    },
    /// Print a shell completion script (e.g. `keyhound completions bash > /etc/bash_completion.d/keyhound`).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) to stdout, e.g. `keyhound man > keyhound.1`.
    Man,
}

/// `keyhound hook …`.
#[derive(Debug, Subcommand)]
pub enum HookAction {
    /// Install the pre-commit hook (honours core.hooksPath and worktrees; an existing hook is
    /// kept as pre-commit.local and runs first).
    Install {
        /// Any directory inside the repository.
        #[arg(default_value = ".")]
        repo: PathBuf,
        /// Replace an existing hook instead of chaining it (it is kept as
        /// pre-commit.keyhound-backup).
        #[arg(long)]
        force: bool,
    },
    /// Remove keyhound's pre-commit hook (only if keyhound installed it) and restore the
    /// previous one.
    Uninstall {
        /// Any directory inside the repository.
        #[arg(default_value = ".")]
        repo: PathBuf,
    },
}

/// `keyhound rules …`.
#[derive(Debug, Subcommand)]
pub enum RulesAction {
    /// Print the loaded rules (built-in plus --rules files).
    List {
        /// Extra rules files to load.
        #[arg(long = "rules", value_name = "FILE")]
        rules: Vec<PathBuf>,
    },
    /// Validate a rules file; errors name the file, line and problem.
    Check {
        /// The rules file.
        file: PathBuf,
    },
}

/// When to colour output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when writing to a terminal and NO_COLOR is unset.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// `keyhound scan` options.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Directory, file or repository to scan.
    #[arg(default_value = ".")]
    pub path: PathBuf,

    /// Scan files only, not git history.
    #[arg(long, help_heading = "What to scan")]
    pub no_history: bool,

    /// Scan git history only, not the files on disk.
    #[arg(long, help_heading = "What to scan", conflicts_with = "no_history")]
    pub history_only: bool,

    /// Limit the history scan to one ref's history (branch, tag or commit).
    #[arg(
        long,
        value_name = "REF",
        help_heading = "What to scan",
        conflicts_with = "no_history"
    )]
    pub branch: Option<String>,

    /// Scan only what the git index adds relative to HEAD (for pre-commit hooks).
    #[arg(long, help_heading = "What to scan", conflicts_with = "no_history")]
    pub staged: bool,

    /// Scan only lines added by commits on HEAD that are not on REV (CI: `--since origin/main`).
    #[arg(long, value_name = "REV", help_heading = "What to scan", conflicts_with_all = ["staged", "no_history"])]
    pub since: Option<String>,

    /// Scan only lines added by the commits of A..B (B's history minus A's).
    #[arg(long, value_name = "A..B", help_heading = "What to scan", conflicts_with_all = ["staged", "no_history", "since"])]
    pub range: Option<String>,

    /// Scan ignored and hidden files too (.gitignore/.ignore are not honoured).
    #[arg(long, help_heading = "What to scan")]
    pub no_ignore: bool,

    /// Skip files larger than this many bytes (default 10 MiB).
    #[arg(long, value_name = "BYTES", help_heading = "What to scan")]
    pub max_file_size: Option<u64>,

    /// Worker threads (default: number of CPUs).
    #[arg(long, short = 'j', value_name = "N", help_heading = "What to scan")]
    pub threads: Option<usize>,

    /// Extra rules file (repeatable).
    #[arg(long = "rules", value_name = "FILE", help_heading = "Rules")]
    pub rules: Vec<PathBuf>,

    /// Config file (default: .keyhound.toml at the scan root).
    #[arg(long, value_name = "FILE", help_heading = "Rules")]
    pub config: Option<PathBuf>,

    /// Output format.
    #[arg(
        long,
        short = 'f',
        value_enum,
        default_value = "human",
        help_heading = "Output"
    )]
    pub format: Format,

    /// Write the report to FILE instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE", help_heading = "Output")]
    pub output: Option<PathBuf>,

    /// Colour the human report.
    #[arg(long, value_enum, default_value = "auto", help_heading = "Output")]
    pub color: ColorChoice,

    /// Print secrets in plaintext (default: redacted, with SHA-256 fingerprints).
    #[arg(long, help_heading = "Output")]
    pub show_secrets: bool,

    /// No progress or warnings on stderr.
    #[arg(long, short = 'q', help_heading = "Output")]
    pub quiet: bool,

    /// Exit 0 even when secrets are found (report-only runs).
    #[arg(long, help_heading = "Output")]
    pub exit_zero: bool,

    /// Report only findings not listed in this baseline file.
    #[arg(long, value_name = "FILE", help_heading = "Baseline")]
    pub baseline: Option<PathBuf>,

    /// Write every current finding's fingerprint to FILE (sorted, no line numbers, no
    /// timestamps) and exit 0: adopt keyhound without fixing old findings first.
    #[arg(long, value_name = "FILE", help_heading = "Baseline")]
    pub baseline_out: Option<PathBuf>,

    /// Server-side hook mode: read `old new ref` lines on stdin and scan only the pushed
    /// commits (quarantined objects included); exit 1 rejects the push.
    #[arg(
        long,
        help_heading = "What to scan",
        conflicts_with_all = ["staged", "since", "range", "no_history", "history_only", "branch"]
    )]
    pub pre_receive: bool,
}

/// `keyhound gitignore-doctor` options.
#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// A directory inside the git working tree to audit.
    #[arg(default_value = ".")]
    pub path: PathBuf,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value = "human")]
    pub format: Format,

    /// Colour the human report.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,
}
