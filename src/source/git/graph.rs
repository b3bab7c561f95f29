//! The commit and tree graph of a repository, built from one parallel pass over its object
//! database (`odb`, commits and trees only): every commit (root tree, parents, committer time)
//! and, for every tree, its subtrees plus only the entries a history scan asks about (blobs
//! with findings, env-file names, submodules). Attribution (which commit introduced a blob at
//! a path), exposure (when a blob was on the default branch's first-parent line) and remote
//! reachability are then answered in memory: no tree is read twice, and only trees that lead
//! to an entry of interest are visited at all.

use super::{odb, GitError};
use gix::hashtable::{HashMap as IdMap, HashSet as IdSet};
use gix::ObjectId;
use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap, HashMap, HashSet};
use std::sync::Mutex;

/// Marks a missing link (a parent or tree that is not in the object database).
const NONE: u32 = u32::MAX;

/// Which blob entries of trees the graph keeps: `(blob id, file name) -> keep`.
pub type WantedFn<'a> = &'a (dyn Fn(&gix::oid, &[u8]) -> bool + Sync);

/// Where a blob was introduced: a path and the index (into [`Attribution::commits`]) of the
/// earliest commit that had it at that path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// Repository-relative path (lossy UTF-8 for non-UTF-8 names).
    pub path: String,
    /// Index into [`Attribution::commits`].
    pub commit: usize,
}

