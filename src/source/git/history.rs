//! Full-history scanning: every blob reachable from the selected refs is scanned exactly once
//! in parallel; only blobs with findings are then attributed to the commits that introduced
//! them (path, author, date), and each distinct secret gets its facts: whether it is still at
//! HEAD of the default branch, and its exposure window (first seen, removed, which remotes
//! hold it).

use super::env_audit::{self, EnvVersion};
use super::graph::{Attribution, Graph, IdFilter, Location};
use super::refs::{self, Refs, RemoteView};
use super::walk;
use super::{commit, odb, GitError, Repo};
use crate::detect::Detector;
use crate::dotenv;
use crate::finding::{short_id, CommitInfo, Finding, LaterCommit, SourceKind};
use crate::report::SecretFacts;
use crate::source::archive::{self, ArchiveLimits};
use crate::source::{is_binary, Chunk, Stats};
use gix::ObjectId;
use rayon::prelude::*;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// How to scan history.
#[derive(Clone, Debug, Default)]
pub struct HistoryOptions {
    /// Worker threads.
    pub threads: usize,
    /// Blobs larger than this are skipped and counted.
    pub max_size: u64,
    /// Limit to one ref's history (`--branch`).
    pub branch: Option<String>,
    /// How far archive blobs (zip, tar, tar.gz, recognised by content) are opened; their
    /// members are reported as `path!member` (the default opens none).
    pub archives: ArchiveLimits,
}

/// What a history scan found.
#[derive(Debug, Default)]
pub struct HistoryScan {
    /// One finding per (secret occurrence, path, introducing commit).
    pub findings: Vec<Finding>,
    /// Per-secret facts keyed by `secret_sha256`.
    pub facts: BTreeMap<String, SecretFacts>,
    /// Things the user must know (shallow clone, submodules skipped, unreachable objects).
    pub notes: Vec<String>,
}

/// Reduces every (blob version, path, commit) sighting of a secret to one finding per
/// (rule, secret, path): the sighting in the earliest commit in topological order (its
/// line is the line in that commit's version), with every later commit that held the same
/// secret at the same path, once per commit and oldest first, in the finding's `later`.
/// A key added, removed and re-added on one path stays one finding at its first
/// introduction. Sightings are ordered totally first, so the result never depends on the
/// order blobs were scanned in.
pub fn introductions(mut seen: Vec<Finding>) -> Vec<Finding> {
    fn key(f: &Finding) -> impl Ord + '_ {
        let rank = f.commit.as_ref().map(|c| (c.rank, c.id.as_str()));
        (rank, f.path.as_str(), f.line, f.column, f.rule.as_str())
    }
    seen.sort_by(|a, b| key(a).cmp(&key(b)));
    let mut first: HashMap<String, usize> = HashMap::new();
    let mut findings: Vec<Finding> = Vec::new();
    for f in seen {
        let fingerprint = f.fingerprint();
        let Some(&i) = first.get(&fingerprint) else {
            first.insert(fingerprint, findings.len());
            findings.push(f);
            continue;
        };
        let Some(commit) = f.commit else { continue };
        let same = |c: &CommitInfo| c.id == commit.id;
        let kept = &mut findings[i];
        // the same version holds the secret on another line: still the one introduction
        if kept.commit.as_ref().is_some_and(same)
            || kept.later.last().is_some_and(|l| same(&l.commit))
        {
            continue;
        }
        kept.later.push(LaterCommit {
            commit,
            line: f.line,
        });
    }
    findings
}

