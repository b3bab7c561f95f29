//! The binary side of verify, revoke and the checklist: reading keys from the environment or
//! stdin (never argv), the terminal confirmation, endpoint notices, exit codes. The logic is
//! in `keyhound::remediate` and `keyhound::report::checklist`.

use super::{load_rules, write_report, EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};
use crate::cli::{ChecklistArgs, GuardArgs, KeyArgs, NetArgs, RevokeArgs, ScanArgs, VerifyArgs};
use anyhow::{bail, Context, Result};
use keyhound::config::Config;
use keyhound::detect::Detector;
use keyhound::finding::Secret;
use keyhound::remediate::audit::AuditLog;
use keyhound::remediate::revoke::{self, Confirmation, Guard, Prompt, Replacement, Target};
use keyhound::remediate::scan::{ScanOptions, ScanOutcome};
use keyhound::remediate::{verify, Session, SessionOptions, Status};
use keyhound::report::checklist::{self, Catalog};
use keyhound::report::Report;
use keyhound::rules::{Provider, RuleSet};
use std::io::{BufRead, IsTerminal, Read};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Longest key read from stdin.
const MAX_KEY: u64 = 8 * 1024;

/// `scan --verify / --revoke`: verifies (and revokes) the report's secrets in place.
pub fn after_scan(
    report: &mut Report,
    set: &RuleSet,
    config: Option<&Config>,
    args: &ScanArgs,
) -> Result<ScanOutcome> {
    let r = &args.remediate;
    if !r.verify && !r.revoke {
        if !r.guard.replacement_env.is_empty() || r.guard.emergency {
            bail!("--replacement-env and --emergency only apply with --revoke");
        }
        return Ok(ScanOutcome::default());
    }
    if args.staged {
        bail!("--verify and --revoke are not available with --staged (a pre-commit hook sends nothing over the network)");
    }
    if args.config.is_none() {
        refuse_tree_network_config(config)?;
    }
    let mut session = session(&set.providers, config, &r.net)?;
    let opts = ScanOptions {
        verify: true,
        revoke: r.revoke,
        guard: guard(&r.guard)?,
    };
    let mut prompt = TerminalPrompt {
        yes: r.guard.yes,
        quiet: args.quiet,
        to_stdout: false,
    };
    let outcome =
        keyhound::remediate::scan::apply(report, &set.rules, &mut session, &opts, &mut prompt)?;
    if let Some(path) = session.audit_path().filter(|_| !args.quiet) {
        eprintln!("keyhound: audit trail appended to {}", path.display());
    }
    if outcome.revoke_problems > 0 {
        eprintln!(
            "keyhound: error: {} revocation{} refused or failed (see above); exit code 2",
            outcome.revoke_problems,
            if outcome.revoke_problems == 1 {
                ""
            } else {
                "s"
            }
        );
    }
    Ok(outcome)
}

/// The exit code of a scan given its remediation outcome.
pub fn scan_exit(outcome: &ScanOutcome, findings: bool, exit_zero: bool) -> u8 {
    if outcome.revoke_problems > 0 {
        EXIT_ERROR
    } else if !findings || exit_zero {
        EXIT_CLEAN
    } else {
        EXIT_FINDINGS
    }
}

/// `keyhound verify`: 0 live, 1 dead, 2 unknown.
pub fn run_verify(args: &VerifyArgs) -> Result<ExitCode> {
    let (set, config) = rules_and_config(&args.key)?;
    let key = read_key(args.key.key_env.as_deref())?;
    let provider = provider_of(&set, &key, args.key.provider.as_deref())?;
    let mut session = session(&set.providers, config.as_ref(), &args.net)?;
    let v = verify::verify(&mut session, &provider, "manual", &key)?;
    println!(
        "{}: {} key {} (sha256 {}): {}",
        v.status.as_str(),
        provider_name(&set, &provider),
        key.redacted(),
        key.sha256(),
        v.detail
    );
    Ok(ExitCode::from(match v.status {
        Status::Live => EXIT_CLEAN,
        Status::Dead => EXIT_FINDINGS,
        Status::Unknown => EXIT_ERROR,
    }))
}

