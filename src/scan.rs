//! Orchestrates one scan: picks the sources the plan asks for, runs them with the detector,
//! applies path allow-lists, and assembles the [`Report`].

use crate::detect::Detector;
use crate::dotenv;
use crate::finding::{Finding, Severity, SourceKind};
use crate::report::Report;
use crate::source::progress::Progress;
use crate::source::{archive, fs, git, stdin, Stats};
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

/// Default per-file size limit: 10 MiB.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 10 * 1024 * 1024;

/// What to scan and how.
#[derive(Clone, Debug)]
pub struct ScanPlan {
    /// The directory, file or repository to scan.
    pub root: PathBuf,
    /// Worker threads.
    pub threads: usize,
    /// Scan ignored and hidden files too.
    pub no_ignore: bool,
    /// Skip files and blobs larger than this.
    pub max_file_size: u64,
    /// Paths never reported (gitignore-style globs relative to the root).
    pub allow_paths: Vec<String>,
    /// Which sources to read.
    pub mode: Mode,
    /// Draw a progress line on stderr (only when it is a terminal).
    pub progress: bool,
    /// The scan is a commit or push gate (`--staged`, `--pre-receive`): nothing it lets
    /// through may go unread, so binary content is scanned too and content over the size
    /// limit fails the scan (see [`crate::incomplete`]).
    pub gate: bool,
    /// Nesting depth and inflated bytes per archive (zip, tar, gz) the file walk opens;
    /// members obey `max_file_size`.
    pub archives: ArchiveOptions,
}

impl ScanPlan {
    /// The archive limits every source applies: the plan's depth and budget, members
    /// bounded by `max_file_size`.
    pub fn archive_limits(&self) -> archive::ArchiveLimits {
        archive::ArchiveLimits {
            max_depth: self.archives.max_depth,
            max_member: self.max_file_size,
            max_total: self.archives.max_total,
        }
    }
}

/// How far the file walk opens archives (`--max-archive-depth`, `--max-archive-size`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArchiveOptions {
    /// Nesting depth opened; 0 scans archives as plain files (binary ones are skipped).
    pub max_depth: u32,
    /// Bytes inflated per top-level archive, nested members included.
    pub max_total: u64,
}

impl Default for ArchiveOptions {
    fn default() -> Self {
        ArchiveOptions {
            max_depth: archive::DEFAULT_MAX_DEPTH,
            max_total: archive::DEFAULT_MAX_TOTAL,
        }
    }
}

/// Which sources a scan reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Files only (`--no-history`).
    Files,
    /// The default: files and, for a repository, the history of all refs (or of `branch`).
    /// `worktree: false` is `--history-only`.
    Full {
        /// Also scan the files on disk.
        worktree: bool,
        /// Limit history to one ref.
        branch: Option<String>,
    },
    /// Only what the index adds relative to HEAD (`--staged`, pre-commit).
    Staged,
    /// Only lines added by the commits of a range (`--since`, `--range`, CI).
    Range(git::range::RangeSpec),
    /// Standard input (`keyhound scan -`), read in segments of `max_file_size` bytes.
    Stdin,
}

/// An error that stops the whole scan (a bad root, a bad glob).
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// The root does not exist or cannot be read.
    #[error("cannot scan {path}: {reason}")]
    Root {
        /// The root.
        path: String,
        /// Why.
        reason: String,
    },
    /// The mode needs a git repository and the root is in none.
    #[error("{path} is not in a git repository (needed for {mode})")]
    NotARepo {
        /// The root.
        path: String,
        /// The mode that needs git.
        mode: &'static str,
    },
    /// Reading the repository failed.
    #[error(transparent)]
    Git(#[from] crate::source::git::GitError),
    /// An allow glob does not parse.
    #[error("bad path glob `{glob}`: {reason}")]
    Glob {
        /// The glob.
        glob: String,
        /// Why.
        reason: String,
    },
}

