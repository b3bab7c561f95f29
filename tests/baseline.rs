//! Baselines and `.keyhoundignore` through the binary, in real repositories: content-based
//! fingerprints that survive edits above a secret, still catch a different secret on the same
//! line, and a baseline file that regenerates byte for byte.

mod common;
mod workflow_support;

use std::path::Path;
use workflow_support::*;

const BASELINE: &str = ".keyhound-baseline";

fn scan_json(sb: &Sandbox, repo: &Path, extra: &[&str]) -> (Option<i32>, serde_json::Value) {
    let mut args = vec!["scan", "--no-history", "--format", "json"];
    args.extend_from_slice(extra);
    let out = sb.keyhound(repo, &args);
    (out.status.code(), json(&out))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A repository whose work tree holds two findings: one in `config/app.conf`, one in
/// `src/client.py`.
fn repo_with_two_findings(sb: &Sandbox) -> std::path::PathBuf {
    let repo = sb.repo("repo");
    write(
        &repo,
        "config/app.conf",
        &format!("# settings\nMEETSO_KEY={}\n", key_a()),
    );
    write(
        &repo,
        "src/client.py",
        &format!("headers = {{\"Authorization\": \"Bearer {}\"}}\n", key_b()),
    );
    sb.git(&repo, &["add", "."]);
    sb.git(&repo, &["commit", "-qm", "legacy"]);
    repo
}

#[test]
fn a_baseline_hides_old_findings_survives_moves_and_catches_a_new_secret_on_the_same_line() {
    let sb = Sandbox::new();
    let repo = repo_with_two_findings(&sb);
    let (code, before) = scan_json(&sb, &repo, &[]);
    assert_eq!(code, Some(1));
    let found = findings(&before);
    assert_eq!(
        found,
        vec![
            (
                "meetso-live-key".into(),
                "config/app.conf".into(),
                2,
                "worktree".into()
            ),
            (
                "meetso-live-key".into(),
                "src/client.py".into(),
                1,
                "worktree".into()
            ),
        ]
    );

    let out = sb.keyhound(&repo, &["scan", "--no-history", "--baseline-out", BASELINE]);
    let (_, stderr) = text(&out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "writing a baseline accepts the findings"
    );
    assert!(
        stderr.contains("wrote 2 fingerprints to .keyhound-baseline"),
        "{stderr}"
    );
    let baseline = read(&repo.join(BASELINE));
    let fp = |i: usize| {
        before["findings"][i]["fingerprint"]
            .as_str()
            .expect("fp")
            .to_string()
    };
    let body: Vec<&str> = baseline.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(
        body,
        vec![
            format!("{} meetso-live-key config/app.conf", fp(0)),
            format!("{} meetso-live-key src/client.py", fp(1)),
        ]
    );
    assert!(!baseline.contains(&key_a()) && !baseline.contains("2024"));

    let (code, after) = scan_json(&sb, &repo, &["--baseline", BASELINE]);
    assert_eq!(code, Some(0));
    assert!(findings(&after).is_empty(), "{after}");
    assert_eq!(
        after["stats"]["notes"][0],
        "2 findings hidden by the baseline .keyhound-baseline"
    );

    // Lines inserted above the key: still baselined, and the regenerated file is identical.
    write(
        &repo,
        "config/app.conf",
        &format!(
            "# settings\n# a\n# b\n# c\nREGION=eu\nMEETSO_KEY={}\n",
            key_a()
        ),
    );
    let (code, moved) = scan_json(&sb, &repo, &["--baseline", BASELINE]);
    assert_eq!(code, Some(0), "{moved}");
    let again = sb.keyhound(
        &repo,
        &["scan", "--no-history", "-q", "--baseline-out", "regen"],
    );
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(
        read(&repo.join("regen")),
        baseline,
        "regeneration is byte-stable"
    );
    std::fs::remove_file(repo.join("regen")).expect("rm");

    // A different secret on the baselined line is new.
    write(
        &repo,
        "config/app.conf",
        &format!(
            "# settings\n# a\n# b\n# c\nREGION=eu\nMEETSO_KEY={}\n",
            key_b()
        ),
    );
    let (code, changed) = scan_json(&sb, &repo, &["--baseline", BASELINE]);
    assert_eq!(code, Some(1));
    assert_eq!(
        findings(&changed),
        vec![(
            "meetso-live-key".into(),
            "config/app.conf".into(),
            6,
            "worktree".into()
        )]
    );
}

#[test]
fn keyhoundignore_takes_fingerprints_and_path_globs_with_comments() {
    let sb = Sandbox::new();
    let repo = repo_with_two_findings(&sb);
    write(
        &repo,
        "fixtures/keys/demo.txt",
        &format!("token: {}\n", key_a()),
    );
    let (_, all) = scan_json(&sb, &repo, &[]);
    assert_eq!(findings(&all).len(), 3);
    let client_fp = all["findings"]
        .as_array()
        .expect("array")
        .iter()
        .find(|f| f["path"] == "src/client.py")
        .and_then(|f| f["fingerprint"].as_str())
        .expect("fingerprint")
        .to_string();
    write(
        &repo,
        ".keyhoundignore",
        &format!("# accepted: the client's demo key\n{client_fp}  src/client.py\n\n# fixtures\nfixtures/\n"),
    );
    let (code, report) = scan_json(&sb, &repo, &[]);
    assert_eq!(code, Some(1));
    assert_eq!(
        findings(&report),
        vec![(
            "meetso-live-key".into(),
            "config/app.conf".into(),
            2,
            "worktree".into()
        )]
    );
    assert_eq!(
        report["stats"]["notes"][0],
        "2 findings hidden by .keyhoundignore"
    );
}

#[test]
fn broken_baseline_and_ignore_files_are_errors_naming_the_line() {
    let sb = Sandbox::new();
    let repo = repo_with_two_findings(&sb);
    // A key pasted into the baseline by mistake: the error names file, line and problem,
    // never the line itself.
    let pasted = "mts_live_Zq8Rw3Tn6Yv1Ub4Xk7Lm2Pc5Hd9Gf0Ja";
    write(
        &repo,
        "bad-baseline",
        &format!("# header\n{pasted} # oops\n"),
    );
    let out = sb.keyhound(
        &repo,
        &["scan", "--no-history", "--baseline", "bad-baseline"],
    );
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("bad-baseline:2: not a fingerprint: baseline lines start with a fingerprint of 64 hex digits (this one starts with a 41-character word); regenerate the baseline with --baseline-out"),
        "{stderr}"
    );
    assert!(!stderr.contains("Zq8Rw3Tn"), "{stderr}");

    write(&repo, ".keyhoundignore", &format!("src/[{pasted}\n"));
    let out = sb.keyhound(&repo, &["scan", "--no-history"]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains(".keyhoundignore:1: not a fingerprint (64 hex digits) and not a valid path glob: unclosed character class; missing ']'"),
        "{stderr}"
    );
    assert!(!stderr.contains("Zq8Rw3Tn"), "{stderr}");

    std::fs::remove_file(repo.join(".keyhoundignore")).expect("rm");
    let out = sb.keyhound(&repo, &["scan", "--no-history", "--baseline", "missing"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).1.contains("missing: cannot read"),
        "{:?}",
        text(&out)
    );
}

