//! Rule-by-rule true and false positives for the built-in rule set.

use super::*;
use crate::rules::RuleSet;

const LIVE: &str = "mts_live_Q7fLr2ZxW9kPm4Tb8NcVy1HdJ6sGa3Ue"; // keyhound:allow (generated test key)
const TEST: &str = "mts_test_Vb4Nc8Xz2Lk6Jh9Gf3Ds7Ap1Qw5Er0Ty"; // keyhound:allow (generated test key)
const MS: &str = "ms_Hq3ZrT8vLm2XwP9kJd6Ns4Ye1Cb7Fa5G"; // keyhound:allow (generated test key)
const TOKEN: &str = "f3a9c2e81b7d4065a9e2c3b1d8f74e06";
const ZOOM: &str = "Hd7Fs3Gj9Kl2Qw5Er8Ty1Ui4Op6As0Dz";
const DEEPGRAM: &str = "7c9e2b41d8a65f3e0b1c4d7a9e2f5b8c1d4e7f0a";

fn detector() -> Detector {
    Detector::new(&RuleSet::builtin().expect("rules")).expect("detector")
}

/// (rule id, secret, line) for every match in `text`.
fn scan(text: &str) -> Vec<(String, String, u32)> {
    let d = detector();
    d.scan(text.as_bytes())
        .into_iter()
        .map(|m| (d.rules()[m.rule].id.clone(), m.secret, m.line))
        .collect()
}

fn one(text: &str) -> (String, String) {
    let found = scan(text);
    assert_eq!(
        found.len(),
        1,
        "expected one finding in {text:?}, got {found:?}"
    );
    (found[0].0.clone(), found[0].1.clone())
}

fn none(text: &str) {
    let found = scan(text);
    assert!(
        found.is_empty(),
        "expected nothing in {text:?}, got {found:?}"
    );
}

#[test]
fn meetso_keys_in_many_shapes() {
    for text in [
        format!("MEETSO_KEY={LIVE}"),
        format!("const key = \"{LIVE}\";"),
        format!("curl -H 'Authorization: Bearer {LIVE}' https://api.meetso.ai/public/v1/meetings"),
        format!("{{\"key\": \"{LIVE}\"}}"),
        format!("api_key: {LIVE}\n"),
    ] {
        assert_eq!(
            one(&text),
            ("meetso-live-key".into(), LIVE.into()),
            "{text}"
        );
    }
    assert_eq!(
        one(&format!("k={TEST}")),
        ("meetso-test-key".into(), TEST.into())
    );
}

