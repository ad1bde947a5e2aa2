//! Settings (设置): the index, users, roles, desks and their service hours, API tokens, the
//! audit log, the working-day calendar, policies (and the public policy page), background jobs.

mod api_users;
mod audit;
mod audit_changes;
mod calendar;
mod company;
mod desks;
mod hours;
mod jobs;
mod notice;
mod policies;
mod policy_form;
mod roles;
mod tokens;
mod users;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sanbao_domain::role::Permission;

use crate::AppState;
use crate::feature::{Feature, NavEntry};
use crate::layout::{Layout, Section};
use crate::session::Staff;

pub(crate) fn feature() -> Feature {
    let pages = Router::new()
        .route("/settings", get(index))
        .merge(company::router())
        .merge(users::router())
        .merge(roles::router())
        .merge(desks::router())
        .merge(tokens::router())
        .merge(audit::router())
        .merge(calendar::router())
        .merge(notice::router())
        .merge(hours::router())
        .merge(policies::router())
        .merge(jobs::router());
    Feature::pages(pages).with_api(api_users::router())
}

/// Who sees the settings section: anyone who manages any of it.
const SETTINGS: &[Permission] = &[
    Permission::UserManage,
    Permission::RoleManage,
    Permission::DeskManage,
    Permission::TokenManage,
    Permission::AuditRead,
    Permission::SettingsManage,
];

pub(crate) const NAV: NavEntry = NavEntry {
    section: Section::Settings,
    href: "/settings",
    key: "nav.settings",
    any_of: SETTINGS,
};

pub(crate) struct Card {
    pub href: &'static str,
    pub title: &'static str,
    pub text: &'static str,
}

#[derive(Template)]
#[template(path = "admin/settings.html")]
struct SettingsPage {
    layout: Layout,
    cards: Vec<Card>,
    /// The company-name form, for those who manage settings.
    may_name_company: bool,
    company_name: String,
    errors: crate::form::Errors,
}

/// The settings pages: link, title key, text key, and who sees it (any of; empty: everyone
/// who sees the settings section).
const CARDS: &[(&str, &str, &str, &[Permission])] = &[
    (
        "/settings/users",
        "settings.users",
        "settings.users_text",
        &[Permission::UserManage],
    ),
    (
        "/settings/roles",
        "settings.roles",
        "settings.roles_text",
        &[Permission::RoleManage, Permission::UserManage],
    ),
    (
        "/settings/desks",
        "settings.desks",
        "settings.desks_text",
        &[Permission::DeskManage],
    ),
    (
        "/settings/tokens",
        "settings.tokens",
        "settings.tokens_text",
        &[Permission::TokenManage],
    ),
    (
        "/settings/audit",
        "settings.audit",
        "settings.audit_text",
        &[Permission::AuditRead],
    ),
    (
        "/settings/calendar",
        "settings.calendar",
        "settings.calendar_text",
        &[],
    ),
    (
        "/settings/hours",
        "settings.hours",
        "settings.hours_text",
        &[Permission::DeskManage],
    ),
    (
        "/settings/policies",
        "settings.policies",
        "settings.policies_text",
        &[],
    ),
    (
        "/settings/jobs",
        "settings.jobs",
        "settings.jobs_text",
        &[Permission::SettingsManage],
    ),
];

async fn index(State(state): State<AppState>, staff: Staff) -> Response {
    let name = match state.app.setup().company_name().await {
        Ok(n) => n.unwrap_or_default(),
        Err(e) => return crate::error::PageError::new(e, staff.tr).into_response(),
    };
    index_page(&state, &staff, &name, None).await
}

/// The settings index, with the company name as typed and why it was refused, if it was.
async fn index_page(
    state: &AppState,
    staff: &Staff,
    company_name: &str,
    errors: Option<crate::form::Errors>,
) -> Response {
    let tr = staff.tr;
    let a = staff.actor();
    let cards = CARDS
        .iter()
        .filter(|(.., any_of)| any_of.is_empty() || any_of.iter().any(|p| a.can(*p)))
        .map(|(href, title, text, _)| Card {
            href,
            title: tr.t(title),
            text: tr.t(text),
        })
        .collect();
    let layout = Layout::new(
        staff,
        Section::Settings,
        tr.t("nav.settings"),
        state.cfg.timezone,
    );
    let status = if errors.is_some() {
        axum::http::StatusCode::BAD_REQUEST
    } else {
        axum::http::StatusCode::OK
    };
    crate::page::render_status(
        status,
        &SettingsPage {
            layout,
            cards,
            may_name_company: a.can(Permission::SettingsManage),
            company_name: company_name.to_owned(),
            errors: errors.unwrap_or_default(),
        },
    )
}
