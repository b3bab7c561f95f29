//! The gitignore doctor: given every ignore source git would consult for an env file, say
//! why the file is not ignored (or why it is tracked although it is), which line is at
//! fault, and the exact fix. Causes are checked most specific first: a rule that ignores the
//! file (so it was committed before the rule or force-added), a negation that re-includes
//! it, an ignore line the commit that added the file changed, a misnamed ignore file, a
//! near-miss line (UTF-16, an inline comment, invisible characters, a typo, …), a rule in a
//! sibling directory's `.gitignore`, an env rule that does not cover this name (the closest
//! one), and finally no rule at all.

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
    /// The commit that added the file changed (or deleted) the line of its parent commit
    /// that ignored it: `before` indexes the parent's compiled lines.
    Changed { before: usize, after: Option<Edit> },
    /// A line of a file git never reads would ignore it.
    Misnamed { file: usize, line: usize },
    /// A line of a `.gitignore` in another directory would ignore the file if it were in the
    /// root `.gitignore` (`suggested`).
    Sibling { line: usize, suggested: String },
    /// A line nearly matches.
    NearMiss(NearMiss),
    /// A rule for env files exists but does not match this name.
    NotCovering { line: usize },
    /// Nothing mentions it.
    NoRule,
}

/// What an ignore line became in the commit: its new number and text.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Edit {
    number: usize,
    raw: Vec<u8>,
}

