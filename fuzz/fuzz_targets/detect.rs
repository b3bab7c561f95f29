//! Arbitrary bytes through the detector with the built-in rules, as a scanned file's
//! contents would go: it must never panic, and every match must lie inside the input, on a
//! line that exists.
#![no_main]

use keyhound::detect::Detector;
use keyhound::rules::RuleSet;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn detector() -> &'static Detector {
    static DETECTOR: OnceLock<Detector> = OnceLock::new();
    DETECTOR.get_or_init(|| {
        let set = RuleSet::builtin().expect("built-in rules");
        Detector::new(&set).expect("detector")
    })
}

fuzz_target!(|data: &[u8]| {
    // a line ends at \n, \r\n or a lone \r (old Mac files): the detector counts all three
    let lone_cr = data
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'\r' && data.get(i + 1) != Some(&b'\n'))
        .count();
    let lines = data.iter().filter(|&&b| b == b'\n').count() + lone_cr + 1;
    for m in detector().scan(data) {
        assert!(
            m.start <= m.end && m.end <= data.len(),
            "span {}..{} of {}",
            m.start,
            m.end,
            data.len()
        );
        assert!(
            m.line >= 1 && m.line as usize <= lines,
            "line {} of {lines}",
            m.line
        );
        assert!(m.column >= 1);
        assert!(!m.secret.is_empty());
    }
});
