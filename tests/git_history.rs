//! Full-history scans: every version of every file, attributed to the commit that introduced
//! it, with `in_head` and the exposure window.

mod common;
use common::*;
use serde_json::Value;

type Key = (String, String, u64, String, Option<String>);

fn hist(rule: &str, path: &str, line: u64, commit: &str) -> Key {
    (
        rule.into(),
        path.into(),
        line,
        "history".into(),
        Some(commit.into()),
    )
}

fn history(repo_dir: &std::path::Path, extra: &[&str], code: i32) -> Value {
    let mut args = vec!["scan", "--history-only", "--format", "json"];
    args.extend_from_slice(extra);
    json_report(&keyhound_in(repo_dir, &args), code)
}

fn secret<'a>(report: &'a Value, key: &str) -> &'a Value {
    let sha = sha256(key);
    report["secrets"]
        .as_array()
        .expect("secrets")
        .iter()
        .find(|s| s["secret_sha256"] == sha.as_str())
        .expect("secret group present")
}

#[test]
fn key_added_then_deleted_is_found_with_commit_author_and_exposure() {
    let repo = TestRepo::new();
    repo.write("README.md", "app\n");
    repo.commit_all("init", "Ana", "2025-03-02T08:00:00+00:00");
    repo.write(
        "deploy/settings.py",
        &format!("DEBUG = False\nMEETSO_API_KEY = \"{LIVE_KEY}\"\n"),
    );
    let leak = repo.commit_all("add settings", "Dana", "2025-03-02T10:00:00+00:00");
    repo.write(
        "deploy/settings.py",
        "DEBUG = False\nMEETSO_API_KEY = os.environ['MEETSO_API_KEY']\n",
    );
    let fix = repo.commit_all("read key from env", "Dana", "2025-03-02T16:12:00+00:00");
    repo.git(&["update-ref", "refs/remotes/origin/main", "HEAD"]);

    let report = history(repo.path(), &[], 1);
    assert_eq!(
        finding_keys(&report),
        vec![hist("meetso-live-key", "deploy/settings.py", 2, &leak)]
    );
    let f = &report["findings"][0];
    assert_eq!(f["author"], "Dana");
    assert_eq!(f["email"], "dana@example.com");
    assert_eq!(f["date"], "2025-03-02T10:00:00+00:00");
    assert_eq!(f["in_head"], false);
    let s = secret(&report, LIVE_KEY);
    assert_eq!(s["in_head"], false);
    let e = &s["exposure"];
    assert_eq!(e["first_commit"], leak.as_str());
    assert_eq!(e["removed_commit"], fix.as_str());
    assert_eq!(e["duration_seconds"], 6 * 3600 + 12 * 60);
    assert_eq!(e["reached_remote"], serde_json::json!(["origin/main"]));
    assert_eq!(
        e["summary"],
        format!(
            "exposed 6h 12m on origin/main ({} → {})",
            &leak[..7],
            &fix[..7]
        )
        .as_str()
    );
}

#[test]
fn unpushed_key_still_in_head_says_so() {
    let repo = TestRepo::new();
    repo.write("a.sh", &format!("export ATTENDEE_API_KEY={TOKEN_KEY}\n"));
    let c = repo.commit_all("leak", "Ana", "2025-03-02T08:00:00+00:00");
    let report = history(repo.path(), &[], 1);
    assert_eq!(
        finding_keys(&report),
        vec![hist("env-secret", "a.sh", 1, &c)]
    );
    let s = secret(&report, TOKEN_KEY);
    assert_eq!(s["in_head"], true);
    assert_eq!(s["exposure"]["removed_commit"], Value::Null);
    assert_eq!(s["exposure"]["reached_remote"], serde_json::json!([]));
}

