//! `for_each_blob`: every blob exactly once, across packs, loose objects and alternates.

mod odb_support;
use odb_support as common;

use std::{collections::HashMap, sync::Mutex};

use common::{blob_id, Sandbox};
use gix::ObjectId;
use keyhound::source::git::odb::{for_each_blob, BlobOptions, BlobStats};

/// Runs `for_each_blob` and returns how often each blob was delivered, with its content.
fn collect(
    path: &std::path::Path,
    opts: &BlobOptions,
) -> (HashMap<ObjectId, (usize, Vec<u8>)>, BlobStats) {
    let seen = Mutex::new(HashMap::<ObjectId, (usize, Vec<u8>)>::new());
    let repo = gix::open(path).expect("a repository");
    let stats = for_each_blob(&repo, opts, &|id, data| {
        let mut seen = seen.lock().expect("lock");
        let entry = seen.entry(id.to_owned()).or_insert((0, data.to_vec()));
        entry.0 += 1;
    })
    .expect("enumeration succeeds");
    (seen.into_inner().expect("lock"), stats)
}

/// A repository with history: versions of one file (so packs hold deltas), plus other files.
fn sample(sandbox: &Sandbox) -> (common::Repo, Vec<String>) {
    let repo = sandbox.init("work");
    let mut contents = Vec::new();
    let mut big = String::new();
    for i in 0..20 {
        big.push_str(&format!(
            "line {i} of a file that grows, with enough text to be deltified\n"
        ));
        repo.write("grow.txt", &big);
        contents.push(big.clone());
        let other = format!("file {i}\n");
        repo.write(&format!("dir/f{i}.txt"), &other);
        contents.push(other);
        repo.commit(&format!("c{i}"));
    }
    repo.git(&["rm", "-q", "dir/f3.txt"]);
    repo.commit("delete one");
    (repo, contents)
}

fn assert_exactly_once(seen: &HashMap<ObjectId, (usize, Vec<u8>)>, contents: &[String]) {
    for content in contents {
        let (count, data) = seen
            .get(&blob_id(content))
            .expect("every blob is delivered");
        assert_eq!(*count, 1, "delivered exactly once");
        assert_eq!(data, content.as_bytes(), "with its content");
    }
    assert!(seen.values().all(|(count, _)| *count == 1));
    assert_eq!(seen.len(), contents.len(), "and nothing else");
}

#[test]
fn loose_only_repository() {
    let sandbox = Sandbox::new();
    let (repo, contents) = sample(&sandbox);
    assert_eq!(
        repo.git(&["count-objects", "-v"])
            .lines()
            .find(|l| l.starts_with("in-pack")),
        Some("in-pack: 0")
    );
    let (seen, stats) = collect(&repo.path, &BlobOptions::default());
    assert_exactly_once(&seen, &contents);
    assert_eq!(stats.blobs, contents.len() as u64);
    assert_eq!(
        stats.bytes,
        contents.iter().map(|c| c.len() as u64).sum::<u64>()
    );
    assert!(stats.errors.is_empty(), "{:?}", stats.errors);
}

#[test]
fn packed_repository_with_deltas() {
    let sandbox = Sandbox::new();
    let (repo, contents) = sample(&sandbox);
    repo.git(&["gc", "-q", "--aggressive"]);
    assert_eq!(
        repo.git(&["count-objects", "-v"]).lines().next(),
        Some("count: 0")
    );
    let verify = repo.git(&[
        "verify-pack",
        "-v",
        &format!(
            "{}/.git/objects/pack/{}",
            repo.path.display(),
            pack_name(&repo)
        ),
    ]);
    assert!(
        verify
            .lines()
            .any(|l| l.contains(" blob ") && l.split_whitespace().count() > 5),
        "some blobs are deltas"
    );
    let (seen, stats) = collect(&repo.path, &BlobOptions::default());
    assert_exactly_once(&seen, &contents);
    assert!(stats.errors.is_empty(), "{:?}", stats.errors);
}

