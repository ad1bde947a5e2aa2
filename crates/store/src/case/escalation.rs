//! Deadlines that passed: the cases the sweeper recomputes, the breaches it escalates (once
//! each, whatever the number of processes), and whom it tells.

use chrono::{DateTime, Utc};

use crate::row::{self, Insert};
use crate::{Result, Store, Tx, TxConn, on_conn, on_pool};

/// Open cases a running clock of which passed its deadline since the last projection: the
/// sweeper recomputes them.
pub async fn due_for_check(store: &Store, now: DateTime<Utc>, limit: i64) -> Result<Vec<i64>> {
    Ok(on_pool!(store, c => sqlx::query_scalar(
        "SELECT id FROM service_case WHERE next_check_at IS NOT NULL AND next_check_at < $1 \
         AND state IN ('new', 'in_progress', 'waiting_customer') ORDER BY next_check_at LIMIT $2")
        .bind(now).bind(limit).fetch_all(c).await)?)
}

/// Breached clocks of open cases not yet escalated: `(case id, clock)`.
pub async fn unescalated_breaches(store: &Store, limit: i64) -> Result<Vec<(i64, String)>> {
    Ok(on_pool!(store, c => sqlx::query_as(
        "SELECT k.case_id, k.clock FROM case_clock k JOIN service_case s ON s.id = k.case_id \
         WHERE k.state = 'breached' AND s.state IN ('new', 'in_progress', 'waiting_customer') \
         AND NOT EXISTS (SELECT 1 FROM case_escalation e WHERE e.case_id = k.case_id AND e.clock = k.clock) \
         ORDER BY k.case_id LIMIT $1")
        .bind(limit).fetch_all(c).await)?)
}

pub(crate) const ESCALATION: Insert = Insert {
    table: "case_escalation",
    columns: &["case_id", "clock", "created_at"],
};

/// Record the escalation of one breach; `true` only for the one transaction that did (the
/// primary key refuses the others, in any process).
pub async fn claim_escalation(
    tx: &mut Tx,
    case_id: i64,
    clock: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let sql = ESCALATION.one("ON CONFLICT (case_id, clock) DO NOTHING RETURNING case_id");
    let claimed = row::fetch_i64(tx, &sql, &[case_id.into(), clock.into(), now.into()]).await?;
    Ok(claimed.is_some())
}

/// Show the case as escalated (supervisor queue, the case page).
pub async fn set_escalated(tx: &mut Tx, id: i64) -> Result<()> {
    on_conn!(tx, c => sqlx::query("UPDATE service_case SET escalated = TRUE WHERE id = $1")
        .bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    crate::seal::reseal(tx, &crate::seal::CASE, id).await
}

/// Lock a case's row for the rest of the transaction (PostgreSQL; SQLite's single writer
/// already serialises), so a projection never overwrites a newer one.
pub async fn lock_case(tx: &mut Tx, id: i64) -> Result<()> {
    if let TxConn::Postgres(t) = &mut tx.conn {
        sqlx::query("SELECT id FROM service_case WHERE id = $1 FOR UPDATE")
            .bind(id)
            .fetch_optional(&mut **t)
            .await?;
    }
    Ok(())
}

/// The users to tell about a case's escalation: its desk's supervisor, else every active
/// service supervisor.
pub async fn escalation_recipients(tx: &mut Tx, case_id: i64) -> Result<Vec<i64>> {
    let sup: Option<i64> = on_conn!(tx, c => sqlx::query_scalar(
        "SELECT d.supervisor_id FROM service_case s JOIN desk d ON d.id = s.desk_id \
         JOIN user_account u ON u.id = d.supervisor_id WHERE s.id = $1 AND u.active = TRUE")
        .bind(case_id).fetch_optional(c).await)?
    .flatten();
    if let Some(s) = sup {
        return Ok(vec![s]);
    }
    Ok(on_conn!(tx, c => sqlx::query_scalar(
        "SELECT DISTINCT u.id FROM user_account u JOIN user_role ur ON ur.user_id = u.id \
         JOIN role_permission rp ON rp.role_id = ur.role_id WHERE rp.permission = 'case.supervise' \
         AND u.active = TRUE ORDER BY u.id")
        .fetch_all(c).await)?)
}

/// Open case ids after `after`, ascending (recomputing every open case in batches).
pub async fn open_ids_after(store: &Store, after: i64, limit: i64) -> Result<Vec<i64>> {
    Ok(on_pool!(store, c => sqlx::query_scalar(
        "SELECT id FROM service_case WHERE id > $1 AND is_open = TRUE \
         ORDER BY id LIMIT $2")
        .bind(after).bind(limit).fetch_all(c).await)?)
}
