//! Mirrors git URL targets into a cache directory (`--clone-dir`) with `git clone --mirror`
//! (all refs, all blobs), and fetches into the mirror on the next run. This is the only
//! network keyhound uses without `--verify`, and only for URLs the user gave.
//!
//! git runs without a terminal prompt, hooks or the `ext::` transport, with a deadline; the
//! URL's credentials are used for the transfer only: the mirror's config keeps the redacted
//! URL, and every message is redacted.

use super::target::redact_url;
use crate::finding::sha256_hex;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Where mirrors live and how long git may take.
#[derive(Clone, Debug)]
pub struct CloneOptions {
    /// The cache directory.
    pub dir: PathBuf,
    /// Deadline for one clone or fetch.
    pub timeout: Duration,
}

/// A URL that could not be mirrored. Messages hold redacted URLs only.
#[derive(Debug, thiserror::Error)]
pub enum CloneError {
    /// git ran and failed (not found, authentication refused, unreachable, corrupt).
    #[error("git {action} failed: {message}")]
    Git {
        /// `clone` or `fetch`.
        action: &'static str,
        /// git's last words, redacted.
        message: String,
    },
    /// git did not finish in time and was stopped.
    #[error("git {action} did not finish within {seconds}s and was stopped")]
    Timeout {
        /// `clone` or `fetch`.
        action: &'static str,
        /// The deadline.
        seconds: u64,
    },
    /// git could not be started, or the cache directory is unusable.
    #[error("{0}")]
    Setup(String),
}

/// The mirror of `url` (target id `id`) in the cache: cloned when absent, fetched when
/// present. Returns the bare repository's path.
pub fn mirror(url: &str, id: &str, opts: &CloneOptions) -> Result<PathBuf, CloneError> {
    std::fs::create_dir_all(&opts.dir).map_err(|e| {
        CloneError::Setup(format!(
            "cannot create clone dir {}: {e}",
            opts.dir.display()
        ))
    })?;
    let path = opts.dir.join(cache_name(id));
    if path.join("HEAD").is_file() {
        fetch(url, &path, opts.timeout)?;
        return Ok(path);
    }
    let partial = path.with_extension("partial");
    if partial.exists() {
        std::fs::remove_dir_all(&partial)
            .map_err(|e| CloneError::Setup(format!("cannot remove {}: {e}", partial.display())))?;
    }
    let result = run_git(
        "clone",
        &[
            "clone".as_ref(),
            "--mirror".as_ref(),
            "--quiet".as_ref(),
            "--".as_ref(),
            url.as_ref(),
            partial.as_os_str(),
        ],
        opts.timeout,
    );
    if let Err(e) = result {
        let _ = std::fs::remove_dir_all(&partial);
        return Err(e);
    }
    // The credentials served the transfer; the mirror keeps none.
    let redacted = redact_url(url);
    let _ = git_quiet(&partial, &["config", "remote.origin.url", &redacted]);
    std::fs::rename(&partial, &path).map_err(|e| {
        CloneError::Setup(format!("cannot move the clone to {}: {e}", path.display()))
    })?;
    Ok(path)
}

/// The cache directory name of a target: its id made filename-safe, plus a short hash so
/// two ids never share a directory.
pub fn cache_name(id: &str) -> String {
    let safe: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let safe = safe.trim_matches(|c| c == '.' || c == '_');
    let short: String = safe
        .chars()
        .rev()
        .take(60)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("{short}-{}.git", &sha256_hex(id.as_bytes())[..12])
}

/// Brings an existing mirror up to date: every ref of `url`, deleted refs pruned.
fn fetch(url: &str, mirror: &Path, timeout: Duration) -> Result<(), CloneError> {
    run_git(
        "fetch",
        &[
            "--git-dir".as_ref(),
            mirror.as_os_str(),
            "fetch".as_ref(),
            "--quiet".as_ref(),
            "--prune".as_ref(),
            "--force".as_ref(),
            "--".as_ref(),
            url.as_ref(),
            "+refs/*:refs/*".as_ref(),
        ],
        timeout,
    )
}

/// git with the safety settings every sweep transfer uses.
fn git_command() -> Command {
    let mut cmd = Command::new("git");
    cmd.args([
        "-c",
        "core.hooksPath=/dev/null",
        "-c",
        "protocol.ext.allow=never",
        "-c",
        "credential.interactive=never",
        "-c",
        "http.lowSpeedLimit=1000",
        "-c",
        "http.lowSpeedTime=60",
    ])
    .env("GIT_TERMINAL_PROMPT", "0")
    .env("GCM_INTERACTIVE", "never")
    .env_remove("GIT_ASKPASS")
    .env_remove("SSH_ASKPASS")
    .stdin(Stdio::null())
    .stdout(Stdio::null());
    if std::env::var_os("GIT_SSH_COMMAND").is_none() {
        cmd.env(
            "GIT_SSH_COMMAND",
            "ssh -o BatchMode=yes -o ConnectTimeout=30",
        );
    }
    cmd
}

fn git_quiet(git_dir: &Path, args: &[&str]) -> std::io::Result<std::process::ExitStatus> {
    git_command()
        .arg("--git-dir")
        .arg(git_dir)
        .args(args)
        .stderr(Stdio::null())
        .status()
}

/// Runs git, collecting stderr, stopping it at the deadline.
fn run_git(
    action: &'static str,
    args: &[&std::ffi::OsStr],
    timeout: Duration,
) -> Result<(), CloneError> {
    let mut child = git_command()
        .args(args)
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| CloneError::Setup(format!("cannot run git: {e}")))?;
    let mut stderr = child.stderr.take();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(s) = stderr.as_mut() {
            let _ = s.take(64 * 1024).read_to_string(&mut text);
        }
        text
    });
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(CloneError::Timeout {
                    action,
                    seconds: timeout.as_secs(),
                });
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(CloneError::Setup(format!("waiting for git: {e}"))),
        }
    };
    let text = reader.join().unwrap_or_default();
    if status.success() {
        return Ok(());
    }
    Err(CloneError::Git {
        action,
        message: last_words(&text, status),
    })
}

/// git's error lines (the last three non-empty ones), redacted, or the exit status.
fn last_words(stderr: &str, status: std::process::ExitStatus) -> String {
    let lines: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let tail = &lines[lines.len().saturating_sub(3)..];
    if tail.is_empty() {
        return format!("git exited with {status}");
    }
    redact_url(&tail.join(" / "))
}

#[cfg(test)]
mod tests {
    #[test]
    fn cache_names_are_safe_and_distinct() {
        let a = super::cache_name("github.com/o/r");
        assert!(
            a.starts_with("github.com_o_r-") && a.ends_with(".git"),
            "{a}"
        );
        assert_ne!(a, super::cache_name("github.com/o_r"));
        assert!(!super::cache_name("/../../etc").contains('/'));
    }
}
