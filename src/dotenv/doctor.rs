//! The gitignore doctor: given every ignore source git would consult for an env file, say
//! why the file is not ignored (or why it is tracked although it is), which line is at
//! fault, and the exact fix. Causes are checked most specific first: a rule that ignores the
//! file (so it was committed before the rule or force-added), a negation that re-includes
//! it, a misnamed ignore file, a near-miss line, an env rule that does not cover this name,
//! and finally no rule at all.

use super::ignore::{self, IgnoreLine, IgnoreSource, IgnoreSources, GITIGNORE};
use super::nearmiss::{self, Kind, NearMiss};
use crate::finding::GitignoreDiagnosis;

/// Why an env file is not kept out of git.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Cause {
    /// A line ignores the file (or a parent directory), yet the file is tracked.
    Ignored { line: usize, parent: bool },
    /// A `!` line re-includes the file, overriding `overridden` when one ignored it.
    Negated {
        line: usize,
        overridden: Option<usize>,
    },
    /// A line of a file git never reads would ignore it.
    Misnamed { file: usize, line: usize },
    /// A line nearly matches.
    NearMiss(NearMiss),
    /// A rule for env files exists but does not match this name.
    NotCovering { line: usize },
    /// Nothing mentions it.
    NoRule,
}

/// A phrased cause before the untracking commands are added.
struct Verdict {
    /// Ignore file, line and quoted pattern at fault.
    culprit: (Option<String>, Option<usize>, Option<String>),
    problem: String,
    fix: String,
    /// Commands that must run first (renaming a misnamed file).
    commands: Vec<String>,
    /// The ignore file the fix edits, if any.
    edited: Option<String>,
}

/// Everything needed to phrase a cause: the file, the sources and their compiled lines, and
/// the misnamed files' lines.
struct Subject<'a> {
    sources: &'a IgnoreSources,
    lines: Vec<IgnoreLine>,
    misnamed_lines: Vec<Vec<IgnoreLine>>,
    path: &'a str,
}

/// Why is `rel_path` (a tracked or staged env file, repository-relative) not ignored? The
/// diagnosis names the ignore file and line, quotes the pattern, states the problem, gives
/// the corrected line and the commands that untrack the file. `sources` may come from the
/// worktree or from a historical commit's `.gitignore` blobs.
pub fn diagnose(sources: &IgnoreSources, rel_path: &str) -> GitignoreDiagnosis {
    let subject = Subject::new(sources, rel_path);
    subject.render(&subject.cause(), true)
}

/// For a file that is not tracked (a future `.env`): `None` when git would ignore it, else
/// the diagnosis of why not, with commands that only fix the ignore rules.
pub fn diagnose_gap(sources: &IgnoreSources, rel_path: &str) -> Option<GitignoreDiagnosis> {
    let subject = Subject::new(sources, rel_path);
    let cause = subject.cause();
    (!matches!(cause, Cause::Ignored { .. })).then(|| subject.render(&cause, false))
}

impl<'a> Subject<'a> {
    fn new(sources: &'a IgnoreSources, path: &'a str) -> Self {
        let misnamed_lines = sources
            .misnamed
            .iter()
            .map(|m| ignore::compile(std::slice::from_ref(m)))
            .collect();
        Subject {
            sources,
            lines: ignore::compile(&sources.sources),
            misnamed_lines,
            path,
        }
    }

    fn case(&self) -> gix::glob::pattern::Case {
        ignore::case(self.sources.ignore_case)
    }

    fn cause(&self) -> Cause {
        let src = &self.sources.sources;
        if let Some(d) = ignore::decide(&self.lines, src, self.path, self.case()) {
            if !self.lines[d.line].is_negative() {
                return Cause::Ignored {
                    line: d.line,
                    parent: d.parent,
                };
            }
            let overridden = self.lines[..d.line].iter().rposition(|l| {
                !l.is_negative()
                    && ignore::pattern_matches(
                        &l.pattern,
                        &src[l.source].base,
                        self.path,
                        false,
                        self.case(),
                    )
            });
            return Cause::Negated {
                line: d.line,
                overridden,
            };
        }
        if let Some((line, overridden)) =
            ignore::negated_parent(&self.lines, src, self.path, self.case())
        {
            return Cause::Negated {
                line,
                overridden: Some(overridden),
            };
        }
        if let Some(cause) = self.misnamed() {
            return cause;
        }
        if let Some(near) = nearmiss::find(&self.lines, src, self.path, self.case()) {
            return Cause::NearMiss(near);
        }
        match self.lines.iter().rposition(is_env_rule) {
            Some(line) => Cause::NotCovering { line },
            None => Cause::NoRule,
        }
    }

