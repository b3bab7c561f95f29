//! Git-side bounds on hostile repositories built with the git CLI: a blob that inflates to a
//! gigabyte is skipped from its object header in every git mode (bounded memory, the skip
//! named), and history that cannot be read (missing objects, a truncated or garbage pack
//! index, an empty pack, a blob missing from a range) is an error naming what, unless the
//! user accepts an incomplete scan with `--allow-unreadable`.

mod common;
mod workflow_support;

use std::io::{Read, Write};
use std::path::Path;
use std::process::Stdio;
use workflow_support::*;

/// The gigabyte blob: 1 GiB of zeros (about 1 MB deflated).
const GIB: u64 = 1 << 30;

/// What a measured run of keyhound returned, with its peak resident set.
struct Measured {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    /// Peak resident set size of the keyhound process, in KiB (`ru_maxrss` of wait4).
    peak_kib: i64,
}

/// Runs keyhound in `dir` with `args` (and `stdin`), measuring the peak RSS of that one
/// process with wait4.
// wait4 reaps the child (Child::wait cannot report its resource usage)
#[allow(clippy::zombie_processes)]
fn measured(sb: &Sandbox, dir: &Path, args: &[&str], stdin: Option<&str>) -> Measured {
    let mut child = sb
        .command(KEYHOUND, dir)
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("keyhound starts");
    if let (Some(text), Some(mut pipe)) = (stdin, child.stdin.take()) {
        pipe.write_all(text.as_bytes()).expect("write stdin");
    }
    let read = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            pipe.read_to_string(&mut text).expect("read output");
            text
        })
    };
    let stdout = read(Box::new(child.stdout.take().expect("stdout")));
    let stderr = read(Box::new(child.stderr.take().expect("stderr")));
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: the child is ours and not waited for yet; both out-pointers are valid.
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as libc::pid_t, "wait4 failed");
    Measured {
        code: libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status)),
        stdout: stdout.join().expect("stdout thread"),
        stderr: stderr.join().expect("stderr thread"),
        peak_kib: usage.ru_maxrss,
    }
}

impl Measured {
    /// Asserts the exit code and that the process never held the gigabyte blob in memory.
    fn assert_bounded(&self, code: i32, what: &str) {
        assert_eq!(
            self.code,
            Some(code),
            "{what}: stdout {}\nstderr {}",
            self.stdout,
            self.stderr
        );
        assert!(
            self.peak_kib < 200 * 1024,
            "{what}: peak RSS {} KiB: the blob was read or inflated",
            self.peak_kib
        );
    }

    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).expect("JSON report")
    }
}

/// A repository with one commit (a README) on `main`; returns it and the commit.
fn repo_with_base(sb: &Sandbox) -> (std::path::PathBuf, String) {
    let repo = sb.repo("repo");
    write(&repo, "README.md", "# demo\n");
    sb.git(&repo, &["add", "README.md"]);
    sb.git(&repo, &["commit", "-qm", "base"]);
    let base = sb.git(&repo, &["rev-parse", "HEAD"]);
    (repo, base)
}

/// Streams a commit on `branch` (parent `from`) holding `big.bin`, `size` bytes of zeros, and
/// `app.py` with a key into the repository with `git fast-import`, which writes the big blob
/// straight into a pack (no loose copy, no delta; `config` may set its compression). Returns
/// the commit.
fn commit_big_blob(
    sb: &Sandbox,
    repo: &Path,
    (branch, from): (&str, &str),
    size: u64,
    config: &[&str],
) -> String {
    let mut child = sb
        .command("git", repo)
        .args([
            "-c",
            "fastimport.unpackLimit=0",
            "-c",
            "core.bigFileThreshold=1m",
        ])
        .args(config)
        .args(["fast-import", "--quiet"])
        .stdin(Stdio::piped())
        .spawn()
        .expect("git fast-import starts");
    {
        let mut input = child.stdin.take().expect("stdin");
        write!(input, "blob\nmark :1\ndata {size}\n").expect("header");
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..(size >> 20) {
            input.write_all(&zeros).expect("zeros");
        }
        let app = format!("API = \"{}\"\n", key_a());
        write!(
            input,
            "\ncommit refs/heads/{branch}\ncommitter Ada Tester <ada@example.com> 1714557600 +0000\n\
             data 4\nbig\nfrom {from}\nM 100644 :1 big.bin\nM 100644 inline app.py\ndata {}\n{app}\n",
            app.len()
        )
        .expect("commit");
    }
    assert!(child.wait().expect("fast-import").success());
    sb.git(repo, &["rev-parse", &format!("refs/heads/{branch}")])
}

