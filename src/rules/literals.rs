//! Whether every match of a pattern contains one of its rule's keywords. Patterns run only on
//! the lines around a keyword hit, so a pattern that can match without a keyword (`dg-key`
//! when the keyword is `dg_`) has matches that are never scanned: such a rule is rejected.
//!
//! The analysis works on the pattern's syntax tree, ASCII case-insensitively: it computes the
//! small finite sets of strings that runs of the pattern must match (case-folded literals,
//! small classes, optional parts, alternations) and asks whether each such string holds a
//! keyword. It is conservative: when it cannot prove a keyword is required, it says so.

use regex_syntax::hir::{Class, Hir, HirKind};
use std::collections::BTreeSet;

/// Above this many strings a run is treated as unknown (the proof gives up on it).
const MAX_STRINGS: usize = 4096;
/// A class with more members than this is treated as unknown.
const MAX_CLASS: usize = 16;
/// Repetitions with a larger upper bound are treated as unknown.
const MAX_REPEAT: u32 = 8;

/// Why a pattern can match without a keyword.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Uncovered {
    /// A string the pattern can require that holds none of the keywords, when one is known.
    pub example: Option<String>,
}

/// `None` when every match of `hir` contains one of `keywords` (ASCII case-insensitively),
/// else why not.
pub fn uncovered(hir: &Hir, keywords: &[String]) -> Option<Uncovered> {
    let keywords: Vec<Vec<u8>> = keywords
        .iter()
        .filter(|k| !k.trim().is_empty())
        .map(|k| k.to_ascii_lowercase().into_bytes())
        .collect();
    let facts = Analysis {
        keywords: &keywords,
    }
    .facts(hir);
    (!facts.covered).then(|| Uncovered {
        example: facts
            .example
            .map(|e| String::from_utf8_lossy(&e).into_owned()),
    })
}

/// What is known about a sub-pattern.
#[derive(Default)]
struct Facts {
    /// Every string it can match (lowercased), when that is a small finite set.
    finite: Option<BTreeSet<Vec<u8>>>,
    /// Every match contains a keyword.
    covered: bool,
    /// A non-empty string some match must be that holds no keyword (for the message).
    example: Option<Vec<u8>>,
    /// The example is a branch of an alternation whose other branches hold keywords: the
    /// most telling example (`dg-key` among `meetso_key|dg-key`).
    pointed: bool,
}

struct Analysis<'k> {
    keywords: &'k [Vec<u8>],
}

impl Analysis<'_> {
    fn holds_keyword(&self, s: &[u8]) -> bool {
        self.keywords
            .iter()
            .any(|k| s.windows(k.len()).any(|w| w == k.as_slice()))
    }

    /// Facts of a finite set: covered when every string holds a keyword.
    fn finite(&self, set: BTreeSet<Vec<u8>>) -> Facts {
        let example = set
            .iter()
            .filter(|s| !self.holds_keyword(s))
            .min_by_key(|s| s.len())
            .cloned();
        Facts {
            covered: example.is_none(),
            example: example.filter(|e| !e.is_empty()),
            pointed: false,
            finite: Some(set),
        }
    }

    fn facts(&self, hir: &Hir) -> Facts {
        match hir.kind() {
            HirKind::Empty | HirKind::Look(_) => self.finite(one(Vec::new())),
            HirKind::Literal(lit) => self.finite(one(lit.0.to_ascii_lowercase())),
            HirKind::Class(class) => match class_members(class) {
                Some(set) => self.finite(set),
                None => Facts::default(),
            },
            HirKind::Capture(c) => self.facts(&c.sub),
            HirKind::Repetition(r) => {
                let sub = self.facts(&r.sub);
                let bounded = r.max.filter(|&m| m <= MAX_REPEAT);
                match (sub.finite, bounded) {
                    (Some(set), Some(max)) => match repeat(&set, r.min, max) {
                        Some(all) => self.finite(all),
                        None => Facts::default(),
                    },
                    _ => Facts {
                        finite: None,
                        covered: r.min >= 1 && sub.covered,
                        example: sub.example.filter(|_| r.min >= 1),
                        pointed: sub.pointed && r.min >= 1,
                    },
                }
            }
            HirKind::Alternation(branches) => self.alternation(branches),
            HirKind::Concat(parts) => self.concat(parts),
        }
    }

    fn alternation(&self, branches: &[Hir]) -> Facts {
        let facts: Vec<Facts> = branches.iter().map(|b| self.facts(b)).collect();
        let some_covered = facts.iter().any(|f| f.covered);
        let mut union = Some(BTreeSet::new());
        for f in &facts {
            union = match (union, &f.finite) {
                (Some(mut u), Some(set)) if u.len() + set.len() <= MAX_STRINGS => {
                    u.extend(set.iter().cloned());
                    Some(u)
                }
                _ => None,
            };
        }
        let mut out = match union {
            Some(set) => self.finite(set),
            None => Facts {
                finite: None,
                covered: facts.iter().all(|f| f.covered),
                example: None,
                pointed: false,
            },
        };
        if !out.covered {
            let uncovered = facts.into_iter().filter(|f| !f.covered);
            if let Some(f) = uncovered
                .filter(|f| f.example.is_some())
                .min_by_key(|f| !f.pointed)
            {
                out.pointed = some_covered || f.pointed;
                out.example = f.example;
            }
        }
        out
    }

    /// A concatenation is covered when one part is, or when a run of adjacent finite parts
    /// only ever spells strings that hold a keyword.
    fn concat(&self, parts: &[Hir]) -> Facts {
        let mut out = Facts::default();
        let mut run = one(Vec::new());
        let mut whole = true;
        for part in parts {
            let f = self.facts(part);
            out.covered |= f.covered;
            if f.pointed && !out.pointed || out.example.is_none() {
                out.example = f.example.clone();
                out.pointed = f.pointed;
            }
            match f.finite {
                Some(set) => match product(&run, &set) {
                    Some(longer) => run = longer,
                    None => {
                        self.close(&mut out, std::mem::replace(&mut run, set));
                        whole = false;
                    }
                },
                None => {
                    self.close(&mut out, std::mem::replace(&mut run, one(Vec::new())));
                    whole = false;
                }
            }
        }
        if whole {
            let f = self.finite(run);
            let pointed = out.pointed && out.example.is_some();
            return Facts {
                covered: f.covered || out.covered,
                example: if pointed {
                    out.example
                } else {
                    f.example.or(out.example)
                },
                pointed,
                finite: f.finite,
            };
        }
        self.close(&mut out, run);
        out
    }

    /// Ends a run of finite parts inside a concatenation.
    fn close(&self, out: &mut Facts, run: BTreeSet<Vec<u8>>) {
        let f = self.finite(run);
        out.covered |= f.covered;
        // A run's example is more telling than a plain part's: it is a longer required
        // string; a pointed one (an alternation's keyword-less branch) is the most telling.
        if let Some(e) = f.example {
            if !out.pointed && out.example.as_ref().is_none_or(|old| old.len() < e.len()) {
                out.example = Some(e);
            }
        }
    }
}

