//! Git's object-directory environment: `GIT_OBJECT_DIRECTORY` and
//! `GIT_ALTERNATE_OBJECT_DIRECTORIES`, which gix does not read. git sets them for hooks that
//! run while a push is quarantined (pre-receive, update): the pushed objects sit in
//! `objects/incoming-*` (also named by `GIT_QUARANTINE_PATH`) until the hook accepts them, and
//! a scanner that ignores the variables cannot see the very commits it must check.
//!
//! When either variable is set, the repository's object database is replaced by one rooted
//! in a private temporary directory whose `info/alternates` lists the environment's
//! directories and the repository's own `objects/`. Nothing is written into the repository.

use super::GitError;
use std::path::{Path, PathBuf};

/// The object directory git names as primary.
pub const OBJECT_DIRECTORY: &str = "GIT_OBJECT_DIRECTORY";
/// Extra object directories, separated like `PATH`.
pub const ALTERNATES: &str = "GIT_ALTERNATE_OBJECT_DIRECTORIES";

/// A temporary object directory that only holds `info/alternates`; removed on drop.
#[derive(Debug)]
pub struct AlternatesDir {
    dir: PathBuf,
}

impl Drop for AlternatesDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The object directories the environment names, primary first (relative paths resolved
/// against the current directory). Empty when neither variable is set.
pub fn env_object_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    if let Some(primary) = std::env::var_os(OBJECT_DIRECTORY).filter(|v| !v.is_empty()) {
        dirs.push(PathBuf::from(primary));
    }
    if let Some(list) = std::env::var_os(ALTERNATES) {
        dirs.extend(std::env::split_paths(&list).filter(|p| !p.as_os_str().is_empty()));
    }
    dirs.into_iter().map(absolute).collect()
}

fn absolute(path: PathBuf) -> PathBuf {
    if path.is_absolute() {
        return path;
    }
    std::env::current_dir().map_or(path.clone(), |cwd| cwd.join(path))
}

/// Points `repo`'s object database at the environment's object directories plus its own.
/// Returns the temporary directory to keep alive while `repo` is used (`None` when the
/// environment names no object directory).
pub fn apply(repo: &mut gix::Repository) -> Result<Option<AlternatesDir>, GitError> {
    let mut dirs = env_object_dirs();
    if dirs.is_empty() {
        return Ok(None);
    }
    dirs.push(repo.common_dir().join("objects"));
    let alt = AlternatesDir {
        dir: std::env::temp_dir().join(format!(
            "keyhound-objects-{}-{:016x}",
            std::process::id(),
            fastrand::u64(..)
        )),
    };
    write_alternates(&alt.dir, &dirs)?;
    let handle = gix::odb::at(&alt.dir, repo.object_hash()).map_err(|source| GitError::Io {
        path: alt.dir.clone(),
        source,
    })?;
    repo.objects = gix::OdbHandle::from(handle);
    Ok(Some(alt))
}

fn write_alternates(dir: &Path, dirs: &[PathBuf]) -> Result<(), GitError> {
    let info = dir.join("info");
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| GitError::Io { path, source }
    };
    std::fs::create_dir_all(dir.join("pack")).map_err(io(dir))?;
    std::fs::create_dir_all(&info).map_err(io(&info))?;
    let mut text = String::new();
    for d in dirs {
        text.push_str(&d.to_string_lossy());
        text.push('\n');
    }
    let file = info.join("alternates");
    std::fs::write(&file, text).map_err(io(&file))
}
