//! API tokens. Only a SHA-256 of each token is stored; the token itself is shown once.

use chrono::{DateTime, Utc};

use crate::{Result, Store, Tx, on_conn, on_pool};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TokenRow {
    pub id: i64,
    pub user_id: i64,
    pub username: String,
    pub name: String,
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A live token and its user, for authenticating an API request.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TokenAuthRow {
    pub id: i64,
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub lang: String,
    pub active: bool,
    pub last_used_at: Option<DateTime<Utc>>,
    /// What the user may do ([`crate::admin::users::GRANT_COLUMNS`]).
    #[sqlx(flatten)]
    pub grants: crate::admin::users::GrantRow,
}

pub struct NewToken<'a> {
    pub user_id: i64,
    pub name: &'a str,
    pub prefix: &'a str,
    pub token_hash: &'a str,
    pub created_by: Option<i64>,
    pub now: DateTime<Utc>,
}

const TOKEN_SELECT: &str = "SELECT t.id, t.user_id, u.username, t.name, t.prefix, t.created_at, \
    t.last_used_at, t.revoked_at FROM api_token t JOIN user_account u ON u.id = t.user_id";

pub async fn insert(tx: &mut Tx, t: &NewToken<'_>) -> Result<i64> {
    Ok(on_conn!(tx, c => sqlx::query_scalar(
        "INSERT INTO api_token (user_id, name, prefix, token_hash, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
        .bind(t.user_id).bind(t.name).bind(t.prefix).bind(t.token_hash).bind(t.now).bind(t.created_by)
        .fetch_one(c).await)?)
}

pub async fn list(store: &Store) -> Result<Vec<TokenRow>> {
    let sql = format!("{TOKEN_SELECT} ORDER BY t.revoked_at IS NOT NULL, t.id DESC");
    Ok(on_pool!(store, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(c).await)?)
}

pub async fn by_id_tx(tx: &mut Tx, id: i64) -> Result<Option<TokenRow>> {
    let sql = format!("{TOKEN_SELECT} WHERE t.id = $1");
    Ok(
        on_conn!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(c).await)?,
    )
}

/// The live token with this hash, its user and the user's grants: one row.
pub async fn authenticate(store: &Store, token_hash: &str) -> Result<Option<TokenAuthRow>> {
    let sql = format!(
        "SELECT t.id, t.user_id, u.username, u.display_name, u.lang, u.active, t.last_used_at, \
         {} FROM api_token t JOIN user_account u ON u.id = t.user_id \
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL",
        crate::admin::users::GRANT_COLUMNS
    );
    Ok(
        on_pool!(store, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(token_hash).fetch_optional(c).await)?,
    )
}

pub async fn touch(tx: &mut Tx, id: i64, now: DateTime<Utc>) -> Result<()> {
    on_conn!(tx, c => sqlx::query("UPDATE api_token SET last_used_at = $1 WHERE id = $2")
        .bind(now).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Revoke a token; `false` when it was already revoked.
pub async fn revoke(tx: &mut Tx, id: i64, now: DateTime<Utc>) -> Result<bool> {
    let n = on_conn!(tx, c => sqlx::query(
        "UPDATE api_token SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(now).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}
