//! Text encodings of scanned files: UTF-16 (PowerShell 5 writes it by default) and UTF-32,
//! with or without a byte-order mark, are decoded before detection in every source (files,
//! history, the index), and findings carry the decoded text's line numbers.

mod common;
use common::*;
use serde_json::Value;

/// `text` in UTF-16LE with a BOM, as PowerShell 5's `Set-Content -Encoding Unicode`, `>` or
/// `Out-File` writes it.
fn powershell(text: &str) -> Vec<u8> {
    let mut out = vec![0xFF, 0xFE];
    out.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    out
}

fn env_text(key: &str) -> String {
    format!("# written by PowerShell\r\nAPP_ENV=production\r\nMEETSO_KEY={key}\r\n")
}

fn keys(report: &Value) -> Vec<(String, String, u64, String)> {
    finding_keys(report)
        .into_iter()
        .map(|(rule, path, line, source, _)| (rule, path, line, source))
        .collect()
}

fn key(rule: &str, path: &str, line: u64, source: &str) -> (String, String, u64, String) {
    (rule.into(), path.into(), line, source.into())
}

#[test]
fn a_powershell_utf16_env_file_is_decoded_in_files_history_and_the_index() {
    let repo = TestRepo::new();
    repo.write("README.md", "docs\n");
    std::fs::write(repo.path().join(".env"), powershell(&env_text(LIVE_KEY))).expect("write");
    let commit = repo.commit_all("env", "Ana", "2025-01-01T10:00:00+00:00");
    let out = repo.keyhound(&["scan", "--no-history", "--format", "json"]);
    let report = json_report(&out, 1);
    assert_eq!(
        keys(&report),
        vec![
            key("dotenv-committed", ".env", 1, "worktree"),
            key("meetso-live-key", ".env", 3, "worktree"),
        ]
    );
    assert_eq!(report["stats"]["skipped_binary"], 0);
    // history: the committed blob, decoded, at the commit that added it
    let out = repo.keyhound(&["scan", "--history-only", "--format", "json"]);
    let found = finding_keys(&json_report(&out, 1));
    assert!(
        found.contains(&(
            "meetso-live-key".into(),
            ".env".into(),
            3,
            "history".into(),
            Some(commit.clone())
        )),
        "{found:?}"
    );
    // the index: a second key staged on a new fourth line is the one added line
    let changed = format!("{}OTHER_KEY={LIVE_KEY_2}\r\n", env_text(LIVE_KEY));
    std::fs::write(repo.path().join(".env"), powershell(&changed)).expect("write");
    repo.git(&["add", ".env"]);
    let out = repo.keyhound(&["scan", "--staged", "--format", "json"]);
    let found = keys(&json_report(&out, 1));
    assert!(
        found.contains(&key("meetso-live-key", ".env", 4, "staged")),
        "{found:?}"
    );
    assert!(
        !found.iter().any(|k| k.0 == "meetso-live-key" && k.2 == 3),
        "{found:?}"
    );
}

#[test]
fn a_utf16_env_file_without_a_rule_match_is_still_audited_as_an_env_file() {
    let repo = TestRepo::new();
    let text = "APP_ENV=production\r\nDB_PASSWORD=Zq8vLk2mWx9T\r\n";
    std::fs::write(repo.path().join(".env"), powershell(text)).expect("write");
    repo.commit_all("env", "Ana", "2025-01-01T10:00:00+00:00");
    let out = repo.keyhound(&["gitignore-doctor", "--format", "json"]);
    let report = json_report(&out, 1);
    let findings = report["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0]["rule"], "dotenv-committed");
    assert_eq!(findings[0]["severity"], "high", "{:?}", findings[0]);
    let detail = findings[0]["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("DB_PASSWORD"), "{detail}");
}

#[test]
fn utf16be_utf32_bomless_utf16_and_utf8_bom_files_report_the_decoded_line() {
    let body = format!("first\nsecond\nMEETSO = \"{LIVE_KEY}\"\n");
    let mut be = vec![0xFE, 0xFF];
    be.extend(body.encode_utf16().flat_map(u16::to_be_bytes));
    let mut le32 = vec![0xFF, 0xFE, 0, 0];
    le32.extend(body.chars().flat_map(|c| u32::from(c).to_le_bytes()));
    let mut be32 = vec![0, 0, 0xFE, 0xFF];
    be32.extend(body.chars().flat_map(|c| u32::from(c).to_be_bytes()));
    let bomless: Vec<u8> = body.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let mut utf8 = b"\xEF\xBB\xBF".to_vec();
    utf8.extend(body.as_bytes());
    let dir = dir_with(&[]);
    for (name, data) in [
        ("be.txt", be),
        ("le32.txt", le32),
        ("be32.txt", be32),
        ("bomless.txt", bomless),
        ("utf8.txt", utf8),
    ] {
        std::fs::write(dir.path().join(name), data).expect("write");
    }
    let out = keyhound_in(dir.path(), &["scan", "--format", "json", "."]);
    let report = json_report(&out, 1);
    let found: Vec<(String, u64, u64)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let path = f["path"].as_str().unwrap_or_default().to_string();
            (
                path,
                f["line"].as_u64().unwrap_or(0),
                f["column"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    let at = |p: &str| (p.to_string(), 3, 11);
    assert_eq!(
        found,
        vec![
            at("be.txt"),
            at("be32.txt"),
            at("bomless.txt"),
            at("le32.txt"),
            at("utf8.txt")
        ]
    );
}
