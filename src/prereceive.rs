//! Server-side mode (`keyhound scan --pre-receive`): turns the `old new ref` lines git feeds
//! a pre-receive hook into the commits to scan, so a hosting admin can reject pushes that
//! carry keys.
//!
//! Only commits the push brings in are scanned: the new tips, minus everything reachable
//! from a ref the repository already has (refs are not updated until the hook accepts) and
//! minus the old tips. A deleted ref (zero `new`) adds nothing; a new branch (zero `old`)
//! scans the commits no existing ref reaches. The pushed objects themselves are still in
//! git's quarantine directory, which git names in `GIT_QUARANTINE_PATH`,
//! `GIT_OBJECT_DIRECTORY` and `GIT_ALTERNATE_OBJECT_DIRECTORIES`; the git source opens the
//! repository with those honoured.

use crate::source::git::{self, range::RangeSpec};
use std::path::Path;

/// What keyhound prints on stderr when it rejects a push.
pub const PUSH_ADVICE: &str = "\
keyhound: push rejected: the commits above add credentials or env files. To push again:
  1. Take the secret (or the env file: git rm --cached) out of those commits (git commit
     --amend for the last one, git rebase -i for older ones) and load it at run time from an
     environment variable or a secrets manager instead.
  2. A false positive? Add `keyhound:allow` in a comment on that line, amend, and push.
  3. Rotate the key if it was shared anywhere else: this server never stored it.
";

/// One line of pre-receive input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefUpdate {
    /// The ref's tip before the push; `None` when the ref is being created.
    pub old: Option<String>,
    /// The ref's tip after the push; `None` when the ref is being deleted.
    pub new: Option<String>,
    /// The full ref name, e.g. `refs/heads/main`.
    pub name: String,
}

/// Bad pre-receive input or an unreadable repository.
#[derive(Debug, thiserror::Error)]
pub enum PreReceiveError {
    /// A line is not `<old-id> <new-id> <ref>`.
    #[error("pre-receive input line {line}: expected `<old-id> <new-id> <ref>`, got `{text}`")]
    Line {
        /// 1-based line.
        line: usize,
        /// The line as read.
        text: String,
    },
    /// The repository or its refs cannot be read.
    #[error("cannot read refs of {path}: {reason}")]
    Repo {
        /// The repository path.
        path: String,
        /// Why.
        reason: String,
    },
}

/// Parses git's pre-receive input: one `old new ref` line per updated ref.
pub fn parse(input: &str) -> Result<Vec<RefUpdate>, PreReceiveError> {
    let mut updates = Vec::new();
    for (i, line) in input.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let bad = || PreReceiveError::Line {
            line: i + 1,
            text: line.to_string(),
        };
        let mut words = line.split_whitespace();
        let (Some(old), Some(new), Some(name), None) =
            (words.next(), words.next(), words.next(), words.next())
        else {
            return Err(bad());
        };
        updates.push(RefUpdate {
            old: object_id(old).ok_or_else(bad)?,
            new: object_id(new).ok_or_else(bad)?,
            name: name.to_string(),
        });
    }
    Ok(updates)
}

/// A full hex object id, `Some(None)` for git's all-zero id, `None` when not an id.
fn object_id(word: &str) -> Option<Option<String>> {
    let hex = matches!(word.len(), 40 | 64) && word.bytes().all(|b| b.is_ascii_hexdigit());
    if !hex {
        return None;
    }
    Some(if word.bytes().all(|b| b == b'0') {
        None
    } else {
        Some(word.to_ascii_lowercase())
    })
}

/// The commits to scan for `updates`, given the tips of the refs that already exist: the new
/// tips (deduplicated, in input order), minus the old tips and every existing ref's tip
/// (sorted, deduplicated).
pub fn revisions(updates: &[RefUpdate], existing: &[String]) -> RangeSpec {
    let mut include: Vec<String> = Vec::new();
    for new in updates.iter().filter_map(|u| u.new.as_ref()) {
        if !include.contains(new) {
            include.push(new.clone());
        }
    }
    let mut exclude: Vec<String> = updates
        .iter()
        .filter_map(|u| u.old.clone())
        .chain(existing.iter().cloned())
        .collect();
    exclude.sort();
    exclude.dedup();
    RangeSpec { include, exclude }
}

