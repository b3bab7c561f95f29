//! The TOML schema of a rules file: `[[rule]]` detection rules and `[[provider]]` API facts
//! (verify/revoke endpoints and rotation steps), and the validation of each rule.

use super::{line_of, parse_severity, RuleError};
use crate::finding::Severity;
use regex::bytes::Regex;
use serde::Deserialize;
use std::ops::Range;
use std::sync::{Arc, OnceLock};
use toml::Spanned;

/// The top level of a rules file.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    /// Detection rules.
    #[serde(default)]
    pub rule: Vec<RawRule>,
    /// Providers the rules refer to.
    #[serde(default)]
    pub provider: Vec<Provider>,
}

/// A rule as written in TOML, before validation.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRule {
    id: Spanned<String>,
    description: String,
    severity: Spanned<String>,
    #[serde(default)]
    provider: Option<String>,
    #[serde(default)]
    provider_hints: Vec<ProviderHint>,
    keywords: Spanned<Vec<String>>,
    patterns: Vec<Spanned<String>>,
    #[serde(default)]
    min_entropy: Option<f64>,
    #[serde(default = "default_priority")]
    priority: i32,
    #[serde(default)]
    validator: Validator,
    #[serde(default = "yes")]
    placeholder_check: bool,
    #[serde(default)]
    identifier_check: bool,
    #[serde(default)]
    require_provider: bool,
    #[serde(default = "default_window_lines")]
    window_lines: u8,
    #[serde(default)]
    remediation: Option<String>,
}

fn default_priority() -> i32 {
    50
}
fn default_window_lines() -> u8 {
    1
}
fn yes() -> bool {
    true
}

/// A context word that attributes a match to a provider (e.g. `attendee.dev` near a
/// `Token` header means an Attendee key).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderHint {
    /// Provider id.
    pub provider: String,
    /// Case-insensitive words searched for near the match.
    pub context: Vec<String>,
}

/// Extra structural checks a rule can ask for, implemented in code.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Validator {
    /// No extra check.
    #[default]
    None,
    /// The capture is base64 of `id:secret`; the secret becomes the finding.
    BasicAuth,
    /// The key body must mix upper case, lower case and digits (random base62).
    MixedAlnum,
}

/// A validated detection rule.
#[derive(Clone, Debug)]
pub struct Rule {
    /// Stable id, e.g. `meetso-live-key`.
    pub id: String,
    /// One sentence for humans.
    pub description: String,
    /// Severity of a finding.
    pub severity: Severity,
    /// Provider id, when the rule is specific to one.
    pub provider: Option<String>,
    /// Context words that attribute a match to a provider.
    pub provider_hints: Vec<ProviderHint>,
    /// Cheap literals used as a prefilter: a pattern only runs near one. Each is searched as
    /// written, lowercase, UPPERCASE and Capitalised.
    pub keywords: Vec<String>,
    /// Regexes, each with a named capture `secret`.
    pub patterns: Vec<String>,
    /// Minimum Shannon entropy (bits per character) of the secret.
    pub min_entropy: Option<f64>,
    /// When two rules match overlapping text, the higher priority wins.
    pub priority: i32,
    /// Extra structural check.
    pub validator: Validator,
    /// Whether the shared placeholder filter applies.
    pub placeholder_check: bool,
    /// Whether values that look like identifiers (`API_KEY`, `config.token`) are rejected.
    pub identifier_check: bool,
    /// Whether a match counts only when a provider hint attributes it (a generic name such
    /// as `clientSecret` is a meeting-bot secret only next to that provider's name).
    pub require_provider: bool,
    /// How many lines after a keyword's line a match may extend to.
    pub window_lines: u8,
    /// What to do about a finding, for reports.
    pub remediation: Option<String>,
    pub(crate) id_span: Range<usize>,
    compiled: Arc<OnceLock<Vec<Regex>>>,
}

impl RawRule {
    /// The rule's id as written.
    pub fn id(&self) -> &str {
        self.id.get_ref()
    }

    /// Whether the rule names a provider (directly or by hints), so its findings are verified.
    pub fn names_provider(&self) -> bool {
        self.provider.is_some() || !self.provider_hints.is_empty()
    }

