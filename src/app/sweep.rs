//! The binary side of sweeps: `keyhound scan` over several targets (paths, `--repos-file`,
//! git URLs), `--shard`, `--resume`, the record stream of `--format jsonl`, and
//! `keyhound merge`. Each target is scanned by the one-target scan (`keyhound::scan::run`);
//! the logic of targets, shards, clones, streams and merging is in `keyhound::sweep`.

use super::{
    add_settings_findings, color_enabled, load_rules, repo_settings, scan_mode, scan_plan,
    write_report, EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS,
};
use crate::cli::{MergeArgs, ScanArgs};
use anyhow::{bail, Context, Result};
use keyhound::detect::Detector;
use keyhound::escape;
use keyhound::report::{Format, RenderOptions, Report};
use keyhound::rules::RuleSet;
use keyhound::scan;
use keyhound::sweep::clone::{self, CloneOptions};
use keyhound::sweep::merge;
use keyhound::sweep::progress::SweepProgress;
use keyhound::sweep::shard::Shard;
use keyhound::sweep::stream::{self, Header, Record, Status, Stream};
use keyhound::sweep::target::{self, Location, Target};
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Whether the command line asks for a sweep rather than a one-target scan.
pub fn is_sweep(args: &ScanArgs) -> bool {
    let s = &args.sweep;
    !args.more_paths.is_empty()
        || s.repos_file.is_some()
        || s.shard.is_some()
        || s.resume.is_some()
        || target::is_url(&args.path.to_string_lossy())
}

/// `keyhound scan` over several targets.
pub fn run(args: &ScanArgs) -> Result<ExitCode> {
    refuse_single_target_flags(args)?;
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let (all, repeated) = target::dedup(targets(args, &cwd)?);
    if !args.quiet && !repeated.is_empty() {
        eprintln!(
            "keyhound: note: {} target{} listed more than once, scanned once: {}",
            repeated.len(),
            if repeated.len() == 1 { "" } else { "s" },
            escape::text(&repeated.join(", "))
        );
    }
    let shard = match &args.sweep.shard {
        Some(spec) => Some(Shard::parse(spec, |k| std::env::var(k).ok())?),
        None => None,
    };
    let mine: Vec<Target> = all
        .iter()
        .filter(|t| shard.is_none_or(|s| s.contains(&t.id)))
        .cloned()
        .collect();
    let base = base_rules(args)?;
    let mut header = Header::new(&base.rules);
    header.shard = shard.map(|s| s.to_string());
    header.targets = Some(list_fingerprint(&all));
    let resumed = match &args.sweep.resume {
        Some(path) => read_resume(path, &header)?,
        None => Stream::default(),
    };
    let (done, kept) = resumed.completed();
    let mut sink = Sink::open(args, &header, &kept)?;
    let opts = RenderOptions {
        show_secrets: args.show_secrets,
        color: false,
    };
    let mut tally = Tally::default();
    tally.count(&kept);
    let mut progress = SweepProgress::new(mine.len(), args.quiet, args.sweep.progress);
    progress.skip(tally.scanned, tally.bytes, tally.findings);
    let detector = Detector::new(&base)?;
    for t in mine.iter().filter(|t| !done.contains(&t.id)) {
        progress.start(t.name());
        let record = scan_target(t, args, &base, &detector, &mut sink, opts)?;
        progress.finish(record.bytes, record.findings);
        stream::write_target(sink.out(), &record)?;
        tally.add(&record);
    }
    drop(progress);
    let had_findings = sink.finish(args, &base)?;
    if !args.quiet {
        tally.explain(mine.len(), all.len(), shard);
    }
    Ok(ExitCode::from(exit_code(&tally, had_findings, args)))
}

/// `--format jsonl` of a one-target scan: the same record stream as a sweep of one target.
pub fn write_single(
    args: &ScanArgs,
    report: &Report,
    duration: Duration,
    out: &mut dyn Write,
) -> Result<()> {
    let header = Header::new(&base_rules(args)?.rules);
    let id = match args.path.as_os_str() == super::stdin::TARGET {
        true => keyhound::source::stdin::PATH.to_string(),
        false => target::path_id(&args.path),
    };
    let opts = RenderOptions {
        show_secrets: args.show_secrets,
        color: false,
    };
    stream::write_header(out, &header)?;
    stream::write_report(out, &id, report, opts)?;
    let ms = u64::try_from(duration.as_millis()).unwrap_or(u64::MAX);
    stream::write_target(out, &stream::scanned(&id, report, ms))?;
    Ok(())
}

