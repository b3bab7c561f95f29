//! Value-flow shapes of issue 12 §1.4: Zoom SDK secrets that reach `init`/`join`/signature
//! calls through an identifier, two-step header builds, positional SDK arguments in HTML,
//! and header names as object keys. Every key here is generated test data.

use super::*;
use crate::rules::RuleSet;

const TOKEN: &str = "f3a9c2e81b7d4065a9e2c3b1d8f74e06"; // keyhound:allow (generated test key)
const ZOOM: &str = "Hd7Fs3Gj9Kl2Qw5Er8Ty1Ui4Op6As0Dz"; // keyhound:allow (generated test key)
const DEEPGRAM: &str = "7c9e2b41d8a65f3e0b1c4d7a9e2f5b8c1d4e7f0a"; // keyhound:allow (generated test key)
const BAAS: &str = "9f2c4e6a8b0d1f3e5a7c9b2d4f6e8a0c1b3d5f7e9a2c4b6d8f0e1a3c5b7d9f2e"; // keyhound:allow (generated test key)

/// (rule, secret, line, provider, detail)
type Full = (String, String, u32, Option<String>, Option<String>);

fn scan(text: &str) -> Vec<Full> {
    let d = Detector::new(&RuleSet::builtin().expect("rules")).expect("detector");
    d.scan(text.as_bytes())
        .into_iter()
        .map(|m| {
            let id = d.rules()[m.rule].id.clone();
            (id, m.secret, m.line, m.provider, m.detail)
        })
        .collect()
}

/// One finding of `rule` for `secret` at `line` with `provider`, naming `name` and its use line.
fn flow(rule: &str, secret: &str, line: u32, provider: &str, name: &str, used: u32) -> Vec<Full> {
    vec![(
        rule.to_string(),
        secret.to_string(),
        line,
        Some(provider.to_string()),
        Some(format!("variable {name}, used at line {used}")),
    )]
}

/// `n` lines of filler, so a binding sits more than 1 KB from the provider's name.
fn filler(n: usize) -> String {
    "// ------------------------------------------------------------------ filler\n".repeat(n)
}

/// Each case's text yields one flow finding of `rule` for `secret` with `provider`, at
/// (line, variable, line of use).
fn check_flows(rule: &str, secret: &str, provider: &str, cases: Vec<(String, (u32, &str, u32))>) {
    for (text, (line, name, used)) in cases {
        assert_eq!(
            scan(&text),
            flow(rule, secret, line, provider, name, used),
            "{text}"
        );
    }
}

fn check(cases: Vec<(String, Vec<Full>)>) {
    for (text, want) in cases {
        assert_eq!(scan(&text), want, "{text}");
    }
}

fn silent(texts: Vec<String>) {
    for text in texts {
        assert_eq!(scan(&text), vec![], "{text}");
    }
}

#[test]
fn zoom_sdk_secrets_reach_init_join_and_signature_calls_through_identifiers() {
    let far = filler(20);
    check_flows("zoom-app-secret", ZOOM, "zoom", vec![
        // `let secret = "…"` is no credential name: only its use names it
        (
            format!("import {{ ZoomMtg }} from '@zoom/meetingsdk';\nlet secret = \"{ZOOM}\";\nZoomMtg.generateSDKSignature({{ sdkKey: KEY, sdkSecret: secret, meetingNumber }});\n"),
            (2, "secret", 3),
        ),
        (
            format!("const SECRET = '{ZOOM}';\nZoomMtg.init({{ leaveUrl, sdkKey: KEY, sdkSecret: SECRET }});\n"),
            (1, "SECRET", 2),
        ),
        // the binding is far from any mention of Zoom; the use site names it
        (
            format!("const sdkSecret = \"{ZOOM}\";\n{far}import {{ ZoomMtg }} from \"@zoom/meetingsdk\";\nZoomMtg.generateSDKSignature({{ sdkKey, sdkSecret, meetingNumber, role }});\n"),
            (1, "sdkSecret", 23),
        ),
        (
            format!("var apiSecret = '{ZOOM}';\n{far}// Zoom Meeting SDK\nconst signature = generateSignature(apiKey, apiSecret, meetingNumber, 0);\n"),
            (1, "apiSecret", 23),
        ),
        (
            format!("let secret = \"{ZOOM}\";\n// zoom web client\nconst sig = generateSignature(key, secret, meetingNumber, role);\n"),
            (1, "secret", 3),
        ),
        (
            format!("const SDK_SECRET = \"{ZOOM}\";\n{far}import ZoomVideo from '@zoom/videosdk';\nconst signature = KJUR.jws.JWS.sign('HS256', JSON.stringify(oHeader), sPayload, SDK_SECRET);\n"),
            (1, "SDK_SECRET", 23),
        ),
        // a multi-line init object with shorthand properties
        (
            format!("let sdkSecret = '{ZOOM}';\n{far}client.join({{\n  sdkKey,\n  sdkSecret,\n  signature,\n}}); // ZoomMtg\n"),
            (1, "sdkSecret", 24),
        ),
    ]);
    silent(vec![
        // read from the environment
        "const sdkSecret = process.env.ZOOM_SDK_SECRET;\nZoomMtg.init({ sdkKey, sdkSecret });\n".to_string(),
        "secret = os.environ['ZOOM_SDK_SECRET']\nsig = generateSignature(key, secret, meeting, 0)  # zoom\n".to_string(),
        // a parameter never bound to a literal
        "function sign(key, secret) {\n  return generateSignature(key, secret, 1, 0); // zoom\n}\n".to_string(),
        // a placeholder
        "let secret = 'YOUR_SDK_SECRET_HERE_1234';\nZoomMtg.init({ sdkSecret: secret });\n".to_string(),
        // not Zoom: another SDK's secret in the same shapes
        format!("let secret = \"{ZOOM}\";\nstripe.init({{ apiSecret: secret }});\n"),
        format!("const sdkSecret = \"{ZOOM}\";\n{far}agora.join({{ sdkKey, sdkSecret }});\n"),
        // a comparison is no binding
        format!("if (secret === \"{ZOOM}\") {{}}\nZoomMtg.init({{ sdkSecret: secret }});\n"),
    ]);
}