#[test]
fn a_gigabyte_blob_is_skipped_from_its_header_in_every_git_mode() {
    let sb = Sandbox::new();
    let (repo, base) = repo_with_base(&sb);
    let big = commit_big_blob(&sb, &repo, ("big", &base), GIB, &[]);
    let blob = sb.git(&repo, &["rev-parse", "big:big.bin"]);
    sb.git(&repo, &["symbolic-ref", "HEAD", "refs/heads/big"]);
    sb.git(&repo, &["read-tree", "HEAD"]);
    let findings_of = |m: &Measured| findings(&m.json());

    // Full history: our own pack reader reads the entry header and skips the blob.
    let full = measured(
        &sb,
        &repo,
        &["scan", "--history-only", "--format", "json"],
        None,
    );
    full.assert_bounded(1, "full history");
    assert_eq!(findings_of(&full), app_key("history"));
    assert!(
        full.stderr.contains(&format!(
            "blob {blob}: skipped, too large (1.1 GB > 10.5 MB limit"
        )),
        "{}",
        full.stderr
    );
    assert_eq!(full.json()["stats"]["skipped_large"], 1);

    // One branch: blobs read through gix, sized by find_header first.
    let branch = measured(
        &sb,
        &repo,
        &[
            "scan",
            "--history-only",
            "--branch",
            "big",
            "--format",
            "json",
        ],
        None,
    );
    branch.assert_bounded(1, "--branch");
    assert_eq!(findings_of(&branch), app_key("history"));
    assert!(
        branch
            .stderr
            .contains(&format!("blob {blob}: skipped, too large")),
        "{}",
        branch.stderr
    );

    // A range (CI): the commit's blobs, the big one named by its path.
    let since = measured(
        &sb,
        &repo,
        &["scan", "--since", &base, "--format", "json"],
        None,
    );
    since.assert_bounded(1, "--since");
    assert_eq!(findings_of(&since), app_key("history"));
    assert!(
        since
            .stderr
            .contains("big.bin: skipped, too large (1.1 GB > 10.5 MB limit"),
        "{}",
        since.stderr
    );

    // The index: the same blob staged at a new path fails the commit gate, unread.
    sb.git(
        &repo,
        &[
            "update-index",
            "--add",
            "--cacheinfo",
            &format!("100644,{blob},copy.bin"),
        ],
    );
    let staged = measured(&sb, &repo, &["scan", "--staged", "--format", "json"], None);
    staged.assert_bounded(2, "--staged");
    assert!(
        staged.stderr.contains(
            "keyhound: error: copy.bin (1.1 GB) was not scanned: it is over the 10.5 MB size limit"
        ),
        "{}",
        staged.stderr
    );

    // A push bringing the commit in: the objects are there, no ref reaches them yet.
    sb.git(&repo, &["symbolic-ref", "HEAD", "refs/heads/main"]);
    sb.git(&repo, &["update-ref", "-d", "refs/heads/big"]);
    let push = measured(
        &sb,
        &repo,
        &["scan", "--pre-receive"],
        Some(&format!("{base} {big} refs/heads/main\n")),
    );
    push.assert_bounded(2, "--pre-receive");
    assert!(
        push.stderr.contains(
            "keyhound: error: big.bin (1.1 GB) was not scanned: it is over the 10.5 MB size limit, and the push gate"
        ),
        "{}",
        push.stderr
    );
    assert!(push.stdout.contains("app.py"), "{}", push.stdout);
}

#[test]
fn an_incompressible_pack_entry_over_the_limit_is_not_even_read() {
    // Stored without compression, the pack entry is as large as the blob: the full history
    // scan must decide from the entry's header, not read the entry to find out.
    let sb = Sandbox::new();
    let (repo, base) = repo_with_base(&sb);
    let size = 400 << 20;
    commit_big_blob(
        &sb,
        &repo,
        ("main", &base),
        size,
        &["-c", "pack.compression=0"],
    );
    let blob = sb.git(&repo, &["rev-parse", "main:big.bin"]);
    let full = measured(
        &sb,
        &repo,
        &["scan", "--history-only", "--format", "json"],
        None,
    );
    full.assert_bounded(1, "full history");
    assert_eq!(findings(&full.json()), app_key("history"));
    assert!(
        full.stderr.contains(&format!(
            "blob {blob}: skipped, too large (419.4 MB > 10.5 MB limit"
        )),
        "{}",
        full.stderr
    );
}

