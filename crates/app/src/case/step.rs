//! Recording a kind's step on a case (approval, goods received back, technician dispatched,
//! the repair report …): an event on the timeline, with the facts the step records, that the
//! policy's clocks start or stop at.

use sanbao_domain::audit::{Action, RecordType};
use sanbao_domain::case::{
    EventKind, State, StepFacts, StepForm, check_step, check_transition, parse_text, policy_events,
    recorded_facts,
};
use sanbao_domain::complaint::ComplaintFacts;
use sanbao_domain::maintenance::MaintenanceFacts;
use sanbao_domain::repair::{Dispatch, RepairFacts};
use sanbao_domain::returns::{Outcome, ReturnFacts};
use sanbao_domain::role::Permission;
use sanbao_domain::{FieldError, text};
use sanbao_store::case::row::{self as rows, CaseRow};
use sanbao_store::case::update;
use serde_json::json;

use super::search::reindex;
use super::{CaseView, Cases, append};
use crate::{Actor, AppError, Result, audit};

/// The steps a technician records on a case assigned to them (DESIGN: the technician role
/// does exactly its field work).
const FIELD_STEPS: [&str; 6] = [
    "arrived",
    "repair_completed",
    "unrepairable",
    "quote_issued",
    "quote_answered",
    "maintenance_done",
];

/// May `actor` record `step` on `c`? Work on cases, or a field step of one's own dispatch; a
/// return's approval is a supervisor's.
pub(crate) fn require_step(actor: &Actor, c: &CaseRow, step: &str) -> Result<()> {
    if may_record(actor, step, is_assignee(actor, c)) {
        return Ok(());
    }
    let needed = if step == "return_approved" {
        Permission::CaseSupervise
    } else {
        Permission::CaseWrite
    };
    Err(AppError::Forbidden(needed))
}

/// The rule of [`require_step`], for a case the actor is or is not assigned.
pub(crate) fn may_record(actor: &Actor, step: &str, assigned: bool) -> bool {
    match step {
        "return_approved" => actor.can(Permission::CaseSupervise),
        s if FIELD_STEPS.contains(&s) && assigned && actor.can(Permission::FieldService) => true,
        _ => actor.can(Permission::CaseWrite),
    }
}

pub(crate) fn is_assignee(actor: &Actor, c: &CaseRow) -> bool {
    c.assignee_id.is_some() && c.assignee_id == actor.user_id
}

