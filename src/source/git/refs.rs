//! The refs a history scan starts from: branches, tags (peeled to commits), remote-tracking
//! refs, the stash, HEAD; which one is the default branch; whether the clone is shallow; and
//! what the clone can tell about which commits reached a remote (`RemoteView`).

use super::error::ResultExt;
use super::GitError;
use gix::ObjectId;

/// One ref peeled to a commit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefTip {
    /// Full name, e.g. `refs/heads/main`, `refs/remotes/origin/main`, `HEAD`.
    pub name: String,
    /// The commit it points to (tags peeled).
    pub commit: ObjectId,
}

impl RefTip {
    /// The short name: `main`, `origin/main`, `v1.0`, `stash`.
    pub fn short(&self) -> &str {
        ["refs/heads/", "refs/remotes/", "refs/tags/", "refs/"]
            .iter()
            .find_map(|p| self.name.strip_prefix(p))
            .unwrap_or(&self.name)
    }

    /// Whether this is a remote-tracking ref.
    pub fn is_remote(&self) -> bool {
        self.name.starts_with("refs/remotes/")
    }
}

/// What this repository's refs say about which commits reached a remote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RemoteView {
    /// It has remote-tracking refs (`refs/remotes/*`): a commit none of them holds was not on
    /// the remote when it was last fetched.
    Tracking,
    /// A mirror of remote `.0` (`git clone --mirror`: `remote.<name>.mirror`, or a fetch
    /// refspec onto `refs/heads/`): its branches and tags are that remote's as of the last
    /// fetch.
    Mirror(String),
    /// No remote-tracking refs: it cannot tell whether a commit reached a remote.
    Unknown {
        /// A bare repository (a bare clone, or the repository others push to).
        bare: bool,
        /// The remote configured, if any (`origin` first).
        remote: Option<String>,
    },
}

impl Default for RemoteView {
    fn default() -> Self {
        RemoteView::Unknown {
            bare: false,
            remote: None,
        }
    }
}

/// Everything a history scan needs to know about refs.
#[derive(Clone, Debug, Default)]
pub struct Refs {
    /// Every ref that peels to a commit (symbolic `refs/remotes/*/HEAD` left out), plus a
    /// detached HEAD.
    pub tips: Vec<RefTip>,
    /// The default branch: what HEAD points to (a branch, or the detached commit).
    pub default: Option<RefTip>,
    /// The remote's default branch, short (`origin/main`): what `refs/remotes/origin/HEAD`
    /// points to (any remote's when origin has none).
    pub remote_default: Option<String>,
    /// The repository is a shallow clone: history before the boundary is absent.
    pub shallow: bool,
    /// The repository is a partial clone (`--filter`): a remote is a promisor, so blobs it
    /// did not send are absent and cannot be scanned.
    pub partial: bool,
    /// Refs skipped because they point to no commit (a tag of a tree or blob), named.
    pub warnings: Vec<String>,
    /// What the refs tell about remotes.
    pub view: RemoteView,
    /// Refs that could not be read, or whose object is missing or corrupt, named: history
    /// the scan could not see. The scan goes on without them.
    pub unreadable: Vec<String>,
}

impl Refs {
    /// The distinct commits of all tips.
    pub fn commits(&self) -> Vec<ObjectId> {
        let mut ids: Vec<ObjectId> = self.tips.iter().map(|t| t.commit).collect();
        ids.sort();
        ids.dedup();
        ids
    }

    /// The remote-tracking refs, the remote's default branch first (its `HEAD`, else
    /// `origin/main`, `origin/master`, any `*/main`, `*/master`), then by name.
    pub fn remotes(&self) -> Vec<&RefTip> {
        let mut remotes: Vec<&RefTip> = self.tips.iter().filter(|t| t.is_remote()).collect();
        remotes.sort_by(|a, b| {
            (self.default_rank(a.short()), a.short())
                .cmp(&(self.default_rank(b.short()), b.short()))
        });
        remotes
    }

    /// The refs that stand for a remote's state, as (name shown, commit), the remote's
    /// default branch first: the remote-tracking refs (`origin/main`), or in a mirror its
    /// branches, tags and other refs under the remote's name (`origin/main`, `origin/v1.0`);
    /// none when the repository has neither.
    pub fn remote_tips(&self) -> Vec<(String, ObjectId)> {
        match &self.view {
            RemoteView::Tracking => self
                .remotes()
                .into_iter()
                .map(|r| (r.short().to_string(), r.commit))
                .collect(),
            RemoteView::Mirror(name) => {
                let default = self.default.as_ref().map(RefTip::short);
                let mut tips: Vec<(bool, String, ObjectId)> = self
                    .tips
                    .iter()
                    .filter(|t| t.name.starts_with("refs/") && t.name != "refs/stash")
                    .map(|t| {
                        (
                            Some(t.short()) != default,
                            format!("{name}/{}", t.short()),
                            t.commit,
                        )
                    })
                    .collect();
                tips.sort();
                tips.into_iter().map(|(_, n, c)| (n, c)).collect()
            }
            RemoteView::Unknown { .. } => Vec::new(),
        }
    }

    /// 0 for the remote's default branch, 1–4 for the usual names of one, 5 otherwise.
    fn default_rank(&self, short: &str) -> u8 {
        if self.remote_default.as_deref() == Some(short) {
            return 0;
        }
        let branch = short.split_once('/').map_or(short, |(_, b)| b);
        match (short.starts_with("origin/"), branch) {
            (true, "main") => 1,
            (true, "master") => 2,
            (false, "main") => 3,
            (false, "master") => 4,
            _ => 5,
        }
    }
}

