//! The one placeholder/template filter every rule shares: documentation stand-ins
//! (`YOUR_API_KEY`, `<API_KEY>`, `${VAR}`, `xxxx`, `…`), code references
//! (`os.environ[...]`, `config.api_key`), repeated, sequential and keyboard-walk filler, and
//! low-entropy strings. A scanner that cries wolf gets uninstalled, so every path here has a
//! test; and it must not swallow real random keys, so markers are matched as words.

use super::dictionary;

/// Characters and character pairs that never occur in a real key.
const MARKERS: &[&str] = &[
    "****", "…", "...", "<", ">", "{", "}", "$", "%s", "%(", "%d", "(", ")", "[", "]",
];

/// Words that mark a stand-in wherever they occur, when written as a word is (all
/// lowercase, all UPPERCASE or Capitalised): `Dummy` in random base62 is chance, `dummy`
/// and `DUMMY` at these lengths are not.
const WORD_MARKERS: &[&str] = &[
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

/// Example values published in a provider's own public documentation, which every fork and
/// copy of it carries: not a key of the person scanning. Each is `(length, SHA-256 hex)` of
/// the whole value, so keyhound's source does not spread them further, and a value is hashed
/// only when its length is one of theirs (a candidate key on the hot path almost never is).
const PUBLISHED_EXAMPLES: &[(usize, &str)] = &[
    // Attendee's README (noah-duncan/attendee): the `Authorization: Token …` of its curl
    // examples, copied into every Attendee fork.
    (
        32,
        "eaf5dd9b41fe2019989e807e53809a1bf2d5901e8ea988ff2b5ef99661e58fc9",
    ),
];

/// True when `value` is one of `published` (`(length, SHA-256 hex)` pairs).
fn is_published_example(value: &str, published: &[(usize, &str)]) -> bool {
    let mut digest = None;
    published.iter().any(|&(len, sha)| {
        len == value.len()
            && sha == digest.get_or_insert_with(|| crate::finding::sha256_hex(value.as_bytes()))
    })
}

/// The keyboard's rows: a walk along one, either way, is filler.
const KEYBOARD_ROWS: &[&str] = &["qwertyuiop", "asdfghjkl", "zxcvbnm", "1234567890"];

/// True when `value` is a documentation placeholder, template or filler rather than a key.
pub fn is_placeholder(value: &str) -> bool {
    is_template(value)
        || has_placeholder_word(value)
        || is_word_placeholder(value)
        || has_keyboard_walk(&value.to_ascii_lowercase(), min_run(value))
        || is_partial_jwt(value)
}

/// True when `value` is a template or filler nobody would use as a password: a marker
/// (`<…>`, `${…}`, `changeme`), a known example, a run, or nothing but placeholder words
/// (`your_password`, `secret`). Looser than [`is_placeholder`], which also rejects a key
/// with a single placeholder word in it: this one is for values people choose
/// (`POSTGRES_PASSWORD=cuecard-bots-secret` is a real, if weak, password).
pub fn is_template(value: &str) -> bool {
    MARKERS.iter().any(|m| value.contains(m))
        || has_word_marker(value)
        || has_x_filler(value)
        || KNOWN_EXAMPLES.iter().any(|e| value.contains(e))
        || has_repeat_run(value.as_bytes(), min_run(value))
        || has_sequence_run(value.as_bytes(), min_run(value))
        || distinct_chars(value) <= 4
        || only_placeholder_words(value)
        || is_stand_in_frame(value)
        || is_description(value)
        || is_percent_template(value)
        || is_published_example(value, PUBLISHED_EXAMPLES)
}

/// A few words that describe the value instead of being it: spaces between words of letters,
/// one of them a placeholder word (`speech key`, `your api token`, `the webhook secret`). No key
/// holds a space; a passphrase of words (`correct horse battery staple`) names no placeholder.
fn is_description(value: &str) -> bool {
    let parts: Vec<&str> = value.split(' ').collect();
    (2..=5).contains(&parts.len())
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphabetic()))
        && parts
            .iter()
            .any(|p| WORDS.contains(&p.to_ascii_lowercase().as_str()))
}

