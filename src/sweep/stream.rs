//! The record stream of `--format jsonl`: one JSON object a line, each with a `type`.
//!
//! - `header`: `{"type":"header","format":"keyhound-stream","version":1,"keyhound":…,
//!   "rules":…}` — the keyhound version and a fingerprint of the rules, so `merge` refuses
//!   outputs of different rule sets; for a shard also the shard and the target list's hash.
//! - `finding`: the finding object of `--format json`, plus `target` (the target id) and
//!   `commit_time` (seconds since the epoch, for ordering across repositories).
//! - `secret`: per target and distinct secret, the facts of the `secrets` array (`in_head`,
//!   `exposure`, `verification`).
//! - `target`: written after a target's findings: `status` `scanned` or `failed` (with
//!   `error`), `duration_ms`, `bytes`, counters and notes. A target is complete once its
//!   record is written, so a killed shard loses only the target it was on.
//!
//! Findings keep every field they had when `jsonl` was one finding a line; readers skip
//! records of a type they do not know.

use crate::finding::{
    CommitInfo, Finding, GitignoreDiagnosis, LaterCommit, Secret, Severity, SourceKind,
};
use crate::report::json::JsonFinding;
use crate::report::{RenderOptions, Report, SecretFacts};
use crate::rules::Rule;
use crate::source::StatsSnapshot;
use serde::{Deserialize, Serialize};
use std::io::{self, Write};

/// The `format` of a header.
pub const FORMAT: &str = "keyhound-stream";
/// The stream version this keyhound writes and reads.
pub const VERSION: u32 = 1;

/// The first record of a stream.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// Always [`FORMAT`].
    pub format: String,
    /// Stream version.
    pub version: u32,
    /// The keyhound version that wrote it.
    pub keyhound: String,
    /// Fingerprint of the rules the scan ran ([`rules_fingerprint`]).
    pub rules: String,
    /// `K/N` when written by `--shard K/N`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<String>,
    /// SHA-256 of the sorted target ids of the whole list (before sharding).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub targets: Option<String>,
}

impl Header {
    /// A header for this keyhound and `rules`.
    pub fn new(rules: &[Rule]) -> Header {
        Header {
            format: FORMAT.to_string(),
            version: VERSION,
            keyhound: env!("CARGO_PKG_VERSION").to_string(),
            rules: rules_fingerprint(rules),
            shard: None,
            targets: None,
        }
    }

    /// Whether two streams can be merged: same format version, keyhound and rules.
    pub fn compatible(&self, other: &Header) -> bool {
        self.version == other.version
            && self.keyhound == other.keyhound
            && self.rules == other.rules
    }
}

/// A finding as read back from a stream.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingRecord {
    /// The target id.
    pub target: String,
    /// Author time of the commit (history findings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit_time: Option<i64>,
    /// Rule id.
    pub rule: String,
    /// Severity.
    pub severity: Severity,
    /// Provider id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// Path in the target.
    pub path: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// SHA-256 of the secret (`None` for file findings).
    #[serde(default)]
    pub secret_sha256: Option<String>,
    /// Redacted secret.
    #[serde(default)]
    pub redacted: Option<String>,
    /// Plaintext, only in streams written with `--show-secrets`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// Worktree, history or staged.
    pub source: SourceKind,
    /// Rule-specific detail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Commit id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// Commit author.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// Commit author email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Commit date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Gitignore diagnosis (committed env files).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gitignore: Option<GitignoreDiagnosis>,
    /// The finding's fingerprint as written (kept so a merged stream keeps it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    /// Whether the secret was still at HEAD (history findings), as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_head: Option<bool>,
    /// Topological position of the commit in its repository's scan (ties of `commit_time`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit_rank: Option<u64>,
    /// Later commits that held the same secret at the same path (history findings).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub later_commits: Vec<LaterRecord>,
}

/// A later commit of a history finding, as written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LaterRecord {
    /// Commit id.
    pub commit: String,
    /// Author.
    #[serde(default)]
    pub author: String,
    /// Date.
    #[serde(default)]
    pub date: String,
    /// Line of the secret in that commit.
    pub line: u32,
}

