//! `/api/v1/cases`: service cases.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, NaiveDate, Utc};
use sanbao_app::cases::{CaseEvent, CaseQuery, CaseView, CustomerInput, NewCaseInput, Queue};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiActor, ApiJson, ApiQuery, page_limit};
use crate::error::ErrorBody;
use crate::{ApiError, AppState};

#[derive(Serialize, ToSchema)]
pub struct Clock {
    /// `first_response`, `verification`, `reply`, `dispatch`, `processing` …
    pub clock: String,
    /// The instant the deadline passes (day units: 24:00 of the last day), with the company's
    /// offset, e.g. `2026-10-11T00:00:00+08:00`.
    pub due: Option<DateTime<chrono::FixedOffset>>,
    /// For day units, the last day.
    pub due_date: Option<NaiveDate>,
    /// `running`, `paused`, `met`, `met_late`, `breached`.
    pub state: String,
    /// The rule the deadline comes from.
    pub rule: String,
}

#[derive(Serialize, ToSchema)]
pub struct CaseCustomer {
    pub id: i64,
    pub name: String,
    /// Masked (138****8000) for roles without the personal-data permission.
    pub phone: String,
}

#[derive(Serialize, ToSchema)]
pub struct Case {
    /// Human number, e.g. `CP-2026-000123`.
    pub number: String,
    /// `return`, `repair`, `maintenance`, `complaint` or `inquiry`.
    pub kind: String,
    pub channel: String,
    pub state: String,
    pub priority: String,
    pub subject: String,
    pub description: String,
    pub customer: CaseCustomer,
    pub desk_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub received_at: DateTime<Utc>,
    /// 12315 case number of a regulator transfer.
    pub regulator_ref: Option<String>,
    /// The day the regulator accepted the complaint.
    pub regulator_accepted_on: Option<chrono::NaiveDate>,
    /// The policy the case runs under, `name@version`.
    pub policy: String,
    pub clocks: Vec<Clock>,
    pub next_due_at: Option<DateTime<Utc>>,
    pub breached: bool,
    /// Tags, in the order given (lower-case ASCII letters).
    pub tags: Vec<String>,
    pub created_at: DateTime<Utc>,
    /// Send back with an update; a stale version is answered 409.
    pub version: i64,
}

impl Case {
    fn new(v: CaseView, tz: chrono_tz::Tz) -> Self {
        let c = v.case;
        Case {
            number: c.number,
            kind: c.kind,
            channel: c.channel,
            state: c.state,
            priority: c.priority,
            subject: c.subject,
            description: c.description,
            customer: CaseCustomer {
                id: c.customer_id,
                name: c.customer_name,
                phone: v.phone_shown,
            },
            desk_id: c.desk_id,
            assignee_id: c.assignee_id,
            received_at: c.received_at,
            regulator_ref: c.regulator_ref,
            regulator_accepted_on: c.regulator_accepted_on,
            policy: format!("{}@{}", c.policy_name, c.policy_version),
            clocks: v
                .clocks
                .into_iter()
                .map(|k| Clock {
                    clock: k.clock,
                    due: k.due_at.map(|d| d.with_timezone(&tz).fixed_offset()),
                    due_date: k.due_date,
                    state: k.state,
                    rule: k.rule,
                })
                .collect(),
            next_due_at: c.next_due_at,
            breached: c.breached,
            tags: sanbao_app::cases::split_tags(&c.tags),
            created_at: c.created_at,
            version: c.version,
        }
    }
}

/// A page of cases.
#[derive(Serialize, ToSchema)]
pub struct CaseList {
    pub items: Vec<Case>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Deserialize, IntoParams)]
pub struct CaseListParams {
    /// Search: a case number, a phone number, or Chinese words (all must match). Returns the
    /// best `limit` matches, newest first, without a cursor.
    pub q: Option<String>,
    /// `mine`, `desk`, `due_soon`, `breached`, `escalated`, `unassigned` or `all` (default;
    /// open cases).
    pub queue: Option<String>,
    pub kind: Option<String>,
    pub state: Option<String>,
    pub channel: Option<String>,
    pub desk_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub customer_id: Option<i64>,
    /// Received at or after (RFC 3339).
    pub received_from: Option<DateTime<Utc>>,
    /// Received before (RFC 3339).
    pub received_to: Option<DateTime<Utc>>,
    /// Only cases with this tag.
    pub tag: Option<String>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
}

