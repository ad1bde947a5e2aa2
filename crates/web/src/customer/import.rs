//! Importing customer archives on the shared import page ([`crate::import`]).

use axum::Extension;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::response::Response;
use sanbao_app::Actor;
use sanbao_domain::customer::import::COLUMNS;
use sanbao_domain::role::Permission;

use crate::AppState;
use crate::csrf::UploadCsrf;
use crate::import::{self, Kind};
use crate::layout::Section;
use crate::session::Staff;

static CUSTOMERS: Kind = Kind {
    id: "customers",
    action: "/customers/import",
    title: "import.customers",
    columns: COLUMNS,
    allowed: |a: &Actor| a.require(Permission::CustomerWrite),
};

const KINDS: &[&Kind] = &[&CUSTOMERS];

pub(super) async fn form(State(state): State<AppState>, staff: Staff) -> Response {
    import::page(
        &state,
        &staff,
        Section::Customers,
        KINDS,
        None,
        (&[], Vec::new()),
    )
}

pub(super) async fn upload(
    State(state): State<AppState>,
    staff: Staff,
    csrf: Option<Extension<UploadCsrf>>,
    mp: Result<Multipart, MultipartRejection>,
) -> Response {
    let at = (Section::Customers, KINDS, &CUSTOMERS);
    let bytes = match import::file(&state, &staff, at, csrf, mp).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let result = state.app.customers().import(staff.actor(), &bytes).await;
    let tr = staff.tr;
    let done = result.map(|n| tr.t("import.done_customers").replace("{n}", &n.to_string()));
    import::outcome(&state, &staff, at, done)
}

pub(super) async fn template(_staff: Staff) -> Response {
    import::template(&CUSTOMERS)
}
