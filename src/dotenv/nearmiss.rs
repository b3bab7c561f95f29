//! Near misses: ignore lines that were meant to cover an env file but do not, found by
//! repairing each line one way at a time (drop an invisible character, drop a trailing `/`,
//! fix the case, un-anchor it, fix a typo) and asking git's matcher whether the repaired line
//! would cover the file. A repair only counts when the repaired line stays specific: a line
//! that would then ignore everything (`*`) was not meant for env files.

use super::ignore::{self, IgnoreLine, IgnoreSource};
use gix::glob::pattern::Case;

/// Names a line meant for env files does not match; a repaired line matching one of them is
/// too broad to be what the author meant.
const UNRELATED_NAMES: &[&str] = &["README.md", "main.rs", "package.json", "src", "x"];

/// Names close to `.env` that are deliberate rules for something else (Python virtualenvs).
pub const NOT_ENV_RULES: &[&str] = &["venv", ".venv", "env.bak", "venv.bak"];

/// Characters git keeps in a pattern that a reader cannot see.
const INVISIBLE: &[(char, &str)] = &[
    ('\t', "a tab"),
    ('\u{0b}', "a vertical tab"),
    ('\u{0c}', "a form feed"),
    ('\u{a0}', "a non-breaking space (U+00A0)"),
    ('\u{200b}', "a zero-width space (U+200B)"),
    ('\u{200c}', "a zero-width non-joiner (U+200C)"),
    ('\u{200d}', "a zero-width joiner (U+200D)"),
    ('\u{2060}', "a word joiner (U+2060)"),
    (
        '\u{feff}',
        "a byte-order mark (U+FEFF) that is not at the start of the file",
    ),
    ('\u{202f}', "a narrow no-break space (U+202F)"),
    ('\u{3000}', "an ideographic space (U+3000)"),
];

/// How a near-miss line differs from one that works.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    /// It is written in UTF-16LE (a NUL byte after every ASCII character), as PowerShell 5's
    /// `>>` appends; git reads the bytes, NULs and all.
    Utf16,
    /// It ends in what was meant as a comment (`.env  # never commit`): git has no inline
    /// comments, so the comment is part of the pattern.
    InlineComment {
        /// The comment, from its `#`.
        comment: String,
    },
    /// It holds a character git keeps but nobody sees; the description names it, and whether
    /// it is at the end of the line.
    Invisible {
        /// e.g. "a tab".
        what: String,
        /// Whether the character ends the line.
        trailing: bool,
    },
    /// A trailing `/` restricts it to directories.
    DirOnly,
    /// It differs from the file name only in ASCII case.
    Case,
    /// A `/` anchors it to the ignore file's directory, and the file lies elsewhere.
    Anchored,
    /// It is a typo of the file name.
    Typo(&'static str),
}

/// A line that nearly covers the file, and the line that would.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NearMiss {
    /// Index into the compiled lines.
    pub line: usize,
    /// What is wrong with it.
    pub kind: Kind,
    /// The corrected line.
    pub corrected: String,
}

/// What one repair strategy proposes for a line: the kind of problem and the corrected lines
/// to try, best first.
type Repair = fn(&Context<'_>, &IgnoreLine) -> Option<(Kind, Vec<String>)>;

/// The file being diagnosed.
struct Context<'a> {
    sources: &'a [IgnoreSource],
    path: &'a str,
    basename: &'a str,
    case: Case,
}

/// The best near miss for `path` among `lines` (from `sources`): repairs are tried in order
/// of how specific their explanation is, lines from the highest precedence down. A repair
/// counts only when git, with the line repaired and every other line as it is, would
/// ignore the file.
pub fn find(
    lines: &[IgnoreLine],
    sources: &[IgnoreSource],
    path: &str,
    case: Case,
) -> Option<NearMiss> {
    let ctx = Context {
        sources,
        path,
        basename: path.rsplit('/').next().unwrap_or(path),
        case,
    };
    let repairs: [Repair; 7] = [
        utf16,
        inline_comment,
        invisible,
        dir_only,
        case_fold,
        anchored,
        typo,
    ];
    repairs.iter().find_map(|repair| {
        lines
            .iter()
            .enumerate()
            .rev()
            .filter(|(_, l)| !l.is_negative())
            .find_map(|(i, l)| {
                let (kind, candidates) = repair(&ctx, l)?;
                let base = &sources[l.source].base;
                let corrected = candidates.into_iter().find(|c| {
                    covers(c, base, path, case)
                        && specific(c, base, case)
                        && ignored_with(lines, i, c, sources, path, case)
                })?;
                Some(NearMiss {
                    line: i,
                    kind,
                    corrected,
                })
            })
    })
}

