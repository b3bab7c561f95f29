//! The detection engine: one Aho-Corasick pass over all rules' keywords, then each rule's
//! regexes only on small windows around its keyword hits, then the shared filters
//! (validators, entropy, placeholders, `keyhound:allow`), then overlap resolution so one
//! secret occurrence yields one match. Works on raw bytes: invalid UTF-8 is fine.

mod dictionary;
mod doc;
mod flow;
#[cfg(test)]
mod flow_tests;
pub mod keypath;
pub mod lines;
pub mod placeholder;
mod prose;
mod validate;

use crate::rules::shapes::{Use, SCHEME_WORDS};
use crate::rules::{Rule, RuleSet, Validator};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use flow::HeaderValue;
use lines::{Cursor, LineIndex};
use std::cell::{Cell, OnceCell, RefCell};
use std::collections::{BTreeMap, HashMap};

/// Inline markers that suppress a finding on their line.
pub const ALLOW_MARKERS: &[&str] = &[
    "keyhound:allow",
    "gitleaks:allow",
    "pragma: allowlist secret",
];

/// Hard cap on how far a window extends before and past a keyword hit.
const MAX_WINDOW: usize = 4096;
/// Windows of one rule are merged while the merged window stays this short; on a megabyte
/// line of hits the next window starts afresh (overlapping the last by at most
/// [`MAX_WINDOW`]), so no regex search runs over a whole huge line.
const MAX_MERGED: usize = 64 * 1024;
/// Where an identifier is bound to a literal: (start of the name, the literal's span).
type Binding = (usize, (usize, usize));
/// Header value variables looked up, per (rule, name): where each is bound and to what.
type HeaderValues = HashMap<(usize, String), Option<(usize, HeaderValue)>>;

/// How many distinct identifiers a buffer's use sites may look up bindings for.
const MAX_LOOKUPS: usize = 64;
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

