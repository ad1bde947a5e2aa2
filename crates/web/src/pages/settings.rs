//! The settings index (设置).

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use sanbao_domain::role::Permission;

use super::render;
use crate::AppState;
use crate::layout::{Layout, Section};
use crate::session::Staff;

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/settings", get(index))
}

pub(crate) struct Card {
    pub href: &'static str,
    pub title: &'static str,
    pub text: &'static str,
}

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    layout: Layout,
    cards: Vec<Card>,
}

async fn index(State(state): State<AppState>, staff: Staff) -> Response {
    let tr = staff.tr;
    let a = staff.actor();
    let all: [(&str, &str, &str, bool); 8] = [
        (
            "/settings/users",
            "settings.users",
            "settings.users_text",
            a.can(Permission::UserManage),
        ),
        (
            "/settings/roles",
            "settings.roles",
            "settings.roles_text",
            a.can(Permission::RoleManage) || a.can(Permission::UserManage),
        ),
        (
            "/settings/desks",
            "settings.desks",
            "settings.desks_text",
            a.can(Permission::DeskManage),
        ),
        (
            "/settings/tokens",
            "settings.tokens",
            "settings.tokens_text",
            a.can(Permission::TokenManage),
        ),
        (
            "/settings/audit",
            "settings.audit",
            "settings.audit_text",
            a.can(Permission::AuditRead),
        ),
        (
            "/settings/calendar",
            "settings.calendar",
            "settings.calendar_text",
            true,
        ),
        (
            "/settings/hours",
            "settings.hours",
            "settings.hours_text",
            a.can(Permission::DeskManage),
        ),
        (
            "/settings/policies",
            "settings.policies",
            "settings.policies_text",
            true,
        ),
    ];
    let cards = all
        .into_iter()
        .filter(|c| c.3)
        .map(|(href, title, text, _)| Card {
            href,
            title: tr.t(title),
            text: tr.t(text),
        })
        .collect();
    let layout = Layout::new(
        &staff,
        Section::Settings,
        tr.t("nav.settings"),
        state.cfg.timezone,
    );
    render(&SettingsPage { layout, cards })
}
