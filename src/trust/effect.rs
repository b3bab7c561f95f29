//! What a scanned repository's settings files do to a scan, in words: the difference between
//! two versions of `.keyhound.toml`, `.keyhoundignore` or a baseline ("disables rules X",
//! "allow-lists `**`", "max_file_size 1"), and the summary of the settings a scan applied
//! ([`RepoConfigUse`]) that reports carry as a note and a field.

use crate::config::Config;
use crate::finding::Severity;
use serde::Serialize;
use std::collections::BTreeSet;

/// What kind of settings file a path holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `.keyhound.toml` (or a `--config` file inside the repository).
    Config,
    /// `.keyhoundignore`: fingerprints and path globs.
    Ignore,
    /// A baseline: fingerprints.
    Baseline,
}

/// Most list items named in one phrase before `and N more`.
const NAMED: usize = 5;

/// The settings changes from `old` to `new` (each `None` when the file is absent), one
/// phrase each, for a `keyhound-config-changed` finding. Never empty.
pub fn describe_change(kind: Kind, old: Option<&str>, new: Option<&str>) -> Vec<String> {
    let phrases = match kind {
        Kind::Config => config_change(old, new),
        Kind::Ignore | Kind::Baseline => list_change(kind, old, new),
    };
    if phrases.is_empty() {
        vec!["no setting changes in effect (comments or formatting)".into()]
    } else {
        phrases
    }
}

fn config_change(old: Option<&str>, new: Option<&str>) -> Vec<String> {
    let parse = |text: Option<&str>| match text {
        None => Ok(Config::default()),
        Some(t) => Config::parse(crate::config::FILE_NAME, t).map_err(|e| e.to_string()),
    };
    let old = parse(old).unwrap_or_default();
    let mut out = Vec::new();
    if new.is_none() {
        out.push("deletes the file".to_string());
    }
    match parse(new) {
        Ok(new) => out.extend(config_diff(&old, &new)),
        Err(e) => out.push(format!("does not parse ({e})")),
    }
    out
}

/// The settings that differ between two configs, one phrase each.
pub fn config_diff(old: &Config, new: &Config) -> Vec<String> {
    let mut out = Vec::new();
    let (added, removed) = set_diff(&old.disable, &new.disable);
    push_list(&mut out, "disables rules", &added, false);
    push_list(&mut out, "re-enables rules", &removed, false);
    let (added, removed) = set_diff(&old.allow_paths, &new.allow_paths);
    push_list(&mut out, "allow-lists", &added, true);
    push_list(&mut out, "stops allow-listing", &removed, true);
    if old.max_file_size != new.max_file_size {
        out.push(format!(
            "sets max_file_size {} (was {})",
            size_or_default(new.max_file_size),
            size_or_default(old.max_file_size)
        ));
    }
    if old.fail_on != new.fail_on {
        out.push(format!(
            "sets fail_on {} (was {})",
            severity_or_unset(new.fail_on),
            severity_or_unset(old.fail_on)
        ));
    }
    if old.baseline != new.baseline {
        let show = |b: &Option<std::path::PathBuf>| {
            b.as_ref()
                .map_or("none".to_string(), |p| format!("`{}`", p.display()))
        };
        out.push(format!(
            "sets baseline {} (was {})",
            show(&new.baseline),
            show(&old.baseline)
        ));
    }
    let entropy: Vec<String> = old
        .entropy
        .keys()
        .chain(new.entropy.keys())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .filter(|id| old.entropy.get(*id) != new.entropy.get(*id))
        .cloned()
        .collect();
    push_list(
        &mut out,
        "changes the entropy threshold of",
        &entropy,
        false,
    );
    let rules = |c: &Config| {
        c.rule
            .iter()
            .map(|r| (r.id().to_string(), format!("{r:?}")))
            .collect::<BTreeSet<_>>()
    };
    let (old_rules, new_rules) = (rules(old), rules(new));
    let changed: Vec<String> = new_rules
        .difference(&old_rules)
        .map(|(id, _)| id.clone())
        .collect();
    push_list(&mut out, "adds or overrides rules", &changed, false);
    let old_ids: BTreeSet<&String> = old_rules.iter().map(|(id, _)| id).collect();
    let new_ids: BTreeSet<&String> = new_rules.iter().map(|(id, _)| id).collect();
    let dropped: Vec<String> = old_ids.difference(&new_ids).map(|s| (*s).clone()).collect();
    push_list(&mut out, "removes rules", &dropped, false);
    let hosts = |c: &Config| format!("{:?}{:?}", c.provider, c.endpoints);
    if hosts(old) != hosts(new) {
        out.push("changes providers or endpoints (where verify and revoke send keys)".into());
    }
    out
}

