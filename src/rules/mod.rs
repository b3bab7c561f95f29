//! The rule set as data: the TOML schema for rules and providers, the built-in rule files
//! embedded at build time, and loading with errors that name the file, line and problem.

mod literals;
mod schema;
pub mod shapes;

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
    ("rules/vexa.toml", include_str!("../../rules/vexa.toml")),
    (
        "rules/generic.toml",
        include_str!("../../rules/generic.toml"),
    ),
    // last: its keywords placed before generic.toml's made the prefilter measurably slower
    // (callgrind on curl's tree: 80.4M → 91.2M instructions in `windows`)
    (
        "rules/meetingbaas.toml",
        include_str!("../../rules/meetingbaas.toml"),
    ),
];

/// An error in a rules file (or a config file that carries rules). Displayed as
/// `file:line: message`, or `file: message` when no line applies.
#[derive(Debug, thiserror::Error)]
#[error("{}", self.located())]
pub struct RuleError {
    /// The file the problem is in.
    pub file: String,
    /// 1-based line of the problem (0 when unknown).
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl RuleError {
    fn located(&self) -> String {
        match self.line {
            0 => format!("{}: {}", self.file, self.message),
            line => format!("{}:{line}: {}", self.file, self.message),
        }
    }
}

/// Every error found in a rules or config file, in file order; displayed one per line.
#[derive(Debug)]
pub struct RuleErrors(pub Vec<RuleError>);

impl std::fmt::Display for RuleErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let lines: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        f.write_str(&lines.join("\n"))
    }
}

impl std::error::Error for RuleErrors {}

impl From<RuleError> for RuleErrors {
    fn from(e: RuleError) -> RuleErrors {
        RuleErrors(vec![e])
    }
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
    pub fn builtin() -> Result<RuleSet, RuleErrors> {
        let mut set = RuleSet::default();
        for (name, text) in BUILTIN {
            let file = parse_file(name, text)?;
            set.merge_with(name, text, file, RawRule::into_rule_lazy)?;
        }
        Ok(set)
    }

    /// Parses `text` (named `name` in errors) and adds its rules and providers. A rule whose id
    /// already exists replaces the earlier one, so users can override built-ins.
    pub fn add_file(&mut self, name: &str, text: &str) -> Result<(), RuleErrors> {
        let file = parse_file(name, text)?;
        self.merge(name, text, file)
    }

    /// Reads and adds a rules file from disk.
    pub fn add_path(&mut self, path: &Path) -> Result<(), RuleErrors> {
        let (name, text) = read_text(path, "rules file")?;
        self.add_file(&name, &text)
    }

    /// Adds already-parsed rules and providers (from a config file), compiling the rules'
    /// patterns. Every problem in the file is reported, not only the first; on error nothing
    /// is added.
    pub fn merge(&mut self, name: &str, text: &str, file: RuleFile) -> Result<(), RuleErrors> {
        self.merge_with(name, text, file, RawRule::into_rule)
    }

    fn merge_with(
        &mut self,
        name: &str,
        text: &str,
        file: RuleFile,
        validate: impl Fn(RawRule, &str, &str) -> Result<Rule, Vec<RuleError>>,
    ) -> Result<(), RuleErrors> {
        let mut errors: Vec<RuleError> = file
            .provider
            .iter()
            .flat_map(|p| p.problems(name, text))
            .collect();
        let mut next = self.clone();
        for provider in file.provider {
            if !valid_id(&provider.id) {
                errors.push(RuleError {
                    file: name.into(),
                    line: line_of_key(text, "id", &provider.id),
                    message: format!("provider id `{}` must match [a-z0-9-]+", provider.id),
                });
            }
            next.providers.retain(|p| p.id != provider.id);
            next.providers.push(provider);
        }
        for raw in file.rule {
            match validate(raw, name, text) {
                Ok(rule) => {
                    next.rules.retain(|r| r.id != rule.id);
                    next.rules.push(rule);
                }
                Err(e) => errors.extend(e),
            }
        }
        errors.extend(next.provider_problems(name, text));
        if !errors.is_empty() {
            errors.sort_by_key(|e| e.line);
            return Err(RuleErrors(errors));
        }
        *self = next;
        Ok(())
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

    fn provider_problems(&self, name: &str, text: &str) -> Vec<RuleError> {
        let mut errors = Vec::new();
        for rule in &self.rules {
            let referenced = rule
                .provider
                .iter()
                .chain(rule.provider_hints.iter().map(|h| &h.provider));
            for id in referenced {
                if self.provider(id).is_none() && !BUILTIN.iter().any(|(n, _)| *n == name) {
                    errors.push(RuleError {
                        file: name.into(),
                        line: line_of(text, rule.id_span.clone()),
                        message: format!("rule `{}` names unknown provider `{id}`", rule.id),
                    });
                }
            }
        }
        errors
    }
}

/// Reads a rules or config file as text: `(display name, contents)`; the error names the
/// file and says what kind of file could not be read.
pub fn read_text(path: &Path, what: &str) -> Result<(String, String), RuleError> {
    let name = path.display().to_string();
    let message = match crate::bounded::read(path, MAX_TEXT_FILE) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => return Ok((name, text)),
            Err(_) => format!("{what} is not UTF-8"),
        },
        Err(crate::bounded::ReadError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
            format!("{what} not found")
        }
        Err(e) => format!("cannot read {what}: {e}"),
    };
    Err(RuleError {
        file: name,
        line: 0,
        message,
    })
}

