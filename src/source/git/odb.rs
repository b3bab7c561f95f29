//! Enumerates every blob (and, when asked, every tree and commit) of an object database exactly
//! once, decoding packs in parallel by delta tree.
//!
//! Packs are decoded by delta tree (see the private `pack` module): every delta base is inflated
//! once and its deltas are applied while it is in memory, in parallel, with no object cache, and
//! delta trees of kinds nobody asked for are not read at all. Loose objects are inflated one by
//! one in parallel. Objects present in several packs, in a pack and loose, or in several object
//! directories (alternates, quarantine) are reported once.

mod pack;

use std::{
    collections::HashSet,
    fs,
    path::{Path, PathBuf},
    sync::{
        atomic::{AtomicU64, Ordering},
        Mutex,
    },
};

use gix::ObjectId;
use rayon::prelude::*;

use self::pack::PackFile;
use super::{error::error_chain, GitError};

/// How many warnings one pack or object directory may add to [`BlobStats::errors`] before the rest
/// are only counted.
const MAX_WARNINGS_PER_SOURCE: usize = 100;

/// Options for [`for_each_blob`].
#[derive(Debug, Clone)]
pub struct BlobOptions {
    /// Blobs larger than this many bytes are not passed to the callback but counted in
    /// [`BlobStats::skipped_large`], never inflated (their size comes from the object header).
    /// A large packed blob that other blobs are deltas of is decoded only when one of those
    /// is within the limit.
    pub max_size: u64,
    /// Number of threads decoding objects, or `None` for rayon's global pool (one per logical core
    /// unless configured otherwise).
    pub threads: Option<usize>,
}

impl Default for BlobOptions {
    fn default() -> Self {
        BlobOptions {
            max_size: u64::MAX,
            threads: None,
        }
    }
}

/// What [`for_each_blob`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BlobStats {
    /// Blobs passed to the callback.
    pub blobs: u64,
    /// Total size of the blobs passed to the callback, in bytes.
    pub bytes: u64,
    /// Blobs not passed to the callback because they exceed [`BlobOptions::max_size`].
    pub skipped_large: u64,
    /// The first of those (at most [`crate::source::MAX_SKIPPED_NAMED`]) with their sizes,
    /// read from object headers.
    pub large: Vec<(ObjectId, u64)>,
    /// Objects, packs or directories that could not be read, one message each naming the object or
    /// file. The enumeration went on past each of them.
    pub errors: Vec<String>,
}

/// Calls `f` with the id and content of every blob in the object database of the repository at
/// `repo_path`, each distinct blob exactly once, from several threads at once.
///
/// All packs and loose objects are read, of the repository's object directory and of its
/// alternates (`objects/info/alternates`). Unreachable blobs are included. The order of calls is unspecified.
///
/// A corrupt pack or object is recorded in [`BlobStats::errors`] and the enumeration goes on; an error
/// is returned only if the repository cannot be opened or the thread pool cannot be created.
pub fn for_each_blob(
    repo: &gix::Repository,
    opts: &BlobOptions,
    f: ObjectFn<'_>,
) -> Result<BlobStats, GitError> {
    let visitors = Visitors {
        blob: Some(f),
        ..Visitors::default()
    };
    for_each_object(repo, opts, &visitors)
}

/// A callback receiving the id and content of decoded objects of one kind, from several threads.
pub type ObjectFn<'a> = &'a (dyn Fn(&gix::oid, &[u8]) + Sync);

/// Which kinds of object [`for_each_object`] decodes, and the callback for each. Delta trees of
/// a kind without a callback are not read at all.
#[derive(Clone, Copy, Default)]
pub struct Visitors<'a> {
    /// Receives blobs (at most [`BlobOptions::max_size`] bytes).
    pub blob: Option<ObjectFn<'a>>,
    /// Receives tree objects (no size limit).
    pub tree: Option<ObjectFn<'a>>,
    /// Receives commit objects (no size limit).
    pub commit: Option<ObjectFn<'a>>,
}

impl Visitors<'_> {
    fn wants(&self, kind: gix::object::Kind) -> bool {
        use gix::object::Kind;
        match kind {
            Kind::Blob => self.blob.is_some(),
            Kind::Tree => self.tree.is_some(),
            Kind::Commit => self.commit.is_some(),
            Kind::Tag => false,
        }
    }
}

