//! The rule set as data: the TOML schema for rules and providers, the built-in rule files
//! embedded at build time, and loading with errors that name the file, line and problem.

mod schema;

pub use schema::{
    AnswerMatch, AuthScheme, Provider, ProviderHint, RateLimit, RawRule, RevokeSpec, RotationSpec,
    Rule, RuleFile, Validator, VerifySpec,
};

use crate::finding::Severity;
use std::collections::HashSet;
use std::path::Path;

/// The built-in rule files, embedded at build time: (file name, contents).
pub const BUILTIN: &[(&str, &str)] = &[
    ("rules/meetso.toml", include_str!("../../rules/meetso.toml")),
    (
        "rules/meetstream.toml",
        include_str!("../../rules/meetstream.toml"),
    ),
    (
        "rules/attendee.toml",
        include_str!("../../rules/attendee.toml"),
    ),
    ("rules/zoom.toml", include_str!("../../rules/zoom.toml")),
    (
        "rules/generic.toml",
        include_str!("../../rules/generic.toml"),
    ),
];

/// An error in a rules file (or a config file that carries rules).
#[derive(Debug, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct RuleError {
    /// The file the problem is in.
    pub file: String,
    /// 1-based line of the problem (0 when unknown).
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// A loaded, validated set of rules and providers.
#[derive(Clone, Debug, Default)]
pub struct RuleSet {
    /// Rules in load order.
    pub rules: Vec<Rule>,
    /// Providers in load order.
    pub providers: Vec<Provider>,
}

impl RuleSet {
    /// Loads the built-in rules.
    pub fn builtin() -> Result<RuleSet, RuleError> {
        let mut set = RuleSet::default();
        for (name, text) in BUILTIN {
            set.add_file(name, text)?;
        }
        Ok(set)
    }

    /// Parses `text` (named `name` in errors) and adds its rules and providers. A rule whose id
    /// already exists replaces the earlier one, so users can override built-ins.
    pub fn add_file(&mut self, name: &str, text: &str) -> Result<(), RuleError> {
        let file = parse_file(name, text)?;
        self.merge(name, text, file)
    }

    /// Reads and adds a rules file from disk.
    pub fn add_path(&mut self, path: &Path) -> Result<(), RuleError> {
        let (name, text) = read_text(path, "rules file")?;
        self.add_file(&name, &text)
    }

    /// Adds already-parsed rules and providers (from a config file).
    pub fn merge(&mut self, name: &str, text: &str, file: RuleFile) -> Result<(), RuleError> {
        for provider in file.provider {
            if !valid_id(&provider.id) {
                return Err(RuleError {
                    file: name.into(),
                    line: line_of_key(text, "id", &provider.id),
                    message: format!("provider id `{}` must match [a-z0-9-]+", provider.id),
                });
            }
            self.providers.retain(|p| p.id != provider.id);
            self.providers.push(provider);
        }
        for raw in file.rule {
            let rule = raw.into_rule(name, text)?;
            self.rules.retain(|r| r.id != rule.id);
            self.rules.push(rule);
        }
        self.check_providers(name, text)
    }

    /// Removes the rules with these ids; unknown ids are an error so typos are caught.
    pub fn disable(&mut self, ids: &[String]) -> Result<(), String> {
        let known: HashSet<&str> = self.rules.iter().map(|r| r.id.as_str()).collect();
        if let Some(unknown) = ids.iter().find(|id| !known.contains(id.as_str())) {
            return Err(format!("cannot disable unknown rule `{unknown}`"));
        }
        self.rules.retain(|r| !ids.contains(&r.id));
        Ok(())
    }

    /// The provider with this id.
    pub fn provider(&self, id: &str) -> Option<&Provider> {
        self.providers.iter().find(|p| p.id == id)
    }

    /// The rule with this id.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    fn check_providers(&self, name: &str, text: &str) -> Result<(), RuleError> {
        for rule in &self.rules {
            let referenced = rule
                .provider
                .iter()
                .chain(rule.provider_hints.iter().map(|h| &h.provider));
            for id in referenced {
                if self.provider(id).is_none() && !BUILTIN.iter().any(|(n, _)| *n == name) {
                    return Err(RuleError {
                        file: name.into(),
                        line: line_of(text, rule.id_span.clone()),
                        message: format!("rule `{}` names unknown provider `{id}`", rule.id),
                    });
                }
            }
        }
        Ok(())
    }
}

/// Reads a rules or config file as text: `(display name, contents)`; the error names the
/// file and says what kind of file could not be read.
pub fn read_text(path: &Path, what: &str) -> Result<(String, String), RuleError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| RuleError {
        file: name.clone(),
        line: 0,
        message: format!("cannot read {what}: {e}"),
    })?;
    Ok((name, text))
}