/// `keyhound merge OUT…`.
pub fn run_merge(args: &MergeArgs) -> Result<ExitCode> {
    let mut inputs = Vec::new();
    for path in &args.inputs {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let name = path.display().to_string();
        inputs.push((name.clone(), stream::read(&text, &name)?));
    }
    let merged = merge::merge(&inputs)?;
    let set = explicit_rules(&args.rules, args.config.as_deref())?;
    let mut warnings = merged.warnings.clone();
    if stream::rules_fingerprint(&set.rules) != merged.header.rules {
        warnings.push("the shards ran other rules than this merge loads (pass the shards' --rules and --config): rule descriptions may be missing".into());
    }
    let report = merged.report(&set.rules, &set.providers);
    if !args.quiet {
        for w in warnings.iter().chain(&report.warnings) {
            eprintln!("keyhound: warning: {}", escape::text(w));
        }
    }
    let opts = RenderOptions {
        show_secrets: args.show_secrets,
        color: color_enabled(args.color, args.format, args.output.is_some()),
    };
    write_report(args.output.as_deref(), |out| match args.format {
        Format::Jsonl => stream::write_records(out, &merged.records()),
        format => report.render(format, opts, out),
    })?;
    let sweep = report.sweep.clone().unwrap_or_default();
    let partial = args.require_complete && !merged.warnings.is_empty();
    let code = if partial || (sweep.scanned == 0 && !sweep.failed.is_empty()) {
        EXIT_ERROR
    } else if report.findings.is_empty() || args.exit_zero {
        EXIT_CLEAN
    } else {
        EXIT_FINDINGS
    };
    Ok(ExitCode::from(code))
}

fn refuse_single_target_flags(args: &ScanArgs) -> Result<()> {
    let flags = [
        (args.staged, "--staged"),
        (args.since.is_some(), "--since"),
        (args.range.is_some(), "--range"),
        (args.pre_receive, "--pre-receive"),
        (args.remediate.verify, "--verify"),
        (args.remediate.revoke, "--revoke"),
        (args.baseline.is_some(), "--baseline"),
        (args.baseline_out.is_some(), "--baseline-out"),
    ];
    if let Some((_, flag)) = flags.iter().find(|(on, _)| *on) {
        bail!("{flag} works on one repository; a sweep over several targets (more paths, --repos-file, --shard, --resume or a URL) does not take it");
    }
    Ok(())
}

/// The targets of the command line: the paths, then `--repos-file`'s lines. With
/// `--repos-file`, the default `.` is not a target.
fn targets(args: &ScanArgs, cwd: &Path) -> Result<Vec<Target>> {
    let mut out = Vec::new();
    let implicit_dot = args.sweep.repos_file.is_some() && args.path.as_os_str() == ".";
    if !implicit_dot {
        out.push(Target::parse(&args.path.to_string_lossy(), cwd));
    }
    for p in &args.more_paths {
        out.push(Target::parse(&p.to_string_lossy(), cwd));
    }
    if let Some(file) = &args.sweep.repos_file {
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("cannot read --repos-file {}", file.display()))?;
        out.extend(target::read_file(&text, &file.display().to_string(), cwd)?);
    }
    Ok(out)
}

/// The rules every target's scan starts from: built-in, `--rules`, `--config`. A target's
/// own `.keyhound.toml` may add to them for that target.
fn base_rules(args: &ScanArgs) -> Result<RuleSet> {
    explicit_rules(&args.rules, args.config.as_deref())
}

/// Built-in rules plus `--rules` files and the `--config` file named on the command line
/// (no discovered config).
fn explicit_rules(rules: &[PathBuf], config: Option<&Path>) -> Result<RuleSet> {
    let config = config.map(keyhound::config::Config::load).transpose()?;
    load_rules(rules, config.as_ref())
}

/// SHA-256 of the sorted ids of the whole target list: shards of one list share it.
fn list_fingerprint(targets: &[Target]) -> String {
    let ids: BTreeSet<&str> = targets.iter().map(|t| t.id.as_str()).collect();
    let text: Vec<&str> = ids.into_iter().collect();
    keyhound::finding::sha256_hex(text.join("\n").as_bytes())
}

