//! Verify, revoke and the audit log against a real HTTP server on 127.0.0.1 (the mock in
//! `mock_provider`, implementing Meetso, Attendee and MeetStream semantics, a proxy and a
//! redirecting portal). Every key here is generated and fake.

mod common;
mod mock_provider;

use common::*;
use keyhound::finding::Secret;
use keyhound::remediate::ratelimit::{Backoff, VirtualClock, Window};
use keyhound::remediate::verify::verify_fresh;
use keyhound::remediate::{Session, SessionOptions, Status};
use keyhound::rules::RuleSet;
use mock_provider::{Behavior, Echo, Flavor, Mock};
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

const K_LIVE: &str = "mts_live_FKvfAdUhEnyJzCgaN0IOTHcvIOm8Wr0M";
const K_SCOPE: &str = "mts_live_ekxqTbJpaYJl6FaJWgaopTiPKs9TOv1Z";
const K_DEAD: &str = "mts_live_CpWeCyarH04SRL66ADzwqAdH1rcUgWHi";
const K_NEW: &str = "mts_live_jtpY8gTvzt1QbnXbdbl91ylampg5LZFg";
const K_OTHER: &str = "mts_live_1WErJib14X7iSzqHhgOi3niOKug9N71F";
const TOKEN: &str = "23aba29e13f4269565bb8276dcf68f0495f85f1d";
const ALL_KEYS: &[&str] = &[K_LIVE, K_SCOPE, K_DEAD, K_NEW, K_OTHER, TOKEN];

/// Runs keyhound in `dir` with extra environment variables and, optionally, stdin text
/// (otherwise stdin is an empty pipe: never a terminal).
fn kh(dir: &Path, args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_keyhound"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("XDG_STATE_HOME", state_home(dir))
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("keyhound runs");
    let mut input = child.stdin.take().expect("stdin");
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).expect("write stdin");
    }
    drop(input);
    child.wait_with_output().expect("keyhound finishes")
}

/// The state home given to keyhound runs in `dir`: outside the scanned tree (as a user's
/// `~/.local/state` is), under cargo's scratch directory for integration tests so that no
/// run leaves directories in the system temp dir.
fn state_home(dir: &Path) -> PathBuf {
    let name = dir.file_name().map(|n| n.to_string_lossy().into_owned());
    Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{}.state", name.unwrap_or_default()))
}

/// The default audit log of keyhound runs in `dir`.
fn default_audit(dir: &Path) -> PathBuf {
    state_home(dir).join("keyhound/audit.jsonl")
}

/// `keyhound verify --key-env K --endpoint ENDPOINT EXTRA…` with `K` holding `key`.
fn verify_at(dir: &Path, endpoint: &str, key: &str, extra: &[&str]) -> Output {
    let mut a = vec!["verify", "--key-env", "K", "--endpoint", endpoint];
    a.extend_from_slice(extra);
    kh(dir, &a, &[("K", key)], None)
}

/// `keyhound scan . --format json FLAGS…` with every provider sent to `m`: the output and
/// the report, after checking the exit code.
fn scan_against(dir: &Path, m: &Mock, flags: &[&str], expected: i32) -> (Output, Value) {
    let ep = endpoints(m);
    let fixed: Vec<&str> = ["scan", ".", "--format", "json"]
        .into_iter()
        .chain(flags.iter().copied())
        .collect();
    let out = kh(dir, &args(&fixed, &ep), &[], None);
    let report = json_report(&out, expected);
    (out, report)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn code(o: &Output, expected: i32) {
    assert_eq!(
        o.status.code(),
        Some(expected),
        "stdout: {}\nstderr: {}",
        stdout(o),
        stderr(o)
    );
}

/// `--endpoint` arguments sending all three providers to `m`.
fn endpoints(m: &Mock) -> Vec<String> {
    vec![
        "--endpoint".into(),
        format!("meetso={}", m.url()),
        "--endpoint".into(),
        format!("attendee={}", m.url()),
        "--endpoint".into(),
        format!("meetstream={}/api/v1", m.url()),
    ]
}

fn args<'a>(fixed: &[&'a str], extra: &'a [String]) -> Vec<&'a str> {
    fixed
        .iter()
        .copied()
        .chain(extra.iter().map(String::as_str))
        .collect()
}

/// Asserts that no plaintext key occurs in the outputs or files.
fn assert_no_plaintext(outputs: &[&Output], files: &[&Path]) {
    let mut texts: Vec<(String, String)> = outputs
        .iter()
        .flat_map(|o| [("stdout".into(), stdout(o)), ("stderr".into(), stderr(o))])
        .collect();
    for f in files {
        texts.push((
            f.display().to_string(),
            std::fs::read_to_string(f).unwrap_or_default(),
        ));
    }
    for (name, text) in &texts {
        for key in ALL_KEYS {
            assert!(!text.contains(key), "plaintext key in {name}:\n{text}");
        }
    }
}

fn audit_lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .expect("audit log exists")
        .lines()
        .map(|l| serde_json::from_str(l).expect("audit line is JSON"))
        .collect()
}

/// (action, rule, provider, secret_sha256, endpoint, http_status, outcome) of an audit line.
type AuditKey = (String, String, String, String, String, Option<u64>, String);

fn audit_key(v: &Value) -> AuditKey {
    let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
    (
        s("action"),
        s("rule"),
        s("provider"),
        s("secret_sha256"),
        s("endpoint"),
        v["http_status"].as_u64(),
        s("outcome"),
    )
}

/// One expected audit line: (action, rule, provider, key, http_status, outcome).
type Row<'a> = (&'a str, &'a str, &'a str, &'a str, Option<u64>, &'a str);

/// The audit keys of `rows`, all at `m`'s host.
fn expect_audit(m: &Mock, rows: &[Row<'_>]) -> Vec<AuditKey> {
    rows.iter()
        .map(|&(action, rule, provider, key, status, outcome)| {
            let s = |x: &str| x.to_string();
            let h = m.host();
            (
                s(action),
                s(rule),
                s(provider),
                sha256(key),
                h,
                status,
                s(outcome),
            )
        })
        .collect()
}

/// (status, http_status, provider) of a secret's verification.
fn verdict(report: &Value, key: &str) -> (String, Option<u64>, String) {
    let v = &secret_entry(report, key)["verification"];
    (
        v["status"].as_str().unwrap_or_default().into(),
        v["http_status"].as_u64(),
        v["provider"].as_str().unwrap_or_default().into(),
    )
}

fn hits_for(m: &Mock, key: &str) -> Vec<String> {
    m.hits()
        .iter()
        .filter(|h| h.key() == Some(key))
        .map(|h| format!("{} {}", h.method, h.target))
        .collect()
}

/// A directory holding every kind of key the verify tests need.
fn leaky_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let write = |rel: &str, text: String| {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    };
    write(".env", format!("MEETSO_API_KEY={K_LIVE}\n"));
    write(
        "scripts/sync.sh",
        format!("curl -H \"Authorization: Bearer {K_LIVE}\" https://api.meetso.ai/public/v1/meetings\nexport MEETSO_KEY={K_SCOPE}\n"),
    );
    write("config/old.env", format!("MEETSO_API_KEY={K_DEAD}\n"));
    write(
        "app/client.py",
        format!("import requests\nheaders = {{\"Authorization\": \"Token {TOKEN}\"}}\n"),
    );
    dir
}