/// The result of [`Graph::attribute`].
#[derive(Debug, Default)]
pub struct Attribution {
    /// Commits reachable from the tips, parents before children, otherwise oldest first.
    pub commits: Vec<ObjectId>,
    /// For each wanted blob, every path it appeared at with its introducing commit.
    pub locations: HashMap<ObjectId, Vec<Location>>,
    /// Paths of submodules (gitlinks) met on the way; their content is not in this repository.
    pub submodules: BTreeSet<String>,
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

struct CommitNode {
    id: ObjectId,
    tree: u32,
    time: i64,
    /// `parents[start..start + len]`.
    parents: (u32, u32),
}

#[derive(Clone, Default)]
struct TreeNode {
    seen: bool,
    /// `edges[start..start + len]`: subtrees.
    subtrees: (u32, u32),
    /// `leaves[start..start + len]`: wanted blobs and gitlinks.
    leaves: (u32, u32),
}

struct Edge {
    name: u32,
    child: u32,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum LeafKind {
    Blob,
    Submodule,
}

struct Leaf {
    name: u32,
    id: ObjectId,
    kind: LeafKind,
}

/// Interned entry names.
#[derive(Default)]
struct Names {
    all: Vec<Box<[u8]>>,
    index: HashMap<Box<[u8]>, u32>,
}

impl Names {
    fn intern(&mut self, name: &[u8]) -> u32 {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        let i = self.all.len() as u32;
        self.all.push(name.into());
        self.index.insert(name.into(), i);
        i
    }
}

/// The commit and tree graph of a repository (see the module documentation).
#[derive(Default)]
pub struct Graph {
    commits: Vec<CommitNode>,
    commit_of: IdMap<ObjectId, u32>,
    /// While building: parent ids; then [`Graph::parents`] holds their indices.
    parent_ids: Vec<ObjectId>,
    parents: Vec<u32>,
    trees: Vec<TreeNode>,
    tree_of: IdMap<ObjectId, u32>,
    edges: Vec<Edge>,
    leaves: Vec<Leaf>,
    names: Names,
}

/// A commit or tree as parsed by a decoding thread, before it is linked into the graph.
enum Parsed<'a> {
    Commit {
        tree: ObjectId,
        parents: Vec<ObjectId>,
        time: i64,
    },
    Tree {
        subtrees: Vec<(&'a [u8], ObjectId)>,
        leaves: Vec<(&'a [u8], ObjectId, LeafKind)>,
    },
}

impl Graph {
    /// Builds the graph of every commit and tree in the object database of `repo`, keeping
    /// the blob entries that `wanted` accepts (and every gitlink). Returns warnings for
    /// unreadable objects and for trees that history names but the database lacks.
    pub fn build(
        repo: &gix::Repository,
        threads: usize,
        wanted: WantedFn<'_>,
    ) -> Result<(Graph, Vec<String>), GitError> {
        let hash = repo.object_hash();
        let graph = Mutex::new(Graph::default());
        let add = |id: &gix::oid, parsed: Parsed<'_>| {
            if let Ok(mut graph) = graph.lock() {
                graph.add(id, parsed);
            }
        };
        let on_tree = |id: &gix::oid, data: &[u8]| add(id, parse_tree(data, hash, wanted));
        let on_commit = |id: &gix::oid, data: &[u8]| {
            if let Some(parsed) = parse_commit(data, hash) {
                add(id, parsed);
            }
        };
        let visitors = odb::Visitors {
            blob: None,
            tree: Some(&on_tree),
            commit: Some(&on_commit),
        };
        let opts = odb::BlobOptions {
            max_size: u64::MAX,
            threads: Some(threads.max(1)),
        };
        let done = odb::for_each_object(repo, &opts, &visitors)?;
        let mut graph = graph
            .into_inner()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        graph.link_parents();
        let mut warnings = done.errors;
        let missing = graph.trees.iter().filter(|t| !t.seen).count();
        if missing > 0 {
            warnings.push(format!(
                "{missing} tree object{} named by history {} missing from the repository: what {} held is not attributed",
                if missing == 1 { "" } else { "s" },
                if missing == 1 { "is" } else { "are" },
                if missing == 1 { "it" } else { "they" },
            ));
        }
        Ok((graph, warnings))
    }

    fn add(&mut self, id: &gix::oid, parsed: Parsed<'_>) {
        match parsed {
            Parsed::Commit {
                tree,
                parents,
                time,
            } => {
                if self.commit_of.contains_key(id) {
                    return;
                }
                let tree = self.tree_index(tree);
                let start = self.parent_ids.len() as u32;
                self.parent_ids.extend_from_slice(&parents);
                self.commit_of
                    .insert(id.to_owned(), self.commits.len() as u32);
                self.commits.push(CommitNode {
                    id: id.to_owned(),
                    tree,
                    time,
                    parents: (start, parents.len() as u32),
                });
            }
            Parsed::Tree { subtrees, leaves } => {
                let index = self.tree_index(id.to_owned()) as usize;
                if self.trees[index].seen {
                    return;
                }
                let edge_start = self.edges.len() as u32;
                for (name, child) in &subtrees {
                    let edge = Edge {
                        name: self.names.intern(name),
                        child: self.tree_index(*child),
                    };
                    self.edges.push(edge);
                }
                let leaf_start = self.leaves.len() as u32;
                for &(name, id, kind) in &leaves {
                    let name = self.names.intern(name);
                    self.leaves.push(Leaf { name, id, kind });
                }
                self.trees[index] = TreeNode {
                    seen: true,
                    subtrees: (edge_start, subtrees.len() as u32),
                    leaves: (leaf_start, leaves.len() as u32),
                };
            }
        }
    }

    /// The index of tree `id`, allocating an unseen node the first time it is named.
    fn tree_index(&mut self, id: ObjectId) -> u32 {
        let next = self.trees.len() as u32;
        let index = *self.tree_of.entry(id).or_insert(next);
        if index == next {
            self.trees.push(TreeNode::default());
        }
        index
    }

    /// Turns parent ids into commit indices (`NONE` for a parent not in the database, as at
    /// a shallow boundary).
    fn link_parents(&mut self) {
        let ids = std::mem::take(&mut self.parent_ids);
        self.parents = ids
            .iter()
            .map(|p| self.commit_of.get(p).copied().unwrap_or(NONE))
            .collect();
    }

    fn parents_of(&self, commit: u32) -> impl Iterator<Item = u32> + '_ {
        let (start, len) = self.commits[commit as usize].parents;
        self.parents[start as usize..(start + len) as usize]
            .iter()
            .copied()
            .filter(|&p| p != NONE)
    }

    fn subtrees(&self, tree: u32) -> &[Edge] {
        let (start, len) = self.trees[tree as usize].subtrees;
        &self.edges[start as usize..(start + len) as usize]
    }

    fn leaves(&self, tree: u32) -> &[Leaf] {
        let (start, len) = self.trees[tree as usize].leaves;
        &self.leaves[start as usize..(start + len) as usize]
    }

