//! Failed-login counters per account and per address, shared by every node.

use chrono::{DateTime, Utc};

use crate::{Result, Store, Tx, on_conn, on_pool};

/// `(attempts, window_start)` for a key, if any attempt is counted.
pub async fn get(store: &Store, key: &str) -> Result<Option<(i64, DateTime<Utc>)>> {
    Ok(on_pool!(store, c => sqlx::query_as(
        "SELECT failures, window_start FROM login_throttle WHERE key = $1")
        .bind(key).fetch_optional(c).await)?)
}

/// Count one attempt before its password is checked, if the key is under `max` in its
/// window: one statement, so concurrent attempts each get their own number and never more than
/// `max` are counted (and so checked) in a window, however many arrive at once. `None`: the
/// key is at its limit and nothing was counted. A window older than `window_start_before`
/// starts again at 1.
pub async fn reserve(
    tx: &mut Tx,
    key: &str,
    max: i64,
    now: DateTime<Utc>,
    window_start_before: DateTime<Utc>,
) -> Result<Option<i64>> {
    Ok(on_conn!(tx, c => sqlx::query_scalar(
        "INSERT INTO login_throttle (key, failures, window_start) VALUES ($1, 1, $2) \
         ON CONFLICT (key) DO UPDATE SET \
           failures = CASE WHEN login_throttle.window_start < $3 THEN 1 ELSE login_throttle.failures + 1 END, \
           window_start = CASE WHEN login_throttle.window_start < $3 THEN $2 ELSE login_throttle.window_start END \
         WHERE login_throttle.window_start < $3 OR login_throttle.failures < $4 \
         RETURNING failures")
        .bind(key).bind(now).bind(window_start_before).bind(max).fetch_optional(c).await)?)
}

/// Give back one reserved attempt (it succeeded, so it is no failure).
pub async fn release(tx: &mut Tx, key: &str) -> Result<()> {
    on_conn!(tx, c => sqlx::query(
        "UPDATE login_throttle SET failures = failures - 1 WHERE key = $1 AND failures > 0")
        .bind(key).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Forget counters whose window started before `before`.
pub async fn delete_older(tx: &mut Tx, before: DateTime<Utc>) -> Result<u64> {
    Ok(
        on_conn!(tx, c => sqlx::query("DELETE FROM login_throttle WHERE window_start < $1")
        .bind(before).execute(c).await.map(|r| r.rows_affected()))?,
    )
}

pub async fn clear(tx: &mut Tx, key: &str) -> Result<()> {
    on_conn!(tx, c => sqlx::query("DELETE FROM login_throttle WHERE key = $1").bind(key).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}
