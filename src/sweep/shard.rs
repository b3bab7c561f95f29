//! Deterministic sharding: `--shard K/N` (K counted from 0) keeps the targets whose stable
//! hash — SHA-256 of the target id, first 8 bytes big-endian, mod N — equals K, so every
//! target lands in exactly one shard whatever the order of the list. `--shard auto` reads K
//! and N from the job engine's environment.

use sha2::{Digest, Sha256};

/// One shard of N.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// This shard, counted from 0.
    pub index: u64,
    /// How many shards there are.
    pub total: u64,
}

/// A `--shard` value or environment that does not describe a shard.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ShardError {
    /// Not `K/N` or `auto`.
    #[error("--shard takes K/N (K from 0 to N-1, e.g. 0/4) or auto, not `{0}`")]
    Syntax(String),
    /// K is not below N, or N is 0.
    #[error(
        "shard {index}/{total} does not exist: shards are numbered 0 to N-1 and N is at least 1"
    )]
    Range {
        /// K.
        index: u64,
        /// N.
        total: u64,
    },
    /// `auto` found no job engine's variables.
    #[error("--shard auto found no shard in the environment: set KEYHOUND_SHARD_INDEX and KEYHOUND_SHARD_TOTAL, or run as a Kubernetes Indexed Job (JOB_COMPLETION_INDEX with KEYHOUND_SHARD_TOTAL), a GitLab parallel job (CI_NODE_INDEX, CI_NODE_TOTAL) or a Slurm array (SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_MIN, SLURM_ARRAY_TASK_COUNT)")]
    NoEnvironment,
    /// One variable of a pair is set, the other is not.
    #[error("--shard auto: {present} is set but {missing} is not")]
    Missing {
        /// The variable found.
        present: &'static str,
        /// The variable that should accompany it.
        missing: &'static str,
    },
    /// A variable is not a number.
    #[error("--shard auto: {name}=`{value}` is not a number")]
    NotANumber {
        /// The variable.
        name: &'static str,
        /// Its value.
        value: String,
    },
    /// GitLab's CI_NODE_INDEX counts from 1.
    #[error("--shard auto: CI_NODE_INDEX counts from 1 (GitLab `parallel:`), got {0}")]
    GitLabIndex(u64),
    /// A Slurm array with a step or gaps cannot be mapped onto 0..N.
    #[error("--shard auto: Slurm task {id} of an array starting at {min} with {count} tasks is outside 0..{count}: use a contiguous array (--array=0-{last})", last = count.saturating_sub(1))]
    SlurmLayout {
        /// SLURM_ARRAY_TASK_ID.
        id: u64,
        /// SLURM_ARRAY_TASK_MIN.
        min: u64,
        /// SLURM_ARRAY_TASK_COUNT.
        count: u64,
    },
}

impl Shard {
    /// A checked shard.
    pub fn new(index: u64, total: u64) -> Result<Shard, ShardError> {
        if total == 0 || index >= total {
            return Err(ShardError::Range { index, total });
        }
        Ok(Shard { index, total })
    }

    /// Parses `K/N`, or `auto` against `env` (a variable lookup, `std::env::var` in the
    /// binary).
    pub fn parse(spec: &str, env: impl Fn(&str) -> Option<String>) -> Result<Shard, ShardError> {
        if spec.trim() == "auto" {
            return from_env(env);
        }
        let (k, n) = spec
            .split_once('/')
            .ok_or_else(|| ShardError::Syntax(spec.to_string()))?;
        let num = |s: &str| {
            s.trim()
                .parse::<u64>()
                .map_err(|_| ShardError::Syntax(spec.to_string()))
        };
        Shard::new(num(k)?, num(n)?)
    }

    /// Whether the target with this id belongs to this shard.
    pub fn contains(&self, id: &str) -> bool {
        bucket(id, self.total) == self.index
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.total)
    }
}

