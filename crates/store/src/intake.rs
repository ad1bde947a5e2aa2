//! Writing a new case: find or create its customer, take its number, write the case with its
//! events, clocks, search words, idempotency key and audit entry — all in one transaction.
//!
//! On SQLite this is the write that comes by the thousand, so it runs on the writer's own
//! thread straight on the connection ([`crate::writer::Writer::direct`]): one hand-over per
//! case instead of one per statement. On PostgreSQL it is an ordinary transaction whose
//! audit-head row lock chains the entries one at a time.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use rusqlite::OptionalExtension;
use sanbao_domain::audit::AuditEntry;
use sqlx::{Postgres, QueryBuilder};

use crate::cases::{CaseRow, ClockRow, due_key};
use crate::{Backend, Result, Store, StoreError};

/// The customer a case is for: found by phone, or created with these details.
#[derive(Debug, Clone)]
pub struct CustomerDraft {
    pub kind: &'static str,
    pub name: String,
    pub phone: String,
    pub address: String,
    pub credit_code: Option<String>,
}

/// An event of a new case.
#[derive(Debug, Clone)]
pub struct EventDraft {
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub kind: &'static str,
    pub body: String,
    pub data: String,
}

/// A new case with everything it owns, before its customer, number and audit entry are known.
#[derive(Debug, Clone)]
pub struct CaseDraft {
    pub customer: CustomerDraft,
    pub kind: &'static str,
    /// The year of the case number.
    pub year: i32,
    pub channel: &'static str,
    pub subject: String,
    pub description: String,
    pub priority: &'static str,
    pub desk_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub state: &'static str,
    pub policy_name: String,
    pub policy_version: i32,
    pub received_at: DateTime<Utc>,
    pub regulator_ref: Option<String>,
    pub regulator_accepted_on: Option<NaiveDate>,
    pub created_by: Option<i64>,
    pub now: DateTime<Utc>,
    /// The queue projection of the clocks.
    pub next_due_at: Option<DateTime<Utc>>,
    pub next_check_at: Option<DateTime<Utc>>,
    pub breached: bool,
    pub events: Vec<EventDraft>,
    pub clocks: Vec<ClockRow>,
    /// `(user id, key)` of the create request's `Idempotency-Key`.
    pub idempotency: Option<(i64, String)>,
}

/// What intake reserved for the case, inside its transaction.
#[derive(Debug, Clone)]
pub struct Intake {
    pub customer_id: i64,
    /// The name on file (an existing customer keeps theirs).
    pub customer_name: String,
    pub customer_created: bool,
    /// The case's sequence number in its kind and year.
    pub seq: i64,
    /// The audit chain's head `(seq, hash)` the case's entry follows.
    pub audit_head: (i64, String),
}

/// What the caller makes of an [`Intake`]: the case's number, its search words and its audit
/// entry (chained after `audit_head`).
#[derive(Debug, Clone)]
pub struct Naming {
    pub number: String,
    pub search_words: String,
    pub audit: AuditEntry,
}

/// How a [`create`] ended.
#[derive(Debug, Clone)]
pub enum Created {
    /// The case as written, and what intake reserved for it.
    New { case: Box<CaseRow>, intake: Intake },
    /// The Idempotency-Key was used before: this is the case it created. Nothing was written.
    Earlier(i64),
}

/// Write the case `d` describes; `name` turns what intake reserved into its number, search
/// words and audit entry (it runs inside the transaction, on SQLite on the writer's thread).
/// A desk or assignee that does not exist is [`StoreError::Dangling`] naming the field.
pub async fn create(
    store: &Store,
    d: CaseDraft,
    name: impl FnOnce(&Intake) -> Naming + Send + 'static,
) -> Result<Created> {
    match &store.backend {
        Backend::Sqlite { write, .. } => write.direct(move |c| on_sqlite(c, &d, name)).await,
        Backend::Postgres(pool) => on_postgres(store, pool, &d, name).await,
    }
}

