//! The README's sweep examples, run as written: the Kubernetes Indexed Job and its merge Job
//! and the GitHub Actions matrix workflow are read from README.md and parsed as YAML; the
//! facts the shard arithmetic relies on are checked (an Indexed Job whose `completions` is
//! `KEYHOUND_SHARD_TOTAL`, a matrix with as many legs as the `/N` of `--shard`); then each
//! pod's or leg's command runs with the environment it would get over 20 generated
//! repositories, the shard outputs are merged by the documented merge command, and the result
//! must be the report of one unsharded run, byte for byte, with every target scanned by
//! exactly one shard.

mod common;
mod workflow_support;

use serde::Deserialize;
use serde_json::Value as Json;
use serde_yaml::Value as Yaml;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;
use workflow_support::*;

/// How many repositories the generated fleet has.
const FLEET: usize = 20;

/// The variables a job engine may set that `--shard auto` reads: cleared in every command,
/// so only what the manifest or workflow gives reaches keyhound.
const SHARD_VARIABLES: [&str; 9] = [
    "KEYHOUND_SHARD_INDEX",
    "KEYHOUND_SHARD_TOTAL",
    "JOB_COMPLETION_INDEX",
    "CI_NODE_INDEX",
    "CI_NODE_TOTAL",
    "SLURM_ARRAY_TASK_ID",
    "SLURM_ARRAY_TASK_MIN",
    "SLURM_ARRAY_TASK_COUNT",
    "XDG_CACHE_HOME",
];

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README.md")
}

/// The body of the README's fenced block of `lang` whose first line is `first`.
fn block(lang: &str, first: &str) -> String {
    let doc = readme();
    let fence = format!("```{lang}\n{first}\n");
    let start = doc
        .find(&fence)
        .unwrap_or_else(|| panic!("README has no ```{lang} block starting with {first}"));
    let body = &doc[start + fence.len() - first.len() - 1..];
    let end = body.find("\n```").expect("the block is closed");
    body[..end].to_string()
}

/// Every YAML document of a block (`---` separated).
fn documents(text: &str) -> Vec<Yaml> {
    serde_yaml::Deserializer::from_str(text)
        .map(|d| Yaml::deserialize(d).expect("the README's YAML parses"))
        .collect()
}

fn str_of<'a>(v: &'a Yaml, what: &str) -> &'a str {
    v.as_str()
        .unwrap_or_else(|| panic!("{what} is not a string: {v:?}"))
}

fn u64_of(v: &Yaml, what: &str) -> u64 {
    v.as_u64()
        .unwrap_or_else(|| panic!("{what} is not a number: {v:?}"))
}

fn seq_of<'a>(v: &'a Yaml, what: &str) -> &'a [Yaml] {
    v.as_sequence()
        .unwrap_or_else(|| panic!("{what} is not a list: {v:?}"))
}

/// A deterministic base62 string: fake key material, different for each seed.
fn token(seed: u64, len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            ALPHABET[(x % 62) as usize] as char
        })
        .collect()
}

/// The MeetStream key three repositories of the fleet share.
fn shared_key() -> String {
    format!("ms_{}", token(7, 32))
}

/// One finding the fleet plants: (repository directory, rule, path, line).
type Planted = (String, &'static str, &'static str, u64);

/// Commits everything in `dir` on day `day` of January 2024.
fn commit(sb: &Sandbox, dir: &Path, message: &str, day: usize) {
    let date = format!("2024-01-{:02}T09:00:00+00:00", day);
    sb.git(dir, &["add", "-A"]);
    let out = sb
        .command("git", dir)
        .args(["commit", "-q", "-m", message])
        .env("GIT_AUTHOR_DATE", &date)
        .env("GIT_COMMITTER_DATE", &date)
        .output()
        .expect("git commit");
    assert!(out.status.success(), "{}", text(&out).1);
}