/// The provider API with the keys of [`leaky_dir`]: live, live without scope, dead, and a
/// Token key that Attendee (not MeetStream) accepts.
fn leaky_mock() -> Mock {
    let m = Mock::start(Flavor::Api);
    m.key("meetso", K_LIVE, Behavior::Live);
    m.key("meetso", K_SCOPE, Behavior::ScopeMissing);
    m.key("meetso", K_DEAD, Behavior::Dead);
    m.key("attendee", TOKEN, Behavior::Live);
    m
}

#[test]
fn nothing_is_sent_without_the_flags() {
    let m = Mock::start(Flavor::Api);
    m.key("meetso", K_LIVE, Behavior::Live);
    m.key("attendee", TOKEN, Behavior::Live);
    let repo = TestRepo::new();
    repo.write(".env", &format!("MEETSO_API_KEY={K_LIVE}\n"));
    repo.write(
        "app/client.py",
        &format!("headers = {{\"Authorization\": \"Token {TOKEN}\"}}\n"),
    );
    // Even a config that points every provider at the server sends nothing by itself.
    repo.write(
        ".keyhound.toml",
        &format!(
            "[endpoints]\nmeetso = \"{0}\"\nattendee = \"{0}\"\nmeetstream = \"{0}/api/v1\"\n",
            m.url()
        ),
    );
    repo.commit_all("leak", "Alice", "2025-03-01T09:00:00+00:00");
    let report = repo.path().join("report.json");
    for a in [
        vec!["scan"],
        vec!["scan", "--format", "json", "-o", "report.json"],
        vec!["scan", "--format", "checklist"],
        vec!["scan", "--no-history", "--format", "sarif"],
    ] {
        code(&kh(repo.path(), &a, &[], None), 1);
    }
    let report = report.to_str().expect("utf-8 path");
    code(&kh(repo.path(), &["checklist", report], &[], None), 0);
    assert_eq!(m.hits().len(), 0, "requests were sent without --verify");
    assert!(!repo.path().join(".keyhound").exists(), "audit dir created");
    assert!(!state_home(repo.path()).exists(), "audit dir created");
}

