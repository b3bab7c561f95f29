//! The `.env` exposure audit: which files are environment files (`classify`), the
//! `dotenv-committed` finding for an env file that git tracks, and the worktree audit that
//! finds every tracked env file in the index and asks the gitignore doctor (`doctor`) why git
//! did not ignore it. `ignore` reads git's ignore sources with git's own semantics;
//! `nearmiss` finds the line that was meant to match; `lint` is `keyhound gitignore-doctor`.

mod contents;
pub mod doctor;
pub mod ignore;
pub mod lint;
pub mod nearmiss;

pub use doctor::{diagnose, diagnose_gap};
pub use ignore::{worktree_ignore_sources, IgnoreSource, IgnoreSources, RepoIgnores};

use crate::detect::Detector;
use crate::finding::{CommitInfo, Finding, GitignoreDiagnosis, Severity, SourceKind};
use crate::rules::Rule;
use crate::source::{Chunk, Stats};
use contents::EnvContents;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Rule id of a tracked env file.
pub const RULE_ID: &str = "dotenv-committed";
/// Rule id of an ignore-rule gap reported by `keyhound gitignore-doctor`.
pub const GAP_RULE_ID: &str = "gitignore-gap";

/// Env files larger than this are not read for secrets (they are still reported).
const MAX_ENV_FILE: u64 = 10 * 1024 * 1024;

/// Name parts that mark a committed-on-purpose template.
const TEMPLATE_WORDS: &[&str] = &[
    "example",
    "examples",
    "sample",
    "samples",
    "template",
    "templates",
    "tmpl",
    "tpl",
    "dist",
    "defaults",
    "default",
];

/// Last name parts that make `x.env.<part>` something other than an env file: source code
/// that reads the environment, or an encrypted env file that is meant to be committed.
const NOT_ENV_EXTENSIONS: &[&str] = &[
    "js",
    "jsx",
    "mjs",
    "cjs",
    "ts",
    "tsx",
    "py",
    "rb",
    "go",
    "rs",
    "php",
    "java",
    "kt",
    "sh",
    "ps1",
    "md",
    "json",
    "yml",
    "yaml",
    "toml",
    "vault",
    "enc",
    "encrypted",
    "gpg",
    "age",
    "asc",
];

/// What kind of env file a name denotes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnvFileKind {
    /// A real environment file: `.env`, `.env.local`, `prod.env`, `.envrc`, …
    Env,
    /// A template meant to be committed: `.env.example`, `.env.sample`, …
    Template,
}

/// Classifies a path by its file name: `Some(Env)` for `.env`, `.env.local`,
/// `.env.production`, `.env.development.local`, `prod.env`, `.envrc`, …; `Some(Template)` for
/// `.env.example`/`.sample`/`.template`/`.dist`/`.defaults` at any depth; `None` otherwise
/// (a directory named `env/`, `environment.py`, `.envoy`, `dotenv.js`, `config.env.js`,
/// an encrypted `.env.vault` are not env files).
pub fn classify(path: &str) -> Option<EnvFileKind> {
    let name = path.rsplit('/').next()?.to_ascii_lowercase();
    if name == ".envrc" {
        return Some(EnvFileKind::Env);
    }
    let (stem, suffix) = name
        .match_indices(".env")
        .map(|(i, _)| (&name[..i], &name[i + 4..]))
        .find(|(_, suffix)| env_suffix(suffix))?;
    let words: Vec<&str> = stem
        .split(['.', '-', '_'])
        .chain(suffix.split(['.', '-', '_']))
        .filter(|w| !w.is_empty())
        .collect();
    if suffix
        .rsplit('.')
        .next()
        .is_some_and(|last| NOT_ENV_EXTENSIONS.contains(&last))
    {
        return None;
    }
    if words.iter().any(|w| TEMPLATE_WORDS.contains(w)) {
        Some(EnvFileKind::Template)
    } else {
        Some(EnvFileKind::Env)
    }
}

/// What may follow `.env` in an env file name: nothing, or a separator and a word
/// (`.local`, `-prod`, `_staging`), never a bare trailing dot.
fn env_suffix(suffix: &str) -> bool {
    match suffix.chars().next() {
        None => true,
        Some('.' | '-' | '_') => suffix.len() > 1 && !suffix.ends_with('.'),
        Some(_) => false,
    }
}