/// 20 repositories under `fleet/`: every fifth leaks its own Meetso key, three share one
/// MeetStream key, one had an `Authorization: Token` header in a commit it later removed,
/// the rest are clean. Writes `list` with a `file://` URL per repository plus one that does
/// not exist (a target that fails); returns the planted findings.
fn fleet(sb: &Sandbox, list: &Path) -> Vec<Planted> {
    let shared = shared_key();
    let mut planted = Vec::new();
    let mut lines = Vec::new();
    for i in 0..FLEET {
        let name = format!("repo-{i:02}");
        let dir = sb.repo(&format!("fleet/{name}"));
        write(&dir, "README.md", &format!("# service {i}\n"));
        write(&dir, "src/main.py", &format!("print({i})\n"));
        if i % 5 == 1 {
            let key = meetso_key(&token(100 + i as u64, 32));
            write(
                &dir,
                "config/settings.py",
                &format!("DEBUG = False\nMEETSO_KEY = \"{key}\"\n"),
            );
            planted.push((name.clone(), "meetso-live-key", "config/settings.py", 2));
        }
        if i % 7 == 3 {
            write(
                &dir,
                "clients/ms.ts",
                &format!("const key = \"{shared}\";\n"),
            );
            planted.push((name.clone(), "meetstream-api-key", "clients/ms.ts", 1));
        }
        commit(sb, &dir, "init", i + 1);
        if i == 8 {
            let header = format!("Authorization: Token {}\n", token(8, 40));
            write(&dir, "notes/curl.txt", &format!("curl -H '{header}'\n"));
            commit(sb, &dir, "debug notes", i + 2);
            sb.git(&dir, &["rm", "-q", "notes/curl.txt"]);
            commit(sb, &dir, "remove notes", i + 3);
            planted.push((name.clone(), "authorization-token", "notes/curl.txt", 1));
        }
        lines.push(format!("file://{}", dir.display()));
    }
    lines.push(format!("file://{}", sb.path().join("fleet/gone").display()));
    std::fs::write(list, lines.join("\n") + "\n").expect("write the target list");
    planted.sort();
    planted
}

/// `sh -c command` in `cwd` with `env` on top of a clean sandbox environment.
fn sh(sb: &Sandbox, cwd: &Path, command: &str, env: &[(String, String)]) -> Output {
    std::fs::create_dir_all(cwd).expect("cwd");
    let mut cmd = sb.command("sh", cwd);
    for name in SHARD_VARIABLES {
        cmd.env_remove(name);
    }
    cmd.env("XDG_CACHE_HOME", sb.path().join("home/.cache"));
    cmd.args(["-c", command])
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .expect("sh runs")
}

/// The unsharded run of the same list in `format` (its own clone cache).
fn single_run(sb: &Sandbox, list: &Path, format: &str) -> String {
    let out = sb.keyhound(
        sb.path(),
        &[
            "scan",
            "--repos-file",
            &list.display().to_string(),
            "--clone-dir",
            &sb.path().join("single-clones").display().to_string(),
            "--format",
            format,
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out).1);
    text(&out).0
}

/// The target ids each shard's record stream says it scanned or failed, by shard file.
fn targets_by_shard(files: &[PathBuf]) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    for f in files {
        let text = std::fs::read_to_string(f).expect("shard output");
        let ids: Vec<String> = text
            .lines()
            .map(|l| serde_json::from_str::<Json>(l).expect("a JSON line"))
            .filter(|v| v["type"] == "target")
            .map(|v| v["target"].as_str().expect("target id").to_string())
            .collect();
        out.insert(f.display().to_string(), ids);
    }
    out
}

/// Every target of the fleet was scanned (or failed) by exactly one shard, and the failed
/// one is the missing repository.
fn assert_each_target_once(sb: &Sandbox, files: &[PathBuf]) {
    let by_shard = targets_by_shard(files);
    let mut all: Vec<String> = by_shard.values().flatten().cloned().collect();
    all.sort();
    let fleet = std::fs::canonicalize(sb.path().join("fleet")).expect("fleet dir");
    let mut want: Vec<String> = (0..FLEET)
        .map(|i| fleet.join(format!("repo-{i:02}")).display().to_string())
        .collect();
    want.push(fleet.join("gone").display().to_string());
    want.sort();
    assert_eq!(all, want, "each target once, in one shard: {by_shard:?}");
    assert!(
        by_shard.values().filter(|ids| !ids.is_empty()).count() > 1,
        "the targets were split: {by_shard:?}"
    );
}

