//! Organisation sweeps: many targets in one run, split over the job engine the user already
//! runs, merged into one deduplicated report.
//!
//! `target` parses and identifies targets, `shard` picks this process's share of them,
//! `clone` mirrors git URLs into a cache, `stream` writes and reads the JSON Lines record
//! stream a sweep (or shard) produces, and `merge` folds any number of streams into one
//! report. The binary (`app::sweep`) runs the per-target scans in between.

pub mod clone;
pub mod merge;
pub mod progress;
pub mod shard;
pub mod stream;
pub mod target;

pub use target::Target;
