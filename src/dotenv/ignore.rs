//! Git's ignore rules, read exactly the way git reads them: which ignore files apply to a
//! path (every `.gitignore` from the root down to the file's directory, `.git/info/exclude`,
//! `core.excludesFile`), how a file splits into lines (a leading UTF-8 BOM is skipped, CRLF is
//! accepted, unescaped trailing spaces are trimmed, nothing else is), and which line decides
//! whether a path is ignored. Glob matching itself is `gix::glob`'s port of git's wildmatch.

use gix::bstr::ByteSlice;
use gix::glob::{pattern::Case, wildmatch, Pattern};
use std::path::Path;

/// Ignore files larger than this are not read (no real ignore file is this big).
const MAX_IGNORE_FILE: u64 = 1 << 20;

/// The name of the only per-directory ignore file git reads.
pub const GITIGNORE: &str = ".gitignore";

/// One ignore source as git would read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IgnoreSource {
    /// Display name: `.gitignore`, `api/.gitignore`, `.git/info/exclude`, or the
    /// `core.excludesFile` path.
    pub name: String,
    /// The directory its patterns are relative to, relative to the repository root (`""`
    /// for the root and for the repository-wide sources).
    pub base: String,
    /// The raw bytes.
    pub text: Vec<u8>,
}

/// Every ignore source git would consult for one path, plus look-alike files it would not.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IgnoreSources {
    /// The sources git reads, lowest precedence first: `core.excludesFile`,
    /// `.git/info/exclude`, then each `.gitignore` from the root down to the file's directory.
    pub sources: Vec<IgnoreSource>,
    /// Files on the path whose names look like an ignore file git never reads
    /// (`.gitingore`, `.gitignore.txt`, `gitignore`, …), in directory order.
    pub misnamed: Vec<IgnoreSource>,
    /// `core.ignoreCase`: whether patterns match regardless of ASCII case.
    pub ignore_case: bool,
    /// `.gitignore` files in directories that are not on the path (siblings and their
    /// subdirectories): git never reads them for this path, but a rule there is often the one
    /// that was meant to cover it.
    pub elsewhere: Vec<IgnoreSource>,
    /// For a file added in a commit: the sources git read for the same path in that
    /// commit's first parent, to tell an ignore line the same commit changed.
    pub before: Option<Vec<IgnoreSource>>,
}

/// One pattern line of an ignore source, parsed with git's rules.
#[derive(Clone, Debug)]
pub struct IgnoreLine {
    /// Index of the source in the list the line was compiled from.
    pub source: usize,
    /// 1-based line number.
    pub number: usize,
    /// The line as written, without its line terminator.
    pub raw: Vec<u8>,
    /// The parsed pattern.
    pub pattern: Pattern,
}

impl IgnoreLine {
    /// Whether the line starts with `!` (re-includes what it matches).
    pub fn is_negative(&self) -> bool {
        self.pattern.is_negative()
    }
}

/// The lines of an ignore file as git splits them: a leading UTF-8 BOM is skipped, lines end
/// at `\n`, and one `\r` before the end of a line is dropped. Yields (1-based number, line).
pub fn lines(text: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    let text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text);
    let text = text.strip_suffix(b"\n").unwrap_or(text);
    let lines = (!text.is_empty()).then(|| text.split(|&b| b == b'\n'));
    lines
        .into_iter()
        .flatten()
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line))
        .zip(1..)
        .map(|(line, number)| (number, line))
}

/// Parses one line like git's `add_patterns_from_buffer`: blank lines and lines starting with
/// `#` hold no pattern, unescaped trailing spaces are trimmed (tabs and other whitespace are
/// kept), a leading `!` negates.
pub fn parse_line(line: &[u8]) -> Option<Pattern> {
    if line.first() == Some(&b'#') {
        return None;
    }
    Pattern::from_bytes(trim_trailing_spaces(line))
}