/// Like [`for_each_blob`] for every kind with a callback in `visitors`: each distinct object
/// of those kinds is decoded once (by the same delta-tree pass) and handed to its callback.
/// This is how a history sweep scans blobs and learns the trees and commits without walking.
pub fn for_each_object(
    repo: &gix::Repository,
    opts: &BlobOptions,
    visitors: &Visitors<'_>,
) -> Result<BlobStats, GitError> {
    let object_hash = repo.object_hash();
    let cwd = repo.current_dir().to_owned();
    // In a pre-receive hook the store is `objects_env`'s private directory whose alternates
    // name git's quarantine and the repository's own objects.
    let roots = vec![repo.objects.store_ref().path().to_owned()];

    let sink = Sink::new(visitors, opts);
    let scan = || {
        let object_dirs = resolve_object_dirs(&roots, &cwd, &sink);
        let packs = open_packs(&object_dirs, object_hash, &sink);
        for (pos, pack) in packs.iter().enumerate() {
            let earlier = &packs[..pos];
            pack.scan_objects(|id| earlier.iter().any(|other| other.contains(id)), &sink);
        }
        let mut loose_seen = HashSet::new();
        for dir in &object_dirs {
            scan_loose(dir, object_hash, &packs, &mut loose_seen, &sink);
        }
    };
    match opts.threads {
        Some(threads) => rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("keyhound-blobs-{i}"))
            .build()
            .map_err(|err| GitError::Gix {
                context: format!("cannot start {threads} threads"),
                source: err.into(),
            })?
            .install(scan),
        None => scan(),
    }
    Ok(sink.into_stats())
}

/// Decodes every object of the one pack whose index is at `index_path` (its `.pack` beside
/// it) the way [`for_each_object`] decodes each pack of a repository, on the current rayon
/// pool; `opts.threads` is not used. A pack that cannot be opened is an entry in
/// [`BlobStats::errors`]. For the fuzz target and for tools holding a lone pack.
pub fn for_each_object_in_pack(
    index_path: &Path,
    object_hash: gix::hash::Kind,
    opts: &BlobOptions,
    visitors: &Visitors<'_>,
) -> BlobStats {
    let sink = Sink::new(visitors, opts);
    match PackFile::open(index_path, object_hash) {
        Ok(pack) => pack.scan_objects(|_| false, &sink),
        Err(err) => sink.warn(format!(
            "cannot open pack {}: {}",
            index_path.display(),
            error_chain(&*err)
        )),
    }
    sink.into_stats()
}

/// Receives decoded objects from all threads and keeps the statistics.
struct Sink<'a> {
    visitors: Visitors<'a>,
    max_size: u64,
    blobs: AtomicU64,
    bytes: AtomicU64,
    skipped_large: AtomicU64,
    large: Mutex<Vec<(ObjectId, u64)>>,
    errors: Mutex<Vec<String>>,
}

impl<'a> Sink<'a> {
    fn new(visitors: &Visitors<'a>, opts: &BlobOptions) -> Self {
        Sink {
            visitors: *visitors,
            max_size: opts.max_size,
            blobs: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            skipped_large: AtomicU64::new(0),
            large: Mutex::new(Vec::new()),
            errors: Mutex::new(Vec::new()),
        }
    }

    fn into_stats(self) -> BlobStats {
        BlobStats {
            blobs: self.blobs.into_inner(),
            bytes: self.bytes.into_inner(),
            skipped_large: self.skipped_large.into_inner(),
            large: self
                .large
                .into_inner()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
            errors: self
                .errors
                .into_inner()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        }
    }

    /// Delivers a decoded object to the callback for its kind; a blob that is too large is
    /// counted as skipped instead.
    fn deliver(&self, kind: gix::object::Kind, id: &gix::oid, data: &[u8]) {
        use gix::object::Kind;
        let visitor = match kind {
            Kind::Blob => {
                let len = data.len() as u64;
                if len > self.max_size {
                    self.skip_large(id, len);
                    return;
                }
                self.blobs.fetch_add(1, Ordering::Relaxed);
                self.bytes.fetch_add(len, Ordering::Relaxed);
                self.visitors.blob
            }
            Kind::Tree => self.visitors.tree,
            Kind::Commit => self.visitors.commit,
            Kind::Tag => None,
        };
        if let Some(f) = visitor {
            f(id, data);
        }
    }

    /// Counts a blob that was too large to be decoded, naming the first ones.
    fn skip_large(&self, id: &gix::oid, size: u64) {
        self.skipped_large.fetch_add(1, Ordering::Relaxed);
        let mut large = self
            .large
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if large.len() < crate::source::MAX_SKIPPED_NAMED {
            large.push((id.to_owned(), size));
        }
    }