/// (rule, window start, window end) of a window; (line start, line end, hit) of an opener.
type Span3 = (usize, usize, usize);

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
            for kw in rule
                .keywords
                .iter()
                .flat_map(|k| case_variants(k, rule.exact_keywords))
            {
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
        self.scan_with_work(data).0
    }

    /// [`Detector::scan`], also saying how much work it took (for tests and benchmarks that
    /// check the work grows linearly with the input).
    pub fn scan_with_work(&self, data: &[u8]) -> (Vec<Match>, Work) {
        let buffer = Buffer::new(data);
        let (windows, openers) = self.windows(&buffer);
        if windows.is_empty() {
            return (Vec::new(), buffer.work.get());
        }
        let mut candidates = Vec::new();
        for (rule, start, end) in windows {
            self.run_rule(rule, &buffer, start, end, &mut candidates);
        }
        self.key_paths(&buffer, &openers, &mut candidates);
        self.generic_comparisons(&buffer, &openers, &mut candidates);
        self.prose_documents(&buffer, &openers, &mut candidates);
        let matches = resolve_overlaps(&buffer, candidates);
        (matches, buffer.work.get())
    }

    /// Per rule, the merged byte windows around its keyword hits: from the hit's line start
    /// (at most [`MAX_WINDOW`] before it) to the end of its line plus the rule's extra lines
    /// (at most [`MAX_WINDOW`] past it).
    /// Also returns the lines where a keyword of a rule with names was hit (line start, line
    /// end, hit), which may open a config section (the key-path shape).
    fn windows(&self, buffer: &Buffer) -> (Vec<Span3>, Vec<Span3>) {
        let data = buffer.data;
        let mut windows: Vec<(usize, usize, usize)> = Vec::new();
        let mut openers: Vec<(usize, usize, usize)> = Vec::new();
        let mut current: Vec<Option<usize>> = Vec::new();
        let mut own_line = Cursor::new(data);
        let mut next_lines = Cursor::new(data);
        for hit in self.prefilter.find_iter(data) {
            if current.is_empty() {
                current = vec![None; self.rules.len()];
            }
            let start = own_line.line_start(hit.start(), hit.start().saturating_sub(MAX_WINDOW));
            let cap = hit.end() + MAX_WINDOW;
            let first_end = own_line.line_end(hit.end(), cap);
            let rules = &self.keyword_rules[hit.pattern().as_usize()];
            let named = rules.iter().any(|&r| !self.rules[r].names.is_empty());
            if named && openers.last().is_none_or(|o| o.0 != start) {
                openers.push((start, first_end, hit.start()));
            }
            for &rule in rules {
                let mut end = first_end;
                for _ in 0..self.rules[rule].window_lines {
                    if end >= cap.min(data.len()) {
                        break;
                    }
                    end = next_lines.line_end(lines::after_break(data, end), cap);
                }
                match current[rule] {
                    Some(w) if windows[w].2 >= start && end - windows[w].1 <= MAX_MERGED => {
                        windows[w].2 = windows[w].2.max(end);
                    }
                    _ => {
                        current[rule] = Some(windows.len());
                        windows.push((rule, start, end));
                    }
                }
            }
        }
        buffer.add(|w| w.line_bytes += own_line.examined + next_lines.examined);
        (windows, openers)
    }

    /// The key-path shape: walks each config section a keyword line opens (`zoom:`, `[zoom]`,
    /// `"deepgram": {`) and matches every leaf's dotted key path against the rules' names. A
    /// section inside one already walked is skipped: the outer walk saw its keys.
    fn key_paths(
        &self,
        buffer: &Buffer,
        openers: &[(usize, usize, usize)],
        out: &mut Vec<Candidate>,
    ) {
        let mut walked = 0;
        for &(start, end, hit) in openers {
            if start < walked {
                continue;
            }
            let Some(opener) = keypath::opener(buffer.data, start, end, hit) else {
                continue;
            };
            let (leaves, reached) = keypath::leaves(buffer.data, &opener, end);
            buffer.add(|w| w.line_bytes += reached.saturating_sub(end) as u64);
            walked = reached;
            for leaf in leaves {
                self.key_path_leaf(buffer, &leaf, out);
            }
        }
    }

    /// The candidates of one config leaf: each rule whose names its key path matches. A leaf
    /// key not made of generic words (`GOOGLE_CLIENT_SECRET` under `zoom:`) counts only when
    /// it matches a name by itself.
    fn key_path_leaf(&self, buffer: &Buffer, leaf: &keypath::Leaf, out: &mut Vec<Candidate>) {
        let key = leaf.path.rsplit('.').next().unwrap_or_default();
        let generic = crate::rules::shapes::is_generic_key(key);
        for (index, rule) in self.rules.iter().enumerate() {
            let Some(regex) = rule.path_regex() else {
                continue;
            };
            if !generic && !regex.is_match(key.as_bytes()) {
                continue;
            }
            let Some(caps) = regex.captures(leaf.path.as_bytes()) else {
                continue;
            };
            let core = caps.name("core").map_or(0, |m| m.start());
            let own = leaf.path[..core].rsplit('.').next().unwrap_or_default();
            if rule.require_provider && !crate::rules::shapes::is_framework_prefix(own) {
                continue;
            }
            let whole = (leaf.key_start, leaf.value.1);
            if let Some(mut c) = self.check(
                index,
                buffer,
                leaf.value,
                whole,
                Some(leaf.path.clone()),
                None,
            ) {
                c.detail = Some(format!("key {}", leaf.path));
                out.push(c);
            }
        }
    }

    fn run_rule(
        &self,
        index: usize,
        buffer: &Buffer,
        ws: usize,
        we: usize,
        out: &mut Vec<Candidate>,
    ) {
        let rule = &self.rules[index];
        // The regex sees the bytes before the window (for `^` and `\b`) but nothing past it.
        let haystack = &buffer.data[..we];
        for regex in rule.compile() {
            let secret_idx = regex.capture_names().position(|n| n == Some("secret"));
            let name_idx = regex.capture_names().position(|n| n == Some("name"));
            let core_idx = regex.capture_names().position(|n| n == Some("core"));
            // a label in prose or a comparison counts only when a provider is named; a label
            // also only when no other vendor's word stands before it
            let label = regex.capture_names().any(|n| n == Some("label"));
            let attributed = label || regex.capture_names().any(|n| n == Some("attributed"));
            let Some(secret_idx) = secret_idx else {
                continue;
            };
            // Not `captures_iter`: after a rejected match the search resumes at its value, so
            // `a: process.env.ZOOM_CLIENT_SECRET || "literal"` still finds the literal whose
            // name sits inside the rejected value (an identifier).
            let mut pos = ws;
            loop {
                let caps = regex.captures_at(haystack, pos);
                let reached = caps.as_ref().and_then(|c| c.get(0)).map_or(we, |m| m.end());
                buffer.add(|w| w.regex_bytes += reached.saturating_sub(pos) as u64);
                let Some(caps) = caps else { break };
                let (Some(whole), Some(secret)) = (caps.get(0), caps.get(secret_idx)) else {
                    break;
                };
                let name = name_idx.and_then(|i| caps.get(i));
                let core = core_idx.and_then(|i| caps.get(i));
                let foreign = foreign_prefix(rule, haystack, name, core)
                    || (label
                        && name.is_some_and(|n| {
                            prose::foreign_label(rule, haystack, (n.start(), n.end()))
                        }));
                let accepted = if foreign {
                    None
                } else {
                    self.candidate(index, buffer, whole, secret, name)
                        .filter(|c| !attributed || c.provider.is_some())
                        .map(|c| prose::labelled_detail(c, label, name))
                };
                pos = match accepted {
                    Some(c) => {
                        out.push(c);
                        whole.end().max(pos + 1)
                    }
                    None => secret.start().max(whole.start() + 1),
                };
                if pos > we {
                    break;
                }
            }
        }
        self.run_flow(index, buffer, (ws, we), out);
    }

    /// Value flow: each use site in the window that names an identifier (`"Token " + KEY`,
    /// `DeepgramClient(KEY)`, `sdkSecret: SECRET`, `setRequestProperty("Authorization", auth)`)
    /// that leads to a literal in the same buffer yields a candidate at the literal, naming
    /// the use site's line. Runs only on the rule's keyword windows.
    fn run_flow(
        &self,
        index: usize,
        buffer: &Buffer,
        window: (usize, usize),
        out: &mut Vec<Candidate>,
    ) {
        let (ws, we) = window;
        let haystack = &buffer.data[..we];
        let rule = &self.rules[index];
        for (regex, kind) in rule.flow() {
            let mut pos = ws;
            while let Some(caps) = regex.captures_at(haystack, pos) {
                let (Some(whole), Some(ident)) = (caps.get(0), caps.name("ident")) else {
                    break;
                };
                buffer.add(|w| w.regex_bytes += (whole.end() - pos) as u64);
                pos = whole.end().max(pos + 1);
                let call = caps
                    .name("next")
                    .is_some_and(|n| matches!(n.as_bytes(), b"(" | b"["));
                if call {
                    continue;
                }
                let ident_text = String::from_utf8_lossy(ident.as_bytes());
                let Some((name, at, span)) = self.follow(index, buffer, &ident_text, *kind) else {
                    continue;
                };
                let used = (whole.start(), whole.end());
                if let Some(mut c) = self.check(
                    index,
                    buffer,
                    span,
                    (at, span.1),
                    Some(name.clone()),
                    Some(used),
                ) {
                    let line = buffer.lines().line_of(ident.start()) + 1;
                    c.detail = Some(format!("variable {name}, used at line {line}"));
                    out.push(c);
                }
            }
            buffer.add(|w| w.regex_bytes += we.saturating_sub(pos) as u64);
        }
    }

    /// The literal a use site's identifier leads to: (the name bound to it, where that name
    /// is bound, the literal's span). A header value variable is followed one step further,
    /// through its scheme expression (`auth = "Token " + KEY` → `KEY = "…"`).
    fn follow(
        &self,
        index: usize,
        buffer: &Buffer,
        ident: &str,
        kind: Use,
    ) -> Option<(String, usize, (usize, usize))> {
        let name = flow::bound_name(ident);
        match kind {
            Use::Value => buffer.literal(name),
            Use::HeaderValue if SCHEME_WORDS.contains(&name.to_ascii_lowercase().as_str()) => None,
            Use::HeaderValue => match buffer.header_value(index, &self.rules[index], name)? {
                (at, HeaderValue::Literal(span)) => Some((name.to_string(), at, span)),
                (_, HeaderValue::Ident(next)) => buffer.literal(flow::bound_name(&next)),
            },
        }
    }

    /// The candidate of one regex match (`whole`, its `secret` and `name` captures), if it
    /// passes the checks.
    fn candidate(
        &self,
        index: usize,
        buffer: &Buffer,
        whole: regex::bytes::Match,
        secret: regex::bytes::Match,
        name: Option<regex::bytes::Match>,
    ) -> Option<Candidate> {
        // A sentence may end right after a key; an ellipsis marks a placeholder.
        if secret.as_bytes().ends_with(b"..") {
            return None;
        }
        let end = secret.end() - usize::from(secret.as_bytes().ends_with(b"."));
        let span = (secret.start(), end);
        let whole = (whole.start(), whole.end());
        let name = name.map(|m| String::from_utf8_lossy(m.as_bytes()).into_owned());
        self.check(index, buffer, span, whole, name, None)
    }

    /// Applies the rule's validator and the shared filters to one regex match (or, for value
    /// flow, to a literal and the span of the site that `used` it, where provider hints are
    /// looked for too).
    fn check(
        &self,
        index: usize,
        buffer: &Buffer,
        span: (usize, usize),
        whole: (usize, usize),
        name: Option<String>,
        used: Option<(usize, usize)>,
    ) -> Option<Candidate> {
        let rule = &self.rules[index];
        let data = buffer.data;
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
                // The client id can be a credential too: it is redacted like one.
                (
                    secret,
                    Some(format!("client id {}", crate::finding::redact(&id))),
                )
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
        if buffer.is_allowed(whole.0, whole.1) {
            return None;
        }
        let provider = provider_for(rule, data, whole, name.as_deref())
            .or_else(|| used.and_then(|u| provider_near(rule, data, u)));
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

/// The spellings a keyword is searched in: as written, lowercase, UPPERCASE and Capitalised,
/// or only as written when `exact`.
/// (A case-sensitive search over a few spellings lets the prefilter use SIMD; `camelCase`
/// spellings such as `meetStream` are listed as keywords of their own in the rules.)
fn case_variants(keyword: &str, exact: bool) -> Vec<String> {
    if keyword.is_empty() {
        return Vec::new();
    }
    if exact {
        return vec![keyword.to_string()];
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

/// What one [`Detector::scan_with_work`] call did, in bytes and steps: each grows linearly
/// with the input, whatever its shape.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Work {
    /// Bytes searched for line starts and ends around keyword hits.
    pub line_bytes: u64,
    /// Bytes regex searches ran over.
    pub regex_bytes: u64,
    /// Bytes indexed or counted for line numbers, columns and allow markers.
    pub position_bytes: u64,
    /// Candidates checked against earlier ones for overlaps.
    pub overlap_checks: u64,
}

/// One buffer being scanned, with what is computed about it at most once: its line index
/// and allow markers (only once a candidate needs them), and the work counters.
struct Buffer<'a> {
    data: &'a [u8],
    lines: OnceCell<LineIndex>,
    /// Start and end of every allow marker, ascending.
    markers: OnceCell<Vec<(usize, usize)>>,
    /// Identifier bindings looked up by use sites.
    bindings: RefCell<HashMap<String, Option<Binding>>>,
    /// Header value variables looked up by a rule's header use sites.
    header_values: RefCell<HeaderValues>,
    work: Cell<Work>,
}

impl<'a> Buffer<'a> {
    fn new(data: &'a [u8]) -> Buffer<'a> {
        Buffer {
            data,
            lines: OnceCell::new(),
            markers: OnceCell::new(),
            bindings: RefCell::default(),
            header_values: RefCell::default(),
            work: Cell::new(Work::default()),
        }
    }

    /// The literal `name` is bound to in this buffer ([`flow::binding`]), looked up once per
    /// name and for at most [`MAX_LOOKUPS`] names, so use sites cost linear time.
    fn binding(&self, name: &str) -> Option<Binding> {
        let mut cache = self.bindings.borrow_mut();
        if let Some(found) = cache.get(name) {
            return *found;
        }
        if cache.len() + self.header_values.borrow().len() >= MAX_LOOKUPS {
            return None;
        }
        let mut work = 0;
        let found = flow::binding(self.data, name, &mut work);
        self.add(|w| w.regex_bytes += work);
        cache.insert(name.to_string(), found);
        found
    }

    /// The literal an identifier names, as written or (Kotlin's `"$KEY"` against PHP's
    /// `$key = …`) with its `$` sigil added or dropped: (the name bound, the binding).
    fn literal(&self, name: &str) -> Option<(String, usize, (usize, usize))> {
        if !name.bytes().any(|b| b.is_ascii_alphanumeric()) {
            return None;
        }
        let other = match name.strip_prefix('$') {
            Some(bare) => bare.to_string(),
            None => format!("${name}"),
        };
        [name.to_string(), other].into_iter().find_map(|n| {
            let (at, span) = self.binding(&n)?;
            Some((n, at, span))
        })
    }

    /// The scheme expression a header value variable is bound to ([`flow::header_value`]) for
    /// the rule `index`, looked up once per rule and name, within [`MAX_LOOKUPS`] too.
    fn header_value(&self, index: usize, rule: &Rule, name: &str) -> Option<(usize, HeaderValue)> {
        let key = (index, name.to_string());
        if let Some(found) = self.header_values.borrow().get(&key) {
            return found.clone();
        }
        if self.bindings.borrow().len() + self.header_values.borrow().len() >= MAX_LOOKUPS
            || !name.bytes().any(|b| b.is_ascii_alphanumeric())
        {
            return None;
        }
        let mut work = 0;
        let found = flow::header_value(self.data, name, rule.header_values(), &mut work);
        self.add(|w| w.regex_bytes += work);
        self.header_values.borrow_mut().insert(key, found.clone());
        found
    }

    fn add(&self, f: impl FnOnce(&mut Work)) {
        let mut work = self.work.get();
        f(&mut work);
        self.work.set(work);
    }

    fn lines(&self) -> &LineIndex {
        self.lines.get_or_init(|| {
            self.add(|w| w.position_bytes += self.data.len() as u64);
            LineIndex::new(self.data)
        })
    }

    fn markers(&self) -> &[(usize, usize)] {
        self.markers.get_or_init(|| {
            let mut found: Vec<(usize, usize)> = ALLOW_MARKERS
                .iter()
                .flat_map(|m| {
                    memchr::memmem::find_iter(self.data, m.as_bytes()).map(|p| (p, p + m.len()))
                })
                .collect();
            found.sort_unstable();
            self.add(|w| w.position_bytes += (self.data.len() * ALLOW_MARKERS.len()) as u64);
            found
        })
    }

    /// Whether an allow marker sits on any line the match `start..end` touches.
    fn is_allowed(&self, start: usize, end: usize) -> bool {
        let markers = self.markers();
        if markers.is_empty() {
            return false;
        }
        let lines = self.lines();
        let from = lines.start(lines.line_of(start));
        let to = lines.end(self.data, lines.line_of(end.saturating_sub(1).max(start)));
        let first = markers.partition_point(|&(s, _)| s < from);
        markers.get(first).is_some_and(|&(_, e)| e <= to)
    }
}

/// Keeps, among overlapping candidates, the one of highest priority; computes positions.
/// Kept candidates never overlap one another, so the one starting last before a new
/// candidate's end is the only one it can overlap: one ordered-map lookup each.
fn resolve_overlaps(buffer: &Buffer, mut candidates: Vec<Candidate>) -> Vec<Match> {
    candidates.sort_by(|a, b| b.priority.cmp(&a.priority).then(a.start.cmp(&b.start)));
    let checks = candidates.len() as u64;
    let mut kept: BTreeMap<usize, Candidate> = BTreeMap::new();
    for c in candidates {
        let overlaps = kept
            .range(..c.end)
            .next_back()
            .is_some_and(|(_, k)| k.end > c.start);
        if !overlaps {
            kept.insert(c.start, c);
        }
    }
    buffer.add(|w| w.overlap_checks += checks);
    let mut columns = ColumnCounter::default();
    let matches = kept
        .into_values()
        .map(|c| {
            let (line, column) = columns.position(buffer, c.start);
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
        .collect();
    buffer.add(|w| w.position_bytes += columns.counted);
    matches
}

/// Line (from the index) and column (counted incrementally) for ascending offsets.
#[derive(Default)]
struct ColumnCounter {
    /// The previous offset, its 0-based line and 1-based column.
    last: Option<(usize, usize, usize)>,
    counted: u64,
}

impl ColumnCounter {
    fn position(&mut self, buffer: &Buffer, at: usize) -> (u32, u32) {
        let lines = buffer.lines();
        let line = lines.line_of(at);
        let (from, base) = match self.last {
            Some((offset, l, column)) if l == line && offset <= at => (offset, column),
            _ => (lines.start(line), 1),
        };
        let column = base + chars(&buffer.data[from..at]);
        self.counted += (at - from) as u64;
        self.last = Some((at, line, column));
        let clamp = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        (clamp(line + 1), clamp(column))
    }
}

/// The number of UTF-8 characters in `bytes` (continuation bytes do not count).
fn chars(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b & 0xC0 != 0x80).count()
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
    let hinted = |text: &[u8]| hint_in(rule, text);
    if let Some(provider) = hinted(&data[whole.0..whole.1]) {
        return Some(provider);
    }
    // a key path names its parent keys (`zoom.client_secret`), which the match does not hold
    if let Some(provider) = name.and_then(|n| hinted(n.as_bytes())) {
        return Some(provider);
    }
    // (a rule that requires a provider bounds its names in its patterns instead)
    // (a constant a header or SDK call uses is named by its code, not by a vendor)
    let named_credential = !rule.names.is_empty();
    if named_credential && !rule.require_provider && name.is_some_and(|n| has_own_prefix(rule, n)) {
        return rule.provider.clone();
    }
    provider_near(rule, data, whole).or_else(|| rule.provider.clone())
}

/// The provider a hint word within [`HINT_RADIUS`] of `span` names (`ZoomMtg.init(…)` next to
/// a use site names Zoom even when the literal it uses sits far from any mention of Zoom).
fn provider_near(rule: &Rule, data: &[u8], span: (usize, usize)) -> Option<String> {
    let around = &data[span.0.saturating_sub(HINT_RADIUS)..(span.1 + HINT_RADIUS).min(data.len())];
    hint_in(rule, around)
}

/// The provider of the first of the rule's hints whose context word `text` holds.
fn hint_in(rule: &Rule, text: &[u8]) -> Option<String> {
    let text = text.to_ascii_lowercase();
    rule.provider_hints
        .iter()
        .find(|h| {
            h.context
                .iter()
                .any(|w| memchr::memmem::find(&text, w.to_ascii_lowercase().as_bytes()).is_some())
        })
        .map(|h| h.provider.clone())
}

/// Whether a name a rule requires a provider for carries a prefix of its own before the
/// rule's credential name (`GOOGLE_CLIENT_SECRET`, `googleClientSecret`): some other vendor's
/// secret. A framework prefix (`VITE_`, `NEXT_PUBLIC_`) is nobody's.
fn foreign_prefix(
    rule: &Rule,
    data: &[u8],
    name: Option<regex::bytes::Match>,
    core: Option<regex::bytes::Match>,
) -> bool {
    let (true, Some(name), Some(core)) = (rule.require_provider, name, core) else {
        return false;
    };
    let prefix = String::from_utf8_lossy(&data[name.start()..core.start()]);
    !crate::rules::shapes::is_framework_prefix(&prefix)
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

#[cfg(test)]
mod linear_tests;