/// Parses one rules file without validating regexes.
pub fn parse_file(name: &str, text: &str) -> Result<RuleFile, RuleError> {
    toml::from_str::<RuleFile>(text).map_err(|e| RuleError {
        file: name.into(),
        line: e.span().map(|s| line_of(text, s)).unwrap_or(0),
        message: e.message().trim().to_string(),
    })
}

/// Whether `id` is a valid rule or provider id: `[a-z0-9-]+`.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The 1-based line of the first `key = "value"` line in `text` (0 when not found).
pub fn line_of_key(text: &str, key: &str, value: &str) -> usize {
    text.lines()
        .position(|l| {
            l.split_once('=').is_some_and(|(k, v)| {
                k.trim() == key && v.trim().trim_matches(['"', '\'']) == value
            })
        })
        .map_or(0, |i| i + 1)
}

/// 1-based line number of the start of a byte span.
pub fn line_of(text: &str, span: std::ops::Range<usize>) -> usize {
    let end = span.start.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Parses a severity name.
pub fn parse_severity(s: &str) -> Option<Severity> {
    Severity::ALL.into_iter().find(|v| v.as_str() == s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_rules_load_and_compile() {
        let set = RuleSet::builtin().expect("built-in rules are valid");
        for rule in &set.rules {
            assert!(!rule.compile().is_empty(), "{} has patterns", rule.id);
        }
        let ids: Vec<&str> = set.rules.iter().map(|r| r.id.as_str()).collect();
        for id in [
            "meetso-live-key",
            "meetso-test-key",
            "meetstream-api-key",
            "authorization-token",
            "authorization-bearer",
            "env-secret",
            "basic-auth",
            "zoom-app-secret",
        ] {
            assert!(ids.contains(&id), "missing {id}");
        }
    }

    #[test]
    fn bad_regex_names_file_and_line() {
        let text = "[[rule]]\nid = \"x\"\ndescription = \"d\"\nseverity = \"high\"\nkeywords = [\"k\"]\npatterns = ['''k(?P<secret>[a-z''']\n";
        let err = RuleSet::default()
            .add_file("custom.toml", text)
            .unwrap_err();
        assert_eq!(err.file, "custom.toml");
        assert_eq!(err.line, 6);
        assert!(err.message.contains("invalid regex"), "{}", err.message);
    }

    #[test]
    fn missing_secret_group_is_an_error() {
        let text = "[[rule]]\nid = \"x\"\ndescription = \"d\"\nseverity = \"high\"\nkeywords = [\"k\"]\npatterns = ['k[a-z]+']\n";
        let err = RuleSet::default().add_file("c.toml", text).unwrap_err();
        assert_eq!(err.line, 6);
        assert!(err.message.contains("secret"), "{}", err.message);
    }

    #[test]
    fn unknown_field_and_bad_severity_are_errors_with_lines() {
        let text = "[[rule]]\nid = \"x\"\ndescription = \"d\"\nseverity = \"high\"\nkeywords = [\"k\"]\npatterns = ['k(?P<secret>[a-z]+)']\nentropyy = 3.0\n";
        let err = RuleSet::default().add_file("c.toml", text).unwrap_err();
        assert_eq!(err.line, 7);
        assert!(err.message.contains("entropyy"), "{}", err.message);
        let text = "[[rule]]\nid = \"x\"\ndescription = \"d\"\nseverity = \"urgent\"\nkeywords = [\"k\"]\npatterns = ['k(?P<secret>[a-z]+)']\n";
        let err = RuleSet::default().add_file("c.toml", text).unwrap_err();
        assert_eq!(err.line, 4);
    }

    #[test]
    fn require_provider_without_hints_is_an_error() {
        let text = "[[rule]]\nid = \"x\"\ndescription = \"d\"\nseverity = \"high\"\nrequire_provider = true\nkeywords = [\"k\"]\npatterns = ['k(?P<secret>[a-z]+)']\n";
        let err = RuleSet::default().add_file("c.toml", text).unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.message.contains("provider_hints"), "{}", err.message);
    }

    #[test]
    fn keyword_must_occur_in_pattern_literally_or_rule_is_rejected() {
        let text = "[[rule]]\nid = \"x\"\ndescription = \"d\"\nseverity = \"high\"\nkeywords = []\npatterns = ['k(?P<secret>[a-z]+)']\n";
        let err = RuleSet::default().add_file("c.toml", text).unwrap_err();
        assert!(err.message.contains("keyword"), "{}", err.message);
    }
}