/// Git's `trim_trailing_spaces`: drops trailing ` ` unless escaped by a backslash.
pub fn trim_trailing_spaces(line: &[u8]) -> &[u8] {
    let mut last_space = None;
    let mut i = 0;
    while i < line.len() {
        match line[i] {
            b' ' => {
                last_space.get_or_insert(i);
            }
            b'\\' => {
                i += 1;
                if i >= line.len() {
                    return line;
                }
                last_space = None;
            }
            _ => last_space = None,
        }
        i += 1;
    }
    &line[..last_space.unwrap_or(line.len())]
}

/// Every pattern line of `sources`, lowest precedence first (the order git's "last match wins"
/// runs backwards over).
pub fn compile(sources: &[IgnoreSource]) -> Vec<IgnoreLine> {
    let mut out = Vec::new();
    for (index, source) in sources.iter().enumerate() {
        for (number, raw) in lines(&source.text) {
            if let Some(pattern) = parse_line(raw) {
                out.push(IgnoreLine {
                    source: index,
                    number,
                    raw: raw.to_vec(),
                    pattern,
                });
            }
        }
    }
    out
}

/// Whether `pattern`, read from an ignore file in directory `base`, matches the
/// repository-relative `path` (a directory when `is_dir`).
pub fn pattern_matches(
    pattern: &Pattern,
    base: &str,
    path: &str,
    is_dir: bool,
    case: Case,
) -> bool {
    let Some(rel) = strip_base(base, path) else {
        return false;
    };
    let basename = rel.rfind('/').map(|p| p + 1);
    pattern.matches_repo_relative_path(
        rel.as_bytes().as_bstr(),
        basename,
        Some(is_dir),
        case,
        wildmatch::Mode::NO_MATCH_SLASH_LITERAL,
    )
}

/// `path` relative to `base`, or `None` when it lies outside. Leading slashes of the rest are
/// dropped: a history path can have empty components (`sub//.env`, `/.env`) when a crafted
/// tree has an entry with an empty name (git refuses to read such a tree, gix does not), and
/// an empty component is no directory, so `sub//.env` is matched as `sub/.env` — gix-glob
/// takes only relative paths.
fn strip_base<'a>(base: &str, path: &'a str) -> Option<&'a str> {
    let rest = if base.is_empty() {
        path
    } else {
        path.strip_prefix(base)?.strip_prefix('/')?
    };
    Some(rest.trim_start_matches('/'))
}

/// The case mode for `core.ignoreCase`.
pub fn case(ignore_case: bool) -> Case {
    if ignore_case {
        Case::Fold
    } else {
        Case::Sensitive
    }
}

/// The line git acts on for a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decision {
    /// Index into the compiled lines.
    pub line: usize,
    /// Whether the line matched a parent directory rather than the path itself.
    pub parent: bool,
}

/// Which compiled line decides `path`, the way `git check-ignore --no-index -v` finds it:
/// a parent directory excluded by a positive pattern excludes everything below it (no
/// negation can re-include it); otherwise the last matching line for the path itself wins.
/// `None` when no line matches.
pub fn decide(
    lines: &[IgnoreLine],
    sources: &[IgnoreSource],
    path: &str,
    case: Case,
) -> Option<Decision> {
    for (i, _) in path.match_indices('/') {
        let dir = &path[..i];
        if let Some(line) = last_match(lines, sources, dir, true, case) {
            if !lines[line].is_negative() {
                return Some(Decision { line, parent: true });
            }
        }
    }
    last_match(lines, sources, path, false, case).map(|line| Decision {
        line,
        parent: false,
    })
}

/// A `!` line that re-includes a parent directory of `path` after an earlier line excluded
/// that directory: (negation, overridden line), indices into the compiled lines.
pub fn negated_parent(
    lines: &[IgnoreLine],
    sources: &[IgnoreSource],
    path: &str,
    case: Case,
) -> Option<(usize, usize)> {
    path.match_indices('/').find_map(|(i, _)| {
        let dir = &path[..i];
        let negation = last_match(lines, sources, dir, true, case)?;
        let overridden = lines[..negation].iter().rposition(|l| {
            !l.is_negative()
                && pattern_matches(&l.pattern, &sources[l.source].base, dir, true, case)
        });
        lines[negation]
            .is_negative()
            .then_some(overridden)
            .flatten()
            .map(|o| (negation, o))
    })
}