impl Cases<'_> {
    /// Record the step `form.step` on case `number` with its facts (and, for a repair report,
    /// the customer's signature as a PNG); the case with its clocks recomputed (the clock the
    /// step stops is met).
    #[tracing::instrument(name = "case.step", skip_all, fields(number = %number, step = %form.step))]
    pub async fn step(
        &self,
        actor: &Actor,
        number: &str,
        form: &StepForm,
        signature: Option<Vec<u8>>,
    ) -> Result<CaseView> {
        let step = form.step.trim();
        let note = parse_text(&form.note, "note")?;
        let c = self.visible(actor, number).await?;
        require_step(actor, &c, step)?;
        if !c.state.takes_reports() {
            return Err(FieldError::new("step", "closed", text!("step.case_closed")).into());
        }
        let mut facts = StepFacts::parse(c.kind, step, form)?;
        self.settle_facts(&c, &mut facts).await?;
        let projector = self
            .projector_of(&c.policy_name, c.policy_version, c.desk_id)
            .await?;
        // Checked before the signature is stored, and again inside the transaction.
        let events = rows::events(&self.app.store, c.id).await?;
        check_order(&c, &projector.policy, &events, step, &facts)?;
        self.check_kind_rules(&c, &facts, &events).await?;
        if let Some(d) = facts.dispatch()
            && c.kind == sanbao_domain::case::Kind::Maintenance
        {
            // A visit is booked inside the desk's service hours (seed 4.2.1).
            sanbao_domain::maintenance::check_booking(d, &projector.hours, &projector.calendar)?;
        }
        if let Some(png) = signature
            && facts.signature_mut().is_some()
        {
            let file = self.attach_signature(actor, &c, png).await?;
            if let Some(slot) = facts.signature_mut() {
                *slot = Some(file);
            }
        }
        let now = sanbao_domain::time::now();
        let mut tx = self.app.store.begin().await?;
        // Read again inside the transaction: the signature's upload touched the case.
        let c = rows::by_id_tx(&mut tx, c.id)
            .await?
            .ok_or(AppError::NotFound("case"))?;
        let events = rows::events_tx(&mut tx, c.id).await?;
        check_order(&c, &projector.policy, &events, step, &facts)?;
        append(
            &mut tx,
            actor,
            c.id,
            EventKind::PolicyEvent,
            now,
            &facts.summary(step, &note),
            facts.data(step),
        )
        .await?;
        let resolved = resolve(&mut tx, actor, &c, step, &facts, now).await?;
        let mut effect = self.apply(&mut tx, actor, &c, &facts, now).await?;
        if resolved {
            effect = json!({"resolved": true, "then": effect});
        }
        update::touch(&mut tx, c.id, now).await?;
        projector.write(&mut tx, c.id, now).await?;
        reindex(&mut tx, c.id).await?;
        let changes =
            json!({"step": step, "facts": facts, "chars": note.chars().count(), "effect": effect});
        audit::record(
            &mut tx,
            actor,
            Action::CaseStep,
            RecordType::Case,
            &c.number,
            changes,
        )
        .await?;
        tx.commit().await?;
        self.view_by_id(actor, c.id).await
    }

    /// Complete the facts from what Sanbao holds: the dispatched technician's name (they must
    /// do field service), a refund no larger than the unit's price.
    /// The rules of a step that need more than its timeline: a repair's quote against the
    /// unit's warranty, a return's proof of purchase before its approval.
    async fn check_kind_rules(
        &self,
        c: &CaseRow,
        facts: &StepFacts,
        events: &[rows::EventRow],
    ) -> Result<()> {
        if let StepFacts::Repair(next) = facts {
            let unit = self.app.products().of_case(c.id).await?;
            let in_warranty = unit.map(|u| u.warranty.in_warranty);
            let recorded = recorded_facts(events.iter().map(|e| (e.kind, e.data.as_str())));
            sanbao_domain::repair::check_quote(&repair_facts(&recorded), next, in_warranty)?;
        }
        if let StepFacts::Complaint(ComplaintFacts::SchedulePromised(s)) = facts {
            let now = sanbao_domain::time::now();
            let today = now.with_timezone(&self.app.config.timezone).date_naive();
            sanbao_domain::complaint::check_schedule(s, today)?;
        }
        if matches!(
            facts,
            StepFacts::Return(ReturnFacts::ReturnApproved {
                decision: sanbao_domain::returns::Decision::Approved
            })
        ) {
            self.require_proof(c, events).await?;
        }
        Ok(())
    }

    /// A return is approved only once the customer has shown proof of purchase (seed 二.2).
    async fn require_proof(&self, c: &CaseRow, events: &[rows::EventRow]) -> Result<()> {
        let request =
            sanbao_domain::case::request_of(events.iter().map(|e| (e.kind, e.data.as_str())));
        let unit = sanbao_store::product::unit::of_case(&self.app.store, c.id).await?;
        let invoice = unit.as_ref().map_or("", |u| u.invoice_no.as_str());
        let files = sanbao_store::case::attachments::for_case(&self.app.store, c.id)
            .await?
            .len();
        if sanbao_domain::case::has_proof(request.as_ref(), invoice, files) {
            Ok(())
        } else {
            Err(FieldError::new("decision", "no_proof", text!("return.proof_missing")).into())
        }
    }

    async fn settle_facts(&self, c: &CaseRow, facts: &mut StepFacts) -> Result<()> {
        let store = &self.app.store;
        if let Some(d) = facts.dispatch_mut() {
            let Some(id) = d.technician_id else {
                return Ok(());
            };
            let is_technician = sanbao_store::admin::users::has_any_permission(
                store,
                id,
                &[Permission::FieldService.code()],
            )
            .await?;
            return match sanbao_store::admin::users::by_id(store, id).await? {
                Some(u) if is_technician => {
                    d.technician = u.display_name;
                    Ok(())
                }
                _ => Err(FieldError::new(
                    "technician_id",
                    "unknown",
                    text!("repair.technician_unknown"),
                )
                .into()),
            };
        }
        if let StepFacts::Return(ReturnFacts::ReturnProcessed {
            outcome: Some(Outcome::Refund),
            refund_fen: Some(fen),
            ..
        }) = facts
        {
            let price = match sanbao_store::product::unit::of_case(store, c.id).await? {
                Some(u) => sanbao_store::product::by_model(store, &u.model)
                    .await?
                    .and_then(|p| p.price_fen),
                None => None,
            };
            if let Some(price) = price.filter(|p| *fen > *p) {
                return Err(FieldError::new(
                    "refund",
                    "over_price",
                    text!(
                        "return.refund_over_price",
                        price = sanbao_domain::product::yuan(price)
                    ),
                )
                .into());
            }
        }
        Ok(())
    }

    /// What a step changes beyond its entry: a dispatch gives the case to the technician, an
    /// exchange registers the replacement unit (its warranty runs from today). Answers what it
    /// did, for the audit entry.
    async fn apply(
        &self,
        tx: &mut sanbao_store::Tx,
        actor: &Actor,
        c: &CaseRow,
        facts: &StepFacts,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<serde_json::Value> {
        if let Some(Dispatch {
            technician_id: Some(id),
            appointment_on,
            slot,
            address,
            ..
        }) = facts.dispatch()
        {
            update::set_assignee(tx, c.id, Some(*id), now).await?;
            if let Some(day) = appointment_on {
                // The technician is reminded of it the day before (`Repairs::remind`).
                sanbao_store::appointment::set(tx, c.id, *day, slot, address, *id).await?;
            }
            return Ok(json!({"assignee_id": id}));
        }
        match facts {
            StepFacts::Return(ReturnFacts::ReturnProcessed {
                outcome: Some(Outcome::Exchange),
                new_serial: Some(serial),
                ..
            }) => {
                let today = now.with_timezone(&self.app.config.timezone).date_naive();
                let id = self
                    .app
                    .products()
                    .exchange(tx, actor, c.id, serial, today, now)
                    .await?;
                Ok(json!({"new_unit_id": id, "serial": serial}))
            }
            // A planned visit done: its plan moves to the next one.
            StepFacts::Maintenance(MaintenanceFacts::MaintenanceDone(report)) => {
                let today = now.with_timezone(&self.app.config.timezone).date_naive();
                let next = crate::repair::visit_done(tx, c.id, today, report.next_due_on).await?;
                Ok(next.map_or(
                    serde_json::Value::Null,
                    |p| json!({"plan_next_due_on": p.next_due_on}),
                ))
            }
            _ => Ok(serde_json::Value::Null),
        }
    }

    /// Store the customer's signature as a file of the case; its attachment id.
    async fn attach_signature(&self, actor: &Actor, c: &CaseRow, png: Vec<u8>) -> Result<i64> {
        if png.is_empty() {
            return Err(AppError::invalid(
                "signature",
                "required",
                text!("repair.signature"),
            ));
        }
        let a = self
            .attach_as(actor, c, "客户签名.png", png)
            .await
            .map_err(|e| match e {
                AppError::Invalid(mut errs) => {
                    for f in &mut errs.0 {
                        f.field = "signature".into();
                    }
                    AppError::Invalid(errs)
                }
                other => other,
            })?;
        Ok(a.id)
    }
}

