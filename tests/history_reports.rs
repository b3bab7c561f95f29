//! What a new user hit with history and range reports (issue 14, points 1–5): the env-file
//! audit in range scans, one finding per (secret, path) at the introducing commit, a short
//! "exposed on …" line, byte-identical reports with tied timestamps, and the shallow-clone
//! warning of a range scan. Real repositories built with the git CLI.

mod common;
use common::*;
use serde_json::Value;

fn json_of(repo: &TestRepo, args: &[&str], code: i32) -> Value {
    let mut all = vec!["scan", "--format", "json"];
    all.extend_from_slice(args);
    json_report(&repo.keyhound(&all), code)
}

fn hist(
    rule: &str,
    path: &str,
    line: u64,
    commit: &str,
) -> (String, String, u64, String, Option<String>) {
    (
        rule.into(),
        path.into(),
        line,
        "history".into(),
        Some(commit.into()),
    )
}

/// The README as it is after `n` edits: `n` lines inserted above the key, so the key moves.
fn readme(n: usize) -> String {
    let mut text = String::from("# Bots\n");
    for i in 0..n {
        text.push_str(&format!("edit {i}\n"));
    }
    text.push_str(&format!(
        "curl -H 'Authorization: Token {TOKEN_KEY}' https://app.attendee.dev/api/v1/bots\n"
    ));
    text
}

/// `README.md` gets the key in commit 1, is edited in 5 later commits (the key moves down a
/// line each time), renamed to `docs/README.md`, then deleted.
fn edited_renamed_deleted(repo: &TestRepo) -> (String, Vec<String>, String) {
    repo.write("README.md", &readme(0));
    let intro = repo.commit_all("add readme", "Ana", "2025-01-01T10:00:00+00:00");
    let mut edits = Vec::new();
    for i in 1..=5 {
        repo.write("README.md", &readme(i));
        edits.push(repo.commit_all(
            &format!("edit {i}"),
            "Ana",
            &format!("2025-01-0{}T10:00:00+00:00", i + 1),
        ));
    }
    repo.git(&["mv", "README.md", "docs-README.md"]);
    let renamed = repo.commit_all("move", "Ben", "2025-01-08T10:00:00+00:00");
    repo.git(&["rm", "-q", "docs-README.md"]);
    repo.write("other.txt", "x\n");
    repo.commit_all("delete", "Ben", "2025-01-09T10:00:00+00:00");
    (intro, edits, renamed)
}

