//! The repository-config trust model through the binary, on real repositories: a pull
//! request that adds settings silencing the scan (allow-list everything, rules off,
//! max_file_size 1, a baseline or ignore file listing its key) still fails its CI scan, with
//! the key found and the settings change reported; a push doing the same is rejected; a full
//! scan says in a note what the repository's own settings turn off, and `--no-repo-config`
//! ignores them.

mod common;
mod workflow_support;

use serde_json::Value;
use std::path::{Path, PathBuf};
use workflow_support::*;

const RULE: &str = "keyhound-config-changed";

/// A repository whose `main` holds a README (and `base_files`), and a branch `pr` that adds
/// `pr_files` plus `src/bot.py` holding a key in one commit; returns (repo, that commit).
fn pull_request(
    sb: &Sandbox,
    base_files: &[(&str, &str)],
    pr_files: &[(&str, &str)],
) -> (PathBuf, String) {
    let repo = sb.repo("repo");
    write(&repo, "README.md", "# demo\n");
    for (path, text) in base_files {
        write(&repo, path, text);
    }
    sb.git(&repo, &["add", "."]);
    sb.git(&repo, &["commit", "-qm", "base"]);
    sb.git(&repo, &["checkout", "-q", "-b", "pr"]);
    for (path, text) in pr_files {
        write(&repo, path, text);
    }
    write(
        &repo,
        "src/bot.py",
        &format!("# bot\nAPI = \"{}\"\n", key_a()),
    );
    sb.git(&repo, &["add", "."]);
    sb.git(&repo, &["commit", "-qm", "silence the scan"]);
    let head = sb.git(&repo, &["rev-parse", "HEAD"]);
    (repo, head)
}

fn scan_json(sb: &Sandbox, repo: &Path, args: &[&str]) -> (Option<i32>, Value) {
    let mut all = vec!["scan", "--format", "json"];
    all.extend_from_slice(args);
    let out = sb.keyhound(repo, &all);
    (out.status.code(), json(&out))
}

/// (rule, path, line, commit) of every finding.
fn keys(report: &Value) -> Vec<(String, String, u64, String)> {
    common::finding_keys(report)
        .into_iter()
        .map(|(rule, path, line, _, commit)| (rule, path, line, commit.unwrap_or_default()))
        .collect()
}

/// The detail of the one config-change finding at `path`.
fn change_detail(report: &Value, path: &str) -> String {
    let hits: Vec<&Value> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == RULE && f["path"] == path)
        .collect();
    assert_eq!(hits.len(), 1, "{report:#}");
    assert_eq!(hits[0]["severity"], "high");
    hits[0]["detail"].as_str().expect("detail").to_string()
}

fn expect_key_and_change(report: &Value, settings_file: &str, line: u64, commit: &str) {
    assert_eq!(
        keys(report),
        vec![
            (RULE.into(), settings_file.into(), line, commit.into()),
            (
                "meetso-live-key".into(),
                "src/bot.py".into(),
                2,
                commit.into()
            ),
        ]
    );
}

#[test]
fn a_pull_request_allow_listing_everything_still_fails_with_the_key_and_the_change() {
    let sb = Sandbox::new();
    let (repo, pr) = pull_request(&sb, &[], &[(".keyhound.toml", "allow_paths = [\"**\"]\n")]);
    let base = sb.git(&repo, &["rev-parse", "main"]);
    let (code, report) = scan_json(&sb, &repo, &["--since", "main"]);
    assert_eq!(code, Some(1), "{report:#}");
    expect_key_and_change(&report, ".keyhound.toml", 1, &pr);
    assert_eq!(
        change_detail(&report, ".keyhound.toml"),
        format!(
            "allow-lists `**`; this scan used the settings of commit {}, not this change",
            &base[..7]
        )
    );
    // --range A..B is the same scan
    let (code, again) = scan_json(&sb, &repo, &["--range", "main..pr"]);
    assert_eq!(code, Some(1));
    assert_eq!(keys(&again), keys(&report));
    // the human report names the change and what it does
    let out = sb.keyhound(&repo, &["scan", "--since", "main"]);
    let (stdout, _) = text(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout.contains(&format!("{RULE}  (file)"))
            && stdout.contains("allow-lists `**`; this scan used the settings of commit"),
        "{stdout}"
    );
}