#[test]
fn meetso_key_must_be_bounded_and_real() {
    none(&format!("{LIVE}ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefgh")); // body over 64 chars
    none(&format!("{LIVE}_suffix"));
    none("mts_live_short123");
    none("Authorization: Bearer mts_live_…");
    none("Authorization: Bearer mts_live_...");
    none("mts_live_aB3xKp9NzQwErTyUiOpAsDfGhJkLmNbVcXz");
    none("mts_live_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
    none(&format!("key = \"{LIVE}\"  # keyhound:allow"));
    none(&format!("key = \"{LIVE}\"  // gitleaks:allow"));
}

#[test]
fn meetso_env_assignment_is_one_finding_of_the_specific_rule() {
    let found = scan(&format!("MEETSO_API_KEY={LIVE}\n"));
    assert_eq!(found, vec![("meetso-live-key".into(), LIVE.into(), 1)]);
}

#[test]
fn meetstream_key_shape() {
    assert_eq!(
        one(&format!("key: {MS}")),
        ("meetstream-api-key".into(), MS.into())
    );
    none("ms_0123456789abcdef0123456789abcdef");
    none("timeout_ms_Hq3ZrT8vLm2XwP9kJd6Ns4Ye1Cb7Fa5G");
}

#[test]
fn authorization_token_in_every_common_shape() {
    for text in [
        format!("curl -X POST https://api.meetstream.ai/api/v1/bots/create_bot -H 'Authorization: Token {TOKEN}'"),
        format!("curl --header \"Authorization: Token {TOKEN}\" https://app.attendee.dev/api/v1/bots"),
        format!("headers = {{'Authorization': 'Token {TOKEN}', 'Content-Type': 'application/json'}}"),
        format!("headers[\"Authorization\"] = \"Token {TOKEN}\""),
        format!("fetch(url, {{ headers: {{ Authorization: `Token {TOKEN}` }} }})"),
        format!("axios.post(url, body, {{ headers: {{ 'Authorization': 'Token {TOKEN}' }} }})"),
        format!("req.Header.Set(\"Authorization\", \"Token {TOKEN}\")"),
        format!(".header(\"Authorization\", \"Token {TOKEN}\")"),
        format!("'Authorization' => 'Token {TOKEN}',"),
        format!("    Authorization: Token {TOKEN}\n"),
        format!("{{\"Authorization\": \"Token {TOKEN}\"}}"),
        format!("127.0.0.1 - - [01/Mar/2025] \"GET /api/v1/bots\" HTTP_AUTHORIZATION=Token {TOKEN}"),
        format!("authorization: token {TOKEN}"),
        format!("{{\"key\": \"Authorization\", \"value\": \"Token {TOKEN}\", \"type\": \"text\"}}"),
        format!("      - name: Authorization\n        value: Token {TOKEN}\n"),
        format!("request.Headers.Add(\"Authorization\", $\"Token {TOKEN}\");"),
    ] {
        assert_eq!(one(&text), ("authorization-token".into(), TOKEN.into()), "{text}");
    }
}

#[test]
fn authorization_token_placeholders_are_silent() {
    for text in [
        "Authorization: Token YOUR_API_KEY",
        "Authorization: Token YOUR_API_KEY_HERE",
        "-H 'Authorization: Token YOUR_API_KEY_HERE'",
        "'Authorization': f'Token {API_KEY}',",
        "\"Authorization\": f\"Token {self._api_key}\",",
        "headers = {'Authorization': 'Token ' + api_key}",
        "Authorization: Token <token>",
        "Authorization: Token $ATTENDEE_API_KEY",
        "Authorization: Token ${MEETSTREAM_API_KEY}",
        "Authorization: Token %s",
        "The API uses the Authorization header using the Token scheme.",
        "Authorization: Token MEETSTREAM_API_KEY_VALUE",
        "Authorization: Token xxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    ] {
        none(text);
    }
}

#[test]
fn provider_hints_attribute_token_keys() {
    let d = detector();
    let text =
        format!("curl https://app.attendee.dev/api/v1/bots -H 'Authorization: Token {TOKEN}'");
    let m = d.scan(text.as_bytes());
    assert_eq!(m[0].provider.as_deref(), Some("attendee"));
    let text = format!(
        "BASE = 'https://api.meetstream.ai/api/v1'\nH = {{'Authorization': 'Token {TOKEN}'}}"
    );
    let m = d.scan(text.as_bytes());
    assert_eq!(m[0].provider.as_deref(), Some("meetstream"));
}

#[test]
fn a_bare_webhook_secret_takes_its_provider_from_context_a_vendor_prefixed_one_does_not() {
    let d = detector();
    let providers = |text: &str| -> Vec<Option<String>> {
        d.scan(text.as_bytes())
            .into_iter()
            .map(|m| m.provider)
            .collect()
    };
    let text = format!(
        "MEETSTREAM_API_KEY=$MEETSTREAM_API_KEY\nWEBHOOK_SECRET={TOKEN}\nSTRIPE_WEBHOOK_SECRET={ZOOM}\n"
    );
    assert_eq!(providers(&text), vec![Some("meetstream".into()), None]);
    let text = format!("# zoom app\nZOOM_S2S_CLIENT_SECRET={ZOOM}\n");
    assert_eq!(providers(&text), vec![Some("zoom".into())]);
}

#[test]
fn bearer_tokens() {
    let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.Qm8rT2xVz9Lp4Kw7Nc3Yb6Hd1Fs5Gj0A"; // keyhound:allow (fake test JWT)
    assert_eq!(
        one(&format!("Authorization: Bearer {jwt}")),
        ("authorization-bearer".into(), jwt.into())
    );
    assert_eq!(
        one(&format!(
            "headers = {{\"Authorization\": \"Bearer {TOKEN}\"}}"
        ))
        .0,
        "authorization-bearer"
    );
    none("Authorization: Bearer $TOKEN");
    none("Authorization: Bearer ACCESS_TOKEN_GOES_HERE");
    none("Bearer authentication is described in RFC 6750.");
    none("\"Authorization\": `Bearer ${token}`");
}

#[test]
fn env_assignments_in_many_formats() {
    let cases = [
        (format!("MEETSTREAM_API_KEY={TOKEN}"), TOKEN),
        (format!("export ATTENDEE_API_KEY=\"{TOKEN}\""), TOKEN),
        (format!("ZOOM_CLIENT_SECRET: {ZOOM}"), ZOOM),
        (format!("  - WEBHOOK_SECRET={TOKEN}"), TOKEN),
        (format!("\"MEETSTREAM_WEBHOOK_SECRET\": \"{TOKEN}\""), TOKEN),
        (format!("deepgram_api_key = \"{DEEPGRAM}\""), DEEPGRAM),
        (format!("DEEPGRAM_API_KEY = '{DEEPGRAM}'"), DEEPGRAM),
        (format!("ENV ZOOM_CLIENT_SECRET={ZOOM}"), ZOOM),
        (format!("ENV ZOOM_CLIENT_SECRET {ZOOM}"), ZOOM),
        (
            format!("docker run -e MEETSTREAM_API_KEY={TOKEN} image"),
            TOKEN,
        ),
        (
            format!("os.environ[\"ATTENDEE_API_KEY\"] = \"{TOKEN}\""),
            TOKEN,
        ),
        (
            format!("key = os.getenv(\"DEEPGRAM_API_KEY\", \"{DEEPGRAM}\")"),
            DEEPGRAM,
        ),
        (format!("$env:ZOOM_CLIENT_SECRET = \"{ZOOM}\""), ZOOM),
        (format!("NEXT_PUBLIC_MEETSTREAM_API_KEY={TOKEN}"), TOKEN),
        (format!("const zoomClientSecret = \"{ZOOM}\";"), ZOOM),
        (format!("meetStreamApiKey: \"{TOKEN}\","), TOKEN),
        (
            format!("private val DeepGramApiKey = \"{DEEPGRAM}\""),
            DEEPGRAM,
        ),
        (format!("HTTP_AUTH_WEBHOOK_SECRET={TOKEN}"), TOKEN),
        (format!("ZOOM_S2S_CLIENT_SECRET={ZOOM}"), ZOOM),
        (format!("zoomAppClientSecret: '{ZOOM}',"), ZOOM),
        (format!("ZOOM_WEBHOOK_SECRET_TOKEN={TOKEN}"), TOKEN),
        (format!("ZOOM_VERIFICATION_TOKEN={TOKEN}"), TOKEN),
        (format!("WEBHOOK_SIGNING_SECRET={TOKEN}"), TOKEN),
        (format!("DEEPGRAM_API_KEY_PROD={DEEPGRAM}"), DEEPGRAM),
        (format!("ZOOM_API_SECRET={ZOOM}"), ZOOM),
        (format!("ZOOM_MEETING_SDK_SECRET={ZOOM}"), ZOOM),
        (format!("$Global:ZoomApiSecret = '{ZOOM}'"), ZOOM),
        (format!("export DG_API_KEY={DEEPGRAM}"), DEEPGRAM),
        (format!("ENV['ZOOM_CLIENT_SECRET'] ||= '{ZOOM}'"), ZOOM),
        (format!("zoom_client_secret <- \"{ZOOM}\""), ZOOM),
        (
            format!("<add key=\"ZoomClientSecret\" value=\"{ZOOM}\" />"),
            ZOOM,
        ),
        (format!("<ZoomClientSecret>{ZOOM}</ZoomClientSecret>"), ZOOM),
        (format!("meetstream_api_key = \'\'\'{TOKEN}\'\'\'"), TOKEN),
        (
            format!("curl \"$HOOK?ZOOM_CLIENT_SECRET={ZOOM}&x=1\""),
            ZOOM,
        ),
        // a shell default: the value after `:-`, not the dash
        (
            format!("  - ZOOM_CLIENT_SECRET=${{ZOOM_CLIENT_SECRET:-{ZOOM}}}"),
            ZOOM,
        ),
        (format!("\"dgKey\": \"{DEEPGRAM}\","), DEEPGRAM),
        (format!("DG_KEY={DEEPGRAM}"), DEEPGRAM),
        (format!("ZOOM_VERIFY_TOKEN={TOKEN}"), TOKEN),
        (
            format!("python bot.py --zoom-client-secret {ZOOM} --meeting 123"),
            ZOOM,
        ),
        (
            format!("node index.js --deepgram-api-key \"{DEEPGRAM}\""),
            DEEPGRAM,
        ),
        // the first name's value is an identifier; the literal after it is still found
        (
            format!("zoomClientSecret: process.env.ZOOM_CLIENT_SECRET || \"{ZOOM}\","),
            ZOOM,
        ),
    ];
    for (text, secret) in cases {
        assert_eq!(one(&text), ("env-secret".into(), secret.into()), "{text}");
    }
    let k8s = format!("env:\n  - name: ZOOM_CLIENT_SECRET\n    value: \"{ZOOM}\"\n");
    assert_eq!(scan(&k8s), vec![("env-secret".into(), ZOOM.into(), 3)]);
}

#[test]
fn env_references_and_placeholders_are_silent() {
    for text in [
        "MEETSTREAM_API_KEY=",
        "MEETSTREAM_API_KEY=your_api_key_here",
        "export ATTENDEE_API_KEY=\"your_api_key_here\"",
        "ZOOM_CLIENT_SECRET=${ZOOM_CLIENT_SECRET}",
        "ZOOM_CLIENT_SECRET=$ZOOM_SECRET",
        "MEETSTREAM_API_KEY: ${{ secrets.MEETSTREAM_API_KEY }}",
        "client = MeetStreamClient(api_key=os.environ[\"MEETSTREAM_API_KEY\"])",
        "MEETSTREAM_API_KEY = os.environ[\"MEETSTREAM_API_KEY\"]",
        "WEBHOOK_SECRET = get_secret('/meetstream/prod/webhook-secret')",
        "const key = process.env.MEETSTREAM_API_KEY;",
        "meetstream_api_key = var.meetstream_api_key_value",
        "DEEPGRAM_API_KEY=<your-deepgram-key>",
        "MEETSTREAM_API_KEY=changeme",
        "WEBHOOK_SECRET=xxxxxxxxxxxxxxxxxxxxxxxx",
        "ZOOM_CLIENT_SECRET_FILE=/run/secrets/zoom_client_secret_value",
        "zoomClientSecret: process.env.ZOOM_CLIENT_SECRET || process.env.ZOOM_SECRET,",
        "ZOOM_WEBHOOK_SECRET_TOKEN_PATH=/etc/zoom/webhook_secret_token",
        "echo \"$ZOOM_CLIENT_SECRET\" > /run/secrets/zoom_client_secret.txt",
        "bot --zoom-client-secret $ZOOM_CLIENT_SECRET --webhook-secret --verbose-logging-enabled",
        "  --meetstream-api-key YOUR_MEETSTREAM_API_KEY_HERE \\",
        // keyword arguments: a rejected identifier value, then the next argument
        "        deepgram_api_key=self.deepgram_api_key,\n        interim_results=True,",
        "zoom_client_secret=self.zoom_client_secret,\n    join_payload=self.zoom_rtms,",
        "secret = models.ForeignKey(WebhookSecret, on_delete=models.PROTECT, related_name=\"hooks\")",
        // an empty assignment does not take the next line as its value
        "ZOOM_CLIENT_SECRET=\nZOOM_REDIRECT_URL_FOR_LOCAL=http://localhost:3000/oauth/callback",
        "ENV DEEPGRAM_API_KEY\nRUN_AS_USER_WITH_LONG_NAME=application",
        "  - name: ZOOM_CLIENT_SECRET\n    valueFrom:\n      secretKeyRef:\n        name: zoom",
    ] {
        none(text);
    }
}

/// Teddy, the SIMD searcher behind the prefilter, takes at most 64 literals; past that the
/// prefilter falls back to a scan several times slower (git/git's history went from 3.4 s to
/// 8.9 s). New keywords must fit, or replace broader ones.
#[test]
fn builtin_keyword_spellings_fit_one_simd_pass() {
    let spellings = detector().keyword_rules.len();
    assert!(spellings <= 64, "{spellings} keyword spellings");
}

#[test]
fn generic_app_secret_names_count_only_next_to_zoom() {
    let d = detector();
    let found = |text: &str| -> Vec<(String, String, Option<String>)> {
        d.scan(text.as_bytes())
            .into_iter()
            .map(|m| (d.rules()[m.rule].id.clone(), m.secret, m.provider))
            .collect()
    };
    let zoom = |secret: &str| {
        vec![(
            "zoom-app-secret".into(),
            secret.to_string(),
            Some("zoom".into()),
        )]
    };
    for line in [
        format!("var API_SECRET = \"{ZOOM}\";"),
        format!("  clientSecret: '{ZOOM}',"),
        format!("sdkSecret: \"{ZOOM}\","),
        format!("VITE_APP_CLIENT_SECRET={ZOOM}"),
        format!("$ApiSecret = '{ZOOM}'"),
        format!("const secretToken = \"{ZOOM}\";"),
        // the names Zoom's own samples use for the app/SDK secret
        format!("  appSecret: '{ZOOM}',"),
        format!("APP = {{ 'app_secret': '{ZOOM}' }}"),
        format!("client.init({{ sdkKey: 'abc', sdkSecret: \"{ZOOM}\" }})"),
    ] {
        let text = format!("ZoomMtg.preLoadWasm();\n{line}\n");
        assert_eq!(found(&text), zoom(ZOOM), "{text}");
        // the same line without Zoom nearby is some other provider's secret
        assert_eq!(found(&line), vec![], "{line}");
    }
    let query = format!("POST https://zoom.us/oauth/token?grant_type=x&client_secret={ZOOM}&y=1");
    assert_eq!(found(&query), zoom(ZOOM));
    for line in [
        format!("GOOGLE_CLIENT_SECRET: '{ZOOM}',"),
        format!("googleClientSecret: '{ZOOM}',"),
        "clientSecret: process.env.ZOOM_CLIENT_SECRET,".to_string(),
        "apiSecret: 'YOUR_API_SECRET_HERE',".to_string(),
        // the app's own signing secret, not Zoom's; other vendors' app secrets
        format!("JWT_SECRET_KEY = '{ZOOM}'"),
        format!("FACEBOOK_APP_SECRET = '{ZOOM}'"),
        format!("slackAppSecret: '{ZOOM}',"),
    ] {
        let text = format!("const zoomApiBaseUrl = 'https://api.zoom.us/v2';\n{line}\n");
        assert_eq!(found(&text), vec![], "{text}");
    }
}

#[test]
fn basic_auth_reveals_zoom_client_secret() {
    use base64::Engine;
    let enc =
        base64::engine::general_purpose::STANDARD.encode(format!("Zq4XkP2mTw8LrN6vBy1c:{ZOOM}"));
    let text = format!("curl -X POST 'https://zoom.us/oauth/token?grant_type=account_credentials' -H 'Authorization: Basic {enc}'");
    let d = detector();
    let m = d.scan(text.as_bytes());
    assert_eq!(m.len(), 1);
    assert_eq!(d.rules()[m[0].rule].id, "basic-auth");
    assert_eq!(m[0].secret, ZOOM);
    assert_eq!(m[0].provider.as_deref(), Some("zoom"));
    // the client id can itself be a key: redacted like one, never printed whole
    assert_eq!(m[0].detail.as_deref(), Some("client id Zq…1c"));
    let placeholder = base64::engine::general_purpose::STANDARD.encode("client_id:client_secret");
    none(&format!("Authorization: Basic {placeholder}"));
    none("\"Authorization\": f\"Basic {credentials}\"");
    none("WWW-Authenticate: Basic realm=\"api\"");
}

#[test]
fn lines_and_columns_are_one_based_and_utf8_aware() {
    let d = detector();
    let text = format!("first\n# é comment\n  é = \"{LIVE}\"\n");
    let m = d.scan(text.as_bytes());
    assert_eq!((m[0].line, m[0].column), (3, 8));
}

#[test]
fn invalid_utf8_around_a_key_is_scanned() {
    let d = detector();
    let mut data = b"\xff\xfe junk \xc3\x28\n".to_vec();
    data.extend_from_slice(format!("key={LIVE}\n").as_bytes());
    let m = d.scan(&data);
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].line, 2);
}