    fn warn(&self, message: String) {
        self.errors
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(message);
    }
}

/// Expands `roots` with their alternates, dropping directories that do not exist and duplicates.
fn resolve_object_dirs(roots: &[PathBuf], cwd: &Path, sink: &Sink<'_>) -> Vec<PathBuf> {
    let mut seen = HashSet::new();
    let mut dirs = Vec::new();
    for root in roots {
        let root = if root.is_absolute() {
            root.clone()
        } else {
            cwd.join(root)
        };
        let alternates = match gix::odb::alternate::resolve(root.clone(), cwd) {
            Ok(alternates) => alternates,
            Err(err) => {
                sink.warn(format!(
                    "cannot read alternates of {}: {}",
                    root.display(),
                    error_chain(&err)
                ));
                Vec::new()
            }
        };
        for dir in std::iter::once(root).chain(alternates) {
            if !dir.is_dir() {
                continue;
            }
            let key = fs::canonicalize(&dir).unwrap_or_else(|_| dir.clone());
            if seen.insert(key) {
                dirs.push(dir);
            }
        }
    }
    dirs
}

/// Opens every pack (an `.idx` with its `.pack`) of `object_dirs`, in directory order and by name within one.
fn open_packs(
    object_dirs: &[PathBuf],
    object_hash: gix::hash::Kind,
    sink: &Sink<'_>,
) -> Vec<PackFile> {
    let mut packs = Vec::new();
    for dir in object_dirs {
        let pack_dir = dir.join("pack");
        let entries = match fs::read_dir(&pack_dir) {
            Ok(entries) => entries,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => continue,
            Err(err) => {
                sink.warn(format!("cannot list {}: {err}", pack_dir.display()));
                continue;
            }
        };
        let mut indices: Vec<PathBuf> = entries
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|path| {
                path.extension().is_some_and(|ext| ext == "idx")
                    && path.with_extension("pack").is_file()
            })
            .collect();
        indices.sort();
        for index in indices {
            match PackFile::open(&index, object_hash) {
                Ok(pack) => packs.push(pack),
                Err(err) => sink.warn(format!(
                    "cannot open pack {}: {}",
                    index.display(),
                    error_chain(&*err)
                )),
            }
        }
    }
    packs
}

/// Passes every loose blob of `dir` that is in no pack and was not seen loose before to the sink.
fn scan_loose(
    dir: &Path,
    object_hash: gix::hash::Kind,
    packs: &[PackFile],
    seen: &mut HashSet<ObjectId>,
    sink: &Sink<'_>,
) {
    let store = gix::odb::loose::Store::at(dir, object_hash);
    let mut ids = Vec::new();
    for id in store.iter() {
        match id {
            Ok(id) => {
                if !packs.iter().any(|pack| pack.contains(&id)) && seen.insert(id) {
                    ids.push(id);
                }
            }
            Err(err) => sink.warn(format!(
                "cannot list loose objects in {}: {err}",
                dir.display()
            )),
        }
    }

    let failures = AtomicU64::new(0);
    ids.par_iter().for_each_init(Vec::new, |buf, id| {
        if let Err(err) = read_loose_object(&store, id, buf, sink) {
            if failures.fetch_add(1, Ordering::Relaxed) < MAX_WARNINGS_PER_SOURCE as u64 {
                sink.warn(format!(
                    "loose object {id} in {}: {}",
                    dir.display(),
                    error_chain(&err)
                ));
            }
        }
    });
    let failures = failures.into_inner() as usize;
    if failures > MAX_WARNINGS_PER_SOURCE {
        sink.warn(format!(
            "{}: {} more loose objects could not be read",
            dir.display(),
            failures - MAX_WARNINGS_PER_SOURCE
        ));
    }
}

fn read_loose_object(
    store: &gix::odb::loose::Store,
    id: &ObjectId,
    buf: &mut Vec<u8>,
    sink: &Sink<'_>,
) -> Result<(), gix::Error> {
    // The header alone tells the kind and size, so unwanted objects and large blobs are never
    // inflated.
    match store.try_header(id)? {
        Some((_, kind)) if !sink.visitors.wants(kind) => return Ok(()),
        Some((size, gix::object::Kind::Blob)) if size > sink.max_size => {
            sink.skip_large(id, size);
            return Ok(());
        }
        Some(_) => {}
        // Removed since it was listed, e.g. by a concurrent `git gc`.
        None => return Ok(()),
    }
    if let Some(object) = store.try_find(id, buf)? {
        sink.deliver(object.kind, id, object.data);
    }
    Ok(())
}