/// Scans the history of `repo`.
pub fn scan(
    repo: &Repo,
    opts: &HistoryOptions,
    detector: &Detector,
    stats: &Stats,
    keep: &(dyn Fn(&str) -> bool + Sync),
) -> Result<HistoryScan, GitError> {
    let tuned = walk::tuned(&repo.repo);
    let r = &tuned;
    let refs = refs::list(r)?;
    let mut out = HistoryScan::default();
    out.notes.extend(refs.warnings.iter().cloned());
    for unreadable in &refs.unreadable {
        stats.unreadable(unreadable.clone());
    }
    if refs.shallow {
        out.notes.push(
            "shallow clone: history before the clone's depth is not available, so older leaks cannot be seen, and a key found at the depth boundary is attributed to the boundary commit though it may be older (run `git fetch --unshallow` for a full sweep)"
                .into(),
        );
    }
    if refs.partial {
        out.notes.push(
            "partial clone (--filter): blobs the server did not send are not in the repository and cannot be scanned (clone without --filter, or `git fetch --refetch` without one, for a full sweep)"
                .into(),
        );
    }
    let tips = match &opts.branch {
        Some(rev) => vec![super::range::resolve(repo, rev)?],
        None => refs.commits(),
    };
    let (hits, env_files) = match &opts.branch {
        // One ref: only the blobs its history reaches.
        Some(_) => {
            let (blobs, env_files) = walk::blobs_reachable(r, &tips, &is_env_name)?;
            let blobs: Vec<ObjectId> = blobs.into_iter().collect();
            (
                scan_reachable(repo, &blobs, (opts, refs.partial), detector, stats),
                env_files,
            )
        }
        // All refs: every blob of the object database, straight from the packs.
        None => scan_all(repo, opts, detector, stats)?,
    };
    if hits.is_empty() && !env_files {
        return Ok(out);
    }
    let hit_ids = IdFilter::new(hits.keys().copied());
    let wanted = |id: &gix::oid, name: &[u8]| hit_ids.contains(id) || is_env_name(name);
    let (graph, warnings) = Graph::build(r, opts.threads, &wanted)?;
    for warning in warnings {
        // a partial clone (--filter) lacks objects by design, as the note above says
        if refs.partial {
            stats.warn(warning);
        } else {
            stats.unreadable(warning);
        }
    }
    let attribution = graph.attribute(&tips);
    if !attribution.submodules.is_empty() {
        out.notes.push(format!(
            "submodules not scanned (their history lives in other repositories): {}",
            attribution
                .submodules
                .iter()
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let unreachable = hits
        .keys()
        .filter(|b| !attribution.locations.contains_key(*b))
        .count();
    if unreachable > 0 {
        out.notes.push(format!(
            "{unreachable} unreachable object{} (in no ref's history, e.g. left by a rebase; `git gc` prunes them) held secrets: not reported",
            if unreachable == 1 { "" } else { "s" }
        ));
    }
    let mut infos = CommitInfos::new(r, &attribution);
    let mut seen = Vec::new();
    for (blob, found) in &hits {
        for loc in attribution.locations.get(blob).into_iter().flatten() {
            let Some(path) = repo.relative(&loc.path).filter(|p| keep(p)) else {
                continue;
            };
            let info = infos.get(loc.commit)?;
            // an archive member's finding carries its member part (`!inner`)
            seen.extend(
                found
                    .iter()
                    .map(|f| f.at(&format!("{path}{}", f.path), info)),
            );
        }
    }
    out.facts = secret_facts(r, &graph, &refs, &hits, &seen)?;
    out.findings = introductions(seen);
    out.findings.extend(env_file_findings(
        repo,
        (&attribution, &mut infos),
        detector,
        opts.max_size,
        keep,
    )?);
    Ok(out)
}

fn is_env_name(name: &[u8]) -> bool {
    // Every env file name contains `.env` (`.env`, `.env.local`, `prod.env`, `.envrc`): a
    // cheap screen before the classifier, which runs on every file name of history.
    name.windows(4).any(|w| w.eq_ignore_ascii_case(b".env"))
        && std::str::from_utf8(name).is_ok_and(|n| dotenv::classify(n).is_some())
}

/// One `dotenv-committed` finding per env-file path ever committed (see [`env_audit`]),
/// its versions taken oldest commit first in topological order.
fn env_file_findings(
    repo: &Repo,
    (attribution, infos): (&Attribution, &mut CommitInfos<'_>),
    detector: &Detector,
    max_size: u64,
    keep: &(dyn Fn(&str) -> bool + Sync),
) -> Result<Vec<Finding>, GitError> {
    let mut located: Vec<(&Location, ObjectId)> = attribution
        .locations
        .iter()
        .flat_map(|(blob, locations)| locations.iter().map(move |l| (l, *blob)))
        .filter(|(l, _)| dotenv::classify(&l.path).is_some())
        .collect();
    located.sort_by(|a, b| (a.0.commit, &a.0.path, a.1).cmp(&(b.0.commit, &b.0.path, b.1)));
    let mut versions = Vec::new();
    for (loc, blob) in located {
        let Some(path) = repo.relative(&loc.path).filter(|p| keep(p)) else {
            continue;
        };
        versions.push(EnvVersion {
            repo_path: loc.path.clone(),
            path,
            blob,
            commit: attribution.commits[loc.commit],
            info: infos.get(loc.commit)?.clone(),
        });
    }
    env_audit::findings(repo, versions, detector, max_size)
}

/// Scans every blob of the object database once, decoding packs by delta tree in parallel.
/// Trees come through the same pass, so it also says whether any tree names an env file
/// (then the attribution walk must run even without findings, to report it).
fn scan_all(
    repo: &Repo,
    opts: &HistoryOptions,
    detector: &Detector,
    stats: &Stats,
) -> Result<(HashMap<ObjectId, Vec<Finding>>, bool), GitError> {
    let hits = Mutex::new(HashMap::new());
    let env_named = AtomicBool::new(false);
    let hash_len = repo.repo.object_hash().len_in_bytes();
    let blob_opts = odb::BlobOptions {
        max_size: opts.max_size,
        threads: Some(opts.threads.max(1)),
    };
    let on_tree = |_: &gix::oid, data: &[u8]| {
        if !env_named.load(Ordering::Relaxed) && tree_names_env_file(data, hash_len) {
            env_named.store(true, Ordering::Relaxed);
        }
    };
    let on_blob = |id: &gix::oid, data: &[u8]| {
        if let Some(found) = scan_data(id, data, &opts.archives, detector, stats) {
            if let Ok(mut hits) = hits.lock() {
                hits.insert(id.to_owned(), found);
            }
        }
    };
    let visitors = odb::Visitors {
        blob: Some(&on_blob),
        tree: Some(&on_tree),
        commit: None,
    };
    let done = odb::for_each_object(&repo.repo, &blob_opts, &visitors)?;
    for (id, size) in &done.large {
        stats.skip_large(&format!("blob {id}"), Some(*size));
    }
    stats.skipped_large.fetch_add(
        done.skipped_large - done.large.len() as u64,
        Ordering::Relaxed,
    );
    for error in done.errors {
        stats.unreadable(error);
    }
    let hits = hits.into_inner().unwrap_or_default();
    Ok((hits, env_named.into_inner()))
}

/// Whether a raw tree object (`<mode> <name>\0<id>` entries) has a file entry whose name
/// marks an env file (templates included: they are checked for real values).
fn tree_names_env_file(data: &[u8], hash_len: usize) -> bool {
    // Every env file name contains `.env` (`.env`, `.env.local`, `prod.env`, `.envrc`).
    if memchr::memmem::find(data, b".env").is_none() {
        return false;
    }
    let mut rest = data;
    while let Some(space) = memchr::memchr(b' ', rest) {
        let is_dir = rest.starts_with(b"40000");
        let after = &rest[space + 1..];
        let Some(nul) = memchr::memchr(0, after) else {
            return false;
        };
        let name = &after[..nul];
        if !is_dir && memchr::memmem::find(name, b".env").is_some() && is_env_name(name) {
            return true;
        }
        rest = after.get(nul + 1 + hash_len..).unwrap_or_default();
    }
    false
}

#[cfg(test)]
mod tree_tests {
    use super::tree_names_env_file;

    fn tree(entries: &[(&str, &str)]) -> Vec<u8> {
        let mut out = Vec::new();
        for (mode, name) in entries {
            out.extend_from_slice(format!("{mode} {name}\0").as_bytes());
            out.extend_from_slice(&[7u8; 20]);
        }
        out
    }

    #[test]
    fn env_file_names_in_raw_trees() {
        assert!(tree_names_env_file(
            &tree(&[("100644", "a.rs"), ("100644", ".env")]),
            20
        ));
        assert!(tree_names_env_file(&tree(&[("100644", "prod.env")]), 20));
        assert!(tree_names_env_file(
            &tree(&[("100644", ".env.example")]),
            20
        ));
        assert!(!tree_names_env_file(
            &tree(&[("40000", ".env"), ("100644", "env.rs")]),
            20
        ));
        assert!(!tree_names_env_file(
            &tree(&[("100644", "environment.py")]),
            20
        ));
    }
}

/// Scans the given blobs once each, in parallel; returns the blobs that have findings. A
/// blob missing from a partial clone (`partial`) is a warning, elsewhere it is unreadable.
fn scan_reachable(
    repo: &Repo,
    blobs: &[ObjectId],
    (opts, partial): (&HistoryOptions, bool),
    detector: &Detector,
    stats: &Stats,
) -> HashMap<ObjectId, Vec<Finding>> {
    let sync = repo.repo.clone().into_sync();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads.max(1))
        .build();
    let work = || {
        blobs
            .par_iter()
            .map_init(
                || (sync.to_thread_local(), Vec::new()),
                |(r, buf), id| {
                    let limits = (opts.max_size, partial, &opts.archives);
                    read_and_scan(r, buf, *id, limits, detector, stats)
                },
            )
            .flatten()
            .collect::<HashMap<_, _>>()
    };
    match pool {
        Ok(pool) => pool.install(work),
        Err(_) => work(),
    }
}

fn read_and_scan(
    repo: &gix::Repository,
    buf: &mut Vec<u8>,
    id: ObjectId,
    (max_size, partial, archives): (u64, bool, &ArchiveLimits),
    detector: &Detector,
    stats: &Stats,
) -> Option<(ObjectId, Vec<Finding>)> {
    use gix::objs::FindExt;
    let unreadable = |why: String| -> Option<(ObjectId, Vec<Finding>)> {
        stats.unreadable(format!("blob {id}: cannot read: {why}"));
        None
    };
    // the header gives the size: a blob over the limit is never inflated
    let size = match repo.try_find_header(id) {
        Ok(Some(header)) => header.size(),
        Ok(None) if partial => {
            stats.warn(format!("blob {id}: missing (partial clone): not scanned"));
            return None;
        }
        Ok(None) => return unreadable("it is missing".into()),
        Err(err) => return unreadable(err.to_string()),
    };
    if size > max_size {
        stats.skip_large(&format!("blob {id}"), Some(size));
        return None;
    }
    let data = match repo.objects.find_blob(&id, buf) {
        Ok(blob) => blob.data,
        Err(err) => return unreadable(err.to_string()),
    };
    scan_data(&id, data, archives, detector, stats).map(|found| (id, found))
}

/// Scans one blob's bytes (an archive member by member, other binary blobs counted and
/// skipped); `None` when nothing found.
fn scan_data(
    id: &gix::oid,
    data: &[u8],
    archives: &ArchiveLimits,
    detector: &Detector,
    stats: &Stats,
) -> Option<Vec<Finding>> {
    let label = || format!("blob {id}");
    if let Some(found) =
        archive::scan_unnamed(label, data, archives, stats, detector, SourceKind::History)
    {
        return (!found.is_empty()).then_some(found);
    }
    if is_binary(data) {
        stats.skip_binary(&label());
        return None;
    }
    stats.add_scanned(data.len());
    let found = Chunk {
        path: "",
        data,
        kind: SourceKind::History,
        commit: None,
    }
    .scan(detector);
    (!found.is_empty()).then_some(found)
}

/// Commit metadata, read once per commit that attributes something.
struct CommitInfos<'a> {
    repo: &'a gix::Repository,
    commits: &'a [ObjectId],
    cache: HashMap<usize, CommitInfo>,
}

impl<'a> CommitInfos<'a> {
    fn new(repo: &'a gix::Repository, attribution: &'a Attribution) -> Self {
        CommitInfos {
            repo,
            commits: &attribution.commits,
            cache: HashMap::new(),
        }
    }

    fn get(&mut self, index: usize) -> Result<&CommitInfo, GitError> {
        if !self.cache.contains_key(&index) {
            let mut info = info_of(self.repo, self.commits[index])?;
            info.rank = index as u64;
            self.cache.insert(index, info);
        }
        Ok(&self.cache[&index])
    }
}

fn info_of(repo: &gix::Repository, id: ObjectId) -> Result<CommitInfo, GitError> {
    use super::error::ResultExt;
    let c = repo
        .find_commit(id)
        .context(|| format!("cannot read commit {id}"))?;
    Ok(commit::info(&c))
}

/// Per secret: `in_head` and the exposure window on the default branch.
fn secret_facts(
    repo: &gix::Repository,
    graph: &Graph,
    refs: &Refs,
    hits: &HashMap<ObjectId, Vec<Finding>>,
    findings: &[Finding],
) -> Result<BTreeMap<String, SecretFacts>, GitError> {
    // Group blobs by the secrets they hold.
    let mut group_of: BTreeMap<String, usize> = BTreeMap::new();
    let mut blob_groups: HashMap<ObjectId, Vec<usize>> = HashMap::new();
    for (blob, found) in hits {
        for sha in found.iter().filter_map(Finding::secret_sha256) {
            let next = group_of.len();
            let g = *group_of.entry(sha.to_string()).or_insert(next);
            let groups = blob_groups.entry(*blob).or_default();
            if !groups.contains(&g) {
                groups.push(g);
            }
        }
    }
    let presence = refs
        .default
        .as_ref()
        .map(|tip| graph.presence(tip.commit, &blob_groups, group_of.len()));
    let remotes = refs.remote_tips();
    let remote_tips: Vec<ObjectId> = remotes.iter().map(|(_, commit)| *commit).collect();
    let intro_ids: Vec<ObjectId> = findings
        .iter()
        .filter_map(|f| f.commit.as_ref())
        .filter_map(|c| ObjectId::from_hex(c.id.as_bytes()).ok())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let reach: HashMap<String, Vec<usize>> = intro_ids
        .iter()
        .map(ObjectId::to_string)
        .zip(graph.reached_from(&remote_tips, &intro_ids))
        .collect();
    let mut facts = BTreeMap::new();
    for (sha, g) in &group_of {
        let mine: Vec<&Finding> = findings
            .iter()
            .filter(|f| f.secret_sha256() == Some(sha.as_str()))
            .collect();
        // the earliest introduction in topological order (total: no tie left to chance)
        let Some(first) = mine
            .iter()
            .filter_map(|f| f.commit.as_ref())
            .min_by_key(|c| (c.rank, c.id.as_str()))
        else {
            continue;
        };
        let intros: BTreeSet<&str> = mine
            .iter()
            .filter_map(|f| f.commit.as_ref())
            .map(|c| c.id.as_str())
            .collect();
        let reached: Vec<String> = remotes
            .iter()
            .enumerate()
            .filter(|(i, _)| {
                intros
                    .iter()
                    .any(|id| reach.get(*id).is_some_and(|r| r.contains(i)))
            })
            .map(|(_, (name, _))| name.clone())
            .collect();
        let (in_head, removed) = match &presence {
            Some((chain, p)) => {
                let removed = p[*g].removed.map(|i| info_of(repo, chain[i])).transpose()?;
                (p[*g].at_tip, removed)
            }
            None => (false, None),
        };
        facts.insert(
            sha.clone(),
            SecretFacts {
                in_head: Some(in_head),
                exposure: Some(exposure(first, removed.as_ref(), &reached, refs)),
                ..SecretFacts::default()
            },
        );
    }
    Ok(facts)
}

fn exposure(
    first: &CommitInfo,
    removed: Option<&CommitInfo>,
    reached: &[String],
    refs: &Refs,
) -> serde_json::Value {
    let duration = removed.map(|r| (r.time - first.time).max(0));
    let (where_, unknown) = remote_wording(&refs.view, reached);
    let default = refs.default.as_ref().map_or("HEAD", |d| d.short());
    let window = match (removed, duration) {
        (Some(r), Some(d)) => format!(
            "exposed {}{where_} ({} → {})",
            human_duration(d),
            short_id(&first.id),
            short_id(&r.id)
        ),
        _ => format!(
            "exposed since {}{where_} ({}, still in {default})",
            first.date.get(..10).unwrap_or(&first.date),
            short_id(&first.id)
        ),
    };
    let summary = match unknown {
        Some(note) => format!("{window}; {note}"),
        None => window,
    };
    json!({
        "first_commit": first.id,
        "first_date": first.date,
        "removed_commit": removed.map(|r| r.id.clone()),
        "removed_date": removed.map(|r| r.date.clone()),
        "duration_seconds": duration,
        "reached_remote": reached,
        "remote_refs": match refs.view {
            RemoteView::Tracking => "remote-tracking",
            RemoteView::Mirror(_) => "mirror",
            RemoteView::Unknown { .. } => "none",
        },
        "summary": summary,
    })
}

/// Where the commit is, as far as the refs tell: ` on origin/main`, ` in local history only
/// (…)`, or nothing plus a note that this clone cannot tell (no remote-tracking refs).
fn remote_wording(view: &RemoteView, reached: &[String]) -> (String, Option<String>) {
    let on = || format!(" on {}", crate::report::refs_summary(reached));
    match view {
        RemoteView::Tracking if reached.is_empty() => (
            " in local history only (not on any remote-tracking ref)".to_string(),
            None,
        ),
        RemoteView::Tracking => (on(), None),
        RemoteView::Mirror(name) if reached.is_empty() => (
            format!(" in local history only (not on any ref mirrored from {name})"),
            None,
        ),
        RemoteView::Mirror(name) => (
            format!("{} (a mirror of {name}, as of its last fetch)", on()),
            None,
        ),
        RemoteView::Unknown { bare, remote } => {
            let note = match (bare, remote) {
                (false, _) => "this clone cannot tell whether the commit reached a remote (no remote-tracking refs)".to_string(),
                (true, Some(remote)) => format!("this clone cannot tell whether the commit reached a remote (no remote-tracking refs; the branches of a bare clone are {remote}'s as of the clone, unless pushed to since)"),
                (true, None) => "this repository cannot tell whether the commit reached a remote (no remote-tracking refs; if it is the repository others push to, its branches are what was pushed)".to_string(),
            };
            (String::new(), Some(note))
        }
    }
}

/// `6h 12m`, `3d 4h`, `45s`.
pub fn human_duration(secs: i64) -> String {
    let (d, h, m, s) = (
        secs / 86400,
        secs % 86400 / 3600,
        secs % 3600 / 60,
        secs % 60,
    );
    match (d, h, m) {
        (0, 0, 0) => format!("{s}s"),
        (0, 0, _) => format!("{m}m"),
        (0, _, _) => format!("{h}h {m}m"),
        _ => format!("{d}d {h}h"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn durations_read_naturally() {
        assert_eq!(super::human_duration(6 * 3600 + 12 * 60 + 5), "6h 12m");
        assert_eq!(super::human_duration(45), "45s");
        assert_eq!(super::human_duration(3 * 86400 + 4 * 3600), "3d 4h");
        assert_eq!(super::human_duration(600), "10m");
    }
}
