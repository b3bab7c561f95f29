//! Baselines and `.keyhoundignore`: the findings a team has accepted, kept out of reports.
//!
//! Both files list content-based fingerprints ([`Finding::fingerprint`]: SHA-256 of rule,
//! secret hash and path), never line numbers, so an entry survives edits above the secret
//! while a different secret on the same line is still reported. A baseline is written by
//! `keyhound scan --baseline-out FILE`: sorted, free of timestamps and plaintext, and byte
//! for byte the same when regenerated from the same findings. `.keyhoundignore` at the scan
//! root is written by hand: one fingerprint or gitignore-style path glob per line, `#`
//! comments. `.gitleaksignore` at the scan root (gitleaks' `[commit:]path:rule-id:line`
//! fingerprints, see [`crate::gitleaksignore`]) hides findings by place. [`Suppressions::apply`]
//! is the one filter every scan mode runs before rendering.

use crate::finding::Finding;
use crate::gitleaksignore::{self, Locations};
use crate::report::Report;
use crate::scan::allow_set;
use globset::GlobSet;
use std::collections::BTreeSet;
use std::path::Path;

/// The ignore file looked for at the scan root.
pub const IGNORE_FILE: &str = ".keyhoundignore";

/// The comment block at the top of every baseline file.
pub const BASELINE_HEADER: &str = "\
# keyhound baseline: findings accepted when this file was written.
# `keyhound scan --baseline FILE` reports only findings not listed here;
# `keyhound scan --baseline-out FILE` regenerates it (sorted, byte-stable).
# Each line: fingerprint (SHA-256 of rule, secret SHA-256 and path), rule, path.
# No line numbers, no timestamps, no secrets.
";

/// A baseline or ignore file that cannot be read, parsed or written.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    /// The file cannot be read or written.
    #[error("{path}: {reason}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// A line is neither a fingerprint nor (in an ignore file) a path glob.
    #[error("{path}:{line}: {message}")]
    Parse {
        /// The file.
        path: String,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// One source of suppressions: a baseline file or `.keyhoundignore`.
#[derive(Debug)]
struct Filter {
    /// How notes name it (`the baseline keyhound.baseline`, `.keyhoundignore`).
    label: String,
    fingerprints: BTreeSet<String>,
    paths: GlobSet,
    /// Places (path, line, commit) from a `.gitleaksignore`.
    locations: Locations,
}

impl Filter {
    fn matches(&self, f: &Finding) -> bool {
        self.path_matches(&f.path)
            || self.fingerprints.contains(&f.fingerprint())
            || self.locations.matches(f)
    }
}

impl Filter {
    /// A glob matches the path, or the path of an archive holding it (`x.zip` hides
    /// `x.zip!dir/a.env`).
    fn path_matches(&self, path: &str) -> bool {
        self.paths.is_match(path)
            || path
                .match_indices(crate::source::archive::SEPARATOR)
                .any(|(i, _)| self.paths.is_match(&path[..i]))
    }
}

/// Everything that hides findings from a report: `.keyhoundignore`, `.gitleaksignore` and
/// `--baseline` files.
#[derive(Debug, Default)]
pub struct Suppressions {
    filters: Vec<Filter>,
    /// Problems met reading them that do not stop the scan (malformed `.gitleaksignore`
    /// lines), added to the report's warnings by [`Suppressions::apply`].
    warnings: Vec<String>,
}

impl Suppressions {
    /// Loads `root/.keyhoundignore` when `root` is a directory holding one.
    pub fn discover(root: &Path) -> Result<Suppressions, BaselineError> {
        let mut s = Suppressions::default();
        let candidate = root.join(IGNORE_FILE);
        // Anything at that name is read, and refused unless it is a bounded regular file: a
        // FIFO or device named .keyhoundignore must not silently drop the suppressions.
        if root.is_dir() && candidate.symlink_metadata().is_ok() {
            let text = read(&candidate)?;
            s.add_ignore(IGNORE_FILE, &text)?;
        }
        let gitleaks = root.join(gitleaksignore::FILE);
        if root.is_dir() && gitleaks.is_file() {
            let text = read(&gitleaks)?;
            s.add_gitleaks_ignore(gitleaksignore::FILE, &text);
        }
        Ok(s)
    }

    /// Adds a `.gitleaksignore`'s text; its malformed lines become warnings.
    pub fn add_gitleaks_ignore(&mut self, name: &str, text: &str) {
        let (locations, warnings) = gitleaksignore::parse(name, text);
        self.warnings.extend(warnings);
        self.filters.push(Filter {
            label: name.to_string(),
            fingerprints: BTreeSet::new(),
            paths: GlobSet::empty(),
            locations,
        });
    }

    /// Adds an ignore file's text: fingerprints and path globs. `name` labels errors and notes.
    pub fn add_ignore(&mut self, name: &str, text: &str) -> Result<(), BaselineError> {
        let (fingerprints, globs) = parse(name, text, true)?;
        let paths = allow_set(&globs).map_err(|e| BaselineError::Parse {
            path: name.into(),
            line: 0,
            message: glob_problem(&e),
        })?;
        self.filters.push(Filter {
            label: name.to_string(),
            fingerprints,
            paths,
            locations: Locations::default(),
        });
        Ok(())
    }

    /// Adds a baseline file written by `--baseline-out`.
    pub fn add_baseline(&mut self, path: &Path) -> Result<(), BaselineError> {
        self.add_baseline_text(&path.display().to_string(), &read(path)?)
    }

    /// Adds a baseline's text; `name` labels errors and notes.
    pub fn add_baseline_text(&mut self, name: &str, text: &str) -> Result<(), BaselineError> {
        let (fingerprints, _) = parse(name, text, false)?;
        self.filters.push(Filter {
            label: format!("the baseline {name}"),
            fingerprints,
            paths: GlobSet::empty(),
            locations: Locations::default(),
        });
        Ok(())
    }

    /// True when nothing is suppressed.
    pub fn is_empty(&self) -> bool {
        self.filters.is_empty()
    }

    /// Removes suppressed findings (and the facts of secrets left without a finding) from
    /// `report`, adds a note per filter that hid something, and returns how many were hidden.
    pub fn apply(&self, report: &mut Report) -> usize {
        report.warnings.extend(self.warnings.iter().cloned());
        let mut hidden = vec![0usize; self.filters.len()];
        report.findings.retain(|f| {
            match self.filters.iter().position(|filter| filter.matches(f)) {
                Some(i) => {
                    hidden[i] += 1;
                    false
                }
                None => true,
            }
        });
        let kept: BTreeSet<&str> = report
            .findings
            .iter()
            .filter_map(Finding::secret_sha256)
            .collect();
        report.facts.retain(|sha, _| kept.contains(sha.as_str()));
        for (filter, n) in self.filters.iter().zip(&hidden) {
            if *n > 0 {
                report.notes.push(format!(
                    "{n} finding{} hidden by {}",
                    if *n == 1 { "" } else { "s" },
                    filter.label
                ));
            }
        }
        hidden.iter().sum()
    }
}

/// Which suppressions a scan applies: `(name, text)` of each file, as the caller read it
/// (from the work tree, or from the base commit of a scan of commits: `crate::trust`).
#[derive(Clone, Copy, Debug)]
pub struct FilterOptions<'a> {
    /// `.keyhoundignore`.
    pub ignore: Option<(&'a str, &'a str)>,
    /// `.gitleaksignore`.
    pub gitleaks_ignore: Option<(&'a str, &'a str)>,
    /// Report only findings not in this baseline (`--baseline`, or the config's).
    pub baseline: Option<(&'a str, &'a str)>,
    /// Write the findings left after `.keyhoundignore` to this baseline (`--baseline-out`).
    pub baseline_out: Option<&'a Path>,
}

