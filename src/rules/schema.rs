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
    #[serde(default)]
    exact_keywords: bool,
    #[serde(default)]
    patterns: Vec<Spanned<String>>,
    #[serde(default)]
    names: Vec<Spanned<String>>,
    #[serde(default)]
    headers: Vec<Spanned<String>>,
    #[serde(default)]
    calls: Vec<Spanned<String>>,
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
    #[serde(default)]
    follow_names: bool,
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
    /// written, lowercase, UPPERCASE and Capitalised (only as written with `exact_keywords`).
    pub keywords: Vec<String>,
    /// Whether the keywords are searched only as written: a token prefix that is always
    /// lowercase (`mts_live_`) needs one spelling of the prefilter's 64, not three.
    pub exact_keywords: bool,
    /// Regexes, each with a named capture `secret`.
    pub patterns: Vec<String>,
    /// Credential names (regex fragments, see [`super::shapes`]): the engine matches every
    /// binding shape of each.
    pub names: Vec<String>,
    /// `Authorization` header schemes (`Token`) whose value may come from a constant: the
    /// engine follows an identifier in such a header to its literal in the same file.
    pub headers: Vec<String>,
    /// SDK calls (regex fragments) that take the key as their first argument (or, written
    /// `call#N`, their N-th), as a literal or an identifier bound to one in the same file.
    pub calls: Vec<String>,
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
    /// Whether an identifier used under one of the names (`sdkSecret: SECRET`, shorthand
    /// `{ sdkSecret }`) is followed to its literal in the same file.
    pub follow_names: bool,
    /// How many lines after a keyword's line a match may extend to.
    pub window_lines: u8,
    /// What to do about a finding, for reports.
    pub remediation: Option<String>,
    pub(crate) id_span: Range<usize>,
    compiled: Arc<OnceLock<Vec<Regex>>>,
    path_regex: Arc<OnceLock<Option<Regex>>>,
    flow: Arc<OnceLock<Vec<(Regex, super::shapes::Use)>>>,
    header_values: Arc<OnceLock<Vec<Regex>>>,
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

    /// Validates the raw rule and compiles its patterns; errors (all of them, not only the
    /// first) name the line in `text`.
    pub fn into_rule(self, file: &str, text: &str) -> Result<Rule, Vec<RuleError>> {
        self.validate(file, text, true)
    }

    /// Like [`RawRule::into_rule`], but leaves compiling to first use: for the built-in rules,
    /// whose patterns a test proves compile, so a scan pays only for rules that fire.
    pub(crate) fn into_rule_lazy(self, file: &str, text: &str) -> Result<Rule, Vec<RuleError>> {
        self.validate(file, text, false)
    }

    fn validate(self, file: &str, text: &str, compile: bool) -> Result<Rule, Vec<RuleError>> {
        let mut errors = Vec::new();
        let mut err = |span: Range<usize>, message: String| {
            errors.push(RuleError {
                file: file.into(),
                line: line_of(text, span),
                message,
            })
        };
        let id = self.id.get_ref().trim().to_string();
        if !super::valid_id(&id) {
            err(
                self.id.span(),
                format!("rule id `{id}` must match [a-z0-9-]+"),
            );
        }
        let severity = parse_severity(self.severity.get_ref());
        if severity.is_none() {
            err(
                self.severity.span(),
                format!(
                    "rule `{id}`: unknown severity `{}` (expected critical, high, medium or low)",
                    self.severity.get_ref()
                ),
            );
        }
        let keywords = self.keywords.get_ref();
        if keywords.iter().all(|k| k.trim().is_empty()) {
            err(
                self.keywords.span(),
                format!("rule `{id}`: needs at least one non-empty keyword (the prefilter)"),
            );
        }
        if self.patterns.is_empty()
            && self.names.is_empty()
            && self.headers.is_empty()
            && self.calls.is_empty()
        {
            err(
                self.id.span(),
                format!("rule `{id}`: needs at least one pattern, name, header or call"),
            );
        }
        for scheme in &self.headers {
            if scheme.get_ref().is_empty()
                || !scheme.get_ref().bytes().all(|b| b.is_ascii_alphabetic())
            {
                err(
                    scheme.span(),
                    format!(
                        "rule `{id}`: header scheme `{}` must be letters (`Token`, `Bearer`)",
                        scheme.get_ref()
                    ),
                );
            }
        }
        let header_keyword = |scheme: &str| {
            keywords
                .iter()
                .any(|k| k.eq_ignore_ascii_case("authorization") || k.eq_ignore_ascii_case(scheme))
        };
        if !self.headers.iter().all(|h| header_keyword(h.get_ref())) {
            err(
                self.keywords.span(),
                format!(
                    "rule `{id}`: headers need the keyword `authorization` or the scheme \
                     (every header use site holds both)"
                ),
            );
        }
        for call in &self.calls {
            for m in check_call(call.get_ref(), keywords) {
                err(
                    call.span(),
                    format!("rule `{id}`: call `{}`: {m}", call.get_ref()),
                );
            }
        }
        if self.require_provider && self.provider_hints.is_empty() {
            err(
                self.id.span(),
                format!("rule `{id}`: require_provider needs provider_hints to attribute a match"),
            );
        }
        let mut compiled = Vec::new();
        for pattern in &self.patterns {
            match check_pattern(pattern.get_ref(), keywords, compile) {
                Ok(regex) => compiled.extend(regex),
                Err(problems) => {
                    for m in problems {
                        err(pattern.span(), format!("rule `{id}`: {m}"));
                    }
                }
            }
        }
        let mut names_valid = true;
        for name in &self.names {
            for m in check_name(name.get_ref(), keywords) {
                names_valid = false;
                err(
                    name.span(),
                    format!("rule `{id}`: name `{}`: {m}", name.get_ref()),
                );
            }
        }
        let names: Vec<String> = self.names.into_iter().map(Spanned::into_inner).collect();
        let headers: Vec<String> = self.headers.into_iter().map(Spanned::into_inner).collect();
        let calls: Vec<String> = self.calls.into_iter().map(Spanned::into_inner).collect();
        let followed: &[String] = if self.follow_names { &names } else { &[] };
        let (use_literals, _) = super::shapes::use_patterns(followed, &headers, &calls);
        if compile && names_valid {
            for pattern in super::shapes::patterns(&names)
                .into_iter()
                .chain(use_literals)
            {
                match build_regex(&pattern) {
                    Ok(regex) => compiled.push(regex),
                    Err(e) => err(
                        self.id.span(),
                        format!("rule `{id}`: names: {}", compile_problem(&e)),
                    ),
                }
            }
        }
        let Some(severity) = severity.filter(|_| errors.is_empty()) else {
            return Err(errors);
        };
        let cell = OnceLock::new();
        if compile {
            let _ = cell.set(compiled);
        }
        Ok(Rule {
            id,
            description: self.description,
            severity,
            provider: self.provider,
            provider_hints: self.provider_hints,
            keywords: self.keywords.into_inner(),
            exact_keywords: self.exact_keywords,
            patterns: self.patterns.into_iter().map(Spanned::into_inner).collect(),
            names,
            headers,
            calls,
            min_entropy: self.min_entropy,
            priority: self.priority,
            validator: self.validator,
            placeholder_check: self.placeholder_check,
            identifier_check: self.identifier_check,
            require_provider: self.require_provider,
            follow_names: self.follow_names,
            window_lines: self.window_lines,
            remediation: self.remediation,
            id_span: self.id.span(),
            compiled: Arc::new(cell),
            path_regex: Arc::default(),
            flow: Arc::default(),
            header_values: Arc::default(),
        })
    }
}

