//! Hostile filesystem input: FIFOs, devices, sockets, `/proc` files behind symlinks, configs
//! that are not regular files, unreadable content, paths longer than the system allows,
//! symlink loops and many files. Every run of the binary here has a deadline and is killed
//! when it passes it, so a regression (a read that blocks on a FIFO, a read of `/proc` that
//! never ends) fails the test instead of hanging the test run.

mod common;
use common::*;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Runs keyhound in `dir`; kills it and fails the test when it runs past `deadline`.
fn run_within(dir: &Path, args: &[&str], deadline: Duration) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_keyhound"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("keyhound runs");
    // Drain the pipes on threads: a full pipe must not look like a hang.
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            bytes
        })
    };
    let stdout = drain(Box::new(child.stdout.take().expect("stdout")));
    let stderr = drain(Box::new(child.stderr.take().expect("stderr")));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("keyhound {args:?} ran past {deadline:?} and was killed");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: stdout.join().expect("stdout thread"),
        stderr: stderr.join().expect("stderr thread"),
    }
}

fn run(dir: &Path, args: &[&str]) -> Output {
    run_within(dir, args, Duration::from_secs(60))
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn mkfifo(path: &Path) {
    let made = Command::new("mkfifo").arg(path).status().expect("mkfifo");
    assert!(made.success(), "mkfifo {}", path.display());
}

fn symlink(target: &str, link: &Path) {
    std::os::unix::fs::symlink(target, link).expect("symlink");
}

/// The findings of a JSON report as (rule, path, line).
fn findings(out: &Output, code: i32) -> Vec<(String, String, u64)> {
    finding_keys(&json_report(out, code))
        .into_iter()
        .map(|(rule, path, line, _, _)| (rule, path, line))
        .collect()
}

fn meetso(path: &str, line: u64) -> (String, String, u64) {
    ("meetso-live-key".to_string(), path.to_string(), line)
}

#[test]
fn fifos_sockets_and_devices_in_a_tree_are_named_and_skipped_never_opened() {
    let dir = dir_with(&[("app/config.py", &format!("MEETSO = \"{LIVE_KEY}\"\n"))]);
    mkfifo(&dir.path().join("pipe"));
    let _socket =
        std::os::unix::net::UnixListener::bind(dir.path().join("app/sock")).expect("unix socket");
    let out = run(
        dir.path(),
        &["scan", "--no-history", "--format", "json", "."],
    );
    assert_eq!(findings(&out, 1), vec![meetso("app/config.py", 1)]);
    let err = stderr(&out);
    assert!(
        err.contains("keyhound: warning: ./pipe: a FIFO (named pipe), not a regular file, skipped"),
        "{err}"
    );
    assert!(
        err.contains("keyhound: warning: ./app/sock: a socket, not a regular file, skipped"),
        "{err}"
    );
}

#[test]
fn a_target_that_is_nothing_scannable_is_an_error_not_zero_files() {
    let dir = dir_with(&[]);
    mkfifo(&dir.path().join("pipe"));
    let out = run(dir.path(), &["scan", "--no-history", "pipe"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out).trim(),
        "keyhound: error: cannot scan pipe: a FIFO (named pipe), not a file or directory: nothing to scan"
    );
    let out = run(dir.path(), &["scan", "--no-history", "/dev/zero"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out).trim(),
        "keyhound: error: cannot scan /dev/zero: a character device, not a file or directory: nothing to scan"
    );
}

#[test]
fn a_config_that_is_not_a_bounded_regular_file_is_refused_naming_it() {
    let dir = dir_with(&[("app/config.py", &format!("MEETSO = \"{LIVE_KEY}\"\n"))]);
    let config = dir.path().join(".keyhound.toml");
    let scan = ["scan", "--no-history", "."];
    // A committed symlink to /proc: declares 0 bytes, holds gigabytes; refused, not read.
    symlink("/proc/self/pagemap", &config);
    let out = run(dir.path(), &scan);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).starts_with("keyhound: error: ./.keyhound.toml: cannot read config: "),
        "{}",
        stderr(&out)
    );
    std::fs::remove_file(&config).expect("rm");
    symlink("/dev/zero", &config);
    let out = run(dir.path(), &scan);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out).trim(),
        "keyhound: error: ./.keyhound.toml: cannot read config: a character device, not a regular file"
    );
    // A FIFO: on main it was silently skipped (no config at all), opening it blocks.
    std::fs::remove_file(&config).expect("rm");
    mkfifo(&config);
    let out = run(dir.path(), &scan);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out).trim(),
        "keyhound: error: ./.keyhound.toml: cannot read config: a FIFO (named pipe), not a regular file"
    );
    std::fs::remove_file(&config).expect("rm");
    std::fs::write(&config, format!("# {}\n", "x".repeat(5 << 20))).expect("write");
    let out = run(dir.path(), &scan);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out).trim(),
        "keyhound: error: ./.keyhound.toml: cannot read config: larger than 4 MiB"
    );
}