/// Whether git ignores `path` given these sources.
pub fn is_ignored(sources: &IgnoreSources, path: &str) -> bool {
    let lines = compile(&sources.sources);
    decide(&lines, &sources.sources, path, case(sources.ignore_case))
        .is_some_and(|d| !lines[d.line].is_negative())
}

fn last_match(
    lines: &[IgnoreLine],
    sources: &[IgnoreSource],
    path: &str,
    is_dir: bool,
    case: Case,
) -> Option<usize> {
    lines
        .iter()
        .rposition(|l| pattern_matches(&l.pattern, &sources[l.source].base, path, is_dir, case))
}

/// Whether git would read a file of this name as ignore rules. Only `.gitignore` qualifies;
/// names that look like an attempt at it are "misnamed": `.gitingore`, `.gitignore.txt`,
/// `gitignore`, `.Gitignore`, `.gitignore ` (trailing space) — within two edits of
/// `.gitignore` after dropping a `.txt` suffix and trailing whitespace, ignoring case.
pub fn is_misnamed_ignore_file(name: &str) -> bool {
    if name == GITIGNORE {
        return false;
    }
    let trimmed = name.trim_end();
    let lower = trimmed.to_ascii_lowercase();
    let stem = lower.strip_suffix(".txt").unwrap_or(&lower);
    stem.len() >= 8 && super::nearmiss::edit_distance(stem, GITIGNORE) <= 2
}

/// Directories from the root down to the one holding `rel_path`: `""`, `a`, `a/b`. An empty
/// component (`a//b`, `/b`: see [`strip_base`]) is no directory of its own.
pub fn dirs_on_path(rel_path: &str) -> impl Iterator<Item = &str> {
    let dirs = rel_path
        .match_indices('/')
        .filter(|&(i, _)| i > 0 && !rel_path[..i].ends_with('/'))
        .map(|(i, _)| &rel_path[..i]);
    std::iter::once("").chain(dirs)
}

/// `dir/name`, or `name` at the root.
pub fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// The repository-wide ignore configuration: `core.excludesFile` (or its XDG default),
/// `.git/info/exclude`, and `core.ignoreCase`. Read once per repository, then asked for the
/// sources of each path.
#[derive(Clone, Debug, Default)]
pub struct RepoIgnores {
    globals: Vec<IgnoreSource>,
    ignore_case: bool,
    /// The directories (repository-relative, not the root) of the `.gitignore` files the
    /// index tracks: where a worktree's nested ignore files are.
    nested: Vec<String>,
}

impl RepoIgnores {
    /// Reads the repository's configuration. Unreadable files count as empty, like in git.
    pub fn open(repo: &gix::Repository) -> RepoIgnores {
        let config = repo.config_snapshot();
        let ignore_case = config.boolean("core.ignoreCase").unwrap_or(false);
        let excludes_file = config
            .trusted_path("core.excludesFile")
            .ok()
            .flatten()
            .or_else(|| gix::path::env::xdg_config("ignore", &mut |n| std::env::var_os(n)));
        let mut globals = Vec::new();
        if let Some(path) = excludes_file {
            push_file(&mut globals, path.display().to_string(), &path);
        }
        let exclude = repo.common_dir().join("info").join("exclude");
        push_file(&mut globals, exclude_name(repo, &exclude), &exclude);
        RepoIgnores {
            globals,
            ignore_case,
            nested: nested_in_index(repo),
        }
    }

    /// Reads the configuration of the repository at `git_dir`; on failure only
    /// `info/exclude` is read.
    pub fn open_path(git_dir: &Path) -> RepoIgnores {
        match gix::open(git_dir) {
            Ok(repo) => RepoIgnores::open(&repo),
            Err(_) => {
                let mut globals = Vec::new();
                let exclude = git_dir.join("info").join("exclude");
                push_file(&mut globals, ".git/info/exclude".into(), &exclude);
                RepoIgnores {
                    globals,
                    ignore_case: false,
                    nested: Vec::new(),
                }
            }
        }
    }

