//! Shared helpers for integration tests: real git repositories in temp dirs, built with the
//! git CLI under a fixed identity and fixed dates, and the keyhound binary run against them.

#![allow(dead_code)]

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Generated fake keys used across tests (never real).
pub const LIVE_KEY: &str = "mts_live_Q7fLr2ZxW9kPm4Tb8NcVy1HdJ6sGa3Ue";
pub const LIVE_KEY_2: &str = "mts_live_Hn3Kd8Wq2Zr6Lp9Xc4Vb7Tm1Jf5Gs0Ya";
pub const TOKEN_KEY: &str = "f3a9c2e81b7d4065a9e2c3b1d8f74e06";

/// A git repository in a temp dir.
pub struct TestRepo {
    dir: tempfile::TempDir,
}

impl TestRepo {
    /// `git init` with `main` as the initial branch.
    pub fn new() -> TestRepo {
        let repo = TestRepo {
            dir: tempfile::tempdir().expect("temp dir"),
        };
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }

    /// The work tree.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Runs git with a fixed identity; panics on failure; returns trimmed stdout.
    pub fn git(&self, args: &[&str]) -> String {
        git_in(self.path(), args, "2025-03-02T10:00:00+00:00")
    }

    /// Writes a file (creating directories).
    pub fn write(&self, rel: &str, content: &str) {
        let path = self.path().join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(path, content).expect("write");
    }

    /// Stages everything and commits as `author` at `date` (ISO 8601); returns the full sha.
    pub fn commit_all(&self, message: &str, author: &str, date: &str) -> String {
        self.git(&["add", "-A"]);
        let email = format!("{}@example.com", author.to_lowercase());
        git_env(
            self.path(),
            &["commit", "-q", "--allow-empty", "-m", message],
            &[
                ("GIT_AUTHOR_NAME", author),
                ("GIT_AUTHOR_EMAIL", &email),
                ("GIT_AUTHOR_DATE", date),
                ("GIT_COMMITTER_NAME", author),
                ("GIT_COMMITTER_EMAIL", &email),
                ("GIT_COMMITTER_DATE", date),
            ],
        );
        self.git(&["rev-parse", "HEAD"])
    }

    /// Runs keyhound with `args` in the work tree.
    pub fn keyhound(&self, args: &[&str]) -> Output {
        keyhound_in(self.path(), args)
    }
}

/// Three commits on `repo`: `README.md`; `old.py` holding `LIVE_KEY`; `old.py` removed and
/// `client.py` holding `LIVE_KEY_2`. Returns the last commit. A clone that lacks the second
/// commit (shallow) or its blob (partial) can only show `client.py`'s key.
pub fn moved_leak(repo: &TestRepo) -> String {
    repo.write("README.md", "docs\n");
    repo.commit_all("base", "Ana", "2025-01-01T10:00:00+00:00");
    repo.write("old.py", &format!("KEY = \"{LIVE_KEY}\"\n"));
    repo.commit_all("leak", "Ana", "2025-01-02T10:00:00+00:00");
    repo.git(&["rm", "-q", "old.py"]);
    repo.write("client.py", &format!("KEY = \"{LIVE_KEY_2}\"\n"));
    repo.commit_all("move", "Ana", "2025-01-03T10:00:00+00:00")
}

/// Clones `origin` over `file://` into `dir/name` with extra clone options (`--depth 1`,
/// `--filter=blob:none`: the origin is set to allow filters); returns the clone's path.
pub fn clone_of(origin: &TestRepo, dir: &Path, options: &[&str], name: &str) -> PathBuf {
    origin.git(&["config", "uploadpack.allowFilter", "true"]);
    let url = format!("file://{}", origin.path().display());
    let mut args = vec!["clone", "-q"];
    args.extend_from_slice(options);
    args.extend_from_slice(&[url.as_str(), name]);
    git_in(dir, &args, "2025-02-01T10:00:00+00:00");
    dir.join(name)
}

/// Runs git in `dir` with a fixed identity and date.
pub fn git_in(dir: &Path, args: &[&str], date: &str) -> String {
    git_env(
        dir,
        args,
        &[
            ("GIT_AUTHOR_NAME", "Test"),
            ("GIT_AUTHOR_EMAIL", "test@example.com"),
            ("GIT_AUTHOR_DATE", date),
            ("GIT_COMMITTER_NAME", "Test"),
            ("GIT_COMMITTER_EMAIL", "test@example.com"),
            ("GIT_COMMITTER_DATE", date),
        ],
    )
}

fn git_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> String {
    let out = Command::new("git")
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
            "-c",
            "core.autocrlf=false",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .envs(env.iter().copied())
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A temp dir holding `files` (relative path, contents), directories created.
pub fn dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tmp");
    for (rel, content) in files {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, content).expect("write");
    }
    dir
}

/// Runs the keyhound binary in `dir`.
pub fn keyhound_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_keyhound"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("keyhound runs")
}

/// Parses a JSON report from stdout, asserting the exit code.
pub fn json_report(out: &Output, expected_code: i32) -> Value {
    assert_eq!(
        out.status.code(),
        Some(expected_code),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

/// (rule, path, line, source, commit) of every finding, for exact comparisons.
pub fn finding_keys(report: &Value) -> Vec<(String, String, u64, String, Option<String>)> {
    let mut keys: Vec<_> = report["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_string(),
                f["path"].as_str().unwrap_or_default().to_string(),
                f["line"].as_u64().unwrap_or_default(),
                f["source"].as_str().unwrap_or_default().to_string(),
                f["commit"].as_str().map(str::to_string),
            )
        })
        .collect();
    keys.sort();
    keys
}

/// Lowercase hex SHA-256.
pub fn sha256(s: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The `secrets[]` entry of `key` in a JSON report.
pub fn secret_entry<'a>(report: &'a Value, key: &str) -> &'a Value {
    let sha = sha256(key);
    report["secrets"]
        .as_array()
        .expect("secrets array")
        .iter()
        .find(|s| s["secret_sha256"] == sha.as_str())
        .unwrap_or_else(|| panic!("no secrets[] entry for sha256 {}…", &sha[..12]))
}
