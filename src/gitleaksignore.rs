//! `.gitleaksignore`, read for teams moving from gitleaks: each line is a gitleaks finding
//! fingerprint, `commit:path:rule-id:line` (a git scan) or `path:rule-id:line` (a `--no-git`
//! / `dir` scan). gitleaks' rule ids are not keyhound's, so an entry is matched by where the
//! finding is — path and line, and the commit when the entry names one — and its rule id is
//! ignored: an entry hides every keyhound finding at that place. [`crate::baseline`] applies
//! the entries with its other suppressions.

use crate::finding::Finding;
use std::collections::HashMap;

/// The file looked for at the scan root.
pub const FILE: &str = ".gitleaksignore";

/// The places a `.gitleaksignore` lists.
#[derive(Debug, Default)]
pub struct Locations {
    /// (path, line) → the commits named for it (`None`: any commit, or none).
    places: HashMap<(String, u32), Vec<Option<String>>>,
}

impl Locations {
    /// True when an entry names `f`'s path and line, and its commit (when the entry has one)
    /// is the commit `f` is attributed to.
    pub fn matches(&self, f: &Finding) -> bool {
        let Some(commits) = self.places.get(&(f.path.clone(), f.line)) else {
            return false;
        };
        commits.iter().any(|c| match (c, &f.commit) {
            (None, _) => true,
            (Some(want), Some(have)) => have.id.eq_ignore_ascii_case(want),
            (Some(_), None) => false,
        })
    }

    /// True when no entry was read.
    pub fn is_empty(&self) -> bool {
        self.places.is_empty()
    }
}

/// Parses a `.gitleaksignore` named `name`: the places it lists, and one warning per line that
/// is not a fingerprint (naming the file and line, never quoting it: it may hold a secret).
pub fn parse(name: &str, text: &str) -> (Locations, Vec<String>) {
    let mut locations = Locations::default();
    let mut warnings = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match entry(line) {
            Some((commit, path, at)) => {
                locations.places.entry((path, at)).or_default().push(commit)
            }
            None => warnings.push(format!(
                "{name}:{}: not a gitleaks fingerprint (commit:path:rule-id:line or \
                 path:rule-id:line); line ignored",
                i + 1
            )),
        }
    }
    (locations, warnings)
}

/// `[commit:]path:rule-id:line` → (commit, path, line), split from the right so a path may
/// hold colons; the path is made `/`-separated and relative like keyhound's.
fn entry(line: &str) -> Option<(Option<String>, String, u32)> {
    let mut parts = line.rsplitn(3, ':');
    let at: u32 = parts.next()?.trim().parse().ok().filter(|n| *n > 0)?;
    let rule = parts.next()?;
    let rest = parts.next()?;
    if rule.trim().is_empty() {
        return None;
    }
    let (commit, path) = match rest.split_once(':') {
        Some((head, tail)) if is_commit(head) => (Some(head.to_ascii_lowercase()), tail),
        _ => (None, rest),
    };
    let path = path.replace('\\', "/");
    let path = path.trim_start_matches("./");
    if path.is_empty() {
        return None;
    }
    Some((commit, path.to_string(), at))
}

/// A full SHA-1 or SHA-256 object id.
fn is_commit(word: &str) -> bool {
    matches!(word.len(), 40 | 64) && word.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "0123456789abcdef0123456789abcdef01234567";

    #[test]
    fn entries_split_from_the_right_with_an_optional_commit() {
        assert_eq!(
            entry(&format!("{SHA}:src/a.env:generic-api-key:3")),
            Some((Some(SHA.to_string()), "src/a.env".into(), 3))
        );
        assert_eq!(
            entry("./config/x:y.yml:generic-api-key:12"),
            Some((None, "config/x:y.yml".into(), 12))
        );
        assert_eq!(
            entry("dir\\b.env:aws-access-token:1"),
            Some((None, "dir/b.env".into(), 1))
        );
        for bad in [
            "just-a-word",
            "a.env:rule:zero",
            "a.env:rule:0",
            ":rule:3",
            "a.env::3",
        ] {
            assert_eq!(entry(bad), None, "{bad}");
        }
    }

    #[test]
    fn malformed_lines_are_warnings_naming_file_and_line_only() {
        let (locations, warnings) = parse(
            FILE,
            "# gitleaks\n\na.env:generic-api-key:2\nsecret-looking-thing\n",
        );
        assert!(!locations.is_empty());
        assert_eq!(
            warnings,
            vec![
                ".gitleaksignore:4: not a gitleaks fingerprint (commit:path:rule-id:line or \
                  path:rule-id:line); line ignored"
            ]
        );
    }
}
