//! The detection engine: one Aho-Corasick pass over all rules' keywords, then each rule's
//! regexes only on small windows around its keyword hits, then the shared filters
//! (validators, entropy, placeholders, `keyhound:allow`), then overlap resolution so one
//! secret occurrence yields one match. Works on raw bytes: invalid UTF-8 is fine.

pub mod placeholder;
mod validate;

use crate::rules::{Rule, RuleSet, Validator};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use memchr::{memchr, memrchr};

/// Inline markers that suppress a finding on their line.
pub const ALLOW_MARKERS: &[&str] = &[
    "keyhound:allow",
    "gitleaks:allow",
    "pragma: allowlist secret",
];

/// Hard cap on how far a window extends past a keyword hit.
const MAX_WINDOW: usize = 4096;
/// How far around a match provider hints are looked for.
const HINT_RADIUS: usize = 1024;

/// One secret occurrence in a buffer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Match {
    /// Index of the rule in [`Detector::rules`].
    pub rule: usize,
    /// Byte offset where the secret (or its encoded form) starts.
    pub start: usize,
    /// Byte offset where it ends.
    pub end: usize,
    /// 1-based line of `start`.
    pub line: u32,
    /// 1-based column (characters) of `start`.
    pub column: u32,
    /// The secret.
    pub secret: String,
    /// Provider id, from the rule or its hints.
    pub provider: Option<String>,
    /// Printable extra context (variable name, Basic client id).
    pub detail: Option<String>,
}

/// A compiled rule set, shareable across threads.
pub struct Detector {
    rules: Vec<Rule>,
    prefilter: AhoCorasick,
    /// For each keyword pattern, the rules that use it.
    keyword_rules: Vec<Vec<usize>>,
}

/// The error when the keyword prefilter cannot be built.
#[derive(Debug, thiserror::Error)]
#[error("cannot build the keyword prefilter: {0}")]
pub struct DetectorError(String);

struct Candidate {
    rule: usize,
    priority: i32,
    start: usize,
    end: usize,
    secret: String,
    provider: Option<String>,
    detail: Option<String>,
}

