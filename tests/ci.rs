//! The CI examples of the README, run as written: every
//! command in the docs' YAML blocks is extracted and executed with `sh` in a CI-like checkout
//! (a clone of an `origin` with the pull request's commits on top), and an unknown command in
//! the docs fails the test, so the documentation cannot drift from what is tested.

mod common;
mod workflow_support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use workflow_support::*;

const PR_SARIF: &str = "keyhound scan --since origin/main --format sarif --output keyhound.sarif";
const FULL_SARIF: &str = "keyhound scan --format sarif --output keyhound.sarif";
const GITLAB_FETCH: &str = "git fetch origin main:refs/remotes/origin/main";
const MR_HUMAN: &str = "keyhound scan --since origin/main";
const FULL_JSON: &str = "keyhound scan --format json --output keyhound.json";
const STAGED: &str = "keyhound scan --staged";

/// The README (its workflow sections hold the CI examples).
fn workflows_doc() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README.md")
}

/// Every `keyhound …` or `git fetch …` command in the YAML blocks of the README.
fn documented_commands() -> BTreeSet<String> {
    let doc = workflows_doc();
    let mut in_yaml = false;
    let mut commands = BTreeSet::new();
    for line in doc.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("```") {
            in_yaml = trimmed == "```yaml";
            continue;
        }
        if !in_yaml {
            continue;
        }
        let command = trimmed
            .trim_start_matches("- ")
            .trim_start_matches("run: ")
            .trim();
        if command.starts_with("keyhound ") || command.starts_with("git fetch ") {
            commands.insert(command.to_string());
        }
    }
    commands
}

#[test]
fn every_ci_command_in_the_docs_is_one_these_tests_run() {
    let expected: BTreeSet<String> = [
        PR_SARIF,
        FULL_SARIF,
        GITLAB_FETCH,
        MR_HUMAN,
        FULL_JSON,
        STAGED,
    ]
    .into_iter()
    // the sweep examples' commands: run by tests/sweep_examples.rs
    .chain(SWEEP_COMMANDS)
    .map(String::from)
    .collect();
    assert_eq!(documented_commands(), expected);
}

/// An `origin` whose main holds a legacy key, and a CI checkout (full clone) of it on branch
/// `pr` with one more commit: adding `src/client.py` with `pr_file` as its content.
fn ci_checkout(sb: &Sandbox, pr_file: &str) -> (PathBuf, String) {
    let dev = sb.repo("dev");
    write(
        &dev,
        "legacy/old.env",
        &format!("# old\nMEETSO_KEY={}\n", key_a()),
    );
    sb.git(&dev, &["add", "."]);
    sb.git(&dev, &["commit", "-qm", "legacy"]);
    let origin = sb.path().join("origin.git");
    sb.git(sb.path(), &["clone", "-q", "--bare", "dev", "origin.git"]);
    let ci = sb.path().join("ci");
    sb.git(
        sb.path(),
        &["clone", "-q", origin.to_str().expect("utf-8"), "ci"],
    );
    sb.git(&ci, &["config", "commit.gpgsign", "false"]);
    sb.git(&ci, &["checkout", "-q", "-b", "pr"]);
    write(&ci, "src/client.py", pr_file);
    sb.git(&ci, &["add", "."]);
    sb.git(&ci, &["commit", "-qm", "pull request"]);
    let head = sb.git(&ci, &["rev-parse", "HEAD"]);
    (ci, head)
}

fn leaky_client() -> String {
    format!("import requests\nKEY = \"{}\"\n", key_b())
}

fn run(sb: &Sandbox, dir: &Path, command: &str) -> (Option<i32>, String) {
    let out = sb.sh(dir, command);
    let (stdout, stderr) = text(&out);
    (out.status.code(), format!("{stdout}{stderr}"))
}

/// `(ruleId, uri, startLine)` of each SARIF result.
fn sarif_results(path: &Path) -> Vec<(String, String, u64)> {
    let text = std::fs::read_to_string(path).expect("SARIF written");
    let sarif: serde_json::Value = serde_json::from_str(&text).expect("SARIF is JSON");
    assert_eq!(sarif["version"], "2.1.0");
    sarif["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            let loc = &r["locations"][0]["physicalLocation"];
            (
                r["ruleId"].as_str().unwrap_or_default().to_string(),
                loc["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                loc["region"]["startLine"].as_u64().unwrap_or_default(),
            )
        })
        .collect()
}

#[test]
fn github_pull_request_step_fails_on_a_new_key_and_writes_sarif() {
    let sb = Sandbox::new();
    let (ci, _) = ci_checkout(&sb, &leaky_client());
    let (code, out) = run(&sb, &ci, PR_SARIF);
    assert_eq!(code, Some(1), "{out}");
    assert_eq!(
        sarif_results(&ci.join("keyhound.sarif")),
        vec![("meetso-live-key".into(), "src/client.py".into(), 2)],
        "only the pull request's commit, not the legacy key on main"
    );
    let report_only = format!("{PR_SARIF} --exit-zero");
    let (code, out) = run(&sb, &ci, &report_only);
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(sarif_results(&ci.join("keyhound.sarif")).len(), 1);
}