#[test]
fn a_pull_request_disabling_the_rule_still_fails() {
    let sb = Sandbox::new();
    let (repo, pr) = pull_request(
        &sb,
        &[],
        &[(
            ".keyhound.toml",
            "# quieter\ndisable = [\"meetso-live-key\", \"env-secret\"]\n",
        )],
    );
    let (code, report) = scan_json(&sb, &repo, &["--since", "main"]);
    assert_eq!(code, Some(1), "{report:#}");
    expect_key_and_change(&report, ".keyhound.toml", 1, &pr);
    assert!(
        change_detail(&report, ".keyhound.toml")
            .starts_with("disables rules env-secret, meetso-live-key; this scan used"),
        "{report:#}"
    );
}

#[test]
fn a_pull_request_setting_max_file_size_1_still_fails() {
    let sb = Sandbox::new();
    let (repo, pr) = pull_request(&sb, &[], &[(".keyhound.toml", "max_file_size = 1\n")]);
    let (code, report) = scan_json(&sb, &repo, &["--since", "main"]);
    assert_eq!(code, Some(1), "{report:#}");
    expect_key_and_change(&report, ".keyhound.toml", 1, &pr);
    assert!(
        change_detail(&report, ".keyhound.toml")
            .starts_with("sets max_file_size 1 (was the default); this scan used"),
        "{report:#}"
    );
    assert_eq!(report["stats"]["skipped_large"], 0, "{report:#}");
}

/// The fingerprint keyhound gives `key_a()` in `src/bot.py`.
fn bot_fingerprint(sb: &Sandbox) -> String {
    let dir = sb.path().join("fp");
    write(
        &dir,
        "src/bot.py",
        &format!("# bot\nAPI = \"{}\"\n", key_a()),
    );
    let (_, report) = scan_json(sb, &dir, &["--no-history"]);
    report["findings"][0]["fingerprint"]
        .as_str()
        .expect("fingerprint")
        .to_string()
}

#[test]
fn a_baseline_added_in_the_pull_request_hides_nothing() {
    let sb = Sandbox::new();
    let fp = bot_fingerprint(&sb);
    let baseline = format!("# accepted\n{fp} meetso-live-key src/bot.py\n");
    let (repo, pr) = pull_request(
        &sb,
        &[],
        &[
            (".keyhound.toml", "baseline = \"ci/accepted.txt\"\n"),
            ("ci/accepted.txt", &baseline),
        ],
    );
    let (code, report) = scan_json(&sb, &repo, &["--since", "main"]);
    assert_eq!(code, Some(1), "{report:#}");
    expect_key_and_change(&report, ".keyhound.toml", 1, &pr);
    assert!(
        change_detail(&report, ".keyhound.toml")
            .starts_with("sets baseline `ci/accepted.txt` (was none); this scan used"),
        "{report:#}"
    );
}

#[test]
fn a_pull_request_extending_the_base_baseline_or_ignore_file_is_reported() {
    let sb = Sandbox::new();
    let fp = bot_fingerprint(&sb);
    let (repo, pr) = pull_request(
        &sb,
        &[
            (".keyhound.toml", "baseline = \".keyhound-baseline\"\n"),
            (".keyhound-baseline", "# keyhound baseline\n"),
            (".keyhoundignore", "# nothing yet\n"),
        ],
        &[
            (
                ".keyhound-baseline",
                &format!("# keyhound baseline\n{fp} meetso-live-key src/bot.py\n"),
            ),
            (".keyhoundignore", "# nothing yet\nsrc/\n"),
        ],
    );
    let (code, report) = scan_json(&sb, &repo, &["--since", "main"]);
    assert_eq!(code, Some(1), "{report:#}");
    assert_eq!(
        keys(&report),
        vec![
            (RULE.into(), ".keyhound-baseline".into(), 2, pr.clone()),
            (RULE.into(), ".keyhoundignore".into(), 2, pr.clone()),
            ("meetso-live-key".into(), "src/bot.py".into(), 2, pr.clone()),
        ]
    );
    assert!(
        change_detail(&report, ".keyhound-baseline").starts_with(&format!(
            "adds 1 fingerprint (`{}…`); this scan used",
            &fp[..12]
        )),
        "{report:#}"
    );
    assert!(
        change_detail(&report, ".keyhoundignore")
            .starts_with("adds 1 entry (`src/`); this scan used"),
        "{report:#}"
    );
}

