//! What an env file holds: whether a file named like one reads like one (`NAME=value` lines),
//! and, when no rule found a key in it, which of its variables still looks like a credential
//! (a password, a token, credentials in a URL, a random-looking value). That decides how loud
//! a committed env file is: one that sets only flags and ports is worth fixing, not an alarm.

use crate::detect::placeholder;

/// Name parts that make a variable a credential wherever they appear (`ZAKTOKEN`, `DBPASSWORD`).
const CREDENTIAL_INFIXES: &[&str] = &[
    "SECRET",
    "PASSWORD",
    "PASSWD",
    "TOKEN",
    "CREDENTIAL",
    "PRIVATE",
    "APIKEY",
    "ACCESSKEY",
];

/// Name words (between `_`, `.`, `-`) that make a variable a credential (`API_KEY`, `DB_PASS`).
const CREDENTIAL_WORDS: &[&str] = &["KEY", "PWD", "PASS", "AUTH", "DSN", "SALT", "COOKIE"];

/// Name words of variables that name a credential without holding one.
const NOT_CREDENTIAL_WORDS: &[&str] = &[
    "PUBLIC",
    "PUBLISHABLE",
    "ID",
    "PATH",
    "FILE",
    "DIR",
    "HEADER",
    "NAME",
    "TTL",
    "EXPIRY",
    "EXPIRES",
    "LENGTH",
    "ENABLED",
];

/// A random-looking value at least this long is a credential whatever its name.
const RANDOM_MIN_LEN: usize = 20;
/// The shortest run between separators that can make a value random-looking.
const RANDOM_MIN_RUN: usize = 16;
/// Bits per character above which a long value is random-looking.
const RANDOM_MIN_ENTROPY: f64 = 3.5;

/// What one pass over an env file's lines found.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct EnvContents {
    /// It reads like an env file: at least one `NAME=value` line (optionally `export`ed),
    /// and such lines make up at least half of the lines that are not blank or comments. A
    /// Makefile fragment (`maketpf.env_curl`: `VAR := …`), a shell script or an empty file
    /// named like an env file holds no environment and is not reported (unless a rule finds
    /// a key in it).
    pub reads_like_env: bool,
    /// The first variable that looks like it holds a credential: a credential-like name
    /// (`DB_PASSWORD`, `VITE_APP_ZAKTOKEN`) with a real value (not empty, a placeholder, a
    /// reference, a number or a boolean), credentials in a URL (`postgres://user:pass@host`),
    /// a PEM block or a long random-looking value.
    pub credential: Option<String>,
}

/// Reads the `NAME=value` lines of `contents` once (a value whose quote spans lines counts
/// once; its continuation lines are skipped).
pub fn inspect(contents: &[u8]) -> EnvContents {
    // a PowerShell-written (UTF-16) env file is an env file too
    let decoded = crate::source::decode::text(contents);
    let text = String::from_utf8_lossy(&decoded);
    let (mut meaningful, mut assignments) = (0usize, 0usize);
    let mut credential = None;
    // The quote of a value that spans lines (`KEY="-----BEGIN …`), until it closes.
    let mut open: Option<char> = None;
    for line in text.lines().map(str::trim) {
        if let Some(quote) = open {
            if line.contains(quote) {
                open = None;
            }
            continue;
        }
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        meaningful += 1;
        if let Some((name, value)) = assignment(line) {
            assignments += 1;
            open = unclosed_quote(value);
            if credential.is_none() && is_credential(name, value) {
                credential = Some(name.to_string());
            }
        }
    }
    EnvContents {
        reads_like_env: assignments > 0 && assignments * 2 >= meaningful,
        credential,
    }
}

/// The quote character a value opens and does not close on its line.
fn unclosed_quote(value: &str) -> Option<char> {
    let quote = value.chars().next().filter(|c| matches!(c, '"' | '\''))?;
    (value.matches(quote).count() % 2 == 1).then_some(quote)
}