#[test]
fn key_only_on_a_non_default_branch_and_only_in_a_tag() {
    let repo = TestRepo::new();
    repo.write("a.txt", "base\n");
    repo.commit_all("base", "Ana", "2025-01-01T10:00:00+00:00");
    repo.git(&["checkout", "-q", "-b", "feature/bot"]);
    repo.write("bot.py", &format!("KEY = \"{LIVE_KEY}\"\n"));
    let on_branch = repo.commit_all("bot", "Ben", "2025-01-02T10:00:00+00:00");
    repo.git(&["checkout", "-q", "main"]);
    repo.git(&["checkout", "-q", "--detach"]);
    repo.write("release-keys.txt", &format!("MEETSO_KEY={LIVE_KEY_2}\n"));
    let tagged = repo.commit_all("release", "Cy", "2025-01-03T10:00:00+00:00");
    repo.git(&["tag", "-a", "v1.0", "-m", "release"]);
    repo.git(&["checkout", "-q", "main"]);

    let report = history(repo.path(), &[], 1);
    assert_eq!(
        finding_keys(&report),
        vec![
            hist("meetso-live-key", "bot.py", 1, &on_branch),
            hist("meetso-live-key", "release-keys.txt", 1, &tagged),
        ]
    );
    assert_eq!(secret(&report, LIVE_KEY)["in_head"], false);
    // --branch limits the sweep to one ref's history.
    let main_only = history(repo.path(), &["--branch", "main"], 0);
    assert_eq!(finding_keys(&main_only), vec![]);
    let tag_only = history(repo.path(), &["--branch", "v1.0"], 1);
    assert_eq!(
        finding_keys(&tag_only),
        vec![hist("meetso-live-key", "release-keys.txt", 1, &tagged)]
    );
}

#[test]
fn same_key_in_three_files_is_one_secret_with_three_locations() {
    let repo = TestRepo::new();
    repo.write("a.py", &format!("K = \"{LIVE_KEY}\"\n"));
    repo.write("b/c.yaml", &format!("key: {LIVE_KEY}\n"));
    repo.write(
        "d.sh",
        &format!("\ncurl -H 'Authorization: Bearer {LIVE_KEY}'\n"),
    );
    let c = repo.commit_all("three", "Ana", "2025-01-01T10:00:00+00:00");
    let report = history(repo.path(), &[], 1);
    assert_eq!(
        finding_keys(&report),
        vec![
            hist("meetso-live-key", "a.py", 1, &c),
            hist("meetso-live-key", "b/c.yaml", 1, &c),
            hist("meetso-live-key", "d.sh", 2, &c),
        ]
    );
    assert_eq!(report["secrets"].as_array().map(Vec::len), Some(1));
    assert_eq!(secret(&report, LIVE_KEY)["locations"], 3);
    let human =
        String::from_utf8_lossy(&repo.keyhound(&["scan", "--history-only"]).stdout).to_string();
    assert!(human.contains("seen in 3 places, first in"), "{human}");
}

#[test]
fn merges_and_renames_are_attributed_to_the_right_commits() {
    let repo = TestRepo::new();
    repo.write("a.txt", "one\n");
    repo.commit_all("root", "Ana", "2025-01-01T10:00:00+00:00");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("cfg/keys.txt", &format!("k={LIVE_KEY}\n"));
    let feat = repo.commit_all("feature key", "Ben", "2025-01-02T10:00:00+00:00");
    repo.git(&["checkout", "-q", "main"]);
    repo.write("c.txt", "other\n");
    repo.commit_all("main work", "Ana", "2025-01-03T10:00:00+00:00");
    repo.git(&["merge", "-q", "--no-ff", "-m", "merge", "feature"]);
    repo.git(&["mv", "cfg/keys.txt", "cfg/keys-renamed.txt"]);
    let renamed = repo.commit_all("rename", "Cy", "2025-01-05T10:00:00+00:00");
    let report = history(repo.path(), &[], 1);
    assert_eq!(
        finding_keys(&report),
        vec![
            hist("meetso-live-key", "cfg/keys-renamed.txt", 1, &renamed),
            hist("meetso-live-key", "cfg/keys.txt", 1, &feat),
        ]
    );
    let s = secret(&report, LIVE_KEY);
    assert_eq!(s["exposure"]["first_commit"], feat.as_str());
    assert_eq!(s["in_head"], true);
}

#[test]
fn a_skewed_clock_cannot_make_a_descendant_the_introducer() {
    let repo = TestRepo::new();
    repo.write("a.txt", "one\n");
    repo.commit_all("root", "Ana", "2025-01-01T10:00:00+00:00");
    // On main: a commit of Jan 10, then a child whose clock says Jan 2 adds the key.
    repo.write("b.txt", "two\n");
    repo.commit_all("work", "Ana", "2025-01-10T10:00:00+00:00");
    repo.write("k.txt", &format!("k={LIVE_KEY}\n"));
    let skewed = repo.commit_all("skewed", "Ana", "2025-01-02T10:00:00+00:00");
    // On a branch from root: the same file on Jan 5, really the first to exist.
    repo.git(&["checkout", "-q", "-b", "fork", "HEAD~2"]);
    repo.write("k.txt", &format!("k={LIVE_KEY}\n"));
    let first = repo.commit_all("fork", "Ben", "2025-01-05T10:00:00+00:00");
    repo.git(&["update-ref", "refs/remotes/upstream/fork", &first]);
    repo.git(&["update-ref", "refs/remotes/origin/main", "main"]);
    let report = history(repo.path(), &[], 1);
    assert_eq!(
        finding_keys(&report),
        vec![hist("meetso-live-key", "k.txt", 1, &first)]
    );
    let e = &secret(&report, LIVE_KEY)["exposure"];
    assert_eq!(e["first_commit"], first.as_str());
    // Only the fork's commit introduced the key, and only upstream/fork holds that commit.
    assert_eq!(e["reached_remote"], serde_json::json!(["upstream/fork"]));
    assert_ne!(first, skewed);
}