#[test]
fn scan_verify_reads_each_answer_right_and_checks_each_secret_once() {
    let m = leaky_mock();
    let dir = leaky_dir();
    let (out, report) = scan_against(dir.path(), &m, &["--verify"], 1);
    let v = |k| verdict(&report, k);
    assert_eq!(v(K_LIVE), ("live".into(), Some(200), "meetso".into()));
    assert_eq!(v(K_SCOPE), ("live".into(), Some(403), "meetso".into()));
    assert_eq!(v(K_DEAD), ("dead".into(), Some(401), "meetso".into()));
    assert_eq!(v(TOKEN), ("live".into(), Some(200), "attendee".into()));
    let detail = |k| {
        secret_entry(&report, k)["verification"]["detail"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(
        detail(K_SCOPE),
        "Meetso recognised the key (HTTP 403 scope_missing)"
    );
    assert_eq!(
        detail(K_DEAD),
        "Meetso rejected the key as invalid (HTTP 401 invalid_key)"
    );
    assert_eq!(
        detail(TOKEN),
        "Attendee accepted the key (HTTP 200) (tried first: MeetStream: dead (HTTP 401))"
    );
    // K_LIVE appears in two files and was asked about once; the Token key without context
    // was tried with MeetStream, then Attendee.
    assert_eq!(secret_entry(&report, K_LIVE)["locations"], 2);
    assert_eq!(
        hits_for(&m, K_LIVE),
        vec!["GET /public/v1/meetings?limit=1"]
    );
    assert_eq!(hits_for(&m, K_SCOPE).len(), 1);
    assert_eq!(hits_for(&m, K_DEAD).len(), 1);
    assert_eq!(
        hits_for(&m, TOKEN),
        vec![
            "GET /api/v1/bots/00000000-0000-0000-0000-000000000000/status",
            "GET /api/v1/bots"
        ]
    );
    assert_eq!(m.hits().len(), 5);
    let bearer = m
        .hits()
        .iter()
        .filter(|h| h.key() == Some(K_LIVE))
        .map(|h| h.authorization.clone())
        .collect::<Vec<_>>();
    assert_eq!(bearer, vec![Some(format!("Bearer {K_LIVE}"))]);
    // The audit log, at its default place, private, one line per request.
    let audit = default_audit(dir.path());
    let mut lines: Vec<AuditKey> = audit_lines(&audit).iter().map(audit_key).collect();
    lines.sort();
    let mut want = expect_audit(
        &m,
        &[
            (
                "verify",
                "meetso-live-key",
                "meetso",
                K_LIVE,
                Some(200),
                "live",
            ),
            (
                "verify",
                "meetso-live-key",
                "meetso",
                K_SCOPE,
                Some(403),
                "live",
            ),
            (
                "verify",
                "meetso-live-key",
                "meetso",
                K_DEAD,
                Some(401),
                "dead",
            ),
            (
                "verify",
                "authorization-token",
                "meetstream",
                TOKEN,
                Some(401),
                "dead",
            ),
            (
                "verify",
                "authorization-token",
                "attendee",
                TOKEN,
                Some(200),
                "live",
            ),
        ],
    );
    want.sort();
    assert_eq!(lines, want);
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&audit)
        .expect("audit")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    assert_no_plaintext(&[&out], &[&audit]);
}

#[test]
fn the_human_report_shows_each_verdict() {
    let m = leaky_mock();
    let dir = leaky_dir();
    let out = kh(
        dir.path(),
        &args(&["scan", ".", "--verify"], &endpoints(&m)),
        &[],
        None,
    );
    let human = stdout(&out);
    assert!(human.contains("verified LIVE: "), "{human}");
    assert!(human.contains("verified dead: "), "{human}");
    assert!(!human.contains(K_LIVE), "plaintext leaked: {human}");
}

#[test]
fn a_token_key_rejected_by_every_candidate_is_unknown_not_dead() {
    let m = Mock::start(Flavor::Api);
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(
        dir.path().join("client.py"),
        format!("headers = {{\"Authorization\": \"Token {TOKEN}\"}}\n"),
    )
    .expect("write");
    let (_, report) = scan_against(dir.path(), &m, &["--verify"], 1);
    assert_eq!(
        verdict(&report, TOKEN),
        ("unknown".into(), None, "meetstream, attendee".into())
    );
    assert_eq!(
        secret_entry(&report, TOKEN)["verification"]["detail"],
        "provider unknown; rejected by every candidate (MeetStream: dead (HTTP 401); Attendee: dead (HTTP 401)): not a live key for any of them, but it may be live with another service"
    );
}

#[test]
fn a_proxy_403_html_page_or_a_redirect_is_unknown_never_live() {
    let dir = tempfile::tempdir().expect("dir");
    let proxy = Mock::start(Flavor::Proxy);
    let ep = format!("meetso={}", proxy.url());
    let out = verify_at(dir.path(), &ep, K_LIVE, &[]);
    code(&out, 2);
    assert_eq!(
        stdout(&out),
        format!(
            "unknown: Meetso key mts_live_FK…0M (sha256 {}): HTTP 403, text/html body is not an answer Meetso gives about keys (a proxy, CDN or changed API?): cannot tell\n",
            sha256(K_LIVE)
        )
    );
    let portal = Mock::start(Flavor::Redirect);
    let ep = format!("meetso={}", portal.url());
    let out = verify_at(dir.path(), &ep, K_LIVE, &[]);
    code(&out, 2);
    assert!(
        stdout(&out).ends_with(
            "HTTP 302: a redirect to 127.0.0.1, not followed; it says nothing about the key\n"
        ),
        "{}",
        stdout(&out)
    );
    let targets: Vec<String> = portal.hits().iter().map(|h| h.target.clone()).collect();
    assert_eq!(
        targets,
        vec!["/public/v1/meetings?limit=1"],
        "redirect followed"
    );
    assert_no_plaintext(&[&out], &[&default_audit(dir.path())]);
}

#[test]
fn meetso_401_unauthorized_from_a_misdeclared_verifier_is_unknown_not_dead() {
    // A user's provider override that sends `Token` instead of `Bearer`: Meetso answers
    // 401 unauthorized, which is about the request, not the key.
    let m = Mock::start(Flavor::Api);
    m.key("meetso", K_LIVE, Behavior::Live);
    let dir = tempfile::tempdir().expect("dir");
    let cfg = dir.path().join("kh.toml");
    std::fs::write(
        &cfg,
        format!(
            "[endpoints]\nmeetso = \"{}\"\n\n[[provider]]\nid = \"meetso\"\nname = \"Meetso\"\napi_base = \"https://api.meetso.ai\"\n\n[provider.verify]\nmethod = \"GET\"\npath = \"/public/v1/meetings?limit=1\"\nauth = \"token\"\nlive = [{{ status = 200, json_pointer = \"\" }}]\ndead = [{{ status = 401, json_pointer = \"/error/code\", equals = \"invalid_key\" }}]\n",
            m.url()
        ),
    )
    .expect("config");
    let cfg = cfg.to_str().expect("utf-8");
    let out = kh(
        dir.path(),
        &["verify", "--key-env", "K", "--config", cfg],
        &[("K", K_LIVE)],
        None,
    );
    code(&out, 2);
    assert!(
        stdout(&out).ends_with("HTTP 401 unauthorized is not an answer Meetso gives about keys (a proxy, CDN or changed API?): cannot tell\n"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        m.hits()[0].authorization.as_deref(),
        Some(format!("Token {K_LIVE}").as_str())
    );
}

#[test]
fn verify_command_exit_codes_key_sources_and_provider_detection() {
    let m = Mock::start(Flavor::Api);
    m.key("meetso", K_LIVE, Behavior::Live);
    m.key("meetso", K_DEAD, Behavior::Dead);
    m.key("attendee", TOKEN, Behavior::Live);
    let dir = tempfile::tempdir().expect("dir");
    let ep = endpoints(&m);
    // Provider recognised from the key's format; key from the environment.
    let live = kh(
        dir.path(),
        &args(&["verify", "--key-env", "K"], &ep),
        &[("K", K_LIVE)],
        None,
    );
    code(&live, 0);
    assert_eq!(
        stdout(&live),
        format!(
            "live: Meetso key mts_live_FK…0M (sha256 {}): Meetso accepted the key (HTTP 200)\n",
            sha256(K_LIVE)
        )
    );
    let dead = kh(
        dir.path(),
        &args(&["verify", "--key-env", "K"], &ep),
        &[("K", K_DEAD)],
        None,
    );
    code(&dead, 1);
    assert!(stdout(&dead).starts_with("dead: Meetso key mts_live_Cp…Hi"));
    // Key on stdin, provider given.
    let piped = kh(
        dir.path(),
        &args(&["verify", "--provider", "attendee"], &ep),
        &[],
        Some(&format!("{TOKEN}\n")),
    );
    code(&piped, 0);
    assert!(stdout(&piped).starts_with("live: Attendee key 23…1d"));
    // A bare Token key's provider cannot be told from its format.
    let unknown = kh(dir.path(), &args(&["verify"], &ep), &[], Some(TOKEN));
    code(&unknown, 2);
    assert!(stderr(&unknown).contains("cannot tell which provider 23…1d belongs to"));
    // A key as an argument is refused without being echoed.
    let argv = kh(dir.path(), &args(&["verify", K_LIVE], &ep), &[], None);
    code(&argv, 2);
    assert!(stderr(&argv).contains("never taken as command-line arguments"));
    let none = kh(dir.path(), &args(&["verify"], &ep), &[], None);
    code(&none, 2);
    assert!(
        stderr(&none).contains("no key on stdin"),
        "{}",
        stderr(&none)
    );
    let unset = kh(
        dir.path(),
        &args(&["verify", "--key-env", "NOPE_UNSET"], &ep),
        &[],
        None,
    );
    code(&unset, 2);
    assert!(stderr(&unset).contains("NOPE_UNSET is not set"));
    assert_eq!(
        m.hits().len(),
        3,
        "one request per successful read of a key"
    );
    let audit = default_audit(dir.path());
    assert_eq!(audit_lines(&audit).len(), 3);
    assert_no_plaintext(&[&live, &dead, &piped, &unknown, &argv, &none], &[&audit]);
}

#[test]
fn backoff_retries_429_and_500_then_recovers() {
    let m = Mock::start(Flavor::Api);
    m.key("meetso", K_LIVE, Behavior::RateLimited(1));
    m.key("meetso", K_SCOPE, Behavior::Failing(1));
    let dir = tempfile::tempdir().expect("dir");
    let ep = format!("meetso={}", m.url());
    for key in [K_LIVE, K_SCOPE] {
        let started = Instant::now();
        let out = verify_at(dir.path(), &ep, key, &[]);
        code(&out, 0);
        let waited = started.elapsed();
        assert!(
            waited >= Duration::from_millis(750),
            "no backoff: {waited:?}"
        );
        assert_eq!(hits_for(&m, key).len(), 2, "one retry");
    }
    let first = m.hits()[0].at;
    let second = m.hits()[1].at;
    assert!(second.duration_since(first) >= Duration::from_millis(750));
    let attempts: Vec<u64> = audit_lines(&default_audit(dir.path()))
        .iter()
        .map(|l| l["attempts"].as_u64().unwrap_or_default())
        .collect();
    assert_eq!(attempts, vec![2, 2]);
}

#[test]
fn an_answer_slower_than_the_timeout_is_unknown() {
    let m = Mock::start(Flavor::Api);
    m.key("meetso", K_LIVE, Behavior::Slow(Duration::from_secs(4)));
    let dir = tempfile::tempdir().expect("dir");
    let ep = format!("meetso={}", m.url());
    let started = Instant::now();
    let out = verify_at(dir.path(), &ep, K_LIVE, &["--timeout", "1"]);
    code(&out, 2);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "timeout not applied"
    );
    assert!(
        stdout(&out).ends_with(&format!(
            "no answer: no complete answer from {} within 1s\n",
            m.host()
        )),
        "{}",
        stdout(&out)
    );
    let audit = audit_lines(&default_audit(dir.path()));
    assert_eq!(
        audit_key(&audit[0]),
        expect_audit(
            &m,
            &[("verify", "manual", "meetso", K_LIVE, None, "unknown")]
        )[0]
    );
}

fn revoke_posts(m: &Mock) -> Vec<String> {
    m.hits()
        .iter()
        .filter(|h| h.method == "POST")
        .map(|h| h.body.clone())
        .collect()
}

#[test]
fn revoke_refuses_without_a_verified_replacement_or_confirmation() {
    let m = Mock::start(Flavor::Api);
    m.key("meetso", K_LIVE, Behavior::Live);
    m.key("meetso", K_DEAD, Behavior::Dead);
    let dir = tempfile::tempdir().expect("dir");
    let ep = format!("meetso={}", m.url());
    let base = [
        "revoke",
        "--key-env",
        "OLD",
        "--provider",
        "meetso",
        "--endpoint",
        &ep,
    ];
    let run = |extra: &[&str], env: &[(&str, &str)]| {
        let a: Vec<&str> = base.iter().chain(extra).copied().collect();
        kh(dir.path(), &a, env, None)
    };
    let no_replacement = run(&["--yes"], &[("OLD", K_LIVE)]);
    code(&no_replacement, 2);
    assert!(stdout(&no_replacement).contains("refused: no replacement key verified"));
    let dead_replacement = run(
        &["--replacement-env", "NEW", "--yes"],
        &[("OLD", K_LIVE), ("NEW", K_DEAD)],
    );
    code(&dead_replacement, 2);
    assert!(
        stdout(&dead_replacement).contains("refused: the replacement key in $NEW is not live (dead: Meetso rejected the key as invalid (HTTP 401 invalid_key))"),
        "{}",
        stdout(&dead_replacement)
    );
    let same = run(
        &["--replacement-env", "NEW", "--yes"],
        &[("OLD", K_LIVE), ("NEW", K_LIVE)],
    );
    code(&same, 2);
    assert!(stdout(&same).contains("refused: the replacement in $NEW is this same key"));
    m.key("meetso", K_NEW, Behavior::Live);
    // A verified replacement, but no terminal and no --yes.
    let unconfirmed = run(
        &["--replacement-env", "NEW"],
        &[("OLD", K_LIVE), ("NEW", K_NEW)],
    );
    code(&unconfirmed, 2);
    assert!(stdout(&unconfirmed).contains("refused: no terminal to confirm on: pass --yes"));
    assert!(
        stderr(&unconfirmed).contains(&format!(
            "About to revoke 1 key. Revocation is immediate and final: anything still using it fails on its next request.\n  \
             - Meetso key mts_live_FK…0M (sha256 {}…) at $OLD; replacement $NEW (mts_live_jt…Fg) verified live, Meetso names no account, so it stands in for this key only\n",
            &sha256(K_LIVE)[..12]
        )),
        "{}",
        stderr(&unconfirmed)
    );
    assert_eq!(revoke_posts(&m), Vec::<String>::new(), "a revoke was sent");
    assert_eq!(m.behavior("meetso", K_LIVE), Some(Behavior::Live));
    let audit = default_audit(dir.path());
    let refused = audit_lines(&audit)
        .iter()
        .filter(|l| l["action"] == "revoke" && l["outcome"] == "refused")
        .count();
    assert_eq!(refused, 4);
    assert_no_plaintext(
        &[&no_replacement, &dead_replacement, &same, &unconfirmed],
        &[&audit],
    );
}

#[test]
fn revoke_with_a_live_replacement_revokes_then_reverifies_dead() {
    let m = Mock::start(Flavor::Api);
    m.key("meetso", K_LIVE, Behavior::ScopeMissing);
    m.key("meetso", K_NEW, Behavior::Live);
    let dir = tempfile::tempdir().expect("dir");
    let ep = format!("meetso={}", m.url());
    let audit = dir.path().join("trail/audit.jsonl");
    let audit_arg = audit.to_str().expect("utf-8");
    let out = kh(
        dir.path(),
        &[
            "revoke",
            "--key-env",
            "OLD",
            "--replacement-env",
            "NEW",
            "--yes",
            "--endpoint",
            &ep,
            "--audit-log",
            audit_arg,
        ],
        &[("OLD", K_LIVE), ("NEW", K_NEW)],
        None,
    );
    code(&out, 0);
    assert_eq!(
        stdout(&out),
        "revoke: mts_live_FK…0M (meetso): revoked: revoked (HTTP 200); re-verified: now dead (Meetso rejected the key as invalid (HTTP 401 invalid_key))\n"
    );
    assert_eq!(
        revoke_posts(&m),
        vec![format!("{{\"key_sha256\": \"{}\"}}", sha256(K_LIVE))]
    );
    let sequence: Vec<(String, Option<String>)> = m
        .hits()
        .iter()
        .map(|h| {
            (
                format!("{} {}", h.method, h.target),
                h.key().map(str::to_string),
            )
        })
        .collect();
    let get = "GET /public/v1/meetings?limit=1".to_string();
    assert_eq!(
        sequence,
        vec![
            (get.clone(), Some(K_LIVE.into())),
            (get.clone(), Some(K_NEW.into())),
            ("POST /public/v1/keys/revoke".into(), Some(K_LIVE.into())),
            (get, Some(K_LIVE.into())),
        ]
    );
    let lines: Vec<AuditKey> = audit_lines(&audit).iter().map(audit_key).collect();
    let want = expect_audit(
        &m,
        &[
            ("verify", "manual", "meetso", K_LIVE, Some(403), "live"),
            ("verify", "replacement", "meetso", K_NEW, Some(200), "live"),
            (
                "confirm",
                "manual",
                "meetso",
                K_LIVE,
                None,
                "confirmed_by_flag",
            ),
            ("revoke", "manual", "meetso", K_LIVE, Some(200), "revoked"),
            ("verify", "manual", "meetso", K_LIVE, Some(401), "dead"),
        ],
    );
    assert_eq!(lines, want);
    assert!(!default_audit(dir.path()).exists(), "--audit-log ignored");
    // The revoked key now verifies dead; revoking it again is an idempotent success.
    let again = kh(
        dir.path(),
        &[
            "revoke",
            "--key-env",
            "OLD",
            "--endpoint",
            &ep,
            "--audit-log",
            audit_arg,
        ],
        &[("OLD", K_LIVE)],
        None,
    );
    code(&again, 0);
    assert!(stdout(&again).contains(": already_dead: already dead, nothing to revoke"));
    assert_eq!(revoke_posts(&m).len(), 1, "a dead key was revoked again");
    assert_no_plaintext(&[&out, &again], &[&audit]);
}

#[test]
fn scan_revoke_revokes_live_keys_with_an_api_and_records_it() {
    let m = leaky_mock();
    // Without a replacement: refused, exit 2, facts say so, nothing revoked.
    let dir = leaky_dir();
    let (refused, report) = scan_against(dir.path(), &m, &["--revoke", "--yes"], 2);
    assert_eq!(
        secret_entry(&report, K_LIVE)["revocation"]["status"],
        "refused"
    );
    assert!(revoke_posts(&m).is_empty());
    // --emergency: both live Meetso keys are revoked and re-verified dead; the live Attendee
    // key has no revocation API; the dead key is left alone.
    let (out, report) = scan_against(dir.path(), &m, &["--revoke", "--emergency", "--yes"], 1);
    for key in [K_LIVE, K_SCOPE] {
        let facts = secret_entry(&report, key);
        assert_eq!(facts["revocation"]["status"], "revoked", "{facts}");
        assert_eq!(facts["revocation"]["confirmed_dead"], true);
        assert_eq!(facts["verification"]["status"], "dead");
        assert_eq!(m.behavior("meetso", key), Some(Behavior::Dead));
    }
    assert_eq!(
        secret_entry(&report, TOKEN)["revocation"]["status"],
        "no_api"
    );
    assert!(secret_entry(&report, K_DEAD)["revocation"].is_null());
    assert_eq!(revoke_posts(&m).len(), 2);
    // Per run: verified once (the guard reuses that answer), revoked, re-verified.
    let get = "GET /public/v1/meetings?limit=1";
    assert_eq!(
        hits_for(&m, K_LIVE),
        vec![get, get, "POST /public/v1/keys/revoke", get]
    );
    assert!(stderr(&out).contains("EMERGENCY: the replacement was not required to verify"));
    assert_no_plaintext(&[&refused, &out], &[&default_audit(dir.path())]);
}

#[test]
fn verify_and_revoke_are_refused_with_staged_and_bad_endpoints() {
    let m = Mock::start(Flavor::Api);
    let repo = TestRepo::new();
    repo.write("a.txt", "x\n");
    repo.commit_all("init", "Alice", "2025-03-01T09:00:00+00:00");
    for flag in ["--verify", "--revoke"] {
        let out = repo.keyhound(&["scan", "--staged", flag]);
        code(&out, 2);
        assert!(stderr(&out).contains("--staged"), "{}", stderr(&out));
    }
    let dir = tempfile::tempdir().expect("dir");
    let cases = [
        (
            vec!["--endpoint", "meetso=http://api.meetso.example"],
            "refusing plain http:// to api.meetso.example",
        ),
        (
            vec!["--endpoint", "nope=https://x.example"],
            "unknown provider `nope`",
        ),
        (vec!["--endpoint", "meetso"], "expected PROVIDER=URL"),
        (
            vec!["--endpoint", "meetso=https://u:pw@x.example"],
            "credentials in endpoint URLs are not allowed",
        ),
    ];
    for (extra, message) in cases {
        let a: Vec<&str> = ["verify", "--key-env", "K"]
            .into_iter()
            .chain(extra)
            .collect();
        let out = kh(dir.path(), &a, &[("K", K_LIVE)], None);
        code(&out, 2);
        assert!(stderr(&out).contains(message), "{}", stderr(&out));
        assert!(!stderr(&out).contains("pw@"));
    }
    assert!(m.hits().is_empty());
}

// --- Library-level: the limiter and backoff against the real server ---

fn meetso_session(m: &Mock) -> Session {
    let set = RuleSet::builtin().expect("rules");
    let opts = SessionOptions {
        endpoints: [("meetso".to_string(), m.url())].into_iter().collect(),
        ..SessionOptions::default()
    };
    Session::new(&set.providers, &opts).expect("session")
}

#[test]
fn rate_limiter_keeps_the_server_within_meetso_limits() {
    let m = Mock::start(Flavor::Api);
    m.key("meetso", K_LIVE, Behavior::Live);
    let mut session = meetso_session(&m);
    let secret = Secret::new(K_LIVE.into());
    let started = Instant::now();
    for _ in 0..25 {
        let v = verify_fresh(&mut session, "meetso", "meetso-live-key", &secret).expect("verify");
        assert_eq!(v.status, Status::Live, "{}", v.detail);
    }
    assert_eq!(m.violations(), Vec::<String>::new());
    assert_eq!(m.hits().len(), 25);
    // The burst is used, never exceeded; 25 requests at 10/s need two full windows.
    assert_eq!(m.max_in_window(K_LIVE, Duration::from_secs(1)), 10);
    assert!(started.elapsed() >= Duration::from_secs(2));
}

#[test]
fn rate_limiter_keeps_both_windows_the_stricter_wins() {
    // Meetso's shape scaled down so the sustained window is reached in a test: 3 per 200 ms
    // burst AND 6 per second sustained; the server counts the same windows.
    let limits = vec![(3, Duration::from_millis(200)), (6, Duration::from_secs(1))];
    let m = Mock::with_limits(Flavor::Api, limits.clone());
    m.key("meetso", K_LIVE, Behavior::Live);
    let windows = limits
        .iter()
        .map(|&(max, period)| Window {
            max: max as u32,
            period,
        })
        .collect();
    let mut session = meetso_session(&m).with_rate_limit("meetso", windows);
    let secret = Secret::new(K_LIVE.into());
    let started = Instant::now();
    for _ in 0..14 {
        let v = verify_fresh(&mut session, "meetso", "r", &secret).expect("verify");
        assert_eq!(v.status, Status::Live, "{}", v.detail);
    }
    assert_eq!(m.violations(), Vec::<String>::new());
    assert_eq!(m.max_in_window(K_LIVE, Duration::from_secs(1)), 6);
    assert!(m.max_in_window(K_LIVE, Duration::from_millis(200)) <= 3);
    // 14 requests at 6 per second: the sustained window, not the burst, sets the pace.
    assert!(started.elapsed() >= Duration::from_secs(2));
}

#[test]
fn persistent_500s_back_off_1_2_4_seconds_then_give_up_as_unknown() {
    let m = Mock::start(Flavor::Api);
    m.key("meetso", K_LIVE, Behavior::Failing(100));
    let clock = Arc::new(VirtualClock::new(
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_741_078_800),
    ));
    let backoff = Backoff::new(
        vec![
            Duration::from_secs(1),
            Duration::from_secs(2),
            Duration::from_secs(4),
        ],
        0.25,
        fastrand::Rng::with_seed(42),
    );
    let mut session = meetso_session(&m).with_clock(clock.clone(), backoff);
    let started = Instant::now();
    let v = verify_fresh(&mut session, "meetso", "r", &Secret::new(K_LIVE.into())).expect("verify");
    assert!(started.elapsed() < Duration::from_secs(2), "slept for real");
    assert_eq!(v.status, Status::Unknown);
    assert_eq!(v.http_status, Some(500));
    assert_eq!(
        v.detail,
        "Meetso had a server error (HTTP 500 internal_error) after 3 retries"
    );
    // Checked at the injected clock's time: 1 + 2 + 4 s (±25 %) after 09:00:00.
    assert!(
        v.checked_at.starts_with("2025-03-04T09:00:0"),
        "{}",
        v.checked_at
    );
    assert_eq!(m.hits().len(), 4, "1 try + 3 retries");
    let sleeps = clock.sleeps();
    assert_eq!(sleeps.len(), 3);
    for (d, base) in sleeps.iter().zip([1.0, 2.0, 4.0]) {
        let s = d.as_secs_f64();
        assert!(s >= base * 0.75 && s <= base * 1.25, "{s} vs {base}");
    }
}

