//! `keyhound merge`: folds record streams (shard outputs, resumed outputs, earlier merges)
//! into one set of records and one report. Records are deduplicated by identity and sorted,
//! so merging is order-independent and idempotent (a merge of a merge is the same merge).
//!
//! The report has one entry per distinct secret (SHA-256) with every repository, path and
//! commit where it appears; the exposure facts name the earliest exposure across
//! repositories; failed or unfinished targets are listed in the report's sweep summary.

use super::stream::{
    check_compatible, FindingRecord, Header, Record, SecretRecord, Status, Stream, StreamError,
    TargetRecord,
};
use crate::report::{Report, SecretFacts, SweepSummary, TargetFailure};
use crate::rules::{Provider, Rule};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

/// The records of every input, deduplicated and sorted.
#[derive(Clone, Debug)]
pub struct Merged {
    /// The header of the merged stream (no shard).
    pub header: Header,
    /// Findings, sorted by target, path, commit, line, column, rule.
    pub findings: Vec<FindingRecord>,
    /// Secret facts, sorted by target and secret.
    pub secrets: Vec<SecretRecord>,
    /// Target records, sorted by target (scanned preferred over failed for a target seen
    /// twice).
    pub targets: Vec<TargetRecord>,
    /// Targets with findings but no target record: a shard stopped while scanning them.
    pub unfinished: Vec<String>,
    /// Problems with the inputs as a whole (missing shards, a cut-off input).
    pub warnings: Vec<String>,
}

/// Merges named streams. Streams of different keyhound versions or rules are refused.
pub fn merge(inputs: &[(String, Stream)]) -> Result<Merged, StreamError> {
    let Some((first_name, first)) = inputs.first() else {
        return Err(StreamError::NoHeader("(no input)".into()));
    };
    let base = first.headers[0].clone();
    for (name, s) in inputs {
        for h in &s.headers {
            check_compatible(&base, first_name, h, name)?;
        }
    }
    let mut warnings = shard_coverage(inputs);
    let mut findings = Vec::new();
    let mut secrets = Vec::new();
    let mut targets = Vec::new();
    for (name, s) in inputs {
        if s.truncated {
            warnings.push(format!(
                "{name}: the last line was cut off (the shard was stopped while writing) and is skipped"
            ));
        }
        for r in &s.records {
            match r {
                Record::Finding(f) => findings.push(f.clone()),
                Record::Secret(x) => secrets.push(x.clone()),
                Record::Target(t) => targets.push(t.clone()),
                Record::Header(_) => {}
            }
        }
    }
    let findings = dedup_by(findings, |f| {
        serde_json::to_string(&f.key_tuple()).unwrap_or_default()
    });
    let secrets = dedup_by(secrets, |s| format!("{}\u{0}{}", s.target, s.secret_sha256));
    // Scanned sorts before failed: a target scanned by one input is scanned.
    let targets = dedup_by(targets, |t| t.target.clone());
    let recorded: BTreeSet<&str> = targets.iter().map(|t| t.target.as_str()).collect();
    let unfinished: Vec<String> = findings
        .iter()
        .map(|f| f.target.as_str())
        .filter(|t| !recorded.contains(t))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .map(str::to_string)
        .collect();
    let lists: BTreeSet<&Option<String>> = inputs
        .iter()
        .flat_map(|(_, s)| s.headers.iter().map(|h| &h.targets))
        .collect();
    let header = Header {
        shard: None,
        targets: match lists.into_iter().collect::<Vec<_>>().as_slice() {
            [one] => (*one).clone(),
            _ => None,
        },
        ..base
    };
    Ok(Merged {
        header,
        findings,
        secrets,
        targets,
        unfinished,
        warnings,
    })
}

impl FindingRecord {
    /// The identity of a location: the same secret by the same rule at the same place in
    /// the same commit of the same target is one finding, however often it was read.
    fn key_tuple(&self) -> impl serde::Serialize + '_ {
        (
            &self.target,
            &self.path,
            &self.commit,
            self.line,
            self.column,
            &self.rule,
            &self.secret_sha256,
            self.source,
        )
    }
}