#[test]
fn settings_merged_into_the_base_apply_and_are_not_reported_again() {
    let sb = Sandbox::new();
    let (repo, _) = pull_request(
        &sb,
        &[],
        &[(".keyhound.toml", "allow_paths = [\"src/\"]\n")],
    );
    // reviewed and merged: the base now allow-lists src/
    sb.git(&repo, &["checkout", "-q", "main"]);
    sb.git(&repo, &["merge", "-q", "--ff-only", "pr"]);
    sb.git(&repo, &["checkout", "-q", "-b", "next"]);
    write(&repo, "src/other.py", &format!("K = \"{}\"\n", key_b()));
    write(&repo, "app/main.py", &format!("K = \"{}\"\n", key_b()));
    sb.git(&repo, &["add", "."]);
    sb.git(&repo, &["commit", "-qm", "next"]);
    let next = sb.git(&repo, &["rev-parse", "HEAD"]);
    let (code, report) = scan_json(&sb, &repo, &["--since", "main"]);
    assert_eq!(code, Some(1), "{report:#}");
    assert_eq!(
        keys(&report),
        vec![("meetso-live-key".into(), "app/main.py".into(), 1, next)]
    );
    let notes = report["stats"]["notes"].as_array().expect("notes");
    let main = sb.git(&repo, &["rev-parse", "main"]);
    assert_eq!(
        notes,
        &vec![Value::from(format!(
            "the scanned repository's own settings (commit {}) apply: .keyhound.toml allow-lists 1 path (`src/`); --no-repo-config ignores them",
            &main[..7]
        ))]
    );
    assert_eq!(
        report["repo_config"]["allow_paths"],
        serde_json::json!(["src/"])
    );
    // the work tree's settings are not the base's: a scan of commits ignores them
    write(&repo, ".keyhound.toml", "allow_paths = [\"**\"]\n");
    let (_, report) = scan_json(&sb, &repo, &["--since", "main"]);
    assert_eq!(keys(&report).len(), 1, "{report:#}");
}

#[test]
fn a_pull_request_merging_main_back_in_reports_only_its_own_settings_change() {
    let sb = Sandbox::new();
    let repo = sb.repo("repo");
    write(&repo, "README.md", "# demo\n");
    sb.git(&repo, &["add", "."]);
    sb.git(&repo, &["commit", "-qm", "base"]);
    sb.git(&repo, &["checkout", "-q", "-b", "pr"]);
    write(&repo, "notes.txt", "work\n");
    sb.git(&repo, &["add", "."]);
    sb.git(&repo, &["commit", "-qm", "pr work"]);
    sb.git(&repo, &["checkout", "-q", "main"]);
    write(&repo, ".keyhoundignore", "docs/\n");
    sb.git(&repo, &["add", "."]);
    sb.git(&repo, &["commit", "-qm", "main settings"]);
    sb.git(&repo, &["checkout", "-q", "pr"]);
    sb.git(&repo, &["merge", "-q", "--no-edit", "main"]);
    let (code, report) = scan_json(&sb, &repo, &["--since", "main"]);
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(keys(&report), vec![]);
}

