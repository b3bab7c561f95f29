//! Line diffs between blob versions: which lines of the new version were added or changed,
//! so pre-commit and CI scans report only what a change introduces.

use gix::diff::blob::{sources::byte_lines, Algorithm, Diff, InternedInput};

/// 1-based numbers of the lines of `new` that are added or modified relative to `old`
/// (all lines when `old` is `None`), ascending.
pub fn added_lines(old: Option<&[u8]>, new: &[u8]) -> Vec<u32> {
    let Some(old) = old else {
        return (1..=line_count(new)).collect();
    };
    let input = InternedInput::new(byte_lines(old), byte_lines(new));
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
    fn merge_adds_only_lines_no_parent_had() {
        let p1 = b"a\nb\n";
        let p2 = b"a\nc\n";
        let merged = b"a\nb\nc\nd\n";
        assert_eq!(added_lines_vs_all(&[Some(p1), Some(p2)], merged), vec![4]);
    }
}