/// A rule that only lists names gets every binding shape from the engine.
#[test]
fn a_rule_of_names_matches_every_binding_shape() {
    let mut set = RuleSet::default();
    set.add_file(
        "acme.toml",
        "[[rule]]\nid = \"acme\"\ndescription = \"d\"\nseverity = \"high\"\nkeywords = [\"acme\"]\nnames = [\"acme (?:api )?key\"]\n",
    )
    .expect("rule");
    let d = Detector::new(&set).expect("detector");
    for text in [
        format!("ACME_API_KEY={TOKEN}"),
        format!("const acmeApiKey = \"{TOKEN}\";"),
        format!("ENV ACME_KEY {TOKEN}"),
        format!("run --acme-api-key {TOKEN}"),
        format!("- name: ACME_API_KEY\n  value: {TOKEN}\n"),
        format!("ACME_API_KEY_PROD: {TOKEN}"),
    ] {
        let found: Vec<String> = d
            .scan(text.as_bytes())
            .into_iter()
            .map(|m| m.secret)
            .collect();
        assert_eq!(found, vec![TOKEN.to_string()], "{text}");
    }
}

/// (rule, secret, line, provider, detail) of a match.
type Full = (String, String, u32, Option<String>, Option<String>);

/// Every match in `text`, in full.
fn scan_full(text: &str) -> Vec<Full> {
    let d = detector();
    d.scan(text.as_bytes())
        .into_iter()
        .map(|m| {
            (
                d.rules()[m.rule].id.clone(),
                m.secret,
                m.line,
                m.provider,
                m.detail,
            )
        })
        .collect()
}

