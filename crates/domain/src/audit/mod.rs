//! The audit chain: every change leaves an entry whose hash covers the previous entry's hash,
//! so editing or deleting any entry breaks the chain from that point on. The hash is keyed
//! ([`AuditKey`], kept outside the database), so the chain cannot be recomputed from the database
//! alone; [`Checkpoint`]s kept outside the database catch entries cut from the end.

mod action;
mod checkpoint;
mod key;
pub mod seal;

pub use action::{Action, RecordType, action_label, record_type_label};
pub use checkpoint::{BadCheckpoint, Checkpoint};
pub use key::{AuditKey, BadKey};
pub use seal::{Seal, SealBreak};

use chrono::{DateTime, Utc};

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
    /// Hashed with the audit key (every entry written since the chain was keyed); entries
    /// written before that keep their plain SHA-256.
    pub keyed: bool,
}

impl AuditEntry {
    /// Place `record` after the entry `(prev_seq, prev_hash)`, hashed with `key`.
    pub fn chain(key: &AuditKey, record: AuditRecord, prev_seq: i64, prev_hash: &str) -> Self {
        let seq = prev_seq + 1;
        let hash = entry_hash(Some(key), seq, &record, prev_hash);
        Self {
            seq,
            record,
            prev_hash: prev_hash.to_owned(),
            hash,
            keyed: true,
        }
    }
}

/// The hash of an entry over its fields, each length-prefixed so that no two different entries
/// serialise to the same bytes: HMAC-SHA256 with `key`, or (`None`) the plain SHA-256 of
/// entries written before the chain was keyed.
pub fn entry_hash(key: Option<&AuditKey>, seq: i64, r: &AuditRecord, prev_hash: &str) -> String {
    let actor = r.actor_id.map(|a| a.to_string()).unwrap_or_default();
    let at = canonical(r.at);
    let seq = seq.to_string();
    let fields: [&str; 10] = [
        if key.is_some() {
            "sanbao-audit-v2"
        } else {
            "sanbao-audit-v1"
        },
        &seq,
        &at,
        &actor,
        &r.actor_name,
        &r.action,
        &r.record_type,
        &r.record_id,
        &r.changes,
        prev_hash,
    ];
    match key {
        Some(k) => k.mac(&fields),
        None => key::plain_hash(&fields),
    }
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
    #[error("audit entry {seq} is not keyed but follows keyed entries: it was forged")]
    Unkeyed { seq: i64 },
    #[error("audit entry {seq} lies beyond the chain's head: it was forged")]
    BeyondHead { seq: i64 },
    #[error(
        "audit entry {seq} differs from the checkpoint of {at}: the chain was rewritten from there"
    )]
    Rewritten { seq: i64, at: String },
    #[error(
        "the chain ends at entry {last}, but the checkpoint of {at} recorded entry {checkpoint}: entries were deleted from the end"
    )]
    Truncated {
        last: i64,
        checkpoint: i64,
        at: String,
    },
    #[error("{0}")]
    Checkpoint(#[from] BadCheckpoint),
}

/// Checks entries in `seq` order, then that the last one is the recorded head and reaches the
/// last checkpoint.
#[derive(Debug)]
pub struct ChainVerifier<'k> {
    key: &'k AuditKey,
    checkpoint: Option<Checkpoint>,
    prev_seq: i64,
    prev_hash: String,
    seen_keyed: bool,
    checked: u64,
}

impl<'k> ChainVerifier<'k> {
    pub fn new(key: &'k AuditKey, checkpoint: Option<Checkpoint>) -> Self {
        Self {
            key,
            checkpoint,
            prev_seq: 0,
            prev_hash: GENESIS_HASH.to_owned(),
            seen_keyed: false,
            checked: 0,
        }
    }

    /// Check the next entry in order.
    pub fn push(&mut self, e: &AuditEntry) -> Result<(), ChainBreak> {
        if e.seq != self.prev_seq + 1 {
            return Err(ChainBreak::Missing {
                seq: self.prev_seq + 1,
            });
        }
        if !e.keyed && self.seen_keyed {
            return Err(ChainBreak::Unkeyed { seq: e.seq });
        }
        let key = e.keyed.then_some(self.key);
        if entry_hash(key, e.seq, &e.record, &e.prev_hash) != e.hash {
            return Err(ChainBreak::Edited { seq: e.seq });
        }
        if e.prev_hash != self.prev_hash {
            return Err(ChainBreak::Relinked {
                seq: e.seq,
                prev: self.prev_seq,
            });
        }
        if let Some(cp) = &self.checkpoint
            && cp.seq == e.seq
            && cp.hash != e.hash
        {
            return Err(ChainBreak::Rewritten {
                seq: e.seq,
                at: canonical(cp.at),
            });
        }
        self.prev_seq = e.seq;
        self.prev_hash.clone_from(&e.hash);
        self.seen_keyed |= e.keyed;
        self.checked += 1;
        Ok(())
    }