impl Detector {
    /// Builds the prefilter. Regexes are compiled lazily, on a rule's first keyword hit.
    pub fn new(set: &RuleSet) -> Result<Detector, DetectorError> {
        let rules = set.rules.clone();
        let mut keywords: Vec<String> = Vec::new();
        let mut keyword_rules: Vec<Vec<usize>> = Vec::new();
        for (i, rule) in rules.iter().enumerate() {
            for kw in rule.keywords.iter().flat_map(|k| case_variants(k)) {
                match keywords.iter().position(|k| *k == kw) {
                    Some(p) if !keyword_rules[p].contains(&i) => keyword_rules[p].push(i),
                    Some(_) => {}
                    None => {
                        keywords.push(kw);
                        keyword_rules.push(vec![i]);
                    }
                }
            }
        }
        let prefilter = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostFirst)
            .build(&keywords)
            .map_err(|e| DetectorError(e.to_string()))?;
        Ok(Detector {
            rules,
            prefilter,
            keyword_rules,
        })
    }

    /// The rules, indexed by [`Match::rule`].
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Finds every secret in `data`, one match per occurrence, ordered by position.
    pub fn scan(&self, data: &[u8]) -> Vec<Match> {
        let windows = self.windows(data);
        if windows.is_empty() {
            return Vec::new();
        }
        let mut candidates = Vec::new();
        for (rule, start, end) in windows {
            self.run_rule(rule, data, start, end, &mut candidates);
        }
        resolve_overlaps(data, candidates)
    }

    /// Per rule, the merged byte windows around its keyword hits.
    fn windows(&self, data: &[u8]) -> Vec<(usize, usize, usize)> {
        let mut windows: Vec<(usize, usize, usize)> = Vec::new();
        let mut current: Vec<Option<usize>> = Vec::new();
        for hit in self.prefilter.find_iter(data) {
            if current.is_empty() {
                current = vec![None; self.rules.len()];
            }
            for &rule in &self.keyword_rules[hit.pattern().as_usize()] {
                let start = line_start(data, hit.start());
                let end = window_end(data, hit.end(), self.rules[rule].window_lines);
                match current[rule] {
                    Some(w) if windows[w].2 >= start => windows[w].2 = windows[w].2.max(end),
                    _ => {
                        current[rule] = Some(windows.len());
                        windows.push((rule, start, end));
                    }
                }
            }
        }
        windows
    }

    fn run_rule(&self, index: usize, data: &[u8], ws: usize, we: usize, out: &mut Vec<Candidate>) {
        let rule = &self.rules[index];
        let window = &data[ws..we];
        for regex in rule.compile() {
            let secret_idx = regex.capture_names().position(|n| n == Some("secret"));
            let name_idx = regex.capture_names().position(|n| n == Some("name"));
            let Some(secret_idx) = secret_idx else {
                continue;
            };
            // Not `captures_iter`: after a rejected match the search resumes at its value, so
            // `a: process.env.ZOOM_CLIENT_SECRET || "literal"` still finds the literal whose
            // name sits inside the rejected value (an identifier).
            let mut pos = 0;
            while let Some(caps) = regex.captures_at(window, pos) {
                let (Some(whole), Some(secret)) = (caps.get(0), caps.get(secret_idx)) else {
                    break;
                };
                let name = name_idx.and_then(|i| caps.get(i));
                let accepted = self.candidate(index, data, ws, whole, secret, name);
                pos = match accepted {
                    Some(c) => {
                        out.push(c);
                        whole.end()
                    }
                    None => secret.start().max(whole.start() + 1),
                };
            }
        }
    }

    /// The candidate of one regex match (`whole`, its `secret` and `name` captures) in the
    /// window starting at `ws`, if it passes the checks.
    fn candidate(
        &self,
        index: usize,
        data: &[u8],
        ws: usize,
        whole: regex::bytes::Match,
        secret: regex::bytes::Match,
        name: Option<regex::bytes::Match>,
    ) -> Option<Candidate> {
        // A sentence may end right after a key; an ellipsis marks a placeholder.
        if secret.as_bytes().ends_with(b"..") {
            return None;
        }
        let end = secret.end() - usize::from(secret.as_bytes().ends_with(b"."));
        let span = (ws + secret.start(), ws + end);
        let whole = (ws + whole.start(), ws + whole.end());
        let name = name.map(|m| String::from_utf8_lossy(m.as_bytes()).into_owned());
        self.check(index, data, span, whole, name)
    }

    /// Applies the rule's validator and the shared filters to one regex match.
    fn check(
        &self,
        index: usize,
        data: &[u8],
        span: (usize, usize),
        whole: (usize, usize),
        name: Option<String>,
    ) -> Option<Candidate> {
        let rule = &self.rules[index];
        let raw = std::str::from_utf8(&data[span.0..span.1]).ok()?;
        let (secret, detail) = match rule.validator {
            Validator::None => (
                raw.to_string(),
                name.as_ref().map(|n| format!("variable {n}")),
            ),
            Validator::MixedAlnum => {
                validate::mixed_alnum(raw).then_some(())?;
                (raw.to_string(), None)
            }
            Validator::BasicAuth => {
                let (id, secret) = validate::basic_auth(raw)?;
                (secret, Some(format!("client id {id}")))
            }
        };
        if let Some(min) = rule.min_entropy {
            if placeholder::entropy(secret.as_bytes()) < min {
                return None;
            }
        }
        if rule.placeholder_check && placeholder::is_placeholder(&secret) {
            return None;
        }
        if rule.identifier_check && placeholder::looks_like_identifier(&secret) {
            return None;
        }
        if is_allowed(data, whole.0, whole.1) {
            return None;
        }
        let provider = provider_for(rule, data, whole, name.as_deref());
        if rule.require_provider && provider.is_none() {
            return None;
        }
        Some(Candidate {
            rule: index,
            priority: rule.priority,
            start: span.0,
            end: span.1,
            provider,
            secret,
            detail,
        })
    }
}

/// The spellings a keyword is searched in: as written, lowercase, UPPERCASE and Capitalised.
/// (A case-sensitive search over a few spellings lets the prefilter use SIMD; `camelCase`
/// spellings such as `meetStream` are listed as keywords of their own in the rules.)
fn case_variants(keyword: &str) -> Vec<String> {
    if keyword.is_empty() {
        return Vec::new();
    }
    let lower = keyword.to_ascii_lowercase();
    let mut capital = lower.clone();
    capital[..1].make_ascii_uppercase();
    let mut out = vec![
        keyword.to_string(),
        lower,
        keyword.to_ascii_uppercase(),
        capital,
    ];
    out.sort();
    out.dedup();
    out
}

