//! Migration from gitleaks: `.gitleaksignore` fingerprints hide keyhound findings at the
//! same place (real git repositories), and the README's gitleaks → keyhound flag table names
//! only flags `keyhound scan` has.

mod common;

use common::{finding_keys, json_report, TestRepo, LIVE_KEY, LIVE_KEY_2};

/// A repository with two keys committed in `a.env` (lines 2 and 3); returns it and the commit.
fn repo_with_two_keys() -> (TestRepo, String) {
    let repo = TestRepo::new();
    repo.write(
        "config/a.env",
        &format!("# bot\nMEETSO_API_KEY={LIVE_KEY}\nMEETSO_BACKUP_KEY={LIVE_KEY_2}\n"),
    );
    let sha = repo.commit_all("add config", "Ana", "2025-01-01T10:00:00+00:00");
    (repo, sha)
}

fn history_key(path: &str, line: u64, sha: &str) -> (String, String, u64, String, Option<String>) {
    (
        "meetso-live-key".into(),
        path.into(),
        line,
        "history".into(),
        Some(sha.into()),
    )
}

/// The rule-free part of the committed-env finding (the .env itself is reported too).
fn without_env_file(
    keys: Vec<(String, String, u64, String, Option<String>)>,
) -> Vec<(String, String, u64, String, Option<String>)> {
    keys.into_iter()
        .filter(|k| k.0 != "dotenv-committed")
        .collect()
}

#[test]
fn gitleaksignore_commit_fingerprints_hide_the_finding_at_that_place() {
    let (repo, sha) = repo_with_two_keys();
    let before = json_report(&repo.keyhound(&["scan", "--format", "json"]), 1);
    assert_eq!(
        without_env_file(finding_keys(&before)),
        vec![
            history_key("config/a.env", 2, &sha),
            history_key("config/a.env", 3, &sha),
        ]
    );
    // gitleaks' rule id (generic-api-key) is not keyhound's: the place decides
    repo.write(
        ".gitleaksignore",
        &format!("# from gitleaks\n{sha}:config/a.env:generic-api-key:2\n"),
    );
    let out = repo.keyhound(&["scan", "--format", "json"]);
    let after = json_report(&out, 1);
    assert_eq!(
        without_env_file(finding_keys(&after)),
        vec![history_key("config/a.env", 3, &sha)]
    );
    assert_eq!(
        after["stats"]["notes"][0],
        "1 finding hidden by .gitleaksignore"
    );
    // both places listed (and the env file by its line 1): nothing left, exit 0
    repo.write(
        ".gitleaksignore",
        &format!(
            "{sha}:config/a.env:generic-api-key:2\n{sha}:config/a.env:generic-api-key:3\n\
             {sha}:config/a.env:dotenv:1\n"
        ),
    );
    let out = repo.keyhound(&["scan", "--format", "json"]);
    let clean = json_report(&out, 0);
    assert_eq!(finding_keys(&clean), vec![]);
    assert_eq!(
        clean["stats"]["notes"][0],
        "3 findings hidden by .gitleaksignore"
    );
}

#[test]
fn gitleaksignore_entries_that_do_not_match_leave_findings_reported() {
    let (repo, sha) = repo_with_two_keys();
    let other = "0123456789abcdef0123456789abcdef01234567";
    repo.write(
        ".gitleaksignore",
        &format!(
            "{other}:config/a.env:generic-api-key:2\n{sha}:config/a.env:generic-api-key:4\n\
             {sha}:other.env:generic-api-key:2\n"
        ),
    );
    let out = repo.keyhound(&["scan", "--format", "json"]);
    let report = json_report(&out, 1);
    assert_eq!(
        without_env_file(finding_keys(&report)),
        vec![
            history_key("config/a.env", 2, &sha),
            history_key("config/a.env", 3, &sha),
        ]
    );
    // nothing hidden, so no "hidden by" note; only the note that the repository's own
    // ignore file applies (tests/trust.rs)
    assert_eq!(
        report["stats"]["notes"],
        serde_json::json!([
            "the scanned repository's own settings (work tree) apply: .gitleaksignore lists 3 entries; --no-repo-config ignores them"
        ])
    );
}

#[test]
fn no_git_fingerprints_hide_files_and_malformed_lines_warn_without_quoting() {
    let (repo, _) = repo_with_two_keys();
    repo.write(
        ".gitleaksignore",
        "config/a.env:generic-api-key:3\nhunter2-pasted-by-mistake\n",
    );
    let out = repo.keyhound(&["scan", "--no-history", "--format", "json"]);
    let report = json_report(&out, 1);
    let keys = finding_keys(&report);
    assert_eq!(
        without_env_file(keys),
        vec![(
            "meetso-live-key".into(),
            "config/a.env".into(),
            2,
            "worktree".into(),
            None
        )]
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "keyhound: warning: .gitleaksignore:2: not a gitleaks fingerprint \
             (commit:path:rule-id:line or path:rule-id:line); line ignored"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("hunter2"), "{stderr}");
}

/// The rows of the README table "gitleaks flag → keyhound flag": (gitleaks cell, keyhound cell).
fn flag_table(readme: &str) -> Vec<(String, String)> {
    let start = readme
        .find("| gitleaks | keyhound |")
        .expect("README has the gitleaks flag table");
    readme[start..]
        .lines()
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split('|').map(str::trim).collect();
            (cells[0].to_string(), cells[1].to_string())
        })
        .collect()
}

/// Every `--flag` written in `cell`.
fn flags_in(cell: &str) -> Vec<String> {
    let mut out = Vec::new();
    let bytes = cell.as_bytes();
    let mut i = 0;
    while let Some(pos) = cell[i..].find("--") {
        let start = i + pos;
        let mut end = start + 2;
        while end < bytes.len() && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'-') {
            end += 1;
        }
        if end > start + 2 {
            out.push(cell[start..end].to_string());
        }
        i = end;
    }
    out
}

#[test]
fn readme_gitleaks_table_names_only_flags_keyhound_scan_has() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README");
    let rows = flag_table(&readme);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_keyhound"))
        .args(["scan", "--help"])
        .output()
        .expect("keyhound runs");
    let help = String::from_utf8_lossy(&out.stdout);
    let gitleaks: String = rows.iter().map(|(g, _)| g.as_str()).collect();
    for wanted in [
        "protect --staged",
        "--source",
        "--log-opts",
        "--report-format",
        "--report-path",
        "--redact",
        "--baseline-path",
        "--config",
        "--exit-code",
        "--no-git",
        "--verbose",
        "--max-target-megabytes",
        "--follow-symlinks",
        "--max-archive-depth",
        "gitleaks stdin",
    ] {
        assert!(gitleaks.contains(wanted), "table lacks gitleaks' {wanted}");
    }
    let mut checked = 0;
    for (g, k) in &rows {
        for flag in flags_in(k) {
            let listed = help
                .lines()
                .any(|l| l.split([' ', ',', '=', '[', '<']).any(|w| w == flag));
            assert!(
                listed,
                "README row `{g}` names {flag}, which `keyhound scan --help` lacks"
            );
            checked += 1;
        }
    }
    assert!(checked >= 15, "only {checked} flags checked");
}