/// The rules implemented here rather than by patterns, for `keyhound rules list` and report
/// metadata (SARIF).
pub fn rules() -> Vec<Rule> {
    vec![
        Rule::coded(
            RULE_ID,
            "Environment file (.env, .env.local, prod.env, …) committed to git",
            Severity::High,
            "Fix the ignore rule named in the finding, untrack the file with `git rm --cached`, and rotate every secret it held: git history keeps them.",
        ),
        Rule::coded(
            GAP_RULE_ID,
            "Ignore rules would not keep a new .env file out of git (gitignore-doctor)",
            Severity::Medium,
            "Apply the fix named in the finding so git ignores env files before one is committed.",
        ),
    ]
}

/// The `dotenv-committed` finding for a committed (or staged) env file, or `None` when
/// `path` is no env file, a file named like one that holds no `NAME=value` lines and no key,
/// or a template whose values are all placeholders. Severity is critical when `detector`
/// finds a secret in `contents`, else high or low (`env_finding`). A template holding a real
/// secret is reported without a gitignore diagnosis (templates belong in git; the secret
/// does not). The secrets themselves are reported by the normal scan, not here.
pub fn committed_env_finding(
    path: &str,
    contents: &[u8],
    detector: &Detector,
    diagnosis: GitignoreDiagnosis,
    source: SourceKind,
    commit: Option<CommitInfo>,
) -> Option<Finding> {
    let kind = classify(path)?;
    let secrets = detector.scan(&crate::source::decode::text(contents)).len();
    let held = contents::inspect(contents);
    if secrets == 0 && !held.reads_like_env {
        return None;
    }
    env_finding(path, kind, Some(&held), secrets, diagnosis, source, commit)
}

/// The `dotenv-committed` finding for a committed env file too large to read (over the
/// scan's size limit): high, since what it holds is unknown. `None` when `path` is no env
/// file or a template.
pub fn unread_env_finding(
    path: &str,
    diagnosis: GitignoreDiagnosis,
    source: SourceKind,
    commit: Option<CommitInfo>,
) -> Option<Finding> {
    env_finding(path, classify(path)?, None, 0, diagnosis, source, commit)
}

/// The finding for an env file holding `secrets` keys found by the rules. Without any, it is
/// high when a variable still looks like a credential (named in the detail, never its
/// value) or the file was too large to read (`held` is `None`), low when the file only
/// sets flags, ports and the like.
fn env_finding(
    path: &str,
    kind: EnvFileKind,
    held: Option<&EnvContents>,
    secrets: usize,
    diagnosis: GitignoreDiagnosis,
    source: SourceKind,
    commit: Option<CommitInfo>,
) -> Option<Finding> {
    let (count, them) = match secrets {
        1 => ("1 secret".to_string(), "it"),
        n => (format!("{n} secrets"), "them"),
    };
    let (severity, detail, gitignore) = match kind {
        EnvFileKind::Template if secrets == 0 => return None,
        EnvFileKind::Template => (
            Severity::Critical,
            format!("template holds {count}: replace {them} with placeholders and rotate {them}, git history keeps {them}"),
            None,
        ),
        EnvFileKind::Env if secrets == 0 => match held.map(|h| h.credential.as_deref()) {
            None => (
                Severity::High,
                "too large to read; rotate any credential it holds: git history keeps it".to_string(),
                Some(diagnosis),
            ),
            Some(Some(name)) => (
                Severity::High,
                format!("no known key pattern inside, but `{name}` looks like a credential: rotate it and any other credential the file held, git history keeps them"),
                Some(diagnosis),
            ),
            Some(None) => (
                Severity::Low,
                "no value in it looks like a credential (flags, ports, hosts); untrack it so the next secret added to it stays out of git".to_string(),
                Some(diagnosis),
            ),
        },
        EnvFileKind::Env if source == SourceKind::Staged => (
            Severity::Critical,
            format!("holds {count}; not committed yet: unstage the file and keep {them} out of git"),
            Some(diagnosis),
        ),
        EnvFileKind::Env => (
            Severity::Critical,
            format!("holds {count}; rotate {them}: git history keeps {them} even after `git rm --cached`"),
            Some(diagnosis),
        ),
    };
    Some(Finding {
        rule: RULE_ID.to_string(),
        severity,
        provider: None,
        path: path.to_string(),
        line: 1,
        column: 1,
        secret: None,
        source,
        commit,
        detail: Some(detail),
        gitignore,
        repository: None,
        later: Vec::new(),
        local_server: None,
    })
}

