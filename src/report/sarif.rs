//! SARIF 2.1.0 output that GitHub code scanning accepts: every loaded rule in
//! `tool.driver.rules`, one result per finding with a physical location and
//! `partialFingerprints` built from the secret's hash (never the secret).

use super::Report;
use crate::finding::{Finding, Severity, SourceKind};
use serde_json::{json, Value};
use std::io::{self, Write};

/// SARIF `level` for a severity.
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

/// GitHub's `security-severity` score for a severity.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
    }
}

/// Writes the report as a SARIF 2.1.0 log.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let rules: Vec<Value> = report
        .rules
        .iter()
        .map(|r| {
            let help = r
                .remediation
                .clone()
                .unwrap_or_else(|| "Remove the secret from the code and rotate it.".into());
            json!({
                "id": r.id,
                "name": r.id,
                "shortDescription": { "text": r.description },
                "fullDescription": { "text": r.description },
                "help": { "text": help, "markdown": help },
                "defaultConfiguration": { "level": level(r.severity) },
                "properties": {
                    "tags": ["security", "secret"],
                    "security-severity": security_severity(r.severity),
                    "precision": "high"
                }
            })
        })
        .collect();
    let results: Vec<Value> = report.findings.iter().map(|f| result(report, f)).collect();
    let mut log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "keyhound",
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/keyhound/keyhound",
                "rules": rules
            }},
            "columnKind": "unicodeCodePoints",
            "results": results
        }]
    });
    if let Some(run) = log.pointer_mut("/runs/0").and_then(Value::as_object_mut) {
        run.insert("invocations".into(), json!([invocation(report)]));
    }
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

/// The run's invocation: the report's notes (a shallow clone, skipped submodules) as
/// warnings and the content it could not read as errors, so a code-scanning upload keeps
/// what the scan could not see (a run that could not read everything was not successful);
/// the note on the scanned repository's own settings as a configuration notification, with
/// the settings themselves in the invocation's properties.
fn invocation(report: &Report) -> Value {
    let config_note = report.repo_config.as_ref().and_then(|c| c.note());
    let notify =
        |level: &str, text: &String| json!({ "level": level, "message": { "text": text } });
    let notes: Vec<Value> = report
        .notes
        .iter()
        .filter(|n| Some(*n) != config_note.as_ref())
        .map(|n| notify("warning", n))
        .chain(report.unreadable.iter().map(|u| notify("error", u)))
        .collect();
    let mut invocation = json!({
        "executionSuccessful": report.stats.unreadable == 0,
        "toolExecutionNotifications": notes
    });
    if let (Some(used), Some(obj)) = (&report.repo_config, invocation.as_object_mut()) {
        let config: Vec<Value> = config_note.iter().map(|n| notify("warning", n)).collect();
        obj.insert("toolConfigurationNotifications".into(), json!(config));
        obj.insert("properties".into(), json!({ "keyhoundRepoConfig": used }));
    }
    invocation
}

fn result(report: &Report, f: &crate::finding::Finding) -> Value {
    let rule_index = report.rules.iter().position(|r| r.id == f.rule);
    let description = report
        .rule(&f.rule)
        .map_or(f.rule.as_str(), |r| r.description.as_str());
    let mut message = match &f.secret {
        Some(s) => format!(
            "{description} found: {} (sha256 {}).",
            s.redacted(),
            &s.sha256()[..12]
        ),
        None => format!("{description}."),
    };
    if let Some(d) = f.detail.as_deref().filter(|_| f.secret.is_none()) {
        message.push_str(&format!(" {d}."));
    }
    if let Some(d) = &f.gitignore {
        message.push_str(&format!(" {} Fix: {}", d.problem, d.fix));
    }
    if let Some(c) = &f.commit {
        message.push_str(&format!(
            " Introduced in commit {} by {} on {}.",
            &c.id[..c.id.len().min(12)],
            c.author,
            c.date
        ));
        if let Some(later) = super::later_summary(&f.later) {
            message.push_str(&format!(" It is {later}."));
        }
    }
    let mut result = json!({
        "ruleId": f.rule,
        "level": level(f.severity),
        "message": { "text": message },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": artifact_location(f),
                "region": { "startLine": f.line, "startColumn": f.column }
            }
        }],
        "partialFingerprints": {
            "keyhoundFingerprint/v1": f.fingerprint()
        },
        "properties": { "source": f.source }
    });
    if let (Some(i), Some(obj)) = (rule_index, result.as_object_mut()) {
        obj.insert("ruleIndex".into(), json!(i));
    }
    if let (Some(c), Some(props)) = (
        &f.commit,
        result
            .pointer_mut("/properties")
            .and_then(Value::as_object_mut),
    ) {
        props.insert("commit".into(), json!(c.id));
        let later: Vec<&str> = f.later.iter().map(|l| l.commit.id.as_str()).collect();
        if !later.is_empty() {
            props.insert("laterCommits".into(), json!(later));
        }
    }
    if let (Some(repo), Some(props)) = (
        &f.repository,
        result
            .pointer_mut("/properties")
            .and_then(Value::as_object_mut),
    ) {
        props.insert("repository".into(), json!(repo));
    }
    result
}

/// Where a finding is: a path under the scanned root, or for standard input (whose path
/// `<stdin>` is no URI) the relative reference `stdin`, described, with no base.
fn artifact_location(f: &Finding) -> Value {
    match f.source {
        SourceKind::Stdin => json!({
            "uri": "stdin",
            "description": { "text": "standard input (keyhound scan -)" }
        }),
        _ => json!({ "uri": f.path, "uriBaseId": "%SRCROOT%" }),
    }
}
