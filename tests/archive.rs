//! Archives in the file walk: real zip, tar, tar.gz and gz files built here with the zip,
//! tar and flate2 crates, holding a fake key; members are reported as `outer!inner`, nested
//! archives open to a bounded depth, bombs stop at their caps fast, corrupt archives warn.

mod common;

use common::{finding_keys, json_report, keyhound_in, LIVE_KEY, LIVE_KEY_2};
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

fn env_text(key: &str) -> String {
    format!("# settings\nMEETSO_API_KEY={key}\n")
}

/// A zip holding `members` (name, bytes), deflated.
fn zip_bytes(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    for (name, data) in members {
        w.start_file(*name, opts).expect("zip member");
        w.write_all(data).expect("zip write");
    }
    w.finish().expect("zip finish").into_inner()
}

/// A tar holding `members`.
fn tar_bytes(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in members {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        b.append_data(&mut header, name, *data).expect("tar member");
    }
    b.into_inner().expect("tar finish")
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).expect("gzip");
    e.finish().expect("gzip finish")
}

fn write(dir: &Path, name: &str, data: &[u8]) {
    std::fs::write(dir.join(name), data).expect("write");
}

fn scan_json(dir: &Path, extra: &[&str], code: i32) -> (serde_json::Value, String) {
    let mut args = vec!["scan", "--no-history", "--format", "json"];
    args.extend_from_slice(extra);
    args.push(".");
    let out = keyhound_in(dir, &args);
    let report = json_report(&out, code);
    (report, String::from_utf8_lossy(&out.stderr).into_owned())
}

fn key(path: &str, line: u64) -> (String, String, u64, String, Option<String>) {
    (
        "meetso-live-key".into(),
        path.into(),
        line,
        "worktree".into(),
        None,
    )
}

#[test]
fn zip_tar_gz_and_gz_members_are_scanned_with_bang_paths() {
    let dir = tempfile::tempdir().expect("tmp");
    let env = env_text(LIVE_KEY);
    write(
        dir.path(),
        "x.zip",
        &zip_bytes(&[("dir/a.env", env.as_bytes()), ("README", b"docs\n")]),
    );
    write(
        dir.path(),
        "y.tar.gz",
        &gzip(&tar_bytes(&[("conf/b.env", env.as_bytes())])),
    );
    write(
        dir.path(),
        "z.tar",
        &tar_bytes(&[("c.env", env.as_bytes())]),
    );
    write(dir.path(), "app.log.gz", &gzip(env.as_bytes()));
    write(
        dir.path(),
        "lib.jar",
        &zip_bytes(&[("app.properties", env.as_bytes())]),
    );
    let (report, stderr) = scan_json(dir.path(), &[], 1);
    assert_eq!(
        finding_keys(&report),
        vec![
            key("app.log.gz!app.log", 2),
            key("lib.jar!app.properties", 2),
            key("x.zip!dir/a.env", 2),
            key("y.tar.gz!conf/b.env", 2),
            key("z.tar!c.env", 2),
        ],
        "stderr: {stderr}"
    );
    // members are the files scanned: 5 holding the key plus README
    assert_eq!(report["stats"]["scanned"], 6);
}

#[test]
fn max_archive_depth_zero_skips_archives_as_binary_like_before() {
    let dir = tempfile::tempdir().expect("tmp");
    write(
        dir.path(),
        "x.zip",
        &zip_bytes(&[("dir/a.env", env_text(LIVE_KEY).as_bytes())]),
    );
    let (report, _) = scan_json(dir.path(), &["--max-archive-depth", "0"], 0);
    assert_eq!(finding_keys(&report), vec![]);
    assert_eq!(report["stats"]["skipped_binary"], 1);
}

