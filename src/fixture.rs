//! Test fixtures for local servers: a credential in a test-data directory (`tests/data/`,
//! `testdata/`, `__fixtures__/`) of a file that talks to a server on this machine
//! (`localhost`, `127.0.0.1`, curl's test-suite `%HOSTIP`) is a fixture for a local test
//! server, not a production key. Such findings are still reported, capped at low severity
//! and saying why. The source finds the local address in the scanned content
//! ([`local_host`]); the scan applies the policy once every finding has its path
//! ([`cap_local_fixtures`]).

use crate::finding::{Finding, Severity};

/// Addresses of a server on this machine as test files write them, each with the spellings
/// searched. `%HOSTIP` is the variable curl's test suite (`tests/data/test*`) substitutes
/// with the test server's address.
const LOCAL_HOSTS: &[(&str, &[&str])] = &[
    ("%HOSTIP", &["%HOSTIP"]),
    ("localhost", &["localhost", "LOCALHOST", "Localhost"]),
    ("127.0.0.1", &["127.0.0.1"]),
    ("[::1]", &["[::1]"]),
    ("0.0.0.0", &["0.0.0.0"]),
];

/// Directories whose files are test data, as `/`-separated runs of path components
/// (matched case-insensitively anywhere in a path, never against the file name).
const TEST_DATA_DIRS: &[&str] = &[
    "tests/data",
    "test/data",
    "testdata",
    "test/fixtures",
    "tests/fixtures",
    "__fixtures__",
    "spec/fixtures",
];

/// The first of [`LOCAL_HOSTS`] `text` names as a whole address (`127.0.0.1:8990`,
/// `http://localhost/`, `Host: %HOSTIP`; not `10.0.0.0` nor `notlocalhost`), if any.
pub fn local_host(text: &[u8]) -> Option<&'static str> {
    LOCAL_HOSTS
        .iter()
        .find(|(_, spellings)| spellings.iter().any(|s| names_address(text, s.as_bytes())))
        .map(|(host, _)| *host)
}

/// Whether `needle` occurs in `text` as a whole address, not inside a longer name or number.
fn names_address(text: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find_iter(text, needle).any(|at| {
        let before = at.checked_sub(1).map(|i| text[i]);
        let after = text.get(at + needle.len()).copied();
        !before.is_some_and(continues_address) && !after.is_some_and(continues_address)
    })
}

/// A byte that would make an address part of a longer name or number.
fn continues_address(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'.' || b == b'_'
}

/// Whether `path` (`/`-separated, relative to the scan root) is in a test-data directory.
pub fn is_test_data_path(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let dirs = match lower.rsplit_once('/') {
        Some((dirs, _file)) => format!("/{dirs}/"),
        None => return false,
    };
    TEST_DATA_DIRS
        .iter()
        .any(|d| dirs.contains(&format!("/{d}/")))
}

/// Caps at low the severity of each finding in a test-data directory whose file talks to a
/// local server, and says so in its detail.
pub fn cap_local_fixtures(findings: &mut [Finding]) {
    for f in findings.iter_mut() {
        let Some(host) = f.local_server.filter(|_| is_test_data_path(&f.path)) else {
            continue;
        };
        f.severity = f.severity.min(Severity::Low);
        let note = format!("test fixture for a local server (the file talks to {host})");
        f.detail = Some(match f.detail.take() {
            Some(d) => format!("{d}; {note}"),
            None => note,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_addresses_are_found_as_whole_addresses() {
        for (text, host) in [
            (
                "GET /1 HTTP/1.1\r\nHost: %HOSTIP:%HTTPPORT\r\n",
                Some("%HOSTIP"),
            ),
            (
                "base_url = \"http://localhost:8080/api\"",
                Some("localhost"),
            ),
            (
                "base_url = \"http://LOCALHOST:8080/api\"",
                Some("localhost"),
            ),
            ("server: 127.0.0.1:9000", Some("127.0.0.1")),
            ("curl http://[::1]:3000/", Some("[::1]")),
            ("listen 0.0.0.0:80", Some("0.0.0.0")),
            ("route 10.0.0.0/8 via vpn", None),
            ("ip 127.0.0.10", None),
            ("notlocalhost.example.com", None),
            ("https://api.meetso.ai/public/v1", None),
        ] {
            assert_eq!(local_host(text.as_bytes()), host, "{text}");
        }
    }

    #[test]
    fn test_data_directories_are_recognised_at_any_depth() {
        for path in [
            "tests/data/test1234",
            "curl/tests/data/test1",
            "pkg/client/testdata/auth.json",
            "test/fixtures/headers.txt",
            "src/__fixtures__/meetstream.json",
            "spec/fixtures/vcr/attendee.yml",
            "Tests/Data/x.txt",
        ] {
            assert!(is_test_data_path(path), "{path}");
        }
        for path in [
            "tests/data",
            "testdata",
            "src/config.py",
            "tests/test_client.py",
            "docs/testdata.md",
            "mytests/data/x",
        ] {
            assert!(!is_test_data_path(path), "{path}");
        }
    }
}
