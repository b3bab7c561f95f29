//! Binding shapes: the ways code and config bind a value to a credential name. A rule declares
//! its credential *names* once (`names = [...]`); the engine owns the shapes (assignment,
//! Dockerfile `ENV`, command-line flag, Kubernetes env list, nested config key path) and
//! compiles each rule's names into one pattern per regex shape. The key-path shape is not a
//! regex: the detector walks config sections itself and matches the joined key path against
//! [`path_pattern`].
//!
//! A name is a regex fragment, ASCII case-insensitive, without capture groups, in which a
//! space stands for a separator that may be left out (`meetstream api key` also matches
//! `meetstreamApiKey`) and `_` for one that may not (`dg_key` never matches `dgkey`); each
//! shape spells separators its own way (`_`, `.`, `-` in code, `-` in flags, `_` in env names).

/// One way a value is bound to a name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    /// Short id shown by `keyhound rules list`.
    pub id: &'static str,
    /// What it matches, for humans.
    pub example: &'static str,
    /// A separator that may be left out (a space in a name).
    optional: &'static str,
    /// A separator that must be there (`_` in a name).
    required: &'static str,
    /// The patterns around `{NAME}` (the rule's names, spelled with this shape's separators);
    /// none for a shape the detector walks itself.
    templates: &'static [&'static str],
}

/// Environment qualifiers a name may end with (`DEEPGRAM_API_KEY_PROD`).
const QUALIFIERS: &str = "prod|production|dev|development|staging|stage|test|live|sandbox|local|qa";

/// The value of a binding: 16 to 256 key characters, with base64 padding.
const VALUE: &str = r"[A-Za-z0-9_\-.+/~]{16,256}={0,3}";

/// The label shape: a credential name written as a label in prose, Markdown,
/// reStructuredText, AsciiDoc, HTML, a comment or a log line, then its value. The label may
/// sit in markup (`**…**`, `*…*`, `` `…` ``, `<b>…</b>`, `<dt>…</dt>`, a table cell) and is
/// followed by `:`, `::`, `=`, ` - `, a table pipe, a definition (`\n: v`, an indented next
/// line, `<dd>v</dd>`) or a log format argument (`"…={}", "v"`, `"…: %s", "v"`). The name
/// may not continue an identifier (`GOOGLE_CLIENT_SECRET` is not `CLIENT SECRET`). The
/// `label` group marks a label: it counts only when no other vendor's word stands before it
/// and a provider is named (the detector's prose guard, `detect::prose`).
const LABEL: &str = concat!(
    r#"(?im)(?:^|[^A-Za-z0-9_$.\-]|(?:^|[\s|(>])__)(?P<name>(?P<core>{NAME}){QUALIFIER})(?P<label>"#,
    // closing markup of the label
    r#"[*_`]{0,3}(?:</(?:b|strong|em|i|code|label|span)>)?"#,
    r#"(?:"#,
    // `: v`, `:: v`, `= v`, ` - v`, `| v`, `:** v`, `=` + a log format argument
    r#"[ \t]*(?:::?|=|\||[ \t]-|[ \t]\xE2\x80[\x93\x94])[*_`]{0,3}(?:</(?:b|strong|em|i|span)>)?"#,
    r#"(?:[ \t]*(?:\{[A-Za-z0-9_]{0,24}\}|%[svr])[^"'\n]{0,8}["'][ \t]*,[ \t]*[fbru]?)?"#,
    // a definition: `<dt>` / `<td>` / `<th>` then `<dd>` / `<td>`, `\n: v`, an indented line
    r#"|</(?:dt|td|th)>[ \t]*(?:\r?\n[ \t]*)?<(?:dd|td)(?:[ \t][^>\n]{0,40})?>"#,
    r#"|[ \t]*\r?\n:[ \t]+|[ \t]*\r?\n[ \t]{2,})"#,
    // opening markup of the value
    r#"[ \t]*(?:<(?:code|kbd|b|strong|pre)>)?[*_`"']{0,3})"#,
    r#"(?P<secret>{VALUE})(?:[*`"'\s|;,)\]<]|$)"#,
);