#[test]
fn nested_archives_open_three_levels_deep_then_warn() {
    let dir = tempfile::tempdir().expect("tmp");
    // d.zip (4th level) holds the second key: not opened, named in a warning
    let d = zip_bytes(&[("deep.env", env_text(LIVE_KEY_2).as_bytes())]);
    let c = gzip(&tar_bytes(&[
        ("c/in.env", env_text(LIVE_KEY).as_bytes()),
        ("d.zip", &d),
    ]));
    let b = zip_bytes(&[("c.tgz", &c)]);
    write(dir.path(), "a.zip", &zip_bytes(&[("lib/b.zip", &b)]));
    let (report, stderr) = scan_json(dir.path(), &[], 1);
    assert_eq!(
        finding_keys(&report),
        vec![key("a.zip!lib/b.zip!c.tgz!c/in.env", 2)]
    );
    assert!(
        stderr.contains(
            "keyhound: warning: a.zip!lib/b.zip!c.tgz!d.zip: archive nested deeper than 3 levels, \
             not opened (--max-archive-depth)"
        ),
        "{stderr}"
    );
    // one level more opens d.zip too
    let (report, _) = scan_json(dir.path(), &["--max-archive-depth", "4"], 1);
    assert_eq!(
        finding_keys(&report),
        vec![
            key("a.zip!lib/b.zip!c.tgz!c/in.env", 2),
            key("a.zip!lib/b.zip!c.tgz!d.zip!deep.env", 2),
        ]
    );
}

#[test]
fn zip_bomb_member_stops_at_the_member_cap_fast_and_the_rest_is_scanned() {
    let dir = tempfile::tempdir().expect("tmp");
    let zeros = vec![0u8; 200 * 1024 * 1024];
    let bomb = zip_bytes(&[
        ("zeros.bin", &zeros),
        ("after.env", env_text(LIVE_KEY).as_bytes()),
    ]);
    drop(zeros);
    assert!(bomb.len() < 1024 * 1024, "a bomb: {} bytes", bomb.len());
    write(dir.path(), "bomb.zip", &bomb);
    let started = Instant::now();
    let (report, stderr) = scan_json(dir.path(), &["--max-file-size", "1MiB"], 1);
    let took = started.elapsed();
    assert!(took < Duration::from_secs(10), "took {took:?}");
    assert_eq!(finding_keys(&report), vec![key("bomb.zip!after.env", 2)]);
    assert_eq!(report["stats"]["skipped_large"], 1);
    // the zip declares the member's real size: named with it
    assert!(
        stderr.contains(
            "keyhound: warning: bomb.zip!zeros.bin: skipped, too large (209.7 MB > 1.0 MB limit"
        ),
        "{stderr}"
    );
}

#[test]
fn gzip_bomb_stops_at_the_member_cap_and_archive_budget_with_named_warnings() {
    let dir = tempfile::tempdir().expect("tmp");
    let zeros = vec![0u8; 200 * 1024 * 1024];
    write(dir.path(), "bomb.log.gz", &gzip(&zeros));
    // a tar.gz whose members each fit the member cap but together pass the archive cap
    let part = vec![b'a'; 3 * 1024 * 1024];
    let many: Vec<(String, &[u8])> = (0..40)
        .map(|i| (format!("p{i:02}.txt"), &part[..]))
        .collect();
    let members: Vec<(&str, &[u8])> = many.iter().map(|(n, d)| (n.as_str(), *d)).collect();
    write(dir.path(), "many.tgz", &gzip(&tar_bytes(&members)));
    drop(zeros);
    write(dir.path(), "plain.env", env_text(LIVE_KEY).as_bytes());
    let started = Instant::now();
    let (report, stderr) = scan_json(
        dir.path(),
        &["--max-file-size", "4MiB", "--max-archive-size", "20MiB"],
        1,
    );
    let took = started.elapsed();
    assert!(took < Duration::from_secs(10), "took {took:?}");
    assert_eq!(finding_keys(&report), vec![key("plain.env", 2)]);
    // gzip has no trustworthy size: the member is cut at the cap
    assert!(
        stderr.contains(
            "keyhound: warning: bomb.log.gz!bomb.log: skipped, too large (over the 4.2 MB limit)"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "keyhound: warning: many.tgz: archive inflates past the 21.0 MB limit; the rest of it \
             was not scanned (--max-archive-size)"
        ),
        "{stderr}"
    );
    // 20 MiB hold six 3 MiB members (the tar headers take the rest)
    assert_eq!(report["stats"]["scanned"], 7);
}

