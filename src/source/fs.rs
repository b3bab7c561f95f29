//! The filesystem source: a parallel, gitignore-aware walk (the `ignore` crate) that reads
//! each file once into a per-thread buffer (mmap for large files), skips binary and
//! oversized files with a count, and scans the rest; archives are opened by [`archive`] and
//! their members scanned like files.

use super::archive::{self, ArchiveLimits};
use super::Stats;
use crate::detect::Detector;
use crate::finding::{Finding, SourceKind};
use ignore::{DirEntry, WalkBuilder, WalkState};
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

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
    let findings = Mutex::new(Vec::new());
    let mut builder = WalkBuilder::new(&opts.root);
    builder
        .threads(opts.threads.max(1))
        .hidden(false)
        .follow_links(false)
        .filter_entry(|e| e.file_name() != ".git");
    if opts.no_ignore {
        builder.standard_filters(false);
    }
    let root = opts.root.clone();
    builder.build_parallel().run(|| {
        let mut buf = Vec::new();
        let findings = &findings;
        let root = &root;
        Box::new(move |entry| {
            match entry {
                Ok(entry) => {
                    let found = scan_entry(&entry, root, opts, detector, stats, keep, &mut buf);
                    if !found.is_empty() {
                        if let Ok(mut all) = findings.lock() {
                            all.extend(found);
                        }
                    }
                }
                Err(err) => stats.warn(err.to_string()),
            }
            WalkState::Continue
        })
    });
    findings.into_inner().unwrap_or_default()
}

fn scan_entry(
    entry: &DirEntry,
    root: &Path,
    opts: &FsOptions,
    detector: &Detector,
    stats: &Stats,
    keep: &(dyn Fn(&str) -> bool + Sync),
    buf: &mut Vec<u8>,
) -> Vec<Finding> {
    let Some(file_type) = entry.file_type() else {
        return Vec::new();
    };
    if file_type.is_symlink() {
        if std::fs::metadata(entry.path()).is_err() {
            stats.warn(format!(
                "{}: broken symlink, skipped",
                entry.path().display()
            ));
        }
        return Vec::new();
    }
    if !file_type.is_file() {
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
        Err(err) => {
            stats.warn(format!("{}: {err}", entry.path().display()));
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

fn read(path: &Path, max: u64, buf: &mut Vec<u8>) -> std::io::Result<Content> {
    let mut file = File::open(path)?;
    let len = file.metadata()?.len();
    if len > max {
        return Ok(Content::TooLarge);
    }
    if len >= MMAP_THRESHOLD {
        // SAFETY: the map is read-only and dropped before the scan of this file returns; a
        // file truncated underneath us can at worst raise SIGBUS, as in ripgrep.
        let map = unsafe { memmap2::Mmap::map(&file)? };
        return Ok(Content::Mapped(map));
    }
    buf.clear();
    file.read_to_end(buf)?;
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
