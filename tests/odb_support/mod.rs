//! Test helpers: real repositories built with the git CLI, with fixed identities and dates.
#![allow(dead_code)]

use std::{
    path::{Path, PathBuf},
    process::Command,
    sync::atomic::{AtomicI64, Ordering},
};

use gix::ObjectId;

pub const AUTHOR_NAME: &str = "Alice Author";
pub const AUTHOR_EMAIL: &str = "alice@example.com";
/// The first commit's date; each commit is one hour later.
pub const BASE_TIME: i64 = 1_700_000_000;

/// A scratch directory holding one or more repositories.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Self {
        Sandbox {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `git init -b main` of a new work tree `name`.
    pub fn init(&self, name: &str) -> Repo {
        let path = self.path(name);
        std::fs::create_dir_all(&path).expect("mkdir");
        let repo = Repo::at(&path);
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }

    /// Runs git in the sandbox root.
    pub fn git(&self, args: &[&str]) -> String {
        run_git(self.dir.path(), args, BASE_TIME)
    }
}

/// A repository (work tree or bare) driven through the git CLI.
pub struct Repo {
    pub path: PathBuf,
    clock: AtomicI64,
}

impl Repo {
    pub fn at(path: &Path) -> Self {
        Repo {
            path: path.to_owned(),
            clock: AtomicI64::new(BASE_TIME),
        }
    }

    /// Runs git in the repository and returns its trimmed stdout; panics on failure.
    pub fn git(&self, args: &[&str]) -> String {
        run_git(&self.path, args, self.clock.load(Ordering::SeqCst))
    }

    pub fn write(&self, path: &str, content: &str) {
        let path = self.path.join(path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, content).expect("write");
    }

    /// Stages everything and commits; returns the new commit. Each commit is one hour after the last.
    pub fn commit(&self, message: &str) -> ObjectId {
        self.git(&["add", "-A"]);
        self.commit_staged(message)
    }

    /// Commits what is staged.
    pub fn commit_staged(&self, message: &str) -> ObjectId {
        self.clock.fetch_add(3600, Ordering::SeqCst);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
        self.rev("HEAD")
    }

    /// The time the last commit was made at.
    pub fn now(&self) -> i64 {
        self.clock.load(Ordering::SeqCst)
    }

    pub fn rev(&self, rev: &str) -> ObjectId {
        id(&self.git(&["rev-parse", rev]))
    }

    pub fn open(&self) -> gix::Repository {
        gix::open(&self.path).expect("gix opens the repository")
    }
}

/// The blob id git gives `content`.
pub fn blob_id(content: &str) -> ObjectId {
    gix::objs::compute_hash(
        gix::hash::Kind::Sha1,
        gix::object::Kind::Blob,
        content.as_bytes(),
    )
    .expect("hash")
}

pub fn id(hex: &str) -> ObjectId {
    ObjectId::from_hex(hex.trim().as_bytes()).expect("an object id")
}

fn run_git(dir: &Path, args: &[&str], time: i64) -> String {
    let date = format!("{time} +0200");
    let output = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "gc.auto=0",
            "-c",
            "core.autocrlf=false",
            "-c",
            "protocol.file.allow=always",
        ])
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("HOME", dir)
        .env("GIT_AUTHOR_NAME", AUTHOR_NAME)
        .env("GIT_AUTHOR_EMAIL", AUTHOR_EMAIL)
        .env("GIT_AUTHOR_DATE", &date)
        .env("GIT_COMMITTER_NAME", "Carl Committer")
        .env("GIT_COMMITTER_EMAIL", "carl@example.com")
        .env("GIT_COMMITTER_DATE", &date)
        .output()
        .expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}
