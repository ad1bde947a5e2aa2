//! Intake: the new-case form, logging the case, and the customer lookup as the agent types a
//! phone number.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use sanbao_app::AppError;
use sanbao_app::admin::desks::Desk;
use sanbao_domain::case::{Channel, Kind, NewCaseForm, Priority};
use sanbao_domain::customer::CustomerForm;
use sanbao_domain::role::Permission;
use sanbao_domain::{FieldError, text};
use serde::Deserialize;

use super::view::options;
use crate::AppState;
use crate::error::{PageError, classify};
use crate::form::{Errors, FormData};
use crate::layout::{Layout, Section};
use crate::page::render_status;
use crate::session::Staff;

#[derive(Template)]
#[template(path = "case/intake.html")]
struct NewCasePage {
    layout: Layout,
    kinds: Vec<(&'static str, &'static str)>,
    reasons: Vec<(&'static str, &'static str)>,
    channels: Vec<(&'static str, &'static str)>,
    priorities: Vec<(&'static str, &'static str)>,
    desks: Vec<Desk>,
    f: FormData,
    errors: Errors,
    now_local: String,
    /// May accept a return after its window (a supervisor), when the form was refused for it.
    may_override: bool,
}

impl NewCasePage {
    fn value(&self, field: &str) -> &str {
        self.f.get(field)
    }

    fn is(&self, field: &str, v: &str) -> bool {
        self.f.get(field) == v
    }
}

async fn form_page(
    state: &AppState,
    staff: &Staff,
    f: FormData,
    errors: Vec<FieldError>,
) -> Response {
    let tr = staff.tr;
    let en = tr.is_en();
    let desks = state.app.desks().all().await.unwrap_or_default();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let layout = Layout::new(staff, Section::Cases, tr.t("cases.new"), state.cfg.timezone);
    let late = errors.iter().any(|e| e.code == "return_window_closed")
        || !f.get("window_override").is_empty();
    let page = NewCasePage {
        may_override: late && staff.actor().can(Permission::CaseSupervise),
        now_local: Utc::now()
            .with_timezone(&state.cfg.timezone)
            .format("%Y-%m-%dT%H:%M")
            .to_string(),
        kinds: options::<Kind>(en),
        reasons: options::<sanbao_domain::case::ReturnReason>(en),
        // A plan's visits are queued by Sanbao itself.
        channels: options::<Channel>(en)
            .into_iter()
            .filter(|c| c.0 != Channel::Plan.code())
            .collect(),
        priorities: options::<Priority>(en),
        desks: desks.into_iter().filter(|d| d.active).collect(),
        f,
        errors: Errors::new(tr, errors),
        layout,
    };
    render_status(status, &page)
}

/// The intake form; `?kind=return&unit_serial=…` fills those two in (a return continuing an
/// unrepairable repair).
pub(super) async fn new_form(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<FormData>,
) -> Response {
    if let Err(e) = staff.actor().require(Permission::CaseWrite) {
        return PageError::new(e, staff.tr).into_response();
    }
    let keep = ["kind", "unit_serial"];
    let f = FormData(
        q.0.into_iter()
            .filter(|(k, _)| keep.contains(&k.as_str()))
            .collect(),
    );
    form_page(&state, &staff, f, Vec::new()).await
}