/// Why the audit could not look at a repository.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// The path is not inside a git working tree.
    #[error("{0} is not inside a git working tree")]
    NotARepository(String),
    /// The path cannot be read.
    #[error("cannot read {path}: {reason}")]
    Path {
        /// The path.
        path: String,
        /// Why.
        reason: String,
    },
    /// The index cannot be read.
    #[error("cannot read the git index of {path}: {reason}")]
    Index {
        /// The working tree.
        path: String,
        /// Why.
        reason: String,
    },
}

/// A file tracked in the index.
#[derive(Clone, Debug)]
pub struct TrackedFile {
    /// Repository-relative path.
    pub path: String,
    /// The staged blob.
    pub id: gix::ObjectId,
}

/// A git working tree opened for the audit, seen from a scan root inside it.
pub struct Worktree {
    repo: gix::Repository,
    workdir: PathBuf,
    /// The scan root relative to the working tree (`""` at the top).
    prefix: String,
    root_is_file: bool,
    ignores: RepoIgnores,
}

impl Worktree {
    /// Opens the working tree that contains `root`; `Ok(None)` when there is none.
    pub fn discover(root: &Path) -> Result<Option<Worktree>, AuditError> {
        let path_error = |e: std::io::Error| AuditError::Path {
            path: root.display().to_string(),
            reason: e.to_string(),
        };
        let root = std::fs::canonicalize(root).map_err(path_error)?;
        let root_is_file = root.is_file();
        let dir = if root_is_file {
            root.parent().unwrap_or(&root)
        } else {
            &root
        };
        let Ok(repo) = gix::discover(dir) else {
            return Ok(None);
        };
        let Some(workdir) = repo.workdir().and_then(|w| std::fs::canonicalize(w).ok()) else {
            return Ok(None);
        };
        let Ok(rel) = root.strip_prefix(&workdir) else {
            return Ok(None);
        };
        let prefix = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        let ignores = RepoIgnores::open(&repo);
        Ok(Some(Worktree {
            repo,
            workdir,
            prefix,
            root_is_file,
            ignores,
        }))
    }

    /// The repository.
    pub fn repo(&self) -> &gix::Repository {
        &self.repo
    }

    /// The working tree's top directory.
    pub fn workdir(&self) -> &Path {
        &self.workdir
    }

    /// The repository-wide ignore configuration.
    pub fn ignores(&self) -> &RepoIgnores {
        &self.ignores
    }

    /// `rel` (repository-relative) as a path relative to the scan root, or `None` when it
    /// lies outside the root.
    pub fn display_path(&self, rel: &str) -> Option<String> {
        if self.prefix.is_empty() {
            return Some(rel.to_string());
        }
        if self.root_is_file {
            return (rel == self.prefix).then(|| rel.rsplit('/').next().unwrap_or(rel).to_string());
        }
        rel.strip_prefix(&self.prefix)?
            .strip_prefix('/')
            .map(str::to_string)
    }

    /// Every regular file in the index below the scan root.
    pub fn tracked(&self) -> Result<Vec<TrackedFile>, AuditError> {
        let index = self.repo.index_or_empty().map_err(|e| AuditError::Index {
            path: self.workdir.display().to_string(),
            reason: e.to_string(),
        })?;
        use gix::index::entry::Mode;
        let mut files: Vec<TrackedFile> = index
            .entries()
            .iter()
            .filter(|e| e.mode == Mode::FILE || e.mode == Mode::FILE_EXECUTABLE)
            .filter_map(|e| {
                let path = std::str::from_utf8(e.path(&index)).ok()?.to_string();
                self.display_path(&path)?;
                Some(TrackedFile { path, id: e.id })
            })
            .collect();
        // A conflicted file has one entry per stage.
        files.dedup_by(|a, b| a.path == b.path);
        Ok(files)
    }

