//! The repository-config trust model: which settings files a scan believes, and from where.
//!
//! A scanned repository may hold `.keyhound.toml`, `.keyhoundignore`, `.gitleaksignore`
//! and a baseline that hide findings. A scan of changes under review (`--since`, `--range`, `--pre-receive`)
//! reads them from the base (the merge base, the pushed ref's old tip), never from the
//! changes themselves, and reports every change the commits make to them as a
//! [`CONFIG_CHANGED_RULE`] finding, so a pull request cannot silence its own CI scan. Other
//! scans read them from the work tree and say in a note what they turn off
//! ([`effect::RepoConfigUse`]); `--no-repo-config` ignores them. `--config` and `--baseline`
//! files are the user's and are trusted as given (a change to one inside the repository is
//! still reported).

pub mod changes;
pub mod effect;
pub mod files;

use crate::baseline::IGNORE_FILE;
use crate::config::{Config, FILE_NAME};
use crate::finding::{short_id, Finding};
use crate::gitleaksignore;
use crate::rules::{RuleError, RuleSet};
use crate::scan::Mode;
use crate::source::git::{self, range, GitError, Repo};
use effect::{Kind, RepoConfigUse};
use gix::ObjectId;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The rule id of a change to a settings file within a scanned range.
pub const CONFIG_CHANGED_RULE: &str = "keyhound-config-changed";

/// The rules implemented here, for `keyhound rules list` and report metadata (SARIF).
pub fn rules() -> Vec<crate::rules::Rule> {
    vec![crate::rules::Rule::coded(
        CONFIG_CHANGED_RULE,
        "A commit under review changes keyhound's settings (.keyhound.toml, an ignore file or a baseline)",
        crate::finding::Severity::High,
        "Review the change: the scan of these commits used the base's settings, and the change takes effect once merged. Scanning settings belong in a reviewed change of their own.",
    )]
}

/// A settings file that cannot be read or parsed, or a base that cannot be found.
#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    /// A config file with a problem (named with its line).
    #[error(transparent)]
    Config(#[from] RuleError),
    /// The repository cannot be read.
    #[error(transparent)]
    Git(#[from] GitError),
    /// A settings file cannot be read.
    #[error("{what}: {reason}")]
    File {
        /// The file.
        what: String,
        /// Why.
        reason: String,
    },
}

impl TrustError {
    fn new(what: &str, reason: impl Into<String>) -> TrustError {
        TrustError::File {
            what: what.to_string(),
            reason: reason.into(),
        }
    }
}

/// Where a scan takes the scanned repository's settings files from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Base {
    /// The scan root on disk (full scans, `--no-history`, `--staged`).
    Worktree,
    /// The merge base of two revisions (`--since REV`: HEAD and REV; `--range A..B`).
    MergeBase {
        /// The revision under review (`HEAD`, `B`).
        include: String,
        /// The revision it is compared with (`REV`, `A`).
        exclude: String,
    },
    /// A pre-receive push: the old tip of an updated ref, else the server's HEAD, else
    /// nothing (defaults).
    PreReceive {
        /// The old tip (`None` when the push only creates refs).
        old: Option<String>,
    },
}

/// What a scan's settings are made of.
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    /// The scan root.
    pub root: &'a Path,
    /// Where the repository's files come from.
    pub base: &'a Base,
    /// `--config`: trusted as given; the repository's `.keyhound.toml` is not read.
    pub explicit_config: Option<&'a Path>,
    /// `--baseline`: trusted as given; the config's baseline is not read.
    pub explicit_baseline: Option<&'a Path>,
    /// `--no-repo-config`: read none of the repository's settings files.
    pub no_repo_config: bool,
}

/// A settings file's text and the name errors and notes give it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Text {
    /// `.keyhoundignore`, `1a2b3c4:.keyhound-baseline`, a path on disk.
    pub name: String,
    /// The contents.
    pub text: String,
}

impl Text {
    /// `(name, text)`, as [`crate::baseline::FilterOptions`] takes it.
    pub fn pair(&self) -> (&str, &str) {
        (&self.name, &self.text)
    }
}

