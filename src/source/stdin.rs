//! The standard-input source (`keyhound scan -`): reads the stream in segments of bounded
//! size, so a long log pipeline is scanned in constant memory, and reports findings at path
//! [`PATH`] with the line numbers of the stream. Consecutive segments overlap by
//! [`OVERLAP`] bytes (more than a rule's window), and a finding is kept only by the first
//! segment that holds it, so nothing is lost or doubled at a seam.
//!
//! A unified diff (`git diff | keyhound scan -`, `git log -p`) is recognised by its hunk
//! headers: inside a hunk only added lines are scanned, with their leading `+` removed so rules
//! anchored at a line start or on an assignment see `API_KEY=…` as in the file; removed and
//! context lines are blanked (they are not what the diff adds), line numbers stay the
//! stream's, and columns count the `+`.

use super::{Chunk, Stats};
use crate::detect::Detector;
use crate::finding::{Finding, SourceKind};
use std::io::{self, Read};

/// The path findings from standard input carry.
pub const PATH: &str = "<stdin>";

/// Bytes a segment shares with the one before it: more than a rule's window either side.
pub const OVERLAP: usize = 16 * 1024;

/// Bytes read from the stream per call.
const READ_SIZE: usize = 64 * 1024;

/// What a stdin scan found.
#[derive(Debug, Default)]
pub struct StdinScan {
    /// Findings, in stream order.
    pub findings: Vec<Finding>,
    /// Said in the report (e.g. that the stream was read as a diff).
    pub notes: Vec<String>,
}

/// Scans `input` in segments of about `segment` bytes (at least `4 * OVERLAP`).
pub fn scan(
    input: &mut dyn Read,
    segment: u64,
    detector: &Detector,
    stats: &Stats,
) -> io::Result<StdinScan> {
    let segment = usize::try_from(segment)
        .unwrap_or(usize::MAX)
        .max(4 * OVERLAP);
    let mut stream = Stream::default();
    let mut diff = DiffFilter::default();
    let mut out = StdinScan::default();
    let mut raw = vec![0u8; READ_SIZE];
    let mut pending = Vec::new();
    let mut total = 0u64;
    loop {
        let n = match input.read(&mut raw) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        total += n as u64;
        pending.extend_from_slice(&raw[..n]);
        let eof = n == 0;
        // whole lines go through the diff filter; a line longer than a segment is cut
        let cut = match memchr::memrchr(b'\n', &pending) {
            _ if eof => pending.len(),
            Some(i) => i + 1,
            None if pending.len() >= segment => pending.len(),
            None => continue,
        };
        diff.push(&pending[..cut], &mut stream);
        pending.drain(..cut);
        if eof {
            stream.scan(true, detector, &mut out.findings);
            break;
        }
        if stream.buf.len() >= segment + OVERLAP {
            stream.scan(false, detector, &mut out.findings);
        }
    }
    // the stream is one item scanned, of every byte read
    stats.add_scanned(usize::try_from(total).unwrap_or(usize::MAX));
    if diff.hunks > 0 {
        out.notes.push(format!(
            "standard input read as a unified diff ({} hunk{}): only its added (+) lines and the text outside hunks were scanned",
            diff.hunks,
            if diff.hunks == 1 { "" } else { "s" }
        ));
    }
    if stream.split_lines > 0 {
        stats.notice(format!(
            "{PATH}: {} line{} longer than the {} segment (--max-file-size) scanned in pieces; a secret cut at a seam may be missed",
            stream.split_lines,
            if stream.split_lines == 1 { "" } else { "s" },
            crate::size::human(segment as u64)
        ));
    }
    Ok(out)
}

/// The filtered text waiting to be scanned, with what the seams need.
#[derive(Debug)]
struct Stream {
    /// Bytes of the current segment (the overlap with the last one first).
    buf: Vec<u8>,
    /// Stream line number of `buf[0]` (1-based).
    first_line: u32,
    /// Offset in `buf` before which the last segment already reported.
    fresh: usize,
    /// Stream line numbers whose leading `+` was removed (columns shift by one).
    stripped: std::collections::BTreeSet<u32>,
    /// Lines longer than a segment.
    split_lines: usize,
    /// The last byte pushed was not a newline (a cut line continues).
    in_line: bool,
}

impl Default for Stream {
    fn default() -> Self {
        Stream {
            buf: Vec::new(),
            first_line: 1,
            fresh: 0,
            stripped: Default::default(),
            split_lines: 0,
            in_line: false,
        }
    }
}