    /// The sources for `rel_path` in the working tree at `workdir`.
    pub fn worktree(&self, workdir: &Path, rel_path: &str) -> IgnoreSources {
        let elsewhere = self
            .nested
            .iter()
            .filter(|dir| !on_path(dir, rel_path))
            .filter_map(|dir| {
                let path = workdir.join(dir).join(GITIGNORE);
                let mut found = Vec::new();
                push_file(&mut found, join(dir, GITIGNORE), &path);
                found.pop().map(|s| IgnoreSource {
                    base: dir.clone(),
                    ..s
                })
            })
            .collect();
        let mut out = self.collect(rel_path, |dir| {
            let Ok(entries) = std::fs::read_dir(workdir.join(dir)) else {
                return Vec::new();
            };
            entries
                .flatten()
                .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                .filter_map(|e| {
                    let name = e.file_name().into_string().ok()?;
                    let relevant = name == GITIGNORE || is_misnamed_ignore_file(&name);
                    relevant
                        .then(|| read_ignore_file(&e.path()).map(|text| (name, text)))
                        .flatten()
                })
                .collect()
        });
        out.elsewhere = elsewhere;
        out
    }

    /// The sources for `rel_path` as of a commit whose root tree is `tree` (history and
    /// staged scans): the `.gitignore` blobs on the path in that tree, plus today's
    /// repository-wide sources.
    pub fn tree(&self, tree: &gix::Tree<'_>, rel_path: &str) -> IgnoreSources {
        let mut out = self.collect(rel_path, |dir| tree_ignore_files(tree, dir));
        let mut budget = MAX_NESTED_DIRS;
        nested_in_tree(tree, "", rel_path, &mut budget, &mut out.elsewhere);
        out
    }

    /// Builds the sources from a per-directory reader of ignore-like files (name, bytes).
    fn collect(
        &self,
        rel_path: &str,
        mut read_dir: impl FnMut(&str) -> Vec<(String, Vec<u8>)>,
    ) -> IgnoreSources {
        let mut out = IgnoreSources {
            sources: self.globals.clone(),
            ignore_case: self.ignore_case,
            ..IgnoreSources::default()
        };
        for dir in dirs_on_path(rel_path) {
            let mut files = read_dir(dir);
            files.sort_by(|a, b| a.0.cmp(&b.0));
            for (name, text) in files {
                let source = IgnoreSource {
                    name: join(dir, &name),
                    base: dir.to_string(),
                    text,
                };
                if name == GITIGNORE {
                    out.sources.push(source);
                } else {
                    out.misnamed.push(source);
                }
            }
        }
        out
    }
}

/// The sources git would consult for `rel_path` in a worktree: every `.gitignore` from the
/// root down to the file's directory, `.git/info/exclude`, `core.excludesFile` (or
/// `~/.config/git/ignore`), plus misnamed ignore files found on that path.
pub fn worktree_ignore_sources(
    repo_workdir: &Path,
    git_dir: &Path,
    rel_path: &str,
) -> IgnoreSources {
    RepoIgnores::open_path(git_dir).worktree(repo_workdir, rel_path)
}

/// An ignore file's bytes; `None` when it is missing, not a regular file or over the limit.
fn read_ignore_file(path: &Path) -> Option<Vec<u8>> {
    crate::bounded::read(path, MAX_IGNORE_FILE).ok()
}

fn push_file(out: &mut Vec<IgnoreSource>, name: String, path: &Path) {
    if let Some(text) = read_ignore_file(path) {
        out.push(IgnoreSource {
            name,
            base: String::new(),
            text,
        });
    }
}

/// `.git/info/exclude` when the git directory is the worktree's `.git`, else the full path.
fn exclude_name(repo: &gix::Repository, exclude: &Path) -> String {
    repo.workdir()
        .and_then(|w| exclude.strip_prefix(w).ok())
        .map_or_else(
            || exclude.display().to_string(),
            |p| p.to_string_lossy().replace('\\', "/"),
        )
}

/// Directories visited at most when looking for nested `.gitignore` blobs in a tree.
const MAX_NESTED_DIRS: usize = 20_000;

/// Whether directory `dir` is `rel_path`'s directory or one of its parents (the `.gitignore`
/// there applies to the path).
fn on_path(dir: &str, rel_path: &str) -> bool {
    dirs_on_path(rel_path).any(|d| d == dir)
}