/// The one finding of these tests: the key in `app.py`, line 1.
fn app_key(source: &str) -> Vec<(String, String, u64, String)> {
    vec![(
        "meetso-live-key".to_string(),
        "app.py".to_string(),
        1,
        source.to_string(),
    )]
}

/// A repository whose `main` holds a key in its first commit and a clean second commit.
fn two_commits(sb: &Sandbox, name: &str) -> (std::path::PathBuf, String, String) {
    let repo = sb.repo(name);
    write(&repo, "app.py", &format!("API = \"{}\"\n", key_a()));
    sb.git(&repo, &["add", "app.py"]);
    sb.git(&repo, &["commit", "-qm", "leak"]);
    let first = sb.git(&repo, &["rev-parse", "HEAD"]);
    write(&repo, "README.md", "# demo\n");
    sb.git(&repo, &["add", "README.md"]);
    sb.git(&repo, &["commit", "-qm", "docs"]);
    let second = sb.git(&repo, &["rev-parse", "HEAD"]);
    (repo, first, second)
}

fn loose_path(repo: &Path, id: &str) -> std::path::PathBuf {
    repo.join(".git/objects").join(&id[..2]).join(&id[2..])
}

/// The only pack of `repo` (after `git repack -ad`), made writable.
fn only_pack(sb: &Sandbox, repo: &Path, ext: &str) -> std::path::PathBuf {
    sb.git(repo, &["repack", "-adq"]);
    let dir = repo.join(".git/objects/pack");
    let path = std::fs::read_dir(&dir)
        .expect("pack dir")
        .map(|e| e.expect("entry").path())
        .find(|p| p.extension().is_some_and(|e| e == ext))
        .expect("a pack file");
    make_writable(&path);
    path
}

fn make_writable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
}

