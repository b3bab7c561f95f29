//! History walks over trees: which commit first introduced a blob at a path (attribution),
//! which blobs are reachable from some tips, and when blobs appear on and disappear from a
//! branch's first-parent line (the exposure window). Unchanged subtrees are skipped by
//! memoising on (tree id, path), so each distinct tree-at-a-path is read once.

use super::error::ResultExt;
use super::GitError;
use gix::objs::FindExt;
use gix::ObjectId;
use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeSet, HashMap, HashSet};
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

/// Where a blob was introduced: a path and the index (into [`Attribution::commits`]) of the
/// earliest commit that had it at that path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// Repository-relative path (lossy UTF-8 for non-UTF-8 names).
    pub path: String,
    /// Index into [`Attribution::commits`].
    pub commit: usize,
}

/// The result of [`attribute`].
#[derive(Debug, Default)]
pub struct Attribution {
    /// Commits in walk order (oldest first).
    pub commits: Vec<ObjectId>,
    /// For each wanted blob, every path it appeared at with its introducing commit.
    pub locations: HashMap<ObjectId, Vec<Location>>,
    /// Paths of submodules (gitlinks) met on the way; their content is not in this repository.
    pub submodules: BTreeSet<String>,
}

/// Walks every commit reachable from `tips`, oldest first, and records for each blob that
/// `wanted(blob, file name)` accepts every path it appears at and the earliest commit that
/// had it there. The commits are split into `threads` consecutive runs walked in parallel
/// (each run memoises on its own), and the runs' results are merged keeping the earliest
/// commit per (blob, path).
pub fn attribute(
    repo: &gix::Repository,
    tips: &[ObjectId],
    threads: usize,
    wanted: &(dyn Fn(&ObjectId, &[u8]) -> bool + Sync),
) -> Result<Attribution, GitError> {
    let commits = commits_oldest_first(repo, tips)?;
    let sync = repo.clone().into_sync();
    let per_run = commits.len().div_ceil(threads.max(1)).max(1);
    let runs: Vec<(usize, &[ObjectId])> = commits
        .chunks(per_run)
        .enumerate()
        .map(|(i, run)| (i * per_run, run))
        .collect();
    let parts: Vec<Result<Attribution, GitError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = runs
            .iter()
            .map(|&(first, run)| {
                let sync = &sync;
                scope.spawn(move || {
                    attribute_run(&tuned(&sync.to_thread_local()), first, run, wanted)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err(walk_panicked())))
            .collect()
    });
    let mut out = Attribution {
        commits,
        ..Attribution::default()
    };
    let mut earliest: HashMap<(ObjectId, String), usize> = HashMap::new();
    for part in parts {
        let part = part?;
        out.submodules.extend(part.submodules);
        for (blob, locations) in part.locations {
            for loc in locations {
                let slot = earliest.entry((blob, loc.path)).or_insert(loc.commit);
                *slot = (*slot).min(loc.commit);
            }
        }
    }
    for ((blob, path), commit) in earliest {
        out.locations
            .entry(blob)
            .or_default()
            .push(Location { path, commit });
    }
    for locations in out.locations.values_mut() {
        locations.sort_by(|a, b| (a.commit, &a.path).cmp(&(b.commit, &b.path)));
    }
    Ok(out)
}

fn walk_panicked() -> GitError {
    GitError::Gix {
        context: "a history walk thread panicked".into(),
        source: "panic".into(),
    }
}