#[test]
fn rules_baseline_and_ignore_files_that_are_fifos_or_proc_files_are_refused() {
    let dir = dir_with(&[("app/config.py", &format!("MEETSO = \"{LIVE_KEY}\"\n"))]);
    mkfifo(&dir.path().join("rules.toml"));
    let out = run(dir.path(), &["rules", "check", "rules.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out).trim(),
        "keyhound: error: rules.toml: cannot read rules file: a FIFO (named pipe), not a regular file"
    );
    let out = run(dir.path(), &["scan", "--rules", "/proc/self/pagemap", "."]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).starts_with("keyhound: error: /proc/self/pagemap: cannot read rules file: "),
        "{}",
        stderr(&out)
    );
    let scan = ["scan", "--no-history", "--baseline", "rules.toml", "."];
    let out = run(dir.path(), &scan);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).starts_with("keyhound: error: rules.toml: ")
            && stderr(&out).contains("not a regular file"),
        "{}",
        stderr(&out)
    );
    mkfifo(&dir.path().join(".keyhoundignore"));
    let out = run(dir.path(), &["scan", "--no-history", "."]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(".keyhoundignore: ") && stderr(&out).contains("not a regular file"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_tracked_env_file_replaced_by_a_device_link_is_audited_from_the_index() {
    let repo = TestRepo::new();
    repo.write(".env", &format!("MEETSO_KEY={LIVE_KEY}\n"));
    repo.commit_all("init", "Ana", "2025-01-01T10:00:00+00:00");
    // Tracked as a file, replaced on disk by a link to an endless device (and the exclude
    // file the doctor reads by one to a FIFO): neither is opened, the index copy is audited.
    std::fs::remove_file(repo.path().join(".env")).expect("rm");
    symlink("/dev/zero", &repo.path().join(".env"));
    let exclude = repo.path().join(".git/info/exclude");
    let _ = std::fs::remove_file(&exclude);
    mkfifo(&exclude);
    let expected = vec![
        ("dotenv-committed".to_string(), ".env".to_string(), 1),
        meetso(".env", 1),
    ];
    let out = run(repo.path(), &["scan", "--no-history", "--format", "json"]);
    assert_eq!(findings(&out, 1), expected);
    let out = run(repo.path(), &["gitignore-doctor", "--format", "json"]);
    assert_eq!(findings(&out, 1), expected[..1]);
}

#[test]
fn an_absurd_thread_count_is_refused() {
    let dir = dir_with(&[("a.txt", "x\n")]);
    let out = run(dir.path(), &["scan", "--threads", "5000", "."]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("5000 is not in 1..=1024"),
        "{}",
        stderr(&out)
    );
    let out = run(dir.path(), &["scan", "--threads", "0", "."]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("0 is not in 1..=1024"),
        "{}",
        stderr(&out)
    );
    let out = run(
        dir.path(),
        &["scan", "--threads", "1024", "--no-history", "."],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

/// `depth` nested directories of 250-byte names under `dir` (deeper than PATH_MAX allows
/// to name), made by a shell that walks down with relative `cd`s, and a file at the bottom.
fn too_long_path(dir: &Path, depth: usize, file: &str) {
    let name = "d".repeat(250);
    let script = format!(
        "for i in $(seq {depth}); do mkdir {name} && cd -P {name} || exit 1; done; printf '%s' \"$1\" > f.py"
    );
    let made = Command::new("sh")
        .args(["-c", &script, "sh", file])
        .current_dir(dir)
        .status()
        .expect("sh");
    assert!(made.success());
}

#[test]
fn paths_too_long_to_open_are_named_errors_and_the_scan_exits_2() {
    let dir = dir_with(&[("ok.py", &format!("K = \"{LIVE_KEY}\"\n"))]);
    too_long_path(dir.path(), 20, &format!("K = \"{LIVE_KEY_2}\"\n"));
    let out = run(
        dir.path(),
        &["scan", "--no-history", "--format", "json", "."],
    );
    // The key that could be read is reported; the scan is incomplete: exit 2.
    assert_eq!(findings(&out, 2), vec![meetso("ok.py", 1)]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(report["stats"]["unreadable"], 1);
    let err = stderr(&out);
    assert!(
        err.contains("File name too long (os error 36): not scanned"),
        "{err}"
    );
    assert!(
        err.contains("keyhound: error: 1 object, ref, pack or file could not be read, so the scan is incomplete"),
        "{err}"
    );
    let out = run(
        dir.path(),
        &[
            "scan",
            "--no-history",
            "--allow-unreadable",
            "--format",
            "json",
            ".",
        ],
    );
    assert_eq!(findings(&out, 1), vec![meetso("ok.py", 1)]);
    // Nothing found in what could be read is still not clean.
    std::fs::remove_file(dir.path().join("ok.py")).expect("rm");
    let out = run(dir.path(), &["scan", "--no-history", "."]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let out = run(
        dir.path(),
        &["scan", "--no-history", "--allow-unreadable", "."],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn a_file_that_fails_to_read_is_a_named_error_and_the_scan_exits_2() {
    // /proc/self/mem fails with EIO at offset 0 whoever runs the test (root included).
    let out = run(Path::new("/"), &["scan", "--no-history", "/proc/self/mem"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(
            "keyhound: error: unreadable: /proc/self/mem: Input/output error (os error 5)"
        ),
        "{err}"
    );
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(
        summary.contains("! no secrets found in what could be read · scanned 0 files (0 B)"),
        "{summary}"
    );
    assert!(
        summary.contains("skipped 0 binary, 0 too large, 1 unreadable"),
        "{summary}"
    );
    let out = run(
        Path::new("/"),
        &[
            "scan",
            "--no-history",
            "--allow-unreadable",
            "/proc/self/mem",
        ],
    );
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn a_file_without_read_permission_is_a_named_error_and_the_scan_exits_2() {
    use std::os::unix::fs::PermissionsExt;
    let dir = dir_with(&[("ok.py", "x = 1\n"), ("secret.py", "y = 2\n")]);
    let locked = dir.path().join("secret.py");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    if std::fs::File::open(&locked).is_ok() {
        // root (or CAP_DAC_OVERRIDE) reads it anyway; the EIO test above covers the path
        eprintln!("skipped: running with permission to read a mode-000 file (root?)");
        return;
    }
    let out = run(dir.path(), &["scan", "--no-history", "."]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("keyhound: error: unreadable: ./secret.py: Permission denied (os error 13)"),
        "{err}"
    );
}

#[test]
fn symlink_loops_are_named_and_the_walk_terminates() {
    let dir = dir_with(&[("app/config.py", &format!("MEETSO = \"{LIVE_KEY}\"\n"))]);
    symlink("b", &dir.path().join("a"));
    symlink("a", &dir.path().join("b"));
    // A directory link to its parent: never followed, so walked once.
    symlink("..", &dir.path().join("app/up"));
    let out = run_within(
        dir.path(),
        &["scan", "--no-history", "--format", "json", "."],
        Duration::from_secs(30),
    );
    assert_eq!(findings(&out, 1), vec![meetso("app/config.py", 1)]);
    let err = stderr(&out);
    assert!(
        err.contains("keyhound: warning: ./a: symlink loop, skipped"),
        "{err}"
    );
    assert!(
        err.contains("keyhound: warning: ./b: symlink loop, skipped"),
        "{err}"
    );
}

#[test]
fn ignore_files_that_are_links_to_devices_or_fifos_are_not_read_and_their_tree_is_scanned() {
    let repo = TestRepo::new();
    repo.write("app/config.py", &format!("MEETSO = \"{LIVE_KEY}\"\n"));
    repo.write("vendor/lib/keys.py", &format!("K = \"{LIVE_KEY_2}\"\n"));
    repo.write("vendor/lib/.gitignore", "keys.py\n");
    repo.commit_all("init", "Ana", "2025-01-01T10:00:00+00:00");
    // A committed .gitignore that is a link to an endless device: git does not follow it;
    // read, it would never end (or block, for /dev/stdin or a FIFO).
    symlink("/dev/zero", &repo.path().join("vendor/.gitignore"));
    let out = run(repo.path(), &["scan", "--no-history", "--format", "json"]);
    // vendor/ is scanned with ignore files off: its nested .gitignore is not honoured either
    assert_eq!(
        findings(&out, 1),
        vec![meetso("app/config.py", 1), meetso("vendor/lib/keys.py", 1)]
    );
    let err = stderr(&out);
    assert!(
        err.contains("keyhound: warning: ./vendor/.gitignore: a symlink, not a regular file: not read as an ignore file (git does not follow it either); ./vendor is scanned without ignore files"),
        "{err}"
    );
    // At the root (and .git/info/exclude as a FIFO): the whole walk goes without them.
    std::fs::remove_file(repo.path().join("vendor/.gitignore")).expect("rm");
    let exclude = repo.path().join(".git/info/exclude");
    let _ = std::fs::remove_file(&exclude);
    mkfifo(&exclude);
    let out = run(repo.path(), &["scan", "--no-history", "--format", "json"]);
    assert_eq!(
        findings(&out, 1),
        vec![meetso("app/config.py", 1), meetso("vendor/lib/keys.py", 1)]
    );
    assert!(stderr(&out).contains("/.git/info/exclude: a FIFO (named pipe), not a regular file: not read as an ignore file"), "{}", stderr(&out));
}

#[test]
fn a_hundred_thousand_files_are_each_scanned_once_in_bounded_time() {
    let leak = format!("K = \"{LIVE_KEY}\"\n");
    let dir = dir_with(&[("deep/leak.py", &leak)]);
    for d in 0..100 {
        let sub = dir.path().join(format!("d{d:03}"));
        std::fs::create_dir(&sub).expect("mkdir");
        for f in 0..1000 {
            std::fs::write(sub.join(format!("f{f:04}.txt")), "x = 1\n").expect("write");
        }
    }
    let started = Instant::now();
    let out = run_within(
        dir.path(),
        &["scan", "--no-history", "--format", "json", "."],
        Duration::from_secs(120),
    );
    let took = started.elapsed();
    let report = json_report(&out, 1);
    assert_eq!(
        finding_keys(&report)
            .into_iter()
            .map(|(rule, path, line, _, _)| (rule, path, line))
            .collect::<Vec<_>>(),
        vec![meetso("deep/leak.py", 1)]
    );
    assert_eq!(report["stats"]["scanned"], 100_001);
    assert_eq!(report["stats"]["bytes"], 600_000 + leak.len());
    eprintln!("100,001 files scanned in {took:?}");
}
