//! Bulk loading for benchmark data: many rows per statement, ids chosen by the caller.
//!
//! Only `sanbao bench-data` uses this. It writes exactly the rows the case use cases write
//! (case, events, clocks, search words), so queues and search see ordinary data.
use chrono::{DateTime, Utc};

use crate::cases::{ClockRow, due_key};
use crate::{Result, Store, Tx, on_conn};

/// Rows per INSERT statement (well under both backends' bound-parameter limits).
const CHUNK: usize = 400;

pub struct BulkCustomer {
    pub id: i64,
    pub kind: &'static str,
    pub name: String,
    pub phone: String,
    pub created_at: DateTime<Utc>,
}

pub struct BulkCase {
    pub id: i64,
    pub number: String,
    pub kind: &'static str,
    pub channel: &'static str,
    pub customer_id: i64,
    pub subject: &'static str,
    pub description: &'static str,
    pub priority: &'static str,
    pub desk_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub state: &'static str,
    pub is_open: bool,
    pub policy_name: String,
    pub policy_version: i32,
    pub received_at: DateTime<Utc>,
    pub regulator_ref: Option<String>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub next_due_at: Option<DateTime<Utc>>,
    pub next_check_at: Option<DateTime<Utc>>,
    pub breached: bool,
    pub escalated: bool,
    pub updated_at: DateTime<Utc>,
}

/// One batch of generated cases and everything that belongs to them.
#[derive(Default)]
pub struct BulkBatch {
    pub customers: Vec<BulkCustomer>,
    pub cases: Vec<BulkCase>,
    /// Events with the id of their case.
    pub events: Vec<(i64, crate::intake::EventDraft)>,
    /// `(case id, clock)`.
    pub clocks: Vec<(i64, ClockRow)>,
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
    let last: i64 = on_conn!(tx, c => sqlx::query_scalar(
        "INSERT INTO case_counter (kind, year, last) VALUES ($1, $2, $3) \
         ON CONFLICT (kind, year) DO UPDATE SET last = case_counter.last + $3 RETURNING last")
        .bind(kind).bind(year).bind(count).fetch_one(c).await)?;
    Ok(last - count + 1)
}

/// Write one batch.
pub async fn insert(tx: &mut Tx, b: &BulkBatch) -> Result<()> {
    // PostgreSQL's identity columns take explicit ids only when told to.
    let overriding = match tx.kind() {
        crate::BackendKind::Sqlite => "",
        crate::BackendKind::Postgres => " OVERRIDING SYSTEM VALUE",
    };
    for chunk in b.customers.chunks(CHUNK) {
        on_conn!(tx, c => {
            let mut qb = sqlx::QueryBuilder::new(format!(
                "INSERT INTO customer (id, kind, name, phone, address, created_at, updated_at, version){overriding} "));
            qb.push_values(chunk, |mut r, x| {
                r.push_bind(x.id).push_bind(x.kind).push_bind(&x.name).push_bind(&x.phone)
                    .push_bind("").push_bind(x.created_at).push_bind(x.created_at).push_bind(1i64);
            });
            qb.build().execute(&mut *c).await?;
        });
    }
    for chunk in b.cases.chunks(CHUNK / 2) {
        on_conn!(tx, c => {
            let mut qb = sqlx::QueryBuilder::new(format!(
                "INSERT INTO service_case (id, number, kind, channel, customer_id, subject, description, \
                 priority, desk_id, assignee_id, state, is_open, policy_name, policy_version, received_at, \
                 regulator_ref, resolved_at, next_due_at, due_key, next_check_at, breached, escalated, \
                 created_at, updated_at, version){overriding} "));
            qb.push_values(chunk, |mut r, x| {
                r.push_bind(x.id).push_bind(&x.number).push_bind(x.kind).push_bind(x.channel)
                    .push_bind(x.customer_id).push_bind(x.subject).push_bind(x.description)
                    .push_bind(x.priority).push_bind(x.desk_id).push_bind(x.assignee_id)
                    .push_bind(x.state).push_bind(x.is_open).push_bind(&x.policy_name)
                    .push_bind(x.policy_version).push_bind(x.received_at).push_bind(&x.regulator_ref)
                    .push_bind(x.resolved_at).push_bind(x.next_due_at).push_bind(due_key(x.next_due_at))
                    .push_bind(x.next_check_at).push_bind(x.breached).push_bind(x.escalated)
                    .push_bind(x.received_at).push_bind(x.updated_at).push_bind(1i64);
            });
            qb.build().execute(&mut *c).await?;
        });
    }
    for chunk in b.events.chunks(CHUNK) {
        on_conn!(tx, c => {
            let mut qb = sqlx::QueryBuilder::new(
                "INSERT INTO case_event (case_id, at, actor_id, actor_name, kind, body, data) ");
            qb.push_values(chunk, |mut r, (case_id, x)| {
                r.push_bind(*case_id).push_bind(x.at).push_bind(x.actor_id).push_bind(&x.actor_name)
                    .push_bind(x.kind).push_bind(&x.body).push_bind(&x.data);
            });
            qb.build().execute(&mut *c).await?;
        });
    }
    for chunk in b.clocks.chunks(CHUNK) {
        on_conn!(tx, c => {
            let mut qb = sqlx::QueryBuilder::new(
                "INSERT INTO case_clock (case_id, clock, state, due_at, due_date, rule) ");
            qb.push_values(chunk, |mut r, (id, x)| {
                r.push_bind(*id).push_bind(&x.clock).push_bind(&x.state).push_bind(x.due_at)
                    .push_bind(x.due_date).push_bind(&x.rule);
            });
            qb.build().execute(&mut *c).await?;
        });
    }
    for chunk in b.escalations.chunks(CHUNK) {
        on_conn!(tx, c => {
            let mut qb = sqlx::QueryBuilder::new("INSERT INTO case_escalation (case_id, clock, created_at) ");
            qb.push_values(chunk, |mut r, (id, clock, at)| {
                r.push_bind(*id).push_bind(clock).push_bind(*at);
            });
            qb.build().execute(&mut *c).await?;
        });
    }
    for chunk in b.search.chunks(CHUNK) {
        match tx {
            Tx::Sqlite(t) => {
                let mut qb = sqlx::QueryBuilder::new("INSERT INTO case_search (rowid, doc) ");
                qb.push_values(chunk, |mut r, (id, words)| {
                    r.push_bind(*id).push_bind(words);
                });
                qb.build().execute(&mut **t).await?;
            }
            Tx::Postgres(t) => {
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
    if let Tx::Postgres(t) = tx {
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

/// After a bulk load on PostgreSQL: refresh the planner's statistics at once (autovacuum would
/// get there eventually; until it does, the queue pages were planned for empty tables and took
/// 300 ms instead of 10).
pub async fn analyze(store: &Store) -> Result<()> {
    if let crate::Backend::Postgres(p) = &store.backend {
        sqlx::query("ANALYZE").execute(p).await?;
    }
    Ok(())
}