#[test]
fn corrupt_archives_warn_and_the_scan_goes_on() {
    let dir = tempfile::tempdir().expect("tmp");
    let good = zip_bytes(&[("a.env", env_text(LIVE_KEY_2).as_bytes())]);
    // cut before the central directory: no member can be found
    write(dir.path(), "cut.zip", &good[..good.len() / 2]);
    // a tar.gz cut in its gzip stream after the first member
    let big = vec![b'x'; 64 * 1024];
    let tgz = gzip(&tar_bytes(&[
        ("first.env", env_text(LIVE_KEY_2).as_bytes()),
        ("big.txt", &big),
    ]));
    write(dir.path(), "cut.tgz", &tgz[..tgz.len() - 40]);
    write(dir.path(), "notgzip.gz", b"plain text, not gzip\n");
    write(dir.path(), "plain.env", env_text(LIVE_KEY).as_bytes());
    let (report, stderr) = scan_json(dir.path(), &[], 1);
    assert_eq!(
        finding_keys(&report),
        vec![
            (
                "meetso-live-key".into(),
                "cut.tgz!first.env".into(),
                2,
                "worktree".into(),
                None
            ),
            key("plain.env", 2),
        ],
        "{stderr}"
    );
    assert!(
        stderr.contains("keyhound: warning: cut.zip: cannot be read as an archive ("),
        "{stderr}"
    );
    assert!(
        stderr.contains("keyhound: warning: cut.tgz: corrupt archive after 2 members ("),
        "{stderr}"
    );
    assert!(
        stderr.contains("keyhound: warning: notgzip.gz: cannot be read as an archive ("),
        "{stderr}"
    );
    // the .gz that is text is scanned as the plain file it is; warnings are not unreadable files
    assert_eq!(report["stats"]["errors"], 0);
}

#[test]
fn keyhoundignore_naming_an_archive_hides_its_members() {
    let dir = tempfile::tempdir().expect("tmp");
    let env = env_text(LIVE_KEY);
    write(
        dir.path(),
        "fixtures.zip",
        &zip_bytes(&[("a.env", env.as_bytes())]),
    );
    write(
        dir.path(),
        "kept.zip",
        &zip_bytes(&[("b.env", env.as_bytes())]),
    );
    write(dir.path(), ".keyhoundignore", b"fixtures.zip\n");
    let (report, _) = scan_json(dir.path(), &[], 1);
    assert_eq!(finding_keys(&report), vec![key("kept.zip!b.env", 2)]);
    assert_eq!(
        report["stats"]["notes"][0],
        "1 finding hidden by .keyhoundignore"
    );
}

#[test]
fn hostile_member_names_are_escaped_on_the_terminal() {
    let dir = tempfile::tempdir().expect("tmp");
    let env = env_text(LIVE_KEY);
    write(
        dir.path(),
        "x.zip",
        &zip_bytes(&[("evil\u{1b}[2K\u{1b}[31m.env", env.as_bytes())]),
    );
    let out = keyhound_in(dir.path(), &["scan", "--no-history", "."]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains('\u{1b}') && !out.stderr.contains(&0x1b));
    assert!(
        stdout.contains("x.zip!evil\\x1b[2K\\x1b[31m.env"),
        "{stdout}"
    );
}