/// The merged JSON report's findings are exactly the planted ones.
fn assert_planted(sb: &Sandbox, report: &str, planted: &[Planted]) {
    let report: Json = serde_json::from_str(report).expect("JSON report");
    let fleet = std::fs::canonicalize(sb.path().join("fleet")).expect("fleet dir");
    let mut got: Vec<(String, String, String, u64)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let repo = f["repository"].as_str().expect("repository");
            let name = Path::new(repo)
                .strip_prefix(&fleet)
                .unwrap_or_else(|_| panic!("{repo} is in the fleet"));
            assert_eq!(f["source"], "history", "a mirror has history only");
            (
                name.display().to_string(),
                f["rule"].as_str().expect("rule").to_string(),
                f["path"].as_str().expect("path").to_string(),
                f["line"].as_u64().expect("line"),
            )
        })
        .collect();
    got.sort();
    let want: Vec<(String, String, String, u64)> = planted
        .iter()
        .map(|(r, rule, path, line)| (r.clone(), rule.to_string(), path.to_string(), *line))
        .collect();
    assert_eq!(got, want);
    assert_eq!(report["targets"]["scanned"], FLEET);
    assert_eq!(
        report["targets"]["failed"].as_array().map(Vec::len),
        Some(1)
    );
    // The shared MeetStream key is one secret found in three repositories.
    let shared = common::secret_entry(&report, &shared_key());
    assert_eq!(shared["locations"], 3, "{shared}");
    assert_eq!(
        report["secrets"].as_array().map(Vec::len),
        Some(planted.len() - 2)
    );
}

/// What a shard's exit code must be: 0 (findings do not fail it, `--exit-zero`), 2 when
/// every target it had failed.
fn assert_shard_exit(out: &Output, file: &Path, gone: &str) {
    let ids = targets_by_shard(&[file.to_path_buf()])
        .into_values()
        .next()
        .unwrap_or_default();
    let only_failures = !ids.is_empty() && ids.iter().all(|id| id.ends_with(gone));
    let want = if only_failures { 2 } else { 0 };
    assert_eq!(out.status.code(), Some(want), "{}", text(out).1);
}

/// The keyhound commands of the README's sweep examples, exactly as the YAML holds them.
fn sweep_commands(k8s: &Yaml, merge_job: &Yaml, workflow: &Yaml) -> Vec<String> {
    vec![
        pod_args(k8s).0,
        pod_args(merge_job).0,
        step_run(workflow, "scan", "keyhound scan"),
        step_run(workflow, "merge", "keyhound merge"),
    ]
}

// ---------------------------------------------------------------------------------------
// Kubernetes
// ---------------------------------------------------------------------------------------

