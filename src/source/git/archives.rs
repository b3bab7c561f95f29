//! Archives in commits and in the index: a changed zip/tar/gz blob is opened the way the
//! file walk opens one (same depth and size limits, members named `outer!inner`), and a key
//! in it counts as added unless a parent version of the archive holds the same key at the
//! same member path — the archive-level analogue of the added-lines filter for text.

use super::{Bounded, GitError, Repo};
use crate::detect::Detector;
use crate::finding::{Finding, SourceKind};
use crate::source::archive::{self, ArchiveLimits};
use crate::source::Stats;
use gix::ObjectId;
use std::collections::HashSet;

/// A changed archive: where it is, its new blob and the blobs it replaces (one per parent;
/// `None` where the path is new).
pub struct Changed<'a> {
    /// The archive's repository path.
    pub path: &'a str,
    /// The archive's new content.
    pub data: &'a [u8],
    /// The parents' versions of the same path.
    pub parents: &'a [Option<ObjectId>],
}

/// The findings in the members of `changed` that no parent version holds at the same member
/// path. Parent versions over `max_size`, missing or unreadable count as empty (everything
/// is new), as for text files.
pub fn added_findings(
    repo: &Repo,
    changed: &Changed<'_>,
    detector: &Detector,
    stats: &Stats,
    (limits, max_size): (&ArchiveLimits, u64),
    kind: SourceKind,
    keep: &dyn Fn(&str) -> bool,
) -> Result<Vec<Finding>, GitError> {
    let found = archive::scan(
        changed.path,
        changed.data,
        limits,
        stats,
        detector,
        kind,
        keep,
    );
    if found.is_empty() {
        return Ok(found);
    }
    // the parents are read only to subtract: their counters and warnings are not this scan's
    let quiet = Stats::default();
    let mut before: HashSet<(String, String, Option<String>)> = HashSet::new();
    for id in changed.parents.iter().flatten() {
        let Ok(Bounded::Data(old)) = repo.blob_within(*id, max_size) else {
            continue;
        };
        let old_found = archive::scan(changed.path, &old, limits, &quiet, detector, kind, keep);
        before.extend(old_found.iter().map(identity));
    }
    Ok(found
        .into_iter()
        .filter(|f| !before.contains(&identity(f)))
        .collect())
}

/// A finding's identity across versions of one archive: rule, member path and secret.
fn identity(f: &Finding) -> (String, String, Option<String>) {
    (
        f.rule.clone(),
        f.path.clone(),
        f.secret_sha256().map(str::to_string),
    )
}