impl FindingRecord {
    /// The report finding, in repository `target`. The secret is withheld (fingerprint and
    /// redacted form only) unless the stream holds the plaintext.
    pub fn to_finding(&self) -> Finding {
        let secret = match (&self.secret, &self.secret_sha256) {
            (Some(plain), _) => Some(Secret::new(plain.clone())),
            (None, Some(sha)) => Some(Secret::withheld(
                sha.clone(),
                self.redacted.clone().unwrap_or_default(),
            )),
            (None, None) => None,
        };
        Finding {
            rule: self.rule.clone(),
            severity: self.severity,
            provider: self.provider.clone(),
            path: self.path.clone(),
            line: self.line,
            column: self.column,
            secret,
            source: self.source,
            commit: self.commit.as_ref().map(|id| CommitInfo {
                id: id.clone(),
                author: self.author.clone().unwrap_or_default(),
                email: self.email.clone().unwrap_or_default(),
                date: self.date.clone().unwrap_or_default(),
                time: self.commit_time.unwrap_or(i64::MAX),
                rank: self.commit_rank.unwrap_or(0),
            }),
            detail: self.detail.clone(),
            gitignore: self.gitignore.clone(),
            repository: Some(self.target.clone()),
            later: self.later(),
            local_server: None,
        }
    }

    /// The later commits of this finding, as the report's finding carries them.
    fn later(&self) -> Vec<LaterCommit> {
        self.later_commits
            .iter()
            .map(|l| LaterCommit {
                commit: CommitInfo {
                    id: l.commit.clone(),
                    author: l.author.clone(),
                    email: String::new(),
                    date: l.date.clone(),
                    time: 0,
                    rank: 0,
                },
                line: l.line,
            })
            .collect()
    }
}

/// Per target and secret: what the target's scan learned about the secret.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SecretRecord {
    /// The target id.
    pub target: String,
    /// SHA-256 of the secret.
    pub secret_sha256: String,
    /// The facts.
    #[serde(flatten)]
    pub facts: SecretFacts,
}

/// Whether a target was scanned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Scanned to the end.
    Scanned,
    /// Could not be scanned.
    Failed,
}

/// The end of one target.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetRecord {
    /// The target id.
    pub target: String,
    /// Scanned or failed.
    pub status: Status,
    /// Why it failed (credentials redacted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Wall time, cloning included.
    pub duration_ms: u64,
    /// Bytes scanned.
    pub bytes: u64,
    /// Findings written for it.
    pub findings: usize,
    /// The scan's counters.
    #[serde(default)]
    pub stats: StatsSnapshot,
    /// The scan's notes (shallow clone, partial clone…).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Per-item problems the scan went past.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// One record, as read. (Findings are most records: boxing them would buy nothing.)
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Record {
    /// Stream header.
    Header(Header),
    /// A finding.
    Finding(FindingRecord),
    /// Facts about a secret in a target.
    Secret(SecretRecord),
    /// A target's end.
    Target(TargetRecord),
}

/// A stream that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    /// A line is not a record.
    #[error("{file}:{line}: not a keyhound record: {reason}")]
    Parse {
        /// The stream's name.
        file: String,
        /// 1-based line.
        line: usize,
        /// Why.
        reason: String,
    },
    /// The stream does not start with a header.
    #[error("{0}: not a keyhound record stream (no header record first); write shard outputs with `keyhound scan --format jsonl`")]
    NoHeader(String),
    /// Two headers (or two inputs) of different keyhound versions or rules.
    #[error("{0}")]
    Incompatible(String),
}

/// A stream read into memory.
#[derive(Clone, Debug, Default)]
pub struct Stream {
    /// Headers, in order (a concatenation of shard files has several).
    pub headers: Vec<Header>,
    /// Every other record, in order.
    pub records: Vec<Record>,
    /// Whether the last line was cut off (a killed writer) and skipped.
    pub truncated: bool,
}

