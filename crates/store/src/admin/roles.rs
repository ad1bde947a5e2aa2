//! Roles and the permissions each holds.

use chrono::{DateTime, Utc};

use crate::{Result, Store, Tx, on_conn, on_pool};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RoleRow {
    pub id: i64,
    pub code: String,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

pub async fn list(store: &Store) -> Result<Vec<RoleRow>> {
    Ok(
        on_pool!(store, c => sqlx::query_as("SELECT id, code, updated_at, version FROM role ORDER BY id")
        .fetch_all(c).await)?,
    )
}

pub async fn codes(store: &Store) -> Result<Vec<String>> {
    Ok(
        on_pool!(store, c => sqlx::query_scalar("SELECT code FROM role ORDER BY id").fetch_all(c).await)?,
    )
}

/// `(role code, permission)` for every role.
pub async fn all_permissions(store: &Store) -> Result<Vec<(String, String)>> {
    Ok(on_pool!(store, c => sqlx::query_as(
        "SELECT r.code, rp.permission FROM role_permission rp JOIN role r ON r.id = rp.role_id \
         ORDER BY r.id, rp.permission").fetch_all(c).await)?)
}

pub async fn permissions_tx(tx: &mut Tx, code: &str) -> Result<Vec<String>> {
    Ok(on_conn!(tx, c => sqlx::query_scalar(
        "SELECT rp.permission FROM role_permission rp JOIN role r ON r.id = rp.role_id \
         WHERE r.code = $1 ORDER BY rp.permission").bind(code).fetch_all(c).await)?)
}

/// Insert a role with its permissions unless a role with that code exists; `true` if inserted.
pub async fn insert_if_missing(
    tx: &mut Tx,
    code: &str,
    permissions: &[&str],
    now: DateTime<Utc>,
) -> Result<bool> {
    let id: Option<i64> = on_conn!(tx, c => sqlx::query_scalar(
        "INSERT INTO role (code, updated_at, version) VALUES ($1, $2, 1) \
         ON CONFLICT (code) DO NOTHING RETURNING id")
        .bind(code).bind(now).fetch_optional(c).await)?;
    match id {
        Some(id) => {
            write_permissions(tx, id, permissions).await?;
            Ok(true)
        }
        None => Ok(false),
    }
}

/// Replace a role's permissions if `version` is still current.
pub async fn set_permissions(
    tx: &mut Tx,
    code: &str,
    version: i64,
    permissions: &[&str],
    now: DateTime<Utc>,
) -> Result<()> {
    let id: Option<i64> = on_conn!(tx, c => sqlx::query_scalar(
        "UPDATE role SET updated_at = $1, version = version + 1 WHERE code = $2 AND version = $3 RETURNING id")
        .bind(now).bind(code).bind(version).fetch_optional(c).await)?;
    let id = id.ok_or(crate::StoreError::Stale)?;
    on_conn!(tx, c => sqlx::query("DELETE FROM role_permission WHERE role_id = $1").bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    write_permissions(tx, id, permissions).await
}

async fn write_permissions(tx: &mut Tx, role_id: i64, permissions: &[&str]) -> Result<()> {
    on_conn!(tx, c => {
        for p in permissions {
            sqlx::query("INSERT INTO role_permission (role_id, permission) VALUES ($1, $2)")
                .bind(role_id).bind(*p).execute(&mut *c).await?;
        }
    });
    Ok(())
}

/// How many active users hold each role: `(role code, count)`.
pub async fn member_counts(store: &Store) -> Result<Vec<(String, i64)>> {
    Ok(on_pool!(store, c => sqlx::query_as(
        "SELECT r.code, COUNT(u.id) FROM role r LEFT JOIN user_role ur ON ur.role_id = r.id \
         LEFT JOIN user_account u ON u.id = ur.user_id AND u.active = TRUE \
         GROUP BY r.id, r.code ORDER BY r.id").fetch_all(c).await)?)
}
