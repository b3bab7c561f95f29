//! The label and comparison shapes through the whole detector: credentials written in prose,
//! Markdown, reStructuredText, AsciiDoc, HTML, comments and logs, and compared in code, with
//! the look-alikes that must stay silent.

use crate::detect::{Detector, Match};
use crate::rules::RuleSet;

const ZOOM: &str = "Hd7Fs3Gj9Kl2Qw5Er8Ty1Ui4Op6As0Dz"; // keyhound:allow (generated test key)
const DEEPGRAM: &str = "7c9e2b41d8a65f3e0b1c4d7a9e2f5b8c1d4e7f0a"; // keyhound:allow (generated)
const OTHER: &str = "sk_live_4eC39HqLyjWDarjtT1zdp7dc9Qw2"; // keyhound:allow (generated)

/// Every match in `text`, each as `view` shows it (given the rule id).
fn scan_as<T>(text: &str, view: impl Fn(String, Match) -> T) -> Vec<T> {
    let d = Detector::new(&RuleSet::builtin().expect("rules")).expect("detector");
    d.scan(text.as_bytes())
        .into_iter()
        .map(|m| view(d.rules()[m.rule].id.clone(), m))
        .collect()
}

/// (rule, secret, line, provider) of every match.
fn scan(text: &str) -> Vec<(String, String, u32, Option<String>)> {
    scan_as(text, |rule, m| (rule, m.secret, m.line, m.provider))
}

fn found(
    rule: &str,
    secret: &str,
    line: u32,
    provider: &str,
) -> Vec<(String, String, u32, Option<String>)> {
    vec![(rule.into(), secret.into(), line, Some(provider.into()))]
}

/// Each snippet after `before` is one Zoom app secret finding on line 3.
fn each_is_a_zoom_app_secret_on_line_3(before: &str, snippets: &[String]) {
    for snippet in snippets {
        let text = format!("{before}{snippet}\n");
        assert_eq!(
            scan(&text),
            found("zoom-app-secret", ZOOM, 3, "zoom"),
            "{text}"
        );
    }
}

#[test]
fn labels_in_markup_bind_values_in_a_document_about_zoom() {
    let labels = [
        format!("**Client Secret**: {ZOOM}"),
        format!("Client Secret: {ZOOM}"),
        format!("Secret Token: {ZOOM}"),
        format!("- API Secret: {ZOOM}"),
        format!("*Client Secret*: {ZOOM}"),
        format!("__Client Secret__: {ZOOM}"),
        format!("`Client Secret`: `{ZOOM}`"),
        format!("**Client Secret:** {ZOOM}"),
        format!("| Client Secret | {ZOOM} |"),
        format!("| prod | Client Secret | `{ZOOM}` |"),
        format!(":Client Secret: {ZOOM}"),
        format!("Client Secret:: {ZOOM}"),
        format!("Client Secret - {ZOOM}"),
        format!("Client Secret – {ZOOM}"),
        format!("Copy the Client Secret: {ZOOM}"),
        format!("Meeting SDK Secret: {ZOOM}"),
        format!("<strong>Client Secret:</strong> {ZOOM}"),
        format!("<td>Client Secret</td><td><code>{ZOOM}</code></td>"),
        format!("// Client Secret: {ZOOM}"),
        format!("    \"\"\"Secret Token: {ZOOM}\"\"\""),
        format!("console.log('Secret Token: {ZOOM}')"),
        format!("System.out.println(\"Client Secret = {ZOOM}\");"),
    ];
    // Zoom named in a sentence (under a heading naming Zoom, the section's provider makes
    // the generic label `zoom.client_secret`, an env-secret, as a nested config key does)
    each_is_a_zoom_app_secret_on_line_3("Credentials of our Zoom app.\n\n", &labels);
}

#[test]
fn definitions_bind_the_value_on_the_next_line() {
    let definitions = [
        format!("Client Secret\n    {ZOOM}"),
        format!("Client Secret\n: {ZOOM}"),
        format!("<dt>Client Secret</dt>\n<dd>{ZOOM}</dd>"),
    ];
    each_is_a_zoom_app_secret_on_line_3("Zoom Marketplace app\n", &definitions);
}

