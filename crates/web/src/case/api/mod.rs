//! `/api/v1/cases`: service cases.

mod attachments;
mod costs;
mod model;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use sanbao_app::case::{CaseQuery, Closing};
use sanbao_domain::case::{CaseEditForm, ExtendedService, NewCaseForm, StepForm};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::{ApiActor, ApiJson, ApiQuery, page_limit, upload_limit};
use crate::error::ErrorBody;
use crate::{ApiError, AppState};

pub(crate) use model::*;

/// The case routes, with their OpenAPI paths.
pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_cases, create_case))
        .routes(routes!(get_case, update_case))
        .routes(routes!(transition_case))
        .routes(routes!(add_note))
        .routes(routes!(record_step))
        .routes(routes!(costs::add_cost, costs::get_costs))
        .routes(routes!(report_exception))
        .routes(routes!(report_extended_service))
        .routes(upload_limit(routes!(
            attachments::list_attachments,
            attachments::upload_attachment
        )))
        .routes(routes!(attachments::get_attachment))
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
        let found = state.app.cases().search(&actor, q, limit).await?;
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
        Some(q) => Some(q.parse().map_err(sanbao_app::AppError::from)?),
    };
    let page = state
        .app
        .cases()
        .list(
            &actor,
            CaseQuery {
                queue,
                kind: p.kind,
                state: p.state,
                channel: p.channel,
                desk_id: p.desk_id.map(Into::into),
                assignee_id: p.assignee_id.map(Into::into),
                customer_id: p.customer_id.map(Into::into),
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
        (status = 403, description = "The role lacks case.write (a `window_override`: case.supervise)", body = ErrorBody),
        (status = 422, description = "A return outside the unit's windows (`return_window_closed`, with the closing date) without a supervisor's `window_override` or an unrepairable repair of the unit", body = ErrorBody),
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
        .cases()
        .open(&actor, &NewCaseForm::from(b), key)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(Case::new(view, state.cfg.timezone)),
    ))
}

/// Record a step of the case's kind (goods received back, technician dispatched …): an event
/// the policy's clocks start or stop at. The answer is the case with its clocks; the clock
/// the step stops is `met`.
#[utoipa::path(
    post,
    path = "/api/v1/cases/{number}/steps",
    tag = "cases",
    request_body = NewStep,
    params(("number" = String, Path, description = "Case number")),
    responses(
        (status = 200, description = "The case with its clocks", body = Case),
        (status = 400, description = "Not a step of this case now (`step`: unknown, already, not_started, needs, ended), or a fact missing or wrong (`outcome`: declined, refused, accepted; `refund`, `new_serial`, `technician_id`, `slot`, `cause` …); the error names the field", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "The role lacks case.write (a return's approval: case.supervise; a technician records arrived, repair_completed, unrepairable on the cases dispatched to them)", body = ErrorBody),
        (status = 404, description = "No such case visible to the caller", body = ErrorBody),
        (status = 409, description = "`new_serial` is registered already", body = ErrorBody),
    )
)]
pub async fn record_step(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(number): Path<String>,
    ApiJson(b): ApiJson<NewStep>,
) -> Result<Json<Case>, ApiError> {
    let view = state
        .app
        .cases()
        .step(&actor, &number, &StepForm::from(b), None)
        .await?;
    Ok(Json(Case::new(view, state.cfg.timezone)))
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
    let detail = state.app.cases().get(&actor, &number).await?;
    Ok(Json(CaseDetail {
        case: Case::new(detail.case, state.cfg.timezone),
        timeline: detail
            .timeline
            .into_iter()
            .map(TimelineEntry::from)
            .collect(),
    }))
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
        .cases()
        .update(
            &actor,
            &number,
            b.version,
            &CaseEditForm {
                subject: b.subject,
                description: b.description,
                priority: b.priority,
                desk_id: b.desk_id.map(|d| d.map(Into::into)),
                assignee_id: b.assignee_id.map(|a| a.map(Into::into)),
                tags: b.tags,
            },
        )
        .await?;
    Ok(Json(Case::new(v, state.cfg.timezone)))
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
        .cases()
        .transition(
            &actor,
            &number,
            &b.to,
            b.version,
            &b.note,
            &Closing {
                resolution: b.resolution,
                satisfaction: b.satisfaction,
                precautions: b.precautions,
            },
        )
        .await?;
    Ok(Json(Case::new(v, state.cfg.timezone)))
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
        .cases()
        .note(&actor, &number, &b.body, b.to_customer)
        .await?;
    Ok(StatusCode::CREATED)
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
        .cases()
        .report_exception(&actor, &number, &b.reason)
        .await?;
    Ok(StatusCode::NO_CONTENT)
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
    let report = ExtendedService::parse(&b.date, &b.start, &b.end, b.customer_informed, &b.reason)
        .map_err(sanbao_app::AppError::Invalid)?;
    state
        .app
        .cases()
        .report_extended_service(&actor, &number, &report)
        .await?;
    Ok(StatusCode::CREATED)
}