/// The filter every scan mode runs on its report before rendering: hides what
/// `.keyhoundignore` lists, writes `--baseline-out` from what is left (returning its entry
/// count), then hides what the `--baseline` file lists.
pub fn filter_report(
    report: &mut Report,
    opts: FilterOptions<'_>,
) -> Result<Option<usize>, BaselineError> {
    let mut ignore = Suppressions::default();
    if let Some((name, text)) = opts.ignore {
        ignore.add_ignore(name, text)?;
    }
    if let Some((name, text)) = opts.gitleaks_ignore {
        ignore.add_gitleaks_ignore(name, text);
    }
    ignore.apply(report);
    let written = match opts.baseline_out {
        Some(path) => Some(write_baseline(path, &report.findings)?),
        None => None,
    };
    if let Some((name, text)) = opts.baseline {
        let mut baseline = Suppressions::default();
        baseline.add_baseline_text(name, text)?;
        baseline.apply(report);
    }
    Ok(written)
}

/// The baseline file for `findings`: header, then one `fingerprint rule path` line per
/// distinct fingerprint, sorted by path, rule and fingerprint.
pub fn render_baseline(findings: &[Finding]) -> String {
    let mut lines: BTreeSet<(&str, &str, String)> = BTreeSet::new();
    for f in findings {
        lines.insert((&f.path, &f.rule, f.fingerprint()));
    }
    let mut out = String::from(BASELINE_HEADER);
    for (path, rule, fingerprint) in lines {
        out.push_str(&format!("{fingerprint} {rule} {path}\n"));
    }
    out
}

/// Writes the baseline for `findings` to `path` and returns how many entries it holds.
pub fn write_baseline(path: &Path, findings: &[Finding]) -> Result<usize, BaselineError> {
    let text = render_baseline(findings);
    std::fs::write(path, &text).map_err(|e| BaselineError::Io {
        path: path.display().to_string(),
        reason: format!("cannot write baseline: {e}"),
    })?;
    Ok(text.lines().filter(|l| !l.starts_with('#')).count())
}

/// The most a baseline or ignore file may hold (a fingerprint line is about 100 bytes).
const MAX_FILE: u64 = 64 << 20;

fn read(path: &Path) -> Result<String, BaselineError> {
    let err = |reason: String| BaselineError::Io {
        path: path.display().to_string(),
        reason,
    };
    let bytes =
        crate::bounded::read(path, MAX_FILE).map_err(|e| err(format!("cannot read: {e}")))?;
    String::from_utf8(bytes).map_err(|_| err("cannot read: not UTF-8".into()))
}

