//! The supplier claims' queue: each cost booked to the supplier with its case, and the form
//! that moves its claim on (sent with the supplier's number, then settled or refused).

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use sanbao_app::AppError;
use sanbao_domain::product::yuan;
use sanbao_domain::repair::{ClaimForm, ClaimState};

use crate::AppState;
use crate::error::{PageError, classify};
use crate::flash::{self, Flash};
use crate::form::FormData;
use crate::layout::{Layout, Section};
use crate::page::render_status;
use crate::session::Staff;

/// One claim as the queue shows it.
struct Line {
    id: i64,
    number: String,
    subject: String,
    kind: &'static str,
    amount: String,
    state: ClaimState,
    state_label: &'static str,
    reference: String,
    note: String,
}

#[derive(Template)]
#[template(path = "repair/claims.html")]
struct ClaimsPage {
    layout: Layout,
    lines: Vec<Line>,
    /// Why the last change was refused, and the claim it was for.
    error: Option<(i64, String)>,
}

impl ClaimsPage {
    fn has_line(&self, id: &i64) -> bool {
        self.lines.iter().any(|l| l.id == *id)
    }
}

pub(super) async fn list(State(state): State<AppState>, staff: Staff) -> Response {
    page(&state, &staff, None).await
}

async fn page(state: &AppState, staff: &Staff, error: Option<(i64, String)>) -> Response {
    let tr = staff.tr;
    let en = tr.is_en();
    match state.app.repairs().claims(staff.actor()).await {
        Ok(rows) => {
            let lines = rows
                .into_iter()
                .map(|r| {
                    let state = r
                        .cost
                        .claim_state
                        .as_deref()
                        .and_then(|s| s.parse().ok())
                        .unwrap_or(ClaimState::Open);
                    Line {
                        id: r.cost.id,
                        number: r.number,
                        subject: r.subject,
                        kind: if en {
                            r.cost.kind.label_en()
                        } else {
                            r.cost.kind.label_zh()
                        },
                        amount: yuan(r.cost.amount_fen),
                        state,
                        state_label: if en {
                            state.label_en()
                        } else {
                            state.label_zh()
                        },
                        reference: r.cost.claim_ref,
                        note: r.cost.note,
                    }
                })
                .collect();
            let layout = Layout::new(
                staff,
                Section::Cases,
                tr.t("claims.title"),
                state.cfg.timezone,
            );
            let status = if error.is_some() {
                StatusCode::BAD_REQUEST
            } else {
                StatusCode::OK
            };
            render_status(
                status,
                &ClaimsPage {
                    layout,
                    lines,
                    error,
                },
            )
        }
        Err(e) => PageError::new(e, tr).into_response(),
    }
}

pub(super) async fn update(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(f): Form<FormData>,
) -> Response {
    let form = ClaimForm {
        state: f.get("state").to_owned(),
        reference: f.get("reference").to_owned(),
        settled: f.get("settled").to_owned(),
        note: f.get("note").to_owned(),
    };
    match state
        .app
        .repairs()
        .update_claim(staff.actor(), id, &form)
        .await
    {
        Ok(()) => flash::redirect("/claims", Flash::ClaimUpdated, state.cfg.secure_cookies),
        Err(e @ AppError::Invalid(_)) => {
            let (_, _, message, _) = classify(&e, staff.tr);
            page(&state, &staff, Some((id, message))).await
        }
        // Settled or refused meanwhile (or never there): the queue says so.
        Err(AppError::NotFound(_) | AppError::Stale) => {
            let message = staff.tr.t("claims.gone").to_owned();
            page(&state, &staff, Some((id, message))).await
        }
        Err(e) => PageError::new(e, staff.tr).into_response(),
    }
}
