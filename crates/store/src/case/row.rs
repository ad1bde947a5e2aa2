//! Reading a case: its row (by number or id), its timeline entries, its clocks. Codes are
//! read into the domain's types (a row never carries a kind or a state as a bare string).

use chrono::{DateTime, NaiveDate, Utc};
use sanbao_domain::case::{ClockRecord, EventKind};
use sanbao_domain::deadline::{ClockState, Unit};

pub use super::record::CaseRow;
use super::record::{CASE_SELECT, Read};
use crate::{Result, Store, Tx, on_conn, on_pool};

pub async fn by_number(store: &Store, number: &str) -> Result<Option<CaseRow>> {
    let sql = format!("{CASE_SELECT} WHERE s.number = $1");
    let row: Option<Read> = on_pool!(store, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(number).fetch_optional(c).await)?;
    Ok(row.map(CaseRow::from))
}

pub async fn by_id(store: &Store, id: i64) -> Result<Option<CaseRow>> {
    let sql = format!("{CASE_SELECT} WHERE s.id = $1");
    let row: Option<Read> = on_pool!(store, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id).fetch_optional(c).await)?;
    Ok(row.map(CaseRow::from))
}

pub async fn by_id_tx(tx: &mut Tx, id: i64) -> Result<Option<CaseRow>> {
    let sql = format!("{CASE_SELECT} WHERE s.id = $1");
    let row: Option<Read> = on_conn!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id).fetch_optional(c).await)?;
    Ok(row.map(CaseRow::from))
}

/// One entry of a case's timeline.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventRow {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    #[sqlx(try_from = "String")]
    pub kind: EventKind,
    pub body: String,
    /// JSON.
    pub data: String,
}

const EVENTS: &str = "SELECT id, at, actor_id, actor_name, kind, body, data FROM case_event WHERE case_id = $1 ORDER BY id";

pub async fn events(store: &Store, case_id: i64) -> Result<Vec<EventRow>> {
    Ok(on_pool!(store, c => sqlx::query_as(EVENTS).bind(case_id).fetch_all(c).await)?)
}

pub async fn events_tx(tx: &mut Tx, case_id: i64) -> Result<Vec<EventRow>> {
    Ok(on_conn!(tx, c => sqlx::query_as(EVENTS).bind(case_id).fetch_all(c).await)?)
}

/// The kind steps (policy events) of many cases, `(case id, data)` in each case's order: one
/// query for a page of cases.
pub async fn steps_of(store: &Store, case_ids: &[i64]) -> Result<Vec<(i64, String)>> {
    if case_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(on_pool!(store, c => {
        let mut qb = sqlx::QueryBuilder::new(
            "SELECT case_id, data FROM case_event WHERE kind = 'policy_event' AND case_id IN (",
        );
        let mut sep = qb.separated(", ");
        for id in case_ids {
            sep.push_bind(*id);
        }
        qb.push(") ORDER BY case_id, id");
        qb.build_query_as().fetch_all(c).await
    })?)
}

/// A clock row, with the case it belongs to.
#[derive(sqlx::FromRow)]
struct ClockRow {
    case_id: i64,
    clock: String,
    #[sqlx(try_from = "String")]
    state: ClockState,
    due_at: Option<DateTime<Utc>>,
    due_date: Option<NaiveDate>,
    soon_at: Option<DateTime<Utc>>,
    #[sqlx(try_from = "String")]
    unit: Unit,
    rule: String,
    provisional: bool,
}

impl ClockRow {
    fn into_record(self) -> (i64, ClockRecord) {
        (
            self.case_id,
            ClockRecord {
                clock: self.clock,
                state: self.state,
                due_at: self.due_at,
                due_date: self.due_date,
                soon_at: self.soon_at,
                unit: self.unit,
                rule: self.rule,
                provisional: self.provisional,
            },
        )
    }
}

const CLOCKS: &str = "SELECT case_id, clock, state, due_at, due_date, soon_at, unit, rule, provisional FROM case_clock";

/// A case's clocks, soonest first.
pub async fn clocks(store: &Store, case_id: i64) -> Result<Vec<ClockRecord>> {
    let sql = format!("{CLOCKS} WHERE case_id = $1 ORDER BY due_at, clock");
    let rows: Vec<ClockRow> = on_pool!(store, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(case_id).fetch_all(c).await)?;
    Ok(rows.into_iter().map(|r| r.into_record().1).collect())
}

/// A case's clocks, read inside `tx` (what a recomputation replaces).
pub async fn clocks_tx(tx: &mut Tx, case_id: i64) -> Result<Vec<ClockRecord>> {
    let sql = format!("{CLOCKS} WHERE case_id = $1 ORDER BY due_at, clock");
    let rows: Vec<ClockRow> = on_conn!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(case_id).fetch_all(c).await)?;
    Ok(rows.into_iter().map(|r| r.into_record().1).collect())
}

/// Clocks of many cases at once (queue pages: one query for the page, not one per row),
/// with the id of their case.
pub async fn clocks_of(store: &Store, case_ids: &[i64]) -> Result<Vec<(i64, ClockRecord)>> {
    if case_ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<ClockRow> = match &store.backend {
        crate::Backend::Sqlite { read, .. } => {
            let mut qb = sqlx::QueryBuilder::new(format!("{CLOCKS} WHERE case_id IN "));
            super::queue::push_id_list(&mut qb, case_ids);
            qb.push(" ORDER BY case_id, due_at, clock");
            qb.build_query_as::<ClockRow>().fetch_all(read).await?
        }
        // One array parameter: one prepared statement and a cheap plan, whatever the count.
        crate::Backend::Postgres(p) => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{CLOCKS} WHERE case_id = ANY($1) ORDER BY case_id, due_at, clock"
            )))
            .bind(case_ids)
            .fetch_all(p)
            .await?
        }
    };
    Ok(rows.into_iter().map(ClockRow::into_record).collect())
}

/// The case an earlier create request with this key made, if any.
pub async fn idempotent_case(store: &Store, user_id: i64, key: &str) -> Result<Option<i64>> {
    Ok(
        on_pool!(store, c => sqlx::query_scalar(super::write::IDEMPOTENT_CASE)
        .bind(user_id).bind(key).fetch_optional(c).await)?,
    )
}
