//! Instants as Sanbao stores them.

use chrono::{DateTime, SubsecRound, Utc};

/// An instant truncated to whole microseconds: the precision both databases keep, so a value
/// read back equals the value written (the audit chain hashes instants and depends on it).
pub fn truncate_micros(t: DateTime<Utc>) -> DateTime<Utc> {
    t.trunc_subsecs(6)
}

/// Now, truncated to microseconds.
pub fn now() -> DateTime<Utc> {
    truncate_micros(Utc::now())
}

/// An RFC 3339 rendering with exactly six fractional digits and `Z`, stable for hashing.
pub fn canonical(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn canonical_has_six_digits() {
        let t = Utc.with_ymd_and_hms(2026, 9, 30, 10, 0, 0).unwrap();
        assert_eq!(canonical(t), "2026-09-30T10:00:00.000000Z");
    }

    #[test]
    fn truncation_drops_nanoseconds() {
        let t = Utc.timestamp_opt(1_790_000_000, 123_456_789).unwrap();
        assert_eq!(truncate_micros(t).timestamp_subsec_nanos(), 123_456_000);
    }
}
