//! The workbench (工作台) — each role's own work: counts and next cases for those who work on
//! cases, the supervisor's desk, notifications — and the sections later work fills.

mod desk;
mod work;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use sanbao_domain::role::Permission;

use crate::AppState;
use crate::feature::{Feature, NavEntry};
use crate::layout::{Layout, Section};
use crate::page::render;
use crate::session::Staff;

pub(crate) fn feature() -> Feature {
    Feature::pages(
        Router::new()
            .route("/", get(home))
            .route("/notifications/read", post(mark_read))
            .route("/desk/{number}/acknowledge", post(desk::acknowledge))
            .route("/desk/{number}/reassign", post(desk::reassign))
            .route("/sales", get(sales))
            .route("/reports", get(reports)),
    )
}

pub(crate) const NAV: NavEntry = NavEntry {
    section: Section::Home,
    href: "/",
    key: "nav.home",
    any_of: &[],
};

// Sections whose features are still to come: their entries lead to a page that says so, shown
// to the roles that will work there.
pub(crate) const SALES: NavEntry = NavEntry {
    section: Section::Sales,
    href: "/sales",
    key: "nav.sales",
    any_of: &[Permission::SalesWork, Permission::SalesManage],
};

pub(crate) const REPORTS: NavEntry = NavEntry {
    section: Section::Reports,
    href: "/reports",
    key: "nav.reports",
    any_of: &[Permission::ReportRead],
};

struct Permitted {
    label: &'static str,
}

struct Notice {
    at: String,
    number: Option<String>,
    body: String,
    unread: bool,
}

struct ChecklistStep {
    label: &'static str,
    href: &'static str,
    done: bool,
}

/// The first-run checklist, while a step is left.
struct Checklist {
    progress: String,
    steps: Vec<ChecklistStep>,
}

#[derive(Template)]
#[template(path = "home/home.html")]
struct HomePage {
    layout: Layout,
    permissions: Vec<Permitted>,
    notices: Vec<Notice>,
    unread: i64,
    work: Option<work::Work>,
    desk: Option<desk::DeskView>,
    checklist: Option<Checklist>,
}

/// The first-run checklist for those who manage settings, until every step is done.
async fn checklist(state: &AppState, staff: &Staff) -> Option<Checklist> {
    if !staff.actor().can(Permission::SettingsManage) {
        return None;
    }
    let steps = match state.app.setup().checklist(staff.actor()).await {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(error = %e, "first-run checklist not read");
            return None;
        }
    };
    let done = steps.iter().filter(|(_, d)| *d).count();
    (done < steps.len()).then(|| Checklist {
        progress: staff
            .tr
            .t("checklist.progress")
            .replace("{done}", &done.to_string())
            .replace("{total}", &steps.len().to_string()),
        steps: steps
            .into_iter()
            .map(|(s, done)| ChecklistStep {
                label: staff.tr.t(s.key()),
                href: s.href(),
                done,
            })
            .collect(),
    })
}

async fn home(State(state): State<AppState>, staff: Staff) -> Response {
    let tr = staff.tr;
    let layout = Layout::new(&staff, Section::Home, tr.t("nav.home"), state.cfg.timezone);
    let permissions = Permission::ALL
        .iter()
        .filter(|p| staff.actor().can(**p))
        .map(|p| Permitted {
            label: tr.pick(p.label_zh(), p.label_en()),
        })
        .collect();
    let notifications = state.app.notifications();
    let (notes, work, desk, checklist) = tokio::join!(
        notifications.mine(staff.actor()),
        work::load(&state, &staff, &layout),
        desk::load(&state, &staff, &layout),
        checklist(&state, &staff),
    );
    let (list, unread) = notes.unwrap_or_default();
    let desk = match desk {
        Ok(d) => d,
        Err(e) => return crate::error::PageError::new(e, tr).into_response(),
    };
    let notices = list
        .into_iter()
        .map(|n| Notice {
            at: layout.time(&n.created_at),
            number: n.case_number,
            body: n.body,
            unread: n.read_at.is_none(),
        })
        .collect();
    render(&HomePage {
        layout,
        permissions,
        notices,
        unread,
        work,
        desk,
        checklist,
    })
}

#[derive(Template)]
#[template(path = "home/soon.html")]
struct SoonPage {
    layout: Layout,
}

fn soon(state: &AppState, staff: &Staff, section: Section, key: &str) -> Response {
    let layout = Layout::new(staff, section, staff.tr.t(key), state.cfg.timezone);
    render(&SoonPage { layout })
}

macro_rules! soon_pages {
    ($($name:ident => $section:ident, $key:literal;)*) => {$(
        async fn $name(State(state): State<AppState>, staff: Staff) -> Response {
            soon(&state, &staff, Section::$section, $key)
        }
    )*};
}

soon_pages! {
    sales => Sales, "nav.sales";
    reports => Reports, "nav.reports";
}

async fn mark_read(State(state): State<AppState>, staff: Staff) -> Response {
    match state.app.notifications().mark_read(staff.actor()).await {
        Ok(()) => crate::flash::redirect(
            "/",
            crate::flash::Flash::NotificationsRead,
            state.cfg.secure_cookies,
        ),
        Err(e) => crate::error::PageError::new(e, staff.tr).into_response(),
    }
}