#[test]
fn nested_config_key_paths_bind_values_to_the_parent_provider() {
    let key = |secret: &str, line: u32, provider: &str, path: &str| {
        vec![(
            "env-secret".to_string(),
            secret.to_string(),
            line,
            Some(provider.to_string()),
            Some(format!("key {path}")),
        )]
    };
    let cases = [
        // YAML
        (
            format!("zoom:\n  client_id: abcdefgh\n  client_secret: {ZOOM}\n"),
            key(ZOOM, 3, "zoom", "zoom.client_secret"),
        ),
        (
            format!("integrations:\n  zoom:\n    oauth:\n      secret: \"{ZOOM}\"  # prod\n"),
            key(ZOOM, 4, "zoom", "zoom.oauth.secret"),
        ),
        (
            format!("deepgram:\n  model: nova-2\n  api_key: '{DEEPGRAM}'\n"),
            key(DEEPGRAM, 3, "deepgram", "deepgram.api_key"),
        ),
        (
            format!("meetstream:\n  apiKey: {TOKEN}\n"),
            key(TOKEN, 2, "meetstream", "meetstream.apiKey"),
        ),
        // TOML, INI
        (
            format!("[zoom]\naccount_id = \"abc\"\nsecret = \"{ZOOM}\"\n"),
            key(ZOOM, 3, "zoom", "zoom.secret"),
        ),
        (
            format!("[Deepgram]\r\nKey={DEEPGRAM}\r\n"),
            key(DEEPGRAM, 2, "deepgram", "Deepgram.Key"),
        ),
        // JSON (.NET appsettings), one line and many
        (
            format!("{{\"deepgram\": {{\"apiKey\": \"{DEEPGRAM}\"}}}}"),
            key(DEEPGRAM, 1, "deepgram", "deepgram.apiKey"),
        ),
        (
            format!("{{\n  \"Zoom\": {{\n    \"ClientId\": \"abc\",\n    \"ClientSecret\": \"{ZOOM}\"\n  }}\n}}\n"),
            key(ZOOM, 4, "zoom", "Zoom.ClientSecret"),
        ),
        // a JS object
        (
            format!("export default {{\n  webhook: {{ secret: '{TOKEN}' }},\n}};\n"),
            key(TOKEN, 2, "meetstream", "webhook.secret"),
        ),
    ];
    for (text, want) in cases {
        let text = if text.contains("webhook") {
            format!("{text}// https://api.meetstream.ai\n")
        } else {
            text
        };
        assert_eq!(scan_full(&text), want, "{text}");
    }
}

