//! Checkpoints: the chain's head `(seq, hash)` at a moment, signed with the audit key and written
//! outside the database (an append-only file, and optionally handed to a command that sends it
//! elsewhere). Verifying against the last checkpoint detects entries deleted from the end and a
//! head moved back, which the chain alone cannot show.

use chrono::{DateTime, Utc};

use super::AuditKey;
use crate::time::canonical;

/// The head of the chain as it was at `at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub seq: i64,
    pub hash: String,
    pub at: DateTime<Utc>,
}

/// Why a checkpoint line was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadCheckpoint {
    #[error("checkpoint line {line} cannot be read")]
    Unreadable { line: usize },
    #[error("checkpoint line {line} is not signed with this installation's audit key (forged)")]
    Forged { line: usize },
    #[error(
        "checkpoint line {line} goes back to entry {seq} after entry {before} (lines removed or reordered)"
    )]
    Backwards { line: usize, seq: i64, before: i64 },
}

const TAG: &str = "sanbao-checkpoint-v1";

impl Checkpoint {
    fn mac(&self, key: &AuditKey) -> String {
        key.mac(&[TAG, &self.seq.to_string(), &self.hash, &canonical(self.at)])
    }

    /// One line of the checkpoint file (no newline): `v1 SEQ HASH AT MAC`.
    pub fn line(&self, key: &AuditKey) -> String {
        format!(
            "v1 {} {} {} {}",
            self.seq,
            self.hash,
            canonical(self.at),
            self.mac(key)
        )
    }

    /// Read the whole file: every line must be signed with `key` and none may go back; the
    /// last one is returned (`None` for an empty file).
    pub fn last_of(key: &AuditKey, file: &str) -> Result<Option<Checkpoint>, BadCheckpoint> {
        let mut last: Option<Checkpoint> = None;
        for (i, text) in file
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let line = i + 1;
            let cp = Self::parse(key, text, line)?;
            if let Some(prev) = &last
                && cp.seq < prev.seq
            {
                return Err(BadCheckpoint::Backwards {
                    line,
                    seq: cp.seq,
                    before: prev.seq,
                });
            }
            last = Some(cp);
        }
        Ok(last)
    }

    fn parse(key: &AuditKey, text: &str, line: usize) -> Result<Checkpoint, BadCheckpoint> {
        let bad = BadCheckpoint::Unreadable { line };
        let f: Vec<&str> = text.split_whitespace().collect();
        let [v, seq, hash, at, mac] = f.as_slice() else {
            return Err(bad);
        };
        if *v != "v1" {
            return Err(bad);
        }
        let cp = Checkpoint {
            seq: seq.parse().map_err(|_| bad.clone())?,
            hash: (*hash).to_owned(),
            at: DateTime::parse_from_rfc3339(at)
                .map_err(|_| bad.clone())?
                .with_timezone(&Utc),
        };
        if cp.mac(key) != *mac {
            return Err(BadCheckpoint::Forged { line });
        }
        Ok(cp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn cp(seq: i64) -> Checkpoint {
        Checkpoint {
            seq,
            hash: format!("{seq:064}"),
            at: Utc.with_ymd_and_hms(2026, 12, 5, 10, 0, 0).unwrap(),
        }
    }

    #[test]
    fn the_last_signed_line_is_the_checkpoint() {
        let k = AuditKey::from_bytes([3; 32]);
        let file = format!("{}\n{}\n\n", cp(4).line(&k), cp(9).line(&k));
        assert_eq!(Checkpoint::last_of(&k, &file), Ok(Some(cp(9))));
        assert_eq!(Checkpoint::last_of(&k, ""), Ok(None));
    }

    #[test]
    fn a_line_signed_without_the_key_is_forged() {
        let k = AuditKey::from_bytes([3; 32]);
        let other = AuditKey::from_bytes([4; 32]);
        let file = format!("{}\n{}\n", cp(4).line(&k), cp(9).line(&other));
        assert_eq!(
            Checkpoint::last_of(&k, &file),
            Err(BadCheckpoint::Forged { line: 2 })
        );
        let edited = cp(4).line(&k).replacen("v1 4 ", "v1 3 ", 1);
        assert_eq!(
            Checkpoint::last_of(&k, &edited),
            Err(BadCheckpoint::Forged { line: 1 })
        );
        assert_eq!(
            Checkpoint::last_of(&k, "v1 x"),
            Err(BadCheckpoint::Unreadable { line: 1 })
        );
    }

    #[test]
    fn a_checkpoint_never_goes_back() {
        let k = AuditKey::from_bytes([3; 32]);
        let file = format!("{}\n{}\n", cp(9).line(&k), cp(4).line(&k));
        assert_eq!(
            Checkpoint::last_of(&k, &file),
            Err(BadCheckpoint::Backwards {
                line: 2,
                seq: 4,
                before: 9
            })
        );
    }
}
