//! Service hours per desk (设置 → 服务时间).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use sanbao_app::AppError;
use sanbao_app::admin::desks::Desk;
use sanbao_domain::DeskId;
use sanbao_domain::hours::{Preset, ServiceHours, parse_intervals};
use sanbao_domain::{FieldError, FieldErrors};

use crate::AppState;
use crate::error::PageError;
use crate::form::FormData;
use crate::layout::{Layout, Section};
use crate::page::{render, render_status};
use crate::session::Staff;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/settings/hours", get(list))
        .route("/settings/hours/{desk}", get(edit).post(save))
}

pub(super) const WEEKDAYS: [&str; 7] = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];
pub(super) const WEEKDAYS_EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// `09:00-12:00, 13:30-18:00` for each weekday.
fn week_text(h: &ServiceHours) -> Vec<String> {
    h.week
        .iter()
        .map(|d| {
            d.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        })
        .collect()
}

struct DeskHours {
    desk: Desk,
    days: Vec<String>,
    holidays: bool,
}

#[derive(Template)]
#[template(path = "admin/hours.html")]
struct HoursList {
    layout: Layout,
    desks: Vec<DeskHours>,
    weekdays: [&'static str; 7],
}

async fn list(State(state): State<AppState>, staff: Staff) -> Response {
    let tr = staff.tr;
    let desks = match state.app.desks().list(staff.actor()).await {
        Ok(d) => d,
        Err(e) => return PageError::new(e, tr).into_response(),
    };
    let stored = match state.app.desks().all_hours().await {
        Ok(h) => h,
        Err(e) => return PageError::new(e, tr).into_response(),
    };
    let desks = desks
        .into_iter()
        .map(|desk| {
            let h = stored
                .iter()
                .find(|(id, _, _)| *id == desk.id)
                .map_or_else(ServiceHours::default, |(_, h, _)| h.clone());
            DeskHours {
                days: week_text(&h),
                holidays: h.works_on_statutory_holidays,
                desk,
            }
        })
        .collect();
    let layout = Layout::new(
        &staff,
        Section::Settings,
        tr.t("settings.hours"),
        state.cfg.timezone,
    );
    render(&HoursList {
        layout,
        desks,
        weekdays: if tr.is_en() { WEEKDAYS_EN } else { WEEKDAYS },
    })
}

struct PresetOption {
    code: &'static str,
    label: &'static str,
}

#[derive(Template)]
#[template(path = "admin/hours_form.html")]
struct HoursForm {
    layout: Layout,
    desk: Desk,
    days: Vec<(&'static str, String)>,
    holidays: bool,
    version: i64,
    presets: Vec<PresetOption>,
    errors: Vec<FieldError>,
}

async fn form(
    state: &AppState,
    staff: &Staff,
    desk_id: DeskId,
    shown: Option<(Vec<String>, bool, i64)>,
    errors: Vec<FieldError>,
) -> Response {
    let tr = staff.tr;
    let desk = match state.app.desks().get(staff.actor(), desk_id).await {
        Ok(d) => d,
        Err(e) => return PageError::new(e, tr).into_response(),
    };
    let (days, holidays, version) = match shown {
        Some(s) => s,
        None => match state.app.desks().hours(desk_id).await {
            Ok((h, v)) => (week_text(&h), h.works_on_statutory_holidays, v),
            Err(e) => return PageError::new(e, tr).into_response(),
        },
    };
    let names = if tr.is_en() { WEEKDAYS_EN } else { WEEKDAYS };
    let title = format!("{} · {}", tr.t("settings.hours"), desk.name);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let layout = Layout::new(staff, Section::Settings, &title, state.cfg.timezone);
    render_status(
        status,
        &HoursForm {
            layout,
            desk,
            days: names.into_iter().zip(days).collect(),
            holidays,
            version,
            presets: Preset::ALL
                .iter()
                .map(|p| PresetOption {
                    code: p.code(),
                    label: p.label_zh(),
                })
                .collect(),
            errors,
        },
    )
}

async fn edit(State(state): State<AppState>, staff: Staff, Path(desk): Path<i64>) -> Response {
    form(&state, &staff, DeskId(desk), None, Vec::new()).await
}

async fn save(
    State(state): State<AppState>,
    staff: Staff,
    Path(desk): Path<i64>,
    Form(f): Form<FormData>,
) -> Response {
    let desk = DeskId(desk);
    let version = f.version();
    let (hours, days) = match Preset::from_code(f.get("preset")) {
        Some(p) => {
            let h = p.hours();
            let days = week_text(&h);
            (Ok(h), days)
        }
        None => {
            let days: Vec<String> = (0..7)
                .map(|i| f.get(&format!("day{i}")).to_owned())
                .collect();
            let mut errs = FieldErrors::default();
            let week: Vec<_> = days
                .iter()
                .enumerate()
                .map(|(i, d)| {
                    errs.check(parse_intervals(d).map_err(|e| FieldError {
                        message: sanbao_domain::text!(
                            "hours.on_day",
                            day = sanbao_domain::text::Arg::Label(WEEKDAYS[i], WEEKDAYS_EN[i]),
                            msg = e.message.clone()
                        ),
                        ..e
                    }))
                    .unwrap_or_default()
                })
                .collect();
            let hours = match (errs.into_result(), <[_; 7]>::try_from(week)) {
                (Ok(()), Ok(week)) => Ok(ServiceHours {
                    week,
                    works_on_statutory_holidays: f.checked("holidays"),
                }),
                (Err(e), _) => Err(AppError::Invalid(e)),
                (_, Err(_)) => Err(AppError::fault("week of 7 days")),
            };
            (hours, days)
        }
    };
    let holidays = hours
        .as_ref()
        .map_or(f.checked("holidays"), |h| h.works_on_statutory_holidays);
    let result = match hours {
        Ok(h) => {
            state
                .app
                .desks()
                .set_hours(staff.actor(), desk, h, version)
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => crate::flash::redirect(
            "/settings/hours",
            crate::flash::Flash::Saved,
            state.cfg.secure_cookies,
        ),
        Err(AppError::Invalid(errs)) => {
            form(
                &state,
                &staff,
                desk,
                Some((days, holidays, version)),
                errs.0,
            )
            .await
        }
        Err(e) => PageError::new(e, staff.tr).into_response(),
    }
}
