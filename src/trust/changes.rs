//! Changes to watched settings files: in a scan of commits, one [`CONFIG_CHANGED_RULE`]
//! finding per commit that changes one (relative to every parent, so a merge that only
//! brings in the base's version is not one), saying what the change does; before a commit,
//! a note when the work tree's version differs from HEAD's.

use super::effect::{describe_change, Kind};
use super::files::{self, blob_in_commit, blob_text};
use super::{TrustError, Watched, CONFIG_CHANGED_RULE};
use crate::finding::{short_id, Finding, Severity, SourceKind};
use crate::source::git::{commit, diff::added_lines, range, Repo};
use gix::ObjectId;

/// One finding per commit of `spec` that changes a watched file; `source` names where the
/// scan's settings came from (`commit 1a2b3c4`).
pub fn range_findings(
    repo: &Repo,
    spec: &range::RangeSpec,
    watched: &[Watched],
    source: &str,
) -> Result<Vec<Finding>, TrustError> {
    if watched.is_empty() {
        return Ok(Vec::new());
    }
    let resolve_all = |revs: &[String]| {
        revs.iter()
            .map(|r| range::resolve(repo, r))
            .collect::<Result<Vec<_>, _>>()
    };
    let commits = range::commits_in_range(
        repo,
        &resolve_all(&spec.include)?,
        &resolve_all(&spec.exclude)?,
    )?;
    let mut out = Vec::new();
    for (rank, &id) in commits.iter().rev().enumerate() {
        let Ok(c) = repo.repo.find_commit(id) else {
            continue;
        };
        let parents: Vec<ObjectId> = c.parent_ids().map(|p| p.detach()).collect();
        for w in watched {
            let new = blob_in_commit(repo, id, &w.repo_path);
            let before: Vec<Option<ObjectId>> = parents
                .iter()
                .map(|p| blob_in_commit(repo, *p, &w.repo_path))
                .collect();
            let unchanged = if before.is_empty() {
                new.is_none()
            } else {
                before.contains(&new)
            };
            if unchanged {
                continue;
            }
            let mut info = commit::info(&c);
            info.rank = rank as u64;
            let old = before.first().copied().flatten();
            out.push(changed(repo, w, (old, new), info, source));
        }
    }
    Ok(out)
}

/// The finding for one change of `w` from blob `old` to blob `new`.
fn changed(
    repo: &Repo,
    w: &Watched,
    (old, new): (Option<ObjectId>, Option<ObjectId>),
    info: crate::finding::CommitInfo,
    source: &str,
) -> Finding {
    let cap = match w.kind {
        Kind::Baseline => files::MAX_BASELINE_BYTES,
        _ => files::MAX_SETTINGS_BYTES,
    };
    let read = |id: Option<ObjectId>| {
        id.map(|id| blob_text(repo, id, cap, &w.repo_path))
            .transpose()
    };
    let (phrases, line) = match (read(old), read(new)) {
        (Ok(old), Ok(new)) => {
            let line = new
                .as_deref()
                .and_then(|n| {
                    added_lines(old.as_deref().map(str::as_bytes), n.as_bytes())
                        .first()
                        .copied()
                })
                .unwrap_or(1);
            (
                describe_change(w.kind, old.as_deref(), new.as_deref()),
                line,
            )
        }
        (Err(e), _) | (_, Err(e)) => (vec![format!("cannot be read ({e})")], 1),
    };
    Finding {
        rule: CONFIG_CHANGED_RULE.to_string(),
        severity: Severity::High,
        provider: None,
        path: repo
            .relative(&w.repo_path)
            .unwrap_or_else(|| w.repo_path.clone()),
        line,
        column: 1,
        secret: None,
        source: SourceKind::History,
        commit: Some(info),
        detail: Some(format!(
            "{}; this scan used the settings of {source}, not this change",
            phrases.join("; ")
        )),
        gitignore: None,
        repository: None,
        later: Vec::new(),
        local_server: None,
    }
}

/// Notes for a scan before a commit (`--staged`, which reads the work tree's settings):
/// each watched file whose work tree version differs from HEAD's in effect.
pub fn worktree_notes(repo: &Repo, watched: &[Watched]) -> Vec<String> {
    let (Some(workdir), Ok(head)) = (repo.repo.workdir(), repo.repo.head_id()) else {
        return Vec::new();
    };
    let head = head.detach();
    let mut notes = Vec::new();
    for w in watched {
        let cap = match w.kind {
            Kind::Baseline => files::MAX_BASELINE_BYTES,
            _ => files::MAX_SETTINGS_BYTES,
        };
        let committed = files::text_in_commit(repo, head, &w.repo_path, cap, &w.repo_path);
        let local = files::disk_text(&workdir.join(&w.repo_path), cap);
        let (Ok(committed), Ok(local)) = (committed, local) else {
            continue;
        };
        if committed == local {
            continue;
        }
        let phrases = describe_change(w.kind, committed.as_deref(), local.as_deref());
        if phrases.len() == 1 && phrases[0].starts_with("no setting changes") {
            continue;
        }
        notes.push(format!(
            "{} differs from HEAD's ({}): it {}. This scan applied it; a CI scan of the branch \
             (--since) uses the base's settings and reports the change as {CONFIG_CHANGED_RULE}",
            w.repo_path,
            short_id(&head.to_string()),
            phrases.join("; ")
        ));
    }
    notes
}
