//! Value flow within one file: a use site (`"Token " + API_KEY`, `DeepgramClient(KEY)`) names
//! an identifier; [`binding`] finds the literal that identifier is bound to in the same
//! buffer (`static final String API_KEY = "…"`, `val KEY = "…"`, `const KEY = "…"`,
//! `std::string KEY{"…"}`, `KEY: str = "…"`, `#define KEY "…"`), so the finding is reported
//! at the literal and names the use site.

use regex::bytes::Regex;
use std::sync::OnceLock;

/// How many occurrences of an identifier are looked at for its binding.
const MAX_OCCURRENCES: usize = 256;
/// How far after an occurrence its literal may start and end.
const MAX_BINDING: usize = 320;

/// What follows an identifier that binds it to a literal, one entry per binding shape; each
/// is followed by the quoted value.
const BINDINGS: &[&str] = &[
    // an optional type (`: str`, `: String`, ` string`), then `=`, `:=`, `:`, `=>`, `(`, `{`
    // or a blank (`#define KEY "…"`): Java `static final String`, Kotlin/Scala `val`, Go
    // `const`/`var`, C/C++ `std::string`/`const char*`, C# `const string`, Python, JS/TS,
    // Ruby and PHP constants and variables
    r#"(?:[ \t]*:[ \t]*[A-Za-z_][A-Za-z0-9_.<>\[\]]*|[ \t]+[A-Za-z_][A-Za-z0-9_.]*)?[ \t]*(?:=>|:=|=|:|\(|\{|[ \t])"#,
    // PHP `define('KEY', '…')`
    r#"["'][ \t]*,"#,
];

/// The quoted value of a binding.
const BOUND_VALUE: &str =
    r#"[ \t]*(?:[fbru]{0,2}|[@$])["'`](?P<secret>[A-Za-z0-9_\-.+/~]{16,256}={0,3})["'`]"#;

/// How an identifier is bound to an expression: an optional type (`: str`, ` string`), then
/// `=` or `:=`; anchored at the end of the identifier. Matched before the rule's (costlier)
/// scheme expressions, so an occurrence that binds nothing costs one small match.
fn expr_binding_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        let pattern = format!(r"\A(?:{})?[ \t]*(?:=|:=)[ \t]*", TYPE);
        // a constant pattern, proven to compile by the tests
        Regex::new(&pattern).unwrap_or_else(|_| unreachable!("binding pattern compiles"))
    })
}

/// A type between a name and its `=` (`: str`, `: String`, Go's ` string`).
const TYPE: &str = r"[ \t]*:[ \t]*[A-Za-z_][A-Za-z0-9_.<>\[\]]*|[ \t]+[A-Za-z_][A-Za-z0-9_.]*";

/// [`BINDINGS`] and [`BOUND_VALUE`] as one pattern anchored at the end of the name.
fn binding_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        let pattern = format!(r"\A(?:{}){BOUND_VALUE}", BINDINGS.join("|"));
        // a constant pattern, proven to compile by the tests
        Regex::new(&pattern).unwrap_or_else(|_| unreachable!("binding pattern compiles"))
    })
}

/// The identifier a use site names, as its binding is written: the last segment of a path
/// (`self.api_key` → `api_key`, `Config::KEY` → `KEY`).
pub fn bound_name(ident: &str) -> &str {
    let cut = [".", "->", "::"]
        .iter()
        .filter_map(|sep| ident.rfind(sep).map(|i| i + sep.len()))
        .max()
        .unwrap_or(0);
    &ident[cut..]
}

/// What a header value variable is bound to: the identifier its scheme expression names
/// (`auth = "Token " + KEY`), or the literal itself (`auth = "Token …"`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HeaderValue {
    /// The identifier to follow, as written (`KEY`, `$key`, `self.key`).
    Ident(String),
    /// The literal's span.
    Literal((usize, usize)),
}

/// The offsets where `name` occurs as a whole identifier (not a member, `x.name`), at most
/// [`MAX_OCCURRENCES`] of them.
fn occurrences<'a>(data: &'a [u8], name: &'a str) -> impl Iterator<Item = usize> + 'a {
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'$';
    let needle = name.as_bytes();
    memchr::memmem::find_iter(data, needle)
        .take(if needle.is_empty() {
            0
        } else {
            MAX_OCCURRENCES
        })
        .filter(move |&at| {
            let before = at.checked_sub(1).map(|i| data[i]);
            !(before.is_some_and(|b| is_ident(b) || b == b'.')
                || data.get(at + needle.len()).is_some_and(|&b| is_ident(b)))
        })
}

