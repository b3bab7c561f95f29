//! A progress line on stderr for long scans (history sweeps): items and bytes done, rate, and
//! ETA when the total is known. Drawn only when stderr is a terminal and not `--quiet`.

use super::Stats;
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A running progress line; stops and clears itself when dropped.
pub struct Progress {
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl Progress {
    /// Starts drawing `label` with the counters of `stats` every 200 ms, if `enabled` and
    /// stderr is a terminal. `total_bytes` enables the ETA.
    pub fn start(
        label: &'static str,
        stats: Arc<Stats>,
        total_bytes: Option<u64>,
        enabled: bool,
    ) -> Progress {
        let stop = Arc::new(AtomicBool::new(false));
        let handle = (enabled && std::io::stderr().is_terminal()).then(|| {
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || draw_loop(label, &stats, total_bytes, &stop))
        });
        Progress { stop, handle }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

fn draw_loop(label: &str, stats: &Stats, total: Option<u64>, stop: &AtomicBool) {
    let started = Instant::now();
    let mut err = std::io::stderr();
    while !stop.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(200));
        let s = stats.snapshot();
        let secs = started.elapsed().as_secs_f64().max(0.001);
        let rate = s.bytes as f64 / secs;
        let eta = total
            .filter(|&t| t > s.bytes && rate > 0.0)
            .map(|t| format!(" · ETA {:.0}s", (t - s.bytes) as f64 / rate))
            .unwrap_or_default();
        let _ = write!(
            err,
            "\r\x1b[2K{label}: {} items · {:.1} MB · {:.0} MB/s{eta}",
            s.scanned,
            s.bytes as f64 / 1e6,
            rate / 1e6
        );
        let _ = err.flush();
    }
    let _ = write!(err, "\r\x1b[2K");
    let _ = err.flush();
}
