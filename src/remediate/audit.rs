//! The audit trail of network actions: one JSON line per verify or revoke decision,
//! appended to `$XDG_STATE_HOME/keyhound/audit.jsonl` (fallback
//! `$HOME/.local/state/keyhound/audit.jsonl`), or `--audit-log FILE`: never inside the
//! scanned tree by default, so a repository cannot choose where keyhound writes. The file
//! is opened without following symlinks (`O_NOFOLLOW`), every existing parent must be a
//! real directory, it must be a regular file, and only a file keyhound creates gets mode
//! 0600 (an existing file's mode is never changed). Lines carry the secret's SHA-256,
//! never the secret.

use serde::Serialize;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Component, Path, PathBuf};

/// The directory, under the state home, of keyhound's own state.
pub const STATE_DIR: &str = "keyhound";
/// The default audit file name inside [`STATE_DIR`].
pub const FILE_NAME: &str = "audit.jsonl";

/// The audit log could not be opened or written.
#[derive(Debug, thiserror::Error)]
#[error("audit log {path}: {reason}")]
pub struct AuditError {
    /// The file.
    pub path: String,
    /// Why.
    pub reason: String,
}

/// One line of the audit log.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct AuditEntry {
    /// When, ISO 8601 UTC.
    pub time: String,
    /// `verify` or `revoke`.
    pub action: &'static str,
    /// Rule id of the finding (or `replacement` / `manual` outside a scan).
    pub rule: String,
    /// Provider id the request went to.
    pub provider: String,
    /// SHA-256 of the key.
    pub secret_sha256: String,
    /// Host (and port) of the endpoint.
    pub endpoint: String,
    /// HTTP status of the final answer; `null` without one (timeout, refusal).
    pub http_status: Option<u16>,
    /// `live`, `dead`, `unknown`, `revoked`, `already_dead`, `failed` or `refused`.
    pub outcome: String,
    /// Requests sent for this action (retries included); 0 for a refusal.
    pub attempts: u32,
    /// One sentence; never holds the secret.
    pub detail: String,
}

/// An open, append-only audit log.
#[derive(Debug)]
pub struct AuditLog {
    path: PathBuf,
    file: File,
}

impl AuditLog {
    /// `$XDG_STATE_HOME/keyhound/audit.jsonl`, else `$HOME/.local/state/keyhound/audit.jsonl`
    /// (`None` when neither variable is set to an absolute path).
    pub fn default_path() -> Option<PathBuf> {
        let absolute = |var: &str| {
            std::env::var_os(var)
                .map(PathBuf::from)
                .filter(|p| p.is_absolute())
        };
        let state = absolute("XDG_STATE_HOME")
            .or_else(|| absolute("HOME").map(|h| h.join(".local").join("state")))?;
        Some(state.join(STATE_DIR).join(FILE_NAME))
    }

    /// Opens `path` for appending, creating it (mode 0600) and its missing parent directories
    /// (mode 0700). Refuses a symlink anywhere on the path and anything but a regular file.
    pub fn open(path: &Path) -> Result<AuditLog, AuditError> {
        let fail = |reason: String| AuditError {
            path: path.display().to_string(),
            reason,
        };
        let err = |e: std::io::Error| fail(e.to_string());
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            real_dirs(dir).map_err(fail)?;
        }
        let created = match std::fs::symlink_metadata(path) {
            Ok(meta) if meta.file_type().is_file() => false,
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(fail("is a symlink: refusing to follow it".into()))
            }
            Ok(_) => return Err(fail("is not a regular file".into())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => true,
            Err(e) => return Err(err(e)),
        };
        let mut options = OpenOptions::new();
        options.append(true);
        if created {
            options.create_new(true);
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600).custom_flags(libc::O_NOFOLLOW);
        }
        let file = options.open(path).map_err(err)?;
        if !file.metadata().map_err(err)?.file_type().is_file() {
            return Err(fail("is not a regular file".into()));
        }
        Ok(AuditLog {
            path: path.to_path_buf(),
            file,
        })
    }

    /// Where the log is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one line and flushes it.
    pub fn append(&mut self, entry: &AuditEntry) -> Result<(), AuditError> {
        let mut line = serde_json::to_string(entry).map_err(|e| AuditError {
            path: self.path.display().to_string(),
            reason: e.to_string(),
        })?;
        line.push('\n');
        self.file
            .write_all(line.as_bytes())
            .and_then(|()| self.file.flush())
            .map_err(|e| AuditError {
                path: self.path.display().to_string(),
                reason: e.to_string(),
            })
    }
}

/// Checks every existing component of `dir` is a real directory (not a symlink), creating
/// the missing ones (mode 0700 on unix).
fn real_dirs(dir: &Path) -> Result<(), String> {
    let mut current = PathBuf::new();
    for component in dir.components() {
        current.push(component);
        if !matches!(component, Component::Normal(_)) {
            continue;
        }
        match std::fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_dir() => {}
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(format!(
                    "{} is a symlink: refusing to follow it",
                    current.display()
                ))
            }
            Ok(_) => return Err(format!("{} is not a directory", current.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => make_dir(&current)
                .map_err(|e| format!("cannot create {}: {e}", current.display()))?,
            Err(e) => return Err(format!("{}: {e}", current.display())),
        }
    }
    Ok(())
}

fn make_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(outcome: &str) -> AuditEntry {
        AuditEntry {
            time: "2025-03-04T09:00:00+00:00".into(),
            action: "verify",
            rule: "meetso-live-key".into(),
            provider: "meetso".into(),
            secret_sha256: "ab".repeat(32),
            endpoint: "api.meetso.ai".into(),
            http_status: Some(200),
            outcome: outcome.into(),
            attempts: 1,
            detail: "d".into(),
        }
    }

    #[test]
    fn creates_private_file_and_state_dirs_and_appends_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state").join(STATE_DIR).join(FILE_NAME);
        let mut log = AuditLog::open(&path).unwrap();
        log.append(&entry("live")).unwrap();
        drop(log);
        let mut log = AuditLog::open(&path).unwrap();
        log.append(&entry("dead")).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["outcome"], "live");
        assert_eq!(lines[1]["outcome"], "dead");
        assert_eq!(lines[1]["http_status"], 200);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
