//! The rotation checklist (`--format checklist`, `keyhound checklist REPORT.json`): Markdown
//! a person follows step by step, one section per distinct secret, most urgent first (live,
//! then unknown or unchecked, then dead; then by severity; then keys that reached a remote).
//!
//! Each section says what the key is and everywhere it appears, the verify/revoke state if
//! they ran, the provider's zero-downtime rotation as checkboxes (from `[provider.rotation]`
//! in the rule files), provider specifics, and the exact commands that untrack the file and
//! purge history. It is built from the JSON report, so a saved report and a live scan give
//! the same text; it holds redacted keys and hashes only, and no "now": the same report
//! always gives the same checklist.

use super::{json, RenderOptions, Report};
use crate::escape as esc;
use crate::finding::{short_id, GitignoreDiagnosis, Severity, SourceKind};
use crate::remediate::{Revocation, RevokeStatus, Status, Verification};
use crate::rules::{Provider, Rule};
use serde::Deserialize;
use std::cmp::Reverse;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::{self, Write};

/// Rotation steps when the provider is unknown or declares none.
const GENERIC_STEPS: &[&str] = &[
    "Create a new key in the issuing service's dashboard, with the least privilege that works.",
    "Store it in your secrets manager, not in a file in git.",
    "Deploy so every service reads the new key.",
    "Verify the new key works (for Meetso, MeetStream and Attendee: `keyhound verify --key-env NEW_KEY --provider ID`).",
    "Revoke the old key in the issuing service's dashboard.",
    "Watch logs for 401s from services still holding the old key.",
];

/// Rotation steps for a webhook signing secret.
const WEBHOOK_STEPS: &[&str] = &[
    "Generate a new signing secret (e.g. `openssl rand -hex 32`, or the provider's webhook settings if it issues them).",
    "Store it in your secrets manager.",
    "Deploy the webhook handler so it accepts signatures made with the new secret (accept old and new side by side during the switch if you can).",
    "Set the new secret in the provider's webhook settings.",
    "Trigger a test delivery and check that its signature verifies with the new secret.",
    "Remove the old secret from the handler; watch for signature failures (your handler's 401s).",
];

/// The rules and providers a checklist draws descriptions and procedures from.
#[derive(Clone, Copy, Debug)]
pub struct Catalog<'a> {
    /// Rules, for descriptions.
    pub rules: &'a [Rule],
    /// Providers, for names, dashboards and rotation procedures.
    pub providers: &'a [Provider],
}

impl Catalog<'_> {
    fn provider(&self, id: &str) -> Option<&Provider> {
        self.providers.iter().find(|p| p.id == id)
    }
    fn name<'b>(&'b self, id: &'b str) -> &'b str {
        self.provider(id).map_or(id, |p| p.name.as_str())
    }
}