/// A repository leaking `K_LIVE` in `.env`, committed.
fn repo_leaking_live_key(m: &Mock) -> TestRepo {
    m.key("meetso", K_LIVE, Behavior::Live);
    let repo = TestRepo::new();
    repo.write(".env", &format!("MEETSO_API_KEY={K_LIVE}\n"));
    repo
}

#[cfg(unix)]
#[test]
fn a_committed_audit_log_symlink_is_never_followed_nor_chmodded() {
    use std::os::unix::fs::PermissionsExt;
    let m = Mock::start(Flavor::Api);
    let repo = repo_leaking_live_key(&m);
    let outside = tempfile::tempdir().expect("dir");
    let bashrc = outside.path().join("bashrc");
    std::fs::write(&bashrc, "# startup file\n").expect("target");
    std::fs::set_permissions(&bashrc, std::fs::Permissions::from_mode(0o644)).expect("mode");
    std::fs::create_dir(repo.path().join(".keyhound")).expect("dir");
    std::os::unix::fs::symlink(&bashrc, repo.path().join(".keyhound/audit.jsonl"))
        .expect("symlink");
    repo.commit_all("leak", "Alice", "2025-03-01T09:00:00+00:00");
    let ep = endpoints(&m);
    let untouched = |what: &str| {
        assert_eq!(
            std::fs::read_to_string(&bashrc).expect("target"),
            "# startup file\n",
            "{what}"
        );
        let mode = std::fs::metadata(&bashrc)
            .expect("target")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o644, "{what}");
    };
    // The default log is in the user's state dir, not the tree's `.keyhound/`.
    let out = kh(
        repo.path(),
        &args(&["scan", ".", "--verify"], &ep),
        &[],
        None,
    );
    code(&out, 1);
    untouched("default audit log");
    assert_eq!(audit_lines(&default_audit(repo.path())).len(), 1);
    // Named explicitly, the symlink is refused before anything is sent.
    let hits = m.hits().len();
    let refused = |log: &Path, message: &str| {
        let log = log.to_str().expect("utf-8");
        let out = kh(
            repo.path(),
            &args(&["scan", ".", "--verify", "--audit-log", log], &ep),
            &[],
            None,
        );
        code(&out, 2);
        assert!(stderr(&out).contains(message), "{}", stderr(&out));
    };
    let link = repo.path().join(".keyhound/audit.jsonl");
    refused(
        &link,
        &format!(
            "audit log {}: is a symlink: refusing to follow it",
            link.display()
        ),
    );
    untouched("explicit symlink");
    // A symlinked directory on the way is refused too.
    let linked_dir = repo.path().join("state");
    std::os::unix::fs::symlink(outside.path(), &linked_dir).expect("symlink");
    refused(
        &linked_dir.join("bashrc"),
        &format!(
            "{} is a symlink: refusing to follow it",
            linked_dir.display()
        ),
    );
    untouched("symlinked directory");
    assert_eq!(
        m.hits().len(),
        hits,
        "sent before the audit log was refused"
    );
}