    /// The commits reachable from `tips` (ids not in the graph are ignored), parents before
    /// children and otherwise oldest first (ties broken by id, so the order is stable).
    fn topo_order(&self, tips: &[ObjectId]) -> Vec<u32> {
        let mut reachable = vec![false; self.commits.len()];
        let mut stack: Vec<u32> = tips
            .iter()
            .filter_map(|t| self.commit_of.get(t).copied())
            .collect();
        while let Some(c) = stack.pop() {
            if !std::mem::replace(&mut reachable[c as usize], true) {
                stack.extend(self.parents_of(c));
            }
        }
        let mut waiting = vec![0u32; self.commits.len()];
        let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
        for c in (0..self.commits.len() as u32).filter(|&c| reachable[c as usize]) {
            for p in self.parents_of(c) {
                waiting[c as usize] += 1;
                children.entry(p).or_default().push(c);
            }
        }
        let key = |c: u32| {
            Reverse((
                self.commits[c as usize].time,
                self.commits[c as usize].id,
                c,
            ))
        };
        let mut ready: BinaryHeap<_> = (0..self.commits.len() as u32)
            .filter(|&c| reachable[c as usize] && waiting[c as usize] == 0)
            .map(key)
            .collect();
        let mut order = Vec::new();
        while let Some(Reverse((_, _, c))) = ready.pop() {
            order.push(c);
            for &child in children.get(&c).into_iter().flatten() {
                waiting[child as usize] -= 1;
                if waiting[child as usize] == 0 {
                    ready.push(key(child));
                }
            }
        }
        order
    }

    /// Per tree: whether it holds a leaf (a wanted blob or a gitlink) at any depth.
    fn interesting(&self) -> Vec<bool> {
        // 0 = not computed, 1 = on the stack, 2 = no, 3 = yes.
        let mut state = vec![0u8; self.trees.len()];
        for root in 0..self.trees.len() as u32 {
            let mut stack = vec![(root, false)];
            while let Some((t, expanded)) = stack.pop() {
                let ti = t as usize;
                if expanded {
                    let any = !self.leaves(t).is_empty()
                        || self
                            .subtrees(t)
                            .iter()
                            .any(|e| state[e.child as usize] == 3);
                    state[ti] = if any { 3 } else { 2 };
                } else if state[ti] == 0 {
                    state[ti] = 1;
                    stack.push((t, true));
                    // A subtree on the stack (a cycle, only possible with a corrupt repository)
                    // counts as uninteresting.
                    stack.extend(
                        self.subtrees(t)
                            .iter()
                            .filter(|e| state[e.child as usize] == 0)
                            .map(|e| (e.child, false)),
                    );
                }
            }
        }
        state.into_iter().map(|s| s == 3).collect()
    }

    /// For every wanted blob reachable from `tips`, every path it appears at and the earliest
    /// commit that had it there; plus the gitlinks met on the way.
    pub fn attribute(&self, tips: &[ObjectId]) -> Attribution {
        let order = self.topo_order(tips);
        let interesting = self.interesting();
        let mut paths = Paths::default();
        let mut visited: HashSet<(u32, u32)> = HashSet::new();
        let mut first: HashMap<(ObjectId, u32), usize> = HashMap::new();
        let mut submodules = BTreeSet::new();
        for (position, &c) in order.iter().enumerate() {
            let root = self.commits[c as usize].tree;
            let mut stack = vec![(root, ROOT_PATH)];
            while let Some((t, path)) = stack.pop() {
                if !interesting[t as usize] || !visited.insert((t, path)) {
                    continue;
                }
                for leaf in self.leaves(t) {
                    let at = paths.child(path, leaf.name);
                    match leaf.kind {
                        LeafKind::Blob => {
                            first.entry((leaf.id, at)).or_insert(position);
                        }
                        LeafKind::Submodule => {
                            submodules.insert(paths.render(at, &self.names));
                        }
                    }
                }
                for edge in self.subtrees(t) {
                    stack.push((edge.child, paths.child(path, edge.name)));
                }
            }
        }
        let mut locations: HashMap<ObjectId, Vec<Location>> = HashMap::new();
        for ((blob, path), commit) in first {
            locations.entry(blob).or_default().push(Location {
                path: paths.render(path, &self.names),
                commit,
            });
        }
        for list in locations.values_mut() {
            list.sort_by(|a, b| (a.commit, &a.path).cmp(&(b.commit, &b.path)));
        }
        Attribution {
            commits: order.iter().map(|&c| self.commits[c as usize].id).collect(),
            locations,
            submodules,
        }
    }

