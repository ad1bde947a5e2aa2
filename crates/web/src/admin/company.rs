//! The company's name (设置 → 公司名称): the first step of the first-run checklist.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::{Form, Router, routing::post};
use sanbao_app::AppError;

use crate::AppState;
use crate::error::PageError;
use crate::flash::{self, Flash};
use crate::form::FormData;
use crate::session::Staff;

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/settings/company", post(save))
}

async fn save(State(state): State<AppState>, staff: Staff, Form(f): Form<FormData>) -> Response {
    let name = f.get("company_name");
    match state
        .app
        .setup()
        .set_company_name(staff.actor(), name)
        .await
    {
        Ok(()) => flash::redirect("/", Flash::Saved, state.cfg.secure_cookies),
        Err(AppError::Invalid(errs)) => {
            super::index_page(
                &state,
                &staff,
                name,
                Some(crate::form::Errors::new(staff.tr, errs.0)),
            )
            .await
        }
        Err(e) => PageError::new(e, staff.tr).into_response(),
    }
}
