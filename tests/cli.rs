//! The command line end to end on plain directories: exit codes, redaction, report formats,
//! rules files, and bad input that must not stop a scan.

mod common;
use common::*;
use serde_json::Value;
use std::path::Path;

fn run(dir: &Path, args: &[&str]) -> std::process::Output {
    keyhound_in(dir, args)
}

#[test]
fn findings_exit_1_and_are_redacted_clean_tree_exits_0() {
    let dir = dir_with(&[("app/config.py", &format!("MEETSO = \"{LIVE_KEY}\"\n"))]);
    let out = run(dir.path(), &["scan", "."]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("app/config.py"), "{stdout}");
    assert!(stdout.contains("mts_live_Q7…Ue"), "{stdout}");
    assert!(!stdout.contains(LIVE_KEY), "plaintext leaked: {stdout}");
    assert!(stdout.contains("What to do"), "{stdout}");

    let clean = dir_with(&[("README.md", "Authorization: Token YOUR_API_KEY_HERE\n")]);
    let out = run(clean.path(), &["scan", "."]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("no secrets found"));
    // --exit-zero turns findings into a report-only run.
    assert_eq!(
        run(dir.path(), &["scan", "--exit-zero"]).status.code(),
        Some(0)
    );
}

#[test]
fn show_secrets_is_the_only_way_to_plaintext() {
    let dir = dir_with(&[("a.env.txt", &format!("k={LIVE_KEY}\n"))]);
    for format in ["human", "json", "jsonl", "sarif"] {
        let out = run(dir.path(), &["scan", "--format", format]);
        assert!(
            !String::from_utf8_lossy(&out.stdout).contains(LIVE_KEY),
            "{format}"
        );
    }
    let out = run(dir.path(), &["scan", "--format", "json", "--show-secrets"]);
    let report = json_report(&out, 1);
    assert_eq!(report["findings"][0]["secret"], LIVE_KEY);
}

