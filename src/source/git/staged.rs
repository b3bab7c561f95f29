//! Pre-commit scanning: only what the index adds relative to HEAD. Compares index entries
//! with HEAD's tree (an unborn HEAD means everything staged is new), scans each changed
//! staged blob once and keeps the findings on added or modified lines. Never reads history.

use super::diff::added_lines;
use super::error::ResultExt;
use super::{Bounded, GitError, Repo};
use crate::detect::Detector;
use crate::finding::{Finding, SourceKind};
use crate::source::archive::{self, ArchiveLimits};
use crate::source::{Chunk, Stats};
use gix::ObjectId;

/// One file whose staged content differs from HEAD.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StagedFile {
    /// Path relative to the scan root, `/`-separated.
    pub path: String,
    /// The staged blob.
    pub new_blob: ObjectId,
    /// HEAD's blob at the same path, if any.
    pub old_blob: Option<ObjectId>,
}

/// What a staged scan found: findings on added lines, and the staged files with their content
/// (for audits that look at whole files, such as committed env files).
#[derive(Debug, Default)]
pub struct StagedScan {
    /// Findings on lines the index adds.
    pub findings: Vec<Finding>,
    /// The changed files and their staged bytes (files under the size limit only).
    pub files: Vec<(String, Vec<u8>)>,
}

/// Index entries (stage 0, regular or executable files) that differ from HEAD, under the scan
/// root.
pub fn staged_changes(repo: &Repo) -> Result<Vec<StagedFile>, GitError> {
    let r = &repo.repo;
    let index = r.index_or_empty().context(|| "cannot read the index")?;
    let head = match r.head_tree_id() {
        Ok(tree) => Some(
            r.index_from_tree(&tree)
                .context(|| format!("cannot read HEAD's tree {tree}"))?,
        ),
        Err(_) => None, // unborn HEAD: a new repository, everything staged is new
    };
    let mut changes = Vec::new();
    for entry in index.entries() {
        use gix::index::entry::{Mode, Stage};
        if entry.stage() != Stage::Unconflicted
            || !(entry.mode == Mode::FILE || entry.mode == Mode::FILE_EXECUTABLE)
        {
            continue;
        }
        let path = entry.path(&index);
        let Some(rel) = repo.relative(&path.to_string()) else {
            continue;
        };
        let old = head
            .as_ref()
            .and_then(|h| h.entry_by_path(path))
            .map(|e| e.id);
        if old != Some(entry.id) {
            changes.push(StagedFile {
                path: rel,
                new_blob: entry.id,
                old_blob: old,
            });
        }
    }
    Ok(changes)
}

/// Scans what the index adds relative to HEAD. A commit gate lets nothing through unread:
/// a staged blob over `max_size` is named in `stats` as skipped (its size read from the object
/// header, nothing inflated) for the caller to fail on, and binary content (a NUL byte in the
/// first 8 KiB) is scanned like text, since a key after a NUL byte is still a key. A staged
/// archive (zip, tar, gz) is opened within `archives`; a key in it is added unless HEAD's
/// version of the archive holds it at the same member path.
pub fn scan(
    repo: &Repo,
    detector: &Detector,
    stats: &Stats,
    (max_size, archives): (u64, ArchiveLimits),
    keep: &(dyn Fn(&str) -> bool + Sync),
) -> Result<StagedScan, GitError> {
    let mut out = StagedScan::default();
    for file in staged_changes(repo)?.into_iter().filter(|f| keep(&f.path)) {
        let data = match repo.blob_within(file.new_blob, max_size)? {
            Bounded::Data(data) => data,
            Bounded::TooLarge(size) => {
                stats.skip_large(&file.path, Some(size));
                continue;
            }
        };
        if archive::opens(&file.path, &archives) {
            let changed = super::archives::Changed {
                path: &file.path,
                data: &data,
                parents: &[file.old_blob],
            };
            out.findings.extend(super::archives::added_findings(
                repo,
                &changed,
                detector,
                stats,
                (&archives, max_size),
                SourceKind::Staged,
                keep,
            )?);
            continue;
        }
        stats.add_scanned(data.len());
        let found = Chunk {
            path: &file.path,
            data: &data,
            kind: SourceKind::Staged,
            commit: None,
        }
        .scan(detector);
        if !found.is_empty() {
            // HEAD's version over the limit is not read: every line then counts as added
            let old = match file.old_blob {
                Some(id) => repo.blob_within(id, max_size)?.into_data(),
                None => None,
            };
            let added = added_lines(old.as_deref(), &data);
            out.findings.extend(
                found
                    .into_iter()
                    .filter(|f| added.binary_search(&f.line).is_ok()),
            );
        }
        out.files.push((file.path, data));
    }
    Ok(out)
}

/// For each of `secrets` (plaintext), a file of HEAD's tree that already holds it, as a
/// repository path: a key HEAD holds is committed already, which changes the advice. Reads
/// HEAD's blobs (up to `max_size` each) only when asked, which the staged scan does only
/// for a blocked commit; an unborn HEAD holds nothing.
pub fn held_by_head(
    repo: &Repo,
    secrets: &[&str],
    max_size: u64,
) -> Result<Vec<Option<String>>, GitError> {
    let mut found: Vec<Option<String>> = vec![None; secrets.len()];
    let r = &repo.repo;
    let Ok(tree) = r.head_tree_id() else {
        return Ok(found);
    };
    let head = r
        .index_from_tree(&tree)
        .context(|| format!("cannot read HEAD's tree {tree}"))?;
    let finders: Vec<memchr::memmem::Finder<'_>> = secrets
        .iter()
        .map(|s| memchr::memmem::Finder::new(s.as_bytes()))
        .collect();
    for entry in head.entries() {
        if found.iter().all(Option::is_some) {
            break;
        }
        let Ok(Bounded::Data(data)) = super::blob_within(r, entry.id, max_size) else {
            continue;
        };
        let text = crate::source::decode::text(&data);
        for (slot, finder) in found.iter_mut().zip(&finders) {
            if slot.is_none() && finder.find(&text).is_some() {
                *slot = Some(entry.path(&head).to_string());
            }
        }
    }
    Ok(found)
}