/// List cases visible to the caller, by next due time.
#[utoipa::path(
    get,
    path = "/api/v1/cases",
    tag = "cases",
    params(CaseListParams),
    responses(
        (status = 200, description = "A page of cases", body = CaseList),
        (status = 400, description = "Bad query parameter", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "The role lacks case.read", body = ErrorBody),
    )
)]
pub async fn list_cases(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(p): ApiQuery<CaseListParams>,
) -> Result<Json<CaseList>, ApiError> {
    let limit = page_limit(p.limit)?;
    if let Some(q) = p.q.as_deref().filter(|q| !q.trim().is_empty()) {
        let found = state.app.search_cases(&actor, q, limit).await?;
        return Ok(Json(CaseList {
            items: found
                .into_iter()
                .map(|v| Case::new(v, state.cfg.timezone))
                .collect(),
            next_cursor: None,
        }));
    }
    let queue = match p.queue.as_deref() {
        None | Some("") => None,
        Some(q) => Some(Queue::from_code(q).ok_or_else(|| {
            ApiError(sanbao_app::AppError::invalid(
                "queue",
                "unknown",
                "queue 应为 mine、desk、due_soon、breached、escalated、unassigned 或 all",
            ))
        })?),
    };
    let page = state
        .app
        .list_cases(
            &actor,
            CaseQuery {
                queue,
                kind: p.kind,
                state: p.state,
                channel: p.channel,
                desk_id: p.desk_id,
                assignee_id: p.assignee_id,
                customer_id: p.customer_id,
                received_from: p.received_from,
                received_to: p.received_to,
                tag: p.tag,
                cursor: p.cursor,
            },
            limit,
        )
        .await?;
    Ok(Json(CaseList {
        items: page
            .cases
            .into_iter()
            .map(|v| Case::new(v, state.cfg.timezone))
            .collect(),
        next_cursor: page.next_cursor,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct NewCustomer {
    pub name: String,
    pub phone: String,
    /// `individual` (default) or `organisation`.
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    /// 统一社会信用代码 (organisations).
    #[serde(default)]
    pub credit_code: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct NewCase {
    pub kind: String,
    /// `phone`, `email`, `web`, `visit`, `letter`, `wechat`, `regulator` or `api`.
    pub channel: String,
    pub customer: NewCustomer,
    pub subject: String,
    #[serde(default)]
    pub description: String,
    /// `low`, `normal` (default), `high` or `urgent`.
    #[serde(default)]
    pub priority: Option<String>,
    /// When the customer reached us (default: now). Clocks run from here.
    #[serde(default)]
    pub received_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub desk_id: Option<i64>,
    #[serde(default)]
    pub assignee_id: Option<i64>,
    /// 12315 case number (regulator transfers).
    #[serde(default)]
    pub regulator_ref: Option<String>,
    /// The day the regulator accepted the complaint, `YYYY-MM-DD` (regulator transfers; not
    /// after `received_at`).
    #[serde(default)]
    pub regulator_accepted_on: Option<String>,
}

/// Open a case. With an `Idempotency-Key` header a retried request answers the case the first
/// one created.
#[utoipa::path(
    post,
    path = "/api/v1/cases",
    tag = "cases",
    request_body = NewCase,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retried create return the first result")),
    responses(
        (status = 201, description = "Created (or, for a repeated Idempotency-Key, the earlier case)", body = Case),
        (status = 400, description = "Invalid field", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "The role lacks case.write", body = ErrorBody),
    )
)]
pub async fn create_case(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    headers: HeaderMap,
    ApiJson(b): ApiJson<NewCase>,
) -> Result<(StatusCode, Json<Case>), ApiError> {
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= 200);
    let view = state
        .app
        .open_case(
            &actor,
            NewCaseInput {
                kind: b.kind,
                channel: b.channel,
                customer: CustomerInput {
                    name: b.customer.name,
                    phone: b.customer.phone,
                    kind: b.customer.kind.unwrap_or_default(),
                    address: b.customer.address.unwrap_or_default(),
                    credit_code: b.customer.credit_code.unwrap_or_default(),
                },
                subject: b.subject,
                description: b.description,
                priority: b.priority.unwrap_or_default(),
                received_at: b.received_at,
                desk_id: b.desk_id,
                assignee_id: b.assignee_id,
                regulator_ref: b.regulator_ref.unwrap_or_default(),
                regulator_accepted_on: b.regulator_accepted_on.unwrap_or_default(),
            },
            key,
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(Case::new(view, state.cfg.timezone)),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct TimelineEntry {
    pub at: DateTime<Utc>,
    pub actor: String,
    /// `created`, `state`, `note`, `message`, `assignment`, `policy_event` …
    pub kind: String,
    pub body: String,
    pub data: serde_json::Value,
}

impl From<CaseEvent> for TimelineEntry {
    fn from(e: CaseEvent) -> Self {
        TimelineEntry {
            at: e.at,
            actor: e.actor_name,
            kind: e.kind,
            body: e.body,
            data: serde_json::from_str(&e.data).unwrap_or_default(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CaseDetail {
    #[serde(flatten)]
    pub case: Case,
    pub timeline: Vec<TimelineEntry>,
}

/// A case with its clocks and timeline.
#[utoipa::path(
    get,
    path = "/api/v1/cases/{number}",
    tag = "cases",
    params(("number" = String, Path, description = "Case number, e.g. CP-2026-000123")),
    responses(
        (status = 200, description = "The case", body = CaseDetail),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such case visible to the caller", body = ErrorBody),
    )
)]
pub async fn get_case(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(number): Path<String>,
) -> Result<Json<CaseDetail>, ApiError> {
    let (view, events) = state.app.get_case(&actor, &number).await?;
    Ok(Json(CaseDetail {
        case: Case::new(view, state.cfg.timezone),
        timeline: events.into_iter().map(TimelineEntry::from).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct CasePatch {
    /// The version read; a stale one is answered 409.
    pub version: i64,
    pub subject: Option<String>,
    pub description: Option<String>,
    pub priority: Option<String>,
    /// `null` clears it.
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub desk_id: Option<Option<i64>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub assignee_id: Option<Option<i64>>,
    /// Replaces the case's tags (at most 10, each up to 16 characters).
    pub tags: Option<Vec<String>>,
}

/// Absent field → `None`; `null` → `Some(None)`.
mod double_option {
    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<i64>>, D::Error> {
        Option::<i64>::deserialize(d).map(Some)
    }
}

/// Edit a case.
#[utoipa::path(
    patch,
    path = "/api/v1/cases/{number}",
    tag = "cases",
    params(("number" = String, Path, description = "Case number")),
    request_body = CasePatch,
    responses(
        (status = 200, description = "The updated case", body = Case),
        (status = 400, description = "Invalid field", body = ErrorBody),
        (status = 404, description = "No such case", body = ErrorBody),
        (status = 409, description = "Stale version", body = ErrorBody),
    )
)]
pub async fn update_case(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(number): Path<String>,
    ApiJson(b): ApiJson<CasePatch>,
) -> Result<Json<Case>, ApiError> {
    let v = state
        .app
        .update_case(
            &actor,
            &number,
            b.version,
            &sanbao_app::cases::CaseEdit {
                subject: b.subject,
                description: b.description,
                priority: b.priority,
                desk_id: b.desk_id,
                assignee_id: b.assignee_id,
                tags: b.tags,
            },
        )
        .await?;
    Ok(Json(Case::new(v, state.cfg.timezone)))
}

#[derive(Deserialize, ToSchema)]
pub struct Transition {
    /// `in_progress`, `waiting_customer`, `resolved`, `closed` or `cancelled`.
    pub to: String,
    pub version: i64,
    #[serde(default)]
    pub note: String,
    /// Required to resolve: the solution as explained to the customer.
    #[serde(default)]
    pub resolution: String,
    /// Required to close: `satisfied`, `fair`, `unsatisfied` or `unreachable`, as confirmed
    /// with the customer.
    #[serde(default)]
    pub satisfaction: String,
    /// Required to close (unless unreachable): the precautions told to the customer.
    #[serde(default)]
    pub precautions: String,
}

/// Change a case's state; an illegal change is answered 422 with the reason.
#[utoipa::path(
    post,
    path = "/api/v1/cases/{number}/transitions",
    tag = "cases",
    params(("number" = String, Path, description = "Case number")),
    request_body = Transition,
    responses(
        (status = 200, description = "The case in its new state", body = Case),
        (status = 404, description = "No such case", body = ErrorBody),
        (status = 409, description = "Stale version", body = ErrorBody),
        (status = 422, description = "The transition is not allowed", body = ErrorBody),
    )
)]
pub async fn transition_case(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(number): Path<String>,
    ApiJson(b): ApiJson<Transition>,
) -> Result<Json<Case>, ApiError> {
    let v = state
        .app
        .transition_case_with(
            &actor,
            &number,
            &b.to,
            b.version,
            &b.note,
            &sanbao_app::cases::Closing {
                resolution: b.resolution,
                satisfaction: b.satisfaction,
                precautions: b.precautions,
            },
        )
        .await?;
    Ok(Json(Case::new(v, state.cfg.timezone)))
}

#[derive(Deserialize, ToSchema)]
pub struct NewNote {
    pub body: String,
    /// A message to the customer (default: an internal note).
    #[serde(default)]
    pub to_customer: bool,
}

/// Add an internal note or a message to the customer.
#[utoipa::path(
    post,
    path = "/api/v1/cases/{number}/notes",
    tag = "cases",
    params(("number" = String, Path, description = "Case number")),
    request_body = NewNote,
    responses(
        (status = 201, description = "Added"),
        (status = 400, description = "Empty or too long", body = ErrorBody),
        (status = 404, description = "No such case", body = ErrorBody),
    )
)]
pub async fn add_note(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(number): Path<String>,
    ApiJson(b): ApiJson<NewNote>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .add_case_note(&actor, &number, &b.body, b.to_customer)
        .await?;
    Ok(StatusCode::CREATED)
}

#[derive(Deserialize, ToSchema)]
pub struct ExceptionReport {
    /// What went wrong (up to 500 characters).
    pub reason: String,
}

/// Report a problem during service: the case is escalated to its desk's supervisor at once
/// (seed: 服务过程中出现问题立即报告主管).
#[utoipa::path(
    post,
    path = "/api/v1/cases/{number}/exception",
    tag = "cases",
    params(("number" = String, Path, description = "Case number")),
    request_body = ExceptionReport,
    responses(
        (status = 204, description = "Escalated"),
        (status = 400, description = "No reason, or too long", body = ErrorBody),
        (status = 404, description = "No such case", body = ErrorBody),
    )
)]
pub async fn report_exception(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(number): Path<String>,
    ApiJson(b): ApiJson<ExceptionReport>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .report_exception(&actor, &number, &b.reason)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct ExtendedServiceReport {
    /// The day of the service, `YYYY-MM-DD` (company time).
    pub date: String,
    /// `HH:MM`.
    pub start: String,
    /// `HH:MM`, after `start`.
    pub end: String,
    /// The customer was told beforehand (required by the regulations).
    pub customer_informed: bool,
    pub reason: String,
}

/// Report service given outside the service hours (seed 2.2): an entry on the case and a
/// notification to the desk's supervisor.
#[utoipa::path(
    post,
    path = "/api/v1/cases/{number}/extended-service",
    tag = "cases",
    params(("number" = String, Path, description = "Case number")),
    request_body = ExtendedServiceReport,
    responses(
        (status = 201, description = "Recorded"),
        (status = 400, description = "A field is missing or wrong", body = ErrorBody),
        (status = 404, description = "No such case", body = ErrorBody),
    )
)]
pub async fn report_extended_service(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(number): Path<String>,
    ApiJson(b): ApiJson<ExtendedServiceReport>,
) -> Result<StatusCode, ApiError> {
    let report = sanbao_domain::case::ExtendedService::parse(
        &b.date,
        &b.start,
        &b.end,
        b.customer_informed,
        &b.reason,
    )
    .map_err(sanbao_app::AppError::Invalid)?;
    state
        .app
        .report_extended_service(&actor, &number, &report)
        .await?;
    Ok(StatusCode::CREATED)
}
