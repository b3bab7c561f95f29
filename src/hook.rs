//! Installing and removing keyhound's git pre-commit hook (`hooks/pre-commit`, embedded).
//!
//! The hooks directory is git's: `core.hooksPath` when set (relative paths are taken from the
//! top of the work tree, or the git directory of a bare repository), else `hooks/` in the
//! common git directory, which linked worktrees share. An existing hook is never overwritten
//! silently: it is kept as `pre-commit.local` and run first by keyhound's hook (chaining).
//! `--force` replaces it instead, keeping it as `pre-commit.keyhound-backup`. Uninstalling
//! removes only a hook that carries keyhound's marker line, and puts the previous hook back.

use std::path::{Path, PathBuf};

/// The hook script, as shipped in `hooks/pre-commit`.
pub const SCRIPT: &str = include_str!("../hooks/pre-commit");

/// The line that marks a hook file as keyhound's own.
pub const MARKER: &str = "keyhound-managed-hook";

/// The hook's file name.
pub const HOOK_NAME: &str = "pre-commit";

/// Where a chained (pre-existing) hook is kept; keyhound's hook runs it first.
pub const CHAINED_NAME: &str = "pre-commit.local";

/// Where `--force` keeps a replaced hook.
pub const BACKUP_NAME: &str = "pre-commit.keyhound-backup";

/// What blocked a commit, for [`staged_advice`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StagedFacts {
    /// Distinct blocking keys the staged changes add.
    pub secrets: usize,
    /// Of those, the ones a file of HEAD already holds: `(redacted key, path in HEAD)`.
    pub committed: Vec<(String, String)>,
    /// Staged env files that block the commit.
    pub env_files: Vec<String>,
}

/// What keyhound prints after a staged scan blocked a commit: what was found and the three
/// ways forward. A key that HEAD already holds is committed already, and the advice says so
/// (removing it from this change does not take it out of history); a key no file of HEAD
/// holds is not claimed to be new to history, which the staged scan does not read.
pub fn staged_advice(facts: &StagedFacts) -> String {
    let what = match (facts.secrets, facts.env_files.len()) {
        (0, 1) => "an env file".to_string(),
        (0, n) => format!("{n} env files"),
        (1, 0) => "a credential".to_string(),
        (k, 0) => format!("{k} credentials"),
        (1, _) => "a credential and an env file".to_string(),
        (k, _) => format!("{k} credentials and env files"),
    };
    let mut out = format!(
        "keyhound: commit blocked: the staged changes above add {what}. Three ways forward:\n"
    );
    if facts.secrets > 0 {
        out.push_str(
            "  1. Remove the secret from the file and load it at run time instead: from an environment
     variable set outside the repository (your shell, CI secret variables) or from a
     secrets manager (AWS Secrets Manager, Vault, Doppler, 1Password, ...). Then `git add`
     the file and commit again.",
        );
        if facts.committed.is_empty() {
            out.push_str(
                " No file of HEAD holds it, so unless an older commit did
     (`keyhound scan --history-only` tells), no history rewrite is needed; rotate it only
     if it was shared elsewhere.",
            );
        } else {
            for (key, path) in &facts.committed {
                out.push_str(&format!(
                    "\n     {key} is already committed (HEAD's {} holds it): taking it out of this
     change does not take it out of history. Rotate it, then plan a history rewrite
     (`keyhound scan --format checklist` lists the steps).",
                    crate::escape::text(path)
                ));
            }
        }
        if !facts.env_files.is_empty() {
            out.push_str("\n     A staged env file: `git rm --cached <file>` and fix the ignore rule shown above.");
        }
    } else {
        out.push_str(&format!(
            "  1. Unstage the env file and keep it out of git: `git rm --cached -- {}`,
     then fix the ignore rule shown above. Load its values at run time from the
     environment or a secrets manager instead.",
            facts
                .env_files
                .iter()
                .map(|f| crate::escape::text(&crate::escape::shell(f)).into_owned())
                .collect::<Vec<_>>()
                .join(" ")
        ));
    }
    out.push_str(
        "
  2. A false positive (test fixture, documentation)? Add `keyhound:allow` in a comment on
     that line, or list the fingerprint or path in .keyhoundignore.
  3. Consciously commit it anyway, skipping every hook once: git commit --no-verify
",
    );
    out
}

