//! Text encodings of scanned content. Windows tools often write UTF-16 (PowerShell 5's `>`
//! and `Out-File` write UTF-16LE with a byte-order mark): read as bytes, such a file looks
//! binary (a NUL after every ASCII letter) and its keys are missed. Every chunk is decoded
//! here before detection, whatever its source (files, history blobs, the index):
//!
//! - a UTF-32 (LE/BE) BOM followed by valid code points: decoded;
//! - a UTF-16 (LE/BE) BOM followed by text that holds a NUL byte in its first 8 KiB (any
//!   ASCII in UTF-16 does; a Latin-1 file that happens to start with `ÿþ` does not): decoded;
//! - no BOM, but the first 8 KiB read as ASCII-range UTF-16 (at least 3 in 4 high bytes NUL,
//!   no low byte NUL, 8 bytes or more): decoded as UTF-16 of that byte order;
//! - a UTF-8 BOM: dropped;
//! - anything else: the bytes as they are.
//!
//! Unpaired surrogates and invalid code points become U+FFFD. Findings' lines and columns
//! are those of the decoded text, the lines an editor shows.

use std::borrow::Cow;

/// Bytes looked at to recognise an encoding (the binary sniff window).
const SNIFF: usize = super::BINARY_SNIFF;

/// The encoding of a chunk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 or unknown bytes: scanned as they are (after a UTF-8 BOM, if any).
    Bytes,
    /// UTF-16, little-endian.
    Utf16Le,
    /// UTF-16, big-endian.
    Utf16Be,
    /// UTF-32, little-endian.
    Utf32Le,
    /// UTF-32, big-endian.
    Utf32Be,
}

/// The encoding of `data` and the length of its byte-order mark.
pub fn detect(data: &[u8]) -> (Encoding, usize) {
    let sniff = &data[..data.len().min(SNIFF)];
    if sniff.starts_with(&[0xFF, 0xFE, 0, 0]) && valid_utf32(&sniff[4..], u32::from_le_bytes) {
        return (Encoding::Utf32Le, 4);
    }
    if sniff.starts_with(&[0, 0, 0xFE, 0xFF]) && valid_utf32(&sniff[4..], u32::from_be_bytes) {
        return (Encoding::Utf32Be, 4);
    }
    let has_nul = memchr::memchr(0, sniff).is_some();
    if sniff.starts_with(&[0xFF, 0xFE]) && has_nul {
        return (Encoding::Utf16Le, 2);
    }
    if sniff.starts_with(&[0xFE, 0xFF]) && has_nul {
        return (Encoding::Utf16Be, 2);
    }
    if sniff.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return (Encoding::Bytes, 3);
    }
    if has_nul {
        if ascii_utf16(sniff, 0) {
            return (Encoding::Utf16Le, 0);
        }
        if ascii_utf16(sniff, 1) {
            return (Encoding::Utf16Be, 0);
        }
    }
    (Encoding::Bytes, 0)
}

/// `data` as UTF-8 text to scan: borrowed when it already is bytes to scan as they are.
pub fn text(data: &[u8]) -> Cow<'_, [u8]> {
    let (encoding, bom) = detect(data);
    let body = &data[bom..];
    let decoded: String = match encoding {
        Encoding::Bytes => return Cow::Borrowed(body),
        Encoding::Utf16Le => utf16(body, u16::from_le_bytes),
        Encoding::Utf16Be => utf16(body, u16::from_be_bytes),
        Encoding::Utf32Le => utf32(body, u32::from_le_bytes),
        Encoding::Utf32Be => utf32(body, u32::from_be_bytes),
    };
    Cow::Owned(decoded.into_bytes())
}

/// True when the first 8 KiB of `data`, decoded, hold a NUL.
pub fn is_binary(data: &[u8]) -> bool {
    let sniff = &data[..data.len().min(SNIFF)];
    memchr::memchr(0, &text(sniff)).is_some()
}

