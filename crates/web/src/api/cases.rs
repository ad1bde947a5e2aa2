//! `/api/v1/cases`. The case model arrives with the cases work; until then the list is empty,
//! and the route exists so authentication and permissions are tested on a real route.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use sanbao_domain::role::Permission;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiActor, ApiQuery, page_limit};
use crate::error::ErrorBody;
use crate::{ApiError, AppState};

/// One case in a list.
#[derive(Serialize, ToSchema)]
pub struct CaseSummary {
    /// Human number, e.g. `CP-2026-000123`.
    pub number: String,
    /// `return`, `repair`, `maintenance`, `complaint` or `inquiry`.
    pub kind: String,
    pub state: String,
    pub subject: String,
    pub received_at: DateTime<Utc>,
}

/// A page of cases.
#[derive(Serialize, ToSchema)]
pub struct CaseList {
    pub items: Vec<CaseSummary>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Deserialize, IntoParams)]
pub struct CaseListParams {
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
}

/// List cases visible to the caller.
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
    State(_state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(p): ApiQuery<CaseListParams>,
) -> Result<Json<CaseList>, ApiError> {
    actor.require(Permission::CaseRead)?;
    page_limit(p.limit)?;
    // No page has been handed out yet, so no cursor can be valid.
    if p.cursor.as_deref().is_some_and(|c| !c.is_empty()) {
        return Err(ApiError(sanbao_app::AppError::invalid(
            "cursor",
            "invalid",
            "cursor 无效",
        )));
    }
    Ok(Json(CaseList {
        items: Vec::new(),
        next_cursor: None,
    }))
}
