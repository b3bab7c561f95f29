//! Structural validators rules can ask for: decoding a Basic credential into its secret,
//! and requiring the character mix of a random base62 key body.

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use base64::Engine;

/// Decodes `Basic` credentials (`base64(id:secret)`) into `(id, secret)`. `None` unless
/// the value is base64 of OAuth client credentials: an id of 8–128 characters from
/// `[A-Za-z0-9._-]` and a secret of 16–256 characters from `[A-Za-z0-9._~+/=-]` (Zoom
/// client ids and secrets have this shape; human passwords with other punctuation do not).
pub fn basic_auth(encoded: &str) -> Option<(String, String)> {
    let decoded = STANDARD
        .decode(encoded)
        .or_else(|_| STANDARD_NO_PAD.decode(encoded.trim_end_matches('=')))
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    if text.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return None;
    }
    let (id, secret) = text.split_once(':')?;
    let id_ok = (8..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    let secret_ok = (16..=256).contains(&secret.len())
        && secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._~+/=-".contains(&b));
    (id_ok && secret_ok).then(|| (id.to_string(), secret.to_string()))
}

/// True when the body after the last `_` of a vendor prefix mixes upper case, lower case
/// and digits, as a random base62 string of 20+ characters all but always does.
pub fn mixed_alnum(key: &str) -> bool {
    let body = key.rsplit_once('_').map_or(key, |(_, b)| b);
    body.bytes().any(|b| b.is_ascii_uppercase())
        && body.bytes().any(|b| b.is_ascii_lowercase())
        && body.bytes().any(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_auth_decodes_client_credentials() {
        let enc = STANDARD.encode("Zq4XkP2mTw8LrN6vBy1c:Hd7Fs3Gj9Kl2Qw5Er8Ty1Ui4Op6As0Dz");
        assert_eq!(
            basic_auth(&enc),
            Some((
                "Zq4XkP2mTw8LrN6vBy1c".into(),
                "Hd7Fs3Gj9Kl2Qw5Er8Ty1Ui4Op6As0Dz".into()
            ))
        );
    }

    #[test]
    fn basic_auth_rejects_non_credentials() {
        assert_eq!(basic_auth("not-base64!!"), None);
        assert_eq!(basic_auth(&STANDARD.encode("no colon here at all")), None);
        assert_eq!(basic_auth(&STANDARD.encode(":secretsecret")), None);
        assert_eq!(basic_auth(&STANDARD.encode("id:short")), None);
        assert_eq!(basic_auth(&STANDARD.encode("id:has space inside")), None);
        // A human password with punctuation in a test fixture is not a client secret.
        assert_eq!(
            basic_auth(&STANDARD.encode("catmai#d:#DZaRJYrixKE*gFY")),
            None
        );
    }

    #[test]
    fn mixed_alnum_needs_all_three_classes() {
        assert!(mixed_alnum("ms_Hq3ZrT8vLm2XwP9kJd6Ns4Ye1Cb7Fa5G")); // keyhound:allow (generated test key)
        assert!(!mixed_alnum("ms_0123456789abcdef0123456789abcdef"));
        assert!(!mixed_alnum("ms_ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEF"));
    }
}