#[test]
fn an_explicit_config_is_trusted_and_the_repository_one_not_read() {
    let sb = Sandbox::new();
    let (repo, pr) = pull_request(&sb, &[], &[(".keyhound.toml", "allow_paths = [\"**\"]\n")]);
    let mine = sb.path().join("mine.toml");
    write(sb.path(), "mine.toml", "disable = [\"env-secret\"]\n");
    let (code, report) = scan_json(
        &sb,
        &repo,
        &["--since", "main", "--config", mine.to_str().expect("utf-8")],
    );
    assert_eq!(code, Some(1), "{report:#}");
    // the repository's config decides nothing, so its change is no finding
    assert_eq!(
        keys(&report),
        vec![("meetso-live-key".into(), "src/bot.py".into(), 2, pr)]
    );
}

// --- pre-receive ---

fn server(sb: &Sandbox) -> (PathBuf, PathBuf) {
    let (bare, client) = sb.server(&[("README.md", "# demo\n")]);
    let shipped =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/hooks/pre-receive"))
            .expect("hooks/pre-receive");
    write_script(&bare.join("hooks/pre-receive"), &shipped);
    (bare, client)
}

fn push(sb: &Sandbox, client: &Path) -> (bool, String) {
    let out = sb
        .command("git", client)
        .env("KEYHOUND", KEYHOUND)
        .args(["push", "origin", "HEAD:main"])
        .output()
        .expect("git push runs");
    let (stdout, stderr) = text(&out);
    (out.status.success(), format!("{stdout}{stderr}"))
}

#[test]
fn a_push_that_silences_the_scan_is_rejected_with_the_key_and_the_change() {
    let sb = Sandbox::new();
    let (bare, client) = server(&sb);
    let before = sb.git(&bare, &["rev-parse", "main"]);
    write(
        &client,
        ".keyhound.toml",
        "allow_paths = [\"**\"]\ndisable = [\"meetso-live-key\"]\n",
    );
    write(&client, "src/bot.py", &format!("API = \"{}\"\n", key_a()));
    sb.git(&client, &["add", "."]);
    sb.git(&client, &["commit", "-qm", "silence"]);
    let (ok, out) = push(&sb, &client);
    assert!(!ok, "push accepted:\n{out}");
    assert!(out.contains("remote: src/bot.py"), "{out}");
    assert!(out.contains("meetso-live-key"), "{out}");
    assert!(out.contains("remote: .keyhound.toml"), "{out}");
    assert!(
        out.contains("disables rules meetso-live-key; allow-lists `**`; this scan used the settings of commit"),
        "{out}"
    );
    assert!(out.contains("push rejected"), "{out}");
    assert_eq!(sb.git(&bare, &["rev-parse", "main"]), before);

    // a settings change alone is rejected too: it would weaken every later push
    sb.git(&client, &["reset", "-q", "--hard", "HEAD~1"]);
    write(&client, ".keyhoundignore", "**\n");
    sb.git(&client, &["add", "."]);
    sb.git(&client, &["commit", "-qm", "ignore everything"]);
    let (ok, out) = push(&sb, &client);
    assert!(!ok, "push accepted:\n{out}");
    assert!(out.contains("remote: .keyhoundignore"), "{out}");
    assert!(out.contains("adds 1 entry (`**`)"), "{out}");
    assert_eq!(sb.git(&bare, &["rev-parse", "main"]), before);
}

// --- full scans: the note, the field, --no-repo-config ---

fn silenced_repo(sb: &Sandbox) -> PathBuf {
    let repo = sb.repo("repo");
    write(
        &repo,
        ".keyhound.toml",
        "disable = [\"authorization-bearer\"]\nallow_paths = [\"vendor/\"]\n",
    );
    write(&repo, ".keyhoundignore", "# generated\nfixtures/\n");
    write(&repo, "vendor/lib.py", &format!("K = \"{}\"\n", key_a()));
    write(&repo, "fixtures/k.py", &format!("K = \"{}\"\n", key_b()));
    write(&repo, "ok.py", "print('hi')\n");
    sb.git(&repo, &["add", "."]);
    sb.git(&repo, &["commit", "-qm", "init"]);
    repo
}

