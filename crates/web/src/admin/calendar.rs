//! The working-day calendar (设置 → 工作日历): a year at a glance, company days, imports.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::{Datelike, NaiveDate, Utc};
use sanbao_app::AppError;
use sanbao_app::admin::calendar::{CompanyDay, YearInfo};
use sanbao_domain::calendar::{Calendar, DayKind, law};
use sanbao_domain::role::Permission;
use serde::Deserialize;

use crate::AppState;
use crate::error::{PageError, classify};
use crate::form::FormData;
use crate::i18n::Tr;
use crate::layout::{Layout, Section};
use crate::page::render_status;
use crate::session::Staff;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/settings/calendar", get(show))
        .route("/settings/calendar/override", post(set_override))
        .route("/settings/calendar/override/delete", post(delete_override))
        .route("/settings/calendar/import", post(import))
}

pub(crate) struct DayCell {
    pub day: u32,
    pub class: &'static str,
    pub title: String,
}

pub(crate) struct Month {
    pub label: String,
    pub weeks: Vec<Vec<Option<DayCell>>>,
}

/// Twelve month grids of `year`, each day classed by its kind; a provisional year's holidays
/// (from the law) are marked as such.
pub(crate) fn months(cal: &Calendar, year: i32, tr: Tr) -> Vec<Month> {
    let en = tr.is_en();
    let provisional = !cal.is_loaded(year) && law::holidays(year).is_some();
    (1..=12u32)
        .filter_map(|m| {
            let first = NaiveDate::from_ymd_opt(year, m, 1)?;
            let mut weeks = Vec::new();
            let mut week: Vec<Option<DayCell>> = (0..first.weekday().num_days_from_monday())
                .map(|_| None)
                .collect();
            for d in first.iter_days().take_while(|d| d.month() == m) {
                let kind = cal.day_kind(d);
                let (class, title) = match kind {
                    DayKind::Weekday => ("work", String::new()),
                    DayKind::Weekend => ("weekend", String::new()),
                    DayKind::StatutoryHoliday(n) if provisional => (
                        "holiday prov",
                        format!("{n} · {}", tr.t("calendar.provisional_day")),
                    ),
                    DayKind::StatutoryHoliday(n) => ("holiday", n),
                    DayKind::MakeupWorkday(n) => ("makeup", n),
                    DayKind::CompanyDayOff(n) => ("company-off", n),
                    DayKind::CompanyWorkday(n) => ("company-on", n),
                };
                week.push(Some(DayCell {
                    day: d.day(),
                    class,
                    title,
                }));
                if week.len() == 7 {
                    weeks.push(std::mem::take(&mut week));
                }
            }
            if !week.is_empty() {
                week.resize_with(7, || None);
                weeks.push(week);
            }
            Some(Month {
                label: if en {
                    first.format("%B").to_string()
                } else {
                    format!("{m} 月")
                },
                weeks,
            })
        })
        .collect()
}

#[derive(Template)]
#[template(path = "admin/calendar.html")]
struct CalendarPage {
    layout: Layout,
    year: i32,
    loaded: bool,
    source: String,
    months: Vec<Month>,
    workdays: usize,
    overrides: Vec<CompanyDay>,
    years: Vec<YearInfo>,
    can_edit: bool,
    /// One line per provisional year the administrator should load: the year shown, this year,
    /// and from October (when the State Council usually publishes) the next year.
    banners: Vec<String>,
    error: Option<String>,
    form_date: String,
    form_note: String,
}

#[derive(Deserialize)]
struct YearQuery {
    year: Option<i32>,
    notice: Option<String>,
}

