//! Env files in git history and in the index: `dotenv-committed` findings with the commit
//! that added them and the gitignore diagnosis of that commit.

mod common;
use common::*;
use serde_json::Value;

fn env_findings(report: &Value) -> Vec<&Value> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == "dotenv-committed")
        .collect()
}

#[test]
fn env_file_committed_through_a_gitignore_typo_then_deleted_is_found_in_history() {
    let repo = TestRepo::new();
    repo.write(".gitignore", "node_modules/\n.evn\n");
    repo.write(".env", &format!("MEETSTREAM_API_KEY={TOKEN_KEY}\n"));
    let leak = repo.commit_all("add app", "Dana", "2025-03-02T10:00:00+00:00");
    repo.git(&["rm", "-q", "--cached", ".env"]);
    repo.write(".gitignore", "node_modules/\n.env\n");
    repo.commit_all("stop tracking .env", "Dana", "2025-03-02T16:12:00+00:00");

    let out = repo.keyhound(&["scan", "--format", "json"]);
    let report = json_report(&out, 1);
    let env = env_findings(&report);
    assert_eq!(env.len(), 1, "{report:#}");
    let f = env[0];
    assert_eq!(f["path"], ".env");
    assert_eq!(f["source"], "history");
    assert_eq!(f["commit"], leak.as_str());
    assert_eq!(f["severity"], "critical");
    let d = &f["gitignore"];
    assert_eq!(d["file"], ".gitignore");
    assert_eq!(d["line"], 2);
    assert_eq!(d["pattern"], ".evn");
    assert!(
        d["fix"].as_str().is_some_and(|s| s.contains("`.env`")),
        "{d}"
    );
    // The secret inside is its own finding, attributed to the same commit.
    let keys = finding_keys(&report);
    assert!(
        keys.contains(&(
            "env-secret".into(),
            ".env".into(),
            1,
            "history".into(),
            Some(leak.clone())
        )),
        "{keys:?}"
    );
}

#[test]
fn tracked_env_file_keeps_todays_diagnosis_and_gains_its_introducing_commit() {
    let repo = TestRepo::new();
    repo.write(".gitignore", "*.log\n");
    repo.write("api/.env", "DEBUG=1\n");
    let added = repo.commit_all("api env", "Ben", "2025-01-05T10:00:00+00:00");
    let report = json_report(&repo.keyhound(&["scan", "--format", "json"]), 1);
    let env = env_findings(&report);
    assert_eq!(env.len(), 1, "{report:#}");
    assert_eq!(env[0]["path"], "api/.env");
    assert_eq!(env[0]["source"], "worktree");
    assert_eq!(env[0]["commit"], added.as_str());
    // `DEBUG=1` holds nothing that looks like a credential
    assert_eq!(env[0]["severity"], "low");
    assert_eq!(env[0]["gitignore"]["file"], Value::Null);
}

#[test]
fn staging_an_env_file_fails_with_the_diagnosis() {
    let repo = TestRepo::new();
    repo.write(".gitignore", "/.env\n");
    repo.commit_all("ignore", "Ana", "2025-01-01T10:00:00+00:00");
    repo.write(
        "api/.env",
        "ZOOM_CLIENT_SECRET=Hd7Fs3Gj9Kl2Qw5Er8Ty1Ui4Op6As0Dz\n",
    );
    repo.git(&["add", "api/.env"]);
    let out = repo.keyhound(&["scan", "--staged", "--format", "json"]);
    let report = json_report(&out, 1);
    let env = env_findings(&report);
    assert_eq!(env.len(), 1);
    assert_eq!(env[0]["source"], "staged");
    assert_eq!(env[0]["gitignore"]["pattern"], "/.env");
    assert_eq!(env[0]["gitignore"]["line"], 1);
    let human = String::from_utf8_lossy(&repo.keyhound(&["scan", "--staged"]).stdout).to_string();
    assert!(
        human.contains(".gitignore:1") && human.contains("git rm --cached"),
        "{human}"
    );
}

#[test]
fn staged_template_with_placeholders_passes() {
    let repo = TestRepo::new();
    repo.write(
        ".env.example",
        "MEETSTREAM_API_KEY=your_api_key_here\nWEBHOOK_SECRET=\n",
    );
    repo.git(&["add", "-A"]);
    let out = repo.keyhound(&["scan", "--staged", "--format", "json"]);
    assert_eq!(finding_keys(&json_report(&out, 0)), vec![]);
}

/// Writes a tree object made of raw `(mode, name, id)` entries, names unchecked (git's
/// `mktree` refuses an empty name); returns its id.
fn raw_tree(repo: &TestRepo, entries: &[(&str, &str, &str)]) -> String {
    let mut bytes = Vec::new();
    for (mode, name, id) in entries {
        bytes.extend_from_slice(format!("{mode} {name}\0").as_bytes());
        let id = gix::ObjectId::from_hex(id.as_bytes()).expect("an object id");
        bytes.extend_from_slice(id.as_bytes());
    }
    let file = repo.path().join(".git/raw-tree");
    std::fs::write(&file, bytes).expect("write the tree");
    let file = file.to_str().expect("utf-8");
    repo.git(&["hash-object", "-t", "tree", "-w", "--literally", file])
}

/// A crafted tree whose directory `sub` holds a subtree with an empty name puts `.env` at
/// `sub//.env` in history (git refuses to read such a tree, gix reads it). The doctor gave
/// gix-glob what follows `sub` in that path, `/.env`, for `sub/.gitignore`: in a debug build
/// keyhound panicked ("input path must be relative"), found by the gitignore fuzz target.
#[test]
fn env_file_under_an_empty_named_directory_is_diagnosed_without_a_panic() {
    let repo = TestRepo::new();
    repo.write(".git/env-blob", "API_HOST=example.invalid\nDEBUG=1\n");
    repo.write(".git/ignore-blob", "*.local\n");
    let env = repo.git(&["hash-object", "-w", ".git/env-blob"]);
    let ignore = repo.git(&["hash-object", "-w", ".git/ignore-blob"]);
    let inner = raw_tree(&repo, &[("100644", ".env", &env)]);
    let sub = raw_tree(
        &repo,
        &[("100644", ".gitignore", &ignore), ("40000", "", &inner)],
    );
    let root = raw_tree(&repo, &[("40000", "sub", &sub)]);
    let commit = repo.git(&["commit-tree", "-m", "crafted", &root]);
    repo.git(&["update-ref", "refs/heads/main", &commit]);

    let out = repo.keyhound(&["scan", "--history-only", "--format", "json"]);
    let report = json_report(&out, 1);
    let env = env_findings(&report);
    assert_eq!(env.len(), 1, "{report:#}");
    assert_eq!(env[0]["path"], "sub//.env");
    assert_eq!(env[0]["commit"], commit.as_str());
    assert_eq!(env[0]["severity"], "low");
    let d = &env[0]["gitignore"];
    assert_eq!(d["cause"], "no-rule", "{report:#}");
    // `sub/.gitignore` once: the empty name is no directory with ignore files of its own
    assert_eq!(
        d["problem"],
        "no rule in sub/.gitignore matches `sub//.env`."
    );
}