/// A step that settles the case — a return processed, a repair completed — resolves it, the
/// step's summary as the resolution (the customer's satisfaction is still asked for at
/// closing). Answers whether it did.
async fn resolve(
    tx: &mut sanbao_store::Tx,
    actor: &Actor,
    c: &CaseRow,
    step: &str,
    facts: &StepFacts,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<bool> {
    let settles = matches!(
        facts,
        StepFacts::Return(ReturnFacts::ReturnProcessed { .. })
            | StepFacts::Repair(RepairFacts::RepairCompleted(_))
            | StepFacts::Maintenance(MaintenanceFacts::MaintenanceDone(_))
            | StepFacts::Complaint(ComplaintFacts::ComplaintReplied(_))
    );
    if !settles || check_transition(c.kind, c.state, State::Resolved, c.resolved_at, now).is_err() {
        return Ok(false);
    }
    update::set_state(tx, c.id, c.version, State::Resolved, Some(now), now).await?;
    let resolution = facts.summary(step, "");
    let data =
        json!({"from": c.state.code(), "to": State::Resolved.code(), "resolution": resolution});
    append(tx, actor, c.id, EventKind::State, now, "", data).await?;
    Ok(true)
}

/// The step is one of the case's kind, not recorded before, its clock started, and in the
/// order its kind keeps.
/// The repair facts among a case's recorded steps.
fn repair_facts(steps: &[StepFacts]) -> Vec<RepairFacts> {
    steps
        .iter()
        .filter_map(|s| match s {
            StepFacts::Repair(r) => Some(r.clone()),
            _ => None,
        })
        .collect()
}

/// Does the quote rule let `step` follow the recorded steps, for a unit `in_warranty` (the
/// case page offers only the steps it lets through)?
pub(crate) fn quote_allows(steps: &[StepFacts], step: &str, in_warranty: Option<bool>) -> bool {
    let next = match step {
        "quote_issued" => RepairFacts::QuoteIssued(Default::default()),
        "quote_answered" => RepairFacts::QuoteAnswered { accepted: true },
        "repair_completed" => RepairFacts::RepairCompleted(Default::default()),
        _ => return true,
    };
    sanbao_domain::repair::check_quote(&repair_facts(steps), &next, in_warranty).is_ok()
}

fn check_order(
    c: &CaseRow,
    policy: &sanbao_domain::policy::Policy,
    events: &[rows::EventRow],
    step: &str,
    facts: &StepFacts,
) -> Result<()> {
    let entries = || events.iter().map(|e| (e.kind, e.data.as_str()));
    let recorded = policy_events(entries());
    let recorded: Vec<&str> = recorded.iter().map(String::as_str).collect();
    check_step(c.kind, policy, &recorded, step)?;
    facts.check_order(&recorded_facts(entries()))?;
    Ok(())
}