/// `(name, value)` of `NAME=value` or `export NAME=value`: a name of letters, digits, `_`,
/// `.` or `-` (not starting with a digit), optional spaces, then a plain `=` (not `:=`, `+=`,
/// `?=`, `==`).
fn assignment(line: &str) -> Option<(&str, &str)> {
    let line = line.strip_prefix("export ").map_or(line, str::trim_start);
    let name_len = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')))
        .unwrap_or(line.len());
    let (name, rest) = line.split_at(name_len);
    let starts_well = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    let value = rest.trim_start().strip_prefix('=')?;
    (starts_well && !value.starts_with('=')).then(|| (name, value.trim_start()))
}

/// Whether one assignment looks like it holds a credential.
fn is_credential(name: &str, value: &str) -> bool {
    let value = unquote(value);
    if value.starts_with("-----BEGIN") {
        return true;
    }
    if !is_real_value(value) {
        return false;
    }
    has_url_credentials(value) || is_random(value) || credential_name(name)
}

/// `value` without its surrounding quotes, or up to an inline ` #` comment when unquoted.
fn unquote(value: &str) -> &str {
    for quote in ['"', '\''] {
        if let Some(inner) = value.strip_prefix(quote) {
            return inner.split(quote).next().unwrap_or(inner);
        }
    }
    value.split(" #").next().unwrap_or(value).trim_end()
}

/// A value that could hold something: not empty, no placeholder or reference, not a number
/// or a boolean.
fn is_real_value(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    !(value.len() < 4
        || value.starts_with('$')
        || value.chars().all(|c| c.is_ascii_digit() || c == '.')
        || matches!(
            lower.as_str(),
            "true" | "false" | "yes" | "no" | "null" | "none"
        )
        || placeholder::is_template(value))
}

/// `scheme://user:password@host`.
fn has_url_credentials(value: &str) -> bool {
    let Some((_, rest)) = value.split_once("://") else {
        return false;
    };
    let authority = rest.split('/').next().unwrap_or(rest);
    authority
        .rsplit_once('@')
        .is_some_and(|(userinfo, _)| userinfo.split_once(':').is_some_and(|(_, p)| !p.is_empty()))
}

/// A long value shaped like a generated key: key characters only (no spaces, `@`, `:`), and
/// either hex of key length or a run of 16+ characters between separators that mixes upper
/// case, lower case and digits with a key's entropy. Emails, image tags, dated slugs
/// (`compose-bvf-rzuj-20260523T155551Z`) and prose are not.
fn is_random(value: &str) -> bool {
    let b = value.as_bytes();
    let key_chars = b
        .iter()
        .all(|c| c.is_ascii_alphanumeric() || b"+/=_-.".contains(c));
    let hex = b.len() >= 32 && b.iter().all(u8::is_ascii_hexdigit);
    let mixed_run = value.split(['-', '_', '.']).any(|run| {
        let r = run.as_bytes();
        r.len() >= RANDOM_MIN_RUN
            && r.iter().any(u8::is_ascii_uppercase)
            && r.iter().any(u8::is_ascii_lowercase)
            && r.iter().any(u8::is_ascii_digit)
            && placeholder::entropy(r) >= RANDOM_MIN_ENTROPY
    });
    b.len() >= RANDOM_MIN_LEN
        && key_chars
        && (hex || mixed_run)
        && !placeholder::looks_like_identifier(value)
}

