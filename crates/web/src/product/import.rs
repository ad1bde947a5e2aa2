//! The import page: a catalogue or sales file uploaded, every bad row listed by line and
//! column with nothing written, or the count written; and the template files to start from.

use askama::Template;
use axum::Extension;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sanbao_app::AppError;
use sanbao_domain::FieldError;
use sanbao_domain::import::Column;
use sanbao_domain::product::import::{PRODUCT_COLUMNS, UNIT_COLUMNS};
use serde::Deserialize;

use crate::AppState;
use crate::csrf::UploadCsrf;
use crate::error::PageError;
use crate::files::{UploadError, read_upload};
use crate::layout::{Layout, Section};
use crate::page::render_status;
use crate::session::Staff;

/// One problem of an import, as the page lists it.
struct Problem {
    line: String,
    column: String,
    message: String,
}

#[derive(Template)]
#[template(path = "product/import.html")]
struct ImportPage {
    layout: Layout,
    /// `products` or `units`: the form the result belongs to.
    what: &'static str,
    done: Option<String>,
    problems: Vec<Problem>,
}

#[derive(Deserialize, Default)]
pub(super) struct WhatQuery {
    what: Option<String>,
}

pub(super) async fn form(State(state): State<AppState>, staff: Staff) -> Response {
    page(&state, &staff, "products", None, Vec::new())
}

fn page(
    state: &AppState,
    staff: &Staff,
    what: &'static str,
    done: Option<String>,
    errs: Vec<FieldError>,
) -> Response {
    let tr = staff.tr;
    let columns = if what == "units" {
        UNIT_COLUMNS
    } else {
        PRODUCT_COLUMNS
    };
    let problems = errs
        .iter()
        .map(|e| problem(tr, columns, e))
        .collect::<Vec<_>>();
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let layout = Layout::new(
        staff,
        Section::Products,
        tr.t("import.title"),
        state.cfg.timezone,
    );
    render_status(
        status,
        &ImportPage {
            layout,
            what,
            done,
            problems,
        },
    )
}

/// An error on `row[7].model` as "第 7 行 · 型号 · why"; one on the file as the file's.
fn problem(tr: crate::i18n::Tr, columns: &[Column], e: &FieldError) -> Problem {
    let message = tr.text(&e.message);
    let Some(rest) = e.field.strip_prefix("row[") else {
        return Problem {
            line: String::new(),
            column: String::new(),
            message,
        };
    };
    let (line, field) = rest.split_once("].").unwrap_or((rest, ""));
    let column = columns
        .iter()
        .find(|c| c.field == field)
        .map_or_else(String::new, |c| c.headers[0].to_owned());
    Problem {
        line: tr.t("import.line").replace("{n}", line),
        column,
        message,
    }
}

async fn upload(
    state: &AppState,
    staff: &Staff,
    csrf: Option<Extension<UploadCsrf>>,
    mp: Result<Multipart, MultipartRejection>,
    what: &'static str,
) -> Response {
    // Who may not import is told so before the file is read.
    let allowed = if what == "units" {
        sanbao_app::product::require_unit_writer(staff.actor())
    } else {
        staff
            .actor()
            .require(sanbao_domain::role::Permission::ProductManage)
    };
    if let Err(e) = allowed {
        return PageError::new(e, staff.tr).into_response();
    }
    // Not a multipart body: the form token was checked with the form; there is no file.
    let Ok(mp) = mp else {
        let e = FieldError::new("file", "required", sanbao_domain::text!("case.file_empty"));
        return page(state, staff, what, None, vec![e]);
    };
    let token = match csrf {
        Some(Extension(UploadCsrf::InBody(t))) => Some(t),
        Some(Extension(UploadCsrf::Verified)) => None,
        None => return crate::csrf::refuse(staff.tr),
    };
    let bytes = match read_upload(mp, token.as_deref()).await {
        Ok(f) => f.bytes,
        Err(UploadError::Csrf) => return crate::csrf::refuse(staff.tr),
        Err(UploadError::App(AppError::Invalid(errs))) => {
            return page(state, staff, what, None, errs.0);
        }
        Err(UploadError::App(e)) => return PageError::new(e, staff.tr).into_response(),
    };
    let products = state.app.products();
    let result = if what == "units" {
        products.import_units(staff.actor(), &bytes).await
    } else {
        products.import_products(staff.actor(), &bytes).await
    };
    let tr = staff.tr;
    match result {
        Ok(done) => {
            let key = if what == "units" {
                "import.done_units"
            } else {
                "import.done_products"
            };
            let text = tr
                .t(key)
                .replace("{n}", &done.rows.to_string())
                .replace("{c}", &done.customers_created.to_string());
            page(state, staff, what, Some(text), Vec::new())
        }
        Err(AppError::Invalid(errs)) => page(state, staff, what, None, errs.0),
        Err(AppError::Duplicate(e)) => page(state, staff, what, None, vec![e]),
        Err(e) => PageError::new(e, tr).into_response(),
    }
}

pub(super) async fn products(
    State(state): State<AppState>,
    staff: Staff,
    csrf: Option<Extension<UploadCsrf>>,
    mp: Result<Multipart, MultipartRejection>,
) -> Response {
    upload(&state, &staff, csrf, mp, "products").await
}

pub(super) async fn units(
    State(state): State<AppState>,
    staff: Staff,
    csrf: Option<Extension<UploadCsrf>>,
    mp: Result<Multipart, MultipartRejection>,
) -> Response {
    upload(&state, &staff, csrf, mp, "units").await
}

/// A template to fill in: the columns' headers, as UTF-8 CSV with a byte-order mark (Excel
/// then opens the Chinese headers right).
pub(super) async fn template(_staff: Staff, Query(q): Query<WhatQuery>) -> Response {
    let (columns, name) = match q.what.as_deref() {
        Some("units") => (UNIT_COLUMNS, "units.csv"),
        _ => (PRODUCT_COLUMNS, "products.csv"),
    };
    let headers: Vec<&str> = columns.iter().map(|c| c.headers[0]).collect();
    let body = format!("\u{feff}{}\r\n", headers.join(","));
    let disposition = format!("attachment; filename=\"{name}\"");
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition)
                    .unwrap_or(HeaderValue::from_static("attachment")),
            ),
        ],
        body,
    )
        .into_response()
}