    /// Validates the raw rule; errors name the line in `text`.
    pub fn into_rule(self, file: &str, text: &str) -> Result<Rule, RuleError> {
        let err = |span: Range<usize>, message: String| RuleError {
            file: file.into(),
            line: line_of(text, span),
            message,
        };
        let id = self.id.get_ref().trim().to_string();
        if !super::valid_id(&id) {
            return Err(err(
                self.id.span(),
                format!("rule id `{id}` must match [a-z0-9-]+"),
            ));
        }
        let severity = parse_severity(self.severity.get_ref()).ok_or_else(|| {
            err(
                self.severity.span(),
                format!(
                    "rule `{id}`: unknown severity `{}` (expected critical, high, medium or low)",
                    self.severity.get_ref()
                ),
            )
        })?;
        if self.keywords.get_ref().iter().all(|k| k.trim().is_empty()) {
            return Err(err(
                self.keywords.span(),
                format!("rule `{id}`: needs at least one non-empty keyword (the prefilter)"),
            ));
        }
        if self.patterns.is_empty() {
            return Err(err(
                self.id.span(),
                format!("rule `{id}`: needs at least one pattern"),
            ));
        }
        if self.require_provider && self.provider_hints.is_empty() {
            return Err(err(
                self.id.span(),
                format!("rule `{id}`: require_provider needs provider_hints to attribute a match"),
            ));
        }
        for pattern in &self.patterns {
            check_pattern(pattern.get_ref())
                .map_err(|m| err(pattern.span(), format!("rule `{id}`: {m}")))?;
        }
        Ok(Rule {
            id,
            description: self.description,
            severity,
            provider: self.provider,
            provider_hints: self.provider_hints,
            keywords: self.keywords.into_inner(),
            patterns: self.patterns.into_iter().map(Spanned::into_inner).collect(),
            min_entropy: self.min_entropy,
            priority: self.priority,
            validator: self.validator,
            placeholder_check: self.placeholder_check,
            identifier_check: self.identifier_check,
            require_provider: self.require_provider,
            window_lines: self.window_lines,
            remediation: self.remediation,
            id_span: self.id.span(),
            compiled: Arc::default(),
        })
    }
}

/// Checks that a pattern parses and has a `secret` capture, without compiling it.
fn check_pattern(pattern: &str) -> Result<(), String> {
    let hir = regex_syntax::ParserBuilder::new()
        .utf8(false)
        .build()
        .parse(pattern)
        .map_err(|e| format!("invalid regex: {}", one_line(&e.to_string())))?;
    if !has_secret_group(&hir) {
        return Err("pattern has no named capture `(?P<secret>...)`".into());
    }
    Ok(())
}

fn has_secret_group(hir: &regex_syntax::hir::Hir) -> bool {
    use regex_syntax::hir::HirKind;
    match hir.kind() {
        HirKind::Capture(c) => c.name.as_deref() == Some("secret") || has_secret_group(&c.sub),
        HirKind::Concat(v) | HirKind::Alternation(v) => v.iter().any(has_secret_group),
        HirKind::Repetition(r) => has_secret_group(&r.sub),
        _ => false,
    }
}

fn one_line(s: &str) -> String {
    s.lines()
        .rfind(|l| !l.trim().is_empty())
        .unwrap_or(s)
        .trim()
        .to_string()
}

impl Rule {
    /// A rule implemented in code rather than by patterns (e.g. `dotenv-committed`, a tracked
    /// env file). It has no keywords or patterns, so the detector never runs it; it exists so
    /// listings and reports (SARIF rule metadata) can describe its findings.
    pub fn coded(id: &str, description: &str, severity: Severity, remediation: &str) -> Rule {
        Rule {
            id: id.to_string(),
            description: description.to_string(),
            severity,
            provider: None,
            provider_hints: Vec::new(),
            keywords: Vec::new(),
            patterns: Vec::new(),
            min_entropy: None,
            priority: 0,
            validator: Validator::None,
            placeholder_check: false,
            identifier_check: false,
            require_provider: false,
            window_lines: 0,
            remediation: Some(remediation.to_string()),
            id_span: 0..0,
            compiled: Arc::default(),
        }
    }

