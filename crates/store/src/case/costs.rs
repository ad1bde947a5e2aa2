//! A case's cost ledger rows.

use chrono::{DateTime, Utc};
use sanbao_domain::case::{CostKind, NewCost, Payer};

use crate::{Result, Store, Tx, on_conn, on_pool};

/// One cost as read.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CostRow {
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub kind: CostKind,
    pub amount_fen: i64,
    #[sqlx(try_from = "String")]
    pub payer: Payer,
    pub note: String,
    pub created_at: DateTime<Utc>,
    pub created_by_name: String,
}

/// Write a cost of case `case_id`; its id.
pub async fn insert(
    tx: &mut Tx,
    case_id: i64,
    c: &NewCost,
    by: (Option<i64>, &str),
    at: DateTime<Utc>,
) -> Result<i64> {
    Ok(on_conn!(tx, conn => sqlx::query_scalar(
        "INSERT INTO case_cost (case_id, kind, amount_fen, payer, note, created_at, created_by, \
         created_by_name) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id")
        .bind(case_id).bind(c.kind.code()).bind(c.amount_fen).bind(c.payer.code()).bind(&c.note)
        .bind(at).bind(by.0).bind(by.1)
        .fetch_one(conn).await)?)
}

/// A case's costs, oldest first.
pub async fn for_case(store: &Store, case_id: i64) -> Result<Vec<CostRow>> {
    Ok(on_pool!(store, c => sqlx::query_as(
        "SELECT id, kind, amount_fen, payer, note, created_at, created_by_name FROM case_cost \
         WHERE case_id = $1 ORDER BY id")
        .bind(case_id).fetch_all(c).await)?)
}
