//! Honest exposure wording (issue 12 §3): what a history report says about whether a key's
//! commit reached a remote depends on what the clone can know — remote-tracking refs that do
//! not hold it ("local history only"), no remote-tracking refs at all ("cannot tell"), a
//! mirror clone (its branches are the remote's), a bare clone, a bare repository others push
//! to. Each in the JSON, human and checklist reports; real repositories built with git.

mod common;
use common::*;
use serde_json::Value;
use std::path::Path;

/// A repository whose `main` holds `LIVE_KEY` in `bot.py` from its second commit; returns
/// the repository, the first commit and the leaking commit.
fn leaked() -> (TestRepo, String, String) {
    let repo = TestRepo::new();
    repo.write("README.md", "bot\n");
    let base = repo.commit_all("init", "Ana", "2025-03-01T08:00:00+00:00");
    repo.write("bot.py", &format!("MEETSO_KEY = \"{LIVE_KEY}\"\n"));
    let leak = repo.commit_all("bot", "Ana", "2025-03-02T08:00:00+00:00");
    (repo, base, leak)
}

/// The key's exposure in a history-only JSON scan of `dir`.
fn exposure(dir: &Path) -> Value {
    let report = json_report(
        &keyhound_in(dir, &["scan", "--history-only", "--format", "json", "."]),
        1,
    );
    let sha = sha256(LIVE_KEY);
    report["secrets"]
        .as_array()
        .expect("secrets")
        .iter()
        .find(|s| s["secret_sha256"] == sha.as_str())
        .expect("the key's secret group")["exposure"]
        .clone()
}

/// Stdout of a history-only scan of `dir` in `format`.
fn rendered(dir: &Path, format: &str) -> String {
    let out = keyhound_in(
        dir,
        &[
            "scan",
            "--history-only",
            "--color",
            "never",
            "--format",
            format,
            ".",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Asserts the summary in all three reports, and the checklist's "Reached a remote" cell.
fn assert_everywhere(dir: &Path, summary: &str, reached_cell: &str) {
    let human = rendered(dir, "human");
    assert!(
        human.lines().any(|l| l.trim() == summary),
        "human report lacks {summary:?}:\n{human}"
    );
    let checklist = rendered(dir, "checklist");
    assert!(
        checklist.contains(&format!("- **Exposure:** {summary}")),
        "checklist lacks {summary:?}:\n{checklist}"
    );
    let row = checklist
        .lines()
        .find(|l| l.starts_with("| 1 |"))
        .expect("overview row");
    assert!(
        row.ends_with(&format!("| {reached_cell} |")),
        "{row}\n{checklist}"
    );
}

#[test]
fn remote_tracking_refs_that_miss_the_commit_mean_local_history_only() {
    let (repo, base, leak) = leaked();
    repo.git(&["update-ref", "refs/remotes/origin/main", &base]);
    let e = exposure(repo.path());
    let summary = format!(
        "exposed since 2025-03-02 in local history only (not on any remote-tracking ref) ({}, still in main)",
        &leak[..7]
    );
    assert_eq!(e["summary"], summary.as_str());
    assert_eq!(e["remote_refs"], "remote-tracking");
    assert_eq!(e["reached_remote"], serde_json::json!([]));
    assert_everywhere(repo.path(), &summary, "—");
}

#[test]
fn a_clone_without_remote_tracking_refs_cannot_tell() {
    let (repo, _, leak) = leaked();
    let e = exposure(repo.path());
    let summary = format!(
        "exposed since 2025-03-02 ({}, still in main); this clone cannot tell whether the commit reached a remote (no remote-tracking refs)",
        &leak[..7]
    );
    assert_eq!(e["summary"], summary.as_str());
    assert_eq!(e["remote_refs"], "none");
    assert_eq!(e["reached_remote"], serde_json::json!([]));
    assert_everywhere(repo.path(), &summary, "unknown (no remote-tracking refs)");
    let human = rendered(repo.path(), "human");
    assert!(!human.contains("local history only"), "{human}");
}

#[test]
fn a_mirror_clones_branches_are_the_remotes() {
    let (repo, _, leak) = leaked();
    let parent = tempfile::tempdir().expect("tempdir");
    let mirror = parent.path().join("bot.git");
    git_in(
        parent.path(),
        &[
            "clone",
            "-q",
            "--mirror",
            repo.path().to_str().expect("utf-8"),
            "bot.git",
        ],
        "2025-03-03T08:00:00+00:00",
    );
    let e = exposure(&mirror);
    let summary = format!(
        "exposed since 2025-03-02 on origin/main (a mirror of origin, as of its last fetch) ({}, still in main)",
        &leak[..7]
    );
    assert_eq!(e["summary"], summary.as_str());
    assert_eq!(e["remote_refs"], "mirror");
    assert_eq!(e["reached_remote"], serde_json::json!(["origin/main"]));
    assert_everywhere(&mirror, &summary, "origin/main");
}

#[test]
fn bare_clone_and_bare_repository_without_a_remote_say_what_their_branches_are() {
    let (repo, _, leak) = leaked();
    let parent = tempfile::tempdir().expect("tempdir");
    let src = repo.path().to_str().expect("utf-8");
    let date = "2025-03-03T08:00:00+00:00";
    git_in(
        parent.path(),
        &["clone", "-q", "--bare", src, "clone.git"],
        date,
    );
    let e = exposure(&parent.path().join("clone.git"));
    assert_eq!(
        e["summary"],
        format!(
            "exposed since 2025-03-02 ({}, still in main); this clone cannot tell whether the commit reached a remote (no remote-tracking refs; the branches of a bare clone are origin's as of the clone, unless pushed to since)",
            &leak[..7]
        )
        .as_str()
    );
    assert_eq!(e["remote_refs"], "none");

    // the repository others push to: no remote of its own
    git_in(
        parent.path(),
        &["init", "-q", "--bare", "-b", "main", "server.git"],
        date,
    );
    let server = parent.path().join("server.git");
    repo.git(&["push", "-q", server.to_str().expect("utf-8"), "main"]);
    let e = exposure(&server);
    let summary = format!(
        "exposed since 2025-03-02 ({}, still in main); this repository cannot tell whether the commit reached a remote (no remote-tracking refs; if it is the repository others push to, its branches are what was pushed)",
        &leak[..7]
    );
    assert_eq!(e["summary"], summary.as_str());
    assert_everywhere(&server, &summary, "unknown (no remote-tracking refs)");
}
