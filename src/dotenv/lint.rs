//! `keyhound gitignore-doctor`: only the env-file audit. Reports every tracked env file with
//! its diagnosis, and warns (rule `gitignore-gap`) when the ignore rules would not keep a
//! new `.env` out of git — at the root and in every directory that has its own ignore file —
//! even when no env file is committed yet.

use super::ignore::{self, GITIGNORE};
use super::{AuditError, Worktree, GAP_RULE_ID, RULE_ID};
use crate::detect::Detector;
use crate::finding::{Finding, Severity, SourceKind};
use crate::report::{human, RenderOptions, Report};
use colored::Colorize;
use std::collections::{BTreeSet, HashSet};
use std::io::{self, Write};
use std::path::Path;
use std::time::Instant;

/// Runs the audit on the working tree containing `path`.
pub fn gitignore_doctor(path: &Path, detector: &Detector) -> Result<Report, AuditError> {
    let started = Instant::now();
    let wt = Worktree::discover(path)?
        .ok_or_else(|| AuditError::NotARepository(path.display().to_string()))?;
    let mut findings = wt.env_findings(detector, false)?;
    findings.extend(gaps(&wt, &findings)?);
    let mut report = Report {
        findings,
        rules: super::rules(),
        duration: started.elapsed(),
        ..Report::default()
    };
    report.sort();
    Ok(report)
}

/// `gitignore-gap` findings: for `.env` at the root and in each directory holding an ignore
/// file (or a misnamed one), the diagnosis when git would not ignore it. One finding per
/// faulty line, and none for a line already blamed for a tracked env file.
fn gaps(wt: &Worktree, committed: &[Finding]) -> Result<Vec<Finding>, AuditError> {
    let tracked = wt.tracked()?;
    let taken: HashSet<&str> = tracked.iter().map(|t| t.path.as_str()).collect();
    let mut dirs: BTreeSet<String> = BTreeSet::new();
    dirs.insert(String::new());
    for t in &tracked {
        let (dir, name) = t.path.rsplit_once('/').unwrap_or(("", &t.path));
        if name == GITIGNORE || ignore::is_misnamed_ignore_file(name) {
            dirs.insert(dir.to_string());
        }
    }
    // A line already blamed for a tracked file is not reported twice.
    let mut blamed: HashSet<(Option<String>, Option<usize>)> = committed
        .iter()
        .filter_map(|f| f.gitignore.as_ref())
        .map(|d| (d.file.clone(), d.line))
        .collect();
    let mut out = Vec::new();
    for dir in dirs {
        let probe = ignore::join(&dir, ".env");
        if taken.contains(probe.as_str()) || wt.display_path(&probe).is_none() {
            continue;
        }
        let sources = wt.ignores().worktree(wt.workdir(), &probe);
        let Some(diagnosis) = super::diagnose_gap(&sources, &probe) else {
            continue;
        };
        if !blamed.insert((diagnosis.file.clone(), diagnosis.line)) {
            continue;
        }
        let file = diagnosis
            .file
            .clone()
            .unwrap_or_else(|| GITIGNORE.to_string());
        out.push(Finding {
            rule: GAP_RULE_ID.to_string(),
            severity: Severity::Medium,
            provider: None,
            path: wt.display_path(&file).unwrap_or(file),
            line: diagnosis
                .line
                .map_or(1, |l| u32::try_from(l).unwrap_or(u32::MAX)),
            column: 1,
            secret: None,
            source: SourceKind::Worktree,
            commit: None,
            detail: Some(format!("a new `{probe}` would not be ignored")),
            gitignore: Some(diagnosis),
            repository: None,
            later: Vec::new(),
            local_server: None,
        });
    }
    Ok(out)
}

/// The human report of the doctor: the findings with their diagnoses, then one summary line.
pub fn render_human(report: &Report, opts: RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    colored::control::set_override(opts.color);
    human::write_findings(report, opts, out)?;
    let count = |rule: &str| report.findings.iter().filter(|f| f.rule == rule).count();
    let (tracked, gaps) = (count(RULE_ID), count(GAP_RULE_ID));
    if tracked + gaps == 0 {
        return writeln!(
            out,
            "{} no env file is tracked, and git would ignore a new .env",
            "✔".green().bold()
        );
    }
    writeln!(
        out,
        "\n{} {tracked} tracked env file{}, {gaps} ignore-rule gap{}",
        "✖".red().bold(),
        if tracked == 1 { "" } else { "s" },
        if gaps == 1 { "" } else { "s" }
    )
}