/// The directories of the `.gitignore` files tracked in `repo`'s index, the root left out.
fn nested_in_index(repo: &gix::Repository) -> Vec<String> {
    let Ok(index) = repo.index_or_empty() else {
        return Vec::new();
    };
    let suffix = format!("/{GITIGNORE}");
    let mut dirs: Vec<String> = index
        .entries()
        .iter()
        .filter_map(|e| {
            let path = e.path(&index).to_str().ok()?;
            path.strip_suffix(&suffix).map(str::to_string)
        })
        .collect();
    dirs.dedup();
    dirs
}

/// Pushes to `out` every `.gitignore` blob below directory `dir` of `tree` (`dir` itself
/// excluded when it is on `rel_path`), visiting at most `budget` directories.
fn nested_in_tree(
    tree: &gix::Tree<'_>,
    dir: &str,
    rel_path: &str,
    budget: &mut usize,
    out: &mut Vec<IgnoreSource>,
) {
    let mut subdirs = Vec::new();
    for entry in tree.iter().flatten() {
        let Ok(name) = entry.filename().to_str() else {
            continue;
        };
        if entry.mode().is_tree() {
            subdirs.push((join(dir, name), entry.object_id()));
        } else if name == GITIGNORE && !dir.is_empty() && !on_path(dir, rel_path) {
            let blob = tree.repo.find_blob(entry.object_id());
            if let Some(text) = blob.ok().map(|mut b| b.take_data()) {
                if text.len() as u64 <= MAX_IGNORE_FILE {
                    out.push(IgnoreSource {
                        name: join(dir, GITIGNORE),
                        base: dir.to_string(),
                        text,
                    });
                }
            }
        }
    }
    for (sub, id) in subdirs {
        if *budget == 0 {
            return;
        }
        *budget -= 1;
        if let Ok(subtree) = tree.repo.find_tree(id) {
            nested_in_tree(&subtree, &sub, rel_path, budget, out);
        }
    }
}

/// The `.gitignore` and misnamed ignore blobs directly in directory `dir` of `tree`.
fn tree_ignore_files(tree: &gix::Tree<'_>, dir: &str) -> Vec<(String, Vec<u8>)> {
    if dir.is_empty() {
        return ignore_blobs(tree);
    }
    tree.lookup_entry_by_path(dir)
        .ok()
        .flatten()
        .filter(|e| e.mode().is_tree())
        .and_then(|e| e.object().ok())
        .and_then(|o| o.try_into_tree().ok())
        .map(|subtree| ignore_blobs(&subtree))
        .unwrap_or_default()
}

/// Ignore files of history larger than this are not read (no real one comes close).
const MAX_IGNORE_BLOB: u64 = 4 << 20;