/// The Job's one container's `sh -c` argument and its env as (name, value) pairs.
fn pod_args(job: &Yaml) -> (String, Vec<(String, String)>) {
    let containers = seq_of(&job["spec"]["template"]["spec"]["containers"], "containers");
    assert_eq!(containers.len(), 1);
    let c = &containers[0];
    let command: Vec<&str> = seq_of(&c["command"], "command")
        .iter()
        .map(|v| str_of(v, "command"))
        .collect();
    assert_eq!(command, ["sh", "-c"]);
    let args = seq_of(&c["args"], "args");
    assert_eq!(args.len(), 1, "one shell command");
    let env = c["env"]
        .as_sequence()
        .map(|e| {
            e.iter()
                .map(|v| {
                    (
                        str_of(&v["name"], "env name").to_string(),
                        str_of(&v["value"], "env value").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    (str_of(&args[0], "args").to_string(), env)
}

/// The pod's mounts: (mountPath, volume), the volume resolved in the pod's `volumes`.
fn mounts(job: &Yaml) -> Vec<(String, Yaml)> {
    let pod = &job["spec"]["template"]["spec"];
    let volumes = seq_of(&pod["volumes"], "volumes");
    seq_of(&pod["containers"][0]["volumeMounts"], "volumeMounts")
        .iter()
        .map(|m| {
            let name = str_of(&m["name"], "mount name");
            let volume = volumes
                .iter()
                .find(|v| v["name"].as_str() == Some(name))
                .unwrap_or_else(|| panic!("mount {name} has no volume"));
            (
                str_of(&m["mountPath"], "mountPath").to_string(),
                volume.clone(),
            )
        })
        .collect()
}

/// `command` with each mount path replaced by the directory standing in for it.
fn on_disk(command: &str, dirs: &[(String, PathBuf)]) -> String {
    dirs.iter().fold(command.to_string(), |c, (mount, dir)| {
        c.replace(&format!("{mount}/"), &format!("{}/", dir.display()))
    })
}

/// The PVC and Indexed Job of keyhound-sweep.yaml, and the merge Job of keyhound-merge.yaml.
fn kubernetes_manifests() -> (Yaml, Yaml, Yaml) {
    let sweep = documents(&block("yaml", "# keyhound-sweep.yaml"));
    let merge = documents(&block("yaml", "# keyhound-merge.yaml"));
    assert_eq!(sweep.len(), 2, "a PVC and the Job");
    assert_eq!(merge.len(), 1, "the merge Job");
    let kind = |d: &Yaml| str_of(&d["kind"], "kind").to_string();
    assert_eq!(kind(&sweep[0]), "PersistentVolumeClaim");
    assert_eq!(kind(&sweep[1]), "Job");
    assert_eq!(kind(&merge[0]), "Job");
    for d in sweep.iter().chain(&merge) {
        let api = if kind(d) == "Job" { "batch/v1" } else { "v1" };
        assert_eq!(str_of(&d["apiVersion"], "apiVersion"), api);
    }
    (sweep[0].clone(), sweep[1].clone(), merge[0].clone())
}

/// The shard count of the Indexed Job, after checking it is one: Indexed, completions =
/// parallelism = KEYHOUND_SHARD_TOTAL, `--shard auto`, a restart policy Kubernetes accepts
/// for Jobs, and the output on the shared volume the merge Job mounts.
fn check_indexed_job(pvc: &Yaml, job: &Yaml, merge: &Yaml) -> u64 {
    let spec = &job["spec"];
    assert_eq!(str_of(&spec["completionMode"], "completionMode"), "Indexed");
    let total = u64_of(&spec["completions"], "completions");
    assert!(total > 1);
    assert_eq!(u64_of(&spec["parallelism"], "parallelism"), total);
    let (args, env) = pod_args(job);
    let env_total = env
        .iter()
        .find(|(k, _)| k == "KEYHOUND_SHARD_TOTAL")
        .map(|(_, v)| v.parse::<u64>().expect("KEYHOUND_SHARD_TOTAL is a number"))
        .expect("the pod sets KEYHOUND_SHARD_TOTAL");
    assert_eq!(env_total, total, "KEYHOUND_SHARD_TOTAL = completions");
    assert!(args.contains("--shard auto"), "{args}");
    for j in [job, merge] {
        let policy = str_of(&j["spec"]["template"]["spec"]["restartPolicy"], "policy");
        assert!(["Never", "OnFailure"].contains(&policy), "{policy}");
    }
    // backoffLimitPerIndex needs restartPolicy Never.
    if !spec["backoffLimitPerIndex"].is_null() {
        assert_eq!(spec["template"]["spec"]["restartPolicy"], "Never");
    }
    // Both Jobs mount the PVC at the same path, and the shards are written there.
    let claim = str_of(&pvc["metadata"]["name"], "PVC name");
    let shared = |j: &Yaml| {
        mounts(j)
            .into_iter()
            .find(|(_, v)| v["persistentVolumeClaim"]["claimName"].as_str() == Some(claim))
            .map(|(path, _)| path)
            .expect("the Job mounts the PVC")
    };
    let sweep_dir = shared(job);
    assert_eq!(shared(merge), sweep_dir);
    assert!(args.contains(&format!("-o {sweep_dir}/shard-$JOB_COMPLETION_INDEX.jsonl")));
    assert!(pod_args(merge)
        .0
        .contains(&format!("{sweep_dir}/shard-*.jsonl")));
    assert_eq!(pvc["spec"]["accessModes"][0], "ReadWriteMany");
    total
}

/// The ConfigMap the kubectl commands create holds `repos.txt`, and the pod reads it where
/// the ConfigMap is mounted.
fn check_config_map(job: &Yaml) {
    let kubectl = block(
        "sh",
        "kubectl create configmap keyhound-repos --from-file=repos.txt",
    );
    assert!(kubectl.contains("kubectl apply -f keyhound-sweep.yaml\n"));
    assert!(kubectl.contains("kubectl wait --for=condition=complete job/keyhound-sweep"));
    assert!(kubectl.ends_with("kubectl apply -f keyhound-merge.yaml"));
    let (path, _) = mounts(job)
        .into_iter()
        .find(|(_, v)| v["configMap"]["name"].as_str() == Some("keyhound-repos"))
        .expect("the pod mounts the keyhound-repos ConfigMap");
    assert!(pod_args(job)
        .0
        .contains(&format!("--repos-file {path}/repos.txt")));
}

#[test]
fn the_kubernetes_indexed_job_covers_every_target_once_and_merges_to_the_single_run() {
    let (pvc, job, merge) = kubernetes_manifests();
    let total = check_indexed_job(&pvc, &job, &merge);
    check_config_map(&job);

    let sb = Sandbox::new();
    // The volumes: the ConfigMap's directory and the shared PVC.
    let config = sb.path().join("volumes/config");
    let volume = sb.path().join("volumes/sweep");
    std::fs::create_dir_all(&config).expect("config volume");
    std::fs::create_dir_all(&volume).expect("sweep volume");
    let planted = fleet(&sb, &config.join("repos.txt"));
    let dirs: Vec<(String, PathBuf)> = mounts(&job)
        .into_iter()
        .map(|(path, v)| {
            let dir = if v["configMap"].is_null() {
                &volume
            } else {
                &config
            };
            (path, dir.clone())
        })
        .collect();
    let (args, env) = pod_args(&job);
    let command = on_disk(&args, &dirs);
    let mut files = Vec::new();
    for k in 0..total {
        let mut pod_env = env.clone();
        pod_env.push(("JOB_COMPLETION_INDEX".into(), k.to_string()));
        let pod = sb.path().join(format!("pod-{k}"));
        let out = sh(&sb, &pod, &command, &pod_env);
        let file = volume.join(format!("shard-{k}.jsonl"));
        assert_shard_exit(&out, &file, "/gone");
        if k == 0 {
            // Kubernetes retries a pod: the retry resumes its own file, nothing twice.
            let before = targets_by_shard(std::slice::from_ref(&file));
            let again = sh(&sb, &pod, &command, &pod_env);
            assert_eq!(again.status.code(), out.status.code());
            assert_eq!(targets_by_shard(std::slice::from_ref(&file)), before);
        }
        files.push(file);
    }
    assert_each_target_once(&sb, &files);
    assert!(
        volume
            .join("clones")
            .read_dir()
            .expect("clone cache")
            .count()
            >= FLEET,
        "the mirrors are on the shared volume"
    );

    let (merge_args, merge_env) = pod_args(&merge);
    let merge_dirs: Vec<(String, PathBuf)> = mounts(&merge)
        .into_iter()
        .map(|(path, _)| (path, volume.clone()))
        .collect();
    let out = sh(
        &sb,
        &sb.path().join("merge-pod"),
        &on_disk(&merge_args, &merge_dirs),
        &merge_env,
    );
    assert_eq!(out.status.code(), Some(1), "findings: {}", text(&out).1);
    let checklist = std::fs::read_to_string(volume.join("ROTATION.md")).expect("ROTATION.md");
    assert_eq!(
        checklist,
        single_run(&sb, &config.join("repos.txt"), "checklist")
    );
    let mut merge_json: Vec<String> = vec!["merge".into(), "-f".into(), "json".into()];
    merge_json.extend(files.iter().map(|f| f.display().to_string()));
    let merge_json: Vec<&str> = merge_json.iter().map(String::as_str).collect();
    let merged_json = text(&sb.keyhound(&volume, &merge_json)).0;
    assert_eq!(
        merged_json,
        single_run(&sb, &config.join("repos.txt"), "json")
    );
    assert_planted(&sb, &merged_json, &planted);
}

// ---------------------------------------------------------------------------------------
// GitHub Actions
// ---------------------------------------------------------------------------------------

/// The workflow of the README.
fn workflow() -> Yaml {
    let docs = documents(&block("yaml", "# .github/workflows/keyhound-sweep.yml"));
    assert_eq!(docs.len(), 1);
    docs[0].clone()
}

/// The one step of `job` whose `uses` starts with `action`.
fn uses<'a>(workflow: &'a Yaml, job: &str, action: &str) -> &'a Yaml {
    let steps = seq_of(&workflow["jobs"][job]["steps"], "steps");
    let found: Vec<&Yaml> = steps
        .iter()
        .filter(|s| s["uses"].as_str().is_some_and(|u| u.starts_with(action)))
        .collect();
    assert_eq!(found.len(), 1, "{job} uses {action} once");
    found[0]
}

/// The `run` of the one step of `job` whose command starts with `prefix`.
fn step_run(workflow: &Yaml, job: &str, prefix: &str) -> String {
    let steps = seq_of(&workflow["jobs"][job]["steps"], "steps");
    let runs: Vec<&str> = steps
        .iter()
        .filter_map(|s| s["run"].as_str())
        .filter(|r| r.starts_with(prefix))
        .collect();
    assert_eq!(runs.len(), 1, "{job} has one `{prefix}` step");
    runs[0].to_string()
}

/// `${{ matrix.shard }}` replaced by `k`; no other expression may remain.
fn for_leg(text: &str, k: u64) -> String {
    let out = text.replace("${{ matrix.shard }}", &k.to_string());
    assert!(!out.contains("${{"), "unexpanded expression in {out}");
    out
}

/// The matrix legs after checking the workflow: the legs are 0..N where N is the `/N` of
/// `--shard`, no leg cancels the others, each leg uploads its own artifact, and the merge job
/// needs the scan job, runs whatever happened to it and downloads every leg's artifact.
fn check_workflow(wf: &Yaml) -> Vec<u64> {
    let scan = &wf["jobs"]["scan"];
    let legs: Vec<u64> = seq_of(&scan["strategy"]["matrix"]["shard"], "matrix.shard")
        .iter()
        .map(|v| u64_of(v, "shard"))
        .collect();
    let run = step_run(wf, "scan", "keyhound scan");
    let n: u64 = run
        .split_once("--shard ${{ matrix.shard }}/")
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("--shard ${{{{ matrix.shard }}}}/N in {run}"));
    assert_eq!(legs, (0..n).collect::<Vec<_>>(), "one leg per shard");
    assert_eq!(scan["strategy"]["fail-fast"], Yaml::Bool(false));
    let upload = uses(wf, "scan", "actions/upload-artifact@");
    assert!(str_of(&upload["with"]["name"], "artifact name").contains("${{ matrix.shard }}"));
    // The artifact is the leg's -o file (compared per leg: the file name holds the shard).
    for &k in &legs {
        let leg = for_leg(&run, k);
        let output = leg
            .split_once(" -o ")
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .expect("-o FILE");
        assert_eq!(for_leg(str_of(&upload["with"]["path"], "path"), k), output);
    }

    let merge = &wf["jobs"]["merge"];
    let needs = merge["needs"]
        .as_str()
        .map(str::to_string)
        .or_else(|| merge["needs"][0].as_str().map(str::to_string));
    assert_eq!(needs.as_deref(), Some("scan"));
    assert_eq!(merge["if"], "always()");
    assert_eq!(merge["permissions"]["security-events"], "write");
    let download = &uses(wf, "merge", "actions/download-artifact@")["with"];
    let pattern = str_of(&download["pattern"], "pattern");
    let prefix = pattern.strip_suffix('*').expect("a prefix pattern");
    for &k in &legs {
        assert!(for_leg(str_of(&upload["with"]["name"], "name"), k).starts_with(prefix));
    }
    assert_eq!(download["merge-multiple"], Yaml::Bool(true));
    let into = str_of(&download["path"], "download path");
    let merge_run = step_run(wf, "merge", "keyhound merge");
    assert!(merge_run.starts_with(&format!("keyhound merge {into}/*.jsonl ")));
    let sarif = &uses(wf, "merge", "github/codeql-action/upload-sarif@")["with"];
    assert!(merge_run.ends_with(&format!(
        "-o {}",
        str_of(&sarif["sarif_file"], "sarif_file")
    )));
    legs
}

#[test]
fn the_github_actions_matrix_covers_every_target_once_and_merges_to_the_single_run() {
    let wf = workflow();
    let legs = check_workflow(&wf);
    let sb = Sandbox::new();
    let checkout = sb.path().join("checkout");
    std::fs::create_dir_all(&checkout).expect("checkout");
    let planted = fleet(&sb, &checkout.join("repos.txt"));
    let run = step_run(&wf, "scan", "keyhound scan");
    let upload = uses(&wf, "scan", "actions/upload-artifact@");
    let download = &uses(&wf, "merge", "actions/download-artifact@")["with"];
    let merge_ws = sb.path().join("merge-runner");
    let shards_dir = merge_ws.join(str_of(&download["path"], "download path"));
    std::fs::create_dir_all(&shards_dir).expect("download dir");
    let mut files = Vec::new();
    for &k in &legs {
        // Each leg runs on a fresh runner with the checkout.
        let runner = sb.path().join(format!("runner-{k}"));
        std::fs::create_dir_all(&runner).expect("runner");
        std::fs::copy(checkout.join("repos.txt"), runner.join("repos.txt")).expect("checkout");
        let out = sh(&sb, &runner, &for_leg(&run, k), &[]);
        let artifact = runner.join(for_leg(str_of(&upload["with"]["path"], "path"), k));
        assert_shard_exit(&out, &artifact, "/gone");
        // upload-artifact, then download-artifact with merge-multiple: one flat directory.
        let name = artifact.file_name().expect("artifact file name");
        let downloaded = shards_dir.join(name);
        std::fs::copy(&artifact, &downloaded).expect("artifact");
        files.push(downloaded);
    }
    assert_each_target_once(&sb, &files);

    let merge_run = step_run(&wf, "merge", "keyhound merge");
    let out = sh(&sb, &merge_ws, &merge_run, &[]);
    assert_eq!(out.status.code(), Some(1), "findings: {}", text(&out).1);
    let sarif_file = str_of(
        &uses(&wf, "merge", "github/codeql-action/upload-sarif@")["with"]["sarif_file"],
        "sarif_file",
    );
    let sarif = std::fs::read_to_string(merge_ws.join(sarif_file)).expect("SARIF written");
    assert_eq!(sarif, single_run(&sb, &checkout.join("repos.txt"), "sarif"));
    let merged_json = sh(
        &sb,
        &merge_ws,
        &merge_run
            .replace("--format sarif", "--format json")
            .replace(" -o keyhound.sarif", ""),
        &[],
    );
    let merged_json = text(&merged_json).0;
    assert_eq!(
        merged_json,
        single_run(&sb, &checkout.join("repos.txt"), "json")
    );
    assert_planted(&sb, &merged_json, &planted);
}

/// The four sweep commands are the ones `tests/ci.rs` expects in the docs' YAML blocks.
#[test]
fn the_sweep_commands_are_the_ones_the_ci_docs_test_lists() {
    let (_, job, merge) = kubernetes_manifests();
    let mut got = sweep_commands(&job, &merge, &workflow());
    got.sort();
    let mut want: Vec<String> = SWEEP_COMMANDS.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(got, want);
}
