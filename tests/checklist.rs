//! The rotation checklist, checked in full against a golden file: a fixture repository built
//! with the git CLI (fixed identities and dates, a local `origin`), scanned with `--verify`
//! against the mock provider API, saved as JSON, and rendered with `keyhound checklist`.
//! Set `UPDATE_GOLDEN=1` to rewrite the golden file after an intended change.

mod common;
mod mock_provider;

use common::*;
use mock_provider::{Behavior, Flavor, Mock};
use serde_json::Value;
use std::path::Path;

const K_LIVE: &str = "mts_live_FKvfAdUhEnyJzCgaN0IOTHcvIOm8Wr0M";
const K_DEAD: &str = "mts_live_CpWeCyarH04SRL66ADzwqAdH1rcUgWHi";
const TOKEN: &str = "23aba29e13f4269565bb8276dcf68f0495f85f1d";
const HOOK: &str = "Zs1tL8qoqppvfgK3mfu9UlDVt34ipw40";
/// base64 of `jtZs8ZsL3nP1B0I9BUeVZ6:3omeuZ1FToKYD3JUFQuBayleNZKHWDEa` (fake Zoom client).
const ZOOM_BASIC: &str =
    "anRaczhac0wzblAxQjBJOUJVZVZaNjozb21ldVoxRlRvS1lEM0pVRlF1QmF5bGVOWktIV0RFYQ==";
const ZOOM_SECRET: &str = "3omeuZ1FToKYD3JUFQuBayleNZKHWDEa";
const GOLDEN: &str = "tests/golden/checklist.md";

/// A repository whose env files leaked a live Meetso key and a MeetStream webhook secret,
/// were pushed, and were deleted 6h 12m later; code still holds a Token key, a Zoom Basic header
/// and a revoked Meetso key.
fn fixture() -> (TestRepo, tempfile::TempDir) {
    let origin = tempfile::tempdir().expect("origin dir");
    git_in(
        origin.path(),
        &["init", "-q", "--bare"],
        "2025-03-01T08:00:00+00:00",
    );
    let repo = TestRepo::new();
    repo.write("config/.env", &format!("MEETSO_API_KEY={K_LIVE}\n"));
    repo.write(
        "config/webhooks.env",
        &format!("MEETSTREAM_WEBHOOK_SECRET={HOOK}\n"),
    );
    repo.write(
        "app/client.py",
        &format!("import requests\n\nHEADERS = {{\"Authorization\": \"Token {TOKEN}\"}}\n"),
    );
    repo.write(
        "deploy/zoom_token.sh",
        &format!("curl -X POST \"https://zoom.us/oauth/token?grant_type=account_credentials\" \\\n  -H \"Authorization: Basic {ZOOM_BASIC}\"\n"),
    );
    repo.write(
        "scripts/backfill.sh",
        &format!(
            "curl -H \"Authorization: Bearer {K_DEAD}\" https://api.meetso.ai/public/v1/meetings\n"
        ),
    );
    repo.commit_all("Add bot config", "Alice", "2025-03-01T09:00:00+00:00");
    let url = origin.path().to_str().expect("utf-8").to_string();
    repo.git(&["remote", "add", "origin", &url]);
    repo.git(&["push", "-q", "origin", "main"]);
    repo.git(&["rm", "-q", "config/.env", "config/webhooks.env"]);
    repo.write(".gitignore", "*.env\n.env\n");
    repo.commit_all("Remove env files", "Alice", "2025-03-01T15:12:00+00:00");
    repo.git(&["push", "-q", "origin", "main"]);
    (repo, origin)
}

/// Replaces the run-dependent parts of a saved report: check times and the mock's port.
fn normalise(report: &mut Value, port_host: &str) {
    for s in report["secrets"].as_array_mut().expect("secrets") {
        let v = &mut s["verification"];
        if v.is_object() {
            v["checked_at"] = "2025-03-04T09:00:00+00:00".into();
            if v["endpoint"].as_str() == Some(port_host) {
                v["endpoint"] = "127.0.0.1:PORT".into();
            }
        }
    }
}

