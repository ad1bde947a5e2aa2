//! The case list: queues with capped counts, filters, saved filters, search, bulk assignment.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, TimeZone, Utc};
use sanbao_app::AppError;
use sanbao_app::case::{CasePage, CaseQuery, Queue, SavedFilter};
use sanbao_domain::case::{Channel, Coded, Kind, State as CaseState};
use sanbao_domain::role::Permission;
use sanbao_domain::{DeskId, UserId, text};
use serde::Deserialize;

use super::view::{Now, Row, options};
use crate::AppState;
use crate::error::PageError;
use crate::layout::{Layout, Section};
use crate::page::render;
use crate::session::{Staff, urlencode};

/// A search shows this many matches, newest first (as many as a queue page).
const SEARCH_PAGE: i64 = 50;

/// Queue badges count up to this many and then say "99+": a count never walks a long queue.
pub(crate) const QUEUE_COUNT_CAP: i64 = 100;

/// A queue tab: code, label, count shown, current.
pub(crate) struct Tab {
    code: &'static str,
    label: &'static str,
    count: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "case/list.html")]
struct CasesPage {
    layout: Layout,
    queues: Vec<Tab>,
    rows: Vec<Row>,
    kinds: Vec<(&'static str, &'static str)>,
    states: Vec<(&'static str, &'static str)>,
    channels: Vec<(&'static str, &'static str)>,
    desks: Vec<(DeskId, String)>,
    assignees: Vec<(UserId, String)>,
    /// The filter as typed, to show it again.
    f: ListQuery,
    /// The person's saved filters, and the query string that would save the current one.
    saved: Vec<SavedFilter>,
    this_filter: String,
    queue: String,
    q: String,
    next_url: Option<String>,
    can_write: bool,
    can_assign: bool,
}

impl CasesPage {
    fn desk_is(&self, id: &DeskId) -> bool {
        self.f.desk.as_deref() == Some(id.to_string().as_str())
    }

    fn assignee_is(&self, id: &UserId) -> bool {
        self.f.assignee.as_deref() == Some(id.to_string().as_str())
    }

    fn value<'a>(&self, v: &'a Option<String>) -> &'a str {
        v.as_deref().unwrap_or("")
    }

    /// Some filter beyond the queue is set (the folded filters open on a phone, and say so).
    fn filtered(&self) -> bool {
        let f = &self.f;
        [
            &f.kind,
            &f.state,
            &f.channel,
            &f.desk,
            &f.assignee,
            &f.from,
            &f.to,
            &f.tag,
        ]
        .iter()
        .any(|v| v.as_deref().is_some_and(|v| !v.trim().is_empty()))
    }
}

/// An optional id from a filter select ("" = any); anything else is a field error.
pub(crate) fn filter_id<T: From<i64>>(
    v: Option<&str>,
    field: &'static str,
) -> Result<Option<T>, AppError> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse::<i64>()
            .map(|i| Some(T::from(i)))
            .map_err(|_| AppError::invalid(field, "invalid", text!("field.choose"))),
    }
}

/// A filter date (`YYYY-MM-DD`, company time) as the instant its day starts; `next_day` gives
/// the end of the day instead (a "to" date includes its day).
fn filter_day(
    v: Option<&str>,
    field: &'static str,
    tz: chrono_tz::Tz,
    next_day: bool,
) -> Result<Option<DateTime<Utc>>, AppError> {
    let Some(s) = v.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let bad = || AppError::invalid(field, "invalid", text!("field.date_format"));
    let mut d = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| bad())?;
    if next_day {
        d = d.succ_opt().ok_or_else(bad)?;
    }
    let start = d.and_hms_opt(0, 0, 0).ok_or_else(bad)?;
    Ok(tz
        .from_local_datetime(&start)
        .earliest()
        .map(|t| t.with_timezone(&Utc)))
}

#[derive(Deserialize, Default, Clone)]
pub(crate) struct ListQuery {
    q: Option<String>,
    queue: Option<String>,
    kind: Option<String>,
    state: Option<String>,
    channel: Option<String>,
    customer: Option<i64>,
    desk: Option<String>,
    assignee: Option<String>,
    /// Received on or after this day (`YYYY-MM-DD`).
    from: Option<String>,
    /// Received on or before this day.
    to: Option<String>,
    tag: Option<String>,
    cursor: Option<String>,
}

impl ListQuery {
    fn queue(&self) -> Queue {
        self.queue
            .as_deref()
            .and_then(|q| q.parse().ok())
            .unwrap_or(Queue::All)
    }

