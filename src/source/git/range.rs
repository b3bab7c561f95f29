//! CI range scanning: the commits reachable from some revisions but not from others
//! (`--since REV` = `HEAD ^REV`, `--range A..B` = `B ^A`), each commit's added or modified
//! blobs diffed against every parent, and only the lines the commit adds reported,
//! attributed to that commit. Each distinct blob is scanned once.

use super::archives;
use super::commit;
use super::diff::added_lines_vs_all;
use super::env_audit::{self, EnvVersion};
use super::error::ResultExt;
use super::{Bounded, GitError, Limits, Repo};
use crate::detect::Detector;
use crate::finding::{short_id, CommitInfo, Finding, SourceKind};
use crate::source::archive;
use crate::source::{is_binary, Chunk, Stats};
use gix::ObjectId;
use std::collections::HashMap;

/// Which commits to scan.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RangeSpec {
    /// Revisions whose history is included (e.g. `HEAD`).
    pub include: Vec<String>,
    /// Revisions whose history is excluded (e.g. `origin/main`).
    pub exclude: Vec<String>,
}

impl RangeSpec {
    /// `--since REV`: commits on HEAD not on REV.
    pub fn since(rev: &str) -> RangeSpec {
        RangeSpec {
            include: vec!["HEAD".into()],
            exclude: vec![rev.into()],
        }
    }

    /// `--range A..B`: commits on B not on A; `A..` means `A..HEAD`.
    pub fn parse(range: &str) -> Option<RangeSpec> {
        let (a, b) = range.split_once("..")?;
        if a.is_empty() || b.starts_with('.') {
            return None;
        }
        let b = if b.is_empty() { "HEAD" } else { b };
        Some(RangeSpec {
            include: vec![b.into()],
            exclude: vec![a.into()],
        })
    }
}

/// Resolves a revision to a commit id.
pub fn resolve(repo: &Repo, rev: &str) -> Result<ObjectId, GitError> {
    let id = repo
        .repo
        .rev_parse_single(rev)
        .map_err(|e| GitError::Revision {
            rev: rev.into(),
            source: e.into(),
        })?;
    let commit = id
        .object()
        .context(|| format!("cannot read {rev}"))?
        .peel_to_commit()
        .map_err(|e| GitError::Revision {
            rev: rev.into(),
            source: e.into(),
        })?;
    Ok(commit.id)
}

/// Commits reachable from `include` but not from `exclude`, newest first.
pub fn commits_in_range(
    repo: &Repo,
    include: &[ObjectId],
    exclude: &[ObjectId],
) -> Result<Vec<ObjectId>, GitError> {
    let walk = repo
        .repo
        .rev_walk(include.iter().copied())
        .with_hidden(exclude.iter().copied())
        .all()
        .context(|| "cannot walk the commit range")?;
    let mut ids = Vec::new();
    for info in walk {
        ids.push(info.context(|| "cannot walk the commit range")?.id);
    }
    Ok(ids)
}

/// A blob a commit adds or modifies, with the same path's blob in each parent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// Repository-relative path.
    pub path: String,
    /// The commit's blob.
    pub new_blob: ObjectId,
    /// Each parent's blob at the path (`None` where absent).
    pub parent_blobs: Vec<Option<ObjectId>>,
}

/// The blobs `commit` adds or modifies relative to its first parent (or to nothing for a root
/// commit), with every parent's version of each path for merge-aware line diffs.
pub fn commit_changes(repo: &Repo, id: ObjectId) -> Result<Vec<Change>, GitError> {
    let r = &repo.repo;
    let commit = r
        .find_commit(id)
        .context(|| format!("cannot read commit {id}"))?;
    let tree = commit
        .tree()
        .context(|| format!("cannot read the tree of {id}"))?;
    let mut parent_trees = Vec::new();
    for pid in commit.parent_ids() {
        // A missing parent (shallow boundary) is treated as an empty tree.
        let t = pid.object().ok().and_then(|o| o.peel_to_tree().ok());
        parent_trees.push(t);
    }
    let empty = r.empty_tree();
    let base = parent_trees
        .first()
        .and_then(Option::as_ref)
        .unwrap_or(&empty);
    let opts = gix::diff::Options::default().with_rewrites(None);
    let diff = r
        .diff_tree_to_tree(base, &tree, opts)
        .context(|| format!("cannot diff commit {id}"))?;
    let mut changes = Vec::new();
    for change in diff {
        use gix::object::tree::diff::ChangeDetached as C;
        let (location, mode, new_id) = match change {
            C::Addition {
                location,
                entry_mode,
                id,
                ..
            }
            | C::Modification {
                location,
                entry_mode,
                id,
                ..
            } => (location, entry_mode, id),
            _ => continue,
        };
        if !mode.is_blob() {
            continue;
        }
        let repo_path = location.to_string();
        let Some(path) = repo.relative(&repo_path) else {
            continue;
        };
        let parent_blobs = parent_trees
            .iter()
            .map(|t| {
                t.as_ref()
                    .and_then(|t| t.lookup_entry_by_path(&repo_path).ok().flatten())
                    .map(|e| e.object_id())
            })
            .collect();
        changes.push(Change {
            path,
            new_blob: new_id,
            parent_blobs,
        });
    }
    Ok(changes)
}