/// A saved report could not be read as a checklist.
#[derive(Debug, thiserror::Error)]
pub enum ChecklistError {
    /// Not a keyhound JSON report.
    #[error("not a keyhound JSON report: {0}")]
    Parse(String),
    /// A report version this keyhound does not know.
    #[error("report version {0} is not supported (expected 1)")]
    Version(u32),
    /// Writing failed.
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// Renders the checklist of a report in memory (via its JSON form).
pub fn render_report(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut buf = Vec::new();
    json::render(report, RenderOptions::default(), &mut buf)?;
    let doc: Doc = serde_json::from_slice(&buf).map_err(io::Error::other)?;
    let catalog = Catalog {
        rules: &report.rules,
        providers: &report.providers,
    };
    out.write_all(render(&doc, &catalog).as_bytes())
}

/// Renders the checklist of a saved JSON report.
pub fn render_json(
    text: &str,
    catalog: &Catalog<'_>,
    out: &mut dyn Write,
) -> Result<(), ChecklistError> {
    let doc: Doc = serde_json::from_str(text).map_err(|e| ChecklistError::Parse(e.to_string()))?;
    if doc.version != 1 {
        return Err(ChecklistError::Version(doc.version));
    }
    out.write_all(render(&doc, catalog).as_bytes())?;
    Ok(())
}

#[derive(Debug, Deserialize)]
struct Doc {
    version: u32,
    #[serde(default)]
    findings: Vec<DocFinding>,
    #[serde(default)]
    secrets: Vec<DocSecret>,
}

#[derive(Debug, Deserialize)]
struct DocFinding {
    #[serde(default)]
    repository: Option<String>,
    path: String,
    line: u32,
    #[serde(default)]
    secret_sha256: Option<String>,
    source: SourceKind,
    #[serde(default)]
    detail: Option<String>,
    #[serde(default)]
    commit: Option<String>,
    #[serde(default)]
    author: Option<String>,
    #[serde(default)]
    date: Option<String>,
    #[serde(default)]
    gitignore: Option<GitignoreDiagnosis>,
    #[serde(default)]
    later_commits: Vec<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
struct DocSecret {
    secret_sha256: String,
    redacted: String,
    rule: String,
    severity: Severity,
    #[serde(default)]
    provider: Option<String>,
    #[serde(default)]
    in_head: Option<bool>,
    #[serde(default)]
    exposure: Option<Exposure>,
    #[serde(default)]
    verification: Option<Verification>,
    #[serde(default)]
    revocation: Option<Revocation>,
}

#[derive(Debug, Default, Deserialize)]
struct Exposure {
    #[serde(default)]
    reached_remote: Vec<String>,
    #[serde(default)]
    refs: Vec<String>,
    #[serde(default)]
    summary: Option<String>,
    /// `remote-tracking`, `mirror` or `none` (the clone cannot tell).
    #[serde(default)]
    remote_refs: Option<String>,
}

/// One section's facts, gathered.
struct Section<'a> {
    secret: &'a DocSecret,
    places: Vec<&'a DocFinding>,
    /// Provider id the key belongs to, when known (verified live with it, or attributed).
    provider: Option<String>,
    /// Candidate providers when unknown (the rule's hints).
    candidates: Vec<String>,
    webhook: bool,
}

impl Section<'_> {
    fn status(&self) -> Option<Status> {
        self.secret.verification.as_ref().map(|v| v.status)
    }
    fn reached(&self) -> Vec<&str> {
        // in the report's order (the default branch first), each once
        let mut seen = BTreeSet::new();
        self.secret.exposure.as_ref().map_or(Vec::new(), |e| {
            e.reached_remote
                .iter()
                .chain(&e.refs)
                .map(String::as_str)
                .filter(|r| seen.insert(*r))
                .collect()
        })
    }
    /// Whether the history scan could not tell if the key reached a remote (the clone has
    /// no remote-tracking refs).
    fn remote_unknown(&self) -> bool {
        self.secret
            .exposure
            .as_ref()
            .is_some_and(|e| e.remote_refs.as_deref() == Some("none"))
    }
    fn urgency(&self) -> (u8, Reverse<Severity>, bool, &str) {
        let rank = match self.status() {
            Some(Status::Live) => 0,
            Some(Status::Unknown) | None => 1,
            Some(Status::Dead) => 2,
        };
        (
            rank,
            Reverse(self.secret.severity),
            self.reached().is_empty(),
            &self.secret.secret_sha256,
        )
    }
    /// The findings in git history.
    fn history(&self) -> impl Iterator<Item = &DocFinding> + '_ {
        self.places
            .iter()
            .copied()
            .filter(|f| f.source == SourceKind::History)
    }
    /// The OAuth client id when the secret came out of a Basic header.
    fn client_id(&self) -> Option<&str> {
        self.places
            .iter()
            .find_map(|f| f.detail.as_deref()?.strip_prefix("client id "))
    }
    fn status_label(&self) -> &'static str {
        let revoked = self
            .secret
            .revocation
            .as_ref()
            .is_some_and(|r| r.status == RevokeStatus::Revoked);
        match self.status() {
            Some(Status::Dead) if revoked => "revoked",
            Some(s) => s.as_str(),
            None => "not checked",
        }
    }
}