fn read_resume(path: &Path, header: &Header) -> Result<Stream> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        // Nothing to resume yet: the first run of a retried job.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Stream::default()),
        Err(e) => {
            return Err(e).with_context(|| format!("cannot read --resume {}", path.display()))
        }
    };
    if text.trim().is_empty() {
        return Ok(Stream::default());
    }
    let name = path.display().to_string();
    let s = stream::read(&text, &name)?;
    for h in &s.headers {
        stream::check_compatible(header, "this run", h, &name)?;
        if h.targets != header.targets || h.shard != header.shard {
            bail!("--resume {name} was written for another target list or shard: resume with the same --repos-file, paths and --shard");
        }
    }
    Ok(s)
}

/// Scans one target and writes its findings; returns its target record (not yet written).
fn scan_target(
    t: &Target,
    args: &ScanArgs,
    base: &RuleSet,
    detector: &Detector,
    sink: &mut Sink,
    opts: RenderOptions,
) -> Result<stream::TargetRecord> {
    let started = Instant::now();
    let elapsed = || u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let root = match &t.location {
        Location::Path(p) => p.clone(),
        Location::Url(url) => match clone::mirror(url, &t.id, &clone_options(args)) {
            Ok(path) => path,
            Err(e) => return Ok(stream::failed(&t.id, e.to_string(), elapsed())),
        },
    };
    match scan_one(&root, args, base, detector) {
        Ok(report) => {
            stream::write_report(sink.out(), &t.id, &report, opts)?;
            Ok(stream::scanned(&t.id, &report, elapsed()))
        }
        Err(e) => Ok(stream::failed(
            &t.id,
            target::redact_url(&format!("{e:#}")),
            elapsed(),
        )),
    }
}

/// The one-target scan of `root`, with its own `.keyhound.toml` when it has one.
fn scan_one(root: &Path, args: &ScanArgs, base: &RuleSet, detector: &Detector) -> Result<Report> {
    // sweeps apply no baseline or ignore file, only a target's own config
    let settings = repo_settings(args, root, &keyhound::trust::Base::Worktree)?.config_only();
    let config = settings.config.clone();
    let own;
    let (set, detector) = match (&config, &args.config) {
        (Some(c), None) => {
            let set = load_rules(&args.rules, Some(c))?;
            own = Detector::new(&set)?;
            (set, &own)
        }
        _ => (base.clone(), detector),
    };
    // sweeps refuse --staged/--since/--range/--pre-receive, so the mode is files or history
    let plan = scan_plan(args, root, config.as_ref(), scan_mode(args)?, false);
    let mut report = scan::run(&plan, detector)?;
    add_settings_findings(&settings, &plan, &mut report)?;
    report.providers = set.providers;
    Ok(report)
}

fn clone_options(args: &ScanArgs) -> CloneOptions {
    let dir = args
        .sweep
        .clone_dir
        .clone()
        .unwrap_or_else(default_clone_dir);
    CloneOptions {
        dir,
        timeout: Duration::from_secs(args.sweep.clone_timeout.max(1)),
    }
}

/// `$XDG_CACHE_HOME/keyhound/clones`, `~/.cache/keyhound/clones`, else `.keyhound/clones`.
fn default_clone_dir() -> PathBuf {
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")));
    match cache {
        Some(dir) => dir.join("keyhound").join("clones"),
        None => PathBuf::from(".keyhound").join("clones"),
    }
}

/// Where records go: the output file or stdout as they come (`jsonl`), or memory, merged
/// and rendered at the end (every other format), so a one-process sweep renders exactly
/// what `keyhound merge` of its shards renders.
enum Sink {
    Stream(Box<dyn Write>),
    Memory(Vec<u8>),
}

impl Sink {
    fn open(args: &ScanArgs, header: &Header, kept: &[Record]) -> Result<Sink> {
        let mut sink = match (args.format, &args.output) {
            (Format::Jsonl, Some(path)) => {
                let file = replace_then_append(path, header, kept)?;
                return Ok(Sink::Stream(Box::new(std::io::BufWriter::new(file))));
            }
            (Format::Jsonl, None) => Sink::Stream(Box::new(std::io::stdout())),
            _ => Sink::Memory(Vec::new()),
        };
        write_start(sink.out(), header, kept)?;
        Ok(sink)
    }

    fn out(&mut self) -> &mut dyn Write {
        match self {
            Sink::Stream(w) => w.as_mut(),
            Sink::Memory(buf) => buf,
        }
    }

