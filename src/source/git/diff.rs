//! Line diffs between blob versions: which lines of the new version were added or changed,
//! so pre-commit and CI scans report only what a change introduces.

use crate::detect::lines::is_break;
use crate::source::decode;
use gix::diff::blob::{sources::byte_lines, Algorithm, Diff, InternedInput};
use std::borrow::Cow;

/// 1-based numbers of the lines of `new` that are added or modified relative to `old`
/// (all lines when `old` is `None`), ascending.
/// Lines end where the detector's do: at `\n`, `\r\n` or a lone `\r`.
pub fn added_lines(old: Option<&[u8]>, new: &[u8]) -> Vec<u32> {
    // lines of the decoded text, where the detector counts them (a UTF-16 file)
    let new = decode::text(new);
    let new = lf_lines(&new);
    let Some(old) = old else {
        return (1..=line_count(&new)).collect();
    };
    let old = decode::text(old);
    let old = lf_lines(&old);
    let input = InternedInput::new(byte_lines(&old), byte_lines(&new));
    let diff = Diff::compute(Algorithm::Histogram, &input);
    (0..input.after.len() as u32)
        .filter(|&i| diff.is_added(i))
        .map(|i| i + 1)
        .collect()
}

/// Lines of `new` added relative to every one of `parents` (a merge introduces only lines
/// that none of its parents had). With no parents, every line.
pub fn added_lines_vs_all(parents: &[Option<&[u8]>], new: &[u8]) -> Vec<u32> {
    let mut iter = parents.iter();
    let Some(first) = iter.next() else {
        return added_lines(None, new);
    };
    let mut lines = added_lines(*first, new);
    for parent in iter {
        let other = added_lines(*parent, new);
        lines.retain(|l| other.binary_search(l).is_ok());
    }
    lines
}

/// `data` with every lone `\r` turned into `\n`, so the diff splits lines where the detector
/// counts them (a CR-only file is many lines, not one).
fn lf_lines(data: &[u8]) -> Cow<'_, [u8]> {
    if memchr::memchr(b'\r', data).is_none() {
        return Cow::Borrowed(data);
    }
    let mut out = data.to_vec();
    for p in memchr::memchr_iter(b'\r', data) {
        if is_break(data, p) {
            out[p] = b'\n';
        }
    }
    Cow::Owned(out)
}

fn line_count(data: &[u8]) -> u32 {
    let n = memchr::memchr_iter(b'\n', data).count();
    let tail = usize::from(!data.is_empty() && !data.ends_with(b"\n"));
    u32::try_from(n + tail).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn added_and_modified_lines_are_reported() {
        let old = b"a\nb\nc\n";
        let new = b"a\nB\nc\nd\n";
        assert_eq!(added_lines(Some(old), new), vec![2, 4]);
        assert_eq!(added_lines(None, b"x\ny"), vec![1, 2]);
        assert_eq!(added_lines(Some(new), new), Vec::<u32>::new());
    }

    #[test]
    fn cr_only_lines_are_diffed_as_lines() {
        let old = b"a\rb\rc\r";
        let new = b"a\rB\rc\rd\r";
        assert_eq!(added_lines(Some(old), new), vec![2, 4]);
        assert_eq!(added_lines(None, b"x\ry\r\nz"), vec![1, 2, 3]);
    }

    #[test]
    fn merge_adds_only_lines_no_parent_had() {
        let p1 = b"a\nb\n";
        let p2 = b"a\nc\n";
        let merged = b"a\nb\nc\nd\n";
        assert_eq!(added_lines_vs_all(&[Some(p1), Some(p2)], merged), vec![4]);
    }
}