#[test]
fn a_baseline_covers_commit_range_findings_too() {
    let sb = Sandbox::new();
    let repo = sb.repo("repo");
    write(&repo, "README.md", "# demo\n");
    sb.git(&repo, &["add", "."]);
    sb.git(&repo, &["commit", "-qm", "start"]);
    let start = sb.git(&repo, &["rev-parse", "HEAD"]);
    let range = format!("{start}..HEAD");
    write(
        &repo,
        "config/app.conf",
        &format!("MEETSO_KEY={}\n", key_a()),
    );
    sb.git(&repo, &["add", "."]);
    sb.git(&repo, &["commit", "-qm", "legacy"]);
    let out = sb.keyhound(
        &repo,
        &["scan", "-q", "--range", &range, "--baseline-out", BASELINE],
    );
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    assert_eq!(
        read(&repo.join(BASELINE))
            .lines()
            .filter(|l| !l.starts_with('#'))
            .count(),
        1
    );

    // The legacy key is re-added elsewhere in the file and a new key arrives in a new file.
    write(
        &repo,
        "config/app.conf",
        &format!("REGION=eu\nMEETSO_KEY={}\n", key_a()),
    );
    write(&repo, "src/new.py", &format!("KEY = '{}'\n", key_b()));
    sb.git(&repo, &["add", "config/app.conf", "src/new.py"]);
    sb.git(&repo, &["commit", "-qm", "new key"]);
    let new_commit = sb.git(&repo, &["rev-parse", "HEAD"]);
    let out = sb.keyhound(
        &repo,
        &[
            "scan",
            "--range",
            &range,
            "--format",
            "json",
            "--baseline",
            BASELINE,
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{:?}", text(&out));
    let report = json(&out);
    assert_eq!(
        findings(&report),
        vec![(
            "meetso-live-key".into(),
            "src/new.py".into(),
            1,
            "history".into()
        )]
    );
    assert_eq!(report["findings"][0]["commit"], new_commit.as_str());
}

#[test]
fn a_baseline_covers_file_findings_without_a_secret() {
    let sb = Sandbox::new();
    let repo = sb.repo("repo");
    write(&repo, ".env", "REGION=eu\n");
    sb.git(&repo, &["add", "."]);
    sb.git(&repo, &["commit", "-qm", "env"]);
    let (code, before) = scan_json(&sb, &repo, &[]);
    assert_eq!(code, Some(1));
    assert_eq!(findings(&before)[0].0, "dotenv-committed");
    assert_eq!(
        before["findings"][0]["secret_sha256"],
        serde_json::Value::Null
    );
    let out = sb.keyhound(
        &repo,
        &["scan", "--no-history", "-q", "--baseline-out", BASELINE],
    );
    assert_eq!(out.status.code(), Some(0));
    let baseline = read(&repo.join(BASELINE));
    let fp = before["findings"][0]["fingerprint"].as_str().expect("fp");
    assert!(
        baseline.ends_with(&format!("{fp} dotenv-committed .env\n")),
        "{baseline}"
    );
    let (code, after) = scan_json(&sb, &repo, &["--baseline", BASELINE]);
    assert_eq!(code, Some(0), "{after}");
}
