//! Setting keyhound up: `keyhound init`, `.keyhound.toml` errors through the binary, shell
//! completions and the man page.

mod common;
mod workflow_support;

use workflow_support::*;

#[test]
fn init_writes_a_starter_config_that_the_scanner_loads() {
    let sb = Sandbox::new();
    let repo = sb.repo("repo");
    let out = sb.keyhound(&repo, &["init"]);
    assert!(out.status.success(), "{:?}", text(&out));
    let config = std::fs::read_to_string(repo.join(".keyhound.toml")).expect("written");
    assert!(config.contains("# max_file_size = 10485760"), "{config}");

    write(&repo, "app.env", &format!("MEETSO_KEY={}\n", key_a()));
    let out = sb.keyhound(&repo, &["scan", "--no-history", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{:?}", text(&out));
    assert_eq!(
        findings(&json(&out)),
        vec![(
            "meetso-live-key".into(),
            "app.env".into(),
            1,
            "worktree".into()
        )],
        "the starter file itself yields no finding and disables nothing"
    );

    let again = sb.keyhound(&repo, &["init"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(
        text(&again).1.contains("already exists"),
        "{:?}",
        text(&again)
    );
}

#[test]
fn an_uncommented_starter_setting_takes_effect() {
    let sb = Sandbox::new();
    let repo = sb.repo("repo");
    assert!(sb.keyhound(&repo, &["init"]).status.success());
    let path = repo.join(".keyhound.toml");
    let config = std::fs::read_to_string(&path).expect("read");
    let enabled = config.replace(
        "# allow_paths = [\"tests/fixtures/\", \"docs/**/*.md\"]",
        "allow_paths = [\"tests/fixtures/\", \"docs/**/*.md\"]",
    );
    assert_ne!(enabled, config);
    std::fs::write(&path, enabled).expect("write");
    write(
        &repo,
        "tests/fixtures/keys.txt",
        &format!("k={}\n", key_a()),
    );
    write(&repo, "src/app.txt", &format!("k={}\n", key_b()));
    let out = sb.keyhound(&repo, &["scan", "--no-history", "--format", "json"]);
    assert_eq!(
        findings(&json(&out)),
        vec![(
            "meetso-live-key".into(),
            "src/app.txt".into(),
            1,
            "worktree".into()
        )]
    );
}

#[test]
fn an_unknown_config_key_exits_2_naming_the_key_and_line() {
    let sb = Sandbox::new();
    let repo = sb.repo("repo");
    write(
        &repo,
        ".keyhound.toml",
        "disable = []\nallow_paths = []\nmax_filesize = 1000\n",
    );
    let out = sb.keyhound(&repo, &["scan", "--no-history"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stdout}{stderr}");
    assert!(stderr.contains(".keyhound.toml:3"), "{stderr}");
    assert!(stderr.contains("max_filesize"), "{stderr}");
    assert!(stdout.is_empty(), "no report on a config error: {stdout}");
}

#[test]
fn bash_completion_registers_and_knows_the_subcommands() {
    let sb = Sandbox::new();
    let out = sb
        .command("bash", sb.path())
        .args([
            "-c",
            "eval \"$(keyhound completions bash)\" && complete -p keyhound",
        ])
        .output()
        .expect("bash runs");
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(
        stdout.trim_end().ends_with("-F _keyhound keyhound"),
        "{stdout}"
    );
    let script = text(&sb.keyhound(sb.path(), &["completions", "bash"])).0;
    for word in [
        "hook",
        "install",
        "uninstall",
        "--baseline-out",
        "--pre-receive",
    ] {
        assert!(script.contains(word), "bash completion lacks {word}");
    }
    let zsh = text(&sb.keyhound(sb.path(), &["completions", "zsh"])).0;
    assert!(
        zsh.starts_with("#compdef keyhound"),
        "{}",
        &zsh[..zsh.len().min(80)]
    );
}

#[test]
fn the_man_page_is_roff_for_keyhound() {
    let sb = Sandbox::new();
    let out = sb.keyhound(sb.path(), &["man"]);
    let (page, _) = text(&out);
    assert!(out.status.success());
    assert!(page.contains(".TH keyhound 1"), "{page}");
    assert!(page.contains(".SH NAME"));
    assert!(page.contains("completions"), "subcommands are listed");
}

#[test]
fn gitleaks_redact_is_an_accepted_no_op_and_output_stays_redacted() {
    let sb = Sandbox::new();
    let repo = sb.repo("repo");
    write(&repo, "app.env", &format!("MEETSO_KEY={}\n", key_a()));
    for flag in ["--redact", "--redact=20"] {
        let out = sb.keyhound(&repo, &["scan", "--no-history", flag, "--format", "json"]);
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(1), "{flag}: {stdout}{stderr}");
        assert!(!stdout.contains(&key_a()), "{flag} printed the secret");
        assert_eq!(
            findings(&json(&out)),
            vec![(
                "meetso-live-key".into(),
                "app.env".into(),
                1,
                "worktree".into()
            )]
        );
    }
    let both = sb.keyhound(
        &repo,
        &["scan", "--no-history", "--redact", "--show-secrets"],
    );
    assert_eq!(
        both.status.code(),
        Some(2),
        "contradictory flags are refused"
    );
}

#[test]
fn every_man_page_the_top_page_references_exists_and_scan_lists_its_options() {
    let sb = Sandbox::new();
    let dir = sb.path().join("man");
    let out = sb.keyhound(sb.path(), &["man", "--dir", dir.to_str().expect("utf-8")]);
    assert!(out.status.success(), "{:?}", text(&out));
    let top = std::fs::read_to_string(dir.join("keyhound.1")).expect("keyhound.1");
    let referenced: Vec<&str> = [
        "scan",
        "hook",
        "rules",
        "gitignore-doctor",
        "verify",
        "revoke",
    ]
    .into_iter()
    .filter(|s| top.contains(&format!("keyhound\\-{}(1)", s.replace('-', "\\-"))))
    .collect();
    assert_eq!(referenced.len(), 6, "top page references: {top}");
    for sub in referenced {
        assert!(
            dir.join(format!("keyhound-{sub}.1")).is_file(),
            "keyhound-{sub}.1 missing"
        );
    }
    assert!(dir.join("keyhound-hook-install.1").is_file());
    let scan = std::fs::read_to_string(dir.join("keyhound-scan.1")).expect("keyhound-scan.1");
    let help = text(&sb.keyhound(sb.path(), &["scan", "--help"])).0;
    let flags: Vec<String> = help
        .split_whitespace()
        .filter(|w| w.starts_with("--") && w.len() > 2)
        .map(|w| {
            w.chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect::<String>()
        })
        .filter(|w| w.len() > 2)
        .collect();
    assert!(flags.len() > 20, "{flags:?}");
    for flag in flags {
        assert!(
            scan.contains(&flag.replace('-', "\\-")),
            "keyhound-scan.1 lacks {flag}"
        );
    }
}