    /// The content of a tracked file: the working-tree file (what the file scan reads), else
    /// the staged blob when the file is gone from disk or is no regular file there (a FIFO,
    /// a device, a link to one); empty when unreadable, `None` when too large to read.
    pub fn contents(&self, file: &TrackedFile) -> Option<Vec<u8>> {
        use crate::bounded::ReadError;
        let on_disk = self.workdir.join(&file.path);
        match crate::bounded::read(&on_disk, MAX_ENV_FILE) {
            Ok(data) => Some(data),
            Err(ReadError::TooLarge(_)) => None,
            // Gone from disk, or replaced by a FIFO, a device or a link to one: what the
            // index holds.
            Err(ReadError::NotRegular(_)) => self.staged(file),
            Err(ReadError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => self.staged(file),
            Err(_) => Some(Vec::new()),
        }
    }

    /// The staged blob; `None` when its header says it is over the limit (never inflated).
    fn staged(&self, file: &TrackedFile) -> Option<Vec<u8>> {
        match self.repo.try_find_header(file.id) {
            Ok(Some(h)) if h.size() > MAX_ENV_FILE => None,
            _ => Some(
                self.repo
                    .find_blob(file.id)
                    .map(|mut b| b.take_data())
                    .unwrap_or_default(),
            ),
        }
    }

    /// `dotenv-committed` findings for every tracked env file below the root; with
    /// `secrets`, also the findings for the secrets inside them (which the file walk misses
    /// when an ignore rule matches a tracked file).
    pub fn env_findings(
        &self,
        detector: &Detector,
        secrets: bool,
    ) -> Result<Vec<Finding>, AuditError> {
        let mut out = Vec::new();
        for file in self.tracked()? {
            let Some(kind) = classify(&file.path) else {
                continue;
            };
            let Some(shown) = self.display_path(&file.path) else {
                continue;
            };
            let read = self.contents(&file);
            let data = read.as_deref().unwrap_or_default();
            let found = Chunk {
                path: &shown,
                data,
                kind: SourceKind::Worktree,
                commit: None,
            }
            .scan(detector);
            let held = read.as_deref().map(contents::inspect);
            if found.is_empty() && held.as_ref().is_some_and(|h| !h.reads_like_env) {
                continue;
            }
            let sources = self.ignores.worktree(&self.workdir, &file.path);
            let diagnosis = diagnose(&sources, &file.path);
            let finding = env_finding(
                &shown,
                kind,
                held.as_ref(),
                found.len(),
                diagnosis,
                SourceKind::Worktree,
                None,
            );
            out.extend(finding);
            if secrets {
                out.extend(found);
            }
        }
        Ok(out)
    }
}

/// The worktree part of `keyhound scan`: when `root` lies in a git working tree, a
/// `dotenv-committed` finding for every env file tracked in the index, plus the secrets in
/// those files. Not a repository: nothing. Problems go to `stats` as warnings.
pub fn audit_worktree(root: &Path, detector: &Detector, stats: &Stats) -> Vec<Finding> {
    let result = Worktree::discover(root)
        .and_then(|wt| wt.map_or(Ok(Vec::new()), |wt| wt.env_findings(detector, true)));
    result.unwrap_or_else(|e| {
        stats.warn(format!("env file audit skipped: {e}"));
        Vec::new()
    })
}

/// Appends `extra` to `findings`, leaving out findings already present (same rule, path,
/// position and source): the secrets of an env file are found by both the file walk and
/// the audit.
pub fn merge(findings: &mut Vec<Finding>, extra: impl IntoIterator<Item = Finding>) {
    let key = |f: &Finding| (f.rule.clone(), f.path.clone(), f.line, f.column, f.source);
    let seen: HashSet<_> = findings.iter().map(key).collect();
    findings.extend(extra.into_iter().filter(|f| !seen.contains(&key(f))));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classify_env_files_templates_and_lookalikes() {
        for path in [
            ".env",
            ".env.local",
            ".env.production",
            ".env.development.local",
            "prod.env",
            ".envrc",
            "api/.env",
            ".env-staging",
            ".env.bak",
            ".env.keys",
        ] {
            assert_eq!(classify(path), Some(EnvFileKind::Env), "{path}");
        }
        for path in [
            ".env.example",
            ".env.sample",
            ".env.template",
            ".env.dist",
            ".env.defaults",
            "config/.env.example",
            ".env.local.example",
            "example.env",
        ] {
            assert_eq!(classify(path), Some(EnvFileKind::Template), "{path}");
        }
        for path in [
            "env",
            "env/settings.py",
            "environment.py",
            ".envoy",
            "dotenv.js",
            "config.env.js",
            ".env.d.ts",
            "vite-env.d.ts",
            ".env.",
            ".env.vault",
            "src/.env/",
            ".evn",
        ] {
            assert_eq!(classify(path), None, "{path}");
        }
    }
}
