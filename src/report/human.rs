//! Human output: findings grouped by file (and commit for history), a per-secret summary
//! when a secret is seen in several places or in history, a summary line, and one line on
//! what to do next. Colour only when asked or on a terminal.

use super::{RenderOptions, Report, SecretGroup};
use crate::escape::text as esc;
use crate::finding::{short_id, Finding, GitignoreDiagnosis, Severity, SourceKind};
use colored::{ColoredString, Colorize};
use std::io::{self, Write};

/// Writes the human report.
pub fn render(report: &Report, opts: RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    colored::control::set_override(opts.color);
    write_findings(report, opts, out)?;
    let groups = report.secrets();
    let notable: Vec<&SecretGroup<'_>> = groups.iter().filter(|g| is_notable(report, g)).collect();
    if !notable.is_empty() {
        writeln!(
            out,
            "\n{}",
            "Secrets seen in several places or in history:".bold()
        )?;
        for g in notable {
            secret_summary(report, g, out)?;
        }
    }
    for note in &report.notes {
        writeln!(out, "{} {}", "note:".yellow().bold(), esc(note))?;
    }
    if !report.findings.is_empty() || !report.notes.is_empty() {
        writeln!(out)?;
    }
    if let Some(sweep) = &report.sweep {
        write_sweep(sweep, out)?;
    }
    writeln!(out, "{}", summary(report, groups.len()))?;
    // Staged findings get their own advice (never committed: remove, don't rotate).
    if report
        .findings
        .iter()
        .any(|f| f.source != SourceKind::Staged)
    {
        writeln!(out, "{}", next_steps(!groups.is_empty()))?;
    }
    Ok(())
}

/// Writes the findings grouped by file (and commit), each gitignore diagnosis under its
/// finding.
pub fn write_findings(report: &Report, opts: RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    let mut last_group: Option<(Option<&str>, bool, &str, Option<&str>)> = None;
    for f in &report.findings {
        let group = (
            f.repository.as_deref(),
            f.source == SourceKind::Staged,
            f.path.as_str(),
            f.commit.as_ref().map(|c| c.id.as_str()),
        );
        if last_group != Some(group) {
            if last_group.is_some() {
                writeln!(out)?;
            }
            writeln!(out, "{}", group_header(f))?;
            last_group = Some(group);
        }
        writeln!(out, "{}", finding_line(report, f, opts))?;
        if let Some(d) = &f.gitignore {
            write_diagnosis(d, out)?;
        }
    }
    Ok(())
}

/// Writes the gitignore diagnosis under its finding: the faulty line, the problem, the fix
/// and the commands that untrack the file.
fn write_diagnosis(d: &GitignoreDiagnosis, out: &mut dyn Write) -> io::Result<()> {
    const PAD: &str = "             ";
    let culprit = match (&d.file, d.line, &d.pattern) {
        (Some(file), Some(line), Some(pattern)) => {
            format!(
                "{}  `{}`",
                format!("{}:{line}", esc(file)).bold(),
                esc(pattern)
            )
        }
        _ => "no ignore rule covers this file".bold().to_string(),
    };
    writeln!(out, "{PAD}{culprit}")?;
    writeln!(
        out,
        "{PAD}{} {}",
        "problem".yellow().bold(),
        esc(&d.problem)
    )?;
    writeln!(out, "{PAD}{}     {}", "fix".green().bold(), esc(&d.fix))?;
    for (i, command) in d.commands.iter().enumerate() {
        let label = if i == 0 { "run" } else { "   " };
        writeln!(out, "{PAD}{}     {}", label.bold(), esc(command))?;
    }
    Ok(())
}