    /// The query for the app, each bad filter named.
    fn to_query(&self, tz: chrono_tz::Tz) -> Result<CaseQuery, AppError> {
        Ok(CaseQuery {
            queue: Some(self.queue()),
            kind: self.kind.clone(),
            state: self.state.clone(),
            channel: self.channel.clone(),
            customer_id: self.customer.map(Into::into),
            desk_id: filter_id(self.desk.as_deref(), "desk")?,
            assignee_id: filter_id(self.assignee.as_deref(), "assignee")?,
            received_from: filter_day(self.from.as_deref(), "from", tz, false)?,
            received_to: filter_day(self.to.as_deref(), "to", tz, true)?,
            tag: self.tag.clone(),
            cursor: self.cursor.clone(),
        })
    }

    /// The filters as a query string (without queue and cursor).
    fn filters(&self) -> String {
        let v = |o: &Option<String>| urlencode(o.as_deref().unwrap_or(""));
        format!(
            "kind={}&state={}&channel={}&desk={}&assignee={}&from={}&to={}&tag={}",
            v(&self.kind),
            v(&self.state),
            v(&self.channel),
            v(&self.desk),
            v(&self.assignee),
            v(&self.from),
            v(&self.to),
            v(&self.tag)
        )
    }

    fn search(&self) -> Option<String> {
        self.q
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    }
}

/// The queue tabs with their capped counts.
fn tabs(counts: Vec<(Queue, i64)>, current: Option<Queue>, en: bool) -> Vec<Tab> {
    counts
        .into_iter()
        .map(|(q, n)| Tab {
            code: q.code(),
            label: q.label(en),
            count: if n >= QUEUE_COUNT_CAP {
                format!("{}+", QUEUE_COUNT_CAP - 1)
            } else {
                n.to_string()
            },
            current: Some(q) == current,
        })
        .collect()
}

/// The active desks for the desk filter (none when they could not be read).
fn active_desks(
    desks: Result<Vec<sanbao_app::admin::desks::Desk>, AppError>,
) -> Vec<(DeskId, String)> {
    desks
        .unwrap_or_default()
        .into_iter()
        .filter(|d| d.active)
        .map(|d| (d.id, d.name))
        .collect()
}

pub(super) async fn list(
    State(state): State<AppState>,
    staff: Staff,
    Query(lq): Query<ListQuery>,
) -> Response {
    let tr = staff.tr;
    let query = match lq.to_query(state.cfg.timezone) {
        Ok(q) => q,
        Err(e) => return PageError::new(e, tr).into_response(),
    };
    let searching = lq.search();
    // The page's queries are independent: they run side by side on the pool, so the page
    // waits for the slowest one, not for their sum.
    let (app, actor) = (&state.app, staff.actor());
    let (cases, desks) = (app.cases(), app.desks());
    let listing = async {
        match &searching {
            Some(text) => cases
                .search(actor, text, SEARCH_PAGE)
                .await
                .map(|found| CasePage {
                    cases: found,
                    next_cursor: None,
                }),
            None => cases.list(actor, query, 50).await,
        }
    };
    let (page, counts, desks, assignees, saved) = tokio::join!(
        listing,
        cases.queue_counts(actor, QUEUE_COUNT_CAP),
        desks.all(),
        cases.assignees(actor),
        cases.saved_filters(actor),
    );
    let (page, counts) = match (page, counts) {
        (Ok(p), Ok(c)) => (p, c),
        (Err(e), _) | (_, Err(e)) => return PageError::new(e, tr).into_response(),
    };
    let desks = active_desks(desks);
    let layout = Layout::new(
        &staff,
        Section::Cases,
        tr.t("nav.cases"),
        state.cfg.timezone,
    );
    let now = Now::load(&state).await;
    let en = tr.is_en();
    let queue = lq.queue();
    let filters = lq.filters();
    render(&CasesPage {
        queues: tabs(counts, searching.is_none().then_some(queue), en),
        rows: page
            .cases
            .iter()
            .map(|v| Row::of(&layout, v, &now))
            .collect(),
        kinds: options::<Kind>(en),
        states: options::<CaseState>(en),
        channels: options::<Channel>(en),
        desks,
        assignees: assignees.unwrap_or_default(),
        saved: saved.unwrap_or_default(),
        this_filter: format!("queue={}&{filters}", queue.code()),
        next_url: page.next_cursor.map(|c| {
            format!(
                "/cases?queue={}&{filters}&cursor={}",
                queue.code(),
                urlencode(&c)
            )
        }),
        queue: if searching.is_some() {
            String::new()
        } else {
            queue.code().to_owned()
        },
        q: searching.unwrap_or_default(),
        can_write: actor.can(Permission::CaseWrite),
        can_assign: actor.can(Permission::CaseAssign),
        f: lq,
        layout,
    })
}