    /// Follows the first-parent line of `tip` oldest to newest and reports per group (blobs
    /// mapped to the group ids `0..groups` of the secrets they hold; a blob may hold several)
    /// when a blob of the group first appeared and when the last one was removed. Returns the
    /// chain (oldest first) and one [`Presence`] per group.
    pub fn presence(
        &self,
        tip: ObjectId,
        blob_groups: &HashMap<ObjectId, Vec<usize>>,
        groups: usize,
    ) -> (Vec<ObjectId>, Vec<Presence>) {
        let mut chain = Vec::new();
        let mut next = self.commit_of.get(&tip).copied();
        let mut seen = HashSet::new();
        while let Some(c) = next.filter(|&c| seen.insert(c)) {
            chain.push(c);
            next = self.parents_of(c).next();
        }
        chain.reverse();
        let mut counts = GroupCounts::new(self, blob_groups);
        let mut out = vec![Presence::default(); groups];
        let mut before = vec![0u32; groups];
        for (index, &c) in chain.iter().enumerate() {
            let now = counts.of(self.commits[c as usize].tree, groups);
            for g in 0..groups {
                if before[g] == 0 && now[g] > 0 {
                    out[g].first.get_or_insert(index);
                    out[g].removed = None;
                } else if before[g] > 0 && now[g] == 0 {
                    out[g].removed = Some(index);
                }
            }
            before = now;
        }
        for (g, p) in out.iter_mut().enumerate() {
            p.at_tip = before[g] > 0;
        }
        let ids = chain.iter().map(|&c| self.commits[c as usize].id).collect();
        (ids, out)
    }

    /// For each of `intros`, the indices (into `tips`) of the tips from which it is reachable.
    pub fn reached_from(&self, tips: &[ObjectId], intros: &[ObjectId]) -> Vec<Vec<usize>> {
        let words = tips.len().div_ceil(64).max(1);
        let mut masks: HashMap<u32, Vec<u64>> = HashMap::new();
        for (i, tip) in tips.iter().enumerate() {
            if let Some(&c) = self.commit_of.get(tip) {
                masks.entry(c).or_insert_with(|| vec![0; words])[i / 64] |= 1 << (i % 64);
            }
        }
        // Children before parents: every mask is complete before it is handed down.
        for &c in self.topo_order(tips).iter().rev() {
            let Some(mask) = masks.get(&c).cloned() else {
                continue;
            };
            for p in self.parents_of(c) {
                let parent = masks.entry(p).or_insert_with(|| vec![0; words]);
                for (a, b) in parent.iter_mut().zip(&mask) {
                    *a |= b;
                }
            }
        }
        intros
            .iter()
            .map(|id| {
                let mask = self.commit_of.get(id).and_then(|c| masks.get(c));
                (0..tips.len())
                    .filter(|&i| mask.is_some_and(|m| m[i / 64] & (1 << (i % 64)) != 0))
                    .collect()
            })
            .collect()
    }
}

/// How many entries of each group's blobs a tree holds at any depth, memoised per tree.
struct GroupCounts<'g> {
    graph: &'g Graph,
    blob_groups: &'g HashMap<ObjectId, Vec<usize>>,
    /// Sparse `(group, count)` per tree.
    memo: HashMap<u32, std::rc::Rc<Vec<(usize, u32)>>>,
}

impl<'g> GroupCounts<'g> {
    fn new(graph: &'g Graph, blob_groups: &'g HashMap<ObjectId, Vec<usize>>) -> Self {
        GroupCounts {
            graph,
            blob_groups,
            memo: HashMap::new(),
        }
    }

    /// Dense counts for the tree `root`.
    fn of(&mut self, root: u32, groups: usize) -> Vec<u32> {
        let mut dense = vec![0u32; groups];
        for &(g, n) in self.sparse(root).iter() {
            dense[g] += n;
        }
        dense
    }

    fn sparse(&mut self, root: u32) -> std::rc::Rc<Vec<(usize, u32)>> {
        let mut stack = vec![(root, false)];
        while let Some((t, expanded)) = stack.pop() {
            if self.memo.contains_key(&t) {
                continue;
            }
            let children = self.graph.subtrees(t);
            if !expanded {
                stack.push((t, true));
                stack.extend(
                    children
                        .iter()
                        .filter(|e| !self.memo.contains_key(&e.child))
                        .map(|e| (e.child, false)),
                );
                continue;
            }
            let mut sum: HashMap<usize, u32> = HashMap::new();
            for leaf in self.graph.leaves(t) {
                for &g in self.blob_groups.get(&leaf.id).into_iter().flatten() {
                    *sum.entry(g).or_default() += 1;
                }
            }
            for e in children {
                for &(g, n) in self.memo.get(&e.child).map(|v| v.as_slice()).unwrap_or(&[]) {
                    *sum.entry(g).or_default() += n;
                }
            }
            let mut sparse: Vec<(usize, u32)> = sum.into_iter().collect();
            sparse.sort_unstable();
            self.memo.insert(t, std::rc::Rc::new(sparse));
        }
        self.memo.get(&root).cloned().unwrap_or_default()
    }
}

