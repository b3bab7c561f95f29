//! Document structure for credentials written in prose: Markdown tables (a header row names
//! each column, the rows below hold the values) and sections under a heading (`## Attendee`,
//! `Deepgram` + underline, `**Zoom**`, `<h2>Zoom</h2>`, `Attendee credentials:`) whose lines
//! label values with plain words (`- API Key: v`). Pure functions over bytes, each reading
//! bounded text: a table at most [`MAX_ROWS`] rows far, a section [`MAX_SECTION_LINES`].

/// How many rows of a table are read.
pub const MAX_ROWS: usize = 200;
/// How many lines past its heading a section is read.
pub const MAX_SECTION_LINES: usize = 30;
/// The most bytes a table or a section is read.
const MAX_BYTES: usize = 16 * 1024;
/// A value: 16 to 256 key characters with base64 padding, as the binding shapes take.
const MIN_VALUE: usize = 16;
const MAX_VALUE: usize = 259;

/// A value under a label: the label's words (`API Key`) and the value's byte span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Labelled {
    /// The label as written, without markup.
    pub label: String,
    /// Where the label starts.
    pub label_start: usize,
    /// The value (without quotes or markup).
    pub value: (usize, usize),
}

/// The line starting at `start`: its end (before `\r\n`, `\n` or `\r`) and the start of the
/// next line, if any.
fn line_at(data: &[u8], start: usize) -> (usize, Option<usize>) {
    let end = data[start..]
        .iter()
        .position(|b| matches!(b, b'\n' | b'\r'))
        .map_or(data.len(), |p| start + p);
    let next = match data.get(end) {
        None => None,
        Some(b'\r') if data.get(end + 1) == Some(&b'\n') => Some(end + 2),
        Some(_) => Some(end + 1),
    };
    (end, next)
}

/// The span `s..e` without surrounding spaces and tabs.
fn trim(data: &[u8], mut s: usize, mut e: usize) -> (usize, usize) {
    while s < e && matches!(data[s], b' ' | b'\t') {
        s += 1;
    }
    while e > s && matches!(data[e - 1], b' ' | b'\t') {
        e -= 1;
    }
    (s, e)
}

/// The span without Markdown or quoting markup around it (`` `v` ``, `**v**`, `"v"`).
fn unmark(data: &[u8], s: usize, e: usize) -> (usize, usize) {
    let (mut s, mut e) = trim(data, s, e);
    while s < e && matches!(data[s], b'`' | b'*' | b'"' | b'\'') {
        s += 1;
    }
    while e > s && matches!(data[e - 1], b'`' | b'*' | b'"' | b'\'') {
        e -= 1;
    }
    (s, e)
}

/// Whether `data[s..e]` is a whole value of key characters.
fn is_value(data: &[u8], (s, e): (usize, usize)) -> bool {
    let body = data[s..e].strip_suffix(b"===").unwrap_or(&data[s..e]);
    (MIN_VALUE..=MAX_VALUE).contains(&(e - s))
        && body
            .iter()
            .rev()
            .skip_while(|b| **b == b'=')
            .all(|b| b.is_ascii_alphanumeric() || b"_-.+/~".contains(b))
}

/// The cells of a table row: trimmed spans between pipes (the outer pipes are optional).
fn cells(data: &[u8], start: usize, end: usize) -> Vec<(usize, usize)> {
    let (s, e) = trim(data, start, end);
    let s = if data.get(s) == Some(&b'|') { s + 1 } else { s };
    let e = if e > s && data[e - 1] == b'|' {
        e - 1
    } else {
        e
    };
    let mut out = Vec::new();
    let mut from = s;
    for i in s..=e {
        if i == e || data[i] == b'|' {
            out.push(trim(data, from, i));
            from = i + 1;
        }
    }
    out
}

/// Whether a line is a table's delimiter row (`|---|:--:|`).
fn is_delimiter(line: &[u8]) -> bool {
    line.contains(&b'|')
        && memchr::memmem::find(line, b"---").is_some()
        && line
            .iter()
            .all(|b| matches!(b, b'|' | b'-' | b':' | b' ' | b'\t'))
}