/// A failure to find the hooks directory or to change a hook.
#[derive(Debug, thiserror::Error)]
pub enum HookError {
    /// Not inside a git repository.
    #[error("{path} is not in a git repository: {reason}")]
    NotARepo {
        /// Where the search started.
        path: String,
        /// Why.
        reason: String,
    },
    /// `core.hooksPath` cannot be read.
    #[error("cannot read core.hooksPath: {0}")]
    Config(String),
    /// keyhound will not touch the hook without the user's say-so.
    #[error("{0}")]
    Refused(String),
    /// A file operation failed.
    #[error("{path}: {reason}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
}

/// What `install` did.
#[derive(Debug, PartialEq, Eq)]
pub enum Installed {
    /// No hook was there; keyhound's is now.
    Fresh,
    /// keyhound's hook was there and was rewritten with the current script.
    Updated,
    /// Another hook was there; it moved to `pre-commit.local` and runs first.
    Chained,
    /// Another hook was there; `--force` moved it to `pre-commit.keyhound-backup`.
    Replaced,
}

/// What `uninstall` did.
#[derive(Debug, PartialEq, Eq)]
pub enum Uninstalled {
    /// No keyhound hook was installed.
    NotInstalled,
    /// keyhound's hook was removed.
    Removed,
    /// keyhound's hook was removed and the previous hook (chained or backed up) put back.
    Restored,
}

/// The hooks directory git uses for the repository containing `start`.
pub fn hooks_dir(start: &Path) -> Result<PathBuf, HookError> {
    let not_a_repo = |reason: String| HookError::NotARepo {
        path: start.display().to_string(),
        reason,
    };
    let start = std::fs::canonicalize(start).map_err(|e| not_a_repo(e.to_string()))?;
    let repo = gix::discover(&start).map_err(|e| not_a_repo(e.to_string()))?;
    let configured = repo
        .config_snapshot()
        .trusted_path("core.hooksPath")
        .map_err(|e| HookError::Config(e.to_string()))?;
    Ok(match configured {
        Some(path) if path.is_absolute() => path,
        Some(path) => repo.workdir().unwrap_or(repo.git_dir()).join(path),
        None => repo.common_dir().join("hooks"),
    })
}

/// Installs keyhound's pre-commit hook into `dir`; returns the hook's path and what was done.
pub fn install(dir: &Path, force: bool) -> Result<(PathBuf, Installed), HookError> {
    let hook = dir.join(HOOK_NAME);
    let chained = dir.join(CHAINED_NAME);
    if !force && is_husky(dir) {
        return Err(HookError::Refused(format!(
            "{} is managed by Husky, which regenerates it: add the line `keyhound scan --staged` \
             to .husky/pre-commit instead (or use --force to install here anyway)",
            dir.display()
        )));
    }
    std::fs::create_dir_all(dir).map_err(|e| io_error(dir, e))?;
    let outcome = match read_hook(&hook)? {
        None => Installed::Fresh,
        Some(text) if text.contains(MARKER) => Installed::Updated,
        Some(_) if force => {
            rename(&hook, &dir.join(BACKUP_NAME))?;
            Installed::Replaced
        }
        Some(_) if exists(&chained) => {
            return Err(HookError::Refused(format!(
                "{} exists and is not keyhound's, and {} is taken too: merge them by hand, \
                 then run `keyhound hook install` again (or --force to replace {}; it is kept \
                 as {})",
                hook.display(),
                chained.display(),
                HOOK_NAME,
                BACKUP_NAME
            )))
        }
        Some(_) => {
            rename(&hook, &chained)?;
            Installed::Chained
        }
    };
    write_executable(&hook, SCRIPT)?;
    Ok((hook, outcome))
}

/// Removes keyhound's hook from `dir`, putting back the hook it chained or replaced.
pub fn uninstall(dir: &Path) -> Result<(PathBuf, Uninstalled), HookError> {
    let hook = dir.join(HOOK_NAME);
    match read_hook(&hook)? {
        None => return Ok((hook, Uninstalled::NotInstalled)),
        Some(text) if !text.contains(MARKER) => {
            return Err(HookError::Refused(format!(
                "{} was not installed by keyhound; left untouched",
                hook.display()
            )))
        }
        Some(_) => {}
    }
    std::fs::remove_file(&hook).map_err(|e| io_error(&hook, e))?;
    for previous in [CHAINED_NAME, BACKUP_NAME] {
        let previous = dir.join(previous);
        if exists(&previous) {
            rename(&previous, &hook)?;
            return Ok((hook, Uninstalled::Restored));
        }
    }
    Ok((hook, Uninstalled::Removed))
}

