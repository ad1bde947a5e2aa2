//! Periodic maintenance plans: set on a unit, the visits due for booking, the lease one
//! process takes to book one, and the plan moved on after its visit.

use chrono::{DateTime, NaiveDate, Utc};
use sanbao_domain::maintenance::Plan;

use crate::{Result, Store, Tx, on_conn, on_pool};

/// A plan as read.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PlanRow {
    pub id: i64,
    pub unit_id: i64,
    pub every_months: i32,
    pub lead_days: i32,
    pub next_due_on: NaiveDate,
    pub booked_case_id: Option<i64>,
}

impl PlanRow {
    pub fn plan(&self) -> Plan {
        Plan {
            every_months: u32::try_from(self.every_months).unwrap_or(1),
            next_due_on: self.next_due_on,
            lead_days: u32::try_from(self.lead_days).unwrap_or(0),
        }
    }
}

const COLUMNS: &str =
    "p.id, p.unit_id, p.every_months, p.lead_days, p.next_due_on, p.booked_case_id";

/// Set the plan of a unit (a new one, or the unit's plan replaced).
pub async fn upsert(
    tx: &mut Tx,
    unit_id: i64,
    plan: &Plan,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<()> {
    let every = i32::try_from(plan.every_months).unwrap_or(i32::MAX);
    let lead = i32::try_from(plan.lead_days).unwrap_or(0);
    on_conn!(tx, c => sqlx::query(
        "INSERT INTO maintenance_plan (unit_id, every_months, lead_days, next_due_on, opens_on, \
         active, created_at, created_by) VALUES ($1, $2, $3, $4, $5, TRUE, $6, $7) \
         ON CONFLICT (unit_id) DO UPDATE SET every_months = excluded.every_months, \
         lead_days = excluded.lead_days, next_due_on = excluded.next_due_on, \
         opens_on = excluded.opens_on, active = TRUE")
        .bind(unit_id).bind(every).bind(lead).bind(plan.next_due_on).bind(plan.opens_on())
        .bind(now).bind(by)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The plans of these units.
pub async fn of_units(store: &Store, unit_ids: &[i64]) -> Result<Vec<PlanRow>> {
    if unit_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(on_pool!(store, c => {
        let mut qb = sqlx::QueryBuilder::new(format!(
            "SELECT {COLUMNS} FROM maintenance_plan p WHERE p.active AND p.unit_id IN ("));
        let mut sep = qb.separated(", ");
        for id in unit_ids {
            sep.push_bind(*id);
        }
        qb.push(")");
        qb.build_query_as().fetch_all(c).await
    })?)
}

/// A visit due for booking, with what its case needs.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DuePlan {
    #[sqlx(flatten)]
    pub plan: PlanRow,
    pub serial: String,
    pub model: String,
    pub customer_name: String,
    pub customer_phone: String,
}

/// Plans whose next visit is on the queue from `today` or earlier and not yet booked.
pub async fn due(store: &Store, today: NaiveDate, limit: i64) -> Result<Vec<DuePlan>> {
    let sql = format!(
        "SELECT {COLUMNS}, u.serial, pr.model, c.name AS customer_name, c.phone AS customer_phone \
         FROM maintenance_plan p JOIN unit u ON u.id = p.unit_id \
         JOIN product pr ON pr.id = u.product_id JOIN customer c ON c.id = u.customer_id \
         WHERE p.booked_case_id IS NULL AND p.active AND p.opens_on <= $1 ORDER BY p.opens_on, p.id LIMIT $2"
    );
    Ok(
        on_pool!(store, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(today).bind(limit).fetch_all(c).await)?,
    )
}

/// Take the plan's booking for this process until `until` (false: booked already, or another
/// process holds it).
pub async fn lease(tx: &mut Tx, id: i64, now: DateTime<Utc>, until: DateTime<Utc>) -> Result<bool> {
    let n = on_conn!(tx, c => sqlx::query(
        "UPDATE maintenance_plan SET lease_until = $3 WHERE id = $1 AND booked_case_id IS NULL \
         AND (lease_until IS NULL OR lease_until < $2)")
        .bind(id).bind(now).bind(until)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// An open planned visit of `unit_id` that no plan names: a visit booked by a process that
/// stopped before it could mark its plan (the next pass adopts it instead of booking again).
pub async fn orphan_visit(store: &Store, unit_id: i64) -> Result<Option<i64>> {
    Ok(on_pool!(store, c => sqlx::query_scalar(
        "SELECT s.id FROM case_unit cu JOIN service_case s ON s.id = cu.case_id \
         WHERE cu.unit_id = $1 AND s.kind = 'maintenance' AND s.channel = 'plan' \
         AND s.state IN ('new', 'in_progress', 'waiting_customer') \
         AND NOT EXISTS (SELECT 1 FROM maintenance_plan p WHERE p.booked_case_id = s.id) \
         ORDER BY s.id DESC LIMIT 1")
        .bind(unit_id).fetch_optional(c).await)?)
}

/// The visit became case `case_id`.
pub async fn booked(tx: &mut Tx, id: i64, case_id: i64) -> Result<()> {
    on_conn!(tx, c => sqlx::query(
        "UPDATE maintenance_plan SET booked_case_id = $2, lease_until = NULL WHERE id = $1")
        .bind(id).bind(case_id)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The plan whose visit is case `case_id`, if any.
pub async fn by_case_tx(tx: &mut Tx, case_id: i64) -> Result<Option<PlanRow>> {
    let sql = format!("SELECT {COLUMNS} FROM maintenance_plan p WHERE p.booked_case_id = $1");
    Ok(on_conn!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(case_id).fetch_optional(c).await)?)
}

/// After its visit: the next one, not yet booked.
pub async fn advance(tx: &mut Tx, id: i64, plan: &Plan) -> Result<()> {
    on_conn!(tx, c => sqlx::query(
        "UPDATE maintenance_plan SET next_due_on = $2, opens_on = $3, booked_case_id = NULL, \
         lease_until = NULL WHERE id = $1")
        .bind(id).bind(plan.next_due_on).bind(plan.opens_on())
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}