/// Reads a stream. A cut-off last line (no newline, not JSON) is skipped and flagged; any
/// other bad line is an error. Records before the first header are refused.
pub fn read(text: &str, file: &str) -> Result<Stream, StreamError> {
    let mut stream = Stream::default();
    let ends_cleanly = text.is_empty() || text.ends_with('\n');
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let value: serde_json::Value = match serde_json::from_str(line) {
            Ok(v) => v,
            Err(_) if i + 1 == lines.len() && !ends_cleanly => {
                stream.truncated = true;
                break;
            }
            Err(e) => {
                return Err(StreamError::Parse {
                    file: file.to_string(),
                    line: i + 1,
                    reason: e.to_string(),
                })
            }
        };
        if stream.headers.is_empty() && value.get("type").is_none() {
            return Err(StreamError::NoHeader(file.to_string()));
        }
        let known = matches!(
            value.get("type").and_then(|t| t.as_str()),
            Some("header" | "finding" | "secret" | "target")
        );
        if !known && value.get("type").is_some() {
            continue;
        }
        let record: Record = serde_json::from_value(value).map_err(|e| StreamError::Parse {
            file: file.to_string(),
            line: i + 1,
            reason: e.to_string(),
        })?;
        match record {
            Record::Header(h) => {
                if let Some(first) = stream.headers.first() {
                    check_compatible(first, file, &h, file)?;
                }
                stream.headers.push(h);
            }
            _ if stream.headers.is_empty() => return Err(StreamError::NoHeader(file.to_string())),
            other => stream.records.push(other),
        }
    }
    if stream.headers.is_empty() {
        return Err(StreamError::NoHeader(file.to_string()));
    }
    Ok(stream)
}

/// Refuses to mix streams of different keyhound versions or rules.
pub fn check_compatible(
    first: &Header,
    first_file: &str,
    other: &Header,
    other_file: &str,
) -> Result<(), StreamError> {
    if first.compatible(other) {
        return Ok(());
    }
    let short = |s: &str| s.get(..12).unwrap_or(s).to_string();
    Err(StreamError::Incompatible(format!(
        "{other_file} was written by keyhound {} (stream v{}) with rules {}, but {first_file} by keyhound {} (stream v{}) with rules {}: rerun every shard with one keyhound and one rule set",
        other.keyhound,
        other.version,
        short(&other.rules),
        first.keyhound,
        first.version,
        short(&first.rules)
    )))
}

impl Stream {
    /// For `--resume`: the ids of the targets scanned to the end, and every record of
    /// those targets. Failed targets and a target cut off mid-scan are left out, to be
    /// scanned again.
    pub fn completed(&self) -> (std::collections::BTreeSet<String>, Vec<Record>) {
        let done: std::collections::BTreeSet<String> = self
            .records
            .iter()
            .filter_map(|r| match r {
                Record::Target(t) if t.status == Status::Scanned => Some(t.target.clone()),
                _ => None,
            })
            .collect();
        let kept = self
            .records
            .iter()
            .filter(|r| {
                let target = match r {
                    Record::Finding(f) => &f.target,
                    Record::Secret(s) => &s.target,
                    Record::Target(t) => &t.target,
                    Record::Header(_) => return false,
                };
                done.contains(target)
                    && !matches!(r, Record::Target(t) if t.status == Status::Failed)
            })
            .cloned()
            .collect();
        (done, kept)
    }
}

/// Writes one record and a newline. Flushing is left to the records that end a unit
/// ([`write_header`], [`write_target`], [`write_records`]): a target's findings are only
/// complete with its target record, so a killed process loses nothing it had finished.
fn write_record(out: &mut dyn Write, record: &impl Serialize) -> io::Result<()> {
    let mut line = serde_json::to_vec(record)?;
    line.push(b'\n');
    out.write_all(&line)
}

/// Writes the header record, flushed.
pub fn write_header(out: &mut dyn Write, header: &Header) -> io::Result<()> {
    write_record(out, &Tagged::Header(header))?;
    out.flush()
}

/// Writes a target's findings and secret facts from its report (the target record comes
/// after, from the caller, who knows the duration).
pub fn write_report(
    out: &mut dyn Write,
    target: &str,
    report: &Report,
    opts: RenderOptions,
) -> io::Result<()> {
    for f in &report.findings {
        write_record(
            out,
            &Tagged::Finding(FindingOut {
                target,
                commit_time: f.commit.as_ref().map(|c| c.time),
                commit_rank: f.commit.as_ref().map(|c| c.rank),
                finding: JsonFinding::new(f, report, opts),
            }),
        )?;
    }
    for (sha, facts) in &report.facts {
        write_record(
            out,
            &Tagged::Secret(SecretOut {
                target,
                secret_sha256: sha,
                facts,
            }),
        )?;
    }
    Ok(())
}