/// A documentation stand-in's frame: after a vendor prefix, the value's first word is
/// `your` or its last word is `here`, with another word besides (`your_azure_speech_key_here`,
/// `sk-your_openai_key_here`, `YourTokenHere`). A chosen password seldom opens with `your`,
/// and a random key only does so by chance (words must stand alone, written as words).
fn is_stand_in_frame(value: &str) -> bool {
    let body = without_prefix(value, VENDOR_PREFIXES.iter().chain(KEY_PREFIXES));
    let mut found = words(body);
    // `last` of the rest: a frame needs another word besides the first
    let (Some(first), Some(last)) = (found.next(), found.last()) else {
        return false;
    };
    let at_start = first.as_ptr() == body.as_ptr();
    let at_end = last.as_ptr() as usize + last.len() == body.as_ptr() as usize + body.len();
    (at_start && first.eq_ignore_ascii_case("your"))
        || (at_end && last.eq_ignore_ascii_case("here"))
}

/// A `%NAME%` (Windows environment) or `%NAME` (curl's test-suite variables, `%HOSTIP`)
/// reference.
fn is_percent_template(value: &str) -> bool {
    value.strip_prefix('%').is_some_and(|rest| {
        let name = rest.strip_suffix('%').unwrap_or(rest);
        !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
    })
}

/// Most digit runs a value of words may hold (`test-token-1`, `key-2024-v2`).
const MAX_DIGIT_RUNS: usize = 2;
/// Longest digit run a value of words may hold (`password2024`).
const MAX_DIGIT_RUN: usize = 4;

/// True when `value` reads as words someone typed rather than random characters: after a
/// vendor prefix, every run of letters (split at separators, digits and camelCase humps)
/// segments into dictionary words, with few short ones, and its digits are at most
/// [`MAX_DIGIT_RUNS`] runs of at most [`MAX_DIGIT_RUN`] (`bluehorse42`,
/// `any random string 123`, `mts_live_YourMeetsoKeyGoesHere123`,
/// `correcthorsebatterystaple`). Random keys fail: base62 switches case every couple of
/// letters and holds a digit in every six characters, hex is mostly digits, and a random
/// run of lowercase letters all but never splits into words.
pub fn is_word_placeholder(value: &str) -> bool {
    let body = without_prefix(value, VENDOR_PREFIXES);
    let (mut letters, mut words, mut short, mut digit_runs) = (0, 0, 0, 0);
    for run in runs(body) {
        if run.bytes().all(|b| b.is_ascii_digit()) {
            if is_digit_filler(run) {
                continue;
            }
            digit_runs += 1;
            if digit_runs > MAX_DIGIT_RUNS || run.len() > MAX_DIGIT_RUN {
                return false;
            }
            continue;
        }
        for hump in humps(run) {
            let Some(split) = dictionary::segment(&hump.to_ascii_lowercase()) else {
                return false;
            };
            letters += hump.len();
            words += split.words;
            short += split.short;
        }
    }
    letters >= 4 && short * 2 <= words
}

/// Digits typed as filler, whatever their length: `1234567890`, `0000`, `987654`.
fn is_digit_filler(run: &str) -> bool {
    run.len() >= 3 && (has_keyboard_walk(run, run.len()) || distinct_chars(run) == 1)
}