/// The shard (0..total) of a target id: SHA-256, first 8 bytes big-endian, mod total.
pub fn bucket(id: &str, total: u64) -> u64 {
    let digest = Sha256::digest(id.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(first) % total.max(1)
}

/// The shard from the job engine's environment, first match wins: keyhound's own pair,
/// Kubernetes Indexed Jobs, GitLab `parallel:`, Slurm arrays.
fn from_env(env: impl Fn(&str) -> Option<String>) -> Result<Shard, ShardError> {
    let get = |name: &'static str| -> Result<Option<u64>, ShardError> {
        match env(name).filter(|v| !v.trim().is_empty()) {
            None => Ok(None),
            Some(v) => v
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| ShardError::NotANumber { name, value: v }),
        }
    };
    let pair =
        |index: &'static str, total: &'static str| -> Result<Option<(u64, u64)>, ShardError> {
            match (get(index)?, get(total)?) {
                (Some(k), Some(n)) => Ok(Some((k, n))),
                (Some(_), None) => Err(ShardError::Missing {
                    present: index,
                    missing: total,
                }),
                // KEYHOUND_SHARD_TOTAL alone is the Kubernetes total: JOB_COMPLETION_INDEX decides.
                (None, Some(_)) if total != "KEYHOUND_SHARD_TOTAL" => Err(ShardError::Missing {
                    present: total,
                    missing: index,
                }),
                _ => Ok(None),
            }
        };
    if let Some((k, n)) = pair("KEYHOUND_SHARD_INDEX", "KEYHOUND_SHARD_TOTAL")? {
        return Shard::new(k, n);
    }
    if let Some((k, n)) = pair("JOB_COMPLETION_INDEX", "KEYHOUND_SHARD_TOTAL")? {
        return Shard::new(k, n);
    }
    if get("KEYHOUND_SHARD_TOTAL")?.is_some() {
        return Err(ShardError::Missing {
            present: "KEYHOUND_SHARD_TOTAL",
            missing: "KEYHOUND_SHARD_INDEX or JOB_COMPLETION_INDEX",
        });
    }
    if let Some((k, n)) = pair("CI_NODE_INDEX", "CI_NODE_TOTAL")? {
        // GitLab counts from 1.
        let k = k.checked_sub(1).ok_or(ShardError::GitLabIndex(k))?;
        return Shard::new(k, n);
    }
    if let Some((id, count)) = pair("SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT")? {
        let min = get("SLURM_ARRAY_TASK_MIN")?.ok_or(ShardError::Missing {
            present: "SLURM_ARRAY_TASK_ID",
            missing: "SLURM_ARRAY_TASK_MIN",
        })?;
        let index = id.checked_sub(min).filter(|&k| k < count);
        return index.map_or(Err(ShardError::SlurmLayout { id, min, count }), |k| {
            Shard::new(k, count)
        });
    }
    Err(ShardError::NoEnvironment)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn auto(vars: &[(&str, &str)]) -> Result<Shard, ShardError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Shard::parse("auto", |k| map.get(k).cloned())
    }

    #[test]
    fn every_target_lands_in_exactly_one_shard() {
        let ids: Vec<String> = (0..500)
            .map(|i| format!("github.com/org/repo-{i}"))
            .collect();
        for total in [1, 2, 3, 4, 7] {
            let shards: Vec<Shard> = (0..total).map(|k| Shard::new(k, total).unwrap()).collect();
            for id in &ids {
                assert_eq!(shards.iter().filter(|s| s.contains(id)).count(), 1);
            }
        }
        // Stable across runs and machines: SHA-256, not a randomised hasher.
        assert_eq!(bucket("github.com/o/r", 4), bucket("github.com/o/r", 4));
        assert_eq!(bucket("abc", 1 << 63), 0xba78_16bf_8f01_cfea % (1 << 63));
    }

    #[test]
    fn k_over_n_is_checked() {
        let none = |_: &str| None;
        assert_eq!(Shard::parse("1/4", none), Ok(Shard { index: 1, total: 4 }));
        assert_eq!(
            Shard::parse("4/4", none),
            Err(ShardError::Range { index: 4, total: 4 })
        );
        assert!(matches!(
            Shard::parse("0/0", none),
            Err(ShardError::Range { .. })
        ));
        assert!(matches!(
            Shard::parse("2", none),
            Err(ShardError::Syntax(_))
        ));
        assert!(matches!(
            Shard::parse("a/b", none),
            Err(ShardError::Syntax(_))
        ));
    }

    #[test]
    fn auto_reads_each_job_engine() {
        assert_eq!(
            auto(&[("JOB_COMPLETION_INDEX", "3"), ("KEYHOUND_SHARD_TOTAL", "5")]),
            Ok(Shard { index: 3, total: 5 })
        );
        assert_eq!(
            auto(&[("CI_NODE_INDEX", "1"), ("CI_NODE_TOTAL", "3")]),
            Ok(Shard { index: 0, total: 3 })
        );
        assert_eq!(
            auto(&[
                ("SLURM_ARRAY_TASK_ID", "12"),
                ("SLURM_ARRAY_TASK_MIN", "10"),
                ("SLURM_ARRAY_TASK_COUNT", "4")
            ]),
            Ok(Shard { index: 2, total: 4 })
        );
        assert_eq!(
            auto(&[("KEYHOUND_SHARD_INDEX", "0"), ("KEYHOUND_SHARD_TOTAL", "2")]),
            Ok(Shard { index: 0, total: 2 })
        );
    }

    #[test]
    fn auto_refuses_missing_or_inconsistent_variables() {
        assert_eq!(auto(&[]), Err(ShardError::NoEnvironment));
        assert_eq!(
            auto(&[("JOB_COMPLETION_INDEX", "3")]),
            Err(ShardError::Missing {
                present: "JOB_COMPLETION_INDEX",
                missing: "KEYHOUND_SHARD_TOTAL"
            })
        );
        assert_eq!(
            auto(&[("JOB_COMPLETION_INDEX", "5"), ("KEYHOUND_SHARD_TOTAL", "5")]),
            Err(ShardError::Range { index: 5, total: 5 })
        );
        assert_eq!(
            auto(&[("CI_NODE_INDEX", "0"), ("CI_NODE_TOTAL", "3")]),
            Err(ShardError::GitLabIndex(0))
        );
        assert!(matches!(
            auto(&[("CI_NODE_TOTAL", "x"), ("CI_NODE_INDEX", "1")]),
            Err(ShardError::NotANumber {
                name: "CI_NODE_TOTAL",
                ..
            })
        ));
        assert!(matches!(
            auto(&[
                ("SLURM_ARRAY_TASK_ID", "8"),
                ("SLURM_ARRAY_TASK_MIN", "0"),
                ("SLURM_ARRAY_TASK_COUNT", "4")
            ]),
            Err(ShardError::SlurmLayout { .. })
        ));
    }
}
