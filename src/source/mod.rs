//! Sources of bytes to scan: the filesystem (`fs`) and git (`git`). Each source turns what
//! it reads into [`Chunk`]s and hands them to [`Chunk::scan`], so every source shares one
//! path from bytes to findings.

pub mod archive;
pub mod decode;
pub mod fs;
pub mod git;
pub mod ignore_files;
pub mod progress;
pub mod stdin;

use crate::detect::Detector;
use crate::finding::{CommitInfo, Finding, Secret, SourceKind};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// Most skipped files a scan names (the counters count them all).
pub const MAX_SKIPPED_NAMED: usize = 10_000;

/// Most unreadable objects, refs or files a scan names (the counter counts them all).
pub const MAX_UNREADABLE_NAMED: usize = 100;

/// Bytes NUL-sniffed for binary detection.
pub const BINARY_SNIFF: usize = 8 * 1024;

/// One buffer to scan and where it came from.
pub struct Chunk<'a> {
    /// Path relative to the scan root, `/`-separated.
    pub path: &'a str,
    /// The content.
    pub data: &'a [u8],
    /// Where the content came from.
    pub kind: SourceKind,
    /// For history: the commit that introduced it.
    pub commit: Option<&'a CommitInfo>,
}

impl Chunk<'_> {
    /// Runs the detector over the chunk, decoded to UTF-8 (see [`decode`]: lines and
    /// columns are those of the decoded text), and builds findings. Each names the local
    /// server address the chunk talks to, if any ([`crate::fixture::local_host`]), looked
    /// for only when something was found.
    pub fn scan(&self, detector: &Detector) -> Vec<Finding> {
        let text = decode::text(self.data);
        let matches = detector.scan(&text);
        let local_server = if matches.is_empty() {
            None
        } else {
            crate::fixture::local_host(&text)
        };
        matches
            .into_iter()
            .map(|m| Finding {
                local_server,
                ..self.finding(detector, m)
            })
            .collect()
    }

    /// The finding for one of the detector's matches in this chunk.
    pub fn finding(&self, detector: &Detector, m: crate::detect::Match) -> Finding {
        let rule = &detector.rules()[m.rule];
        Finding {
            rule: rule.id.clone(),
            severity: rule.severity,
            provider: m.provider,
            path: self.path.to_string(),
            line: m.line,
            column: m.column,
            secret: Some(Secret::new(m.secret)),
            source: self.kind,
            commit: self.commit.cloned(),
            detail: m.detail,
            gitignore: None,
            repository: None,
            later: Vec::new(),
            local_server: None,
        }
    }
}

/// True when the first 8 KiB, decoded (UTF-16 and UTF-32 are text, see [`decode`]), hold
/// a NUL.
pub fn is_binary(data: &[u8]) -> bool {
    decode::is_binary(data)
}

/// Counters shared by the threads of a scan.
#[derive(Debug, Default)]
pub struct Stats {
    /// Files or blobs scanned.
    pub scanned: AtomicU64,
    /// Bytes scanned.
    pub bytes: AtomicU64,
    /// Skipped because binary.
    pub skipped_binary: AtomicU64,
    /// Skipped because over the size limit.
    pub skipped_large: AtomicU64,
    /// Per-item problems (unreadable files, broken symlinks, corrupt objects).
    pub errors: AtomicU64,
    /// Content that could not be read (missing objects, corrupt packs, unreadable refs):
    /// the scan is incomplete, which fails it unless the user allows it.
    pub unreadable: AtomicU64,
    warnings: Mutex<Vec<String>>,
    unreadable_named: Mutex<Vec<String>>,
    skipped: Mutex<Vec<Skipped>>,
}

/// A file or blob the scan did not read, and why (for `--verbose` and the oversized-file
/// warnings).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Skipped {
    /// The path (or `blob <id>` for a history blob met without a path).
    pub what: String,
    /// Why.
    pub reason: SkipReason,
}

/// Why a file was skipped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum SkipReason {
    /// Over the size limit (its size in bytes, when known).
    TooLarge(Option<u64>),
    /// A NUL byte in its first 8 KiB.
    Binary,
}

impl Stats {
    /// Counts one scanned item of `len` bytes.
    pub fn add_scanned(&self, len: usize) {
        self.scanned.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(len as u64, Ordering::Relaxed);
    }