/// The compiled-size limit of one pattern.
pub const PATTERN_SIZE_LIMIT: usize = 32 << 20;

/// Compiles a pattern the way the detector runs it: over bytes, without Unicode classes,
/// within [`PATTERN_SIZE_LIMIT`].
fn build_regex(pattern: &str) -> Result<Regex, regex::Error> {
    regex::bytes::RegexBuilder::new(pattern)
        .unicode(false)
        // `^` and `$` of multi-line patterns honour `\r\n` and lone `\r` too
        .crlf(true)
        .size_limit(PATTERN_SIZE_LIMIT)
        .build()
}

/// Checks that a pattern parses as the detector parses it, has a `secret` capture and
/// requires one of the keywords; with `compile`, also compiles it within the size limit.
/// Every problem found is returned.
fn check_pattern(
    pattern: &str,
    keywords: &[String],
    compile: bool,
) -> Result<Option<Regex>, Vec<String>> {
    let hir = regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build()
        .parse(pattern)
        .map_err(|e| vec![parse_problem(&e)])?;
    let mut problems = Vec::new();
    if !has_secret_group(&hir) {
        problems.push("pattern has no named capture `(?P<secret>...)`".to_string());
    }
    let has_keywords = keywords.iter().any(|k| !k.trim().is_empty());
    if let Some(why) = super::literals::uncovered(&hir, keywords).filter(|_| has_keywords) {
        let listed = keywords
            .iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let example = why
            .example
            .map(|e| format!(" (it can match `{e}`)"))
            .unwrap_or_default();
        problems.push(format!(
            "pattern can match text that contains none of its keywords ({listed}){example}; \
             patterns run only near a keyword, so such a match is never found: \
             add the keyword the pattern requires, or require a keyword in the pattern"
        ));
    }
    let regex = if compile && problems.is_empty() {
        Some(build_regex(pattern).map_err(|e| vec![compile_problem(&e)])?)
    } else {
        None
    };
    if problems.is_empty() {
        Ok(regex)
    } else {
        Err(problems)
    }
}

