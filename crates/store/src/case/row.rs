//! A case as read: the case row with its customer, desk and assignee names; its timeline
//! entries; its clocks. Codes are read into the domain's types (a row never carries a kind or
//! a state as a bare string).

use chrono::{DateTime, NaiveDate, Utc};
use sanbao_domain::case::{Channel, ClockRecord, EventKind, Kind, Priority, State};
use sanbao_domain::deadline::ClockState;

use crate::{Result, Store, Tx, on_conn, on_pool};

/// A case with its customer, desk and assignee names.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CaseRow {
    pub id: i64,
    pub number: String,
    #[sqlx(try_from = "String")]
    pub kind: Kind,
    #[sqlx(try_from = "String")]
    pub channel: Channel,
    pub customer_id: i64,
    pub customer_name: String,
    pub customer_phone: String,
    pub subject: String,
    pub description: String,
    #[sqlx(try_from = "String")]
    pub priority: Priority,
    pub desk_id: Option<i64>,
    pub desk_name: Option<String>,
    pub assignee_id: Option<i64>,
    pub assignee_name: Option<String>,
    #[sqlx(try_from = "String")]
    pub state: State,
    pub policy_name: String,
    pub policy_version: i32,
    pub received_at: DateTime<Utc>,
    pub regulator_ref: Option<String>,
    pub regulator_accepted_on: Option<NaiveDate>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub next_due_at: Option<DateTime<Utc>>,
    /// The queue sort key: `next_due_at` in Unix seconds, [`NO_DUE`] without a running clock.
    pub due_key: i64,
    pub breached: bool,
    pub escalated: bool,
    /// The case's tags, comma-joined in the order given ("" for none).
    pub tags: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

/// The sort key of a case without a running clock: after every dated one.
pub const NO_DUE: i64 = i64::MAX;

/// The queue sort key of a next due time.
pub fn due_key(next_due_at: Option<DateTime<Utc>>) -> i64 {
    next_due_at.map_or(NO_DUE, |d| d.timestamp())
}

pub(crate) const CASE_SELECT: &str = "SELECT s.id, s.number, s.kind, s.channel, s.customer_id, \
    cu.name AS customer_name, cu.phone AS customer_phone, s.subject, s.description, s.priority, \
    s.desk_id, d.name AS desk_name, s.assignee_id, u.display_name AS assignee_name, s.state, \
    s.policy_name, s.policy_version, s.received_at, s.regulator_ref, s.regulator_accepted_on, s.resolved_at, \
    s.next_due_at, s.due_key, s.breached, s.escalated, s.tags, s.created_at, s.updated_at, s.version \
    FROM service_case s JOIN customer cu ON cu.id = s.customer_id \
    LEFT JOIN desk d ON d.id = s.desk_id LEFT JOIN user_account u ON u.id = s.assignee_id";

pub async fn by_number(store: &Store, number: &str) -> Result<Option<CaseRow>> {
    let sql = format!("{CASE_SELECT} WHERE s.number = $1");
    Ok(
        on_pool!(store, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(number).fetch_optional(c).await)?,
    )
}

pub async fn by_id(store: &Store, id: i64) -> Result<Option<CaseRow>> {
    let sql = format!("{CASE_SELECT} WHERE s.id = $1");
    Ok(
        on_pool!(store, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(c).await)?,
    )
}

pub async fn by_id_tx(tx: &mut Tx, id: i64) -> Result<Option<CaseRow>> {
    let sql = format!("{CASE_SELECT} WHERE s.id = $1");
    Ok(
        on_conn!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(c).await)?,
    )
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

/// A clock row, with the case it belongs to.
#[derive(sqlx::FromRow)]
struct ClockRow {
    case_id: i64,
    clock: String,
    #[sqlx(try_from = "String")]
    state: ClockState,
    due_at: Option<DateTime<Utc>>,
    due_date: Option<NaiveDate>,
    rule: String,
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
                rule: self.rule,
            },
        )
    }
}

const CLOCKS: &str = "SELECT case_id, clock, state, due_at, due_date, rule FROM case_clock";

/// A case's clocks, soonest first.
pub async fn clocks(store: &Store, case_id: i64) -> Result<Vec<ClockRecord>> {
    let sql = format!("{CLOCKS} WHERE case_id = $1 ORDER BY due_at, clock");
    let rows: Vec<ClockRow> = on_pool!(store, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
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