    /// Records a per-item problem; the scan goes on. A problem already recorded (a corrupt
    /// object met by two passes over the object database) is recorded once.
    pub fn warn(&self, message: String) {
        if let Ok(mut w) = self.warnings.lock() {
            if w.contains(&message) {
                return;
            }
            w.push(message);
        }
        self.errors.fetch_add(1, Ordering::Relaxed);
    }

    /// Records content that could not be read, named by `message` (the object, ref, pack or
    /// file and why): counted as a per-item problem and as unreadable, the scan goes on. The
    /// same message twice is recorded once; at most [`MAX_UNREADABLE_NAMED`] are named.
    pub fn unreadable(&self, message: String) {
        if let Ok(mut named) = self.unreadable_named.lock() {
            if named.contains(&message) {
                return;
            }
            if named.len() < MAX_UNREADABLE_NAMED {
                named.push(message);
            }
        }
        self.errors.fetch_add(1, Ordering::Relaxed);
        self.unreadable.fetch_add(1, Ordering::Relaxed);
    }

    /// Takes the unreadable content named so far, sorted.
    pub fn take_unreadable(&self) -> Vec<String> {
        take_sorted(&self.unreadable_named)
    }

    /// Records a warning that is not an unreadable item (an archive member over a limit, a
    /// corrupt archive scanned as a plain file): shown like the others, not counted as an
    /// error.
    pub fn notice(&self, message: String) {
        if let Ok(mut w) = self.warnings.lock() {
            if !w.contains(&message) {
                w.push(message);
            }
        }
    }

    /// Counts and names a file or blob skipped as larger than the limit.
    pub fn skip_large(&self, what: &str, size: Option<u64>) {
        self.skipped_large.fetch_add(1, Ordering::Relaxed);
        self.record_skip(what, SkipReason::TooLarge(size));
    }

    /// Counts and names a file or blob skipped as binary.
    pub fn skip_binary(&self, what: &str) {
        self.skipped_binary.fetch_add(1, Ordering::Relaxed);
        self.record_skip(what, SkipReason::Binary);
    }

    fn record_skip(&self, what: &str, reason: SkipReason) {
        if let Ok(mut s) = self.skipped.lock() {
            // the counters stay exact; the names are bounded (a history of a million images)
            if s.len() >= MAX_SKIPPED_NAMED {
                return;
            }
            s.push(Skipped {
                what: what.to_string(),
                reason,
            });
        }
    }

    /// Takes the skipped files recorded so far, sorted.
    pub fn take_skipped(&self) -> Vec<Skipped> {
        let mut out = take_sorted(&self.skipped);
        out.dedup();
        out
    }

    /// Takes the warnings recorded so far.
    pub fn take_warnings(&self) -> Vec<String> {
        self.warnings
            .lock()
            .map(|mut w| std::mem::take(&mut *w))
            .unwrap_or_default()
    }

    /// A plain snapshot of the counters.
    pub fn snapshot(&self) -> StatsSnapshot {
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        StatsSnapshot {
            scanned: get(&self.scanned),
            bytes: get(&self.bytes),
            skipped_binary: get(&self.skipped_binary),
            skipped_large: get(&self.skipped_large),
            errors: get(&self.errors),
            unreadable: get(&self.unreadable),
        }
    }
}

/// Empties a list shared by the threads of a scan, returning it sorted.
fn take_sorted<T: Ord>(list: &Mutex<Vec<T>>) -> Vec<T> {
    let mut out = list
        .lock()
        .map(|mut s| std::mem::take(&mut *s))
        .unwrap_or_default();
    out.sort();
    out
}

impl std::ops::AddAssign for StatsSnapshot {
    /// Adds another scan's counters (a sweep's total over its targets).
    fn add_assign(&mut self, other: StatsSnapshot) {
        self.scanned += other.scanned;
        self.bytes += other.bytes;
        self.skipped_binary += other.skipped_binary;
        self.skipped_large += other.skipped_large;
        self.errors += other.errors;
        self.unreadable += other.unreadable;
    }
}

/// Counters at the end of a scan.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StatsSnapshot {
    /// Files or blobs scanned.
    pub scanned: u64,
    /// Bytes scanned.
    pub bytes: u64,
    /// Skipped because binary.
    pub skipped_binary: u64,
    /// Skipped because over the size limit.
    pub skipped_large: u64,
    /// Per-item problems.
    pub errors: u64,
    /// Of those, content that could not be read (missing objects, corrupt packs, refs).
    #[serde(default)]
    pub unreadable: u64,
}