#[test]
fn one_finding_per_secret_and_path_at_the_introducing_commit() {
    let repo = TestRepo::new();
    let (intro, edits, renamed) = edited_renamed_deleted(&repo);
    let report = json_of(&repo, &[], 1);
    assert_eq!(
        finding_keys(&report),
        vec![
            hist("authorization-token", "README.md", 2, &intro),
            hist("authorization-token", "docs-README.md", 7, &renamed),
        ]
    );
    let readme = report["findings"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["path"] == "README.md"))
        .expect("README.md finding");
    let later: Vec<(String, u64)> = readme["later_commits"]
        .as_array()
        .expect("later_commits")
        .iter()
        .map(|l| {
            (
                l["commit"].as_str().unwrap_or("").to_string(),
                l["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    let expected: Vec<(String, u64)> = edits
        .iter()
        .enumerate()
        .map(|(i, c)| (c.clone(), i as u64 + 3))
        .collect();
    assert_eq!(later, expected);
    assert_eq!(secret_entry(&report, TOKEN_KEY)["locations"], 2);
    assert_eq!(
        secret_entry(&report, TOKEN_KEY)["exposure"]["first_commit"],
        intro.as_str()
    );

    // SARIF: one result per finding, at the introducing commit and its line.
    let sarif: Value =
        serde_json::from_slice(&repo.keyhound(&["scan", "--format", "sarif"]).stdout)
            .expect("sarif");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    let mut got: Vec<(String, u64, String)> = results
        .iter()
        .map(|r| {
            let loc = &r["locations"][0]["physicalLocation"];
            (
                loc["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
                loc["region"]["startLine"].as_u64().unwrap_or(0),
                r["properties"]["commit"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            ("README.md".to_string(), 2, intro.clone()),
            ("docs-README.md".to_string(), 7, renamed.clone()),
        ]
    );
    let readme_result = results
        .iter()
        .find(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "README.md")
        .expect("README result");
    assert_eq!(
        readme_result["properties"]["laterCommits"],
        serde_json::json!(edits)
    );

    // Human and checklist agree: two places, the later commits as a count.
    let human = String::from_utf8_lossy(&repo.keyhound(&["scan"]).stdout).to_string();
    assert_eq!(human.matches("authorization-token").count(), 2, "{human}");
    assert!(
        human.contains(&format!(
            "also in 5 later commits (up to {})",
            &edits[4][..7]
        )),
        "{human}"
    );
    assert!(human.contains("seen in 2 places"), "{human}");
    let checklist =
        String::from_utf8_lossy(&repo.keyhound(&["scan", "--format", "checklist"]).stdout)
            .to_string();
    assert!(
        checklist.contains("**Where it appears (2):**"),
        "{checklist}"
    );
    assert!(
        checklist.contains(&format!(
            "`README.md` line 2 — commit `{}` (2025-01-01, Ana); also in 5 later commits",
            &intro[..7]
        )),
        "{checklist}"
    );
}

#[test]
fn a_key_added_removed_and_re_added_on_one_path_is_one_finding_at_the_first_introduction() {
    let repo = TestRepo::new();
    repo.write("app.py", &format!("KEY = \"{LIVE_KEY}\"\n"));
    let first = repo.commit_all("add", "Ana", "2025-01-01T10:00:00+00:00");
    repo.write("app.py", "KEY = os.environ['KEY']\n");
    repo.commit_all("remove", "Ana", "2025-01-02T10:00:00+00:00");
    repo.write("app.py", &format!("import os\n\nKEY = \"{LIVE_KEY}\"\n"));
    let again = repo.commit_all("re-add", "Ana", "2025-01-03T10:00:00+00:00");
    let report = json_of(&repo, &[], 1);
    // The work tree holds the key too: still one finding for (key, app.py).
    assert_eq!(
        finding_keys(&report),
        vec![hist("meetso-live-key", "app.py", 1, &first)]
    );
    assert_eq!(
        report["findings"][0]["later_commits"],
        serde_json::json!([{
            "commit": again,
            "author": "Ana",
            "date": "2025-01-03T10:00:00+00:00",
            "line": 3
        }])
    );
}

#[test]
fn a_branch_commit_adding_an_env_file_is_reported_by_since() {
    let repo = TestRepo::new();
    repo.write("README.md", "docs\n");
    repo.write(".gitignore", ".evn\n");
    repo.commit_all("base", "Ana", "2025-01-01T10:00:00+00:00");
    repo.git(&["update-ref", "refs/remotes/origin/main", "HEAD"]);
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write(
        ".env",
        "DB_HOST=db.internal\nDB_PASSWORD=Xk9mQ2vLp7RtZw4Nb8Yc\n",
    );
    let leak = repo.commit_all("config", "Ben", "2025-01-02T10:00:00+00:00");
    let report = json_of(&repo, &["--since", "origin/main"], 1);
    assert_eq!(
        finding_keys(&report),
        vec![hist("dotenv-committed", ".env", 1, &leak)]
    );
    let f = &report["findings"][0];
    assert_eq!(f["severity"], "high");
    assert!(
        f["detail"].as_str().unwrap_or("").contains("DB_PASSWORD"),
        "{f}"
    );
    assert_eq!(f["gitignore"]["file"], ".gitignore");
    assert_eq!(f["gitignore"]["line"], 1);
    // Nothing on origin/main's side is reported.
    assert_eq!(
        json_of(&repo, &["--since", "feature"], 0)["findings"],
        serde_json::json!([])
    );
}

#[test]
fn exposure_names_the_default_branch_first_and_summarises_the_other_refs() {
    let repo = TestRepo::new();
    repo.write("k.py", &format!("K = \"{LIVE_KEY}\"\n"));
    repo.commit_all("leak", "Ana", "2025-01-01T10:00:00+00:00");
    for i in 0..29 {
        repo.git(&[
            "update-ref",
            &format!("refs/remotes/origin/a-feature-{i:02}"),
            "HEAD",
        ]);
    }
    repo.git(&["update-ref", "refs/remotes/origin/trunk", "HEAD"]);
    repo.git(&[
        "symbolic-ref",
        "refs/remotes/origin/HEAD",
        "refs/remotes/origin/trunk",
    ]);
    let report = json_of(&repo, &["--history-only"], 1);
    let e = &secret_entry(&report, LIVE_KEY)["exposure"];
    let reached = e["reached_remote"].as_array().expect("reached_remote");
    assert_eq!(reached.len(), 30);
    assert_eq!(reached[0], "origin/trunk");
    assert_eq!(reached[1], "origin/a-feature-00");
    let summary = e["summary"].as_str().expect("summary");
    assert!(
        summary.contains("on origin/trunk and 29 more refs"),
        "{summary}"
    );
    assert!(summary.len() < 200, "{summary}");
    let human =
        String::from_utf8_lossy(&repo.keyhound(&["scan", "--history-only"]).stdout).to_string();
    assert!(
        human.contains("on origin/trunk and 29 more refs"),
        "{human}"
    );
    assert!(!human.contains("a-feature-05"), "{human}");
    let checklist = String::from_utf8_lossy(
        &repo
            .keyhound(&["scan", "--history-only", "--format", "checklist"])
            .stdout,
    )
    .to_string();
    assert!(
        checklist.contains("| origin/trunk and 29 more refs |"),
        "{checklist}"
    );
    assert!(!checklist.contains("a-feature-05"), "{checklist}");
}

/// The JSON report without its wall time, which is the one field allowed to differ.
fn without_duration(out: &std::process::Output) -> String {
    let mut v: Value = serde_json::from_slice(&out.stdout).expect("json");
    if let Some(stats) = v["stats"].as_object_mut() {
        stats.remove("duration_ms");
    }
    serde_json::to_string_pretty(&v).expect("json")
}

#[test]
fn reports_are_identical_across_runs_when_commits_share_a_timestamp() {
    let repo = TestRepo::new();
    let same = "2025-01-01T10:00:00+00:00";
    repo.write("a.py", &format!("K = \"{LIVE_KEY}\"\n"));
    let parent = repo.commit_all("a", "Ana", same);
    repo.write("b.py", &format!("K = \"{LIVE_KEY}\"\n"));
    repo.write("c.env", &format!("MEETSO_API_KEY={LIVE_KEY_2}\n"));
    repo.commit_all("b", "Ana", same);
    repo.write("c.env", &format!("MEETSO_API_KEY={LIVE_KEY_2}\nDEBUG=1\n"));
    repo.commit_all("c", "Ana", same);
    let args = ["scan", "--history-only", "--format", "json"];
    let first = without_duration(&repo.keyhound(&args));
    for _ in 0..5 {
        assert_eq!(without_duration(&repo.keyhound(&args)), first);
    }
    let report: Value = serde_json::from_str(&first).expect("json");
    // Tied timestamps: the parent, first in topological order, introduced the key.
    assert_eq!(
        secret_entry(&report, LIVE_KEY)["exposure"]["first_commit"],
        parent.as_str()
    );
}

#[test]
fn a_range_in_a_shallow_clone_warns_that_the_boundary_commit_is_not_the_introducer() {
    let origin = TestRepo::new();
    origin.write("config.py", &format!("KEY = \"{LIVE_KEY}\"\n"));
    origin.commit_all("old key", "Ana", "2025-01-01T10:00:00+00:00");
    origin.write("README.md", "docs\n");
    origin.commit_all("docs", "Ana", "2025-01-02T10:00:00+00:00");
    origin.git(&["checkout", "-q", "-b", "feature"]);
    origin.write("a.txt", "feature work\n");
    origin.commit_all("feature", "Ben", "2025-01-03T10:00:00+00:00");
    origin.write("b.txt", "more work\n");
    origin.commit_all("more", "Ben", "2025-01-04T10:00:00+00:00");
    let dir = tempfile::tempdir().expect("tmp");
    let clone = clone_of(
        &origin,
        dir.path(),
        &["--depth", "1", "--branch", "feature"],
        "clone",
    );
    let url = format!("file://{}", origin.path().display());
    git_in(
        &clone,
        &[
            "fetch",
            "-q",
            "--depth",
            "1",
            &url,
            "main:refs/remotes/origin/main",
        ],
        "2025-02-01T10:00:00+00:00",
    );
    let out = keyhound_in(
        &clone,
        &["scan", "--since", "origin/main", "--format", "json"],
    );
    let boundary = git_in(&clone, &["rev-parse", "HEAD"], "2025-02-01T10:00:00+00:00");
    let report = json_report(&out, 1);
    // The old key is still reported (fail safe) but the report says why its commit is wrong.
    assert_eq!(
        finding_keys(&report),
        vec![hist("meetso-live-key", "config.py", 1, &boundary)]
    );
    let notes = report["stats"]["notes"].to_string();
    assert!(
        notes.contains(&format!(
            "shallow clone: commit {} is at the clone's depth boundary",
            &boundary[..7]
        )),
        "{notes}"
    );
    assert!(notes.contains("git fetch --unshallow"), "{notes}");
    let human = keyhound_in(&clone, &["scan", "--since", "origin/main"]);
    let stdout = String::from_utf8_lossy(&human.stdout);
    assert!(stdout.contains("note: shallow clone: commit"), "{stdout}");
    // A CI job writing SARIF sees it in its log and in the SARIF run.
    let ci = keyhound_in(
        &clone,
        &[
            "scan",
            "--since",
            "origin/main",
            "--format",
            "sarif",
            "-o",
            "k.sarif",
        ],
    );
    let stderr = String::from_utf8_lossy(&ci.stderr);
    assert!(
        stderr.contains("keyhound: note: shallow clone: commit"),
        "{stderr}"
    );
    let sarif: Value =
        serde_json::from_str(&std::fs::read_to_string(clone.join("k.sarif")).expect("sarif"))
            .expect("json");
    let notes = &sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"];
    assert!(
        notes[0]["message"]["text"]
            .as_str()
            .is_some_and(|t| t.starts_with("shallow clone: commit")),
        "{notes}"
    );
}