#[test]
fn two_step_header_builds_reach_the_constant() {
    let base = "// https://api.meetstream.ai/api/v1\n";
    check_flows("authorization-token", TOKEN, "meetstream", vec![
        // Java: the header value built first, set later
        (
            format!("{base}class A {{\n  static final String KEY = \"{TOKEN}\";\n  void f() {{\n    String auth = \"Token \" + KEY;\n    conn.setRequestProperty(\"Authorization\", auth);\n  }}\n}}\n"),
            (3, "KEY", 6),
        ),
        (
            format!("{base}class A {{ static final String KEY = \"{TOKEN}\"; void f() {{ String auth = \"Token \" + KEY; conn.setRequestProperty(\"Authorization\", auth); }} }}\n"),
            (2, "KEY", 2),
        ),
        // C#: AuthenticationHeaderValue into a variable
        (
            format!("{base}private const string KEY = \"{TOKEN}\";\nvar auth = new AuthenticationHeaderValue(\"Token\", KEY);\nclient.DefaultRequestHeaders.Authorization = auth;\n"),
            (2, "KEY", 4),
        ),
        // Python f-string into a variable
        (
            format!("{base}KEY = \"{TOKEN}\"\nauth = f\"Token {{KEY}}\"\nheaders = {{\"Authorization\": auth}}\n"),
            (2, "KEY", 4),
        ),
        // Kotlin: a literal with its scheme, then the header
        (
            format!("{base}val auth = \"Token {TOKEN}\"\nval h = mapOf(\"Authorization\" to auth)\n"),
            (2, "auth", 3),
        ),
        // PHP interpolation and concatenation
        (
            format!("{base}<?php\n$key = '{TOKEN}';\n$headers = [\"Authorization: Token $key\"];\n"),
            (3, "$key", 4),
        ),
        (
            format!("{base}<?php\n$key = '{TOKEN}';\ncurl_setopt($ch, CURLOPT_HTTPHEADER, ['Authorization: Token ' . $key]);\n"),
            (3, "$key", 4),
        ),
        // C / C++ header lines
        (
            format!("{base}std::string key = \"{TOKEN}\";\nheaders = curl_slist_append(headers, (\"Authorization: Token \" + key).c_str());\n"),
            (2, "key", 3),
        ),
        (
            format!("{base}static const char *API_KEY = \"{TOKEN}\";\nsnprintf(buf, sizeof buf, \"Authorization: Token %s\", API_KEY);\n"),
            (2, "API_KEY", 3),
        ),
    ]);
    silent(vec![
        // the constant comes from the environment
        format!("{base}class A {{\n  static final String KEY = System.getenv(\"MEETSTREAM_API_KEY\");\n  void f() {{\n    String auth = \"Token \" + KEY;\n    conn.setRequestProperty(\"Authorization\", auth);\n  }}\n}}\n"),
        format!("{base}KEY = os.environ[\"ATTENDEE_API_KEY\"]\nauth = f\"Token {{KEY}}\"\nheaders = {{\"Authorization\": auth}}\n"),
        // a header variable bound to a bare literal with no scheme: not a Token header
        format!("{base}auth = \"{TOKEN}\"\nheaders = {{\"Authorization\": auth}}\n"),
        // a parameter
        format!("{base}def headers(key):\n    auth = \"Token \" + key\n    return {{\"Authorization\": auth}}\n"),
        // a placeholder constant
        format!("{base}const KEY = \"YOUR_API_KEY_HERE_12345\";\nconst auth = `Token ${{KEY}}`;\nheaders.set(\"Authorization\", auth);\n"),
    ]);
}

