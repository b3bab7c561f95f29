//! The English words the placeholder filter reads values as: SCOWL's most common words
//! (embedded from `wordlist.txt`, whose header gives the source, licence and the command
//! that regenerates it), the meeting-bot and placeholder vocabulary SCOWL lacks, and the
//! segmentation of a run of letters into those words (`bluehorse` → `blue horse`).

use std::collections::HashSet;
use std::sync::OnceLock;

/// The generated list: `#` comment lines, then one lowercase word of 3+ letters a line.
const LIST: &str = include_str!("wordlist.txt");

/// Words people write in stand-in values that SCOWL's common list lacks: provider and
/// product names, credential vocabulary and the words of documentation filler.
const EXTRA: &[&str] = &[
    "admin",
    "api",
    "apis",
    "app",
    "apps",
    "attendee",
    "auth",
    "bot",
    "bots",
    "client",
    "clients",
    "config",
    "cred",
    "creds",
    "dashboard",
    "deepgram",
    "demo",
    "dev",
    "dummy",
    "env",
    "hook",
    "hooks",
    "http",
    "https",
    "jwt",
    "localhost",
    "login",
    "meetso",
    "meetstream",
    "mock",
    "oauth",
    "passwd",
    "password",
    "passwords",
    "prod",
    "pwd",
    "qwerty",
    "sdk",
    "secrets",
    "staging",
    "staple",
    "super",
    "todo",
    "tokens",
    "url",
    "username",
    "webhook",
    "webhooks",
    "zoom",
];

/// Words of one or two letters that glue a phrase together (`replace me with`, `this is a
/// test`). A segmentation may use them only sparingly: random letters split into short
/// words far more easily than into long ones.
const SHORT: &[&str] = &[
    "a", "an", "as", "at", "be", "by", "do", "go", "id", "if", "in", "is", "it", "me", "my", "no",
    "of", "on", "or", "so", "to", "up", "us", "we",
];

/// The longest word looked up.
const MAX_WORD: usize = 24;

/// How a run of letters splits into words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Split {
    /// Words used, short ones included.
    pub words: usize,
    /// Words of one or two letters ([`SHORT`]).
    pub short: usize,
}

fn words() -> &'static HashSet<&'static str> {
    static WORDS: OnceLock<HashSet<&'static str>> = OnceLock::new();
    WORDS.get_or_init(|| {
        LIST.lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .chain(EXTRA.iter().copied())
            .chain(SHORT.iter().copied())
            .collect()
    })
}

/// Whether `word` (lowercase) is a known word.
pub fn is_word(word: &str) -> bool {
    words().contains(word)
}

/// Splits `run` (lowercase ASCII letters) into known words, if it can: the split with the
/// fewest short words, then the fewest words. `None` when some part of it is no word.
pub fn segment(run: &str) -> Option<Split> {
    let n = run.len();
    if n == 0 || !run.bytes().all(|b| b.is_ascii_lowercase()) {
        return None;
    }
    // best[i]: the best split of run[..i], ordered by (short words, words).
    let mut best: Vec<Option<(usize, usize)>> = vec![None; n + 1];
    best[0] = Some((0, 0));
    for end in 1..=n {
        for start in end.saturating_sub(MAX_WORD)..end {
            let Some((short, count)) = best[start] else {
                continue;
            };
            let word = &run[start..end];
            if !is_word(word) {
                continue;
            }
            let next = (short + usize::from(word.len() < 3), count + 1);
            if best[end].is_none_or(|b| next < b) {
                best[end] = Some(next);
            }
        }
    }
    best[n].map(|(short, words)| Split { words, short })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_list_is_sorted_unique_lowercase_and_a_few_thousand_words() {
        let list: Vec<&str> = LIST
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect();
        assert!((3000..6000).contains(&list.len()), "{} words", list.len());
        assert!(
            list.windows(2).all(|w| w[0] < w[1]),
            "not sorted or not unique"
        );
        assert!(list
            .iter()
            .all(|w| w.len() >= 3 && w.bytes().all(|b| b.is_ascii_lowercase())));
        for w in EXTRA {
            assert!(!list.contains(w), "{w} is in the list already");
        }
    }

    #[test]
    fn runs_of_words_segment_and_others_do_not() {
        assert_eq!(segment("bluehorse"), Some(Split { words: 2, short: 0 }));
        assert_eq!(
            segment("correcthorsebatterystaple"),
            Some(Split { words: 4, short: 0 })
        );
        assert_eq!(
            segment("replacemewithrealkey"),
            Some(Split { words: 5, short: 1 })
        );
        assert_eq!(segment("secret"), Some(Split { words: 1, short: 0 }));
        assert_eq!(segment("qzxkvbw"), None);
        assert_eq!(segment("horsezq"), None);
        assert_eq!(segment(""), None);
        assert_eq!(segment("Horse"), None);
    }
}
