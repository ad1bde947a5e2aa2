//! Appointments of technicians (a repair's dispatch, a maintenance booking) and their
//! reminders.

use chrono::{DateTime, NaiveDate, Utc};

use crate::{Result, Store, Tx, on_conn, on_pool};

/// An appointment due for its reminder, with what the reminder says.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DueAppointment {
    pub case_id: i64,
    pub number: String,
    pub subject: String,
    pub on_date: NaiveDate,
    pub slot: String,
    pub address: String,
    pub technician_id: i64,
}

/// Set case `case_id`'s appointment (replacing one made before, to be reminded again).
pub async fn set(
    tx: &mut Tx,
    case_id: i64,
    on_date: NaiveDate,
    slot: &str,
    address: &str,
    technician_id: i64,
) -> Result<()> {
    on_conn!(tx, c => sqlx::query(
        "INSERT INTO appointment (case_id, on_date, slot, address, technician_id) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (case_id) DO UPDATE SET \
         on_date = excluded.on_date, slot = excluded.slot, address = excluded.address, \
         technician_id = excluded.technician_id, reminded_at = NULL")
        .bind(case_id).bind(on_date).bind(slot).bind(address).bind(technician_id)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Appointments from `from` to `to` not yet reminded, of cases still open, at most `limit`.
pub async fn due(
    store: &Store,
    from: NaiveDate,
    to: NaiveDate,
    limit: i64,
) -> Result<Vec<DueAppointment>> {
    Ok(on_pool!(store, c => sqlx::query_as(
        "SELECT a.case_id, s.number, s.subject, a.on_date, a.slot, a.address, a.technician_id \
         FROM appointment a JOIN service_case s ON s.id = a.case_id \
         WHERE a.reminded_at IS NULL AND a.on_date >= $1 AND a.on_date <= $2 \
         AND s.state IN ('new', 'in_progress', 'waiting_customer') \
         ORDER BY a.on_date LIMIT $3")
        .bind(from).bind(to).bind(limit).fetch_all(c).await)?)
}

/// Mark the appointment of `case_id` on `on_date` reminded, unless another process did (or it
/// moved): whether this call did.
pub async fn claim_reminder(
    tx: &mut Tx,
    case_id: i64,
    on_date: NaiveDate,
    now: DateTime<Utc>,
) -> Result<bool> {
    let n = on_conn!(tx, c => sqlx::query(
        "UPDATE appointment SET reminded_at = $3 \
         WHERE case_id = $1 AND on_date = $2 AND reminded_at IS NULL")
        .bind(case_id).bind(on_date).bind(now)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}
