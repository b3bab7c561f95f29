//! Archives met by the filesystem walk: zip (and the zip-based .jar, .war, .ear), .tar,
//! .tar.gz/.tgz and .gz files are opened and each member is handed to the caller as a path
//! and its bytes, the same pair a plain file gives. A member is named
//! `outer.zip!inner/path` (nested: `a.zip!b.tar.gz!c.env`), the syntax gitleaks uses.
//!
//! Everything a hostile archive controls is bounded: nesting depth, bytes per member (the
//! scan's `--max-file-size`) and inflated bytes per top-level archive, counted as they are
//! inflated, so a zip bomb stops at the cap in time linear in the cap. A problem (a corrupt or
//! truncated archive, an encrypted member, a bomb) is a warning naming the archive or member,
//! and the scan goes on; an archive that cannot be opened at all is scanned as a plain file.

use super::{is_binary, Chunk, Stats};
use crate::detect::Detector;
use crate::finding::{Finding, SourceKind};
use crate::size::human as human_bytes;
use std::cell::Cell;
use std::io::{self, Cursor, Read};

/// Separates an archive's path from a member's path inside it.
pub const SEPARATOR: char = '!';

/// Default nesting depth: an archive, an archive inside it, and one more level.
pub const DEFAULT_MAX_DEPTH: u32 = 3;

/// Default bytes inflated per top-level archive, nested members included: 256 MiB.
pub const DEFAULT_MAX_TOTAL: u64 = 256 * 1024 * 1024;

/// How far archives are opened (the default, all zero, opens none).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ArchiveLimits {
    /// Nesting depth opened (1: only archives found by the walk); 0 opens none.
    pub max_depth: u32,
    /// Members larger than this are skipped and counted as too large.
    pub max_member: u64,
    /// Bytes inflated per top-level archive, at every depth together.
    pub max_total: u64,
}

/// The formats opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A zip file (.zip, .jar, .war, .ear).
    Zip,
    /// An uncompressed tar file.
    Tar,
    /// A gzip-compressed tar file (.tar.gz, .tgz).
    TarGz,
    /// One gzip-compressed file (.gz): its one member is the name without `.gz`.
    Gz,
}

/// The archive format a path's name says, if any (case-insensitive).
pub fn kind_of(path: &str) -> Option<Kind> {
    let name = path.rsplit(['/', SEPARATOR]).next().unwrap_or(path);
    let lower = name.to_ascii_lowercase();
    let ends = |suffixes: &[&str]| suffixes.iter().any(|s| lower.ends_with(s));
    if ends(&[".tar.gz", ".tgz"]) {
        Some(Kind::TarGz)
    } else if ends(&[".gz"]) {
        Some(Kind::Gz)
    } else if ends(&[".tar"]) {
        Some(Kind::Tar)
    } else if ends(&[".zip", ".jar", ".war", ".ear"]) {
        Some(Kind::Zip)
    } else {
        None
    }
}

/// Hands `data`, found at `path`, to `each`: member by member when it is an archive the
/// limits let us open, else whole. `each` gets `(path, bytes)` and decides what to scan.
pub fn visit(
    path: &str,
    data: &[u8],
    limits: &ArchiveLimits,
    stats: &Stats,
    each: &mut dyn FnMut(&str, &[u8]),
) {
    visit_as(kind_of(path), path, data, limits, stats, each);
}

/// [`visit`] with the top level's format given (`None`: not an archive).
fn visit_as(
    kind: Option<Kind>,
    path: &str,
    data: &[u8],
    limits: &ArchiveLimits,
    stats: &Stats,
    each: &mut dyn FnMut(&str, &[u8]),
) {
    let budget = Budget {
        left: Cell::new(limits.max_total),
        limit: limits.max_total,
    };
    let mut walk = Walk {
        limits,
        stats,
        budget: &budget,
        visit: each,
    };
    walk.open(kind, path, data, 0);
}

