//! Work in the field (维修, 维护保养): the technician's day — the repairs dispatched and the
//! maintenance visits booked to them, with their appointments — and the repair or maintenance
//! report as the customer receives it (seed 4.1.4: cause, process, result; 4.2.3).

use chrono::{DateTime, Utc};
use sanbao_domain::case::{Kind, StepFacts};
use sanbao_domain::maintenance::{MaintenanceFacts, MaintenanceReport};
use sanbao_domain::repair::{Dispatch, RepairFacts, RepairReport};
use sanbao_domain::role::Permission;
use sanbao_store::case::row as rows;

use crate::case::CaseView;
use crate::product::UnitView;
use crate::{Actor, AppError, Result};

mod claims;
mod plans;
mod reminders;
pub(crate) use plans::visit_done;

crate::facade!(
    /// Repairs in the field.
    Repairs,
    repairs
);

/// A case dispatched to the technician, as their day lists it.
#[derive(Debug, Clone)]
pub struct FieldJob {
    pub case: CaseView,
    /// The last dispatch (a case sent again keeps its latest appointment).
    pub dispatch: Dispatch,
    pub arrived: bool,
    pub reported: bool,
}

/// The repair or maintenance report of a case, as printed for the customer.
#[derive(Debug, Clone)]
pub struct RepairSheet {
    pub case: CaseView,
    pub unit: Option<UnitView>,
    pub dispatch: Option<Dispatch>,
    /// A repair's report (seed 4.1.4).
    pub report: Option<RepairReport>,
    /// A maintenance visit's report (seed 4.2.3).
    pub maintenance: Option<MaintenanceReport>,
    /// When and by whom the report was written.
    pub reported_at: DateTime<Utc>,
    pub reported_by: String,
    pub arrived_at: Option<DateTime<Utc>>,
    /// The quote the customer accepted for a repair outside the warranty.
    pub accepted_quote: Option<sanbao_domain::repair::Quote>,
    /// Free under warranty: the unit's warranty held on the day of the report.
    pub free: bool,
}

/// The facts of the last step of its kind that `pick` finds.
fn last<T>(steps: &[StepFacts], pick: impl Fn(&RepairFacts) -> Option<T>) -> Option<T> {
    steps.iter().rev().find_map(|s| match s {
        StepFacts::Repair(r) => pick(r),
        StepFacts::Return(_) | StepFacts::Maintenance(_) | StepFacts::Complaint(_) => None,
    })
}

/// The last dispatch or maintenance booking among the steps.
fn dispatch_of(steps: &[StepFacts]) -> Option<Dispatch> {
    steps.iter().rev().find_map(|s| s.dispatch().cloned())
}

fn maintenance_of(steps: &[StepFacts]) -> Option<MaintenanceReport> {
    steps.iter().rev().find_map(|s| match s {
        StepFacts::Maintenance(MaintenanceFacts::MaintenanceDone(r)) => Some(r.clone()),
        _ => None,
    })
}

impl Repairs<'_> {
    /// The open repairs and maintenance visits dispatched to `actor`, the earliest
    /// appointment first (those without one last), at most 100.
    pub async fn field_jobs(&self, actor: &Actor) -> Result<Vec<FieldJob>> {
        actor.require(Permission::FieldService)?;
        let cases = self
            .app
            .cases()
            .mine_of(actor, &[Kind::Repair, Kind::Maintenance], 100)
            .await?;
        let ids: Vec<i64> = cases.iter().map(|c| c.id.0).collect();
        let mut steps = rows::steps_of(&self.app.store, &ids).await?;
        let mut jobs: Vec<FieldJob> = cases
            .into_iter()
            .map(|case| {
                let facts: Vec<StepFacts> = steps
                    .extract_if(.., |(id, _)| *id == case.id.0)
                    .filter_map(|(_, data)| serde_json::from_str(&data).ok())
                    .collect();
                FieldJob {
                    dispatch: dispatch_of(&facts).unwrap_or_default(),
                    arrived: last(&facts, |r| {
                        matches!(r, RepairFacts::Arrived {}).then_some(())
                    })
                    .is_some(),
                    reported: last(&facts, |r| {
                        matches!(r, RepairFacts::RepairCompleted(_)).then_some(())
                    })
                    .is_some()
                        || maintenance_of(&facts).is_some(),
                    case,
                }
            })
            .collect();
        jobs.sort_by_key(|j| {
            (
                j.dispatch.appointment_on.is_none(),
                j.dispatch.appointment_on,
            )
        });
        Ok(jobs)
    }

    /// The repair report of case `number` (404 until it is written).
    pub async fn sheet(&self, actor: &Actor, number: &str) -> Result<RepairSheet> {
        let d = self.app.cases().get(actor, number).await?;
        let report = last(&d.steps, |r| match r {
            RepairFacts::RepairCompleted(rep) => Some(rep.clone()),
            _ => None,
        });
        let maintenance = maintenance_of(&d.steps);
        if report.is_none() && maintenance.is_none() {
            return Err(AppError::NotFound("repair report"));
        }
        let entry = |step: &str| {
            d.timeline
                .iter()
                .rev()
                .find(|e| e.data["step"] == step)
                .map(|e| (e.at, e.actor_name.clone()))
        };
        let (reported_at, reported_by) = entry("repair_completed")
            .or_else(|| entry("maintenance_done"))
            .unwrap_or_default();
        let accepted = last(&d.steps, |r| match r {
            RepairFacts::QuoteAnswered { accepted } => Some(*accepted),
            _ => None,
        }) == Some(true);
        let accepted_quote = last(&d.steps, |r| match r {
            RepairFacts::QuoteIssued(q) => Some(q.clone()),
            _ => None,
        })
        .filter(|_| accepted);
        let tz = self.app.config.timezone;
        let day = reported_at.with_timezone(&tz).date_naive();
        // The warranty on the day of the work, not on the day the sheet is printed.
        let free = accepted_quote.is_none()
            && d.unit.as_ref().is_some_and(|u| {
                let w = &u.warranty;
                w.ends_on > w.starts_on && day >= w.starts_on && day <= w.ends_on
            });
        Ok(RepairSheet {
            accepted_quote,
            free,
            maintenance,
            dispatch: dispatch_of(&d.steps),
            arrived_at: entry("arrived").map(|(at, _)| at),
            report,
            reported_at,
            reported_by,
            unit: d.unit,
            case: d.case,
        })
    }
}
