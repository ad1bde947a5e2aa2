//! Service cases (服务单): queues, intake, the case page.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use sanbao_app::AppError;
use sanbao_app::cases::{
    CaseEdit, CaseEvent, CaseQuery, CaseView, CustomerInput, DUE_SOON_HOURS, NewCaseInput, Queue,
    split_tags,
};
use sanbao_app::rows::{AttachmentRow, DeskRow, SavedFilterRow};
use sanbao_domain::FieldError;
use sanbao_domain::case::{Channel, Coded, Kind, Priority, State as CaseState, check_transition};
use sanbao_domain::policy::clock_label;
use sanbao_domain::role::Permission;
use serde::Deserialize;

use super::{FormData, render, render_status};
use crate::AppState;
use crate::error::{PageError, classify};
use crate::layout::{Layout, Section};
use crate::session::{Staff, urlencode};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/cases", get(list).post(create))
        .route("/cases/new", get(new_form))
        .route("/cases/customers", get(customer_lookup))
        .route("/cases/{number}", get(show))
        .route("/cases/{number}/transition", post(transition))
        .route("/cases/{number}/note", post(note))
        .route("/cases/{number}/exception", post(exception))
        .route("/cases/{number}/extended-service", post(extended_service))
        .route("/cases/{number}/assign", post(assign))
        .route("/cases/{number}/tags", post(tags))
        .route("/cases/bulk-assign", post(bulk_assign))
        .route("/customers", get(customers))
        .route("/customers/{id}", get(customer))
}

/// A clock as a chip: label, due text, and a class for its colour.
pub(crate) struct Chip {
    pub label: String,
    pub due: String,
    pub class: &'static str,
    pub state_label: &'static str,
    pub rule: String,
}

fn chips(layout: &Layout, v: &CaseView, now: DateTime<Utc>) -> Vec<Chip> {
    let tr = layout.tr;
    v.clocks
        .iter()
        .map(|k| {
            let due = match (k.due_date, k.due_at) {
                (Some(d), _) => format!("{d} 24:00"),
                (None, Some(t)) => layout.time(&t),
                _ => "—".into(),
            };
            let soon = k
                .due_at
                .is_some_and(|d| d - now < chrono::Duration::hours(DUE_SOON_HOURS));
            let (class, key) = match k.state.as_str() {
                "breached" => ("breached", "clock.breached"),
                "paused" => ("paused", "clock.paused"),
                "met" => ("met", "clock.met"),
                "met_late" => ("met-late", "clock.met_late"),
                _ if soon => ("due-soon", "clock.due_soon"),
                _ => ("on-time", "clock.on_time"),
            };
            Chip {
                label: if tr.is_en() {
                    k.clock.replace('_', " ")
                } else {
                    clock_label(&k.clock).to_owned()
                },
                due,
                class,
                state_label: tr.t(key),
                rule: k.rule.clone(),
            }
        })
        .collect()
}

pub(crate) struct Row {
    pub number: String,
    pub kind: &'static str,
    pub subject: String,
    pub customer: String,
    pub state: &'static str,
    pub state_code: String,
    pub assignee: String,
    pub received: String,
    pub chips: Vec<Chip>,
    pub priority: String,
    /// Each tag with its filter link's query value.
    pub tags: Vec<(String, String)>,
}

impl Row {
    /// A case as a row of a case table, in the viewer's language.
    pub(crate) fn of(layout: &Layout, v: &CaseView, now: DateTime<Utc>) -> Row {
        let en = layout.tr.is_en();
        Row {
            chips: chips(layout, v, now),
            number: v.case.number.clone(),
            kind: label_of::<Kind>(&v.case.kind, en),
            subject: v.case.subject.clone(),
            customer: format!("{} {}", v.case.customer_name, v.phone_shown),
            state: label_of::<CaseState>(&v.case.state, en),
            state_code: v.case.state.clone(),
            assignee: v.case.assignee_name.clone().unwrap_or_default(),
            received: layout.time(&v.case.received_at),
            priority: v.case.priority.clone(),
            tags: tag_links(&v.case.tags),
        }
    }
}