/// A clone made with `options` lacks the commit that added the first key (shallow) or that
/// key's blob (partial): the scan reports what is there and its notes say what is not.
fn incomplete_clone_scans_what_is_there(options: &[&str], note: &str) {
    let origin = TestRepo::new();
    let newest = moved_leak(&origin);
    let dir = tempfile::tempdir().expect("tmp");
    let clone = clone_of(&origin, dir.path(), options, "clone");
    let report = history(&clone, &[], 1);
    assert_eq!(
        finding_keys(&report),
        vec![hist("meetso-live-key", "client.py", 1, &newest)]
    );
    let notes = report["stats"]["notes"].to_string();
    assert!(notes.contains(note), "{notes}");
}

#[test]
fn shallow_clone_scans_what_is_there_and_says_history_is_truncated() {
    incomplete_clone_scans_what_is_there(&["--depth", "1"], "shallow clone");
}

#[test]
fn partial_clone_scans_what_is_there_and_says_blobs_are_missing() {
    // a blobless clone: only HEAD's blobs arrive (with the checkout)
    incomplete_clone_scans_what_is_there(&["--filter=blob:none"], "partial clone");
}

#[test]
fn a_partial_clone_whose_config_no_longer_says_so_is_known_by_its_promisor_pack() {
    // a mirror copied without its config (as some archivers do): only the packs' `.promisor`
    // files say that blobs are missing by design
    let origin = TestRepo::new();
    let newest = moved_leak(&origin);
    let dir = tempfile::tempdir().expect("tmp");
    let clone = clone_of(&origin, dir.path(), &["--filter=blob:none"], "clone");
    for key in ["remote.origin.promisor", "remote.origin.partialclonefilter"] {
        git_in(
            &clone,
            &["config", "--unset", key],
            "2025-01-01T10:00:00+00:00",
        );
    }
    let report = history(&clone, &[], 1);
    assert_eq!(
        finding_keys(&report),
        vec![hist("meetso-live-key", "client.py", 1, &newest)]
    );
    let notes = report["stats"]["notes"].to_string();
    assert!(notes.contains("partial clone (--filter)"), "{notes}");
}

#[test]
fn bare_repository_and_linked_worktree_work() {
    let repo = TestRepo::new();
    repo.write("x.py", &format!("K = \"{LIVE_KEY}\"\n"));
    let c = repo.commit_all("leak", "Ana", "2025-01-01T10:00:00+00:00");
    let dir = tempfile::tempdir().expect("tmp");
    git_in(
        dir.path(),
        &[
            "clone",
            "-q",
            "--bare",
            &repo.path().display().to_string(),
            "bare.git",
        ],
        "2025-01-01T10:00:00+00:00",
    );
    // The default mode on a bare repository is history only.
    let out = keyhound_in(&dir.path().join("bare.git"), &["scan", "--format", "json"]);
    assert_eq!(
        finding_keys(&json_report(&out, 1)),
        vec![hist("meetso-live-key", "x.py", 1, &c)]
    );
    let wt = dir.path().join("wt");
    repo.git(&["worktree", "add", "-q", &wt.display().to_string()]);
    let report = history(&wt, &[], 1);
    assert_eq!(
        finding_keys(&report),
        vec![hist("meetso-live-key", "x.py", 1, &c)]
    );
}

#[test]
fn subdirectory_scan_reports_only_files_under_it_relative_to_it() {
    let repo = TestRepo::new();
    repo.write("svc/api/config.py", &format!("K = \"{LIVE_KEY}\"\n"));
    repo.write("other/config.py", &format!("K = \"{LIVE_KEY_2}\"\n"));
    let c = repo.commit_all("two", "Ana", "2025-01-01T10:00:00+00:00");
    let report = history(&repo.path().join("svc"), &[], 1);
    assert_eq!(
        finding_keys(&report),
        vec![hist("meetso-live-key", "api/config.py", 1, &c)]
    );
}

