//! The signed-in user's own settings: language, password.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use sanbao_app::AppError;
use sanbao_domain::FieldError;
use serde::Deserialize;

use crate::AppState;
use crate::error::PageError;
use crate::form::FormData;
use crate::layout::{Layout, Section};
use crate::page::{render, render_status};
use crate::session::{Staff, set_cookie};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/me", get(show))
        .route("/me/lang", post(set_lang))
        .route("/me/password", get(password_form).post(change_password))
}

#[derive(Template)]
#[template(path = "auth/me.html")]
struct MePage {
    layout: Layout,
    lang: &'static str,
}

#[derive(Deserialize)]
struct Notice {
    saved: Option<String>,
}

async fn show(State(state): State<AppState>, staff: Staff, Query(n): Query<Notice>) -> Response {
    let tr = staff.tr;
    let notice = n.saved.as_deref().map(|_| tr.t("notice.saved"));
    let layout =
        Layout::new(&staff, Section::Me, tr.t("me.title"), state.cfg.timezone).with_notice(notice);
    render(&MePage {
        layout,
        lang: staff.actor().lang.code(),
    })
}

async fn set_lang(
    State(state): State<AppState>,
    staff: Staff,
    Form(f): Form<FormData>,
) -> Response {
    let lang = f.get("lang");
    match state.app.auth().set_lang(staff.actor(), lang).await {
        Ok(()) => {
            let mut res = Redirect::to("/me?saved=1").into_response();
            res.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(
                    "sanbao_lang",
                    lang,
                    Some(365 * 86400),
                    state.cfg.secure_cookies,
                ),
            );
            res
        }
        Err(e) => PageError::new(e, staff.tr).into_response(),
    }
}

#[derive(Template)]
#[template(path = "auth/password.html")]
struct PasswordPage {
    layout: Layout,
    forced: bool,
    errors: Vec<FieldError>,
}

impl PasswordPage {
    fn error(&self, field: &str) -> Option<String> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| self.layout.tr.text(&e.message))
    }
}

async fn password_form(State(state): State<AppState>, staff: Staff) -> Response {
    let layout = Layout::new(
        &staff,
        Section::Me,
        staff.tr.t("password.title"),
        state.cfg.timezone,
    );
    render(&PasswordPage {
        layout,
        forced: staff.session.must_change_password,
        errors: Vec::new(),
    })
}

async fn change_password(
    State(state): State<AppState>,
    staff: Staff,
    Form(f): Form<FormData>,
) -> Response {
    let new = f.get("password");
    let result = if new != f.get("password_confirm") {
        Err(AppError::invalid(
            "password_confirm",
            "mismatch",
            sanbao_domain::text!("user.password_mismatch"),
        ))
    } else {
        state
            .app
            .auth()
            .change_password(
                staff.actor(),
                f.get("current_password"),
                new,
                Some(&staff.token),
            )
            .await
    };
    match result {
        Ok(()) => crate::flash::redirect(
            "/",
            crate::flash::Flash::PasswordChanged,
            state.cfg.secure_cookies,
        ),
        Err(AppError::Invalid(errs)) => {
            let layout = Layout::new(
                &staff,
                Section::Me,
                staff.tr.t("password.title"),
                state.cfg.timezone,
            );
            render_status(
                StatusCode::BAD_REQUEST,
                &PasswordPage {
                    layout,
                    forced: staff.session.must_change_password,
                    errors: errs.0,
                },
            )
        }
        Err(e) => PageError::new(e, staff.tr).into_response(),
    }
}