fn sections<'a>(doc: &'a Doc, catalog: &Catalog<'_>) -> Vec<Section<'a>> {
    let mut out: Vec<Section<'a>> = doc
        .secrets
        .iter()
        .map(|s| {
            let places: Vec<&DocFinding> = doc
                .findings
                .iter()
                .filter(|f| f.secret_sha256.as_deref() == Some(s.secret_sha256.as_str()))
                .collect();
            let live_with = s
                .verification
                .as_ref()
                .filter(|v| v.status == Status::Live && catalog.provider(&v.provider).is_some())
                .map(|v| v.provider.clone());
            let provider = live_with.or_else(|| s.provider.clone());
            let candidates = if provider.is_some() {
                Vec::new()
            } else {
                catalog
                    .rules
                    .iter()
                    .find(|r| r.id == s.rule)
                    .map(|r| {
                        r.provider_hints
                            .iter()
                            .map(|h| h.provider.clone())
                            .collect()
                    })
                    .unwrap_or_default()
            };
            let webhook = places.iter().any(|f| {
                f.detail
                    .as_deref()
                    .is_some_and(|d| d.to_ascii_lowercase().contains("webhook"))
            });
            Section {
                secret: s,
                places,
                provider,
                candidates,
                webhook,
            }
        })
        .collect();
    out.sort_by(|a, b| a.urgency().cmp(&b.urgency()));
    out
}

/// The whole checklist as Markdown.
fn render(doc: &Doc, catalog: &Catalog<'_>) -> String {
    let sections = sections(doc, catalog);
    let mut md = String::from("# Rotation checklist\n\n");
    if sections.is_empty() {
        md.push_str("keyhound found no secrets: nothing to rotate.\n");
        return md;
    }
    overview(&mut md, &sections, catalog);
    let history_known = doc.findings.iter().any(|f| f.source == SourceKind::History);
    for (i, s) in sections.iter().enumerate() {
        md.push_str("---\n\n");
        section(&mut md, i + 1, s, doc, catalog, history_known);
    }
    for repo in repositories(doc.findings.iter()) {
        purge_history(&mut md, &sections, repo);
    }
    md
}

/// The repositories of a report over several targets, sorted; `[None]` for a single target.
fn repositories<'a>(places: impl Iterator<Item = &'a DocFinding>) -> BTreeSet<Option<&'a str>> {
    let mut repos: BTreeSet<Option<&str>> = places.map(|f| f.repository.as_deref()).collect();
    if repos.is_empty() {
        repos.insert(None);
    }
    repos
}