/// `keyhound revoke`: 0 revoked (or already dead) and re-verified dead, 2 otherwise.
pub fn run_revoke(args: &RevokeArgs) -> Result<ExitCode> {
    let (set, config) = rules_and_config(&args.key)?;
    let key = read_key(args.key.key_env.as_deref())?;
    let provider = provider_of(&set, &key, args.key.provider.as_deref())?;
    let mut session = session(&set.providers, config.as_ref(), &args.net)?;
    let label = args
        .key
        .key_env
        .as_deref()
        .map_or("the key from stdin".to_string(), |v| format!("${v}"));
    let target = Target {
        secret: key,
        provider,
        rule: "manual".into(),
        label,
    };
    let mut prompt = TerminalPrompt {
        yes: args.guard.yes,
        quiet: false,
        to_stdout: true,
    };
    let results = revoke::run(&mut session, &[target], &guard(&args.guard)?, &mut prompt)?;
    let ok = results
        .iter()
        .all(|r| r.status.is_done() && r.confirmed_dead == Some(true));
    Ok(ExitCode::from(if ok { EXIT_CLEAN } else { EXIT_ERROR }))
}

/// `keyhound checklist REPORT.json`.
pub fn run_checklist(args: &ChecklistArgs) -> Result<ExitCode> {
    let config = args.config.as_deref().map(Config::load).transpose()?;
    let set = load_rules(&args.rules, config.as_ref())?;
    let text = std::fs::read_to_string(&args.report)
        .with_context(|| format!("cannot read {}", args.report.display()))?;
    let catalog = Catalog {
        rules: &set.rules,
        providers: &set.providers,
    };
    let mut md = Vec::new();
    checklist::render_json(&text, &catalog, &mut md)
        .with_context(|| args.report.display().to_string())?;
    write_report(args.output.as_deref(), |out| out.write_all(&md))?;
    Ok(ExitCode::from(EXIT_CLEAN))
}

/// Talks to the user on stderr (results on stdout for `keyhound revoke`); confirmation is
/// read from stdin only when stdin and stderr are a terminal.
struct TerminalPrompt {
    yes: bool,
    quiet: bool,
    to_stdout: bool,
}

impl Prompt for TerminalPrompt {
    fn say(&mut self, line: &str) {
        if self.to_stdout {
            println!("{line}");
        } else if !self.quiet {
            eprintln!("keyhound: {}", keyhound::escape::text(line));
        }
    }

    /// The listing goes to stderr; the user must type `revoke N`, N being the number of
    /// keys listed, so a confirmation cannot be given without seeing how many there are.
    fn confirm(&mut self, listing: &str, keys: usize) -> Confirmation {
        eprint!("{listing}");
        if self.yes {
            eprintln!("--yes given: going ahead.");
            return Confirmation::Flag;
        }
        if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
            return Confirmation::NoTerminal;
        }
        let expected = format!("revoke {keys}");
        eprint!("Type `{expected}` to revoke these {keys} key(s), anything else to stop: ");
        let mut answer = String::new();
        match std::io::stdin().lock().read_line(&mut answer) {
            Ok(_) if answer.trim() == expected => Confirmation::Typed,
            _ => Confirmation::Declined,
        }
    }
}

fn rules_and_config(key: &KeyArgs) -> Result<(RuleSet, Option<Config>)> {
    if key.argv_key.is_some() {
        bail!("keys are never taken as command-line arguments (shell history, process lists): use --key-env VAR or pipe the key on stdin");
    }
    let config = key.config.as_deref().map(Config::load).transpose()?;
    let set = load_rules(&key.rules, config.as_ref())?;
    Ok((set, config))
}