    /// A misnamed file with a line that would ignore the file if git read it.
    fn misnamed(&self) -> Option<Cause> {
        self.sources.misnamed.iter().enumerate().find_map(|(i, m)| {
            let mut sources = self.sources.sources.clone();
            sources.push(m.clone());
            let lines = ignore::compile(&sources);
            let d = ignore::decide(&lines, &sources, self.path, self.case())?;
            let hit = &lines[d.line];
            let from_misnamed = hit.source == sources.len() - 1 && !hit.is_negative();
            from_misnamed.then(|| Cause::Misnamed {
                file: i,
                line: self.misnamed_lines[i]
                    .iter()
                    .position(|l| l.number == hit.number)
                    .unwrap_or(0),
            })
        })
    }

    fn source(&self, line: &IgnoreLine) -> &IgnoreSource {
        &self.sources.sources[line.source]
    }

    fn basename(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or(self.path)
    }

    /// Phrases the cause. `tracked` adds the commands that untrack the file.
    fn render(&self, cause: &Cause, tracked: bool) -> GitignoreDiagnosis {
        let verdict = match cause {
            Cause::Ignored { line, parent } => {
                let l = &self.lines[*line];
                Verdict {
                    edited: None,
                    ..self.verdict(l, self.ignored_problem(l, *parent), self.keep_fix(l))
                }
            }
            Cause::Negated { line, overridden } => {
                let l = &self.lines[*line];
                let (problem, fix) = self.negated(l, overridden.map(|o| &self.lines[o]));
                self.verdict(l, problem, fix)
            }
            Cause::Misnamed { file, line } => self.misnamed_verdict(*file, *line),
            Cause::NearMiss(near) => {
                let l = &self.lines[near.line];
                let fix = format!(
                    "change line {} of {} to `{}`",
                    l.number,
                    self.source(l).name,
                    near.corrected
                );
                self.verdict(l, self.near_problem(l, near), fix)
            }
            Cause::NotCovering { line } => {
                let l = &self.lines[*line];
                let suggested = suggested_line(self.basename());
                let fix = format!("add `{suggested}` to {}", self.source(l).name);
                self.verdict(l, self.not_covering_problem(l), fix)
            }
            Cause::NoRule => Verdict {
                culprit: (None, None, None),
                problem: self.no_rule_problem(),
                fix: format!("add `{}` to {GITIGNORE}", suggested_line(self.basename())),
                commands: Vec::new(),
                edited: Some(GITIGNORE.to_string()),
            },
        };
        self.finish(verdict, tracked)
    }

    /// A verdict that blames line `l` and edits its file.
    fn verdict(&self, l: &IgnoreLine, problem: String, fix: String) -> Verdict {
        let name = self.source(l).name.clone();
        Verdict {
            culprit: (
                Some(name.clone()),
                Some(l.number),
                Some(nearmiss::visible(&l.raw)),
            ),
            problem,
            fix,
            commands: Vec::new(),
            edited: Some(name),
        }
    }

    fn misnamed_verdict(&self, file: usize, line: usize) -> Verdict {
        let m = &self.sources.misnamed[file];
        let l = &self.misnamed_lines[file][line];
        let pattern = nearmiss::visible(&l.raw);
        let target = ignore::join(&m.base, GITIGNORE);
        let (fix, command) = self.rename_fix(m, &target);
        Verdict {
            problem: format!(
                "git never reads `{}`: only a file named exactly `.gitignore` holds ignore rules, so `{pattern}` on its line {} has no effect.",
                m.name, l.number
            ),
            culprit: (Some(m.name.clone()), Some(l.number), Some(pattern)),
            fix,
            commands: vec![command],
            edited: Some(target),
        }
    }