/// Runs the plan and returns the report (findings sorted, stats filled).
pub fn run(plan: &ScanPlan, detector: &Detector) -> Result<Report, ScanError> {
    let started = Instant::now();
    if plan.mode != Mode::Stdin {
        check_root(&plan.root)?;
    }
    let allow = allow_set(&plan.allow_paths)?;
    let keep = |path: &str| !allow.is_match(path);
    let stats = Arc::new(Stats::default());
    let _progress = Progress::start(
        "scanning",
        Arc::clone(&stats),
        None,
        plan.progress && !matches!(plan.mode, Mode::Staged | Mode::Stdin),
    );
    let mut report = Report::default();
    match &plan.mode {
        Mode::Files => report.findings = files(plan, detector, &stats, &keep),
        Mode::Full { worktree, branch } => {
            full(
                plan,
                *worktree,
                branch,
                detector,
                &stats,
                &keep,
                &mut report,
            )?;
        }
        Mode::Staged => {
            let repo = open_repo(plan, "--staged")?;
            let limits = (plan.max_file_size, plan.archive_limits());
            let staged = git::staged::scan(&repo, detector, &stats, limits, &keep)?;
            report.findings = staged.findings;
            report
                .findings
                .extend(staged_env_findings(&repo, &staged.files, detector));
        }
        Mode::Stdin => {
            let input = stdin::scan(
                &mut std::io::stdin().lock(),
                plan.max_file_size,
                detector,
                &stats,
            )
            .map_err(|e| ScanError::Root {
                path: stdin::PATH.to_string(),
                reason: e.to_string(),
            })?;
            report.findings = input.findings;
            report.notes = input.notes;
        }
        Mode::Range(spec) => {
            let repo = open_repo(plan, "a commit range")?;
            let limits = git::Limits {
                max_size: plan.max_file_size,
                scan_binary: plan.gate,
                archives: plan.archive_limits(),
            };
            let range = git::range::scan(&repo, spec, detector, &stats, limits, &keep)?;
            report.findings = range.findings;
            report.notes = range.notes;
        }
    }
    report.stats = stats.snapshot();
    report.duration = started.elapsed();
    report.warnings = stats.take_warnings();
    // warnings come from parallel threads: one order for every run
    report.warnings.sort();
    report.skipped = stats.take_skipped();
    report.unreadable = stats.take_unreadable();
    report.rules = [detector.rules(), &dotenv::rules()].concat();
    crate::fixture::cap_local_fixtures(&mut report.findings);
    report.sort();
    Ok(report)
}

/// The root must exist and be a directory or a regular file: a FIFO, a device or a socket
/// given as the target is nothing to scan, and an error (not a silent "0 files").
fn check_root(root: &std::path::Path) -> Result<(), ScanError> {
    let err = |reason: String| ScanError::Root {
        path: root.display().to_string(),
        reason,
    };
    let meta = std::fs::metadata(root).map_err(|e| err(e.to_string()))?;
    if meta.is_dir() || meta.is_file() {
        return Ok(());
    }
    Err(err(format!(
        "{}, not a file or directory: nothing to scan",
        crate::bounded::kind(meta.file_type())
    )))
}

fn files(
    plan: &ScanPlan,
    detector: &Detector,
    stats: &Stats,
    keep: &(dyn Fn(&str) -> bool + Sync),
) -> Vec<Finding> {
    let opts = fs::FsOptions {
        root: plan.root.clone(),
        threads: plan.threads,
        no_ignore: plan.no_ignore,
        max_file_size: plan.max_file_size,
        archives: plan.archive_limits(),
    };
    let mut findings = fs::scan(&opts, detector, stats, keep);
    let tracked_env = dotenv::audit_worktree(&plan.root, detector, stats);
    dotenv::merge(
        &mut findings,
        tracked_env.into_iter().filter(|f| keep(&f.path)),
    );
    findings
}

