//! Credentials in test fixtures for local servers (issue 12 §1): a key in a test-data
//! directory of a file that talks to `localhost`, `127.0.0.1` or curl's `%HOSTIP` is
//! reported at low severity with a note saying why; the same key elsewhere, or in test data
//! that talks to a real host, keeps its rule's severity. Worktree files and history blobs.

mod common;

use common::{dir_with, json_report, keyhound_in, TestRepo, LIVE_KEY, TOKEN_KEY};
use serde_json::Value;

/// (rule, path, line, severity, detail) of every finding, sorted.
fn rows(report: &Value) -> Vec<(String, String, u64, String, String)> {
    let text = |f: &Value, k: &str| f[k].as_str().unwrap_or_default().to_string();
    let mut rows: Vec<_> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let line = f["line"].as_u64().unwrap_or_default();
            let path = text(f, "path");
            (
                text(f, "rule"),
                path,
                line,
                text(f, "severity"),
                text(f, "detail"),
            )
        })
        .collect();
    rows.sort();
    rows
}

/// A curl test-suite case (`tests/data/testNNNN`): the client command and the request the
/// test server must see, both with the token, addressed to `%HOSTIP`.
fn curl_case() -> String {
    format!(
        "<testcase>\n<client>\n<command>\n\
         http://%HOSTIP:%HTTPPORT/api/v1/bots -H \"Authorization: Token {TOKEN_KEY}\"\n\
         </command>\n</client>\n<verify>\n<protocol>\n\
         GET /api/v1/bots HTTP/1.1\nHost: %HOSTIP:%HTTPPORT\n\
         Authorization: Token {TOKEN_KEY}\n\
         </protocol>\n</verify>\n</testcase>\n"
    )
}

fn row(
    rule: &str,
    path: &str,
    line: u64,
    severity: &str,
    detail: &str,
) -> (String, String, u64, String, String) {
    (
        rule.into(),
        path.into(),
        line,
        severity.into(),
        detail.into(),
    )
}

#[test]
fn local_server_fixtures_in_test_data_are_low_and_say_why() {
    let json_fixture =
        format!("{{\"base_url\": \"http://127.0.0.1:8990\", \"key\": \"{LIVE_KEY}\"}}\n");
    let spec_fixture = format!(
        "server: http://localhost:3000\nrequest:\n  headers:\n    Authorization: Token {TOKEN_KEY}\n"
    );
    let dir = dir_with(&[
        ("tests/data/test1234", &curl_case()),
        ("pkg/client/testdata/meetso.json", &json_fixture),
        ("spec/fixtures/attendee.yml", &spec_fixture),
        // the same keys outside test data, and in test data that talks to a real host
        ("src/client.py", &format!("BASE = 'http://localhost:8000'\nheaders = {{'Authorization': 'Token {TOKEN_KEY}'}}\n")),
        ("tests/data/prod.json", &format!("{{\"base_url\": \"https://api.meetso.ai\", \"key\": \"{LIVE_KEY}\"}}\n")),
    ]);
    let report = json_report(
        &keyhound_in(dir.path(), &["scan", ".", "--format", "json"]),
        1,
    );
    let note = |host: &str| format!("test fixture for a local server (the file talks to {host})");
    assert_eq!(
        rows(&report),
        vec![
            row(
                "authorization-token",
                "spec/fixtures/attendee.yml",
                4,
                "low",
                &note("localhost")
            ),
            row("authorization-token", "src/client.py", 2, "high", ""),
            row(
                "authorization-token",
                "tests/data/test1234",
                4,
                "low",
                &note("%HOSTIP")
            ),
            row(
                "authorization-token",
                "tests/data/test1234",
                11,
                "low",
                &note("%HOSTIP")
            ),
            row(
                "meetso-live-key",
                "pkg/client/testdata/meetso.json",
                1,
                "low",
                &note("127.0.0.1")
            ),
            row("meetso-live-key", "tests/data/prod.json", 1, "critical", ""),
        ]
    );
}

/// History blobs are scanned once, without a path, and attributed to paths later: the
/// fixture policy still sees the path each finding is reported at. (History reports a
/// secret once per path, at its first line.)
#[test]
fn a_committed_fixture_is_low_in_history_and_the_same_blob_elsewhere_is_not() {
    let repo = TestRepo::new();
    repo.write("tests/data/test1", &curl_case());
    repo.write("docs/request.txt", &curl_case());
    repo.commit_all("add curl case", "Ana", "2025-01-01T10:00:00+00:00");
    let out = repo.keyhound(&["scan", ".", "--history-only", "--format", "json"]);
    let report = json_report(&out, 1);
    let note = "test fixture for a local server (the file talks to %HOSTIP)";
    assert_eq!(
        rows(&report),
        vec![
            row("authorization-token", "docs/request.txt", 4, "high", ""),
            row("authorization-token", "tests/data/test1", 4, "low", note),
        ]
    );
    assert!(report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .all(|f| f["source"] == "history"));
}
