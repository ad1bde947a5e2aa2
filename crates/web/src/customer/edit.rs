//! Creating and editing a customer's archive card (客户档案): who they are and their contacts,
//! each contact a row of fields with one blank row to add one and a remove box.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use sanbao_app::AppError;
use sanbao_domain::CustomerId;
use sanbao_domain::FieldError;
use sanbao_domain::customer::archive::{ArchiveForm, CONTACTS_MAX, ContactFields};

use crate::AppState;
use crate::error::PageError;
use crate::flash::{self, Flash};
use crate::form::{Errors, FormData};
use crate::layout::{Layout, Section};
use crate::page::render_status;
use crate::session::Staff;

/// One contact row as the form shows it (`k` counts from 1, as error fields do).
pub(super) struct Row {
    pub k: usize,
    pub f: ContactFields,
}

#[derive(Template)]
#[template(path = "customer/form.html")]
struct FormPage {
    layout: Layout,
    /// The card edited (none: a new customer).
    id: Option<i64>,
    version: i64,
    form: ArchiveForm,
    rows: Vec<Row>,
    errors: Errors,
}

impl FormPage {
    fn field(&self, k: &usize, name: &str) -> String {
        format!("contact[{k}].{name}")
    }
}

/// Read the card from a submitted form; rows beyond [`CONTACTS_MAX`] + 1 are not read.
fn read(f: &FormData) -> ArchiveForm {
    let rows = f
        .get("contact_rows")
        .trim()
        .parse::<usize>()
        .unwrap_or(0)
        .min(CONTACTS_MAX + 1);
    ArchiveForm {
        kind: f.get("kind").to_owned(),
        name: f.get("name").to_owned(),
        address: f.get("address").to_owned(),
        credit_code: f.get("credit_code").to_owned(),
        contacts: (1..=rows)
            .map(|k| {
                let get = |name: &str| f.get(&format!("contact[{k}].{name}")).to_owned();
                ContactFields {
                    id: f.opt_id(&format!("contact[{k}].id")),
                    name: get("name"),
                    role: get("role"),
                    phone: get("phone"),
                    remove: f.checked(&format!("contact[{k}].remove")),
                }
            })
            .collect(),
    }
}

fn page(
    state: &AppState,
    staff: &Staff,
    id: Option<i64>,
    version: i64,
    mut form: ArchiveForm,
    errs: Vec<FieldError>,
) -> Response {
    let tr = staff.tr;
    // Shown again, the form keeps the rows typed in and has one blank row at the end.
    while form.contacts.last().is_some_and(ContactFields::is_blank) {
        form.contacts.pop();
    }
    if form.contacts.len() <= CONTACTS_MAX {
        form.contacts.push(ContactFields::default());
    }
    let rows = form
        .contacts
        .iter()
        .enumerate()
        .map(|(i, f)| Row {
            k: i + 1,
            f: f.clone(),
        })
        .collect();
    let status = if errs.is_empty() {
        StatusCode::OK
    } else if errs.iter().any(|e| e.code == "taken") {
        StatusCode::CONFLICT
    } else {
        StatusCode::BAD_REQUEST
    };
    let title = match id {
        Some(_) => tr.t("customers.edit_title"),
        None => tr.t("customers.new"),
    };
    let layout = Layout::new(staff, Section::Customers, title, state.cfg.timezone);
    render_status(
        status,
        &FormPage {
            layout,
            id,
            version,
            form,
            rows,
            errors: Errors::new(tr, errs),
        },
    )
}

pub(super) async fn new_form(State(state): State<AppState>, staff: Staff) -> Response {
    if let Err(e) = staff
        .actor()
        .require(sanbao_domain::role::Permission::CustomerWrite)
    {
        return PageError::new(e, staff.tr).into_response();
    }
    page(&state, &staff, None, 0, ArchiveForm::default(), Vec::new())
}

pub(super) async fn create(
    State(state): State<AppState>,
    staff: Staff,
    Form(f): Form<FormData>,
) -> Response {
    let form = read(&f);
    match state.app.customers().create(staff.actor(), &form).await {
        Ok(id) => flash::redirect(
            &format!("/customers/{}", id.0),
            Flash::CustomerCreated,
            state.cfg.secure_cookies,
        ),
        Err(AppError::Invalid(errs)) => page(&state, &staff, None, 0, form, errs.0),
        Err(e) => PageError::new(e, staff.tr).into_response(),
    }
}

pub(super) async fn form(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Response {
    match state
        .app
        .customers()
        .editing(staff.actor(), CustomerId(id))
        .await
    {
        Ok(e) => page(&state, &staff, Some(id), e.version, e.form, Vec::new()),
        Err(e) => PageError::new(e, staff.tr).into_response(),
    }
}

pub(super) async fn save(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(f): Form<FormData>,
) -> Response {
    let form = read(&f);
    let version = f.version();
    match state
        .app
        .customers()
        .update(staff.actor(), CustomerId(id), version, &form)
        .await
    {
        Ok(()) => flash::redirect(
            &format!("/customers/{id}"),
            Flash::Saved,
            state.cfg.secure_cookies,
        ),
        Err(AppError::Invalid(errs)) => page(&state, &staff, Some(id), version, form, errs.0),
        Err(e) => PageError::new(e, staff.tr).into_response(),
    }
}
