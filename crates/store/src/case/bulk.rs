//! Bulk loading for benchmark data: many rows per statement, ids chosen by the caller.
//!
//! Only `sanbao bench-data` uses this (feature `bench-data`). It writes the rows the case use
//! cases write, through the same row descriptions ([`super::record`], [`super::write`]), so queues and search see
//! ordinary data and a new column reaches both.

use chrono::{DateTime, Utc};
use sanbao_domain::case::{CaseRecord, ClockRecord, ReportKind};

use super::record::{CASE, case_values};
use super::write::{
    CLOCK, CONTACT, CUSTOMER, CustomerWrite, EVENT, EventWrite, RESERVE_NUMBERS, clock_values,
};
use crate::row::{ROWS, insert_rows, with_id};
use crate::{BackendKind, Result, Store, Tx, TxConn, on_conn};

/// A customer with the id the loader gave it.
pub struct BulkCustomer {
    pub id: i64,
    pub row: CustomerWrite,
}

/// A case with the id the loader gave it.
pub struct BulkCase {
    pub id: i64,
    pub row: CaseRecord,
}

/// One batch of generated cases and everything that belongs to them.
#[derive(Default)]
pub struct BulkBatch {
    pub customers: Vec<BulkCustomer>,
    pub cases: Vec<BulkCase>,
    /// Events with the id of their case.
    pub events: Vec<(i64, EventWrite)>,
    /// `(case id, clock)`.
    pub clocks: Vec<(i64, ClockRecord)>,
    /// `(case id, search words)`.
    pub search: Vec<(i64, String)>,
    /// `(case id, clock, when)`: breaches already escalated (the sweeper does not repeat them).
    pub escalations: Vec<(i64, String, DateTime<Utc>)>,
}

/// The highest id in use in `customer` and `service_case` (new bulk ids start above them).
pub async fn max_ids(tx: &mut Tx) -> Result<(i64, i64)> {
    Ok(on_conn!(tx, c => sqlx::query_as(
        "SELECT (SELECT COALESCE(MAX(id), 0) FROM customer), (SELECT COALESCE(MAX(id), 0) FROM service_case)")
        .fetch_one(c).await)?)
}

/// Reserve `count` case numbers of `kind` in `year`; answers the first.
pub async fn reserve_numbers(tx: &mut Tx, kind: &str, year: i32, count: i64) -> Result<i64> {
    let last: i64 = on_conn!(tx, c => sqlx::query_scalar(RESERVE_NUMBERS)
        .bind(kind).bind(year).bind(count).fetch_one(c).await)?;
    Ok(last - count + 1)
}

/// Write one batch.
pub async fn insert(tx: &mut Tx, b: &BulkBatch) -> Result<()> {
    let key = tx.audit_key.clone();
    let customers = b
        .customers
        .iter()
        .map(|c| with_id(c.id, c.row.values(&key)))
        .collect();
    insert_rows(tx, &CUSTOMER, true, customers).await?;
    let firsts: Vec<_> = b
        .customers
        .iter()
        .map(|c| (c.id, c.row.first_contact()))
        .collect();
    let contacts = firsts.iter().map(|(id, k)| k.values(*id, &key)).collect();
    insert_rows(tx, &CONTACT, false, contacts).await?;
    let cases = b
        .cases
        .iter()
        .map(|c| with_id(c.id, case_values(&c.row, &key)))
        .collect();
    insert_rows(tx, &CASE, true, cases).await?;
    let events = b.events.iter().map(|(id, e)| e.values(*id, &key)).collect();
    insert_rows(tx, &EVENT, false, events).await?;
    let clocks = b
        .clocks
        .iter()
        .map(|(id, k)| clock_values(*id, k))
        .collect();
    insert_rows(tx, &CLOCK, false, clocks).await?;
    let escalations = b
        .escalations
        .iter()
        .map(|(id, clock, at)| vec![(*id).into(), clock.into(), (*at).into()])
        .collect();
    insert_rows(tx, &super::escalation::ESCALATION, false, escalations).await?;
    // Each escalation waits on the supervisors' desk, as the sweeper's would.
    let bodies: Vec<String> = b
        .escalations
        .iter()
        .map(|(_, clock, _)| {
            let label = sanbao_domain::policy::clock_label(clock);
            sanbao_domain::text!("case.breach_escalated", clock = label).to_string()
        })
        .collect();
    let reports = b
        .escalations
        .iter()
        .zip(&bodies)
        .map(|((id, _, at), body)| {
            vec![
                (*id).into(),
                ReportKind::Escalation.code().into(),
                body.into(),
                (*at).into(),
            ]
        })
        .collect();
    insert_rows(tx, &super::supervisor::REPORT, false, reports).await?;
    insert_search(tx, &b.search).await
}

/// Search words: FTS5 rows by rowid on SQLite, a `tsvector` on PostgreSQL.
async fn insert_search(tx: &mut Tx, search: &[(i64, String)]) -> Result<()> {
    for chunk in search.chunks(ROWS) {
        match &mut tx.conn {
            TxConn::Sqlite(t) => {
                let mut qb = sqlx::QueryBuilder::new("INSERT INTO case_search (rowid, doc) ");
                qb.push_values(chunk, |mut r, (id, words)| {
                    r.push_bind(*id).push_bind(words);
                });
                qb.build().execute(&mut **t).await?;
            }
            TxConn::Postgres(t) => {
                let mut qb = sqlx::QueryBuilder::new("INSERT INTO case_search (case_id, doc) ");
                qb.push_values(chunk, |mut r, (id, words)| {
                    r.push_bind(*id)
                        .push_unseparated(", to_tsvector('simple', ")
                        .push_bind_unseparated(words)
                        .push_unseparated(")");
                });
                qb.build().execute(&mut **t).await?;
            }
        }
    }
    Ok(())
}

/// After loading with explicit ids: move PostgreSQL's identity sequences past them.
pub async fn finish(tx: &mut Tx) -> Result<()> {
    if let TxConn::Postgres(t) = &mut tx.conn {
        for table in ["customer", "service_case"] {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
            )))
            .execute(&mut **t)
            .await?;
        }
    }
    Ok(())
}

/// After a bulk load on PostgreSQL: refresh the planner's statistics and the visibility map at
/// once. Autovacuum would get there eventually; until it does, the queue pages were planned for
/// empty tables (300 ms instead of 10), and index-only scans still visit the table (a million
/// freshly loaded cases served ~260 queue pages a second instead of ~750).
pub async fn analyze(store: &Store) -> Result<()> {
    if store.kind() == BackendKind::Postgres
        && let crate::Backend::Postgres(p) = &store.backend
    {
        sqlx::query("VACUUM (ANALYZE)").execute(p).await?;
    }
    Ok(())
}