/// The first occurrence of `name` whose following bytes `matches` accepts: (start of the
/// name, what `matches` found, as offsets into `data`). The bytes examined are added to `work`.
fn first_binding<T>(
    data: &[u8],
    name: &str,
    work: &mut u64,
    mut matches: impl FnMut(&[u8], usize) -> Option<T>,
) -> Option<(usize, T)> {
    for at in occurrences(data, name) {
        let end = at + name.len();
        let tail = &data[end..(end + MAX_BINDING).min(data.len())];
        *work += tail.len() as u64;
        if let Some(found) = matches(tail, end) {
            return Some((at, found));
        }
    }
    *work += data.len() as u64;
    None
}

/// The first literal `name` is bound to in `data`: (start of the name, the literal's span).
/// The bytes examined are added to `work`.
pub fn binding(data: &[u8], name: &str, work: &mut u64) -> Option<(usize, (usize, usize))> {
    first_binding(data, name, work, |tail, end| {
        let secret = binding_regex().captures(tail)?.name("secret")?;
        Some((end + secret.start(), end + secret.end()))
    })
}

/// The first scheme expression `name` is bound to in `data` (`exprs`, anchored at the end of
/// the name, each capturing an `ident` or a `secret`): (start of the name, what it names).
/// The bytes examined are added to `work`.
pub fn header_value(
    data: &[u8],
    name: &str,
    exprs: &[Regex],
    work: &mut u64,
) -> Option<(usize, HeaderValue)> {
    first_binding(data, name, work, |tail, end| {
        let at = expr_binding_regex().find(tail)?.end();
        let (tail, end) = (&tail[at..], end + at);
        exprs.iter().find_map(|re| {
            let caps = re.captures(tail)?;
            if let Some(secret) = caps.name("secret") {
                return Some(HeaderValue::Literal((
                    end + secret.start(),
                    end + secret.end(),
                )));
            }
            let ident = caps.name("ident")?;
            let call = caps
                .name("next")
                .is_some_and(|n| matches!(n.as_bytes(), b"(" | b"["));
            (!call).then(|| HeaderValue::Ident(String::from_utf8_lossy(ident.as_bytes()).into()))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const V: &str = "f3a9c2e81b7d4065a9e2c3b1d8f74e06";

    fn bound(text: &str, name: &str) -> Option<String> {
        let mut work = 0;
        binding(text.as_bytes(), name, &mut work).map(|(_, (s, e))| text[s..e].to_string())
    }

    #[test]
    fn literal_bindings_in_many_languages() {
        for (text, name) in [
            (
                format!("private static final String API_KEY = \"{V}\";"),
                "API_KEY",
            ),
            (format!("val apiKey = \"{V}\""), "apiKey"),
            (format!("private val apiKey: String = \"{V}\""), "apiKey"),
            (format!("const apiKey = \"{V}\""), "apiKey"),
            (format!("const apiKey string = \"{V}\""), "apiKey"),
            (format!("const std::string kApiKey = \"{V}\";"), "kApiKey"),
            (
                format!("static const std::string kApiKey{{\"{V}\"}};"),
                "kApiKey",
            ),
            (format!("#define API_KEY \"{V}\""), "API_KEY"),
            (format!("API_KEY: str = '{V}'"), "API_KEY"),
            (format!("$key = '{V}';"), "$key"),
            (format!("const string ApiKey = @\"{V}\";"), "ApiKey"),
            (format!("apiKey := \"{V}\""), "apiKey"),
            (format!("define('API_KEY', '{V}');"), "API_KEY"),
            (format!("static const char *API_KEY = \"{V}\";"), "API_KEY"),
            (format!("BOT_TOKEN = \"{V}\".freeze"), "BOT_TOKEN"),
        ] {
            assert_eq!(bound(&text, name).as_deref(), Some(V), "{text}");
        }
    }

    #[test]
    fn references_and_comparisons_are_not_bindings() {
        for (text, name) in [
            ("API_KEY = os.environ[\"API_KEY\"]".to_string(), "API_KEY"),
            (format!("if API_KEY == \"{V}\":"), "API_KEY"),
            (format!("OTHER_API_KEY = \"{V}\""), "API_KEY"),
            (format!("config.API_KEY = \"{V}\""), "API_KEY"),
        ] {
            assert_eq!(bound(&text, name), None, "{text}");
        }
        assert_eq!(bound_name("self.api_key"), "api_key");
        assert_eq!(bound_name("Config::KEY"), "KEY");
        assert_eq!(bound_name("$this->key"), "key");
    }
}
