//! What waits on a supervisor's desk: escalations and extended-service reports, until a
//! supervisor acknowledges them (who and when).

use chrono::{DateTime, Utc};
use sanbao_domain::case::ReportKind;

use super::queue::by_ids;
use super::record::CaseRow;
use crate::row::Insert;
use crate::{Result, Store, Tx, on_conn, on_pool};

/// A report row, as one insert and bulk inserts (benchmark data) write it.
pub(crate) const REPORT: Insert = Insert {
    table: "supervisor_report",
    columns: &["case_id", "kind", "body", "created_at"],
};

/// Put a report on the supervisors' desk.
pub async fn file(
    tx: &mut Tx,
    case_id: i64,
    kind: ReportKind,
    body: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let values = [case_id.into(), kind.code().into(), body.into(), now.into()];
    crate::row::execute(tx, &REPORT.one(""), &values).await?;
    Ok(())
}

/// A report waiting for its acknowledgement.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReportRow {
    pub id: i64,
    pub case_id: i64,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// The newest `limit` reports of `kind` still waiting, and their cases (any order).
pub async fn waiting(
    store: &Store,
    kind: ReportKind,
    limit: i64,
) -> Result<(Vec<ReportRow>, Vec<CaseRow>)> {
    let reports: Vec<ReportRow> = on_pool!(store, c => sqlx::query_as(
        "SELECT id, case_id, body, created_at FROM supervisor_report \
         WHERE kind = $1 AND acknowledged_at IS NULL ORDER BY created_at DESC, id DESC LIMIT $2")
        .bind(kind.code()).bind(limit).fetch_all(c).await)?;
    let mut ids: Vec<i64> = reports.iter().map(|r| r.case_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let cases = by_ids(store, &ids, None, "s.id").await?;
    Ok((reports, cases))
}

/// How many reports of `kind` wait, counted up to `cap`.
pub async fn waiting_count(store: &Store, kind: ReportKind, cap: i64) -> Result<i64> {
    Ok(on_pool!(store, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT 1 FROM supervisor_report \
         WHERE kind = $1 AND acknowledged_at IS NULL LIMIT $2) r")
        .bind(kind.code()).bind(cap).fetch_one(c).await)?)
}

/// Acknowledge every waiting report of `kind` on case `case_id` (or only report `only`):
/// how many were.
pub async fn acknowledge(
    tx: &mut Tx,
    case_id: i64,
    kind: ReportKind,
    only: Option<i64>,
    by: i64,
    now: DateTime<Utc>,
) -> Result<u64> {
    Ok(on_conn!(tx, c => sqlx::query(
        "UPDATE supervisor_report SET acknowledged_at = $1, acknowledged_by = $2 \
         WHERE case_id = $3 AND kind = $4 AND acknowledged_at IS NULL AND ($5 IS NULL OR id = $5)")
        .bind(now).bind(by).bind(case_id).bind(kind.code()).bind(only)
        .execute(c).await.map(|r| r.rows_affected()))?)
}

/// The case a waiting report is about.
pub async fn case_of(store: &Store, report_id: i64) -> Result<Option<(i64, ReportKind)>> {
    let row: Option<(i64, String)> = on_pool!(store, c => sqlx::query_as(
        "SELECT case_id, kind FROM supervisor_report WHERE id = $1 AND acknowledged_at IS NULL")
        .bind(report_id).fetch_optional(c).await)?;
    Ok(row.and_then(|(id, k)| k.parse().ok().map(|k| (id, k))))
}

/// Show the case as no longer escalated (its escalations were acknowledged).
pub async fn clear_escalated(tx: &mut Tx, id: i64) -> Result<()> {
    on_conn!(tx, c => sqlx::query("UPDATE service_case SET escalated = FALSE WHERE id = $1")
        .bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    crate::seal::reseal(tx, &crate::seal::CASE, id).await
}