/// The keyhound the installed hook will run, looked up as the hook does: `$KEYHOUND` (a
/// path, or a name looked up on PATH), then `keyhound` on `path` (the PATH the hook will
/// see). `None` means every commit will be blocked until keyhound is installed.
pub fn hook_would_find(
    keyhound_env: Option<&std::ffi::OsStr>,
    path: Option<&std::ffi::OsStr>,
) -> Option<PathBuf> {
    let name = keyhound_env
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| std::ffi::OsStr::new("keyhound"));
    let candidate = Path::new(name);
    if candidate.components().count() > 1 {
        return is_executable(candidate).then(|| candidate.to_path_buf());
    }
    std::env::split_paths(path?)
        .map(|dir| dir.join(candidate))
        .find(|p| is_executable(p))
}

fn is_executable(path: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.is_file() && meta.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        meta.is_file()
    }
}

/// True when `dir` is a Husky hooks directory (`.husky` or `.husky/_`).
fn is_husky(dir: &Path) -> bool {
    dir.components().any(|c| c.as_os_str() == ".husky")
}

/// The hook's text, `None` when there is no hook (a dangling symlink counts as a hook).
fn read_hook(path: &Path) -> Result<Option<String>, HookError> {
    if !exists(path) {
        return Ok(None);
    }
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(String::from_utf8_lossy(&bytes).into_owned())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Some(String::new())),
        Err(e) => Err(io_error(path, e)),
    }
}

fn exists(path: &Path) -> bool {
    path.symlink_metadata().is_ok()
}

fn rename(from: &Path, to: &Path) -> Result<(), HookError> {
    std::fs::rename(from, to).map_err(|e| HookError::Io {
        path: from.display().to_string(),
        reason: format!("cannot move to {}: {e}", to.display()),
    })
}

/// Writes `text` next to `path` and renames it into place, executable.
fn write_executable(path: &Path, text: &str) -> Result<(), HookError> {
    let tmp = path.with_extension("keyhound-tmp");
    std::fs::write(&tmp, text).map_err(|e| io_error(&tmp, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o755))
            .map_err(|e| io_error(&tmp, e))?;
    }
    rename(&tmp, path)
}

fn io_error(path: &Path, e: std::io::Error) -> HookError {
    HookError::Io {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_script_carries_the_marker_and_is_posix_sh() {
        assert!(SCRIPT.starts_with("#!/bin/sh\n"));
        assert!(SCRIPT.contains(MARKER));
        assert!(SCRIPT.contains("scan --staged"));
    }

    #[test]
    fn chains_then_restores_a_foreign_hook() {
        let dir = tempfile::tempdir().expect("tempdir");
        let own = "#!/bin/sh\necho mine\n";
        std::fs::write(dir.path().join(HOOK_NAME), own).expect("write");
        let (hook, outcome) = install(dir.path(), false).expect("install");
        assert_eq!(outcome, Installed::Chained);
        assert_eq!(std::fs::read_to_string(&hook).expect("read"), SCRIPT);
        let chained = dir.path().join(CHAINED_NAME);
        assert_eq!(std::fs::read_to_string(&chained).expect("read"), own);
        assert_eq!(
            install(dir.path(), false).expect("again").1,
            Installed::Updated
        );
        assert_eq!(
            uninstall(dir.path()).expect("uninstall").1,
            Uninstalled::Restored
        );
        assert_eq!(std::fs::read_to_string(&hook).expect("read"), own);
        assert!(!exists(&chained));
        assert!(matches!(uninstall(dir.path()), Err(HookError::Refused(_))));
        assert_eq!(std::fs::read_to_string(&hook).expect("read"), own);
    }

    #[test]
    fn refuses_when_both_slots_are_taken_unless_forced() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join(HOOK_NAME), "#!/bin/sh\necho a\n").expect("write");
        std::fs::write(dir.path().join(CHAINED_NAME), "#!/bin/sh\necho b\n").expect("write");
        let err = install(dir.path(), false).unwrap_err().to_string();
        assert!(err.contains("merge them by hand"), "{err}");
        assert_eq!(
            std::fs::read_to_string(dir.path().join(HOOK_NAME)).expect("read"),
            "#!/bin/sh\necho a\n"
        );
        assert_eq!(
            install(dir.path(), true).expect("force").1,
            Installed::Replaced
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join(BACKUP_NAME)).expect("read"),
            "#!/bin/sh\necho a\n"
        );
    }

    #[test]
    fn refuses_husky_directories() {
        let dir = tempfile::tempdir().expect("tempdir");
        let husky = dir.path().join(".husky").join("_");
        let err = install(&husky, false).unwrap_err().to_string();
        assert!(err.contains(".husky/pre-commit"), "{err}");
        assert!(!exists(&husky.join(HOOK_NAME)));
    }
}
