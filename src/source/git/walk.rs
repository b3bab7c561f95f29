//! History walks over trees with random-access reads: which blobs are reachable from some
//! tips (`--branch`), in commit order. Unchanged subtrees are skipped by memoising on
//! (tree id, path), so each distinct tree-at-a-path is read once. (Whole-repository questions
//! — attribution, exposure, reachability — are answered by `graph` from one pass over the packs.)

use super::error::ResultExt;
use super::GitError;
use gix::objs::FindExt;
use gix::ObjectId;
use std::collections::hash_map::DefaultHasher;
use std::collections::HashSet;
use std::hash::{Hash, Hasher};

/// A tree entry as read.
struct Entry {
    name: Vec<u8>,
    id: ObjectId,
    kind: Kind,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Tree,
    Blob,
    Submodule,
    Other,
}

/// Reads trees with a reusable buffer.
struct TreeReader<'r> {
    repo: &'r gix::Repository,
    buf: Vec<u8>,
}

impl TreeReader<'_> {
    fn entries(&mut self, id: ObjectId) -> Result<Vec<Entry>, GitError> {
        let iter = self
            .repo
            .objects
            .find_tree_iter(&id, &mut self.buf)
            .context(|| format!("cannot read tree {id}"))?;
        let mut out = Vec::new();
        for entry in iter {
            let entry = entry.context(|| format!("corrupt tree {id}"))?;
            let kind = if entry.mode.is_tree() {
                Kind::Tree
            } else if entry.mode.is_commit() {
                Kind::Submodule
            } else if entry.mode.is_blob() {
                Kind::Blob
            } else {
                Kind::Other
            };
            out.push(Entry {
                name: entry.filename.to_vec(),
                id: entry.oid.to_owned(),
                kind,
            });
        }
        Ok(out)
    }
}

/// Delta-base cache for history walks: they read trees in an order where neighbouring
/// versions share delta bases, which gix's default cache (64 entries) mostly misses.
const WALK_DELTA_CACHE: usize = 32 << 20;

/// A handle on `repo` tuned for history walks (a larger delta-base cache; the user's
/// `core.deltaBaseCacheLimit` is overridden for this handle only).
pub fn tuned(repo: &gix::Repository) -> gix::Repository {
    let mut repo = repo.clone();
    repo.objects
        .set_pack_cache(|| -> Box<gix::odb::cache::PackCache> {
            Box::new(gix::odb::pack::cache::lru::MemoryCappedHashmap::new(
                WALK_DELTA_CACHE,
            ))
        });
    repo
}

/// Commits reachable from `tips`, oldest first (by commit time; ties keep topological
/// order). Missing parents (shallow boundary) end the walk quietly.
pub fn commits_oldest_first(
    repo: &gix::Repository,
    tips: &[ObjectId],
) -> Result<Vec<ObjectId>, GitError> {
    if tips.is_empty() {
        return Ok(Vec::new());
    }
    let walk = repo
        .rev_walk(tips.iter().copied())
        .sorting(gix::revision::walk::Sorting::ByCommitTime(
            Default::default(),
        ))
        .all()
        .context(|| "cannot walk history")?;
    let mut ids = Vec::new();
    for info in walk {
        ids.push(info.context(|| "cannot walk history")?.id);
    }
    ids.reverse();
    Ok(ids)
}

/// Every blob reachable from `tips`, and whether any of them sits under a file name that
/// `named` accepts (so callers know whether a later attribution walk has work to do).
pub fn blobs_reachable(
    repo: &gix::Repository,
    tips: &[ObjectId],
    named: &dyn Fn(&[u8]) -> bool,
) -> Result<(HashSet<ObjectId>, bool), GitError> {
    let mut blobs = HashSet::new();
    let mut any_named = false;
    let mut walker = Walker::new(repo);
    for commit in commits_oldest_first(repo, tips)? {
        let tree = commit_tree(repo, commit)?;
        walker.visit_new(tree, &mut |_, entry| {
            if entry.kind == Kind::Blob {
                blobs.insert(entry.id);
                any_named = any_named || named(&entry.name);
            }
        })?;
    }
    Ok((blobs, any_named))
}

/// The tree of a commit.
pub fn commit_tree(repo: &gix::Repository, commit: ObjectId) -> Result<ObjectId, GitError> {
    let c = repo
        .find_commit(commit)
        .context(|| format!("cannot read commit {commit}"))?;
    c.tree_id()
        .map(|id| id.detach())
        .context(|| format!("commit {commit} has no readable tree"))
}

/// Depth-first tree visitor that skips any (tree, path) it has already visited.
struct Walker<'r> {
    reader: TreeReader<'r>,
    seen: HashSet<u64>,
    path: Vec<u8>,
}

impl<'r> Walker<'r> {
    fn new(repo: &'r gix::Repository) -> Self {
        Walker {
            reader: TreeReader {
                repo,
                buf: Vec::new(),
            },
            seen: HashSet::new(),
            path: Vec::new(),
        }
    }

    /// Calls `f(path, entry)` for every non-tree entry under `tree` that sits in a
    /// (tree, path) not visited before.
    fn visit_new(
        &mut self,
        tree: ObjectId,
        f: &mut dyn FnMut(&[u8], &Entry),
    ) -> Result<(), GitError> {
        if !self.seen.insert(memo_key(&tree, &self.path)) {
            return Ok(());
        }
        for entry in self.reader.entries(tree)? {
            let len = self.path.len();
            if !self.path.is_empty() {
                self.path.push(b'/');
            }
            self.path.extend_from_slice(&entry.name);
            if entry.kind == Kind::Tree {
                self.visit_new(entry.id, f)?;
            } else {
                f(&self.path, &entry);
            }
            self.path.truncate(len);
        }
        Ok(())
    }
}

fn memo_key(tree: &ObjectId, path: &[u8]) -> u64 {
    let mut h = DefaultHasher::new();
    tree.hash(&mut h);
    path.hash(&mut h);
    h.finish()
}
