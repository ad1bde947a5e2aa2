//! Merging a duplicate customer into the one kept: find the one to keep (by name, credit code
//! or phone), then confirm; its cases and contacts move there.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use sanbao_app::AppError;
use sanbao_app::customer::IntakeMatch;
use sanbao_domain::CustomerId;
use sanbao_domain::case::Coded;
use sanbao_domain::role::Permission;
use serde::Deserialize;

use crate::AppState;
use crate::error::PageError;
use crate::flash::{self, Flash};
use crate::form::FormData;
use crate::layout::{Layout, Section};
use crate::page::render_status;
use crate::session::Staff;

#[derive(Template)]
#[template(path = "customer/merge.html")]
struct MergePage {
    layout: Layout,
    id: i64,
    intro: String,
    /// Asked before a merge is sent (it cannot be undone).
    confirm: &'static str,
    q: String,
    found: Vec<Found>,
    error: Option<String>,
}

struct Found {
    id: i64,
    name: String,
    kind_label: &'static str,
    credit_code: String,
    phone: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct MergeQuery {
    q: String,
}

async fn page(
    state: &AppState,
    staff: &Staff,
    id: i64,
    q: String,
    error: Option<String>,
) -> Response {
    let tr = staff.tr;
    let customers = state.app.customers();
    let card = match customers.card(staff.actor(), CustomerId(id)).await {
        Ok(c) => c,
        Err(e) => return PageError::new(e, tr).into_response(),
    };
    if let Err(e) = staff.actor().require(Permission::CustomerWrite) {
        return PageError::new(e, tr).into_response();
    }
    let found: Vec<IntakeMatch> = match customers.for_intake(staff.actor(), &q).await {
        Ok(f) => f,
        Err(e) => return PageError::new(e, tr).into_response(),
    };
    let found = found
        .into_iter()
        .filter(|m| m.id.0 != id)
        .map(|m| Found {
            id: m.id.0,
            kind_label: m.kind.label(tr.is_en()),
            name: m.name,
            credit_code: m.credit_code.unwrap_or_default(),
            phone: m.phone,
        })
        .collect();
    let layout = Layout::new(
        staff,
        Section::Customers,
        tr.t("customers.merge_title"),
        state.cfg.timezone,
    );
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render_status(
        status,
        &MergePage {
            layout,
            id,
            intro: sanbao_domain::text::fill(
                tr.t("customers.merge_intro"),
                tr.lang,
                &[("name", card.name.into())],
            ),
            confirm: tr.t("customers.merge_confirm"),
            q,
            found,
            error,
        },
    )
}

pub(super) async fn form(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Query(q): Query<MergeQuery>,
) -> Response {
    page(&state, &staff, id, q.q, None).await
}

pub(super) async fn merge(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(f): Form<FormData>,
) -> Response {
    let into = f.opt_id::<i64>("into").unwrap_or(0);
    let customers = state.app.customers();
    match customers
        .merge(staff.actor(), CustomerId(id), CustomerId(into))
        .await
    {
        Ok(done) => flash::redirect(
            &format!("/customers/{}", done.into.0),
            Flash::CustomerMerged(u32::try_from(done.cases).unwrap_or(u32::MAX)),
            state.cfg.secure_cookies,
        ),
        Err(AppError::Invalid(errs)) => {
            let msg = errs.first().map(|e| staff.tr.text(&e.message));
            page(&state, &staff, id, f.get("q").to_owned(), msg).await
        }
        Err(AppError::Rule { message, .. }) => {
            let msg = Some(staff.tr.text(&message));
            page(&state, &staff, id, f.get("q").to_owned(), msg).await
        }
        Err(e) => PageError::new(e, staff.tr).into_response(),
    }
}
