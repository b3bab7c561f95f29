//! What a scan reports: one `Finding` per secret occurrence, with the helpers that keep the
//! secret itself out of every output (redaction and SHA-256 fingerprints).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;

/// How bad a finding is. Ordered from least to most severe.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Reserved or test credentials.
    Low,
    /// Credentials with limited blast radius.
    Medium,
    /// Production credentials of a third-party service.
    High,
    /// Production credentials that grant access to meeting data.
    Critical,
}

impl Severity {
    /// All severities, most severe first.
    pub const ALL: [Severity; 4] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
    ];

    /// The lowercase name used in rules files and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where the scanned bytes came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// A file in the working tree (or any directory).
    Worktree,
    /// A blob in git history.
    History,
    /// Content staged in the git index (pre-commit).
    Staged,
    /// Standard input (`keyhound scan -`).
    Stdin,
}

/// The commit a history finding is attributed to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitInfo {
    /// Full hex object id.
    pub id: String,
    /// Author name.
    pub author: String,
    /// Author email.
    pub email: String,
    /// Author date, ISO 8601 with offset.
    pub date: String,
    /// Author time, seconds since the epoch.
    #[serde(skip)]
    pub time: i64,
    /// Position in the scan's topological order (parents before children; 0 when unknown):
    /// breaks ties between commits with the same time, so every report orders them the same.
    #[serde(skip)]
    pub rank: u64,
}

impl CommitInfo {
    /// The total order of commits in reports: author time, then topological position, then
    /// id. Two runs over the same repository order every tie the same way.
    pub fn order_key(&self) -> (i64, u64, &str) {
        (self.time, self.rank, &self.id)
    }
}

/// A later commit that still (or again) held a history finding's secret at the same path:
/// the finding is reported once, at the introducing commit, with these as data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LaterCommit {
    /// The commit.
    pub commit: CommitInfo,
    /// The 1-based line of the secret in that commit's version of the file.
    pub line: u32,
}

/// One occurrence of a secret.
#[derive(Clone, Debug)]
pub struct Finding {
    /// Id of the rule that matched.
    pub rule: String,
    /// Severity of the rule (may be raised, e.g. for committed env files).
    pub severity: Severity,
    /// Provider id the secret belongs to, when known.
    pub provider: Option<String>,
    /// Path relative to the scan root, `/`-separated.
    pub path: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column (characters).
    pub column: u32,
    /// The secret itself. Never printed unless the user asked for plaintext. `None` for
    /// findings about a file rather than a value (a committed `.env` file).
    pub secret: Option<Secret>,
    /// Where the bytes came from.
    pub source: SourceKind,
    /// The introducing commit, for history findings.
    pub commit: Option<CommitInfo>,
    /// Extra rule-specific context that is safe to print (e.g. a Basic header's client id).
    pub detail: Option<String>,
    /// Why git did not ignore this file (committed env files only).
    pub gitignore: Option<GitignoreDiagnosis>,
    /// The repository (sweep target id) the finding is in, in a report over several
    /// targets (`scan --repos-file`, `keyhound merge`); `None` for a single-target scan.
    pub repository: Option<String>,
    /// History findings are reported once per (rule, secret, path), at the introducing
    /// commit: the later commits that held the same secret at the same path, oldest first.
    pub later: Vec<LaterCommit>,
    /// A local server's address (`127.0.0.1`, `%HOSTIP`) the scanned content holding the
    /// secret talks to, found by the source: in a test-data directory it marks a fixture
    /// for a local test server ([`crate::fixture`]).
    pub local_server: Option<&'static str>,
}

/// The gitignore doctor's verdict on a committed env file: which ignore line was meant to
/// stop it, what is wrong with it, and the fix.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GitignoreDiagnosis {
    /// The cause, machine-readable: `ignored`, `negated`, `changed-in-commit`, `misnamed`,
    /// `utf16`, `inline-comment`, `near-miss`, `sibling`, `not-covering` or `no-rule`.
    #[serde(default)]
    pub cause: String,
    /// The ignore file holding the faulty line (`None` when no rule exists at all).
    pub file: Option<String>,
    /// 1-based line in that file.
    pub line: Option<usize>,
    /// The faulty pattern, quoted as written.
    pub pattern: Option<String>,
    /// The problem in one sentence.
    pub problem: String,
    /// The corrected line (or the line to add).
    pub fix: String,
    /// Commands that untrack the file.
    #[serde(default)]
    pub commands: Vec<String>,
}

impl Finding {
    /// A content-based fingerprint of this finding: SHA-256 of rule, secret hash and path.
    /// Line numbers are deliberately left out so the fingerprint survives edits above it.
    /// In a report over several targets the repository is part of it (the same key at the
    /// same path of two repositories is two findings, with two fingerprints); a one-target
    /// scan's is unchanged.
    pub fn fingerprint(&self) -> String {
        let secret = self.secret.as_ref().map_or("-", |s| s.sha256());
        let base = format!("{}:{}:{}", self.rule, secret, self.path);
        match &self.repository {
            None => sha256_hex(base.as_bytes()),
            Some(repo) => sha256_hex(format!("{repo}\u{0}{base}").as_bytes()),
        }
    }

    /// The author time of the introducing commit; uncommitted findings sort last.
    pub fn commit_time(&self) -> i64 {
        self.commit.as_ref().map_or(i64::MAX, |c| c.time)
    }

    /// The introducing commit's place in the total commit order ([`CommitInfo::order_key`]);
    /// uncommitted findings sort last.
    pub fn commit_order(&self) -> (i64, u64, &str) {
        self.commit
            .as_ref()
            .map_or((i64::MAX, u64::MAX, ""), CommitInfo::order_key)
    }