fn pack_name(repo: &common::Repo) -> String {
    std::fs::read_dir(repo.path.join(".git/objects/pack"))
        .expect("pack dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|n| n.ends_with(".idx"))
        .expect("a pack")
}

#[test]
fn objects_in_two_packs_and_loose_are_delivered_once() {
    let sandbox = Sandbox::new();
    let (repo, contents) = sample(&sandbox);
    // Two packs with every object, and the loose objects kept as well.
    for _ in 0..2 {
        let objects = repo.git(&["rev-list", "--objects", "--all"]);
        let out = std::process::Command::new("sh")
            .current_dir(&repo.path)
            .arg("-c")
            .arg("git pack-objects -q .git/objects/pack/pack --window=10")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .spawn()
            .and_then(|mut child| {
                use std::io::Write;
                child
                    .stdin
                    .take()
                    .expect("stdin")
                    .write_all(objects.as_bytes())?;
                child.wait()
            })
            .expect("pack-objects runs");
        assert!(out.success());
        repo.write("extra.txt", &format!("more {}\n", repo.now()));
        repo.commit("another");
    }
    let packs = std::fs::read_dir(repo.path.join(".git/objects/pack"))
        .expect("pack dir")
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "idx"))
        })
        .count();
    assert_eq!(packs, 2);
    let mut all = contents.clone();
    all.push(std::fs::read_to_string(repo.path.join("extra.txt")).expect("read"));
    let first_extra = repo.git(&["show", "HEAD~1:extra.txt"]) + "\n";
    all.push(first_extra);
    let (seen, stats) = collect(&repo.path, &BlobOptions::default());
    assert_exactly_once(&seen, &all);
    assert!(stats.errors.is_empty(), "{:?}", stats.errors);
}

#[test]
fn large_blobs_are_counted_not_delivered() {
    let sandbox = Sandbox::new();
    let repo = sandbox.init("work");
    repo.write("small.txt", "small\n");
    repo.write("large.txt", &"x".repeat(10_000));
    repo.commit("c1");
    for packed in [false, true] {
        if packed {
            repo.git(&["gc", "-q"]);
        }
        let opts = BlobOptions {
            max_size: 1000,
            ..Default::default()
        };
        let (seen, stats) = collect(&repo.path, &opts);
        assert_eq!(
            seen.keys().copied().collect::<Vec<_>>(),
            vec![blob_id("small\n")],
            "packed: {packed}"
        );
        assert_eq!(stats.skipped_large, 1, "packed: {packed}");
        assert_eq!(stats.blobs, 1);
    }
}

#[test]
fn bare_repository() {
    let sandbox = Sandbox::new();
    let (_repo, contents) = sample(&sandbox);
    sandbox.git(&["clone", "-q", "--bare", "work", "bare.git"]);
    let (seen, stats) = collect(&sandbox.path("bare.git"), &BlobOptions::default());
    // A clone only has reachable objects: the deleted file's blob stays reachable from history.
    assert_exactly_once(&seen, &contents);
    assert!(stats.errors.is_empty());
}

#[test]
fn linked_worktree() {
    let sandbox = Sandbox::new();
    let (repo, contents) = sample(&sandbox);
    repo.git(&["worktree", "add", "-q", "-b", "wt", "../wt"]);
    assert!(
        sandbox.path("wt/.git").is_file(),
        "a linked work tree has a .git file"
    );
    let (seen, _) = collect(&sandbox.path("wt"), &BlobOptions::default());
    assert_exactly_once(&seen, &contents);
}

#[test]
fn alternates_are_read() {
    let sandbox = Sandbox::new();
    let (repo, contents) = sample(&sandbox);
    repo.git(&["gc", "-q"]);
    sandbox.git(&["clone", "-q", "--shared", "work", "shared"]);
    let shared = common::Repo::at(&sandbox.path("shared"));
    assert!(shared.path.join(".git/objects/info/alternates").is_file());
    shared.write("own.txt", "only in the borrowing clone\n");
    shared.commit("own");

    let mut all = contents.clone();
    all.push("only in the borrowing clone\n".into());
    let (seen, stats) = collect(&shared.path, &BlobOptions::default());
    assert_exactly_once(&seen, &all);
    assert!(stats.errors.is_empty());
    // Pre-receive quarantine directories are covered end to end in tests/prereceive.rs.
}

#[test]
fn corrupt_loose_object_is_a_warning() {
    let sandbox = Sandbox::new();
    let (repo, contents) = sample(&sandbox);
    let victim = blob_id("file 7\n");
    let hex = victim.to_hex().to_string();
    let path = repo
        .path
        .join(".git/objects")
        .join(&hex[..2])
        .join(&hex[2..]);
    std::fs::remove_file(&path).expect("remove read-only object");
    std::fs::write(&path, b"this is not zlib data").expect("corrupt it");

    let (seen, stats) = collect(&repo.path, &BlobOptions::default());
    assert!(!seen.contains_key(&victim));
    assert_eq!(
        seen.len(),
        contents.len() - 1,
        "every other blob is still delivered"
    );
    assert_eq!(stats.errors.len(), 1, "{:?}", stats.errors);
    assert!(
        stats.errors[0].contains(&hex),
        "the warning names the object: {}",
        stats.errors[0]
    );
}