#[test]
fn labels_that_name_the_provider_need_no_context() {
    for (text, provider, secret) in [
        (format!("Zoom Client Secret: {ZOOM}"), "zoom", ZOOM),
        (
            format!("**Zoom S2S Client Secret**: `{ZOOM}`"),
            "zoom",
            ZOOM,
        ),
        (
            format!("- Deepgram API key: `{DEEPGRAM}`"),
            "deepgram",
            DEEPGRAM,
        ),
        (
            format!("| Deepgram API Key | {DEEPGRAM} |"),
            "deepgram",
            DEEPGRAM,
        ),
        (format!("MeetStream API key: {ZOOM}"), "meetstream", ZOOM),
        (format!("Your Attendee API Key: {ZOOM}"), "attendee", ZOOM),
        (
            format!("print(f\"Deepgram key: {DEEPGRAM}\")"),
            "deepgram",
            DEEPGRAM,
        ),
        (
            format!("log.info(\"zoom client secret={{}}\", \"{ZOOM}\");"),
            "zoom",
            ZOOM,
        ),
        (
            format!("logger.debug(\"Deepgram API key: %s\", '{DEEPGRAM}')"),
            "deepgram",
            DEEPGRAM,
        ),
        (
            format!("# Deepgram API key: {DEEPGRAM}"),
            "deepgram",
            DEEPGRAM,
        ),
        // a misspelt provider still names it (a public repository's `Deepgramm.txt`)
        (
            format!("Deepgramm API key: {DEEPGRAM}"),
            "deepgram",
            DEEPGRAM,
        ),
        (
            format!("DEEPGRAMM_API_KEY={DEEPGRAM}"),
            "deepgram",
            DEEPGRAM,
        ),
        // words before a label that names the provider do not matter
        (
            format!("10:00:00Z DEBUG zoom client secret={ZOOM}"),
            "zoom",
            ZOOM,
        ),
        (
            format!("Using Zoom webhook secret token: {ZOOM}"),
            "zoom",
            ZOOM,
        ),
        (
            format!("_logger.LogDebug(\"Deepgram API key: {{Key}}\", \"{DEEPGRAM}\");"),
            "deepgram",
            DEEPGRAM,
        ),
    ] {
        assert_eq!(
            scan(&text),
            found("env-secret", secret, 1, provider),
            "{text}"
        );
    }
}

#[test]
fn labels_of_other_vendors_placeholders_and_descriptions_are_silent() {
    for line in [
        // other vendors' secrets under similar labels, in a document that mentions Zoom
        format!("Stripe Client Secret: {ZOOM}"),
        format!("GOOGLE CLIENT SECRET: {ZOOM}"),
        format!("the GitHub OAuth Client Secret: {ZOOM}"),
        format!("Stripe Secret Key: {OTHER}"),
        format!("AWS Secret Access Key: {ZOOM}"),
        // placeholders
        "Client Secret: <your client secret>".to_string(),
        "Client Secret: your-secret-here".to_string(),
        "Client Secret: xxxxxxxxxxxxxxxxxxxxxxxx".to_string(),
        "Client Secret: ********".to_string(),
        "**Client Secret**: `YOUR_CLIENT_SECRET`".to_string(),
        // descriptions of the field
        "Client Secret: the secret from the Zoom marketplace".to_string(),
        "Client Secret: Found in the App Credentials page".to_string(),
        "Client Secret: internationalization".to_string(),
        "Secret Token: configuration/documentation".to_string(),
        // table header rows
        "| Client Secret | Description |".to_string(),
        "| Client Secret | ApplicationCredentials |".to_string(),
        // low entropy
        "Client Secret: abababababababababab".to_string(),
    ] {
        let text = format!("# Zoom app credentials\n\n{line}\n");
        assert_eq!(scan(&text), vec![], "{text}");
    }
    // a generic label in a document about no meeting-bot provider
    for text in [
        format!("# Stripe setup\n\n**Client Secret**: {ZOOM}\n"),
        format!("Webhook Secret: {ZOOM}\n"),
        format!("| Secret Token | {ZOOM} |\n"),
    ] {
        assert_eq!(scan(&text), vec![], "{text}");
    }
}

#[test]
fn comparisons_with_a_literal_count_when_the_name_or_line_names_the_provider() {
    for (text, rule, provider, secret) in [
        (
            format!("if (zoomWebhookSecret !== '{ZOOM}') {{"),
            "env-secret",
            "zoom",
            ZOOM,
        ),
        (
            format!("if ZOOM_CLIENT_SECRET == \"{ZOOM}\":"),
            "env-secret",
            "zoom",
            ZOOM,
        ),
        (
            format!("\"{ZOOM}\".equals(zoomSecret)"),
            "env-secret",
            "zoom",
            ZOOM,
        ),
        (
            format!("if deepgram_api_key ne '{DEEPGRAM}'"),
            "env-secret",
            "deepgram",
            DEEPGRAM,
        ),
        // a generic identifier on a line that names the provider
        (
            format!("if (req.body.secret !== '{ZOOM}') {{ // zoom webhook"),
            "env-secret",
            "zoom",
            ZOOM,
        ),
        (
            format!("if (token == \"{DEEPGRAM}\") {{ deepgram.listen() }}"),
            "env-secret",
            "deepgram",
            DEEPGRAM,
        ),
        (
            format!("assert key == \"{DEEPGRAM}\"  # deepgram"),
            "env-secret",
            "deepgram",
            DEEPGRAM,
        ),
        (
            format!("if (!\"{ZOOM}\".equals(secret)) throw new Zoom.Unauthorized();"),
            "env-secret",
            "zoom",
            ZOOM,
        ),
    ] {
        assert_eq!(scan(&text), found(rule, secret, 1, provider), "{text}");
    }
    // a generic app-secret name next to Zoom
    let text = format!("import {{ ZoomMtg }} from '@zoom/meetingsdk';\nif (clientSecret.equals(\"{ZOOM}\")) {{}}\n");
    assert_eq!(scan(&text), found("zoom-app-secret", ZOOM, 2, "zoom"));
}