/// When the line `start..end` is a table's header row (a delimiter row follows): every value
/// in the column of each labelled header cell, and where the table ends.
pub fn table(data: &[u8], start: usize, end: usize) -> Option<(Vec<Labelled>, usize)> {
    if !data[start..end].contains(&b'|') {
        return None;
    }
    let (_, next) = line_at(data, end.min(data.len()));
    let (delimiter_end, mut row) = line_at(data, next?);
    if !is_delimiter(&data[next?..delimiter_end]) {
        return None;
    }
    let header: Vec<(String, usize)> = cells(data, start, end)
        .into_iter()
        .map(|(s, e)| {
            let (s, e) = unmark(data, s, e);
            (String::from_utf8_lossy(&data[s..e]).into_owned(), s)
        })
        .collect();
    let mut found = Vec::new();
    let mut reached = delimiter_end;
    for _ in 0..MAX_ROWS {
        let Some(from) = row.filter(|r| r - start <= MAX_BYTES) else {
            break;
        };
        let (row_end, after) = line_at(data, from);
        if !data[from..row_end].contains(&b'|') {
            break;
        }
        for ((label, label_start), (s, e)) in header.iter().zip(cells(data, from, row_end)) {
            let value = unmark(data, s, e);
            if !label.is_empty() && is_value(data, value) {
                found.push(Labelled {
                    label: label.clone(),
                    label_start: *label_start,
                    value,
                });
            }
        }
        reached = row_end;
        row = after;
    }
    Some((found, reached))
}

/// Whether the line `start..end` is a heading: `# …` (Markdown), `= …` (AsciiDoc),
/// `<h2>…` (HTML), a line alone in bold (`**Zoom**`), a line underlined by the next one
/// (`Zoom` + `----`), or words ending with a colon (`Attendee credentials:`).
pub fn is_heading(data: &[u8], start: usize, end: usize) -> bool {
    let (s, e) = trim(data, start, end);
    let line = &data[s..e];
    let marked = |c: u8| {
        let n = line.iter().take_while(|b| **b == c).count();
        (1..=6).contains(&n) && line.get(n) == Some(&b' ')
    };
    let bold = (line.starts_with(b"**") && line.ends_with(b"**") && line.len() > 4)
        || (line.starts_with(b"__") && line.ends_with(b"__") && line.len() > 4);
    let html = line.len() > 3 && line[..2].eq_ignore_ascii_case(b"<h") && line[2].is_ascii_digit();
    let colon = line.ends_with(b":") && line.contains(&b' ') && !line.contains(&b'=');
    marked(b'#') || marked(b'=') || bold || html || colon || underlined(data, end)
}

/// Whether the line after `end` underlines the one before it (`====`, `----`, `~~~~`).
fn underlined(data: &[u8], end: usize) -> bool {
    let (_, Some(next)) = line_at(data, end.min(data.len())) else {
        return false;
    };
    let (next_end, _) = line_at(data, next);
    let (s, e) = trim(data, next, next_end);
    let line = &data[s..e];
    line.len() >= 3
        && matches!(line[0], b'=' | b'-' | b'~' | b'^' | b'*')
        && line.iter().all(|b| *b == line[0])
}

/// The labelled values of the section under the heading line ending at `end`: lines
/// `Label: v` whose label is Capitalised words (`- API Key: v`, `**Secret**: v`,
/// `API key: `v``), and the columns of tables in it. Stops at the next heading. Also says
/// where the section ends.
pub fn section(data: &[u8], end: usize) -> (Vec<Labelled>, usize) {
    let mut found = Vec::new();
    let (_, mut next) = line_at(data, end.min(data.len()));
    let mut reached = end;
    let mut lines = 0;
    while let Some(start) = next.filter(|n| n - end <= MAX_BYTES && lines < MAX_SECTION_LINES) {
        let (line_end, after) = line_at(data, start);
        if is_heading(data, start, line_end) {
            break;
        }
        if let Some((cells, table_end)) = table(data, start, line_end) {
            found.extend(cells);
            reached = table_end;
            next = line_at(data, table_end).1;
            lines += 2;
            continue;
        }
        found.extend(label_line(data, start, line_end));
        reached = line_end;
        next = after;
        lines += 1;
    }
    (found, reached)
}

