//! The forms of the case page and the queue's bulk action: each calls one use case and goes
//! back to the page, with the refusal shown there when there is one.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use sanbao_app::AppError;
use sanbao_app::case::Closing;
use sanbao_domain::UserId;
use sanbao_domain::case::{CaseEditForm, ExtendedService};

use super::detail::after_action;
use crate::AppState;
use crate::error::{PageError, classify};
use crate::flash::{self, Flash};
use crate::form::FormData;
use crate::session::Staff;

pub(super) async fn transition(
    State(state): State<AppState>,
    staff: Staff,
    Path(number): Path<String>,
    Form(f): Form<FormData>,
) -> Response {
    let closing = Closing {
        resolution: f.get("resolution").to_owned(),
        satisfaction: f.get("satisfaction").to_owned(),
        precautions: f.get("precautions").to_owned(),
    };
    let result = state
        .app
        .cases()
        .transition(
            staff.actor(),
            &number,
            f.get("to"),
            f.version(),
            f.get("note"),
            &closing,
        )
        .await;
    after_action(
        &state,
        &staff,
        &number,
        result.map(|_| ()),
        Flash::StateChanged,
    )
    .await
}

pub(super) async fn note(
    State(state): State<AppState>,
    staff: Staff,
    Path(number): Path<String>,
    Form(f): Form<FormData>,
) -> Response {
    let result = state
        .app
        .cases()
        .note(
            staff.actor(),
            &number,
            f.get("body"),
            f.checked("to_customer"),
        )
        .await;
    after_action(
        &state,
        &staff,
        &number,
        result,
        if f.checked("to_customer") {
            Flash::MessageSent
        } else {
            Flash::NoteAdded
        },
    )
    .await
}

pub(super) async fn exception(
    State(state): State<AppState>,
    staff: Staff,
    Path(number): Path<String>,
    Form(f): Form<FormData>,
) -> Response {
    let result = state
        .app
        .cases()
        .report_exception(staff.actor(), &number, f.get("reason"))
        .await;
    after_action(&state, &staff, &number, result, Flash::ExceptionReported).await
}

pub(super) async fn extended_service(
    State(state): State<AppState>,
    staff: Staff,
    Path(number): Path<String>,
    Form(f): Form<FormData>,
) -> Response {
    let result = match ExtendedService::parse(
        f.get("date"),
        f.get("start"),
        f.get("end"),
        f.checked("customer_informed"),
        f.get("reason"),
    ) {
        Ok(report) => {
            state
                .app
                .cases()
                .report_extended_service(staff.actor(), &number, &report)
                .await
        }
        Err(e) => Err(AppError::Invalid(e)),
    };
    after_action(&state, &staff, &number, result, Flash::ExtendedReported).await
}

pub(super) async fn assign(
    State(state): State<AppState>,
    staff: Staff,
    Path(number): Path<String>,
    Form(f): Form<FormData>,
) -> Response {
    let assignee = if f.get("take") == "1" {
        staff.actor().user_id
    } else {
        f.opt_id("assignee_id")
    };
    let edit = CaseEditForm {
        desk_id: Some(f.opt_id("desk_id")),
        assignee_id: Some(assignee),
        ..CaseEditForm::default()
    };
    let result = state
        .app
        .cases()
        .update(staff.actor(), &number, f.version(), &edit)
        .await;
    let done = if f.get("take") == "1" {
        Flash::Taken(1)
    } else {
        Flash::Assigned(1)
    };
    after_action(&state, &staff, &number, result.map(|_| ()), done).await
}

/// Replace a case's tags with those typed into one box (commas or spaces between them).
pub(super) async fn tags(
    State(state): State<AppState>,
    staff: Staff,
    Path(number): Path<String>,
    Form(f): Form<FormData>,
) -> Response {
    let result = match sanbao_domain::tag::parse_tags(f.get("tags")) {
        Ok(tags) => {
            let edit = CaseEditForm {
                tags: Some(tags),
                ..CaseEditForm::default()
            };
            state
                .app
                .cases()
                .update(staff.actor(), &number, f.version(), &edit)
                .await
                .map(|_| ())
        }
        Err(e) => Err(e.into()),
    };
    after_action(&state, &staff, &number, result, Flash::Saved).await
}

pub(super) async fn bulk_assign(
    State(state): State<AppState>,
    staff: Staff,
    Form(f): Form<FormData>,
) -> Response {
    let numbers = f.all("numbers");
    let assignee: Option<UserId> = if f.get("to") == "me" {
        staff.actor().user_id
    } else {
        f.opt_id("assignee_id")
    };
    match state
        .app
        .cases()
        .bulk_assign(staff.actor(), &numbers, assignee)
        .await
    {
        Ok(refused) if refused.is_empty() => {
            // Taken cases are in 我的服务单; cases given to others: back to the queue as it was
            // (the query string only ever follows "/cases?", so it cannot lead elsewhere).
            let back = f.get("back").replace(['\r', '\n'], "");
            let to = if f.get("to") == "me" || back.is_empty() {
                "/cases?queue=mine".to_owned()
            } else {
                format!("/cases?{back}")
            };
            let n = u32::try_from(numbers.len()).unwrap_or(u32::MAX);
            let done = if f.get("to") == "me" {
                Flash::Taken(n)
            } else {
                Flash::Assigned(n)
            };
            flash::redirect(&to, done, state.cfg.secure_cookies)
        }
        Ok(refused) => {
            let msg: Vec<String> = refused
                .iter()
                .map(|r| format!("{}：{}", r.number, classify(&r.error, staff.tr).2))
                .collect();
            crate::error::error_page(staff.tr, StatusCode::UNPROCESSABLE_ENTITY, &msg.join("；"))
        }
        Err(e) => PageError::new(e, staff.tr).into_response(),
    }
}
