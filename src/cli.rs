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
    after_help = "Exit codes: 0 no findings, 1 findings, 2 error (including a refused or failed --revoke).\n\
Examples:\n  keyhound scan .                      scan the current directory\n  \
keyhound scan --format sarif --output keyhound.sarif\n  \
git diff | keyhound scan -           scan standard input (a diff: its added lines)\n  \
keyhound rules list\n  \
keyhound scan --verify --format checklist -o ROTATION.md   live check + rotation plan"
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
    /// Print the man page (roff) to stdout, e.g. `keyhound man > keyhound.1`; with --dir,
    /// write keyhound(1) and one page per subcommand (keyhound-scan(1), …) into DIR.
    Man {
        /// Write keyhound.1 and keyhound-<subcommand>.1 pages into this directory.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Ask the provider whether a key is live (key from --key-env or stdin, never an argument).
    #[command(after_help = "Exit codes: 0 live, 1 dead, 2 unknown or error.\n\
Examples:\n  keyhound verify --key-env NEW_MEETSO_KEY --provider meetso\n  \
printenv ATTENDEE_API_KEY | keyhound verify --provider attendee")]
    Verify(VerifyArgs),
    /// Revoke a live key through the provider's API, after its replacement verified live.
    #[command(
        after_help = "Guards: the key must verify live now; the replacement (--replacement-env) must verify live \
with the same provider and account unless --emergency; you confirm on the terminal by typing `revoke N`, \
or pass --yes. Afterwards \
the key is re-verified and must be dead. Every step is appended to the audit log.\n\
Exit codes: 0 revoked (or already dead) and re-verified dead; 2 refused, failed or error."
    )]
    Revoke(RevokeArgs),
    /// Write the Markdown rotation checklist of a saved JSON report (`scan --format json -o FILE`).
    Checklist(ChecklistArgs),
    /// Merge sweep outputs (`scan --format jsonl`, one per shard) into one report: one entry
    /// per distinct secret with every repository, path and commit where it appears.
    #[command(
        after_help = "Exit codes: 0 no findings, 1 findings, 2 error or no target scanned.\n\
Examples:\n  keyhound merge shard-*.jsonl --format checklist -o ROTATION.md\n  \
keyhound merge shard-*.jsonl --format jsonl -o sweep.jsonl   (merges again to itself)"
    )]
    Merge(MergeArgs),
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
    /// Directory, file or repository to scan (a git URL is mirror-cloned first); `-` reads
    /// standard input (`git diff | keyhound scan -`).
    #[arg(default_value = ".")]
    pub path: PathBuf,

    /// More targets: several make a sweep (one report over all of them).
    #[arg(value_name = "MORE", help_heading = "Sweep (many targets)")]
    pub more_paths: Vec<PathBuf>,

    /// Sweep options.
    #[command(flatten)]
    pub sweep: SweepArgs,

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

    /// Skip files larger than this (default 10MiB): bytes, or a number with a unit (KB, MB,
    /// GB are 1000-based; K, M, G, KiB, MiB, GiB are 1024-based), e.g. 10MB.
    #[arg(long, value_name = "SIZE", value_parser = keyhound::size::parse, help_heading = "What to scan")]
    pub max_file_size: Option<u64>,

    /// Open archives (.zip, .jar, .war, .ear, .tar, .tar.gz, .tgz, .gz) this many levels deep
    /// and scan their members as `outer.zip!inner/path`; 0 treats them as plain (binary) files.
    #[arg(long, value_name = "N", default_value_t = keyhound::source::archive::DEFAULT_MAX_DEPTH,
          value_parser = clap::value_parser!(u32).range(0..=16), help_heading = "What to scan")]
    pub max_archive_depth: u32,

    /// Stop reading an archive once it has inflated this much, nested members included
    /// (default 256MiB; same units as --max-file-size). Members obey --max-file-size.
    #[arg(long, value_name = "SIZE", value_parser = keyhound::size::parse, help_heading = "What to scan")]
    pub max_archive_size: Option<u64>,

    /// Worker threads (default: number of CPUs).
    #[arg(long, short = 'j', value_name = "N", help_heading = "What to scan",
          value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,

    /// Extra rules file (repeatable).
    #[arg(long = "rules", value_name = "FILE", help_heading = "Rules")]
    pub rules: Vec<PathBuf>,

    /// Config file (default: .keyhound.toml at the scan root; for --since, --range and
    /// --pre-receive, the one in the base commit).
    #[arg(long, value_name = "FILE", help_heading = "Rules")]
    pub config: Option<PathBuf>,

    /// Ignore the scanned repository's own .keyhound.toml, .keyhoundignore and the baseline
    /// its config names (--config and --baseline still apply).
    #[arg(long, help_heading = "Rules")]
    pub no_repo_config: bool,

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

    /// Accepted for gitleaks compatibility and ignored: keyhound always redacts unless
    /// --show-secrets (`--redact` and `--redact=N` are both accepted).
    #[arg(long, value_name = "PERCENT", num_args = 0..=1, require_equals = true,
          default_missing_value = "100", value_parser = clap::value_parser!(u8).range(0..=100),
          conflicts_with = "show_secrets", help_heading = "Output")]
    pub redact: Option<u8>,

    /// No progress or warnings on stderr.
    #[arg(long, short = 'q', help_heading = "Output")]
    pub quiet: bool,

    /// Exit 0 even when secrets are found (report-only runs).
    #[arg(long, help_heading = "Output")]
    pub exit_zero: bool,

    /// Accept an incomplete scan: content that could not be read (a missing object, a
    /// corrupt or truncated pack, an unreadable ref, a file or directory denied or with a
    /// path too long) is named as a warning and the exit code
    /// is 0 or 1 as usual, instead of an error (exit 2).
    #[arg(long, help_heading = "Output")]
    pub allow_unreadable: bool,

    /// Exit 1 only for findings of this severity or worse; the others are reported as not
    /// blocking (default: high for --staged and --pre-receive, low otherwise; config key
    /// `fail_on`).
    #[arg(long, value_name = "SEVERITY", value_parser = keyhound::gate::parse_severity, help_heading = "Output")]
    pub fail_on: Option<keyhound::finding::Severity>,

    /// Also list on stderr every file or blob skipped as binary or too large, with why.
    #[arg(long, short = 'v', help_heading = "Output")]
    pub verbose: bool,

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

    /// Verify and revoke.
    #[command(flatten)]
    pub remediate: RemediateArgs,
}