#[cfg(unix)]
#[test]
fn an_existing_audit_log_keeps_its_mode() {
    use std::os::unix::fs::PermissionsExt;
    let m = Mock::start(Flavor::Api);
    let repo = repo_leaking_live_key(&m);
    repo.commit_all("leak", "Alice", "2025-03-01T09:00:00+00:00");
    let log = tempfile::tempdir().expect("dir");
    let file = log.path().join("audit.jsonl");
    std::fs::write(&file, "").expect("log");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).expect("mode");
    let path = file.to_str().expect("utf-8");
    let ep = endpoints(&m);
    let out = kh(
        repo.path(),
        &args(&["scan", ".", "--verify", "--audit-log", path], &ep),
        &[],
        None,
    );
    code(&out, 1);
    assert_eq!(audit_lines(&file).len(), 1);
    let mode = std::fs::metadata(&file).expect("log").permissions().mode();
    assert_eq!(mode & 0o777, 0o640);
}

#[test]
fn a_scanned_repository_config_cannot_choose_where_keys_are_sent() {
    let m = Mock::start(Flavor::Api);
    let repo = repo_leaking_live_key(&m);
    let hostile = [
        (
            format!(
                "[[provider]]\nid = \"meetso\"\nname = \"Meetso\"\napi_base = \"{}\"\n\n[provider.verify]\nmethod = \"GET\"\npath = \"/public/v1/meetings?limit=1\"\nauth = \"bearer\"\nlive = [{{ status = 200, json_pointer = \"\" }}]\ndead = [{{ status = 401, json_pointer = \"\" }}]\n",
                m.url()
            ),
            "[[provider]] id = \"meetso\" (line 2)",
        ),
        (
            format!("\n[endpoints]\nmeetso = \"{}\"\n", m.url()),
            "[endpoints] meetso (line 3)",
        ),
        (
            "[[rule]]\nid = \"anything\"\ndescription = \"d\"\nseverity = \"high\"\nprovider = \"meetso\"\nkeywords = [\"=\"]\npatterns = ['=(?P<secret>\\S+)']\n".to_string(),
            "[[rule]] id = \"anything\" with a provider (line 2)",
        ),
    ];
    for (config, entry) in hostile {
        repo.write(".keyhound.toml", &config);
        repo.commit_all("config", "Alice", "2025-03-01T09:00:00+00:00");
        let out = kh(repo.path(), &["scan", ".", "--verify"], &[], None);
        code(&out, 2);
        let err = stderr(&out);
        assert!(
            err.contains("./.keyhound.toml is the scanned repository's config and may not decide where keys are sent")
                && err.contains(entry),
            "{err}"
        );
        assert_eq!(m.hits().len(), 0, "sent to the repository's host: {config}");
        // Scanning without --verify still works with the same config.
        code(&kh(repo.path(), &["scan", "."], &[], None), 1);
    }
    // Given explicitly with --config, the same file is the user's choice.
    let out = kh(
        repo.path(),
        &[
            "scan",
            ".",
            "--verify",
            "--config",
            ".keyhound.toml",
            "--endpoint",
            &format!("meetso={}", m.url()),
        ],
        &[],
        None,
    );
    code(&out, 1);
    assert_eq!(hits_for(&m, K_LIVE).len(), 1);
}

