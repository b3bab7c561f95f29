//! Byte-bounded reads of the settings files a scan trusts: from a commit's tree (a range's
//! base, HEAD, a pre-receive old tip) through gix, or from disk. Sizes are checked from the
//! object header or the file's metadata before anything is read, so a hostile repository
//! cannot make keyhound inflate a gigabyte "config".

use super::TrustError;
use crate::source::git::Repo;
use gix::ObjectId;
use std::io::Read;
use std::path::Path;

/// Most bytes read from `.keyhound.toml` or `.keyhoundignore`.
pub const MAX_SETTINGS_BYTES: u64 = 1024 * 1024;

/// Most bytes read from a baseline file (a fingerprint line is ~100 bytes: ~600k entries).
pub const MAX_BASELINE_BYTES: u64 = 64 * 1024 * 1024;

/// The blob at `repo_path` (a repository path, `/`-separated) in the tree of `commit`, or
/// `None` when the tree has no such file (a missing tree counts as empty: shallow boundary).
pub fn blob_in_commit(repo: &Repo, commit: ObjectId, repo_path: &str) -> Option<ObjectId> {
    let commit = repo.repo.find_commit(commit).ok()?;
    let tree = commit.tree().ok()?;
    let entry = tree.lookup_entry_by_path(repo_path).ok()??;
    entry.mode().is_blob().then(|| entry.object_id())
}

/// The blob's bytes as text, refusing blobs over `cap` (by their header) and non-UTF-8.
pub fn blob_text(repo: &Repo, id: ObjectId, cap: u64, name: &str) -> Result<String, TrustError> {
    let header = repo
        .repo
        .find_header(id)
        .map_err(|e| TrustError::new(name, format!("cannot read blob {id}: {e}")))?;
    if header.size() > cap {
        return Err(too_large(name, header.size(), cap));
    }
    let data = repo
        .blob(id)
        .map_err(|e| TrustError::new(name, e.to_string()))?;
    utf8(name, data)
}

/// `repo_path` in the tree of `commit` as text, `None` when absent.
pub fn text_in_commit(
    repo: &Repo,
    commit: ObjectId,
    repo_path: &str,
    cap: u64,
    name: &str,
) -> Result<Option<String>, TrustError> {
    blob_in_commit(repo, commit, repo_path)
        .map(|id| blob_text(repo, id, cap, name))
        .transpose()
}

/// A file on disk as text, `None` when it does not exist. Refuses anything but a regular
/// file (a FIFO would block the scan, a device would never end) and files over `cap`.
pub fn disk_text(path: &Path, cap: u64) -> Result<Option<String>, TrustError> {
    let name = path.display().to_string();
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(TrustError::new(&name, format!("cannot read: {e}"))),
    };
    if !meta.is_file() {
        return Err(TrustError::new(&name, "not a regular file"));
    }
    if meta.len() > cap {
        return Err(too_large(&name, meta.len(), cap));
    }
    let file = std::fs::File::open(path)
        .map_err(|e| TrustError::new(&name, format!("cannot read: {e}")))?;
    let mut data = Vec::new();
    // the file may grow between the check and the read
    file.take(cap + 1)
        .read_to_end(&mut data)
        .map_err(|e| TrustError::new(&name, format!("cannot read: {e}")))?;
    if data.len() as u64 > cap {
        return Err(too_large(&name, data.len() as u64, cap));
    }
    utf8(&name, data).map(Some)
}

fn utf8(name: &str, data: Vec<u8>) -> Result<String, TrustError> {
    String::from_utf8(data).map_err(|_| TrustError::new(name, "not UTF-8 text"))
}

fn too_large(name: &str, size: u64, cap: u64) -> TrustError {
    TrustError::new(
        name,
        format!("{size} bytes, over the {cap}-byte limit for a settings file"),
    )
}

/// `dir` joined with the relative `path`, `.` and `..` resolved, as a repository path;
/// `None` when it leaves the repository.
pub fn join_repo_path(dir: &str, path: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in path.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// The repository path of a file on disk when it lies inside `repo`'s work tree.
pub fn repo_path_of(repo: &Repo, path: &Path) -> Option<String> {
    let workdir = std::fs::canonicalize(repo.repo.workdir()?).ok()?;
    let abs = std::fs::canonicalize(path).ok()?;
    let rel = abs.strip_prefix(&workdir).ok()?;
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    (!parts.is_empty()).then(|| parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repo_paths_resolve_dots_and_never_leave_the_repository() {
        assert_eq!(
            join_repo_path("", ".keyhound-baseline").as_deref(),
            Some(".keyhound-baseline")
        );
        assert_eq!(
            join_repo_path("sub/", "./ci/../base.txt").as_deref(),
            Some("sub/base.txt")
        );
        assert_eq!(join_repo_path("", "../outside"), None);
        assert_eq!(join_repo_path("a/", "../../x"), None);
    }

    #[test]
    fn disk_reads_are_bounded_and_regular_files_only() {
        let dir = tempfile::tempdir().expect("tempdir");
        let big = dir.path().join("big");
        std::fs::write(&big, "x".repeat(11)).expect("write");
        let err = disk_text(&big, 10).unwrap_err().to_string();
        assert!(
            err.ends_with("11 bytes, over the 10-byte limit for a settings file"),
            "{err}"
        );
        assert_eq!(
            disk_text(&big, 11).expect("reads").as_deref(),
            Some("xxxxxxxxxxx")
        );
        assert_eq!(
            disk_text(&dir.path().join("none"), 10).expect("absent"),
            None
        );
        let err = disk_text(dir.path(), 10).unwrap_err().to_string();
        assert!(err.ends_with("not a regular file"), "{err}");
    }
}