/// The line as git reads it (trailing spaces trimmed), as text.
pub fn effective(line: &IgnoreLine) -> String {
    String::from_utf8_lossy(ignore::trim_trailing_spaces(&line.raw)).into_owned()
}

/// The line as written, with invisible characters shown as `<TAB>` or `<U+00A0>`, and bytes
/// that are not UTF-8 as `<0xFF>`.
pub fn visible(raw: &[u8]) -> String {
    let mut out = String::new();
    for chunk in raw.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\t' => out.push_str("<TAB>"),
                c if is_invisible(c) || c.is_control() => {
                    out.push_str(&format!("<U+{:04X}>", u32::from(c)));
                }
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("<0x{b:02X}>"));
        }
    }
    out
}

fn is_invisible(c: char) -> bool {
    INVISIBLE.iter().any(|(i, _)| *i == c)
}

/// Whether `text`, as a line of an ignore file in `base`, ignores `path` (itself or a parent
/// directory).
pub(super) fn covers(text: &str, base: &str, path: &str, case: Case) -> bool {
    let Some(pattern) = ignore::parse_line(text.as_bytes()) else {
        return false;
    };
    if pattern.is_negative() {
        return false;
    }
    let dirs = path.match_indices('/').map(|(i, _)| (&path[..i], true));
    std::iter::once((path, false))
        .chain(dirs)
        .any(|(p, is_dir)| ignore::pattern_matches(&pattern, base, p, is_dir, case))
}

/// Whether git would ignore `path` with line `index` replaced by `text` (a later negation
/// may still win).
fn ignored_with(
    lines: &[IgnoreLine],
    index: usize,
    text: &str,
    sources: &[IgnoreSource],
    path: &str,
    case: Case,
) -> bool {
    let Some(pattern) = ignore::parse_line(text.as_bytes()) else {
        return false;
    };
    let mut lines = lines.to_vec();
    lines[index].pattern = pattern;
    ignore::decide(&lines, sources, path, case).is_some_and(|d| !lines[d.line].is_negative())
}

/// Whether `text` leaves unrelated names alone (it is not a catch-all like `*`).
pub(super) fn specific(text: &str, base: &str, case: Case) -> bool {
    UNRELATED_NAMES
        .iter()
        .all(|n| !covers(text, base, &ignore::join(base, n), case))
}

fn utf16(_: &Context<'_>, line: &IgnoreLine) -> Option<(Kind, Vec<String>)> {
    let text = decode_utf16_line(&line.raw)?;
    Some((Kind::Utf16, vec![text.trim_end_matches(' ').to_string()]))
}

/// The text of a line git split out of UTF-16LE bytes: its NUL high bytes (the first one
/// left over from the previous line's `\n`), a `FF FE` byte-order mark and the `\r` of the
/// `\r\n` ending dropped. `None` when the line holds no NUL or is not UTF-16LE.
pub fn decode_utf16_line(raw: &[u8]) -> Option<String> {
    if !raw.contains(&0) {
        return None;
    }
    let mut bytes = raw;
    if bytes.len() % 2 == 1 && bytes.first() == Some(&0) {
        bytes = &bytes[1..];
    }
    let bytes = bytes.strip_prefix(b"\xFF\xFE").unwrap_or(bytes);
    if bytes.len() % 2 == 1 {
        return None;
    }
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    let text = String::from_utf16(&units).ok()?;
    let text = text.strip_suffix('\r').unwrap_or(&text);
    (!text.is_empty() && !text.contains('\0')).then(|| text.to_string())
}

fn inline_comment(_: &Context<'_>, line: &IgnoreLine) -> Option<(Kind, Vec<String>)> {
    let text = effective(line);
    let hash = text
        .char_indices()
        .find(|&(i, c)| c == '#' && i > 0 && text[..i].ends_with([' ', '\t']))
        .map(|(i, _)| i)?;
    let pattern = text[..hash].trim_end_matches([' ', '\t']);
    (!pattern.is_empty() && !pattern.ends_with('\\')).then(|| {
        let comment = text[hash..].to_string();
        (Kind::InlineComment { comment }, vec![pattern.to_string()])
    })
}

