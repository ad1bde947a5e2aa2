//! A case's cost ledger rows.

use chrono::{DateTime, Utc};
use sanbao_domain::case::{CostKind, NewCost, Payer};
use sanbao_domain::repair::{ClaimState, ClaimUpdate};

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
    /// A supplier's cost: where its claim stands.
    pub claim_state: Option<String>,
    pub claim_ref: String,
    pub claim_settled_fen: Option<i64>,
    pub claim_note: String,
}

const COLUMNS: &str = "id, kind, amount_fen, payer, note, created_at, created_by_name, \
    claim_state, claim_ref, claim_settled_fen, claim_note";

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
         created_by_name, claim_state) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id")
        .bind(case_id).bind(c.kind.code()).bind(c.amount_fen).bind(c.payer.code()).bind(&c.note)
        .bind(at).bind(by.0).bind(by.1)
        .bind((c.payer == Payer::Supplier).then_some(ClaimState::Open.code()))
        .fetch_one(conn).await)?)
}

/// A case's costs, oldest first.
pub async fn for_case(store: &Store, case_id: i64) -> Result<Vec<CostRow>> {
    let sql = format!("SELECT {COLUMNS} FROM case_cost WHERE case_id = $1 ORDER BY id");
    Ok(
        on_pool!(store, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(case_id).fetch_all(c).await)?,
    )
}

/// A claim in the queue: the cost and its case.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ClaimRow {
    #[sqlx(flatten)]
    pub cost: CostRow,
    pub case_id: i64,
    pub number: String,
    pub subject: String,
}

/// The claims still open or sent, oldest first, at most `limit` (the partial index on the
/// state holds only these).
pub async fn open_claims(store: &Store, limit: i64) -> Result<Vec<ClaimRow>> {
    let cols: Vec<String> = COLUMNS
        .split(", ")
        .map(|c| format!("k.{}", c.trim()))
        .collect();
    let sql = format!(
        "SELECT {}, k.case_id, s.number, s.subject FROM case_cost k \
         JOIN service_case s ON s.id = k.case_id \
         WHERE k.claim_state IN ('open', 'claimed') ORDER BY k.id LIMIT $1",
        cols.join(", ")
    );
    Ok(
        on_pool!(store, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(limit).fetch_all(c).await)?,
    )
}

/// One cost with its case id, inside a transaction (to change its claim).
pub async fn by_id_tx(tx: &mut Tx, id: i64) -> Result<Option<(i64, CostRow)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        case_id: i64,
        #[sqlx(flatten)]
        cost: CostRow,
    }
    let sql = format!("SELECT case_id, {COLUMNS} FROM case_cost WHERE id = $1");
    let row: Option<Row> = on_conn!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id).fetch_optional(c).await)?;
    Ok(row.map(|r| (r.case_id, r.cost)))
}

/// Move a claim on from the state `from` (a concurrent change loses: [`crate::StoreError::Stale`]).
pub async fn update_claim(tx: &mut Tx, id: i64, from: ClaimState, u: &ClaimUpdate) -> Result<()> {
    let n = on_conn!(tx, c => sqlx::query(
        "UPDATE case_cost SET claim_state = $1, \
         claim_ref = CASE WHEN $2 = '' THEN claim_ref ELSE $2 END, \
         claim_settled_fen = COALESCE($3, claim_settled_fen), claim_note = $4 \
         WHERE id = $5 AND claim_state = $6")
        .bind(u.state.code()).bind(&u.reference).bind(u.settled_fen).bind(&u.note)
        .bind(id).bind(from.code())
        .execute(c).await.map(|r| r.rows_affected()))?;
    crate::admin::users::stale_unless_one(n)
}