#[test]
fn deepgram_keys_passed_positionally_in_html_and_scripts() {
    let dg = |line| {
        vec![(
            "deepgram-sdk-key".to_string(),
            DEEPGRAM.to_string(),
            line,
            Some("deepgram".to_string()),
            None,
        )]
    };
    check(vec![
        // deepgram/deepgram-js-sdk examples/browser-prerecorded/index.html, with a key in it
        (
            format!("<html>\n  <head>\n    <script src=\"../../dist/umd/deepgram.js\"></script>\n    <script>\n      const {{ createClient }} = deepgram;\n      const client = createClient(\"{DEEPGRAM}\", {{\n        global: {{ fetch: {{ options: {{ url: \"https://api.mock.deepgram.com\" }} }} }},\n      }});\n    </script>\n"),
            dg(6),
        ),
        (
            format!("<script>\n  const client = deepgram.createClient(\"{DEEPGRAM}\");\n</script>\n"),
            dg(2),
        ),
        (
            format!("import {{ createClient }} from \"@deepgram/sdk\";\n\nconst client = createClient('{DEEPGRAM}', {{}});\n"),
            dg(3),
        ),
        (
            format!("<script>\n  const dg = new Deepgram(\"{DEEPGRAM}\");\n</script>\n"),
            dg(2),
        ),
        (format!("client = DeepgramClient(\"{DEEPGRAM}\")\n"), dg(1)),
        (format!("client = DeepgramClient(api_key=\"{DEEPGRAM}\")\n"), dg(1)),
    ]);
    silent(vec![
        "<script>\n  const { createClient } = deepgram;\n  const client = createClient(\"YOUR_DEEPGRAM_API_KEY\");\n</script>\n".to_string(),
        "<script>\n  const { createClient } = deepgram;\n  const client = createClient(window.DEEPGRAM_KEY);\n</script>\n".to_string(),
        // another SDK's createClient, even next to Deepgram
        format!("import {{ createClient }} from '@supabase/supabase-js';\nconst supabase = createClient('https://x.supabase.co', '{DEEPGRAM}');\n// deepgram transcripts are stored here\n"),
    ]);
}

#[test]
fn header_names_as_object_keys() {
    let baas = |line, header: &str| {
        vec![(
            "meetingbaas-api-key".to_string(),
            BAAS.to_string(),
            line,
            None,
            Some(format!("variable {header}")),
        )]
    };
    check(vec![
        (
            format!("fetch(\"https://api.meetingbaas.com/bots\", {{\n  headers: {{ \"x-meeting-baas-api-key\": \"{BAAS}\" }},\n}});\n"),
            baas(2, "x-meeting-baas-api-key"),
        ),
        (
            format!("{{\"headers\": {{\"x-spoke-api-key\": \"{BAAS}\"}}}}\n"),
            baas(1, "x-spoke-api-key"),
        ),
        (
            format!("curl -H \"x-meeting-baas-api-key: {BAAS}\" https://api.meetingbaas.com/bots\n"),
            baas(1, "x-meeting-baas-api-key"),
        ),
        (
            format!("const KEY = \"{BAAS}\";\nconst headers = {{ \"x-meeting-baas-api-key\": KEY }};\n"),
            vec![(
                "meetingbaas-api-key".to_string(),
                BAAS.to_string(),
                1,
                None,
                Some("variable KEY, used at line 2".to_string()),
            )],
        ),
        // Authorization objects
        (
            format!("// attendee\nconst opts = {{ headers: {{ \"Authorization\": \"Token {TOKEN}\" }} }};\n"),
            vec![(
                "authorization-token".into(),
                TOKEN.into(),
                2,
                Some("attendee".into()),
                None,
            )],
        ),
        (
            format!("// attendee\nconst KEY = \"{TOKEN}\";\nconst opts = {{ headers: {{ Authorization: `Token ${{KEY}}` }} }};\n"),
            flow("authorization-token", TOKEN, 2, "attendee", "KEY", 3),
        ),
    ]);
    silent(vec![
        "headers = {\"x-meeting-baas-api-key\": os.environ[\"MEETING_BAAS_API_KEY\"]}\n"
            .to_string(),
        "const headers = { \"x-meeting-baas-api-key\": process.env.BAAS_KEY };\n".to_string(),
        "{\"x-spoke-api-key\": \"YOUR-API-KEY-HERE-0000\"}\n".to_string(),
        // another vendor's api-key header
        format!("headers = {{\"x-api-key\": \"{BAAS}\"}}\n"),
        format!("headers = {{\"x-acme-api-key\": \"{BAAS}\"}}\n"),
    ]);
}

