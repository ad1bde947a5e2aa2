//! The audit chain's storage. Entries are only ever inserted; `audit_head` holds the last
//! sequence number and hash and is updated in the same transaction, which also serialises
//! concurrent writers (SQLite: the single `IMMEDIATE` writer; PostgreSQL: the row lock).

use chrono::{DateTime, Utc};
use sanbao_domain::audit::{AuditEntry, AuditRecord};

use crate::{Result, Store, Tx, on_pool};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditRow {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub action: String,
    pub record_type: String,
    pub record_id: String,
    pub changes: String,
    pub prev_hash: String,
    pub hash: String,
}

impl From<AuditRow> for AuditEntry {
    fn from(r: AuditRow) -> Self {
        AuditEntry {
            seq: r.seq,
            record: AuditRecord {
                at: r.at,
                actor_id: r.actor_id,
                actor_name: r.actor_name,
                action: r.action,
                record_type: r.record_type,
                record_id: r.record_id,
                changes: r.changes,
            },
            prev_hash: r.prev_hash,
            hash: r.hash,
        }
    }
}

/// Filters of the audit page.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor_id: Option<i64>,
    pub record_type: Option<String>,
    pub record_id: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Entries older than this sequence number (cursor; the list runs newest first).
    pub before_seq: Option<i64>,
    pub limit: i64,
}

const COLS: &str =
    "seq, at, actor_id, actor_name, action, record_type, record_id, changes, prev_hash, hash";

/// Append `record` to the chain inside `tx`; returns the new entry.
pub async fn append(tx: &mut Tx, record: AuditRecord) -> Result<AuditEntry> {
    let e = next_entry(tx, record).await?;
    crate::script!(tx, 2, |qb, i| {
        push_append(&mut qb, &e, i);
    });
    Ok(e)
}

/// The chain's head `(seq, hash)`, read inside `tx` (on PostgreSQL locked until it ends).
pub async fn locked_head(tx: &mut Tx) -> Result<(i64, String)> {
    Ok(match tx {
        Tx::Sqlite(t) => {
            sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
                .fetch_one(&mut **t)
                .await?
        }
        Tx::Postgres(t) => {
            sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE")
                .fetch_one(&mut **t)
                .await?
        }
    })
}

/// The entry `record` becomes after the chain's head, read inside `tx` (on PostgreSQL the head
/// row stays locked until `tx` ends, so entries are chained one at a time). Write it with
/// [`push_append`], in the same transaction.
pub async fn next_entry(tx: &mut Tx, record: AuditRecord) -> Result<AuditEntry> {
    let (seq, hash) = locked_head(tx).await?;
    Ok(AuditEntry::chain(record, seq, &hash))
}

/// Statement `part` (0: the entry, 1: the head) of writing `e`: [`APPEND_STATEMENTS`] parts.
pub fn push_append<DB: sqlx::Database>(qb: &mut sqlx::QueryBuilder<DB>, e: &AuditEntry, part: usize)
where
    for<'t> i64: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    for<'t> Option<i64>: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    for<'t> &'t str: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    for<'t> chrono::DateTime<chrono::Utc>: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    let r = &e.record;
    if part == 0 {
        qb.push(
            "INSERT INTO audit_entry (seq, at, actor_id, actor_name, action, record_type, \
             record_id, changes, prev_hash, hash) VALUES (",
        );
        let mut v = qb.separated(", ");
        v.push_bind(e.seq)
            .push_bind(r.at)
            .push_bind(r.actor_id)
            .push_bind(r.actor_name.as_str())
            .push_bind(r.action.as_str())
            .push_bind(r.record_type.as_str())
            .push_bind(r.record_id.as_str())
            .push_bind(r.changes.as_str())
            .push_bind(e.prev_hash.as_str())
            .push_bind(e.hash.as_str());
        qb.push(")");
    } else {
        qb.push("UPDATE audit_head SET seq = ")
            .push_bind(e.seq)
            .push(", hash = ")
            .push_bind(e.hash.as_str())
            .push(" WHERE id = 1");
    }
}

/// How many statements [`push_append`] writes.
pub const APPEND_STATEMENTS: usize = 2;

/// The recorded head: `(last seq, last hash)`.
pub async fn head(store: &Store) -> Result<(i64, String)> {
    Ok(
        on_pool!(store, c => sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(c).await)?,
    )
}

/// Up to `limit` entries with `seq > after`, in order (for verifying in batches).
pub async fn batch_after(store: &Store, after: i64, limit: i64) -> Result<Vec<AuditRow>> {
    let sql = format!("SELECT {COLS} FROM audit_entry WHERE seq > $1 ORDER BY seq LIMIT $2");
    Ok(
        on_pool!(store, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(after).bind(limit).fetch_all(c).await)?,
    )
}

/// One page of entries, newest first.
pub async fn list(store: &Store, f: &AuditFilter) -> Result<Vec<AuditRow>> {
    on_pool!(store, c => {
        let mut qb = sqlx::QueryBuilder::new(format!("SELECT {COLS} FROM audit_entry WHERE 1=1"));
        if let Some(a) = f.actor_id { qb.push(" AND actor_id = ").push_bind(a); }
        if let Some(t) = &f.record_type { qb.push(" AND record_type = ").push_bind(t.clone()); }
        if let Some(id) = &f.record_id { qb.push(" AND record_id = ").push_bind(id.clone()); }
        if let Some(from) = f.from { qb.push(" AND at >= ").push_bind(from); }
        if let Some(to) = f.to { qb.push(" AND at < ").push_bind(to); }
        if let Some(b) = f.before_seq { qb.push(" AND seq < ").push_bind(b); }
        qb.push(" ORDER BY seq DESC LIMIT ").push_bind(f.limit.clamp(1, 500));
        Ok(qb.build_query_as::<AuditRow>().fetch_all(c).await?)
    })
}

/// Distinct record types present, for the filter's drop-down.
pub async fn record_types(store: &Store) -> Result<Vec<String>> {
    Ok(on_pool!(store, c => sqlx::query_scalar(
        "SELECT DISTINCT record_type FROM audit_entry ORDER BY record_type").fetch_all(c).await)?)
}
