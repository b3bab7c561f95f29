//! The one placeholder/template filter every rule shares: documentation stand-ins
//! (`YOUR_API_KEY`, `<API_KEY>`, `${VAR}`, `xxxx`, `…`), code references
//! (`os.environ[...]`, `config.api_key`), repeated, sequential and keyboard-walk filler, and
//! low-entropy strings. A scanner that cries wolf gets uninstalled, so every path here has a
//! test; and it must not swallow real random keys, so markers are matched as words.

/// Substrings that never occur in a real key.
const MARKERS: &[&str] = &[
    "xxxx",
    "****",
    "…",
    "...",
    "<",
    ">",
    "{",
    "}",
    "$",
    "%s",
    "%(",
    "%d",
    "(",
    ")",
    "[",
    "]",
    "example",
    "placeholder",
    "changeme",
    "change_me",
    "change-me",
    "redacted",
    "replace",
    "insert",
    "sample",
    "dummy",
    "notreal",
    "not_real",
    "not-real",
    "fakekey",
    "fake_key",
];

/// Words (after splitting on separators and camelCase) that mark a stand-in value.
const WORDS: &[&str] = &[
    "your",
    "my",
    "here",
    "fake",
    "mock",
    "todo",
    "tbd",
    "fixme",
    "none",
    "null",
    "nil",
    "undefined",
    "secret",
    "token",
    "apikey",
    "key",
    "api",
    "value",
    "xxx",
    "abc",
    "foo",
    "bar",
    "baz",
    "test",
    "demo",
    "invalid",
    "sample",
    "example",
    "placeholder",
    "dummy",
    "redacted",
    "changeme",
    "password",
    "passwd",
    "client",
    "id",
];

/// Documentation example values that look random but are published stand-ins.
const KNOWN_EXAMPLES: &[&str] = &[
    // Meetso's documented key example (a keyboard walk).
    "mts_live_aB3xKp9NzQwErTyUiOpAsDfGhJkLmNbVcXz",
    // The signature of jwt.io's example token.
    "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
];

const KEYBOARD_ROWS: &[&str] = &["qwertyuiop", "asdfghjkl", "zxcvbnm", "1234567890"];

/// True when `value` is a documentation placeholder, template or filler rather than a key.
pub fn is_placeholder(value: &str) -> bool {
    is_template(value)
        || has_placeholder_word(value)
        || has_keyboard_walk(&value.to_ascii_lowercase(), 6)
        || is_partial_jwt(value)
}

/// True when `value` is a template or filler nobody would use as a password: a marker
/// (`<…>`, `${…}`, `changeme`), a known example, a run, or nothing but placeholder words
/// (`your_password`, `secret`). Looser than [`is_placeholder`], which also rejects a key
/// with a single placeholder word in it: this one is for values people choose
/// (`POSTGRES_PASSWORD=cuecard-bots-secret` is a real, if weak, password).
pub fn is_template(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    MARKERS.iter().any(|m| lower.contains(m))
        || KNOWN_EXAMPLES.iter().any(|e| value.contains(e))
        || has_repeat_run(value.as_bytes(), 5)
        || has_sequence_run(value.as_bytes(), 5)
        || distinct_chars(value) <= 4
        || only_placeholder_words(value)
}

/// Whether every word of `value` is a placeholder word (and it has one).
fn only_placeholder_words(value: &str) -> bool {
    let mut any = false;
    words(value).all(|w| {
        any = true;
        WORDS.contains(&w.to_ascii_lowercase().as_str())
    }) && any
}

/// A JWT needs a header, a payload and a signature; a lone `eyJ…` header (`{"alg":…}`) is a
/// documentation fragment.
fn is_partial_jwt(value: &str) -> bool {
    value.starts_with("eyJ") && value.matches('.').count() < 2
}