/// The path of the root tree.
const ROOT_PATH: u32 = 0;

/// Paths as a trie of interned names: path 0 is the root, every other path is a parent path
/// and a name.
struct Paths {
    nodes: Vec<(u32, u32)>,
    index: HashMap<(u32, u32), u32>,
}

impl Default for Paths {
    fn default() -> Self {
        Paths {
            nodes: vec![(NONE, NONE)],
            index: HashMap::new(),
        }
    }
}

impl Paths {
    fn child(&mut self, parent: u32, name: u32) -> u32 {
        let next = self.nodes.len() as u32;
        let id = *self.index.entry((parent, name)).or_insert(next);
        if id == next {
            self.nodes.push((parent, name));
        }
        id
    }

    /// `a/b/c`, lossy UTF-8.
    fn render(&self, mut path: u32, names: &Names) -> String {
        let mut parts = Vec::new();
        while path != ROOT_PATH {
            let (parent, name) = self.nodes[path as usize];
            parts.push(&*names.all[name as usize]);
            path = parent;
        }
        parts.reverse();
        String::from_utf8_lossy(&parts.join(&b'/')).into_owned()
    }
}

/// Reads a tree object: every subtree, and the blob entries `wanted` accepts (and gitlinks).
/// A corrupt tree keeps the entries before the damage.
fn parse_tree<'a>(data: &'a [u8], hash: gix::hash::Kind, wanted: WantedFn<'_>) -> Parsed<'a> {
    let mut subtrees = Vec::new();
    let mut leaves = Vec::new();
    for entry in gix::objs::TreeRefIter::from_bytes(data, hash) {
        let Ok(entry) = entry else { break };
        let name: &'a [u8] = entry.filename;
        if entry.mode.is_tree() {
            subtrees.push((name, entry.oid.to_owned()));
        } else if entry.mode.is_commit() {
            leaves.push((name, entry.oid.to_owned(), LeafKind::Submodule));
        } else if entry.mode.is_blob() && wanted(entry.oid, name) {
            leaves.push((name, entry.oid.to_owned(), LeafKind::Blob));
        }
    }
    Parsed::Tree { subtrees, leaves }
}

/// Reads a commit object's tree, parents and committer time; `None` if it has no tree.
fn parse_commit(data: &[u8], hash: gix::hash::Kind) -> Option<Parsed<'static>> {
    use gix::objs::commit::ref_iter::Token;
    let mut tree = None;
    let mut parents = Vec::new();
    let mut time = 0;
    for token in gix::objs::CommitRefIter::from_bytes(data, hash) {
        match token {
            Ok(Token::Tree { id }) => tree = Some(id),
            Ok(Token::Parent { id }) => parents.push(id),
            Ok(Token::Committer { signature }) => {
                time = signature.time().map_or(0, |t| t.seconds);
                break;
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    Some(Parsed::Commit {
        tree: tree?,
        parents,
        time,
    })
}

/// A set of object ids with a cheap negative answer: a bitmap of the first 16 bits of each id
/// (ids are uniformly distributed) screens almost every lookup before the hash set is asked.
pub struct IdFilter {
    bits: Vec<u64>,
    ids: IdSet<ObjectId>,
}

impl IdFilter {
    /// A filter holding `ids`.
    pub fn new(ids: impl IntoIterator<Item = ObjectId>) -> Self {
        let mut filter = IdFilter {
            bits: vec![0; 1 << 10],
            ids: IdSet::default(),
        };
        for id in ids {
            let k = Self::key(&id);
            filter.bits[k / 64] |= 1 << (k % 64);
            filter.ids.insert(id);
        }
        filter
    }

    fn key(id: &gix::oid) -> usize {
        let b = id.as_bytes();
        usize::from(b[0]) << 8 | usize::from(b[1])
    }

    /// Whether `id` is in the set.
    pub fn contains(&self, id: &gix::oid) -> bool {
        let k = Self::key(id);
        self.bits[k / 64] & (1 << (k % 64)) != 0 && self.ids.contains(id)
    }
}
