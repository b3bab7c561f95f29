//! Shared helpers for the workflow integration tests: real git repositories in temp dirs,
//! built with the git CLI under a fixed identity and dates and an empty HOME, and the
//! keyhound binary under test.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The binary under test.
pub const KEYHOUND: &str = env!("CARGO_BIN_EXE_keyhound");

/// A fake Meetso production key, assembled so this file holds no key-shaped literal.
pub fn meetso_key(body: &str) -> String {
    format!("mts_{}_{body}", "live")
}

/// The first fake key and the second, different one.
pub fn key_a() -> String {
    meetso_key("Q7fLr2ZxW9kPm4Tb8NcVy1HdJ6sGa3Ue")
}

/// A second fake key, different from [`key_a`].
pub fn key_b() -> String {
    meetso_key("Vb4Nc8Xz2Lk6Jh9Gf3Ds7Ap1Qw5Er0Ty")
}

/// A 12 MB SQL dump with `key` on its first line: over the default size limit.
pub fn big_dump(key: &str) -> String {
    let mut text = format!("-- export API_KEY='{key}'\n");
    let row = "INSERT INTO t VALUES (1, 'padding padding padding padding padding');\n";
    while text.len() < 12_000_000 {
        text.push_str(row);
    }
    text
}

/// A file that starts like a binary (a NUL byte in its first bytes) with `key` on line 2.
pub fn nul_then_key(key: &str) -> String {
    format!("\u{0}\u{1}BIN header\nAPI = \"{key}\"\n")
}

/// A sandbox: a temp dir with an empty HOME and a `bin/` holding a `keyhound` symlink.
pub struct Sandbox {
    pub tmp: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        let tmp = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(tmp.path().join("home")).expect("home");
        std::fs::create_dir_all(tmp.path().join("bin")).expect("bin");
        #[cfg(unix)]
        std::os::unix::fs::symlink(KEYHOUND, tmp.path().join("bin/keyhound")).expect("symlink");
        Sandbox { tmp }
    }

    pub fn path(&self) -> &Path {
        self.tmp.path()
    }

    /// A PATH with the sandbox's `keyhound` first, then the system's.
    pub fn path_with_keyhound(&self) -> String {
        format!("{}:{}", self.path().join("bin").display(), system_path())
    }

    /// A command with the fixed identity, dates and empty HOME; `KEYHOUND` unset and PATH
    /// holding keyhound.
    pub fn command(&self, program: &str, cwd: &Path) -> Command {
        let mut cmd = Command::new(program);
        cmd.current_dir(cwd)
            .env("HOME", self.path().join("home"))
            .env("XDG_CONFIG_HOME", self.path().join("home"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "Ada Tester")
            .env("GIT_AUTHOR_EMAIL", "ada@example.com")
            .env("GIT_AUTHOR_DATE", "2024-05-01T10:00:00+00:00")
            .env("GIT_COMMITTER_NAME", "Ada Tester")
            .env("GIT_COMMITTER_EMAIL", "ada@example.com")
            .env("GIT_COMMITTER_DATE", "2024-05-01T10:00:00+00:00")
            .env("PATH", self.path_with_keyhound())
            .env("NO_COLOR", "1")
            .env_remove("KEYHOUND")
            .env_remove("GIT_DIR")
            .env_remove("GIT_INDEX_FILE")
            .stdin(Stdio::null());
        cmd
    }

    /// `git args…` in `cwd`; panics with git's stderr when it fails.
    pub fn git(&self, cwd: &Path, args: &[&str]) -> String {
        let out = self.git_output(cwd, args);
        let (stdout, stderr) = text(&out);
        assert!(out.status.success(), "git {args:?} failed: {stderr}");
        stdout.trim().to_string()
    }

    /// `git args…` in `cwd`, whatever the outcome.
    pub fn git_output(&self, cwd: &Path, args: &[&str]) -> Output {
        self.command("git", cwd)
            .args(args)
            .output()
            .expect("git runs")
    }

    /// A new repository `name` with `main` as its branch and signing off.
    pub fn repo(&self, name: &str) -> PathBuf {
        let dir = self.path().join(name);
        std::fs::create_dir_all(&dir).expect("repo dir");
        self.git(&dir, &["-c", "init.defaultBranch=main", "init", "-q"]);
        self.git(&dir, &["config", "commit.gpgsign", "false"]);
        dir
    }

    /// A bare `server.git` on `main` and a `client` clone whose first commit (`files`) is
    /// pushed to it: (server, client).
    pub fn server(&self, files: &[(&str, &str)]) -> (PathBuf, PathBuf) {
        let bare = self.path().join("server.git");
        std::fs::create_dir_all(&bare).expect("bare dir");
        self.git(
            &bare,
            &["-c", "init.defaultBranch=main", "init", "-q", "--bare"],
        );
        let client = self.repo("client");
        for (rel, text) in files {
            write(&client, rel, text);
        }
        self.git(&client, &["add", "."]);
        self.git(&client, &["commit", "-qm", "first"]);
        let url = bare.to_str().expect("utf-8");
        self.git(&client, &["remote", "add", "origin", url]);
        self.git(&client, &["push", "-q", "origin", "main"]);
        (bare, client)
    }

    /// `keyhound args…` in `cwd`.
    pub fn keyhound(&self, cwd: &Path, args: &[&str]) -> Output {
        self.command(KEYHOUND, cwd)
            .args(args)
            .output()
            .expect("keyhound runs")
    }

    /// `sh -c script` in `cwd` (for commands copied from the docs).
    pub fn sh(&self, cwd: &Path, script: &str) -> Output {
        self.command("sh", cwd)
            .args(["-c", script])
            .output()
            .expect("sh runs")
    }
}