fn list_change(kind: Kind, old: Option<&str>, new: Option<&str>) -> Vec<String> {
    let old = entries(old.unwrap_or_default());
    let new = entries(new.unwrap_or_default());
    let added: Vec<String> = new.difference(&old).map(|e| show_entry(e)).collect();
    let removed: Vec<String> = old.difference(&new).map(|e| show_entry(e)).collect();
    let noun = match kind {
        Kind::Baseline => "fingerprint",
        _ => "entry",
    };
    let mut out = Vec::new();
    for (verb, items) in [("adds", &added), ("removes", &removed)] {
        if items.is_empty() {
            continue;
        }
        let n = items.len();
        let plural = match (n, kind) {
            (1, _) => noun.to_string(),
            (_, Kind::Baseline) => format!("{noun}s"),
            _ => "entries".to_string(),
        };
        out.push(format!("{verb} {n} {plural} ({})", named(items, true)));
    }
    out
}

/// The non-comment lines of a baseline or ignore file (a fingerprint line by its fingerprint).
fn entries(text: &str) -> BTreeSet<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let first = l.split_whitespace().next().unwrap_or(l);
            if is_fingerprint(first) {
                first.to_ascii_lowercase()
            } else {
                l.to_string()
            }
        })
        .collect()
}

/// A fingerprint shortened to 12 digits with an ellipsis, a glob as written.
fn show_entry(entry: &str) -> String {
    if is_fingerprint(entry) {
        format!("{}…", &entry[..12])
    } else {
        entry.to_string()
    }
}

fn is_fingerprint(word: &str) -> bool {
    word.len() == 64 && word.bytes().all(|b| b.is_ascii_hexdigit())
}

fn set_diff(old: &[String], new: &[String]) -> (Vec<String>, Vec<String>) {
    let old: BTreeSet<&String> = old.iter().collect();
    let new: BTreeSet<&String> = new.iter().collect();
    (
        new.difference(&old).map(|s| (*s).clone()).collect(),
        old.difference(&new).map(|s| (*s).clone()).collect(),
    )
}

fn push_list(out: &mut Vec<String>, verb: &str, items: &[String], quote: bool) {
    if !items.is_empty() {
        out.push(format!("{verb} {}", named(items, quote)));
    }
}

/// `a, b, c` (or `` `a`, `b` ``), at most [`NAMED`] items and `and N more`.
fn named(items: &[String], quote: bool) -> String {
    let shown: Vec<String> = items
        .iter()
        .take(NAMED)
        .map(|i| if quote { format!("`{i}`") } else { i.clone() })
        .collect();
    let more = items.len().saturating_sub(NAMED);
    if more == 0 {
        shown.join(", ")
    } else {
        format!("{} and {more} more", shown.join(", "))
    }
}

fn size_or_default(size: Option<u64>) -> String {
    size.map_or_else(|| "the default".to_string(), |s| s.to_string())
}

fn severity_or_unset(s: Option<Severity>) -> &'static str {
    s.map_or("unset", Severity::as_str)
}

/// A suppression file a scan applied, and how many entries it lists.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SuppressionFile {
    /// The file (a repository path, or a path on disk).
    pub file: String,
    /// Non-comment lines.
    pub entries: usize,
}

/// The settings a scan took from the scanned repository's own files (a discovered
/// `.keyhound.toml`, `.keyhoundignore`, the config's baseline) that make it see less:
/// reports say so in a note and in this field, so a repository cannot silence a scan
/// without a trace. `--config` and `--baseline` files are the user's, not counted here.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RepoConfigUse {
    /// Where the files were read from: `work tree`, or `commit <id>` (a range's base, a
    /// pre-receive old tip).
    pub source: String,
    /// The config file applied, when one was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<String>,
    /// Rules it turns off.
    pub disabled_rules: Vec<String>,
    /// Path globs it never reports.
    pub allow_paths: Vec<String>,
    /// Its file size limit, when it sets one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_file_size: Option<u64>,
    /// Its fail-on threshold, when it sets one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fail_on: Option<Severity>,
    /// Rules whose minimum entropy it changes.
    pub entropy_overrides: Vec<String>,
    /// Built-in rules its `[[rule]]`s replace.
    pub overridden_rules: Vec<String>,
    /// `.keyhoundignore` and the config's baseline, with their entry counts.
    pub suppressions: Vec<SuppressionFile>,
    /// Settings files present but not read (`--no-repo-config`).
    pub ignored: Vec<String>,
}

impl RepoConfigUse {
    /// The settings of `config` (found at `file`) that make a scan see less.
    pub fn add_config(&mut self, file: &str, config: &Config, builtin_ids: &BTreeSet<String>) {
        self.config = Some(file.to_string());
        self.disabled_rules = config.disable.clone();
        self.allow_paths = config.allow_paths.clone();
        self.max_file_size = config.max_file_size;
        self.fail_on = config.fail_on;
        self.entropy_overrides = config.entropy.keys().cloned().collect();
        self.overridden_rules = config
            .rule
            .iter()
            .map(|r| r.id().to_string())
            .filter(|id| builtin_ids.contains(id))
            .collect();
    }

    /// Records a suppression file's entries.
    pub fn add_suppressions(&mut self, file: &str, text: &str) {
        self.suppressions.push(SuppressionFile {
            file: file.to_string(),
            entries: entries(text).len(),
        });
    }

    /// True when the repository's settings change what the scan reports.
    pub fn weakens(&self) -> bool {
        !self.config_phrases().is_empty() || !self.suppressions.is_empty()
    }

