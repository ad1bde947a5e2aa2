//! Logging a case from any channel: the form checked by the domain, the clocks projected
//! before anything is written, and the case written in one piece.

use chrono::{DateTime, Utc};
use sanbao_domain::audit::{Action, RecordType};
use sanbao_domain::case::{self as dom, EventKind, Kind, NewCase, NewCaseForm};
use sanbao_domain::role::Permission;
use sanbao_store::case::intake::{self, CaseDraft, Created, Intake, Naming};
use sanbao_store::case::{CustomerWrite, EventWrite};
use serde_json::json;

use super::edit::unknown_reference;
use super::projection::facts;
use super::{CaseView, Cases, Projector, event};
use crate::{Actor, AppError, Result, audit};

impl Cases<'_> {
    /// Log a case from any channel. With an idempotency key, a repeated request answers the
    /// case the first one created.
    #[tracing::instrument(name = "case.open", skip_all, fields(actor = %actor.username))]
    pub async fn open(
        &self,
        actor: &Actor,
        form: &NewCaseForm,
        idempotency_key: Option<&str>,
    ) -> Result<CaseView> {
        actor.require(Permission::CaseWrite)?;
        let now = sanbao_domain::time::now();
        let tz = self.app.config.timezone;
        let mut new = NewCase::parse(form, now, tz)?;
        if new.desk_id.is_none() {
            new.desk_id = self.home_desk(new.kind).await?;
        }
        // Giving the new case to someone else needs `case.assign` (one may log it as one's own).
        if new.assignee_id.is_some_and(|a| Some(a) != actor.user_id) {
            actor.require(Permission::CaseAssign)?;
        }
        // A case about a sold unit runs under the policy in force at its sale; a return is
        // refused once the unit's windows have closed.
        let unit = match &new.unit {
            Some(serial) => Some(self.app.products().for_case(serial).await?),
            None => None,
        };
        let (policy, policy_version) = match &unit {
            Some((_, policy, version)) => (policy.clone(), *version),
            // A case without a unit runs under its desk's policy.
            None => {
                self.app
                    .policies()
                    .for_desk(new.desk_id.map(|d| d.0))
                    .await?
            }
        };
        let exception = self
            .check_request(actor, &new, unit.as_ref(), &policy)
            .await?;
        let projector =
            Projector::load(self.app, Some(policy), "", policy_version, new.desk_id).await?;
        let idempotency = actor.id().zip(idempotency_key);
        if let Some((uid, key)) = idempotency
            && let Some(existing) =
                sanbao_store::case::row::idempotent_case(&self.app.store, uid, key).await?
        {
            return self.view_by_id(actor, existing).await;
        }
        let draft = draft(
            actor,
            &new,
            &projector,
            policy_version,
            now,
            tz,
            idempotency,
        );
        let mut draft = draft;
        draft.unit_id = unit.as_ref().map(|(u, _, _)| u.id);
        if let Some(body) = exception {
            let note = EventWrite {
                kind: EventKind::Note,
                body,
                data: json!({"window_override": true}).to_string(),
                ..draft.events[0].clone()
            };
            draft.events.push(note);
        }
        let naming = naming(actor, &new, &draft);
        let clocks = draft.clocks.clone();
        let created = intake::create(&self.app.store, draft, naming)
            .await
            .map_err(unknown_reference)?;
        match created {
            Created::New { case, .. } => Ok(CaseView::of(actor, *case, clocks, now)),
            Created::Earlier(id) => self.view_by_id(actor, id).await,
        }
    }
}