/// Keeps, among overlapping candidates, the one of highest priority; computes positions.
fn resolve_overlaps(data: &[u8], mut candidates: Vec<Candidate>) -> Vec<Match> {
    candidates.sort_by(|a, b| b.priority.cmp(&a.priority).then(a.start.cmp(&b.start)));
    let mut kept: Vec<Candidate> = Vec::new();
    for c in candidates {
        if !kept.iter().any(|k| k.start < c.end && c.start < k.end) {
            kept.push(c);
        }
    }
    kept.sort_by_key(|c| c.start);
    let mut lines = LineCounter::default();
    kept.into_iter()
        .map(|c| {
            let (line, column) = lines.position(data, c.start);
            Match {
                rule: c.rule,
                start: c.start,
                end: c.end,
                line,
                column,
                secret: c.secret,
                provider: c.provider,
                detail: c.detail,
            }
        })
        .collect()
}

/// Incremental line counting for ascending offsets.
#[derive(Default)]
struct LineCounter {
    offset: usize,
    line: u32,
}

impl LineCounter {
    fn position(&mut self, data: &[u8], at: usize) -> (u32, u32) {
        let newlines = memchr::memchr_iter(b'\n', &data[self.offset..at]).count();
        self.line += u32::try_from(newlines).unwrap_or(u32::MAX);
        self.offset = at;
        let start = line_start(data, at);
        let column = data[start..at]
            .iter()
            .filter(|&&b| b & 0xC0 != 0x80)
            .count()
            + 1;
        (self.line + 1, u32::try_from(column).unwrap_or(u32::MAX))
    }
}

fn line_start(data: &[u8], at: usize) -> usize {
    memrchr(b'\n', &data[..at]).map_or(0, |p| p + 1)
}

fn line_end(data: &[u8], at: usize) -> usize {
    memchr(b'\n', &data[at..]).map_or(data.len(), |p| at + p)
}

/// End of the keyword's line plus `extra` more lines, capped at [`MAX_WINDOW`].
fn window_end(data: &[u8], at: usize, extra: u8) -> usize {
    let cap = (at + MAX_WINDOW).min(data.len());
    let mut end = line_end(data, at);
    for _ in 0..extra {
        if end >= cap {
            break;
        }
        end = line_end(data, end + 1);
    }
    end.min(cap)
}

/// Whether an allow marker sits on any line the match touches.
fn is_allowed(data: &[u8], start: usize, end: usize) -> bool {
    let from = line_start(data, start);
    let to = line_end(data, end.saturating_sub(1).max(start));
    let text = &data[from..to];
    ALLOW_MARKERS
        .iter()
        .any(|m| memchr::memmem::find(text, m.as_bytes()).is_some())
}

/// The provider of a match: a hint word in the matched text, else one near it, else the
/// rule's own provider. A variable name with a prefix of its own (`STRIPE_WEBHOOK_SECRET`,
/// where the rule's keyword is `webhook`) names some other vendor's secret: nearby text does
/// not make it a meeting-bot provider's, so verify and revoke never send it to one.
fn provider_for(
    rule: &Rule,
    data: &[u8],
    whole: (usize, usize),
    name: Option<&str>,
) -> Option<String> {
    if rule.provider_hints.is_empty() {
        return rule.provider.clone();
    }
    let hinted = |text: &[u8]| {
        let text = text.to_ascii_lowercase();
        rule.provider_hints
            .iter()
            .find(|h| {
                h.context.iter().any(|w| {
                    memchr::memmem::find(&text, w.to_ascii_lowercase().as_bytes()).is_some()
                })
            })
            .map(|h| h.provider.clone())
    };
    if let Some(provider) = hinted(&data[whole.0..whole.1]) {
        return Some(provider);
    }
    // (a rule that requires a provider bounds its names in its patterns instead)
    if !rule.require_provider && name.is_some_and(|n| has_own_prefix(rule, n)) {
        return rule.provider.clone();
    }
    let around =
        &data[whole.0.saturating_sub(HINT_RADIUS)..(whole.1 + HINT_RADIUS).min(data.len())];
    hinted(around).or_else(|| rule.provider.clone())
}

/// Whether a variable name starts with something other than one of the rule's keywords.
fn has_own_prefix(rule: &Rule, name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    !rule
        .keywords
        .iter()
        .any(|k| name.starts_with(&k.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests;
