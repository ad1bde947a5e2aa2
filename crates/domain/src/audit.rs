//! The audit chain: every change leaves an entry whose hash covers the previous entry's hash,
//! so editing or deleting any entry breaks the chain from that point on.

use chrono::{DateTime, Utc};

use crate::hex::sha256;
use crate::time::canonical;

/// The `prev_hash` of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What an entry records, before it is placed in the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    pub at: DateTime<Utc>,
    /// The acting user's id; `None` for the system itself (migrations, first start).
    pub actor_id: Option<i64>,
    /// The acting user's name at the time, kept so the entry reads well after a rename.
    pub actor_name: String,
    /// What was done, e.g. `user.create`.
    pub action: String,
    /// The kind of record, e.g. `user`.
    pub record_type: String,
    /// The record's id or number.
    pub record_id: String,
    /// What changed, as JSON text (kept as text: the hash covers these exact bytes).
    pub changes: String,
}

/// An entry as stored: the record, its place in the chain and the two hashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub seq: i64,
    pub record: AuditRecord,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditEntry {
    /// Place `record` after the entry `(prev_seq, prev_hash)`.
    pub fn chain(record: AuditRecord, prev_seq: i64, prev_hash: &str) -> Self {
        let seq = prev_seq + 1;
        let hash = entry_hash(seq, &record, prev_hash);
        Self {
            seq,
            record,
            prev_hash: prev_hash.to_owned(),
            hash,
        }
    }
}

/// The hash of an entry: SHA-256 over its fields, each length-prefixed so that no two
/// different entries serialise to the same bytes.
pub fn entry_hash(seq: i64, r: &AuditRecord, prev_hash: &str) -> String {
    let actor = r.actor_id.map(|a| a.to_string()).unwrap_or_default();
    let at = canonical(r.at);
    let fields: [&str; 9] = [
        "sanbao-audit-v1",
        &seq.to_string(),
        &at,
        &actor,
        &r.actor_name,
        &r.action,
        &r.record_type,
        &r.record_id,
        &r.changes,
    ];
    let mut buf = Vec::with_capacity(256 + r.changes.len());
    for f in fields.iter().chain(std::iter::once(&prev_hash)) {
        buf.extend_from_slice(f.len().to_string().as_bytes());
        buf.push(b':');
        buf.extend_from_slice(f.as_bytes());
        buf.push(b'\n');
    }
    sha256(&buf)
}

/// Where the chain first fails.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    #[error("audit entry {seq} was edited: its hash does not match its contents")]
    Edited { seq: i64 },
    #[error("audit entry {seq} is missing (deleted)")]
    Missing { seq: i64 },
    #[error("audit entry {seq} does not follow entry {prev}: the chain was rewritten")]
    Relinked { seq: i64, prev: i64 },
}

/// Checks entries in `seq` order, then that the last one is the recorded head.
#[derive(Debug)]
pub struct ChainVerifier {
    prev_seq: i64,
    prev_hash: String,
    checked: u64,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self {
            prev_seq: 0,
            prev_hash: GENESIS_HASH.to_owned(),
            checked: 0,
        }
    }
}

impl ChainVerifier {
    /// Check the next entry in order.
    pub fn push(&mut self, e: &AuditEntry) -> Result<(), ChainBreak> {
        if e.seq != self.prev_seq + 1 {
            return Err(ChainBreak::Missing {
                seq: self.prev_seq + 1,
            });
        }
        if entry_hash(e.seq, &e.record, &e.prev_hash) != e.hash {
            return Err(ChainBreak::Edited { seq: e.seq });
        }
        if e.prev_hash != self.prev_hash {
            return Err(ChainBreak::Relinked {
                seq: e.seq,
                prev: self.prev_seq,
            });
        }
        self.prev_seq = e.seq;
        self.prev_hash.clone_from(&e.hash);
        self.checked += 1;
        Ok(())
    }

    /// After the last entry: the head (last sequence number and hash the writer recorded)
    /// must be where the entries ended, else entries at the end were deleted or edited.
    pub fn finish(self, head_seq: i64, head_hash: &str) -> Result<u64, ChainBreak> {
        if head_seq > self.prev_seq {
            return Err(ChainBreak::Missing {
                seq: self.prev_seq + 1,
            });
        }
        if head_seq == self.prev_seq && head_hash != self.prev_hash {
            return Err(ChainBreak::Edited { seq: head_seq });
        }
        Ok(self.checked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn record(i: i64) -> AuditRecord {
        AuditRecord {
            at: Utc.with_ymd_and_hms(2026, 11, 1, 8, 0, 0).unwrap() + chrono::Duration::seconds(i),
            actor_id: Some(1),
            actor_name: "admin".into(),
            action: "user.create".into(),
            record_type: "user".into(),
            record_id: i.to_string(),
            changes: format!(r#"{{"username":"u{i}"}}"#),
        }
    }

    fn chain(n: i64) -> Vec<AuditEntry> {
        let mut out: Vec<AuditEntry> = Vec::new();
        for i in 1..=n {
            let (s, h) = out
                .last()
                .map(|e| (e.seq, e.hash.clone()))
                .unwrap_or((0, GENESIS_HASH.into()));
            out.push(AuditEntry::chain(record(i), s, &h));
        }
        out
    }

    fn verify(entries: &[AuditEntry], head: (i64, &str)) -> Result<u64, ChainBreak> {
        let mut v = ChainVerifier::default();
        for e in entries {
            v.push(e)?;
        }
        v.finish(head.0, head.1)
    }

    #[test]
    fn an_intact_chain_verifies() {
        let c = chain(5);
        assert_eq!(verify(&c, (5, &c[4].hash)), Ok(5));
        assert_eq!(verify(&[], (0, GENESIS_HASH)), Ok(0));
    }

    #[test]
    fn an_edited_entry_is_named() {
        let mut c = chain(5);
        c[2].record.changes = r#"{"username":"mallory"}"#.into();
        let head = c[4].hash.clone();
        assert_eq!(verify(&c, (5, &head)), Err(ChainBreak::Edited { seq: 3 }));
    }

    #[test]
    fn an_entry_edited_with_a_recomputed_hash_breaks_the_next_link() {
        let mut c = chain(5);
        c[2].record.actor_name = "mallory".into();
        c[2].hash = entry_hash(3, &c[2].record, &c[2].prev_hash);
        let head = c[4].hash.clone();
        assert_eq!(
            verify(&c, (5, &head)),
            Err(ChainBreak::Relinked { seq: 4, prev: 3 })
        );
    }

    #[test]
    fn a_deleted_entry_is_named() {
        let mut c = chain(5);
        let head = c[4].hash.clone();
        c.remove(1);
        assert_eq!(verify(&c, (5, &head)), Err(ChainBreak::Missing { seq: 2 }));
    }

    #[test]
    fn a_deleted_last_entry_is_caught_by_the_head() {
        let mut c = chain(5);
        let head = c[4].hash.clone();
        c.pop();
        assert_eq!(verify(&c, (5, &head)), Err(ChainBreak::Missing { seq: 5 }));
    }

    #[test]
    fn hash_fields_cannot_be_shifted_into_each_other() {
        let mut a = record(1);
        let mut b = record(1);
        a.action = "ab".into();
        a.record_type = "c".into();
        b.action = "a".into();
        b.record_type = "bc".into();
        assert_ne!(
            entry_hash(1, &a, GENESIS_HASH),
            entry_hash(1, &b, GENESIS_HASH)
        );
    }
}
