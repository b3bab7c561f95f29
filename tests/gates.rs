//! The hook and CI as users run them (issue 14, points 6–8 and 10): the fail-on threshold,
//! the baseline in the hook and its wording for keys already committed, the PATH check of
//! `hook install`, the `-o` summary on stderr, `--verbose` skipped files and size units.
//! Real repositories, real `git commit`s through the installed hook.

mod common;
mod workflow_support;

use std::path::{Path, PathBuf};
use workflow_support::*;

/// A repository with one clean commit and keyhound's hook installed.
fn hooked(sb: &Sandbox) -> PathBuf {
    let repo = sb.repo("repo");
    write(&repo, "README.md", "# demo\n");
    sb.git(&repo, &["add", "README.md"]);
    sb.git(&repo, &["commit", "-qm", "initial"]);
    let out = sb.keyhound(&repo, &["hook", "install"]);
    assert!(out.status.success(), "{:?}", text(&out));
    repo
}

/// Stages `files` and runs `git commit` through the hook; returns (committed, output).
fn commit(sb: &Sandbox, repo: &Path, files: &[(&str, &str)]) -> (bool, String) {
    for (rel, body) in files {
        write(repo, rel, body);
        sb.git(repo, &["add", rel]);
    }
    let out = sb.git_output(repo, &["commit", "-m", "change"]);
    let (stdout, stderr) = text(&out);
    (out.status.success(), format!("{stdout}{stderr}"))
}

fn test_key() -> String {
    format!("mts_{}_Q7fLr2ZxW9kPm4Tb8NcVy1HdJ6sGa3Ue", "test")
}

#[test]
fn a_test_mode_key_and_a_flags_only_env_file_do_not_block_a_commit_by_default() {
    let sb = Sandbox::new();
    let repo = hooked(&sb);
    let (ok, out) = commit(
        &sb,
        &repo,
        &[
            ("tests/fixture.py", &format!("KEY = \"{}\"\n", test_key())),
            (".env", "DEBUG=true\nPORT=8080\n"),
        ],
    );
    assert!(ok, "blocked by low findings:\n{out}");
    assert!(out.contains("meetso-test-key"), "still reported:\n{out}");
    assert!(out.contains("dotenv-committed"), "still reported:\n{out}");
    assert!(
        out.contains("2 findings below the fail-on threshold (high), not blocking"),
        "{out}"
    );
    assert!(!out.contains("commit blocked"), "{out}");
    assert!(!out.contains("add a credential"), "{out}");
    assert!(!out.contains("rotate each secret"), "{out}");
}