fn group_header(f: &Finding) -> String {
    let path = match &f.repository {
        Some(repo) => format!("{}  {}", esc(repo).cyan(), esc(&f.path).bold()),
        None => esc(&f.path).bold().to_string(),
    };
    match (&f.commit, f.source) {
        (Some(c), _) => format!(
            "{path}  {}",
            format!(
                "(commit {} by {} <{}> on {})",
                short_id(&c.id),
                esc(&c.author),
                esc(&c.email),
                esc(&c.date)
            )
            .dimmed()
        ),
        (None, SourceKind::Staged) => format!("{path}  {}", "(staged)".dimmed()),
        (None, SourceKind::Stdin) => format!("{path}  {}", "(standard input)".dimmed()),
        (None, _) => path,
    }
}

fn finding_line(report: &Report, f: &Finding, opts: RenderOptions) -> String {
    let secret = match &f.secret {
        Some(s) if opts.show_secrets => s.expose().to_string(),
        Some(s) => s.redacted(),
        None => "(file)".to_string(),
    };
    let mut extra: Vec<String> = Vec::new();
    if let Some(d) = &f.detail {
        extra.push(esc(d).into_owned());
    }
    if let Some(p) = &f.provider {
        extra.push(esc(p).into_owned());
    }
    if let Some(later) = super::later_summary(&f.later) {
        extra.push(later);
    }
    let description = report.rule(&f.rule).map_or("", |r| r.description.as_str());
    format!(
        "  {:>9}  {}  {:<20}  {}  {}{}",
        format!("{}:{}", f.line, f.column),
        paint(f.severity),
        f.rule,
        secret.bold(),
        esc(description).dimmed(),
        if extra.is_empty() {
            String::new()
        } else {
            format!(" [{}]", extra.join(" · "))
        }
    )
}

fn secret_summary(report: &Report, g: &SecretGroup<'_>, out: &mut dyn Write) -> io::Result<()> {
    let first = g.locations[0];
    let places = g.locations.len();
    let mut line = format!(
        "  {}  {}  seen in {} place{}",
        first.redacted().unwrap_or_default().bold(),
        paint(g.severity),
        places,
        if places == 1 { "" } else { "s" }
    );
    if let Some(c) = &first.commit {
        line.push_str(&format!(
            ", first in {} by {} <{}> on {}",
            short_id(&c.id),
            esc(&c.author),
            esc(&mask_email(&c.email)),
            c.date.get(..10).unwrap_or(&c.date)
        ));
    }
    writeln!(out, "{line}")?;
    let facts = report.facts.get(g.sha256);
    let summary = facts
        .and_then(|f| f.exposure.as_ref())
        .and_then(|e| e.get("summary"))
        .and_then(|s| s.as_str());
    if let Some(s) = summary {
        writeln!(out, "      {}", esc(s).red())?;
    }
    if let Some(v) = facts.and_then(|f| f.verification.as_ref()) {
        writeln!(out, "      {}", verification_line(v))?;
    }
    if let Some(in_head) = facts.and_then(|f| f.in_head) {
        let text = if in_head {
            "still present at HEAD".normal()
        } else {
            "deleted from HEAD but alive in history: rotate it, then consider a history rewrite"
                .yellow()
        };
        writeln!(out, "      {text}")?;
    }
    Ok(())
}

/// Secrets worth a summary line: seen in several places, in history, or verified.
fn is_notable(report: &Report, g: &SecretGroup<'_>) -> bool {
    g.locations.len() > 1
        || g.locations[0].source == SourceKind::History
        || report
            .facts
            .get(g.sha256)
            .is_some_and(|f| f.verification.is_some())
}

/// `verified LIVE: …` from the verification facts, when verify ran.
fn verification_line(v: &serde_json::Value) -> String {
    let detail = v.get("detail").and_then(|d| d.as_str()).unwrap_or_default();
    let status = match v.get("status").and_then(|s| s.as_str()) {
        Some("live") => "LIVE".red().bold(),
        Some("dead") => "dead".green(),
        _ => "unknown".yellow(),
    };
    format!("verified {status}: {}", esc(detail))
}

/// The report's one-line summary (findings by severity, secrets, files, skipped), as the
/// human report ends with.
pub fn summary_line(report: &Report) -> String {
    summary(report, report.secrets().len())
}

