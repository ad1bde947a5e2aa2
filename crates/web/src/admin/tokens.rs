//! API tokens (设置 → API 令牌).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use sanbao_app::AppError;
use sanbao_app::admin::tokens::Token;
use sanbao_app::admin::users::{UserQuery, UserView};
use serde::Deserialize;

use crate::AppState;
use crate::error::{PageError, classify};
use crate::form::FormData;
use crate::layout::{Layout, Section};
use crate::page::render_status;
use crate::session::Staff;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/settings/tokens", get(list).post(create))
        .route("/settings/tokens/{id}/revoke", post(revoke))
}

#[derive(Template)]
#[template(path = "admin/tokens.html")]
struct TokensPage {
    layout: Layout,
    tokens: Vec<Token>,
    users: Vec<UserView>,
    /// Shown once, right after creation.
    created: Option<String>,
    error: Option<String>,
    name: String,
}

#[derive(Deserialize)]
struct Notice {
    notice: Option<String>,
}

async fn page(
    state: &AppState,
    staff: &Staff,
    status: StatusCode,
    created: Option<String>,
    error: Option<String>,
    name: String,
    notice: Option<&str>,
) -> Response {
    let tr = staff.tr;
    let tokens = match state.app.tokens().list(staff.actor()).await {
        Ok(t) => t,
        Err(e) => return PageError::new(e, tr).into_response(),
    };
    let users = match state
        .app
        .users()
        .list(
            staff.actor(),
            UserQuery {
                active: Some(true),
                ..Default::default()
            },
            500,
        )
        .await
    {
        Ok(p) => p.users,
        // Token managers without user management may only make tokens for themselves.
        Err(AppError::Forbidden(_)) => Vec::new(),
        Err(e) => return PageError::new(e, tr).into_response(),
    };
    let layout = Layout::new(
        staff,
        Section::Settings,
        tr.t("settings.tokens"),
        state.cfg.timezone,
    )
    .with_notice(notice);
    render_status(
        status,
        &TokensPage {
            layout,
            tokens,
            users,
            created,
            error,
            name,
        },
    )
}

async fn list(State(state): State<AppState>, staff: Staff, Query(n): Query<Notice>) -> Response {
    let notice = n
        .notice
        .as_deref()
        .map(|_| staff.tr.t("notice.token_revoked"));
    page(
        &state,
        &staff,
        StatusCode::OK,
        None,
        None,
        String::new(),
        notice,
    )
    .await
}

async fn create(State(state): State<AppState>, staff: Staff, Form(f): Form<FormData>) -> Response {
    let user_id = f
        .opt_id("user_id")
        .or(staff.actor().user_id)
        .unwrap_or(sanbao_domain::UserId(0));
    let name = f.get("name").to_owned();
    match state
        .app
        .tokens()
        .create(staff.actor(), user_id, &name)
        .await
    {
        Ok(t) => {
            let notice = Some(staff.tr.t("notice.token_created"));
            page(
                &state,
                &staff,
                StatusCode::OK,
                Some(t.token),
                None,
                String::new(),
                notice,
            )
            .await
        }
        Err(e @ AppError::Invalid(_)) => {
            let (status, _, msg, _) = classify(&e, staff.tr);
            page(&state, &staff, status, None, Some(msg), name, None).await
        }
        Err(e) => PageError::new(e, staff.tr).into_response(),
    }
}

async fn revoke(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>) -> Response {
    match state.app.tokens().revoke(staff.actor(), id).await {
        Ok(()) => Redirect::to("/settings/tokens?notice=revoked").into_response(),
        Err(e) => PageError::new(e, staff.tr).into_response(),
    }
}
