//! Escaping of scanned data for terminals and text reports.
//!
//! Paths, ref names, author names, commit subjects, gitignore lines and provider error bodies
//! come from repositories nobody has to trust. Printed raw, an escape sequence in a file name
//! can recolour, erase or retitle the terminal or CI log that reports on it (an erase-line
//! sequence can hide a finding), and a bidi override can make a name read differently from
//! what it is. [`text`] makes every such character visible (`\x1b`, `\u{202e}`); [`markdown`]
//! also neutralises the Markdown syntax that would let a file name inject links, tables or
//! HTML into the rotation checklist. JSON and SARIF do not use these: serde_json escapes
//! control characters itself and those formats keep the exact original string.

use std::borrow::Cow;
use std::fmt::Write as _;

/// True for characters that must never reach a terminal raw: C0 and C1 controls (newline and
/// tab included: every field escaped here is a single-line field), DEL, bidi embeddings,
/// overrides and isolates, zero-width and other invisible characters (soft hyphen, Arabic
/// letter mark, interlinear annotations, tag characters), line/paragraph separators and the BOM.
fn is_hostile(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{ad}'
                | '\u{61c}'
                | '\u{180e}'
                | '\u{200b}'..='\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2060}'..='\u{2069}'
                | '\u{feff}'
                | '\u{fff9}'..='\u{fffb}'
                | '\u{e0000}'..='\u{e007f}'
        )
}

/// Writes the visible form of a hostile character: `\xNN` below U+0100, `\u{NNNN}` above.
fn push_escaped(out: &mut String, c: char) {
    let code = c as u32;
    // Writing to a String cannot fail.
    let _ = if code < 0x100 {
        write!(out, "\\x{code:02x}")
    } else {
        write!(out, "\\u{{{code:04x}}}")
    };
}

/// `s` with every control, bidi and invisible formatting character shown as an escape.
/// Borrows when there is nothing to escape, which is the common case.
pub fn text(s: &str) -> Cow<'_, str> {
    let Some(first) = s.find(is_hostile) else {
        return Cow::Borrowed(s);
    };
    let mut out = String::with_capacity(s.len() + 8);
    out.push_str(&s[..first]);
    for c in s[first..].chars() {
        if is_hostile(c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// [`text`] plus a backslash before every character that lets prose in the checklist turn
/// into live Markdown: `[`/`]` (links, images), `<`/`>` (HTML, autolinks), `|` (table
/// cells) and `\\` itself. Code-span backticks and emphasis stay, so keyhound's own wording
/// keeps its formatting; file names go through [`code`] instead.
pub fn markdown(s: &str) -> String {
    let visible = text(s);
    let mut out = String::with_capacity(visible.len() + 8);
    for c in visible.chars() {
        if matches!(c, '\\' | '[' | ']' | '<' | '>' | '|') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A Markdown code span holding `s` literally: control characters made visible, and a fence
/// of more backticks than any run inside `s` (CommonMark), so a backtick in a hostile file
/// name cannot end the span early and inject Markdown after it.
pub fn code(s: &str) -> String {
    let visible = text(s);
    let mut longest = 0;
    let mut run = 0;
    for c in visible.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if visible.starts_with('`') || visible.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{visible}{pad}{fence}")
}

/// `s` as one POSIX shell word: as is when it holds only characters no shell treats
/// specially, else single-quoted with each `'` written as `'\''`. A hostile file name in a
/// suggested command (`git rm --cached -- NAME`) stays one argument when pasted.
pub fn shell(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "._/-+@%=:,".contains(c));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed() {
        assert!(matches!(text("src/app/config.py"), Cow::Borrowed(_)));
        assert!(matches!(text("naïve/日本語.txt"), Cow::Borrowed(_)));
    }

    #[test]
    fn controls_and_bidi_are_visible() {
        assert_eq!(text("evil\x1b[31mname.py"), "evil\\x1b[31mname.py");
        assert_eq!(text("a\nb\tc\r"), "a\\x0ab\\x09c\\x0d");
        assert_eq!(text("x\u{9b}2K"), "x\\x9b2K");
        assert_eq!(text("\u{7f}"), "\\x7f");
        assert_eq!(text("invoice\u{202e}fdp.exe"), "invoice\\u{202e}fdp.exe");
        assert_eq!(
            text("a\u{2066}b\u{200b}c\u{feff}"),
            "a\\u{2066}b\\u{200b}c\\u{feff}"
        );
        assert_eq!(text("l\u{2028}p\u{2029}"), "l\\u{2028}p\\u{2029}");
        assert_eq!(text("a\u{ad}b\u{e0041}"), "a\\xadb\\u{e0041}");
    }

    #[test]
    fn markdown_syntax_is_inert() {
        assert_eq!(markdown("x](http://evil)`|.py"), "x\\](http://evil)`\\|.py");
        assert_eq!(markdown("<script>"), "\\<script\\>");
        assert_eq!(markdown("a\\[b\x1b"), "a\\\\\\[b\\\\x1b");
    }

    #[test]
    fn code_spans_cannot_be_closed_by_the_name() {
        assert_eq!(code("src/a.py"), "`src/a.py`");
        assert_eq!(code("x`](http://evil)"), "``x`](http://evil)``");
        assert_eq!(code("`a``"), "``` `a`` ```");
        assert_eq!(code("a\nb"), "`a\\x0ab`");
    }

    #[test]
    fn shell_words_stay_one_argument() {
        assert_eq!(shell("api/.env"), "api/.env");
        assert_eq!(shell("a b"), "'a b'");
        assert_eq!(shell("x'; rm -rf ~; '"), r"'x'\''; rm -rf ~; '\'''");
        assert_eq!(shell(""), "''");
    }
}
