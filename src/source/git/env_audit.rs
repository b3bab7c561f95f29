//! The committed-env-file audit over git versions, shared by the history, range and
//! pre-receive scans: given the versions of env files that commits added or changed (oldest
//! commit first), one `dotenv-committed` finding per path, attributed to the first commit
//! that had it (a version over the size limit is not read: its header says so), diagnosed
//! against the ignore files of that commit's tree (and its first parent's, to tell an
//! ignore line that same commit changed), and as severe as its worst version (critical when
//! any version held a key).

use super::error::ResultExt;
use super::{walk, GitError, Repo};
use crate::detect::Detector;
use crate::dotenv;
use crate::finding::{CommitInfo, Finding, SourceKind};
use gix::ObjectId;
use std::collections::BTreeMap;

/// One version of an env file in one commit.
#[derive(Clone, Debug)]
pub struct EnvVersion {
    /// Repository-relative path (what the ignore rules match).
    pub repo_path: String,
    /// Path relative to the scan root (what the finding reports).
    pub path: String,
    /// The file's blob in that commit.
    pub blob: ObjectId,
    /// The commit.
    pub commit: ObjectId,
    /// Its attribution facts.
    pub info: CommitInfo,
}

/// The `dotenv-committed` findings of `versions`, which must come oldest commit first (ties
/// in a fixed order), so the result never depends on the order they were met in.
pub fn findings(
    repo: &Repo,
    versions: impl IntoIterator<Item = EnvVersion>,
    detector: &Detector,
    max_size: u64,
) -> Result<Vec<Finding>, GitError> {
    let r = &repo.repo;
    let mut ignores = None;
    let mut by_path: BTreeMap<String, Finding> = BTreeMap::new();
    for v in versions {
        // Reading the ignore configuration costs a little: only once an env file is met.
        let ignores = ignores.get_or_insert_with(|| dotenv::ignore::RepoIgnores::open(r));
        // over the limit: the header says so and the finding says it could not be read
        let data = repo.blob_within(v.blob, max_size)?.into_data();
        let diagnosis = match by_path.get(&v.path) {
            // a later version only decides the severity: the first version's diagnosis stands
            Some(kept) => kept.gitignore.clone().unwrap_or_default(),
            None => {
                let tree_id = walk::commit_tree(r, v.commit)?;
                let Ok(tree) = r.find_tree(tree_id) else {
                    continue;
                };
                let mut sources = ignores.tree(&tree, &v.repo_path);
                sources.before = parent_tree(r, v.commit)
                    .map(|parent| ignores.tree(&parent, &v.repo_path).sources);
                dotenv::doctor::diagnose(&sources, &v.repo_path)
            }
        };
        let found = match &data {
            Some(data) => dotenv::committed_env_finding(
                &v.path,
                data,
                detector,
                diagnosis,
                SourceKind::History,
                Some(v.info),
            ),
            None => {
                dotenv::unread_env_finding(&v.path, diagnosis, SourceKind::History, Some(v.info))
            }
        };
        let Some(f) = found else {
            continue;
        };
        match by_path.get_mut(&v.path) {
            // the first commit that added it, with the worst version's severity and why
            Some(kept) if f.severity > kept.severity => {
                kept.severity = f.severity;
                kept.detail = f.detail;
            }
            Some(_) => {}
            None => {
                by_path.insert(v.path, f);
            }
        }
    }
    Ok(by_path.into_values().collect())
}

/// The tree of `commit`'s first parent, `None` for a root commit or when unreadable (a
/// shallow boundary).
fn parent_tree(repo: &gix::Repository, commit: ObjectId) -> Option<gix::Tree<'_>> {
    let parent = repo.find_commit(commit).ok()?.parent_ids().next()?.detach();
    repo.find_tree(walk::commit_tree(repo, parent).ok()?).ok()
}

/// A path to place in history: repository-relative (what the tree holds) and relative to
/// the scan root (what a finding reports).
pub type EnvPath = (String, String);

/// For each of `paths` that HEAD holds: the version HEAD's first-parent line added last,
/// that is the oldest commit of the unbroken run of first-parent commits, ending at HEAD,
/// whose tree has the path. The walk stops as soon as every path is placed, so a file added
/// recently costs a few commits however long the history is. A shallow boundary or root
/// commit places a path at the last commit that could be read.
pub fn head_introductions(repo: &Repo, paths: &[EnvPath]) -> Result<Vec<EnvVersion>, GitError> {
    let r = &repo.repo;
    let Ok(head) = r.head_id() else {
        return Ok(Vec::new()); // unborn branch: nothing is committed yet
    };
    // per path: the oldest commit and blob seen so far in the run
    let mut pending: Vec<(&EnvPath, Option<(ObjectId, ObjectId)>)> =
        paths.iter().map(|p| (p, None)).collect();
    let mut placed = Vec::new();
    let mut next = Some(head.detach());
    while let Some(id) = next.filter(|_| !pending.is_empty()) {
        let Ok(commit) = r.find_commit(id) else {
            break; // a shallow boundary: what was seen stands
        };
        let tree = commit
            .tree()
            .context(|| format!("cannot read the tree of {id}"))?;
        let mut still = Vec::with_capacity(pending.len());
        for (path, seen) in pending {
            match tree.lookup_entry_by_path(&path.0).ok().flatten() {
                Some(entry) if entry.mode().is_blob() => {
                    still.push((path, Some((id, entry.id().detach()))))
                }
                _ => placed.extend(seen.map(|s| (path, s))),
            }
        }
        pending = still;
        next = commit.parent_ids().next().map(|p| p.detach());
    }
    placed.extend(pending.into_iter().filter_map(|(p, s)| s.map(|s| (p, s))));
    placed
        .into_iter()
        .map(|((repo_path, path), (commit, blob))| {
            let info = super::commit::info(
                &r.find_commit(commit)
                    .context(|| format!("cannot read commit {commit}"))?,
            );
            Ok(EnvVersion {
                repo_path: repo_path.clone(),
                path: path.clone(),
                blob,
                commit,
                info,
            })
        })
        .collect()
}