fn invisible(_: &Context<'_>, line: &IgnoreLine) -> Option<(Kind, Vec<String>)> {
    let text = String::from_utf8_lossy(&line.raw).into_owned();
    let (what, trailing) = if effective(line).ends_with("\\ ") {
        ("an escaped space (`\\ `)".to_string(), true)
    } else {
        let (pos, c) = text.char_indices().find(|(_, c)| is_invisible(*c))?;
        let name = INVISIBLE.iter().find(|(i, _)| *i == c).map(|(_, n)| *n)?;
        let rest = &text[pos..];
        let trailing = rest.chars().all(|c| is_invisible(c) || c == ' ');
        (name.to_string(), trailing)
    };
    let cleaned: String = text.chars().filter(|c| !is_invisible(*c)).collect();
    let cleaned = cleaned.trim_end_matches(' ');
    let cleaned = cleaned.strip_suffix('\\').unwrap_or(cleaned).trim_end();
    Some((
        Kind::Invisible { what, trailing },
        vec![cleaned.to_string()],
    ))
}

fn dir_only(_: &Context<'_>, line: &IgnoreLine) -> Option<(Kind, Vec<String>)> {
    let text = effective(line);
    let file = text.strip_suffix('/')?;
    Some((Kind::DirOnly, vec![file.to_string()]))
}

fn case_fold(ctx: &Context<'_>, line: &IgnoreLine) -> Option<(Kind, Vec<String>)> {
    let text = effective(line);
    let base = &ctx.sources[line.source].base;
    if ctx.case == Case::Fold || !covers(&text, base, ctx.path, Case::Fold) {
        return None;
    }
    let candidates = vec![text.to_ascii_lowercase(), retarget(&text, ctx.basename)];
    Some((Kind::Case, candidates))
}

fn anchored(_: &Context<'_>, line: &IgnoreLine) -> Option<(Kind, Vec<String>)> {
    let text = effective(line);
    let last = last_component(&text);
    (last.len() < text.len() && !text.ends_with('/'))
        .then(|| (Kind::Anchored, vec![last.to_string()]))
}

fn typo(ctx: &Context<'_>, line: &IgnoreLine) -> Option<(Kind, Vec<String>)> {
    let text = effective(line);
    let last = last_component(&text);
    if text.ends_with('/')
        || NOT_ENV_RULES.contains(&last)
        || super::classify(last).is_some()
        || last.chars().count() > 64
    {
        return None;
    }
    if !has_glob(last) {
        let what = describe_edit(last, ctx.basename)?;
        return Some((Kind::Typo(what), vec![retarget(&text, ctx.basename)]));
    }
    let candidates = single_edits(last, ctx.basename)
        .into_iter()
        .filter(|edited| edited.to_ascii_lowercase().contains("env"))
        .map(|edited| retarget(&text, &edited))
        .collect();
    Some((Kind::Typo("one character off"), candidates))
}

/// The last `/`-separated component of a line (the whole line when it has no `/`).
pub fn last_component(text: &str) -> &str {
    text.rsplit('/').next().unwrap_or(text)
}

/// `text` with its last component replaced by `name`.
fn retarget(text: &str, name: &str) -> String {
    let keep = text.rfind('/').map_or(0, |p| p + 1);
    format!("{}{name}", &text[..keep])
}

fn has_glob(text: &str) -> bool {
    text.contains(['*', '?', '[', '\\'])
}

/// Names shorter than this allow one edit, not two: `/.pnp` (Yarn) is two edits from `.env`
/// and no typo of it.
const TWO_EDITS_MIN_LEN: usize = 8;

/// How a literal pattern that is one edit from `name`, or two from a name of at least
/// [`TWO_EDITS_MIN_LEN`] characters, differs from it.
fn describe_edit(pattern: &str, name: &str) -> Option<&'static str> {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    match edit_distance(pattern, name) {
        2 if n.len() < TWO_EDITS_MIN_LEN || p.len() < TWO_EDITS_MIN_LEN => None,
        1 if p.len() < n.len() => Some("a character missing"),
        1 if p.len() > n.len() => Some("an extra character"),
        1 if p.iter().zip(&n).filter(|(a, b)| a != b).count() == 2 => Some("two letters swapped"),
        1 => Some("a wrong character"),
        2 => Some("two characters off"),
        _ => None,
    }
}

/// Every string one edit from `pattern`: a character dropped, two neighbours swapped, or a
/// character of `name` substituted or inserted.
fn single_edits(pattern: &str, name: &str) -> Vec<String> {
    let p: Vec<char> = pattern.chars().collect();
    let mut alphabet: Vec<char> = name.chars().collect();
    alphabet.sort_unstable();
    alphabet.dedup();
    let mut out = Vec::new();
    let build = |v: &[char]| v.iter().collect::<String>();
    for i in 0..p.len() {
        let mut v = p.clone();
        v.remove(i);
        out.push(build(&v));
        if i + 1 < p.len() {
            let mut v = p.clone();
            v.swap(i, i + 1);
            out.push(build(&v));
        }
        for &c in &alphabet {
            let mut v = p.clone();
            v[i] = c;
            out.push(build(&v));
        }
    }
    for i in 0..=p.len() {
        for &c in &alphabet {
            let mut v = p.clone();
            v.insert(i, c);
            out.push(build(&v));
        }
    }
    out
}

