//! Imported statutory years, company overrides, service hours and small settings.

use chrono::{DateTime, NaiveDate, Utc};

use crate::{Result, Store, Tx, on_conn, on_pool};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct YearRow {
    pub year: i32,
    pub source: String,
    /// JSON array of the domain's `ScheduledDay`.
    pub days: String,
    pub imported_at: DateTime<Utc>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OverrideRow {
    pub date: NaiveDate,
    pub working: bool,
    pub note: String,
    pub created_at: DateTime<Utc>,
}

pub async fn years(store: &Store) -> Result<Vec<YearRow>> {
    Ok(on_pool!(store, c => sqlx::query_as(
        "SELECT year, source, days, imported_at FROM calendar_year ORDER BY year").fetch_all(c).await)?)
}

/// Insert or replace the imported schedule of a year.
pub async fn put_year(
    tx: &mut Tx,
    year: i32,
    source: &str,
    days_json: &str,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<()> {
    on_conn!(tx, c => sqlx::query(
        "INSERT INTO calendar_year (year, source, days, imported_at, imported_by, version) \
         VALUES ($1, $2, $3, $4, $5, 1) \
         ON CONFLICT (year) DO UPDATE SET source = excluded.source, days = excluded.days, \
           imported_at = excluded.imported_at, imported_by = excluded.imported_by, \
           version = calendar_year.version + 1")
        .bind(year).bind(source).bind(days_json).bind(now).bind(by)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn overrides(store: &Store) -> Result<Vec<OverrideRow>> {
    Ok(on_pool!(store, c => sqlx::query_as(
        "SELECT date, working, note, created_at FROM calendar_override ORDER BY date").fetch_all(c).await)?)
}

/// Insert or replace the company's override of a date; returns the previous one.
pub async fn put_override(
    tx: &mut Tx,
    date: NaiveDate,
    working: bool,
    note: &str,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Option<OverrideRow>> {
    let before: Option<OverrideRow> = on_conn!(tx, c => sqlx::query_as(
        "SELECT date, working, note, created_at FROM calendar_override WHERE date = $1")
        .bind(date).fetch_optional(c).await)?;
    on_conn!(tx, c => sqlx::query(
        "INSERT INTO calendar_override (date, working, note, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (date) DO UPDATE SET working = excluded.working, note = excluded.note, \
           created_at = excluded.created_at, created_by = excluded.created_by")
        .bind(date).bind(working).bind(note).bind(now).bind(by)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(before)
}

pub async fn delete_override(tx: &mut Tx, date: NaiveDate) -> Result<Option<OverrideRow>> {
    Ok(on_conn!(tx, c => sqlx::query_as(
        "DELETE FROM calendar_override WHERE date = $1 RETURNING date, working, note, created_at")
        .bind(date).fetch_optional(c).await)?)
}

/// `(desk id, hours JSON, version)` of every desk that has its own hours.
pub async fn all_hours(store: &Store) -> Result<Vec<(i64, String, i64)>> {
    Ok(on_pool!(store, c => sqlx::query_as(
        "SELECT desk_id, hours, version FROM service_hours ORDER BY desk_id").fetch_all(c).await)?)
}

pub async fn hours(store: &Store, desk_id: i64) -> Result<Option<(String, i64)>> {
    Ok(on_pool!(store, c => sqlx::query_as(
        "SELECT hours, version FROM service_hours WHERE desk_id = $1").bind(desk_id).fetch_optional(c).await)?)
}

pub async fn hours_tx(tx: &mut Tx, desk_id: i64) -> Result<Option<(String, i64)>> {
    Ok(on_conn!(tx, c => sqlx::query_as(
        "SELECT hours, version FROM service_hours WHERE desk_id = $1").bind(desk_id).fetch_optional(c).await)?)
}

/// Set a desk's hours; `version` 0 means "none stored yet". A stale version is refused.
pub async fn put_hours(
    tx: &mut Tx,
    desk_id: i64,
    hours_json: &str,
    version: i64,
    now: DateTime<Utc>,
) -> Result<()> {
    let n = if version == 0 {
        on_conn!(tx, c => sqlx::query(
            "INSERT INTO service_hours (desk_id, hours, updated_at, version) VALUES ($1, $2, $3, 1) \
             ON CONFLICT (desk_id) DO NOTHING")
            .bind(desk_id).bind(hours_json).bind(now).execute(c).await.map(|r| r.rows_affected()))?
    } else {
        on_conn!(tx, c => sqlx::query(
            "UPDATE service_hours SET hours = $1, updated_at = $2, version = version + 1 \
             WHERE desk_id = $3 AND version = $4")
            .bind(hours_json).bind(now).bind(desk_id).bind(version).execute(c).await.map(|r| r.rows_affected()))?
    };
    crate::admin::users::stale_unless_one(n)
}

pub async fn setting(store: &Store, key: &str) -> Result<Option<String>> {
    Ok(
        on_pool!(store, c => sqlx::query_scalar("SELECT value FROM setting WHERE key = $1")
        .bind(key).fetch_optional(c).await)?,
    )
}

pub async fn put_setting(tx: &mut Tx, key: &str, value: &str, now: DateTime<Utc>) -> Result<()> {
    on_conn!(tx, c => sqlx::query(
        "INSERT INTO setting (key, value, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at")
        .bind(key).bind(value).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}