#[test]
fn github_pull_request_step_passes_a_clean_branch() {
    let sb = Sandbox::new();
    let (ci, _) = ci_checkout(&sb, "import os\nKEY = os.environ[\"MEETSO_API_KEY\"]\n");
    let (code, out) = run(&sb, &ci, PR_SARIF);
    assert_eq!(code, Some(0), "{out}");
    assert!(sarif_results(&ci.join("keyhound.sarif")).is_empty());
}

#[test]
fn scheduled_full_scan_reports_everything_in_sarif() {
    let sb = Sandbox::new();
    let (ci, _) = ci_checkout(&sb, &leaky_client());
    let (code, out) = run(&sb, &ci, FULL_SARIF);
    assert_eq!(code, Some(1), "{out}");
    let results: BTreeSet<(String, String, u64)> = sarif_results(&ci.join("keyhound.sarif"))
        .into_iter()
        .collect();
    let expected: BTreeSet<(String, String, u64)> = [
        (
            "dotenv-committed".to_string(),
            "legacy/old.env".to_string(),
            1,
        ),
        (
            "meetso-live-key".to_string(),
            "legacy/old.env".to_string(),
            2,
        ),
        (
            "meetso-live-key".to_string(),
            "src/client.py".to_string(),
            2,
        ),
    ]
    .into_iter()
    .collect();
    assert_eq!(results, expected);
}

#[test]
fn gitlab_merge_request_job_fetches_main_and_fails_with_a_readable_log() {
    let sb = Sandbox::new();
    let (ci, head) = ci_checkout(&sb, &leaky_client());
    sb.git(&ci, &["update-ref", "-d", "refs/remotes/origin/main"]);
    let (code, out) = run(&sb, &ci, MR_HUMAN);
    assert_eq!(code, Some(2), "without origin/main the job errors:\n{out}");
    let (code, out) = run(&sb, &ci, GITLAB_FETCH);
    assert_eq!(code, Some(0), "{out}");
    let (code, out) = run(&sb, &ci, MR_HUMAN);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("src/client.py") && out.contains(&head[..7]),
        "{out}"
    );
    assert!(out.contains("meetso-live-key"), "{out}");
    assert!(!out.contains("legacy/old.env"), "{out}");
    assert!(!out.contains(&key_b()), "plaintext in the job log:\n{out}");
}

#[test]
fn gitlab_scheduled_job_writes_a_json_artifact() {
    let sb = Sandbox::new();
    let (ci, _) = ci_checkout(&sb, &leaky_client());
    let (code, out) = run(&sb, &ci, FULL_JSON);
    assert_eq!(code, Some(1), "{out}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(ci.join("keyhound.json")).expect("artifact"))
            .expect("JSON");
    let mut paths: Vec<String> = findings(&report).into_iter().map(|f| f.1).collect();
    paths.sort();
    paths.dedup();
    assert_eq!(paths, vec!["legacy/old.env", "src/client.py"]);
}

#[test]
fn the_lefthook_and_husky_command_blocks_a_staged_key() {
    let sb = Sandbox::new();
    let (ci, _) = ci_checkout(&sb, "print('ok')\n");
    let (code, out) = run(&sb, &ci, STAGED);
    assert_eq!(code, Some(0), "nothing staged:\n{out}");
    write(&ci, "hook.env", &format!("MEETSO_API_KEY={}\n", key_b()));
    sb.git(&ci, &["add", "hook.env"]);
    let (code, out) = run(&sb, &ci, STAGED);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("hook.env") && out.contains("git commit --no-verify"),
        "{out}"
    );
}

#[test]
fn the_documented_hook_message_is_the_one_keyhound_prints() {
    let doc = workflows_doc();
    // The README's example: one new key that no file of HEAD holds.
    let advice = keyhound::hook::staged_advice(&keyhound::hook::StagedFacts {
        secrets: 1,
        ..Default::default()
    });
    assert!(doc.contains(advice.trim_end()), "{advice}");
}

/// keyhound is not on crates.io: no doc, hook message or warning may tell users to run
/// `cargo install keyhound` (the README's one mention says that it does not work).
#[test]
fn no_install_instruction_names_a_crates_io_package_that_does_not_exist() {
    let root = env!("CARGO_MANIFEST_DIR");
    for file in [
        "README.md",
        "hooks/pre-commit",
        "hooks/pre-receive",
        "src/workflow.rs",
        "src/hook.rs",
    ] {
        let text = std::fs::read_to_string(format!("{root}/{file}")).expect(file);
        for (i, line) in text.lines().enumerate() {
            if line.contains("cargo install keyhound") {
                assert!(
                    line.contains("does not work"),
                    "{file}:{}: tells users to `cargo install keyhound`: {line}",
                    i + 1
                );
            }
        }
    }
    let readme = workflows_doc();
    assert!(
        readme.contains("cargo install --locked --path ."),
        "the offline install path is documented"
    );
}