/// Tags with the query value of their filter link.
fn tag_links(joined: &str) -> Vec<(String, String)> {
    split_tags(joined)
        .into_iter()
        .map(|t| {
            let q = urlencode(&t);
            (t, q)
        })
        .collect()
}

/// The label of a stored code in the viewer's language ("?" for a code no longer known).
fn label_of<T: Coded>(code: &str, english: bool) -> &'static str {
    code.parse::<T>().map_or("?", |v| v.label(english))
}

#[derive(Template)]
#[template(path = "cases.html")]
struct CasesPage {
    layout: Layout,
    queues: Vec<(&'static str, &'static str, String, bool)>,
    rows: Vec<Row>,
    kinds: Vec<(&'static str, &'static str)>,
    states: Vec<(&'static str, &'static str)>,
    channels: Vec<(&'static str, &'static str)>,
    kind: String,
    state: String,
    channel: String,
    desks: Vec<(i64, String)>,
    assignees: Vec<(i64, String)>,
    desk: String,
    assignee: String,
    from: String,
    to: String,
    tag: String,
    /// The person's saved filters, and the query string that would save the current one.
    saved: Vec<SavedFilterRow>,
    this_filter: String,
    queue: String,
    q: String,
    next_url: Option<String>,
    can_write: bool,
    can_assign: bool,
}

impl CasesPage {
    fn desk_is(&self, id: &i64) -> bool {
        self.desk == id.to_string()
    }

    fn assignee_is(&self, id: &i64) -> bool {
        self.assignee == id.to_string()
    }
}