/// The `.gitignore` and misnamed ignore blobs among `tree`'s own entries (up to
/// [`MAX_IGNORE_BLOB`] each).
fn ignore_blobs(tree: &gix::Tree<'_>) -> Vec<(String, Vec<u8>)> {
    let wanted: Vec<(String, gix::ObjectId)> = tree
        .iter()
        .flatten()
        .filter(|e| e.mode().is_blob())
        .filter_map(|e| {
            let name = e.filename().to_str().ok()?.to_string();
            (name == GITIGNORE || is_misnamed_ignore_file(&name)).then(|| (name, e.object_id()))
        })
        .collect();
    wanted
        .into_iter()
        .filter_map(|(name, id)| {
            // the header says the size: an ignore file of gigabytes is never inflated
            let header = tree.repo.try_find_header(id).ok()??;
            if header.size() > MAX_IGNORE_BLOB {
                return None;
            }
            let mut blob = tree.repo.find_blob(id).ok()?;
            Some((name, blob.take_data()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sources(text: &[u8], base: &str) -> IgnoreSources {
        IgnoreSources {
            sources: vec![IgnoreSource {
                name: join(base, GITIGNORE),
                base: base.into(),
                text: text.to_vec(),
            }],
            ..IgnoreSources::default()
        }
    }

    #[test]
    fn lines_skip_bom_and_drop_cr_like_git() {
        let got: Vec<(usize, &[u8])> = lines(b"\xEF\xBB\xBF.env\r\n\n#c\r\nx\r").collect();
        assert_eq!(
            got,
            vec![(1, &b".env"[..]), (2, b""), (3, b"#c"), (4, b"x")]
        );
        assert_eq!(lines(b"").count(), 0);
    }

    #[test]
    fn trailing_spaces_trimmed_unless_escaped_tabs_kept() {
        assert_eq!(trim_trailing_spaces(b".env   "), b".env");
        assert_eq!(trim_trailing_spaces(b".env\\ "), b".env\\ ");
        assert_eq!(trim_trailing_spaces(b".env\\  "), b".env\\ ");
        assert_eq!(trim_trailing_spaces(b".env\t"), b".env\t");
        assert_eq!(trim_trailing_spaces(b"a b"), b"a b");
    }

    #[test]
    fn forgiven_whitespace_still_ignores_and_unforgiven_does_not() {
        for text in [
            &b".env   \n"[..],
            b".env\r\n",
            b"\xEF\xBB\xBF.env\n",
            b".env\r",
        ] {
            assert!(is_ignored(&sources(text, ""), "api/.env"), "{text:?}");
        }
        for text in [
            &b".env\t\n"[..],
            b".env\\ \n",
            ".env\u{a0}\n".as_bytes(),
            ".env\u{200b}\n".as_bytes(),
            b"x\n\xEF\xBB\xBF.env\n",
        ] {
            assert!(!is_ignored(&sources(text, ""), ".env"), "{text:?}");
        }
    }

    #[test]
    fn anchoring_negation_and_parent_directories() {
        assert!(is_ignored(&sources(b"/.env\n", ""), ".env"));
        assert!(!is_ignored(&sources(b"/.env\n", ""), "api/.env"));
        assert!(!is_ignored(&sources(b".env\n!.env\n", ""), ".env"));
        assert!(is_ignored(&sources(b"api/\n!api/.env\n", ""), "api/.env"));
        assert!(is_ignored(&sources(b".env\n", "api"), "api/.env"));
        assert!(!is_ignored(&sources(b".env\n", "api"), "web/.env"));
        assert!(!is_ignored(&sources(b".env/\n", ""), ".env"));
        assert!(!is_ignored(&sources(b"*.env\n", ""), ".env.local"));
    }

    #[test]
    fn empty_path_components_of_a_crafted_tree_are_no_directory() {
        // `sub/.gitignore` seen for `sub//.env` (a tree entry with an empty name): the rest
        // after the base, `/.env`, reached gix-glob, whose debug assertion panicked
        assert!(is_ignored(&sources(b".env\n", "sub"), "sub//.env"));
        assert!(!is_ignored(&sources(b"*.local\n", "sub"), "sub//.env"));
        assert!(is_ignored(&sources(b"/.env\n", ""), "/.env"));
        assert!(is_ignored(&sources(b"/.env\n", "sub"), "sub///.env"));
        assert!(!is_ignored(&sources(b".env\n", "sub"), "subx//.env"));
        let dirs: Vec<&str> = dirs_on_path("sub//x/.env").collect();
        assert_eq!(dirs, ["", "sub", "sub//x"]);
        assert_eq!(dirs_on_path("/.env").collect::<Vec<_>>(), [""]);
        assert_eq!(dirs_on_path("a/b/c").collect::<Vec<_>>(), ["", "a", "a/b"]);
    }

    #[test]
    fn misnamed_ignore_files() {
        for name in [
            ".gitingore",
            ".gitignore.txt",
            "gitignore",
            ".Gitignore",
            ".gitignore ",
            ".gitignor",
            ".gitignores",
        ] {
            assert!(is_misnamed_ignore_file(name), "{name}");
        }
        for name in [
            ".gitignore",
            ".dockerignore",
            ".npmignore",
            ".hgignore",
            ".ignore",
            ".gitignore.bak",
            ".gitattributes",
            ".gitkeep",
        ] {
            assert!(!is_misnamed_ignore_file(name), "{name}");
        }
    }
}
