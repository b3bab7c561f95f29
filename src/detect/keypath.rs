//! The key-path binding shape: config where the provider is a parent key (`zoom:` then
//! `  client_secret: v` in YAML, `[zoom]` then `secret = v` in TOML or INI,
//! `{"deepgram": {"apiKey": "v"}}` in JSON or a JS object). Given the line of a keyword hit,
//! [`opener`] says whether it opens such a section; [`leaves`] walks the section and returns
//! each leaf's dotted key path (`zoom.client_secret`) and value. Both look at bounded text:
//! a section is read at most [`MAX_SECTION`] bytes far.

/// How far past its opening line a section is read.
pub const MAX_SECTION: usize = 64 * 1024;

/// A line that opens a config section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Opener {
    /// `key:` alone on its line (YAML): the section is the lines indented deeper.
    Indented {
        /// The key.
        key: String,
        /// Column of the key (a `- ` list marker counts as indentation).
        indent: usize,
    },
    /// `[section]` (TOML, INI): the section runs to the next `[`.
    Header {
        /// The section name.
        key: String,
    },
    /// `key: {`, `"key": {`, `key = {` (JSON, JS, HCL): the section is the braces.
    Brace {
        /// The key.
        key: String,
        /// Offset of the `{`.
        at: usize,
    },
}

/// One leaf of a section: its dotted key path and the byte span of its value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Leaf {
    /// Keys from the opener down, joined with `.`.
    pub path: String,
    /// Offset where the leaf's key starts.
    pub key_start: usize,
    /// The value (without quotes).
    pub value: (usize, usize),
}

/// Whether the line `data[start..end]` opens a section whose key covers offset `hit`.
pub fn opener(data: &[u8], start: usize, end: usize, hit: usize) -> Option<Opener> {
    if let Some(brace) = brace_opener(data, start, end, hit) {
        return Some(brace);
    }
    let line = &data[start..end];
    let indent = line.iter().take_while(|b| **b == b' ').count();
    let rest = &line[indent..];
    if rest.first() == Some(&b'[') {
        let close = rest.iter().rposition(|b| *b == b']')?;
        let inner = trim(&rest[..close]);
        let inner = inner.strip_prefix(b"[").unwrap_or(inner);
        let after = trim(&rest[close + 1..]);
        if !(after.is_empty() || after.starts_with(b"#") || after.starts_with(b";")) {
            return None;
        }
        return Some(Opener::Header {
            key: clean_key(inner)?,
        });
    }
    let (list, rest) = match rest.strip_prefix(b"- ") {
        Some(r) => (2, r),
        None => (0, rest),
    };
    let key_at = start + indent + list;
    let (key, after) = split_key(rest)?;
    if hit < key_at || hit >= key_at + key.len() + 2 {
        return None;
    }
    let key = clean_key(key)?;
    let after_trim = trim(after);
    if after_trim.is_empty() || after_trim.starts_with(b"#") {
        return Some(Opener::Indented {
            key,
            indent: indent + list,
        });
    }
    None
}

/// `key: {`, `"key": {`, `key = {`, `"key" => {` anywhere on the line, the key around `hit`.
fn brace_opener(data: &[u8], start: usize, end: usize, hit: usize) -> Option<Opener> {
    let is_key = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.');
    let ks = hit
        - data[start..hit]
            .iter()
            .rev()
            .take_while(|b| is_key(b))
            .count();
    let ke = hit + data[hit..end].iter().take_while(|b| is_key(b)).count();
    let mut i = ke;
    if ks > start && matches!(data[ks - 1], b'"' | b'\'') && data.get(ke) == Some(&data[ks - 1]) {
        i += 1;
    }
    let blank = |i: &mut usize| {
        while *i < end && matches!(data[*i], b' ' | b'\t') {
            *i += 1;
        }
    };
    blank(&mut i);
    match data.get(i..end)? {
        [b'=', b'>', ..] => i += 2,
        [b':' | b'=', ..] => i += 1,
        _ => return None,
    }
    blank(&mut i);
    (i < end && data[i] == b'{').then(|| Opener::Brace {
        key: String::from_utf8_lossy(&data[ks..ke]).into_owned(),
        at: i,
    })
}

