//! Importing the catalogue and sold units on the shared import page ([`crate::import`]).

use axum::Extension;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::response::Response;
use sanbao_app::Actor;
use sanbao_domain::product::import::{PRODUCT_COLUMNS, UNIT_COLUMNS};
use sanbao_domain::role::Permission;

use crate::AppState;
use crate::csrf::UploadCsrf;
use crate::import::{self, Kind};
use crate::layout::Section;
use crate::session::Staff;

static PRODUCTS: Kind = Kind {
    id: "products",
    action: "/products/import",
    title: "import.products",
    columns: PRODUCT_COLUMNS,
    allowed: |a: &Actor| a.require(Permission::ProductManage),
};

static UNITS: Kind = Kind {
    id: "units",
    action: "/products/units/import",
    title: "import.units",
    columns: UNIT_COLUMNS,
    allowed: sanbao_app::product::require_unit_writer,
};

const KINDS: &[&Kind] = &[&PRODUCTS, &UNITS];

pub(super) async fn form(State(state): State<AppState>, staff: Staff) -> Response {
    import::page(
        &state,
        &staff,
        Section::Products,
        KINDS,
        None,
        (&[], Vec::new()),
    )
}

pub(super) async fn products(
    State(state): State<AppState>,
    staff: Staff,
    csrf: Option<Extension<UploadCsrf>>,
    mp: Result<Multipart, MultipartRejection>,
) -> Response {
    let at = (Section::Products, KINDS, &PRODUCTS);
    let bytes = match import::file(&state, &staff, at, csrf, mp).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let result = state
        .app
        .products()
        .import_products(staff.actor(), &bytes)
        .await;
    let tr = staff.tr;
    let done = result.map(|d| {
        tr.t("import.done_products")
            .replace("{n}", &d.rows.to_string())
    });
    import::outcome(&state, &staff, at, done)
}

pub(super) async fn units(
    State(state): State<AppState>,
    staff: Staff,
    csrf: Option<Extension<UploadCsrf>>,
    mp: Result<Multipart, MultipartRejection>,
) -> Response {
    let at = (Section::Products, KINDS, &UNITS);
    let bytes = match import::file(&state, &staff, at, csrf, mp).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let result = state
        .app
        .products()
        .import_units(staff.actor(), &bytes)
        .await;
    let tr = staff.tr;
    let done = result.map(|d| {
        tr.t("import.done_units")
            .replace("{n}", &d.rows.to_string())
            .replace("{c}", &d.customers_created.to_string())
    });
    import::outcome(&state, &staff, at, done)
}

pub(super) async fn product_csv(_staff: Staff) -> Response {
    import::template(&PRODUCTS)
}

pub(super) async fn unit_csv(_staff: Staff) -> Response {
    import::template(&UNITS)
}
