//! The pre-commit hook end to end: `keyhound hook install` in real repositories, then real
//! `git commit`s that the hook blocks or lets through.

mod common;
mod workflow_support;

use std::path::Path;
use workflow_support::*;

/// A repository with one clean commit and keyhound's hook installed.
fn hooked(sb: &Sandbox) -> std::path::PathBuf {
    let repo = sb.repo("repo");
    write(&repo, "README.md", "# demo\n");
    sb.git(&repo, &["add", "README.md"]);
    sb.git(&repo, &["commit", "-qm", "initial"]);
    let out = sb.keyhound(&repo, &["hook", "install"]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(
        stdout.contains("installed the keyhound pre-commit hook"),
        "{stdout}"
    );
    repo
}

fn head(sb: &Sandbox, repo: &Path) -> String {
    sb.git(repo, &["rev-parse", "HEAD"])
}

/// Stages `rel` with `text` and runs `git commit`; returns (succeeded, combined output).
fn try_commit(sb: &Sandbox, repo: &Path, rel: &str, text: &str) -> (bool, String) {
    write(repo, rel, text);
    sb.git(repo, &["add", rel]);
    commit(sb, repo, &["commit", "-m", "change"])
}

fn commit(sb: &Sandbox, repo: &Path, args: &[&str]) -> (bool, String) {
    let out = sb.git_output(repo, args);
    let (stdout, stderr) = text(&out);
    (out.status.success(), format!("{stdout}{stderr}"))
}

#[test]
fn a_staged_key_blocks_the_commit_with_the_finding_and_three_ways_forward() {
    let sb = Sandbox::new();
    let repo = hooked(&sb);
    let before = head(&sb, &repo);
    let key = key_a();
    let (ok, out) = try_commit(
        &sb,
        &repo,
        "config/app.env",
        &format!("# app\nMEETSO_KEY={key}\n"),
    );
    assert!(!ok, "commit went through:\n{out}");
    assert_eq!(head(&sb, &repo), before, "no commit was made");
    assert!(out.contains("config/app.env"), "{out}");
    assert!(out.contains("2:12"), "line:column of the key:\n{out}");
    assert!(out.contains("meetso-live-key"), "{out}");
    assert!(out.contains("mts_live_Q7…Ue"), "redacted key:\n{out}");
    assert!(!out.contains(&key), "plaintext key leaked:\n{out}");
    for way in [
        "environment",
        "secrets manager",
        "keyhound:allow",
        "git commit --no-verify",
    ] {
        assert!(out.contains(way), "missing `{way}`:\n{out}");
    }
}

#[test]
fn a_clean_commit_and_an_allowed_line_pass() {
    let sb = Sandbox::new();
    let repo = hooked(&sb);
    let (ok, out) = try_commit(&sb, &repo, "src/main.py", "print('hello')\n");
    assert!(ok, "clean commit blocked:\n{out}");
    let allowed = format!(
        "KEY = \"{}\"  # keyhound:allow (documented test key)\n",
        key_a()
    );
    let before = head(&sb, &repo);
    let (ok, out) = try_commit(&sb, &repo, "tests/fixture.py", &allowed);
    assert!(ok, "allowed line blocked:\n{out}");
    assert_ne!(head(&sb, &repo), before);
}

#[test]
fn commit_all_checks_what_is_committed_not_the_old_index() {
    let sb = Sandbox::new();
    let repo = hooked(&sb);
    write(&repo, "README.md", &format!("# demo\nkey: {}\n", key_a()));
    let (ok, out) = commit(&sb, &repo, &["commit", "-am", "edit"]);
    assert!(!ok, "`git commit -a` let a key through:\n{out}");
    assert!(
        out.contains("README.md") && out.contains("meetso-live-key"),
        "{out}"
    );
}

#[test]
fn keyhound_missing_from_path_blocks_with_a_clear_message() {
    let sb = Sandbox::new();
    let repo = hooked(&sb);
    write(&repo, "notes.txt", "nothing secret\n");
    sb.git(&repo, &["add", "notes.txt"]);
    let out = sb
        .command("git", &repo)
        .env("PATH", system_path())
        .args(["commit", "-m", "no keyhound"])
        .output()
        .expect("git runs");
    let (stdout, stderr) = text(&out);
    assert!(
        !out.status.success(),
        "commit went through without keyhound"
    );
    assert!(
        stderr.contains("commit blocked: the pre-commit hook could not find 'keyhound'"),
        "{stdout}{stderr}"
    );
    assert!(stderr.contains("KEYHOUND=/path/to/keyhound"), "{stderr}");
}

#[test]
fn the_hook_finds_keyhound_through_the_keyhound_variable() {
    let sb = Sandbox::new();
    let repo = hooked(&sb);
    write(&repo, "a.txt", &format!("token {}\n", key_a()));
    sb.git(&repo, &["add", "a.txt"]);
    let out = sb
        .command("git", &repo)
        .env("PATH", system_path())
        .env("KEYHOUND", KEYHOUND)
        .args(["commit", "-m", "via env"])
        .output()
        .expect("git runs");
    let (_, stderr) = text(&out);
    assert!(!out.status.success());
    assert!(stderr.contains("meetso-live-key"), "{stderr}");
}

#[test]
fn a_crashing_keyhound_blocks_the_commit() {
    let sb = Sandbox::new();
    let repo = hooked(&sb);
    write(&repo, "b.txt", "harmless\n");
    sb.git(&repo, &["add", "b.txt"]);
    for (script, why) in [
        (
            "#!/bin/sh\necho boom >&2\nexit 3\n",
            "failed with exit code 3",
        ),
        ("#!/bin/sh\nkill -9 $$\n", "was killed by signal 9"),
    ] {
        let fake = sb.path().join("fake-keyhound");
        write_script(&fake, script);
        let out = sb
            .command("git", &repo)
            .env("KEYHOUND", &fake)
            .args(["commit", "-m", "crash"])
            .output()
            .expect("git runs");
        let (_, stderr) = text(&out);
        assert!(!out.status.success(), "commit went through a crash");
        assert!(stderr.contains(why), "{stderr}");
        assert!(stderr.contains("commit blocked"), "{stderr}");
    }
}

#[test]
fn an_existing_hook_is_chained_not_clobbered_and_restored_on_uninstall() {
    let sb = Sandbox::new();
    let repo = sb.repo("repo");
    let hooks = repo.join(".git/hooks");
    let theirs = "#!/bin/sh\necho ran >> \"$(git rev-parse --git-dir)/their-hook-ran\"\n\
                  test ! -f STOP || { echo 'their hook says no' >&2; exit 1; }\n";
    write_script(&hooks.join("pre-commit"), theirs);
    let out = sb.keyhound(&repo, &["hook", "install"]);
    let (stdout, _) = text(&out);
    assert!(out.status.success());
    assert!(
        stdout.contains("pre-commit.local and runs first"),
        "{stdout}"
    );
    assert_eq!(read(&hooks.join("pre-commit.local")), theirs);

    let (ok, out) = try_commit(&sb, &repo, "ok.txt", "fine\n");
    assert!(ok, "{out}");
    assert_eq!(read(&repo.join(".git/their-hook-ran")), "ran\n");
    let (ok, out) = try_commit(&sb, &repo, "STOP", "\n");
    assert!(!ok && out.contains("their hook says no"), "{out}");
    sb.git(&repo, &["rm", "-q", "--cached", "STOP"]);
    std::fs::remove_file(repo.join("STOP")).expect("rm");
    let (ok, out) = try_commit(&sb, &repo, "k.txt", &format!("k={}\n", key_a()));
    assert!(!ok && out.contains("meetso-live-key"), "{out}");

    let out = sb.keyhound(&repo, &["hook", "uninstall"]);
    assert!(out.status.success(), "{:?}", text(&out));
    assert_eq!(read(&hooks.join("pre-commit")), theirs);
    assert!(!hooks.join("pre-commit.local").exists());

    let out = sb.keyhound(&repo, &["hook", "uninstall"]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("was not installed by keyhound; left untouched"),
        "{stderr}"
    );
    assert_eq!(read(&hooks.join("pre-commit")), theirs);
}

#[test]
fn core_hooks_path_is_honoured() {
    let sb = Sandbox::new();
    let repo = sb.repo("repo");
    sb.git(&repo, &["config", "core.hooksPath", "ci/githooks"]);
    let out = sb.keyhound(&repo.join("."), &["hook", "install"]);
    assert!(out.status.success(), "{:?}", text(&out));
    let expected = repo.join(sb.git(&repo, &["rev-parse", "--git-path", "hooks/pre-commit"]));
    assert_eq!(expected, repo.join("ci/githooks/pre-commit"));
    assert!(expected.is_file());
    assert!(!repo.join(".git/hooks/pre-commit").exists());
    let (ok, out) = try_commit(
        &sb,
        &repo,
        "x.env",
        &format!("MEETSO_API_KEY={}\n", key_a()),
    );
    assert!(!ok && out.contains("x.env"), "{out}");
}

#[test]
fn a_linked_worktree_installs_into_the_shared_hooks_directory() {
    let sb = Sandbox::new();
    let repo = hooked_free_repo(&sb);
    let wt = sb.path().join("wt");
    sb.git(
        &repo,
        &[
            "worktree",
            "add",
            "-q",
            wt.to_str().expect("utf-8"),
            "-b",
            "feature",
        ],
    );
    let out = sb.keyhound(&wt, &["hook", "install"]);
    assert!(out.status.success(), "{:?}", text(&out));
    let git_path = sb.git(
        &wt,
        &[
            "rev-parse",
            "--path-format=absolute",
            "--git-path",
            "hooks/pre-commit",
        ],
    );
    assert_eq!(Path::new(&git_path), repo.join(".git/hooks/pre-commit"));
    assert!(read(Path::new(&git_path)).contains("keyhound-managed-hook"));
    let (ok, out) = try_commit(&sb, &wt, "w.txt", &format!("Bearer {}\n", key_a()));
    assert!(!ok && out.contains("w.txt"), "{out}");
}

#[test]
fn installing_twice_updates_in_place() {
    let sb = Sandbox::new();
    let repo = hooked(&sb);
    let out = sb.keyhound(&repo, &["hook", "install"]);
    let (stdout, _) = text(&out);
    assert!(
        stdout.starts_with("updated the keyhound pre-commit hook"),
        "{stdout}"
    );
    assert!(!repo.join(".git/hooks/pre-commit.local").exists());
    let out = sb.keyhound(&repo, &["hook", "uninstall"]);
    assert!(text(&out)
        .0
        .starts_with("removed the keyhound pre-commit hook"));
    assert!(!repo.join(".git/hooks/pre-commit").exists());
}

fn hooked_free_repo(sb: &Sandbox) -> std::path::PathBuf {
    let repo = sb.repo("repo");
    write(&repo, "README.md", "# demo\n");
    sb.git(&repo, &["add", "README.md"]);
    sb.git(&repo, &["commit", "-qm", "initial"]);
    repo
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `(key, value)` pairs of each hook in `.pre-commit-hooks.yaml` (a flat list of maps).
fn manifest_hooks() -> Vec<Vec<(String, String)>> {
    let text = read(&Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml"));
    let mut hooks: Vec<Vec<(String, String)>> = Vec::new();
    for line in text.lines().filter(|l| !l.trim_start().starts_with('#')) {
        let (new, body) = match line.strip_prefix("- ") {
            Some(rest) => (true, rest),
            None => (false, line.trim_start()),
        };
        let Some((key, value)) = body.split_once(':') else {
            continue;
        };
        if new {
            hooks.push(Vec::new());
        }
        if let Some(hook) = hooks.last_mut() {
            hook.push((key.trim().to_string(), value.trim().to_string()));
        }
    }
    hooks
}

#[test]
fn the_pre_commit_manifest_declares_both_hooks() {
    let hooks = manifest_hooks();
    let get = |hook: &[(String, String)], key: &str| {
        hook.iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let summary: Vec<(String, String, String, String)> = hooks
        .iter()
        .map(|h| {
            (
                get(h, "id"),
                get(h, "entry"),
                get(h, "language"),
                get(h, "pass_filenames"),
            )
        })
        .collect();
    let expected = |id: &str, language: &str| {
        (
            id.to_string(),
            "keyhound scan --staged".to_string(),
            language.to_string(),
            "false".to_string(),
        )
    };
    assert_eq!(
        summary,
        vec![
            expected("keyhound", "rust"),
            expected("keyhound-system", "system")
        ]
    );
}

/// The real `pre-commit` executable, if installed (pyenv shims resolved, since the sandbox
/// has its own HOME).
fn pre_commit_executable() -> Option<String> {
    let found = std::process::Command::new("sh")
        .args(["-c", "command -v pre-commit"])
        .output()
        .ok()
        .filter(|o| o.status.success())?;
    let path = String::from_utf8_lossy(&found.stdout).trim().to_string();
    if !path.contains("/shims/") {
        return Some(path);
    }
    let real = std::process::Command::new("pyenv")
        .args(["which", "pre-commit"])
        .output()
        .ok()
        .filter(|o| o.status.success())?;
    Some(String::from_utf8_lossy(&real.stdout).trim().to_string())
}

#[test]
fn the_pre_commit_framework_runs_the_hook_from_a_clone_of_the_manifest() {
    let Some(pre_commit) = pre_commit_executable() else {
        eprintln!("skipped: the pre-commit package is not installed (pip install pre-commit)");
        return;
    };
    let sb = Sandbox::new();
    let hooks_repo = sb.repo("keyhound-hooks");
    let manifest = read(&Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml"));
    write(&hooks_repo, ".pre-commit-hooks.yaml", &manifest);
    sb.git(&hooks_repo, &["add", "."]);
    sb.git(&hooks_repo, &["commit", "-qm", "hooks"]);
    let rev = sb.git(&hooks_repo, &["rev-parse", "HEAD"]);

    let project = sb.repo("project");
    let config = format!(
        "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: keyhound-system\n",
        hooks_repo.display()
    );
    write(&project, ".pre-commit-config.yaml", &config);
    let run = |args: &[&str]| {
        let out = sb
            .command(&pre_commit, &project)
            .env("PRE_COMMIT_HOME", sb.path().join("pre-commit-cache"))
            .args(args)
            .output()
            .expect("pre-commit runs");
        assert!(
            out.status.success(),
            "pre-commit {args:?}: {:?}",
            text(&out)
        );
    };
    run(&["install"]);
    write(&project, "main.py", "print('hi')\n");
    sb.git(&project, &["add", "."]);
    let (ok, out) = commit(&sb, &project, &["commit", "-m", "clean"]);
    assert!(ok, "clean commit blocked by the framework:\n{out}");
    assert!(out.contains("Passed"), "{out}");

    let (ok, out) = try_commit(
        &sb,
        &project,
        "settings.py",
        &format!("MEETSO_API_KEY = \"{}\"\n", key_a()),
    );
    assert!(!ok, "the framework let a key through:\n{out}");
    assert!(out.contains("Failed"), "{out}");
    assert!(
        out.contains("settings.py") && out.contains("meetso-live-key"),
        "{out}"
    );
}

#[test]
fn a_non_executable_previous_hook_stays_ignored_as_git_ignored_it() {
    let sb = Sandbox::new();
    let repo = hooked_free_repo(&sb);
    write(&repo, ".git/hooks/pre-commit", "#!/bin/sh\nexit 1\n");
    assert!(sb.keyhound(&repo, &["hook", "install"]).status.success());
    let (ok, out) = try_commit(&sb, &repo, "fine.txt", "fine\n");
    assert!(ok, "{out}");
    assert!(
        out.contains("pre-commit.local was ignored because it is not executable"),
        "{out}"
    );
}