/// Every leaf of the section `opener` opens, the opener's line ending at `line_end`.
pub fn leaves(data: &[u8], opener: &Opener, line_end: usize) -> (Vec<Leaf>, usize) {
    let limit = (line_end + MAX_SECTION).min(data.len());
    match opener {
        Opener::Indented { key, indent } => indented(data, key, *indent, line_end, limit),
        Opener::Header { key } => header(data, key, line_end, limit),
        Opener::Brace { key, at } => braces(data, key, *at, limit),
    }
}

/// The leaves of a YAML block: lines indented deeper than the opener.
fn indented(data: &[u8], key: &str, base: usize, from: usize, limit: usize) -> (Vec<Leaf>, usize) {
    let mut out = Vec::new();
    let mut stack: Vec<(usize, String)> = Vec::new();
    let mut pos = from;
    for (start, end) in lines_after(data, from, limit) {
        pos = end;
        let line = &data[start..end];
        let text = trim(line);
        if text.is_empty() || text.starts_with(b"#") {
            continue;
        }
        let mut indent = line.iter().take_while(|b| **b == b' ').count();
        let mut rest = &line[indent..];
        if let Some(r) = rest.strip_prefix(b"- ") {
            indent += 2;
            rest = r;
        }
        if indent <= base {
            return (out, start);
        }
        let Some((k, after)) = split_key(rest) else {
            continue;
        };
        let Some(k) = clean_key(k) else { continue };
        while stack.last().is_some_and(|(i, _)| *i >= indent) {
            stack.pop();
        }
        let value = trim(after);
        if value.is_empty() || value.starts_with(b"#") {
            stack.push((indent, k));
            continue;
        }
        let value_at = end - after.len() + (after.len() - trim_start(after).len());
        if let Some(span) = scalar(data, value_at, end) {
            let parents = stack.iter().map(|(_, k)| k.as_str());
            out.push(Leaf {
                path: join(key, parents, &k),
                key_start: start + indent,
                value: span,
            });
        }
    }
    (out, pos)
}

/// The leaves of a TOML or INI section: `key = value` lines up to the next `[`.
fn header(data: &[u8], key: &str, from: usize, limit: usize) -> (Vec<Leaf>, usize) {
    let mut out = Vec::new();
    let mut pos = from;
    for (start, end) in lines_after(data, from, limit) {
        pos = end;
        let line = &data[start..end];
        let indent = line.len() - trim_start(line).len();
        let text = trim(line);
        if text.starts_with(b"[") {
            return (out, start);
        }
        let Some(eq) = text.iter().position(|b| *b == b'=' || *b == b':') else {
            continue;
        };
        let Some(k) = clean_key(trim(&text[..eq])) else {
            continue;
        };
        let after = &line[indent + eq + 1..];
        let value_at = end - after.len() + (after.len() - trim_start(after).len());
        if let Some(span) = scalar(data, value_at, end) {
            out.push(Leaf {
                path: join(key, std::iter::empty(), &k),
                key_start: start + indent,
                value: span,
            });
        }
    }
    (out, pos)
}