/// Whether `repo` is a partial clone: `extensions.partialClone` is set or a remote is a
/// promisor (what `git clone --filter=…` configures).
pub fn is_partial_clone(repo: &gix::Repository) -> bool {
    let config = repo.config_snapshot();
    config.string("extensions.partialClone").is_some()
        || repo.remote_names().iter().any(|name| {
            config
                .boolean(format!("remote.{name}.promisor").as_str())
                .unwrap_or(false)
        })
        || has_promisor_pack(repo)
}

/// Whether the object database holds a pack fetched from a promisor remote (a
/// `pack-*.promisor` file next to it): a partial clone's packs, even when its config
/// (copied without `extensions.partialClone`) no longer says so.
fn has_promisor_pack(repo: &gix::Repository) -> bool {
    let Ok(entries) = std::fs::read_dir(repo.objects.store_ref().path().join("pack")) else {
        return false;
    };
    entries
        .flatten()
        .any(|e| e.path().extension().is_some_and(|x| x == "promisor"))
}

/// Lists the refs of `repo`.
pub fn list(repo: &gix::Repository) -> Result<Refs, GitError> {
    let mut refs = Refs {
        shallow: repo.is_shallow().unwrap_or(false),
        partial: is_partial_clone(repo),
        ..Refs::default()
    };
    let platform = repo.references().context(|| "cannot read refs")?;
    let all = platform.all().context(|| "cannot read refs")?;
    for reference in all {
        let mut reference = match reference {
            Ok(r) => r,
            Err(err) => {
                refs.unreadable
                    .push(format!("unreadable ref skipped: {err}"));
                continue;
            }
        };
        let name = reference.name().as_bstr().to_string();
        if name.starts_with("refs/remotes/") && name.ends_with("/HEAD") {
            if let Some(target) = symbolic_target(&reference) {
                let origin = name == "refs/remotes/origin/HEAD";
                if origin || refs.remote_default.is_none() {
                    refs.remote_default = Some(target);
                }
            }
            continue;
        }
        match peel_to_commit(&mut reference) {
            Ok(Some(commit)) => refs.tips.push(RefTip { name, commit }),
            Ok(None) => refs
                .warnings
                .push(format!("ref {name} does not point to a commit; skipped")),
            Err(why) => refs
                .unreadable
                .push(format!("ref {name} cannot be read ({why}); skipped")),
        }
    }
    refs.default = default_branch(repo);
    refs.view = remote_view(repo, &refs.tips);
    if let Some(head) = &refs.default {
        if !refs.tips.iter().any(|t| t.commit == head.commit) {
            refs.tips.push(head.clone());
        }
    }
    Ok(refs)
}

/// The short name a symbolic `refs/remotes/<remote>/HEAD` points to (`origin/main`).
fn symbolic_target(reference: &gix::Reference<'_>) -> Option<String> {
    match &reference.inner.target {
        gix::refs::Target::Symbolic(target) => {
            let full = target.as_bstr().to_string();
            full.strip_prefix("refs/remotes/").map(str::to_string)
        }
        gix::refs::Target::Object(_) => None,
    }
}

/// The commit a ref points to, `None` when it points to a tree or blob (peeling through
/// tags), an error naming what is missing or corrupt when its objects cannot be read.
fn peel_to_commit(reference: &mut gix::Reference<'_>) -> Result<Option<ObjectId>, String> {
    let id = reference.peel_to_id().map_err(|e| e.to_string())?;
    let id = id.detach();
    let header = reference
        .repo
        .try_find_header(id)
        .map_err(|e| format!("object {id}: {e}"))?
        .ok_or_else(|| format!("object {id} is missing"))?;
    if header.kind() != gix::object::Kind::Commit {
        return Ok(None);
    }
    let commit = reference
        .repo
        .find_commit(id)
        .map_err(|e| format!("commit {id}: {e}"))?;
    Ok(Some(commit.id))
}

/// What `repo`'s refs (`tips`) can tell about remotes: remote-tracking refs, a mirror, or
/// nothing.
fn remote_view(repo: &gix::Repository, tips: &[RefTip]) -> RemoteView {
    if tips.iter().any(RefTip::is_remote) {
        return RemoteView::Tracking;
    }
    let config = repo.config_snapshot();
    let mut names: Vec<String> = repo.remote_names().iter().map(|n| n.to_string()).collect();
    names.sort_by_key(|n| (n != "origin", n.clone()));
    let mirrors = |name: &String| {
        config
            .boolean(format!("remote.{name}.mirror").as_str())
            .unwrap_or(false)
            || config
                .strings(format!("remote.{name}.fetch").as_str())
                .unwrap_or_default()
                .iter()
                .any(|spec| maps_onto_branches(&spec.to_string()))
    };
    if let Some(name) = names.iter().find(|n| mirrors(n)) {
        return RemoteView::Mirror(name.clone());
    }
    RemoteView::Unknown {
        bare: repo.is_bare(),
        remote: names.into_iter().next(),
    }
}

/// Whether a fetch refspec writes the remote's branches onto local branches
/// (`+refs/*:refs/*`, `+refs/heads/*:refs/heads/*`): what a mirror clone fetches with.
fn maps_onto_branches(spec: &str) -> bool {
    let spec = spec.trim_start_matches('+');
    spec.split_once(':')
        .is_some_and(|(_, dst)| dst == "refs/*" || dst == "refs/heads/*")
}

/// HEAD's branch (or the detached commit); `None` for an unborn HEAD.
fn default_branch(repo: &gix::Repository) -> Option<RefTip> {
    let mut head = repo.head().ok()?;
    let name = head
        .referent_name()
        .map_or_else(|| "HEAD".to_string(), |n| n.as_bstr().to_string());
    let commit = head.peel_to_commit().ok()?.id;
    Some(RefTip { name, commit })
}
