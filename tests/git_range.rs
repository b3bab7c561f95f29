//! `--since REV` and `--range A..B`: only lines added by the commits in the range.

mod common;
use common::*;

type Key = (String, String, u64, String, Option<String>);

fn scan(repo: &TestRepo, args: &[&str], code: i32) -> Vec<Key> {
    let mut all = vec!["scan", "--format", "json"];
    all.extend_from_slice(args);
    finding_keys(&json_report(&repo.keyhound(&all), code))
}

fn hist(rule: &str, path: &str, line: u64, commit: &str) -> Key {
    (
        rule.into(),
        path.into(),
        line,
        "history".into(),
        Some(commit.into()),
    )
}

#[test]
fn since_excludes_an_older_leak_and_reports_the_new_one() {
    let repo = TestRepo::new();
    repo.write("old.py", &format!("KEY = \"{LIVE_KEY}\"\n"));
    repo.commit_all("old leak", "Ana", "2025-01-01T10:00:00+00:00");
    repo.git(&["branch", "base"]);
    repo.write("README.md", "docs\n");
    repo.commit_all("docs", "Ana", "2025-01-02T10:00:00+00:00");
    repo.write(
        "client.sh",
        &format!(
            "curl -H 'Authorization: Token {TOKEN_KEY}' https://app.attendee.dev/api/v1/bots\n"
        ),
    );
    let leak = repo.commit_all("new leak", "Ben", "2025-01-03T10:00:00+00:00");
    assert_eq!(
        scan(&repo, &["--since", "base"], 1),
        vec![hist("authorization-token", "client.sh", 1, &leak)]
    );
    assert_eq!(scan(&repo, &["--range", "base..HEAD~1"], 0), vec![]);
}

#[test]
fn only_added_lines_count_and_edits_of_old_lines_do_not_repeat_findings() {
    let repo = TestRepo::new();
    repo.write("cfg.env.txt", &format!("A=1\nMEETSO_KEY={LIVE_KEY}\n"));
    repo.commit_all("base", "Ana", "2025-01-01T10:00:00+00:00");
    let base = repo.git(&["rev-parse", "HEAD"]);
    repo.write(
        "cfg.env.txt",
        &format!("A=2\nMEETSO_KEY={LIVE_KEY}\nOTHER={LIVE_KEY_2}\n"),
    );
    let c2 = repo.commit_all("edit", "Ana", "2025-01-02T10:00:00+00:00");
    // `cfg.env.txt` is an env file by name: the range changes it, so the env audit reports
    // it too (once, at the commit of the range that touched it).
    assert_eq!(
        scan(&repo, &["--range", &format!("{base}..HEAD")], 1),
        vec![
            hist("dotenv-committed", "cfg.env.txt", 1, &c2),
            hist("meetso-live-key", "cfg.env.txt", 3, &c2)
        ]
    );
}

#[test]
fn merge_commit_reports_lines_no_parent_had() {
    let repo = TestRepo::new();
    repo.write("a.txt", "one\n");
    let root = repo.commit_all("root", "Ana", "2025-01-01T10:00:00+00:00");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("b.txt", &format!("k={LIVE_KEY}\n"));
    let feat = repo.commit_all("feature key", "Ben", "2025-01-02T10:00:00+00:00");
    repo.git(&["checkout", "-q", "main"]);
    repo.write("c.txt", "other\n");
    repo.commit_all("main work", "Ana", "2025-01-03T10:00:00+00:00");
    repo.git(&["merge", "-q", "--no-ff", "-m", "merge", "feature"]);
    // The key was added by the feature commit, not by the merge.
    assert_eq!(
        scan(&repo, &["--range", &format!("{root}..HEAD")], 1),
        vec![hist("meetso-live-key", "b.txt", 1, &feat)]
    );
}

#[test]
fn bad_range_and_unknown_revision_are_errors() {
    let repo = TestRepo::new();
    repo.write("a.txt", "one\n");
    repo.commit_all("root", "Ana", "2025-01-01T10:00:00+00:00");
    let out = repo.keyhound(&["scan", "--range", "nodots"]);
    assert_eq!(out.status.code(), Some(2));
    let out = repo.keyhound(&["scan", "--since", "no-such-branch"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-branch"));
}

#[test]
fn a_blob_missing_from_a_partial_clone_is_named_and_the_range_scan_goes_on() {
    let origin = TestRepo::new();
    let head = moved_leak(&origin);
    let dir = tempfile::tempdir().expect("tmp");
    // blobless: old.py's blob never arrives, HEAD's do (with the checkout)
    let clone = clone_of(&origin, dir.path(), &["--filter=blob:none"], "partial");
    let out = keyhound_in(
        &clone,
        &["scan", "--format", "json", "--range", "HEAD~2..HEAD"],
    );
    let report = json_report(&out, 1);
    assert_eq!(
        finding_keys(&report),
        vec![hist("meetso-live-key", "client.py", 1, &head)]
    );
    assert_eq!(report["stats"]["errors"], 1);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("old.py (commit ") && stderr.contains("partial clone"),
        "{stderr}"
    );
}