/// Every problem with one credential name: it must parse as a regex fragment without capture
/// groups that cannot match the empty string, and as every shape spells it, it must require
/// one of the rule's keywords (the first shape where it does not is named).
fn check_name(name: &str, keywords: &[String]) -> Vec<String> {
    let parse = |fragment: &str| {
        regex_syntax::ParserBuilder::new()
            .unicode(false)
            .utf8(false)
            .build()
            .parse(&format!("(?i:{fragment})"))
            .map_err(Box::new)
    };
    match parse(name) {
        Err(e) => return vec![parse_problem(&e)],
        Ok(hir) if hir.properties().explicit_captures_len() > 0 => {
            return vec!["has a capture group; use `(?:...)`".to_string()]
        }
        Ok(hir) if hir.properties().minimum_len().unwrap_or(0) == 0 => {
            return vec!["can match the empty string".to_string()]
        }
        Ok(_) => {}
    }
    if keywords.iter().all(|k| k.trim().is_empty()) {
        return Vec::new();
    }
    for (shape, fragment) in super::shapes::spellings(name) {
        let Ok(hir) = parse(&fragment) else {
            return vec![format!("does not parse as the {shape} shape spells it")];
        };
        if let Some(why) = super::literals::uncovered(&hir, keywords) {
            let example = why.example.map(|e| format!(" (`{e}`)")).unwrap_or_default();
            return vec![format!(
                "can match a name that contains none of the keywords ({}) in the {shape} \
                 shape{example}; add the keyword it needs, or require one in the name",
                keywords
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )];
        }
    }
    Vec::new()
}

/// Every problem with an SDK call fragment: it must parse without capture groups and hold a
/// keyword (the call runs only near one).
fn check_call(call: &str, keywords: &[String]) -> Vec<String> {
    let (call, position) = super::shapes::call_position(call);
    let parsed = regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build()
        .parse(&format!("(?:{call})"));
    match parsed {
        Err(e) => vec![parse_problem(&e)],
        Ok(hir) if hir.properties().explicit_captures_len() > 0 => {
            vec!["has a capture group; use `(?:...)`".to_string()]
        }
        // (a key in a later argument is found when its line holds a keyword: `SDK_SECRET`)
        Ok(hir) if position == 1 && super::literals::uncovered(&hir, keywords).is_some() => {
            vec!["holds none of the rule's keywords".to_string()]
        }
        Ok(_) => Vec::new(),
    }
}