impl Stream {
    /// Scans `buf` and keeps its last [`OVERLAP`] bytes (from a line start when there is one)
    /// for the next segment.
    fn scan(&mut self, last: bool, detector: &Detector, out: &mut Vec<Finding>) {
        let chunk = Chunk {
            path: PATH,
            data: &self.buf,
            kind: SourceKind::Stdin,
            commit: None,
        };
        for m in detector.scan(&self.buf) {
            if m.start < self.fresh {
                continue;
            }
            let line = self.first_line.saturating_add(m.line - 1);
            let mut f = chunk.finding(detector, m);
            f.line = line;
            if self.stripped.contains(&line) {
                f.column += 1;
            }
            out.push(f);
        }
        if last {
            return;
        }
        let floor = self.buf.len().saturating_sub(OVERLAP);
        let keep_from = match memchr::memrchr(b'\n', &self.buf[..floor]) {
            Some(i) if self.buf.len() - (i + 1) <= 2 * OVERLAP => i + 1,
            _ => floor,
        };
        let dropped = &self.buf[..keep_from];
        let dropped_lines = memchr::memchr_iter(b'\n', dropped).count();
        self.first_line = self
            .first_line
            .saturating_add(u32::try_from(dropped_lines).unwrap_or(u32::MAX));
        self.buf.drain(..keep_from);
        self.fresh = self.buf.len();
        let first = self.first_line;
        self.stripped.retain(|l| *l >= first);
    }

    /// Appends filtered bytes; `stripped` says the line they start had its `+` removed.
    fn push_line(&mut self, line: &[u8], stripped: bool, line_no: u32) {
        if stripped {
            self.stripped.insert(line_no);
        }
        self.buf.extend_from_slice(line);
    }
}

/// Recognises unified-diff hunks line by line and keeps only what they add.
#[derive(Debug, Default)]
struct DiffFilter {
    /// Old and new lines left in the current hunk.
    old_left: u64,
    new_left: u64,
    /// Hunks seen.
    hunks: usize,
    /// Stream line number of the next line (0-based count of newlines so far).
    newlines: u32,
    /// The last push ended inside a line (a line longer than a segment).
    partial: Option<LineMode>,
}

/// What happens to one line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LineMode {
    /// Scanned as is.
    Keep,
    /// An added line: scanned without its `+`.
    Added,
    /// A removed or context line, or a hunk header: blanked.
    Blank,
}

impl DiffFilter {
    /// Filters `text` (whole lines, except that its last line may continue in the next push).
    fn push(&mut self, text: &[u8], stream: &mut Stream) {
        let mut rest = text;
        while !rest.is_empty() {
            let end = memchr::memchr(b'\n', rest).map_or(rest.len(), |i| i + 1);
            let (line, tail) = rest.split_at(end);
            rest = tail;
            let complete = line.ends_with(b"\n");
            let line_no = self.newlines.saturating_add(1);
            let mode = match self.partial.take() {
                Some(mode) => {
                    if mode != LineMode::Blank {
                        stream.push_line(line, false, line_no);
                    } else if complete {
                        stream.push_line(b"\n", false, line_no);
                    }
                    mode
                }
                None => {
                    let mode = self.classify(line);
                    match mode {
                        LineMode::Keep => stream.push_line(line, false, line_no),
                        LineMode::Added => stream.push_line(&line[1..], true, line_no),
                        LineMode::Blank if complete => stream.push_line(b"\n", false, line_no),
                        LineMode::Blank => {}
                    }
                    mode
                }
            };
            if complete {
                self.newlines = self.newlines.saturating_add(1);
            } else {
                if !stream.in_line {
                    stream.split_lines += 1;
                }
                self.partial = Some(mode);
            }
            stream.in_line = !complete;
        }
    }

    /// Decides a line's fate from its first bytes and the hunk being read.
    fn classify(&mut self, line: &[u8]) -> LineMode {
        if self.old_left > 0 || self.new_left > 0 {
            match line.first() {
                Some(b'+') => {
                    self.new_left = self.new_left.saturating_sub(1);
                    return LineMode::Added;
                }
                Some(b'-') => {
                    self.old_left = self.old_left.saturating_sub(1);
                    return LineMode::Blank;
                }
                Some(b' ') | Some(b'\n') | Some(b'\r') => {
                    self.old_left = self.old_left.saturating_sub(1);
                    self.new_left = self.new_left.saturating_sub(1);
                    return LineMode::Blank;
                }
                Some(b'\\') => return LineMode::Blank,
                _ => {
                    self.old_left = 0;
                    self.new_left = 0;
                }
            }
        } else if line.starts_with(b"\\ ") {
            // "\ No newline at end of file" right after a hunk's last line
            return LineMode::Blank;
        }
        match hunk_header(line) {
            Some((old, new)) => {
                self.old_left = old;
                self.new_left = new;
                self.hunks += 1;
                LineMode::Blank
            }
            None => LineMode::Keep,
        }
    }
}

