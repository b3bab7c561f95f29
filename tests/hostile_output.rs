//! Hostile repositories against keyhound's own output: file names, author names and gitignore
//! lines carrying terminal escape sequences, bidi overrides and Markdown syntax must reach the
//! human report, stderr and the checklist as visible, inert text, while JSON keeps the exact
//! original strings.

mod common;

use common::*;

const ESC_NAME: &str = "evil\x1b[31mname\x1b[2K.py";
const BIDI_AUTHOR: &str = "Mallory\u{202e}evil";

/// True when `bytes` holds a raw ESC, CSI (C1) or a bidi override/isolate character.
fn has_raw_hostile(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes);
    text.chars().any(|c| {
        c == '\x1b'
            || c == '\u{9b}'
            || ('\u{202a}'..='\u{202e}').contains(&c)
            || ('\u{2066}'..='\u{2069}').contains(&c)
    })
}

fn hostile_repo() -> TestRepo {
    let repo = TestRepo::new();
    repo.write(ESC_NAME, &format!("MEETSO_KEY = \"{LIVE_KEY}\"\n"));
    repo.commit_all("Add client", BIDI_AUTHOR, "2025-03-01T09:00:00+00:00");
    repo
}

#[test]
fn escape_sequences_in_paths_and_author_names_are_shown_not_executed() {
    let repo = hostile_repo();
    let out = repo.keyhound(&["scan", "--color", "never", "."]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        !has_raw_hostile(&out.stdout),
        "raw control bytes in the report"
    );
    assert!(!has_raw_hostile(&out.stderr), "raw control bytes on stderr");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("evil\\x1b[31mname\\x1b[2K.py"),
        "escaped path missing:\n{text}"
    );
    assert!(
        text.contains("Mallory\\u{202e}evil"),
        "escaped author missing:\n{text}"
    );
}

#[test]
fn json_keeps_the_exact_hostile_strings() {
    let repo = hostile_repo();
    let report = json_report(&repo.keyhound(&["scan", "--format", "json", "."]), 1);
    // one finding per (secret, path): the history one, at the commit that added the file
    let findings = report["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 1, "{report:#}");
    let f = &findings[0];
    assert_eq!(f["path"], ESC_NAME);
    assert_eq!(f["rule"], "meetso-live-key");
    assert_eq!(f["line"], 1);
    assert_eq!(f["source"], "history");
    assert_eq!(f["author"], BIDI_AUTHOR, "{f}");
}

#[test]
fn checklist_renders_hostile_file_names_as_inert_text() {
    let repo = TestRepo::new();
    let name = "x`](https:evil.example)|<b>.py";
    repo.write(name, &format!("MEETSO_KEY = \"{LIVE_KEY}\"\n"));
    repo.write(
        ".env'; touch pwned; '",
        &format!("MEETSO_API_KEY={LIVE_KEY_2}\n"),
    );
    repo.commit_all("Add", "Alice", "2025-03-01T09:00:00+00:00");
    let out = repo.keyhound(&["scan", "--format", "checklist", "."]);
    assert_eq!(out.status.code(), Some(1));
    let md = String::from_utf8_lossy(&out.stdout);
    // the name sits in a code span fenced by more backticks than it holds
    assert!(
        md.contains("``x`](https:evil.example)|<b>.py``"),
        "name not fenced:\n{md}"
    );
    assert_eq!(
        md.matches("`x`](").count(),
        md.matches("``x`](").count(),
        "a single backtick opens the name's code span, which its own backtick closes:\n{md}"
    );
    // a suggested command keeps the hostile name one shell word
    assert!(
        md.contains(r"git rm --cached -- '.env'\''; touch pwned; '\'''"),
        "name not shell-quoted:\n{md}"
    );
    assert!(!md.contains("-- '.env'; touch"), "shell injection:\n{md}");
}