#[test]
fn nested_config_look_alikes_are_silent() {
    for text in [
        // another provider's section
        format!("stripe:\n  secret_key: {ZOOM}\n"),
        format!("[google]\nclient_secret = \"{ZOOM}\"\n"),
        // the provider section ends before the secret
        format!("zoom:\n  client_id: abc\ngoogle:\n  secret: {ZOOM}\n"),
        format!("[zoom]\nclient_id = \"abc\"\n[google]\nsecret = \"{ZOOM}\"\n"),
        format!("{{\"zoom\": {{\"clientId\": \"abc\"}}, \"google\": {{\"secret\": \"{ZOOM}\"}}}}"),
        // another vendor's name under the provider's section
        format!("const zoom = {{\n  GOOGLE_CLIENT_SECRET: \"{ZOOM}\",\n  stripeSecret: \"{ZOOM}\",\n}};\n"),
        // not a secret key under the provider
        format!("zoom:\n  client_id: {ZOOM}\n  redirect_url: https://example.com/oauth\n"),
        // placeholders and references
        "zoom:\n  client_secret: your-zoom-client-secret-here\n".to_string(),
        "deepgram:\n  api_key: ${DEEPGRAM_API_KEY}\n".to_string(),
        "[zoom]\nsecret = \"<from the marketplace>\"\n".to_string(),
        // the keyword in a comment opens no section
        format!("app: # zoom\n  secret: {ZOOM}\n"),
        // allowed
        format!("zoom:\n  secret: {ZOOM} # keyhound:allow\n"),
    ] {
        assert_eq!(scan_full(&text), vec![], "{text}");
    }
}

