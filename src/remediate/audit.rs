//! The audit trail of network actions: one JSON line per verify or revoke decision,
//! appended to `.keyhound/audit.jsonl` under the scan root (or `--audit-log FILE`). The file
//! is created with mode 0600, and a new `.keyhound/` directory gets a `.gitignore` so the
//! log is never committed. Lines carry the secret's SHA-256, never the secret.

use serde::Serialize;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The directory, under the scan root, of keyhound's own state.
pub const STATE_DIR: &str = ".keyhound";
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
    /// `root/.keyhound/audit.jsonl`.
    pub fn default_path(root: &Path) -> PathBuf {
        root.join(STATE_DIR).join(FILE_NAME)
    }

    /// Opens (creating if needed, mode 0600) `path` for appending.
    pub fn open(path: &Path) -> Result<AuditLog, AuditError> {
        let err = |e: std::io::Error| AuditError {
            path: path.display().to_string(),
            reason: e.to_string(),
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            if !dir.exists() {
                std::fs::create_dir_all(dir).map_err(err)?;
                if dir.file_name().is_some_and(|n| n == STATE_DIR) {
                    std::fs::write(
                        dir.join(".gitignore"),
                        "# keyhound state: never commit\n*\n",
                    )
                    .map_err(err)?;
                }
            }
        }
        let mut options = OpenOptions::new();
        options.create(true).append(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
            options.mode(0o600);
            let file = options.open(path).map_err(err)?;
            // An existing file keeps its mode on open: tighten it too.
            file.set_permissions(std::fs::Permissions::from_mode(0o600))
                .map_err(err)?;
            Ok(AuditLog {
                path: path.to_path_buf(),
                file,
            })
        }
        #[cfg(not(unix))]
        Ok(AuditLog {
            path: path.to_path_buf(),
            file: options.open(path).map_err(err)?,
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
    fn creates_private_file_and_gitignored_state_dir_and_appends_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = AuditLog::default_path(dir.path());
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
        assert_eq!(
            std::fs::read_to_string(dir.path().join(".keyhound/.gitignore")).unwrap(),
            "# keyhound state: never commit\n*\n"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
