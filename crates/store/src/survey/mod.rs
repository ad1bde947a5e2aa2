//! Satisfaction surveys: the invitation a closed case gets, and its one answer.

use chrono::{DateTime, Utc};
use sanbao_domain::survey::Answer;

use crate::{Result, Store, Tx, on_conn, on_pool};

/// A case's survey as read.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SurveyRow {
    pub case_id: i64,
    pub invited_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
    pub csat: Option<i32>,
    pub nps: Option<i32>,
    pub comment: String,
}

/// Invite case `case_id` to answer (a case closed again keeps its first invitation).
pub async fn invite(
    tx: &mut Tx,
    case_id: i64,
    invited_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<()> {
    on_conn!(tx, c => sqlx::query(
        "INSERT INTO survey (case_id, invited_at, expires_at) VALUES ($1, $2, $3) \
         ON CONFLICT (case_id) DO NOTHING")
        .bind(case_id).bind(invited_at).bind(expires_at)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The survey of case `case_id`, if it was invited.
pub async fn of_case(store: &Store, case_id: i64) -> Result<Option<SurveyRow>> {
    Ok(on_pool!(store, c => sqlx::query_as(
        "SELECT case_id, invited_at, expires_at, answered_at, csat, nps, comment \
         FROM survey WHERE case_id = $1")
        .bind(case_id).fetch_optional(c).await)?)
}

/// Record the answer unless one was given or the invitation expired at `now`: whether this
/// call recorded it (one conditional update, so two submissions cannot both count).
pub async fn answer(tx: &mut Tx, case_id: i64, a: &Answer, now: DateTime<Utc>) -> Result<bool> {
    let n = on_conn!(tx, c => sqlx::query(
        "UPDATE survey SET answered_at = $2, csat = $3, nps = $4, comment = $5 \
         WHERE case_id = $1 AND answered_at IS NULL AND expires_at > $2")
        .bind(case_id).bind(now).bind(i32::from(a.csat)).bind(a.nps.map(i32::from))
        .bind(&a.comment)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}
