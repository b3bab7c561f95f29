//! A scan never runs anything from the scanned repository. The repository's `.git/config`
//! names a command for every setting git would run one for (fsmonitor, hooks, filters,
//! textconv, external diff, ssh, pager, editor, askpass, credential helper, gpg, upload-pack
//! hooks…), each command touching its own marker file; every scan mode runs against it
//! (full, --staged with a change staged, --since, --range, --pre-receive fed the way the
//! hook is, gitignore-doctor, a sweep mirror-cloning it over file://) and no marker may
//! appear. A control at the end runs git itself and sees markers appear, so the hostile
//! config is live.

mod common;
mod workflow_support;

use std::path::{Path, PathBuf};
use workflow_support::*;

/// Every hook name git knows (client and server side).
const HOOKS: &[&str] = &[
    "applypatch-msg",
    "pre-applypatch",
    "post-applypatch",
    "pre-commit",
    "pre-merge-commit",
    "prepare-commit-msg",
    "commit-msg",
    "post-commit",
    "pre-rebase",
    "post-checkout",
    "post-merge",
    "pre-push",
    "pre-receive",
    "update",
    "proc-receive",
    "post-receive",
    "post-update",
    "reference-transaction",
    "push-to-checkout",
    "pre-auto-gc",
    "post-rewrite",
    "sendemail-validate",
    "fsmonitor-watchman",
    "p4-changelist",
    "p4-prepare-changelist",
    "p4-post-changelist",
    "p4-pre-submit",
    "post-index-change",
];

/// Config keys whose value git runs as a command (or a `!command`).
const COMMANDS: &[&str] = &[
    "core.fsmonitor",
    "core.sshCommand",
    "core.pager",
    "core.editor",
    "core.askPass",
    "core.gitProxy",
    "core.alternateRefsCommand",
    "sequence.editor",
    "diff.external",
    "diff.x.textconv",
    "diff.x.command",
    "filter.x.clean",
    "filter.x.smudge",
    "filter.x.process",
    "merge.x.driver",
    "gpg.program",
    "gpg.ssh.program",
    "uploadpack.packObjectsHook",
    "remote.origin.uploadpack",
    "remote.origin.receivepack",
    "pager.log",
    "pager.diff",
    "web.browser",
];

struct Hostile {
    repo: PathBuf,
    markers: PathBuf,
    main: String,
    pushed: String,
}

/// An executable script that records its name (and arguments) in `markers/name`.
fn marker_script(dir: &Path, markers: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    write_script(
        &path,
        &format!(
            "#!/bin/sh\necho \"$@\" >> '{}/{name}'\nexit 0\n",
            markers.display()
        ),
    );
    path
}