/// The alphanumeric runs of `value` split at letter/digit changes: `bluehorse42` →
/// `bluehorse`, `42`. Everything else separates.
fn runs(value: &str) -> impl Iterator<Item = &str> {
    value
        .split(|c: char| !c.is_ascii_alphanumeric())
        .flat_map(|part| {
            let bytes = part.as_bytes();
            let mut cuts = vec![0];
            cuts.extend(
                (1..bytes.len())
                    .filter(|&i| bytes[i].is_ascii_digit() != bytes[i - 1].is_ascii_digit()),
            );
            cuts.push(bytes.len());
            cuts.windows(2)
                .map(|w| &part[w[0]..w[1]])
                .collect::<Vec<_>>()
        })
        .filter(|r| !r.is_empty())
}

/// A run of letters split into camelCase humps, each all lowercase, all UPPERCASE or
/// Capitalised: `MyZoomAPIKey` → `My`, `Zoom`, `API`, `Key`.
fn humps(run: &str) -> Vec<&str> {
    let b = run.as_bytes();
    let mut cuts = vec![0];
    for i in 1..b.len() {
        let lower_upper = b[i - 1].is_ascii_lowercase() && b[i].is_ascii_uppercase();
        let acronym_end = b[i - 1].is_ascii_uppercase()
            && b[i].is_ascii_uppercase()
            && b.get(i + 1).is_some_and(u8::is_ascii_lowercase);
        if lower_upper || acronym_end {
            cuts.push(i);
        }
    }
    cuts.push(b.len());
    cuts.windows(2).map(|w| &run[w[0]..w[1]]).collect()
}

/// Whether `value`'s letters are all placeholder words (and it has one): `your_password`,
/// `SECRET`, not a random key that happens to start with `Key`.
fn only_placeholder_words(value: &str) -> bool {
    let mut covered = 0;
    let all = words(value).all(|w| {
        covered += w.len();
        WORDS.contains(&w.to_ascii_lowercase().as_str())
    });
    let letters = value.bytes().filter(u8::is_ascii_alphabetic).count();
    all && covered > 0 && covered == letters
}

/// Whether a [`WORD_MARKERS`] entry occurs in `value` written as a word.
fn has_word_marker(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    WORD_MARKERS.iter().any(|m| {
        lower
            .match_indices(m)
            .any(|(at, _)| is_written_as_word(&value[at..at + m.len()]))
    })
}

/// `x` filler: a run of five `x` (or five `X`), or of four at a separator or an edge of the
/// value (`sk_xxxx`, `xxxx-xxxx`). Four glued into random base62 (`…9xxxxQ…`) is chance.
fn has_x_filler(value: &str) -> bool {
    let bytes = value.as_bytes();
    let mut start = 0;
    while start < bytes.len() {
        let x = bytes[start];
        let end = start + bytes[start..].iter().take_while(|&&b| b == x).count();
        if x.eq_ignore_ascii_case(&b'x') {
            let run = &value[start..end];
            let (left, right) = delimiters(value, run);
            if run.len() >= 5 || (run.len() == 4 && (left || right)) {
                return true;
            }
        }
        start = end;
    }
    false
}

/// All lowercase, all UPPERCASE or Capitalised (non-letters aside).
fn is_written_as_word(text: &str) -> bool {
    let letters: Vec<u8> = text.bytes().filter(u8::is_ascii_alphabetic).collect();
    let upper = |b: &u8| b.is_ascii_uppercase();
    letters.iter().all(upper) || letters.iter().skip(1).all(|b| !upper(b))
}

/// How long a repeat, sequence or keyboard walk must be to mark filler rather than chance:
/// in a random key over 16 symbols (hex) a run of 7 turns up about once in a million keys,
/// over 62 (base62) a run of 7 about once in a billion.
fn min_run(value: &str) -> usize {
    if value.bytes().all(|b| b.is_ascii_hexdigit()) {
        8
    } else {
        7
    }
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

/// Other vendors' key prefixes that documentation stand-ins keep (`sk-your_openai_key_here`).
const KEY_PREFIXES: &[&str] = &["sk-", "sk_", "pk-", "pk_"];

/// `value` after the first of `prefixes` it starts with, or all of it.
fn without_prefix<'a, 'p>(
    value: &'a str,
    prefixes: impl IntoIterator<Item = &'p &'p str>,
) -> &'a str {
    prefixes
        .into_iter()
        .find_map(|p| value.strip_prefix(p))
        .unwrap_or(value)
}