fn one(s: Vec<u8>) -> BTreeSet<Vec<u8>> {
    BTreeSet::from([s])
}

/// Every concatenation of a string of `a` and one of `b`, unless there are too many.
fn product(a: &BTreeSet<Vec<u8>>, b: &BTreeSet<Vec<u8>>) -> Option<BTreeSet<Vec<u8>>> {
    if a.len().saturating_mul(b.len()) > MAX_STRINGS {
        return None;
    }
    Some(
        a.iter()
            .flat_map(|x| b.iter().map(move |y| [x.as_slice(), y].concat()))
            .collect(),
    )
}

/// Every string of `min..=max` repetitions of `set`, unless there are too many.
fn repeat(set: &BTreeSet<Vec<u8>>, min: u32, max: u32) -> Option<BTreeSet<Vec<u8>>> {
    let mut all = BTreeSet::new();
    let mut power = one(Vec::new());
    for n in 0..=max {
        if n >= min {
            all.extend(power.iter().cloned());
            if all.len() > MAX_STRINGS {
                return None;
            }
        }
        if n < max {
            power = product(&power, set)?;
        }
    }
    Some(all)
}

/// The members of a small class, lowercased (`[Kk]` is the one string `k`).
fn class_members(class: &Class) -> Option<BTreeSet<Vec<u8>>> {
    let mut set = BTreeSet::new();
    match class {
        Class::Bytes(c) => {
            for r in c.iter() {
                if usize::from(r.end() - r.start()) >= MAX_CLASS {
                    return None;
                }
                set.extend((r.start()..=r.end()).map(|b| vec![b.to_ascii_lowercase()]));
            }
        }
        Class::Unicode(c) => {
            for r in c.iter() {
                if (r.end() as u32).saturating_sub(r.start() as u32) as usize >= MAX_CLASS {
                    return None;
                }
                for ch in r.start()..=r.end() {
                    let mut buf = [0; 4];
                    set.insert(
                        ch.to_ascii_lowercase()
                            .encode_utf8(&mut buf)
                            .as_bytes()
                            .to_vec(),
                    );
                }
            }
        }
    }
    (set.len() <= MAX_CLASS).then_some(set)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(pattern: &str, keywords: &[&str]) -> Option<Uncovered> {
        let hir = regex_syntax::ParserBuilder::new()
            .unicode(false)
            .utf8(false)
            .build()
            .parse(pattern)
            .expect("pattern parses");
        let keywords: Vec<String> = keywords.iter().map(|k| k.to_string()).collect();
        uncovered(&hir, &keywords)
    }

    #[test]
    fn a_literal_the_pattern_requires_covers_it() {
        assert_eq!(
            check(r"\b(?P<secret>acme_[A-Za-z0-9]{32})\b", &["acme_"]),
            None
        );
        assert_eq!(
            check(r"(?i)authorization:\s*(?P<secret>\w+)", &["authorization"]),
            None
        );
        // Case-insensitive pattern, keyword written in another case.
        assert_eq!(
            check(r"(?i)MeetStream(?P<secret>\w+)", &["meetstream"]),
            None
        );
        // Every branch of an alternation holds a keyword.
        assert_eq!(
            check(r"(?:meetso|zoom)_key=(?P<secret>\w+)", &["meetso", "zoom"]),
            None
        );
        // A keyword spelled across adjacent parts.
        assert_eq!(check(r"dg[_](?:api_)?key(?P<secret>\w+)", &["dg_"]), None);
    }

    #[test]
    fn a_pattern_that_can_match_without_a_keyword_is_found_with_an_example() {
        assert_eq!(
            check(r"k(?P<secret>[a-z]+)", &["key"]),
            Some(Uncovered {
                example: Some("k".into())
            })
        );
        assert_eq!(
            check(r"dg[_.-]?key=(?P<secret>\w+)", &["dg_"]),
            Some(Uncovered {
                example: Some("dgkey=".into())
            })
        );
        // One branch lacks a keyword.
        assert!(check(r"(?:meetso|other)_key=(?P<secret>\w+)", &["meetso"]).is_some());
        // An optional keyword is no keyword.
        assert!(check(r"(?:acme_)?(?P<secret>[a-z]{20})", &["acme_"]).is_some());
        // A keyword inside a wide class is not required.
        assert!(check(r"[a-z]+(?P<secret>[0-9]{20})", &["x"]).is_some());
    }
}