/// Files plus history. A worktree finding that a history finding already explains (same
/// rule, secret and path) is dropped: the history one carries the commit.
fn full(
    plan: &ScanPlan,
    worktree: bool,
    branch: &Option<String>,
    detector: &Detector,
    stats: &Stats,
    keep: &(dyn Fn(&str) -> bool + Sync),
    report: &mut Report,
) -> Result<(), ScanError> {
    let repo = git::discover(&plan.root)?;
    let is_bare = repo.as_ref().is_some_and(|r| r.repo.workdir().is_none());
    if worktree && !is_bare {
        report.findings = files(plan, detector, stats, keep);
    }
    let Some(repo) = repo else {
        if !worktree {
            return Err(ScanError::NotARepo {
                path: plan.root.display().to_string(),
                mode: "--history-only",
            });
        }
        return Ok(());
    };
    let opts = git::history::HistoryOptions {
        threads: plan.threads,
        max_size: plan.max_file_size,
        branch: branch.clone(),
        archives: plan.archive_limits(),
    };
    let mut history = git::history::scan(&repo, &opts, detector, stats, keep)?;
    adopt_env_commits(&mut report.findings, &mut history.findings);
    // One finding per (rule, secret, path): a worktree finding whose secret history already
    // reports at that path (at the commit that introduced it) is that finding.
    let explained: HashSet<String> = history.findings.iter().map(Finding::fingerprint).collect();
    report
        .findings
        .retain(|f| !explained.contains(&f.fingerprint()));
    report.findings.extend(history.findings);
    report.facts = history.facts;
    report.notes = history.notes;
    Ok(())
}

/// The gitignore doctor's tracked env files gain the commit that added them (the last time
/// HEAD's first-parent line did), and, when that commit changed the very ignore line today's
/// diagnosis blames, the diagnosis that names both versions of the line. Reads history only
/// when an env file is tracked; a directory outside any repository is left as it is.
pub fn doctor_history(
    root: &std::path::Path,
    detector: &Detector,
    max_size: u64,
    report: &mut Report,
) -> Result<(), ScanError> {
    let tracked: Vec<git::env_audit::EnvPath> = report
        .findings
        .iter()
        .filter(|f| f.rule == dotenv::RULE_ID)
        .map(|f| (String::new(), f.path.clone()))
        .collect();
    if tracked.is_empty() {
        return Ok(());
    }
    let Some(repo) = git::discover(root)? else {
        return Ok(());
    };
    let paths: Vec<git::env_audit::EnvPath> = tracked
        .into_iter()
        .map(|(_, path)| (format!("{}{path}", repo.prefix), path))
        .collect();
    let versions = git::env_audit::head_introductions(&repo, &paths)?;
    let mut history = git::env_audit::findings(&repo, versions, detector, max_size)?;
    adopt_env_commits(&mut report.findings, &mut history);
    Ok(())
}

/// A committed env file still tracked today keeps its worktree finding (diagnosed against
/// today's ignore files, which is what the user fixes) and gains the commit that first added
/// it from the history finding, which is dropped.
fn adopt_env_commits(worktree: &mut [Finding], history: &mut Vec<Finding>) {
    history.retain(|h| {
        if h.rule != dotenv::RULE_ID {
            return true;
        }
        match worktree
            .iter_mut()
            .find(|w| w.rule == h.rule && w.path == h.path)
        {
            Some(w) => {
                w.commit = h.commit.clone();
                w.severity = w.severity.max(h.severity);
                if same_line_changed_in_commit(w.gitignore.as_ref(), h.gitignore.as_ref()) {
                    w.gitignore = h.gitignore.clone();
                }
                false
            }
            None => true,
        }
    });
}