#[test]
fn a_constant_used_in_a_header_is_reported_at_its_literal() {
    let token = |line: u32, name: &str, used: u32| {
        vec![(
            "authorization-token".to_string(),
            TOKEN.to_string(),
            line,
            Some("meetstream".to_string()),
            Some(format!("variable {name}, used at line {used}")),
        )]
    };
    let base = "// https://api.meetstream.ai/api/v1\n";
    let cases = [
        // Java
        (
            format!("{base}class C {{\n  private static final String API_KEY = \"{TOKEN}\";\n  void f() {{ conn.setRequestProperty(\"Authorization\", \"Token \" + API_KEY); }}\n}}\n"),
            token(3, "API_KEY", 4),
        ),
        // Kotlin / Scala
        (
            format!("{base}val apiKey = \"{TOKEN}\"\nrequest.header(\"Authorization\", \"Token $apiKey\")\n"),
            token(2, "apiKey", 3),
        ),
        (
            format!("{base}val apiKey = \"{TOKEN}\"\nval h = Authorization -> s\"Token $apiKey\"\n"),
            token(2, "apiKey", 3),
        ),
        // Go
        (
            format!("{base}const apiKey = \"{TOKEN}\"\n\nfunc f() {{ req.Header.Set(\"Authorization\", fmt.Sprintf(\"Token %s\", apiKey)) }}\n"),
            token(2, "apiKey", 4),
        ),
        // C++
        (
            format!("{base}static const std::string kApiKey = \"{TOKEN}\";\nheaders = curl_slist_append(headers, (\"Authorization: \" + std::string(\"Token \") + kApiKey).c_str());\n"),
            vec![],
        ),
        (
            format!("{base}const std::string kApiKey{{\"{TOKEN}\"}};\nauto h = \"Authorization: \" \"Token \" + kApiKey;\n"),
            token(2, "kApiKey", 3),
        ),
        // Python module constant, f-string and format
        (
            format!("{base}API_KEY = '{TOKEN}'\n\nheaders = {{'Authorization': f'Token {{API_KEY}}'}}\n"),
            token(2, "API_KEY", 4),
        ),
        (
            format!("{base}KEY = \"{TOKEN}\"\nh = {{\"Authorization\": \"Token {{}}\".format(KEY)}}\n"),
            token(2, "KEY", 3),
        ),
        // JS template, headers.set
        (
            format!("{base}const key = '{TOKEN}';\nheaders.set('Authorization', `Token ${{key}}`);\n"),
            token(2, "key", 3),
        ),
        // C#
        (
            format!("{base}private const string ApiKey = \"{TOKEN}\";\nclient.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(\"Token\", ApiKey);\n"),
            token(2, "ApiKey", 3),
        ),
    ];
    for (text, want) in cases {
        assert_eq!(scan_full(&text), want, "{text}");
    }
    // the literal straight in the C# header
    let text = format!("{base}client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(\"Token\", \"{TOKEN}\");\n");
    assert_eq!(one(&text), ("authorization-token".into(), TOKEN.into()));
    // a Bearer header too
    let text =
        format!("SECRET = \"{ZOOM}\"\nheaders = {{\"Authorization\": \"Bearer \" + SECRET}}\n");
    assert_eq!(
        scan(&text),
        vec![("authorization-bearer".into(), ZOOM.into(), 1)]
    );
}