    fn config_phrases(&self) -> Vec<String> {
        let mut out = Vec::new();
        let count =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        if !self.disabled_rules.is_empty() {
            out.push(format!(
                "disables {} ({})",
                count(self.disabled_rules.len(), "rule", "rules"),
                named(&self.disabled_rules, false)
            ));
        }
        if !self.allow_paths.is_empty() {
            out.push(format!(
                "allow-lists {} ({})",
                count(self.allow_paths.len(), "path", "paths"),
                named(&self.allow_paths, true)
            ));
        }
        if let Some(size) = self.max_file_size {
            out.push(format!("sets max_file_size {size}"));
        }
        if let Some(s) = self.fail_on {
            out.push(format!("sets fail_on {s}"));
        }
        if !self.entropy_overrides.is_empty() {
            out.push(format!(
                "changes the entropy threshold of {}",
                named(&self.entropy_overrides, false)
            ));
        }
        if !self.overridden_rules.is_empty() {
            out.push(format!(
                "replaces built-in rules {}",
                named(&self.overridden_rules, false)
            ));
        }
        out
    }

    /// The report note: which repository files weaken the scan and how, or which were
    /// ignored; `None` when neither.
    pub fn note(&self) -> Option<String> {
        if !self.ignored.is_empty() {
            return Some(format!(
                "--no-repo-config: the scanned repository's {} not applied",
                match self.ignored.len() {
                    1 => format!("{} was", self.ignored[0]),
                    _ => format!("{} were", self.ignored.join(" and ")),
                }
            ));
        }
        if !self.weakens() {
            return None;
        }
        let mut parts = Vec::new();
        let phrases = self.config_phrases();
        if let (Some(file), false) = (&self.config, phrases.is_empty()) {
            parts.push(format!("{file} {}", phrases.join(", ")));
        }
        for s in &self.suppressions {
            parts.push(format!(
                "{} lists {} {}",
                s.file,
                s.entries,
                if s.entries == 1 { "entry" } else { "entries" }
            ));
        }
        Some(format!(
            "the scanned repository's own settings ({}) apply: {}; --no-repo-config ignores them",
            self.source,
            parts.join("; ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_changes_name_the_settings_that_changed() {
        let old = "disable = [\"env-secret\"]\n";
        let new = "disable = [\"env-secret\", \"meetso-live-key\"]\nallow_paths = [\"**\"]\nmax_file_size = 1\nfail_on = \"critical\"\n";
        assert_eq!(
            describe_change(Kind::Config, Some(old), Some(new)),
            vec![
                "disables rules meetso-live-key",
                "allow-lists `**`",
                "sets max_file_size 1 (was the default)",
                "sets fail_on critical (was unset)",
            ]
        );
        assert_eq!(
            describe_change(Kind::Config, Some(new), None),
            vec![
                "deletes the file",
                "re-enables rules env-secret, meetso-live-key",
                "stops allow-listing `**`",
                "sets max_file_size the default (was 1)",
                "sets fail_on unset (was critical)",
            ]
        );
        assert_eq!(
            describe_change(
                Kind::Config,
                Some(old),
                Some("# hi\ndisable = [ \"env-secret\" ]\n")
            ),
            vec!["no setting changes in effect (comments or formatting)"]
        );
        let broken = describe_change(Kind::Config, None, Some("allow_pathz = 1\n"));
        assert_eq!(broken.len(), 1);
        assert!(
            broken[0].starts_with("does not parse (.keyhound.toml:1:"),
            "{broken:?}"
        );
    }

    #[test]
    fn list_changes_count_and_name_entries() {
        let fp = "ab".repeat(32);
        let new = format!("# accepted\n{fp} meetso-live-key a.py\nfixtures/\n");
        assert_eq!(
            describe_change(Kind::Ignore, None, Some(&new)),
            vec![format!("adds 2 entries (`{}…`, `fixtures/`)", &fp[..12])]
        );
        assert_eq!(
            describe_change(Kind::Baseline, Some(&new), Some("# empty\n")),
            vec![format!(
                "removes 2 fingerprints (`{}…`, `fixtures/`)",
                &fp[..12]
            )]
        );
    }

    #[test]
    fn the_note_counts_what_the_repository_turns_off() {
        let config = Config::parse("c", "disable = [\"a\", \"b\"]\nallow_paths = [\"**\"]\n")
            .expect("parses");
        let mut used = RepoConfigUse {
            source: "work tree".into(),
            ..RepoConfigUse::default()
        };
        assert_eq!(used.note(), None);
        used.add_config(".keyhound.toml", &config, &BTreeSet::new());
        used.add_suppressions(".keyhoundignore", "# c\nx/\n\ny/\n");
        assert_eq!(
            used.note().as_deref(),
            Some(
                "the scanned repository's own settings (work tree) apply: .keyhound.toml \
                 disables 2 rules (a, b), allow-lists 1 path (`**`); .keyhoundignore lists \
                 2 entries; --no-repo-config ignores them"
            )
        );
    }
}