fn on_sqlite(
    c: &rusqlite::Connection,
    d: &CaseDraft,
    name: impl FnOnce(&Intake) -> Naming,
) -> Result<Created> {
    // Inside the single writer nothing changes between these statements: a key used by an
    // earlier request (committed or still in this batch) is found here, before any write.
    if let Some((user, key)) = &d.idempotency
        && let Some(id) = c
            .prepare_cached("SELECT case_id FROM idempotency_key WHERE user_id = ?1 AND key = ?2")?
            .query_row(rusqlite::params![user, key], |r| r.get(0))
            .optional()?
    {
        return Ok(Created::Earlier(id));
    }
    let cu = &d.customer;
    let now = sqlite_time(d.now);
    let found: Option<(i64, String)> = c
        .prepare_cached("SELECT id, name FROM customer WHERE phone = ?1")?
        .query_row([&cu.phone], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (customer_id, customer_name, customer_created) = match found {
        Some((id, name)) => (id, name, false),
        None => {
            c.prepare_cached(
                "INSERT INTO customer (kind, name, phone, address, credit_code, created_at, \
                 updated_at, version) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, 1)",
            )?
            .execute(rusqlite::params![
                cu.kind,
                cu.name,
                cu.phone,
                cu.address,
                cu.credit_code,
                now
            ])?;
            (c.last_insert_rowid(), cu.name.clone(), true)
        }
    };
    let seq: i64 = c
        .prepare_cached(
            "INSERT INTO case_counter (kind, year, last) VALUES (?1, ?2, 1) \
             ON CONFLICT (kind, year) DO UPDATE SET last = case_counter.last + 1 RETURNING last",
        )?
        .query_row(rusqlite::params![d.kind, d.year], |r| r.get(0))?;
    let audit_head: (i64, String) = c
        .prepare_cached("SELECT seq, hash FROM audit_head WHERE id = 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let intake = Intake {
        customer_id,
        customer_name,
        customer_created,
        seq,
        audit_head,
    };
    let n = name(&intake);
    let (desk_name, assignee_name) = match (d.desk_id, d.assignee_id) {
        (None, None) => (None, None),
        (desk, assignee) => c
            .prepare_cached(
                "SELECT (SELECT name FROM desk WHERE id = ?1), \
                 (SELECT display_name FROM user_account WHERE id = ?2)",
            )?
            .query_row(rusqlite::params![desk, assignee], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?,
    };
    dangling(d, &desk_name, &assignee_name)?;
    c.prepare_cached(
        "INSERT INTO service_case (number, kind, channel, customer_id, subject, description, \
         priority, desk_id, assignee_id, state, is_open, policy_name, policy_version, \
         received_at, regulator_ref, regulator_accepted_on, next_due_at, due_key, next_check_at, \
         breached, escalated, created_by, created_at, updated_at, version) VALUES (?1, ?2, ?3, \
         ?4, ?5, ?6, ?7, ?8, ?9, ?10, TRUE, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, FALSE, \
         ?20, ?21, ?21, 1)",
    )?
    .execute(rusqlite::params![
        n.number,
        d.kind,
        d.channel,
        customer_id,
        d.subject,
        d.description,
        d.priority,
        d.desk_id,
        d.assignee_id,
        d.state,
        d.policy_name,
        d.policy_version,
        sqlite_time(d.received_at),
        d.regulator_ref,
        d.regulator_accepted_on.map(sqlite_date),
        d.next_due_at.map(sqlite_time),
        due_key(d.next_due_at),
        d.next_check_at.map(sqlite_time),
        d.breached,
        d.created_by,
        now,
    ])?;
    let id = c.last_insert_rowid();
    // Events in order: their ids keep the order of the list.
    let mut insert = c.prepare_cached(
        "INSERT INTO case_event (case_id, at, actor_id, actor_name, kind, body, data) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for e in &d.events {
        insert.execute(rusqlite::params![
            id,
            sqlite_time(e.at),
            e.actor_id,
            e.actor_name,
            e.kind,
            e.body,
            e.data
        ])?;
    }
    let mut insert = c.prepare_cached(
        "INSERT INTO case_clock (case_id, clock, state, due_at, due_date, rule) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for k in &d.clocks {
        insert.execute(rusqlite::params![
            id,
            k.clock,
            k.state,
            k.due_at.map(sqlite_time),
            k.due_date.map(sqlite_date),
            k.rule
        ])?;
    }
    c.prepare_cached("INSERT INTO case_search (rowid, doc) VALUES (?1, ?2)")?
        .execute(rusqlite::params![id, n.search_words])?;
    if let Some((user, key)) = &d.idempotency {
        c.prepare_cached(
            "INSERT INTO idempotency_key (user_id, key, case_id, created_at) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(rusqlite::params![user, key, id, now])?;
    }
    let (e, r) = (&n.audit, &n.audit.record);
    c.prepare_cached(
        "INSERT INTO audit_entry (seq, at, actor_id, actor_name, action, record_type, \
         record_id, changes, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(rusqlite::params![
        e.seq,
        sqlite_time(r.at),
        r.actor_id,
        r.actor_name,
        r.action,
        r.record_type,
        r.record_id,
        r.changes,
        e.prev_hash,
        e.hash
    ])?;
    c.prepare_cached("UPDATE audit_head SET seq = ?1, hash = ?2 WHERE id = 1")?
        .execute(rusqlite::params![e.seq, e.hash])?;
    Ok(written(d, id, n.number, intake, desk_name, assignee_name))
}

/// A desk or assignee given whose name was not found does not exist.
fn dangling(d: &CaseDraft, desk: &Option<String>, assignee: &Option<String>) -> Result<()> {
    if d.desk_id.is_some() && desk.is_none() {
        return Err(StoreError::Dangling("desk_id"));
    }
    if d.assignee_id.is_some() && assignee.is_none() {
        return Err(StoreError::Dangling("assignee_id"));
    }
    Ok(())
}

/// The row of a case just written, as [`crate::cases::by_id`] would read it back.
fn written(
    d: &CaseDraft,
    id: i64,
    number: String,
    intake: Intake,
    desk_name: Option<String>,
    assignee_name: Option<String>,
) -> Created {
    let case = CaseRow {
        id,
        number,
        kind: d.kind.to_owned(),
        channel: d.channel.to_owned(),
        customer_id: intake.customer_id,
        customer_name: intake.customer_name.clone(),
        customer_phone: d.customer.phone.clone(),
        subject: d.subject.clone(),
        description: d.description.clone(),
        priority: d.priority.to_owned(),
        desk_id: d.desk_id,
        desk_name,
        assignee_id: d.assignee_id,
        assignee_name,
        state: d.state.to_owned(),
        policy_name: d.policy_name.clone(),
        policy_version: d.policy_version,
        received_at: d.received_at,
        regulator_ref: d.regulator_ref.clone(),
        regulator_accepted_on: d.regulator_accepted_on,
        resolved_at: None,
        next_due_at: d.next_due_at,
        due_key: due_key(d.next_due_at),
        breached: d.breached,
        escalated: false,
        tags: String::new(),
        created_at: d.now,
        updated_at: d.now,
        version: 1,
    };
    Created::New {
        case: Box::new(case),
        intake,
    }
}

async fn on_postgres(
    store: &Store,
    pool: &sqlx::PgPool,
    d: &CaseDraft,
    name: impl FnOnce(&Intake) -> Naming,
) -> Result<Created> {
    let mut tx = pool.begin().await?;
    let t = &mut *tx;
    let (customer_id, customer_name, customer_created) =
        upsert_customer(t, &d.customer, d.now).await?;
    let seq: i64 = sqlx::query_scalar(
        "INSERT INTO case_counter (kind, year, last) VALUES ($1, $2, 1) \
         ON CONFLICT (kind, year) DO UPDATE SET last = case_counter.last + 1 RETURNING last",
    )
    .bind(d.kind)
    .bind(d.year)
    .fetch_one(&mut *t)
    .await?;
    // Locked until the transaction ends: entries are chained one at a time.
    let audit_head: (i64, String) =
        sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE")
            .fetch_one(&mut *t)
            .await?;
    let intake = Intake {
        customer_id,
        customer_name,
        customer_created,
        seq,
        audit_head,
    };
    let n = name(&intake);
    let (desk_name, assignee_name): (Option<String>, Option<String>) =
        match (d.desk_id, d.assignee_id) {
            (None, None) => (None, None),
            (desk, assignee) => {
                sqlx::query_as(
                    "SELECT (SELECT name FROM desk WHERE id = $1), \
                     (SELECT display_name FROM user_account WHERE id = $2)",
                )
                .bind(desk)
                .bind(assignee)
                .fetch_one(&mut *t)
                .await?
            }
        };
    dangling(d, &desk_name, &assignee_name)?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO service_case (number, kind, channel, customer_id, subject, description, \
         priority, desk_id, assignee_id, state, is_open, policy_name, policy_version, \
         received_at, regulator_ref, regulator_accepted_on, next_due_at, due_key, next_check_at, \
         breached, escalated, created_by, created_at, updated_at, version) VALUES ($1, $2, $3, \
         $4, $5, $6, $7, $8, $9, $10, TRUE, $11, $12, $13, $14, $15, $16, $17, $18, $19, FALSE, \
         $20, $21, $21, 1) RETURNING id",
    )
    .bind(&n.number)
    .bind(d.kind)
    .bind(d.channel)
    .bind(customer_id)
    .bind(&d.subject)
    .bind(&d.description)
    .bind(d.priority)
    .bind(d.desk_id)
    .bind(d.assignee_id)
    .bind(d.state)
    .bind(&d.policy_name)
    .bind(d.policy_version)
    .bind(d.received_at)
    .bind(&d.regulator_ref)
    .bind(d.regulator_accepted_on)
    .bind(d.next_due_at)
    .bind(due_key(d.next_due_at))
    .bind(d.next_check_at)
    .bind(d.breached)
    .bind(d.created_by)
    .bind(d.now)
    .fetch_one(&mut *t)
    .await?;
    if !d.events.is_empty() {
        let mut qb = QueryBuilder::<Postgres>::new(
            "INSERT INTO case_event (case_id, at, actor_id, actor_name, kind, body, data) ",
        );
        qb.push_values(&d.events, |mut v, e| {
            v.push_bind(id)
                .push_bind(e.at)
                .push_bind(e.actor_id)
                .push_bind(&e.actor_name)
                .push_bind(e.kind)
                .push_bind(&e.body)
                .push_bind(&e.data);
        });
        qb.build().execute(&mut *t).await?;
    }
    if !d.clocks.is_empty() {
        let mut qb = QueryBuilder::<Postgres>::new(
            "INSERT INTO case_clock (case_id, clock, state, due_at, due_date, rule) ",
        );
        qb.push_values(&d.clocks, |mut v, k| {
            v.push_bind(id)
                .push_bind(&k.clock)
                .push_bind(&k.state)
                .push_bind(k.due_at)
                .push_bind(k.due_date)
                .push_bind(&k.rule);
        });
        qb.build().execute(&mut *t).await?;
    }
    sqlx::query("INSERT INTO case_search (case_id, doc) VALUES ($1, to_tsvector('simple', $2))")
        .bind(id)
        .bind(&n.search_words)
        .execute(&mut *t)
        .await?;
    if let Some((user, key)) = &d.idempotency {
        let taken = sqlx::query(
            "INSERT INTO idempotency_key (user_id, key, case_id, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(user)
        .bind(key)
        .bind(id)
        .bind(d.now)
        .execute(&mut *t)
        .await;
        // A concurrent request with the same key committed first (the insert waited for it).
        if let Err(e) = taken {
            return match StoreError::from(e) {
                StoreError::Unique => {
                    drop(tx);
                    crate::cases::idempotent_case(store, *user, key)
                        .await?
                        .map(Created::Earlier)
                        .ok_or(StoreError::Stale)
                }
                other => Err(other),
            };
        }
    }
    for part in 0..crate::audit::APPEND_STATEMENTS {
        let mut qb = QueryBuilder::<Postgres>::new("");
        crate::audit::push_append(&mut qb, &n.audit, part);
        qb.build().execute(&mut *t).await?;
    }
    tx.commit().await?;
    Ok(written(d, id, n.number, intake, desk_name, assignee_name))
}

/// The customer with this phone, created if there is none. Safe under concurrency: the
/// phone is unique, a racing insert does nothing, and the winner's row is read back.
/// Returns `(id, name on file, created)`.
async fn upsert_customer(
    t: &mut sqlx::PgConnection,
    c: &CustomerDraft,
    now: DateTime<Utc>,
) -> Result<(i64, String, bool)> {
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO customer (kind, name, phone, address, credit_code, created_at, updated_at, \
         version) VALUES ($1, $2, $3, $4, $5, $6, $6, 1) ON CONFLICT (phone) DO NOTHING RETURNING id",
    )
    .bind(c.kind)
    .bind(&c.name)
    .bind(&c.phone)
    .bind(&c.address)
    .bind(&c.credit_code)
    .bind(now)
    .fetch_optional(&mut *t)
    .await?;
    if let Some(id) = id {
        return Ok((id, c.name.clone(), true));
    }
    let (id, name): (i64, String) =
        sqlx::query_as("SELECT id, name FROM customer WHERE phone = $1")
            .bind(&c.phone)
            .fetch_one(&mut *t)
            .await?;
    Ok((id, name, false))
}

/// An instant as the text sqlx stores in SQLite (RFC 3339, UTC offset `+00:00`, fractional
/// seconds only when there are some): rows written here compare and sort with the others.
fn sqlite_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, false)
}