/// A variable name that says it holds a credential.
fn credential_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    let words: Vec<&str> = upper.split(['_', '.', '-']).collect();
    if words.iter().any(|w| NOT_CREDENTIAL_WORDS.contains(w)) {
        return false;
    }
    CREDENTIAL_INFIXES.iter().any(|i| upper.contains(i))
        || words.iter().any(|w| CREDENTIAL_WORDS.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_contents_versus_lookalikes() {
        for text in [
            "DATABASE_URL=postgres://u:p@db/app\nPORT=3000\n",
            "# comment\nexport API_KEY=abc\n",
            "KEY = value\nother.name=1\n",
            "PEM=\"-----BEGIN KEY-----\nabc\n-----END KEY-----\"\n",
        ] {
            assert!(inspect(text.as_bytes()).reads_like_env, "{text:?}");
        }
        for text in [
            "",
            "# only comments\n",
            "ROOTLIBDIRS := $(foreach d,$(TPF_ROOT),$d/lib)\nCFLAGS_$(APP) += -D TPF\n",
            "use flake\nlayout python3\n",
            "if [ \"$a\" == \"b\" ]; then\n  echo hi\nfi\nX=1\n",
            "1X=2\n",
        ] {
            assert!(!inspect(text.as_bytes()).reads_like_env, "{text:?}");
        }
    }

    #[test]
    fn credentials_by_name_url_or_randomness() {
        for (text, name) in [
            ("PORT=3000\nPOSTGRES_PASSWORD=cuecard-db\n", "POSTGRES_PASSWORD"),
            ("POSTGRES_PASSWORD=cuecard-bots-secret\n", "POSTGRES_PASSWORD"),
            (
                "VITE_APP_ZAKTOKEN=\"eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJhcHAiOiJxN2YifQ.Hd7Fs3Gj9Kl2\"\n",
                "VITE_APP_ZAKTOKEN",
            ),
            ("export DB_PASS='hunter22'\n", "DB_PASS"),
            ("DATABASE_URL=postgres://app:s3cret@db:5432/app\n", "DATABASE_URL"),
            ("CALLBACK_SIGNING=Hd7Fs3Gj9Kl2Qw5Er8Ty1Ui4\n", "CALLBACK_SIGNING"),
            ("SIGNING=7c9e2b41d8a65f3e0b1c4d7a9e2f5b8c\n", "SIGNING"),
            ("X=1\nSENDGRID_KEY=Qx7Lm2Vp\n", "SENDGRID_KEY"),
            ("PEM=\"-----BEGIN\nHd7Fs3Gj9Kl2Qw5Er8Ty1Ui4Op6As0Dz\n-----END\"\n", "PEM"),
        ] {
            assert_eq!(inspect(text.as_bytes()).credential.as_deref(), Some(name), "{text:?}");
        }
        for text in [
            "SKIP_PREFLIGHT_CHECK=true\n",
            "PORT=7421\nHOST=0.0.0.0\nNODE_ENV=production\n",
            "export AWS_PROFILE=dev\n",
            "DATABASE_URL=postgres://localhost:5432/app\n",
            "API_KEY=\nSECRET_TOKEN=${SECRET_TOKEN}\nDB_PASSWORD=changeme\n",
            "DB_PASSWORD=your_password\nAPI_SECRET=secret\nAUTH_TOKEN=<token>\n",
            "TOKEN_TTL=3600\nAUTH_ENABLED=false\nSECRET_FILE=/run/secrets/app\n",
            "STRIPE_PUBLISHABLE_KEY_NAME=checkout\nZOOM_CLIENT_ID=abcd1234\n",
            // test-run records, an email, an image tag: long, but not keys
            "run_id=meeting-test-20260524-100350\nnotes=all generic checkpoint answers yes, 8/16 turns\n",
            "MAIL_USER=nguyennguyen1112000@gmail.com\nBOT_IMAGE_NAME=vexaai/vexa-bot:260405-1937\n",
            "run_id=compose-bvf-rzuj-kwj-20260523T155551Z\n",
            // documentation stand-ins (livekit/agents' committed .env and .env.azure)
            "OPENAI_API_KEY=sk-your_openai_key_here\nDEEPGRAM_API_KEY=your_deepgram_key_here\n",
            "AZURE_SPEECH_KEY=your_azure_speech_key_here\nAZURE_SPEECH_REGION=your_region\n",
            "AZURE_VOICELIVE_API_KEY = \"speech key\"\n",
        ] {
            assert_eq!(inspect(text.as_bytes()).credential, None, "{text:?}");
        }
    }
}