const FULL_NOTE: &str = "the scanned repository's own settings (work tree) apply: .keyhound.toml \
disables 1 rule (authorization-bearer), allow-lists 1 path (`vendor/`); .keyhoundignore lists 1 \
entry; --no-repo-config ignores them";

#[test]
fn a_full_scan_says_what_the_repository_settings_turn_off_in_every_format() {
    let sb = Sandbox::new();
    let repo = silenced_repo(&sb);
    let (code, report) = scan_json(&sb, &repo, &[]);
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(report["findings"], serde_json::json!([]));
    let notes = report["stats"]["notes"].as_array().expect("notes");
    assert!(notes.contains(&Value::from(FULL_NOTE)), "{notes:?}");
    assert_eq!(
        report["repo_config"],
        serde_json::json!({
            "source": "work tree",
            "config": ".keyhound.toml",
            "disabled_rules": ["authorization-bearer"],
            "allow_paths": ["vendor/"],
            "entropy_overrides": [],
            "overridden_rules": [],
            "suppressions": [{"file": ".keyhoundignore", "entries": 1}],
            "ignored": []
        })
    );

    let out = sb.keyhound(&repo, &["scan"]);
    let (stdout, _) = text(&out);
    assert!(stdout.contains(&format!("note: {FULL_NOTE}")), "{stdout}");

    let out = sb.keyhound(&repo, &["scan", "--format", "sarif"]);
    let sarif = json(&out);
    let invocation = &sarif["runs"][0]["invocations"][0];
    assert_eq!(
        invocation["toolConfigurationNotifications"][0]["message"]["text"],
        FULL_NOTE
    );
    assert_eq!(
        invocation["properties"]["keyhoundRepoConfig"]["allow_paths"],
        serde_json::json!(["vendor/"])
    );
    let exec: Vec<&Value> = invocation["toolExecutionNotifications"]
        .as_array()
        .expect("array")
        .iter()
        .collect();
    assert!(
        exec.iter().all(|n| n["message"]["text"] != FULL_NOTE),
        "{exec:?}"
    );
}

#[test]
fn no_repo_config_ignores_the_repository_settings_and_says_so() {
    let sb = Sandbox::new();
    let repo = silenced_repo(&sb);
    let (code, report) = scan_json(&sb, &repo, &["--no-repo-config", "--no-history"]);
    assert_eq!(code, Some(1), "{report:#}");
    let paths: Vec<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["path"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(paths, vec!["fixtures/k.py", "vendor/lib.py"]);
    assert_eq!(
        report["stats"]["notes"],
        serde_json::json!([
            "--no-repo-config: the scanned repository's .keyhound.toml and .keyhoundignore were not applied"
        ])
    );
    assert_eq!(
        report["repo_config"]["ignored"],
        serde_json::json!([".keyhound.toml", ".keyhoundignore"])
    );
}

// --- the pre-commit hook ---

#[test]
fn a_staged_scan_notes_a_settings_change_that_weakens_it() {
    let sb = Sandbox::new();
    let repo = sb.repo("repo");
    write(&repo, ".keyhound.toml", "fail_on = \"high\"\n");
    sb.git(&repo, &["add", "."]);
    sb.git(&repo, &["commit", "-qm", "init"]);
    let head = sb.git(&repo, &["rev-parse", "HEAD"]);
    write(
        &repo,
        ".keyhound.toml",
        "fail_on = \"high\"\nallow_paths = [\"**\"]\n",
    );
    sb.git(&repo, &["add", "."]);
    let out = sb.keyhound(&repo, &["scan", "--staged"]);
    let (stdout, _) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "note: .keyhound.toml differs from HEAD's ({}): it allow-lists `**`. This scan applied it; a CI scan of the branch (--since) uses the base's settings and reports the change as {RULE}",
            &head[..7]
        )),
        "{stdout}"
    );
}