#[test]
fn json_report_carries_every_required_field() {
    let dir = dir_with(&[("src/bot.ts", &format!("\n  const k = '{LIVE_KEY}';\n"))]);
    let report = json_report(&run(dir.path(), &["scan", "--format", "json"]), 1);
    assert_eq!(report["version"], 1);
    let f = &report["findings"][0];
    assert_eq!(f["rule"], "meetso-live-key");
    assert_eq!(f["severity"], "critical");
    assert_eq!(f["path"], "src/bot.ts");
    assert_eq!(f["line"], 2);
    assert_eq!(f["column"], 14);
    assert_eq!(f["secret_sha256"], sha256(LIVE_KEY).as_str());
    assert_eq!(f["redacted"], "mts_live_Q7…Ue");
    assert_eq!(f["source"], "worktree");
    assert!(f.get("secret").is_none());
    let stats = &report["stats"];
    assert_eq!(stats["scanned"], 1);
    assert_eq!(stats["findings"], 1);
    assert_eq!(stats["by_severity"]["critical"], 1);
    // JSON Lines: a record stream — header, one record per finding, the target's record.
    let out = run(dir.path(), &["scan", "--format", "jsonl"]);
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    let types: Vec<&str> = lines.iter().map(|l| l["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["header", "finding", "target"]);
    assert_eq!(lines[1]["secret_sha256"], sha256(LIVE_KEY).as_str());
    assert_eq!(lines[1]["path"], "src/bot.ts");
    assert_eq!(lines[2]["status"], "scanned");
}

#[test]
fn sarif_has_what_github_code_scanning_needs() {
    let dir = dir_with(&[(
        "deploy/run.sh",
        &format!("export ATTENDEE_API_KEY={TOKEN_KEY}\n"),
    )]);
    let out_file = dir.path().join("out.sarif");
    let out = run(
        dir.path(),
        &[
            "scan",
            "--no-ignore",
            "deploy",
            "--format",
            "sarif",
            "--output",
            &out_file.display().to_string(),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let sarif: Value =
        serde_json::from_slice(&std::fs::read(&out_file).expect("written")).expect("json");
    assert_eq!(sarif["version"], "2.1.0");
    assert!(sarif["$schema"]
        .as_str()
        .is_some_and(|s| s.contains("sarif")));
    let run0 = &sarif["runs"][0];
    assert_eq!(run0["tool"]["driver"]["name"], "keyhound");
    let rules = run0["tool"]["driver"]["rules"].as_array().expect("rules");
    assert!(rules
        .iter()
        .all(|r| r["id"].is_string() && r["help"]["text"].is_string()));
    let result = &run0["results"][0];
    assert_eq!(result["ruleId"], "env-secret");
    assert_eq!(result["level"], "error");
    let idx = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
    assert_eq!(rules[idx]["id"], "env-secret");
    let loc = &result["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "run.sh");
    assert_eq!(loc["region"]["startLine"], 1);
    let fp = result["partialFingerprints"].to_string();
    assert!(!fp.is_empty() && !fp.contains(TOKEN_KEY));
    assert!(!std::fs::read_to_string(&out_file)
        .expect("read")
        .contains(TOKEN_KEY));
}

#[test]
fn broken_rules_file_exits_2_naming_file_and_line() {
    let dir = dir_with(&[
        ("rules.toml", "[[rule]]\nid = \"acme\"\ndescription = \"x\"\nseverity = \"high\"\nkeywords = [\"acme_\"]\npatterns = ['''acme_(?P<secret>[a-z)''']\n"),
        ("a.txt", "nothing\n"),
    ]);
    for args in [
        vec!["scan", "--rules", "rules.toml", "."],
        vec!["rules", "check", "rules.toml"],
    ] {
        let out = run(dir.path(), &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("rules.toml:6"), "{stderr}");
        assert!(stderr.contains("invalid regex"), "{stderr}");
    }
}

#[test]
fn custom_rules_file_adds_a_rule() {
    let dir = dir_with(&[
        ("rules.toml", "[[rule]]\nid = \"acme-key\"\ndescription = \"Acme key\"\nseverity = \"medium\"\nkeywords = [\"acme_\"]\npatterns = ['''\\b(?P<secret>acme_[A-Za-z0-9]{20})\\b''']\n"),
        ("x.cfg", "key = acme_Zq4XkP2mTw8LrN6vBy1c\n"),
    ]);
    let out = run(dir.path(), &["rules", "check", "rules.toml"]);
    assert_eq!(out.status.code(), Some(0));
    let report = json_report(
        &run(
            dir.path(),
            &["scan", "--rules", "rules.toml", "--format", "json"],
        ),
        1,
    );
    assert_eq!(report["findings"][0]["rule"], "acme-key");
    assert_eq!(report["findings"][0]["severity"], "medium");
    let list = String::from_utf8_lossy(
        &run(dir.path(), &["rules", "list", "--rules", "rules.toml"]).stdout,
    )
    .to_string();
    assert!(
        list.contains("acme-key") && list.contains("meetso-live-key"),
        "{list}"
    );
}

#[test]
fn config_file_unknown_key_is_an_error_with_its_line() {
    let dir = dir_with(&[
        (".keyhound.toml", "disable = []\nmax_filesize = 10\n"),
        ("a.txt", "x\n"),
    ]);
    let out = run(dir.path(), &["scan", "."]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(".keyhound.toml:2") && stderr.contains("max_filesize"),
        "{stderr}"
    );
}

#[test]
fn binary_large_unreadable_and_broken_links_are_counted_and_the_scan_goes_on() {
    let dir = dir_with(&[("ok.py", &format!("K = \"{LIVE_KEY}\"\n"))]);
    let mut binary = b"\x00\x01PNG".to_vec();
    binary.extend_from_slice(format!("k={LIVE_KEY_2}").as_bytes());
    std::fs::write(dir.path().join("img.bin"), binary).expect("write");
    std::fs::write(
        dir.path().join("big.log"),
        format!("k={LIVE_KEY_2}\n{}", "x".repeat(4096)),
    )
    .expect("write");
    std::os::unix::fs::symlink("does-not-exist", dir.path().join("dangling")).expect("symlink");
    let mut invalid = b"\xff\xfe garbage\n".to_vec();
    invalid.extend_from_slice(format!("token = \"{LIVE_KEY_2}\"\n").as_bytes());
    std::fs::write(dir.path().join("latin.txt"), invalid).expect("write");
    let out = run(
        dir.path(),
        &["scan", "--max-file-size", "1000", "--format", "json"],
    );
    let report = json_report(&out, 1);
    let keys: Vec<(String, u64)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap_or_default().to_string(),
                f["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        keys,
        vec![("latin.txt".to_string(), 2), ("ok.py".to_string(), 1)]
    );
    let stats = &report["stats"];
    assert_eq!(stats["skipped_binary"], 1);
    assert_eq!(stats["skipped_large"], 1);
    assert_eq!(stats["errors"], 1);
    assert!(String::from_utf8_lossy(&out.stderr).contains("broken symlink"));
}

#[test]
fn unreadable_root_is_an_error() {
    let out = keyhound_in(Path::new("/"), &["scan", "/definitely/not/here"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/definitely/not/here"));
}

#[test]
fn gitignored_files_are_skipped_unless_no_ignore() {
    let repo = TestRepo::new();
    repo.write(".gitignore", "build/\n");
    repo.write("build/out.js", &format!("k=\"{LIVE_KEY}\"\n"));
    repo.commit_all("init", "Ana", "2025-01-01T10:00:00+00:00");
    let report = json_report(
        &repo.keyhound(&["scan", "--no-history", "--format", "json"]),
        0,
    );
    assert_eq!(report["findings"].as_array().map(Vec::len), Some(0));
    let report = json_report(
        &repo.keyhound(&["scan", "--no-history", "--no-ignore", "--format", "json"]),
        1,
    );
    assert_eq!(report["findings"][0]["path"], "build/out.js");
}

#[test]
fn rule_and_provider_ids_are_lowercase_letters_digits_and_dashes() {
    let rule = "[[rule]]\nid = \"Acme_Key\"\ndescription = \"d\"\nseverity = \"low\"\nkeywords = [\"acme_\"]\npatterns = ['''(?P<secret>acme_[a-z]{20})''']\n";
    let provider = "# hostile\n[[provider]]\nid = \"x$(touch pwned)\"\nname = \"X\"\napi_base = \"https://x.example\"\n";
    let dir = dir_with(&[("rule.toml", rule), ("provider.toml", provider)]);
    for (file, want) in [
        (
            "rule.toml",
            "rule.toml:2: rule id `Acme_Key` must match [a-z0-9-]+",
        ),
        (
            "provider.toml",
            "provider.toml:3: provider id `x$(touch pwned)` must match [a-z0-9-]+",
        ),
    ] {
        let out = run(dir.path(), &["rules", "check", file]);
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(want), "{stderr}");
    }
    assert!(!dir.path().join("pwned").exists());
}

/// The README's rule example (the first ```toml block under "## Rules format").
fn readme_rule_example() -> String {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README");
    let section = readme
        .split("## Rules format")
        .nth(1)
        .expect("rules section");
    let block = section.split("```toml\n").nth(1).expect("toml block");
    block.split("\n```").next().expect("block end").to_string()
}

#[test]
fn the_readme_rule_example_passes_rules_check() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("acme.toml");
    std::fs::write(&file, readme_rule_example()).expect("write");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_keyhound"))
        .args(["rules", "check"])
        .arg(&file)
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).contains(": ok ("));
}

#[test]
fn rules_check_reports_every_error_and_a_missing_file_as_not_found() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("bad.toml");
    let rule = |id: &str| {
        format!("[[rule]]\nid = \"{id}\"\ndescription = \"d\"\nseverity = \"high\"\nkeywords = [\"acme_\"]\npatterns = ['k(?P<secret>[a-z]+)']\n")
    };
    std::fs::write(&file, format!("{}{}", rule("a"), rule("b"))).expect("write");
    let run = |path: &std::path::Path| {
        std::process::Command::new(env!("CARGO_BIN_EXE_keyhound"))
            .args(["rules", "check"])
            .arg(path)
            .output()
            .expect("run")
    };
    let out = run(&file);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    let shown = file.display().to_string();
    assert!(lines[0].starts_with(&format!("keyhound: error: {shown}:6: rule `a`: pattern can match text that contains none of its keywords")), "{stderr}");
    assert!(
        lines[1].starts_with(&format!("keyhound: error: {shown}:12: rule `b`:")),
        "{stderr}"
    );
    let missing = dir.path().join("nope.toml");
    let out = run(&missing);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        format!(
            "keyhound: error: {}: rules file not found",
            missing.display()
        )
    );
}

#[test]
fn rules_list_shows_names_and_shapes_separately() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = run(dir.path(), &["rules", "list"]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with("zoom-app-secret "))
        .expect("zoom-app-secret listed");
    let pad = " ".repeat(23);
    assert_eq!(
        &lines[at + 1..at + 4],
        &[
            format!("{pad}name:  (?:client|api|sdk|app) secret(?: sdk)?"),
            format!("{pad}name:  secret token"),
            format!(
                "{pad}shapes: assignment, dockerfile, flag, env-list, label, comparison, key-path"
            ),
        ]
    );
    // a rule of patterns only lists no names
    let token = lines
        .iter()
        .position(|l| l.starts_with("authorization-token "))
        .expect("listed");
    assert!(
        lines[token + 1].starts_with("authorization-bearer "),
        "{stdout}"
    );
}
