//! `/api/v1/cases/{number}/costs`: a case's cost ledger.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use sanbao_app::case::Ledger;
use sanbao_domain::case::CostForm;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::{ApiActor, ApiJson};
use crate::error::ErrorBody;
use crate::{ApiError, AppState};

/// A cost to add: `kind` freight | handling | repair | parts, `amount_fen` (> 0), `payer`
/// company | customer | supplier. A cost the case's policy makes the company bear cannot be
/// charged to the customer (400 on `payer`).
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct NewCostBody {
    pub kind: String,
    pub amount_fen: i64,
    pub payer: String,
    pub note: String,
}

#[derive(Serialize, ToSchema)]
pub struct CostOut {
    pub kind: String,
    pub amount_fen: i64,
    pub payer: String,
    pub note: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub created_by: String,
}

/// The ledger with the totals per payer.
#[derive(Serialize, ToSchema)]
pub struct LedgerOut {
    pub costs: Vec<CostOut>,
    /// `payer` → fen.
    pub totals: std::collections::BTreeMap<String, i64>,
}

impl From<Ledger> for LedgerOut {
    fn from(l: Ledger) -> Self {
        LedgerOut {
            costs: l
                .costs
                .into_iter()
                .map(|c| CostOut {
                    kind: c.kind.code().to_owned(),
                    amount_fen: c.amount_fen,
                    payer: c.payer.code().to_owned(),
                    note: c.note,
                    created_at: c.created_at,
                    created_by: c.created_by_name,
                })
                .collect(),
            totals: l
                .totals
                .into_iter()
                .map(|(p, fen)| (p.code().to_owned(), fen))
                .collect(),
        }
    }
}

/// Add a cost to a case's ledger.
#[utoipa::path(
    post,
    path = "/api/v1/cases/{number}/costs",
    tag = "cases",
    request_body = NewCostBody,
    params(("number" = String, Path, description = "Case number")),
    responses(
        (status = 201, description = "The ledger with the cost", body = LedgerOut),
        (status = 400, description = "A field is wrong (`kind`, `amount`, `payer`; `payer` when the policy makes the company bear the cost)", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "The role lacks case.write (a technician: on the cases dispatched to them)", body = ErrorBody),
        (status = 404, description = "No such case visible to the caller", body = ErrorBody),
    )
)]
pub async fn add_cost(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(number): Path<String>,
    ApiJson(b): ApiJson<NewCostBody>,
) -> Result<(StatusCode, Json<LedgerOut>), ApiError> {
    let form = CostForm {
        kind: b.kind,
        amount: if b.amount_fen < 0 {
            "-".into()
        } else {
            sanbao_domain::product::yuan(b.amount_fen)
        },
        payer: b.payer,
        note: b.note,
    };
    let ledger = state.app.cases().add_cost(&actor, &number, &form).await?;
    Ok((StatusCode::CREATED, Json(ledger.into())))
}

/// A case's cost ledger.
#[utoipa::path(
    get,
    path = "/api/v1/cases/{number}/costs",
    tag = "cases",
    params(("number" = String, Path, description = "Case number")),
    responses(
        (status = 200, description = "The ledger", body = LedgerOut),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "The role lacks case.read", body = ErrorBody),
        (status = 404, description = "No such case visible to the caller", body = ErrorBody),
    )
)]
pub async fn get_costs(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(number): Path<String>,
) -> Result<Json<LedgerOut>, ApiError> {
    let ledger = state.app.cases().ledger(&actor, &number).await?;
    Ok(Json(ledger.into()))
}
