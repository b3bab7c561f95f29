//! Sweeps over many targets: real repositories built with git, sharded runs merged back
//! into the single-run report byte for byte, `--resume` after a killed shard, and git URL
//! targets over `file://` and a `git daemon` on 127.0.0.1 (plus an unreachable one).

mod common;

use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};

/// Three repositories: `a` and `b` leak the same key (b also a second key), `c` is clean;
/// plus a bare mirror of `a` and a missing path. Returns the temp dir and the repos file.
fn fleet() -> (tempfile::TempDir, PathBuf) {
    let root = tempfile::tempdir().expect("temp dir");
    let make = |name: &str, files: &[(&str, String)], date: &str| {
        let dir = root.path().join(name);
        std::fs::create_dir_all(&dir).unwrap();
        git_in(&dir, &["init", "-q", "-b", "main"], date);
        for (rel, text) in files {
            let p = dir.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        git_in(&dir, &["add", "."], date);
        git_in(&dir, &["commit", "-qm", "init"], date);
    };
    make(
        "a",
        &[("conf/app.py", format!("KEY = '{LIVE_KEY}'\n"))],
        "2025-01-05T10:00:00+00:00",
    );
    make(
        "b",
        &[
            ("deploy/run.sh", format!("\nexport MEETSO_KEY={LIVE_KEY}\n")),
            ("src/x.ts", format!("const k = '{LIVE_KEY_2}';\n")),
        ],
        "2024-06-01T10:00:00+00:00",
    );
    make(
        "c",
        &[("README.md", "nothing here\n".into())],
        "2025-02-01T10:00:00+00:00",
    );
    git_in(
        root.path(),
        &["clone", "-q", "--bare", "a", "a-mirror.git"],
        "2025-03-01T10:00:00+00:00",
    );
    let list = root.path().join("repos.txt");
    std::fs::write(
        &list,
        "# the fleet\na\nb\n\nc\na-mirror.git\nmissing-repo\n./a\n",
    )
    .unwrap();
    (root, list)
}

fn kh(dir: &Path, args: &[&str]) -> std::process::Output {
    keyhound_in(dir, args)
}

fn text(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn shards_merge_into_exactly_the_single_run_report() {
    let (root, _) = fleet();
    let dir = root.path();
    let single = kh(
        dir,
        &["scan", "--repos-file", "repos.txt", "--format", "json"],
    );
    assert_eq!(
        single.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&single.stderr)
    );
    for k in 0..3 {
        let out = kh(
            dir,
            &[
                "scan",
                "--repos-file",
                "repos.txt",
                "--shard",
                &format!("{k}/3"),
                "--format",
                "jsonl",
                "-o",
                &format!("shard-{k}.jsonl"),
            ],
        );
        assert!(matches!(out.status.code(), Some(0..=2)), "{out:?}");
    }
    // Order of the inputs does not matter.
    let merged = kh(
        dir,
        &[
            "merge",
            "shard-2.jsonl",
            "shard-0.jsonl",
            "shard-1.jsonl",
            "-f",
            "json",
        ],
    );
    assert_eq!(merged.status.code(), Some(1));
    assert_eq!(text(&merged), text(&single));

    let report: Value = serde_json::from_slice(&single.stdout).unwrap();
    let canon = |name: &str| {
        std::fs::canonicalize(dir.join(name))
            .unwrap()
            .display()
            .to_string()
    };
    let mut got: Vec<(String, String, u64, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["repository"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["secret_sha256"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    got.sort();
    let mut want = vec![
        (canon("a"), "conf/app.py".to_string(), 1, sha256(LIVE_KEY)),
        (
            canon("a-mirror.git"),
            "conf/app.py".to_string(),
            1,
            sha256(LIVE_KEY),
        ),
        (canon("b"), "deploy/run.sh".to_string(), 2, sha256(LIVE_KEY)),
        (canon("b"), "src/x.ts".to_string(), 1, sha256(LIVE_KEY_2)),
    ];
    want.sort();
    assert_eq!(got, want);
    // One entry per distinct secret; the earliest exposure is b's (2024), not a's.
    let secrets = report["secrets"].as_array().unwrap();
    assert_eq!(secrets.len(), 2);
    let shared = secret_entry(&report, LIVE_KEY);
    assert_eq!(shared["locations"], 3);
    assert_eq!(shared["exposure"]["repository"], canon("b").as_str());
    assert_eq!(
        shared["exposure"]["first_date"],
        "2024-06-01T10:00:00+00:00"
    );
    // ./a is a; the missing path is one named failure; nothing run-dependent is in it.
    let targets = &report["targets"];
    assert_eq!(targets["scanned"], 4);
    assert_eq!(
        targets["failed"][0]["target"],
        format!("{}/missing-repo", canon(".")).as_str()
    );
    assert!(targets["failed"][0]["error"]
        .as_str()
        .unwrap()
        .contains("No such file or directory"));
    assert!(report["stats"].get("duration_ms").is_none());

    // A merge of a merge changes nothing.
    let m1 = kh(
        dir,
        &[
            "merge",
            "shard-0.jsonl",
            "shard-1.jsonl",
            "shard-2.jsonl",
            "-f",
            "jsonl",
        ],
    );
    std::fs::write(dir.join("m1.jsonl"), &m1.stdout).unwrap();
    let m2 = kh(dir, &["merge", "m1.jsonl", "m1.jsonl", "-f", "jsonl"]);
    assert_eq!(text(&m2), text(&m1));
    let again = kh(dir, &["merge", "m1.jsonl", "shard-1.jsonl", "-f", "json"]);
    assert_eq!(text(&again), text(&single));

    // The checklist: one rotation per secret, one clean-up per repository.
    let md = text(&kh(dir, &["merge", "m1.jsonl", "-f", "checklist"]));
    assert_eq!(md.matches("### Rotate without downtime").count(), 2, "{md}");
    assert!(
        md.contains("### Remove it from the 3 repositories\n"),
        "{md}"
    );
    assert!(md.contains(&format!("#### `{}`\n", canon("b"))));
    assert!(md.contains(&format!(
        "## Purge git history of `{}`",
        canon("a-mirror.git")
    )));

    // A lost shard: a warning by default, exit 2 with --require-complete, the report written.
    let two = [
        "merge",
        "shard-0.jsonl",
        "shard-2.jsonl",
        "-f",
        "json",
        "--exit-zero",
    ];
    let lenient = kh(dir, &two);
    assert_eq!(lenient.status.code(), Some(0));
    let warned = String::from_utf8_lossy(&lenient.stderr).into_owned();
    assert!(
        warned.contains("shard 1/3 missing: the report covers only part of the target list"),
        "{warned}"
    );
    let strict = kh(
        dir,
        &[&two[..], &["--require-complete", "-o", "partial.json"]].concat(),
    );
    assert_eq!(strict.status.code(), Some(2));
    assert!(dir.join("partial.json").is_file());
    let whole = ["merge", "shard-0.jsonl", "shard-1.jsonl", "shard-2.jsonl"];
    let complete = kh(
        dir,
        &[&whole[..], &["--require-complete", "--exit-zero"]].concat(),
    );
    assert_eq!(complete.status.code(), Some(0));
}

#[test]
fn every_target_lands_in_exactly_one_shard_in_any_list_order() {
    let root = tempfile::tempdir().unwrap();
    let ids: Vec<String> = (0..60)
        .map(|i| format!("https://git.example/org/repo-{i}.git"))
        .collect();
    std::fs::write(root.path().join("fwd.txt"), ids.join("\n")).unwrap();
    let mut rev = ids.clone();
    rev.reverse();
    std::fs::write(root.path().join("rev.txt"), rev.join("\n")).unwrap();
    // An empty clone dir that git cannot write to makes every URL fail fast and offline:
    // the records still say which shard took which target.
    let mut seen: Vec<String> = Vec::new();
    for list in ["fwd.txt", "rev.txt"] {
        let mut this: Vec<String> = Vec::new();
        for k in 0..4 {
            let out = kh(
                root.path(),
                &[
                    "scan",
                    "--repos-file",
                    list,
                    "--shard",
                    &format!("{k}/4"),
                    "-f",
                    "jsonl",
                    "--clone-dir",
                    "/dev/null/none",
                    "-q",
                ],
            );
            for line in text(&out).lines() {
                let v: Value = serde_json::from_str(line).unwrap();
                if v["type"] == "target" {
                    this.push(format!("{k} {}", v["target"].as_str().unwrap()));
                }
            }
        }
        this.sort();
        if seen.is_empty() {
            seen = this;
        } else {
            assert_eq!(
                this, seen,
                "the same shard for each target whatever the order"
            );
        }
    }
    assert_eq!(seen.len(), 60);
    let mut targets: Vec<&str> = seen.iter().map(|s| s.split_once(' ').unwrap().1).collect();
    targets.dedup();
    assert_eq!(targets.len(), 60, "no target in two shards");
}

#[test]
fn resume_after_a_killed_shard_gives_the_complete_output() {
    let (root, _) = fleet();
    let dir = root.path();
    let full = kh(
        dir,
        &[
            "scan",
            "--repos-file",
            "repos.txt",
            "-f",
            "jsonl",
            "-o",
            "full.jsonl",
        ],
    );
    assert_eq!(full.status.code(), Some(1));
    let full_text = std::fs::read_to_string(dir.join("full.jsonl")).unwrap();
    // Cut after the second target record, plus half a line: as a kill leaves it.
    let mut cut = String::new();
    let mut targets = 0;
    for line in full_text.lines() {
        cut.push_str(line);
        cut.push('\n');
        if line.contains("\"type\":\"target\"") {
            targets += 1;
            if targets == 2 {
                break;
            }
        }
    }
    cut.push_str("{\"type\":\"finding\",\"target\":\"x\",\"ru");
    std::fs::write(dir.join("part.jsonl"), &cut).unwrap();
    let resumed = kh(
        dir,
        &[
            "scan",
            "--repos-file",
            "repos.txt",
            "-f",
            "jsonl",
            "--resume",
            "part.jsonl",
            "-o",
            "part.jsonl",
        ],
    );
    assert_eq!(
        resumed.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&resumed.stderr)
    );
    let a = kh(dir, &["merge", "full.jsonl", "-f", "json"]);
    let b = kh(dir, &["merge", "part.jsonl", "-f", "json"]);
    assert_eq!(text(&a), text(&b));
    // The two targets already done were not scanned again: their records are the old ones.
    let resumed_text = std::fs::read_to_string(dir.join("part.jsonl")).unwrap();
    let old: Vec<&str> = cut
        .lines()
        .filter(|l| l.contains("\"type\":\"target\""))
        .collect();
    for line in old {
        assert!(resumed_text.contains(line));
    }
}

/// A `git daemon` on 127.0.0.1, killed on drop.
struct Daemon {
    child: Child,
    port: u16,
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn daemon(base: &Path) -> Daemon {
    let port = free_port();
    // The daemon binary itself, not `git daemon`: killing the `git` wrapper would leave its
    // `git-daemon` child running after the test.
    let exec_path = Command::new("git")
        .arg("--exec-path")
        .output()
        .expect("git --exec-path");
    let exec_path = String::from_utf8_lossy(&exec_path.stdout)
        .trim()
        .to_string();
    let child = Command::new(Path::new(&exec_path).join("git-daemon"))
        .args([
            "--export-all",
            "--reuseaddr",
            "--listen=127.0.0.1",
            &format!("--port={port}"),
            &format!("--base-path={}", base.display()),
        ])
        .arg(base)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("git daemon starts");
    // Killed on drop, also when it never listens.
    let daemon = Daemon { child, port };
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return daemon;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("git daemon did not listen on {port}");
}

#[test]
fn url_targets_are_mirrored_and_an_unreachable_one_is_a_named_failure() {
    let (root, _) = fleet();
    let dir = root.path();
    let d = daemon(dir);
    let closed = free_port();
    let list = format!(
        "file://{}/b\ngit://127.0.0.1:{}/a-mirror.git\ngit://127.0.0.1:{closed}/nothing\nhttps://user:hunter2@127.0.0.1:{closed}/o/r.git\n",
        dir.display(),
        d.port
    );
    std::fs::write(dir.join("urls.txt"), list).unwrap();
    let run = || {
        kh(
            dir,
            &[
                "scan",
                "--repos-file",
                "urls.txt",
                "--clone-dir",
                "cache",
                "-f",
                "json",
                "--clone-timeout",
                "30",
            ],
        )
    };
    let out = run();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let report = json_report(&out, 1);
    let canon_b = std::fs::canonicalize(dir.join("b"))
        .unwrap()
        .display()
        .to_string();
    let repos: std::collections::BTreeSet<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["repository"].as_str().unwrap())
        .collect();
    let daemon_id = format!("127.0.0.1:{}/a-mirror", d.port);
    assert_eq!(
        repos,
        [canon_b.as_str(), daemon_id.as_str()].into_iter().collect()
    );
    let failed = report["targets"]["failed"].as_array().unwrap();
    let names: Vec<&str> = failed
        .iter()
        .map(|f| f["target"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            format!("127.0.0.1:{closed}/nothing"),
            format!("127.0.0.1:{closed}/o/r")
        ]
    );
    for f in failed {
        assert!(
            f["error"]
                .as_str()
                .unwrap()
                .starts_with("git clone failed: "),
            "{f}"
        );
    }
    // Credentials never reach an output.
    assert!(
        !text(&out).contains("hunter2") && !stderr.contains("hunter2"),
        "{stderr}"
    );
    // The cache is reused: a second run fetches into the mirrors and gives the same report.
    assert!(dir.join("cache").read_dir().unwrap().count() >= 2);
    assert_eq!(text(&run()), text(&out));
}

/// A target whose history cannot be read in full (its tip commit's object deleted) is
/// scanned, but counted and named as incomplete; `--fail-on-error` makes that exit 2.
#[test]
fn a_target_with_unreadable_history_is_named_incomplete_and_fails_with_fail_on_error() {
    let (root, _) = fleet();
    let damaged = root.path().join("c");
    let tip = git_in(
        &damaged,
        &["rev-parse", "HEAD"],
        "2025-02-01T10:00:00+00:00",
    );
    let tip = tip.trim();
    let object = damaged.join(".git/objects").join(&tip[..2]).join(&tip[2..]);
    std::fs::remove_file(&object).expect("the tip is a loose object");
    let list = root.path().join("two.txt");
    std::fs::write(&list, "a\nc\n").unwrap();
    let list = list.to_str().unwrap();

    let out = kh(
        root.path(),
        &["scan", "--repos-file", list, "--format", "json"],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(
            "keyhound: sweep of 2 targets: 2 scanned (1 incomplete: content could not be read), 0 failed, 1 finding"
        ),
        "{err}"
    );
    let named = format!("keyhound: incomplete: {}: 1 unreadable", damaged.display());
    assert!(err.contains(&named), "{err}");

    let strict = kh(
        root.path(),
        &[
            "scan",
            "--repos-file",
            list,
            "--format",
            "json",
            "--fail-on-error",
        ],
    );
    assert_eq!(strict.status.code(), Some(2));
}

/// `-o` naming something that is not a regular file (a FIFO here; `/dev/null` in scripts)
/// is written in place: the record stream reaches the reader and the FIFO is still a FIFO
/// (renaming a temporary file over it, as for a regular file, would replace it).
#[test]
fn a_jsonl_output_that_is_a_fifo_is_written_in_place_not_replaced() {
    use std::os::unix::fs::FileTypeExt;
    let (root, _) = fleet();
    let fifo = root.path().join("out.fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    let (send, streamed) = std::sync::mpsc::channel();
    {
        let fifo = fifo.clone();
        std::thread::spawn(move || send.send(std::fs::read_to_string(fifo).expect("read fifo")));
    }
    let out = kh(
        root.path(),
        &[
            "scan",
            "--repos-file",
            "repos.txt",
            "--format",
            "jsonl",
            "-o",
            "out.fifo",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // a replaced FIFO would leave the reader blocked: fail instead of hanging
    let streamed = streamed
        .recv_timeout(std::time::Duration::from_secs(20))
        .expect("the stream reached the FIFO's reader");
    assert!(streamed.starts_with("{\"type\":\"header\""), "{streamed}");
    assert_eq!(
        streamed.matches("\"type\":\"target\"").count(),
        5,
        "{streamed}"
    );
    let kind = std::fs::symlink_metadata(&fifo)
        .expect("still there")
        .file_type();
    assert!(kind.is_fifo());
}
