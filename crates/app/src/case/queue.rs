//! Queues: which cases each queue shows to whom, a page of them by next due time, and the
//! capped counts on the queue badges.

use chrono::{DateTime, Utc};
use sanbao_domain::case::{Channel, Kind, State};
use sanbao_domain::role::Permission;
use sanbao_domain::{CustomerId, DeskId, UserId, text};
use sanbao_store::case::CaseFilter;
use sanbao_store::case::queue as repo;

use super::{CasePage, Cases};
use crate::{Actor, AppError, Result};

sanbao_domain::code_enum! {
    /// Queue shortcuts of the case list.
    Queue, "queue", "队列", "queue" {
        Mine = "mine", "我的服务单", "My cases";
        Desk = "desk", "本部门", "My desks";
        DueSoon = "due_soon", "即将超时", "Due soon";
        Breached = "breached", "已超时", "Breached";
        /// Escalated to a supervisor (a breach or an agent's exception report).
        Escalated = "escalated", "已升级", "Escalated";
        Unassigned = "unassigned", "未分配", "Unassigned";
        All = "all", "全部", "All";
    }
}

/// Filters on top of a queue. Codes are as typed (checked here, each bad one named).
#[derive(Debug, Clone, Default)]
pub struct CaseQuery {
    pub queue: Option<Queue>,
    pub kind: Option<String>,
    pub state: Option<String>,
    pub channel: Option<String>,
    pub desk_id: Option<DeskId>,
    pub assignee_id: Option<UserId>,
    pub customer_id: Option<CustomerId>,
    pub received_from: Option<DateTime<Utc>>,
    pub received_to: Option<DateTime<Utc>>,
    pub tag: Option<String>,
    pub cursor: Option<String>,
}

/// A queue cursor: the last row's `(due_key, id)`, as `DUEKEY_ID`.
fn parse_cursor(s: &str) -> Result<(i64, i64)> {
    let bad = || AppError::invalid("cursor", "invalid", text!("case.cursor_invalid"));
    let (due, id) = s.split_once('_').ok_or_else(bad)?;
    Ok((
        due.parse().map_err(|_| bad())?,
        id.parse().map_err(|_| bad())?,
    ))
}

/// A code filter: empty is "any".
fn code<T: std::str::FromStr<Err = sanbao_domain::FieldError>>(
    v: Option<&str>,
) -> Result<Option<T>> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => Ok(Some(s.parse()?)),
    }
}

/// The store filter of `q` for `actor`: the queue's own condition, the filters, and who may see
/// complaints.
pub(crate) fn filter_for(actor: &Actor, q: &CaseQuery, limit: i64) -> Result<CaseFilter> {
    let mut f = CaseFilter {
        limit,
        open_only: true,
        ..Default::default()
    };
    if let Some(k) = code::<Kind>(q.kind.as_deref())? {
        f.kinds = vec![k];
    }
    if let Some(s) = code::<State>(q.state.as_deref())? {
        f.states = vec![s];
        f.open_only = s.is_open();
    }
    f.channel = code::<Channel>(q.channel.as_deref())?;
    f.desk_ids = q.desk_id.map(|d| vec![d.0]);
    f.assignee_id = q.assignee_id.map(|u| u.0);
    f.customer_id = q.customer_id.map(|c| c.0);
    f.received_from = q.received_from;
    f.received_to = q.received_to;
    if let Some(t) = q.tag.as_deref().filter(|t| !t.trim().is_empty()) {
        f.tag = Some(sanbao_domain::tag::parse_tag(t)?);
    }
    let me = actor.id().unwrap_or(0);
    let now = sanbao_domain::time::now();
    match q.queue.unwrap_or(Queue::All) {
        Queue::Mine => f.assignee_id = Some(me),
        Queue::Desk => f.desk_ids = Some(actor.desk_ids.iter().map(|d| d.0).collect()),
        Queue::DueSoon => {
            // A running clock's own window has begun (the last working day of a day-unit
            // clock, the last quarter of an hour-unit one …) and nothing is breached yet.
            f.soon_by = Some(now);
            f.due_from = Some(now);
            f.breached = Some(false);
        }
        Queue::Breached => f.breached = Some(true),
        Queue::Escalated => f.escalated = Some(true),
        Queue::Unassigned => f.unassigned = true,
        Queue::All => {}
    }
    if q.customer_id.is_some() && q.state.is_none() {
        f.open_only = false;
    }
    if !(actor.can(Permission::ComplaintHandle) || actor.can(Permission::CaseSupervise)) {
        f.complaints_only_assigned_to = Some(me);
    }
    if let Some(c) = q.cursor.as_deref().filter(|c| !c.is_empty()) {
        f.after = Some(parse_cursor(c)?);
    }
    Ok(f)
}

impl Cases<'_> {
    /// One page of a queue, sorted by next due time.
    #[tracing::instrument(name = "case.list", skip_all, fields(queue = ?q.queue))]
    pub async fn list(&self, actor: &Actor, q: CaseQuery, limit: i64) -> Result<CasePage> {
        actor.require(Permission::CaseRead)?;
        let f = filter_for(actor, &q, limit + 1)?;
        let mut rows = repo::list(&self.app.store, &f).await?;
        let more = rows.len() as i64 > limit;
        rows.truncate(limit.max(0) as usize);
        let cases = self.views(actor, rows).await?;
        let next_cursor = if more {
            cases.last().map(|c| c.cursor.clone())
        } else {
            None
        };
        Ok(CasePage { cases, next_cursor })
    }

    /// Case counts per queue, each capped (a badge shows "99+" instead of scanning a million
    /// rows).
    pub async fn queue_counts(&self, actor: &Actor, cap: i64) -> Result<Vec<(Queue, i64)>> {
        actor.require(Permission::CaseRead)?;
        let filters = Queue::ALL
            .iter()
            .map(|q| {
                let query = CaseQuery {
                    queue: Some(*q),
                    ..Default::default()
                };
                filter_for(actor, &query, cap)
            })
            .collect::<Result<Vec<_>>>()?;
        let counts = repo::counts_capped(&self.app.store, &filters, cap).await?;
        Ok(Queue::ALL.iter().copied().zip(counts).collect())
    }

    /// The open cases of `kinds` assigned to `actor`, in due order, at most `limit` (a
    /// technician's day).
    pub(crate) async fn mine_of(
        &self,
        actor: &Actor,
        kinds: &[Kind],
        limit: i64,
    ) -> Result<Vec<super::CaseView>> {
        let q = CaseQuery {
            queue: Some(Queue::Mine),
            ..CaseQuery::default()
        };
        let mut f = filter_for(actor, &q, limit)?;
        f.kinds = kinds.to_vec();
        let rows = repo::list(&self.app.store, &f).await?;
        self.views(actor, rows).await
    }

    /// A customer's cases this viewer may see, in due order, at most `limit`.
    pub(crate) async fn of_customer(
        &self,
        actor: &Actor,
        id: CustomerId,
        limit: i64,
    ) -> Result<Vec<super::CaseView>> {
        let mut f = filter_for(actor, &CaseQuery::default(), limit)?;
        f.open_only = false;
        f.customer_id = Some(id.0);
        let rows = repo::list(&self.app.store, &f).await?;
        self.views(actor, rows).await
    }
}
