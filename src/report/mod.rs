//! Rendering findings: the shared report model (findings, per-secret facts, stats) and the
//! output formats, each in its own module. Nothing here prints a plaintext secret unless
//! `show_secrets` is set.

pub mod checklist;
pub mod human;
pub mod json;
pub mod sarif;

use crate::finding::{Finding, LaterCommit, Severity};
use crate::source::StatsSnapshot;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::time::Duration;

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Grouped, coloured text for people.
    Human,
    /// One JSON document.
    Json,
    /// One JSON finding per line.
    Jsonl,
    /// SARIF 2.1.0 for code-scanning dashboards.
    Sarif,
    /// Markdown rotation checklist, one section per secret, most urgent first.
    Checklist,
}

/// How to render.
#[derive(Clone, Copy, Debug, Default)]
pub struct RenderOptions {
    /// Print plaintext secrets (explicit user flag only).
    pub show_secrets: bool,
    /// Use ANSI colours.
    pub color: bool,
}

/// Facts about one distinct secret gathered beyond its locations (history exposure, live
/// verification). Later stages fill these in; reports show what is known.
#[derive(Clone, Debug, Default, PartialEq, Serialize, serde::Deserialize)]
pub struct SecretFacts {
    /// Whether the secret is present at HEAD of the default branch (history scans).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_head: Option<bool>,
    /// When and where the secret was exposed (history scans).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exposure: Option<serde_json::Value>,
    /// Live/dead verification result.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verification: Option<serde_json::Value>,
    /// Revocation result (`--revoke`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revocation: Option<serde_json::Value>,
    /// Staged scans: a file of HEAD that already holds this key (it is committed already).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub committed_at: Option<String>,
}

/// Everything a report renders.
#[derive(Debug, Default)]
pub struct Report {
    /// Findings, sorted by path, line, rule.
    pub findings: Vec<Finding>,
    /// Facts per secret, keyed by `secret_sha256`.
    pub facts: BTreeMap<String, SecretFacts>,
    /// Scan counters.
    pub stats: StatsSnapshot,
    /// Wall time of the scan.
    pub duration: Duration,
    /// Notes for the user (e.g. "history is truncated: shallow clone").
    pub notes: Vec<String>,
    /// Per-item problems (unreadable files, corrupt objects); the scan went on.
    pub warnings: Vec<String>,
    /// The rules the scan ran, for descriptions and SARIF rule metadata.
    pub rules: Vec<crate::rules::Rule>,
    /// The providers of those rules, for the rotation checklist.
    pub providers: Vec<crate::rules::Provider>,
    /// The fail-on threshold the scan ran with (`None`: every finding fails it).
    pub fail_on: Option<Severity>,
    /// Files and blobs skipped as binary or too large, named (at most
    /// [`crate::source::MAX_SKIPPED_NAMED`]).
    pub skipped: Vec<crate::source::Skipped>,
    /// Objects, refs, packs or files that could not be read, named (at most
    /// [`crate::source::MAX_UNREADABLE_NAMED`]; `stats.unreadable` counts them all). The scan
    /// is incomplete: it fails unless the user allows it (`--allow-unreadable`).
    pub unreadable: Vec<String>,
    /// Set for a report over several targets (`scan --repos-file`, `keyhound merge`): which
    /// targets were scanned and which failed. Such a report holds no run-dependent fields
    /// (no duration), so a merge of shards equals a single run.
    pub sweep: Option<SweepSummary>,
    /// What the scanned repository's own settings files turned off (or that they were
    /// ignored), when they did: the note that says so is in `notes`.
    pub repo_config: Option<crate::trust::effect::RepoConfigUse>,
}

/// The targets a report over several repositories covered.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SweepSummary {
    /// Targets scanned to the end.
    pub scanned: usize,
    /// Targets that could not be scanned (or whose scan did not finish), sorted by target.
    pub failed: Vec<TargetFailure>,
}