impl Cases<'_> {
    /// A return after the unit's windows closed is still taken when a repair of the unit
    /// found it cannot be repaired (seed 三.4: the customer chooses replacement or refund), or
    /// when a supervisor accepts it with a reason; otherwise it is refused with the day the
    /// window closed. The line the timeline keeps about it.
    /// What the request says, checked against its unit and policy; for a return, its window
    /// (the reason it is taken after it closed, for the timeline).
    async fn check_request(
        &self,
        actor: &Actor,
        new: &NewCase,
        unit: Option<&(
            sanbao_store::product::unit::UnitRow,
            sanbao_domain::policy::Policy,
            i32,
        )>,
        policy: &sanbao_domain::policy::Policy,
    ) -> Result<Option<String>> {
        let tz = self.app.config.timezone;
        if let Some(r) = &new.request {
            if let Some((u, _, _)) = unit {
                r.check_sale(u.sold_on)?;
            }
            r.check_policy(policy)?;
        }
        // Why a return after its window is taken all the same, for the timeline.
        let mut exception = None;
        if let (Some((u, policy, _)), Kind::Return) = (unit, new.kind) {
            let calendar = self.app.calendar().current().await?;
            let hours = sanbao_domain::hours::ServiceHours::default();
            let ctx = sanbao_domain::deadline::Context {
                calendar: &calendar,
                hours: &hours,
                tz,
            };
            let dates = crate::product::dates_of(u);
            if let Err(r) =
                sanbao_domain::returns::check_request(policy, &dates, new.received_at, &ctx)
            {
                exception = Some(self.late_return(actor, u, new, r).await?);
            }
        }
        Ok(exception)
    }

    async fn late_return(
        &self,
        actor: &Actor,
        unit: &sanbao_store::product::unit::UnitRow,
        new: &NewCase,
        refused: sanbao_domain::case::Refused,
    ) -> Result<String> {
        let unit_id = unit.id;
        let cases = sanbao_store::product::unit::cases_of(&self.app.store, &[unit_id]).await?;
        let repairs: Vec<(i64, String)> = cases
            .into_iter()
            .filter(|(_, c)| c.kind == Kind::Repair)
            .map(|(_, c)| (c.id, c.number))
            .collect();
        let ids: Vec<i64> = repairs.iter().map(|r| r.0).collect();
        let steps = sanbao_store::case::row::steps_of(&self.app.store, &ids).await?;
        let unrepairable = steps.iter().find_map(|(id, data)| {
            let facts: dom::StepFacts = serde_json::from_str(data).ok()?;
            matches!(
                facts,
                dom::StepFacts::Repair(sanbao_domain::repair::RepairFacts::Unrepairable { .. })
            )
            .then_some(*id)
        });
        if let Some(number) = unrepairable.and_then(|id| repairs.iter().find(|r| r.0 == id)) {
            return Ok(sanbao_domain::text!(
                "return.after_unrepairable",
                number = number.1.clone()
            )
            .to_string());
        }
        // 三包: the same fault repaired as often as the policy allows, and failing again.
        if let Some(r) = self.app.products().view_of(unit.clone()).await?.repeated {
            return Ok(sanbao_domain::text!(
                "return.after_repeated",
                fault = r.fault,
                repairs = r.repairs
            )
            .to_string());
        }
        let Some(reason) = &new.window_override else {
            return Err(AppError::Rule {
                code: refused.code,
                message: refused.message,
            });
        };
        actor.require(Permission::CaseSupervise)?;
        Ok(sanbao_domain::text!(
            "return.window_overridden",
            closed = refused.message,
            by = actor.display_name.clone(),
            reason = reason.clone()
        )
        .to_string())
    }

    /// The desk a case of `kind` goes to when intake names none: the first active desk of the
    /// kind's home (by code), if the company has one.
    async fn home_desk(&self, kind: Kind) -> Result<Option<sanbao_domain::ids::DeskId>> {
        let Some(home) = kind.home_desk_kind() else {
            return Ok(None);
        };
        let desks = self.app.desks().all().await?;
        Ok(desks
            .into_iter()
            .find(|d| d.active && d.kind == home)
            .map(|d| d.id))
    }
}

/// The case as written, with its first events and the clocks they start (known before
/// anything is written, so the case goes to the database in one piece).
fn draft(
    actor: &Actor,
    new: &NewCase,
    projector: &Projector,
    policy_version: i32,
    now: DateTime<Utc>,
    tz: chrono_tz::Tz,
    idempotency: Option<(i64, &str)>,
) -> CaseDraft {
    let mut body =
        sanbao_domain::text!("case.created_via", channel = new.channel.arg()).to_string();
    let mut data = json!({"state": "new", "channel": new.channel.code()});
    if let Some(r) = &new.request {
        body = format!("{body}。{}", r.summary());
        data["request"] = json!(r);
    }
    let mut events = vec![event(
        actor,
        EventKind::Created,
        new.received_at,
        &body,
        data,
    )];
    if let Some(e) = new.kind.intake_event() {
        events.push(EventWrite {
            kind: EventKind::PolicyEvent,
            body: String::new(),
            data: json!({"event": e}).to_string(),
            ..events[0].clone()
        });
    }
    let projection = projector.project(
        &facts(events.iter().map(|e| (e.kind, e.data.as_str(), e.at))),
        now,
    );
    CaseDraft {
        customer: CustomerWrite {
            kind: new.customer.kind,
            name: new.customer.name.clone(),
            phone: new.customer.phone.as_str().to_owned(),
            address: new.customer.address.clone(),
            credit_code: new
                .customer
                .credit_code
                .as_ref()
                .map(|c| c.as_str().to_owned()),
            contact_name: new.customer.contact_name().to_owned(),
            created_at: now,
        },
        case: new.record(
            (&projector.policy.name, policy_version),
            &projection,
            actor.user_id,
            now,
        ),
        year: dom::number_year(new.received_at, tz),
        events,
        clocks: projection.clocks,
        idempotency: idempotency.map(|(u, k)| (u, k.to_owned())),
        unit_id: None,
    }
}

/// How what intake reserves (customer, sequence, audit head) becomes the case's number, search
/// words and audit entry — made inside the write. The words of the customer's own text are
/// cut before the writer is taken.
fn naming(
    actor: &Actor,
    new: &NewCase,
    draft: &CaseDraft,
) -> impl FnOnce(&Intake) -> Naming + Send + 'static {
    let text_words = sanbao_domain::search::index_words(&[
        &new.subject,
        &new.description,
        new.customer.phone.as_str(),
    ]);
    let actor = actor.clone();
    let (kind, channel, year) = (new.kind, new.channel, draft.year);
    let policy = format!("{}@{}", draft.case.policy_name, draft.case.policy_version);
    let window_override = new.window_override.clone();
    move |i: &Intake| {
        let number = dom::case_number(kind, year, i.seq);
        let mut search_words = sanbao_domain::search::index_words(&[&number, &i.customer_name]);
        search_words.push(' ');
        search_words.push_str(&text_words);
        let record = audit::entry(
            &actor,
            Action::CaseCreate,
            RecordType::Case,
            &number,
            json!({"kind": kind.code(), "channel": channel.code(), "customer_id": i.customer_id, "new_customer": i.customer_created, "contact_added": i.contact_added, "policy": policy, "window_override": window_override}),
        );
        Naming {
            audit: record,
            number,
            search_words,
        }
    }
}