    /// Assembles the diagnosis and its commands: the verdict's own (renames), then
    /// untracking, staging the edited ignore file when it lives in the repository (not
    /// `.git/info/exclude` or a global file), and the commit.
    fn finish(&self, verdict: Verdict, tracked: bool) -> GitignoreDiagnosis {
        let Verdict {
            culprit: (file, line, pattern),
            problem,
            fix,
            mut commands,
            edited,
        } = verdict;
        if tracked {
            commands.push(format!("git rm --cached -- {}", shell_quote(self.path)));
        }
        let in_repo = edited.filter(|name| name.rsplit('/').next() == Some(GITIGNORE));
        if let Some(name) = in_repo {
            commands.push(format!("git add -- {}", shell_quote(&name)));
        }
        if tracked {
            commands.push(format!(
                "git commit -m {}",
                shell_quote(&format!("Stop tracking {}", self.path))
            ));
        }
        GitignoreDiagnosis {
            file,
            line,
            pattern,
            problem,
            fix,
            commands,
        }
    }

    fn ignored_problem(&self, l: &IgnoreLine, parent: bool) -> String {
        let pattern = nearmiss::visible(&l.raw);
        let what = if parent {
            let dir = self.matched_dir(l).unwrap_or_default();
            format!("`{pattern}` ignores the directory `{dir}/`")
        } else {
            format!("`{pattern}` matches `{}`", self.path)
        };
        format!(
            "{what}, but the file was committed before this line was added (or with `git add -f`): ignore rules never untrack a tracked file."
        )
    }

    /// The parent directory of the file that `l` matches.
    fn matched_dir(&self, l: &IgnoreLine) -> Option<&str> {
        let base = &self.source(l).base;
        self.path
            .match_indices('/')
            .map(|(i, _)| &self.path[..i])
            .find(|dir| ignore::pattern_matches(&l.pattern, base, dir, true, self.case()))
    }

    fn keep_fix(&self, l: &IgnoreLine) -> String {
        format!(
            "keep line {} of {} (`{}`) and untrack the file",
            l.number,
            self.source(l).name,
            nearmiss::visible(&l.raw)
        )
    }

    fn negated(&self, l: &IgnoreLine, overridden: Option<&IgnoreLine>) -> (String, String) {
        let pattern = nearmiss::visible(&l.raw);
        let name = &self.source(l).name;
        match overridden {
            Some(o) => (
                format!(
                    "`{pattern}` re-includes `{}` after `{}` ({}:{}) ignored it: the last matching rule wins.",
                    self.path,
                    nearmiss::visible(&o.raw),
                    self.source(o).name,
                    o.number
                ),
                format!("delete line {} of {name} (`{pattern}`)", l.number),
            ),
            None => {
                let positive = nearmiss::effective(l);
                let positive = positive.strip_prefix('!').unwrap_or(&positive);
                (
                    format!(
                        "`{pattern}` starts with `!`, which means \"do not ignore\": it keeps `{}` in git instead of ignoring it.",
                        self.path
                    ),
                    format!("change line {} of {name} to `{positive}`", l.number),
                )
            }
        }
    }

    fn rename_fix(&self, m: &IgnoreSource, target: &str) -> (String, String) {
        let target_exists = self.sources.sources.iter().any(|s| s.name == target);
        if target_exists {
            (
                format!(
                    "move the lines of {} into {target} and delete {}",
                    m.name, m.name
                ),
                format!(
                    "cat {0} >> {1} && rm {0}",
                    shell_quote(&m.name),
                    shell_quote(target)
                ),
            )
        } else {
            (
                format!("rename {} to {target}", m.name),
                format!("mv {} {}", shell_quote(&m.name), shell_quote(target)),
            )
        }
    }

    fn near_problem(&self, l: &IgnoreLine, near: &NearMiss) -> String {
        let pattern = nearmiss::visible(&l.raw);
        let name = &self.source(l).name;
        let base = self.basename();
        match &near.kind {
            Kind::Invisible { what, trailing } => format!(
                "line {} of {name} {} {what}, which git keeps as part of the pattern, so `{pattern}` never matches `{base}`.",
                l.number,
                if *trailing { "ends in" } else { "contains" }
            ),
            Kind::DirOnly => format!(
                "the trailing `/` makes `{pattern}` match only directories, and `{}` is a file.",
                self.path
            ),
            Kind::Case => format!(
                "git matches ignore patterns case-sensitively (core.ignoreCase is false), so `{pattern}` does not match `{base}`."
            ),
            Kind::Anchored => {
                let base_dir = &self.source(l).base;
                let place = if base_dir.is_empty() {
                    "the repository root".to_string()
                } else {
                    format!("`{base_dir}/`")
                };
                format!(
                    "the `/` in `{pattern}` anchors it to {place}, so it does not match `{}`.",
                    self.path
                )
            }
            Kind::Typo(edit) => format!(
                "`{pattern}` is a typo of `{base}` ({edit}), so it never matches `{}`.",
                self.path
            ),
        }
    }