/// A repository with history on `main`, a branch `pr` adding a key, a commit no ref points
/// to (a pushed commit, as pre-receive sees it), a staged change, and then the hostile
/// config: every command git could run is a marker script.
fn hostile(sb: &Sandbox) -> Hostile {
    let markers = sb.path().join("markers");
    std::fs::create_dir_all(&markers).expect("markers");
    let scripts = sb.path().join("scripts");
    let hooks = sb.path().join("hooks");
    std::fs::create_dir_all(&scripts).expect("scripts");
    std::fs::create_dir_all(&hooks).expect("hooks");

    let repo = sb.repo("repo");
    write(&repo, ".gitattributes", "* filter=x diff=x merge=x\n");
    write(&repo, "README.md", "# demo\n");
    write(&repo, ".env", "DB_PASSWORD=Xk9mQ2vLp7RtZw4Nb8Yc\n");
    sb.git(&repo, &["add", "."]);
    sb.git(&repo, &["commit", "-qm", "base"]);
    let main = sb.git(&repo, &["rev-parse", "HEAD"]);
    sb.git(&repo, &["checkout", "-q", "-b", "pr"]);
    write(&repo, "src/bot.py", &format!("API = \"{}\"\n", key_a()));
    sb.git(&repo, &["add", "."]);
    sb.git(&repo, &["commit", "-qm", "pr"]);
    write(&repo, "src/new.py", &format!("API = \"{}\"\n", key_b()));
    sb.git(&repo, &["add", "."]);
    // the staged tree as a commit no ref holds: what a push brings in
    let tree = sb.git(&repo, &["write-tree"]);
    let pushed = sb.git(&repo, &["commit-tree", &tree, "-p", "HEAD", "-m", "pushed"]);

    for name in HOOKS {
        marker_script(&hooks, &markers, &format!("hook-{name}"));
        std::fs::copy(hooks.join(format!("hook-{name}")), hooks.join(name)).expect("hook");
        std::fs::copy(hooks.join(name), repo.join(".git/hooks").join(name)).expect("hook");
    }
    sb.git(
        &repo,
        &["config", "core.hooksPath", hooks.to_str().expect("utf-8")],
    );
    for key in COMMANDS {
        let script = marker_script(&scripts, &markers, key);
        let value = script.to_str().expect("utf-8");
        sb.git(&repo, &["config", key, value]);
    }
    sb.git(&repo, &["config", "filter.x.required", "true"]);
    sb.git(&repo, &["config", "core.fsmonitorHookVersion", "2"]);
    let helper = marker_script(&scripts, &markers, "credential.helper");
    sb.git(
        &repo,
        &[
            "config",
            "credential.helper",
            &format!("!{}", helper.display()),
        ],
    );
    sb.git(
        &repo,
        &["config", "remote.origin.url", "ssh://git@127.0.0.1:1/x.git"],
    );
    sb.git(&repo, &["config", "uploadpack.allowFilter", "true"]);
    sb.git(&repo, &["config", "gc.auto", "1"]);
    Hostile {
        repo,
        markers,
        main,
        pushed,
    }
}

fn markers(h: &Hostile) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(&h.markers)
        .expect("markers dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Runs keyhound in the hostile repository with `stdin`, checks the exit code, and that no
/// marker appeared.
fn run(sb: &Sandbox, h: &Hostile, args: &[&str], stdin: &str, code: i32) {
    let mut child = sb
        .command(KEYHOUND, &h.repo)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("keyhound runs");
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("stdin");
    let out = child.wait_with_output().expect("keyhound ends");
    let (stdout, stderr) = text(&out);
    assert_eq!(
        out.status.code(),
        Some(code),
        "keyhound {args:?}\nstdout: {stdout}\nstderr: {stderr}"
    );
    assert_eq!(
        markers(h),
        Vec::<String>::new(),
        "keyhound {args:?} ran a command of the scanned repository"
    );
}

#[test]
fn no_scan_mode_runs_a_command_of_the_scanned_repository() {
    let sb = Sandbox::new();
    let h = hostile(&sb);
    run(&sb, &h, &["scan"], "", 1);
    run(&sb, &h, &["scan", "--no-history"], "", 1);
    run(&sb, &h, &["scan", "--staged"], "", 1);
    run(&sb, &h, &["scan", "--since", "main"], "", 1);
    run(&sb, &h, &["scan", "--range", "main..pr"], "", 1);
    let push = format!("{} {} refs/heads/main\n", h.main, h.pushed);
    run(&sb, &h, &["scan", "--pre-receive"], &push, 1);
    run(&sb, &h, &["gitignore-doctor"], "", 1);
    let url = format!("file://{}", h.repo.display());
    let clones = sb.path().join("clones");
    let clone_dir = clones.to_str().expect("utf-8");
    // twice: the first run clones, the second fetches into the mirror
    for _ in 0..2 {
        run(&sb, &h, &["scan", &url, "--clone-dir", clone_dir], "", 1);
    }

    // Control: git itself runs the repository's commands, so the config above is live.
    sb.git_output(&h.repo, &["status"]);
    sb.git_output(&h.repo, &["diff", "main", "pr"]);
    sb.git_output(&h.repo, &["hook", "run", "pre-commit"]);
    let ran = markers(&h);
    for expected in ["core.fsmonitor", "filter.x.process", "hook-pre-commit"] {
        assert!(
            ran.iter().any(|m| m == expected),
            "{expected} not run by git: {ran:?}"
        );
    }
}