/// The targets of a report over several repositories: how many were scanned, and each
/// one that failed with its reason.
fn write_sweep(sweep: &super::SweepSummary, out: &mut dyn Write) -> io::Result<()> {
    let targets = sweep.scanned + sweep.failed.len();
    let mut line = format!(
        "{} {} of {targets} target{} scanned",
        "targets:".bold(),
        sweep.scanned,
        if targets == 1 { "" } else { "s" }
    );
    if !sweep.failed.is_empty() {
        line.push_str(&format!(", {} failed:", sweep.failed.len()));
    }
    writeln!(out, "{line}")?;
    for failure in &sweep.failed {
        writeln!(
            out,
            "  {} {}: {}",
            "failed".red().bold(),
            failure.target,
            failure.error
        )?;
    }
    Ok(())
}

fn summary(report: &Report, secrets: usize) -> String {
    let s = report.stats;
    // A report over several targets holds no run-dependent fields: no duration.
    let took = match report.sweep {
        Some(_) => String::new(),
        None => format!(" in {:.2}s", report.duration.as_secs_f64()),
    };
    let files = format!(
        "{} {} ({}){took}",
        s.scanned,
        if s.scanned == 1 { "file" } else { "files" },
        human_bytes(s.bytes),
    );
    // unreadable content is counted in errors too; the rest are warnings (a FIFO skipped)
    let warned = s.errors.saturating_sub(s.unreadable);
    let skipped = format!(
        "skipped {} binary, {} too large, {} unreadable{}",
        s.skipped_binary,
        s.skipped_large,
        s.unreadable,
        match warned {
            0 => String::new(),
            1 => " · 1 warning".to_string(),
            n => format!(" · {n} warnings"),
        }
    );
    if report.findings.is_empty() && s.unreadable > 0 {
        // not a clean result: part of the tree could not be read
        return format!(
            "{} no secrets found in what could be read · scanned {files} · {skipped}",
            "!".yellow().bold()
        );
    }
    if report.findings.is_empty() {
        return format!(
            "{} no secrets found · scanned {files} · {skipped}",
            "✔".green().bold()
        );
    }
    let by: Vec<String> = report
        .by_severity()
        .into_iter()
        .map(|(sev, n)| format!("{n} {sev}"))
        .collect();
    let split = crate::gate::Split::of(report);
    let mark = if split.blocking > 0 {
        "✖".red().bold()
    } else {
        "!".yellow().bold()
    };
    let below = split
        .below_note()
        .map_or(String::new(), |n| format!(" · {n}"));
    format!(
        "{mark} {} finding{} ({}) · {} distinct secret{}{below} · scanned {files} · {skipped}",
        report.findings.len(),
        if report.findings.len() == 1 { "" } else { "s" },
        by.join(", "),
        secrets,
        if secrets == 1 { "" } else { "s" }
    )
}

/// What to do next: rotation when the report holds secrets, else the env-file fix (a
/// committed env file without a known key has no secret to rotate by name).
fn next_steps(has_secrets: bool) -> String {
    let what = if has_secrets {
        "rotate each secret (new key → secrets manager → deploy → verify → revoke the old one), then remove it from the code; \
`keyhound scan --format checklist` writes the step-by-step plan. A false positive? Add `keyhound:allow` to its line."
    } else {
        "no key was found, but an env file is committed: untrack it and fix the ignore rule as shown above, \
and rotate any credential it held (git history keeps it). An env file that belongs in git? List its path in .keyhoundignore."
    };
    format!("{} {what}", "What to do:".bold())
}

fn paint(sev: Severity) -> ColoredString {
    let label = format!("{:<8}", sev.as_str().to_uppercase());
    match sev {
        Severity::Critical => label.red().bold(),
        Severity::High => label.red(),
        Severity::Medium => label.yellow(),
        Severity::Low => label.blue(),
    }
}

fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((user, _)) => format!("{user}@…"),
        None => email.to_string(),
    }
}

/// Bytes as B/KB/MB/GB (decimal); lives in [`crate::size`] so sources can name sizes too.
pub use crate::size::human as human_bytes;
