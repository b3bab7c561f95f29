//! Progress over a whole sweep on stderr: `[37/300] github.com/o/r  1.2 GB  5 findings` —
//! targets done of total, the current target, bytes and findings so far. Redrawn in place
//! on a terminal; one line per target when asked for (`--progress`) without one.

use crate::report::human::human_bytes;
use std::io::{IsTerminal, Write};

/// The sweep's progress line.
pub struct SweepProgress {
    total: usize,
    done: usize,
    bytes: u64,
    findings: usize,
    mode: Mode,
}

#[derive(PartialEq, Eq)]
enum Mode {
    Off,
    Redraw,
    Lines,
}

impl SweepProgress {
    /// Progress over `total` targets: drawn when stderr is a terminal (unless `quiet`), or
    /// line by line when `forced`.
    pub fn new(total: usize, quiet: bool, forced: bool) -> SweepProgress {
        let mode = if forced {
            if std::io::stderr().is_terminal() {
                Mode::Redraw
            } else {
                Mode::Lines
            }
        } else if !quiet && std::io::stderr().is_terminal() {
            Mode::Redraw
        } else {
            Mode::Off
        };
        SweepProgress {
            total,
            done: 0,
            bytes: 0,
            findings: 0,
            mode,
        }
    }

    /// Counts targets finished before this run (`--resume`).
    pub fn skip(&mut self, targets: usize, bytes: u64, findings: usize) {
        self.done += targets;
        self.bytes += bytes;
        self.findings += findings;
    }

    /// Shows that `target` is being scanned.
    pub fn start(&self, target: &str) {
        if self.mode == Mode::Off {
            return;
        }
        let line = self.line(self.done + 1, target);
        let mut err = std::io::stderr().lock();
        let _ = match self.mode {
            Mode::Redraw => write!(err, "\r\x1b[2K{line}"),
            _ => writeln!(err, "{line}"),
        };
        let _ = err.flush();
    }

    /// Counts a finished target.
    pub fn finish(&mut self, bytes: u64, findings: usize) {
        self.done += 1;
        self.bytes += bytes;
        self.findings += findings;
    }

    /// The line for target number `n`.
    pub fn line(&self, n: usize, target: &str) -> String {
        format!(
            "[{n}/{}] {}  {}  {} finding{}",
            self.total,
            crate::escape::text(target),
            human_bytes(self.bytes),
            self.findings,
            if self.findings == 1 { "" } else { "s" }
        )
    }
}

impl Drop for SweepProgress {
    fn drop(&mut self) {
        if self.mode == Mode::Redraw {
            let _ = write!(std::io::stderr(), "\r\x1b[2K");
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_line_counts_targets_bytes_and_findings() {
        let mut p = super::SweepProgress::new(300, true, false);
        p.skip(36, 1_200_000_000, 4);
        p.finish(0, 1);
        // the next target is number 38: 36 resumed + 1 finished + 1
        assert_eq!(p.done, 37);
        assert_eq!(
            p.line(p.done + 1, "org/repo"),
            "[38/300] org/repo  1.2 GB  5 findings"
        );
        assert_eq!(
            p.line(1, "evil\x1b[2Kname"),
            "[1/300] evil\\x1b[2Kname  1.2 GB  5 findings"
        );
    }
}
