//! Changing a case: its state, its fields, its tags, an entry on its timeline, its clocks.
//! Every change of the row checks and bumps its version (a stale one is refused); every change
//! of a sealed field seals the row again ([`crate::seal`]).

use chrono::{DateTime, Utc};
use sanbao_domain::case::{Priority, Projection, State};

use super::record::due_key;
use super::write::{CLOCK, EVENT, EventWrite, clock_values};
use crate::admin::users::stale_unless_one;
use crate::row;
use crate::seal::{self, reseal};
use crate::{Result, Tx, on_conn};

/// Append one entry to a case's timeline; its id.
pub async fn insert_event(tx: &mut Tx, case_id: i64, e: &EventWrite) -> Result<i64> {
    let key = tx.audit_key.clone();
    let id = row::fetch_i64(tx, &EVENT.one("RETURNING id"), &e.values(case_id, &key)).await?;
    id.ok_or(crate::StoreError::NotFound)
}

/// The calendar revision a case's clocks were last computed on (`None`: not since intake).
pub async fn calendar_rev(tx: &mut Tx, case_id: i64) -> Result<Option<String>> {
    Ok(on_conn!(tx, c => sqlx::query_scalar::<_, Option<String>>(
        "SELECT calendar_rev FROM service_case WHERE id = $1")
        .bind(case_id).fetch_optional(c).await)?
    .flatten())
}

/// Remember the calendar revision a case's clocks were computed on.
pub async fn set_calendar_rev(tx: &mut Tx, case_id: i64, rev: &str) -> Result<()> {
    row::execute(
        tx,
        "UPDATE service_case SET calendar_rev = $1 WHERE id = $2",
        &[rev.into(), case_id.into()],
    )
    .await?;
    Ok(())
}

/// Replace a case's clock rows and its queue projection.
pub async fn write_projection(tx: &mut Tx, case_id: i64, p: &Projection) -> Result<()> {
    row::execute(
        tx,
        "DELETE FROM case_clock WHERE case_id = $1",
        &[case_id.into()],
    )
    .await?;
    let insert = CLOCK.one("");
    for k in &p.clocks {
        row::execute(tx, &insert, &clock_values(case_id, k)).await?;
    }
    row::execute(
        tx,
        "UPDATE service_case SET next_due_at = $1, due_key = $2, next_check_at = $3, \
         soon_key = $4, breached = $5 WHERE id = $6",
        &[
            p.next_due.into(),
            due_key(p.next_due).into(),
            p.next_check.into(),
            due_key(p.next_soon).into(),
            p.breached.into(),
            case_id.into(),
        ],
    )
    .await?;
    reseal(tx, &seal::CASE, case_id).await
}

/// Change state (and `resolved_at`) if `version` is current.
pub async fn set_state(
    tx: &mut Tx,
    id: i64,
    version: i64,
    state: State,
    resolved_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<()> {
    let n = row::execute(
        tx,
        "UPDATE service_case SET state = $1, is_open = $2, resolved_at = $3, updated_at = $4, \
         version = version + 1 WHERE id = $5 AND version = $6",
        &[
            state.code().into(),
            state.is_open().into(),
            resolved_at.into(),
            now.into(),
            id.into(),
            version.into(),
        ],
    )
    .await?;
    stale_unless_one(n)?;
    reseal(tx, &seal::CASE, id).await
}

pub struct CaseFields<'a> {
    pub subject: &'a str,
    pub description: &'a str,
    pub priority: Priority,
    pub desk_id: Option<i64>,
    pub assignee_id: Option<i64>,
}

pub async fn update_fields(
    tx: &mut Tx,
    id: i64,
    version: i64,
    f: &CaseFields<'_>,
    now: DateTime<Utc>,
) -> Result<()> {
    let n = on_conn!(tx, c => sqlx::query(
        "UPDATE service_case SET subject = $1, description = $2, priority = $3, desk_id = $4, \
         assignee_id = $5, updated_at = $6, version = version + 1 WHERE id = $7 AND version = $8")
        .bind(f.subject).bind(f.description).bind(f.priority.code()).bind(f.desk_id).bind(f.assignee_id)
        .bind(now).bind(id).bind(version)
        .execute(c).await.map(|r| r.rows_affected()))?;
    stale_unless_one(n)?;
    reseal(tx, &seal::CASE, id).await
}

/// Give the case to `assignee_id` (a dispatched technician), bumping its version.
pub async fn set_assignee(
    tx: &mut Tx,
    id: i64,
    assignee_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<()> {
    let n = on_conn!(tx, c => sqlx::query(
        "UPDATE service_case SET assignee_id = $1, updated_at = $2, version = version + 1 WHERE id = $3")
        .bind(assignee_id).bind(now).bind(id)
        .execute(c).await.map(|r| r.rows_affected()))?;
    stale_unless_one(n)?;
    reseal(tx, &seal::CASE, id).await
}

/// Bump the version after an appended event (a note), so concurrent editors notice.
pub async fn touch(tx: &mut Tx, id: i64, now: DateTime<Utc>) -> Result<()> {
    on_conn!(tx, c => sqlx::query("UPDATE service_case SET updated_at = $1, version = version + 1 WHERE id = $2")
        .bind(now).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Replace a case's tags: the shown list on the case row and the rows the tag filter reads.
pub async fn set_tags(tx: &mut Tx, case_id: i64, tags: &[String]) -> Result<()> {
    on_conn!(tx, c => sqlx::query("DELETE FROM case_tag WHERE case_id = $1").bind(case_id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    for t in tags {
        on_conn!(tx, c => sqlx::query("INSERT INTO case_tag (case_id, tag) VALUES ($1, $2)")
            .bind(case_id).bind(t).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    }
    on_conn!(tx, c => sqlx::query("UPDATE service_case SET tags = $1 WHERE id = $2")
        .bind(tags.join(",")).bind(case_id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    reseal(tx, &seal::CASE, case_id).await
}
