//! Writing a new case: find or create its customer, take its number, write the case with its
//! events, clocks, search words, idempotency key and audit entry — all in one transaction.
//!
//! On SQLite this is the write that comes by the thousand, so it runs on the writer's own
//! thread straight on the connection ([`crate::writer::Writer::direct`]): one hand-over per
//! case instead of one per statement. On PostgreSQL it is an ordinary transaction whose
//! audit-head row lock chains the entries one at a time. Both run the same statements
//! ([`super::write`]), each with its own driver.

use std::sync::LazyLock;

use rusqlite::OptionalExtension;
use sanbao_domain::CustomerId;
use sanbao_domain::audit::{AuditEntry, AuditKey, AuditRecord};
use sanbao_domain::case::{CaseRecord, ClockRecord};
use sqlx::{Postgres, QueryBuilder};

use super::record::{CASE, CaseRow, case_values, due_key};
use super::write::{
    CLOCK, CONTACT, CUSTOMER, CUSTOMER_BY_CREDIT_CODE, CUSTOMER_BY_PHONE, CustomerWrite,
    DESK_AND_ASSIGNEE_NAMES, EVENT, EventWrite, IDEMPOTENCY, IDEMPOTENT_CASE, RESERVE_NUMBERS,
    SEARCH_POSTGRES, SEARCH_SQLITE, clock_values,
};
use crate::row::{Val, bind_val, push_val};
use crate::{Backend, Result, Store, StoreError, audit};

/// A new case with everything it owns, before its customer, number and audit entry are known:
/// the case row (its `number` and `customer_id` are filled in by intake), the customer to find
/// (by a contact's phone, then by credit code, whose new phone becomes a contact) or create,
/// its events and clocks.
#[derive(Debug, Clone)]
pub struct CaseDraft {
    pub customer: CustomerWrite,
    pub case: CaseRecord,
    /// The year of the case number.
    pub year: i32,
    pub events: Vec<EventWrite>,
    pub clocks: Vec<ClockRecord>,
    /// `(user id, key)` of the create request's `Idempotency-Key`.
    pub idempotency: Option<(i64, String)>,
    /// The sold unit the case is about (a return, a repair).
    pub unit_id: Option<i64>,
}

/// Links a case to the unit it is about.
const CASE_UNIT: &str = "INSERT INTO case_unit (case_id, unit_id) VALUES ($1, $2)";

/// What intake reserved for the case, inside its transaction.
#[derive(Debug, Clone)]
pub struct Intake {
    pub customer_id: i64,
    /// The name on file (an existing customer keeps theirs).
    pub customer_name: String,
    pub customer_created: bool,
    /// The phone was new to a customer found by credit code: it is now one of their contacts.
    pub contact_added: bool,
    /// The case's sequence number in its kind and year.
    pub seq: i64,
    /// The audit chain's head `(seq, hash)` the case's entry follows.
    pub audit_head: (i64, String),
}

/// What the caller makes of an [`Intake`]: the case's number, its search words and its audit
/// record (the store chains it after `audit_head`, with its key).
#[derive(Debug, Clone)]
pub struct Naming {
    pub number: String,
    pub search_words: String,
    pub audit: AuditRecord,
}

/// How a [`create`] ended.
#[derive(Debug, Clone)]
pub enum Created {
    /// The case as written, and what intake reserved for it.
    New { case: Box<CaseRow>, intake: Intake },
    /// The Idempotency-Key was used before: this is the case it created. Nothing was written.
    Earlier(i64),
}

/// A contact added to a customer changes the card: an edit form read before it is stale
/// (saving it would drop the new contact).
const TOUCH_CUSTOMER: &str =
    "UPDATE customer SET version = version + 1, updated_at = $2 WHERE id = $1";

/// The statement texts, made once.
struct Texts {
    customer: String,
    customer_pg: String,
    contact: String,
    contact_pg: String,
    case: String,
    case_pg: String,
    event: String,
    clock: String,
    idempotency: String,
    audit: String,
    move_head: String,
}

static TEXTS: LazyLock<Texts> = LazyLock::new(|| Texts {
    customer: CUSTOMER.one(""),
    customer_pg: CUSTOMER.one("ON CONFLICT DO NOTHING RETURNING id"),
    contact: CONTACT.one(""),
    contact_pg: CONTACT.one("ON CONFLICT (phone) DO NOTHING"),
    case: CASE.one(""),
    case_pg: CASE.one("RETURNING id"),
    event: EVENT.one(""),
    clock: CLOCK.one(""),
    idempotency: IDEMPOTENCY.one(""),
    audit: audit::INSERT.one(audit::OVERWRITE_FORGED),
    move_head: audit::move_head(1),
});