/// Rewrites the uncompressed size a zip declares for its first member (local header and
/// central directory) to `size`: a member that lies about how far it inflates.
fn declare_first_member_size(zip: &mut [u8], size: u32) {
    assert_eq!(&zip[..4], b"PK\x03\x04");
    zip[22..26].copy_from_slice(&size.to_le_bytes());
    let central = zip
        .windows(4)
        .position(|w| w == b"PK\x01\x02")
        .expect("central directory");
    zip[central + 24..central + 28].copy_from_slice(&size.to_le_bytes());
}

#[test]
fn a_zip_member_lying_about_its_size_is_cut_at_the_member_cap() {
    let dir = tempfile::tempdir().expect("tmp");
    let zeros = vec![0u8; 200 * 1024 * 1024];
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    w.start_file("liar.txt", opts).expect("member");
    w.write_all(&zeros).expect("write");
    drop(zeros);
    w.start_file("after.env", opts).expect("member");
    w.write_all(env_text(LIVE_KEY).as_bytes()).expect("write");
    let mut bomb = w.finish().expect("finish").into_inner();
    declare_first_member_size(&mut bomb, 10);
    write(dir.path(), "liar.zip", &bomb);
    let started = Instant::now();
    let (report, stderr) = scan_json(dir.path(), &["--max-file-size", "1MiB"], 1);
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(finding_keys(&report), vec![key("liar.zip!after.env", 2)]);
    assert!(
        stderr.contains(
            "keyhound: warning: liar.zip!liar.txt: skipped, too large (over the 1.0 MB limit)"
        ),
        "{stderr}"
    );
}

/// Git scans open archives too: a staged zip holding a key blocks the commit (member path
/// `outer!inner`), `--since` and the full history report it at the commit that added it,
/// and a later commit that changes the zip without touching that member adds nothing.
#[test]
fn staged_and_range_scans_open_archives_and_report_only_keys_a_commit_adds() {
    let repo = common::TestRepo::new();
    repo.write("README.md", "docs\n");
    let base = repo.commit_all("base", "Ada", "2025-01-01T10:00:00+00:00");
    std::fs::create_dir_all(repo.path().join("dist")).expect("mkdir");
    let env = env_text(LIVE_KEY);
    write(
        repo.path(),
        "dist/bundle.zip",
        &zip_bytes(&[("conf/app.env", env.as_bytes())]),
    );
    repo.git(&["add", "dist/bundle.zip"]);
    let staged = keyhound_in(repo.path(), &["scan", "--staged", "--format", "json"]);
    let staged = json_report(&staged, 1);
    let member = "dist/bundle.zip!conf/app.env";
    assert_eq!(
        finding_keys(&staged),
        vec![(
            "meetso-live-key".into(),
            member.into(),
            2,
            "staged".into(),
            None
        )]
    );
    let added = repo.commit_all("add bundle", "Ada", "2025-01-02T10:00:00+00:00");
    // same member and key, plus a new member with another key
    let env2 = env_text(LIVE_KEY_2);
    write(
        repo.path(),
        "dist/bundle.zip",
        &zip_bytes(&[
            ("conf/app.env", env.as_bytes()),
            ("conf/extra.env", env2.as_bytes()),
        ]),
    );
    let changed = repo.commit_all("grow bundle", "Ada", "2025-01-03T10:00:00+00:00");
    let range = keyhound_in(repo.path(), &["scan", "--since", &base, "--format", "json"]);
    let range = json_report(&range, 1);
    let at = |path: &str, commit: &str| {
        (
            "meetso-live-key".to_string(),
            path.to_string(),
            2,
            "history".to_string(),
            Some(commit.to_string()),
        )
    };
    let expected = vec![
        at(member, &added),
        at("dist/bundle.zip!conf/extra.env", &changed),
    ];
    assert_eq!(finding_keys(&range), expected);
    // the full history recognises archive blobs by content and names them by path
    let history = keyhound_in(repo.path(), &["scan", "--history-only", "--format", "json"]);
    assert_eq!(finding_keys(&json_report(&history, 1)), expected);
}