/// The leaves of a brace-delimited object starting at the `{` at `open`: JSON, JS, HCL.
fn braces(data: &[u8], key: &str, open: usize, limit: usize) -> (Vec<Leaf>, usize) {
    let mut out = Vec::new();
    // the keys of the open objects below the opener's; `None` for an array
    let mut stack: Vec<Option<String>> = Vec::new();
    let mut pending: Option<(String, usize)> = None;
    let mut last: Option<(String, usize)> = None;
    let mut i = open + 1;
    while i < limit {
        match data[i] {
            b'"' | b'\'' | b'`' => {
                let q = data[i];
                let Some(close) = string_end(data, i, limit) else {
                    return (out, limit);
                };
                match pending.take() {
                    Some((k, at)) if stack.last().is_none_or(Option::is_some) => {
                        let parents = stack.iter().flatten().map(String::as_str);
                        let span = (i + 1, close);
                        if q != b'`' && is_value(&data[span.0..span.1]) {
                            out.push(Leaf {
                                path: join(key, parents, &k),
                                key_start: at,
                                value: span,
                            });
                        }
                    }
                    _ => {
                        last = clean_key(&data[i + 1..close]).map(|k| (k, i));
                    }
                }
                i = close + 1;
                continue;
            }
            b':' | b'=' => {
                pending = last.take();
                if data.get(i + 1) == Some(&b'>') {
                    i += 1;
                }
            }
            b'{' => {
                stack.push(Some(pending.take().map(|(k, _)| k).unwrap_or_default()));
            }
            b'[' => {
                pending = None;
                stack.push(None);
            }
            b'}' | b']' => {
                if stack.pop().is_none() {
                    return (out, i + 1);
                }
                pending = None;
            }
            b',' | b'\n' | b';' => {
                pending = None;
            }
            b if b.is_ascii_alphanumeric() || b == b'_' => {
                let end = i + data[i..limit]
                    .iter()
                    .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_' || **b == b'-')
                    .count();
                if pending.take().is_none() {
                    last = clean_key(&data[i..end]).map(|k| (k, i));
                }
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    (out, limit)
}

/// The dotted path of a leaf.
fn join<'a>(opener: &str, parents: impl Iterator<Item = &'a str>, key: &str) -> String {
    let mut path = opener.to_string();
    for p in parents.filter(|p| !p.is_empty()) {
        path.push('.');
        path.push_str(p);
    }
    path.push('.');
    path.push_str(key);
    path
}

/// A key up to its `:` (followed by a space or the line end) or ` =`: (key, text after).
fn split_key(rest: &[u8]) -> Option<(&[u8], &[u8])> {
    let colon = rest.iter().enumerate().position(|(i, b)| {
        *b == b':'
            && rest
                .get(i + 1)
                .is_none_or(|n| *n == b' ' || *n == b'\t' || *n == b'{')
    });
    let eq = rest
        .windows(2)
        .position(|w| w == b" =")
        .filter(|p| rest.get(p + 2) != Some(&b'='));
    let (at, skip) = match (colon, eq) {
        (Some(c), Some(e)) if e < c => (e, 2),
        (Some(c), _) => (c, 1),
        (None, Some(e)) => (e, 2),
        (None, None) => return None,
    };
    Some((trim(&rest[..at]), &rest[at + skip..]))
}

/// A key without quotes, when it reads as one: letters, digits, `_`, `-`, `.`.
fn clean_key(key: &[u8]) -> Option<String> {
    let key = trim(key);
    let key = key
        .strip_prefix(b"\"")
        .and_then(|k| k.strip_suffix(b"\""))
        .or_else(|| key.strip_prefix(b"'").and_then(|k| k.strip_suffix(b"'")))
        .unwrap_or(key);
    let ok = !key.is_empty()
        && key.len() <= 128
        && key
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    ok.then(|| String::from_utf8_lossy(key).into_owned())
}

/// The span of a scalar value starting at `at` on a line ending at `end`: a quoted string's
/// contents, or an unquoted word up to a space or comment; only when it can be a key.
fn scalar(data: &[u8], at: usize, end: usize) -> Option<(usize, usize)> {
    let q = *data.get(at)?;
    let span = if q == b'"' || q == b'\'' {
        let close = at + 1 + data[at + 1..end].iter().position(|b| *b == q)?;
        (at + 1, close)
    } else {
        let len = data[at..end]
            .iter()
            .take_while(|b| !b.is_ascii_whitespace() && **b != b',' && **b != b';')
            .count();
        (at, at + len)
    };
    is_value(&data[span.0..span.1]).then_some(span)
}

/// Whether a value has the characters and length of a key.
fn is_value(v: &[u8]) -> bool {
    let body = v.len() - v.iter().rev().take_while(|b| **b == b'=').count();
    (16..=256).contains(&body)
        && v.len() - body <= 3
        && v[..body]
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b"_-.+/~".contains(b))
}

/// The offset of a string's closing quote, the quote at `open`; escapes are skipped.
fn string_end(data: &[u8], open: usize, limit: usize) -> Option<usize> {
    let q = data[open];
    let mut i = open + 1;
    while i < limit {
        match data[i] {
            b'\\' => i += 1,
            b'\n' if q != b'`' => return None,
            b if b == q => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

/// (start, end) of each line after the line ending at `from`, up to `limit`.
fn lines_after(
    data: &[u8],
    from: usize,
    limit: usize,
) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut pos = from;
    std::iter::from_fn(move || {
        let start = next_line(data, pos);
        if start >= limit {
            return None;
        }
        pos = line_end(data, start, limit);
        Some((start, pos))
    })
}

fn next_line(data: &[u8], end: usize) -> usize {
    if end >= data.len() {
        return data.len();
    }
    super::lines::after_break(data, end)
}

fn line_end(data: &[u8], start: usize, limit: usize) -> usize {
    start
        + data[start.min(limit)..limit]
            .iter()
            .position(|b| *b == b'\n' || *b == b'\r')
            .unwrap_or(limit - start.min(limit))
}

fn trim_start(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|b| b.is_ascii_whitespace()).count();
    &s[n..]
}

fn trim(s: &[u8]) -> &[u8] {
    let s = trim_start(s);
    let n = s
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_whitespace())
        .count();
    &s[..s.len() - n]
}

#[cfg(test)]
mod tests {
    use super::*;

    const V: &str = "Hd7Fs3Gj9Kl2Qw5Er8Ty1Ui4Op6As0Dz";

    /// (path, value) of every leaf of the section the first line opens, the hit at `word`.
    fn walk(text: &str, word: &str) -> Vec<(String, String)> {
        let data = text.as_bytes();
        let end = text.find('\n').unwrap_or(text.len());
        let hit = text.find(word).expect("word");
        let Some(o) = opener(data, 0, end, hit) else {
            return Vec::new();
        };
        leaves(data, &o, end)
            .0
            .into_iter()
            .map(|l| (l.path, text[l.value.0..l.value.1].to_string()))
            .collect()
    }

    fn leaf(path: &str) -> Vec<(String, String)> {
        vec![(path.to_string(), V.to_string())]
    }

    #[test]
    fn yaml_blocks_track_the_indented_key_stack() {
        let text = format!("zoom:\n  client_id: abc\n  oauth:\n    client_secret: \"{V}\" # prod\n  other: 1\nnext:\n  secret: {V}\n");
        assert_eq!(walk(&text, "zoom"), leaf("zoom.oauth.client_secret"));
        let text = format!("  - zoom:\n      secret: {V}\n  - b: c\n");
        assert_eq!(walk(&text, "zoom"), leaf("zoom.secret"));
        // the keyword in a comment opens nothing
        assert_eq!(
            walk(&format!("app: # zoom\n  secret: {V}\n"), "zoom"),
            vec![]
        );
    }

    #[test]
    fn toml_and_ini_sections_run_to_the_next_header() {
        let text = format!("[zoom]\nsecret = \"{V}\"\n[other]\nsecret = \"{V}\"\n");
        assert_eq!(walk(&text, "zoom"), leaf("zoom.secret"));
        let text = format!("[Zoom.OAuth]\r\nClientSecret={V}\r\n");
        assert_eq!(walk(&text, "Zoom"), leaf("Zoom.OAuth.ClientSecret"));
    }

    #[test]
    fn json_and_js_objects_nest_by_braces() {
        let text = format!("{{\"deepgram\": {{\"model\": \"nova-2\", \"apiKey\": \"{V}\"}}, \"x\": {{\"apiKey\": \"{V}\"}}}}");
        assert_eq!(walk(&text[1..], "deepgram"), leaf("deepgram.apiKey"));
        let text = format!("zoom: {{\n  sdk: {{ key: 'abc', secret: '{V}' }},\n  list: ['{V}'],\n}}\nsecret: '{V}'\n");
        assert_eq!(walk(&text, "zoom"), leaf("zoom.sdk.secret"));
    }
}