/// True when `value` looks like a reference to something else rather than a literal secret:
/// a variable or constant name (`MEETSTREAM_API_KEY`, `apiKey`), a dotted path
/// (`config.api_key`), or a word. Values with digits are never identifiers except dotted
/// paths, which real keys do not contain with word-like segments.
pub fn looks_like_identifier(value: &str) -> bool {
    let segments: Vec<&str> = value
        .split(['_', '-', '.', '/'])
        .filter(|s| !s.is_empty())
        .collect();
    if segments.is_empty() {
        return true;
    }
    if value.contains('.') && segments.iter().all(|s| is_wordlike(s)) {
        return true;
    }
    if value.bytes().any(|b| b.is_ascii_digit()) {
        return false;
    }
    segments.iter().all(|s| is_wordlike(s))
}

/// A segment that reads like a word: all lowercase, all uppercase, or capitalised/camelCase
/// with long lowercase runs (random base62 switches case every couple of letters).
fn is_wordlike(segment: &str) -> bool {
    let letters = segment.bytes().filter(u8::is_ascii_alphabetic).count();
    if letters == 0 || letters != segment.len() {
        return segment.bytes().all(|b| b.is_ascii_alphanumeric()) && segment.len() <= 4;
    }
    let upper = segment.bytes().filter(u8::is_ascii_uppercase).count();
    upper == 0 || upper == letters || upper * 4 <= letters
}