#[test]
fn header_identifiers_without_a_literal_binding_are_silent() {
    for text in [
        // read from the environment
        "API_KEY = os.environ['MEETSTREAM_API_KEY']\nheaders = {'Authorization': 'Token ' + API_KEY}\n".to_string(),
        // a parameter, a call, an attribute set at runtime
        "def f(key):\n    return {'Authorization': 'Token ' + key}\n".to_string(),
        "headers = {'Authorization': 'Token ' + get_key()}\n".to_string(),
        "self.session.headers.update({\"Authorization\": f\"Token {self._api_key}\"})\n".to_string(),
        // a placeholder constant
        "API_KEY = 'YOUR_API_KEY_HERE_1234'\nheaders = {'Authorization': 'Token ' + API_KEY}\n".to_string(),
        // a comparison is no binding
        format!("if API_KEY == \"{TOKEN}\":\n    pass\nheaders = {{'Authorization': 'Token ' + API_KEY}}\n"),
        // allowed at the literal
        format!("API_KEY = \"{TOKEN}\"  # keyhound:allow\nh = {{'Authorization': 'Token ' + API_KEY}}\n"),
    ] {
        assert_eq!(scan_full(&text), vec![], "{text}");
    }
}

#[test]
fn deepgram_sdk_calls_take_literals_and_constants() {
    let dg = |line: u32, detail: Option<&str>| {
        vec![(
            "deepgram-sdk-key".to_string(),
            DEEPGRAM.to_string(),
            line,
            Some("deepgram".to_string()),
            detail.map(str::to_string),
        )]
    };
    let cases = [
        (format!("deepgram = DeepgramClient(\"{DEEPGRAM}\")\n"), dg(1, None)),
        (format!("deepgram = DeepgramClient(api_key=\"{DEEPGRAM}\")\n"), dg(1, None)),
        (format!("const dg = new Deepgram('{DEEPGRAM}');\n"), dg(1, None)),
        (
            format!("KEY = \"{DEEPGRAM}\"\n\ndeepgram = DeepgramClient(KEY)\n"),
            dg(1, Some("variable KEY, used at line 3")),
        ),
        (
            format!("import {{ createClient }} from '@deepgram/sdk';\nconst KEY = '{DEEPGRAM}';\nconst deepgram = createClient(KEY);\n"),
            dg(2, Some("variable KEY, used at line 3")),
        ),
    ];
    for (text, want) in cases {
        assert_eq!(scan_full(&text), want, "{text}");
    }
    for text in [
        "deepgram = DeepgramClient(os.environ['DEEPGRAM_API_KEY'])\n",
        "deepgram = DeepgramClient(api_key=settings.DEEPGRAM_API_KEY)\n",
        "const deepgram = createClient(process.env.DEEPGRAM_API_KEY);\n",
        "deepgram = DeepgramClient(\"YOUR_DEEPGRAM_API_KEY\")\n",
        // another SDK's client with a literal
        "const supabase = createClient('https://xyzcompany.supabase.co', 'f3a9c2e81b7d4065a9e2c3b1d8f74e06');\n",
    ] {
        assert_eq!(scan_full(text), vec![], "{text}");
    }
}

/// Prose placeholders (phrases, hyphen- and underscore-joined words, templates, words and
/// digits) in every shape the rules bind a value in: silent.
#[test]
fn prose_placeholders_are_silent_in_every_shape() {
    use base64::Engine;
    let values = [
        "any random string 123",
        "anyrandomstring123",
        "your-secret-here",
        "insert_your_api_key",
        "my-super-secret-token",
        "replace-me-with-real-key",
        "changeme",
        "<from the dashboard>",
        "{{ secrets.MEETSTREAM_API_KEY }}",
        "${MEETSTREAM_API_KEY}",
        "%MEETSTREAM_API_KEY%",
        "[YOUR KEY]",
        "secret123",
        "password1",
        "test-token-1",
        "bluehorse42",
        "correcthorsebatterystaple",
        "supersecretpassword2024",
        "bluehorse42bluehorse42",
        "somelongsecretvalue2024",
        "MyZoomClientSecret2024",
    ];
    let shapes: Vec<fn(&str) -> String> = vec![
        |v| format!("MEETSTREAM_API_KEY={v}\n"),
        |v| format!("ZOOM_CLIENT_SECRET=\"{v}\"\n"),
        |v| format!("export DEEPGRAM_API_KEY='{v}'\n"),
        |v| format!("ENV ZOOM_WEBHOOK_SECRET_TOKEN={v}\n"),
        |v| format!("headers = {{\"Authorization\": \"Token {v}\"}}  # api.meetstream.ai\n"),
        |v| format!("curl -H 'Authorization: Bearer {v}' https://api.meetso.ai/public/v1\n"),
        |v| format!("zoom:\n  client_secret: {v}\n"),
        |v| format!("{{\"deepgram\": {{\"apiKey\": \"{v}\"}}}}\n"),
        |v| format!("[zoom]\nsecret = \"{v}\"\n"),
        |v| format!("const zoomConfig = {{ sdkKey: 'k', sdkSecret: '{v}' }}; // zoom\n"),
        |v| {
            let pair = format!("Zq4XkP2mTw8LrN6vBy1c:{v}");
            let encoded = base64::engine::general_purpose::STANDARD.encode(pair);
            format!("-H 'Authorization: Basic {encoded}' https://zoom.us/oauth/token\n")
        },
    ];
    for shape in shapes {
        // the shape finds a real key (so its silence below is the placeholder filter's)
        assert_eq!(scan(&shape(ZOOM)).len(), 1, "{}", shape(ZOOM));
        for v in values {
            none(&shape(v));
        }
    }
}