async fn page(
    state: &AppState,
    staff: &Staff,
    year: i32,
    status: StatusCode,
    error: Option<String>,
    notice: Option<&str>,
    form: (String, String),
) -> Response {
    let tr = staff.tr;
    let year = year.clamp(1990, 2100);
    let (cal, overrides, years) = match (
        state.app.calendar().current().await,
        state.app.calendar().company_days().await,
        state.app.calendar().years().await,
    ) {
        (Ok(c), Ok(o), Ok(y)) => (c, o, y),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => {
            return PageError::new(e, tr).into_response();
        }
    };
    let start = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default();
    let end = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or_default();
    let source = years
        .iter()
        .find(|y| y.year == year)
        .map(|y| y.source.clone())
        .unwrap_or_default();
    let title = format!("{} · {year}", tr.t("settings.calendar"));
    let layout =
        Layout::new(staff, Section::Settings, &title, state.cfg.timezone).with_notice(notice);
    render_status(
        status,
        &CalendarPage {
            layout,
            year,
            loaded: cal.is_loaded(year),
            source,
            months: months(&cal, year, tr),
            banners: provisional_banners(&cal, year, today(state), tr),
            workdays: cal.workdays(start, end).count(),
            overrides,
            years,
            can_edit: staff.actor().can(Permission::SettingsManage),
            error,
            form_date: form.0,
            form_note: form.1,
        },
    )
}

fn today(state: &AppState) -> NaiveDate {
    Utc::now().with_timezone(&state.cfg.timezone).date_naive()
}

fn this_year(state: &AppState) -> i32 {
    today(state).year()
}

fn provisional_banners(cal: &Calendar, shown: i32, today: NaiveDate, tr: Tr) -> Vec<String> {
    let mut years = vec![shown, today.year()];
    if today.month() >= 10 {
        years.push(today.year() + 1);
    }
    years.sort_unstable();
    years.dedup();
    years
        .into_iter()
        .filter(|y| !cal.is_loaded(*y) && law::holidays(*y).is_some())
        .map(|y| {
            tr.t("calendar.provisional_banner")
                .replace("{year}", &y.to_string())
        })
        .collect()
}

async fn show(State(state): State<AppState>, staff: Staff, Query(q): Query<YearQuery>) -> Response {
    let notice = q.notice.as_deref().map(|n| match n {
        "imported" => staff.tr.t("calendar.imported"),
        _ => staff.tr.t("notice.saved"),
    });
    let year = q.year.unwrap_or_else(|| this_year(&state));
    page(
        &state,
        &staff,
        year,
        StatusCode::OK,
        None,
        notice,
        Default::default(),
    )
    .await
}

fn year_of(date: &str, fallback: i32) -> i32 {
    date.trim()
        .parse::<NaiveDate>()
        .map_or(fallback, |d| d.year())
}

async fn set_override(
    State(state): State<AppState>,
    staff: Staff,
    Form(f): Form<FormData>,
) -> Response {
    let date = f.get("date").to_owned();
    let note = f.get("note").to_owned();
    let working = f.get("working") == "on_duty";
    let year = year_of(&date, this_year(&state));
    match state
        .app
        .calendar()
        .set_company_day(staff.actor(), &date, working, &note)
        .await
    {
        Ok(()) => {
            Redirect::to(&format!("/settings/calendar?year={year}&notice=saved")).into_response()
        }
        Err(e @ AppError::Invalid(_)) => {
            let msg = classify(&e, staff.tr).2;
            page(
                &state,
                &staff,
                year,
                StatusCode::BAD_REQUEST,
                Some(msg),
                None,
                (date, note),
            )
            .await
        }
        Err(e) => PageError::new(e, staff.tr).into_response(),
    }
}

async fn delete_override(
    State(state): State<AppState>,
    staff: Staff,
    Form(f): Form<FormData>,
) -> Response {
    let date = f.get("date");
    let year = year_of(date, this_year(&state));
    match state
        .app
        .calendar()
        .delete_company_day(staff.actor(), date)
        .await
    {
        Ok(()) => {
            Redirect::to(&format!("/settings/calendar?year={year}&notice=saved")).into_response()
        }
        Err(e) => PageError::new(e, staff.tr).into_response(),
    }
}

async fn import(State(state): State<AppState>, staff: Staff, Form(f): Form<FormData>) -> Response {
    let text = f.get("text");
    let hint = f.get("year").trim().parse().ok();
    match state
        .app
        .calendar()
        .import_year(staff.actor(), text, hint, Some(f.get("source")))
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
                &state,
                &staff,
                hint.unwrap_or_else(|| this_year(&state)),
                StatusCode::BAD_REQUEST,
                Some(msg),
                None,
                Default::default(),
            )
            .await
        }
        Err(e) => PageError::new(e, staff.tr).into_response(),
    }
}