/// Shannon entropy of `value` in bits per byte.
pub fn entropy(value: &[u8]) -> f64 {
    if value.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in value {
        counts[usize::from(b)] += 1;
    }
    let n = value.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

/// Vendor prefixes whose words (`test`, `live`) are part of real keys.
const VENDOR_PREFIXES: &[&str] = &["mts_live_", "mts_test_", "ms_", "whsec_"];

fn has_placeholder_word(value: &str) -> bool {
    let body = VENDOR_PREFIXES
        .iter()
        .find_map(|p| value.strip_prefix(p))
        .unwrap_or(value);
    words(body).any(|w| WORDS.contains(&w.to_ascii_lowercase().as_str()))
}

/// Splits on non-alphanumerics, digit/letter changes and camelCase humps; returns only
/// words of 2+ letters that are all-lowercase, all-uppercase or Capitalised, because only
/// those read as words (random text fragments rarely do at these lengths).
fn words(value: &str) -> impl Iterator<Item = &str> {
    let bytes = value.as_bytes();
    let mut out = Vec::new();
    let mut start = None::<usize>;
    for i in 0..=bytes.len() {
        let boundary = i == bytes.len() || !bytes[i].is_ascii_alphabetic() || {
            let s = start.unwrap_or(i);
            // A new word starts at an uppercase letter after a lowercase one.
            i > s && bytes[i].is_ascii_uppercase() && bytes[i - 1].is_ascii_lowercase()
        };
        if boundary {
            if let Some(s) = start.take() {
                if i - s >= 2 {
                    out.push(&value[s..i]);
                }
            }
            if i < bytes.len() && bytes[i].is_ascii_alphabetic() {
                start = Some(i);
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    // Standalone words only: a word glued to random characters on both sides is noise.
    out.into_iter()
        .filter(move |w| is_standalone(value, w) && is_wordlike(w))
}

/// A word counts when it is delimited by a non-alphanumeric character or the edge of the
/// value on at least one side, or when it is long enough not to occur by chance.
fn is_standalone(value: &str, word: &str) -> bool {
    let start = word.as_ptr() as usize - value.as_ptr() as usize;
    let end = start + word.len();
    let bytes = value.as_bytes();
    let left = start == 0 || !bytes[start - 1].is_ascii_alphanumeric();
    let right = end == bytes.len() || !bytes[end].is_ascii_alphanumeric();
    (left || right) && (word.len() >= 3 || (left && right))
}

fn has_repeat_run(bytes: &[u8], n: usize) -> bool {
    bytes.windows(n).any(|w| w.iter().all(|&b| b == w[0]))
}

fn has_sequence_run(bytes: &[u8], n: usize) -> bool {
    bytes.windows(n).any(|w| {
        w.iter().all(u8::is_ascii_alphanumeric)
            && (w.windows(2).all(|p| p[1] == p[0].wrapping_add(1))
                || w.windows(2).all(|p| p[1] == p[0].wrapping_sub(1)))
    })
}

fn has_keyboard_walk(lower: &str, n: usize) -> bool {
    lower.as_bytes().windows(n).any(|w| {
        let Ok(w) = std::str::from_utf8(w) else {
            return false;
        };
        let rev: String = w.chars().rev().collect();
        KEYBOARD_ROWS
            .iter()
            .any(|row| row.contains(w) || row.contains(rev.as_str()))
    })
}

fn distinct_chars(value: &str) -> usize {
    let mut seen = [false; 256];
    value.bytes().for_each(|b| seen[usize::from(b)] = true);
    seen.iter().filter(|&&s| s).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    const REAL: &[&str] = &[
        "mts_live_Q7fLr2ZxW9kPm4Tb8NcVy1HdJ6sGa3Ue", // keyhound:allow (generated test key)
        "ms_Hq3ZrT8vLm2XwP9kJd6Ns4Ye1Cb7Fa5G",       // keyhound:allow (generated test key)
        "7c9e2b41d8a65f3e0b1c4d7a9e2f5b8c1d4e7f0a",
        "Kx9vTq2LmZ8rWp4Nc7Yb1Hs6Dj3Fg5Qa",
        "whsec_5XbR2mQ9kLt7Vz3Np8Hw4Jc6Yd1Fg0Sa",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.Qm8rT2xVz9Lp4Kw7Nc3Yb6Hd1Fs5Gj0A",
    ];

    #[test]
    fn real_random_keys_pass_every_filter() {
        for key in REAL {
            assert!(!is_placeholder(key), "{key} flagged as placeholder");
            assert!(!looks_like_identifier(key), "{key} flagged as identifier");
            assert!(entropy(key.as_bytes()) > 3.5, "{key} entropy");
        }
    }

    #[test]
    fn documentation_placeholders_are_caught() {
        for p in [
            "YOUR_API_KEY",
            "YOUR_API_KEY_HERE",
            "your_api_key_here",
            "<API_KEY>",
            "${MEETSTREAM_API_KEY}",
            "{{api_key}}",
            "{api_key}",
            "%s",
            "xxxxxxxxxxxxxxxxxxxxxxxx",
            "************************",
            "mts_live_…",
            "sk_live_...",
            "changeme-changeme-123",
            "my-example-token-123456",
            "dummy_token_1234567890",
            "REDACTED",
            "aaaaaaaaaaaaaaaaaaaaaaaa",
            "abcdefghijklmnopqrstuvwx",
            "1234567890abcdef12345678",
            "mts_live_aB3xKp9NzQwErTyUiOpAsDfGhJkLmNbVcXz",
            "ms_Qwertyuiop1234567890asdfghjklZx",
            "yourApiKeyGoesHere",
            "fake-key-0001-0002-0003",
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9",
        ] {
            assert!(is_placeholder(p), "{p} not caught");
        }
    }

    #[test]
    fn identifiers_are_recognised() {
        for id in [
            "MEETSTREAM_API_KEY",
            "ATTENDEE_API_KEY",
            "config.api_key",
            "self.settings.meetstream_key",
            "apiKey",
            "accessToken",
            "authentication",
            "process.env.ZOOM_CLIENT_SECRET",
            "var.meetstream_api_key",
        ] {
            assert!(looks_like_identifier(id), "{id} not an identifier");
        }
    }

    #[test]
    fn entropy_of_uniform_and_constant_strings() {
        assert_eq!(entropy(b"aaaa"), 0.0);
        assert!((entropy(b"abcd") - 2.0).abs() < 1e-9);
    }
}