/// What a range scan found.
#[derive(Debug, Default)]
pub struct RangeScan {
    /// Findings on the lines the commits add, and one `dotenv-committed` finding per env
    /// file the commits add or change.
    pub findings: Vec<Finding>,
    /// Things the user must know (commits at a shallow clone's boundary).
    pub notes: Vec<String>,
}

/// Scans the lines each commit in `spec` adds, and audits the env files they add or change.
pub fn scan(
    repo: &Repo,
    spec: &RangeSpec,
    detector: &Detector,
    stats: &Stats,
    limits: Limits,
    keep: &(dyn Fn(&str) -> bool + Sync),
) -> Result<RangeScan, GitError> {
    let resolve_all = |revs: &[String]| {
        revs.iter()
            .map(|r| resolve(repo, r))
            .collect::<Result<Vec<_>, _>>()
    };
    let commits = commits_in_range(
        repo,
        &resolve_all(&spec.include)?,
        &resolve_all(&spec.exclude)?,
    )?;
    let partial = super::refs::is_partial_clone(&repo.repo);
    let mut blob_cache: HashMap<ObjectId, Option<Vec<Finding>>> = HashMap::new();
    let mut out = RangeScan::default();
    let mut env_versions = Vec::new();
    let mut boundary = Vec::new();
    // Oldest first: the walk lists children before parents, so its reverse is topological.
    for (rank, &id) in commits.iter().rev().enumerate() {
        let commit = repo
            .repo
            .find_commit(id)
            .context(|| format!("cannot read commit {id}"))?;
        let mut info = commit::info(&commit);
        info.rank = rank as u64;
        if commit
            .parent_ids()
            .any(|p| repo.repo.find_commit(p).is_err())
        {
            boundary.push(short_id(&info.id).to_string());
        }
        for change in commit_changes(repo, id)?
            .into_iter()
            .filter(|c| keep(&c.path))
        {
            if crate::dotenv::classify(&change.path).is_some() {
                env_versions.push(EnvVersion {
                    repo_path: format!("{}{}", repo.prefix, change.path),
                    path: change.path.clone(),
                    blob: change.new_blob,
                    commit: id,
                    info: info.clone(),
                });
            }
            if archive::opens(&change.path, &limits.archives) {
                match archive_findings(repo, &change, &info, detector, stats, limits, keep) {
                    Ok(found) => out.findings.extend(found),
                    Err(e) => stats.unreadable(format!(
                        "{} (commit {}) not scanned: {}",
                        change.path,
                        short_id(&info.id),
                        super::error::error_chain(&e)
                    )),
                }
                continue;
            }
            let found = blob_findings(
                repo,
                (change.new_blob, &change.path),
                detector,
                stats,
                limits,
                &mut blob_cache,
            );
            // A partial clone (`--filter=blob:none`) lacks the blobs it did not check out:
            // say which file went unscanned and go on. Anywhere else an unreadable blob
            // leaves the range unchecked: named as unreadable, which fails the scan.
            let found = match found {
                Ok(found) => found,
                Err(e) if partial => {
                    stats.warn(format!(
                        "{} (commit {}) not scanned: {e} (a partial clone, --filter, lacks such blobs: fetch the full history for this range)",
                        change.path,
                        short_id(&info.id)
                    ));
                    continue;
                }
                Err(e) => {
                    stats.unreadable(format!(
                        "{} (commit {}) not scanned: {}",
                        change.path,
                        short_id(&info.id),
                        super::error::error_chain(&e)
                    ));
                    continue;
                }
            };
            let Some(found) = found.filter(|f| !f.is_empty()) else {
                continue;
            };
            let new = repo.blob(change.new_blob)?;
            // a parent version that is missing or over the limit counts as empty: every
            // line is new
            let parents: Vec<Option<Vec<u8>>> = change
                .parent_blobs
                .iter()
                .map(|b| {
                    b.and_then(|id| repo.blob_within(id, limits.max_size).ok())
                        .and_then(Bounded::into_data)
                })
                .collect();
            let parent_refs: Vec<Option<&[u8]>> = parents.iter().map(|p| p.as_deref()).collect();
            let added = added_lines_vs_all(&parent_refs, &new);
            out.findings.extend(
                found
                    .iter()
                    .filter(|f| added.binary_search(&f.line).is_ok())
                    .map(|f| f.at(&change.path, &info)),
            );
        }
    }
    // env files whose blob is missing (partial clone) were already named above
    let env_versions = env_versions
        .into_iter()
        .filter(|v| repo.repo.has_object(v.blob));
    out.findings.extend(env_audit::findings(
        repo,
        env_versions,
        detector,
        limits.max_size,
    )?);
    if !boundary.is_empty() {
        out.notes.push(shallow_note(&boundary));
    }
    Ok(out)
}