// --- One verified replacement per provider account ---

const K_A1: &str = "mts_live_OWHzMiDs3tcYxMOxs7ca7kAPQZe8xzaj";
const K_A2: &str = "mts_live_Cu8vMDtFM5OHT2rl57T7lYatOP8GI9RT";
const K_B1: &str = "mts_live_wmQl7S0xyNntDqllvcFdQIMLrXOIZ0pI";
const K_NEW_A: &str = "mts_live_i2vGtpUPt9ogFkF8FlKIrKx7MvtkeUgk";
const K_NEW_B: &str = "mts_live_mV3ZAcmkkaKfroTOKMuUGP9vJ1wFfLO5";

/// A rules file replacing the built-in Meetso provider with one whose verify answer names
/// the account (`account = "/org_id"`, as the mock's live answer does for registered keys).
fn account_rules(dir: &Path) -> PathBuf {
    let builtin =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/meetso.toml"))
            .expect("rules/meetso.toml");
    let start = builtin.find("[[provider]]").expect("provider");
    let end = builtin.find("[[rule]]").expect("rule");
    let provider = builtin[start..end].replace(
        "[provider.verify]\n",
        "[provider.verify]\naccount = \"/org_id\"\n",
    );
    assert!(provider.contains("account = \"/org_id\""));
    let path = dir.join("accounts.toml");
    std::fs::write(&path, provider).expect("write rules");
    path
}