/// A target a sweep could not scan, and why (credentials redacted).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct TargetFailure {
    /// The target's id.
    pub target: String,
    /// What went wrong.
    pub error: String,
}

/// Most refs a summary names before it says `and N more refs`.
const REFS_NAMED: usize = 3;

/// A short list of refs for one line of text: all of them up to three (in the given order,
/// which puts the default branch first), else the first and `and N more refs`. Reports keep
/// the full list in JSON.
pub fn refs_summary(refs: &[impl AsRef<str>]) -> String {
    if refs.len() <= REFS_NAMED {
        return refs
            .iter()
            .map(AsRef::as_ref)
            .collect::<Vec<_>>()
            .join(", ");
    }
    let more = refs.len() - 1;
    format!(
        "{} and {more} more ref{}",
        refs[0].as_ref(),
        if more == 1 { "" } else { "s" }
    )
}

/// `also in 5 later commits (up to 1a2b3c4)` for a history finding's later commits, `None`
/// when there are none.
pub fn later_summary(later: &[LaterCommit]) -> Option<String> {
    let last = later.last()?;
    Some(format!(
        "also in {} later commit{} (up to {})",
        later.len(),
        if later.len() == 1 { "" } else { "s" },
        crate::finding::short_id(&last.commit.id)
    ))
}

/// One distinct secret and every place it was seen.
pub struct SecretGroup<'a> {
    /// SHA-256 of the secret.
    pub sha256: &'a str,
    /// The most severe finding's severity.
    pub severity: Severity,
    /// Every location, earliest commit first.
    pub locations: Vec<&'a Finding>,
}

impl Report {
    /// Sorts findings into a total, stable order: repository (reports over several
    /// targets), path, then commit (oldest first, ties by
    /// topological order and id, uncommitted last), then position, rule and secret.
    pub fn sort(&mut self) {
        fn key(f: &Finding) -> impl Ord + '_ {
            (
                f.repository.as_deref(),
                f.path.as_str(),
                f.commit_order(),
                f.source,
                f.line,
                f.column,
                f.rule.as_str(),
                f.secret_sha256(),
            )
        }
        self.findings.sort_by(|a, b| key(a).cmp(&key(b)));
    }

    /// Findings grouped by secret, most severe first.
    pub fn secrets(&self) -> Vec<SecretGroup<'_>> {
        let mut groups: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
        for f in &self.findings {
            if let Some(sha) = f.secret_sha256() {
                groups.entry(sha).or_default().push(f);
            }
        }
        let mut out: Vec<SecretGroup<'_>> = groups
            .into_iter()
            .map(|(sha256, mut locations)| {
                locations.sort_by(|a, b| a.commit_order().cmp(&b.commit_order()));
                let severity = locations
                    .iter()
                    .map(|f| f.severity)
                    .max()
                    .unwrap_or(Severity::Low);
                SecretGroup {
                    sha256,
                    severity,
                    locations,
                }
            })
            .collect();
        out.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.sha256.cmp(b.sha256)));
        out
    }

    /// The rule with this id, if it was loaded.
    pub fn rule(&self, id: &str) -> Option<&crate::rules::Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// Number of findings per severity, most severe first.
    pub fn by_severity(&self) -> Vec<(Severity, usize)> {
        Severity::ALL
            .into_iter()
            .map(|s| (s, self.findings.iter().filter(|f| f.severity == s).count()))
            .filter(|(_, n)| *n > 0)
            .collect()
    }

    /// Renders in `format` to `out`.
    pub fn render(
        &self,
        format: Format,
        opts: RenderOptions,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        match format {
            Format::Human => human::render(self, opts, out),
            Format::Json => json::render(self, opts, out),
            Format::Jsonl => json::render_lines(self, opts, out),
            Format::Sarif => sarif::render(self, out),
            Format::Checklist => checklist::render_report(self, out),
        }
    }
}