/// The archive format `data` holds, read from its first bytes, for content met without a
/// name (a history blob): zip, tar, or a gzip-compressed tar. A lone `.gz` needs its name
/// (its member is named after it) and is not recognised here.
pub fn kind_of_content(data: &[u8]) -> Option<Kind> {
    let is_tar = |d: &[u8]| d.get(257..262) == Some(b"ustar".as_slice());
    if data.starts_with(b"PK\x03\x04") {
        Some(Kind::Zip)
    } else if is_tar(data) {
        Some(Kind::Tar)
    } else if data.starts_with(&[0x1f, 0x8b]) {
        let mut head = Vec::new();
        // a gzip stream that breaks in its first 512 bytes is no archive to open
        let _ = flate2::read::MultiGzDecoder::new(data)
            .take(512)
            .read_to_end(&mut head);
        is_tar(&head).then_some(Kind::TarGz)
    } else {
        None
    }
}

/// Scans a blob met without a name (`label` names it in warnings, e.g. `blob <id>`) member
/// by member when its content is an archive these limits open; the findings' paths are the
/// member part only (`!inner`), for the caller to prefix with the blob's path. `None` when
/// it is no such archive.
pub fn scan_unnamed(
    label: impl FnOnce() -> String,
    data: &[u8],
    limits: &ArchiveLimits,
    stats: &Stats,
    detector: &Detector,
    kind: SourceKind,
) -> Option<Vec<Finding>> {
    if limits.max_depth == 0 {
        return None;
    }
    let format = kind_of_content(data)?;
    // named only once it is an archive: this runs for every history blob
    let label = label();
    let mut found = Vec::new();
    visit_as(
        Some(format),
        &label,
        data,
        limits,
        stats,
        &mut |member, bytes| {
            found.extend(scan_bytes(member, bytes, detector, stats, kind));
        },
    );
    for f in &mut found {
        f.path = f
            .path
            .strip_prefix(label.as_str())
            .unwrap_or(&f.path)
            .to_string();
    }
    Some(found)
}

/// Scans `data`, found at `path`, as the file walk does: member by member when it is an
/// archive the limits let us open (members `keep` rejects are left out), else whole; binary
/// content is counted as skipped. Findings carry `kind` and member paths (`outer!inner`).
pub fn scan(
    path: &str,
    data: &[u8],
    limits: &ArchiveLimits,
    stats: &Stats,
    detector: &Detector,
    kind: SourceKind,
    keep: &dyn Fn(&str) -> bool,
) -> Vec<Finding> {
    let mut found = Vec::new();
    visit(path, data, limits, stats, &mut |member, bytes| {
        if member == path || keep(member) {
            found.extend(scan_bytes(member, bytes, detector, stats, kind));
        }
    });
    found
}

/// Whether `path` names an archive these limits open.
pub fn opens(path: &str, limits: &ArchiveLimits) -> bool {
    limits.max_depth > 0 && kind_of(path).is_some()
}

/// Scans one file's (or archive member's) bytes; binary ones are counted and skipped.
fn scan_bytes(
    path: &str,
    data: &[u8],
    detector: &Detector,
    stats: &Stats,
    kind: SourceKind,
) -> Vec<Finding> {
    if is_binary(data) {
        stats.skip_binary(path);
        return Vec::new();
    }
    stats.add_scanned(data.len());
    Chunk {
        path,
        data,
        kind,
        commit: None,
    }
    .scan(detector)
}

/// Why an archive stopped being read.
#[derive(Debug)]
enum Stop {
    /// The per-archive inflation budget ran out.
    Budget,
    /// The archive is corrupt, truncated or uses something we do not read.
    Corrupt(String),
}

impl From<io::Error> for Stop {
    fn from(e: io::Error) -> Stop {
        if e.get_ref()
            .is_some_and(|inner| inner.is::<BudgetExceeded>())
        {
            Stop::Budget
        } else {
            Stop::Corrupt(e.to_string())
        }
    }
}

impl From<zip::result::ZipError> for Stop {
    fn from(e: zip::result::ZipError) -> Stop {
        match e {
            zip::result::ZipError::Io(io) => io.into(),
            other => Stop::Corrupt(other.to_string()),
        }
    }
}

/// The error a [`BudgetReader`] returns once the archive's budget is spent.
#[derive(Debug)]
struct BudgetExceeded;

impl std::fmt::Display for BudgetExceeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("archive inflation budget exceeded")
    }
}