/// `@@ -a[,b] +c[,d] @@…` → (b, d), the old and new line counts (1 when omitted).
fn hunk_header(line: &[u8]) -> Option<(u64, u64)> {
    let text = std::str::from_utf8(line.strip_prefix(b"@@ -")?).ok()?;
    let (ranges, _) = text.split_once(" @@")?;
    let (old, new) = ranges.split_once(" +")?;
    Some((range_len(old)?, range_len(new)?))
}

fn range_len(range: &str) -> Option<u64> {
    match range.split_once(',') {
        Some((start, len)) => {
            start.parse::<u64>().ok()?;
            len.parse().ok()
        }
        None => range.parse::<u64>().ok().map(|_| 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filtered(text: &str) -> (String, Vec<u32>, usize) {
        let mut stream = Stream::default();
        let mut diff = DiffFilter::default();
        diff.push(text.as_bytes(), &mut stream);
        (
            String::from_utf8_lossy(&stream.buf).into_owned(),
            stream.stripped.iter().copied().collect(),
            diff.hunks,
        )
    }

    #[test]
    fn hunk_headers_give_line_counts() {
        assert_eq!(hunk_header(b"@@ -1,3 +1,4 @@ fn main()\n"), Some((3, 4)));
        assert_eq!(hunk_header(b"@@ -0,0 +1 @@\n"), Some((0, 1)));
        assert_eq!(hunk_header(b"@@ not a hunk\n"), None);
    }

    #[test]
    fn diffs_keep_added_lines_without_plus_and_blank_the_rest() {
        let text = "commit abc\n\n    message\ndiff --git a/x b/x\n--- a/x\n+++ b/x\n\
                    @@ -1,2 +1,2 @@\n ctx\n-old\n+new=1\n    indented message after\n";
        let (out, stripped, hunks) = filtered(text);
        assert_eq!(
            out,
            "commit abc\n\n    message\ndiff --git a/x b/x\n--- a/x\n+++ b/x\n\n\n\nnew=1\n    indented message after\n"
        );
        assert_eq!(stripped, vec![10]);
        assert_eq!(hunks, 1);
    }

    #[test]
    fn segments_find_every_key_once_at_its_stream_line() {
        let rules = crate::rules::RuleSet::builtin().expect("rules");
        let detector = Detector::new(&rules).expect("detector");
        let key = format!("mts_live_{}", "Q7fLr2ZxW9kPm4Tb8NcVy1HdJ6sGa3Ue"); // keyhound:allow
        let mut text = String::new();
        let mut expected = Vec::new();
        for line in 1..=20_000u32 {
            // a key every 97 lines lands on, before and after many segment seams
            if line % 97 == 0 {
                text.push_str(&format!("ts={line} key={key}\n"));
                expected.push(line);
            } else {
                text.push_str(&format!("ts={line} GET /health 200 ok\n"));
            }
        }
        let stats = Stats::default();
        let found = scan(&mut text.as_bytes(), 64 * 1024, &detector, &stats).expect("scan");
        let lines: Vec<u32> = found.findings.iter().map(|f| f.line).collect();
        assert_eq!(lines, expected);
        assert!(found
            .findings
            .iter()
            .all(|f| f.path == PATH && f.column > 8));
        assert_eq!(stats.snapshot().bytes, text.len() as u64);
    }

    #[test]
    fn a_line_longer_than_a_segment_is_scanned_in_pieces_with_a_warning() {
        let rules = crate::rules::RuleSet::builtin().expect("rules");
        let detector = Detector::new(&rules).expect("detector");
        let key = format!("mts_live_{}", "Q7fLr2ZxW9kPm4Tb8NcVy1HdJ6sGa3Ue"); // keyhound:allow
        let text = format!("{}\nnext {key}\n", "x".repeat(300 * 1024));
        let stats = Stats::default();
        let found = scan(&mut text.as_bytes(), 64 * 1024, &detector, &stats).expect("scan");
        assert_eq!(
            found.findings.iter().map(|f| f.line).collect::<Vec<_>>(),
            vec![2]
        );
        assert_eq!(
            stats.take_warnings(),
            vec![
                "<stdin>: 1 line longer than the 65.5 KB segment (--max-file-size) scanned in \
                 pieces; a secret cut at a seam may be missed"
                    .to_string()
            ]
        );
    }

    #[test]
    fn text_that_is_not_a_diff_is_kept_as_is() {
        let text = "+not a diff line\n-neither\n@@ nope\n";
        assert_eq!(filtered(text), (text.to_string(), vec![], 0));
    }
}
