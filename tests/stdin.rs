//! `keyhound scan -`: standard input piped into the real binary — plain text, the output of
//! a real `git diff` and `git log -p`, a long stream across many segments — with exact
//! findings at `<stdin>` and the stream's line numbers, in JSON, SARIF and human output.

mod common;

use common::{json_report, TestRepo, LIVE_KEY, TOKEN_KEY};
use serde_json::Value;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Runs keyhound in `dir` with `input` on its standard input.
fn keyhound_piped(dir: &Path, args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_keyhound"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("keyhound runs");
    let mut stdin = child.stdin.take().expect("stdin");
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        // keyhound may stop reading early on an error: a broken pipe is fine
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().expect("keyhound finishes");
    writer.join().expect("writer");
    out
}

/// (rule, path, line, column, source) of every finding.
fn located(report: &Value) -> Vec<(String, String, u64, u64, String)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().into(),
                f["path"].as_str().unwrap_or_default().into(),
                f["line"].as_u64().unwrap_or_default(),
                f["column"].as_u64().unwrap_or_default(),
                f["source"].as_str().unwrap_or_default().into(),
            )
        })
        .collect()
}

fn at(rule: &str, line: u64, column: u64) -> (String, String, u64, u64, String) {
    (rule.into(), "<stdin>".into(), line, column, "stdin".into())
}

#[test]
fn piped_text_is_reported_at_stdin_with_its_line() {
    let dir = tempfile::tempdir().expect("tmp");
    let input = format!("starting bot\nconnecting\nMEETSO_API_KEY={LIVE_KEY}\n");
    let out = keyhound_piped(
        dir.path(),
        &["scan", "--format", "json", "-"],
        input.as_bytes(),
    );
    assert_eq!(
        located(&json_report(&out, 1)),
        vec![at("meetso-live-key", 3, 16)]
    );
    let human = keyhound_piped(dir.path(), &["scan", "-"], input.as_bytes());
    assert_eq!(human.status.code(), Some(1));
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(text.starts_with("<stdin>  (standard input)\n"), "{text}");
    assert!(
        text.contains("       3:16  CRITICAL  meetso-live-key"),
        "{text}"
    );
    let jsonl = keyhound_piped(
        dir.path(),
        &["scan", "--format", "jsonl", "-"],
        input.as_bytes(),
    );
    assert_eq!(jsonl.status.code(), Some(1));
    let records: Vec<Value> = String::from_utf8_lossy(&jsonl.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("jsonl record"))
        .collect();
    assert_eq!(records[1]["type"], "finding");
    assert_eq!(records[1]["target"], "<stdin>");
    assert_eq!(records[1]["path"], "<stdin>");
    let clean = keyhound_piped(dir.path(), &["scan", "-"], b"nothing here\n");
    assert_eq!(clean.status.code(), Some(0));
}

#[test]
fn sarif_names_standard_input_without_a_source_root() {
    let dir = tempfile::tempdir().expect("tmp");
    let input = format!("x\nAuthorization: Token {TOKEN_KEY}\n");
    let out = keyhound_piped(
        dir.path(),
        &["scan", "--format", "sarif", "-"],
        input.as_bytes(),
    );
    let sarif = json_report(&out, 1);
    let location = &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
    assert_eq!(
        location["artifactLocation"],
        serde_json::json!({
            "uri": "stdin",
            "description": { "text": "standard input (keyhound scan -)" }
        })
    );
    assert_eq!(location["region"]["startLine"], 2);
}

/// A repository whose working tree adds, to committed files, a Dockerfile `ENV` line and a
/// command-line flag: both rules are anchored at a line start or a blank, which a diff's
/// leading `+` would hide.
fn repo_with_unstaged_secrets() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("Dockerfile", "FROM alpine\nRUN true\n");
    repo.write("run.sh", "#!/bin/sh\nrun\n");
    repo.commit_all("base", "Ana", "2025-01-01T10:00:00+00:00");
    repo.write(
        "Dockerfile",
        &format!("FROM alpine\nENV ATTENDEE_API_KEY {TOKEN_KEY}\nRUN true\n"),
    );
    repo.write(
        "run.sh",
        "#!/bin/sh\nbot --meetstream-api-key Zx8Kq2Lm4Np6Rt8Vb1Cd3Fg5Hj7\n",
    );
    repo
}