/// `keyhound scan` options for many targets.
#[derive(Debug, Args)]
#[command(next_help_heading = "Sweep (many targets)")]
pub struct SweepArgs {
    /// Targets from FILE, one a line: a path, a bare repository, or a git URL (https://,
    /// ssh://, git@host:path, git://, file://); `#` starts a comment line. With this, `.` is
    /// a target only when given as `./`.
    #[arg(long, value_name = "FILE")]
    pub repos_file: Option<PathBuf>,

    /// Scan only shard K of N (K from 0): targets whose SHA-256 id hash mod N is K. `auto`
    /// reads KEYHOUND_SHARD_INDEX/KEYHOUND_SHARD_TOTAL, JOB_COMPLETION_INDEX +
    /// KEYHOUND_SHARD_TOTAL (Kubernetes), CI_NODE_INDEX/CI_NODE_TOTAL (GitLab) or
    /// SLURM_ARRAY_TASK_ID/_MIN/_COUNT.
    #[arg(long, value_name = "K/N|auto")]
    pub shard: Option<String>,

    /// Skip targets already scanned in FILE, an earlier (partial) `--format jsonl` output;
    /// FILE may be the --output file itself.
    #[arg(long, value_name = "FILE")]
    pub resume: Option<PathBuf>,

    /// Where git URLs are mirror-cloned, and fetched again on the next run (default:
    /// $XDG_CACHE_HOME/keyhound/clones or ~/.cache/keyhound/clones).
    #[arg(long, value_name = "DIR")]
    pub clone_dir: Option<PathBuf>,

    /// Seconds one clone or fetch may take.
    #[arg(long, value_name = "SECONDS", default_value_t = 600)]
    pub clone_timeout: u64,

    /// Exit 2 when any target failed or was scanned incompletely (unreadable objects, refs or
    /// packs); default: only when none could be scanned.
    #[arg(long)]
    pub fail_on_error: bool,

    /// Draw sweep progress on stderr even when it is not a terminal (one line per target).
    #[arg(long, conflicts_with = "quiet")]
    pub progress: bool,
}

/// `keyhound merge` options.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Sweep outputs written by `keyhound scan --format jsonl` (or by an earlier merge).
    #[arg(value_name = "OUT.jsonl", required = true)]
    pub inputs: Vec<PathBuf>,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value = "human")]
    pub format: Format,

    /// Write the report to FILE instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Extra rules file (repeatable): the same --rules the shards ran with.
    #[arg(long = "rules", value_name = "FILE")]
    pub rules: Vec<PathBuf>,

    /// Config file with rules and providers: the same --config the shards ran with.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Colour the human report.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,

    /// Print secrets in plaintext, when the shard outputs hold them (`--show-secrets`).
    #[arg(long)]
    pub show_secrets: bool,

    /// Exit 0 even when secrets are found.
    #[arg(long)]
    pub exit_zero: bool,

    /// Exit 2 (after writing the report) when the inputs do not cover the whole target
    /// list: a shard missing, shards of different splits, a cut-off input.
    #[arg(long)]
    pub require_complete: bool,

    /// No warnings on stderr.
    #[arg(long, short = 'q')]
    pub quiet: bool,
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

    /// Write the report to this file instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