/// Whether `value` holds placeholder words between separators (`YOUR_API_KEY_HERE`,
/// `fake-key-0001-0002-0003`): two of them, or one that is a quarter of the value. One short
/// word between separators is chance in random base64 (`whsec_MY/HyGZ9…`, `…_id-…`).
fn has_placeholder_word(value: &str) -> bool {
    let body = without_prefix(value, VENDOR_PREFIXES);
    let (mut count, mut letters) = (0, 0);
    for w in words(body)
        .filter(|w| is_delimited(body, w) && WORDS.contains(&w.to_ascii_lowercase().as_str()))
    {
        count += 1;
        letters += w.len();
    }
    let alphanumerics = body.bytes().filter(u8::is_ascii_alphanumeric).count();
    count >= 2 || (count == 1 && letters * 4 >= alphanumerics)
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
    let (left, right) = delimiters(value, word);
    (left || right) && (word.len() >= 3 || (left && right))
}

/// Whether `word` (a slice of `value`) has a separator or an edge of the value on both
/// sides (`YOUR_API_KEY`, `fake-key-0001`): one placeholder word glued to other characters
/// (`KeyOuR8f…`) is as likely chance in a random key as a stand-in, and a stand-in made of
/// glued words (`yourApiKeyHere`) is [`is_word_placeholder`]'s.
fn is_delimited(value: &str, word: &str) -> bool {
    delimiters(value, word) == (true, true)
}

