//! The gitignore doctor's ignore parser on arbitrary bytes: before the first NUL, the root
//! `.gitignore`; up to the second, `sub/.gitignore`; after it, paths to decide, one a line.
//! Nothing may panic, and `is_ignored` must agree with `decide`.
#![no_main]

use keyhound::dotenv::ignore::{self, IgnoreSource, IgnoreSources};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(3, |&b| b == 0);
    let root = parts.next().unwrap_or_default();
    let sub = parts.next().unwrap_or_default();
    let paths = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
    let source = |name: &str, base: &str, text: &[u8]| IgnoreSource {
        name: name.into(),
        base: base.into(),
        text: text.to_vec(),
    };
    for ignore_case in [false, true] {
        let sources = IgnoreSources {
            sources: vec![
                source(".gitignore", "", root),
                source("sub/.gitignore", "sub", sub),
            ],
            misnamed: Vec::new(),
            ignore_case,
            elsewhere: Vec::new(),
            before: None,
        };
        let lines = ignore::compile(&sources.sources);
        let case = ignore::case(ignore_case);
        // Every path, a leading `/` or `//` included: history paths come from tree entry
        // names, and a crafted tree's empty name makes `/.env` or `sub//.env`.
        for path in paths.lines().take(16) {
            let decision = ignore::decide(&lines, &sources.sources, path, case);
            let ignored = decision.is_some_and(|d| !lines[d.line].is_negative());
            assert_eq!(ignored, ignore::is_ignored(&sources, path));
            let _ = ignore::negated_parent(&lines, &sources.sources, path, case);
            let _ = ignore::is_misnamed_ignore_file(path);
            let _ = ignore::dirs_on_path(path).count();
        }
    }
});