// --- Verify, revoke and checklist (network and remediation) ---

/// `keyhound scan --verify / --revoke` options.
#[derive(Debug, Args)]
#[command(next_help_heading = "Verify and revoke (sends requests to providers)")]
pub struct RemediateArgs {
    /// Ask each provider whether the found keys are live: one request per distinct key and
    /// provider (plus retries on 429/5xx).
    #[arg(long, conflicts_with_all = ["staged", "pre_receive"])]
    pub verify: bool,

    /// Revoke keys that verify live, through the provider's declared revoke API (implies
    /// --verify; guarded like `keyhound revoke`).
    #[arg(long, conflicts_with_all = ["staged", "pre_receive"])]
    pub revoke: bool,

    /// Network options.
    #[command(flatten)]
    pub net: NetArgs,

    /// Revoke guards.
    #[command(flatten)]
    pub guard: GuardArgs,
}

/// Where requests go and what is recorded.
#[derive(Debug, Args)]
pub struct NetArgs {
    /// Send PROVIDER's requests to URL instead of its declared API base (repeatable; ids:
    /// meetso, attendee, meetstream). HTTPS only, except loopback addresses.
    #[arg(long = "endpoint", value_name = "PROVIDER=URL", value_parser = parse_endpoint)]
    pub endpoints: Vec<(String, String)>,

    /// Append the audit trail to FILE (default: $XDG_STATE_HOME/keyhound/audit.jsonl, else
    /// ~/.local/state/keyhound/audit.jsonl). Symlinks are refused.
    #[arg(long, value_name = "FILE")]
    pub audit_log: Option<PathBuf>,

    /// Deadline in seconds for each request: connect, headers and body together.
    #[arg(long, value_name = "SECONDS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=300))]
    pub timeout: u64,
}

/// The guards of a revocation.
#[derive(Debug, Args)]
pub struct GuardArgs {
    /// Environment variable holding a NEW key; it must verify live before anything is revoked.
    /// Repeat it once per provider account: a replacement stands in only for keys of its own
    /// account (or, when the provider names no account, for one key).
    #[arg(long, value_name = "VAR")]
    pub replacement_env: Vec<String>,

    /// Revoke without a verified replacement: you accept downtime.
    #[arg(long)]
    pub emergency: bool,

    /// Do not ask for confirmation (CI). Without a terminal and without --yes, revoke refuses.
    #[arg(long)]
    pub yes: bool,
}

/// Where a key comes from and which rules describe its provider.
#[derive(Debug, Args)]
pub struct KeyArgs {
    /// Read the key from this environment variable (otherwise from stdin).
    #[arg(long, value_name = "VAR")]
    pub key_env: Option<String>,

    /// Caught only to refuse it without echoing it (clap would print it in its error).
    #[arg(hide = true, value_name = "KEY")]
    pub argv_key: Option<String>,

    /// Provider id (meetso, attendee, meetstream); default: recognised from the key's format.
    #[arg(long, value_name = "ID")]
    pub provider: Option<String>,

    /// Extra rules file (repeatable), e.g. a provider with its own verify/revoke spec.
    #[arg(long = "rules", value_name = "FILE")]
    pub rules: Vec<PathBuf>,

    /// Config file for providers and `[endpoints]` (not read from the current directory
    /// unless given: a key from your environment only goes where you say).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// `keyhound verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The key.
    #[command(flatten)]
    pub key: KeyArgs,

    /// Network options.
    #[command(flatten)]
    pub net: NetArgs,
}

/// `keyhound revoke`.
#[derive(Debug, Args)]
pub struct RevokeArgs {
    /// The key to revoke.
    #[command(flatten)]
    pub key: KeyArgs,

    /// Guards.
    #[command(flatten)]
    pub guard: GuardArgs,

    /// Network options.
    #[command(flatten)]
    pub net: NetArgs,
}

/// `keyhound checklist`.
#[derive(Debug, Args)]
pub struct ChecklistArgs {
    /// A JSON report written by `keyhound scan --format json`.
    #[arg(value_name = "REPORT.json")]
    pub report: PathBuf,

    /// Extra rules file (repeatable), for providers' rotation procedures.
    #[arg(long = "rules", value_name = "FILE")]
    pub rules: Vec<PathBuf>,

    /// Config file with extra providers.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Write the checklist to FILE instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Parses `PROVIDER=URL`.
fn parse_endpoint(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((id, url)) if !id.trim().is_empty() && !url.trim().is_empty() => {
            Ok((id.trim().to_string(), url.trim().to_string()))
        }
        _ => Err(format!(
            "expected PROVIDER=URL (e.g. meetso=https://api.meetso.ai), got `{s}`"
        )),
    }
}
