//! The git sources: full history (every blob once, attributed to the commit that introduced
//! it), the staged index (pre-commit) and commit ranges (CI), read with gix. The pure-git
//! parts (object enumeration, walks, diffs) know nothing about secrets; the `*_scan`
//! functions join them to the detector.

pub mod archives;
pub mod commit;
pub mod diff;
pub mod env_audit;
mod error;
pub mod graph;
pub mod history;
pub mod objects_env;
pub mod odb;
pub mod range;
pub mod refs;
pub mod staged;
pub mod walk;

use error::ResultExt;
pub use error::{BoxError, GitError};
use std::path::{Path, PathBuf};

/// An opened repository and where the scan root sits inside it.
pub struct Repo {
    /// The repository.
    pub repo: gix::Repository,
    /// The scan root relative to the work tree (`""` for the root, always `/`-terminated
    /// otherwise), so scans of a subdirectory report only files under it.
    pub prefix: String,
    /// Keeps the object directories named by git's environment readable (pre-receive
    /// quarantine); see [`objects_env`].
    _objects_env: Option<objects_env::AlternatesDir>,
}

/// Opens the repository containing `path` (a work tree or any directory in it, a `.git`
/// directory, a bare repository or a linked worktree). `None` when `path` is in no repository.
pub fn discover(path: &Path) -> Result<Option<Repo>, GitError> {
    let abs = std::fs::canonicalize(path).map_err(|source| GitError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    if gix::discover::upwards(&abs).is_err() {
        return Ok(None);
    }
    let mut repo = gix::discover(&abs).map_err(|err| GitError::Open {
        path: path.to_path_buf(),
        source: err.into(),
    })?;
    let prefix = repo
        .workdir()
        .and_then(|wd| std::fs::canonicalize(wd).ok())
        .and_then(|wd| abs.strip_prefix(&wd).ok().map(PathBuf::from))
        .map(|rel| {
            let parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if parts.is_empty() {
                String::new()
            } else {
                format!("{}/", parts.join("/"))
            }
        })
        .unwrap_or_default();
    let _objects_env = objects_env::apply(&mut repo)?;
    Ok(Some(Repo {
        repo,
        prefix,
        _objects_env,
    }))
}

impl Repo {
    /// A repository path made relative to the scan root (`None` when outside it).
    pub fn relative(&self, path: &str) -> Option<String> {
        path.strip_prefix(self.prefix.as_str()).map(str::to_string)
    }

    /// Reads a blob's bytes.
    pub fn blob(&self, id: gix::ObjectId) -> Result<Vec<u8>, GitError> {
        let blob = self
            .repo
            .find_blob(id)
            .context(|| format!("cannot read blob {id}"))?;
        Ok(blob.detach().data)
    }

    /// Reads a blob unless its header says it is larger than `max_size` (see [`blob_within`]).
    pub fn blob_within(&self, id: gix::ObjectId, max_size: u64) -> Result<Bounded, GitError> {
        blob_within(&self.repo, id, max_size)
    }
}

/// What a scan reads of each blob.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Blobs larger than this are skipped (named in the scan's stats), never inflated.
    pub max_size: u64,
    /// Scan binary content (a NUL byte in the first 8 KiB) too instead of skipping it: what
    /// the commit and push gates do, so nothing they let through went unread.
    pub scan_binary: bool,
    /// How far archives (zip, tar, gz) that a commit changes are opened.
    pub archives: crate::source::archive::ArchiveLimits,
}

/// A blob read under a size limit.
#[derive(Debug, PartialEq, Eq)]
pub enum Bounded {
    /// The blob's content, at most the limit.
    Data(Vec<u8>),
    /// The blob's size from its object header, over the limit: nothing was inflated.
    TooLarge(u64),
}

impl Bounded {
    /// The content, `None` when the blob was too large to read.
    pub fn into_data(self) -> Option<Vec<u8>> {
        match self {
            Bounded::Data(data) => Some(data),
            Bounded::TooLarge(_) => None,
        }
    }
}

/// Reads blob `id` of `repo` unless it is larger than `max_size`. The size comes from the
/// object's header (the loose object's first bytes, or the pack entry and, for a delta, the
/// delta's result size), so a blob that inflates to gigabytes is never inflated to find out.
pub fn blob_within(
    repo: &gix::Repository,
    id: gix::ObjectId,
    max_size: u64,
) -> Result<Bounded, GitError> {
    let header = repo
        .try_find_header(id)
        .context(|| format!("cannot read the header of blob {id}"))?
        .ok_or(GitError::MissingObject { id })?;
    if header.kind() != gix::object::Kind::Blob {
        return Err(GitError::ObjectKind {
            id,
            expected: gix::object::Kind::Blob,
            actual: header.kind(),
        });
    }
    if header.size() > max_size {
        return Ok(Bounded::TooLarge(header.size()));
    }
    Ok(Bounded::Data(
        repo.find_blob(id)
            .context(|| format!("cannot read blob {id}"))?
            .detach()
            .data,
    ))
}