/// The comparison shape: a name compared with a literal (`NAME === 'v'`, `NAME != "v"`,
/// `NAME.equals("v")`, `NAME eq 'v'`) or the reverse (`'v' == NAME`, `"v".equals(NAME)`).
/// The `attributed` group marks a shape whose matches count only when a provider is named.
const COMPARISON: &str = concat!(
    r#"(?im)(?P<name>[A-Za-z0-9_]*?(?P<core>{NAME}){QUALIFIER})["'`]?\]?\)?[ \t]*(?P<attributed>"#,
    r#"===?|!==?|<>|\.equals(?:IgnoreCase)?\(|\.Equals\(|[ \t](?:eq|ne)[ \t]"#,
    r#")[ \t]*[@$]?["'`](?P<secret>{VALUE})["'`]"#,
);

/// The reverse comparison: `'v' == NAME`, `"v".equals(config.NAME)`.
const COMPARISON_REVERSED: &str = concat!(
    r#"(?im)[@$]?["'`](?P<secret>{VALUE})["'`][ \t]*(?P<attributed>===?|!==?|\.equals\()[ \t]*"#,
    r#"(?:[A-Za-z0-9_$]+(?:\.|->|::|\[["']?))*(?P<name>(?P<core>{NAME}){QUALIFIER})(?:[^A-Za-z0-9_]|$)"#,
);

