//! Politeness towards provider APIs: per-key rate limits and backoff, on an injectable
//! [`Clock`] so tests run in virtual time.
//!
//! Limits are enforced as a sliding-window log per key and window (Meetso: 10 per second
//! AND 60 per minute; a request must fit every window, so the stricter wins). A token bucket
//! with burst capacity `c` and refill rate `r` lets `c + r·W` requests into a window of
//! length `W` (a 60/min bucket admits up to 120 in one minute), which a server counting per
//! minute sees as a violation; the log never does. Each request is logged at the moment its
//! answer (or error) came back, not when it was sent: the server received it no later than
//! that, so "at most `max` completions in any `period`" implies "at most `max` arrivals at
//! the server in any `period`", whatever the latency.
//!
//! Backoff on 429 and 5xx: 1 s, 2 s, 4 s, each ±25 % jitter, at most 3 retries.

use crate::rules::RateLimit;
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

/// Time as the limiter and the audit log see it.
pub trait Clock: Send + Sync {
    /// Monotonic time since an arbitrary origin.
    fn now(&self) -> Duration;
    /// Waits `d`.
    fn sleep(&self, d: Duration);
    /// Wall-clock time, for timestamps.
    fn wall(&self) -> SystemTime;
}

/// The real clock.
#[derive(Debug)]
pub struct SystemClock {
    origin: Instant,
}

impl Default for SystemClock {
    fn default() -> Self {
        SystemClock {
            origin: Instant::now(),
        }
    }
}