/// A directory leaking two keys of Meetso account `org_a` and one of `org_b`, and a mock
/// where they (and the replacements `K_NEW_A` of `org_a`, `K_NEW_B` of `org_b`) are live.
fn two_accounts() -> (tempfile::TempDir, Mock) {
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(dir.path().join(".env"), format!("MEETSO_API_KEY={K_A1}\n")).expect("w");
    std::fs::write(
        dir.path().join("a.sh"),
        format!("export MEETSO_KEY={K_A2}\n"),
    )
    .expect("w");
    std::fs::write(dir.path().join("b.env"), format!("MEETSO_API_KEY={K_B1}\n")).expect("w");
    let m = Mock::start(Flavor::Api);
    for (key, org) in [
        (K_A1, "org_a"),
        (K_A2, "org_a"),
        (K_NEW_A, "org_a"),
        (K_B1, "org_b"),
        (K_NEW_B, "org_b"),
    ] {
        m.key("meetso", key, Behavior::Live);
        m.account("meetso", key, org);
    }
    (dir, m)
}

/// `scan . --format json --revoke --yes --rules RULES` with `--replacement-env` for each
/// (variable, key) of `replacements`; the output and the report.
fn scan_revoke(
    dir: &Path,
    m: &Mock,
    rules: Option<&Path>,
    replacements: &[(&str, &str)],
    expected: i32,
) -> (Output, Value) {
    let ep = endpoints(m);
    let mut a: Vec<String> = ["scan", ".", "--format", "json", "--revoke", "--yes"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    if let Some(rules) = rules {
        a.extend(["--rules".to_string(), rules.display().to_string()]);
    }
    for (var, _) in replacements {
        a.extend(["--replacement-env".to_string(), var.to_string()]);
    }
    a.extend(ep);
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let out = kh(dir, &a, replacements, None);
    let report = json_report(&out, expected);
    (out, report)
}

fn revocation(report: &Value, key: &str) -> (String, String) {
    let r = &secret_entry(report, key)["revocation"];
    (
        r["status"].as_str().unwrap_or_default().to_string(),
        r["detail"].as_str().unwrap_or_default().to_string(),
    )
}

/// The keys listed for confirmation (the `  - ` lines of stderr), sorted.
fn listed(out: &Output) -> Vec<String> {
    let mut lines: Vec<String> = stderr(out)
        .lines()
        .filter_map(|l| l.strip_prefix("  - "))
        .map(str::to_string)
        .collect();
    lines.sort();
    lines
}

fn listed_line(key: &str, place: &str, replacement: &str) -> String {
    let s = Secret::new(key.into());
    format!(
        "Meetso key {} (sha256 {}…) at {place}; replacement {replacement}",
        s.redacted(),
        &s.sha256()[..12]
    )
}

#[test]
fn one_replacement_revokes_only_the_keys_of_its_own_account() {
    let (dir, m) = two_accounts();
    let rules = account_rules(dir.path());
    let (out, report) = scan_revoke(dir.path(), &m, Some(&rules), &[("NEW", K_NEW_A)], 2);
    for key in [K_A1, K_A2] {
        let (status, _) = revocation(&report, key);
        assert_eq!(status, "revoked", "{key}");
        assert_eq!(m.behavior("meetso", key), Some(Behavior::Dead));
    }
    assert_eq!(
        secret_entry(&report, K_B1)["verification"]["account"],
        "org_b"
    );
    assert_eq!(
        revocation(&report, K_B1),
        (
            "refused".to_string(),
            "$NEW is live but belongs to Meetso account `org_a`, not `org_b`: pass --replacement-env with a live key of account `org_b`".to_string()
        )
    );
    assert_eq!(m.behavior("meetso", K_B1), Some(Behavior::Live));
    let mut posted = revoke_posts(&m);
    posted.sort();
    let mut want: Vec<String> = [K_A1, K_A2]
        .iter()
        .map(|k| format!("{{\"key_sha256\": \"{}\"}}", sha256(k)))
        .collect();
    want.sort();
    assert_eq!(posted, want);
    // The confirmation lists exactly the two keys of org_a, each with its replacement.
    let rep = "$NEW (mts_live_i2…gk) verified live, same Meetso account `org_a`";
    let mut expected = vec![
        listed_line(K_A1, ".env:1", rep),
        listed_line(K_A2, "a.sh:1", rep),
    ];
    expected.sort();
    assert_eq!(listed(&out), expected);
    assert!(
        stderr(&out).contains("About to revoke 2 keys."),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("Not in this list: 1 other key"));
    // The audit log holds the listing and how it was confirmed.
    let audit = audit_lines(&default_audit(dir.path()));
    let mut confirmed: Vec<(String, String, String)> = audit
        .iter()
        .filter(|l| l["action"] == "confirm")
        .map(|l| {
            (
                l["secret_sha256"].as_str().unwrap_or_default().to_string(),
                l["outcome"].as_str().unwrap_or_default().to_string(),
                l["detail"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    confirmed.sort();
    let mut want: Vec<(String, String, String)> = [(K_A1, ".env:1"), (K_A2, "a.sh:1")]
        .iter()
        .map(|(k, place)| {
            (
                sha256(k),
                "confirmed_by_flag".to_string(),
                format!("listed for revocation: {}", listed_line(k, place, rep)),
            )
        })
        .collect();
    want.sort();
    assert_eq!(confirmed, want);
    assert_no_plaintext(&[&out], &[&default_audit(dir.path())]);
}

#[test]
fn a_replacement_per_account_revokes_every_account() {
    let (dir, m) = two_accounts();
    let rules = account_rules(dir.path());
    let (out, report) = scan_revoke(
        dir.path(),
        &m,
        Some(&rules),
        &[("NEW", K_NEW_A), ("NEW_B", K_NEW_B)],
        1,
    );
    for key in [K_A1, K_A2, K_B1] {
        assert_eq!(revocation(&report, key).0, "revoked", "{key}");
    }
    assert!(listed(&out).contains(&listed_line(
        K_B1,
        "b.env:1",
        "$NEW_B (mts_live_mV…O5) verified live, same Meetso account `org_b`"
    )));
    assert_eq!(revoke_posts(&m).len(), 3);
}

#[test]
fn without_named_accounts_each_key_needs_its_own_replacement() {
    let m = leaky_mock();
    m.key("meetso", K_NEW, Behavior::Live);
    let dir = leaky_dir();
    let (out, report) = scan_revoke(dir.path(), &m, None, &[("NEW", K_NEW)], 2);
    let mut outcomes = vec![revocation(&report, K_LIVE), revocation(&report, K_SCOPE)];
    outcomes.sort();
    assert_eq!(outcomes[0].0, "refused", "{outcomes:?}");
    assert_eq!(
        outcomes[0].1,
        "$NEW already stands in for another key whose account Meetso does not name; each such key needs a replacement of its own"
    );
    assert_eq!(outcomes[1].0, "revoked", "{outcomes:?}");
    assert_eq!(revoke_posts(&m).len(), 1);
    assert_eq!(listed(&out).len(), 1, "{}", stderr(&out));
    assert!(listed(&out)[0].ends_with(
        "; replacement $NEW (mts_live_jt…Fg) verified live, Meetso names no account, so it stands in for this key only"
    ));
}

#[test]
fn a_replacement_that_is_itself_a_leaked_key_is_refused() {
    let m = leaky_mock();
    let dir = leaky_dir();
    let (out, report) = scan_revoke(dir.path(), &m, None, &[("NEW", K_SCOPE)], 2);
    assert_eq!(
        revocation(&report, K_LIVE),
        (
            "refused".to_string(),
            "the replacement in $NEW is itself one of the keys to revoke (mts_live_ek…1Z at scripts/sync.sh:2)".to_string()
        )
    );
    assert_eq!(
        revocation(&report, K_SCOPE),
        (
            "refused".to_string(),
            "the replacement in $NEW is this same key".to_string()
        )
    );
    assert!(revoke_posts(&m).is_empty());
    assert!(listed(&out).is_empty());
}

#[test]
fn an_echoed_key_is_scrubbed_from_the_whole_answer_before_it_is_cut() {
    let m = Mock::start(Flavor::Api);
    // 60 + 41 characters: the old 80-character cut went through the middle of the key, so
    // the scrub that came after it no longer recognised the fragment.
    m.key("meetso", K_LIVE, Behavior::Echo(Echo::Padded(60)));
    m.key("meetso", K_SCOPE, Behavior::Echo(Echo::Padded(120)));
    m.key("meetso", K_OTHER, Behavior::Echo(Echo::Base64));
    let odd = "k3y+with/slash=and=pad0123456789abcdef";
    m.key("attendee", odd, Behavior::Echo(Echo::Percent));
    let dir = tempfile::tempdir().expect("dir");
    let meetso = format!("meetso={}", m.url());
    let line = |key: &str, provider: &str, shown: &str| {
        let s = Secret::new(key.into());
        format!(
            "unknown: {provider} key {} (sha256 {}): HTTP 401 {shown} is not an answer {provider} gives about keys (a proxy, CDN or changed API?): cannot tell\n",
            s.redacted(),
            s.sha256()
        )
    };
    let x = |n: usize| "x".repeat(n);
    let cases = [
        (K_LIVE, format!("{}mts_live_FK…0M", x(60))),
        (K_SCOPE, format!("{}…", x(80))),
        (K_OTHER, "echo mts_live_1W…1F".to_string()),
    ];
    let mut outs = Vec::new();
    for (key, shown) in cases {
        let out = verify_at(dir.path(), &meetso, key, &["--provider", "meetso"]);
        code(&out, 2);
        assert_eq!(stdout(&out), line(key, "Meetso", &shown));
        assert!(!stdout(&out).contains(&key[11..20]), "{}", stdout(&out));
        outs.push(out);
    }
    let attendee = format!("attendee={}", m.url());
    let out = verify_at(dir.path(), &attendee, odd, &["--provider", "attendee"]);
    code(&out, 2);
    let r = Secret::new(odd.into()).redacted();
    assert_eq!(
        stdout(&out),
        line(odd, "Attendee", &format!("Invalid token: {r}"))
    );
    assert!(!stdout(&out).contains("slash%3Dand"));
    let audit = std::fs::read_to_string(default_audit(dir.path())).expect("audit");
    for fragment in [&K_LIVE[11..20], "slash%3Dand", "slash=and"] {
        assert!(!audit.contains(fragment), "{fragment} in the audit log");
    }
    outs.push(out);
    assert_no_plaintext(
        &outs.iter().collect::<Vec<_>>(),
        &[&default_audit(dir.path())],
    );
}
