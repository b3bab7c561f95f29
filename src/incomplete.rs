//! What a scan could not check, and whether that fails it. Content that could not be read
//! (a missing object, a corrupt or truncated pack, an unreadable ref) leaves the scan
//! incomplete: exit 2 unless the user allows it (`--allow-unreadable`). In the commit and push
//! gates (`--staged`, `--pre-receive`) nothing may go through unread, so a file skipped as
//! larger than the size limit fails the gate too, named with the ways to proceed. (A gate
//! scans binary content instead of skipping it, so only size is left to skip.)

use crate::report::human::human_bytes;
use crate::report::Report;
use crate::source::{SkipReason, Skipped};

/// What a finished scan could not check.
#[derive(Debug)]
pub struct Incomplete<'a> {
    /// Content that could not be read, named (the first ones).
    pub unreadable: &'a [String],
    /// How much content could not be read in all.
    pub unreadable_count: u64,
    /// In a gate: files skipped as too large, named (the first ones).
    pub oversize: Vec<&'a Skipped>,
    /// In a gate: how many files were skipped as too large in all.
    pub oversize_count: u64,
}

/// Which gate a scan ran as, for the advice on oversize files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gate {
    /// Not a gate: a scan reports what it skipped and goes on.
    None,
    /// The pre-commit hook (`--staged`).
    Commit,
    /// The server-side hook (`--pre-receive`).
    Push,
}

impl<'a> Incomplete<'a> {
    /// What `report` could not check, for a scan that ran as `gate`.
    pub fn of(report: &'a Report, gate: Gate) -> Self {
        let (oversize, oversize_count) = if gate == Gate::None {
            (Vec::new(), 0)
        } else {
            let named = report
                .skipped
                .iter()
                .filter(|s| matches!(s.reason, SkipReason::TooLarge(_)))
                .collect();
            (named, report.stats.skipped_large)
        };
        Incomplete {
            unreadable: &report.unreadable,
            unreadable_count: report.stats.unreadable.max(report.unreadable.len() as u64),
            oversize,
            oversize_count,
        }
    }

    /// Whether the scan fails (exit 2): a gate let a file through unread, or content could
    /// not be read and the user did not allow that.
    pub fn fails(&self, allow_unreadable: bool) -> bool {
        self.oversize_count > 0 || (self.unreadable_count > 0 && !allow_unreadable)
    }

    /// The lines to print on stderr (without the `keyhound: ` prefix): every unreadable item
    /// named and what to do, as errors (warnings when allowed), then every oversize file of
    /// a gate and how to proceed. `limit` is the size limit the scan ran with.
    pub fn messages(&self, allow_unreadable: bool, limit: u64, gate: Gate) -> Vec<String> {
        let mut out = Vec::new();
        if self.unreadable_count > 0 {
            let level = if allow_unreadable { "warning" } else { "error" };
            for what in self.unreadable {
                out.push(format!(
                    "{level}: unreadable: {}",
                    crate::escape::text(what)
                ));
            }
            let unnamed = self.unreadable_count - self.unreadable.len() as u64;
            if unnamed > 0 {
                out.push(format!(
                    "{level}: {unnamed} more unreadable items not named"
                ));
            }
            let n = self.unreadable_count;
            let what = format!(
                "{n} object{}, ref{}, pack{} or file{} could not be read, so the scan is incomplete",
                plural(n),
                plural(n),
                plural(n),
                plural(n)
            );
            out.push(if allow_unreadable {
                format!("warning: {what} (accepted: --allow-unreadable)")
            } else {
                format!(
                    "error: {what}. Fix what is named above (a file: its permissions or path; a \
                     repository: `git fsck --full` names the damage, fetch or clone it again), or \
                     pass --allow-unreadable to accept an incomplete scan"
                )
            });
        }
        for s in &self.oversize {
            out.push(oversize_message(s, limit, gate));
        }
        let unnamed = self.oversize_count - self.oversize.len() as u64;
        if unnamed > 0 {
            out.push(format!(
                "error: {unnamed} more file{} over the size limit not scanned",
                plural(unnamed)
            ));
        }
        out
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// `error: big.sql (12.0 MB) was not scanned: …` with the ways forward for the gate.
fn oversize_message(s: &Skipped, limit: u64, gate: Gate) -> String {
    let size = match s.reason {
        SkipReason::TooLarge(Some(size)) => size,
        _ => limit,
    };
    // the next whole megabyte above the file: a limit that lets this file be scanned
    let enough = format!("{}MB", size.div_ceil(1_000_000).max(1));
    let path = crate::escape::text(&s.what);
    let (what, who, last) = match gate {
        Gate::Push => (
            "push",
            "the server's admin raises the pre-receive hook's limit",
            "or keep the file out of the push (Git LFS for large files)",
        ),
        _ => (
            "commit",
            "raise the limit",
            "or skip the hook once: git commit --no-verify",
        ),
    };
    format!(
        "error: {path} ({}) was not scanned: it is over the {} size limit, and the {what} \
         gate lets nothing through unread. To proceed: {who} (--max-file-size {enough}, or \
         `max_file_size = \"{enough}\"` in .keyhound.toml); or, if the file holds no secrets by \
         design, list it under `allow_paths` in .keyhound.toml; {last}",
        human_bytes(size),
        human_bytes(limit),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report_with(unreadable: &[&str], large: &[(&str, u64)]) -> Report {
        let mut report = Report {
            unreadable: unreadable.iter().map(|s| s.to_string()).collect(),
            skipped: large
                .iter()
                .map(|(what, size)| Skipped {
                    what: what.to_string(),
                    reason: SkipReason::TooLarge(Some(*size)),
                })
                .collect(),
            ..Report::default()
        };
        report.stats.unreadable = unreadable.len() as u64;
        report.stats.skipped_large = large.len() as u64;
        report
    }

    #[test]
    fn unreadable_content_fails_unless_allowed() {
        let report = report_with(&["pack x.pack: cannot read it"], &[]);
        let incomplete = Incomplete::of(&report, Gate::None);
        assert!(incomplete.fails(false));
        assert!(!incomplete.fails(true));
        let lines = incomplete.messages(false, 10, Gate::None);
        assert_eq!(lines[0], "error: unreadable: pack x.pack: cannot read it");
        assert!(lines[1].contains("--allow-unreadable"), "{lines:?}");
        let allowed = incomplete.messages(true, 10, Gate::None);
        assert!(
            allowed.iter().all(|l| l.starts_with("warning: ")),
            "{allowed:?}"
        );
    }

    #[test]
    fn oversize_files_fail_only_a_gate_naming_the_file_and_a_limit_that_fits() {
        let report = report_with(&[], &[("dump.sql", 12_345_678)]);
        assert!(!Incomplete::of(&report, Gate::None).fails(false));
        let gate = Incomplete::of(&report, Gate::Commit);
        assert!(gate.fails(true), "--allow-unreadable does not cover size");
        let lines = gate.messages(false, 10 << 20, Gate::Commit);
        assert_eq!(lines.len(), 1);
        assert!(
            lines[0].starts_with(
                "error: dump.sql (12.3 MB) was not scanned: it is over the 10.5 MB size limit"
            ),
            "{}",
            lines[0]
        );
        assert!(lines[0].contains("--max-file-size 13MB"), "{}", lines[0]);
        assert!(lines[0].contains("git commit --no-verify"), "{}", lines[0]);
    }
}
