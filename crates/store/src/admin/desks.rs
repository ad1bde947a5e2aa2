//! Departments and service desks.

use chrono::{DateTime, Utc};

use crate::admin::users::stale_unless_one;
use crate::{Result, Store, Tx, on_conn, on_pool};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DeskRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub supervisor_id: Option<i64>,
    pub supervisor_name: Option<String>,
    pub active: bool,
    pub members: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
    /// The policy its cases without a unit run under (`None`: the default).
    pub policy_name: Option<String>,
}

pub struct DeskFields<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub kind: &'a str,
    pub supervisor_id: Option<i64>,
    pub active: bool,
    pub policy_name: Option<&'a str>,
}

const DESK_SELECT: &str = "SELECT d.id, d.code, d.name, d.kind, d.supervisor_id, \
    s.display_name AS supervisor_name, d.active, \
    (SELECT COUNT(*) FROM user_desk ud WHERE ud.desk_id = d.id) AS members, \
    d.created_at, d.updated_at, d.version, d.policy_name \
    FROM desk d LEFT JOIN user_account s ON s.id = d.supervisor_id";

pub async fn list(store: &Store) -> Result<Vec<DeskRow>> {
    let sql = format!("{DESK_SELECT} ORDER BY d.active DESC, d.code");
    Ok(on_pool!(store, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(c).await)?)
}

pub async fn by_id(store: &Store, id: i64) -> Result<Option<DeskRow>> {
    let sql = format!("{DESK_SELECT} WHERE d.id = $1");
    Ok(
        on_pool!(store, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(c).await)?,
    )
}

pub async fn by_id_tx(tx: &mut Tx, id: i64) -> Result<Option<DeskRow>> {
    let sql = format!("{DESK_SELECT} WHERE d.id = $1");
    Ok(
        on_conn!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(c).await)?,
    )
}

/// Which of `ids` exist (to validate a submitted desk list).
pub async fn existing_ids_tx(tx: &mut Tx, ids: &[i64]) -> Result<Vec<i64>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    on_conn!(tx, c => {
        let mut qb = sqlx::QueryBuilder::new("SELECT id FROM desk WHERE id IN (");
        let mut sep = qb.separated(", ");
        for id in ids { sep.push_bind(*id); }
        qb.push(")");
        Ok(qb.build_query_scalar().fetch_all(c).await?)
    })
}

pub async fn insert(tx: &mut Tx, d: &DeskFields<'_>, now: DateTime<Utc>) -> Result<i64> {
    Ok(on_conn!(tx, c => sqlx::query_scalar(
        "INSERT INTO desk (code, name, kind, supervisor_id, active, created_at, updated_at, version, policy_name) \
         VALUES ($1, $2, $3, $4, $5, $6, $6, 1, $7) RETURNING id")
        .bind(d.code).bind(d.name).bind(d.kind).bind(d.supervisor_id).bind(d.active).bind(now).bind(d.policy_name)
        .fetch_one(c).await)?)
}

pub async fn update(
    tx: &mut Tx,
    id: i64,
    version: i64,
    d: &DeskFields<'_>,
    now: DateTime<Utc>,
) -> Result<()> {
    let n = on_conn!(tx, c => sqlx::query(
        "UPDATE desk SET code = $1, name = $2, kind = $3, supervisor_id = $4, active = $5, \
         updated_at = $6, version = version + 1, policy_name = $9 WHERE id = $7 AND version = $8")
        .bind(d.code).bind(d.name).bind(d.kind).bind(d.supervisor_id).bind(d.active).bind(now)
        .bind(id).bind(version).bind(d.policy_name).execute(c).await.map(|r| r.rows_affected()))?;
    stale_unless_one(n)
}

/// The policy a desk's cases without a unit run under, if it names one.
pub async fn policy_of(store: &Store, id: i64) -> Result<Option<String>> {
    let found: Option<Option<String>> = on_pool!(store, c => sqlx::query_scalar(
        "SELECT policy_name FROM desk WHERE id = $1").bind(id).fetch_optional(c).await)?;
    Ok(found.flatten())
}
