//! A mock of the Meetso, Attendee and MeetStream APIs on 127.0.0.1, inside the test
//! process, for the remediation tests: hand-rolled HTTP/1.1 (one thread per connection,
//! `Connection: close`), the providers' documented answers, a log of every request, and
//! per-key rate-limit accounting over sliding windows (a request over a limit is recorded as
//! a violation and answered 429). The accept loop stops when the mock is dropped, and after
//! a deadline in any case.
//!
//! Paths served (the `--endpoint` override replaces each provider's API base):
//! - Meetso: `GET /public/v1/meetings?limit=1`, `POST /public/v1/keys/revoke` (Bearer).
//! - Attendee: `GET /api/v1/bots` (Token).
//! - MeetStream: `GET /api/v1/bots/<id>/status` (Token; base `http://127.0.0.1:PORT/api/v1`).

#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The accept loop never outlives this.
const DEADLINE: Duration = Duration::from_secs(240);
/// Longest request head plus body read.
const MAX_REQUEST: usize = 64 * 1024;

/// How a registered key behaves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Behavior {
    /// 200 (Meetso, Attendee) / 404 JSON (MeetStream): valid.
    Live,
    /// Meetso 403 `scope_missing`: valid without the scope.
    ScopeMissing,
    /// Revoked: Meetso 401 `invalid_key`, Attendee 401 "Invalid token.".
    Dead,
    /// The next N requests get 429 `rate_limited`, then Live.
    RateLimited(u32),
    /// The next N requests get 500 `internal_error`, then Live.
    Failing(u32),
    /// Answers 200 after this long.
    Slow(Duration),
    /// Rejects the key, echoing it back in the error (Meetso `error.code`, Attendee `detail`).
    Echo(Echo),
}

/// How a key is echoed back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Echo {
    /// After this many `x`s.
    Padded(usize),
    /// Base64-encoded, after `echo `.
    Base64,
    /// Percent-encoded, after `Invalid token: `.
    Percent,
}

fn echo(form: Echo, key: &str) -> String {
    use base64::Engine as _;
    match form {
        Echo::Padded(n) => format!("{}{key}", "x".repeat(n)),
        Echo::Base64 => format!(
            "echo {}",
            base64::engine::general_purpose::STANDARD.encode(key)
        ),
        Echo::Percent => {
            let encoded: String = key
                .bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                        char::from(b).to_string()
                    }
                    _ => format!("%{b:02X}"),
                })
                .collect();
            format!("Invalid token: {encoded}")
        }
    }
}

/// What the mock pretends to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    /// The providers' APIs.
    Api,
    /// A corporate proxy / CDN: 403 with an HTML page for everything.
    Proxy,
    /// A login redirect: 302 to `/followed` on the same mock for everything else.
    Redirect,
}

/// One request as received.
#[derive(Clone, Debug)]
pub struct Hit {
    /// When it was parsed.
    pub at: Instant,
    /// Method.
    pub method: String,
    /// Request target (path and query).
    pub target: String,
    /// `Authorization` header.
    pub authorization: Option<String>,
    /// Body.
    pub body: String,
}

impl Hit {
    /// The key after `Bearer ` / `Token `.
    pub fn key(&self) -> Option<&str> {
        self.authorization
            .as_deref()
            .and_then(|a| a.split_once(' '))
            .map(|(_, k)| k)
    }
}

#[derive(Default)]
struct State {
    keys: HashMap<(String, String), Behavior>,
    accounts: HashMap<(String, String), String>,
    hits: Vec<Hit>,
    violations: Vec<String>,
    arrivals: HashMap<String, Vec<Instant>>,
}

struct Shared {
    flavor: Flavor,
    limits: Vec<(usize, Duration)>,
    port: u16,
    state: Mutex<State>,
}

/// A running mock.
pub struct Mock {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

/// Meetso's documented limits: 10 per second and 60 per minute, per key.
pub fn meetso_limits() -> Vec<(usize, Duration)> {
    vec![(10, Duration::from_secs(1)), (60, Duration::from_secs(60))]
}

impl Mock {
    /// Starts a mock enforcing Meetso's documented limits.
    pub fn start(flavor: Flavor) -> Mock {
        Mock::with_limits(flavor, meetso_limits())
    }