/// Whether `word` (a slice of `value`) has a non-alphanumeric character or an edge of the
/// value on its left and on its right.
fn delimiters(value: &str, word: &str) -> (bool, bool) {
    let start = word.as_ptr() as usize - value.as_ptr() as usize;
    let end = start + word.len();
    let bytes = value.as_bytes();
    let left = start == 0 || !bytes[start - 1].is_ascii_alphanumeric();
    let right = end == bytes.len() || !bytes[end].is_ascii_alphanumeric();
    (left, right)
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

/// Whether `lower` holds `n` keys in a row along one keyboard row, either way (`qwerty`,
/// `0987654`).
fn has_keyboard_walk(lower: &str, n: usize) -> bool {
    let (mut run, mut direction) = (1, 0);
    for pair in lower.as_bytes().windows(2) {
        let step = match (key_position(pair[0]), key_position(pair[1])) {
            (Some((r0, c0)), Some((r1, c1))) if r0 == r1 && c0.abs_diff(c1) == 1 => {
                if c1 > c0 {
                    1
                } else {
                    -1
                }
            }
            _ => 0,
        };
        (run, direction) = match step {
            0 => (1, 0),
            s if s == direction => (run + 1, s),
            s => (2, s),
        };
        if run >= n {
            return true;
        }
    }
    n <= 1 && !lower.is_empty()
}

/// The row and column of a key on [`KEYBOARD_ROWS`].
fn key_position(key: u8) -> Option<(u8, u8)> {
    match KEY_POSITIONS[usize::from(key)] {
        0 => None,
        p => Some(((p - 1) >> 4, (p - 1) & 0xf)),
    }
}

/// Per byte, `row << 4 | column` on [`KEYBOARD_ROWS`] plus one; 0 off the rows.
const KEY_POSITIONS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut row = 0;
    while row < KEYBOARD_ROWS.len() {
        let keys = KEYBOARD_ROWS[row].as_bytes();
        let mut col = 0;
        while col < keys.len() {
            table[keys[col] as usize] = ((row as u8) << 4 | col as u8) + 1;
            col += 1;
        }
        row += 1;
    }
    table
};

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
        // a word glued to a random tail, hex that starts or ends with `abc` or holds a run
        "mts_live_Pa55wordXk9Qz7Lr2Wm4Tb8NcVy1", // keyhound:allow (generated test key)
        "mts_live_KeyQ7fLr2ZxW9kPm4Tb8NcVy1HdJ6s", // keyhound:allow (generated test key)
        "SecretHd7Fs3Gj9Kl2Qw5Er8Ty1Ui4Op6",
        "horse8Zq4XkP2mTw8LrN6vBy1cQ7fLr2Zx",
        "abc11b088af3700369e2651d82d33bb9",
        "5887fffde1155519062526a0d87baa7825ad2abc",
        "9fbd2c98019eee854ed7b13311111dbbc864be45",
        // one short placeholder word between base64 separators
        "whsec_MY/HyGZ9aVyDT96s4TQtDJIRSxkP7lt/yC2dEjQ4Lji",
    ];

    #[test]
    fn a_stand_in_frame_marks_a_template_and_nothing_random() {
        for value in [
            "your_azure_speech_key_here",
            "sk-your_openai_key_here",
            "YourTokenHere",
            "your-livekit-api-secret",
            "YOUR_DEEPGRAM_KEY",
            "paste_the_token_here",
            "whsec_your_signing_secret",
        ] {
            assert!(is_stand_in_frame(value), "{value}");
            assert!(is_template(value), "{value}");
        }
        // chosen passwords and values of words stay credentials for the env-file audit
        let chosen = [
            "cuecard-meting-bots-secret",
            "hunter22",
            "yourself-and-me-2024",
        ];
        for value in chosen {
            assert!(!is_template(value), "{value}");
        }
        let others = [
            "therehere",
            // one word is no frame
            "your",
            "here",
            // a word glued to random characters is chance
            "yourQ7fLr2ZxW9kPm4Tb8NcVy1HdJ",
            "Q7fLr2ZxW9kPm4Tb8NcVy1Hdhere",
        ];
        for value in chosen.iter().chain(&others).chain(REAL) {
            assert!(!is_stand_in_frame(value), "{value}");
        }
    }

    #[test]
    fn a_description_of_the_value_is_a_template_and_a_passphrase_is_not() {
        // livekit/agents' .env.azure: `AZURE_VOICELIVE_API_KEY = "speech key"`
        for value in ["speech key", "the webhook secret", "Deepgram API Key"] {
            assert!(is_description(value), "{value}");
            assert!(is_template(value), "{value}");
        }
        // a passphrase of words names no placeholder word, one word is no description, and a
        // key holds no space
        for value in [
            "correct horse battery staple",
            "key",
            "Q7fLr2ZxW9kPm4Tb key",
            "key  token",
            "a b c d e key",
        ] {
            assert!(!is_description(value), "{value}");
        }
    }

    #[test]
    fn a_published_example_is_known_by_its_whole_value_hash() {
        let value = "Qm8rT2xVz9Lp4Kw7Nc3Yb6Hd1Fs5Gj0A";
        let hash = crate::finding::sha256_hex(value.as_bytes());
        let published = [(value.len(), hash.as_str())];
        assert!(is_published_example(value, &published));
        // a value holding it, a prefix of it, or another value is not the example
        assert!(!is_published_example(&format!("{value}x"), &published));
        assert!(!is_published_example(&value[..20], &published));
        assert!(!is_published_example(
            "Kx9vTq2LmZ8rWp4Nc7Yb1Hs6Dj3Fg5Qa",
            &published
        ));
        // a listed length that is wrong never matches: the length gates the hash
        assert!(!is_published_example(
            value,
            &[(value.len() + 1, hash.as_str())]
        ));
        // the built-in list holds SHA-256 hex digests of key-sized values, and no random key
        // is one of them
        for (len, digest) in PUBLISHED_EXAMPLES {
            assert!((16..=256).contains(len), "{digest}");
            assert!(
                digest.len() == 64
                    && digest
                        .bytes()
                        .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
            );
        }
        for key in REAL {
            assert!(!is_published_example(key, PUBLISHED_EXAMPLES), "{key}");
        }
    }

    #[test]
    fn real_random_keys_pass_every_filter() {
        for key in REAL {
            assert!(!is_placeholder(key), "{key} flagged as placeholder");
            assert!(!looks_like_identifier(key), "{key} flagged as identifier");
            assert!(entropy(key.as_bytes()) > 3.5, "{key} entropy");
        }
    }

    /// Asserts [`is_placeholder`] says `expected` of every value.
    fn assert_placeholders(expected: bool, values: &[&str]) {
        for v in values {
            assert_eq!(is_placeholder(v), expected, "{v}");
        }
    }

    #[test]
    fn documentation_placeholders_are_caught() {
        assert_placeholders(
            true,
            &[
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
            ],
        );
    }

    #[test]
    fn values_of_words_and_digits_are_placeholders() {
        assert_placeholders(
            true,
            &[
                "any random string 123",
                "your-secret-here",
                "insert_your_api_key",
                "my-super-secret-token",
                "replace-me-with-real-key",
                "secret123",
                "password1",
                "test-token-1",
                "bluehorse42",
                "correcthorsebatterystaple",
                "anyrandomstring123",
                "supersecretpassword2024",
                "bluehorse42bluehorse42",
                "MyZoomClientSecret2024",
                "superSecretZoomValue42",
                "YourApiKey1234567890",
                "mts_live_mysupersecretmeetsokey2024",
                "mts_live_thisisnotarealkeyjustatest1",
                "mts_live_SomethingSecretAndLong2024",
                "ms_ThisIsMyVeryOwnSecretKey12345678",
                "%MEETSO_API_KEY%",
                "%HOSTIP",
                "[YOUR KEY]",
            ],
        );
    }

    /// Random keys of every format the rules match, 10,000 of each from a fixed seed: not
    /// one may read as a placeholder or an identifier (the filters silence a finding).
    #[test]
    fn random_keys_of_every_provider_format_are_never_placeholders() {
        const BASE62: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        const HEX: &[u8] = b"0123456789abcdef";
        const HEX_UPPER: &[u8] = b"0123456789ABCDEF";
        const BASE64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        const BASE64URL: &[u8] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let formats: &[(&str, &str, &[u8], std::ops::RangeInclusive<usize>)] = &[
            ("base62 32", "", BASE62, 32..=32),
            ("base62 40", "", BASE62, 40..=40),
            ("hex 32", "", HEX, 32..=32),
            ("hex 40 (Deepgram)", "", HEX, 40..=40),
            ("hex 64", "", HEX, 64..=64),
            ("HEX 32", "", HEX_UPPER, 32..=32),
            ("mts_live_ bodies", "mts_live_", BASE62, 24..=64),
            ("mts_test_ bodies", "mts_test_", BASE62, 24..=64),
            ("ms_ keys", "ms_", BASE62, 32..=32),
            ("Zoom client secrets", "", BASE62, 32..=32),
            ("whsec_ base64 bodies", "whsec_", BASE64, 43..=44),
            ("bearer base64url tokens", "", BASE64URL, 43..=86),
        ];
        let mut rng = fastrand::Rng::with_seed(0x6b65_7968_6f75_6e64);
        for (name, prefix, alphabet, lengths) in formats {
            for _ in 0..10_000 {
                let len = rng.usize(lengths.clone());
                let body: String = (0..len)
                    .map(|_| char::from(alphabet[rng.usize(..alphabet.len())]))
                    .collect();
                let key = format!("{prefix}{body}");
                assert!(!is_placeholder(&key), "{name}: {key} read as a placeholder");
                assert!(
                    !looks_like_identifier(&key),
                    "{name}: {key} read as an identifier"
                );
            }
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