/// `2026-09-30T18:00` from a datetime-local field, in the company's zone.
fn parse_local(s: &str, tz: chrono_tz::Tz) -> Option<DateTime<Utc>> {
    let n = NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%dT%H:%M").ok()?;
    tz.from_local_datetime(&n)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// The intake form's fields as the domain reads them.
fn new_case(f: &FormData, received_at: Option<DateTime<Utc>>) -> NewCaseForm {
    NewCaseForm {
        kind: f.get("kind").to_owned(),
        channel: f.get("channel").to_owned(),
        customer: CustomerForm {
            name: f.get("customer_name").to_owned(),
            phone: f.get("customer_phone").to_owned(),
            kind: f.get("customer_kind").to_owned(),
            address: f.get("customer_address").to_owned(),
            credit_code: f.get("customer_credit_code").to_owned(),
            contact: f.get("customer_contact").to_owned(),
        },
        subject: f.get("subject").to_owned(),
        description: f.get("description").to_owned(),
        priority: f.get("priority").to_owned(),
        received_at,
        desk_id: f.opt_id("desk_id"),
        regulator_ref: f.get("regulator_ref").to_owned(),
        regulator_accepted_on: f.get("regulator_accepted_on").to_owned(),
        unit: f.get("unit_serial").to_owned(),
        window_override: f.get("window_override").to_owned(),
        request: sanbao_domain::case::RequestForm {
            return_reason: f.get("return_reason").to_owned(),
            proof_invoice: f.get("proof_invoice").to_owned(),
            packaging_intact: f.get("packaging_intact").to_owned(),
            fault_started_on: f.get("fault_started_on").to_owned(),
        },
        // The intake page assigns through its desk; the API may name an assignee.
        ..NewCaseForm::default()
    }
}

pub(super) async fn create(
    State(state): State<AppState>,
    staff: Staff,
    Form(f): Form<FormData>,
) -> Response {
    let received_at = match f.get("received_at").trim() {
        "" => None,
        s => match parse_local(s, state.cfg.timezone) {
            Some(t) => Some(t),
            None => {
                let e = FieldError::new("received_at", "invalid", text!("case.received_invalid"));
                return form_page(&state, &staff, f, vec![e]).await;
            }
        },
    };
    let form = new_case(&f, received_at);
    match state.app.cases().open(staff.actor(), &form, None).await {
        Ok(v) => Redirect::to(&format!("/cases/{}/receipt", v.number)).into_response(),
        Err(AppError::Invalid(errs)) => form_page(&state, &staff, f, errs.0).await,
        // A closed return window belongs to the serial the agent typed.
        Err(AppError::Rule { code, message }) if code == "return_window_closed" => {
            let e = FieldError::new("unit.serial", code, message);
            form_page(&state, &staff, f, vec![e]).await
        }
        Err(e) => PageError::new(e, staff.tr).into_response(),
    }
}

/// A refusal of one of the intake form's lookups, as the form's script reads it.
fn json_error(e: &AppError, tr: crate::i18n::Tr) -> Response {
    let (status, _, message, _) = classify(e, tr);
    (status, Json(serde_json::json!({"error": message}))).into_response()
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct LookupQuery {
    /// A phone's start, a name's start or a whole credit code.
    q: String,
    /// The same, as older pages ask.
    phone: String,
}

/// Customers the intake form offers for what the agent typed: by a contact's phone, the
/// start of a name or a credit code (JSON; phones masked).
pub(super) async fn customer_lookup(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<LookupQuery>,
) -> Response {
    let typed = if q.q.is_empty() { &q.phone } else { &q.q };
    match state.app.customers().for_intake(staff.actor(), typed).await {
        Ok(list) => Json(
            list.into_iter()
                .map(|c| {
                    serde_json::json!({
                        "name": c.name,
                        "phone": c.phone,
                        "kind": c.kind.code(),
                        "credit_code": c.credit_code,
                        "contact": c.contact_name,
                        "exact": c.exact,
                    })
                })
                .collect::<Vec<_>>(),
        )
        .into_response(),
        Err(e) => json_error(&e, staff.tr),
    }
}

#[derive(Deserialize)]
#[serde(default)]
#[derive(Default)]
pub(super) struct OpenQuery {
    phone: String,
    kind: String,
}

/// Before saving: the customer's open cases of the kind chosen (JSON for the intake form's
/// warning); a case the agent may not open is given by number alone.
pub(super) async fn open_cases(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<OpenQuery>,
) -> Response {
    let tz = state.cfg.timezone;
    match state
        .app
        .cases()
        .open_for_intake(staff.actor(), &q.phone, &q.kind)
        .await
    {
        Ok(list) => Json(
            list.into_iter()
                .map(|c| {
                    let received = c.received_at.with_timezone(&tz).format("%Y-%m-%d %H:%M");
                    serde_json::json!({
                        "number": c.number,
                        "subject": c.subject,
                        "received": received.to_string(),
                    })
                })
                .collect::<Vec<_>>(),
        )
        .into_response(),
        Err(e) => json_error(&e, staff.tr),
    }
}
