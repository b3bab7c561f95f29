//! `.keyhound.toml`: per-repository configuration discovered at the scan root (or given with
//! `--config`): extra rules and providers, disabled rules, path allow globs, entropy
//! overrides, endpoint overrides and the file size limit. Unknown keys are errors that name
//! the key and its line.

use crate::rules::{
    line_of, line_of_key, parse_file, read_text, Provider, RawRule, RuleError, RuleErrors,
    RuleFile, RuleSet,
};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The config file name looked for at the scan root.
pub const FILE_NAME: &str = ".keyhound.toml";

/// A parsed config file.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Skip files larger than this many bytes (a number, or a string with a unit: `"10MB"`).
    #[serde(default, deserialize_with = "crate::size::deserialize_opt")]
    pub max_file_size: Option<u64>,
    /// Exit 1 only for findings of this severity or worse (`--fail-on`).
    #[serde(default)]
    pub fail_on: Option<crate::finding::Severity>,
    /// A baseline file (relative to this config file's directory) applied by every scan,
    /// the pre-commit hook's `scan --staged` included (`--baseline` overrides it).
    #[serde(default)]
    pub baseline: Option<PathBuf>,
    /// Rule ids to turn off.
    #[serde(default)]
    pub disable: Vec<String>,
    /// Glob patterns (gitignore-style, relative to the root) of paths never reported.
    #[serde(default)]
    pub allow_paths: Vec<String>,
    /// Per-rule minimum entropy overrides.
    #[serde(default)]
    pub entropy: BTreeMap<String, f64>,
    /// Per-provider API base URL overrides (`meetso = "https://…"`).
    #[serde(default)]
    pub endpoints: BTreeMap<String, String>,
    /// Extra rules.
    #[serde(default)]
    pub rule: Vec<RawRule>,
    /// Extra or overriding providers.
    #[serde(default)]
    pub provider: Vec<Provider>,
    /// Where the config was read from.
    #[serde(skip)]
    pub path: Option<PathBuf>,
    #[serde(skip)]
    text: String,
}

impl Config {
    /// Reads `path`.
    pub fn load(path: &Path) -> Result<Config, RuleError> {
        let (name, text) = read_text(path, "config")?;
        Self::parse(&name, &text).map(|mut c| {
            c.path = Some(path.to_path_buf());
            c
        })
    }

    /// Parses config text named `name` in errors.
    pub fn parse(name: &str, text: &str) -> Result<Config, RuleError> {
        let mut config: Config = toml::from_str(text).map_err(|e| RuleError {
            file: name.into(),
            line: e.span().map(|s| line_of(text, s)).unwrap_or(0),
            message: e.message().trim().to_string(),
        })?;
        config.text = text.to_string();
        Ok(config)
    }

    /// The `baseline` key resolved against the config file's directory.
    pub fn baseline_path(&self) -> Option<PathBuf> {
        let baseline = self.baseline.as_ref()?;
        let dir = self.path.as_deref().and_then(Path::parent);
        Some(match dir {
            Some(dir) if baseline.is_relative() => dir.join(baseline),
            _ => baseline.clone(),
        })
    }

    /// The entries that would decide where keys are sent: `[[provider]]`, `[endpoints]` and
    /// `[[rule]]`s naming a provider, each as `key (line N)`. A config discovered in a scanned
    /// tree may hold none of them for `scan --verify`/`--revoke`.
    pub fn network_entries(&self) -> Vec<String> {
        let line = |key: &str, value: &str| line_of_key(&self.text, key, value);
        let providers = self.provider.iter().map(|p| {
            format!(
                "[[provider]] id = \"{}\" (line {})",
                p.id,
                line("id", &p.id)
            )
        });
        let endpoints = self
            .endpoints
            .iter()
            .map(|(id, url)| format!("[endpoints] {id} (line {})", line(id, url)));
        let rules = self.rule.iter().filter(|r| r.names_provider()).map(|r| {
            format!(
                "[[rule]] id = \"{}\" with a provider (line {})",
                r.id(),
                line("id", r.id())
            )
        });
        providers.chain(endpoints).chain(rules).collect()
    }

    /// `root/.keyhound.toml` when `root` is a directory holding one.
    pub fn discover(root: &Path) -> Result<Option<Config>, RuleError> {
        let candidate = root.join(FILE_NAME);
        // Anything at that name is read (and refused if it is not a bounded regular file):
        // a FIFO or device named .keyhound.toml must not silently drop the config.
        if root.is_dir() && candidate.symlink_metadata().is_ok() {
            Self::load(&candidate).map(Some)
        } else {
            Ok(None)
        }
    }

    /// Applies rules, providers, disabled rules and entropy overrides to `set`.
    pub fn apply(&self, set: &mut RuleSet) -> Result<(), RuleErrors> {
        let name = self
            .path
            .as_ref()
            .map_or_else(|| FILE_NAME.to_string(), |p| p.display().to_string());
        let file = RuleFile {
            rule: self.rule.clone(),
            provider: self.provider.clone(),
        };
        set.merge(&name, &self.text, file)?;
        let err = |message: String| RuleError {
            file: name.clone(),
            line: 0,
            message,
        };
        set.disable(&self.disable).map_err(err)?;
        for (id, value) in &self.entropy {
            match set.rules.iter_mut().find(|r| &r.id == id) {
                Some(rule) => rule.set_min_entropy(*value),
                None => return Err(err(format!("[entropy] names unknown rule `{id}`")).into()),
            }
        }
        Ok(())
    }
}

/// Validates a standalone rules file, for `keyhound rules check`.
pub fn check_rules_file(path: &Path) -> Result<RuleSet, RuleErrors> {
    let (name, text) = read_text(path, "rules file")?;
    parse_file(&name, &text)?;
    let mut set = RuleSet::builtin()?;
    set.add_file(&name, &text)?;
    Ok(set)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_key_names_key_and_line() {
        let err = Config::parse(".keyhound.toml", "disable = []\nmax_filesize = 3\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.message.contains("max_filesize"), "{}", err.message);
    }

    #[test]
    fn config_disables_and_overrides_rules() {
        let text = "disable = [\"authorization-bearer\"]\n[entropy]\nenv-secret = 4.5\n";
        let config = Config::parse("c", text).expect("parses");
        let mut set = RuleSet::builtin().expect("rules");
        config.apply(&mut set).expect("applies");
        assert!(set.rule("authorization-bearer").is_none());
        assert_eq!(
            set.rule("env-secret").and_then(|r| r.min_entropy),
            Some(4.5)
        );
        let bad = Config::parse("c", "disable = [\"nope\"]\n").expect("parses");
        assert!(bad.apply(&mut set).is_err());
    }
}
