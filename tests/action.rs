//! The composite GitHub Action (`action.yml`): it parses, it is composite, every `keyhound`
//! flag it uses exists, its shell steps pass `bash -n`, and its scan step — run for real with
//! the keyhound under test on PATH, the way the runner runs it — writes SARIF, records the
//! exit code as a step output and does not stop before the upload step.

mod common;

use common::*;
use serde_yaml::Value;
use std::process::Command;

fn action() -> Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/action.yml"))
        .expect("action.yml");
    serde_yaml::from_str(&text).expect("action.yml parses as YAML")
}

fn steps(action: &Value) -> Vec<Value> {
    action["runs"]["steps"]
        .as_sequence()
        .expect("runs.steps")
        .clone()
}

fn step<'a>(steps: &'a [Value], id_or_name: &str) -> &'a Value {
    steps
        .iter()
        .find(|s| s["id"].as_str() == Some(id_or_name) || s["name"].as_str() == Some(id_or_name))
        .unwrap_or_else(|| panic!("no step {id_or_name}"))
}

#[test]
fn the_action_is_composite_and_its_shell_steps_are_valid_bash() {
    let action = action();
    assert_eq!(action["runs"]["using"].as_str(), Some("composite"));
    let steps = steps(&action);
    let scripts: Vec<&str> = steps.iter().filter_map(|s| s["run"].as_str()).collect();
    assert_eq!(scripts.len(), 3, "build, scan and fail steps");
    for script in scripts {
        let out = Command::new("bash")
            .args(["-n", "-c", script])
            .output()
            .expect("bash");
        assert!(
            out.status.success(),
            "bash -n: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            !script.contains("${{"),
            "inputs must arrive as env, not in the script:\n{script}"
        );
    }
    let upload = step(&steps, "Upload SARIF");
    assert_eq!(
        upload["uses"].as_str(),
        Some("github/codeql-action/upload-sarif@v3")
    );
    assert!(upload["if"].as_str().expect("if").contains("always()"));
}

#[test]
fn every_keyhound_flag_the_action_uses_exists() {
    let action = action();
    let help = Command::new(env!("CARGO_BIN_EXE_keyhound"))
        .args(["scan", "--help"])
        .output()
        .expect("keyhound runs");
    let help = String::from_utf8_lossy(&help.stdout);
    let steps = steps(&action);
    let scan = step(&steps, "scan")["run"].as_str().expect("scan script");
    let line = scan
        .lines()
        .find(|l| l.trim_start().starts_with("keyhound scan"))
        .expect("keyhound scan line");
    let flags: Vec<&str> = line
        .split_whitespace()
        .filter(|w| w.starts_with("--") && w.len() > 2)
        .collect();
    assert_eq!(flags, ["--format", "--output"]);
    for flag in flags {
        assert!(help.contains(flag), "{flag} is not a keyhound scan flag");
    }
}

#[test]
fn the_scan_step_writes_sarif_and_records_the_exit_code_without_failing() {
    let repo = TestRepo::new();
    repo.write("bot.py", &format!("MEETSO = \"{LIVE_KEY}\"\n"));
    repo.commit_all("Add bot", "Alice", "2025-03-01T09:00:00+00:00");
    let action = action();
    let steps = steps(&action);
    let scan = step(&steps, "scan")["run"].as_str().expect("scan script");
    let bin_dir = std::path::Path::new(env!("CARGO_BIN_EXE_keyhound"))
        .parent()
        .expect("bin dir");
    let output_file = repo.path().join("github-output");
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("bash")
        .args(["-e", "-c", scan])
        .current_dir(repo.path())
        .env("PATH", path)
        .env("GITHUB_OUTPUT", &output_file)
        .env("KEYHOUND_PATH", ".")
        .env("KEYHOUND_ARGS", "--no-history --fail-on high")
        .env("KEYHOUND_SARIF", "keyhound.sarif")
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "the scan step must not fail before the upload: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let outputs = std::fs::read_to_string(&output_file).expect("GITHUB_OUTPUT written");
    assert_eq!(outputs, "exit-code=1\n");
    let sarif: serde_json::Value = serde_json::from_slice(
        &std::fs::read(repo.path().join("keyhound.sarif")).expect("SARIF written"),
    )
    .expect("SARIF is JSON");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 1, "{sarif:#}");
    assert_eq!(results[0]["ruleId"], "meetso-live-key");
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "bot.py"
    );
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        1
    );
}