    /// The same finding seen at `path` in `commit` (history attribution of a scanned blob).
    pub fn at(&self, path: &str, commit: &CommitInfo) -> Finding {
        Finding {
            path: path.to_string(),
            commit: Some(commit.clone()),
            ..self.clone()
        }
    }

    /// The secret's SHA-256, or `None` for file findings.
    pub fn secret_sha256(&self) -> Option<&str> {
        self.secret.as_ref().map(Secret::sha256)
    }

    /// The redacted secret, or `None` for file findings.
    pub fn redacted(&self) -> Option<String> {
        self.secret.as_ref().map(Secret::redacted)
    }
}

/// A secret value with its fingerprint computed once.
///
/// `Debug` and `Display` print the redacted form so a secret cannot leak through logging.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Secret {
    plain: String,
    sha256: String,
    /// Set when the plaintext is not known (a secret read back from a redacted report).
    withheld: Option<String>,
}

impl Secret {
    /// Wraps a plaintext secret.
    pub fn new(plain: String) -> Self {
        let sha256 = sha256_hex(plain.as_bytes());
        Secret {
            plain,
            sha256,
            withheld: None,
        }
    }

    /// A secret known only by its fingerprint and redacted form, as a saved report holds it
    /// (`keyhound merge` of shard outputs written without `--show-secrets`).
    pub fn withheld(sha256: String, redacted: String) -> Self {
        Secret {
            plain: String::new(),
            sha256,
            withheld: Some(redacted),
        }
    }

    /// The plaintext. Callers must only print it behind an explicit user flag. A withheld
    /// secret has no plaintext: its redacted form is returned.
    pub fn expose(&self) -> &str {
        self.withheld.as_deref().unwrap_or(&self.plain)
    }

    /// Lowercase hex SHA-256 of the exact secret string.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// The redacted form: a recognisable prefix and the last characters.
    pub fn redacted(&self) -> String {
        match &self.withheld {
            Some(redacted) => redacted.clone(),
            None => redact(&self.plain),
        }
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({})", self.redacted())
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// The first 7 characters of a commit id, as git abbreviates it.
pub fn short_id(id: &str) -> &str {
    id.get(..7).unwrap_or(id)
}

/// Lowercase hex SHA-256 of `data`.
pub fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

/// Lowercase hex encoding.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    out
}

/// Redacts a secret to a vendor prefix (such as `mts_live_`), an ellipsis and a few of its
/// characters: at most 4 beyond the prefix and never more than a quarter of the rest, split
/// between head and tail, so the redacted form plus the SHA-256 fingerprint leaves far too
/// many candidates to search. A prefix longer than a quarter of the secret is not a vendor
/// prefix and is not shown. Secrets under 8 characters show nothing.
pub fn redact(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    let n = chars.len();
    if n < 8 {
        return "*".repeat(n.max(4));
    }
    let vendor = Some(vendor_prefix_len(secret))
        .filter(|&v| v * 4 <= n)
        .unwrap_or(0);
    let budget = ((n - vendor) / 4).min(4);
    let tail = budget.div_ceil(2);
    let head = vendor + budget / 2;
    let start: String = chars[..head].iter().collect();
    let end: String = chars[n - tail..].iter().collect();
    format!("{start}…{end}")
}

/// Length of a recognisable vendor prefix such as `mts_live_` or `ms_` (lowercase letters and
/// underscores ending in `_`, at most 10 characters), or 0.
fn vendor_prefix_len(secret: &str) -> usize {
    let bytes = secret.as_bytes();
    let mut last_underscore = 0;
    for (i, &b) in bytes.iter().enumerate().take(10) {
        match b {
            b'_' => last_underscore = i + 1,
            b'a'..=b'z' => {}
            _ => break,
        }
    }
    last_underscore
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_is_lowercase_hex_of_exact_string() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn redaction_keeps_vendor_prefix_and_tail_only() {
        let s = "mts_live_Q7fLr2ZxW9kPm4Tb8NcVy1HdJ6sGa3Ue"; // keyhound:allow (generated test key)
        let r = redact(s);
        assert_eq!(r, "mts_live_Q7…Ue");
        assert!(!r.contains("Lr2ZxW9kPm4Tb8NcVy1HdJ6sG"));
        assert_eq!(redact("Zq8Wm3Rt6Yp1Ls4K"), "Zq…4K");
        assert_eq!(redact("f3a9c2e81b7d4065a9e2c3b1d8f74e06"), "f3…06"); // keyhound:allow (generated)
        assert_eq!(redact("Zq8Wm3Rt6Y"), "Z…Y");
        assert_eq!(redact("abc"), "****");
        // a lowercase "prefix" longer than a quarter of the secret is not a vendor prefix
        assert_eq!(redact("some_pass_Xy9Qw"), "s…Qw");
    }

    #[test]
    fn redaction_reveals_at_most_four_characters_and_a_quarter() {
        for n in 8..80 {
            let s: String = (0..n).map(|i| (b'A' + (i % 26) as u8) as char).collect();
            let r = redact(&s);
            let shown = r.chars().filter(|&c| c != '…').count();
            assert!(shown <= 4 && shown * 4 <= n, "{n}: {r}");
        }
    }

    #[test]
    fn debug_never_shows_plaintext() {
        let s = Secret::new("ms_Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z".into()); // keyhound:allow (generated test key)
        let dbg = format!("{s:?} {s}");
        assert!(!dbg.contains("dEf6hIj9kLm2nOp5qRs8tUv1w"));
    }
}