    /// Renders a memory sink; returns whether there were findings.
    fn finish(self, args: &ScanArgs, base: &RuleSet) -> Result<bool> {
        let buf = match self {
            Sink::Stream(mut w) => {
                w.flush()?;
                return Ok(false);
            }
            Sink::Memory(buf) => buf,
        };
        let text = String::from_utf8_lossy(&buf);
        let merged = merge::merge(&[("sweep".into(), stream::read(&text, "sweep")?)])?;
        let report = merged.report(&base.rules, &base.providers);
        if !args.quiet {
            for w in &report.warnings {
                eprintln!("keyhound: warning: {}", escape::text(w));
            }
        }
        let opts = RenderOptions {
            show_secrets: args.show_secrets,
            color: super::use_color(args),
        };
        write_report(args.output.as_deref(), |out| {
            report.render(args.format, opts, out)
        })?;
        Ok(!report.findings.is_empty())
    }
}

/// A stream's start: its header, then the records kept from an earlier partial output.
fn write_start(out: &mut dyn Write, header: &Header, kept: &[Record]) -> Result<()> {
    stream::write_header(out, header)?;
    stream::write_records(out, kept)?;
    Ok(())
}

/// Opens `path` for appending after writing `header` and the kept records to it atomically
/// (via a temporary file), so `--resume FILE -o FILE` continues the same file and a second
/// kill still leaves a valid stream.
/// A path that exists and is not a regular file (`/dev/null`, a FIFO) is written in place:
/// renaming over it would replace the device with a file.
fn replace_then_append(path: &Path, header: &Header, kept: &[Record]) -> Result<std::fs::File> {
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .with_context(|| format!("cannot write {}", path.display()))?;
        write_start(&mut file, header, kept)?;
        return Ok(file);
    }
    let tmp = path.with_extension("jsonl.partial");
    {
        let file = std::fs::File::create(&tmp)
            .with_context(|| format!("cannot write {}", tmp.display()))?;
        let mut w = std::io::BufWriter::new(file);
        write_start(&mut w, header, kept)?;
        w.flush()?;
    }
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))
}

/// Counts over the sweep, resumed targets included.
#[derive(Default)]
struct Tally {
    scanned: usize,
    failed: Vec<(String, String)>,
    /// Scanned targets with content that could not be read, and how much.
    incomplete: Vec<(String, u64)>,
    bytes: u64,
    findings: usize,
}

impl Tally {
    fn count(&mut self, records: &[Record]) {
        for r in records {
            if let Record::Target(t) = r {
                self.add(t);
            }
        }
    }

    fn add(&mut self, t: &stream::TargetRecord) {
        match t.status {
            Status::Scanned => {
                self.scanned += 1;
                if t.stats.unreadable > 0 {
                    self.incomplete.push((t.target.clone(), t.stats.unreadable));
                }
            }
            Status::Failed => self
                .failed
                .push((t.target.clone(), t.error.clone().unwrap_or_default())),
        }
        self.bytes += t.bytes;
        self.findings += t.findings;
    }

    fn explain(&self, mine: usize, all: usize, shard: Option<Shard>) {
        let of = match shard {
            Some(s) => format!("shard {s}: {mine} of {all} targets"),
            None => format!("{all} target{}", if all == 1 { "" } else { "s" }),
        };
        let incomplete = match self.incomplete.len() {
            0 => String::new(),
            n => format!(" ({n} incomplete: content could not be read)"),
        };
        eprintln!(
            "keyhound: sweep of {of}: {} scanned{incomplete}, {} failed, {} finding{}",
            self.scanned,
            self.failed.len(),
            self.findings,
            if self.findings == 1 { "" } else { "s" }
        );
        for (target, count) in &self.incomplete {
            eprintln!(
                "keyhound: incomplete: {}: {count} unreadable (objects, refs or packs; see its target record)",
                escape::text(target),
            );
        }
        for (target, error) in &self.failed {
            // a clone's error quotes what the remote said: never raw
            eprintln!(
                "keyhound: failed: {}: {}",
                escape::text(target),
                escape::text(error)
            );
        }
    }
}

fn exit_code(tally: &Tally, had_findings: bool, args: &ScanArgs) -> u8 {
    let nothing_scanned = tally.scanned == 0 && !tally.failed.is_empty();
    let any_problem = !tally.failed.is_empty() || !tally.incomplete.is_empty();
    if nothing_scanned || (args.sweep.fail_on_error && any_problem) {
        EXIT_ERROR
    } else if (tally.findings == 0 && !had_findings) || args.exit_zero {
        EXIT_CLEAN
    } else {
        EXIT_FINDINGS
    }
}
