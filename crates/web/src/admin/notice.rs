//! The State Council's holiday notice, pasted as text (设置 → 工作日历 → 贴入通知): read, set
//! beside the law's provisional year with every difference marked, loaded on confirmation.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::{Form, Router};
use chrono::Datelike;
use sanbao_app::AppError;
use sanbao_app::admin::calendar::NoticePreview;
use sanbao_domain::calendar::law::Mark;

use super::hours::{WEEKDAYS, WEEKDAYS_EN};
use crate::AppState;
use crate::error::{PageError, classify};
use crate::form::FormData;
use crate::layout::{Layout, Section};
use crate::page::render_status;
use crate::session::Staff;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/settings/calendar/notice", post(read))
        .route("/settings/calendar/notice/load", post(load))
}

/// One day of the comparison as shown.
struct Row {
    date: String,
    weekday: &'static str,
    law: String,
    notice: String,
    differs: bool,
}

struct Shown {
    year: i32,
    source: String,
    rows: Vec<Row>,
    off_days: usize,
    makeup_days: usize,
    differences: usize,
    /// The source of the year it replaces, if one is loaded.
    replaces: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/calendar_notice.html")]
struct NoticePage {
    layout: Layout,
    text: String,
    errors: Vec<String>,
    preview: Option<Shown>,
}

fn shown(staff: &Staff, p: NoticePreview, replaces: Option<String>) -> Shown {
    let tr = staff.tr;
    let side = |mark: Mark, name: Option<String>| match name {
        Some(n) if !matches!(mark, Mark::Workday | Mark::Weekend) => {
            format!("{}（{n}）", tr.t(mark.label_key()))
        }
        _ => tr.t(mark.label_key()).to_owned(),
    };
    let days = if tr.is_en() { WEEKDAYS_EN } else { WEEKDAYS };
    Shown {
        year: p.schedule.year,
        off_days: p.schedule.days.iter().filter(|d| d.off).count(),
        makeup_days: p.schedule.days.iter().filter(|d| !d.off).count(),
        differences: p.days.iter().filter(|r| r.differs).count(),
        source: p.schedule.source,
        rows: p
            .days
            .into_iter()
            .map(|r| Row {
                date: r.date.to_string(),
                weekday: days[r.date.weekday().num_days_from_monday() as usize],
                law: side(r.law, r.law_name),
                notice: side(r.notice, r.notice_name),
                differs: r.differs,
            })
            .collect(),
        replaces,
    }
}

fn page(
    staff: &Staff,
    state: &AppState,
    status: StatusCode,
    text: String,
    errors: Vec<String>,
    preview: Option<Shown>,
) -> Response {
    let layout = Layout::new(
        staff,
        Section::Settings,
        staff.tr.t("calendar.notice_title"),
        state.cfg.timezone,
    );
    render_status(
        status,
        &NoticePage {
            layout,
            text,
            errors,
            preview,
        },
    )
}

/// Read the pasted notice and show it beside the law; nothing is loaded.
async fn read(State(state): State<AppState>, staff: Staff, Form(f): Form<FormData>) -> Response {
    let text = f.get("notice").to_owned();
    let calendar = state.app.calendar();
    match calendar.read_notice(staff.actor(), &text) {
        Ok(p) => {
            let replaces = match calendar.years().await {
                Ok(years) => years
                    .into_iter()
                    .find(|y| y.year == p.schedule.year)
                    .map(|y| y.source),
                Err(e) => return PageError::new(e, staff.tr).into_response(),
            };
            let shown = shown(&staff, p, replaces);
            page(
                &staff,
                &state,
                StatusCode::OK,
                text,
                Vec::new(),
                Some(shown),
            )
        }
        Err(AppError::Invalid(errs)) => {
            let errors = errs.0.iter().map(|e| staff.tr.text(&e.message)).collect();
            page(&staff, &state, StatusCode::BAD_REQUEST, text, errors, None)
        }
        Err(e) => PageError::new(e, staff.tr).into_response(),
    }
}

/// Load the notice the administrator saw beside the law.
async fn load(State(state): State<AppState>, staff: Staff, Form(f): Form<FormData>) -> Response {
    let text = f.get("notice").to_owned();
    match state
        .app
        .calendar()
        .import_notice(staff.actor(), &text)
        .await
    {
        Ok(y) => Redirect::to(&format!(
            "/settings/calendar?year={}&notice=imported",
            y.year
        ))
        .into_response(),
        Err(e @ AppError::Invalid(_)) => {
            let msg = classify(&e, staff.tr).2;
            page(
                &staff,
                &state,
                StatusCode::BAD_REQUEST,
                text,
                vec![msg],
                None,
            )
        }
        Err(e) => PageError::new(e, staff.tr).into_response(),
    }
}