/// Walks one run of consecutive commits (`first` is the index of `run[0]`).
fn attribute_run(
    repo: &gix::Repository,
    first: usize,
    run: &[ObjectId],
    wanted: &(dyn Fn(&ObjectId, &[u8]) -> bool + Sync),
) -> Result<Attribution, GitError> {
    let mut out = Attribution::default();
    let mut walker = Walker::new(repo);
    let mut seen_pairs: HashSet<(ObjectId, String)> = HashSet::new();
    for (offset, commit) in run.iter().enumerate() {
        let tree = commit_tree(repo, *commit)?;
        let locations = &mut out.locations;
        let submodules = &mut out.submodules;
        walker.visit_new(tree, &mut |path, entry| match entry.kind {
            Kind::Blob if wanted(&entry.id, &entry.name) => {
                let path = String::from_utf8_lossy(path).into_owned();
                if seen_pairs.insert((entry.id, path.clone())) {
                    locations.entry(entry.id).or_default().push(Location {
                        path,
                        commit: first + offset,
                    });
                }
            }
            Kind::Submodule => {
                submodules.insert(String::from_utf8_lossy(path).into_owned());
            }
            _ => {}
        })?;
    }
    Ok(out)
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

/// A commit's committer time, if it can be read.
fn commit_time(repo: &gix::Repository, id: ObjectId) -> Option<i64> {
    repo.find_commit(id).ok()?.time().ok().map(|t| t.seconds)
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

/// When a group of blobs was present on a first-parent line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Presence {
    /// The first commit (index into the chain) whose tree held a blob of the group.
    pub first: Option<usize>,
    /// The commit that removed the last such blob, if none came back after it.
    pub removed: Option<usize>,
    /// Whether the tip's tree holds one.
    pub at_tip: bool,
}

/// Walks the first-parent line of `tip` oldest to newest (from the last commit older than
/// `since`, the earliest time any of the blobs was committed), diffing each commit's tree
/// with its parent's (only inside `dirs`, the directories where the blobs were ever seen), and reports per group (blobs mapped to the group ids `0..groups` of the secrets
/// they hold; a blob may hold several) when it appeared and when it was removed. Returns the chain (oldest first) and one [`Presence`] per group.
pub fn presence(
    repo: &gix::Repository,
    tip: ObjectId,
    blob_groups: &HashMap<ObjectId, Vec<usize>>,
    groups: usize,
    since: i64,
    dirs: &HashSet<Vec<u8>>,
) -> Result<(Vec<ObjectId>, Vec<Presence>), GitError> {
    let walk = repo
        .rev_walk([tip])
        .first_parent_only()
        .all()
        .context(|| "cannot walk the default branch")?;
    let mut chain = Vec::new();
    for info in walk {
        let id = info.context(|| "cannot walk the default branch")?.id;
        chain.push(id);
        // Older commits cannot hold blobs first committed after `since` (a day of slack
        // for skewed clocks): the first tree after the cut is diffed against nothing.
        if commit_time(repo, id).is_some_and(|t| t < since.saturating_sub(86_400)) {
            break;
        }
    }
    chain.reverse();
    let mut counts = vec![0i64; groups];
    let mut out = vec![Presence::default(); groups];
    let mut reader = TreeReader {
        repo,
        buf: Vec::new(),
    };
    let mut previous: Option<ObjectId> = None;
    for (index, commit) in chain.iter().enumerate() {
        let tree = commit_tree(repo, *commit)?;
        let mut delta = vec![0i64; groups];
        let mut scope = Scope::new(dirs);
        diff_trees(
            &mut reader,
            (previous, Some(tree)),
            &mut scope,
            &mut |old, new| {
                for g in old.and_then(|b| blob_groups.get(&b)).into_iter().flatten() {
                    delta[*g] -= 1;
                }
                for g in new.and_then(|b| blob_groups.get(&b)).into_iter().flatten() {
                    delta[*g] += 1;
                }
            },
        )?;
        for g in 0..groups {
            let before = counts[g];
            counts[g] += delta[g];
            if before <= 0 && counts[g] > 0 {
                out[g].first.get_or_insert(index);
                out[g].removed = None;
            } else if before > 0 && counts[g] <= 0 {
                out[g].removed = Some(index);
            }
        }
        previous = Some(tree);
    }
    for (g, p) in out.iter_mut().enumerate() {
        p.at_tip = counts[g] > 0;
    }
    Ok((chain, out))
}

/// Calls `f(old_blob, new_blob)` for every blob entry that differs between two trees
/// (`None` = absent), descending only into subtrees whose ids differ.
fn diff_trees(
    reader: &mut TreeReader<'_>,
    (old, new): (Option<ObjectId>, Option<ObjectId>),
    scope: &mut Scope<'_>,
    f: &mut dyn FnMut(Option<ObjectId>, Option<ObjectId>),
) -> Result<(), GitError> {
    if old == new {
        return Ok(());
    }
    let mut old_entries = match old {
        Some(t) => reader.entries(t)?,
        None => Vec::new(),
    };
    let mut new_entries = match new {
        Some(t) => reader.entries(t)?,
        None => Vec::new(),
    };
    old_entries.sort_by(|a, b| a.name.cmp(&b.name));
    new_entries.sort_by(|a, b| a.name.cmp(&b.name));
    let (mut i, mut j) = (0, 0);
    while i < old_entries.len() || j < new_entries.len() {
        let order = match (old_entries.get(i), new_entries.get(j)) {
            (Some(a), Some(b)) => a.name.cmp(&b.name),
            (Some(_), None) => std::cmp::Ordering::Less,
            _ => std::cmp::Ordering::Greater,
        };
        let (a, b) = match order {
            std::cmp::Ordering::Less => (old_entries.get(i), None),
            std::cmp::Ordering::Greater => (None, new_entries.get(j)),
            std::cmp::Ordering::Equal => (old_entries.get(i), new_entries.get(j)),
        };
        i += usize::from(a.is_some());
        j += usize::from(b.is_some());
        diff_entries(reader, a, b, scope, f)?;
    }
    Ok(())
}

/// Which directories a diff descends into: only those on the way to a path of interest
/// (`dirs` holds every ancestor directory of those paths, `/`-separated, no trailing slash).
pub struct Scope<'a> {
    /// Directories to descend into.
    pub dirs: &'a HashSet<Vec<u8>>,
    /// The directory being diffed (internal).
    path: Vec<u8>,
}

impl<'a> Scope<'a> {
    /// A scope limited to `dirs`.
    pub fn new(dirs: &'a HashSet<Vec<u8>>) -> Self {
        Scope {
            dirs,
            path: Vec::new(),
        }
    }
}

fn diff_entries(
    reader: &mut TreeReader<'_>,
    a: Option<&Entry>,
    b: Option<&Entry>,
    scope: &mut Scope<'_>,
    f: &mut dyn FnMut(Option<ObjectId>, Option<ObjectId>),
) -> Result<(), GitError> {
    if let (Some(a), Some(b)) = (a, b) {
        if a.id == b.id && a.kind == b.kind {
            return Ok(());
        }
    }
    let pick = |e: Option<&Entry>, kind: Kind| e.filter(|e| e.kind == kind).map(|e| e.id);
    let (old_tree, new_tree) = (pick(a, Kind::Tree), pick(b, Kind::Tree));
    if old_tree.is_some() || new_tree.is_some() {
        let name = a.or(b).map_or(&[][..], |e| e.name.as_slice());
        let len = scope.path.len();
        if len > 0 {
            scope.path.push(b'/');
        }
        scope.path.extend_from_slice(name);
        if scope.dirs.contains(&scope.path) {
            diff_trees(reader, (old_tree, new_tree), scope, f)?;
        }
        scope.path.truncate(len);
    }
    let (old_blob, new_blob) = (pick(a, Kind::Blob), pick(b, Kind::Blob));
    if old_blob != new_blob {
        f(old_blob, new_blob);
    }
    Ok(())
}