/// The most a rules or config file may hold.
const MAX_TEXT_FILE: u64 = 4 << 20;

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

    /// The one error of a file expected to have exactly one.
    fn single(result: Result<(), RuleErrors>) -> RuleError {
        let mut errors = result.expect_err("the file has an error").0;
        assert_eq!(errors.len(), 1, "{errors:?}");
        errors.remove(0)
    }

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
        let err = single(RuleSet::default().add_file("custom.toml", text));
        assert_eq!(err.file, "custom.toml");
        assert_eq!(err.line, 6);
        assert!(err.message.contains("invalid regex"), "{}", err.message);
    }

    #[test]
    fn missing_secret_group_is_an_error() {
        let text = "[[rule]]\nid = \"x\"\ndescription = \"d\"\nseverity = \"high\"\nkeywords = [\"k\"]\npatterns = ['k[a-z]+']\n";
        let err = single(RuleSet::default().add_file("c.toml", text));
        assert_eq!(err.line, 6);
        assert!(err.message.contains("secret"), "{}", err.message);
    }

    #[test]
    fn unknown_field_and_bad_severity_are_errors_with_lines() {
        let text = "[[rule]]\nid = \"x\"\ndescription = \"d\"\nseverity = \"high\"\nkeywords = [\"k\"]\npatterns = ['k(?P<secret>[a-z]+)']\nentropyy = 3.0\n";
        let err = single(RuleSet::default().add_file("c.toml", text));
        assert_eq!(err.line, 7);
        assert!(err.message.contains("entropyy"), "{}", err.message);
        let text = "[[rule]]\nid = \"x\"\ndescription = \"d\"\nseverity = \"urgent\"\nkeywords = [\"k\"]\npatterns = ['k(?P<secret>[a-z]+)']\n";
        let err = single(RuleSet::default().add_file("c.toml", text));
        assert_eq!(err.line, 4);
    }

    #[test]
    fn require_provider_without_hints_is_an_error() {
        let text = "[[rule]]\nid = \"x\"\ndescription = \"d\"\nseverity = \"high\"\nrequire_provider = true\nkeywords = [\"k\"]\npatterns = ['k(?P<secret>[a-z]+)']\n";
        let err = single(RuleSet::default().add_file("c.toml", text));
        assert_eq!(err.line, 2);
        assert!(err.message.contains("provider_hints"), "{}", err.message);
    }

    #[test]
    fn keyword_must_occur_in_pattern_literally_or_rule_is_rejected() {
        let text = "[[rule]]\nid = \"x\"\ndescription = \"d\"\nseverity = \"high\"\nkeywords = []\npatterns = ['k(?P<secret>[a-z]+)']\n";
        let err = single(RuleSet::default().add_file("c.toml", text));
        assert!(err.message.contains("keyword"), "{}", err.message);
    }
}

#[cfg(test)]
mod strictness_tests {
    use super::*;

    const RULE: &str =
        "[[rule]]\nid = \"x\"\ndescription = \"d\"\nseverity = \"high\"\nkeywords = [\"acme_\"]\n";

    fn errors(text: &str) -> Vec<(usize, String)> {
        let err = RuleSet::builtin()
            .expect("rules")
            .add_file("c.toml", text)
            .expect_err("the file has errors");
        err.0.into_iter().map(|e| (e.line, e.message)).collect()
    }