fn parse_problem(e: &regex_syntax::Error) -> String {
    let unicode = matches!(
        e,
        regex_syntax::Error::Translate(t)
            if matches!(t.kind(), regex_syntax::hir::ErrorKind::UnicodeNotAllowed)
    );
    if unicode {
        return "unsupported class: patterns match bytes without Unicode classes \
                (`\\p{..}`, Unicode `\\w`); use ASCII classes such as `[A-Za-z0-9]`"
            .into();
    }
    format!("invalid regex: {}", one_line(&e.to_string()))
}

fn compile_problem(e: &regex::Error) -> String {
    match e {
        regex::Error::CompiledTooBig(limit) => format!(
            "pattern is too large once compiled (over the {} MiB limit): \
             narrow its repetitions",
            limit >> 20
        ),
        other => format!("pattern does not compile: {}", one_line(&other.to_string())),
    }
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
            exact_keywords: false,
            patterns: Vec::new(),
            names: Vec::new(),
            headers: Vec::new(),
            calls: Vec::new(),
            min_entropy: None,
            priority: 0,
            validator: Validator::None,
            placeholder_check: false,
            identifier_check: false,
            require_provider: false,
            follow_names: false,
            window_lines: 0,
            remediation: Some(remediation.to_string()),
            id_span: 0..0,
            compiled: Arc::default(),
            path_regex: Arc::default(),
            flow: Arc::default(),
            header_values: Arc::default(),
        }
    }

    /// The compiled patterns, compiled on first use (so startup pays only for rules whose
    /// keywords actually occur).
    pub fn compile(&self) -> &[Regex] {
        self.compiled.get_or_init(|| {
            // Only built-in rules get here uncompiled, and a test proves each of their
            // patterns compiles; a user rule's patterns were compiled (or rejected) at load.
            self.patterns
                .iter()
                .cloned()
                .chain(super::shapes::patterns(&self.names))
                .chain(
                    super::shapes::use_patterns(self.followed_names(), &self.headers, &self.calls)
                        .0,
                )
                .filter_map(|p| build_regex(&p).ok())
                .collect()
        })
    }

    /// The use-site patterns that capture an identifier (`"Token " + API_KEY`,
    /// `DeepgramClient(KEY)`, `sdkSecret: SECRET`), each with what the identifier's binding must
    /// be, compiled on first use.
    pub fn flow(&self) -> &[(Regex, super::shapes::Use)] {
        self.flow.get_or_init(|| {
            super::shapes::use_patterns(self.followed_names(), &self.headers, &self.calls)
                .1
                .iter()
                .filter_map(|(p, kind)| build_regex(p).ok().map(|r| (r, *kind)))
                .collect()
        })
    }

    /// The names whose use sites are followed (none unless `follow_names`).
    fn followed_names(&self) -> &[String] {
        if self.follow_names {
            &self.names
        } else {
            &[]
        }
    }

    /// The patterns a header value variable's binding must match (`auth = "Token " + KEY`),
    /// anchored at the end of its name, compiled on first use.
    pub fn header_values(&self) -> &[Regex] {
        self.header_values.get_or_init(|| {
            super::shapes::header_value_patterns(&self.headers)
                .iter()
                .filter_map(|p| build_regex(p).ok())
                .collect()
        })
    }

    /// The regex a joined config key path must match for the key-path shape (`None` for a
    /// rule without names), compiled on first use.
    pub fn path_regex(&self) -> Option<&Regex> {
        self.path_regex
            .get_or_init(|| {
                super::shapes::path_pattern(&self.names).and_then(|p| build_regex(&p).ok())
            })
            .as_ref()
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
    pub api_base: Spanned<String>,
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
    pub method: Spanned<String>,
    /// Path (and query) appended to the API base.
    pub path: Spanned<String>,
    /// Auth scheme.
    pub auth: AuthScheme,
    /// Answers that prove the key is live.
    pub live: Vec<AnswerMatch>,
    /// Answers that prove the key is dead.
    pub dead: Vec<AnswerMatch>,
    /// JSON pointer to the account (organisation, workspace) id in a live answer, when the
    /// provider names one. Keys naming the same account share one replacement when revoked;
    /// without it every key needs a replacement of its own.
    #[serde(default)]
    pub account: Option<Spanned<String>>,
}

