//! The `.env` exposure audit end to end: real repositories built with the git CLI, the
//! keyhound binary, and the real `git check-ignore` as the judge of every cause the doctor
//! claims — the file is not ignored as committed, and applying the doctor's fix (and running
//! its commands) makes git ignore and untrack it.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// An obviously fake, generated Meetso key (mixed case and digits, as the rule wants).
fn fake_key() -> String {
    let mut rng = fastrand::Rng::with_seed(7);
    let body: String = (0..29).map(|_| rng.alphanumeric()).collect();
    format!("mts_live_Fk3{body}")
}

/// A throwaway repository with an isolated git configuration.
struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    fn new() -> Repo {
        let repo = Repo {
            dir: tempfile::tempdir().expect("tempdir"),
        };
        std::fs::create_dir_all(repo.home()).expect("home");
        repo.git(&["-c", "init.defaultBranch=main", "init", "-q", "."]);
        repo
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn home(&self) -> PathBuf {
        self.path().join(".home-outside-repo")
    }

    fn isolate(&self, cmd: &mut Command) {
        cmd.current_dir(self.path())
            .env("HOME", self.home())
            .env_remove("XDG_CONFIG_HOME")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "Dev One")
            .env("GIT_AUTHOR_EMAIL", "dev@example.invalid")
            .env("GIT_COMMITTER_NAME", "Dev One")
            .env("GIT_COMMITTER_EMAIL", "dev@example.invalid")
            .env("GIT_AUTHOR_DATE", "2024-05-01T10:00:00+00:00")
            .env("GIT_COMMITTER_DATE", "2024-05-01T10:00:00+00:00")
            .env("NO_COLOR", "1");
    }

    fn run_git(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new("git");
        cmd.args(["-c", "commit.gpgsign=false"]).args(args);
        self.isolate(&mut cmd);
        cmd.output().expect("git runs")
    }

    fn git(&self, args: &[&str]) -> String {
        let out = self.run_git(args);
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn write(&self, rel: &str, data: impl AsRef<[u8]>) {
        let path = self.path().join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(path, data).expect("write");
    }

    /// Force-adds and commits these paths (force, so an env file lands even when ignored).
    fn commit(&self, paths: &[&str], message: &str) {
        let mut args = vec!["add", "-f", "--"];
        args.extend(paths);
        self.git(&args);
        self.git(&["commit", "-q", "-m", message]);
    }

    /// What the real git says: is `rel` ignored by the ignore rules (index not consulted)?
    fn git_ignores(&self, rel: &str) -> bool {
        let out = self.run_git(&["check-ignore", "--no-index", "-q", "--", rel]);
        match out.status.code() {
            Some(0) => true,
            Some(1) => false,
            other => panic!(
                "check-ignore failed ({other:?}): {}",
                String::from_utf8_lossy(&out.stderr)
            ),
        }
    }

    fn tracked(&self, rel: &str) -> bool {
        !self.git(&["ls-files", "--", rel]).trim().is_empty()
    }

    fn keyhound(&self, args: &[&str]) -> (i32, String) {
        let (code, stdout, stderr) = self.keyhound_streams(args);
        (code, stdout + &stderr)
    }

    /// Exit code, stdout and stderr.
    fn keyhound_streams(&self, args: &[&str]) -> (i32, String, String) {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_keyhound"));
        cmd.args(args);
        self.isolate(&mut cmd);
        let out = cmd.output().expect("keyhound runs");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// The JSON report on stdout (warnings, such as a skipped oversized file, go to stderr).
    fn json(&self, args: &[&str]) -> (i32, Value) {
        let mut full = args.to_vec();
        full.extend(["--format", "json"]);
        let (code, out, err) = self.keyhound_streams(&full);
        let json = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
        (code, json)
    }

    /// The findings of `keyhound scan --format json` with this rule.
    /// Findings of `rule` in the work tree and index (history keeps a fixed file forever:
    /// that is reported too, and tested in tests/git_dotenv.rs).
    fn scan_rule(&self, rule: &str) -> Vec<Value> {
        let (_, json) = self.json(&["scan", "--no-history", "."]);
        rule_findings(&json, rule)
    }

    /// The single `dotenv-committed` finding's diagnosis for `rel`.
    fn diagnosis(&self, rel: &str) -> Value {
        let found = self.scan_rule("dotenv-committed");
        let paths: Vec<&str> = found.iter().filter_map(|f| f["path"].as_str()).collect();
        assert_eq!(paths, vec![rel], "dotenv-committed findings");
        found[0]["gitignore"].clone()
    }

    /// Replaces 1-based line `n` of `file`, keeping the other lines' bytes.
    fn replace_line(&self, file: &str, n: usize, text: &str) {
        let old = std::fs::read(self.path().join(file)).expect("read");
        let mut lines: Vec<Vec<u8>> = old.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
        lines[n - 1] = text.as_bytes().to_vec();
        self.write(file, lines.join(&b'\n'));
    }

    /// Runs the diagnosis' commands in a shell, as a user would paste them.
    fn run_commands(&self, diagnosis: &Value) {
        for c in diagnosis["commands"].as_array().expect("commands") {
            let mut cmd = Command::new("sh");
            cmd.args(["-c", c.as_str().expect("command")]);
            self.isolate(&mut cmd);
            let out = cmd.output().expect("sh runs");
            assert!(
                out.status.success(),
                "{c}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

/// A repository where an env file holding a fake key is committed at `env_path` next to
/// `files`, and the real git does not ignore it; with the env file's diagnosis.
fn env_committed_with(files: &[(&str, &str)], env_path: &str) -> (Repo, Value) {
    let repo = Repo::new();
    let env = env_file(&fake_key());
    let mut paths = vec![env_path];
    repo.write(env_path, &env);
    for (path, text) in files {
        repo.write(path, text);
        // Files inside .git (info/exclude) are configuration, not content.
        if !path.starts_with(".git/") {
            paths.push(path);
        }
    }
    repo.commit(&paths, "add config");
    assert!(
        !repo.git_ignores(env_path),
        "git must not ignore {env_path}"
    );
    let d = repo.diagnosis(env_path);
    (repo, d)
}

fn rule_findings(json: &Value, rule: &str) -> Vec<Value> {
    json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == rule)
        .cloned()
        .collect()
}

fn env_file(key: &str) -> String {
    format!("MEETSO_API_KEY={key}\nPORT=3000\n")
}

/// Asserts file, line, pattern and fix of a diagnosis.
fn assert_blames(d: &Value, file: &str, line: u64, pattern: &str, fix: &str) {
    assert_eq!(d["file"], file, "{d:#}");
    assert_eq!(d["line"], line, "{d:#}");
    assert_eq!(d["pattern"], pattern, "{d:#}");
    assert_eq!(d["fix"], fix, "{d:#}");
}

/// One committed env file whose only ignore rule is a near miss: git does not ignore it;
/// the doctor names the line; replacing the line with the doctor's correction makes git
/// ignore it, and the doctor's commands untrack it.
fn near_miss_case(
    gitignore: &str,
    env_path: &str,
    line: u64,
    pattern: &str,
    corrected: &str,
    problem: &str,
) {
    let (repo, d) = env_committed_with(&[(".gitignore", gitignore)], env_path);
    let fix = format!("change line {line} of .gitignore to `{corrected}`");
    assert_blames(&d, ".gitignore", line, pattern, &fix);
    assert!(
        d["problem"].as_str().is_some_and(|p| p.contains(problem)),
        "{d:#}"
    );
    let usize_line = usize::try_from(line).expect("line");
    repo.replace_line(".gitignore", usize_line, corrected);
    assert!(
        repo.git_ignores(env_path),
        "the fix must make git ignore {env_path}"
    );
    repo.run_commands(&d);
    assert!(
        !repo.tracked(env_path),
        "the commands must untrack {env_path}"
    );
    assert_eq!(repo.scan_rule("dotenv-committed"), Vec::<Value>::new());
}

#[test]
fn typo_transposed_letters() {
    near_miss_case(
        "node_modules/\n.evn\n",
        ".env",
        2,
        ".evn",
        ".env",
        "two letters swapped",
    );
}

#[test]
fn typo_missing_dot() {
    near_miss_case("env\n", "api/.env", 1, "env", ".env", "a character missing");
}

#[test]
fn typo_trailing_dot() {
    near_miss_case(
        "dist\n.env.\n",
        ".env",
        2,
        ".env.",
        ".env",
        "an extra character",
    );
}

#[test]
fn wrong_case_on_case_sensitive_git() {
    near_miss_case(".ENV\n", ".env", 1, ".ENV", ".env", "case-sensitively");
}

#[test]
fn trailing_tab() {
    near_miss_case(".env\t\n", ".env", 1, ".env<TAB>", ".env", "ends in a tab");
}

#[test]
fn escaped_trailing_space() {
    near_miss_case(
        ".env\\ \n",
        ".env",
        1,
        ".env\\ ",
        ".env",
        "ends in an escaped space",
    );
}

#[test]
fn non_breaking_space() {
    near_miss_case(
        ".env\u{a0}\n",
        ".env",
        1,
        ".env<U+00A0>",
        ".env",
        "non-breaking space (U+00A0)",
    );
}

#[test]
fn zero_width_space() {
    near_miss_case(
        ".env\u{200b}\n",
        "api/.env",
        1,
        ".env<U+200B>",
        ".env",
        "zero-width space (U+200B)",
    );
}

#[test]
fn anchored_pattern_in_the_wrong_place() {
    near_miss_case(
        "/.env\n",
        "api/.env",
        1,
        "/.env",
        ".env",
        "anchors it to the repository root",
    );
}

#[test]
fn directory_only_pattern() {
    near_miss_case(".env/\n", ".env", 1, ".env/", ".env", "only directories");
}

#[test]
fn star_env_does_not_cover_dot_env_local() {
    let (repo, d) = env_committed_with(&[(".gitignore", "*.env\n")], ".env.local");
    assert_blames(&d, ".gitignore", 1, "*.env", "add `.env.*` to .gitignore");
    assert_eq!(
        d["problem"],
        "`*.env` (.gitignore:1) only matches names ending in `.env`, and no other rule ignores `.env.local`."
    );
    repo.write(".gitignore", "*.env\n.env.*\n");
    assert!(repo.git_ignores(".env.local"));
}

/// Git forgives plain trailing spaces, CRLF and a leading BOM: an untracked `.env` is ignored
/// and keyhound stays silent; a tracked one is blamed on being committed, never on them.
#[test]
fn forgiven_whitespace_is_never_blamed() {
    for (what, text) in [
        ("trailing spaces", &b".env   \n"[..]),
        ("CRLF", b"node_modules\r\n.env\r\n"),
        ("BOM", b"\xEF\xBB\xBF.env\n"),
    ] {
        let repo = Repo::new();
        repo.write(".gitignore", text);
        repo.commit(&[".gitignore"], "ignore env");
        repo.write(".env", env_file(&fake_key()));
        assert!(repo.git_ignores(".env"), "{what}: git ignores .env");
        let (code, json) = repo.json(&["scan", "."]);
        assert_eq!(json["findings"], Value::Array(Vec::new()), "{what}");
        assert_eq!(code, 0, "{what}");
        let (code, out) = repo.keyhound(&["gitignore-doctor", "--color", "never"]);
        assert_eq!(code, 0, "{what}: {out}");
        assert!(
            out.contains("no env file is tracked, and git would ignore a new .env"),
            "{out}"
        );

        repo.commit(&[".env"], "oops");
        let d = repo.diagnosis(".env");
        let line = if what == "CRLF" { 2 } else { 1 };
        assert_eq!(d["line"], line, "{what}");
        let problem = d["problem"].as_str().expect("problem");
        assert!(
            problem.contains("committed before this line was added"),
            "{what}: {problem}"
        );
        for blame in ["space", "CR", "BOM", "U+", "tab"] {
            assert!(
                !problem.contains(blame),
                "{what}: blames {blame}: {problem}"
            );
        }
    }
}

#[test]
fn committed_before_the_ignore_line() {
    let repo = Repo::new();
    repo.write(".env", env_file(&fake_key()));
    repo.commit(&[".env"], "add env");
    repo.write(".gitignore", "node_modules\n.env\n");
    repo.commit(&[".gitignore"], "ignore env");
    assert!(repo.git_ignores(".env"), "the rule matches");
    assert!(repo.tracked(".env"), "but the file stays tracked");
    let d = repo.diagnosis(".env");
    assert_blames(
        &d,
        ".gitignore",
        2,
        ".env",
        "keep line 2 of .gitignore (`.env`) and untrack the file",
    );
    assert_eq!(
        d["commands"],
        serde_json::json!([
            "git rm --cached -- .env",
            "git commit -m 'Stop tracking .env'"
        ])
    );
    repo.run_commands(&d);
    assert!(!repo.tracked(".env"));
    assert!(repo.path().join(".env").exists(), "the file stays on disk");
    assert_eq!(repo.scan_rule("dotenv-committed"), Vec::<Value>::new());
}

/// The file walk skips a tracked file its ignore rules match; the audit still reports the
/// secret inside, linked to the file.
#[test]
fn secrets_in_an_ignored_tracked_env_file_are_reported() {
    let repo = Repo::new();
    repo.write(".env", env_file(&fake_key()));
    repo.commit(&[".env"], "add env");
    repo.write(".gitignore", ".env\n");
    repo.commit(&[".gitignore"], "ignore env");
    let (code, json) = repo.json(&["scan", "."]);
    assert_eq!(code, 1);
    let rules: Vec<(&str, &str, u64, u64)> = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or(""),
                f["path"].as_str().unwrap_or(""),
                f["line"].as_u64().unwrap_or(0),
                f["column"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        rules,
        vec![
            ("dotenv-committed", ".env", 1, 1),
            ("meetso-live-key", ".env", 1, 16)
        ]
    );
    assert_eq!(
        rule_findings(&json, "dotenv-committed")[0]["severity"],
        "critical"
    );
}

#[test]
fn negation_re_includes_the_file() {
    let (repo, d) = env_committed_with(&[(".gitignore", ".env\nlogs/\n!.env\n")], ".env");
    assert_blames(
        &d,
        ".gitignore",
        3,
        "!.env",
        "delete line 3 of .gitignore (`!.env`)",
    );
    assert_eq!(
        d["problem"],
        "`!.env` re-includes `.env` after `.env` (.gitignore:1) ignored it: the last matching rule wins."
    );
    repo.write(".gitignore", ".env\nlogs/\n");
    assert!(repo.git_ignores(".env"));
}

#[test]
fn deeper_ignore_file_overrides_the_root_rule() {
    let files = [
        (".gitignore", ".env\n"),
        ("api/.gitignore", "# api settings\n!.env\n"),
    ];
    let (repo, d) = env_committed_with(&files, "api/.env");
    assert!(
        repo.git_ignores(".env"),
        "the root rule still works at the root"
    );
    assert_blames(
        &d,
        "api/.gitignore",
        2,
        "!.env",
        "delete line 2 of api/.gitignore (`!.env`)",
    );
    assert!(
        d["problem"]
            .as_str()
            .is_some_and(|p| p.contains("after `.env` (.gitignore:1)")),
        "{d:#}"
    );
    repo.write("api/.gitignore", "# api settings\n");
    assert!(repo.git_ignores("api/.env"));
}

#[test]
fn misnamed_ignore_files() {
    for (name, dir) in [
        (".gitingore", ""),
        (".gitignore.txt", "api"),
        ("gitignore", ""),
    ] {
        let repo = Repo::new();
        let misnamed = if dir.is_empty() {
            name.to_string()
        } else {
            format!("{dir}/{name}")
        };
        let target = if dir.is_empty() {
            ".gitignore".to_string()
        } else {
            format!("{dir}/.gitignore")
        };
        let env = if dir.is_empty() {
            ".env".to_string()
        } else {
            format!("{dir}/.env")
        };
        repo.write(&misnamed, "node_modules\n.env\n");
        repo.write(&env, env_file(&fake_key()));
        repo.commit(&[&misnamed, &env], "add config");
        assert!(!repo.git_ignores(&env), "{name}: git never reads it");
        let d = repo.diagnosis(&env);
        assert_blames(
            &d,
            &misnamed,
            2,
            ".env",
            &format!("rename {misnamed} to {target}"),
        );
        assert!(
            d["problem"]
                .as_str()
                .is_some_and(|p| p.starts_with(&format!("git never reads `{misnamed}`"))),
            "{d:#}"
        );
        repo.run_commands(&d);
        assert!(repo.git_ignores(&env), "{name}: renamed, git reads it");
        assert!(!repo.tracked(&env));
    }
}

#[test]
fn no_ignore_rule_at_all() {
    let files = [(".gitignore", "node_modules/\n*.log\n")];
    let (repo, d) = env_committed_with(&files, "deploy/prod.env");
    assert_eq!(d["file"], Value::Null);
    assert_eq!(d["line"], Value::Null);
    assert_eq!(d["pattern"], Value::Null);
    assert_eq!(d["fix"], "add `*.env` to .gitignore");
    assert_eq!(
        d["problem"],
        "no rule in .gitignore matches `deploy/prod.env`."
    );
    repo.write(".gitignore", "node_modules/\n*.log\n*.env\n");
    assert!(repo.git_ignores("deploy/prod.env"));
}

#[test]
fn near_miss_in_info_exclude_is_named() {
    let files = [(".git/info/exclude", "# local\n.evn\n")];
    let (_repo, d) = env_committed_with(&files, ".env");
    assert_blames(
        &d,
        ".git/info/exclude",
        2,
        ".evn",
        "change line 2 of .git/info/exclude to `.env`",
    );
    assert_eq!(
        d["commands"],
        serde_json::json!([
            "git rm --cached -- .env",
            "git commit -m 'Stop tracking .env'"
        ]),
        "info/exclude is not committed, so no `git add`"
    );
}

#[test]
fn core_excludes_file_counts_like_git() {
    let repo = Repo::new();
    let global = repo.home().join("global-ignore");
    std::fs::write(&global, ".env\n").expect("write");
    repo.git(&[
        "config",
        "--global",
        "core.excludesFile",
        global.to_str().expect("utf-8"),
    ]);
    repo.write(".env", env_file(&fake_key()));
    assert!(repo.git_ignores(".env"));
    let (code, json) = repo.json(&["scan", "."]);
    assert_eq!(
        (code, json["findings"].clone()),
        (0, Value::Array(Vec::new()))
    );
    let (code, _) = repo.keyhound(&["gitignore-doctor"]);
    assert_eq!(code, 0);
}

#[test]
fn negatives_stay_silent() {
    let repo = Repo::new();
    repo.write(".gitignore", ".env\n");
    repo.write(
        ".env.example",
        "MEETSO_API_KEY=your-meetso-key-here\nPORT=3000\n",
    );
    repo.write("config/.env.sample", "MEETSO_API_KEY=\n");
    repo.write("env/settings.py", "DEBUG = True\n");
    repo.write("environment.py", "import os\n");
    repo.commit(
        &[
            ".gitignore",
            ".env.example",
            "config/.env.sample",
            "env/settings.py",
            "environment.py",
        ],
        "init",
    );
    repo.write(".env", env_file(&fake_key()));
    assert!(repo.git_ignores(".env"));
    let (code, json) = repo.json(&["scan", "."]);
    assert_eq!(json["findings"], Value::Array(Vec::new()));
    assert_eq!(code, 0);
}

#[test]
fn template_with_a_real_key_is_critical_without_gitignore_advice() {
    let repo = Repo::new();
    repo.write(".gitignore", ".env\n");
    repo.write(".env.example", env_file(&fake_key()));
    repo.commit(&[".gitignore", ".env.example"], "init");
    let found = repo.scan_rule("dotenv-committed");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["path"], ".env.example");
    assert_eq!(found[0]["severity"], "critical");
    assert_eq!(found[0].get("gitignore"), None);
    assert_eq!(repo.scan_rule("meetso-live-key").len(), 1);
}

#[test]
fn env_file_without_a_key_is_high_when_it_holds_a_credential_and_low_otherwise() {
    let repo = Repo::new();
    repo.write(".envrc", "export AWS_PROFILE=dev\nuse flake\n");
    repo.write("db/.env", "PORT=5432\nPOSTGRES_PASSWORD=cuecard-db-2024\n");
    repo.commit(&[".envrc", "db/.env"], "env files");
    let found = repo.scan_rule("dotenv-committed");
    let summary: Vec<(&str, &str)> = found
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap_or(""),
                f["severity"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(summary, vec![(".envrc", "low"), ("db/.env", "high")]);
    assert_eq!(found[0]["gitignore"]["fix"], "add `.envrc` to .gitignore");
    let detail = found[1]["detail"].as_str().unwrap_or("");
    assert!(
        detail.contains("`POSTGRES_PASSWORD` looks like a credential"),
        "{detail}"
    );
    assert!(
        !detail.contains("cuecard"),
        "the value never appears: {detail}"
    );
}

#[test]
fn an_env_file_too_large_to_read_is_still_reported() {
    let repo = Repo::new();
    let line = "LOG_LINE=padding-padding-padding-padding-padding-padding-padding\n";
    repo.write(".env", line.repeat(11 * 1024 * 1024 / line.len()));
    repo.commit(&[".env"], "huge env");
    let found = repo.scan_rule("dotenv-committed");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["severity"], "high");
    assert!(found[0]["detail"]
        .as_str()
        .is_some_and(|d| d.starts_with("too large to read")));
}

#[test]
fn create_react_app_gitignore_lines_are_not_typos_of_env() {
    let repo = Repo::new();
    repo.write(
        ".gitignore",
        "# dependencies\n/node_modules\n/.pnp\n.pnp.js\n",
    );
    repo.write(".env", "SKIP_PREFLIGHT_CHECK=true\n");
    repo.commit(&[".gitignore", ".env"], "create-react-app");
    let found = repo.scan_rule("dotenv-committed");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["severity"], "low");
    assert_eq!(found[0]["gitignore"]["line"], Value::Null);
    assert_eq!(
        found[0]["gitignore"]["problem"],
        "no rule in .gitignore matches `.env`."
    );
    assert_eq!(found[0]["gitignore"]["fix"], "add `.env` to .gitignore");
}

#[test]
fn env_named_files_without_assignments_are_not_env_files() {
    let repo = Repo::new();
    repo.write(".envrc", "use flake\n");
    repo.write(
        "packages/TPF/maketpf.env_curl",
        "ROOTLIBDIRS := $(foreach d,$(TPF_ROOT),$d/lib)\nCFLAGS_$(APP) += -D TPF\n",
    );
    repo.commit(&[".envrc", "packages/TPF/maketpf.env_curl"], "build files");
    assert_eq!(repo.scan_rule("dotenv-committed"), Vec::<Value>::new());
}

#[test]
fn human_report_shows_the_diagnosis() {
    let repo = Repo::new();
    let key = fake_key();
    repo.write(".gitignore", "node_modules\n.evn\n");
    repo.write("api/.env", env_file(&key));
    repo.commit(&[".gitignore", "api/.env"], "add api");
    let (code, out) = repo.keyhound(&["scan", ".", "--color", "never"]);
    let redacted = format!("mts_live_Fk…{}", &key[key.len() - 2..]);
    assert!(
        out.lines()
            .any(|l| l.contains("meetso-live-key") && l.contains(&redacted)),
        "the secret inside is reported on its own: {out}"
    );
    assert_eq!(code, 1);
    let block: Vec<&str> = out
        .lines()
        .skip_while(|l| !l.contains("dotenv-committed"))
        .take(7)
        .map(str::trim)
        .collect();
    assert!(block[0].contains("CRITICAL  dotenv-committed"), "{out}");
    assert!(
        block[0].contains("rotate it: git history keeps it"),
        "{out}"
    );
    assert_eq!(
        block[1..],
        [
            ".gitignore:2  `.evn`",
            "problem `.evn` is a typo of `.env` (two letters swapped), so it never matches `api/.env`.",
            "fix     change line 2 of .gitignore to `.env`",
            "run     git rm --cached -- api/.env",
            "git add -- .gitignore",
            "git commit -m 'Stop tracking api/.env'",
        ],
        "{out}"
    );
}

#[test]
fn doctor_warns_about_a_future_env_and_exits_one() {
    let repo = Repo::new();
    repo.write(".gitignore", "target/\n.evn\n");
    repo.write("web/.gitignore", "/.env\n");
    repo.commit(&[".gitignore", "web/.gitignore"], "init");
    let (code, json) = repo.json(&["gitignore-doctor"]);
    assert_eq!(code, 1);
    let gaps: Vec<(String, u64, String)> = rule_findings(&json, "gitignore-gap")
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap_or("").to_string(),
                f["line"].as_u64().unwrap_or(0),
                f["gitignore"]["fix"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(
        gaps,
        vec![(
            ".gitignore".to_string(),
            2,
            "change line 2 of .gitignore to `.env`".to_string()
        )],
        "web/.gitignore's `/.env` covers web/.env, so only the root line is a gap"
    );
    assert!(!repo.git_ignores(".env"));
    assert!(repo.git_ignores("web/.env"));
    assert_eq!(
        rule_findings(&json, "dotenv-committed"),
        Vec::<Value>::new()
    );

    repo.write(".gitignore", "target/\n.env\n");
    let (code, out) = repo.keyhound(&["gitignore-doctor", ".", "--color", "never"]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn doctor_reports_tracked_env_files_only() {
    let repo = Repo::new();
    repo.write(".gitignore", ".env\n");
    repo.write("svc/.env.production", env_file(&fake_key()));
    repo.commit(&[".gitignore", "svc/.env.production"], "init");
    let (code, json) = repo.json(&["gitignore-doctor"]);
    assert_eq!(code, 1);
    let found = json["findings"].as_array().expect("findings");
    assert_eq!(found.len(), 1, "{json:#}");
    assert_eq!(found[0]["rule"], "dotenv-committed");
    assert_eq!(found[0]["path"], "svc/.env.production");
    assert_eq!(found[0]["gitignore"]["fix"], "add `.env.*` to .gitignore");
}

#[test]
fn doctor_outside_a_repository_is_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = Command::new(env!("CARGO_BIN_EXE_keyhound"))
        .args(["gitignore-doctor", dir.path().to_str().expect("utf-8")])
        .env(
            "GIT_CEILING_DIRECTORIES",
            dir.path().parent().expect("parent"),
        )
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not inside a git working tree"));
}

#[test]
fn rule_metadata_is_listed_and_in_sarif() {
    let repo = Repo::new();
    let (code, out) = repo.keyhound(&["rules", "list"]);
    assert_eq!(code, 0);
    assert!(
        out.lines()
            .any(|l| l.starts_with("dotenv-committed") && l.contains("high")),
        "{out}"
    );
    assert!(out.lines().any(|l| l.starts_with("gitignore-gap")), "{out}");
    repo.write(".env", "X=1\n");
    repo.commit(&[".env"], "env");
    let (_, sarif) = {
        let (code, out) = repo.keyhound(&["scan", ".", "--format", "sarif"]);
        (code, serde_json::from_str::<Value>(&out).expect("sarif"))
    };
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    let index = rules
        .iter()
        .position(|r| r["id"] == "dotenv-committed")
        .expect("rule listed");
    assert_eq!(run["results"][0]["ruleId"], "dotenv-committed");
    assert_eq!(run["results"][0]["ruleIndex"], index);
}

/// History and `--staged` feed historical `.gitignore` blobs: the doctor works on a tree.
#[test]
fn diagnosis_from_a_historical_tree() {
    let repo = Repo::new();
    repo.write(".gitignore", ".evn\n");
    repo.write("api/.env", "X=1\n");
    repo.commit(&[".gitignore", "api/.env"], "first");
    repo.write(".gitignore", ".env\n");
    repo.write("api/.gitignore", "!.env\n");
    repo.commit(&[".gitignore", "api/.gitignore"], "second");
    let git = gix::open(repo.path()).expect("open");
    let ignores = keyhound::dotenv::RepoIgnores::open(&git);
    let first = repo.git(&["rev-parse", "HEAD~1^{tree}"]);
    let second = repo.git(&["rev-parse", "HEAD^{tree}"]);
    let tree = |hex: &str| {
        let id = gix::ObjectId::from_hex(hex.trim().as_bytes()).expect("hex");
        git.find_tree(id).expect("tree")
    };
    let d = keyhound::dotenv::diagnose(&ignores.tree(&tree(&first), "api/.env"), "api/.env");
    assert_eq!(
        (d.file.as_deref(), d.line, d.pattern.as_deref()),
        (Some(".gitignore"), Some(1), Some(".evn"))
    );
    let d = keyhound::dotenv::diagnose(&ignores.tree(&tree(&second), "api/.env"), "api/.env");
    assert_eq!(
        (d.file.as_deref(), d.line, d.pattern.as_deref()),
        (Some("api/.gitignore"), Some(1), Some("!.env"))
    );
    assert_eq!(d.fix, "delete line 1 of api/.gitignore (`!.env`)");
}

#[test]
fn near_miss_in_the_default_global_ignore_file() {
    let repo = Repo::new();
    let global = repo.home().join(".config/git/ignore");
    std::fs::create_dir_all(global.parent().expect("parent")).expect("mkdir");
    std::fs::write(&global, "*.swp\n.evn\n").expect("write");
    repo.write(".env", env_file(&fake_key()));
    repo.commit(&[".env"], "add env");
    assert!(!repo.git_ignores(".env"));
    let d = repo.diagnosis(".env");
    let name = global.display().to_string();
    assert_blames(
        &d,
        &name,
        2,
        ".evn",
        &format!("change line 2 of {name} to `.env`"),
    );
    std::fs::write(&global, "*.swp\n.env\n").expect("write");
    assert!(repo.git_ignores(".env"), "git reads the same file");
}

/// Differential check of the ignore engine against the real git: random ignore files drawn
/// from tricky lines (near misses, invisible characters, anchors, negations, directories,
/// CRLF) in three sources, and every env path judged by both.
#[test]
fn ignore_engine_agrees_with_git_check_ignore() {
    const LINES: &[&str] = &[
        ".env",
        ".evn",
        "/.env",
        "api/.env",
        "*.env",
        ".env*",
        ".env.*",
        "!.env",
        "!.env.local",
        "api/",
        "!api/",
        "env",
        ".ENV",
        ".env\t",
        ".env\\ ",
        ".env   ",
        "**/.env",
        "api/**",
        "!api/**/.env",
        ".env/",
        "*",
        "!*.local",
        "\\!.env",
        "#.env",
        ".env\u{a0}",
        "sub/",
        "!sub/.env",
        "/api/sub/",
        ".env.\r",
        "[.]env",
        ".e?v",
        "\u{feff}.env",
    ];
    const PATHS: &[&str] = &[
        ".env",
        ".env.local",
        "api/.env",
        "api/.env.local",
        "api/sub/.env",
        "web/.env",
        "prod.env",
        "api/prod.env",
    ];
    let repo = Repo::new();
    for p in PATHS {
        repo.write(p, "X=1\n");
    }
    let mut rng = fastrand::Rng::with_seed(42);
    let mut pick = |n: usize| -> String {
        let lines: Vec<&str> = (0..n).map(|_| LINES[rng.usize(..LINES.len())]).collect();
        let eol = if rng.bool() { "\n" } else { "\r\n" };
        lines.join(eol) + eol
    };
    let git = gix::open(repo.path()).expect("open");
    for round in 0..60 {
        let files = [
            (".gitignore", pick(3)),
            ("api/.gitignore", pick(2)),
            (".git/info/exclude", pick(1)),
        ];
        let write_all = || {
            for (path, text) in &files {
                repo.write(path, text);
            }
        };
        write_all();
        let ignores = keyhound::dotenv::RepoIgnores::open(&git);
        for path in PATHS {
            let sources = ignores.worktree(repo.path(), path);
            let ours = keyhound::dotenv::ignore::is_ignored(&sources, path);
            assert_eq!(
                ours,
                repo.git_ignores(path),
                "round {round}, {path}: {files:?}"
            );
            if !ours {
                follow_fixes(&repo, &ignores, path);
                write_all();
            }
        }
    }
}

/// Applies the doctor's fixes for `path` one after the other, as a user would edit the
/// files; git must ignore the file within three fixes.
fn follow_fixes(repo: &Repo, ignores: &keyhound::dotenv::RepoIgnores, path: &str) {
    let mut applied = Vec::new();
    for _ in 0..3 {
        let d = keyhound::dotenv::diagnose(&ignores.worktree(repo.path(), path), path);
        let fix = d.fix.clone();
        let quoted = fix.split('`').nth(1).unwrap_or_default().to_string();
        if let Some(rest) = fix.strip_prefix("add `") {
            let file = rest.rsplit(" to ").next().expect("file");
            let old = std::fs::read(repo.path().join(file)).unwrap_or_default();
            let mut text = old.clone();
            if !text.is_empty() && !text.ends_with(b"\n") {
                text.push(b'\n');
            }
            text.extend_from_slice(format!("{quoted}\n").as_bytes());
            repo.write(file, text);
        } else if fix.starts_with("change line ") || fix.starts_with("delete line ") {
            let mut words = fix.split(' ');
            let n: usize = words.nth(2).and_then(|w| w.parse().ok()).expect("line");
            let file = words.nth(1).expect("file");
            let replacement = if fix.starts_with("delete") {
                ""
            } else {
                &quoted
            };
            repo.replace_line(file, n, replacement);
        } else {
            panic!("{path}: unexpected fix {fix:?}");
        }
        applied.push(fix);
        if repo.git_ignores(path) {
            return;
        }
    }
    panic!("{path}: git still does not ignore it after {applied:?}");
}

#[test]
fn doctor_in_a_repository_without_any_ignore_file_says_so_and_writes_to_a_file() {
    let repo = Repo::new();
    repo.write(".env", env_file(&fake_key()));
    repo.commit(&[".env"], "init");
    let out_file = repo.path().join("doctor.json");
    let out_arg = out_file.to_str().expect("utf-8");
    let (code, stdout) = repo.keyhound(&["gitignore-doctor", "-f", "json", "-o", out_arg]);
    assert_eq!(code, 1, "{stdout}");
    assert_eq!(stdout, "", "the report goes to the file, not stdout");
    let json: Value =
        serde_json::from_slice(&std::fs::read(&out_file).expect("report file")).expect("JSON");
    let found = rule_findings(&json, "dotenv-committed");
    assert_eq!(found.len(), 1, "{json:#}");
    assert_eq!(found[0]["path"], ".env");
    let problem = found[0]["gitignore"]["problem"].as_str().expect("problem");
    assert_eq!(
        problem,
        "this repository has no ignore rules at all (no .gitignore, nothing in .git/info/exclude or core.excludesFile), so nothing keeps `.env` out of git."
    );
    assert!(
        !problem.contains("no rule in .git/info/exclude"),
        "{problem}"
    );
    assert_eq!(found[0]["gitignore"]["fix"], "add `.env` to .gitignore");
}

/// The diagnosis of `rel` in every place the doctor's verdict is shown: `keyhound scan`
/// (work tree and index), `keyhound gitignore-doctor`, and the history scan (against the
/// tree of the commit that added it). All three must agree.
fn diagnoses_everywhere(repo: &Repo, rel: &str) -> Value {
    let scan = repo.diagnosis(rel);
    let (_, doctor) = repo.json(&["gitignore-doctor"]);
    let doctor: Vec<Value> = rule_findings(&doctor, "dotenv-committed");
    assert_eq!(doctor.len(), 1, "{doctor:#?}");
    assert_eq!(doctor[0]["path"], rel);
    assert_eq!(doctor[0]["gitignore"], scan, "doctor and scan agree");
    let history = history_diagnosis(repo, rel);
    assert_eq!(history, scan, "history and work tree agree");
    scan
}

/// The `dotenv-committed` diagnosis of `rel` in a history-only scan.
fn history_diagnosis(repo: &Repo, rel: &str) -> Value {
    let (_, json) = repo.json(&["scan", "--history-only", "."]);
    let found = rule_findings(&json, "dotenv-committed");
    let mine: Vec<&Value> = found.iter().filter(|f| f["path"] == rel).collect();
    assert_eq!(mine.len(), 1, "{json:#}");
    assert_eq!(mine[0]["source"], "history");
    mine[0]["gitignore"].clone()
}

/// Asserts every field of a diagnosis but the commands.
fn assert_diagnosis(d: &Value, cause: &str, culprit: (&str, u64, &str), problem: &str, fix: &str) {
    assert_eq!(d["cause"], cause, "{d:#}");
    assert_blames(d, culprit.0, culprit.1, culprit.2, fix);
    assert_eq!(d["problem"], problem, "{d:#}");
}

#[test]
fn rule_in_a_sibling_directorys_gitignore_is_named_and_moved_to_the_root() {
    let repo = Repo::new();
    repo.write(".gitignore", "node_modules/\n");
    repo.write("backend/.gitignore", "# secrets\n.env\n");
    repo.write("frontend/.env", env_file(&fake_key()));
    repo.commit(
        &[".gitignore", "backend/.gitignore", "frontend/.env"],
        "monorepo",
    );
    assert!(!repo.git_ignores("frontend/.env"));
    assert!(repo.git_ignores("backend/.env"));
    let d = diagnoses_everywhere(&repo, "frontend/.env");
    assert_diagnosis(
        &d,
        "sibling",
        ("backend/.gitignore", 2, ".env"),
        "`.env` (backend/.gitignore:2) applies only inside `backend/`: a nested .gitignore covers its own directory and those below it, never `frontend/.env` in a sibling directory.",
        "add `.env` to .gitignore",
    );
    assert_eq!(
        d["commands"],
        serde_json::json!([
            "git rm --cached -- frontend/.env",
            "git add -- .gitignore",
            "git commit -m 'Stop tracking frontend/.env'"
        ])
    );
    repo.write(".gitignore", "node_modules/\n.env\n");
    assert!(repo.git_ignores("frontend/.env"), "the root rule covers it");
    repo.run_commands(&d);
    assert!(!repo.tracked("frontend/.env"));
}

#[test]
fn sibling_rule_makes_the_doctor_flag_a_future_root_env() {
    let repo = Repo::new();
    repo.write("backend/.gitignore", ".env\n");
    repo.commit(&["backend/.gitignore"], "backend only");
    let (code, json) = repo.json(&["gitignore-doctor"]);
    assert_eq!(code, 1);
    let gaps = rule_findings(&json, "gitignore-gap");
    assert_eq!(gaps.len(), 1, "{json:#}");
    assert_eq!(gaps[0]["path"], "backend/.gitignore");
    assert_eq!(gaps[0]["line"], 1);
    assert_diagnosis(
        &gaps[0]["gitignore"],
        "sibling",
        ("backend/.gitignore", 1, ".env"),
        "`.env` (backend/.gitignore:1) applies only inside `backend/`: a nested .gitignore covers its own directory and those below it, never `.env` in a sibling directory.",
        "add `.env` to .gitignore",
    );
}

#[test]
fn inline_comment_is_part_of_the_pattern() {
    let (repo, _) = env_committed_with(
        &[(".gitignore", "node_modules/\n.env  # never commit\n")],
        ".env",
    );
    let d = diagnoses_everywhere(&repo, ".env");
    assert_diagnosis(
        &d,
        "inline-comment",
        (".gitignore", 2, ".env  # never commit"),
        "git has no inline comments: the whole of line 2 of .gitignore, `.env  # never commit`, is the pattern, so it never matches `.env`.",
        "change line 2 of .gitignore to `.env` and put `# never commit` on its own line above it",
    );
    repo.write(".gitignore", "node_modules/\n# never commit\n.env\n");
    assert!(repo.git_ignores(".env"));
}

/// `text` as UTF-16LE bytes, the way PowerShell 5's `>>` (Out-File -Append) writes a line.
fn utf16le(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

#[test]
fn line_appended_in_utf16_by_powershell_is_named_with_its_encoding() {
    for bom in [false, true] {
        let repo = Repo::new();
        let mut bytes = b"node_modules/\n".to_vec();
        if bom {
            bytes.extend([0xFF, 0xFE]);
        }
        bytes.extend(utf16le(".env\r\n"));
        repo.write(".gitignore", &bytes);
        repo.write(".env", env_file(&fake_key()));
        repo.commit(&[".gitignore", ".env"], "powershell");
        assert!(!repo.git_ignores(".env"), "git reads the NUL bytes");
        let d = diagnoses_everywhere(&repo, ".env");
        let shown = if bom {
            "<0xFF><0xFE>.<U+0000>e<U+0000>n<U+0000>v<U+0000><U+000D><U+0000>"
        } else {
            ".<U+0000>e<U+0000>n<U+0000>v<U+0000><U+000D><U+0000>"
        };
        assert_diagnosis(
            &d,
            "utf16",
            (".gitignore", 2, shown),
            "line 2 of .gitignore is written in UTF-16LE (`.env` with a NUL byte after every character, what PowerShell 5's `echo .env >> .gitignore` appends), and git reads ignore files as UTF-8, so it never matches `.env`.",
            "rewrite .gitignore as UTF-8: change line 2 of .gitignore to `.env` (in PowerShell 5, append lines with `Add-Content .gitignore '.env'`, not `>>`)",
        );
        assert_eq!(
            d["commands"][0],
            r"perl -pi -e 's/\xFF\xFE//g; s/\x00//g' .gitignore"
        );
        repo.run_commands(&d);
        assert!(repo.git_ignores(".env"), "rewritten as UTF-8, git reads it");
        assert!(!repo.tracked(".env"));
        let text = std::fs::read(repo.path().join(".gitignore")).expect("read");
        assert_eq!(text, b"node_modules/\n.env\r\n");
    }
}

#[test]
fn utf16_line_in_the_human_report_is_escaped() {
    let repo = Repo::new();
    let mut bytes = b"node_modules/\n".to_vec();
    bytes.extend(utf16le(".env\r\n"));
    repo.write(".gitignore", &bytes);
    repo.write(".env", env_file(&fake_key()));
    repo.commit(&[".gitignore", ".env"], "powershell");
    let (code, out) = repo.keyhound(&["gitignore-doctor", "--color", "never"]);
    assert_eq!(code, 1);
    assert!(!out.contains('\0'), "no raw NUL reaches the terminal");
    assert!(
        out.contains(".gitignore:2  `.<U+0000>e<U+0000>n<U+0000>v<U+0000><U+000D><U+0000>`"),
        "{out}"
    );
    assert!(
        out.contains("problem line 2 of .gitignore is written in UTF-16LE"),
        "{out}"
    );
}

#[test]
fn no_ignore_file_at_all_is_said_in_history_too() {
    let repo = Repo::new();
    repo.write(".env", env_file(&fake_key()));
    repo.commit(&[".env"], "init");
    repo.git(&["rm", "-q", "--cached", ".env"]);
    repo.git(&["commit", "-q", "-m", "untrack"]);
    let d = history_diagnosis(&repo, ".env");
    assert_eq!(d["cause"], "no-rule");
    assert_eq!((&d["file"], &d["line"]), (&Value::Null, &Value::Null));
    assert_eq!(
        d["problem"],
        "this repository has no ignore rules at all (no .gitignore, nothing in .git/info/exclude or core.excludesFile), so nothing keeps `.env` out of git."
    );
    assert_eq!(d["fix"], "add `.env` to .gitignore");
}

#[test]
fn ignore_line_narrowed_in_the_commit_that_added_the_env_file_names_both() {
    let repo = Repo::new();
    repo.write(".gitignore", "node_modules/\n.env*\n*.log\n");
    repo.write("README.md", "app\n");
    repo.commit(&[".gitignore", "README.md"], "init");
    repo.write(".gitignore", "node_modules/\n.env\n*.log\n");
    repo.write(".env.local", env_file(&fake_key()));
    repo.commit(&[".gitignore", ".env.local"], "local settings");
    assert!(!repo.git_ignores(".env.local"));
    let problem = "the commit that added `.env.local` also changed line 2 of .gitignore from `.env*` to `.env`: `.env*` ignored the file, `.env` does not.";
    let fix = "change line 2 of .gitignore back to `.env*`";
    // the history scan, against the commit and its parent
    let d = history_diagnosis(&repo, ".env.local");
    assert_diagnosis(
        &d,
        "changed-in-commit",
        (".gitignore", 2, ".env"),
        problem,
        fix,
    );
    // the full scan (the file is still tracked, today's line is the one the commit made) and
    // the doctor command: the same diagnosis, at the commit that added the file
    let added = repo.git(&["rev-parse", "HEAD"]);
    for command in [&["scan", "."][..], &["gitignore-doctor"]] {
        let (code, json) = repo.json(command);
        assert_eq!(code, 1, "{json:#}");
        let found = rule_findings(&json, "dotenv-committed");
        assert_eq!(found.len(), 1, "{command:?}: {json:#}");
        assert_eq!(found[0]["commit"], added.trim(), "{command:?}: {json:#}");
        assert_diagnosis(
            &found[0]["gitignore"],
            "changed-in-commit",
            (".gitignore", 2, ".env"),
            problem,
            fix,
        );
    }
    repo.replace_line(".gitignore", 2, ".env*");
    assert!(repo.git_ignores(".env.local"), "the old line ignores it");
}

#[test]
fn the_doctor_places_an_env_file_at_the_commit_that_last_added_it_and_keeps_todays_cause() {
    let repo = Repo::new();
    repo.write(".gitignore", "node_modules/\n.env*\n");
    repo.write("app/README.md", "app\n");
    repo.commit(&[".gitignore", "app/README.md"], "init");
    repo.write("app/.env.local", env_file(&fake_key()));
    repo.git(&["add", "-f", "app/.env.local"]);
    repo.git(&["commit", "-q", "-m", "force-add"]);
    let added = repo.git(&["rev-parse", "HEAD"]);
    repo.write("app/README.md", "app, later\n");
    repo.commit(&["app/README.md"], "later");
    // run from the subdirectory: paths stay relative to it
    let (code, json) = repo.json(&["gitignore-doctor", "app"]);
    assert_eq!(code, 1, "{json:#}");
    let found = rule_findings(&json, "dotenv-committed");
    assert_eq!(found.len(), 1, "{json:#}");
    assert_eq!(found[0]["path"], ".env.local", "{json:#}");
    assert_eq!(found[0]["commit"], added.trim(), "{json:#}");
    assert_eq!(found[0]["gitignore"]["cause"], "ignored", "{json:#}");
}

#[test]
fn ignore_line_deleted_in_the_commit_that_added_the_env_file_is_named() {
    let repo = Repo::new();
    repo.write(".gitignore", "node_modules/\n*.env\n");
    repo.write("README.md", "app\n");
    repo.commit(&[".gitignore", "README.md"], "init");
    repo.write(".gitignore", "node_modules/\n");
    repo.write("deploy/prod.env", env_file(&fake_key()));
    repo.commit(&[".gitignore", "deploy/prod.env"], "deploy");
    let d = history_diagnosis(&repo, "deploy/prod.env");
    assert_diagnosis(
        &d,
        "changed-in-commit",
        (".gitignore", 2, "*.env"),
        "the commit that added `deploy/prod.env` also deleted line 2 of .gitignore, `*.env`, which ignored the file.",
        "add `*.env` to .gitignore",
    );
}

#[test]
fn closest_env_line_is_blamed_over_an_unrelated_one() {
    let (repo, _) = env_committed_with(
        &[(
            ".gitignore",
            "node_modules/\n.db.env.local\n.env.production\n",
        )],
        ".db.env",
    );
    let d = diagnoses_everywhere(&repo, ".db.env");
    assert_diagnosis(
        &d,
        "not-covering",
        (".gitignore", 2, ".db.env.local"),
        "`.db.env.local` (.gitignore:2) only matches files named exactly `.db.env.local`, and no other rule ignores `.db.env`.",
        "add `*.env` to .gitignore",
    );
    repo.write(
        ".gitignore",
        "node_modules/\n.db.env.local\n.env.production\n*.env\n",
    );
    assert!(repo.git_ignores(".db.env"));
}