    #[test]
    fn every_error_is_reported_with_its_line() {
        let text = format!(
            "{RULE}patterns = ['k(?P<secret>[a-z]+)', '\\pL(?P<secret>acme_[a-z]+)']\n\
             [[provider]]\nid = \"p\"\nname = \"P\"\napi_base = \"ftp://x.example\"\n\
             [provider.verify]\nmethod = \"G E T\"\npath = \"/v\"\nauth = \"bearer\"\nlive = []\ndead = []\n"
        );
        let errs = errors(&text);
        assert_eq!(errs.len(), 4, "{errs:?}");
        assert_eq!(errs[0].0, 6);
        assert!(errs[0].1.contains("none of its keywords"), "{}", errs[0].1);
        assert!(errs[1].1.contains("unsupported class"), "{}", errs[1].1);
        assert_eq!(errs[2].0, 10);
        assert!(
            errs[2].1.contains("unsupported scheme `ftp`"),
            "{}",
            errs[2].1
        );
        assert_eq!(errs[3].0, 12);
        assert!(
            errs[3].1.contains("unknown HTTP method `G E T`"),
            "{}",
            errs[3].1
        );
    }

    #[test]
    fn an_account_pointer_must_be_a_json_pointer() {
        let text = "[[provider]]\nid = \"p\"\nname = \"P\"\napi_base = \"https://x.example\"\n\
             [provider.verify]\nmethod = \"GET\"\npath = \"/v\"\nauth = \"bearer\"\nlive = []\ndead = []\n\
             account = \"org_id\"\n";
        assert_eq!(
            errors(text),
            vec![(
                11,
                "provider `p`: verify: account `org_id` must be a JSON pointer starting with `/`"
                    .to_string()
            )]
        );
    }

    #[test]
    fn a_pattern_over_the_compiled_size_limit_is_an_error() {
        let text = format!("{RULE}patterns = ['acme_(?P<secret>[a-z]{{1000}}){{1000}}']\n");
        let errs = errors(&text);
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(
            errs[0].1.contains("too large once compiled"),
            "{}",
            errs[0].1
        );
    }

    #[test]
    fn names_are_checked_each_with_its_line() {
        let text = format!(
            "{RULE}names = [\n  \"acme[_](?:api )?key\",\n  \"(?P<x>acme) key\",\n  \"other key\",\n  \"acme (key\",\n]\n"
        );
        let errs = errors(&text);
        assert_eq!(errs.len(), 3, "{errs:?}");
        assert_eq!(errs[0].0, 8);
        assert!(
            errs[0]
                .1
                .contains("name `(?P<x>acme) key`: has a capture group"),
            "{}",
            errs[0].1
        );
        assert_eq!(errs[1].0, 9);
        assert_eq!(
            errs[1].1,
            "rule `x`: name `other key`: can match a name that contains none of the keywords \
             (`acme_`) in the assignment shape (`otherkey`); add the keyword it needs, or \
             require one in the name"
        );
        assert_eq!(errs[2].0, 10);
        assert!(errs[2].1.contains("invalid regex"), "{}", errs[2].1);
    }

    #[test]
    fn a_rule_needs_patterns_or_names() {
        let errs = errors(RULE);
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(
            errs[0]
                .1
                .contains("needs at least one pattern, name, header or call"),
            "{}",
            errs[0].1
        );
        let mut set = RuleSet::default();
        set.add_file(
            "c.toml",
            &format!("{RULE}names = [\"acme[_](?:api )?key\"]\n"),
        )
        .expect("a rule of names alone is valid");
        assert_eq!(
            set.rules[0].compile().len(),
            7,
            "the patterns of every regex shape"
        );
        assert!(set.rules[0].path_regex().is_some());
    }

    #[test]
    fn headers_and_calls_are_checked() {
        let errs = errors(&format!(
            "{RULE}headers = [\"To ken\"]\ncalls = [\"AcmeClient\", \"createClient\"]\n"
        ));
        let messages: Vec<&str> = errs.iter().map(|e| e.1.as_str()).collect();
        assert_eq!(
            messages,
            [
                "rule `x`: headers need the keyword `authorization` or the scheme (every header \
                 use site holds both)",
                "rule `x`: header scheme `To ken` must be letters (`Token`, `Bearer`)",
                "rule `x`: call `AcmeClient`: holds none of the rule's keywords",
                "rule `x`: call `createClient`: holds none of the rule's keywords",
            ]
        );
    }

    #[test]
    fn a_missing_file_is_not_found_without_a_line() {
        let err = RuleSet::default()
            .add_path(Path::new("/nonexistent/keyhound-rules.toml"))
            .expect_err("missing");
        assert_eq!(
            err.to_string(),
            "/nonexistent/keyhound-rules.toml: rules file not found"
        );
    }
}