    /// The compiled patterns, compiled on first use (so startup pays only for rules whose
    /// keywords actually occur).
    pub fn compile(&self) -> &[Regex] {
        self.compiled.get_or_init(|| {
            self.patterns
                .iter()
                .filter_map(|p| {
                    regex::bytes::RegexBuilder::new(p)
                        .unicode(false)
                        .size_limit(32 << 20)
                        .build()
                        .ok()
                })
                .collect()
        })
    }

    /// Raises or lowers the entropy threshold (from the config file).
    pub fn set_min_entropy(&mut self, value: f64) {
        self.min_entropy = Some(value);
    }
}

/// API facts about a credential's provider: how to check a key and how to revoke it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provider {
    /// Stable id used on the command line (`--endpoint meetso=URL`).
    pub id: String,
    /// Display name.
    pub name: String,
    /// API base URL; requests only ever go here (or to an explicit override).
    pub api_base: String,
    /// Where a person manages keys.
    #[serde(default)]
    pub dashboard: Option<String>,
    /// Rate limits per key.
    #[serde(default)]
    pub rate_limit: Option<RateLimit>,
    /// How to check whether a key is live.
    #[serde(default)]
    pub verify: Option<VerifySpec>,
    /// How to revoke a key through the API, when the provider (or the user) declares one.
    #[serde(default)]
    pub revoke: Option<RevokeSpec>,
    /// The human rotation procedure for the checklist.
    #[serde(default)]
    pub rotation: Option<RotationSpec>,
}

/// Per-key rate limits.
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimit {
    /// Burst: requests per second.
    pub per_second: u32,
    /// Sustained: requests per minute.
    pub per_minute: u32,
}

/// How the key is presented to the API.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthScheme {
    /// `Authorization: Bearer <key>`.
    Bearer,
    /// `Authorization: Token <key>`.
    Token,
}

/// A request that tells live keys from dead ones.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifySpec {
    /// HTTP method.
    pub method: String,
    /// Path (and query) appended to the API base.
    pub path: String,
    /// Auth scheme.
    pub auth: AuthScheme,
    /// Answers that prove the key is live.
    pub live: Vec<AnswerMatch>,
    /// Answers that prove the key is dead.
    pub dead: Vec<AnswerMatch>,
}

/// A request that revokes a key.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevokeSpec {
    /// HTTP method.
    pub method: String,
    /// Path appended to the API base.
    pub path: String,
    /// Auth scheme.
    pub auth: AuthScheme,
    /// JSON body template; `{key_sha256}` is replaced by the key's hash.
    #[serde(default)]
    pub body: Option<String>,
    /// Statuses that mean revoked.
    pub success: Vec<u16>,
    /// Answers that mean the key was already dead (success, idempotent).
    #[serde(default)]
    pub already_dead: Vec<AnswerMatch>,
}

/// A pattern over an HTTP answer: its status and, optionally, what its JSON body holds.
///
/// - `{ status = 401 }`: the status alone.
/// - `{ status = 200, json_pointer = "" }`: the status and a body that parses as JSON (the
///   empty pointer is the whole document, RFC 6901), so an HTML page from a proxy or captive
///   portal with the same status does not match.
/// - `{ status = 404, json_pointer = "/detail" }`: the pointer exists in a JSON body.
/// - `{ status = 403, json_pointer = "/error/code", equals = "scope_missing" }`: the string at
///   the pointer equals the value.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerMatch {
    /// HTTP status.
    pub status: u16,
    /// JSON pointer into the body (e.g. `/error/code`); the body must be JSON when set.
    #[serde(default)]
    pub json_pointer: Option<String>,
    /// Required string value at the pointer (needs `json_pointer`).
    #[serde(default)]
    pub equals: Option<String>,
}

/// The provider's zero-downtime rotation procedure, for the checklist.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RotationSpec {
    /// Ordered steps.
    pub steps: Vec<String>,
    /// Provider specifics (scopes, dashboards, caches).
    #[serde(default)]
    pub notes: Vec<String>,
}
