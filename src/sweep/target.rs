//! What a sweep scans: targets from the command line and `--repos-file` (a local path, a
//! bare repository, or a git URL), each with a stable id that names it in every output and
//! decides its shard. URLs are normalised so `https://github.com/o/r`,
//! `https://github.com/o/r.git`, `ssh://git@github.com/o/r` and `git@github.com:o/r.git` are
//! one repository; credentials in a URL never reach an id or a message.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Where a target's bytes come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// A directory, file or repository on this machine.
    Path(PathBuf),
    /// A git URL to mirror-clone (`https://`, `http://`, `ssh://`, `git://`, `file://`,
    /// or scp-style `user@host:path`). Holds the URL as given (credentials included, for git
    /// only: never print it, print [`redact_url`] of it).
    Url(String),
}

/// One target of a sweep.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The stable id: normalised URL (`github.com/o/r`) or canonical absolute path.
    pub id: String,
    /// Where to read it.
    pub location: Location,
}

/// A line of a targets file that is not a target.
#[derive(Debug, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct TargetError {
    /// The targets file.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl Target {
    /// Parses one target as typed on the command line or written in a targets file;
    /// relative paths are resolved against `cwd`.
    pub fn parse(spec: &str, cwd: &Path) -> Target {
        if is_url(spec) {
            return Target {
                id: url_id(spec),
                location: Location::Url(spec.to_string()),
            };
        }
        let path = cwd.join(spec);
        Target {
            id: path_id(&path),
            location: Location::Path(path),
        }
    }

    /// The id as shown to people (the id: it never holds credentials).
    pub fn name(&self) -> &str {
        &self.id
    }
}

/// Reads a targets file: one target a line; blank lines and lines starting with `#` are
/// skipped. A line with a space or tab inside is refused (a target never has one, a pasted
/// command or `path  # comment` does).
pub fn read_file(text: &str, file: &str, cwd: &Path) -> Result<Vec<Target>, TargetError> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line.contains(char::is_whitespace) {
            return Err(TargetError {
                file: file.to_string(),
                line: i + 1,
                message: format!(
                    "`{}` is not one target: write one path or URL per line, comments on their own line",
                    redact_url(line)
                ),
            });
        }
        out.push(Target::parse(line, cwd));
    }
    Ok(out)
}

/// Drops later targets with the id of an earlier one; returns the kept targets and the ids
/// given more than once.
pub fn dedup(targets: Vec<Target>) -> (Vec<Target>, Vec<String>) {
    let mut seen = BTreeSet::new();
    let mut repeated = BTreeSet::new();
    let mut kept = Vec::new();
    for t in targets {
        if seen.insert(t.id.clone()) {
            kept.push(t);
        } else {
            repeated.insert(t.id);
        }
    }
    (kept, repeated.into_iter().collect())
}

/// True for the URL shapes git clones: a scheme it speaks, or scp-style `user@host:path`.
pub fn is_url(spec: &str) -> bool {
    const SCHEMES: [&str; 6] = [
        "https://",
        "http://",
        "ssh://",
        "git://",
        "file://",
        "git+ssh://",
    ];
    let lower = spec.to_ascii_lowercase();
    if SCHEMES.iter().any(|s| lower.starts_with(s)) {
        return true;
    }
    // scp-style: `[user@]host:path` with `@` before the first `:` and no `/` before it.
    match (spec.find('@'), spec.find(':'), spec.find('/')) {
        (Some(at), Some(colon), slash) => at < colon && slash.is_none_or(|s| colon < s) && at > 0,
        _ => false,
    }
}

/// The stable id of a URL: host (lowercase, with a non-default port) and path, without
/// scheme, credentials, trailing `/` or `.git`. `file://` URLs get the id of their path.
pub fn url_id(url: &str) -> String {
    let lower = url.to_ascii_lowercase();
    if lower.starts_with("file://") {
        let path = &url["file://".len()..];
        return path_id(Path::new(path));
    }
    let (host_port, path) = match url.split_once("://") {
        Some((_, rest)) => match rest.split_once('/') {
            Some((authority, path)) => (authority, path),
            None => (rest, ""),
        },
        // scp-style: user@host:path
        None => url.split_once(':').unwrap_or((url, "")),
    };
    let host = host_port.rsplit_once('@').map_or(host_port, |(_, h)| h);
    let host = host.to_ascii_lowercase();
    let host = ["https", "http", "ssh", "git"]
        .iter()
        .zip([":443", ":80", ":22", ":9418"])
        .find(|(scheme, _)| lower.starts_with(&format!("{scheme}://")))
        .and_then(|(_, port)| host.strip_suffix(port))
        .map_or(host.clone(), str::to_string);
    let path = path.trim_matches('/');
    let path = path
        .strip_suffix(".git")
        .unwrap_or(path)
        .trim_end_matches('/');
    format!("{host}/{path}")
}

/// The stable id of a path: canonical when it exists, else made absolute lexically (a
/// missing target still gets one id, so it fails in exactly one shard).
pub fn path_id(path: &Path) -> String {
    let absolute = std::fs::canonicalize(path).unwrap_or_else(|_| lexical_absolute(path));
    absolute.to_string_lossy().trim_end_matches('/').to_string()
}

fn lexical_absolute(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut out = PathBuf::new();
    for part in joined.components() {
        match part {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// The URL with any `user:password@` replaced by `***@`, for every message and output.
pub fn redact_url(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let (head, tail) = rest.split_at(i + 3);
        out.push_str(head);
        let end = tail
            .find(|c: char| c == '/' || c.is_whitespace() || c == '\'' || c == '"')
            .unwrap_or(tail.len());
        match tail[..end].rfind('@') {
            Some(at) => {
                out.push_str("***");
                out.push_str(&tail[at..end]);
            }
            None => out.push_str(&tail[..end]),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_repository_under_every_url_spelling() {
        for url in [
            "https://github.com/o/r",
            "https://github.com/o/r.git",
            "https://github.com/o/r/",
            "https://user:tok@GitHub.com/o/r.git",
            "https://github.com:443/o/r",
            "ssh://git@github.com/o/r.git",
            "ssh://git@github.com:22/o/r",
            "git@github.com:o/r.git",
            "git@github.com:/o/r",
            "git://github.com/o/r",
        ] {
            assert_eq!(url_id(url), "github.com/o/r", "{url}");
        }
        assert_eq!(url_id("ssh://git@host:2222/o/r"), "host:2222/o/r");
        assert_eq!(url_id("git://127.0.0.1:9999/x"), "127.0.0.1:9999/x");
    }

    #[test]
    fn urls_and_paths_are_told_apart() {
        assert!(is_url("git@github.com:o/r.git"));
        assert!(is_url("file:///srv/r.git"));
        assert!(!is_url("./repos/r"));
        assert!(!is_url("/srv/a@b:c"));
        assert!(!is_url("C:/x"));
        assert!(!is_url("dir/with:colon"));
    }

    #[test]
    fn credentials_never_survive_redaction() {
        assert_eq!(
            redact_url("fatal: could not read from https://bob:s3cr3t@host/o/r.git: 401"),
            "fatal: could not read from https://***@host/o/r.git: 401"
        );
        assert_eq!(redact_url("https://host/o/r"), "https://host/o/r");
    }

    #[test]
    fn a_file_url_and_its_path_are_one_target() {
        let dir = std::env::temp_dir();
        let canonical = path_id(&dir);
        assert_eq!(url_id(&format!("file://{}", dir.display())), canonical);
        assert_eq!(path_id(&dir.join("missing/../x")), format!("{canonical}/x"));
    }
}