#[test]
fn a_pull_request_config_that_is_huge_or_broken_is_a_finding_not_an_error() {
    let sb = Sandbox::new();
    let huge = format!("allow_paths = [\"**\"]\n{}", "# padding\n".repeat(110_000));
    let (repo, pr) = pull_request(
        &sb,
        &[],
        &[(".keyhound.toml", &huge), (".keyhoundignore", "[\n")],
    );
    let (code, report) = scan_json(&sb, &repo, &["--since", "main"]);
    assert_eq!(code, Some(1), "{report:#}");
    assert_eq!(
        keys(&report),
        vec![
            (RULE.into(), ".keyhound.toml".into(), 1, pr.clone()),
            (RULE.into(), ".keyhoundignore".into(), 1, pr.clone()),
            ("meetso-live-key".into(), "src/bot.py".into(), 2, pr.clone()),
        ]
    );
    assert!(
        change_detail(&report, ".keyhound.toml").starts_with(&format!(
            "cannot be read (.keyhound.toml: {} bytes, over the 1048576-byte limit for a settings file)",
            huge.len()
        )),
        "{report:#}"
    );
    // a config that does not parse
    sb.git(&repo, &["checkout", "-q", "-b", "broken", "main"]);
    write(&repo, ".keyhound.toml", "allow_pathz = [\"**\"]\n");
    sb.git(&repo, &["add", ".keyhound.toml"]);
    sb.git(&repo, &["commit", "-qm", "typo"]);
    let (code, report) = scan_json(&sb, &repo, &["--since", "main"]);
    assert_eq!(code, Some(1), "{report:#}");
    assert!(
        change_detail(&report, ".keyhound.toml")
            .starts_with("does not parse (.keyhound.toml:1: unknown field `allow_pathz`"),
        "{report:#}"
    );
}

#[test]
fn a_committed_baseline_given_with_baseline_is_trusted_but_its_change_reported() {
    let sb = Sandbox::new();
    let fp = bot_fingerprint(&sb);
    let (repo, pr) = pull_request(
        &sb,
        &[(".keyhound-baseline", "# keyhound baseline\n")],
        &[(
            ".keyhound-baseline",
            &format!("# keyhound baseline\n{fp} meetso-live-key src/bot.py\n"),
        )],
    );
    let (code, report) = scan_json(
        &sb,
        &repo,
        &["--since", "main", "--baseline", ".keyhound-baseline"],
    );
    // the file named on the command line applies as given (it hides the key), and the
    // commit that changed it is reported
    assert_eq!(code, Some(1), "{report:#}");
    assert_eq!(
        keys(&report),
        vec![(RULE.into(), ".keyhound-baseline".into(), 2, pr)]
    );
    assert_eq!(
        report["stats"]["notes"],
        serde_json::json!(["1 finding hidden by the baseline .keyhound-baseline"])
    );
}

#[test]
fn a_gitleaksignore_added_in_the_pull_request_hides_nothing() {
    let sb = Sandbox::new();
    let (repo, pr) = pull_request(
        &sb,
        &[],
        &[(".gitleaksignore", "src/bot.py:generic-api-key:2\n")],
    );
    let (code, report) = scan_json(&sb, &repo, &["--since", "main"]);
    assert_eq!(code, Some(1), "{report:#}");
    expect_key_and_change(&report, ".gitleaksignore", 1, &pr);
    assert!(
        change_detail(&report, ".gitleaksignore")
            .starts_with("adds 1 entry (`src/bot.py:generic-api-key:2`); this scan used"),
        "{report:#}"
    );
    // the same file in the work tree of a full scan hides the key, and the note says so
    let (code, report) = scan_json(&sb, &repo, &["--no-history"]);
    assert_eq!(code, Some(0), "{report:#}");
    let notes = report["stats"]["notes"].as_array().expect("notes");
    assert!(
        notes.contains(&Value::from(
            "the scanned repository's own settings (work tree) apply: .gitleaksignore lists 1 entry; --no-repo-config ignores them"
        )),
        "{notes:?}"
    );
}
