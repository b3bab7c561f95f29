//! Credentials written in prose and compared in code: the guard of the engine's `label` and
//! `comparison` shapes (`**Client Secret**: v`, `Deepgram API key: v`, `zoomSecret !== 'v'`)
//! and the comparisons of generic identifiers (`secret !== 'v'`, `token == "v"`) on a line
//! that names a provider.
//!
//! A label in prose is a meeting-bot credential only when the document is about the
//! provider: the words right before it name no other vendor (`Stripe Client Secret` is
//! Stripe's), and the label or the text near it names a provider (the detector's provider
//! hints, as for `require_provider`). Comparisons of generic identifiers run only on lines
//! with a keyword hit (the detector's openers), so lines without keywords cost nothing.

use super::{doc, Buffer, Candidate, Detector, Span3};
use crate::rules::shapes::{is_framework_prefix, is_generic_key};
use crate::rules::Rule;
use regex::bytes::Regex;
use std::sync::OnceLock;

/// How many words before a label are read to find whose credential it names.
const MAX_PREFIX_WORDS: usize = 4;

/// Words that may stand before a credential label without making it another vendor's:
/// articles, possessives, qualifiers and the verbs of instructions (`Copy the Client Secret`).
const FILLERS: &[&str] = &[
    "a", "an", "and", "are", "as", "copy", "current", "enter", "for", "from", "in", "is", "its",
    "meeting", "my", "new", "of", "old", "on", "or", "our", "paste", "set", "the", "their", "this",
    "to", "use", "with", "your",
];

/// Whether the words right before the label `data[label.0..label.1]` (on its line) name
/// some other vendor: read backwards over credential words (`OAuth`, `S2S`), a word that is
/// neither a filler, a credential word nor one of the rule's provider words makes the label
/// foreign. A label that names the provider itself (`zoom client secret`) is never foreign.
pub(super) fn foreign_label(rule: &Rule, data: &[u8], label: (usize, usize)) -> bool {
    let text = data[label.0..label.1].to_ascii_lowercase();
    if text
        .split(|b| !b.is_ascii_alphanumeric())
        .any(|w| names_provider(rule, &String::from_utf8_lossy(w)))
    {
        return false;
    }
    let mut end = label.0;
    for _ in 0..MAX_PREFIX_WORDS {
        while end > 0 && matches!(data[end - 1], b' ' | b'\t') {
            end -= 1;
        }
        let start = data[..end]
            .iter()
            .rposition(|b| !b.is_ascii_alphanumeric())
            .map_or(0, |p| p + 1);
        if start == end {
            return false;
        }
        let word = String::from_utf8_lossy(&data[start..end]).to_ascii_lowercase();
        if FILLERS.contains(&word.as_str()) || names_provider(rule, &word) {
            return false;
        }
        if !is_generic_key(&word) {
            return true;
        }
        end = start;
    }
    false
}

/// A candidate of the label shape names its label (`label Client Secret`), as a table
/// column or a section line does; other shapes' candidates are returned as they are.
pub(super) fn labelled_detail(
    mut c: Candidate,
    label: bool,
    name: Option<regex::bytes::Match>,
) -> Candidate {
    if let Some(name) = name.filter(|_| label) {
        c.detail = Some(format!(
            "label {}",
            String::from_utf8_lossy(name.as_bytes())
        ));
    }
    c
}

/// Whether every word of a label's prefix (`Zoom S2S` in `Zoom S2S Client Secret`) is a
/// filler, a credential word or one of the rule's provider words.
fn own_words(rule: &Rule, prefix: &str) -> bool {
    prefix
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .all(|w| {
            let w = w.to_ascii_lowercase();
            FILLERS.contains(&w.as_str()) || names_provider(rule, &w) || is_generic_key(&w)
        })
}

/// Whether `word` is one of the rule's provider words (`zoom`, `deepgram`).
fn names_provider(rule: &Rule, word: &str) -> bool {
    rule.provider_hints
        .iter()
        .flat_map(|h| h.context.iter().chain(std::iter::once(&h.provider)))
        .any(|w| w.eq_ignore_ascii_case(word))
}

/// A generic identifier compared with a literal: `secret !== 'v'`, `token == "v"`,
/// `key.equals("v")`; `ident` is the identifier, `secret` the literal.
fn comparison() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        build(concat!(
            r#"(?:^|[^A-Za-z0-9_$.])(?P<ident>[A-Za-z_$][A-Za-z0-9_$]*(?:(?:\.|->|::)[A-Za-z_$][A-Za-z0-9_$]*){0,4})"#,
            r#"[ \t]*\)?[ \t]*(?:===?|!==?|<>|\.equals\(|\.Equals\()[ \t]*[@$]?["'`]"#,
            r#"(?P<secret>[A-Za-z0-9_\-.+/~]{16,256}={0,3})["'`]"#,
        ))
    })
}