/// Sorts by `key` and keeps one record per key: the first in a total order (status, then
/// the serialised record), so the choice never depends on input order.
fn dedup_by<T: serde::Serialize + SortHint>(items: Vec<T>, key: impl Fn(&T) -> String) -> Vec<T> {
    let mut keyed: Vec<(String, u8, String, T)> = items
        .into_iter()
        .map(|t| {
            let text = serde_json::to_string(&t).unwrap_or_default();
            (key(&t), t.hint(), text, t)
        })
        .collect();
    keyed.sort_by(|a, b| (&a.0, a.1, &a.2).cmp(&(&b.0, b.1, &b.2)));
    keyed.dedup_by(|a, b| a.0 == b.0);
    keyed.into_iter().map(|(_, _, _, t)| t).collect()
}

/// Which of two records with one key wins (lower first).
trait SortHint {
    fn hint(&self) -> u8 {
        0
    }
}
impl SortHint for FindingRecord {}
impl SortHint for SecretRecord {}
impl SortHint for TargetRecord {
    fn hint(&self) -> u8 {
        u8::from(self.status == Status::Failed)
    }
}

/// Warnings when shard outputs do not cover one list: a shard missing, two shard counts.
fn shard_coverage(inputs: &[(String, Stream)]) -> Vec<String> {
    let mut seen: BTreeMap<u64, BTreeSet<u64>> = BTreeMap::new();
    for h in inputs.iter().flat_map(|(_, s)| &s.headers) {
        let Some((k, n)) = h.shard.as_deref().and_then(|s| s.split_once('/')) else {
            continue;
        };
        if let (Ok(k), Ok(n)) = (k.parse::<u64>(), n.parse::<u64>()) {
            seen.entry(n).or_default().insert(k);
        }
    }
    let mut out = Vec::new();
    if seen.len() > 1 {
        let counts: Vec<String> = seen.keys().map(u64::to_string).collect();
        out.push(format!(
            "the inputs were split into different shard counts ({}): the merge may miss or repeat targets",
            counts.join(", ")
        ));
    }
    for (n, have) in &seen {
        let missing: Vec<String> = (0..*n)
            .filter(|k| !have.contains(k))
            .map(|k| format!("{k}/{n}"))
            .collect();
        if !missing.is_empty() {
            out.push(format!(
                "shard{} {} missing: the report covers only part of the target list",
                if missing.len() == 1 { "" } else { "s" },
                missing.join(", ")
            ));
        }
    }
    if inputs
        .iter()
        .flat_map(|(_, s)| s.headers.iter().filter_map(|h| h.targets.as_ref()))
        .collect::<BTreeSet<_>>()
        .len()
        > 1
    {
        out.push("the shards were run over different target lists".into());
    }
    out
}

impl Merged {
    /// Every record, header first, in the merged order: a `--format jsonl` merge output
    /// that merges back to itself.
    pub fn records(&self) -> Vec<Record> {
        let mut out = vec![Record::Header(self.header.clone())];
        out.extend(self.findings.iter().cloned().map(Record::Finding));
        out.extend(self.secrets.iter().cloned().map(Record::Secret));
        out.extend(self.targets.iter().cloned().map(Record::Target));
        out
    }

    /// The report over every target, ready for any renderer.
    pub fn report(&self, rules: &[Rule], providers: &[Provider]) -> Report {
        let mut report = Report {
            facts: self.facts(),
            rules: rules.to_vec(),
            providers: providers.to_vec(),
            ..Report::default()
        };
        report.findings = self
            .findings
            .iter()
            .map(FindingRecord::to_finding)
            .collect();
        let mut failed: Vec<TargetFailure> = Vec::new();
        let mut scanned = 0;
        for t in &self.targets {
            match t.status {
                Status::Scanned => {
                    scanned += 1;
                    report.stats += t.stats;
                    report
                        .notes
                        .extend(t.notes.iter().map(|n| format!("{}: {n}", t.target)));
                    report
                        .warnings
                        .extend(t.warnings.iter().map(|w| format!("{}: {w}", t.target)));
                }
                Status::Failed => failed.push(TargetFailure {
                    target: t.target.clone(),
                    error: t.error.clone().unwrap_or_else(|| "failed".into()),
                }),
            }
        }
        failed.extend(self.unfinished.iter().map(|t| TargetFailure {
            target: t.clone(),
            error: "its scan did not finish (the shard stopped during it); its findings so far are included: rerun the shard with --resume".into(),
        }));
        failed.sort();
        report.sweep = Some(SweepSummary { scanned, failed });
        report.sort();
        report
    }

