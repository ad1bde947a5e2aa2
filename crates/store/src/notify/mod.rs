//! In-app notifications: what supervisors are told (escalations, reports), read and unread.

use chrono::{DateTime, Utc};

use crate::{Result, Store, Tx, on_conn, on_pool};

/// Tell `user_id` something (about a case, if given).
pub async fn notify(
    tx: &mut Tx,
    user_id: i64,
    case_id: Option<i64>,
    body: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    on_conn!(tx, c => sqlx::query(
        "INSERT INTO notification (user_id, case_id, body, created_at) VALUES ($1, $2, $3, $4)")
        .bind(user_id).bind(case_id).bind(body).bind(now)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NotificationRow {
    pub id: i64,
    pub case_number: Option<String>,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

pub async fn notifications(
    store: &Store,
    user_id: i64,
    limit: i64,
) -> Result<Vec<NotificationRow>> {
    Ok(on_pool!(store, c => sqlx::query_as(
        "SELECT n.id, s.number AS case_number, n.body, n.created_at, n.read_at FROM notification n \
         LEFT JOIN service_case s ON s.id = n.case_id WHERE n.user_id = $1 ORDER BY n.id DESC LIMIT $2")
        .bind(user_id).bind(limit).fetch_all(c).await)?)
}

pub async fn unread_count(store: &Store, user_id: i64) -> Result<i64> {
    Ok(on_pool!(store, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT 1 FROM notification WHERE user_id = $1 AND read_at IS NULL LIMIT 100) n")
        .bind(user_id).fetch_one(c).await)?)
}

pub async fn mark_read(tx: &mut Tx, user_id: i64, now: DateTime<Utc>) -> Result<()> {
    on_conn!(tx, c => sqlx::query("UPDATE notification SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL")
        .bind(now).bind(user_id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}
