//! Background jobs as an administrator sees them: how many wait or run, and the dead ones
//! with their last error and a retry button.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use sanbao_app::job::{JobCounts, JobView};

use crate::AppState;
use crate::error::PageError;
use crate::layout::{Layout, Section};
use crate::page::render;
use crate::session::Staff;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/settings/jobs", get(list))
        .route("/settings/jobs/{id}/retry", post(retry))
}

struct Row {
    id: i64,
    what: String,
    attempts: String,
    error: String,
    at: String,
}

#[derive(Template)]
#[template(path = "admin/jobs.html")]
struct JobsPage {
    layout: Layout,
    counts: JobCounts,
    dead: Vec<Row>,
}

fn row(layout: &Layout, j: JobView) -> Row {
    Row {
        id: j.id,
        what: j
            .work
            .map_or_else(|| j.kind.clone(), |w| layout.tr.text(&w.describe())),
        attempts: format!("{} / {}", j.attempts, j.max_attempts),
        error: j.last_error,
        at: layout.time(&j.updated_at),
    }
}

async fn list(State(state): State<AppState>, staff: Staff) -> Response {
    let tr = staff.tr;
    let jobs = state.app.jobs();
    let (counts, dead) = tokio::join!(
        jobs.counts(staff.actor()),
        jobs.list(staff.actor(), "dead", 100)
    );
    let (counts, dead) = match (counts, dead) {
        (Ok(c), Ok(d)) => (c, d),
        (Err(e), _) | (_, Err(e)) => return PageError::new(e, tr).into_response(),
    };
    let layout = Layout::new(
        &staff,
        Section::Settings,
        tr.t("settings.jobs"),
        state.cfg.timezone,
    );
    render(&JobsPage {
        counts,
        dead: dead.into_iter().map(|j| row(&layout, j)).collect(),
        layout,
    })
}

async fn retry(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>) -> Response {
    match state.app.jobs().retry(staff.actor(), id).await {
        Ok(()) => crate::flash::redirect(
            "/settings/jobs",
            crate::flash::Flash::JobRetried,
            state.cfg.secure_cookies,
        ),
        Err(e) => PageError::new(e, staff.tr).into_response(),
    }
}