impl Clock for SystemClock {
    fn now(&self) -> Duration {
        self.origin.elapsed()
    }
    fn sleep(&self, d: Duration) {
        std::thread::sleep(d);
    }
    fn wall(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// Virtual time for tests: `sleep` advances it at once and is recorded; the wall clock
/// starts at a fixed instant.
#[derive(Debug)]
pub struct VirtualClock {
    now: Mutex<Duration>,
    sleeps: Mutex<Vec<Duration>>,
    start: SystemTime,
}

impl VirtualClock {
    /// A clock at monotonic zero whose wall time is `start`.
    pub fn new(start: SystemTime) -> VirtualClock {
        VirtualClock {
            now: Mutex::new(Duration::ZERO),
            sleeps: Mutex::new(Vec::new()),
            start,
        }
    }

    /// Moves time on by `d` without recording a sleep (time spent working).
    pub fn advance(&self, d: Duration) {
        if let Ok(mut now) = self.now.lock() {
            *now += d;
        }
    }

    /// Every sleep so far.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.sleeps.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

impl Clock for VirtualClock {
    fn now(&self) -> Duration {
        self.now.lock().map(|n| *n).unwrap_or_default()
    }
    fn sleep(&self, d: Duration) {
        self.advance(d);
        if let Ok(mut s) = self.sleeps.lock() {
            s.push(d);
        }
    }
    fn wall(&self) -> SystemTime {
        self.start + self.now()
    }
}

/// At most `max` requests in any `period`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// Requests allowed in the period.
    pub max: u32,
    /// The period.
    pub period: Duration,
}

/// The windows of a declared rate limit (`per_second`, `per_minute`).
pub fn windows(limit: Option<&RateLimit>) -> Vec<Window> {
    let Some(limit) = limit else {
        return Vec::new();
    };
    [
        (limit.per_second, Duration::from_secs(1)),
        (limit.per_minute, Duration::from_secs(60)),
    ]
    .into_iter()
    .filter(|(max, _)| *max > 0)
    .map(|(max, period)| Window { max, period })
    .collect()
}

/// Per-key sliding-window logs.
#[derive(Debug, Default)]
pub struct Limiter {
    logs: HashMap<String, VecDeque<Duration>>,
}

impl Limiter {
    /// How long from `now` until a request for `key` fits every window.
    pub fn wait(&self, key: &str, windows: &[Window], now: Duration) -> Duration {
        let Some(log) = self.logs.get(key) else {
            return Duration::ZERO;
        };
        windows
            .iter()
            .filter_map(|w| {
                let in_window: Vec<Duration> = log
                    .iter()
                    .copied()
                    .filter(|&t| t + w.period > now)
                    .collect();
                let excess = (in_window.len() + 1).checked_sub(w.max as usize)?;
                // The request may go once the `excess`-th oldest entry has left the window.
                let oldest = in_window.get(excess.checked_sub(1)?)?;
                Some(*oldest + w.period - now)
            })
            .max()
            .unwrap_or(Duration::ZERO)
    }

    /// Sleeps on `clock` until a request for `key` fits every window.
    pub fn acquire(&self, key: &str, windows: &[Window], clock: &dyn Clock) {
        // Each wait ends with the oldest entry leaving a window, so this ends; the bound is
        // a guard against a clock that does not advance.
        for _ in 0..=windows.iter().map(|w| w.max).sum::<u32>() {
            let wait = self.wait(key, windows, clock.now());
            if wait.is_zero() {
                return;
            }
            clock.sleep(wait);
        }
    }

    /// Logs a finished request for `key` at `at`, dropping entries older than every window.
    pub fn record(&mut self, key: &str, windows: &[Window], at: Duration) {
        let longest = windows.iter().map(|w| w.period).max().unwrap_or_default();
        let log = self.logs.entry(key.to_string()).or_default();
        log.push_back(at);
        while log.front().is_some_and(|&t| t + longest <= at) {
            log.pop_front();
        }
    }
}

/// Whether an answer with this status is retried with backoff.
pub fn retryable(status: u16) -> bool {
    status == 429 || (500..=599).contains(&status)
}

/// Exponential backoff with jitter.
#[derive(Debug)]
pub struct Backoff {
    delays: Vec<Duration>,
    jitter: f64,
    rng: fastrand::Rng,
}

impl Default for Backoff {
    /// 1 s, 2 s, 4 s, ±25 %.
    fn default() -> Self {
        Backoff::new(
            vec![
                Duration::from_secs(1),
                Duration::from_secs(2),
                Duration::from_secs(4),
            ],
            0.25,
            fastrand::Rng::new(),
        )
    }
}

impl Backoff {
    /// A schedule of `delays` (one per retry), each varied by ±`jitter` (a fraction).
    pub fn new(delays: Vec<Duration>, jitter: f64, rng: fastrand::Rng) -> Self {
        Backoff {
            delays,
            jitter: jitter.clamp(0.0, 1.0),
            rng,
        }
    }

    /// How many retries the schedule allows.
    pub fn max_retries(&self) -> usize {
        self.delays.len()
    }

    /// The wait before retry number `retry` (0-based), or `None` when retries are used up.
    pub fn delay(&mut self, retry: usize) -> Option<Duration> {
        let base = *self.delays.get(retry)?;
        let factor = 1.0 + self.jitter * (2.0 * self.rng.f64() - 1.0);
        Some(base.mul_f64(factor))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meetso() -> Vec<Window> {
        windows(Some(&RateLimit {
            per_second: 10,
            per_minute: 60,
        }))
    }

    /// Runs `n` requests through the limiter in virtual time, each taking `latency`, and
    /// returns their completion times.
    fn clock() -> VirtualClock {
        VirtualClock::new(SystemTime::UNIX_EPOCH)
    }

    fn run(n: usize, windows: &[Window], latency: Duration) -> (Vec<Duration>, VirtualClock) {
        let clock = clock();
        let mut limiter = Limiter::default();
        let mut done = Vec::new();
        for _ in 0..n {
            limiter.acquire("k", windows, &clock);
            clock.advance(latency);
            let t = clock.now();
            limiter.record("k", windows, t);
            done.push(t);
        }
        (done, clock)
    }

    fn max_in_any(times: &[Duration], period: Duration) -> usize {
        times
            .iter()
            .map(|&end| {
                times
                    .iter()
                    .filter(|&&t| t <= end && t + period > end)
                    .count()
            })
            .max()
            .unwrap_or(0)
    }

    #[test]
    fn meetso_limits_hold_in_every_window_over_two_minutes() {
        let w = meetso();
        assert_eq!(w.len(), 2);
        let (done, clock) = run(130, &w, Duration::from_millis(3));
        assert!(max_in_any(&done, Duration::from_secs(1)) <= 10);
        assert_eq!(max_in_any(&done, Duration::from_secs(60)), 60);
        // 130 requests at 60 per minute need a bit over two minutes, and no more.
        let total = clock.now();
        assert!(
            total > Duration::from_secs(120) && total < Duration::from_secs(123),
            "{total:?}"
        );
        // The first ten go at once (burst), the eleventh waits for the first to age out.
        assert_eq!(done[9], Duration::from_millis(30));
        assert_eq!(
            done[10],
            Duration::from_millis(3) + Duration::from_secs(1) + Duration::from_millis(3)
        );
    }

    #[test]
    fn keys_are_limited_independently() {
        let w = meetso();
        let clock = clock();
        let mut limiter = Limiter::default();
        for _ in 0..10 {
            limiter.record("a", &w, clock.now());
        }
        assert!(limiter.wait("a", &w, clock.now()) > Duration::ZERO);
        assert_eq!(limiter.wait("b", &w, clock.now()), Duration::ZERO);
    }

    #[test]
    fn no_declared_limit_never_waits() {
        let (_, clock) = run(50, &windows(None), Duration::ZERO);
        assert!(clock.sleeps().is_empty());
    }

    #[test]
    fn backoff_is_1_2_4_seconds_within_25_percent_then_stops() {
        let mut b = Backoff::new(
            Backoff::default().delays.clone(),
            0.25,
            fastrand::Rng::with_seed(7),
        );
        assert_eq!(b.max_retries(), 3);
        for _ in 0..200 {
            for (retry, base) in [1.0, 2.0, 4.0].into_iter().enumerate() {
                let d = b.delay(retry).unwrap().as_secs_f64();
                assert!(d >= base * 0.75 && d <= base * 1.25, "{d} vs {base}");
            }
        }
        assert_eq!(b.delay(3), None);
        assert!([429, 500, 503, 599].into_iter().all(retryable));
        assert!(![200, 401, 403, 404, 302].into_iter().any(retryable));
    }
}