/// A settings file a scan of commits watches for changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Watched {
    /// Repository path.
    pub repo_path: String,
    /// What it holds.
    pub kind: Kind,
}

/// The settings a scan runs with, read from where [`Base`] says.
#[derive(Debug, Default)]
pub struct Settings {
    /// The config (explicit, or the repository's).
    pub config: Option<Config>,
    /// `.keyhoundignore`.
    pub ignore: Option<Text>,
    /// `.gitleaksignore`.
    pub gitleaks_ignore: Option<Text>,
    /// The baseline (explicit, or the config's).
    pub baseline: Option<Text>,
    /// What the repository's own files turn off, for the report.
    pub repo_use: RepoConfigUse,
    /// The commit the repository's files were read from (scans of commits).
    pub base_commit: Option<ObjectId>,
    /// How notes and findings name where the settings came from.
    pub source: String,
    /// The settings files whose changes a scan of commits reports.
    pub watched: Vec<Watched>,
}

/// Where the repository's files are read from.
enum Origin<'r> {
    Disk(&'r Path),
    Commit(&'r Repo, ObjectId),
    Nothing,
}

impl Settings {
    /// Reads the settings `req` asks for.
    pub fn load(req: &Request<'_>) -> Result<Settings, TrustError> {
        let repo = match req.base {
            // a root outside any repository (or missing: the scan says so) is fine here
            Base::Worktree => git::discover(req.root).ok().flatten(),
            _ => git::discover(req.root)?,
        };
        let mut s = Settings::default();
        let origin = match (req.base, &repo) {
            (Base::Worktree, _) => Origin::Disk(req.root),
            (base, Some(repo)) => match base_commit(repo, base)? {
                Some(id) => Origin::Commit(repo, id),
                None => Origin::Nothing,
            },
            (_, None) => Origin::Nothing,
        };
        s.source = match &origin {
            Origin::Disk(_) => "work tree".to_string(),
            Origin::Commit(_, id) => format!("commit {}", short_id(&id.to_string())),
            Origin::Nothing => "no base commit: defaults".to_string(),
        };
        if let Origin::Commit(_, id) = origin {
            s.base_commit = Some(id);
        }
        s.repo_use.source = s.source.clone();
        let prefix = repo.as_ref().map_or("", |r| r.prefix.as_str());
        let config_path = format!("{prefix}{FILE_NAME}");
        let ignore_path = format!("{prefix}{IGNORE_FILE}");
        let gitleaks_path = format!("{prefix}{}", gitleaksignore::FILE);
        let repo_config = req.explicit_config.is_none() && !req.no_repo_config;
        if let Some(path) = req.explicit_config {
            s.config = Some(Config::load(path)?);
        } else if repo_config {
            s.config = origin.config(&config_path)?;
        }
        if !req.no_repo_config {
            s.ignore = origin.text(&ignore_path, files::MAX_SETTINGS_BYTES)?;
            s.gitleaks_ignore = origin.text(&gitleaks_path, files::MAX_SETTINGS_BYTES)?;
        }
        let config_baseline = s.baseline_source(req, prefix);
        s.baseline = match (req.explicit_baseline, &config_baseline) {
            (Some(path), _) => Some(disk_required(path)?),
            (None, Some(BaselineAt::Disk(path))) => Some(disk_required(path)?),
            (None, Some(BaselineAt::Repo(path))) => Some(
                origin
                    .text(path, files::MAX_BASELINE_BYTES)?
                    .ok_or_else(|| {
                        TrustError::new(
                            path,
                            format!(
                                "the baseline named by {FILE_NAME} is not in the {}",
                                s.source
                            ),
                        )
                    })?,
            ),
            (None, None) => None,
        };
        s.record_repo_use(repo_config, &config_path, &config_baseline);
        if req.no_repo_config {
            s.repo_use.ignored = [&config_path, &ignore_path, &gitleaks_path]
                .into_iter()
                .filter(|p| origin.exists(p))
                .map(|p| p.strip_prefix(prefix).unwrap_or(p).to_string())
                .collect();
        }
        if let Some(repo) = &repo {
            s.watched = watched(
                repo,
                req,
                repo_config,
                &config_path,
                &[ignore_path.as_str(), gitleaks_path.as_str()],
                &config_baseline,
            );
        }
        Ok(s)
    }

    /// The config alone, for scans that apply no suppression files (sweeps).
    pub fn config_only(mut self) -> Settings {
        self.ignore = None;
        self.gitleaks_ignore = None;
        self.baseline = None;
        self.repo_use.suppressions.clear();
        self
    }

    /// Where the config's baseline lives: on disk for a `--config` file or a work tree
    /// config (or an absolute path), else in the base commit's tree.
    fn baseline_source(&self, req: &Request<'_>, prefix: &str) -> Option<BaselineAt> {
        let config = self.config.as_ref()?;
        let named = config.baseline.as_ref()?;
        if req.explicit_config.is_some() || *req.base == Base::Worktree || named.is_absolute() {
            return config.baseline_path().map(BaselineAt::Disk);
        }
        files::join_repo_path(prefix, &named.to_string_lossy()).map(BaselineAt::Repo)
    }

    fn record_repo_use(
        &mut self,
        repo_config: bool,
        config_path: &str,
        baseline: &Option<BaselineAt>,
    ) {
        if let (true, Some(config)) = (repo_config, &self.config) {
            let builtin: BTreeSet<String> = RuleSet::builtin()
                .map(|set| set.rules.into_iter().map(|r| r.id).collect())
                .unwrap_or_default();
            self.repo_use.add_config(config_path, config, &builtin);
            if let (Some(b), Some(text)) = (baseline, &self.baseline) {
                self.repo_use.add_suppressions(&b.name(), &text.text);
            }
        }
        for ignore in [&self.ignore, &self.gitleaks_ignore].into_iter().flatten() {
            self.repo_use.add_suppressions(&ignore.name, &ignore.text);
        }
    }
}

/// The config's baseline: a file on disk or a repository path.
enum BaselineAt {
    Disk(PathBuf),
    Repo(String),
}

impl BaselineAt {
    fn name(&self) -> String {
        match self {
            BaselineAt::Disk(p) => p.display().to_string(),
            BaselineAt::Repo(p) => p.clone(),
        }
    }
}

impl Origin<'_> {
    fn config(&self, repo_path: &str) -> Result<Option<Config>, TrustError> {
        match self {
            Origin::Disk(root) => Ok(Config::discover(root)?),
            Origin::Commit(repo, id) => {
                let name = format!("{}:{repo_path}", short_id(&id.to_string()));
                let Some(text) =
                    files::text_in_commit(repo, *id, repo_path, files::MAX_SETTINGS_BYTES, &name)?
                else {
                    return Ok(None);
                };
                let mut config = Config::parse(&name, &text)?;
                config.path = Some(PathBuf::from(name));
                Ok(Some(config))
            }
            Origin::Nothing => Ok(None),
        }
    }

    /// A repository file's text (for a disk origin, relative to the scan root).
    fn text(&self, repo_path: &str, cap: u64) -> Result<Option<Text>, TrustError> {
        match self {
            Origin::Disk(root) => {
                let name = Path::new(repo_path)
                    .file_name()
                    .map_or(repo_path.into(), |n| n.to_string_lossy().into_owned());
                if !root.is_dir() {
                    return Ok(None);
                }
                Ok(files::disk_text(&root.join(&name), cap)?.map(|text| Text { name, text }))
            }
            Origin::Commit(repo, id) => {
                let name = repo
                    .relative(repo_path)
                    .unwrap_or_else(|| repo_path.to_string());
                let label = format!("{}:{repo_path}", short_id(&id.to_string()));
                Ok(files::text_in_commit(repo, *id, repo_path, cap, &label)?
                    .map(|text| Text { name, text }))
            }
            Origin::Nothing => Ok(None),
        }
    }

    fn exists(&self, repo_path: &str) -> bool {
        match self {
            Origin::Disk(root) => Path::new(repo_path)
                .file_name()
                .is_some_and(|n| root.join(n).is_file()),
            Origin::Commit(repo, id) => files::blob_in_commit(repo, *id, repo_path).is_some(),
            Origin::Nothing => false,
        }
    }
}