fn overview(md: &mut String, sections: &[Section<'_>], catalog: &Catalog<'_>) {
    let places: usize = sections.iter().map(|s| s.places.len()).sum();
    let _ = writeln!(
        md,
        "keyhound found {} distinct secret{} in {places} place{}. Most urgent first: live keys, then unknown or unchecked ones, then dead ones; within those, by severity, and keys that reached a remote before local-only ones. Keys are shown redacted; `printf %s \"$KEY\" | sha256sum` tells you whether a key you hold is the one listed. Tick the boxes as you go.\n",
        sections.len(),
        plural(sections.len()),
        plural(places)
    );
    md.push_str("| # | Key | Provider | Status | Severity | Places | Reached a remote |\n");
    md.push_str("|---|---|---|---|---|---|---|\n");
    for (i, s) in sections.iter().enumerate() {
        let reached = s.reached();
        let _ = writeln!(
            md,
            "| {} | `{}` | {} | {} | {} | {} | {} |",
            i + 1,
            s.secret.redacted,
            provider_cell(s, catalog),
            s.status_label(),
            s.secret.severity,
            s.places.len(),
            if reached.is_empty() && s.remote_unknown() {
                "unknown (no remote-tracking refs)".to_string()
            } else if reached.is_empty() {
                "—".to_string()
            } else {
                super::refs_summary(&reached)
            }
        );
    }
    md.push('\n');
}

fn section(
    md: &mut String,
    n: usize,
    s: &Section<'_>,
    doc: &Doc,
    catalog: &Catalog<'_>,
    history_known: bool,
) {
    let _ = writeln!(
        md,
        "## {n}. {} `{}` — {}, {}\n",
        provider_label(s, catalog),
        s.secret.redacted,
        s.status_label(),
        s.secret.severity
    );
    facts(md, s, catalog);
    rotation(md, s, catalog);
    specifics(md, s, catalog);
    removal(md, s, doc, history_known);
}

fn candidate_names(s: &Section<'_>, catalog: &Catalog<'_>) -> String {
    s.candidates
        .iter()
        .map(|c| catalog.name(c))
        .collect::<Vec<_>>()
        .join(" or ")
}

fn provider_cell(s: &Section<'_>, catalog: &Catalog<'_>) -> String {
    match &s.provider {
        Some(id) => catalog.name(id).to_string(),
        None if s.candidates.is_empty() => "unknown".into(),
        None => format!("unknown ({})", candidate_names(s, catalog)),
    }
}

fn provider_label(s: &Section<'_>, catalog: &Catalog<'_>) -> String {
    let kind = if s.webhook {
        "webhook secret"
    } else if s.client_id().is_some() {
        "client secret"
    } else {
        "key"
    };
    match &s.provider {
        Some(id) => format!("{} {kind}", catalog.name(id)),
        None if s.candidates.is_empty() => format!("{kind} (provider unknown)"),
        None => format!("{kind} (provider unknown: {})", candidate_names(s, catalog)),
    }
}

fn facts(md: &mut String, s: &Section<'_>, catalog: &Catalog<'_>) {
    let description = catalog
        .rules
        .iter()
        .find(|r| r.id == s.secret.rule)
        .map_or("", |r| r.description.as_str());
    let _ = writeln!(
        md,
        "- **What:** {} — rule {}",
        esc::markdown(description),
        esc::code(&s.secret.rule)
    );
    let _ = writeln!(md, "- **SHA-256:** `{}`", s.secret.secret_sha256);
    match &s.secret.verification {
        Some(v) => {
            let at = v
                .endpoint
                .as_deref()
                .map_or(String::new(), |h| format!(" at {}", esc::markdown(h)));
            let _ = writeln!(
                md,
                "- **Verified:** **{}** — {}{at}, {}",
                v.status.as_str(),
                esc::markdown(&v.detail),
                v.checked_at
            );
        }
        None => md.push_str(
            "- **Verified:** not checked — `keyhound scan --verify` asks the provider (one request per key)\n",
        ),
    }
    if let Some(r) = &s.secret.revocation {
        let _ = writeln!(
            md,
            "- **Revocation:** **{}** — {}, {}",
            r.status.as_str().replace('_', " "),
            esc::markdown(&r.detail),
            r.at
        );
    }
    if let Some(summary) = s
        .secret
        .exposure
        .as_ref()
        .and_then(|e| e.summary.as_deref())
    {
        let pushed = if s.reached().is_empty() {
            ""
        } else {
            ". Treat it as public: anyone who cloned or fetched since has it"
        };
        let _ = writeln!(md, "- **Exposure:** {}{pushed}", esc::markdown(summary));
    }
    match s.secret.in_head {
        Some(false) => md.push_str(
            "- **At HEAD:** no — deleted from the default branch but still in history: rotate it anyway\n",
        ),
        Some(true) => md.push_str("- **At HEAD:** yes — still in the default branch\n"),
        None => {}
    }
    let _ = writeln!(md, "- **Where it appears ({}):**", s.places.len());
    for f in &s.places {
        let repo = f
            .repository
            .as_deref()
            .map_or(String::new(), |r| format!("{}: ", esc::code(r)));
        let _ = writeln!(
            md,
            "  - {repo}{} line {} — {}",
            esc::code(&f.path),
            f.line,
            origin(f)
        );
    }
    md.push('\n');
}

fn origin(f: &DocFinding) -> String {
    match (f.source, &f.commit) {
        (_, Some(commit)) => {
            let date = f.date.as_deref().map_or("", |d| d.get(..10).unwrap_or(d));
            let author = esc::markdown(f.author.as_deref().unwrap_or(""));
            let later = match f.later_commits.len() {
                0 => String::new(),
                1 => "; also in 1 later commit".to_string(),
                n => format!("; also in {n} later commits"),
            };
            format!("commit `{}` ({date}, {author}){later}", short_id(commit))
        }
        (SourceKind::Staged, None) => "staged, not yet committed".into(),
        (SourceKind::Stdin, None) => "standard input".into(),
        _ => "working tree".into(),
    }
}

fn rotation(md: &mut String, s: &Section<'_>, catalog: &Catalog<'_>) {
    let provider = s.provider.as_deref().and_then(|id| catalog.provider(id));
    if s.status() == Some(Status::Dead) && s.secret.revocation.is_none() {
        let name = provider.map_or("The provider", |p| p.name.as_str());
        md.push_str("### Already dead\n\n");
        let _ = writeln!(
            md,
            "- [ ] Nothing to revoke: {name} rejected this key as invalid. Check that nothing still depends on it; if something does, give it a new key from your secrets manager (see a live key's steps above)."
        );
        md.push_str("- [ ] Still remove it from the code and history below: scanners and people will keep flagging it.\n\n");
        return;
    }
    let (title, steps): (String, Vec<&str>) = match (s.webhook, provider) {
        (true, _) => ("Rotate the webhook secret".into(), WEBHOOK_STEPS.to_vec()),
        (false, Some(p)) if p.rotation.is_some() => (
            format!("Rotate without downtime ({})", p.name),
            p.rotation
                .iter()
                .flat_map(|r| r.steps.iter().map(String::as_str))
                .collect(),
        ),
        _ => ("Rotate without downtime".into(), GENERIC_STEPS.to_vec()),
    };
    let _ = writeln!(md, "### {title}\n");
    for step in steps {
        let _ = writeln!(md, "- [ ] {step}");
    }
    md.push('\n');
}

fn specifics(md: &mut String, s: &Section<'_>, catalog: &Catalog<'_>) {
    let mut lines: Vec<String> = Vec::new();
    let ids: Vec<&str> = match &s.provider {
        Some(id) => vec![id.as_str()],
        None => s.candidates.iter().map(String::as_str).collect(),
    };
    for p in ids.iter().filter_map(|id| catalog.provider(id)) {
        if let Some(d) = p.dashboard.as_deref().filter(|_| !s.webhook) {
            lines.push(format!("{} credentials are managed at: {d}.", p.name));
        }
        let notes = p.rotation.iter().flat_map(|r| &r.notes);
        // A webhook secret is not an API key: only the provider's webhook notes apply.
        let relevant = notes.filter(|n| !s.webhook || n.to_ascii_lowercase().contains("webhook"));
        if s.provider.is_some() {
            lines.extend(relevant.cloned());
        }
    }
    if s.provider.is_none() && !s.candidates.is_empty() {
        lines.push(
            "The provider is not known for sure: revoke the key wherever it was issued; the rule suggests the providers above."
                .into(),
        );
    }
    if let Some(id) = s.client_id() {
        lines.push(format!(
            "Found inside an `Authorization: Basic` header: the secret of OAuth client {}. Build the header at runtime from the secrets manager.",
            esc::code(id)
        ));
    }
    if lines.is_empty() {
        return;
    }
    let title = s
        .provider
        .as_deref()
        .map_or("Provider notes".to_string(), |id| {
            format!("{} specifics", catalog.name(id))
        });
    let _ = writeln!(md, "### {title}\n");
    for l in lines {
        let _ = writeln!(md, "- {l}");
    }
    md.push('\n');
}

fn removal(md: &mut String, s: &Section<'_>, doc: &Doc, history_known: bool) {
    let repos = repositories(s.places.iter().copied());
    if repos.len() == 1 && repos.contains(&None) {
        md.push_str("### Remove it from the repository\n\n");
        removal_in(md, s, None, doc, history_known);
        return;
    }
    // One clean-up per repository the key was found in; the rotation above is done once.
    let _ = writeln!(md, "### Remove it from the {} repositories\n", repos.len());
    for repo in repos {
        let _ = writeln!(md, "#### `{}`\n", repo.unwrap_or("(no repository)"));
        removal_in(md, s, repo, doc, history_known);
    }
}

/// The clean-up steps for the places of `s` in one repository.
fn removal_in(
    md: &mut String,
    s: &Section<'_>,
    repo: Option<&str>,
    doc: &Doc,
    history_known: bool,
) {
    let places: Vec<&DocFinding> = s
        .places
        .iter()
        .copied()
        .filter(|f| f.repository.as_deref() == repo)
        .collect();
    let paths: BTreeSet<&str> = places.iter().map(|f| f.path.as_str()).collect();
    let at_head = s.secret.in_head != Some(false);
    for path in &paths {
        let diagnosis = doc
            .findings
            .iter()
            .find(|f| {
                f.path == *path && f.secret_sha256.is_none() && f.repository.as_deref() == repo
            })
            .and_then(|f| f.gitignore.as_ref());
        if !at_head {
            continue;
        } else if let Some(d) = diagnosis {
            untrack_diagnosed(md, path, d);
        } else if is_env_file(path) {
            let command = format!(
                "git rm --cached -- {} && echo {} >> .gitignore && git commit -m {}",
                esc::shell(path),
                esc::shell(&format!("/{path}")),
                esc::shell(&format!("Stop tracking {path}"))
            );
            let _ = writeln!(
                md,
                "- [ ] Stop tracking {} and keep it out of git: {}",
                esc::code(path),
                esc::code(&command)
            );
        } else {
            let lines: BTreeSet<u32> = places
                .iter()
                .filter(|f| f.path == *path)
                .map(|f| f.line)
                .collect();
            let lines: Vec<String> = lines.iter().map(u32::to_string).collect();
            let _ = writeln!(
                md,
                "- [ ] In {} (line {}), replace the literal with a read from the environment or your secrets manager, and commit.",
                esc::code(path),
                lines.join(", ")
            );
        }
    }
    let commits: BTreeSet<String> = places
        .iter()
        .filter(|f| f.source == SourceKind::History)
        .filter_map(|f| f.commit.as_deref())
        .map(|c| format!("`{}`", short_id(c)))
        .collect();
    if !commits.is_empty() {
        let _ = writeln!(
            md,
            "- [ ] Purge it from history (introduced in {}): it is part of the one rewrite under **Purge git history** at the end; rotate first.",
            commits.into_iter().collect::<Vec<_>>().join(", ")
        );
    } else if !history_known {
        md.push_str("- [ ] This report holds no git history: if any of these files was ever committed, the key is in history too. Run `keyhound scan` on the repository (history is scanned by default) to find the commits.\n");
    }
    md.push('\n');
}

/// The gitignore doctor's verdict on a committed env file, as steps.
fn untrack_diagnosed(md: &mut String, path: &str, d: &GitignoreDiagnosis) {
    let _ = writeln!(
        md,
        "- [ ] Fix the ignore rule: {} — {}",
        esc::markdown(d.fix.trim_end_matches('.')),
        esc::markdown(&d.problem)
    );
    let commands = if d.commands.is_empty() {
        format!("git rm --cached -- {}", esc::shell(path))
    } else {
        d.commands.join(" && ")
    };
    let _ = writeln!(
        md,
        "- [ ] Stop tracking {}: {}",
        esc::code(path),
        esc::code(&commands)
    );
}

/// One history rewrite for every secret found in history: files that should never have been
/// committed are dropped, keys in files that stay are replaced.
/// In a report over several targets, one rewrite per repository (`repo`).
fn purge_history(md: &mut String, sections: &[Section<'_>], repo: Option<&str>) {
    let mut drop_paths: BTreeSet<&str> = BTreeSet::new();
    let mut replace: Vec<String> = Vec::new();
    for (i, s) in sections.iter().enumerate() {
        let (drop, edit): (BTreeSet<&str>, BTreeSet<&str>) = s
            .history()
            .filter(|f| f.repository.as_deref() == repo)
            .map(|f| f.path.as_str())
            .partition(|p| is_env_file(p));
        drop_paths.extend(drop);
        if edit.is_empty() {
            continue;
        }
        let files = esc::text(&edit.into_iter().collect::<Vec<_>>().join(", ")).into_owned();
        let var = format!("OLD_KEY_{}", i + 1);
        replace.push(match s.client_id() {
            Some(id) => format!(
                "  printf '%s' \"${{CLIENT_ID_{n}}}:${var}\" | base64 | tr -d '\\n'; echo   # {}: the Basic header of client {} in {files}",
                s.secret.redacted,
                esc::text(id),
                n = i + 1
            ),
            None => format!(
                "  printf '%s\\n' \"${var}\"   # {} in {files}",
                s.secret.redacted
            ),
        });
    }
    if drop_paths.is_empty() && replace.is_empty() {
        return;
    }
    match repo {
        Some(repo) => {
            let _ = writeln!(md, "---\n\n## Purge git history of `{repo}`\n");
        }
        None => md.push_str("---\n\n## Purge git history\n\n"),
    }
    md.push_str("Do this once, after the live keys above are rotated: a rewrite does not un-leak a key that was pushed, it stops new clones from getting it. It changes every commit id from the first leak on, so tell everyone with a clone first.\n\n");
    md.push_str("- [ ] Make a fresh mirror clone: `git clone --mirror <remote-url> purge.git && cd purge.git`\n");
    let mut args: Vec<String> = Vec::new();
    if !drop_paths.is_empty() {
        args.push("--invert-paths".into());
        args.extend(
            drop_paths
                .iter()
                .map(|p| format!("--path {}", esc::shell(p))),
        );
    }
    if !replace.is_empty() {
        md.push_str("- [ ] Write the old keys that sit in files you keep to a file outside the repository. Set each `OLD_KEY_<n>` (n = the section number above; for a Basic header also its `CLIENT_ID_<n>`) from where you keep the key, never from a file in git:\n\n  ```sh\n  {\n");
        for line in &replace {
            let _ = writeln!(md, "  {line}");
        }
        md.push_str("  } > ../keyhound-replace.txt\n  ```\n\n");
        args.push("--replace-text ../keyhound-replace.txt".into());
    }
    let _ = writeln!(
        md,
        "- [ ] Rewrite, in one run: {}",
        esc::code(&format!("git filter-repo {}", args.join(" ")))
    );
    if !replace.is_empty() {
        md.push_str("- [ ] Delete the key file: `rm ../keyhound-replace.txt`\n");
    }
    md.push_str("- [ ] Push the rewrite (filter-repo removes `origin` to prevent accidents): `git remote add origin <remote-url> && git push --force --all origin && git push --force --tags origin`\n");
    md.push_str("- [ ] Have everyone re-clone (or reset each branch to the rewritten remote): old clones, forks and CI caches still hold the keys, and one push from them brings the keys back. On GitHub, cached views and pull-request refs keep old commits until GitHub Support removes them — which is why rotation, not the rewrite, is the fix.\n");
    md.push_str("- [ ] Check: `keyhound scan --verify` on a fresh clone finds no live key and nothing in history.\n");
}

/// Files that hold configuration rather than code: dropped whole from history.
fn is_env_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.starts_with(".env") || name.ends_with(".env")
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RuleSet;

    fn secret(sha: &str, severity: &str, extra: &str) -> (String, String) {
        let json = format!(
            r#"{{"secret_sha256":"{sha}","redacted":"k_{sha}","rule":"meetso-live-key","severity":"{severity}","provider":"meetso","locations":1{extra}}}"#
        );
        (sha.to_string(), json)
    }

    fn finding(sha: &str) -> String {
        format!(
            r#"{{"rule":"meetso-live-key","severity":"high","path":"{sha}.py","line":1,"column":1,"secret_sha256":"{sha}","source":"worktree"}}"#
        )
    }

    fn verification(status: &str) -> String {
        format!(
            r#","verification":{{"status":"{status}","http_status":401,"detail":"d","checked_at":"2025-03-04T09:00:00+00:00","provider":"meetso"}}"#
        )
    }

    fn checklist(secrets: &[(String, String)]) -> String {
        let findings: Vec<String> = secrets.iter().map(|(sha, _)| finding(sha)).collect();
        let secrets: Vec<&str> = secrets.iter().map(|(_, json)| json.as_str()).collect();
        let doc = format!(
            r#"{{"version":1,"findings":[{}],"secrets":[{}]}}"#,
            findings.join(","),
            secrets.join(",")
        );
        let set = RuleSet::builtin().unwrap();
        let catalog = Catalog {
            rules: &set.rules,
            providers: &set.providers,
        };
        let mut out = Vec::new();
        render_json(&doc, &catalog, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn order(md: &str) -> Vec<&str> {
        md.lines()
            .filter(|l| l.starts_with("## ") && l.contains('`'))
            .filter_map(|l| l.split('`').nth(1))
            .collect()
    }

    #[test]
    fn most_urgent_first_live_unknown_dead_then_severity_then_remote() {
        let remote = r#","exposure":{"reached_remote":["origin/main"],"summary":"s"}"#;
        let md = checklist(&[
            secret("d1", "critical", &verification("dead")),
            secret("u1", "high", ""),
            secret("u2", "critical", &verification("unknown")),
            secret("l1", "high", &verification("live")),
            secret("l2", "high", &format!("{}{remote}", verification("live"))),
            secret("l3", "critical", &verification("live")),
        ]);
        assert_eq!(
            order(&md),
            vec!["k_l3", "k_l2", "k_l1", "k_u2", "k_u1", "k_d1"]
        );
        assert!(md.contains("## 6. Meetso key `k_d1` — dead, critical\n"));
        assert!(md.contains("### Already dead\n"));
        assert!(md.contains("## 5. Meetso key `k_u1` — not checked, high\n"));
    }

    #[test]
    fn revocation_state_is_shown_and_a_revoked_key_keeps_its_rotation_steps() {
        let revoked = format!(
            r#"{},"revocation":{{"status":"revoked","http_status":200,"detail":"revoked (HTTP 200); re-verified: now dead","at":"2025-03-04T09:00:01+00:00","provider":"meetso","confirmed_dead":true}}"#,
            verification("dead")
        );
        let md = checklist(&[secret("r1", "critical", &revoked)]);
        assert!(
            md.contains("| 1 | `k_r1` | Meetso | revoked | critical | 1 | — |\n"),
            "{md}"
        );
        assert!(md.contains(
            "- **Revocation:** **revoked** — revoked (HTTP 200); re-verified: now dead, 2025-03-04T09:00:01+00:00\n"
        ));
        assert!(md.contains("### Rotate without downtime (Meetso)\n"));
        assert!(!md.contains("### Already dead"));
    }
}