impl std::error::Error for BudgetExceeded {}

/// Inflated bytes left for one top-level archive.
struct Budget {
    left: Cell<u64>,
    limit: u64,
}

/// Counts every byte read through it against the budget; fails once the budget is spent.
struct BudgetReader<'b, R> {
    inner: R,
    budget: &'b Budget,
}

impl<R: Read> Read for BudgetReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.budget.left.get();
        if left == 0 {
            // one byte more than the budget tells a spent budget from an archive that fits
            let mut probe = [0u8; 1];
            return match self.inner.read(&mut probe)? {
                0 => Ok(0),
                _ => Err(io::Error::other(BudgetExceeded)),
            };
        }
        let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        self.budget.left.set(left - n as u64);
        Ok(n)
    }
}

/// One top-level archive being opened.
struct Walk<'a, 'v> {
    limits: &'a ArchiveLimits,
    stats: &'a Stats,
    budget: &'a Budget,
    visit: &'v mut dyn FnMut(&str, &[u8]),
}

impl Walk<'_, '_> {
    /// `data` at `path`, `depth` archives deep: opened when an archive within the depth
    /// limit, else visited.
    fn item(&mut self, path: &str, data: &[u8], depth: u32) {
        self.open(kind_of(path), path, data, depth);
    }

    /// [`Walk::item`] with the format given (`None`: not an archive).
    fn open(&mut self, kind: Option<Kind>, path: &str, data: &[u8], depth: u32) {
        let Some(kind) = kind else {
            (self.visit)(path, data);
            return;
        };
        if depth >= self.limits.max_depth {
            if self.limits.max_depth > 0 {
                self.stats.notice(format!(
                    "{path}: archive nested deeper than {} levels, not opened (--max-archive-depth)",
                    self.limits.max_depth
                ));
            }
            (self.visit)(path, data);
            return;
        }
        let mut members = 0usize;
        let result = match kind {
            Kind::Zip => self.zip(path, data, depth, &mut members),
            Kind::Tar => self.tar(path, data, depth, &mut members),
            Kind::TarGz => self.tar(
                path,
                flate2::read::MultiGzDecoder::new(data),
                depth,
                &mut members,
            ),
            Kind::Gz => self.gz(path, data, depth, &mut members),
        };
        match result {
            Ok(()) => {}
            Err(Stop::Budget) => self.stats.notice(format!(
                "{path}: archive inflates past the {} limit; the rest of it was not scanned (--max-archive-size)",
                human_bytes(self.budget.limit)
            )),
            Err(Stop::Corrupt(reason)) if members == 0 => {
                self.stats.notice(format!(
                    "{path}: cannot be read as an archive ({reason}); scanned as a plain file"
                ));
                (self.visit)(path, data);
            }
            Err(Stop::Corrupt(reason)) => self.stats.notice(format!(
                "{path}: corrupt archive after {members} member{} ({reason}); the rest of it was not scanned",
                if members == 1 { "" } else { "s" }
            )),
        }
    }

    fn zip(
        &mut self,
        path: &str,
        data: &[u8],
        depth: u32,
        members: &mut usize,
    ) -> Result<(), Stop> {
        let mut archive = zip::ZipArchive::new(Cursor::new(data))?;
        for i in 0..archive.len() {
            let name = archive.name_for_index(i).unwrap_or("?").to_string();
            let mut file = match archive.by_index(i) {
                Ok(file) => file,
                Err(zip::result::ZipError::UnsupportedArchive(why)) => {
                    self.stats
                        .notice(format!("{path}{SEPARATOR}{name}: not scanned ({why})"));
                    continue;
                }
                Err(e) => return Err(e.into()),
            };
            *members += 1;
            if !file.is_file() {
                continue;
            }
            let inner = format!("{path}{SEPARATOR}{name}");
            if file.size() > self.limits.max_member {
                self.stats.skip_large(&inner, Some(file.size()));
                continue;
            }
            self.member(&inner, &mut file, depth)?;
        }
        Ok(())
    }

