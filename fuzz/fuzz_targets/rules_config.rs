//! Arbitrary text as a rules file (added to the built-in rules) and as a `.keyhound.toml`
//! (parsed, then applied to the built-in rules): errors are fine, panics and hangs are not.
#![no_main]

use keyhound::config::Config;
use keyhound::rules::RuleSet;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn builtin() -> &'static RuleSet {
    static SET: OnceLock<RuleSet> = OnceLock::new();
    SET.get_or_init(|| RuleSet::builtin().expect("built-in rules"))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut set = builtin().clone();
    if let Err(errors) = set.add_file("fuzz.toml", text) {
        for e in &errors.0 {
            assert!(
                e.line <= text.lines().count() + 1,
                "line {} of {}",
                e.line,
                text.lines().count()
            );
        }
    }
    if let Ok(config) = Config::parse("fuzz.keyhound.toml", text) {
        let mut set = builtin().clone();
        let _ = config.apply(&mut set);
        let _ = config.network_entries();
    }
});