/// The engine's binding shapes, in the order their patterns run.
pub const SHAPES: &[Shape] = &[
    Shape {
        id: "assignment",
        example: r#"NAME = v, NAME: v, "NAME": "v", NAME := v, NAME => v, getenv("NAME", "v"), env.NAME || "v", -e NAME=v, ENV["NAME"] ||= "v", NAME <- "v", <add key="NAME" value="v"/>, <NAME>v</NAME>"#,
        optional: "[_.-]?",
        required: "[_.-]",
        templates: &[r#"(?im)(?P<name>[A-Za-z0-9_]*?(?P<core>{NAME}){QUALIFIER})\\?["'`]?\]?[ \t]*(?:(?:=|:=|:-|:|=>|\|\|=|\|\||\?\?|\?=|<-|>)[ \t]*(?:[fbru]{0,2}\\?["'`]{1,3})?|(?:,|value[ \t]*=)[ \t]*[fbru]{0,2}\\?["'`])(?P<secret>{VALUE})(?:["'`\s;,#)\]}\\&<]|$)"#],
    },
    Shape {
        id: "dockerfile",
        example: "ENV NAME v, ARG NAME v",
        optional: "_?",
        required: "_",
        templates: &[r#"(?im)^\s*(?:ENV|ARG)\s+(?P<name>[A-Za-z0-9_]*?(?P<core>{NAME}){QUALIFIER})[ \t]+["']?(?P<secret>{VALUE})(?:["'\s]|$)"#],
    },
    Shape {
        id: "flag",
        example: "--name v, --name \"v\" (--name=v is an assignment)",
        optional: "-?",
        required: "-",
        templates: &[r#"(?im)(?:^|[\s"'`])--(?P<name>(?P<core>{NAME}){QUALIFIER})[ \t]+["']?(?P<secret>[A-Za-z0-9_+/~][A-Za-z0-9_\-.+/~]{15,255}={0,3})(?:["'`\s;&|)\\]|$)"#],
    },
    Shape {
        id: "env-list",
        example: "- name: NAME / value: v (Kubernetes, compose)",
        optional: "_?",
        required: "_",
        templates: &[r#"(?im)name:\s*["']?(?P<name>[A-Za-z0-9_]*?(?P<core>{NAME}){QUALIFIER})["']?[ \t]*\r?\n[ \t]*value:[ \t]*["']?(?P<secret>{VALUE})(?:["'\s#]|$)"#],
    },
    Shape {
        id: "label",
        example: "**Client Secret**: v, Secret Token: v, - Deepgram API key: `v`, | Client Secret | v |, Client Secret:: v, <dt>Client Secret</dt><dd>v</dd>, log(\"zoom client secret={}\", \"v\") (Markdown, reStructuredText, AsciiDoc, HTML, plain text, comments, logs; only when a provider is named)",
        optional: "[ \t_-]?",
        required: "[ \t_-]",
        templates: &[LABEL],
    },
    Shape {
        id: "comparison",
        example: "NAME === 'v', NAME != \"v\", NAME.equals(\"v\"), 'v' == NAME (only when a provider is named)",
        optional: "[_.-]?",
        required: "[_.-]",
        templates: &[COMPARISON, COMPARISON_REVERSED],
    },
    Shape {
        id: "key-path",
        example: "zoom: / client_secret: v (YAML), [zoom] secret = v (TOML, INI), {\"deepgram\": {\"apiKey\": \"v\"}} (JSON, JS)",
        optional: "[_.-]?",
        required: "[_.-]",
        templates: &[],
    },
];

/// An identifier a use site references (`API_KEY`, `self.api_key`, `$key`, `Config::KEY`,
/// PowerShell's scoped `$Global:Key`); `ident` captures it, `next` the character after it (a
/// `(` makes it a call, not a value).
const IDENT: &str = r"(?P<ident>(?:\$(?i:global|script|local|private|using|env):)?[A-Za-z_$][A-Za-z0-9_$]*(?:(?:\.|->|::)[A-Za-z_$][A-Za-z0-9_$]*){0,4})[ \t]*(?P<next>[^ \tA-Za-z0-9_$]|$)";

/// A literal in a use site: `"v"`, `'v'`, `@"v"`, `$"v"`.
const LITERAL: &str = r#"[@$]?["'`](?P<secret>[A-Za-z0-9_\-.+/~]{16,256}={0,3})["'`]"#;

/// What a use site's `ident` is: a value (its binding in the file is a literal) or a header
/// value built elsewhere (its binding is a scheme expression such as `"Token " + KEY`, whose
/// argument is followed in turn).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Use {
    /// `"Token " + KEY`, `DeepgramClient(KEY)`, `sdkSecret: SECRET`: KEY is bound to a literal.
    Value,
    /// `setRequestProperty("Authorization", auth)`: `auth = "Token " + KEY` (or `"Token …"`).
    HeaderValue,
}

/// How a header value is built from its scheme (`{SCHEME}`, `Token`) and an argument
/// (`{ARG}`), each with whether a literal argument is a finding of its own (`"Token " +
/// "literal"` is not code anyone writes; `AuthenticationHeaderValue("Token", "literal")` is).
/// A scheme opens with a quote or, in a whole header line, `Authorization: ` (`:`).
const SCHEME_EXPRS: &[(&str, bool)] = &[
    // "Token " + KEY, 'Token ' . $key, "Token " & key, "Authorization: Token " + key
    (
        r#"(?:["'`]|:[ \t]*){SCHEME}[ \t]+["'`][ \t]*(?:\+|\.|&|<>)[ \t]*{ARG}"#,
        false,
    ),
    // f"Token {KEY}", `Token ${KEY}`, "Token #{KEY}", s"Token $KEY", $"Token {KEY}",
    // PHP "Token {$key}" and "Authorization: Token $key"
    (
        r#"(?:(?:[fs$]|\$@|@\$)?["'`]|:[ \t]*){SCHEME}[ \t]+(?:\{\$?|\$\{|#\{|\$)[ \t]*{ARG}"#,
        false,
    ),
    // String.format("Token %s", KEY), fmt.Sprintf("Token %s", key), "Token %s" % KEY,
    // "Token {}".format(KEY), snprintf(…, "Authorization: Token %s", KEY)
    (
        r#"(?:["']|:[ \t]*){SCHEME}[ \t]+(?:%s|%v|\{\}|\{0\})["'][ \t]*(?:,|%|\.format\()[ \t]*{ARG}"#,
        false,
    ),
    // new AuthenticationHeaderValue("Token", KEY)
    (
        r#"new[ \t]+(?:[A-Za-z]+\.)*AuthenticationHeaderValue\([ \t]*"{SCHEME}"[ \t]*,[ \t]*{ARG}"#,
        true,
    ),
];

/// A header use: the `Authorization` header name, then a scheme expression on its line.
const HEADER_USE: &str = r#"(?im)authorization[^\n]{0,60}?{EXPR}"#;

/// A header whose value is an identifier (`setRequestProperty("Authorization", auth)`,
/// `{"Authorization": auth}`, `headers["Authorization"] = auth`, `Authorization = auth`,
/// `"Authorization" to auth`): the identifier's binding is a scheme expression. The
/// identifier ends the argument or statement (`"Authorization: Basic %s"` and
/// `"Authorization: Digest"` are text, not code).
const HEADER_VALUE_USE: &str = r#"(?im)authorization["'`]?\]?[ \t]*(?:,|:|=>|=|[ \t]to[ \t])[ \t]*(?P<ident>[A-Za-z_$][A-Za-z0-9_$]*(?:(?:\.|->|::)[A-Za-z_$][A-Za-z0-9_$]*){0,4})[ \t]*(?P<next>[,);}\]]|$)"#;

/// HTTP authentication scheme names, which follow `Authorization:` in header text and are
/// never a header value variable.
pub const SCHEME_WORDS: &[&str] = &["basic", "bearer", "digest", "negotiate", "ntlm", "token"];

/// A header value bound as one literal with its scheme: `auth = "Token …"`.
const SCHEME_LITERAL: &str =
    r#"[@$]?["'`]{SCHEME}[ \t]+(?P<secret>[A-Za-z0-9_\-.+/~]{16,256}={0,3})["'`]"#;

/// SDK calls that take the key as their first (or `api_key=`/`apiKey:`) argument.
const CALL_USE: &str =
    r#"(?m){CALL}[ \t]*\([ \t]*(?:(?:api_?key|apiKey|key)[ \t]*[=:][ \t]*)?{ARG}"#;

/// SDK calls that take the key as their N-th argument (a call written `name#N`); an argument
/// before it may hold one pair of parentheses (`JSON.stringify(header)`).
const CALL_NTH_USE: &str =
    r#"(?m){CALL}[ \t]*\((?:[^(){},\n]*(?:\([^()\n]*\)[^(){},\n]*)?,){SKIP}[ \t]*{ARG}"#;

/// A rule's credential name as the key or target of an identifier (`sdkSecret: SECRET`,
/// `api_secret=SECRET`, `headers.set("x-acme-api-key", KEY)`, `"x-acme-api-key" => $key`).
const NAME_USE: &str = r#"(?im)(?:^|[^A-Za-z0-9_$.])["'`]?(?:{NAME})(?:["'`]\]?[ \t]*,|["'`]?\]?[ \t]*(?::|=>|:=|=))[ \t]*{ARG}"#;

/// A rule's credential name as a shorthand property or a positional argument: the name is
/// the identifier (`{ sdkKey, sdkSecret }`, `generateSignature(key, sdkSecret, …)`).
const NAME_SHORTHAND_USE: &str =
    r#"(?im)(?:^|[{,])[ \t]*(?P<ident>(?:{NAME}))[ \t]*(?P<next>[,}]|$)"#;

/// How a name is spelled as an identifier in a use site: `_` may be left out (camelCase), and
/// must be there where the name says so.
const IDENT_SPELLING: Shape = Shape {
    id: "identifier",
    example: "sdkSecret, SDK_SECRET",
    optional: "_?",
    required: "_",
    templates: &[],
};

/// A call fragment and the argument position it names (`KJUR.jws.JWS.sign#4`; default 1).
pub fn call_position(call: &str) -> (&str, usize) {
    match call.rsplit_once('#') {
        Some((name, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => {
            (name, n.parse().unwrap_or(1).clamp(1, 16))
        }
        _ => (call, 1),
    }
}

/// The use-site patterns of a rule's credential names, header schemes and SDK calls:
/// (patterns that capture a literal `secret`, patterns that capture an identifier `ident`
/// whose binding the detector looks up in the same file, with what that binding must be).
pub fn use_patterns(
    names: &[String],
    headers: &[String],
    calls: &[String],
) -> (Vec<String>, Vec<(String, Use)>) {
    let mut uses: Vec<(String, bool, Use)> = Vec::new();
    for scheme in headers {
        for (expr, takes_literal) in SCHEME_EXPRS {
            let expr = expr.replace("{SCHEME}", scheme);
            uses.push((
                HEADER_USE.replace("{EXPR}", &expr),
                *takes_literal,
                Use::Value,
            ));
        }
        uses.push((HEADER_VALUE_USE.to_string(), false, Use::HeaderValue));
    }
    for call in calls {
        let (name, position) = call_position(call);
        let name = format!("(?:{name})");
        let template = if position == 1 {
            CALL_USE.to_string()
        } else {
            CALL_NTH_USE.replace("{SKIP}", &format!("{{{}}}", position - 1))
        };
        uses.push((template.replace("{CALL}", &name), true, Use::Value));
    }
    let mut flow: Vec<(String, Use)> = Vec::new();
    if !names.is_empty() {
        let spelled = alternation(names, &IDENT_SPELLING);
        flow.push((NAME_USE.replace("{NAME}", &spelled), Use::Value));
        flow.push((NAME_SHORTHAND_USE.replace("{NAME}", &spelled), Use::Value));
    }
    let literal = uses
        .iter()
        .filter(|(_, takes_literal, _)| *takes_literal)
        .map(|(u, _, _)| u.replace("{ARG}", LITERAL))
        .collect();
    let flow = uses
        .iter()
        .map(|(u, _, kind)| (u.replace("{ARG}", IDENT), *kind))
        .chain(
            flow.into_iter()
                .map(|(u, k)| (u.replace("{ARG}", IDENT), k)),
        )
        .collect();
    (literal, flow)
}

/// The patterns a header value variable's binding is matched against, anchored after its
/// `=` (the detector matches the name's `=` first) (`auth = "Token " + KEY`, `var auth = new AuthenticationHeaderValue("Token", KEY)`,
/// `auth = "Token …"`): each captures either the `ident` to follow or the `secret` itself.
pub fn header_value_patterns(headers: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for scheme in headers {
        for (expr, takes_literal) in SCHEME_EXPRS {
            let expr = expr.replace("{SCHEME}", scheme);
            out.push(format!(r"\A{}", expr.replace("{ARG}", IDENT)));
            if *takes_literal {
                out.push(format!(r"\A{}", expr.replace("{ARG}", LITERAL)));
            }
        }
        out.push(format!(r"\A{}", SCHEME_LITERAL.replace("{SCHEME}", scheme)));
    }
    out
}

/// `name` with its separators spelled the way `shape` spells them (a space or `_` inside a
/// character class or after a backslash is itself).
fn spell(name: &str, shape: &Shape) -> String {
    let mut out = String::with_capacity(name.len() * 2);
    let (mut in_class, mut escaped) = (false, false);
    for c in name.chars() {
        match c {
            _ if escaped => {
                escaped = false;
                out.push(c);
            }
            '\\' => {
                escaped = true;
                out.push(c);
            }
            '[' | ']' => {
                in_class = c == '[';
                out.push(c);
            }
            ' ' if !in_class => out.push_str(shape.optional),
            '_' if !in_class => out.push_str(shape.required),
            c => out.push(c),
        }
    }
    out
}

/// The names as one alternation, spelled for `shape`.
fn alternation(names: &[String], shape: &Shape) -> String {
    let spelled: Vec<String> = names
        .iter()
        .map(|n| format!("(?:{})", spell(n, shape)))
        .collect();
    spelled.join("|")
}

fn qualifier(shape: &Shape) -> String {
    format!("(?:{}(?:{QUALIFIERS}))?", shape.required)
}

/// The patterns of every regex shape for these names (empty when there are none).
pub fn patterns(names: &[String]) -> Vec<String> {
    if names.is_empty() {
        return Vec::new();
    }
    SHAPES
        .iter()
        .flat_map(|shape| {
            shape.templates.iter().map(|template| {
                template
                    .replace("{NAME}", &alternation(names, shape))
                    .replace("{QUALIFIER}", &qualifier(shape))
                    .replace("{VALUE}", VALUE)
            })
        })
        .collect()
}

/// The pattern a joined config key path (`zoom_client_secret` for `zoom:` → `client_secret:`)
/// must match in full for the key-path shape; `core` captures the name.
pub fn path_pattern(names: &[String]) -> Option<String> {
    let shape = SHAPES.iter().find(|s| s.templates.is_empty())?;
    (!names.is_empty()).then(|| {
        format!(
            "(?i)^(?P<name>[A-Za-z0-9_.-]*?(?P<core>{}){})$",
            alternation(names, shape),
            qualifier(shape)
        )
    })
}

/// A name as each shape spells it: (shape id, regex fragment), for checking names one by one.
pub fn spellings(name: &str) -> Vec<(&'static str, String)> {
    SHAPES.iter().map(|s| (s.id, spell(name, s))).collect()
}

/// The lines `keyhound rules list` prints under a rule with names: each name once, then the
/// shapes the engine matches them in.
pub fn listing(rule: &super::Rule) -> Vec<String> {
    if rule.names.is_empty() {
        return Vec::new();
    }
    let mut out: Vec<String> = rule.names.iter().map(|n| format!("name:  {n}")).collect();
    let shapes: Vec<&str> = SHAPES.iter().map(|s| s.id).collect();
    out.push(format!("shapes: {}", shapes.join(", ")));
    out
}

/// Words a config leaf key under a provider's section may be made of (`client_secret`,
/// `apiKey`, `signing_secret`): a leaf key with any other word (`GOOGLE_CLIENT_SECRET` under
/// `zoom:`) names its own vendor's secret, not the section's provider's.
const GENERIC_KEY_WORDS: &[&str] = &[
    "access",
    "account",
    "api",
    "app",
    "auth",
    "client",
    "code",
    "credential",
    "credentials",
    "key",
    "oauth",
    "private",
    "s2s",
    "sdk",
    "secret",
    "server",
    "signing",
    "token",
    "verification",
    "verify",
    "webhook",
    "jwt",
    "bot",
    "master",
    "live",
    "prod",
    "production",
    "dev",
    "staging",
    "test",
    "sandbox",
];

/// Whether a config leaf key is made only of generic credential words (see
/// [`GENERIC_KEY_WORDS`]), so that the section it sits in says whose it is.
pub fn is_generic_key(key: &str) -> bool {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut prev_lower = false;
    for c in key.chars() {
        let boundary = !c.is_ascii_alphanumeric() || (c.is_ascii_uppercase() && prev_lower);
        if boundary && !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
        if c.is_ascii_alphanumeric() {
            word.push(c.to_ascii_lowercase());
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
    }
    if !word.is_empty() {
        words.push(word);
    }
    !words.is_empty()
        && words
            .iter()
            .all(|w| GENERIC_KEY_WORDS.contains(&w.as_str()))
}

/// Prefixes that frameworks put before an environment variable so it reaches the browser
/// bundle (`VITE_`, `REACT_APP_`, `NEXT_PUBLIC_`): part of no vendor's name.
pub fn is_framework_prefix(prefix: &str) -> bool {
    let p = prefix.to_ascii_lowercase();
    if p.is_empty() || p == "public_" {
        return true;
    }
    [
        "vite_", "react_", "next_", "nuxt_", "expo_", "gatsby_", "vue_",
    ]
    .iter()
    .filter_map(|f| p.strip_prefix(f))
    .any(|rest| matches!(rest, "" | "app_" | "public_"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators_are_spelled_per_shape() {
        let names = vec!["dg(?:_(?:api )?key|key|[_ ]x)".to_string()];
        let all = patterns(&names);
        // assignment, dockerfile, flag, env-list, label, comparison and its reverse
        assert_eq!(all.len(), 7);
        assert!(
            all[0].contains("(?:dg(?:[_.-](?:api[_.-]?)?key|key|[_ ]x))"),
            "{}",
            all[0]
        );
        assert!(
            all[1].contains("(?:dg(?:_(?:api_?)?key|key|[_ ]x))"),
            "{}",
            all[1]
        );
        assert!(
            all[2].contains("(?:dg(?:-(?:api-?)?key|key|[_ ]x))"),
            "{}",
            all[2]
        );
        assert!(
            all[4].contains("(?:dg(?:[ \t_-](?:api[ \t_-]?)?key|key|[_ ]x))"),
            "{}",
            all[4]
        );
        assert_eq!(patterns(&[]), Vec::<String>::new());
    }

    #[test]
    fn a_key_path_matches_in_full() {
        let p = path_pattern(&["zoom (?:[a-z0-9]{1,12} ){0,3}secret".to_string()]).expect("p");
        let re = regex::Regex::new(&p).expect("compiles");
        assert!(re.is_match("zoom_client_secret"));
        assert!(re.is_match("Zoom.ClientSecret"));
        assert!(re.is_match("integrations.zoom.secret"));
        assert!(!re.is_match("zoom.client_secret_file"));
        assert!(!re.is_match("zoom.client_id"));
    }

    #[test]
    fn generic_leaf_keys() {
        for k in [
            "client_secret",
            "clientSecret",
            "ClientSecret",
            "apiKey",
            "API_KEY",
            "secret",
            "signing_secret",
            "s2s-client-secret",
        ] {
            assert!(is_generic_key(k), "{k}");
        }
        for k in [
            "GOOGLE_CLIENT_SECRET",
            "googleClientSecret",
            "stripe_key",
            "",
            "zoom_client_secret",
        ] {
            assert!(!is_generic_key(k), "{k}");
        }
    }

    #[test]
    fn framework_prefixes() {
        for p in [
            "",
            "VITE_",
            "REACT_APP_",
            "NEXT_PUBLIC_",
            "public_",
            "vue_app_",
        ] {
            assert!(is_framework_prefix(p), "{p}");
        }
        for p in ["GOOGLE_", "google", "STRIPE_", "my_vite_"] {
            assert!(!is_framework_prefix(p), "{p}");
        }
    }
}
