//! Turning app errors into answers: JSON for the API, an error page for HTML. Messages come
//! from the message tables, in the reader's language; a fault shows only the request id the
//! person can quote, and the log has the whole cause.

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use sanbao_app::AppError;
use serde::Serialize;

use crate::i18n::Tr;

/// Status, code, message (in `tr`'s language) and field of an app error — one exhaustive
/// match, so a new error variant does not compile until it has an answer.
pub(crate) fn classify(e: &AppError, tr: Tr) -> (StatusCode, &'static str, String, Option<&str>) {
    match e {
        AppError::Invalid(errs) => (
            StatusCode::BAD_REQUEST,
            "invalid",
            errs.0
                .iter()
                .map(|e| tr.text(&e.message))
                .collect::<Vec<_>>()
                .join("；"),
            errs.first().map(|e| e.field.as_ref()),
        ),
        AppError::Unauthenticated => (
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            tr.t("error.unauthenticated").to_owned(),
            None,
        ),
        AppError::BadCredentials => (
            StatusCode::UNAUTHORIZED,
            "bad_credentials",
            tr.t("login.bad_credentials").to_owned(),
            None,
        ),
        AppError::RateLimited { retry_after_secs } => (
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            tr.t("error.rate_limited")
                .replace("{minutes}", &retry_after_secs.div_ceil(60).to_string()),
            None,
        ),
        AppError::Forbidden(p) => (
            StatusCode::FORBIDDEN,
            "forbidden",
            tr.t("error.permission")
                .replace("{permission}", tr.pick(p.label_zh(), p.label_en()))
                .replace("{code}", p.code()),
            None,
        ),
        AppError::NotFound(what) => (
            StatusCode::NOT_FOUND,
            "not_found",
            tr.t("error.record_not_found")
                .replace("{record}", record_name(tr, what)),
            None,
        ),
        AppError::Stale => (
            StatusCode::CONFLICT,
            "stale",
            tr.t("error.stale").to_owned(),
            None,
        ),
        AppError::Duplicate(f) => (
            StatusCode::CONFLICT,
            "duplicate",
            tr.text(&f.message),
            Some(f.field.as_ref()),
        ),
        AppError::Rule { code, message } => (
            StatusCode::UNPROCESSABLE_ENTITY,
            code,
            tr.text(message),
            None,
        ),
        AppError::Internal(_) | AppError::Fault { .. } => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            tr.t("error.fault")
                .replace("{request_id}", &crate::telemetry::current_request_id()),
            None,
        ),
    }
}

fn record_name(tr: Tr, what: &str) -> &'static str {
    match what {
        "user" => tr.t("error.record.user"),
        "desk" => tr.t("error.record.desk"),
        "api_token" => tr.t("error.record.token"),
        "role" => tr.t("error.record.role"),
        "case" => tr.t("error.record.case"),
        "customer" => tr.t("error.record.customer"),
        _ => tr.t("error.record.other"),
    }
}

/// Log a fault with its whole chain of causes (each cause on the same line).
fn log_if_fault(e: &AppError) {
    if matches!(e, AppError::Internal(_) | AppError::Fault { .. }) {
        let mut chain = Vec::new();
        let mut cause = std::error::Error::source(e);
        while let Some(c) = cause {
            chain.push(c.to_string());
            cause = c.source();
        }
        tracing::error!(error = %e, causes = ?chain, "request failed");
    }
}

/// An API error: `{"error": {"code", "message", "field"}}` with the matching status.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `invalid`, `forbidden`, `stale`.
    pub code: String,
    /// Human-readable message (Chinese).
    pub message: String,
    /// The input field at fault, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        log_if_fault(&self.0);
        let (status, code, message, field) = classify(&self.0, Tr::default());
        let body = ErrorBody {
            error: ErrorDetail {
                code: code.to_owned(),
                message,
                field: field.map(str::to_owned),
            },
        };
        let mut res = (status, axum::Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            res.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let AppError::RateLimited { retry_after_secs } = self.0
            && let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string())
        {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        res
    }
}

/// An error shown as a page.
#[derive(Debug)]
pub struct PageError {
    pub error: AppError,
    pub tr: Tr,
}

impl PageError {
    pub fn new(error: AppError, tr: Tr) -> Self {
        Self { error, tr }
    }
}

#[derive(Template)]
#[template(path = "shell/error.html")]
pub(crate) struct ErrorPage<'a> {
    pub tr: Tr,
    pub status: u16,
    pub title: &'a str,
    pub message: &'a str,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        log_if_fault(&self.error);
        let (status, _, message, _) = classify(&self.error, self.tr);
        if status == StatusCode::UNAUTHORIZED {
            return axum::response::Redirect::to("/login").into_response();
        }
        error_page(self.tr, status, &message)
    }
}

/// Render the error page with `status`.
pub(crate) fn error_page(tr: Tr, status: StatusCode, message: &str) -> Response {
    let title = match status {
        StatusCode::FORBIDDEN => tr.t("error.forbidden"),
        StatusCode::NOT_FOUND => tr.t("error.not_found"),
        StatusCode::CONFLICT => tr.t("error.conflict"),
        s if s.is_server_error() => tr.t("error.internal"),
        _ => tr.t("error.refused"),
    };
    let page = ErrorPage {
        tr,
        status: status.as_u16(),
        title,
        message,
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "error page failed to render");
            (status, message.to_owned()).into_response()
        }
    }
}
