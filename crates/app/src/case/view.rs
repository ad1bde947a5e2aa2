//! A case as its viewer sees it: typed, with personal data masked where the viewer may not
//! see it, and the moves the viewer may make now.

use chrono::{DateTime, NaiveDate, Utc};
use sanbao_domain::case::{Channel, ClockRecord, EventKind, Kind, Priority, State, allowed_moves};
use sanbao_domain::role::Permission;
use sanbao_domain::{CaseId, CustomerId, DeskId, UserId};
use sanbao_store::case::row::{self as repo, CaseRow, EventRow};

use super::{Cases, can_see, shown_phone};
use crate::{Actor, AppError, Result};

/// Someone a case refers to: an id and a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Party<Id> {
    pub id: Id,
    pub name: String,
}

/// A case as shown to one viewer.
#[derive(Debug, Clone)]
pub struct CaseView {
    pub id: CaseId,
    pub number: String,
    pub kind: Kind,
    pub channel: Channel,
    pub state: State,
    pub priority: Priority,
    pub subject: String,
    pub description: String,
    pub customer: Party<CustomerId>,
    /// The customer's phone as this viewer may see it (masked without the permission).
    pub phone_shown: String,
    pub desk: Option<Party<DeskId>>,
    pub assignee: Option<Party<UserId>>,
    pub policy_name: String,
    pub policy_version: i32,
    pub received_at: DateTime<Utc>,
    /// The 12315 number of a complaint a regulator transferred to us.
    pub regulator_ref: Option<String>,
    /// The day the regulator accepted it.
    pub regulator_accepted_on: Option<NaiveDate>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub next_due_at: Option<DateTime<Utc>>,
    pub breached: bool,
    pub escalated: bool,
    pub tags: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
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

impl CaseView {
    /// The case as `actor` sees it at `now`, with its clocks.
    pub(crate) fn of(
        actor: &Actor,
        c: CaseRow,
        clocks: Vec<ClockRecord>,
        now: DateTime<Utc>,
    ) -> CaseView {
        let writes = actor.can(Permission::CaseWrite);
        CaseView {
            allowed_moves: if writes {
                allowed_moves(c.kind, c.state, c.resolved_at, now)
            } else {
                Vec::new()
            },
            takes_reports: writes && c.state.takes_reports(),
            cursor: format!("{}_{}", c.due_key, c.id),
            id: CaseId(c.id),
            phone_shown: shown_phone(actor, &c.customer_phone),
            customer: Party {
                id: CustomerId(c.customer_id),
                name: c.customer_name,
            },
            desk: c.desk_id.map(|id| Party {
                id: DeskId(id),
                name: c.desk_name.unwrap_or_default(),
            }),
            assignee: c.assignee_id.map(|id| Party {
                id: UserId(id),
                name: c.assignee_name.unwrap_or_default(),
            }),
            regulator_ref: c.regulator_ref,
            regulator_accepted_on: c.regulator_accepted_on,
            tags: split_tags(&c.tags),
            number: c.number,
            kind: c.kind,
            channel: c.channel,
            state: c.state,
            priority: c.priority,
            subject: c.subject,
            description: c.description,
            policy_name: c.policy_name,
            policy_version: c.policy_version,
            received_at: c.received_at,
            resolved_at: c.resolved_at,
            next_due_at: c.next_due_at,
            breached: c.breached,
            escalated: c.escalated,
            created_at: c.created_at,
            updated_at: c.updated_at,
            version: c.version,
            clocks,
        }
    }

    /// The policy the case runs under, `name@version`.
    pub fn policy(&self) -> String {
        format!("{}@{}", self.policy_name, self.policy_version)
    }
}

/// A case's tags from the case row's comma-joined list.
pub(crate) fn split_tags(joined: &str) -> Vec<String> {
    joined
        .split(',')
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
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
}

/// One page of a queue.
#[derive(Debug, Clone)]
pub struct CasePage {
    pub cases: Vec<CaseView>,
    /// The cursor of the next page (absent on the last).
    pub next_cursor: Option<String>,
}

impl Cases<'_> {
    /// A case with its clocks and timeline.
    #[tracing::instrument(name = "case.get", skip_all, fields(number = %number))]
    pub async fn get(&self, actor: &Actor, number: &str) -> Result<CaseDetail> {
        let c = self.visible(actor, number).await?;
        let store = &self.app.store;
        let (events, clocks) = tokio::join!(repo::events(store, c.id), repo::clocks(store, c.id));
        Ok(CaseDetail {
            case: CaseView::of(actor, c, clocks?, sanbao_domain::time::now()),
            timeline: events?.into_iter().map(TimelineEntry::from).collect(),
        })
    }

    /// A case as `actor` sees it, read again (after a change).
    pub(crate) async fn view(&self, actor: &Actor, c: CaseRow) -> Result<CaseView> {
        let clocks = repo::clocks(&self.app.store, c.id).await?;
        Ok(CaseView::of(actor, c, clocks, sanbao_domain::time::now()))
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