/// The revision whose settings (`.keyhound.toml`, `.keyhoundignore`, baseline) a push is
/// scanned with: the old tip of the first ref the push updates (the server's state, never
/// the pushed commits), else of the first ref it deletes; `None` when it only creates refs
/// (the caller then takes the server's HEAD).
pub fn settings_base(updates: &[RefUpdate]) -> Option<String> {
    let updated = updates.iter().find(|u| u.old.is_some() && u.new.is_some());
    updated
        .or_else(|| updates.iter().find(|u| u.old.is_some()))
        .and_then(|u| u.old.clone())
}

/// The commit each ref of the repository at `path` points to (tags peeled; refs to
/// non-commits skipped).
pub fn existing_tips(path: &Path) -> Result<Vec<String>, PreReceiveError> {
    let err = |reason: String| PreReceiveError::Repo {
        path: path.display().to_string(),
        reason,
    };
    let repo = git::discover(path)
        .map_err(|e| err(e.to_string()))?
        .ok_or_else(|| err("not a git repository".into()))?;
    let refs = repo.repo.references().map_err(|e| err(e.to_string()))?;
    let mut tips = Vec::new();
    for r in refs.all().map_err(|e| err(e.to_string()))? {
        let Ok(mut r) = r else { continue };
        if let Ok(commit) = r.peel_to_commit() {
            tips.push(commit.id.to_string());
        }
    }
    tips.sort();
    tips.dedup();
    Ok(tips)
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "1111111111111111111111111111111111111111";
    const B: &str = "2222222222222222222222222222222222222222";
    const Z: &str = "0000000000000000000000000000000000000000";

    #[test]
    fn parses_updates_creations_and_deletions() {
        let input =
            format!("{A} {B} refs/heads/main\n{Z} {A} refs/heads/new\n{B} {Z} refs/tags/gone\n");
        let updates = parse(&input).expect("parses");
        assert_eq!(
            updates,
            vec![
                RefUpdate {
                    old: Some(A.into()),
                    new: Some(B.into()),
                    name: "refs/heads/main".into()
                },
                RefUpdate {
                    old: None,
                    new: Some(A.into()),
                    name: "refs/heads/new".into()
                },
                RefUpdate {
                    old: Some(B.into()),
                    new: None,
                    name: "refs/tags/gone".into()
                },
            ]
        );
        let revs = revisions(
            &updates,
            &["3333333333333333333333333333333333333333".into()],
        );
        assert_eq!(revs.include, vec![B.to_string(), A.to_string()]);
        assert_eq!(
            revs.exclude,
            vec![
                A.to_string(),
                B.to_string(),
                "3333333333333333333333333333333333333333".to_string()
            ]
        );
    }

    #[test]
    fn settings_come_from_an_updated_refs_old_tip() {
        let updates = parse(&format!(
            "{Z} {A} refs/heads/new\n{A} {B} refs/heads/main\n"
        ))
        .expect("parses");
        assert_eq!(settings_base(&updates).as_deref(), Some(A));
        assert_eq!(settings_base(&updates[..1]), None);
    }

    #[test]
    fn a_push_that_only_deletes_scans_nothing() {
        let updates = parse(&format!("{A} {Z} refs/heads/old\n")).expect("parses");
        assert!(revisions(&updates, &[]).include.is_empty());
    }

    #[test]
    fn rejects_malformed_lines_naming_the_line() {
        let err = parse(&format!(
            "{A} {B} refs/heads/main\n{A} nothex refs/heads/x\n"
        ))
        .unwrap_err();
        assert!(
            err.to_string().starts_with("pre-receive input line 2:"),
            "{err}"
        );
        assert!(parse(&format!("{A} {B}\n")).is_err());
    }
}
