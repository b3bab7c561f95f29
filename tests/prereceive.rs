//! Server side: a bare repository with the shipped `hooks/pre-receive` script, pushed to with
//! the git CLI. Pushes carrying a key are rejected while their objects sit in git's
//! quarantine; clean pushes, new branches and deletions go through.

mod common;
mod workflow_support;

use std::path::{Path, PathBuf};
use workflow_support::*;

struct Server {
    bare: PathBuf,
    client: PathBuf,
}

/// A bare `server.git` whose `main` already holds a legacy key (pushed before the hook was
/// installed), and a client clone of it.
fn server_with_legacy_key(sb: &Sandbox) -> Server {
    let legacy = format!("MEETSO_KEY={}\n", key_a());
    let (bare, client) = sb.server(&[("legacy.env", &legacy)]);
    install_hook(&bare);
    Server { bare, client }
}

/// The shipped pre-receive script, behind a wrapper that records GIT_QUARANTINE_PATH.
fn install_hook(bare: &Path) {
    let shipped =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/hooks/pre-receive"))
            .expect("hooks/pre-receive");
    write_script(&bare.join("hooks/keyhound-pre-receive"), &shipped);
    write_script(
        &bare.join("hooks/pre-receive"),
        "#!/bin/sh\necho \"${GIT_QUARANTINE_PATH:-none}\" >> \"$GIT_DIR/quarantine.log\"\n\
         exec \"$(dirname \"$0\")/keyhound-pre-receive\"\n",
    );
}

fn push(sb: &Sandbox, client: &Path, args: &[&str]) -> (bool, String) {
    let out = sb
        .command("git", client)
        .env("KEYHOUND", KEYHOUND)
        .arg("push")
        .args(args)
        .output()
        .expect("git push runs");
    let (stdout, stderr) = text(&out);
    (out.status.success(), format!("{stdout}{stderr}"))
}

fn commit_file(sb: &Sandbox, repo: &Path, rel: &str, text: &str) -> String {
    write(repo, rel, text);
    sb.git(repo, &["add", rel]);
    sb.git(repo, &["commit", "-qm", &format!("add {rel}")]);
    sb.git(repo, &["rev-parse", "HEAD"])
}

fn server_ref(sb: &Sandbox, bare: &Path, name: &str) -> Option<String> {
    let out = sb.git_output(bare, &["rev-parse", "--verify", "-q", name]);
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

#[test]
fn a_push_with_a_key_is_rejected_from_quarantine_and_a_clean_one_accepted() {
    let sb = Sandbox::new();
    let Server { bare, client } = server_with_legacy_key(&sb);
    let before = server_ref(&sb, &bare, "main");

    let bad = commit_file(
        &sb,
        &client,
        "src/bot.py",
        &format!("# bot\nAPI = \"{}\"\n", key_b()),
    );
    let (ok, out) = push(&sb, &client, &["origin", "main"]);
    assert!(!ok, "push with a key accepted:\n{out}");
    assert!(out.contains("pre-receive hook declined"), "{out}");
    assert!(out.contains("remote: src/bot.py"), "{out}");
    assert!(out.contains("meetso-live-key"), "{out}");
    assert!(out.contains(&bad[..7]), "the commit is named:\n{out}");
    assert!(out.contains("push rejected"), "{out}");
    assert!(
        !out.contains("legacy.env"),
        "only pushed commits are scanned:\n{out}"
    );
    assert!(!out.contains(&key_b()), "plaintext key leaked:\n{out}");
    assert_eq!(server_ref(&sb, &bare, "main"), before);
    let log = std::fs::read_to_string(bare.join("quarantine.log")).expect("log");
    assert!(
        log.contains("incoming-"),
        "the hook ran with a quarantine: {log}"
    );
    let gone = sb.git_output(&bare, &["cat-file", "-e", &bad]);
    assert!(
        !gone.status.success(),
        "rejected objects must stay out of the server"
    );

    sb.git(&client, &["reset", "-q", "--hard", "HEAD~1"]);
    let good = commit_file(
        &sb,
        &client,
        "src/bot.py",
        "API = os.environ[\"MEETSO_KEY\"]\n",
    );
    let (ok, out) = push(&sb, &client, &["origin", "main"]);
    assert!(ok, "clean push rejected:\n{out}");
    assert_eq!(server_ref(&sb, &bare, "main"), Some(good));
}

#[test]
fn new_branches_scan_only_new_commits_and_deletions_pass() {
    let sb = Sandbox::new();
    let Server { bare, client } = server_with_legacy_key(&sb);

    sb.git(&client, &["checkout", "-q", "-b", "feature"]);
    let clean = commit_file(&sb, &client, "docs.md", "# docs\n");
    let (ok, out) = push(&sb, &client, &["origin", "feature"]);
    assert!(
        ok,
        "a new branch on top of the legacy history was rejected:\n{out}"
    );
    assert_eq!(server_ref(&sb, &bare, "feature"), Some(clean));

    sb.git(&client, &["checkout", "-q", "-b", "leaky"]);
    commit_file(
        &sb,
        &client,
        "leak.txt",
        &format!("Authorization: Bearer {}\n", key_b()),
    );
    let (ok, out) = push(&sb, &client, &["origin", "leaky"]);
    assert!(!ok, "a new branch with a key was accepted:\n{out}");
    assert!(out.contains("remote: leak.txt"), "{out}");
    assert_eq!(server_ref(&sb, &bare, "leaky"), None);

    let (ok, out) = push(&sb, &client, &["origin", "--delete", "feature"]);
    assert!(ok, "deleting a branch was rejected:\n{out}");
    assert_eq!(server_ref(&sb, &bare, "feature"), None);
}

#[test]
fn a_server_without_keyhound_rejects_pushes() {
    let sb = Sandbox::new();
    let Server { bare, client } = server_with_legacy_key(&sb);
    let before = server_ref(&sb, &bare, "main");
    commit_file(&sb, &client, "ok.txt", "fine\n");
    let out = sb
        .command("git", &client)
        .env("PATH", system_path())
        .args(["push", "origin", "main"])
        .output()
        .expect("git push runs");
    let (_, stderr) = text(&out);
    assert!(!out.status.success());
    assert!(
        stderr.contains("push rejected: 'keyhound' is not installed on this server"),
        "{stderr}"
    );
    assert_eq!(server_ref(&sb, &bare, "main"), before);
}

#[test]
fn pre_receive_input_errors_exit_2() {
    let sb = Sandbox::new();
    let Server { bare, .. } = server_with_legacy_key(&sb);
    let mut child = sb
        .command(KEYHOUND, &bare)
        .args(["scan", "--pre-receive"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"not a ref update\n")
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out)
            .1
            .contains("pre-receive input line 1: expected `<old-id> <new-id> <ref>`"),
        "{:?}",
        text(&out)
    );
}