#[test]
fn git_diff_piped_finds_added_lines_behind_their_plus() {
    let repo = repo_with_unstaged_secrets();
    let diff = repo.git(&["diff"]) + "\n";
    let lines: Vec<&str> = diff.lines().collect();
    // the real diff: line 7 adds the ENV line, a later line the flag
    assert_eq!(lines[6], format!("+ENV ATTENDEE_API_KEY {TOKEN_KEY}"));
    let flag_line = lines
        .iter()
        .position(|l| l.starts_with("+bot --meetstream-api-key"))
        .expect("flag line")
        + 1;
    let out = keyhound_piped(
        repo.path(),
        &["scan", "--format", "json", "-"],
        diff.as_bytes(),
    );
    let report = json_report(&out, 1);
    assert_eq!(
        located(&report),
        vec![
            at("env-secret", 7, 23),
            at("env-secret", flag_line as u64, 27)
        ]
    );
    // the removed `run` line and context lines are not what the diff adds: nothing else
    let human = keyhound_piped(repo.path(), &["scan", "-"], diff.as_bytes());
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(
        text.contains(
            "note: standard input read as a unified diff (2 hunks): only its added (+) lines and \
             the text outside hunks were scanned"
        ),
        "{text}"
    );
}

#[test]
fn a_key_the_diff_removes_is_not_reported_one_it_adds_is() {
    let repo = TestRepo::new();
    repo.write("a.env", &format!("MEETSO_API_KEY={LIVE_KEY}\n"));
    repo.commit_all("add", "Ana", "2025-01-01T10:00:00+00:00");
    repo.write("a.env", "MEETSO_API_KEY=\n");
    repo.commit_all("remove the key", "Ana", "2025-01-02T10:00:00+00:00");
    let removal = repo.git(&["log", "-p", "-1"]) + "\n";
    let out = keyhound_piped(
        repo.path(),
        &["scan", "--format", "json", "-"],
        removal.as_bytes(),
    );
    assert_eq!(located(&json_report(&out, 0)), vec![]);
    // the whole log: the first commit's diff adds it
    let log = repo.git(&["log", "-p", "--reverse"]) + "\n";
    let add_line = log
        .lines()
        .position(|l| l == format!("+MEETSO_API_KEY={LIVE_KEY}"))
        .expect("added line")
        + 1;
    let out = keyhound_piped(
        repo.path(),
        &["scan", "--format", "json", "-"],
        log.as_bytes(),
    );
    assert_eq!(
        located(&json_report(&out, 1)),
        vec![at("meetso-live-key", add_line as u64, 17)]
    );
}

#[test]
fn a_long_stream_is_scanned_in_segments_without_loss_or_doubles() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut input = String::new();
    let mut expected = Vec::new();
    for line in 1..=60_000u64 {
        if line % 1_009 == 0 {
            input.push_str(&format!("{line} token={LIVE_KEY}\n"));
            expected.push(at(
                "meetso-live-key",
                line,
                line.to_string().len() as u64 + 8,
            ));
        } else {
            input.push_str(&format!("{line} INFO request served in 3ms\n"));
        }
    }
    assert!(input.len() > 1_500_000);
    let out = keyhound_piped(
        dir.path(),
        &["scan", "--format", "json", "--max-file-size", "64KiB", "-"],
        input.as_bytes(),
    );
    let report = json_report(&out, 1);
    assert_eq!(located(&report), expected);
    assert_eq!(report["stats"]["bytes"], input.len() as u64);
}

#[test]
fn stdin_is_scanned_alone_and_never_with_git_modes() {
    let repo = TestRepo::new();
    for (args, message) in [
        (
            vec!["scan", "-", "other"],
            "keyhound: error: `-` (standard input) is scanned alone: give no other target and no --repos-file",
        ),
        (
            vec!["scan", ".", "-"],
            "keyhound: error: `-` (standard input) is scanned alone: give no other target and no --repos-file",
        ),
        (
            vec!["scan", "--staged", "-"],
            "keyhound: error: --staged needs a repository; `-` scans standard input (pipe `git diff` into it instead)",
        ),
    ] {
        let out = keyhound_piped(repo.path(), &args, b"x\n");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
}

#[test]
fn config_and_keyhoundignore_come_from_the_current_directory() {
    let dir = tempfile::tempdir().expect("tmp");
    let input = format!("MEETSO_API_KEY={LIVE_KEY}\n");
    std::fs::write(dir.path().join(".keyhoundignore"), "<stdin>\n").expect("write");
    let out = keyhound_piped(
        dir.path(),
        &["scan", "--format", "json", "-"],
        input.as_bytes(),
    );
    assert_eq!(located(&json_report(&out, 0)), vec![]);
}