/// An optional id from a filter select ("" = any); anything else is a field error.
fn filter_id(v: Option<&str>, field: &'static str) -> Result<Option<i64>, AppError> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse()
            .map(Some)
            .map_err(|_| AppError::invalid(field, "invalid", "请从列表中选择")),
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
    let bad = || AppError::invalid(field, "invalid", "日期格式应为 YYYY-MM-DD");
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

#[derive(Deserialize, Default)]
struct ListQuery {
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

/// Every value of `T` as `(code, label)` for a select.
fn options<T: Coded>(english: bool) -> Vec<(&'static str, &'static str)> {
    T::ALL
        .iter()
        .map(|v| (v.code(), v.label(english)))
        .collect()
}

/// A search shows this many matches, newest first (as many as a queue page).
const SEARCH_PAGE: i64 = 50;

/// Queue badges count up to this many and then say "99+": a count never walks a long queue.
const QUEUE_COUNT_CAP: i64 = 100;

async fn list(State(state): State<AppState>, staff: Staff, Query(q): Query<ListQuery>) -> Response {
    let tr = staff.tr;
    let queue = q
        .queue
        .as_deref()
        .and_then(Queue::from_code)
        .unwrap_or(Queue::All);
    let tz = state.cfg.timezone;
    let parsed = (|| {
        Ok::<_, AppError>((
            filter_id(q.desk.as_deref(), "desk")?,
            filter_id(q.assignee.as_deref(), "assignee")?,
            filter_day(q.from.as_deref(), "from", tz, false)?,
            filter_day(q.to.as_deref(), "to", tz, true)?,
        ))
    })();
    let (desk_id, assignee_id, received_from, received_to) = match parsed {
        Ok(v) => v,
        Err(e) => return PageError::new(e, tr).into_response(),
    };
    let query = CaseQuery {
        queue: Some(queue),
        kind: q.kind.clone(),
        state: q.state.clone(),
        channel: q.channel.clone(),
        customer_id: q.customer,
        desk_id,
        assignee_id,
        received_from,
        received_to,
        tag: q.tag.clone(),
        cursor: q.cursor.clone(),
    };
    let searching =
        q.q.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned);
    // The page's queries are independent: they run side by side on the pool, so the page
    // waits for the slowest one, not for their sum.
    let app = &state.app;
    let actor = staff.actor();
    let system = sanbao_app::Actor::system();
    let listing = async {
        match &searching {
            Some(text) => app
                .search_cases(actor, text, SEARCH_PAGE)
                .await
                .map(|cases| sanbao_app::cases::CasePage {
                    cases,
                    next_cursor: None,
                }),
            None => app.list_cases(actor, query, 50).await,
        }
    };
    let (page, counts, desks, assignees, saved) = tokio::join!(
        listing,
        app.queue_counts(actor, QUEUE_COUNT_CAP),
        app.list_desks(&system),
        app.assignable_users(actor),
        app.saved_filters(actor),
    );
    let (page, counts) = match (page, counts) {
        (Ok(p), Ok(c)) => (p, c),
        (Err(e), _) | (_, Err(e)) => return PageError::new(e, tr).into_response(),
    };
    let desks: Vec<(i64, String)> = desks
        .unwrap_or_default()
        .into_iter()
        .filter(|d| d.active)
        .map(|d| (d.id, d.name))
        .collect();
    let assignees = assignees.unwrap_or_default();
    let saved = saved.unwrap_or_default();
    let layout = Layout::new(
        &staff,
        Section::Cases,
        tr.t("nav.cases"),
        state.cfg.timezone,
    );
    let now = Utc::now();
    let en = tr.is_en();
    let rows = page
        .cases
        .iter()
        .map(|v| Row::of(&layout, v, now))
        .collect();
    let filters = format!(
        "kind={}&state={}&channel={}&desk={}&assignee={}&from={}&to={}&tag={}",
        urlencode(q.kind.as_deref().unwrap_or("")),
        urlencode(q.state.as_deref().unwrap_or("")),
        urlencode(q.channel.as_deref().unwrap_or("")),
        urlencode(q.desk.as_deref().unwrap_or("")),
        urlencode(q.assignee.as_deref().unwrap_or("")),
        urlencode(q.from.as_deref().unwrap_or("")),
        urlencode(q.to.as_deref().unwrap_or("")),
        urlencode(q.tag.as_deref().unwrap_or(""))
    );
    let this_filter = format!("queue={}&{filters}", queue.code());
    let next_url = page.next_cursor.map(|c| {
        format!(
            "/cases?queue={}&{filters}&cursor={}",
            queue.code(),
            urlencode(&c)
        )
    });
    render(&CasesPage {
        queues: counts
            .into_iter()
            .map(|(qq, n)| {
                let shown = if n >= QUEUE_COUNT_CAP {
                    format!("{}+", QUEUE_COUNT_CAP - 1)
                } else {
                    n.to_string()
                };
                (
                    qq.code(),
                    if en { qq.code() } else { qq.label_zh() },
                    shown,
                    qq == queue && searching.is_none(),
                )
            })
            .collect(),
        rows,
        kinds: options::<Kind>(en),
        states: options::<CaseState>(en),
        channels: options::<Channel>(en),
        kind: q.kind.unwrap_or_default(),
        state: q.state.unwrap_or_default(),
        channel: q.channel.unwrap_or_default(),
        desks,
        assignees,
        desk: q.desk.unwrap_or_default(),
        assignee: q.assignee.unwrap_or_default(),
        from: q.from.unwrap_or_default(),
        to: q.to.unwrap_or_default(),
        tag: q.tag.unwrap_or_default(),
        saved,
        this_filter,
        queue: if searching.is_some() {
            String::new()
        } else {
            queue.code().to_owned()
        },
        q: searching.unwrap_or_default(),
        next_url,
        can_write: staff.actor().can(Permission::CaseWrite),
        can_assign: staff.actor().can(Permission::CaseAssign),
        layout,
    })
}

#[derive(Template)]
#[template(path = "case_new.html")]
struct NewCasePage {
    layout: Layout,
    kinds: Vec<(&'static str, &'static str)>,
    channels: Vec<(&'static str, &'static str)>,
    priorities: Vec<(&'static str, &'static str)>,
    desks: Vec<DeskRow>,
    f: FormData,
    errors: Vec<FieldError>,
    now_local: String,
}

impl NewCasePage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    fn value(&self, field: &str) -> &str {
        self.f.get(field)
    }

    fn is(&self, field: &str, v: &str) -> bool {
        self.f.get(field) == v
    }
}

