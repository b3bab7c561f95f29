//! Scrubbing keys out of text that came from the network. A server may echo the key it was
//! sent, as is or encoded: every form in [`echo_forms`] is replaced by the key's redacted
//! form, over the whole text, before anything shortens it for a message (a cut through the
//! middle of an echoed key would leave a fragment no scrub recognises).

use crate::finding::Secret;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine as _;

/// `text` with every echoed form of `secret` replaced by its redacted form.
pub fn scrub(text: &str, secret: &Secret) -> String {
    let redacted = secret.redacted();
    let mut out = text.to_string();
    for form in echo_forms(secret.expose()) {
        if out.contains(&form) {
            out = out.replace(&form, &redacted);
        }
    }
    out
}

/// The forms a server could echo `plain` in, longest first: as is, base64 (standard and
/// URL-safe, with and without padding), percent-encoded (upper- and lower-case hex) and
/// JSON-escaped. Empty for an empty key.
pub fn echo_forms(plain: &str) -> Vec<String> {
    if plain.is_empty() {
        return Vec::new();
    }
    let bytes = plain.as_bytes();
    let percent = percent_encode(plain);
    let mut forms = vec![
        plain.to_string(),
        STANDARD.encode(bytes),
        STANDARD_NO_PAD.encode(bytes),
        URL_SAFE.encode(bytes),
        URL_SAFE_NO_PAD.encode(bytes),
        percent.to_ascii_lowercase(),
        percent,
        serde_json::to_string(plain)
            .map(|q| q.trim_matches('"').to_string())
            .unwrap_or_default(),
        plain.replace('/', "\\/"),
    ];
    forms.retain(|f| !f.is_empty());
    forms.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    forms.dedup();
    forms
}

/// Every byte outside RFC 3986's unreserved set as `%XX` (upper-case hex).
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "mts_live_Q7fLr2ZxW9kPm4Tb8NcVy1HdJ6sGa3Ue"; // keyhound:allow (generated)

    #[test]
    fn scrub_redacts_echoed_keys() {
        let s = Secret::new(KEY.into());
        assert_eq!(
            scrub(&format!("bad key {KEY}!"), &s),
            "bad key mts_live_Q7…Ue!"
        );
    }

    #[test]
    fn scrub_redacts_base64_percent_and_json_escaped_echoes() {
        let key = "k3y+with/slash=and=pad0123456789abcdef"; // keyhound:allow (fake)
        let s = Secret::new(key.into());
        let r = s.redacted();
        let cases = [
            STANDARD.encode(key),
            URL_SAFE_NO_PAD.encode(key),
            "k3y%2Bwith%2Fslash%3Dand%3Dpad0123456789abcdef".to_string(),
            "k3y%2bwith%2fslash%3dand%3dpad0123456789abcdef".to_string(),
            "k3y+with\\/slash=and=pad0123456789abcdef".to_string(),
        ];
        for echoed in cases {
            assert_eq!(
                scrub(&format!("[{echoed}]"), &s),
                format!("[{r}]"),
                "{echoed}"
            );
        }
    }
}