fn run(dir: &Path, args: &[&str]) -> std::process::Output {
    keyhound_in(dir, args)
}

#[test]
fn checklist_of_a_verified_fixture_repo_matches_the_golden_file() {
    let (repo, _origin) = fixture();
    let m = Mock::start(Flavor::Api);
    m.key("meetso", K_LIVE, Behavior::ScopeMissing);
    m.key("meetso", K_DEAD, Behavior::Dead);
    m.key("attendee", TOKEN, Behavior::Live);
    let (meetso, attendee, meetstream) = (
        format!("meetso={}", m.url()),
        format!("attendee={}", m.url()),
        format!("meetstream={}/api/v1", m.url()),
    );
    let out = run(
        repo.path(),
        &[
            "scan",
            "--verify",
            "--format",
            "json",
            "--endpoint",
            &meetso,
            "--endpoint",
            &attendee,
            "--endpoint",
            &meetstream,
            "--audit-log",
            "../audit.jsonl",
        ],
    );
    let mut report = json_report(&out, 1);
    normalise(&mut report, &m.host());
    let saved = repo.path().join("report.json");
    std::fs::write(&saved, serde_json::to_string_pretty(&report).expect("json")).expect("save");
    let out = run(repo.path(), &["checklist", "report.json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got = String::from_utf8(out.stdout).expect("utf-8");
    for secret in [K_LIVE, K_DEAD, TOKEN, HOOK, ZOOM_SECRET, ZOOM_BASIC] {
        assert!(!got.contains(secret), "plaintext secret in the checklist");
    }
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(GOLDEN, &got).expect("write golden");
    }
    let want = std::fs::read_to_string(GOLDEN).expect("golden file");
    assert_eq!(
        got, want,
        "checklist differs from {GOLDEN} (UPDATE_GOLDEN=1 rewrites it)"
    );
}

#[test]
fn scan_format_checklist_equals_checklist_of_the_saved_report() {
    let (repo, _origin) = fixture();
    let direct = run(repo.path(), &["scan", "--format", "checklist"]);
    assert_eq!(direct.status.code(), Some(1));
    let saved = run(
        repo.path(),
        &["scan", "--format", "json", "-o", "../r.json"],
    );
    assert_eq!(saved.status.code(), Some(1));
    let later = run(repo.path(), &["checklist", "../r.json"]);
    assert_eq!(later.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&direct.stdout),
        String::from_utf8_lossy(&later.stdout)
    );
    let text = String::from_utf8_lossy(&direct.stdout);
    assert!(text.contains("- **Verified:** not checked"), "{text}");
}

#[test]
fn checklist_rejects_what_is_not_a_report() {
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(dir.path().join("x.json"), "{\"version\": 7}").expect("write");
    let out = run(dir.path(), &["checklist", "x.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("report version 7 is not supported"));
    std::fs::write(dir.path().join("y.json"), "not json").expect("write");
    let out = run(dir.path(), &["checklist", "y.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a keyhound JSON report"));
}

#[test]
fn a_committed_env_file_gets_the_gitignore_doctors_fix_and_untrack_commands() {
    let repo = TestRepo::new();
    repo.write(".env", &format!("MEETSO_API_KEY={K_LIVE}\n"));
    repo.write(".gitignore", ".evn\n");
    repo.commit_all("Add config", "Alice", "2025-03-01T09:00:00+00:00");
    let out = run(repo.path(), &["scan", "--format", "checklist"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("- [ ] Fix the ignore rule: change line 1 of .gitignore to `.env` — `.evn` is a typo of `.env` (two letters swapped), so it never matches `.env`.\n"), "{text}");
    assert!(text.contains("- [ ] Stop tracking `.env`: `git rm --cached -- .env && git add -- .gitignore && git commit -m 'Stop tracking .env'`\n"), "{text}");
    assert!(text.contains("--invert-paths --path .env"), "{text}");
}