    fn not_covering_problem(&self, l: &IgnoreLine) -> String {
        let pattern = nearmiss::visible(&l.raw);
        let text = nearmiss::effective(l);
        let last = nearmiss::last_component(&text);
        let scope = match last.strip_prefix('*') {
            Some(rest) if !rest.contains(['*', '?', '[']) => {
                format!("only matches names ending in `{rest}`")
            }
            _ if !last.contains(['*', '?', '[', '\\']) => {
                format!("only matches files named exactly `{last}`")
            }
            _ => format!("does not match `{}`", self.basename()),
        };
        format!(
            "`{pattern}` ({}:{}) {scope}, and no other rule ignores `{}`.",
            self.source(l).name,
            l.number,
            self.path
        )
    }

    fn no_rule_problem(&self) -> String {
        // A source without one rule (git init's comment-only `.git/info/exclude`, an empty
        // `.gitignore`) is not an ignore file in any sense a user means.
        let names: Vec<&str> = self
            .sources
            .sources
            .iter()
            .filter(|s| has_rule(&s.text))
            .map(|s| s.name.as_str())
            .collect();
        if names.is_empty() {
            format!(
                "this repository has no ignore rules at all (no .gitignore, nothing in .git/info/exclude or core.excludesFile), so nothing keeps `{}` out of git.",
                self.path
            )
        } else {
            format!("no rule in {} matches `{}`.", names.join(", "), self.path)
        }
    }
}

/// Whether ignore-file text holds at least one rule: a line that is neither blank nor a
/// `#` comment.
fn has_rule(text: &[u8]) -> bool {
    text.split(|&b| b == b'\n').any(|line| {
        let line = line.trim_ascii();
        !line.is_empty() && !line.starts_with(b"#")
    })
}

/// Whether a line is a rule meant for env files: a positive, non-directory pattern whose last
/// component mentions `env` (and is not a virtualenv rule).
fn is_env_rule(line: &IgnoreLine) -> bool {
    let text = nearmiss::effective(line);
    let last = nearmiss::last_component(&text);
    !line.is_negative()
        && !text.ends_with('/')
        && !nearmiss::NOT_ENV_RULES.contains(&last)
        && last.to_ascii_lowercase().contains("env")
}

/// The ignore line that covers env files named like `name`, at any depth: `.env`, `.env.*`
/// for `.env.local`, `*.env` for `prod.env`, `.envrc`.
pub fn suggested_line(name: &str) -> String {
    if let Some(rest) = name.strip_prefix(".env") {
        return match rest.chars().next() {
            Some(sep @ ('.' | '-' | '_')) => format!(".env{sep}*"),
            _ => name.to_string(),
        };
    }
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".env") {
        return format!("*{}", &name[name.len() - 4..]);
    }
    match lower.find(".env.") {
        Some(_) => "*.env.*".to_string(),
        None => name.to_string(),
    }
}