fn disk_required(path: &Path) -> Result<Text, TrustError> {
    let name = path.display().to_string();
    let text = files::disk_text(path, files::MAX_BASELINE_BYTES)?
        .ok_or_else(|| TrustError::new(&name, "cannot read: No such file or directory"))?;
    Ok(Text { name, text })
}

/// The commit the settings of a scan of commits come from.
fn base_commit(repo: &Repo, base: &Base) -> Result<Option<ObjectId>, TrustError> {
    match base {
        Base::Worktree => Ok(None),
        Base::MergeBase { include, exclude } => {
            let a = range::resolve(repo, include)?;
            let b = range::resolve(repo, exclude)?;
            let merge_base = repo
                .repo
                .merge_base(a, b)
                .ok()
                .flatten()
                .map(|id| id.detach());
            // unrelated histories: the revision the range is compared with
            Ok(Some(merge_base.unwrap_or(b)))
        }
        Base::PreReceive { old } => {
            let rev = old.as_deref().unwrap_or("HEAD");
            // a repository without commits yet has no settings
            Ok(range::resolve(repo, rev).ok())
        }
    }
}

/// The settings files whose changes matter: the repository's own (when read) and the
/// user's `--config`/`--baseline` files when they lie inside the repository.
fn watched(
    repo: &Repo,
    req: &Request<'_>,
    repo_config: bool,
    config_path: &str,
    ignore_paths: &[&str],
    config_baseline: &Option<BaselineAt>,
) -> Vec<Watched> {
    let mut out = Vec::new();
    let mut add = |repo_path: String, kind: Kind| {
        if !out.iter().any(|w: &Watched| w.repo_path == repo_path) {
            out.push(Watched { repo_path, kind });
        }
    };
    if repo_config {
        add(config_path.to_string(), Kind::Config);
    }
    if !req.no_repo_config {
        for path in ignore_paths {
            add(path.to_string(), Kind::Ignore);
        }
    }
    match config_baseline {
        Some(BaselineAt::Repo(path)) => add(path.clone(), Kind::Baseline),
        Some(BaselineAt::Disk(path)) => {
            if let Some(p) = files::repo_path_of(repo, path) {
                add(p, Kind::Baseline);
            }
        }
        None => {}
    }
    let explicit = [
        (req.explicit_config, Kind::Config),
        (req.explicit_baseline, Kind::Baseline),
    ];
    for (path, kind) in explicit {
        if let Some(p) = path.and_then(|p| files::repo_path_of(repo, p)) {
            add(p, kind);
        }
    }
    out
}

/// What a scan's settings add to its report.
#[derive(Debug, Default)]
pub struct Additions {
    /// [`CONFIG_CHANGED_RULE`] findings (scans of commits).
    pub findings: Vec<Finding>,
    /// Notes: the repository settings applied, a settings file changed before a commit.
    pub notes: Vec<String>,
}

impl Settings {
    /// The findings and notes the settings mean for a scan of `root` in `mode`: changes to
    /// watched files within a range, work tree changes before a commit, and the note on
    /// what the repository's own files turn off.
    pub fn additions(&self, root: &Path, mode: &Mode) -> Result<Additions, TrustError> {
        let mut out = Additions::default();
        match mode {
            Mode::Range(spec) => {
                if let Some(repo) = git::discover(root)? {
                    out.findings =
                        changes::range_findings(&repo, spec, &self.watched, &self.source)?;
                }
            }
            Mode::Staged => {
                if let Some(repo) = git::discover(root)? {
                    out.notes = changes::worktree_notes(&repo, &self.watched);
                }
            }
            Mode::Files | Mode::Full { .. } | Mode::Stdin => {}
        }
        out.notes.extend(self.repo_use.note());
        Ok(out)
    }
}