/// Writes `text` to `dir/rel`, creating parent directories.
pub fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("parent dir");
    }
    std::fs::write(path, text).expect("write file");
}

/// Writes `text` to `path` and makes it executable.
pub fn write_script(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("parent dir");
    }
    std::fs::write(path, text).expect("write script");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
}

/// The system PATH without any directory holding a `keyhound`.
pub fn system_path() -> String {
    let path = std::env::var("PATH").unwrap_or_else(|_| "/usr/bin:/bin".into());
    path.split(':')
        .filter(|d| !Path::new(d).join("keyhound").exists())
        .collect::<Vec<_>>()
        .join(":")
}

/// stdout and stderr of `out`, as text.
pub fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The JSON report in `out`'s stdout.
pub fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// `(rule, path, line, source)` of every finding in a JSON report, sorted.
pub fn findings(report: &serde_json::Value) -> Vec<(String, String, u64, String)> {
    crate::common::finding_keys(report)
        .into_iter()
        .map(|(rule, path, line, source, _)| (rule, path, line, source))
        .collect()
}

/// The keyhound commands of the README's sweep examples (the Kubernetes Indexed Job, its merge
/// Job, the GitHub Actions matrix leg and merge job), as the YAML holds them; run by
/// `tests/sweep_examples.rs`.
pub const SWEEP_COMMANDS: [&str; 4] = [
    "keyhound scan --repos-file /config/repos.txt --shard auto --clone-dir /sweep/clones --format jsonl --resume /sweep/shard-$JOB_COMPLETION_INDEX.jsonl -o /sweep/shard-$JOB_COMPLETION_INDEX.jsonl --exit-zero",
    "keyhound merge /sweep/shard-*.jsonl --format checklist -o /sweep/ROTATION.md",
    "keyhound scan --repos-file repos.txt --shard ${{ matrix.shard }}/4 --format jsonl -o keyhound-${{ matrix.shard }}.jsonl --exit-zero",
    "keyhound merge shards/*.jsonl --format sarif --require-complete -o keyhound.sarif",
];
