//! `/api/v1/customers/{id}/reveal`: a customer's whole phone and address, for a caller with
//! the personal-data permission; every call is an audit entry.

use axum::Json;
use axum::extract::{Path, State};
use sanbao_domain::CustomerId;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::{ApiActor, ApiQuery};
use crate::error::ErrorBody;
use crate::{ApiError, AppState};

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(reveal_customer))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RevealQuery {
    /// The case the data is needed for (recorded in the audit entry; must be one the caller
    /// may see, of this customer).
    pub case: Option<String>,
}

/// A customer's personal data, whole.
#[derive(Serialize, ToSchema)]
pub struct PersonalData {
    pub phone: String,
    pub address: String,
}

/// Reveal a customer's whole phone and address (audited: who, whose, which fields, for which
/// case). Everywhere else they are masked.
#[utoipa::path(
    post,
    path = "/api/v1/customers/{id}/reveal",
    tag = "customers",
    params(("id" = i64, Path, description = "The customer's id"), RevealQuery),
    responses(
        (status = 200, description = "The whole phone and address", body = PersonalData),
        (status = 400, description = "Bad path or query parameter", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "No personal-data permission", body = ErrorBody),
        (status = 404, description = "No such customer, or the case is not theirs", body = ErrorBody),
    )
)]
pub async fn reveal_customer(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<i64>,
    ApiQuery(q): ApiQuery<RevealQuery>,
) -> Result<Json<PersonalData>, ApiError> {
    let r = state
        .app
        .customers()
        .reveal(&actor, CustomerId(id), q.case.as_deref())
        .await?;
    Ok(Json(PersonalData {
        phone: r.phone,
        address: r.address,
    }))
}
