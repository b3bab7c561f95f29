//! One deadline covers a whole verify/revoke request: hostile servers on 127.0.0.1 that
//! drip an answer one byte at a time (the body after prompt headers, or the headers
//! themselves) must not keep `--timeout 2` alive past it, and an endless body is read only up
//! to the cap. Every key here is generated and fake.

use keyhound::remediate::http::{authorization, Endpoint, HttpClient, Request, MAX_BODY};
use keyhound::rules::AuthScheme;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const KEY: &str = "mts_live_Wd3hT8qLx2Nc7Vb1Zr5Kp9Mf4Gs6Ja0Ye";

/// What a hostile server sends after reading the request head.
#[derive(Clone, Copy)]
enum Drip {
    /// Prompt headers announcing a large body, then one body byte every 200 ms.
    Body,
    /// The status line and headers themselves, one byte every 200 ms.
    Headers,
    /// Prompt headers, then an endless body as fast as the socket takes it.
    Flood,
}

/// Serves every connection on a fresh 127.0.0.1 port with `drip`, in background threads
/// that end when the client goes away (or after a minute). Returns `host:port`.
fn hostile_server(drip: Drip) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let addr = listener.local_addr().expect("addr").to_string();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || serve(stream, drip));
        }
    });
    addr
}

fn serve(mut stream: TcpStream, drip: Drip) {
    let started = Instant::now();
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let headers =
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n\r\n";
    let step = Duration::from_millis(200);
    let alive = |r: std::io::Result<()>| r.is_ok() && started.elapsed() < Duration::from_secs(60);
    match drip {
        Drip::Body | Drip::Flood => {
            if stream.write_all(headers.as_bytes()).is_err() {
                return;
            }
            let chunk = [b' '; 16 * 1024];
            loop {
                let sent = match drip {
                    Drip::Flood => stream.write_all(&chunk),
                    _ => stream.write_all(b" ").and_then(|()| stream.flush()),
                };
                if !alive(sent) {
                    return;
                }
                if matches!(drip, Drip::Body) {
                    std::thread::sleep(step);
                }
            }
        }
        Drip::Headers => {
            for b in headers.bytes().cycle() {
                // Never finish the head: repeat the header lines, never the blank line.
                let b = if b == b'\r' || b == b'\n' { b'X' } else { b };
                if !alive(stream.write_all(&[b]).and_then(|()| stream.flush())) {
                    return;
                }
                std::thread::sleep(step);
            }
        }
    }
}

/// `keyhound verify --provider meetso --timeout 2` against `host`, and how long it took.
fn verify_against(dir: &Path, host: &str) -> (Output, Duration) {
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_keyhound"))
        .args([
            "verify",
            "--key-env",
            "K",
            "--provider",
            "meetso",
            "--timeout",
            "2",
        ])
        .arg("--endpoint")
        .arg(format!("meetso=http://{host}"))
        .arg("--audit-log")
        .arg(dir.join("audit.jsonl"))
        .env("K", KEY)
        .env("NO_COLOR", "1")
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("keyhound runs");
    (out, started.elapsed())
}

fn assert_times_out(drip: Drip) {
    let host = hostile_server(drip);
    let dir = tempfile::tempdir().expect("dir");
    let (out, took) = verify_against(dir.path(), &host);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    assert!(took < Duration::from_millis(3500), "took {took:?}");
    assert!(took >= Duration::from_secs(2), "took {took:?}");
    assert_eq!(
        stdout.trim_end(),
        format!(
            "unknown: Meetso key mts_live_Wd…Ye (sha256 {}): no answer: no complete answer from {host} within 2s",
            keyhound::finding::Secret::new(KEY.into()).sha256()
        )
    );
    assert!(!stdout.contains(KEY));
}

#[test]
fn a_body_dripped_one_byte_at_a_time_ends_at_the_deadline() {
    assert_times_out(Drip::Body);
}

#[test]
fn headers_dripped_one_byte_at_a_time_end_at_the_deadline() {
    assert_times_out(Drip::Headers);
}

#[test]
fn an_endless_body_is_read_only_up_to_the_cap() {
    let host = hostile_server(Drip::Flood);
    let endpoint = Endpoint::parse(&format!("http://{host}")).expect("endpoint");
    let client = HttpClient::new(Duration::from_secs(10)).expect("client");
    let request = Request {
        method: reqwest::Method::GET,
        url: endpoint.join("/public/v1/meetings?limit=1").expect("url"),
        authorization: authorization(AuthScheme::Bearer, KEY).expect("header"),
        body: None,
    };
    let started = Instant::now();
    let answer = client.send(&endpoint, &request).expect("an answer");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body.len(), MAX_BODY);
    assert!(answer.body.bytes().all(|b| b == b' '));
}