/// Optimal-string-alignment distance: insertions, deletions, substitutions and swaps of two
/// neighbouring characters each cost 1.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d: Vec<Vec<usize>> = (0..=a.len())
        .map(|i| (0..=b.len()).map(|j| if i == 0 { j } else { i }).collect())
        .collect();
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dotenv::ignore::compile;

    fn near(text: &str, base: &str, path: &str) -> Option<NearMiss> {
        let sources = vec![IgnoreSource {
            name: ignore::join(base, ".gitignore"),
            base: base.into(),
            text: text.as_bytes().to_vec(),
        }];
        find(&compile(&sources), &sources, path, Case::Sensitive)
    }

    fn corrected(text: &str, path: &str) -> Option<(Kind, String)> {
        near(text, "", path).map(|n| (n.kind, n.corrected))
    }

    #[test]
    fn distance_counts_swaps_as_one() {
        assert_eq!(edit_distance(".evn", ".env"), 1);
        assert_eq!(edit_distance("env", ".env"), 1);
        assert_eq!(edit_distance(".env.", ".env"), 1);
        assert_eq!(edit_distance(".ev", ".env"), 1);
        assert_eq!(edit_distance(".e", ".env"), 2);
        assert_eq!(edit_distance(".npmignore", ".gitignore"), 3);
    }

    #[test]
    fn each_repair_names_its_kind_and_fix() {
        assert_eq!(
            corrected(".evn\n", ".env"),
            Some((Kind::Typo("two letters swapped"), ".env".into()))
        );
        assert_eq!(
            corrected("env\n", "api/.env"),
            Some((Kind::Typo("a character missing"), ".env".into()))
        );
        assert_eq!(
            corrected(".env.\n", ".env"),
            Some((Kind::Typo("an extra character"), ".env".into()))
        );
        assert_eq!(
            corrected(".ENV\n", ".env"),
            Some((Kind::Case, ".env".into()))
        );
        assert_eq!(
            corrected("/.env\n", "api/.env"),
            Some((Kind::Anchored, ".env".into()))
        );
        assert_eq!(
            corrected(".env/\n", ".env"),
            Some((Kind::DirOnly, ".env".into()))
        );
        assert_eq!(
            corrected("*.evn\n", "prod.env"),
            Some((Kind::Typo("one character off"), "*.env".into()))
        );
        let (kind, fix) = corrected(".env\t\n", ".env").expect("tab");
        assert_eq!(fix, ".env");
        assert_eq!(
            kind,
            Kind::Invisible {
                what: "a tab".into(),
                trailing: true
            }
        );
        let (kind, fix) = corrected(".env\\ \n", ".env").expect("escaped space");
        assert_eq!(fix, ".env");
        assert!(matches!(kind, Kind::Invisible { trailing: true, .. }));
        let (kind, _) = corrected(".e\u{200b}nv\n", ".env").expect("zwsp");
        assert!(matches!(
            kind,
            Kind::Invisible {
                trailing: false,
                ..
            }
        ));
    }

    #[test]
    fn unrelated_or_deliberate_lines_are_not_near_misses() {
        for text in [
            "*~\n",
            ".venv\n",
            "env/\n",
            ".envrc\n",
            "/config/*\n",
            "*.log\n",
            ".env.local\n",
            // create-react-app's template: Yarn PnP, two edits from `.env`
            "/.pnp\n",
            ".pnp\n",
            ".npm\n",
        ] {
            assert_eq!(near(text, "", "api/.env"), None, "{text:?}");
        }
        // two edits count only between longer names
        assert_eq!(
            corrected(".evn.prodution\n", ".env.production").map(|(k, _)| k),
            Some(Kind::Typo("two characters off"))
        );
    }

    #[test]
    fn visible_shows_invisible_characters() {
        assert_eq!(visible(b".env\t"), ".env<TAB>");
        assert_eq!(visible(".env\u{a0}".as_bytes()), ".env<U+00A0>");
        assert_eq!(visible(".env\u{200b}".as_bytes()), ".env<U+200B>");
        assert_eq!(visible(b".env\\ "), ".env\\ ");
        assert_eq!(visible(b"\xFF\xFE.\0"), "<0xFF><0xFE>.<U+0000>");
    }
}
