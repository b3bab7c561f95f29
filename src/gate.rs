//! The fail-on threshold: which findings fail a scan (exit 1, a blocked commit or push) and
//! which are reported as not blocking. `--fail-on SEVERITY` or the config key `fail_on`;
//! by default `high` for the gates a developer meets on every commit or push (`--staged`,
//! `--pre-receive`), so a reserved test-mode key or a flags-only env file (low) does not
//! stop work, and `low` (every finding fails) for scans.

use crate::finding::Severity;
use crate::report::Report;

/// The default threshold of a scan: `high` for the commit and push gates, `low` otherwise.
pub fn default_threshold(gate: bool) -> Severity {
    if gate {
        Severity::High
    } else {
        Severity::Low
    }
}

/// Parses `critical`, `high`, `medium` or `low` (any case).
pub fn parse_severity(text: &str) -> Result<Severity, String> {
    crate::rules::parse_severity(&text.trim().to_ascii_lowercase())
        .ok_or_else(|| format!("`{text}` is not a severity: use critical, high, medium or low"))
}

/// How a report's findings split at the threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Split {
    /// The threshold.
    pub threshold: Severity,
    /// Findings at or above it: these fail the scan.
    pub blocking: usize,
    /// Findings below it: reported, not failing.
    pub below: usize,
}

impl Split {
    /// Splits `report`'s findings at its threshold (every finding blocks without one).
    pub fn of(report: &Report) -> Split {
        let threshold = report.fail_on.unwrap_or(Severity::Low);
        let blocking = report
            .findings
            .iter()
            .filter(|f| f.severity >= threshold)
            .count();
        Split {
            threshold,
            blocking,
            below: report.findings.len() - blocking,
        }
    }

    /// `2 findings below the fail-on threshold (high), not blocking`, when there are any.
    pub fn below_note(&self) -> Option<String> {
        (self.below > 0).then(|| {
            format!(
                "{} finding{} below the fail-on threshold ({}), not blocking",
                self.below,
                if self.below == 1 { "" } else { "s" },
                self.threshold
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_parse_in_any_case_and_bad_ones_say_what_is_allowed() {
        assert_eq!(parse_severity("HIGH"), Ok(Severity::High));
        assert_eq!(parse_severity("low"), Ok(Severity::Low));
        let err = parse_severity("urgent").unwrap_err();
        assert!(err.contains("critical, high, medium or low"), "{err}");
    }
}