#[test]
fn corrupt_packed_object_is_a_warning() {
    let sandbox = Sandbox::new();
    let (repo, contents) = sample(&sandbox);
    repo.git(&["gc", "-q"]);
    let victim = blob_id("file 7\n");
    let pack = pack_name(&repo).replace(".idx", ".pack");
    let pack_path = repo.path.join(".git/objects/pack").join(&pack);
    let verify = repo.git(&["verify-pack", "-v", pack_path.to_str().expect("utf-8")]);
    let line = verify
        .lines()
        .find(|l| l.starts_with(&victim.to_hex().to_string()))
        .expect("the victim is packed");
    // "<id> blob <size> <size-in-pack> <offset>", stored whole (not as a delta).
    let fields: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(fields.len(), 5, "stored whole: {line}");
    let offset: usize = fields[4].parse().expect("offset");
    let mut data = std::fs::read(&pack_path).expect("read pack");
    for byte in &mut data[offset + 4..offset + 8] {
        *byte ^= 0xff;
    }
    std::fs::remove_file(&pack_path).expect("remove read-only pack");
    std::fs::write(&pack_path, data).expect("write pack");

    let (seen, stats) = collect(&repo.path, &BlobOptions::default());
    assert!(!seen.contains_key(&victim));
    assert_eq!(
        seen.len(),
        contents.len() - 1,
        "every other blob is still delivered"
    );
    assert_eq!(stats.errors.len(), 1, "{:?}", stats.errors);
    assert!(
        stats.errors[0].contains(&victim.to_hex().to_string()),
        "{}",
        stats.errors[0]
    );
}

#[test]
fn an_oversize_delta_tree_is_skipped_from_headers_without_inflating_its_base() {
    let sandbox = Sandbox::new();
    let repo = sandbox.init("work");
    let v1: String = (0..4000)
        .map(|i| format!("line {i:05} of the big file\n"))
        .collect();
    let v2 = format!("{v1}one more line\n");
    repo.write("big.txt", &v1);
    repo.commit("v1");
    repo.write("big.txt", &v2);
    repo.commit("v2");
    repo.git(&["repack", "-adfq"]);
    let idx = repo.path.join(".git/objects/pack").join(pack_name(&repo));
    let listing = repo.git(&["verify-pack", "-v", idx.to_str().expect("utf-8")]);
    let ids = [blob_id(&v1).to_string(), blob_id(&v2).to_string()];
    // `<id> blob <size> <size-in-pack> <offset>` for the whole object, then depth and base for a delta
    let rows: Vec<Vec<&str>> = listing
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .filter(|f| ids.iter().any(|id| f.first() == Some(&id.as_str())))
        .collect();
    assert_eq!(rows.len(), 2, "{listing}");
    let base = rows.iter().find(|f| f.len() == 5).expect("a whole base");
    assert!(
        rows.iter().any(|f| f.len() == 7 && f[6] == base[0]),
        "the other version is a delta of it: {listing}"
    );
    // Garble the middle of the base's compressed data: inflating it would now fail.
    let (in_pack, offset): (u64, u64) = (
        base[3].parse().expect("size"),
        base[4].parse().expect("offset"),
    );
    let pack = idx.with_extension("pack");
    let mut perms = std::fs::metadata(&pack).expect("pack").permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&pack, perms).expect("writable");
    let mut data = std::fs::read(&pack).expect("read pack");
    let middle = (offset + in_pack / 2) as usize;
    data[middle..middle + 16].fill(0xa5);
    std::fs::write(&pack, data).expect("write pack");

    let scan_all = BlobOptions::default();
    let (_, stats) = collect(&repo.path, &scan_all);
    assert!(
        stats.errors.iter().any(|e| e.contains(base[0])),
        "the garbled base cannot be inflated: {:?}",
        stats.errors
    );

    let limited = BlobOptions {
        max_size: 50_000,
        ..Default::default()
    };
    let (seen, stats) = collect(&repo.path, &limited);
    assert!(
        stats.errors.is_empty(),
        "the base was inflated: {:?}",
        stats.errors
    );
    assert!(!seen.contains_key(&blob_id(&v1)) && !seen.contains_key(&blob_id(&v2)));
    assert_eq!(stats.skipped_large, 2);
    let mut large = stats.large.clone();
    large.sort();
    let mut expected = vec![
        (blob_id(&v1), v1.len() as u64),
        (blob_id(&v2), v2.len() as u64),
    ];
    expected.sort();
    assert_eq!(large, expected, "both named with their sizes from headers");
}