/// Write the case `d` describes; `name` turns what intake reserved into its number, search
/// words and audit entry (it runs inside the transaction, on SQLite on the writer's thread).
/// A desk or assignee that does not exist is [`StoreError::Dangling`] naming the field.
pub async fn create(
    store: &Store,
    d: CaseDraft,
    name: impl FnOnce(&Intake) -> Naming + Send + 'static,
) -> Result<Created> {
    match &store.backend {
        Backend::Sqlite { write, .. } => {
            let key = store.audit_key.clone();
            write.direct(move |c| on_sqlite(c, &key, d, name)).await
        }
        Backend::Postgres(pool) => on_postgres(store, pool, d, name).await,
    }
}

/// Run one statement with `values` on the raw connection.
fn run(c: &rusqlite::Connection, sql: &str, values: &[Val<'_>]) -> Result<usize> {
    Ok(c.prepare_cached(sql)?
        .execute(rusqlite::params_from_iter(values))?)
}

fn on_sqlite(
    c: &rusqlite::Connection,
    key: &AuditKey,
    mut d: CaseDraft,
    name: impl FnOnce(&Intake) -> Naming,
) -> Result<Created> {
    let t = &*TEXTS;
    // Inside the single writer nothing changes between these statements: a key used by an
    // earlier request (committed or still in this batch) is found here, before any write.
    if let Some((user, key)) = &d.idempotency
        && let Some(id) = c
            .prepare_cached(IDEMPOTENT_CASE)?
            .query_row(rusqlite::params![user, key], |r| r.get(0))
            .optional()?
    {
        return Ok(Created::Earlier(id));
    }
    let (customer_id, customer_name, customer_created, contact_added) =
        sqlite_customer(c, key, &d.customer)?;
    let seq: i64 = c
        .prepare_cached(RESERVE_NUMBERS)?
        .query_row(rusqlite::params![d.case.kind.code(), d.year, 1], |r| {
            r.get(0)
        })?;
    let audit_head: (i64, String) = c
        .prepare_cached(audit::HEAD)?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let intake = Intake {
        customer_id,
        customer_name,
        customer_created,
        contact_added,
        seq,
        audit_head,
    };
    let n = name(&intake);
    let (desk_name, assignee_name) = match (d.case.desk_id, d.case.assignee_id) {
        (None, None) => (None, None),
        (desk, assignee) => c.prepare_cached(DESK_AND_ASSIGNEE_NAMES)?.query_row(
            rusqlite::params![desk.map(|d| d.0), assignee.map(|u| u.0)],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?,
    };
    dangling(&d.case, &desk_name, &assignee_name)?;
    d.case.number.clone_from(&n.number);
    d.case.customer_id = CustomerId(customer_id);
    run(c, &t.case, &case_values(&d.case, key))?;
    let id = c.last_insert_rowid();
    // Events in order: their ids keep the order of the list.
    for e in &d.events {
        run(c, &t.event, &e.values(id, key))?;
    }
    for k in &d.clocks {
        run(c, &t.clock, &clock_values(id, k))?;
    }
    if let Some(unit) = d.unit_id {
        run(c, CASE_UNIT, &[id.into(), unit.into()])?;
    }
    run(c, SEARCH_SQLITE, &[id.into(), (&n.search_words).into()])?;
    if let Some((user, key)) = &d.idempotency {
        run(
            c,
            &t.idempotency,
            &[
                (*user).into(),
                key.into(),
                id.into(),
                d.case.created_at.into(),
            ],
        )?;
    }
    let entry = AuditEntry::chain(key, n.audit, intake.audit_head.0, &intake.audit_head.1);
    run(c, &t.audit, &audit::values(&entry))?;
    run(c, &t.move_head, &[entry.seq.into(), (&entry.hash).into()])?;
    Ok(written(d, id, intake, desk_name, assignee_name))
}

/// The customer a contact's phone belongs to; else the one the credit code names, with the
/// phone added as a contact; else a new customer with the phone as their first contact.
/// Returns `(id, name on file, created, contact added)`.
fn sqlite_customer(
    c: &rusqlite::Connection,
    key: &AuditKey,
    w: &CustomerWrite,
) -> Result<(i64, String, bool, bool)> {
    let t = &*TEXTS;
    let found = |sql: &str, v: &str| -> Result<Option<(i64, String)>> {
        Ok(c.prepare_cached(sql)?
            .query_row([v], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    };
    let by_code = |code: &Option<String>| match code {
        Some(code) => found(CUSTOMER_BY_CREDIT_CODE, code),
        None => Ok(None),
    };
    let contact = w.first_contact();
    Ok(
        if let Some((id, name)) = found(CUSTOMER_BY_PHONE, &w.phone)? {
            (id, name, false, false)
        } else if let Some((id, name)) = by_code(&w.credit_code)? {
            run(c, &t.contact, &contact.values(id, key))?;
            run(c, TOUCH_CUSTOMER, &[id.into(), contact.created_at.into()])?;
            (id, name, false, true)
        } else {
            run(c, &t.customer, &w.values(key))?;
            let id = c.last_insert_rowid();
            run(c, &t.contact, &contact.values(id, key))?;
            (id, w.name.clone(), true, false)
        },
    )
}

/// A desk or assignee given whose name was not found does not exist.
fn dangling(d: &CaseRecord, desk: &Option<String>, assignee: &Option<String>) -> Result<()> {
    if d.desk_id.is_some() && desk.is_none() {
        return Err(StoreError::Dangling("desk_id"));
    }
    if d.assignee_id.is_some() && assignee.is_none() {
        return Err(StoreError::Dangling("assignee_id"));
    }
    Ok(())
}

/// The row of a case just written, as [`super::row::by_id`] would read it back.
fn written(
    d: CaseDraft,
    id: i64,
    intake: Intake,
    desk_name: Option<String>,
    assignee_name: Option<String>,
) -> Created {
    let case = CaseRow {
        id,
        due_key: due_key(d.case.next_due_at),
        record: d.case,
        customer_name: intake.customer_name.clone(),
        customer_phone: d.customer.phone,
        desk_name,
        assignee_name,
        version: 1,
    };
    Created::New {
        case: Box::new(case),
        intake,
    }
}

/// Run one statement with `values` on a PostgreSQL connection.
async fn pg_run(t: &mut sqlx::PgConnection, sql: &str, values: &[Val<'_>]) -> Result<()> {
    pg_count(t, sql, values).await.map(|_| ())
}

/// Run one statement with `values` on a PostgreSQL connection: the rows it affected.
async fn pg_count(t: &mut sqlx::PgConnection, sql: &str, values: &[Val<'_>]) -> Result<u64> {
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for v in values {
        q = bind_val!(q, *v);
    }
    Ok(q.execute(t).await?.rows_affected())
}

/// Add `contact` to customer `id`. A racing intake that took the phone first makes this one
/// [`StoreError::Stale`] (the whole case is refused, to be sent again), never a customer
/// without its phone.
async fn pg_contact(
    t: &mut sqlx::PgConnection,
    id: i64,
    contact: &super::write::ContactWrite,
    key: &AuditKey,
) -> Result<()> {
    if pg_count(t, &TEXTS.contact_pg, &contact.values(id, key)).await? == 0 {
        return Err(StoreError::Stale);
    }
    pg_run(t, TOUCH_CUSTOMER, &[id.into(), contact.created_at.into()]).await
}

/// Insert `rows` (each a list of values) with one many-row statement.
async fn pg_many(t: &mut sqlx::PgConnection, head: String, rows: Vec<Vec<Val<'_>>>) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut qb = QueryBuilder::<Postgres>::new(head);
    qb.push_values(rows, |mut sep, row| {
        for v in row {
            push_val!(sep, v);
        }
    });
    qb.build().execute(t).await?;
    Ok(())
}

/// The rows a new case owns on PostgreSQL: its events, its clocks and its unit link.
async fn pg_children(
    tx: &mut sqlx::PgConnection,
    id: i64,
    d: &CaseDraft,
    key: &AuditKey,
) -> Result<()> {
    let events = d.events.iter().map(|e| e.values(id, key)).collect();
    pg_many(tx, EVENT.many_head(None), events).await?;
    let clocks = d.clocks.iter().map(|k| clock_values(id, k)).collect();
    pg_many(tx, CLOCK.many_head(None), clocks).await?;
    if let Some(unit) = d.unit_id {
        pg_run(tx, CASE_UNIT, &[id.into(), unit.into()]).await?;
    }
    Ok(())
}

async fn on_postgres(
    store: &Store,
    pool: &sqlx::PgPool,
    mut d: CaseDraft,
    name: impl FnOnce(&Intake) -> Naming,
) -> Result<Created> {
    let t = &*TEXTS;
    let mut tx = pool.begin().await?;
    let (customer_id, customer_name, customer_created, contact_added) =
        upsert_customer(&mut tx, &d.customer, &store.audit_key).await?;
    let seq: i64 = sqlx::query_scalar(RESERVE_NUMBERS)
        .bind(d.case.kind.code())
        .bind(d.year)
        .bind(1i64)
        .fetch_one(&mut *tx)
        .await?;
    // Locked until the transaction ends: entries are chained one at a time.
    let audit_head: (i64, String) =
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{} FOR UPDATE", audit::HEAD)))
            .fetch_one(&mut *tx)
            .await?;
    let intake = Intake {
        customer_id,
        customer_name,
        customer_created,
        contact_added,
        seq,
        audit_head,
    };
    let n = name(&intake);
    let (desk_name, assignee_name) = pg_names(&mut tx, &d.case).await?;
    dangling(&d.case, &desk_name, &assignee_name)?;
    d.case.number.clone_from(&n.number);
    d.case.customer_id = CustomerId(customer_id);
    let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(t.case_pg.as_str()));
    for v in case_values(&d.case, &store.audit_key) {
        q = bind_val!(q, v);
    }
    let id: i64 = q.fetch_one(&mut *tx).await?;
    pg_children(&mut tx, id, &d, &store.audit_key).await?;
    pg_run(
        &mut tx,
        SEARCH_POSTGRES,
        &[id.into(), (&n.search_words).into()],
    )
    .await?;
    if let Some((user, key)) = &d.idempotency {
        let vals = [
            (*user).into(),
            key.into(),
            id.into(),
            d.case.created_at.into(),
        ];
        // A concurrent request with the same key committed first (the insert waited for it).
        match pg_run(&mut tx, &t.idempotency, &vals).await {
            Ok(()) => {}
            Err(StoreError::Unique) => {
                drop(tx);
                return earlier(store, *user, key).await;
            }
            Err(other) => return Err(other),
        }
    }
    let entry = AuditEntry::chain(
        &store.audit_key,
        n.audit,
        intake.audit_head.0,
        &intake.audit_head.1,
    );
    pg_run(&mut tx, &t.audit, &audit::values(&entry)).await?;
    pg_run(
        &mut tx,
        &t.move_head,
        &[entry.seq.into(), (&entry.hash).into()],
    )
    .await?;
    tx.commit().await?;
    Ok(written(d, id, intake, desk_name, assignee_name))
}

/// The names of the case's desk and assignee (none given: none looked up).
async fn pg_names(
    t: &mut sqlx::PgConnection,
    c: &CaseRecord,
) -> Result<(Option<String>, Option<String>)> {
    Ok(match (c.desk_id, c.assignee_id) {
        (None, None) => (None, None),
        (desk, assignee) => {
            sqlx::query_as(DESK_AND_ASSIGNEE_NAMES)
                .bind(desk.map(|d| d.0))
                .bind(assignee.map(|u| u.0))
                .fetch_one(t)
                .await?
        }
    })
}

/// The case an earlier request with the same key created.
async fn earlier(store: &Store, user: i64, key: &str) -> Result<Created> {
    super::row::idempotent_case(store, user, key)
        .await?
        .map(Created::Earlier)
        .ok_or(StoreError::Stale)
}

/// The customer a contact's phone belongs to; else the one the credit code names, with the
/// phone added as a contact; else a new customer with the phone as their first contact. Safe
/// under concurrency: phones and credit codes are unique, a racing insert does nothing, and
/// the winner's row is found again. Returns `(id, name on file, created, contact added)`.
async fn upsert_customer(
    t: &mut sqlx::PgConnection,
    c: &CustomerWrite,
    key: &AuditKey,
) -> Result<(i64, String, bool, bool)> {
    let contact = c.first_contact();
    for _ in 0..2 {
        if let Some((id, name)) = pg_found(t, CUSTOMER_BY_PHONE, &c.phone).await? {
            return Ok((id, name, false, false));
        }
        if let Some(code) = &c.credit_code
            && let Some((id, name)) = pg_found(t, CUSTOMER_BY_CREDIT_CODE, code).await?
        {
            pg_contact(t, id, &contact, key).await?;
            return Ok((id, name, false, true));
        }
        let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(TEXTS.customer_pg.as_str()));
        for v in c.values(key) {
            q = bind_val!(q, v);
        }
        let id: Option<i64> = q.fetch_optional(&mut *t).await?;
        if let Some(id) = id {
            if pg_count(t, &TEXTS.contact_pg, &contact.values(id, key)).await? == 0 {
                return Err(StoreError::Stale);
            }
            return Ok((id, c.name.clone(), true, false));
        }
    }
    // Raced twice with a customer that is not there when read: give the caller a retry.
    Err(StoreError::Stale)
}

async fn pg_found(
    t: &mut sqlx::PgConnection,
    sql: &'static str,
    v: &str,
) -> Result<Option<(i64, String)>> {
    Ok(sqlx::query_as(sql).bind(v).fetch_optional(t).await?)
}