/// Splits a baseline or ignore file into fingerprints and (when `globs_allowed`) path globs.
/// A line whose first word is 64 hex digits is a fingerprint; the rest of it is a comment.
fn parse(
    name: &str,
    text: &str,
    globs_allowed: bool,
) -> Result<(BTreeSet<String>, Vec<String>), BaselineError> {
    let mut fingerprints = BTreeSet::new();
    let mut globs = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let first = line.split_whitespace().next().unwrap_or(line);
        if is_fingerprint(first) {
            fingerprints.insert(first.to_ascii_lowercase());
        } else if globs_allowed {
            allow_set(std::slice::from_ref(&line.to_string())).map_err(|e| {
                BaselineError::Parse {
                    path: name.into(),
                    line: i + 1,
                    message: glob_problem(&e),
                }
            })?;
            globs.push(line.to_string());
        } else {
            return Err(BaselineError::Parse {
                path: name.into(),
                line: i + 1,
                message: format!(
                    "not a fingerprint: baseline lines start with a fingerprint of 64 hex digits (this \
                     one starts with a {}-character word); regenerate the baseline with \
                     --baseline-out",
                    first.chars().count()
                ),
            });
        }
    }
    Ok((fingerprints, globs))
}

/// What is wrong with an ignore-file glob, without the line itself: a line that is not a
/// glob may be anything, a pasted secret included, so errors name only file and line.
fn glob_problem(err: &crate::scan::ScanError) -> String {
    match err {
        crate::scan::ScanError::Glob { reason, .. } => {
            format!("not a fingerprint (64 hex digits) and not a valid path glob: {reason}")
        }
        other => other.to_string(),
    }
}

fn is_fingerprint(word: &str) -> bool {
    word.len() == 64 && word.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Secret, Severity, SourceKind};

    fn finding(rule: &str, path: &str, line: u32, secret: Option<&str>) -> Finding {
        Finding {
            rule: rule.into(),
            severity: Severity::High,
            provider: None,
            path: path.into(),
            line,
            column: 1,
            secret: secret.map(|s| Secret::new(s.into())),
            source: SourceKind::Worktree,
            commit: None,
            detail: None,
            gitignore: None,
            repository: None,
            later: Vec::new(),
            local_server: None,
        }
    }

    #[test]
    fn fingerprint_is_sha256_of_rule_secret_hash_and_path() {
        let f = finding("meetso-live-key", "a.env", 7, Some("s3cr3t-value"));
        let secret_hash = crate::finding::sha256_hex(b"s3cr3t-value");
        let expected =
            crate::finding::sha256_hex(format!("meetso-live-key:{secret_hash}:a.env").as_bytes());
        assert_eq!(f.fingerprint(), expected);
        let file = finding("env-file", "a.env", 1, None);
        assert_eq!(
            file.fingerprint(),
            crate::finding::sha256_hex(b"env-file:-:a.env")
        );
        let moved = finding("meetso-live-key", "a.env", 70, Some("s3cr3t-value"));
        assert_eq!(moved.fingerprint(), f.fingerprint());
    }

    #[test]
    fn baseline_is_sorted_deduplicated_and_stable() {
        let a = finding("r2", "b.txt", 3, Some("one"));
        let b = finding("r1", "a.txt", 9, Some("two"));
        let b_again = finding("r1", "a.txt", 40, Some("two"));
        let text = render_baseline(&[a.clone(), b.clone(), b_again]);
        let body: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
        assert_eq!(
            body,
            vec![
                format!("{} r1 a.txt", b.fingerprint()),
                format!("{} r2 b.txt", a.fingerprint()),
            ]
        );
        assert_eq!(text, render_baseline(&[b, a]));
    }

    #[test]
    fn baseline_rejects_lines_that_are_not_fingerprints() {
        let err = parse("base", "# ok\n\nsrc/*.env\n", false).unwrap_err();
        assert_eq!(err.to_string().split(':').nth(1), Some("3"));
    }

    #[test]
    fn ignore_file_hides_by_fingerprint_and_glob_and_notes_it() {
        let keep = finding("r1", "src/app.py", 2, Some("kept-secret"));
        let by_print = finding("r1", "src/db.py", 2, Some("accepted"));
        let by_glob = finding("r2", "fixtures/deep/x.env", 1, None);
        let text = format!(
            "# accepted\n{} r1 src/db.py\nfixtures/\n",
            by_print.fingerprint()
        );
        let mut s = Suppressions::default();
        s.add_ignore(IGNORE_FILE, &text).expect("parses");
        let mut report = Report {
            findings: vec![keep.clone(), by_print, by_glob],
            ..Report::default()
        };
        assert_eq!(s.apply(&mut report), 2);
        assert_eq!(report.findings.len(), 1);
        assert_eq!(report.findings[0].path, keep.path);
        assert_eq!(report.notes, vec!["2 findings hidden by .keyhoundignore"]);
    }
}
