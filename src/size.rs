//! Byte sizes as people write them (`--max-file-size 10MB`, `max_file_size = "512k"`):
//! a whole number with an optional unit, parsed the way GNU coreutils reads them.
//! `KB`, `MB`, `GB` are decimal (1000-based); `KiB`, `MiB`, `GiB` and the bare letters
//! `K`, `M`, `G` are binary (1024-based); `B` or no unit is bytes. Case does not matter.

use serde::{Deserialize, Deserializer};

/// Parses `10MB`, `10MiB`, `512k`, `1048576`, `64 KiB`.
pub fn parse(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let bad = || {
        format!(
            "`{text}` is not a size: use bytes or a number with a unit (KB, MB, GB = 1000-based; K, M, G, KiB, MiB, GiB = 1024-based), e.g. 10MB"
        )
    };
    let n: u64 = digits.parse().map_err(|_| bad())?;
    let multiplier: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kb" => 1000,
        "mb" => 1000 * 1000,
        "gb" => 1000 * 1000 * 1000,
        "k" | "kib" => 1 << 10,
        "m" | "mib" => 1 << 20,
        "g" | "gib" => 1 << 30,
        _ => return Err(bad()),
    };
    n.checked_mul(multiplier)
        .ok_or_else(|| format!("`{text}` is too large"))
}

/// Deserialises a size written as a number of bytes or as a string with a unit.
pub fn deserialize_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Bytes(u64),
        Text(String),
    }
    match Option::<Raw>::deserialize(d)? {
        None => Ok(None),
        Some(Raw::Bytes(n)) => Ok(Some(n)),
        Some(Raw::Text(s)) => parse(&s).map(Some).map_err(serde::de::Error::custom),
    }
}

/// Bytes as B/KB/MB/GB (decimal).
pub fn human(n: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KB", "MB", "GB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn units_are_decimal_or_binary_as_documented() {
        assert_eq!(parse("10MB"), Ok(10_000_000));
        assert_eq!(parse("10MiB"), Ok(10 * 1024 * 1024));
        assert_eq!(parse("10m"), Ok(10 * 1024 * 1024));
        assert_eq!(parse("512k"), Ok(512 * 1024));
        assert_eq!(parse("512kb"), Ok(512_000));
        assert_eq!(parse("64 KiB"), Ok(65_536));
        assert_eq!(parse("1048576"), Ok(1_048_576));
        assert_eq!(parse("2G"), Ok(2 << 30));
        assert_eq!(parse("7B"), Ok(7));
        assert!(parse("10 parsecs").is_err());
        assert!(parse("MB").is_err());
        assert!(parse("-1").is_err());
        assert!(parse("99999999999999999999GB").is_err());
    }
}