fn utf16(body: &[u8], unit: fn([u8; 2]) -> u16) -> String {
    let units = body.chunks_exact(2).map(|p| unit([p[0], p[1]]));
    char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

fn utf32(body: &[u8], unit: fn([u8; 4]) -> u32) -> String {
    body.chunks_exact(4)
        .map(|p| char::from_u32(unit([p[0], p[1], p[2], p[3]])))
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

fn valid_utf32(body: &[u8], unit: fn([u8; 4]) -> u32) -> bool {
    body.chunks_exact(4)
        .all(|p| char::from_u32(unit([p[0], p[1], p[2], p[3]])).is_some())
}

/// Whether `sniff` reads as UTF-16 of ASCII-range text whose low byte comes at `low_at` in
/// each pair (0: little-endian, 1: big-endian): no low byte NUL, at least 3 in 4 high bytes
/// NUL, at least 4 pairs.
fn ascii_utf16(sniff: &[u8], low_at: usize) -> bool {
    let pairs = sniff.chunks_exact(2);
    let count = pairs.len();
    if count < 4 {
        return false;
    }
    let (mut high_nul, mut low_nul) = (0usize, 0usize);
    for p in pairs {
        low_nul += usize::from(p[low_at] == 0);
        high_nul += usize::from(p[1 - low_at] == 0);
    }
    low_nul == 0 && high_nul * 4 >= count * 3
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16le(s: &str, bom: bool) -> Vec<u8> {
        let mut out = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
        out.extend(s.encode_utf16().flat_map(u16::to_le_bytes));
        out
    }

    #[test]
    fn utf16_and_utf32_with_a_bom_decode_and_utf8_boms_drop() {
        let text_of = |d: &[u8]| String::from_utf8(text(d).into_owned()).expect("utf-8");
        assert_eq!(text_of(&utf16le("A=1\r\nB=é\r\n", true)), "A=1\r\nB=é\r\n");
        let mut be = vec![0xFE, 0xFF];
        be.extend("K=v\n".encode_utf16().flat_map(u16::to_be_bytes));
        assert_eq!(text_of(&be), "K=v\n");
        let mut le32 = vec![0xFF, 0xFE, 0, 0];
        le32.extend("K=v\n".chars().flat_map(|c| u32::from(c).to_le_bytes()));
        assert_eq!(detect(&le32), (Encoding::Utf32Le, 4));
        assert_eq!(text_of(&le32), "K=v\n");
        let mut be32 = vec![0, 0, 0xFE, 0xFF];
        be32.extend("K=v\n".chars().flat_map(|c| u32::from(c).to_be_bytes()));
        assert_eq!(text_of(&be32), "K=v\n");
        assert_eq!(text_of(b"\xEF\xBB\xBFK=v\n"), "K=v\n");
        assert!(!is_binary(&utf16le("A=1\n", true)));
    }

    #[test]
    fn bomless_utf16_is_recognised_only_when_it_reads_as_ascii_text() {
        assert_eq!(
            detect(&utf16le("MEETSO_KEY=x\n", false)),
            (Encoding::Utf16Le, 0)
        );
        let be: Vec<u8> = "MEETSO_KEY=x\n"
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        assert_eq!(detect(&be), (Encoding::Utf16Be, 0));
        // too short, or NULs in both halves (a binary format): bytes, and binary
        assert_eq!(detect(&utf16le("A=", false)).0, Encoding::Bytes);
        let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00";
        assert_eq!(detect(png).0, Encoding::Bytes);
        assert!(is_binary(png));
    }

    #[test]
    fn a_latin1_file_starting_like_a_bom_stays_bytes() {
        // `ÿþ` in Latin-1 is FF FE: without a NUL it is not UTF-16
        let latin = b"\xff\xfe garbage\ntoken = x\n";
        assert_eq!(detect(latin), (Encoding::Bytes, 0));
        assert_eq!(&*text(latin), latin);
        // invalid code points after a UTF-32 BOM: not UTF-32 (UTF-16 with a NUL, then)
        let bad = b"\xff\xfe\x00\x00\xff\xff\xff\xff";
        assert_eq!(detect(bad).0, Encoding::Utf16Le);
    }

    #[test]
    fn unpaired_surrogates_become_replacement_characters() {
        let data = [0xFF, 0xFE, b'A', 0, 0x00, 0xD8, b'B', 0];
        assert_eq!(&*text(&data), "A\u{FFFD}B".as_bytes());
    }
}