/// A line `Label: v`: an optional list marker or table pipe, a label of one to five
/// Capitalised or UPPER words (markup allowed around it), a colon, then the whole value.
fn label_line(data: &[u8], start: usize, end: usize) -> Option<Labelled> {
    let (s, e) = trim(data, start, end);
    let line = &data[s..e];
    let colon = line.iter().position(|b| *b == b':')?;
    let mut from = 0;
    for marker in [&b"- "[..], b"* ", b"+ ", b"| "] {
        if line.starts_with(marker) {
            from = 2;
        }
    }
    let (ls, le) = unmark(data, s + from, s + colon);
    let label = &data[ls..le];
    let words = label.split(|b| *b == b' ').collect::<Vec<_>>();
    let word_ok = |w: &&[u8]| {
        !w.is_empty() && w[0].is_ascii_uppercase() && w.iter().all(u8::is_ascii_alphanumeric)
    };
    if !(1..=5).contains(&words.len()) || !words.iter().all(word_ok) {
        return None;
    }
    let rest = s + colon + 1;
    let rest = if data.get(rest).is_some_and(|b| matches!(b, b'*' | b'_')) {
        rest + data[rest..e]
            .iter()
            .take_while(|b| matches!(b, b'*' | b'_'))
            .count()
    } else {
        rest
    };
    let value = unmark(data, rest, e);
    is_value(data, value).then(|| Labelled {
        label: String::from_utf8_lossy(label).into_owned(),
        label_start: ls,
        value,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const V: &str = "Hd7Fs3Gj9Kl2Qw5Er8Ty1Ui4Op6As0Dz"; // keyhound:allow (generated test key)

    fn labels(found: &[Labelled], data: &str) -> Vec<(String, String)> {
        found
            .iter()
            .map(|l| (l.label.clone(), data[l.value.0..l.value.1].to_string()))
            .collect()
    }

    #[test]
    fn a_table_header_names_each_column() {
        let data = format!(
            "| Env | **Client Secret** | Notes |\n|---|:---:|---|\n| prod | `{V}` | rotated |\n| dev | <ask> | - |\n\nafter | {V}\n"
        );
        let (found, reached) =
            table(data.as_bytes(), 0, data.find('\n').unwrap_or(0)).expect("a table");
        assert_eq!(
            labels(&found, &data),
            vec![("Client Secret".to_string(), V.to_string())]
        );
        assert_eq!(&data[..reached].lines().count(), &4);
        // no delimiter row: not a table
        let text = format!("a | b\n{V} | c\n");
        assert_eq!(table(text.as_bytes(), 0, 5), None);
    }

    #[test]
    fn headings_of_every_markup() {
        for (text, heading) in [
            ("## Attendee\n", true),
            ("= Zoom app\n", true),
            ("**Deepgram**\n", true),
            ("<h2>Zoom</h2>\n", true),
            ("Deepgram\n--------\n", true),
            ("Attendee credentials:\n", true),
            ("#include <zoom.h>\n", false),
            ("attendee:\n", false),
            ("api_key = zoom\n", false),
        ] {
            let end = text.find('\n').unwrap_or(text.len());
            assert_eq!(is_heading(text.as_bytes(), 0, end), heading, "{text}");
        }
    }

    #[test]
    fn a_section_holds_its_labelled_lines_until_the_next_heading() {
        let data = format!(
            "## Attendee\n\n- API Key: `{V}`\n- Base URL: https://app.attendee.dev\napi_key: {V}\n**Secret**: {V}\n\n## Other\nAPI Key: {V}\n"
        );
        let (found, _) = section(data.as_bytes(), data.find('\n').unwrap_or(0));
        assert_eq!(
            labels(&found, &data),
            vec![
                ("API Key".to_string(), V.to_string()),
                ("Secret".to_string(), V.to_string())
            ]
        );
    }
}