#[test]
fn many_use_sites_without_bindings_cost_linear_work() {
    // Every line is a use site of every new shape, each naming an identifier of its own that
    // is bound nowhere: lookups are cached and capped, so the work stays linear.
    let d = Detector::new(&RuleSet::builtin().expect("rules")).expect("detector");
    let text = |n: usize| {
        (0..n)
            .map(|i| {
                format!(
                    "conn.setRequestProperty(\"Authorization\", auth{i}); ZoomMtg.join({{ sdkKey, sdkSecret }}); \
                     generateSignature(k, secret{i}, 1, 0); h = {{\"x-spoke-api-key\": key{i}}}\n"
                )
            })
            .collect::<String>()
    };
    let (small, small_work) = d.scan_with_work(text(500).as_bytes());
    let (large, large_work) = d.scan_with_work(text(2_000).as_bytes());
    assert!(small.is_empty() && large.is_empty(), "{large:?}");
    let pairs = [
        (small_work.line_bytes, large_work.line_bytes),
        (small_work.regex_bytes, large_work.regex_bytes),
        (small_work.position_bytes, large_work.position_bytes),
    ];
    for (s, l) in pairs {
        assert!(
            l <= 5 * s.max(1),
            "{small_work:?} for 1x, {large_work:?} for 4x"
        );
    }
}

#[test]
fn a_user_rule_names_a_later_argument_with_call_hash_n() {
    let rule = |calls: &str| {
        format!("[[rule]]\nid = \"acme-key\"\ndescription = \"d\"\nseverity = \"high\"\nkeywords = [\"acme\"]\ncalls = [{calls}]\n")
    };
    let mut set = RuleSet::default();
    set.add_file("acme.toml", &rule("'acme\\.sign#3'"))
        .expect("a positional call loads");
    let d = Detector::new(&set).expect("detector");
    let text = format!("ACME_SIGNING = \"{TOKEN}\"\nsig = acme.sign(header, JSON.stringify(body), ACME_SIGNING)\nlit = acme.sign(a, b, '{ZOOM}')\nfirst = acme.sign(ACME_SIGNING, b, c)\n");
    let found: Vec<(String, u32, Option<String>)> = d
        .scan(text.as_bytes())
        .into_iter()
        .map(|m| (m.secret, m.line, m.detail))
        .collect();
    assert_eq!(
        found,
        vec![
            (
                TOKEN.to_string(),
                1,
                Some("variable ACME_SIGNING, used at line 2".to_string())
            ),
            (ZOOM.to_string(), 3, None),
        ]
    );
    // a key in a later argument is found when its line holds a keyword, so the call itself
    // need not hold one; a first-argument call must
    set.add_file("later.toml", &rule("'sign#2'"))
        .expect("a later argument needs no keyword in the call");
    let err = RuleSet::default()
        .add_file("first.toml", &rule("'sign'"))
        .expect_err("a first-argument call needs a keyword");
    assert!(
        err.to_string()
            .contains("holds none of the rule's keywords"),
        "{err}"
    );
}

#[test]
fn powershell_scoped_variables_are_one_identifier() {
    // `'ApiSecret' = $Global:ZoomApiSecret` names `$Global:ZoomApiSecret`, not `$Global`
    // (which would bind it to the first `$Global:… = '…'` of the file, the API key)
    let key = "Qm7Rt2Xw9Lp4Kd8Vn3Hs6Jc1"; // keyhound:allow (generated test key)
    let text = format!(
        "$Global:ZoomApiKey = '{key}'\n$Global:ZoomApiSecret = '{ZOOM}'\n@{{\n    'ApiKey' = $Global:ZoomApiKey\n    'ApiSecret' = $Global:ZoomApiSecret\n}}\n"
    );
    let found: Vec<(String, String, u32)> = scan(&text)
        .into_iter()
        .map(|(rule, secret, line, _, _)| (rule, secret, line))
        .collect();
    assert_eq!(
        found,
        vec![("env-secret".to_string(), ZOOM.to_string(), 2)],
        "{text}"
    );
}