#[test]
fn a_pushed_env_file_is_rejected_as_a_committed_env_file() {
    let sb = Sandbox::new();
    let Server { bare, client } = server_with_legacy_key(&sb);
    let before = server_ref(&sb, &bare, "main");
    let bad = commit_file(
        &sb,
        &client,
        "deploy/.env.production",
        "DB_HOST=db.internal\nDB_PASSWORD=Xk9mQ2vLp7RtZw4Nb8Yc\n",
    );
    let (ok, out) = push(&sb, &client, &["origin", "main"]);
    assert!(!ok, "a pushed .env.production was accepted:\n{out}");
    assert!(out.contains("remote: deploy/.env.production"), "{out}");
    assert!(out.contains("dotenv-committed"), "{out}");
    assert!(
        out.contains("`DB_PASSWORD` looks like a credential"),
        "{out}"
    );
    assert!(out.contains(&bad[..7]), "the commit is named:\n{out}");
    assert!(
        !out.contains("Xk9mQ2vLp7RtZw4Nb8Yc"),
        "a value leaked:\n{out}"
    );
    assert_eq!(server_ref(&sb, &bare, "main"), before);
}

#[test]
fn a_push_of_a_file_over_the_size_limit_or_a_key_after_a_nul_is_rejected() {
    let sb = Sandbox::new();
    let Server { bare, client } = server_with_legacy_key(&sb);
    sb.git(&client, &["checkout", "-q", "-b", "dump"]);
    commit_file(&sb, &client, "db/dump.sql", &big_dump(&key_b()));
    let (ok, out) = push(&sb, &client, &["origin", "dump"]);
    assert!(!ok, "an unscanned 12 MB file was pushed:\n{out}");
    assert!(
        out.contains(
            "keyhound: error: db/dump.sql (12.0 MB) was not scanned: it is over the 10.5 MB size limit, and the push gate lets nothing through unread"
        ),
        "{out}"
    );
    sb.git(&client, &["checkout", "-q", "-b", "asset", "main"]);
    commit_file(&sb, &client, "assets/blob.bin", &nul_then_key(&key_b()));
    let (ok, out) = push(&sb, &client, &["origin", "asset"]);
    assert!(!ok, "a key after a NUL byte was pushed:\n{out}");
    assert!(out.contains("remote: assets/blob.bin"), "{out}");
    assert!(out.contains("meetso-live-key"), "{out}");
    assert!(out.contains("push rejected"), "{out}");
    assert_eq!(server_ref(&sb, &bare, "dump"), None);
    assert_eq!(server_ref(&sb, &bare, "asset"), None);
}