/// A request that revokes a key.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevokeSpec {
    /// HTTP method.
    pub method: Spanned<String>,
    /// Path appended to the API base.
    pub path: Spanned<String>,
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

/// The HTTP methods a verify or revoke request may use.
pub const METHODS: &[&str] = &["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];

impl Provider {
    /// Every problem with the provider's request facts, each naming its line in `text`: an
    /// API base that is not an `http(s)://` URL with a host, a method that is not one of
    /// [`METHODS`], a path that does not start with `/`. Such a provider's requests could
    /// never be sent.
    pub fn problems(&self, file: &str, text: &str) -> Vec<RuleError> {
        let id = &self.id;
        let at = |span: Range<usize>, message: String| RuleError {
            file: file.into(),
            line: line_of(text, span),
            message: format!("provider `{id}`: {message}"),
        };
        let mut out = Vec::new();
        if let Err(why) = check_api_base(self.api_base.get_ref()) {
            out.push(at(self.api_base.span(), why));
        }
        let requests = [
            self.verify.as_ref().map(|v| ("verify", &v.method, &v.path)),
            self.revoke.as_ref().map(|r| ("revoke", &r.method, &r.path)),
        ];
        let account = self.verify.as_ref().and_then(|v| v.account.as_ref());
        if let Some(pointer) = account.filter(|a| !a.get_ref().starts_with('/')) {
            out.push(at(
                pointer.span(),
                format!(
                    "verify: account `{}` must be a JSON pointer starting with `/`",
                    pointer.get_ref()
                ),
            ));
        }
        for (what, method, path) in requests.into_iter().flatten() {
            if !METHODS.contains(&method.get_ref().to_ascii_uppercase().as_str()) {
                out.push(at(
                    method.span(),
                    format!(
                        "{what}: unknown HTTP method `{}` (expected one of {})",
                        method.get_ref(),
                        METHODS.join(", ")
                    ),
                ));
            }
            if !path.get_ref().starts_with('/') {
                out.push(at(
                    path.span(),
                    format!("{what}: path `{}` must start with `/`", path.get_ref()),
                ));
            }
        }
        out
    }
}

/// An API base must be an `https://` (or, for a local server, `http://`) URL with a host and
/// no credentials, query or fragment.
fn check_api_base(url: &str) -> Result<(), String> {
    let parsed = reqwest::Url::parse(url.trim())
        .map_err(|e| format!("api_base `{url}` is not a URL: {e}"))?;
    if !matches!(parsed.scheme(), "https" | "http") {
        return Err(format!(
            "api_base `{url}`: unsupported scheme `{}` (expected https://)",
            parsed.scheme()
        ));
    }
    let host = parsed.host_str().unwrap_or_default();
    if host.is_empty() {
        return Err(format!("api_base `{url}` has no host"));
    }
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let loopback = host.eq_ignore_ascii_case("localhost")
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    if parsed.scheme() == "http" && !loopback {
        return Err(format!(
            "api_base `{url}`: keys go over HTTPS only (http:// is for loopback addresses)"
        ));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err("api_base must not hold credentials".into());
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(format!("api_base `{url}` takes no query or fragment"));
    }
    Ok(())
}