/// Whether the history diagnosis says the commit that added the file changed an ignore line,
/// and today's diagnosis blames that very line as it is: the history one explains more (what
/// the line was) and its fix still applies.
fn same_line_changed_in_commit(
    today: Option<&crate::finding::GitignoreDiagnosis>,
    history: Option<&crate::finding::GitignoreDiagnosis>,
) -> bool {
    let (Some(t), Some(h)) = (today, history) else {
        return false;
    };
    h.cause == "changed-in-commit" && (&t.file, t.line, &t.pattern) == (&h.file, h.line, &h.pattern)
}

/// `dotenv-committed` findings for staged env files, diagnosed against the work tree's
/// ignore files: staging an env file fails the commit with the same advice.
fn staged_env_findings(
    repo: &git::Repo,
    files: &[(String, Vec<u8>)],
    detector: &Detector,
) -> Vec<Finding> {
    let env_files: Vec<&(String, Vec<u8>)> = files
        .iter()
        .filter(|(path, _)| dotenv::classify(path).is_some())
        .collect();
    let Some(workdir) = repo.repo.workdir().filter(|_| !env_files.is_empty()) else {
        return Vec::new();
    };
    // Reading the ignore configuration costs a little: only when an env file is staged.
    let ignores = dotenv::ignore::RepoIgnores::open(&repo.repo);
    env_files
        .into_iter()
        .filter_map(|(path, data)| {
            let repo_path = format!("{}{path}", repo.prefix);
            let diagnosis =
                dotenv::doctor::diagnose(&ignores.worktree(workdir, &repo_path), &repo_path);
            dotenv::committed_env_finding(path, data, detector, diagnosis, SourceKind::Staged, None)
        })
        .collect()
}

/// After a staged scan (and its baseline): records, in `report.facts`, which of the keys at
/// or above `threshold` — the ones that block the commit — a file of HEAD already holds, so
/// the advice can say the key is committed already. Reads HEAD's files only when such a key
/// was found.
pub fn mark_committed_keys(
    plan: &ScanPlan,
    report: &mut Report,
    threshold: Severity,
) -> Result<(), ScanError> {
    let mut keys: BTreeMap<&str, &str> = BTreeMap::new();
    for f in report.findings.iter().filter(|f| f.severity >= threshold) {
        if let Some(s) = &f.secret {
            keys.insert(s.sha256(), s.expose());
        }
    }
    if keys.is_empty() {
        return Ok(());
    }
    let repo = open_repo(plan, "--staged")?;
    let plain: Vec<&str> = keys.values().copied().collect();
    let held = git::staged::held_by_head(&repo, &plain, plan.max_file_size)?;
    let committed: Vec<(String, String)> = keys
        .keys()
        .zip(held)
        .filter_map(|(sha, path)| Some((sha.to_string(), path?)))
        .collect();
    for (sha, path) in committed {
        report.facts.entry(sha).or_default().committed_at = Some(path);
    }
    Ok(())
}

fn open_repo(plan: &ScanPlan, mode: &'static str) -> Result<git::Repo, ScanError> {
    git::discover(&plan.root)?.ok_or_else(|| ScanError::NotARepo {
        path: plan.root.display().to_string(),
        mode,
    })
}

/// Compiles gitignore-style globs: a pattern without `/` matches at any depth.
pub fn allow_set(globs: &[String]) -> Result<GlobSet, ScanError> {
    let mut builder = GlobSetBuilder::new();
    for glob in globs {
        let trimmed = glob.trim_start_matches('/');
        let pattern = if glob.contains('/') {
            trimmed.to_string()
        } else {
            format!("**/{trimmed}")
        };
        for p in [
            pattern.clone(),
            format!("{}/**", pattern.trim_end_matches('/')),
        ] {
            let g = GlobBuilder::new(&p)
                .literal_separator(true)
                .build()
                .map_err(|e| ScanError::Glob {
                    glob: glob.clone(),
                    reason: e.kind().to_string(),
                })?;
            builder.add(g);
        }
    }
    builder.build().map_err(|e| ScanError::Glob {
        glob: globs.join(", "),
        reason: e.kind().to_string(),
    })
}
