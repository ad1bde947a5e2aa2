//! A person's saved queue filters.

use chrono::{DateTime, Utc};

use crate::{Result, Store, Tx, on_conn, on_pool};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SavedFilterRow {
    pub id: i64,
    pub name: String,
    pub query: String,
}

/// Someone's filters by name.
pub async fn for_user(store: &Store, user_id: i64) -> Result<Vec<SavedFilterRow>> {
    Ok(on_pool!(store, c => sqlx::query_as(
        "SELECT id, name, query FROM saved_filter WHERE user_id = $1 ORDER BY name, id")
        .bind(user_id).fetch_all(c).await)?)
}

pub async fn count_tx(tx: &mut Tx, user_id: i64) -> Result<i64> {
    Ok(
        on_conn!(tx, c => sqlx::query_scalar("SELECT COUNT(*) FROM saved_filter WHERE user_id = $1")
        .bind(user_id).fetch_one(c).await)?,
    )
}

/// Save a filter; a name the person already uses is [`crate::StoreError::Unique`].
pub async fn insert(
    tx: &mut Tx,
    user_id: i64,
    name: &str,
    query: &str,
    now: DateTime<Utc>,
) -> Result<i64> {
    Ok(on_conn!(tx, c => sqlx::query_scalar(
        "INSERT INTO saved_filter (user_id, name, query, created_at) VALUES ($1, $2, $3, $4) RETURNING id")
        .bind(user_id).bind(name).bind(query).bind(now).fetch_one(c).await)?)
}

/// Delete one of someone's filters; [`crate::StoreError::NotFound`] when it is not theirs.
pub async fn delete(tx: &mut Tx, user_id: i64, id: i64) -> Result<()> {
    let n = on_conn!(tx, c => sqlx::query("DELETE FROM saved_filter WHERE id = $1 AND user_id = $2")
        .bind(id).bind(user_id).execute(c).await.map(|r| r.rows_affected()))?;
    if n == 0 {
        return Err(crate::StoreError::NotFound);
    }
    Ok(())
}
