//! A case as its viewer sees it: typed, with personal data masked where the viewer may not
//! see it, and the moves the viewer may make now.

use chrono::{DateTime, Utc};
use sanbao_domain::case::{
    CaseRecord, ClockRecord, EventKind, State, StepFacts, allowed_moves, open_steps, policy_events,
    recorded_facts,
};
use sanbao_domain::role::Permission;
use sanbao_domain::{CaseId, CustomerId, DeskId, UserId};
use sanbao_store::case::row::{self as repo, CaseRow, EventRow};

use super::{Cases, can_see, masked_phone};
use crate::{Actor, AppError, Result};

/// Someone a case refers to: an id and a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Party<Id> {
    pub id: Id,
    pub name: String,
}

/// A case as shown to one viewer: its record (every field, read through `Deref`) with the
/// names it refers to, masked where the viewer may not see them, and what the viewer may do.
#[derive(Debug, Clone)]
pub struct CaseView {
    pub id: CaseId,
    pub record: CaseRecord,
    pub customer: Party<CustomerId>,
    /// The customer's phone, masked (the whole number only through an audited reveal).
    pub phone_shown: String,
    pub desk: Option<Party<DeskId>>,
    pub assignee: Option<Party<UserId>>,
    /// Send back with a change; a stale one is refused.
    pub version: i64,
    /// The case's clocks, soonest first.
    pub clocks: Vec<ClockRecord>,
    /// The states this viewer may move the case to now (none without the write permission).
    pub allowed_moves: Vec<State>,
    /// The viewer may still report on the case to the supervisor (it is not closed or
    /// cancelled, and they may write).
    pub takes_reports: bool,
    /// The queue cursor after this case.
    pub(crate) cursor: String,
}

impl std::ops::Deref for CaseView {
    type Target = CaseRecord;

    fn deref(&self) -> &CaseRecord {
        &self.record
    }
}

impl CaseView {
    /// The case as `actor` sees it at `now`, with its clocks.
    pub(crate) fn of(
        actor: &Actor,
        c: CaseRow,
        clocks: Vec<ClockRecord>,
        now: DateTime<Utc>,
    ) -> CaseView {
        let writes = actor.can(Permission::CaseWrite);
        let r = c.record;
        CaseView {
            allowed_moves: if writes {
                allowed_moves(r.kind, r.state, r.resolved_at, now)
            } else {
                Vec::new()
            },
            takes_reports: writes && r.state.takes_reports(),
            cursor: format!("{}_{}", c.due_key, c.id),
            id: CaseId(c.id),
            phone_shown: masked_phone(&c.customer_phone),
            customer: Party {
                id: r.customer_id,
                name: c.customer_name,
            },
            desk: r.desk_id.map(|id| Party {
                id,
                name: c.desk_name.unwrap_or_default(),
            }),
            assignee: r.assignee_id.map(|id| Party {
                id,
                name: c.assignee_name.unwrap_or_default(),
            }),
            record: r,
            version: c.version,
            clocks,
        }
    }

    /// The policy the case runs under, `name@version`.
    pub fn policy(&self) -> String {
        format!("{}@{}", self.policy_name, self.policy_version)
    }
}

/// An entry of a case's timeline.
#[derive(Debug, Clone)]
pub struct TimelineEntry {
    pub at: DateTime<Utc>,
    pub actor_name: String,
    pub kind: EventKind,
    pub body: String,
    pub data: serde_json::Value,
}

impl From<EventRow> for TimelineEntry {
    fn from(e: EventRow) -> Self {
        TimelineEntry {
            at: e.at,
            actor_name: e.actor_name,
            kind: e.kind,
            body: e.body,
            data: serde_json::from_str(&e.data).unwrap_or_default(),
        }
    }
}

/// A case with its timeline, oldest entry first.
#[derive(Debug, Clone)]
pub struct CaseDetail {
    pub case: CaseView,
    pub timeline: Vec<TimelineEntry>,
    /// The sold unit the case is about, with its warranty today.
    pub unit: Option<crate::product::UnitView>,
    /// The kind's steps the case may record next (whether this viewer may is theirs to
    /// check: [`CaseDetail::may_record`]).
    pub open_steps: Vec<&'static str>,
    /// The facts of the steps recorded so far, oldest first.
    pub steps: Vec<StepFacts>,
}