/// A phrased cause before the untracking commands are added.
struct Verdict {
    /// The cause's machine-readable name (`GitignoreDiagnosis::cause`).
    cause: &'static str,
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
    /// The lines of the ignore files in other directories.
    elsewhere_lines: Vec<IgnoreLine>,
    /// The lines git read for this path in the parent commit.
    before_lines: Vec<IgnoreLine>,
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
            elsewhere_lines: ignore::compile(&sources.elsewhere),
            before_lines: sources
                .before
                .as_deref()
                .map_or(Vec::new(), ignore::compile),
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
        if let Some(cause) = self.changed().or_else(|| self.misnamed()) {
            return cause;
        }
        if let Some(near) = nearmiss::find(&self.lines, src, self.path, self.case()) {
            return Cause::NearMiss(near);
        }
        if let Some(cause) = self.sibling() {
            return cause;
        }
        match self.closest_env_rule() {
            Some(line) => Cause::NotCovering { line },
            None => Cause::NoRule,
        }
    }

    /// The parent commit ignored the file and this commit's sources do not: the line that
    /// ignored it, and what it became when its file still has a changed line in its place.
    fn changed(&self) -> Option<Cause> {
        let before_sources = self.sources.before.as_deref()?;
        let d = ignore::decide(&self.before_lines, before_sources, self.path, self.case())?;
        let old = &self.before_lines[d.line];
        if old.is_negative() {
            return None;
        }
        let name = &before_sources[old.source].name;
        let now = self.sources.sources.iter().find(|s| &s.name == name);
        let still_there = now.is_some_and(|s| ignore::lines(&s.text).any(|(_, l)| l == old.raw));
        if still_there {
            return None;
        }
        let after =
            now.and_then(|s| replacement(&before_sources[old.source].text, &s.text, old.number));
        Some(Cause::Changed {
            before: d.line,
            after,
        })
    }

    /// A line of a `.gitignore` in another directory that would ignore the file from the
    /// root `.gitignore`, highest precedence (last) first.
    fn sibling(&self) -> Option<Cause> {
        self.elsewhere_lines
            .iter()
            .enumerate()
            .rev()
            .filter(|(_, l)| !l.is_negative())
            .find_map(|(i, l)| {
                let text = nearmiss::effective(l);
                let unanchored = text.strip_prefix('/').unwrap_or(&text);
                let suggested = [unanchored, nearmiss::last_component(&text)]
                    .into_iter()
                    .find(|c| {
                        nearmiss::covers(c, "", self.path, self.case())
                            && nearmiss::specific(c, "", self.case())
                    })?
                    .to_string();
                Some(Cause::Sibling { line: i, suggested })
            })
    }

    /// The env rule closest to the file's name: the one sharing the longest run of
    /// characters with it, then the fewest edits away, then the highest precedence.
    fn closest_env_rule(&self) -> Option<usize> {
        let name = self.basename();
        self.lines
            .iter()
            .enumerate()
            .filter(|(_, l)| is_env_rule(l))
            .max_by_key(|(i, l)| {
                let text = nearmiss::effective(l);
                let last = nearmiss::last_component(&text);
                let shared = longest_common_run(last, name);
                let edits = nearmiss::edit_distance(last, name);
                (shared, std::cmp::Reverse(edits), *i)
            })
            .map(|(i, _)| i)
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
                    ..self.verdict(
                        "ignored",
                        l,
                        self.ignored_problem(l, *parent),
                        self.keep_fix(l),
                    )
                }
            }
            Cause::Negated { line, overridden } => {
                let l = &self.lines[*line];
                let (problem, fix) = self.negated(l, overridden.map(|o| &self.lines[o]));
                self.verdict("negated", l, problem, fix)
            }
            Cause::Changed { before, after } => self.changed_verdict(*before, after.as_ref()),
            Cause::Misnamed { file, line } => self.misnamed_verdict(*file, *line),
            Cause::NearMiss(near) => self.near_verdict(near),
            Cause::Sibling { line, suggested } => self.sibling_verdict(*line, suggested),
            Cause::NotCovering { line } => {
                let l = &self.lines[*line];
                let suggested = suggested_line(self.basename());
                let fix = format!("add `{suggested}` to {}", self.source(l).name);
                self.verdict("not-covering", l, self.not_covering_problem(l), fix)
            }
            Cause::NoRule => Verdict {
                cause: "no-rule",
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
    fn verdict(
        &self,
        cause: &'static str,
        l: &IgnoreLine,
        problem: String,
        fix: String,
    ) -> Verdict {
        let name = self.source(l).name.clone();
        Verdict {
            cause,
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
            cause: "misnamed",
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
            cause,
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
            cause: cause.to_string(),
            file,
            line,
            pattern,
            problem,
            fix,
            commands,
        }
    }

    fn near_verdict(&self, near: &NearMiss) -> Verdict {
        let l = &self.lines[near.line];
        let name = &self.source(l).name;
        let change = format!("change line {} of {name} to `{}`", l.number, near.corrected);
        let (cause, fix, commands) = match &near.kind {
            Kind::Utf16 => (
                "utf16",
                format!("rewrite {name} as UTF-8: {change} (in PowerShell 5, append lines with `Add-Content {name} '{}'`, not `>>`)", near.corrected),
                self.utf16_rewrite(name).into_iter().collect(),
            ),
            Kind::InlineComment { comment } => (
                "inline-comment",
                format!("{change} and put `{comment}` on its own line above it"),
                Vec::new(),
            ),
            _ => ("near-miss", change, Vec::new()),
        };
        Verdict {
            commands,
            ..self.verdict(cause, l, self.near_problem(l, near), fix)
        }
    }

    /// A command that rewrites ignore file `name` as UTF-8 by dropping its UTF-16 NUL bytes
    /// and byte-order marks: only when every UTF-16 line in it is ASCII (otherwise dropping
    /// bytes would garble the text, and the fix says what to write).
    fn utf16_rewrite(&self, name: &str) -> Option<String> {
        let source = self.sources.sources.iter().find(|s| s.name == name)?;
        let ascii = ignore::lines(&source.text)
            .filter(|(_, l)| l.contains(&0))
            .all(|(_, l)| {
                nearmiss::decode_utf16_line(l).is_some_and(|t| t.is_ascii()) || l == b"\0"
            });
        let in_repo = name.rsplit('/').next() == Some(GITIGNORE);
        (ascii && in_repo).then(|| {
            format!(
                "perl -pi -e 's/\\xFF\\xFE//g; s/\\x00//g' {}",
                shell_quote(name)
            )
        })
    }

    fn changed_verdict(&self, before: usize, after: Option<&Edit>) -> Verdict {
        let old = &self.before_lines[before];
        let before_sources = self.sources.before.as_deref().unwrap_or_default();
        let name = before_sources[old.source].name.clone();
        let old_text = nearmiss::visible(&old.raw);
        let added = format!("the commit that added `{}`", self.path);
        let (problem, fix, culprit) = match after {
            Some(edit) => {
                let new_text = nearmiss::visible(&edit.raw);
                (
                    format!(
                        "{added} also changed line {} of {name} from `{old_text}` to `{new_text}`: `{old_text}` ignored the file, `{new_text}` does not.",
                        old.number
                    ),
                    format!("change line {} of {name} back to `{old_text}`", edit.number),
                    (Some(name.clone()), Some(edit.number), Some(new_text)),
                )
            }
            None => (
                format!(
                    "{added} also deleted line {} of {name}, `{old_text}`, which ignored the file.",
                    old.number
                ),
                format!("add `{old_text}` to {name}"),
                (Some(name.clone()), Some(old.number), Some(old_text.clone())),
            ),
        };
        Verdict {
            cause: "changed-in-commit",
            culprit,
            problem,
            fix,
            commands: Vec::new(),
            edited: Some(name),
        }
    }

    fn sibling_verdict(&self, line: usize, suggested: &str) -> Verdict {
        let l = &self.elsewhere_lines[line];
        let source = &self.sources.elsewhere[l.source];
        let pattern = nearmiss::visible(&l.raw);
        Verdict {
            cause: "sibling",
            culprit: (Some(source.name.clone()), Some(l.number), Some(pattern.clone())),
            problem: format!(
                "`{pattern}` ({}:{}) applies only inside `{}/`: a nested .gitignore covers its own directory and those below it, never `{}` in a sibling directory.",
                source.name, l.number, source.base, self.path
            ),
            fix: format!("add `{suggested}` to {GITIGNORE}"),
            commands: Vec::new(),
            edited: Some(GITIGNORE.to_string()),
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
            Kind::Utf16 => format!(
                "line {} of {name} is written in UTF-16LE (`{}` with a NUL byte after every character, what PowerShell 5's `echo {} >> .gitignore` appends), and git reads ignore files as UTF-8, so it never matches `{base}`.",
                l.number, near.corrected, near.corrected
            ),
            Kind::InlineComment { .. } => format!(
                "git has no inline comments: the whole of line {} of {name}, `{pattern}`, is the pattern, so it never matches `{base}`.",
                l.number
            ),
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
        let names = with_rules(&self.sources.sources);
        let elsewhere = with_rules(&self.sources.elsewhere);
        if names.is_empty() && !elsewhere.is_empty() {
            format!(
                "no ignore rule applies to `{}`: the only ignore files with rules are in other directories ({}), and a .gitignore covers only its own directory and those below it.",
                self.path,
                elsewhere.join(", ")
            )
        } else if names.is_empty() {
            format!(
                "this repository has no ignore rules at all (no .gitignore, nothing in .git/info/exclude or core.excludesFile), so nothing keeps `{}` out of git.",
                self.path
            )
        } else {
            format!("no rule in {} matches `{}`.", names.join(", "), self.path)
        }
    }
}

/// The new line that took the place of line `number` of `old` in `new`: the lines both
/// versions keep are matched up (longest common subsequence), and within the block of
/// changed lines around this one, the new line at the same offset replaces it (`None` when
/// the block has no line there: it was deleted).
fn replacement(old: &[u8], new: &[u8], number: usize) -> Option<Edit> {
    let old: Vec<&[u8]> = ignore::lines(old).map(|(_, l)| l).collect();
    let new: Vec<&[u8]> = ignore::lines(new).map(|(_, l)| l).collect();
    let k = number.checked_sub(1)?;
    if k >= old.len() || old.len() * new.len() > MAX_DIFF_CELLS {
        return None;
    }
    // lcs[i][j]: the longest common subsequence of old[i..] and new[j..]
    let mut lcs = vec![vec![0usize; new.len() + 1]; old.len() + 1];
    for i in (0..old.len()).rev() {
        for j in (0..new.len()).rev() {
            lcs[i][j] = if old[i] == new[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    // walk the matches; the block holding old line k starts after the last match before it
    let (mut i, mut j) = (0, 0);
    let (mut block_old, mut block_new) = (0, 0);
    while i < old.len() && j < new.len() {
        if old[i] == new[j] && lcs[i][j] == lcs[i + 1][j + 1] + 1 {
            if i > k {
                break;
            }
            i += 1;
            j += 1;
            (block_old, block_new) = (i, j);
        } else if lcs[i + 1][j] >= lcs[i][j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    // the block ends at the next match (or the end)
    let mut end_new = block_new;
    let (mut i, mut j) = (block_old, block_new);
    while i < old.len() && j < new.len() {
        if old[i] == new[j] && lcs[i][j] == lcs[i + 1][j + 1] + 1 {
            break;
        } else if lcs[i + 1][j] >= lcs[i][j + 1] {
            i += 1;
        } else {
            j += 1;
            end_new = j;
        }
    }
    if i >= old.len() || j >= new.len() {
        end_new = new.len();
    }
    let index = block_new + (k - block_old);
    (index < end_new).then(|| Edit {
        number: index + 1,
        raw: new[index].to_vec(),
    })
}

/// Ignore files bigger than this many line pairs are not diffed.
const MAX_DIFF_CELLS: usize = 4_000_000;

/// The length in characters of the longest run of characters `a` and `b` share.
fn longest_common_run(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut best = 0;
    let mut prev = vec![0; b.len() + 1];
    for x in &a {
        let mut row = vec![0; b.len() + 1];
        for (j, y) in b.iter().enumerate() {
            if x == y {
                row[j + 1] = prev[j] + 1;
                best = best.max(row[j + 1]);
            }
        }
        prev = row;
    }
    best
}

/// The names of the sources that hold at least one rule.
fn with_rules(sources: &[IgnoreSource]) -> Vec<&str> {
    sources
        .iter()
        .filter(|s| has_rule(&s.text))
        .map(|s| s.name.as_str())
        .collect()
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
    fn only_rules_in_other_directories_are_named_as_such() {
        let s = IgnoreSources {
            elsewhere: vec![gitignore("backend/.gitignore", "backend", "*.log\n")],
            ..IgnoreSources::default()
        };
        let d = diagnose(&s, "frontend/.env");
        assert_eq!(d.cause, "no-rule");
        assert_eq!(
            d.problem,
            "no ignore rule applies to `frontend/.env`: the only ignore files with rules are in other directories (backend/.gitignore), and a .gitignore covers only its own directory and those below it."
        );
    }

    #[test]
    fn replacement_lines_up_the_changed_block() {
        let edit = |old: &str, new: &str, n| {
            replacement(old.as_bytes(), new.as_bytes(), n).map(|e| (e.number, e.raw))
        };
        assert_eq!(
            edit("a\n.env*\nb\n", "a\n.env\nb\n", 2),
            Some((2, b".env".to_vec()))
        );
        assert_eq!(edit("a\n.env*\nb\n", "a\nb\n", 2), None);
        assert_eq!(
            edit("a\n.env*\n", "# top\na\n.env\n", 2),
            Some((3, b".env".to_vec()))
        );
        assert_eq!(longest_common_run(".db.env.local", ".db.env"), 7);
        assert_eq!(longest_common_run("*.env.*", ".db.env"), 4);
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