/// The reverse: `'v' === secret`, `"v".equals(token)`.
fn reversed_comparison() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        build(concat!(
            r#"["'`](?P<secret>[A-Za-z0-9_\-.+/~]{16,256}={0,3})["'`][ \t]*(?:===?|!==?|\.equals\()[ \t]*"#,
            r#"(?P<ident>[A-Za-z_$][A-Za-z0-9_$]*(?:(?:\.|->|::)[A-Za-z_$][A-Za-z0-9_$]*){0,4})(?:[^A-Za-z0-9_$]|$)"#,
        ))
    })
}

fn build(pattern: &str) -> Regex {
    // a constant pattern, proven to compile by the tests below
    regex::bytes::RegexBuilder::new(pattern)
        .unicode(false)
        .build()
        .unwrap_or_else(|e| unreachable!("constant pattern: {e}"))
}

/// Whether a line may hold a comparison at all (`==`, `!=`, `<>`, `.equals(`): one pass,
/// cheaper than the regexes.
fn has_operator(line: &[u8]) -> bool {
    memchr::memchr3_iter(b'=', b'>', b'(', line).any(|i| {
        let before = &line[..i];
        match line[i] {
            b'=' => before.ends_with(b"=") || before.ends_with(b"!"),
            b'>' => before.ends_with(b"<"),
            _ => before.ends_with(b"quals"),
        }
    })
}

impl Detector {
    /// Labels in a document's structure: the columns of a Markdown table whose header row
    /// (a keyword line) names them, and the labelled lines of a section under a heading that
    /// names a provider (`## Attendee` then `- API Key: v`), where a generic label
    /// (`API Key`, `Secret`) is the heading's provider's. A table or section inside one
    /// already read is skipped.
    pub(super) fn prose_documents(
        &self,
        buffer: &Buffer,
        openers: &[Span3],
        out: &mut Vec<Candidate>,
    ) {
        let data = buffer.data;
        let mut walked = 0;
        for &(start, end, _) in openers {
            if start < walked {
                continue;
            }
            let (labelled, provider, reached) =
                if let Some((cells, reached)) = doc::table(data, start, end) {
                    (cells, None, reached)
                } else if let Some(provider) = doc::is_heading(data, start, end)
                    .then(|| self.provider_named(&data[start..end]))
                    .flatten()
                {
                    let (cells, reached) = doc::section(data, end);
                    (cells, Some(provider), reached)
                } else {
                    continue;
                };
            buffer.add(|w| w.line_bytes += reached.saturating_sub(end) as u64);
            walked = reached;
            for cell in &labelled {
                self.labelled(buffer, cell, provider, out);
            }
        }
    }

    /// The provider a line names, by the rules' provider hints.
    fn provider_named(&self, line: &[u8]) -> Option<&str> {
        let lower = line.to_ascii_lowercase();
        self.rules
            .iter()
            .flat_map(|r| &r.provider_hints)
            .find(|h| {
                h.context.iter().any(|w| {
                    memchr::memmem::find(&lower, w.to_ascii_lowercase().as_bytes()).is_some()
                })
            })
            .map(|h| h.provider.as_str())
    }

    /// The candidates of one labelled value: each rule whose names the label matches as a
    /// key path (`Client Secret` → `client_secret`), or, for a generic label in a section
    /// about `provider`, the label under the provider (`attendee.api_key`).
    fn labelled(
        &self,
        buffer: &Buffer,
        cell: &doc::Labelled,
        provider: Option<&str>,
        out: &mut Vec<Candidate>,
    ) {
        let words: Vec<&str> = cell
            .label
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        let key = words.join("_");
        let mut paths = vec![key.clone()];
        paths.extend(
            provider
                .filter(|_| is_generic_key(&key))
                .map(|p| format!("{p}.{key}")),
        );
        let same_line = !buffer.data[cell.label_start..cell.value.0].contains(&b'\n');
        let whole = if same_line {
            (cell.label_start, cell.value.1)
        } else {
            cell.value
        };
        for (index, rule) in self.rules.iter().enumerate() {
            let Some(regex) = rule.path_regex() else {
                continue;
            };
            for path in &paths {
                let Some(caps) = regex.captures(path.as_bytes()) else {
                    continue;
                };
                let core = caps.name("core").map_or(0, |m| m.start());
                let own = path[..core].rsplit('.').next().unwrap_or_default();
                if !own_words(rule, own) || (rule.require_provider && !is_framework_prefix(own)) {
                    continue;
                }
                let found = self.check(index, buffer, cell.value, whole, Some(path.clone()), None);
                if let Some(mut c) = found.filter(|c| c.provider.is_some()) {
                    c.detail = Some(format!("label {}", cell.label));
                    out.push(c);
                    break;
                }
            }
        }
    }