/// Scans `repo`'s history as JSON, strictly and with `--allow-unreadable`, asserting exit 2
/// then `allowed_code`, and that every `named` text appears in the error output and in the
/// report's `unreadable` list. Returns the accepted run's report.
fn assert_unreadable(
    sb: &Sandbox,
    repo: &Path,
    named: &[&str],
    allowed_code: i32,
) -> serde_json::Value {
    let strict = sb.keyhound(repo, &["scan", "--history-only", "--format", "json"]);
    let (stdout, stderr) = text(&strict);
    assert_eq!(strict.status.code(), Some(2), "{stdout}\n{stderr}");
    let report = json(&strict);
    let listed = report["unreadable"].to_string();
    for name in named {
        assert!(
            stderr.contains("keyhound: error: unreadable: ") && stderr.contains(name),
            "{name} not named: {stderr}"
        );
        assert!(listed.contains(name), "{name} not in the report: {listed}");
    }
    assert!(
        stderr.contains("so the scan is incomplete")
            && stderr.contains("pass --allow-unreadable to accept an incomplete scan"),
        "{stderr}"
    );
    assert!(
        !stdout.contains("no secrets found"),
        "JSON report only: {stdout}"
    );

    let sarif = sb.keyhound(repo, &["scan", "--history-only", "--format", "sarif"]);
    assert_eq!(sarif.status.code(), Some(2));
    let sarif = json(&sarif);
    let invocation = &sarif["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let notes = invocation["toolExecutionNotifications"].to_string();
    assert!(
        notes.contains("\"level\":\"error\"") && named.iter().all(|n| notes.contains(n)),
        "{notes}"
    );

    let allowed = sb.keyhound(
        repo,
        &[
            "scan",
            "--history-only",
            "--format",
            "json",
            "--allow-unreadable",
        ],
    );
    let (stdout, stderr) = text(&allowed);
    assert_eq!(
        allowed.status.code(),
        Some(allowed_code),
        "{stdout}\n{stderr}"
    );
    assert!(
        stderr.contains("keyhound: warning: unreadable: ")
            && stderr.contains("(accepted: --allow-unreadable)")
            && !stderr.contains("keyhound: error:"),
        "{stderr}"
    );
    json(&allowed)
}

#[test]
fn refs_whose_objects_are_all_missing_are_an_error_naming_the_ref() {
    let sb = Sandbox::new();
    let (repo, _, second) = two_commits(&sb, "repo");
    for entry in std::fs::read_dir(repo.join(".git/objects")).expect("objects") {
        let path = entry.expect("entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.len() == 2 {
            std::fs::remove_dir_all(&path).expect("delete loose objects");
        }
    }
    let report = assert_unreadable(&sb, &repo, &["ref refs/heads/main", &second], 0);
    assert_eq!(report["stats"]["unreadable"], 1);
    assert_eq!(report["findings"], serde_json::json!([]));
}

#[test]
fn a_missing_commit_object_is_an_error_and_the_rest_is_still_scanned() {
    let sb = Sandbox::new();
    let (repo, first, second) = two_commits(&sb, "repo");
    sb.git(&repo, &["branch", "keep", &first]);
    std::fs::remove_file(loose_path(&repo, &second)).expect("delete the tip commit");
    let report = assert_unreadable(&sb, &repo, &["ref refs/heads/main", &second], 1);
    // `keep` still reaches the first commit: its key is reported
    assert_eq!(findings(&report), app_key("history"));
}

#[test]
fn a_truncated_pack_index_is_an_error_naming_it() {
    let sb = Sandbox::new();
    let (repo, _, _) = two_commits(&sb, "repo");
    let idx = only_pack(&sb, &repo, "idx");
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(&idx)
        .expect("open idx");
    file.set_len(100).expect("truncate");
    let name = idx.file_name().and_then(|n| n.to_str()).expect("name");
    assert_unreadable(&sb, &repo, &[name, "too small", "ref refs/heads/main"], 0);
}

#[test]
fn a_garbage_pack_index_is_an_error_naming_it() {
    let sb = Sandbox::new();
    let (repo, _, _) = two_commits(&sb, "repo");
    let idx = only_pack(&sb, &repo, "idx");
    // a v2 magic and version, then a fan-out table that decreases
    let mut garbage = b"\xfftOc\x00\x00\x00\x02".to_vec();
    garbage.extend((0..256u32).rev().flat_map(|n| n.to_be_bytes()));
    garbage.resize(4096, 0x5a);
    std::fs::write(&idx, garbage).expect("garbage idx");
    let name = idx.file_name().and_then(|n| n.to_str()).expect("name");
    assert_unreadable(&sb, &repo, &[name, "ref refs/heads/main"], 0);
}

#[test]
fn an_empty_pack_is_an_error_naming_it() {
    let sb = Sandbox::new();
    let (repo, _, _) = two_commits(&sb, "repo");
    let pack = only_pack(&sb, &repo, "pack");
    std::fs::write(&pack, b"").expect("empty pack");
    let name = pack.file_name().and_then(|n| n.to_str()).expect("name");
    assert_unreadable(&sb, &repo, &[name, "the pack is empty or truncated"], 0);
}

#[test]
fn a_blob_missing_from_a_range_is_an_error_naming_the_file_and_commit() {
    let sb = Sandbox::new();
    let (repo, first, _) = two_commits(&sb, "repo");
    write(&repo, "bot.py", "print('hi')\n");
    sb.git(&repo, &["add", "bot.py"]);
    sb.git(&repo, &["commit", "-qm", "bot"]);
    let third = sb.git(&repo, &["rev-parse", "HEAD"]);
    let blob = sb.git(&repo, &["rev-parse", "HEAD:bot.py"]);
    std::fs::remove_file(loose_path(&repo, &blob)).expect("delete the blob");
    let out = sb.keyhound(&repo, &["scan", "--since", &first]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stdout}\n{stderr}");
    assert!(
        stderr.contains(&format!(
            "keyhound: error: unreadable: bot.py (commit {}) not scanned: object {blob} is missing",
            &third[..7]
        )),
        "{stderr}"
    );
    let allowed = sb.keyhound(&repo, &["scan", "--since", &first, "--allow-unreadable"]);
    assert_eq!(allowed.status.code(), Some(0), "{}", text(&allowed).1);
}

#[test]
fn a_shallow_clone_is_not_unreadable() {
    let sb = Sandbox::new();
    let (origin, _, _) = two_commits(&sb, "origin");
    let url = format!("file://{}", origin.display());
    sb.git(sb.path(), &["clone", "-q", "--depth", "1", &url, "shallow"]);
    let out = sb.keyhound(
        &sb.path().join("shallow"),
        &["scan", "--history-only", "--format", "json"],
    );
    let report = json(&out);
    // the key at the boundary commit is found; the missing parents are no error
    assert_eq!(out.status.code(), Some(1), "{}", text(&out).1);
    assert_eq!(findings(&report), app_key("history"));
    assert_eq!(report["stats"]["unreadable"], 0);
    assert!(
        report["stats"]["notes"]
            .to_string()
            .contains("shallow clone"),
        "{report}"
    );
}
