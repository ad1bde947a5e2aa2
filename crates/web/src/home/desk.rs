//! The supervisor's desk on the workbench: escalated cases grouped by case, the newest
//! escalation first, each acknowledged (with a comment) or reassigned in place; and the
//! extended-service reports (seed 2.2), each waiting for its acknowledgement.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use sanbao_app::AppError;
use sanbao_app::case::Waiting;
use sanbao_domain::UserId;
use sanbao_domain::case::{CaseEditForm, ReportKind};
use sanbao_domain::role::Permission;

use crate::AppState;
use crate::case::{Now, QUEUE_COUNT_CAP, Row};
use crate::error::{PageError, classify, error_page};
use crate::flash::{self, Flash};
use crate::form::FormData;
use crate::layout::Layout;
use crate::session::Staff;

/// One report line under its case.
pub(super) struct Line {
    pub id: i64,
    pub at: String,
    pub body: String,
}

/// A case on the desk with what waits on it.
pub(super) struct Item {
    pub row: Row,
    pub version: i64,
    pub assignee_id: Option<UserId>,
    pub lines: Vec<Line>,
}

impl Item {
    pub fn is_assignee(&self, id: &UserId) -> bool {
        self.assignee_id.as_ref() == Some(id)
    }
}

pub(super) struct DeskView {
    pub escalated: Vec<Item>,
    /// How many escalations wait in all, when more than the desk shows ("100+" past the cap).
    pub escalated_more: Option<String>,
    pub extended: Vec<Item>,
    pub assignees: Vec<(UserId, String)>,
}

fn items(layout: &Layout, now: &Now, list: Vec<Waiting>) -> Vec<Item> {
    list.into_iter()
        .map(|w| Item {
            row: Row::of(layout, &w.case, now),
            version: w.case.version,
            assignee_id: w.case.assignee.as_ref().map(|a| a.id),
            lines: w
                .reports
                .into_iter()
                .map(|r| Line {
                    id: r.id,
                    at: layout.time(&r.at),
                    body: r.body,
                })
                .collect(),
        })
        .collect()
}

/// The desk, for a supervisor (`None` for others).
pub(super) async fn load(
    state: &AppState,
    staff: &Staff,
    layout: &Layout,
) -> Result<Option<DeskView>, AppError> {
    let actor = staff.actor();
    if !actor.can(Permission::CaseSupervise) {
        return Ok(None);
    }
    let cases = state.app.cases();
    let (desk, assignees, now, total) = tokio::join!(
        cases.desk(actor),
        cases.assignees(actor),
        Now::load(state),
        cases.waiting_count(actor, ReportKind::Escalation, QUEUE_COUNT_CAP),
    );
    let desk = desk?;
    let total = total?;
    let shown = desk
        .escalated
        .iter()
        .map(|w| w.reports.len())
        .sum::<usize>() as i64;
    let escalated_more = (total > shown).then(|| {
        if total >= QUEUE_COUNT_CAP {
            format!("{}+", QUEUE_COUNT_CAP - 1)
        } else {
            total.to_string()
        }
    });
    Ok(Some(DeskView {
        escalated_more,
        escalated: items(layout, &now, desk.escalated),
        extended: items(layout, &now, desk.extended),
        assignees: assignees.unwrap_or_default(),
    }))
}

/// Acknowledge what waits on a case: `kind` is the report kind, `report` one report's id
/// (extended service).
pub(super) async fn acknowledge(
    State(state): State<AppState>,
    staff: Staff,
    Path(number): Path<String>,
    Form(f): Form<FormData>,
) -> Response {
    // Who may, before what they sent: a form's mistakes are told only to those who may use it.
    if let Err(e) = staff.actor().require(Permission::CaseSupervise) {
        return PageError::new(e, staff.tr).into_response();
    }
    let kind = match f.get("kind").parse::<ReportKind>() {
        Ok(k) => k,
        Err(e) => return PageError::new(AppError::from(e), staff.tr).into_response(),
    };
    let report = f.get("report").parse::<i64>().ok();
    let result = state
        .app
        .cases()
        .acknowledge(staff.actor(), &number, kind, report, f.get("comment"))
        .await;
    match result {
        Ok(n) => flash::redirect("/", Flash::Acknowledged(n), state.cfg.secure_cookies),
        Err(e) => refused(&staff, e),
    }
}

/// Give an escalated case to someone else, from the desk.
pub(super) async fn reassign(
    State(state): State<AppState>,
    staff: Staff,
    Path(number): Path<String>,
    Form(f): Form<FormData>,
) -> Response {
    // From the desk it is always a reassignment, whatever the case's assignee now.
    if let Err(e) = staff.actor().require(Permission::CaseAssign) {
        return PageError::new(e, staff.tr).into_response();
    }
    let edit = CaseEditForm {
        assignee_id: Some(f.opt_id("assignee_id")),
        ..CaseEditForm::default()
    };
    let result = state
        .app
        .cases()
        .update(staff.actor(), &number, f.version(), &edit)
        .await;
    match result {
        Ok(_) => flash::redirect("/", Flash::Assigned(1), state.cfg.secure_cookies),
        Err(e) => refused(&staff, e),
    }
}

/// A refusal the supervisor can act on, said with its reason; other errors as pages.
fn refused(staff: &Staff, e: AppError) -> Response {
    match e {
        e @ (AppError::Rule { .. } | AppError::Stale | AppError::Invalid(_)) => {
            let (status, _, msg, _) = classify(&e, staff.tr);
            error_page(staff.tr, status, &msg)
        }
        e => PageError::new(e, staff.tr).into_response(),
    }
}
