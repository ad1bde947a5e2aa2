//! The audit chain's storage. Entries are only ever inserted; `audit_head` holds the last
//! sequence number and hash and is updated in the same transaction, which also serialises
//! concurrent writers (SQLite: the single `IMMEDIATE` writer; PostgreSQL: the row lock).

use chrono::{DateTime, Utc};
use sanbao_domain::audit::{AuditEntry, AuditRecord};

use crate::row::{self, Insert, Val};
use crate::{Result, Store, Tx, TxConn, on_pool};

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
    pub keyed: bool,
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
            keyed: r.keyed,
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

const COLS: &str = "seq, at, actor_id, actor_name, action, record_type, record_id, changes, \
                    prev_hash, hash, keyed";

/// How an entry is written (case intake writes its entry with the same statement, with
/// [`OVERWRITE_FORGED`] after it).
pub(crate) const INSERT: Insert = Insert {
    table: "audit_entry",
    columns: &[
        "seq",
        "at",
        "actor_id",
        "actor_name",
        "action",
        "record_type",
        "record_id",
        "changes",
        "prev_hash",
        "hash",
        "keyed",
    ],
};

/// The tail of [`INSERT`]: a row already at the new entry's `seq` lies beyond the head, where
/// no writer put it (it was forged); the real entry takes its place, so a forged row never
/// stops writing. (`audit verify` names such a row while it is there.)
pub(crate) const OVERWRITE_FORGED: &str = "ON CONFLICT (seq) DO UPDATE SET at = excluded.at, \
    actor_id = excluded.actor_id, actor_name = excluded.actor_name, action = excluded.action, \
    record_type = excluded.record_type, record_id = excluded.record_id, \
    changes = excluded.changes, prev_hash = excluded.prev_hash, hash = excluded.hash, \
    keyed = excluded.keyed";

pub(crate) fn values(e: &AuditEntry) -> Vec<Val<'_>> {
    let r = &e.record;
    vec![
        e.seq.into(),
        r.at.into(),
        r.actor_id.into(),
        (&r.actor_name).into(),
        (&r.action).into(),
        (&r.record_type).into(),
        (&r.record_id).into(),
        (&r.changes).into(),
        (&e.prev_hash).into(),
        (&e.hash).into(),
        e.keyed.into(),
    ]
}

/// The chain's head `(seq, hash)`.
pub(crate) const HEAD: &str = "SELECT seq, hash FROM audit_head WHERE id = 1";
/// Move the head to the entry just written: its seq and hash are parameters `$first` and
/// `$first + 1`.
pub(crate) fn move_head(first: usize) -> String {
    format!(
        "UPDATE audit_head SET seq = ${first}, hash = ${} WHERE id = 1",
        first + 1
    )
}

/// Append `record` to the chain inside `tx`, hashed with the transaction's audit key; returns
/// the new entry.
pub async fn append(tx: &mut Tx, record: AuditRecord) -> Result<AuditEntry> {
    let e = next_entry(tx, record).await?;
    write(tx, &e).await?;
    Ok(e)
}

/// Write `e` and move the head to it. On SQLite both statements go to the writer in one
/// round trip (each is a hand-over to its thread).
pub async fn write(tx: &mut Tx, e: &AuditEntry) -> Result<()> {
    let mut vals = values(e);
    let head: [Val<'_>; 2] = [e.seq.into(), (&e.hash).into()];
    match tx.kind() {
        crate::BackendKind::Sqlite => {
            let n = vals.len();
            let sql = format!("{}; {}", INSERT.one(OVERWRITE_FORGED), move_head(n + 1));
            vals.extend(head);
            row::execute(tx, &sql, &vals).await?;
        }
        crate::BackendKind::Postgres => {
            row::execute(tx, &INSERT.one(OVERWRITE_FORGED), &vals).await?;
            row::execute(tx, &move_head(1), &head).await?;
        }
    }
    Ok(())
}

/// The chain's head `(seq, hash)`, read inside `tx` (on PostgreSQL locked until it ends).
pub async fn locked_head(tx: &mut Tx) -> Result<(i64, String)> {
    Ok(match &mut tx.conn {
        TxConn::Sqlite(t) => sqlx::query_as(HEAD).fetch_one(&mut **t).await?,
        TxConn::Postgres(t) => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{HEAD} FOR UPDATE")))
                .fetch_one(&mut **t)
                .await?
        }
    })
}

/// The entry `record` becomes after the chain's head, read inside `tx` (on PostgreSQL the head
/// row stays locked until `tx` ends, so entries are chained one at a time). Write it with
/// [`write`], in the same transaction.
pub async fn next_entry(tx: &mut Tx, record: AuditRecord) -> Result<AuditEntry> {
    let (seq, hash) = locked_head(tx).await?;
    Ok(AuditEntry::chain(&tx.audit_key, record, seq, &hash))
}

/// The recorded head: `(last seq, last hash)`.
pub async fn head(store: &Store) -> Result<(i64, String)> {
    Ok(on_pool!(store, c => sqlx::query_as(HEAD).fetch_one(c).await)?)
}

/// Up to `limit` entries with `after < seq <= upto`, in order (for verifying in batches).
pub async fn batch_after(
    store: &Store,
    after: i64,
    upto: i64,
    limit: i64,
) -> Result<Vec<AuditRow>> {
    let sql = format!(
        "SELECT {COLS} FROM audit_entry WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT $3"
    );
    Ok(
        on_pool!(store, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(after).bind(upto).bind(limit).fetch_all(c).await)?,
    )
}

/// The first entry beyond the recorded head, if any (none is ever written there: such an entry
/// was forged). One statement, so the head and the entries are read at one moment.
pub async fn first_beyond_head(store: &Store) -> Result<Option<i64>> {
    Ok(on_pool!(store, c => sqlx::query_scalar(
        "SELECT MIN(seq) FROM audit_entry WHERE seq > (SELECT seq FROM audit_head WHERE id = 1)")
        .fetch_one(c).await)?)
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
