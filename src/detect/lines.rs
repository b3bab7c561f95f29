//! Line geometry for the detector in time linear in the buffer, however long its lines.
//!
//! A line ends at `\n`, `\r\n` or a lone `\r` (classic Mac OS files are many lines, not one).
//! Two tools: [`Cursor`] answers "where does the line around this keyword hit start and end"
//! for ascending hits, remembering what it already searched so each byte is looked at about
//! once (a 10 MB one-line file with 177k hits used to search back to the line start for every
//! hit); [`LineIndex`] is built only for a buffer that has a candidate finding and answers
//! line numbers and line bounds by binary search.

use memchr::{memchr2, memchr2_iter, memrchr2};

/// Whether the byte at `pos` ends a line: a `\n`, or a `\r` not followed by `\n` (the `\r`
/// of `\r\n` is not a break of its own).
pub fn is_break(data: &[u8], pos: usize) -> bool {
    match data.get(pos) {
        Some(b'\n') => true,
        Some(b'\r') => data.get(pos + 1) != Some(&b'\n'),
        _ => false,
    }
}

/// Where the next line starts after the line end at `end` (its `\r`, `\n` or `\r\n`).
pub fn after_break(data: &[u8], end: usize) -> usize {
    if data.get(end..end + 2) == Some(b"\r\n") {
        end + 2
    } else {
        end + 1
    }
}

/// The number of line breaks in `data[from..to]`.
pub fn count_breaks(data: &[u8], from: usize, to: usize) -> usize {
    let range = &data[from..to];
    let newlines = memchr::memchr_iter(b'\n', range).count();
    if memchr::memchr(b'\r', range).is_none() {
        return newlines;
    }
    let lone_cr = memchr::memchr_iter(b'\r', range)
        .filter(|&p| is_break(data, from + p))
        .count();
    newlines + lone_cr
}

/// The last line break in `data[from..to]`.
fn last_break(data: &[u8], from: usize, to: usize) -> Option<usize> {
    let mut end = to;
    while let Some(p) = memrchr2(b'\n', b'\r', &data[from..end]) {
        let pos = from + p;
        if is_break(data, pos) {
            return Some(pos);
        }
        end = pos;
    }
    None
}

/// Answers line bounds for ascending offsets, each byte searched about once.
pub struct Cursor<'a> {
    data: &'a [u8],
    /// The last [`Cursor::line_start`] query and its answer.
    start_memo: Option<(usize, usize)>,
    /// No line ends in `from..to`; `found`: a line ends at `to`.
    end_memo: Option<(usize, usize, bool)>,
    /// Bytes searched so far (for tests and benchmarks).
    pub examined: u64,
}

impl<'a> Cursor<'a> {
    /// A cursor over `data`.
    pub fn new(data: &'a [u8]) -> Cursor<'a> {
        Cursor {
            data,
            start_memo: None,
            end_memo: None,
            examined: 0,
        }
    }

    /// The start of the line holding `at`, or `floor` when the line starts before it.
    /// `at` and `floor` should not decrease from one call to the next (they may repeat).
    pub fn line_start(&mut self, at: usize, floor: usize) -> usize {
        let memo = self.start_memo.filter(|&(q, _)| q <= at);
        let from = memo.map_or(floor, |(q, _)| q.max(floor)).min(at);
        self.examined += (at - from) as u64;
        let answer = match last_break(self.data, from, at) {
            Some(p) => p + 1,
            None => memo.map_or(floor, |(_, a)| a.max(floor)),
        };
        self.start_memo = Some((at, answer));
        answer
    }

    /// Where the line holding `at` ends (its `\r` or `\n`), or `limit` when that is sooner.
    /// `at` and `limit` should not decrease from one call to the next.
    pub fn line_end(&mut self, at: usize, limit: usize) -> usize {
        let limit = limit.min(self.data.len());
        if at >= limit {
            return limit;
        }
        let (from, searched) = match self.end_memo {
            Some((from, to, found)) if from <= at && at <= to => {
                if found || to >= limit {
                    return to.min(limit);
                }
                (from, to)
            }
            _ => (at, at),
        };
        self.examined += (limit - searched) as u64;
        match memchr2(b'\n', b'\r', &self.data[searched..limit]) {
            Some(p) => {
                self.end_memo = Some((from, searched + p, true));
                searched + p
            }
            None => {
                self.end_memo = Some((from, limit, false));
                limit
            }
        }
    }
}

/// The start of every line of one buffer, for random access by binary search.
pub struct LineIndex {
    starts: Vec<usize>,
    len: usize,
}

impl LineIndex {
    /// Indexes `data` in one pass.
    pub fn new(data: &[u8]) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(
            memchr2_iter(b'\n', b'\r', data)
                .filter(|&p| is_break(data, p))
                .map(|p| p + 1),
        );
        LineIndex {
            starts,
            len: data.len(),
        }
    }

    /// The 0-based line holding byte `pos`.
    pub fn line_of(&self, pos: usize) -> usize {
        self.starts.partition_point(|&s| s <= pos).saturating_sub(1)
    }

    /// Where 0-based line `line` starts.
    pub fn start(&self, line: usize) -> usize {
        self.starts.get(line).copied().unwrap_or(self.len)
    }

    /// Where the text of 0-based line `line` ends (before its `\n`, `\r\n` or `\r`).
    pub fn end(&self, data: &[u8], line: usize) -> usize {
        match self.starts.get(line + 1) {
            Some(&next) if next >= 2 && data[next - 2..next] == *b"\r\n" => next - 2,
            Some(&next) => next - 1,
            None => self.len,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lone_cr_crlf_and_lf_each_end_one_line() {
        let data = b"a\rb\r\nc\nd";
        let index = LineIndex::new(data);
        let lines: Vec<usize> = (0..data.len()).map(|p| index.line_of(p)).collect();
        assert_eq!(lines, vec![0, 0, 1, 1, 1, 2, 2, 3]);
        assert_eq!((index.start(1), index.end(data, 1)), (2, 3));
        assert_eq!(index.end(data, 0), 1);
        assert_eq!(index.end(data, 3), 8);
        assert_eq!(count_breaks(data, 0, data.len()), 3);
        assert_eq!(
            count_breaks(data, 0, 4),
            1,
            "the \\r of \\r\\n is not a break"
        );
    }

    #[test]
    fn cursor_matches_a_naive_search() {
        let data = b"one\ntwo\r\nthree\rfour five six\nseven";
        let mut cursor = Cursor::new(data);
        for at in 0..data.len() {
            let naive_start = (0..at)
                .rev()
                .find(|&p| is_break(data, p))
                .map_or(0, |p| p + 1);
            assert_eq!(cursor.line_start(at, 0), naive_start, "start of {at}");
        }
        let mut cursor = Cursor::new(data);
        for at in 0..data.len() {
            let naive_end = (at..data.len())
                .find(|&p| data[p] == b'\n' || data[p] == b'\r')
                .unwrap_or(data.len());
            assert_eq!(cursor.line_end(at, data.len()), naive_end, "end of {at}");
        }
    }

    #[test]
    fn cursor_work_is_linear_on_one_long_line() {
        let data = vec![b'x'; 1 << 20];
        let mut cursor = Cursor::new(&data);
        for at in (0..data.len()).step_by(64) {
            cursor.line_start(at, at.saturating_sub(4096));
            cursor.line_end(at, at + 4096);
        }
        assert!(
            cursor.examined <= 3 * data.len() as u64,
            "examined {} bytes of {}",
            cursor.examined,
            data.len()
        );
    }
}