#[test]
fn comparisons_without_a_provider_are_silent() {
    for text in [
        format!("if (secret !== '{ZOOM}') {{}}"),
        format!("if (token == \"{DEEPGRAM}\") {{}}"),
        format!("if (stripeSecret !== '{ZOOM}') {{}} // zoom"),
        format!("if (googleClientSecret === '{ZOOM}') {{}} // zoom"),
        format!("if (webhookSecret !== '{ZOOM}') {{}}"),
        "if (zoomSecret !== process.env.ZOOM_SECRET) {}".to_string(),
        "if (secret === 'your-zoom-secret-here') {} // zoom".to_string(),
        format!("if (userId == \"{ZOOM}\") {{}} // zoom"),
    ] {
        assert_eq!(scan(&text), vec![], "{text}");
    }
}

/// (rule, line, provider, detail) of every match.
fn scan_detail(text: &str) -> Vec<(String, u32, Option<String>, Option<String>)> {
    scan_as(text, |rule, m| (rule, m.line, m.provider, m.detail))
}

fn labelled(
    rule: &str,
    line: u32,
    provider: &str,
    label: &str,
) -> (String, u32, Option<String>, Option<String>) {
    (
        rule.into(),
        line,
        Some(provider.into()),
        Some(format!("label {label}")),
    )
}

#[test]
fn a_table_header_row_names_the_column_of_its_values() {
    let text = format!(
        "Our Zoom bot.\n\n| Environment | **Client Secret** | Deepgram API Key |\n|---|:---|---|\n\
         | prod | `{ZOOM}` | {DEEPGRAM} |\n| dev | <ask Dana> | - |\n"
    );
    assert_eq!(
        scan_detail(&text),
        vec![
            labelled("zoom-app-secret", 5, "zoom", "Client Secret"),
            labelled("env-secret", 5, "deepgram", "Deepgram API Key"),
        ]
    );
    // the same table about no meeting-bot provider, and another vendor's column
    // a row's first cell names it (the label shape), whose detail names the label too
    let text = format!("Our Zoom bot.\n\n| Zoom Client Secret | `{ZOOM}` |\n");
    assert_eq!(
        scan_detail(&text),
        vec![labelled("env-secret", 3, "zoom", "Zoom Client Secret")]
    );
    let text = format!("| Environment | Client Secret |\n|---|---|\n| prod | {ZOOM} |\n");
    assert_eq!(scan_detail(&text), vec![]);
    let text = format!(
        "Zoom and Stripe\n\n| Stripe Client Secret | Google Client Secret |\n|---|---|\n| {ZOOM} | {ZOOM} |\n"
    );
    assert_eq!(scan_detail(&text), vec![]);
}

#[test]
fn a_generic_label_in_a_section_about_a_provider_is_that_providers() {
    let text = format!(
        "# Credentials\n\n## Attendee\n\n- API Key: `{ZOOM}`\n- Base URL: https://app.attendee.dev\n\n\
         Deepgram\n--------\n\n**API Key**: {DEEPGRAM}\n\n## Stripe\n\nAPI Key: {ZOOM}\n\n\
         <h3>Zoom</h3>\n| Name | Secret |\n|---|---|\n| s2s | {ZOOM} |\n"
    );
    assert_eq!(
        scan_detail(&text),
        vec![
            labelled("env-secret", 5, "attendee", "API Key"),
            labelled("env-secret", 11, "deepgram", "API Key"),
            labelled("env-secret", 20, "zoom", "Secret"),
        ]
    );
    // placeholders and descriptions in a provider's section
    for line in [
        "- API Key: <your Attendee API key>",
        "- API Key: your-api-key-here",
        "- API Key: Found on the API Keys page",
        "- Account ID: 1234567890abcdefABCD",
    ] {
        assert_eq!(
            scan_detail(&format!("## Attendee\n\n{line}\n")),
            vec![],
            "{line}"
        );
    }
}