    fn tar(
        &mut self,
        path: &str,
        data: impl Read,
        depth: u32,
        members: &mut usize,
    ) -> Result<(), Stop> {
        let reader = BudgetReader {
            inner: data,
            budget: self.budget,
        };
        let mut archive = tar::Archive::new(reader);
        for entry in archive.entries()? {
            let mut entry = entry?;
            *members += 1;
            if !entry.header().entry_type().is_file() {
                continue;
            }
            let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            let inner = format!("{path}{SEPARATOR}{name}");
            let size = entry.size();
            if size > self.limits.max_member {
                self.stats.skip_large(&inner, Some(size));
                continue;
            }
            // the stream is already counted against the budget: read the member directly
            let mut bytes = Vec::new();
            (&mut entry).take(size).read_to_end(&mut bytes)?;
            self.item(&inner, &bytes, depth + 1);
        }
        Ok(())
    }

    fn gz(&mut self, path: &str, data: &[u8], depth: u32, members: &mut usize) -> Result<(), Stop> {
        let name = path.rsplit(['/', SEPARATOR]).next().unwrap_or(path);
        let stem = &name[..name.len().saturating_sub(3)];
        let inner = format!("{path}{SEPARATOR}{stem}");
        let mut decoder = flate2::read::MultiGzDecoder::new(data);
        *members += 1;
        // a .gz that is not gzip fails on its first bytes: nothing of it was scanned
        self.member(&inner, &mut decoder, depth)
            .inspect_err(|_| *members = 0)
    }

    /// Inflates one member (at most the member limit, counted against the budget) and
    /// passes it on; a member inflating past the limit is skipped as too large.
    fn member(&mut self, inner: &str, reader: &mut dyn Read, depth: u32) -> Result<(), Stop> {
        let mut bytes = Vec::new();
        BudgetReader {
            inner: reader,
            budget: self.budget,
        }
        .take(self.limits.max_member.saturating_add(1))
        .read_to_end(&mut bytes)?;
        if bytes.len() as u64 > self.limits.max_member {
            // named with the other files over the limit (`…: skipped, too large`)
            self.stats.skip_large(inner, None);
            return Ok(());
        }
        self.item(inner, &bytes, depth + 1);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_come_from_the_last_name() {
        assert_eq!(kind_of("a/b.tar.gz"), Some(Kind::TarGz));
        assert_eq!(kind_of("B.TGZ"), Some(Kind::TarGz));
        assert_eq!(kind_of("log.gz"), Some(Kind::Gz));
        assert_eq!(kind_of("x.zip!lib/app.JAR"), Some(Kind::Zip));
        assert_eq!(kind_of("x.zip!notes.txt"), None);
        assert_eq!(kind_of("zip"), None);
    }

    #[test]
    fn unnamed_content_is_recognised_by_its_first_bytes() {
        use std::io::Write;
        let mut tar = vec![0u8; 1024];
        tar[257..262].copy_from_slice(b"ustar");
        let gzip = |data: &[u8]| {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(data).expect("gzip");
            e.finish().expect("gzip")
        };
        assert_eq!(kind_of_content(b"PK\x03\x04rest"), Some(Kind::Zip));
        assert_eq!(kind_of_content(&tar), Some(Kind::Tar));
        assert_eq!(kind_of_content(&gzip(&tar)), Some(Kind::TarGz));
        // a lone .gz is named after its file, which a history blob does not know
        assert_eq!(kind_of_content(&gzip(b"API_KEY=x\n")), None);
        assert_eq!(kind_of_content(&[0x1f, 0x8b, 0, 0]), None);
        assert_eq!(kind_of_content(b"plain text, PK later"), None);
    }

    #[test]
    fn budget_reader_fails_one_byte_past_the_budget() {
        let budget = Budget {
            left: Cell::new(4),
            limit: 4,
        };
        let mut out = Vec::new();
        let fits = BudgetReader {
            inner: &b"abcd"[..],
            budget: &budget,
        }
        .read_to_end(&mut out);
        assert_eq!(fits.ok(), Some(4));
        budget.left.set(4);
        let over = BudgetReader {
            inner: &b"abcde"[..],
            budget: &budget,
        }
        .read_to_end(&mut Vec::new());
        assert!(matches!(over.map_err(Stop::from), Err(Stop::Budget)));
    }
}