    /// Starts a mock that enforces `limits` (max, window) per Meetso key.
    pub fn with_limits(flavor: Flavor, limits: Vec<(usize, Duration)>) -> Mock {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        listener.set_nonblocking(true).expect("nonblocking");
        let addr = listener.local_addr().expect("addr");
        let shared = Arc::new(Shared {
            flavor,
            limits,
            port: addr.port(),
            state: Mutex::new(State::default()),
        });
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (shared, stop) = (shared.clone(), stop.clone());
            std::thread::spawn(move || accept_loop(&listener, &shared, &stop))
        };
        Mock {
            addr,
            shared,
            stop,
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `127.0.0.1:PORT`, as the audit log names it.
    pub fn host(&self) -> String {
        self.addr.to_string()
    }

    /// Registers `key` with `provider` (`meetso`, `attendee`, `meetstream`).
    pub fn key(&self, provider: &str, key: &str, behavior: Behavior) {
        self.state()
            .keys
            .insert((provider.to_string(), key.to_string()), behavior);
    }

    /// Puts `key` in `account`: Meetso's live answer then names it as `org_id` (a provider
    /// that tells which account a key belongs to; the built-in Meetso rule reads no account).
    pub fn account(&self, provider: &str, key: &str, account: &str) {
        self.state()
            .accounts
            .insert((provider.to_string(), key.to_string()), account.to_string());
    }

    /// The current behaviour of a key.
    pub fn behavior(&self, provider: &str, key: &str) -> Option<Behavior> {
        self.state()
            .keys
            .get(&(provider.to_string(), key.to_string()))
            .cloned()
    }

    /// Every request so far.
    pub fn hits(&self) -> Vec<Hit> {
        self.state().hits.clone()
    }

    /// Requests that exceeded a rate limit.
    pub fn violations(&self) -> Vec<String> {
        self.state().violations.clone()
    }

    /// The most requests for `key` that arrived within any `period`.
    pub fn max_in_window(&self, key: &str, period: Duration) -> usize {
        let state = self.state();
        let Some(times) = state.arrivals.get(key) else {
            return 0;
        };
        times
            .iter()
            .map(|&end| {
                times
                    .iter()
                    .filter(|&&t| t <= end && end.duration_since(t) < period)
                    .count()
            })
            .max()
            .unwrap_or(0)
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.shared.state.lock().expect("mock state")
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>, stop: &AtomicBool) {
    let started = Instant::now();
    while !stop.load(Ordering::SeqCst) && started.elapsed() < DEADLINE {
        match listener.accept() {
            Ok((stream, _)) => {
                let shared = shared.clone();
                std::thread::spawn(move || serve(stream, &shared));
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(2));
            }
            Err(_) => break,
        }
    }
}

struct Parsed {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Parsed {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn serve(mut stream: TcpStream, shared: &Shared) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let Some(req) = read_request(&mut stream) else {
        return;
    };
    let at = Instant::now();
    let hit = Hit {
        at,
        method: req.method.clone(),
        target: req.target.clone(),
        authorization: req.header("authorization").map(str::to_string),
        body: req.body.clone(),
    };
    shared.state.lock().expect("state").hits.push(hit);
    let (status, content_type, body, extra, delay) = respond(shared, &req, at);
    if let Some(d) = delay {
        std::thread::sleep(d);
    }
    let reason = match status {
        200 => "OK",
        302 => "Found",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        429 => "Too Many Requests",
        _ => "Internal Server Error",
    };
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n{extra}\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body.as_bytes());
    let _ = stream.flush();
}

fn read_request(stream: &mut TcpStream) -> Option<Parsed> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p;
        }
        if buf.len() > MAX_REQUEST {
            return None;
        }
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let (method, target) = (first.next()?.to_string(), first.next()?.to_string());
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    let len: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0)
        .min(MAX_REQUEST);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < len {
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some(Parsed {
        method,
        target,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

type Response = (u16, &'static str, String, String, Option<Duration>);

const JSON: &str = "application/json";

fn json(status: u16, body: &str) -> Response {
    (status, JSON, body.to_string(), String::new(), None)
}

fn meetso_error(status: u16, code: &str) -> Response {
    json(
        status,
        &format!(
            r#"{{"error":{{"code":"{code}","message":"{code} (mock)","request_id":"req_mock"}}}}"#
        ),
    )
}

fn respond(shared: &Shared, req: &Parsed, at: Instant) -> Response {
    match shared.flavor {
        Flavor::Proxy => (
            403,
            "text/html; charset=utf-8",
            "<html><body><h1>403 Forbidden</h1><p>Request blocked by policy.</p></body></html>"
                .into(),
            String::new(),
            None,
        ),
        Flavor::Redirect if req.target != "/followed" => (
            302,
            "text/html",
            String::new(),
            format!("Location: http://127.0.0.1:{}/followed\r\n", shared.port),
            None,
        ),
        Flavor::Redirect => json(200, "{}"),
        Flavor::Api => api(shared, req, at),
    }
}

fn api(shared: &Shared, req: &Parsed, at: Instant) -> Response {
    let path = req.target.as_str();
    if path.starts_with("/public/v1/") {
        return meetso(shared, req, at);
    }
    let Some(key) = req
        .header("authorization")
        .and_then(|a| a.strip_prefix("Token "))
    else {
        return json(
            401,
            r#"{"detail":"Authentication credentials were not provided."}"#,
        );
    };
    let mut state = shared.state.lock().expect("state");
    if req.method == "GET" && path == "/api/v1/bots" {
        return match next_behavior(&mut state, "attendee", key) {
            Some(Behavior::Live) => json(200, r#"{"results":[],"next":null}"#),
            Some(Behavior::Echo(form)) => {
                json(401, &format!(r#"{{"detail":"{}"}}"#, echo(form, key)))
            }
            _ => json(401, r#"{"detail":"Invalid token."}"#),
        };
    }
    if req.method == "GET" && path.starts_with("/api/v1/bots/") && path.ends_with("/status") {
        return match next_behavior(&mut state, "meetstream", key) {
            Some(Behavior::Live) => json(404, r#"{"detail":"Not found."}"#),
            _ => json(401, r#"{"detail":"Invalid API key."}"#),
        };
    }
    json(404, r#"{"detail":"Not found."}"#)
}

/// The behaviour to apply now; counts down `RateLimited`/`Failing` into `Live`.
fn next_behavior(state: &mut State, provider: &str, key: &str) -> Option<Behavior> {
    let entry = state
        .keys
        .get_mut(&(provider.to_string(), key.to_string()))?;
    let now = entry.clone();
    match entry {
        Behavior::RateLimited(0) | Behavior::Failing(0) => {
            *entry = Behavior::Live;
            return Some(Behavior::Live);
        }
        Behavior::RateLimited(n) | Behavior::Failing(n) => *n -= 1,
        _ => {}
    }
    Some(now)
}

fn meetso(shared: &Shared, req: &Parsed, at: Instant) -> Response {
    let Some(key) = req
        .header("authorization")
        .and_then(|a| a.strip_prefix("Bearer "))
        .filter(|k| !k.is_empty())
    else {
        return meetso_error(401, "unauthorized");
    };
    let mut state = shared.state.lock().expect("state");
    if over_limit(shared, &mut state, key, at) {
        return meetso_error(429, "rate_limited");
    }
    match (req.method.as_str(), req.target.as_str()) {
        ("GET", "/public/v1/meetings?limit=1") => match next_behavior(&mut state, "meetso", key) {
            Some(Behavior::Live) => match state.accounts.get(&("meetso".into(), key.into())) {
                Some(org) => json(
                    200,
                    &format!(r#"{{"data":[],"has_more":false,"org_id":"{org}"}}"#),
                ),
                None => json(200, r#"{"data":[],"has_more":false}"#),
            },
            Some(Behavior::ScopeMissing) => meetso_error(403, "scope_missing"),
            Some(Behavior::RateLimited(_)) => meetso_error(429, "rate_limited"),
            Some(Behavior::Failing(_)) => meetso_error(500, "internal_error"),
            Some(Behavior::Slow(d)) => {
                let mut r = json(200, r#"{"data":[],"has_more":false}"#);
                r.4 = Some(d);
                r
            }
            Some(Behavior::Echo(form)) => meetso_error(401, &echo(form, key)),
            Some(Behavior::Dead) | None => meetso_error(401, "invalid_key"),
        },
        ("POST", "/public/v1/keys/revoke") => revoke(&mut state, key, &req.body),
        _ => meetso_error(404, "not_found"),
    }
}

fn revoke(state: &mut State, key: &str, body: &str) -> Response {
    let sent: Option<String> = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v["key_sha256"].as_str().map(str::to_string));
    if sent.as_deref() != Some(sha256(key).as_str()) {
        return meetso_error(400, "invalid_request");
    }
    match state.keys.get_mut(&("meetso".to_string(), key.to_string())) {
        Some(b) if *b != Behavior::Dead => {
            *b = Behavior::Dead;
            json(200, r#"{"revoked":true}"#)
        }
        _ => meetso_error(401, "invalid_key"),
    }
}

/// Records the arrival and reports whether it exceeds a window.
fn over_limit(shared: &Shared, state: &mut State, key: &str, at: Instant) -> bool {
    let times = state.arrivals.entry(key.to_string()).or_default();
    times.push(at);
    let mut over = Vec::new();
    for &(max, period) in &shared.limits {
        let n = times
            .iter()
            .filter(|&&t| at.duration_since(t) < period)
            .count();
        if n > max {
            over.push(format!("{n} requests within {period:?} (max {max})"));
        }
    }
    let violated = !over.is_empty();
    state.violations.extend(over);
    violated
}

fn sha256(s: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
