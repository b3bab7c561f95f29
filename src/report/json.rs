//! JSON and JSON Lines output: `{"version": 1, "findings": [...], "secrets": [...],
//! "stats": {...}}`, or one finding object per line. Plaintext appears only with
//! `--show-secrets`.

use super::{RenderOptions, Report};
use crate::finding::{Finding, Severity, SourceKind};
use serde::Serialize;
use std::io::{self, Write};

/// A finding as serialised.
#[derive(Serialize)]
pub struct JsonFinding<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    repository: Option<&'a str>,
    rule: &'a str,
    severity: Severity,
    #[serde(skip_serializing_if = "Option::is_none")]
    provider: Option<&'a str>,
    path: &'a str,
    line: u32,
    column: u32,
    secret_sha256: Option<&'a str>,
    fingerprint: String,
    redacted: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<&'a str>,
    source: SourceKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    commit: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    author: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    date: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    in_head: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    gitignore: Option<&'a crate::finding::GitignoreDiagnosis>,
    /// Later commits that held the same secret at the same path (history findings are
    /// reported once, at the introducing commit).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    later_commits: Vec<JsonLaterCommit<'a>>,
}

/// A later commit of a history finding, as serialised.
#[derive(Serialize)]
struct JsonLaterCommit<'a> {
    commit: &'a str,
    author: &'a str,
    date: &'a str,
    line: u32,
}

impl<'a> JsonFinding<'a> {
    /// The serialisable view of `f`.
    pub fn new(f: &'a Finding, report: &'a Report, opts: RenderOptions) -> Self {
        let commit = f.commit.as_ref();
        JsonFinding {
            repository: f.repository.as_deref(),
            rule: &f.rule,
            severity: f.severity,
            provider: f.provider.as_deref(),
            path: &f.path,
            line: f.line,
            column: f.column,
            secret_sha256: f.secret_sha256(),
            fingerprint: f.fingerprint(),
            redacted: f.redacted(),
            secret: f
                .secret
                .as_ref()
                .filter(|_| opts.show_secrets)
                .map(|s| s.expose()),
            source: f.source,
            detail: f.detail.as_deref(),
            commit: commit.map(|c| c.id.as_str()),
            author: commit.map(|c| c.author.as_str()),
            email: commit.map(|c| c.email.as_str()),
            date: commit.map(|c| c.date.as_str()),
            gitignore: f.gitignore.as_ref(),
            later_commits: f
                .later
                .iter()
                .map(|l| JsonLaterCommit {
                    commit: &l.commit.id,
                    author: &l.commit.author,
                    date: &l.commit.date,
                    line: l.line,
                })
                .collect(),
            in_head: (f.source == SourceKind::History)
                .then(|| {
                    f.secret_sha256()
                        .and_then(|h| report.facts.get(h))
                        .and_then(|x| x.in_head)
                })
                .flatten(),
        }
    }
}

#[derive(Serialize)]
struct JsonSecret<'a> {
    secret_sha256: &'a str,
    redacted: String,
    rule: &'a str,
    severity: Severity,
    #[serde(skip_serializing_if = "Option::is_none")]
    provider: Option<&'a str>,
    locations: usize,
    #[serde(flatten)]
    facts: Option<&'a super::SecretFacts>,
}

#[derive(Serialize)]
struct JsonStats<'a> {
    #[serde(flatten)]
    counts: crate::source::StatsSnapshot,
    findings: usize,
    secrets: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    duration_ms: Option<u128>,
    by_severity: std::collections::BTreeMap<&'static str, usize>,
    notes: &'a [String],
}

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    findings: Vec<JsonFinding<'a>>,
    secrets: Vec<JsonSecret<'a>>,
    stats: JsonStats<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    targets: Option<&'a super::SweepSummary>,
    /// Content that could not be read, named (`stats.unreadable` counts it all).
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    unreadable: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    repo_config: Option<&'a crate::trust::effect::RepoConfigUse>,
}

/// Writes the whole report as one JSON document.
pub fn render(report: &Report, opts: RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    let groups = report.secrets();
    let doc = JsonReport {
        version: 1,
        findings: report
            .findings
            .iter()
            .map(|f| JsonFinding::new(f, report, opts))
            .collect(),
        secrets: groups
            .iter()
            .map(|g| {
                let first = g.locations[0];
                JsonSecret {
                    secret_sha256: g.sha256,
                    redacted: first.redacted().unwrap_or_default(),
                    rule: &first.rule,
                    severity: g.severity,
                    provider: first.provider.as_deref(),
                    locations: g.locations.len(),
                    facts: report.facts.get(g.sha256),
                }
            })
            .collect(),
        stats: JsonStats {
            counts: report.stats,
            findings: report.findings.len(),
            secrets: groups.len(),
            // A report over several targets holds nothing run-dependent (see `SweepSummary`).
            duration_ms: report
                .sweep
                .is_none()
                .then_some(report.duration.as_millis()),
            by_severity: report
                .by_severity()
                .into_iter()
                .map(|(s, n)| (s.as_str(), n))
                .collect(),
            notes: &report.notes,
        },
        targets: report.sweep.as_ref(),
        unreadable: &report.unreadable,
        repo_config: report.repo_config.as_ref(),
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

/// Writes one JSON finding per line.
pub fn render_lines(report: &Report, opts: RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    for f in &report.findings {
        serde_json::to_writer(&mut *out, &JsonFinding::new(f, report, opts))?;
        writeln!(out)?;
    }
    Ok(())
}