impl CaseDetail {
    /// May `actor` record `step` on this case now (offered, and theirs to record)?
    pub fn may_record(&self, actor: &Actor, step: &str) -> bool {
        self.open_steps.contains(&step) && {
            let assigned = self.case.assignee.as_ref().map(|a| a.id) == actor.user_id
                && actor.user_id.is_some();
            super::step::may_record(actor, step, assigned)
        }
    }
}

/// One page of a queue.
#[derive(Debug, Clone)]
pub struct CasePage {
    pub cases: Vec<CaseView>,
    /// The cursor of the next page (absent on the last).
    pub next_cursor: Option<String>,
}

/// A complaint not yet answered is settled by its reply step: resolving or closing it is not
/// offered as a plain move (`recorded`: the policy events on its timeline).
fn settled_by_steps(case: &mut CaseView, recorded: &[impl AsRef<str>]) {
    if case.kind == sanbao_domain::case::Kind::Complaint {
        case.allowed_moves
            .retain(|to| sanbao_domain::complaint::check_settling(*to, recorded).is_ok());
    }
}

impl Cases<'_> {
    /// A case with its clocks and timeline.
    #[tracing::instrument(name = "case.get", skip_all, fields(number = %number))]
    pub async fn get(&self, actor: &Actor, number: &str) -> Result<CaseDetail> {
        let c = self.visible(actor, number).await?;
        let store = &self.app.store;
        let products = self.app.products();
        let policies = self.app.policies();
        let (events, clocks, unit, policy) = tokio::join!(
            repo::events(store, c.id),
            repo::clocks(store, c.id),
            products.of_case(c.id),
            policies.version(&c.policy_name, c.policy_version),
        );
        let events = events?;
        let entries = || events.iter().map(|e| (e.kind, e.data.as_str()));
        let recorded = policy_events(entries());
        let recorded: Vec<&str> = recorded.iter().map(String::as_str).collect();
        let steps = recorded_facts(entries());
        let unit = unit?;
        let in_warranty = unit.as_ref().map(|u| u.warranty.in_warranty);
        let open_steps = open_steps(c.kind, &policy?, &recorded)
            .into_iter()
            .filter(|s| super::step::quote_allows(&steps, s, in_warranty))
            .collect();
        let mut case = CaseView::of(actor, c, clocks?, sanbao_domain::time::now());
        settled_by_steps(&mut case, &recorded);
        Ok(CaseDetail {
            unit,
            open_steps,
            steps,
            case,
            timeline: events.into_iter().map(TimelineEntry::from).collect(),
        })
    }

    /// A case as `actor` sees it, read again (after a change).
    pub(crate) async fn view(&self, actor: &Actor, c: CaseRow) -> Result<CaseView> {
        let clocks = repo::clocks(&self.app.store, c.id).await?;
        let mut case = CaseView::of(actor, c, clocks, sanbao_domain::time::now());
        if case.kind == sanbao_domain::case::Kind::Complaint {
            let events = repo::events(&self.app.store, case.id.0).await?;
            let recorded = policy_events(events.iter().map(|e| (e.kind, e.data.as_str())));
            settled_by_steps(&mut case, &recorded);
        }
        Ok(case)
    }

    /// The case `id` as `actor` sees it; 404 when they may not see it.
    pub(crate) async fn view_by_id(&self, actor: &Actor, id: i64) -> Result<CaseView> {
        let c = self.by_id(id).await?;
        if !can_see(actor, &c) {
            return Err(AppError::NotFound("case"));
        }
        self.view(actor, c).await
    }

    /// Many cases with their clocks, in the order given (one query for all clocks).
    pub(crate) async fn views(&self, actor: &Actor, rows: Vec<CaseRow>) -> Result<Vec<CaseView>> {
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let mut clocks = repo::clocks_of(&self.app.store, &ids).await?;
        let now = sanbao_domain::time::now();
        Ok(rows
            .into_iter()
            .map(|case| {
                let (mine, rest): (Vec<_>, Vec<_>) =
                    clocks.drain(..).partition(|(id, _)| *id == case.id);
                clocks = rest;
                CaseView::of(actor, case, mine.into_iter().map(|(_, k)| k).collect(), now)
            })
            .collect())
    }
}