/// A civil date as the text sqlx stores in SQLite (`YYYY-MM-DD`).
fn sqlite_date(d: NaiveDate) -> String {
    d.format("%F").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use sqlx::Connection;

    /// The text written here is the text sqlx writes for the same value.
    #[tokio::test]
    async fn times_and_dates_are_stored_as_sqlx_stores_them() {
        let mut c = sqlx::SqliteConnection::connect("sqlite::memory:")
            .await
            .expect("in-memory SQLite");
        let instants = [
            Utc.with_ymd_and_hms(2026, 9, 30, 10, 0, 0).unwrap(),
            Utc.timestamp_opt(1_790_000_000, 123_456_000).unwrap(),
            Utc.timestamp_opt(1_790_000_000, 5_000).unwrap(),
        ];
        for t in instants {
            let by_sqlx: String = sqlx::query_scalar("SELECT CAST($1 AS TEXT)")
                .bind(t)
                .fetch_one(&mut c)
                .await
                .unwrap();
            assert_eq!(sqlite_time(t), by_sqlx);
        }
        let day = NaiveDate::from_ymd_opt(2026, 10, 9).unwrap();
        let by_sqlx: String = sqlx::query_scalar("SELECT CAST($1 AS TEXT)")
            .bind(day)
            .fetch_one(&mut c)
            .await
            .unwrap();
        assert_eq!(sqlite_date(day), by_sqlx);
    }
}