/// A `.keyhound.toml` found in the scanned tree may not decide where keys go: only built-in
/// rules, `--rules`, `--config` and `--endpoint` may.
fn refuse_tree_network_config(config: Option<&Config>) -> Result<()> {
    let Some(config) = config else {
        return Ok(());
    };
    let entries = config.network_entries();
    if entries.is_empty() {
        return Ok(());
    }
    let file = config
        .path
        .as_ref()
        .map_or_else(|| ".keyhound.toml".to_string(), |p| p.display().to_string());
    bail!(
        "{file} is the scanned repository's config and may not decide where keys are sent, but it has {}; nothing was sent. Use --endpoint PROVIDER=URL, or pass a config you trust with --config",
        entries.join(", ")
    )
}

/// `--audit-log`, else the user's state directory (never the scanned tree).
fn audit_path(net: &NetArgs) -> Result<PathBuf> {
    match net.audit_log.clone().or_else(AuditLog::default_path) {
        Some(path) => Ok(path),
        None => bail!("no place for the audit log: set XDG_STATE_HOME or HOME to an absolute path, or pass --audit-log FILE"),
    }
}

/// The session: config `[endpoints]` overridden by `--endpoint`; the audit log from
/// [`audit_path`]. Overridden endpoints are announced before anything is sent.
fn session(providers: &[Provider], config: Option<&Config>, net: &NetArgs) -> Result<Session> {
    let mut endpoints = config.map(|c| c.endpoints.clone()).unwrap_or_default();
    endpoints.extend(net.endpoints.iter().cloned());
    let opts = SessionOptions {
        endpoints,
        timeout: Duration::from_secs(net.timeout),
        audit_log: Some(audit_path(net)?),
    };
    let session = Session::new(providers, &opts)?;
    for (id, url) in session.overridden() {
        eprintln!("keyhound: note: {id} requests go to {url} (endpoint override)");
    }
    Ok(session)
}

fn guard(args: &GuardArgs) -> Result<Guard> {
    let replacements = args
        .replacement_env
        .iter()
        .map(|var| {
            Ok(Replacement {
                var: var.clone(),
                secret: env_key(var)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Guard {
        replacements,
        emergency: args.emergency,
    })
}

/// The key from `var`, or from stdin when no variable is named. Never from argv.
fn read_key(var: Option<&str>) -> Result<Secret> {
    if let Some(var) = var {
        return env_key(var);
    }
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        bail!("no key given: use --key-env VAR or pipe the key on stdin (e.g. `printenv VAR | keyhound verify`); keys are never taken as arguments");
    }
    let mut text = String::new();
    stdin
        .lock()
        .take(MAX_KEY)
        .read_to_string(&mut text)
        .context("cannot read the key from stdin")?;
    let key = text.trim();
    if key.is_empty() {
        bail!("no key on stdin");
    }
    Ok(Secret::new(key.to_string()))
}

fn env_key(var: &str) -> Result<Secret> {
    let value = std::env::var(var)
        .map_err(|_| anyhow::anyhow!("environment variable {var} is not set (or not UTF-8)"))?;
    let key = value.trim();
    if key.is_empty() {
        bail!("environment variable {var} is empty");
    }
    Ok(Secret::new(key.to_string()))
}

/// `--provider`, else the provider of the rule that recognises the whole key.
fn provider_of(set: &RuleSet, key: &Secret, explicit: Option<&str>) -> Result<String> {
    if let Some(id) = explicit {
        return Ok(id.to_string());
    }
    let detector = Detector::new(set)?;
    let found = detector
        .scan(key.expose().as_bytes())
        .into_iter()
        .filter(|m| m.secret == key.expose())
        .find_map(|m| m.provider)
        .filter(|id| set.provider(id).is_some_and(|p| p.verify.is_some()));
    match found {
        Some(id) => Ok(id),
        None => bail!(
            "cannot tell which provider {} belongs to from its format: pass --provider (meetso, attendee, meetstream)",
            key.redacted()
        ),
    }
}

fn provider_name<'a>(set: &'a RuleSet, id: &'a str) -> &'a str {
    set.provider(id).map_or(id, |p| p.name.as_str())
}
