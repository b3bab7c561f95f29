//! Commit metadata for attribution: full id, author name and email, author date (ISO 8601).

use crate::finding::CommitInfo;

/// The attribution facts of a commit. Unparseable signatures degrade to empty fields rather
/// than failing the scan.
pub fn info(commit: &gix::Commit<'_>) -> CommitInfo {
    let id = commit.id.to_string();
    match commit.author() {
        Ok(sig) => {
            let time = sig.time().unwrap_or_default();
            CommitInfo {
                id,
                author: sig.name.to_string().trim().to_string(),
                email: sig.email.to_string().trim().to_string(),
                date: iso8601(time),
                time: time.seconds,
                rank: 0,
            }
        }
        Err(_) => CommitInfo {
            id,
            author: String::new(),
            email: String::new(),
            date: String::new(),
            time: 0,
            rank: 0,
        },
    }
}

/// `2025-03-02T10:00:00+00:00` in the signature's own offset.
pub fn iso8601(time: gix::date::Time) -> String {
    time.format(gix::date::time::format::ISO8601_STRICT)
        .unwrap_or_else(|_| time.seconds.to_string())
}