async fn new_form_page(
    state: &AppState,
    staff: &Staff,
    f: FormData,
    errors: Vec<FieldError>,
) -> Response {
    let tr = staff.tr;
    let en = tr.is_en();
    let desks = state
        .app
        .list_desks(&sanbao_app::Actor::system())
        .await
        .unwrap_or_default();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let layout = Layout::new(staff, Section::Cases, tr.t("cases.new"), state.cfg.timezone);
    render_status(
        status,
        &NewCasePage {
            now_local: Utc::now()
                .with_timezone(&state.cfg.timezone)
                .format("%Y-%m-%dT%H:%M")
                .to_string(),
            kinds: options::<Kind>(en),
            channels: options::<Channel>(en),
            priorities: options::<Priority>(en),
            desks: desks.into_iter().filter(|d| d.active).collect(),
            f,
            errors,
            layout,
        },
    )
}

async fn new_form(State(state): State<AppState>, staff: Staff) -> Response {
    if let Err(e) = staff.actor().require(Permission::CaseWrite) {
        return PageError::new(e, staff.tr).into_response();
    }
    new_form_page(&state, &staff, FormData::default(), Vec::new()).await
}

/// `2026-09-30T18:00` from a datetime-local field, in the company's zone.
fn parse_local(s: &str, tz: chrono_tz::Tz) -> Option<DateTime<Utc>> {
    let n = NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%dT%H:%M").ok()?;
    tz.from_local_datetime(&n)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

async fn create(State(state): State<AppState>, staff: Staff, Form(f): Form<FormData>) -> Response {
    let received_at = match f.get("received_at").trim() {
        "" => None,
        s => match parse_local(s, state.cfg.timezone) {
            Some(t) => Some(t),
            None => {
                let e = FieldError::new("received_at", "invalid", "受理时间格式不正确");
                return new_form_page(&state, &staff, f, vec![e]).await;
            }
        },
    };
    let input = NewCaseInput {
        kind: f.get("kind").to_owned(),
        channel: f.get("channel").to_owned(),
        customer: CustomerInput {
            name: f.get("customer_name").to_owned(),
            phone: f.get("customer_phone").to_owned(),
            kind: f.get("customer_kind").to_owned(),
            address: f.get("customer_address").to_owned(),
            credit_code: f.get("customer_credit_code").to_owned(),
        },
        subject: f.get("subject").to_owned(),
        description: f.get("description").to_owned(),
        priority: f.get("priority").to_owned(),
        received_at,
        desk_id: f.opt_id("desk_id"),
        assignee_id: None,
        regulator_ref: f.get("regulator_ref").to_owned(),
        regulator_accepted_on: f.get("regulator_accepted_on").to_owned(),
    };
    match state.app.open_case(staff.actor(), input, None).await {
        Ok(v) => Redirect::to(&format!("/cases/{}", v.case.number)).into_response(),
        Err(AppError::Invalid(errs)) => new_form_page(&state, &staff, f, errs.0).await,
        Err(e) => PageError::new(e, staff.tr).into_response(),
    }
}

#[derive(Deserialize)]
struct PhoneQuery {
    phone: String,
}

/// Customers whose phone starts with what the agent typed (JSON for the intake form).
async fn customer_lookup(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<PhoneQuery>,
) -> Response {
    match state.app.customers_by_phone(staff.actor(), &q.phone).await {
        Ok(list) => Json(
            list.into_iter()
                .map(|(name, phone, kind)| serde_json::json!({"name": name, "phone": phone, "kind": kind}))
                .collect::<Vec<_>>(),
        )
        .into_response(),
        Err(e) => (classify(&e).0, Json(serde_json::json!({"error": classify(&e).2}))).into_response(),
    }
}

pub(crate) struct TimelineItem {
    pub at: String,
    pub actor: String,
    pub kind: &'static str,
    pub text: String,
    pub body: String,
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePageT {
    layout: Layout,
    v: CaseView,
    kind: &'static str,
    channel: &'static str,
    state: &'static str,
    chips: Vec<Chip>,
    timeline: Vec<TimelineItem>,
    moves: Vec<(&'static str, &'static str)>,
    satisfactions: Vec<(&'static str, &'static str)>,
    desks: Vec<DeskRow>,
    assignable: Vec<(i64, String)>,
    attachments: Vec<AttachmentRow>,
    tags: Vec<(String, String)>,
    tags_text: String,
    can_write: bool,
    /// The exception and extended-service forms show until the case is closed or cancelled.
    takes_reports: bool,
    error: Option<String>,
}

impl CasePageT {
    fn desk_is(&self, id: &i64) -> bool {
        self.v.case.desk_id == Some(*id)
    }

    fn assignee_is(&self, id: &i64) -> bool {
        self.v.case.assignee_id == Some(*id)
    }

    fn can_move(&self, to: &str) -> bool {
        self.moves.iter().any(|m| m.0 == to)
    }

    fn size(&self, bytes: &i64) -> String {
        crate::files::human_size(*bytes)
    }

    fn is_image(&self, a: &AttachmentRow) -> bool {
        a.has_thumbnail
    }

    fn max_files(&self) -> usize {
        sanbao_domain::attachment::MAX_PER_CASE
    }
}

fn timeline(layout: &Layout, events: &[CaseEvent]) -> Vec<TimelineItem> {
    let tr = layout.tr;
    events
        .iter()
        .rev()
        .map(|e| {
            let data: serde_json::Value = serde_json::from_str(&e.data).unwrap_or_default();
            let (kind, text) = match e.kind.as_str() {
                "created" => ("created", tr.t("timeline.created").to_owned()),
                "state" => {
                    let lbl =
                        |k: &str| label_of::<CaseState>(data[k].as_str().unwrap_or(""), tr.is_en());
                    let mut text = format!("{} → {}", lbl("from"), lbl("to"));
                    if let Some(r) = data["resolution"].as_str().filter(|r| !r.is_empty()) {
                        text.push_str(&format!("｜{}：{r}", tr.t("cases.resolution")));
                    }
                    if let Some(s) = data["satisfaction"].as_str() {
                        let s = label_of::<sanbao_domain::case::Satisfaction>(s, tr.is_en());
                        text.push_str(&format!("｜{}：{s}", tr.t("cases.satisfaction")));
                    }
                    if let Some(p) = data["precautions"].as_str().filter(|p| !p.is_empty()) {
                        text.push_str(&format!("｜{}：{p}", tr.t("cases.precautions")));
                    }
                    ("state", text)
                }
                "note" => ("note", tr.t("timeline.note").to_owned()),
                "message" => ("message", tr.t("timeline.message").to_owned()),
                "assignment" => ("assignment", tr.t("timeline.assignment").to_owned()),
                "escalation" => ("escalation", tr.t("timeline.escalation").to_owned()),
                "extended_service" => ("escalation", tr.t("timeline.extended_service").to_owned()),
                "attachment" => ("attachment", tr.t("timeline.attachment").to_owned()),
                "tags" => {
                    let list = |k: &str| {
                        data[k]
                            .as_array()
                            .map(|a| {
                                a.iter()
                                    .filter_map(|t| t.as_str())
                                    .collect::<Vec<_>>()
                                    .join("、")
                            })
                            .filter(|s| !s.is_empty())
                            .unwrap_or_else(|| "—".to_owned())
                    };
                    (
                        "tags",
                        format!(
                            "{}：{} → {}",
                            tr.t("timeline.tags"),
                            list("from"),
                            list("to")
                        ),
                    )
                }
                "policy_event" => (
                    "clock",
                    format!(
                        "{}：{}",
                        tr.t("timeline.clock"),
                        data["event"].as_str().unwrap_or("")
                    ),
                ),
                _ => ("other", e.kind.clone()),
            };
            TimelineItem {
                at: layout.time(&e.at),
                actor: e.actor_name.clone(),
                kind,
                text,
                body: e.body.clone(),
            }
        })
        .collect()
}

async fn case_page(
    state: &AppState,
    staff: &Staff,
    number: &str,
    status: StatusCode,
    error: Option<String>,
) -> Response {
    let tr = staff.tr;
    let app = &state.app;
    let system = sanbao_app::Actor::system();
    // Independent queries side by side (the case's own visibility is checked by each).
    let (case, desks, assignable, attachments) = tokio::join!(
        app.get_case(staff.actor(), number),
        app.list_desks(&system),
        app.assignable_users(staff.actor()),
        app.case_attachments(staff.actor(), number),
    );
    let ((v, events), attachments) = match (case, attachments) {
        (Ok(c), Ok(a)) => (c, a),
        (Err(e), _) | (_, Err(e)) => return PageError::new(e, tr).into_response(),
    };
    let desks = desks.unwrap_or_default();
    let assignable = assignable.unwrap_or_default();
    let layout = Layout::new(
        staff,
        Section::Cases,
        &format!("{} · {}", v.case.number, v.case.subject),
        state.cfg.timezone,
    );
    let now = Utc::now();
    let en = tr.is_en();
    let current: Option<CaseState> = v.case.state.parse().ok();
    let kind_v: Option<Kind> = v.case.kind.parse().ok();
    let moves = match (current, kind_v) {
        (Some(cur), Some(k)) => CaseState::ALL
            .iter()
            .filter(|to| check_transition(k, cur, **to, v.case.resolved_at, now).is_ok())
            .map(|to| (to.code(), to.label(en)))
            .collect(),
        _ => Vec::new(),
    };
    render_status(
        status,
        &CasePageT {
            chips: chips(&layout, &v, now),
            timeline: timeline(&layout, &events),
            kind: label_of::<Kind>(&v.case.kind, en),
            channel: label_of::<Channel>(&v.case.channel, en),
            state: label_of::<CaseState>(&v.case.state, en),
            moves,
            desks: desks.into_iter().filter(|d| d.active).collect(),
            assignable,
            attachments,
            tags: tag_links(&v.case.tags),
            tags_text: split_tags(&v.case.tags).join("，"),
            satisfactions: options::<sanbao_domain::case::Satisfaction>(en),
            can_write: staff.actor().can(Permission::CaseWrite),
            takes_reports: current.is_some_and(CaseState::takes_reports),
            error,
            v,
            layout,
        },
    )
}

/// After an action on a case: back to the case page; a refusal the user can act on (bad input,
/// a rule, a stale form, a missing permission) is shown on the case page with its reason.
async fn extended_service(
    State(state): State<AppState>,
    staff: Staff,
    Path(number): Path<String>,
    Form(f): Form<FormData>,
) -> Response {
    let result = match sanbao_domain::case::ExtendedService::parse(
        f.get("date"),
        f.get("start"),
        f.get("end"),
        f.checked("customer_informed"),
        f.get("reason"),
    ) {
        Ok(report) => {
            state
                .app
                .report_extended_service(staff.actor(), &number, &report)
                .await
        }
        Err(e) => Err(AppError::Invalid(e)),
    };
    after_action(&state, &staff, &number, result).await
}

pub(super) async fn after_action(
    state: &AppState,
    staff: &Staff,
    number: &str,
    result: Result<(), AppError>,
) -> Response {
    match result {
        Ok(()) => Redirect::to(&format!("/cases/{number}")).into_response(),
        Err(
            e @ (AppError::Rule { .. }
            | AppError::Stale
            | AppError::Invalid(_)
            | AppError::Forbidden(_)),
        ) => {
            let (status, _, msg, _) = classify(&e);
            case_page(state, staff, number, status, Some(msg)).await
        }
        Err(e) => PageError::new(e, staff.tr).into_response(),
    }
}

async fn show(State(state): State<AppState>, staff: Staff, Path(number): Path<String>) -> Response {
    case_page(&state, &staff, &number, StatusCode::OK, None).await
}

async fn transition(
    State(state): State<AppState>,
    staff: Staff,
    Path(number): Path<String>,
    Form(f): Form<FormData>,
) -> Response {
    let result = state
        .app
        .transition_case_with(
            staff.actor(),
            &number,
            f.get("to"),
            f.version(),
            f.get("note"),
            &sanbao_app::cases::Closing {
                resolution: f.get("resolution").to_owned(),
                satisfaction: f.get("satisfaction").to_owned(),
                precautions: f.get("precautions").to_owned(),
            },
        )
        .await;
    after_action(&state, &staff, &number, result.map(|_| ())).await
}

async fn note(
    State(state): State<AppState>,
    staff: Staff,
    Path(number): Path<String>,
    Form(f): Form<FormData>,
) -> Response {
    let result = state
        .app
        .add_case_note(
            staff.actor(),
            &number,
            f.get("body"),
            f.checked("to_customer"),
        )
        .await;
    after_action(&state, &staff, &number, result).await
}

async fn exception(
    State(state): State<AppState>,
    staff: Staff,
    Path(number): Path<String>,
    Form(f): Form<FormData>,
) -> Response {
    let result = state
        .app
        .report_exception(staff.actor(), &number, f.get("reason"))
        .await;
    after_action(&state, &staff, &number, result).await
}

async fn assign(
    State(state): State<AppState>,
    staff: Staff,
    Path(number): Path<String>,
    Form(f): Form<FormData>,
) -> Response {
    let assignee = if f.get("take") == "1" {
        staff.actor().user_id
    } else {
        f.opt_id("assignee_id")
    };
    let desk = f.opt_id("desk_id");
    let result = state
        .app
        .update_case(
            staff.actor(),
            &number,
            f.version(),
            &CaseEdit {
                desk_id: Some(desk),
                assignee_id: Some(assignee),
                ..CaseEdit::default()
            },
        )
        .await;
    after_action(&state, &staff, &number, result.map(|_| ())).await
}

/// Replace a case's tags with those typed into one box (commas or spaces between them).
async fn tags(
    State(state): State<AppState>,
    staff: Staff,
    Path(number): Path<String>,
    Form(f): Form<FormData>,
) -> Response {
    let result = match sanbao_domain::tag::parse_tags(f.get("tags")) {
        Ok(tags) => state
            .app
            .update_case(
                staff.actor(),
                &number,
                f.version(),
                &CaseEdit {
                    tags: Some(tags),
                    ..CaseEdit::default()
                },
            )
            .await
            .map(|_| ()),
        Err(e) => Err(e.into()),
    };
    after_action(&state, &staff, &number, result).await
}

async fn bulk_assign(
    State(state): State<AppState>,
    staff: Staff,
    Form(f): Form<FormData>,
) -> Response {
    let numbers = f.all("numbers");
    let assignee = if f.get("to") == "me" {
        staff.actor().user_id
    } else {
        f.opt_id("assignee_id")
    };
    match state
        .app
        .bulk_assign(staff.actor(), &numbers, assignee)
        .await
    {
        Ok(refused) if refused.is_empty() => {
            // Taken cases are in 我的服务单; cases given to others: back to the queue as it was
            // (the query string only ever follows "/cases?", so it cannot lead elsewhere).
            let back = f.get("back").replace(['\r', '\n'], "");
            let to = if f.get("to") == "me" || back.is_empty() {
                "/cases?queue=mine".to_owned()
            } else {
                format!("/cases?{back}")
            };
            Redirect::to(&to).into_response()
        }
        Ok(refused) => {
            let msg: Vec<String> = refused
                .iter()
                .map(|(n, e)| format!("{n}：{}", classify(e).2))
                .collect();
            crate::error::error_page(staff.tr, StatusCode::UNPROCESSABLE_ENTITY, &msg.join("；"))
        }
        Err(e) => PageError::new(e, staff.tr).into_response(),
    }
}

#[derive(Template)]
#[template(path = "customer.html")]
struct CustomerPage {
    layout: Layout,
    phone: String,
    kind: &'static str,
    address: String,
    credit_code: String,
    since: String,
    rows: Vec<Row>,
}

/// A customer's card and every case of theirs the viewer may see.
#[derive(Template)]
#[template(path = "customers.html")]
struct CustomersPage {
    layout: Layout,
    q: String,
    rows: Vec<CustomerListRow>,
    hint: Option<&'static str>,
    next_url: Option<String>,
}

struct CustomerListRow {
    id: i64,
    name: String,
    kind: &'static str,
    phone: String,
    cases: i64,
    since: String,
}

#[derive(Deserialize, Default)]
struct CustomersQuery {
    q: Option<String>,
    before: Option<String>,
}

/// The customer list (客户): search by name (its start) or phone, newest first otherwise.
async fn customers(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<CustomersQuery>,
) -> Response {
    let tr = staff.tr;
    let before = match filter_id(q.before.as_deref(), "before") {
        Ok(b) => b,
        Err(e) => return PageError::new(e, tr).into_response(),
    };
    let text = q.q.unwrap_or_default();
    let page = match state
        .app
        .list_customers(staff.actor(), &text, before, 50)
        .await
    {
        Ok(p) => p,
        Err(e) => return PageError::new(e, tr).into_response(),
    };
    let layout = Layout::new(
        &staff,
        Section::Customers,
        tr.t("nav.customers"),
        state.cfg.timezone,
    );
    let rows = page
        .customers
        .into_iter()
        .map(|c| CustomerListRow {
            id: c.row.id,
            kind: if c.row.kind == "organisation" {
                tr.t("cases.organisation")
            } else {
                tr.t("cases.individual")
            },
            since: layout.time(&c.row.created_at),
            name: c.row.name,
            phone: c.phone_shown,
            cases: c.row.cases,
        })
        .collect();
    render(&CustomersPage {
        next_url: page
            .next_before
            .map(|b| format!("/customers?q={}&before={b}", urlencode(&text))),
        q: text,
        rows,
        hint: page.hint,
        layout,
    })
}

async fn customer(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>) -> Response {
    let tr = staff.tr;
    let (c, phone, cases) = match state.app.customer_cases(staff.actor(), id).await {
        Ok(x) => x,
        Err(e) => return PageError::new(e, tr).into_response(),
    };
    let layout = Layout::new(&staff, Section::Customers, &c.name, state.cfg.timezone);
    let now = Utc::now();
    let rows = cases
        .iter()
        .map(|v| Row {
            customer: String::new(),
            ..Row::of(&layout, v, now)
        })
        .collect();
    render(&CustomerPage {
        phone,
        kind: if c.kind == "organisation" {
            tr.t("cases.organisation")
        } else {
            tr.t("cases.individual")
        },
        address: c.address.clone(),
        credit_code: c.credit_code.clone().unwrap_or_default(),
        since: layout.time(&c.created_at),
        rows,
        layout,
    })
}