/// Quotes `s` for a POSIX shell when it holds anything beyond plain path characters.
pub fn shell_quote(s: &str) -> String {
    crate::escape::shell(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gitignore(name: &str, base: &str, text: &str) -> IgnoreSource {
        IgnoreSource {
            name: name.into(),
            base: base.into(),
            text: text.as_bytes().to_vec(),
        }
    }

    fn sources(list: Vec<IgnoreSource>) -> IgnoreSources {
        IgnoreSources {
            sources: list,
            ..IgnoreSources::default()
        }
    }

    #[test]
    fn typo_names_file_line_pattern_and_fix() {
        let s = sources(vec![gitignore(".gitignore", "", "node_modules\n.evn\n")]);
        let d = diagnose(&s, "api/.env");
        assert_eq!(d.file.as_deref(), Some(".gitignore"));
        assert_eq!(d.line, Some(2));
        assert_eq!(d.pattern.as_deref(), Some(".evn"));
        assert_eq!(d.fix, "change line 2 of .gitignore to `.env`");
        assert_eq!(
            d.problem,
            "`.evn` is a typo of `.env` (two letters swapped), so it never matches `api/.env`."
        );
        assert_eq!(
            d.commands,
            vec![
                "git rm --cached -- api/.env",
                "git add -- .gitignore",
                "git commit -m 'Stop tracking api/.env'"
            ]
        );
    }

    #[test]
    fn later_negation_in_deeper_file_overrides_root_rule() {
        let s = sources(vec![
            gitignore(".gitignore", "", ".env\n"),
            gitignore("api/.gitignore", "api", "# keep\n!.env\n"),
        ]);
        let d = diagnose(&s, "api/.env");
        assert_eq!(d.file.as_deref(), Some("api/.gitignore"));
        assert_eq!(d.line, Some(2));
        assert_eq!(d.fix, "delete line 2 of api/.gitignore (`!.env`)");
        assert!(d.problem.contains("(.gitignore:1)"), "{}", d.problem);
    }

    #[test]
    fn ignored_but_tracked_keeps_the_line() {
        let s = sources(vec![gitignore(".gitignore", "", ".env   \r\n")]);
        let d = diagnose(&s, ".env");
        assert_eq!(d.line, Some(1));
        assert_eq!(
            d.fix,
            "keep line 1 of .gitignore (`.env   `) and untrack the file"
        );
        assert!(
            d.problem.contains("committed before this line"),
            "{}",
            d.problem
        );
        assert_eq!(diagnose_gap(&s, ".env"), None);
    }

    #[test]
    fn negated_parent_directory_is_blamed() {
        let s = sources(vec![
            gitignore(".git/info/exclude", "", "api/\n"),
            gitignore(".gitignore", "", "!api/\n"),
        ]);
        let d = diagnose(&s, "api/.env");
        assert_eq!(d.file.as_deref(), Some(".gitignore"));
        assert_eq!(d.line, Some(1));
        assert_eq!(d.fix, "delete line 1 of .gitignore (`!api/`)");
        assert!(
            d.problem.contains("after `api/` (.git/info/exclude:1)"),
            "{}",
            d.problem
        );
    }

    #[test]
    fn ignored_parent_directory_is_named() {
        let s = sources(vec![gitignore(".gitignore", "", "config/\n")]);
        let d = diagnose(&s, "config/.env");
        assert_eq!(d.line, Some(1));
        assert!(
            d.problem.starts_with(
                "`config/` ignores the directory `config/`, but the file was committed"
            ),
            "{}",
            d.problem
        );
    }

    #[test]
    fn misnamed_file_is_blamed_with_rename() {
        let s = IgnoreSources {
            misnamed: vec![gitignore(".gitingore", "", ".env\n")],
            ..IgnoreSources::default()
        };
        let d = diagnose(&s, ".env");
        assert_eq!(d.file.as_deref(), Some(".gitingore"));
        assert_eq!(d.line, Some(1));
        assert_eq!(d.fix, "rename .gitingore to .gitignore");
        assert_eq!(d.commands[0], "mv .gitingore .gitignore");
        assert_eq!(d.commands[2], "git add -- .gitignore");
    }

    #[test]
    fn not_covering_and_no_rule() {
        let s = sources(vec![gitignore(".gitignore", "", "*.env\n")]);
        let d = diagnose(&s, ".env.local");
        assert_eq!(d.line, Some(1));
        assert_eq!(d.fix, "add `.env.*` to .gitignore");
        assert!(
            d.problem.contains("only matches names ending in `.env`"),
            "{}",
            d.problem
        );
        let d = diagnose(&IgnoreSources::default(), "prod.env");
        assert_eq!((d.file, d.line, d.pattern), (None, None, None));
        assert_eq!(d.fix, "add `*.env` to .gitignore");
    }

    #[test]
    fn suggestions_and_quoting() {
        assert_eq!(suggested_line(".env"), ".env");
        assert_eq!(suggested_line(".env.development.local"), ".env.*");
        assert_eq!(suggested_line(".envrc"), ".envrc");
        assert_eq!(suggested_line("prod.env"), "*.env");
        assert_eq!(shell_quote("api/.env"), "api/.env");
        assert_eq!(shell_quote("my dir/.env"), "'my dir/.env'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
    }
}
