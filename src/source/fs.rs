//! The filesystem source: a parallel, gitignore-aware walk (the `ignore` crate) that reads
//! each file once into a per-thread buffer (mmap for large files), skips binary and
//! oversized files with a count, and scans the rest; archives are opened by [`archive`] and
//! their members scanned like files.

use super::archive::{self, ArchiveLimits};
use super::{ignore_files, Stats};
use crate::bounded::{self, ReadError};
use crate::detect::Detector;
use crate::finding::{Finding, SourceKind};
use ignore::{DirEntry, WalkBuilder, WalkState};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Files at least this large are memory-mapped instead of read.
const MMAP_THRESHOLD: u64 = 1 << 20;

/// How to walk.
#[derive(Clone, Debug)]
pub struct FsOptions {
    /// Root directory or file.
    pub root: PathBuf,
    /// Walker threads.
    pub threads: usize,
    /// Ignore .gitignore/.ignore and hidden-file rules: scan everything.
    pub no_ignore: bool,
    /// Files larger than this are skipped and counted.
    pub max_file_size: u64,
    /// How far archives (zip, tar, gz) are opened.
    pub archives: ArchiveLimits,
}

/// Walks `opts.root` and returns every finding; per-file problems go to `stats`.
/// `keep` decides, by relative path, whether a file is scanned at all.
pub fn scan(
    opts: &FsOptions,
    detector: &Detector,
    stats: &Stats,
    keep: &(dyn Fn(&str) -> bool + Sync),
) -> Vec<Finding> {
    let walk = Walk {
        opts,
        detector,
        stats,
        keep,
        findings: Mutex::new(Vec::new()),
    };
    let mut read_ignores = !opts.no_ignore;
    if let Some(bad) = read_ignores
        .then(|| ignore_files::at_or_above(&opts.root))
        .flatten()
    {
        stats.warn(unsafe_ignore_warning(&bad, &opts.root));
        read_ignores = false;
    }
    let deferred = walk.run(&opts.root, read_ignores);
    // Directories whose ignore files cannot be read safely: walked again without them.
    for (dir, bad) in deferred {
        stats.warn(unsafe_ignore_warning(&bad, &dir));
        walk.run(&dir, false);
    }
    walk.findings.into_inner().unwrap_or_default()
}

fn unsafe_ignore_warning(bad: &ignore_files::Unsafe, dir: &Path) -> String {
    format!(
        "{}: {}, not a regular file: not read as an ignore file (git does not follow it either); {} is scanned without ignore files",
        bad.path.display(),
        bad.kind,
        dir.display()
    )
}

/// One file walk's inputs and its findings.
struct Walk<'a> {
    opts: &'a FsOptions,
    detector: &'a Detector,
    stats: &'a Stats,
    keep: &'a (dyn Fn(&str) -> bool + Sync),
    findings: Mutex<Vec<Finding>>,
}

/// Directories left out of a walk because an ignore file in them is not a regular file.
type Deferred = Vec<(PathBuf, ignore_files::Unsafe)>;

impl Walk<'_> {
    /// Walks `start` (the root, or a directory below it), reading ignore files when
    /// `read_ignores`; returns the directories it left out for unsafe ignore files.
    fn run(&self, start: &Path, read_ignores: bool) -> Deferred {
        let deferred = Arc::new(Mutex::new(Deferred::new()));
        let mut builder = WalkBuilder::new(start);
        builder
            .threads(self.opts.threads.max(1))
            .hidden(false)
            .follow_links(false);
        if read_ignores {
            let deferred = Arc::clone(&deferred);
            builder.filter_entry(move |e| {
                if e.file_name() == ".git" {
                    return false;
                }
                let is_dir = e.depth() > 0 && e.file_type().is_some_and(|t| t.is_dir());
                match is_dir.then(|| ignore_files::in_dir(e.path())).flatten() {
                    Some(bad) => {
                        if let Ok(mut d) = deferred.lock() {
                            d.push((e.path().to_path_buf(), bad));
                        }
                        false
                    }
                    None => true,
                }
            });
        } else {
            builder
                .standard_filters(false)
                .filter_entry(|e| e.file_name() != ".git");
        }
        builder.build_parallel().run(|| {
            let mut buf = Vec::new();
            Box::new(move |entry| {
                match entry {
                    Ok(entry) => {
                        let found = scan_entry(&entry, self, &mut buf);
                        if !found.is_empty() {
                            if let Ok(mut all) = self.findings.lock() {
                                all.extend(found);
                            }
                        }
                    }
                    Err(err) => walk_error(&err, self.stats),
                }
                WalkState::Continue
            })
        });
        let mut out = deferred
            .lock()
            .map(|mut d| std::mem::take(&mut *d))
            .unwrap_or_default();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }
}

