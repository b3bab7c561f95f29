//! `keyhound init`: writes a commented starter `.keyhound.toml` whose examples are all valid
//! config (the unit tests uncomment every example and load it).

use crate::config::FILE_NAME;
use std::path::{Path, PathBuf};

/// The starter config. `## ` lines are prose; `# ` lines are examples to uncomment.
pub const STARTER: &str = include_str!("starter.keyhound.toml");

/// The config file cannot be written.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    /// A config file is already there.
    #[error("{0} already exists; edit it, or pass --force to overwrite it with the starter")]
    Exists(String),
    /// Writing failed.
    #[error("cannot write {path}: {reason}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
}

/// Writes the starter config into `dir` (refusing to overwrite unless `force`) and returns
/// its path.
pub fn write_starter(dir: &Path, force: bool) -> Result<PathBuf, InitError> {
    let path = dir.join(FILE_NAME);
    if !force && path.symlink_metadata().is_ok() {
        return Err(InitError::Exists(path.display().to_string()));
    }
    std::fs::write(&path, STARTER).map_err(|e| InitError::Io {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::rules::RuleSet;

    fn apply(text: &str) -> (Config, RuleSet) {
        let config = Config::parse(FILE_NAME, text).expect("parses");
        let mut set = RuleSet::builtin().expect("rules");
        config.apply(&mut set).expect("applies");
        (config, set)
    }

    #[test]
    fn starter_parses_as_is_and_changes_nothing() {
        let (config, set) = apply(STARTER);
        assert_eq!(config.max_file_size, None);
        assert!(config.disable.is_empty() && config.rule.is_empty());
        assert_eq!(
            set.rules.len(),
            RuleSet::builtin().expect("rules").rules.len()
        );
    }

    #[test]
    fn every_example_in_the_starter_is_valid_config() {
        let uncommented: String = STARTER
            .lines()
            .map(|l| l.strip_prefix("# ").unwrap_or(l))
            .map(|l| format!("{l}\n"))
            .collect();
        let (config, set) = apply(&uncommented);
        assert_eq!(config.max_file_size, Some(10_485_760));
        assert_eq!(config.fail_on, Some(crate::finding::Severity::High));
        assert_eq!(
            config.baseline.as_deref(),
            Some(std::path::Path::new(".keyhound-baseline"))
        );
        assert_eq!(config.disable, vec!["authorization-bearer"]);
        assert_eq!(config.allow_paths, vec!["tests/fixtures/", "docs/**/*.md"]);
        assert_eq!(
            config.endpoints.get("attendee").map(String::as_str),
            Some("https://attendee.internal.example")
        );
        assert!(set.rule("authorization-bearer").is_none());
        assert_eq!(
            set.rule("env-secret").and_then(|r| r.min_entropy),
            Some(3.5)
        );
        assert_eq!(
            set.rule("acme-bot-token").map(|r| r.severity.as_str()),
            Some("high")
        );
    }

    #[test]
    fn init_refuses_to_overwrite_without_force() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = write_starter(dir.path(), false).expect("writes");
        std::fs::write(&path, "disable = []\n").expect("edit");
        assert!(matches!(
            write_starter(dir.path(), false),
            Err(InitError::Exists(_))
        ));
        assert_eq!(
            std::fs::read_to_string(&path).expect("read"),
            "disable = []\n"
        );
        write_starter(dir.path(), true).expect("forced");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), STARTER);
    }
}
