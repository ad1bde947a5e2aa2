//! `/api/v1/me`: who the token acts as.

use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::ApiActor;
use crate::error::ErrorBody;
use crate::{ApiError, AppState};

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_me))
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub id: Option<i64>,
    pub username: String,
    pub display_name: String,
    /// Role codes, e.g. `agent`.
    pub roles: Vec<String>,
    /// Permission codes, e.g. `case.read`.
    pub permissions: Vec<String>,
}

/// The account the token belongs to, with its roles and permissions.
#[utoipa::path(
    get,
    path = "/api/v1/me",
    tag = "me",
    responses(
        (status = 200, description = "The caller", body = Me),
        (status = 401, description = "No valid token", body = ErrorBody),
    )
)]
pub async fn get_me(ApiActor(a): ApiActor) -> Result<Json<Me>, ApiError> {
    Ok(Json(Me {
        id: a.user_id.map(|u| u.0),
        username: a.username,
        display_name: a.display_name,
        roles: a.roles.iter().map(|r| r.code().to_owned()).collect(),
        permissions: a.permissions.iter().map(|p| p.code().to_owned()).collect(),
    }))
}
