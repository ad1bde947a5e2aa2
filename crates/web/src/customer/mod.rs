//! Customers (客户): the customer list and a customer's card with their cases.

use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use sanbao_app::AppError;
use sanbao_domain::CustomerId;
use sanbao_domain::case::Coded;
use sanbao_domain::role::Permission;
use serde::Deserialize;

use crate::AppState;
use crate::case::{Row, filter_id};
use crate::error::PageError;
use crate::feature::{Feature, NavEntry};
use crate::form::FormData;
use crate::layout::{Layout, Section};
use crate::page::render;
use crate::session::{Staff, urlencode};

mod api;
mod edit;
mod import;
mod merge;

pub(crate) fn feature() -> Feature {
    Feature::pages(
        Router::new()
            .route("/customers", get(list).post(edit::create))
            .route("/customers/new", get(edit::new_form))
            .route("/customers/import", get(import::form).post(import::upload))
            .route("/customers/import/template", get(import::template))
            .route("/customers/{id}", get(card))
            .route("/customers/{id}/edit", get(edit::form).post(edit::save))
            .route("/customers/{id}/merge", get(merge::form).post(merge::merge))
            .route("/customers/{id}/reveal", post(reveal))
            .layer(axum::extract::DefaultBodyLimit::max(
                crate::files::UPLOAD_BODY_LIMIT,
            )),
    )
    .with_api(api::router())
}

pub(crate) const NAV: NavEntry = NavEntry {
    section: Section::Customers,
    href: "/customers",
    key: "nav.customers",
    any_of: &[sanbao_domain::role::Permission::CustomerRead],
};

#[derive(Template)]
#[template(path = "customer/card.html")]
struct CardPage {
    layout: Layout,
    id: i64,
    phone: String,
    kind: &'static str,
    address: String,
    credit_code: String,
    since: String,
    /// May the viewer reveal the whole phone and address; were they revealed for this page?
    may_reveal: bool,
    revealed: bool,
    /// May the viewer edit the card and merge it (the customer-write permission)?
    may_edit: bool,
    contacts: Vec<sanbao_app::customer::ContactView>,
    rows: Vec<Row>,
}

#[derive(Template)]
#[template(path = "customer/list.html")]
struct ListPage {
    layout: Layout,
    q: String,
    rows: Vec<ListRow>,
    hint: Option<String>,
    next_url: Option<String>,
    may_create: bool,
}

struct ListRow {
    id: CustomerId,
    name: String,
    kind_label: &'static str,
    phone: String,
    cases: i64,
    since: String,
}

#[derive(Deserialize, Default)]
struct ListQuery {
    q: Option<String>,
    before: Option<String>,
}

/// The customer list (客户): search by name (its start) or phone, newest first otherwise.
async fn list(State(state): State<AppState>, staff: Staff, Query(q): Query<ListQuery>) -> Response {
    let tr = staff.tr;
    let before = match filter_id::<i64>(q.before.as_deref(), "before") {
        Ok(b) => b,
        Err(e) => return PageError::new(e, tr).into_response(),
    };
    let text = q.q.unwrap_or_default();
    let customers = state.app.customers();
    let page = match customers.list(staff.actor(), &text, before, 50).await {
        Ok(p) => p,
        Err(e) => return PageError::new(e, tr).into_response(),
    };
    let layout = Layout::new(
        &staff,
        Section::Customers,
        tr.t("nav.customers"),
        state.cfg.timezone,
    );
    let en = tr.is_en();
    let rows = page
        .customers
        .into_iter()
        .map(|c| ListRow {
            id: c.id,
            kind_label: c.kind.label(en),
            since: layout.time(&c.created_at),
            name: c.name,
            phone: c.phone_shown,
            cases: c.cases,
        })
        .collect();
    render(&ListPage {
        next_url: page
            .next_before
            .map(|b| format!("/customers?q={}&before={b}", urlencode(&text))),
        q: text,
        rows,
        hint: page.hint.map(|h| tr.text(&h)),
        may_create: staff.actor().can(Permission::CustomerWrite),
        layout,
    })
}

/// A customer's card and every case of theirs the viewer may see.
async fn card(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>) -> Response {
    card_page(&state, &staff, CustomerId(id), None).await
}

/// Reveal the whole phone and address (audited by the use case) and show them on the card.
async fn reveal(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(f): Form<FormData>,
) -> Response {
    let for_case = Some(f.get("case")).filter(|c| !c.trim().is_empty());
    match state
        .app
        .customers()
        .reveal(staff.actor(), CustomerId(id), for_case)
        .await
    {
        Ok(r) => card_page(&state, &staff, CustomerId(id), Some(r)).await,
        Err(e) => PageError::new(e, staff.tr).into_response(),
    }
}

async fn card_page(
    state: &AppState,
    staff: &Staff,
    id: CustomerId,
    revealed: Option<sanbao_app::customer::Revealed>,
) -> Response {
    let tr = staff.tr;
    let customers = state.app.customers();
    let c = match customers.card(staff.actor(), id).await {
        Ok(c) => c,
        // A customer merged into another: its links lead to the one kept.
        Err(AppError::NotFound(_)) if revealed.is_none() => {
            return match customers.merged_into(staff.actor(), id).await {
                Ok(Some(into)) => Redirect::to(&format!("/customers/{}", into.0)).into_response(),
                Ok(None) => PageError::new(AppError::NotFound("customer"), tr).into_response(),
                Err(e) => PageError::new(e, tr).into_response(),
            };
        }
        Err(e) => return PageError::new(e, tr).into_response(),
    };
    let layout = Layout::new(staff, Section::Customers, &c.name, state.cfg.timezone);
    let now = crate::case::Now::load(state).await;
    let rows = c
        .cases
        .iter()
        .map(|v| Row {
            customer: String::new(),
            ..Row::of(&layout, v, &now)
        })
        .collect();
    let mut contacts = c.contacts;
    let (phone, address) = match &revealed {
        Some(r) => {
            for (k, whole) in contacts.iter_mut().zip(&r.contact_phones) {
                k.phone.clone_from(whole);
            }
            (r.phone.clone(), r.address.clone())
        }
        None => (c.phone_shown, c.address),
    };
    render(&CardPage {
        id: id.0,
        phone,
        kind: c.kind.label(tr.is_en()),
        address,
        credit_code: c.credit_code.unwrap_or_default(),
        since: layout.time(&c.created_at),
        may_reveal: c.may_reveal,
        revealed: revealed.is_some(),
        may_edit: staff.actor().can(Permission::CustomerWrite),
        contacts,
        rows,
        layout,
    })
}
