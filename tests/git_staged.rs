//! `keyhound scan --staged`: only what the index adds relative to HEAD is reported.

mod common;
use common::*;

fn staged(repo: &TestRepo, code: i32) -> Vec<(String, String, u64, String, Option<String>)> {
    finding_keys(&json_report(
        &repo.keyhound(&["scan", "--staged", "--format", "json"]),
        code,
    ))
}

#[test]
fn staged_key_is_found_with_staged_line_numbers() {
    let repo = TestRepo::new();
    repo.write("app.py", "import os\n\nTIMEOUT = 3\n");
    repo.commit_all("init", "Dana", "2025-03-01T09:00:00+00:00");
    repo.write(
        "app.py",
        &format!("import os\nKEY = \"{LIVE_KEY}\"\n\nTIMEOUT = 3\n"),
    );
    repo.git(&["add", "app.py"]);
    assert_eq!(
        staged(&repo, 1),
        vec![(
            "meetso-live-key".into(),
            "app.py".into(),
            2,
            "staged".into(),
            None
        )]
    );
}

#[test]
fn staged_ignores_keys_only_in_history_and_unstaged_edits() {
    let repo = TestRepo::new();
    repo.write("old.env.txt", &format!("MEETSO_API_KEY={LIVE_KEY}\n"));
    repo.commit_all("leak", "Dana", "2025-03-01T09:00:00+00:00");
    repo.git(&["rm", "-q", "old.env.txt"]);
    repo.commit_all("remove", "Dana", "2025-03-01T15:00:00+00:00");
    // Committed and unchanged: not part of the staged change.
    repo.write("config.py", &format!("KEY = \"{LIVE_KEY_2}\"\n"));
    repo.commit_all("config", "Dana", "2025-03-02T09:00:00+00:00");
    // Edited in the work tree but not staged.
    repo.write("notes.txt", &format!("Authorization: Token {TOKEN_KEY}\n"));
    repo.write("clean.py", "print('hello')\n");
    repo.git(&["add", "clean.py"]);
    assert_eq!(staged(&repo, 0), vec![]);
}

#[test]
fn only_added_lines_of_a_modified_file_are_reported() {
    let repo = TestRepo::new();
    repo.write(
        "settings.py",
        &format!("OLD = \"{LIVE_KEY}\"  # known, committed\n"),
    );
    repo.commit_all("init", "Dana", "2025-03-01T09:00:00+00:00");
    repo.write(
        "settings.py",
        &format!("OLD = \"{LIVE_KEY}\"  # known, committed\nH = {{'Authorization': 'Token {TOKEN_KEY}'}}\n"),
    );
    repo.git(&["add", "settings.py"]);
    assert_eq!(
        staged(&repo, 1),
        vec![(
            "authorization-token".into(),
            "settings.py".into(),
            2,
            "staged".into(),
            None
        )]
    );
}

#[test]
fn new_repository_without_head_works() {
    let repo = TestRepo::new();
    repo.write(
        "deploy/run.sh",
        &format!("export ATTENDEE_API_KEY={TOKEN_KEY}\n"),
    );
    repo.git(&["add", "-A"]);
    assert_eq!(
        staged(&repo, 1),
        vec![(
            "env-secret".into(),
            "deploy/run.sh".into(),
            1,
            "staged".into(),
            None
        )]
    );
}

#[test]
fn allowed_line_passes() {
    let repo = TestRepo::new();
    repo.write(
        "a.py",
        &format!("KEY = \"{LIVE_KEY}\"  # keyhound:allow test fixture\n"),
    );
    repo.git(&["add", "-A"]);
    assert_eq!(staged(&repo, 0), vec![]);
}

#[test]
fn staged_outside_a_repository_is_an_error() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = keyhound_in(dir.path(), &["scan", "--staged"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not in a git repository"));
}
