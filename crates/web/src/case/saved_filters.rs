//! Saving and deleting one's queue filters (shown beside the queues on the case list).

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Form, Router};

use crate::AppState;
use crate::error::PageError;
use crate::flash::{self, Flash};
use crate::form::FormData;
use crate::session::Staff;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/cases/filters", post(save))
        .route("/cases/filters/{id}/delete", post(delete))
}

async fn save(State(state): State<AppState>, staff: Staff, Form(f): Form<FormData>) -> Response {
    match state
        .app
        .cases()
        .save_filter(staff.actor(), f.get("name"), f.get("query"))
        .await
    {
        Ok(saved) => flash::redirect(
            &format!("/cases?{}", saved.query),
            Flash::FilterSaved,
            state.cfg.secure_cookies,
        ),
        Err(e) => PageError::new(e, staff.tr).into_response(),
    }
}

async fn delete(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>) -> Response {
    match state.app.cases().delete_filter(staff.actor(), id).await {
        Ok(()) => flash::redirect("/cases", Flash::FilterDeleted, state.cfg.secure_cookies),
        Err(e) => PageError::new(e, staff.tr).into_response(),
    }
}