#[test]
fn fail_on_from_the_flag_and_the_config_decide_what_blocks() {
    let sb = Sandbox::new();
    let repo = hooked(&sb);
    write(&repo, "t.py", &format!("KEY = \"{}\"\n", test_key()));
    sb.git(&repo, &["add", "t.py"]);
    let out = sb.keyhound(&repo, &["scan", "--staged", "--fail-on", "low"]);
    assert_eq!(out.status.code(), Some(1), "{:?}", text(&out));
    let out = sb.keyhound(&repo, &["scan", "--staged"]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    // A full scan fails on every finding unless told otherwise.
    let out = sb.keyhound(&repo, &["scan", "--no-history"]);
    assert_eq!(out.status.code(), Some(1), "{:?}", text(&out));
    write(&repo, ".keyhound.toml", "fail_on = \"critical\"\n");
    let out = sb.keyhound(&repo, &["scan", "--no-history"]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let (stdout, _) = text(&out);
    assert!(
        stdout.contains("1 finding below the fail-on threshold (critical), not blocking"),
        "{stdout}"
    );
    // the hook follows the config too
    write(&repo, ".keyhound.toml", "fail_on = \"low\"\n");
    let (ok, out) = commit(
        &sb,
        &repo,
        &[("t.py", &format!("KEY = \"{}\"\n", test_key()))],
    );
    assert!(!ok, "fail_on = low must block the test key:\n{out}");
    assert!(out.contains("commit blocked"), "{out}");
    let out = sb.keyhound(&repo, &["scan", "--staged", "--fail-on", "urgent"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).1.contains("critical, high, medium or low"),
        "{:?}",
        text(&out)
    );
}

#[test]
fn an_env_file_holding_a_password_blocks_with_env_file_advice_not_rotation() {
    let sb = Sandbox::new();
    let repo = hooked(&sb);
    let (ok, out) = commit(
        &sb,
        &repo,
        &[(".env", "DB_HOST=db\nDB_PASSWORD=Xk9mQ2vLp7RtZw4Nb8Yc\n")],
    );
    assert!(!ok, "{out}");
    assert!(
        out.contains("commit blocked: the staged changes above add an env file."),
        "{out}"
    );
    assert!(out.contains("git rm --cached -- .env"), "{out}");
    assert!(!out.contains("add a credential"), "{out}");
    assert!(!out.contains("rotate each secret"), "{out}");
}

#[test]
fn the_baseline_config_key_works_in_the_hook_and_a_committed_key_is_not_called_new() {
    let sb = Sandbox::new();
    let repo = sb.repo("repo");
    // An old key, committed before keyhound was adopted.
    write(
        &repo,
        "legacy/settings.py",
        &format!("KEY = \"{}\"\n", key_a()),
    );
    sb.git(&repo, &["add", "."]);
    sb.git(&repo, &["commit", "-qm", "legacy"]);
    let out = sb.keyhound(&repo, &["scan", "--baseline-out", ".keyhound-baseline"]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    write(
        &repo,
        ".keyhound.toml",
        "baseline = \".keyhound-baseline\"\n",
    );
    sb.git(&repo, &["add", "."]);
    sb.git(&repo, &["commit", "-qm", "adopt keyhound"]);
    let out = sb.keyhound(&repo, &["hook", "install"]);
    assert!(out.status.success(), "{:?}", text(&out));

    // Editing the baselined key's line: the old key on a changed line stays baselined.
    let (ok, out) = commit(
        &sb,
        &repo,
        &[(
            "legacy/settings.py",
            &format!("DEBUG = False\nLEGACY_KEY = \"{}\"  # to rotate\n", key_a()),
        )],
    );
    assert!(ok, "a baselined key blocked the commit:\n{out}");
    assert!(out.contains("1 finding hidden by the baseline"), "{out}");

    // The same old key copied to a new file is reported, and called committed already.
    let (ok, out) = commit(
        &sb,
        &repo,
        &[("app/client.py", &format!("KEY = \"{}\"\n", key_a()))],
    );
    assert!(!ok, "{out}");
    assert!(
        out.contains("mts_live_Q7…Ue is already committed (HEAD's legacy/settings.py holds it)"),
        "{out}"
    );
    assert!(!out.contains("No file of HEAD holds it"), "{out}");
    assert!(!out.contains("never committed"), "{out}");
    let report = json(&sb.keyhound(&repo, &["scan", "--staged", "--format", "json"]));
    assert_eq!(
        common::secret_entry(&report, &key_a())["committed_at"],
        "legacy/settings.py"
    );
    sb.git(&repo, &["reset", "-q", "app/client.py"]);

    // A key new to HEAD: the advice does not claim more than the staged scan knows.
    let (ok, out) = commit(
        &sb,
        &repo,
        &[("app/new.py", &format!("KEY = \"{}\"\n", key_b()))],
    );
    assert!(!ok, "{out}");
    assert!(
        out.contains("No file of HEAD holds it, so unless an older commit did"),
        "{out}"
    );
    assert!(!out.contains("already committed"), "{out}");
}

#[test]
fn hook_install_warns_when_the_hook_cannot_find_keyhound() {
    let sb = Sandbox::new();
    let repo = sb.repo("repo");
    let out = sb
        .command(KEYHOUND, &repo)
        .env("PATH", system_path())
        .args(["hook", "install"])
        .output()
        .expect("runs");
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(
        stdout.contains("installed the keyhound pre-commit hook"),
        "{stdout}"
    );
    assert!(
        stderr.contains("warning: `keyhound` is not on PATH, so the hook cannot find keyhound and will block every commit"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("export KEYHOUND={KEYHOUND}")),
        "{stderr}"
    );
    // The advice works: with KEYHOUND set as it says, there is no warning.
    let out = sb
        .command(KEYHOUND, &repo)
        .env("PATH", system_path())
        .env("KEYHOUND", KEYHOUND)
        .args(["hook", "install"])
        .output()
        .expect("runs");
    assert!(!text(&out).1.contains("warning"), "{:?}", text(&out));
    // On PATH (the sandbox's bin): no warning either.
    let out = sb.keyhound(&repo, &["hook", "install"]);
    assert!(!text(&out).1.contains("warning"), "{:?}", text(&out));
}

#[test]
fn output_to_a_file_prints_the_summary_on_stderr() {
    let sb = Sandbox::new();
    let repo = sb.repo("repo");
    write(&repo, "app.py", &format!("KEY = \"{}\"\n", key_a()));
    let out = sb.keyhound(
        &repo,
        &[
            "scan",
            "--no-history",
            "--format",
            "sarif",
            "-o",
            "out.sarif",
        ],
    );
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout, "");
    assert!(
        stderr.contains("keyhound: ✖ 1 finding (1 critical) · 1 distinct secret · scanned 1 file"),
        "{stderr}"
    );
    assert!(stderr.contains("(report: out.sarif)"), "{stderr}");
    assert!(repo.join("out.sarif").is_file());
}

#[test]
fn verbose_names_skipped_files_and_sizes_take_units() {
    let sb = Sandbox::new();
    let repo = sb.repo("repo");
    write(&repo, "small.py", "print('hi')\n");
    write(&repo, "big.sql", &"x".repeat(3000));
    std::fs::write(repo.join("logo.png"), b"\x89PNG\0\0\0binary").expect("write");
    let out = sb.keyhound(&repo, &["scan", "--no-history", "--max-file-size", "2KB"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("skipped 1 binary, 1 too large"), "{stdout}");
    // Oversized files are always named; binary ones only with --verbose.
    assert!(
        stderr.contains("keyhound: warning: big.sql: skipped, too large (3.0 KB > 2.0 KB limit; raise it with --max-file-size)"),
        "{stderr}"
    );
    assert!(!stderr.contains("logo.png"), "{stderr}");
    let out = sb.keyhound(
        &repo,
        &[
            "scan",
            "--no-history",
            "--max-file-size",
            "2KiB",
            "--verbose",
        ],
    );
    let stderr = text(&out).1;
    assert!(
        stderr.contains("keyhound: skipped: logo.png: skipped, binary"),
        "{stderr}"
    );
    assert!(
        stderr.contains("big.sql: skipped, too large (3.0 KB > 2.0 KB limit"),
        "{stderr}"
    );
    // 4k = 4096 bytes: big.sql fits.
    let out = sb.keyhound(&repo, &["scan", "--no-history", "--max-file-size", "4k"]);
    assert!(
        text(&out).0.contains("skipped 1 binary, 0 too large"),
        "{:?}",
        text(&out)
    );
    write(&repo, ".keyhound.toml", "max_file_size = \"2KB\"\n");
    let out = sb.keyhound(&repo, &["scan", "--no-history"]);
    assert!(text(&out).0.contains("1 too large"), "{:?}", text(&out));
    let out = sb.keyhound(
        &repo,
        &["scan", "--no-history", "--max-file-size", "10 parsecs"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).1.contains("KB, MB, GB = 1000-based"),
        "{:?}",
        text(&out)
    );
}

#[test]
fn a_staged_file_over_the_size_limit_blocks_the_commit_naming_it() {
    let sb = Sandbox::new();
    let repo = hooked(&sb);
    let before = sb.git(&repo, &["rev-parse", "HEAD"]);
    let (ok, out) = commit(&sb, &repo, &[("db/dump.sql", &big_dump(&key_a()))]);
    assert!(!ok, "an unscanned 12 MB file was committed:\n{out}");
    assert_eq!(sb.git(&repo, &["rev-parse", "HEAD"]), before);
    assert!(
        out.contains(
            "keyhound: error: db/dump.sql (12.0 MB) was not scanned: it is over the 10.5 MB size limit, and the commit gate lets nothing through unread"
        ),
        "{out}"
    );
    assert!(out.contains("--max-file-size 13MB"), "{out}");
    assert!(out.contains("allow_paths"), "{out}");
    assert!(out.contains("git commit --no-verify"), "{out}");

    // the way forward it names works: with the limit raised, the key is found
    let raised = sb.keyhound(
        &repo,
        &[
            "scan",
            "--staged",
            "--max-file-size",
            "13MB",
            "--format",
            "json",
        ],
    );
    assert_eq!(raised.status.code(), Some(1), "{:?}", text(&raised));
    assert_eq!(
        findings(&json(&raised)),
        vec![(
            "meetso-live-key".to_string(),
            "db/dump.sql".to_string(),
            1,
            "staged".to_string()
        )]
    );
}

#[test]
fn a_key_after_a_nul_byte_in_a_staged_file_is_found() {
    let sb = Sandbox::new();
    let repo = hooked(&sb);
    write(&repo, "assets/blob.bin", &nul_then_key(&key_b()));
    sb.git(&repo, &["add", "assets/blob.bin"]);
    let scan = sb.keyhound(&repo, &["scan", "--staged", "--format", "json"]);
    assert_eq!(scan.status.code(), Some(1), "{:?}", text(&scan));
    assert_eq!(
        findings(&json(&scan)),
        vec![(
            "meetso-live-key".to_string(),
            "assets/blob.bin".to_string(),
            2,
            "staged".to_string()
        )]
    );
    let (ok, out) = commit(&sb, &repo, &[]);
    assert!(!ok, "committed:\n{out}");
    assert!(out.contains("assets/blob.bin"), "{out}");
    assert!(out.contains("commit blocked"), "{out}");
}
