//! Periodic maintenance plans (定期维护保养): set on a unit; each visit goes on the desk's queue
//! as a maintenance case its lead days before it is due (the reminder to book it), and the
//! visit's report moves the plan to the next one.

use chrono::NaiveDate;
use sanbao_domain::audit::{Action, RecordType};
use sanbao_domain::case::NewCaseForm;
use sanbao_domain::customer::CustomerForm;
use sanbao_domain::maintenance::{Plan, PlanForm};
use sanbao_domain::text;
use sanbao_store::Tx;
use sanbao_store::maintenance as repo;
use serde_json::json;

use super::Repairs;
use crate::{Actor, AppError, Result, audit};

/// Visits booked per pass; the rest wait for the next one.
const PASS: i64 = 100;

impl Repairs<'_> {
    /// Put unit `serial` on a plan (replacing its plan, if it had one).
    #[tracing::instrument(name = "plan.set", skip_all, fields(serial = %serial))]
    pub async fn set_plan(&self, actor: &Actor, serial: &str, form: &PlanForm) -> Result<Plan> {
        crate::product::require_unit_writer(actor)?;
        let tz = self.app.config.timezone;
        let now = sanbao_domain::time::now();
        let plan = Plan::parse(form, now.with_timezone(&tz).date_naive())?;
        let serial = serial.trim().to_ascii_uppercase();
        let unit = sanbao_store::product::unit::by_serial(&self.app.store, &serial)
            .await?
            .ok_or(AppError::NotFound("unit"))?;
        let mut tx = self.app.store.begin().await?;
        repo::upsert(&mut tx, unit.id, &plan, actor.id(), now).await?;
        audit::record(
            &mut tx,
            actor,
            Action::UnitRegister,
            RecordType::Unit,
            &unit.serial,
            json!({"maintenance_plan": plan}),
        )
        .await?;
        tx.commit().await?;
        Ok(plan)
    }

    /// Put every visit whose booking opened by today on the queue as a maintenance case for
    /// the unit's customer; how many. Each visit is booked by one process (under a lease), and
    /// once: a case a stopped process opened without marking its plan is adopted on the next
    /// pass. One that fails is logged and tried again on the next pass.
    #[tracing::instrument(name = "plan.book", skip_all)]
    pub async fn book_due_plans(&self) -> Result<usize> {
        let tz = self.app.config.timezone;
        let now = sanbao_domain::time::now();
        let today = now.with_timezone(&tz).date_naive();
        let until = now + chrono::Duration::minutes(10);
        let mut booked = 0;
        for due in repo::due(&self.app.store, today, PASS).await? {
            let mut tx = self.app.store.begin().await?;
            let leased = repo::lease(&mut tx, due.plan.id, now, until).await?;
            tx.commit().await?;
            if !leased {
                continue;
            }
            // A visit booked by a process that stopped before marking the plan is adopted,
            // not booked twice.
            let booking = match repo::orphan_visit(&self.app.store, due.plan.unit_id).await? {
                Some(case_id) => Ok(case_id),
                None => self.book(&due).await,
            };
            match booking {
                Ok(case_id) => {
                    let mut tx = self.app.store.begin().await?;
                    repo::booked(&mut tx, due.plan.id, case_id).await?;
                    tx.commit().await?;
                    booked += 1;
                }
                Err(e) => {
                    tracing::warn!(plan = due.plan.id, error = %e, "booking a planned visit failed")
                }
            }
        }
        Ok(booked)
    }

    async fn book(&self, due: &repo::DuePlan) -> Result<i64> {
        let every = due.plan.every_months;
        let form = NewCaseForm {
            kind: "maintenance".into(),
            channel: "plan".into(),
            customer: CustomerForm {
                name: due.customer_name.clone(),
                phone: due.customer_phone.clone(),
                ..CustomerForm::default()
            },
            subject: text!(
                "plan.subject",
                every = every,
                model = due.model.clone(),
                serial = due.serial.clone()
            )
            .to_string(),
            description: text!("plan.description", due = due.plan.next_due_on.to_string())
                .to_string(),
            unit: due.serial.clone(),
            ..NewCaseForm::default()
        };
        let view = self.app.cases().open(&Actor::system(), &form, None).await?;
        Ok(view.id.0)
    }
}

/// After the visit that case `case_id` is: its plan moves to the next one (the report's next
/// due day, else the interval from `visited_on`).
pub(crate) async fn visit_done(
    tx: &mut Tx,
    case_id: i64,
    visited_on: NaiveDate,
    report_next_due: Option<NaiveDate>,
) -> Result<Option<Plan>> {
    let Some(row) = repo::by_case_tx(tx, case_id).await? else {
        return Ok(None);
    };
    let next = row.plan().after_visit(visited_on, report_next_due);
    repo::advance(tx, row.id, &next).await?;
    Ok(Some(next))
}
