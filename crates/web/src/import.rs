//! The import page every feature's imports share: a file uploaded on one of its forms, every
//! bad row listed by line and column with nothing written, or what was written; and the
//! template files to start from. A feature names its kinds of file ([`Kind`]) and runs the
//! import itself.

use askama::Template;
use axum::Extension;
use axum::extract::Multipart;
use axum::extract::multipart::MultipartRejection;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sanbao_app::{Actor, AppError};
use sanbao_domain::FieldError;
use sanbao_domain::import::Column;

use crate::AppState;
use crate::csrf::UploadCsrf;
use crate::error::PageError;
use crate::files::{UploadError, read_upload};
use crate::layout::{Layout, Section};
use crate::page::render_status;
use crate::session::Staff;

/// A kind of file a feature imports.
pub(crate) struct Kind {
    /// The form's id and the template's name (`products`, `units`, `customers`).
    pub id: &'static str,
    /// Where the form posts.
    pub action: &'static str,
    /// The message key of the form's title.
    pub title: &'static str,
    pub columns: &'static [Column],
    /// May this user import it (checked before the file is read)?
    pub allowed: fn(&Actor) -> sanbao_app::Result<()>,
}

/// One problem of an import, as the page lists it.
struct Problem {
    line: String,
    column: String,
    message: String,
}

/// A form of the page, for one kind.
struct FormView {
    id: &'static str,
    action: &'static str,
    title: &'static str,
}

#[derive(Template)]
#[template(path = "shell/import.html")]
struct ImportPage {
    layout: Layout,
    forms: Vec<FormView>,
    done: Option<String>,
    problems: Vec<Problem>,
}

/// The page with the forms of `kinds` this user may use, and an import's outcome.
pub(crate) fn page(
    state: &AppState,
    staff: &Staff,
    section: Section,
    kinds: &[&Kind],
    done: Option<String>,
    errs: (&[Column], Vec<FieldError>),
) -> Response {
    let tr = staff.tr;
    let (columns, errs) = errs;
    let problems: Vec<Problem> = errs.iter().map(|e| problem(tr, columns, e)).collect();
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let forms = kinds
        .iter()
        .filter(|k| (k.allowed)(staff.actor()).is_ok())
        .map(|k| FormView {
            id: k.id,
            action: k.action,
            title: k.title,
        })
        .collect();
    let layout = Layout::new(staff, section, tr.t("import.title"), state.cfg.timezone);
    render_status(
        status,
        &ImportPage {
            layout,
            forms,
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

/// The uploaded file of a form of `kind`: its bytes, or the response that refuses it (no
/// permission, a wrong form token, no file).
pub(crate) async fn file(
    state: &AppState,
    staff: &Staff,
    (section, kinds, kind): (Section, &[&Kind], &Kind),
    csrf: Option<Extension<UploadCsrf>>,
    mp: Result<Multipart, MultipartRejection>,
) -> Result<Vec<u8>, Response> {
    // Who may not import is told so before the file is read.
    if let Err(e) = (kind.allowed)(staff.actor()) {
        return Err(PageError::new(e, staff.tr).into_response());
    }
    let refused =
        |errs: Vec<FieldError>| page(state, staff, section, kinds, None, (kind.columns, errs));
    // Not a multipart body: the form token was checked with the form; there is no file.
    let Ok(mp) = mp else {
        let e = FieldError::new("file", "required", sanbao_domain::text!("case.file_empty"));
        return Err(refused(vec![e]));
    };
    let token = match csrf {
        Some(Extension(UploadCsrf::InBody(t))) => Some(t),
        Some(Extension(UploadCsrf::Verified)) => None,
        None => return Err(crate::csrf::refuse(staff.tr)),
    };
    match read_upload(mp, token.as_deref()).await {
        Ok(f) => Ok(f.bytes),
        Err(UploadError::Csrf) => Err(crate::csrf::refuse(staff.tr)),
        Err(UploadError::App(AppError::Invalid(errs))) => Err(refused(errs.0)),
        Err(UploadError::App(e)) => Err(PageError::new(e, staff.tr).into_response()),
    }
}

/// The page after an import of `kind`: what it wrote (`done`, a message), or its problems.
pub(crate) fn outcome(
    state: &AppState,
    staff: &Staff,
    (section, kinds, kind): (Section, &[&Kind], &Kind),
    result: sanbao_app::Result<String>,
) -> Response {
    match result {
        Ok(done) => page(
            state,
            staff,
            section,
            kinds,
            Some(done),
            (kind.columns, Vec::new()),
        ),
        Err(AppError::Invalid(errs)) => {
            page(state, staff, section, kinds, None, (kind.columns, errs.0))
        }
        Err(AppError::Duplicate(e)) => {
            page(state, staff, section, kinds, None, (kind.columns, vec![e]))
        }
        Err(e) => PageError::new(e, staff.tr).into_response(),
    }
}

/// A template to fill in: the kind's headers as UTF-8 CSV with a byte-order mark (Excel then
/// opens the Chinese headers right).
pub(crate) fn template(kind: &Kind) -> Response {
    let headers: Vec<&str> = kind.columns.iter().map(|c| c.headers[0]).collect();
    let body = format!("\u{feff}{}\r\n", headers.join(","));
    let disposition = format!("attachment; filename=\"{}.csv\"", kind.id);
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