    /// After the last entry up to the head: the head (last sequence number and hash the writer
    /// recorded) must be where the entries ended, else entries at the end were deleted or
    /// edited; no entry may lie beyond it (`first_beyond_head`); and the chain must reach the
    /// last checkpoint.
    pub fn finish(
        self,
        head_seq: i64,
        head_hash: &str,
        first_beyond_head: Option<i64>,
    ) -> Result<u64, ChainBreak> {
        if head_seq > self.prev_seq {
            return Err(ChainBreak::Missing {
                seq: self.prev_seq + 1,
            });
        }
        if head_seq == self.prev_seq && head_hash != self.prev_hash {
            return Err(ChainBreak::Edited { seq: head_seq });
        }
        if let Some(seq) = first_beyond_head.filter(|s| *s > head_seq) {
            return Err(ChainBreak::BeyondHead { seq });
        }
        if let Some(cp) = &self.checkpoint
            && cp.seq > self.prev_seq
        {
            return Err(ChainBreak::Truncated {
                last: self.prev_seq,
                checkpoint: cp.seq,
                at: canonical(cp.at),
            });
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

    fn key() -> AuditKey {
        AuditKey::from_bytes([9; 32])
    }

    fn chain(n: i64) -> Vec<AuditEntry> {
        let mut out: Vec<AuditEntry> = Vec::new();
        for i in 1..=n {
            let (s, h) = out
                .last()
                .map(|e| (e.seq, e.hash.clone()))
                .unwrap_or((0, GENESIS_HASH.into()));
            out.push(AuditEntry::chain(&key(), record(i), s, &h));
        }
        out
    }

    fn verify_at(
        entries: &[AuditEntry],
        head: (i64, &str),
        checkpoint: Option<Checkpoint>,
    ) -> Result<u64, ChainBreak> {
        let k = key();
        let mut v = ChainVerifier::new(&k, checkpoint);
        for e in entries.iter().filter(|e| e.seq <= head.0) {
            v.push(e)?;
        }
        let beyond = entries.iter().map(|e| e.seq).find(|s| *s > head.0);
        v.finish(head.0, head.1, beyond)
    }

    fn verify(entries: &[AuditEntry], head: (i64, &str)) -> Result<u64, ChainBreak> {
        verify_at(entries, head, None)
    }

    fn checkpoint_of(e: &AuditEntry) -> Checkpoint {
        Checkpoint {
            seq: e.seq,
            hash: e.hash.clone(),
            at: e.record.at,
        }
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
        c[2].hash = entry_hash(Some(&key()), 3, &c[2].record, &c[2].prev_hash);
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
            entry_hash(None, 1, &a, GENESIS_HASH),
            entry_hash(None, 1, &b, GENESIS_HASH)
        );
    }

    #[test]
    fn a_chain_recomputed_without_the_key_is_caught() {
        // Whoever holds only the database can recompute plain hashes, not keyed ones.
        let mut c = chain(3);
        c[1].record.changes = r#"{"username":"mallory"}"#.into();
        let mut prev = c[0].hash.clone();
        for e in &mut c[1..] {
            e.prev_hash.clone_from(&prev);
            e.hash = entry_hash(
                Some(&AuditKey::from_bytes([1; 32])),
                e.seq,
                &e.record,
                &prev,
            );
            prev.clone_from(&e.hash);
        }
        assert_eq!(verify(&c, (3, &prev)), Err(ChainBreak::Edited { seq: 2 }));
        // Nor pass entries off as written before the chain was keyed.
        for e in &mut c[1..] {
            e.keyed = false;
        }
        assert_eq!(verify(&c, (3, &prev)), Err(ChainBreak::Unkeyed { seq: 2 }));
    }

    #[test]
    fn entries_written_before_the_chain_was_keyed_still_verify() {
        let mut c: Vec<AuditEntry> = Vec::new();
        for i in 1..=2 {
            let prev = c.last().map_or(GENESIS_HASH.to_owned(), |e| e.hash.clone());
            c.push(AuditEntry {
                seq: i,
                record: record(i),
                hash: entry_hash(None, i, &record(i), &prev),
                prev_hash: prev,
                keyed: false,
            });
        }
        c.push(AuditEntry::chain(&key(), record(3), 2, &c[1].hash.clone()));
        assert_eq!(verify(&c, (3, &c[2].hash.clone())), Ok(3));
    }

    #[test]
    fn cutting_the_end_and_moving_the_head_back_is_caught_by_the_checkpoint() {
        let c = chain(5);
        let cp = checkpoint_of(&c[4]);
        // Without a checkpoint, deleting entries 4–5 and moving the head to 3 looks whole.
        assert_eq!(verify(&c[..3], (3, &c[2].hash)), Ok(3));
        assert_eq!(
            verify_at(&c[..3], (3, &c[2].hash), Some(cp.clone())),
            Err(ChainBreak::Truncated {
                last: 3,
                checkpoint: 5,
                at: canonical(cp.at)
            })
        );
        assert_eq!(verify_at(&c, (5, &c[4].hash), Some(cp)), Ok(5));
    }

    #[test]
    fn a_chain_rewritten_past_a_checkpoint_is_caught() {
        let c = chain(5);
        let cp = checkpoint_of(&c[2]);
        let mut forged = c.clone();
        forged[2].record.actor_name = "mallory".into();
        forged[2].hash = "f".repeat(64);
        assert!(matches!(
            verify_at(&forged, (5, &c[4].hash), Some(cp)),
            Err(ChainBreak::Edited { seq: 3 })
        ));
        let cp_ahead = Checkpoint {
            hash: "e".repeat(64),
            ..checkpoint_of(&c[3])
        };
        assert!(matches!(
            verify_at(&c, (5, &c[4].hash), Some(cp_ahead)),
            Err(ChainBreak::Rewritten { seq: 4, .. })
        ));
    }

    #[test]
    fn an_entry_beyond_the_head_is_named() {
        let c = chain(5);
        assert_eq!(
            verify(&c, (4, &c[3].hash)),
            Err(ChainBreak::BeyondHead { seq: 5 })
        );
    }
}
