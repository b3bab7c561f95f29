//! Adversarial inputs for the detector: megabyte lines full of keys or of bare keywords, CR-only
//! line endings, allow markers far away on a long line. The work counters of
//! [`Detector::scan_with_work`] must grow linearly with the input.

use super::*;
use crate::rules::RuleSet;

fn detector() -> Detector {
    Detector::new(&RuleSet::builtin().expect("rules")).expect("detector")
}

/// `n` distinct generated (fake) Meetso live keys on one line, each 41 bytes and followed by
/// a space. Keys the detector rejects on their own (a rare random one looks like a
/// placeholder) are left out.
fn keys_on_one_line(n: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let d = detector();
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut out = String::with_capacity(n * 42);
    let mut count = 0;
    while count < n {
        let mut key = String::from("mts_live_");
        for _ in 0..32 {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            key.push(ALPHABET[(state >> 33) as usize % ALPHABET.len()] as char);
        }
        if d.scan(key.as_bytes()).len() == 1 {
            out.push_str(&key);
            out.push(' ');
            count += 1;
        }
    }
    out
}

/// Every keyword spelling of the built-in rules, over and over, with no secret anywhere.
fn keywords_on_one_line(repeats: usize) -> String {
    "secret authorization bearer basic ms_ mts_live_ mts_test_ zoom webhook deepgram meetso attendee meetstream "
        .repeat(repeats)
}

/// Asserts that each counter of the 4× input is at most `5×` that of the 1× input.
fn assert_linear(small: Work, large: Work) {
    let pairs = [
        ("line_bytes", small.line_bytes, large.line_bytes),
        ("regex_bytes", small.regex_bytes, large.regex_bytes),
        ("position_bytes", small.position_bytes, large.position_bytes),
        ("overlap_checks", small.overlap_checks, large.overlap_checks),
    ];
    for (what, s, l) in pairs {
        assert!(
            l <= 5 * s.max(1),
            "{what}: {s} for 1x, {l} for 4x (not linear)"
        );
    }
}

#[test]
fn one_line_of_many_keys_is_linear_and_every_key_is_found_with_its_column() {
    let d = detector();
    let (small, small_work) = d.scan_with_work(keys_on_one_line(2_000).as_bytes());
    let text = keys_on_one_line(8_000);
    let (large, large_work) = d.scan_with_work(text.as_bytes());
    assert_eq!(small.len(), 2_000);
    assert_eq!(large.len(), 8_000);
    let last = &large[7_999];
    assert_eq!((last.line, last.column), (1, 7_999 * 42 + 1));
    assert_eq!(last.secret, text[7_999 * 42..7_999 * 42 + 41]);
    assert_linear(small_work, large_work);
    // each byte goes through a regex a bounded number of times
    assert!(
        large_work.regex_bytes <= 8 * text.len() as u64,
        "{large_work:?} for {} bytes",
        text.len()
    );
}

#[test]
fn one_line_of_keywords_without_secrets_is_linear() {
    let d = detector();
    let (small, small_work) = d.scan_with_work(keywords_on_one_line(1_000).as_bytes());
    let text = keywords_on_one_line(4_000);
    let (large, large_work) = d.scan_with_work(text.as_bytes());
    assert!(small.is_empty() && large.is_empty(), "{large:?}");
    assert_linear(small_work, large_work);
    assert!(
        large_work.line_bytes <= 4 * text.len() as u64,
        "{large_work:?} for {} bytes",
        text.len()
    );
}

#[test]
fn many_overlapping_candidates_resolve_in_log_time_each() {
    // Every key is matched by its own rule and, inside `Authorization: Bearer`, by the
    // bearer rule too: overlap resolution sees two candidates per key.
    let d = detector();
    let line = |n: usize| {
        keys_on_one_line(n)
            .split(' ')
            .filter(|k| !k.is_empty())
            .map(|k| format!("\"Authorization: Bearer {k}\" "))
            .collect::<String>()
    };
    let (small, small_work) = d.scan_with_work(line(1_000).as_bytes());
    let (large, large_work) = d.scan_with_work(line(4_000).as_bytes());
    assert_eq!((small.len(), large.len()), (1_000, 4_000));
    assert!(large
        .iter()
        .all(|m| d.rules()[m.rule].id == "meetso-live-key"));
    assert_linear(small_work, large_work);
}

#[test]
fn cr_only_line_endings_are_line_breaks() {
    let d = detector();
    let keys = keys_on_one_line(2);
    let mut keys = keys.split(' ');
    let (a, b) = (
        keys.next().unwrap_or_default(),
        keys.next().unwrap_or_default(),
    );
    let text = format!("first\rsecond\r\nkey = {a}\rthird\r  other {b}\r");
    let m = d.scan(text.as_bytes());
    let positions: Vec<(u32, u32)> = m.iter().map(|m| (m.line, m.column)).collect();
    assert_eq!(positions, vec![(3, 7), (5, 9)]);
    // `^` of a multi-line pattern holds after a lone `\r` too
    let docker = "FROM x\rENV ZOOM_CLIENT_SECRET Hd7Fs3Gj9Kl2Qw5Er8Ty1Ui4Op6As0Dz\r";
    let m = d.scan(docker.as_bytes());
    assert_eq!(m.len(), 1, "{m:?}");
    assert_eq!(m[0].line, 2);
}

#[test]
fn an_allow_marker_counts_only_on_the_lines_a_match_touches() {
    let d = detector();
    let keys = keys_on_one_line(3);
    let long = format!("{keys} # keyhound:allow\n{keys}\n");
    let m = d.scan(long.as_bytes());
    assert_eq!(m.len(), 3, "only the second line's keys: {m:?}");
    assert!(m.iter().all(|m| m.line == 2));
    let crlf = format!("{keys}\r\n# keyhound:allow\r{keys}\r");
    assert_eq!(d.scan(crlf.as_bytes()).len(), 6);
}
