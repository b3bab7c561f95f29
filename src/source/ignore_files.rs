//! Which directories' ignore files the walker may read. The `ignore` crate opens `.gitignore`,
//! `.ignore` and `.git/info/exclude` itself, following symlinks and without a size cap: a
//! committed `.gitignore -> /dev/zero` (or `/dev/stdin`, `/proc/self/pagemap`) would hang the
//! scan or exhaust its memory. Git does not follow a symlinked `.gitignore` in the work tree
//! either (since 2.32). So an ignore file that is not a regular file — a symlink, a FIFO, a
//! device — is never handed to the walker: the directory holding it is walked with ignore
//! files off (everything below it is scanned, which errs on the side of finding more).

use crate::bounded;
use std::path::{Path, PathBuf};

/// Ignore files the walker reads in a directory, relative to it.
const NAMES: &[&str] = &[".gitignore", ".ignore", ".git/info/exclude"];

/// An ignore file that is not a regular file: where it is and what it is.
#[derive(Debug, PartialEq, Eq)]
pub struct Unsafe {
    /// The ignore file.
    pub path: PathBuf,
    /// What it is (`a symlink`, `a FIFO (named pipe)`).
    pub kind: &'static str,
}

/// The first ignore file in `dir` that is neither a regular file nor absent.
pub fn in_dir(dir: &Path) -> Option<Unsafe> {
    NAMES.iter().find_map(|name| {
        let path = dir.join(name);
        let file_type = std::fs::symlink_metadata(&path).ok()?.file_type();
        // a directory of that name is not read as a file: harmless
        let bad = !file_type.is_file() && !file_type.is_dir();
        bad.then(|| Unsafe {
            path,
            kind: bounded::kind(file_type),
        })
    })
}

/// The first unsafe ignore file in the directory `root` is (or is in) or any directory
/// above it: the walker reads the ignore files of the root's parents too.
pub fn at_or_above(root: &Path) -> Option<Unsafe> {
    let root = std::fs::canonicalize(root).ok()?;
    let start = if root.is_dir() {
        root.as_path()
    } else {
        root.parent()?
    };
    start.ancestors().find_map(in_dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symlinks_and_fifos_are_unsafe_regular_files_and_directories_are_not() {
        let dir = tempfile::tempdir().expect("tmp");
        let sub = dir.path().join("sub");
        std::fs::create_dir_all(sub.join(".ignore")).expect("mkdir");
        std::fs::write(dir.path().join(".gitignore"), "target/\n").expect("write");
        assert_eq!(in_dir(dir.path()), None);
        assert_eq!(in_dir(&sub), None);
        std::os::unix::fs::symlink("/dev/zero", sub.join(".gitignore")).expect("symlink");
        let found = in_dir(&sub).expect("unsafe");
        assert_eq!(
            (found.path, found.kind),
            (sub.join(".gitignore"), "a symlink")
        );
        assert!(at_or_above(&sub.join(".ignore")).is_some());
        assert_eq!(at_or_above(dir.path()), None);
    }
}