/// The warning for range commits whose parents a shallow clone lacks.
fn shallow_note(boundary: &[String]) -> String {
    let one = boundary.len() == 1;
    format!(
        "shallow clone: {} {} {} at the clone's depth boundary (parents not fetched), so every line {} holds counts as added and a key committed earlier is attributed to {}; fetch the full history (`git fetch --unshallow`, or `fetch-depth: 0` in actions/checkout) for exact attribution",
        if one { "commit" } else { "commits" },
        boundary.join(", "),
        if one { "is" } else { "are" },
        if one { "it" } else { "they" },
        if one { "it" } else { "them" },
    )
}

/// The keys a commit adds inside a changed archive (members named `outer!inner`), at that
/// commit: those no parent version of the archive holds at the same member path.
fn archive_findings(
    repo: &Repo,
    change: &Change,
    info: &CommitInfo,
    detector: &Detector,
    stats: &Stats,
    limits: Limits,
    keep: &dyn Fn(&str) -> bool,
) -> Result<Vec<Finding>, GitError> {
    let data = match repo.blob_within(change.new_blob, limits.max_size)? {
        Bounded::Data(data) => data,
        Bounded::TooLarge(size) => {
            stats.skip_large(&change.path, Some(size));
            return Ok(Vec::new());
        }
    };
    let changed = archives::Changed {
        path: &change.path,
        data: &data,
        parents: &change.parent_blobs,
    };
    let found = archives::added_findings(
        repo,
        &changed,
        detector,
        stats,
        (&limits.archives, limits.max_size),
        SourceKind::History,
        keep,
    )?;
    Ok(found.iter().map(|f| f.at(&f.path, info)).collect())
}

/// Scans a blob once (`path` names it when skipped); later calls return the cached
/// findings (`None` when skipped).
fn blob_findings(
    repo: &Repo,
    (id, path): (ObjectId, &str),
    detector: &Detector,
    stats: &Stats,
    limits: Limits,
    cache: &mut HashMap<ObjectId, Option<Vec<Finding>>>,
) -> Result<Option<Vec<Finding>>, GitError> {
    if let Some(hit) = cache.get(&id) {
        return Ok(hit.clone());
    }
    let data = match repo.blob_within(id, limits.max_size)? {
        Bounded::Data(data) => data,
        Bounded::TooLarge(size) => {
            stats.skip_large(path, Some(size));
            cache.insert(id, None);
            return Ok(None);
        }
    };
    let result = if !limits.scan_binary && is_binary(&data) {
        stats.skip_binary(path);
        None
    } else {
        stats.add_scanned(data.len());
        Some(
            Chunk {
                path: "",
                data: &data,
                kind: SourceKind::History,
                commit: None,
            }
            .scan(detector),
        )
    };
    cache.insert(id, result.clone());
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_syntax() {
        assert_eq!(
            RangeSpec::parse("main..feature"),
            Some(RangeSpec {
                include: vec!["feature".into()],
                exclude: vec!["main".into()]
            })
        );
        assert_eq!(
            RangeSpec::parse("v1.0..").map(|r| r.include),
            Some(vec!["HEAD".to_string()])
        );
        assert_eq!(RangeSpec::parse("main...feature"), None);
        assert_eq!(RangeSpec::parse("nodots"), None);
    }
}
