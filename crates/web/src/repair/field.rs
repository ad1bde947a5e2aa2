//! The technician's phone pages: the day's jobs, and one job — arrive, write the repair
//! report, have the customer sign on the screen, or record that it cannot be repaired.

use askama::Template;
use axum::Extension;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use sanbao_app::case::{Attachment, CaseDetail};
use sanbao_app::repair::FieldJob;
use sanbao_domain::repair::{Dispatch, Remedy};
use sanbao_domain::role::Permission;

use crate::AppState;
use crate::case::{UnitCard, step_form};
use crate::csrf::UploadCsrf;
use crate::error::{PageError, classify};
use crate::files::{UploadError, read_form};
use crate::flash::{self, Flash};
use crate::layout::{Layout, Section};
use crate::page::{render, render_status};
use crate::session::Staff;

#[derive(Template)]
#[template(path = "repair/day.html")]
struct DayPage {
    layout: Layout,
    jobs: Vec<FieldJob>,
}

pub(super) async fn day(State(state): State<AppState>, staff: Staff) -> Response {
    let tr = staff.tr;
    match state.app.repairs().field_jobs(staff.actor()).await {
        Ok(jobs) => {
            let layout = Layout::new(
                &staff,
                Section::Field,
                tr.t("field.title"),
                state.cfg.timezone,
            );
            render(&DayPage { layout, jobs })
        }
        Err(e) => PageError::new(e, tr).into_response(),
    }
}

#[derive(Template)]
#[template(path = "repair/job.html")]
struct JobPage {
    layout: Layout,
    d: CaseDetail,
    unit: Option<UnitCard>,
    dispatch: Dispatch,
    remedies: Vec<(&'static str, &'static str)>,
    attachments: Vec<Attachment>,
    /// The field steps the viewer may record now.
    offered: Vec<&'static str>,
    error: Option<String>,
}

impl JobPage {
    fn offers(&self, step: &str) -> bool {
        self.offered.contains(&step)
    }

    /// The report the job takes now, signed by the customer: a repair's or a maintenance
    /// visit's.
    fn report_step(&self) -> Option<&'static str> {
        ["repair_completed", "maintenance_done"]
            .into_iter()
            .find(|s| self.offers(s))
    }
}

async fn job_page(
    state: &AppState,
    staff: &Staff,
    number: &str,
    status: StatusCode,
    error: Option<String>,
) -> Response {
    let tr = staff.tr;
    let cases = state.app.cases();
    let (d, attachments) = tokio::join!(
        cases.get(staff.actor(), number),
        cases.attachments(staff.actor(), number)
    );
    let (d, attachments) = match (d, attachments) {
        (Ok(d), Ok(a)) => (d, a),
        (Err(e), _) | (_, Err(e)) => return PageError::new(e, tr).into_response(),
    };
    let dispatch = d
        .steps
        .iter()
        .rev()
        .find_map(|s| s.dispatch().cloned())
        .unwrap_or_default();
    let title = format!("{} · {}", d.case.number, d.case.subject);
    let layout = Layout::new(staff, Section::Field, &title, state.cfg.timezone);
    let offered = d
        .open_steps
        .iter()
        .copied()
        .filter(|s| d.may_record(staff.actor(), s))
        .collect();
    let page = JobPage {
        offered,
        unit: d.unit.as_ref().map(|u| UnitCard::of(u, tr)),
        remedies: crate::case::options::<Remedy>(tr.is_en()),
        dispatch,
        attachments,
        d,
        error,
        layout,
    };
    render_status(status, &page)
}

pub(super) async fn job(
    State(state): State<AppState>,
    staff: Staff,
    Path(number): Path<String>,
) -> Response {
    job_page(&state, &staff, &number, StatusCode::OK, None).await
}

/// A field step, posted as a multipart form so the report carries the signature drawn on
/// the screen (a PNG).
pub(super) async fn record(
    State(state): State<AppState>,
    staff: Staff,
    Path(number): Path<String>,
    csrf: Option<Extension<UploadCsrf>>,
    req: Request,
) -> Response {
    // Nothing is read for one who may record no step at all.
    let actor = staff.actor();
    if !actor.can(Permission::FieldService)
        && let Err(e) = actor.require(Permission::CaseWrite)
    {
        return PageError::new(e, staff.tr).into_response();
    }
    let mp = match Multipart::from_request(req, &state).await {
        Ok(mp) => mp,
        Err(rejection) => return rejection.into_response(),
    };
    let token = match csrf {
        Some(Extension(UploadCsrf::InBody(t))) => Some(t),
        Some(Extension(UploadCsrf::Verified)) => None,
        None => return crate::csrf::refuse(staff.tr),
    };
    let result = match read_form(mp, token.as_deref(), "signature").await {
        Ok((f, signature)) => {
            let form = step_form(&f);
            // The report is signed by the customer: the page will not send it unsigned.
            let signature = match (form.step.as_str(), signature) {
                ("repair_completed" | "maintenance_done", None) => Some(Vec::new()),
                (_, s) => s,
            };
            state
                .app
                .cases()
                .step(staff.actor(), &number, &form, signature)
                .await
                .map(|_| ())
        }
        Err(UploadError::Csrf) => return crate::csrf::refuse(staff.tr),
        Err(UploadError::App(e)) => Err(e),
    };
    match result {
        Ok(()) => flash::redirect(
            &format!("/field/{number}"),
            Flash::StepRecorded,
            state.cfg.secure_cookies,
        ),
        Err(e) => {
            let (status, _, msg, _) = classify(&e, staff.tr);
            if status.is_server_error() {
                return PageError::new(e, staff.tr).into_response();
            }
            job_page(&state, &staff, &number, status, Some(msg)).await
        }
    }
}