/// The target record of a scanned target.
pub fn scanned(target: &str, report: &Report, duration_ms: u64) -> TargetRecord {
    TargetRecord {
        target: target.to_string(),
        status: Status::Scanned,
        error: None,
        duration_ms,
        bytes: report.stats.bytes,
        findings: report.findings.len(),
        stats: report.stats,
        notes: report.notes.clone(),
        warnings: report.warnings.clone(),
    }
}

/// The target record of a failed target.
pub fn failed(target: &str, error: String, duration_ms: u64) -> TargetRecord {
    TargetRecord {
        target: target.to_string(),
        status: Status::Failed,
        error: Some(error),
        duration_ms,
        bytes: 0,
        findings: 0,
        stats: StatsSnapshot::default(),
        notes: Vec::new(),
        warnings: Vec::new(),
    }
}

/// Writes a target record, flushed: the target is complete on disk.
pub fn write_target(out: &mut dyn Write, record: &TargetRecord) -> io::Result<()> {
    write_record(out, &Tagged::Target(record))?;
    out.flush()
}

/// Writes records read earlier (resume, merge output) as they were, flushed.
pub fn write_records(out: &mut dyn Write, records: &[Record]) -> io::Result<()> {
    records.iter().try_for_each(|r| write_record(out, r))?;
    out.flush()
}

#[allow(clippy::large_enum_variant)]
#[derive(Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
enum Tagged<'a> {
    Header(&'a Header),
    Finding(FindingOut<'a>),
    Secret(SecretOut<'a>),
    Target(&'a TargetRecord),
}

#[derive(Serialize)]
struct FindingOut<'a> {
    target: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    commit_time: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    commit_rank: Option<u64>,
    #[serde(flatten)]
    finding: JsonFinding<'a>,
}

#[derive(Serialize)]
struct SecretOut<'a> {
    target: &'a str,
    secret_sha256: &'a str,
    #[serde(flatten)]
    facts: &'a SecretFacts,
}

/// SHA-256 over what decides a scan's findings: each rule's id, severity, patterns,
/// keywords and checks, in load order.
pub fn rules_fingerprint(rules: &[Rule]) -> String {
    let mut text = String::new();
    for r in rules {
        text.push_str(&format!(
            "{}\u{1f}{}\u{1f}{:?}\u{1f}{:?}\u{1f}{:?}\u{1f}{}\u{1f}{:?}\u{1f}{}{}{}\u{1f}{}\u{1e}",
            r.id,
            r.severity,
            (&r.patterns, &r.names),
            r.keywords,
            r.min_entropy,
            r.priority,
            r.validator,
            r.placeholder_check,
            r.identifier_check,
            r.require_provider,
            r.window_lines
        ));
    }
    crate::finding::sha256_hex(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> String {
        let h = Header::new(&[]);
        serde_json::to_string(&Record::Header(h)).unwrap()
    }

    #[test]
    fn a_cut_off_last_line_is_skipped_and_flagged() {
        let text = format!(
            "{}\n{{\"type\":\"target\",\"target\":\"a\",\"status\":\"scanned\",\"duration_ms\":1,\"bytes\":2,\"findings\":0}}\n{{\"type\":\"fin",
            header()
        );
        let s = read(&text, "s.jsonl").unwrap();
        assert!(s.truncated);
        assert_eq!(s.records.len(), 1);
        let bad = format!("{}\nnot json\n", header());
        let err = read(&bad, "s.jsonl").unwrap_err().to_string();
        assert!(
            err.starts_with("s.jsonl:2: not a keyhound record:"),
            "{err}"
        );
    }

    #[test]
    fn old_jsonl_without_header_is_refused_and_unknown_types_are_skipped() {
        let old = "{\"rule\":\"r\",\"path\":\"a\"}\n";
        assert!(matches!(read(old, "o"), Err(StreamError::NoHeader(_))));
        let future = format!("{}\n{{\"type\":\"progress\",\"x\":1}}\n", header());
        assert!(read(&future, "f").unwrap().records.is_empty());
    }

    #[test]
    fn different_rules_do_not_mix() {
        let a = Header::new(&[]);
        let mut b = a.clone();
        b.rules = "0".repeat(64);
        let err = check_compatible(&a, "s0", &b, "s1")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("s1 was written by keyhound"), "{err}");
    }
}
