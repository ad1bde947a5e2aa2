//! The repair report (维修报告, seed 4.1.4): cause, process and result, what was used, the
//! technician and the customer's signature — a page printed for the customer.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use sanbao_app::repair::RepairSheet;

use crate::AppState;
use crate::case::UnitCard;
use crate::error::PageError;
use crate::layout::{Layout, Section};
use crate::page::render;
use crate::session::Staff;

#[derive(Template)]
#[template(path = "repair/report.html")]
struct ReportPage {
    layout: Layout,
    s: RepairSheet,
    unit: Option<UnitCard>,
    /// Free or charged: in warranty on the day of the report.
    in_warranty: bool,
    /// The policy as people say it.
    policy: String,
}

impl ReportPage {
    fn yuan(&self, fen: &i64) -> String {
        sanbao_domain::product::yuan(*fen)
    }

    fn signature(&self) -> Option<i64> {
        let repair = self.s.report.as_ref().and_then(|r| r.signature_id);
        repair.or_else(|| self.s.maintenance.as_ref().and_then(|m| m.signature_id))
    }
}

pub(super) async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Path(number): Path<String>,
) -> Response {
    let tr = staff.tr;
    match state.app.repairs().sheet(staff.actor(), &number).await {
        Ok(s) => {
            let key = if s.maintenance.is_some() {
                "report.maintenance_title"
            } else {
                "report.title"
            };
            let title = format!("{} · {}", tr.t(key), s.case.number);
            let layout = Layout::new(&staff, Section::Cases, &title, state.cfg.timezone);
            let unit = s.unit.as_ref().map(|u| UnitCard::of(u, tr));
            let in_warranty = s.free;
            let policy = crate::case::policy_words(&state.app, &s.case, tr).await;
            render(&ReportPage {
                policy,
                layout,
                s,
                unit,
                in_warranty,
            })
        }
        Err(e) => PageError::new(e, tr).into_response(),
    }
}