/// A directory the walk could not list (permission denied, a path longer than the system
/// allows) leaves content unscanned; other walk errors (a bad ignore-file glob) are warnings.
fn walk_error(err: &ignore::Error, stats: &Stats) {
    if err.is_io() {
        stats.unreadable(format!("{err}: not scanned"));
    } else {
        stats.warn(err.to_string());
    }
}

fn scan_entry(entry: &DirEntry, walk: &Walk<'_>, buf: &mut Vec<u8>) -> Vec<Finding> {
    let (opts, detector, stats, keep) = (walk.opts, walk.detector, walk.stats, walk.keep);
    let root = opts.root.as_path();
    let Some(file_type) = entry.file_type() else {
        return Vec::new();
    };
    if file_type.is_symlink() {
        // Not followed; named when it leads nowhere.
        if let Err(e) = std::fs::metadata(entry.path()) {
            let why = if e.raw_os_error() == Some(libc::ELOOP) {
                "symlink loop"
            } else {
                "broken symlink"
            };
            stats.warn(format!("{}: {why}, skipped", entry.path().display()));
        }
        return Vec::new();
    }
    if !file_type.is_file() {
        if !file_type.is_dir() {
            // A FIFO would block the scan, a device (`/dev/zero`) never ends: never opened.
            let why = ReadError::NotRegular(bounded::kind(file_type));
            stats.warn(format!("{}: {why}, skipped", entry.path().display()));
        }
        return Vec::new();
    }
    let rel = relative_path(root, entry.path());
    if !keep(&rel) {
        return Vec::new();
    }
    match read(entry.path(), opts.max_file_size, buf) {
        Ok(Content::TooLarge) => {
            stats.skip_large(&rel, entry.metadata().ok().map(|m| m.len()));
            Vec::new()
        }
        Ok(content) => archive::scan(
            &rel,
            content.bytes(buf),
            &opts.archives,
            stats,
            detector,
            SourceKind::Worktree,
            keep,
        ),
        Err(err @ ReadError::NotRegular(_)) => {
            // replaced by something else since the walk saw it
            stats.warn(format!("{}: {err}, skipped", entry.path().display()));
            Vec::new()
        }
        Err(err) => {
            stats.unreadable(format!("{}: {err}", entry.path().display()));
            Vec::new()
        }
    }
}

enum Content {
    Buffered,
    Mapped(memmap2::Mmap),
    TooLarge,
}

impl Content {
    fn bytes<'a>(&'a self, buf: &'a [u8]) -> &'a [u8] {
        match self {
            Content::Mapped(map) => map,
            _ => buf,
        }
    }
}

/// Reads the regular file at `path`: memory-mapped when large, else into `buf`, at most
/// `max` bytes counted as read (a `/proc` file declares 0 bytes and may hold gigabytes).
fn read(path: &Path, max: u64, buf: &mut Vec<u8>) -> Result<Content, ReadError> {
    let (mut file, meta) = bounded::open_regular(path)?;
    let len = meta.len();
    if len > max {
        return Ok(Content::TooLarge);
    }
    if len >= MMAP_THRESHOLD {
        // SAFETY: the map is read-only and dropped before the scan of this file returns; a
        // file truncated underneath us can at worst raise SIGBUS, as in ripgrep.
        let map = unsafe { memmap2::Mmap::map(&file)? };
        return Ok(Content::Mapped(map));
    }
    if bounded::read_capped(&mut file, max, buf)? {
        return Ok(Content::TooLarge);
    }
    Ok(Content::Buffered)
}

/// `path` relative to `root`, `/`-separated; a root that is a file yields its file name.
pub fn relative_path(root: &Path, path: &Path) -> String {
    let rel = match path.strip_prefix(root) {
        Ok(r) if !r.as_os_str().is_empty() => r,
        _ => Path::new(path.file_name().unwrap_or(path.as_os_str())),
    };
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}