    /// Comparisons of a generic identifier with a literal (`secret !== 'v'`) on each keyword
    /// line that names a provider: the provider and the identifier's last segment, joined as
    /// a key path (`zoom.secret`), must match a rule's names, as a nested config key does.
    pub(super) fn generic_comparisons(
        &self,
        buffer: &Buffer,
        openers: &[Span3],
        out: &mut Vec<Candidate>,
    ) {
        let mut last = usize::MAX;
        for &(start, end, _) in openers {
            let line = &buffer.data[start..end];
            if start == last || !has_operator(line) {
                continue;
            }
            last = start;
            let lower = line.to_ascii_lowercase();
            for regex in [comparison(), reversed_comparison()] {
                buffer.add(|w| w.regex_bytes += line.len() as u64);
                for caps in regex.captures_iter(line) {
                    let (Some(ident), Some(secret)) = (caps.name("ident"), caps.name("secret"))
                    else {
                        continue;
                    };
                    let ident = String::from_utf8_lossy(ident.as_bytes()).into_owned();
                    let span = (start + secret.start(), start + secret.end());
                    self.generic_comparison(buffer, &lower, &ident, span, out);
                }
            }
        }
    }

    /// The candidates of one comparison of `ident` with the literal at `span`, on a line
    /// (`lower`, lowercased) that names the provider of some rule's hint.
    fn generic_comparison(
        &self,
        buffer: &Buffer,
        lower: &[u8],
        ident: &str,
        span: (usize, usize),
        out: &mut Vec<Candidate>,
    ) {
        let key = ident.rsplit(['.', ':', '>']).next().unwrap_or_default();
        if !is_generic_key(key) {
            return;
        }
        for (index, rule) in self.rules.iter().enumerate() {
            let Some(regex) = rule.path_regex() else {
                continue;
            };
            for hint in &rule.provider_hints {
                let named = hint.context.iter().any(|w| {
                    memchr::memmem::find(lower, w.to_ascii_lowercase().as_bytes()).is_some()
                });
                let path = format!("{}.{key}", hint.provider);
                let Some(caps) = regex.captures(path.as_bytes()).filter(|_| named) else {
                    continue;
                };
                let core = caps.name("core").map_or(0, |m| m.start());
                let own = path[..core].rsplit('.').next().unwrap_or_default();
                if rule.require_provider && !is_framework_prefix(own) {
                    continue;
                }
                let found = self.check(index, buffer, span, span, Some(path), None);
                if let Some(mut c) = found.filter(|c| c.provider.is_some()) {
                    c.detail = Some(format!("{ident} compared with a literal"));
                    out.push(c);
                    break;
                }
            }
        }
    }
}

#[cfg(test)]
#[path = "prose_tests.rs"]
mod detector_tests;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RuleSet;

    fn rule(id: &str) -> Rule {
        let set = RuleSet::builtin().expect("rules");
        set.rule(id).expect("rule").clone()
    }

    #[test]
    fn words_before_a_label_name_its_vendor() {
        let zoom = rule("zoom-app-secret");
        let at = |text: &str| {
            let start = text.find("Client").expect("label");
            (start, start + "Client Secret".len())
        };
        for text in [
            "Client Secret: v",
            "- Client Secret: v",
            "| Client Secret | v |",
            "Copy the Client Secret: v",
            "Your OAuth Client Secret: v",
            "Zoom S2S OAuth Client Secret: v",
            "Meeting SDK Client Secret: v",
            "<td>Client Secret</td>",
        ] {
            assert!(!foreign_label(&zoom, text.as_bytes(), at(text)), "{text}");
        }
        for text in [
            "Stripe Client Secret: v",
            "Google OAuth Client Secret: v",
            "the GitHub Client Secret: v",
        ] {
            assert!(foreign_label(&zoom, text.as_bytes(), at(text)), "{text}");
        }
        // the label names the provider: whatever stands before it
        let env = rule("env-secret");
        let text = "DEBUG zoom client secret=v";
        assert!(!foreign_label(&env, text.as_bytes(), (6, 24)), "{text}");
    }

    #[test]
    fn comparison_patterns_compile_and_capture() {
        let caps = comparison()
            .captures(b"if (req.body.token !== 'Hd7Fs3Gj9Kl2Qw5Er8Ty1Ui4Op6As0Dz')") // keyhound:allow
            .expect("match");
        assert_eq!(&caps["ident"], b"req.body.token");
        let caps = reversed_comparison()
            .captures(b"\"Hd7Fs3Gj9Kl2Qw5Er8Ty1Ui4Op6As0Dz\".equals(secret)") // keyhound:allow
            .expect("match");
        assert_eq!(&caps["ident"], b"secret");
        for line in ["a == b", "a != b", "a <> b", "k.equals(x)", "k.Equals(x)"] {
            assert!(has_operator(line.as_bytes()), "{line}");
        }
        for line in ["a = b", "a => b", "f(x)", "a -> b"] {
            assert!(!has_operator(line.as_bytes()), "{line}");
        }
    }
}
