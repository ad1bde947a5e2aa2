//! Login sessions, stored in the database so any node can serve any request.

use chrono::{DateTime, Utc};

use crate::{Result, Store, Tx, on_conn, on_pool};

/// A session joined with its user, as the auth middleware needs it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub id_hash: String,
    pub user_id: i64,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub username: String,
    pub display_name: String,
    pub lang: String,
    pub active: bool,
    pub must_change_password: bool,
    /// What the user may do ([`crate::admin::users::GRANT_COLUMNS`]).
    #[sqlx(flatten)]
    pub grants: crate::admin::users::GrantRow,
}

pub struct NewSession<'a> {
    pub id_hash: &'a str,
    pub user_id: i64,
    pub csrf_token: &'a str,
    pub now: DateTime<Utc>,
    pub ip: &'a str,
    pub user_agent: &'a str,
}

pub async fn insert(tx: &mut Tx, s: &NewSession<'_>) -> Result<()> {
    on_conn!(tx, c => sqlx::query(
        "INSERT INTO session (id_hash, user_id, csrf_token, created_at, last_seen_at, ip, user_agent) \
         VALUES ($1, $2, $3, $4, $4, $5, $6)")
        .bind(s.id_hash).bind(s.user_id).bind(s.csrf_token).bind(s.now).bind(s.ip).bind(s.user_agent)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The session with this hash, its user and the user's grants: one row.
pub async fn get(store: &Store, id_hash: &str) -> Result<Option<SessionRow>> {
    let sql = format!(
        "SELECT s.id_hash, s.user_id, s.csrf_token, s.created_at, s.last_seen_at, u.username, \
         u.display_name, u.lang, u.active, u.must_change_password, {} \
         FROM session s JOIN user_account u ON u.id = s.user_id WHERE s.id_hash = $1",
        crate::admin::users::GRANT_COLUMNS
    );
    Ok(
        on_pool!(store, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id_hash).fetch_optional(c).await)?,
    )
}

pub async fn touch(tx: &mut Tx, id_hash: &str, now: DateTime<Utc>) -> Result<()> {
    on_conn!(tx, c => sqlx::query("UPDATE session SET last_seen_at = $1 WHERE id_hash = $2")
        .bind(now).bind(id_hash).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn delete(tx: &mut Tx, id_hash: &str) -> Result<()> {
    on_conn!(tx, c => sqlx::query("DELETE FROM session WHERE id_hash = $1").bind(id_hash).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// End every session of a user (disabled, password reset) but `keep` (the caller's own).
pub async fn delete_for_user(tx: &mut Tx, user_id: i64, keep: Option<&str>) -> Result<u64> {
    Ok(
        on_conn!(tx, c => sqlx::query("DELETE FROM session WHERE user_id = $1 AND id_hash <> $2")
        .bind(user_id).bind(keep.unwrap_or("")).execute(c).await.map(|r| r.rows_affected()))?,
    )
}

/// End sessions idle since before `idle_before` or created before `created_before`.
pub async fn delete_expired(
    tx: &mut Tx,
    idle_before: DateTime<Utc>,
    created_before: DateTime<Utc>,
) -> Result<u64> {
    Ok(
        on_conn!(tx, c => sqlx::query("DELETE FROM session WHERE last_seen_at < $1 OR created_at < $2")
        .bind(idle_before).bind(created_before).execute(c).await.map(|r| r.rows_affected()))?,
    )
}