    /// Per secret, the facts of every target combined: at HEAD anywhere, the earliest
    /// exposure across repositories with every repository's own, the verification.
    fn facts(&self) -> BTreeMap<String, SecretFacts> {
        let mut by_secret: BTreeMap<&str, Vec<&SecretRecord>> = BTreeMap::new();
        for s in &self.secrets {
            by_secret.entry(&s.secret_sha256).or_default().push(s);
        }
        let times = self.commit_times();
        by_secret
            .into_iter()
            .map(|(sha, records)| (sha.to_string(), combine(sha, &records, &times)))
            .collect()
    }

    /// The author time of each (target, secret, commit) a finding names, built once so the
    /// exposure of every secret is a lookup rather than a pass over all findings.
    fn commit_times(&self) -> CommitTimes<'_> {
        let mut times = CommitTimes::new();
        for f in &self.findings {
            if let (Some(sha), Some(commit), Some(time)) =
                (&f.secret_sha256, &f.commit, f.commit_time)
            {
                let slot = times
                    .entry((f.target.as_str(), sha.as_str(), commit.as_str()))
                    .or_insert(time);
                *slot = (*slot).min(time);
            }
        }
        times
    }
}

/// Author time by (target, secret SHA-256, commit id).
type CommitTimes<'a> = BTreeMap<(&'a str, &'a str, &'a str), i64>;

fn combine(sha: &str, records: &[&SecretRecord], times: &CommitTimes<'_>) -> SecretFacts {
    let heads: Vec<bool> = records.iter().filter_map(|r| r.facts.in_head).collect();
    let in_head = (!heads.is_empty()).then(|| heads.contains(&true));
    let verification = records
        .iter()
        .filter_map(|r| r.facts.verification.as_ref())
        .find(|v| v.get("status").and_then(Value::as_str) == Some("live"))
        .or_else(|| records.iter().find_map(|r| r.facts.verification.as_ref()))
        .cloned();
    SecretFacts {
        in_head,
        exposure: exposure(sha, records, times),
        verification,
        revocation: records.iter().find_map(|r| r.facts.revocation.clone()),
        committed_at: records.iter().find_map(|r| r.facts.committed_at.clone()),
    }
}

/// The earliest exposure across repositories (by the first commit's author time), with
/// each repository's exposure under `repositories` and every remote that holds it.
fn exposure(sha: &str, records: &[&SecretRecord], times: &CommitTimes<'_>) -> Option<Value> {
    let exposed: Vec<(&str, &Value)> = records
        .iter()
        .filter_map(|r| r.facts.exposure.as_ref().map(|e| (r.target.as_str(), e)))
        .collect();
    let first_time = |target: &str, exposure: &Value| {
        exposure
            .get("first_commit")
            .and_then(Value::as_str)
            .and_then(|commit| times.get(&(target, sha, commit)).copied())
            .unwrap_or(i64::MAX)
    };
    let (target, earliest) = exposed
        .iter()
        .min_by_key(|(t, e)| (first_time(t, e), *t))
        .copied()?;
    let reached: Vec<String> = exposed
        .iter()
        .flat_map(|(t, e)| {
            e.get("reached_remote")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(move |r| format!("{t} {r}"))
        })
        .collect();
    let summary = earliest
        .get("summary")
        .and_then(Value::as_str)
        .unwrap_or("");
    let others = exposed.len() - 1;
    let summary = match others {
        0 => format!("{target}: {summary}"),
        n => format!(
            "{target}: {summary}; also in {n} other repositor{}",
            if n == 1 { "y" } else { "ies" }
        ),
    };
    let mut out = earliest.clone();
    if let Some(obj) = out.as_object_mut() {
        obj.insert("repository".into(), json!(target));
        obj.insert("reached_remote".into(), json!(reached));
        obj.insert("summary".into(), json!(summary));
        obj.insert(
            "repositories".into(),
            Value::Array(
                exposed
                    .iter()
                    .map(|(t, e)| json!({ "repository": t, "exposure": e }))
                    .collect(),
            ),
        );
    }
    Some(out)
}
