//! Shapes a sweep of public meeting-bot repositories found keyhound missing (issue 12), each
//! rebuilt with generated keys in a temp tree and scanned with the binary: Vexa API tokens in
//! every place they were seen, a Zoom Meeting SDK secret whose `.env` says "ZAK token" but
//! never "zoom", and the look-alikes that must stay silent.

mod common;

use common::{dir_with, finding_keys, json_report, keyhound_in, sha256};

/// A generated base62 string: a fixed-seed LCG, so every run builds the same fake keys.
fn fake(seed: u64, len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..len)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ALPHABET[((state >> 33) % ALPHABET.len() as u64) as usize] as char
        })
        .collect()
}

fn scan(files: &[(&str, &str)]) -> serde_json::Value {
    let dir = dir_with(files);
    let out = keyhound_in(
        dir.path(),
        &["scan", "--no-history", "--format", "json", "."],
    );
    let code = out.status.code().unwrap_or(2);
    json_report(&out, code)
}

fn rows(report: &serde_json::Value) -> Vec<(String, String, u64)> {
    finding_keys(report)
        .into_iter()
        .map(|(rule, path, line, _, _)| (rule, path, line))
        .collect()
}

fn row(rule: &str, path: &str, line: u64) -> (String, String, u64) {
    (rule.to_string(), path.to_string(), line)
}

#[test]
fn vexa_tokens_are_found_in_env_files_code_curl_and_markdown_tables() {
    let bot = format!("vxa_bot_{}", fake(1, 40));
    let user = format!("vxa_user_{}", fake(2, 40));
    let tx = format!("vxa_tx_{}", fake(3, 32));
    let legacy = fake(4, 40);
    let env = format!("VEXA_API_URL=https://api.cloud.vexa.ai\nVEXA_API_KEY={bot}\n");
    let js = format!("// dashboard\nconst TOKEN = '{user}';\nfetch(url, {{ headers: {{ 'X-API-Key': TOKEN }} }});\n");
    let md = format!("# Try it\n\n```sh\ncurl -H 'X-API-Key: {tx}' https://api.cloud.vexa.ai/bots/status\n```\n\n| user | token |\n|---|---|\n| alice | `{bot}` |\n");
    let legacy_env = format!("# Vexa\nVEXA_API_KEY={legacy}\n");
    let report = scan(&[
        ("deploy/.env.backup", &env),
        ("services/dashboard/app.js", &js),
        ("docs/quickstart.md", &md),
        ("old/vexa.env.txt", &legacy_env),
    ]);
    let mut found: Vec<_> = rows(&report)
        .into_iter()
        .filter(|(rule, _, _)| rule != "dotenv-committed")
        .collect();
    found.sort();
    let mut want = vec![
        row("vexa-api-token", "deploy/.env.backup", 2),
        row("vexa-api-token", "services/dashboard/app.js", 2),
        row("vexa-api-token", "docs/quickstart.md", 4),
        row("vexa-api-token", "docs/quickstart.md", 9),
        row("env-secret", "old/vexa.env.txt", 2),
    ];
    want.sort();
    assert_eq!(found, want, "{report:#}");
    let legacy_finding = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["rule"] == "env-secret")
        .expect("the legacy token is reported");
    assert_eq!(legacy_finding["provider"], "vexa", "{legacy_finding:#}");
    assert_eq!(legacy_finding["secret_sha256"], sha256(&legacy));
}

#[test]
fn vexa_test_tokens_and_placeholders_are_silent() {
    let report = scan(&[
        (
            "tests/conftest.py",
            "VALID_KEY = \"vxa_test_unit_key\"\nassert auth.resolve(\"vxa_bot_ok\")\nheaders = {\"x-api-key\": \"vxa_not_a_real_key\"}\n",
        ),
        (
            "README.md",
            "Set `VEXA_API_KEY=vxa_bot_your_token_here` or `vxa_bot_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX`.\n",
        ),
    ]);
    assert_eq!(
        rows(&report),
        Vec::<(String, String, u64)>::new(),
        "{report:#}"
    );
}

#[test]
fn a_meeting_sdk_secret_is_zooms_when_its_file_names_the_zak_token() {
    let secret = fake(5, 32);
    let env = format!(
        "VITE_APP_CLIENT_ID_SDK=\"{}\"\nVITE_APP_CLIENT_SECRET_SDK=\"{secret}\"\nVITE_APP_ZAKTOKEN=\"\"\n",
        fake(6, 22)
    );
    let report = scan(&[("sample/.env.development", &env)]);
    let found: Vec<_> = rows(&report)
        .into_iter()
        .filter(|(rule, _, _)| rule != "dotenv-committed")
        .collect();
    assert_eq!(
        found,
        vec![row("zoom-app-secret", "sample/.env.development", 2)],
        "{report:#}"
    );
}

#[test]
fn a_client_secret_with_no_provider_word_nearby_stays_silent() {
    // `CLIENT_SECRET` alone names some provider's secret: without Zoom's words it is not ours
    let env = format!(
        "VITE_APP_CLIENT_ID=\"{}\"\nVITE_APP_CLIENT_SECRET=\"{}\"\nKAZAKH_LOCALE=kk\n",
        fake(7, 22),
        fake(8, 32)
    );
    let report = scan(&[("web/settings.conf", &env)]);
    assert_eq!(
        rows(&report),
        Vec::<(String, String, u64)>::new(),
        "{report:#}"
    );
}