/// Meetso keys whose body is words or filler are documentation stand-ins.
#[test]
fn meetso_keys_with_placeholder_bodies_are_silent() {
    for key in [
        "mts_live_your_key_here",
        "mts_live_XXXXXXXXXXXXXXXXXXXXXXXXXXXX",
        "mts_live_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "mts_live_yourmeetsokeygoeshere12345",
        "mts_live_mysupersecretmeetsokey2024",
        "mts_live_thisisnotarealkeyjustatest1",
        "mts_live_SomethingSecretAndLong2024",
        "mts_live_YourMeetsoApiKeyGoesHere123",
        "mts_test_replacewithyourrealtestkey",
    ] {
        none(&format!("MEETSO_API_KEY={key}\n"));
        none(&format!("client = Meetso(api_key=\"{key}\")\n"));
    }
}

/// Look-alikes of the placeholders above that are real-shaped keys stay reported: a word at
/// the start of a random body, a weak but random-tailed key, hex with `abc` or a run.
#[test]
fn real_keys_that_contain_a_word_are_reported() {
    let pa55 = "mts_live_Pa55wordXk9Qz7Lr2Wm4Tb8NcVy1"; // keyhound:allow (generated test key)
    assert_eq!(
        one(&format!("MEETSO_API_KEY={pa55}\n")),
        ("meetso-live-key".into(), pa55.into())
    );
    let key = "mts_live_KeyQ7fLr2ZxW9kPm4Tb8NcVy1HdJ6s"; // keyhound:allow (generated test key)
    assert_eq!(
        one(&format!("k = \"{key}\"\n")),
        ("meetso-live-key".into(), key.into())
    );
    for (text, rule, secret) in [
        (
            "ZOOM_CLIENT_SECRET=SecretHd7Fs3Gj9Kl2Qw5Er8Ty1Ui4Op6\n", // keyhound:allow (generated test key)
            "env-secret",
            "SecretHd7Fs3Gj9Kl2Qw5Er8Ty1Ui4Op6",
        ),
        (
            "DEEPGRAM_API_KEY=5887fffde1155519062526a0d87baa7825ad2abc\n", // keyhound:allow (generated test key)
            "env-secret",
            "5887fffde1155519062526a0d87baa7825ad2abc",
        ),
        (
            "headers = {'Authorization': 'Token abc11b088af3700369e2651d82d33bb9'} # meetstream\n", // keyhound:allow (generated test key)
            "authorization-token",
            "abc11b088af3700369e2651d82d33bb9",
        ),
        (
            "MEETSTREAM_API_KEY=horse8Zq4XkP2mTw8LrN6vBy1cQ7fLr2Zx\n", // keyhound:allow (generated test key)
            "env-secret",
            "horse8Zq4XkP2mTw8LrN6vBy1cQ7fLr2Zx",
        ),
    ] {
        assert_eq!(one(text), (rule.into(), secret.into()), "{text}");
    }
}

#[test]
fn exact_keywords_are_searched_only_as_written() {
    let rule = |exact: bool| {
        format!(
            "[[rule]]\nid = \"acme-key\"\ndescription = \"d\"\nseverity = \"high\"\nkeywords = [\"acme_\"]\nexact_keywords = {exact}\npatterns = ['''(?i)\\b(?P<secret>acme_[a-z0-9]{{24}})\\b''']\n"
        )
    };
    let found = |exact: bool, text: &str| {
        let mut set = RuleSet {
            rules: Vec::new(),
            ..RuleSet::builtin().expect("rules")
        };
        set.add_file("acme.toml", &rule(exact))
            .expect("rule parses");
        let d = Detector::new(&set).expect("detector");
        d.scan(text.as_bytes()).len()
    };
    let lower = "k = acme_q7flr2zxw9kpm4tb8ncvy1hd"; // keyhound:allow (generated test key)
    let upper = "K = ACME_Q7FLR2ZXW9KPM4TB8NCVY1HD"; // keyhound:allow (generated test key)
    assert_eq!((found(false, lower), found(false, upper)), (1, 1));
    assert_eq!((found(true, lower), found(true, upper)), (1, 0));
}