#[test]
fn default_scan_of_a_repo_merges_worktree_and_history() {
    let repo = TestRepo::new();
    repo.write("committed.py", &format!("K = \"{LIVE_KEY}\"\n"));
    let c = repo.commit_all("leak", "Ana", "2025-01-01T10:00:00+00:00");
    repo.write("draft.py", &format!("K = \"{LIVE_KEY_2}\"\n"));
    let out = repo.keyhound(&["scan", "--format", "json"]);
    assert_eq!(
        finding_keys(&json_report(&out, 1)),
        vec![
            hist("meetso-live-key", "committed.py", 1, &c),
            (
                "meetso-live-key".into(),
                "draft.py".into(),
                1,
                "worktree".into(),
                None
            ),
        ]
    );
    let out = repo.keyhound(&["scan", "--no-history", "--format", "json"]);
    assert_eq!(
        json_report(&out, 1)["findings"].as_array().map(Vec::len),
        Some(2)
    );
}

#[test]
fn history_only_outside_a_repository_is_an_error() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = keyhound_in(dir.path(), &["scan", "--history-only"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn non_utf8_paths_corrupt_objects_and_submodules_do_not_stop_the_scan() {
    use std::os::unix::ffi::OsStrExt;
    let repo = TestRepo::new();
    let odd = std::ffi::OsStr::from_bytes(b"caf\xe9.py");
    std::fs::write(repo.path().join(odd), format!("K = \"{LIVE_KEY}\"\n")).expect("write");
    repo.write("lost.txt", "this blob will be corrupted\n");
    let c = repo.commit_all("odd", "Ana", "2025-01-01T10:00:00+00:00");
    // A gitlink (submodule) entry pointing at a commit this repository does not have.
    repo.git(&[
        "update-index",
        "--add",
        "--cacheinfo",
        "160000,1111111111111111111111111111111111111111,vendor/lib",
    ]);
    repo.git(&["commit", "-q", "-m", "submodule"]);
    let lost = repo.git(&["rev-parse", "HEAD:lost.txt"]);
    let object = repo
        .path()
        .join(".git/objects")
        .join(&lost[..2])
        .join(&lost[2..]);
    // Corrupt it: git's zlib stream replaced by garbage.
    std::fs::remove_file(&object).expect("make writable");
    std::fs::write(&object, b"not a zlib stream").expect("corrupt loose object");

    // the corrupt object leaves the scan incomplete: an error unless accepted
    let strict = repo.keyhound(&["scan", "--history-only", "--format", "json"]);
    let strict = json_report(&strict, 2);
    assert_eq!(strict["stats"]["unreadable"], 1);
    assert!(
        strict["unreadable"][0]
            .as_str()
            .is_some_and(|u| u.contains(&lost)),
        "{}",
        strict["unreadable"]
    );
    let out = repo.keyhound(&[
        "scan",
        "--history-only",
        "--format",
        "json",
        "--allow-unreadable",
    ]);
    let report = json_report(&out, 1);
    assert_eq!(
        finding_keys(&report),
        vec![hist("meetso-live-key", "caf\u{fffd}.py", 1, &c)]
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&lost),
        "missing object named in a warning: {stderr}"
    );
    assert_eq!(report["stats"]["errors"], 1);
    let notes = report["stats"]["notes"].to_string();
    assert!(
        notes.contains("submodules not scanned") && notes.contains("vendor/lib"),
        "{notes}"
    );
}

#[test]
fn two_secrets_in_one_file_each_get_their_own_exposure_window() {
    let repo = TestRepo::new();
    repo.write("cfg.txt", &format!("A={LIVE_KEY}\nB={LIVE_KEY_2}\n"));
    let leak = repo.commit_all("leak", "Ana", "2025-03-02T10:00:00+00:00");
    repo.git(&["rm", "-q", "cfg.txt"]);
    let fix = repo.commit_all("remove", "Ana", "2025-03-02T11:00:00+00:00");
    let report = history(repo.path(), &[], 1);
    for key in [LIVE_KEY, LIVE_KEY_2] {
        let e = &secret(&report, key)["exposure"];
        assert_eq!(e["first_commit"], leak.as_str(), "{key}");
        assert_eq!(e["removed_commit"], fix.as_str(), "{key}");
        assert_eq!(e["duration_seconds"], 3600);
    }
}
