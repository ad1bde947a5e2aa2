//! Saved policy versions.

use chrono::{DateTime, Utc};

use crate::{Result, Store, Tx, on_conn, on_pool};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PolicyVersionRow {
    pub name: String,
    pub version: i32,
    pub body: String,
    pub note: String,
    pub created_at: DateTime<Utc>,
    pub created_by_name: Option<String>,
}

const SELECT: &str = "SELECT p.name, p.version, p.body, p.note, p.created_at, u.display_name AS created_by_name \
    FROM policy_version p LEFT JOIN user_account u ON u.id = p.created_by";

/// The newest saved version of one policy: `(version, body)`.
pub async fn latest(store: &Store, name: &str) -> Result<Option<(i32, String)>> {
    Ok(on_pool!(store, c => sqlx::query_as(
        "SELECT version, body FROM policy_version WHERE name = $1 ORDER BY version DESC LIMIT 1")
        .bind(name).fetch_optional(c).await)?)
}

/// The policy named by the setting `key` (`default` when unset) and its newest saved version
/// (`None`: never saved, a preset as shipped): one row, without the text — callers keep parsed
/// versions, which never change, and read a text only the first time.
pub async fn active_latest(
    store: &Store,
    key: &str,
    default: &str,
) -> Result<(String, Option<i32>)> {
    Ok(on_pool!(store, c => sqlx::query_as(
        "SELECT n.name, (SELECT MAX(v.version) FROM policy_version v WHERE v.name = n.name) \
         FROM (SELECT COALESCE((SELECT value FROM setting WHERE key = $1), $2) AS name) n")
        .bind(key).bind(default).fetch_one(c).await)?)
}

/// The newest version of every saved policy.
pub async fn latest_all(store: &Store) -> Result<Vec<PolicyVersionRow>> {
    let sql = format!(
        "{SELECT} WHERE p.version = (SELECT MAX(version) FROM policy_version q WHERE q.name = p.name) ORDER BY p.name"
    );
    Ok(on_pool!(store, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(c).await)?)
}

/// Every version of a policy, newest first.
pub async fn history(store: &Store, name: &str) -> Result<Vec<PolicyVersionRow>> {
    let sql = format!("{SELECT} WHERE p.name = $1 ORDER BY p.version DESC");
    Ok(
        on_pool!(store, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(name).fetch_all(c).await)?,
    )
}

/// Append a version; the number is the next after the newest (a concurrent save of the same
/// policy loses on the unique constraint instead of overwriting).
pub async fn insert(
    tx: &mut Tx,
    name: &str,
    expected_latest: i32,
    body: &str,
    note: &str,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i32> {
    let latest: Option<i32> = on_conn!(tx, c => sqlx::query_scalar(
        "SELECT MAX(version) FROM policy_version WHERE name = $1").bind(name).fetch_one(c).await)?;
    if latest.unwrap_or(0) != expected_latest {
        return Err(crate::StoreError::Stale);
    }
    let version = expected_latest + 1;
    on_conn!(tx, c => sqlx::query(
        "INSERT INTO policy_version (name, version, body, note, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(name).bind(version).bind(body).bind(note).bind(now).bind(by)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(version)
}
/// The policy text of a saved version (for cases pinned to it).
pub async fn policy_body(store: &Store, name: &str, version: i32) -> Result<Option<String>> {
    Ok(on_pool!(store, c => sqlx::query_scalar(
        "SELECT body FROM policy_version WHERE name = $1 AND version = $2")
        .bind(name).bind(version).fetch_optional(c).await)?)
}
