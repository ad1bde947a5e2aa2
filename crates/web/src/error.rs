//! Turning app errors into answers: JSON for the API, an error page for HTML.

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use sanbao_app::AppError;
use serde::Serialize;

use crate::i18n::Tr;

/// Status, code and user-safe message of an app error — one exhaustive match, so a new error
/// variant does not compile until it has an answer.
pub(crate) fn classify(e: &AppError) -> (StatusCode, &'static str, String, Option<&'static str>) {
    match e {
        AppError::Invalid(errs) => {
            let first = errs.first();
            (
                StatusCode::BAD_REQUEST,
                "invalid",
                errs.0
                    .iter()
                    .map(|e| e.message.as_str())
                    .collect::<Vec<_>>()
                    .join("；"),
                first.map(|e| e.field),
            )
        }
        AppError::Unauthenticated => (
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "需要登录或有效的 API 令牌".into(),
            None,
        ),
        AppError::BadCredentials => (
            StatusCode::UNAUTHORIZED,
            "bad_credentials",
            "用户名或密码错误".into(),
            None,
        ),
        AppError::RateLimited { retry_after_secs } => (
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!(
                "登录失败次数过多，请 {} 分钟后再试",
                retry_after_secs.div_ceil(60)
            ),
            None,
        ),
        AppError::Forbidden(p) => (
            StatusCode::FORBIDDEN,
            "forbidden",
            format!("没有权限：需要“{}”权限（{}）", p.label_zh(), p.code()),
            None,
        ),
        AppError::NotFound(what) => (
            StatusCode::NOT_FOUND,
            "not_found",
            format!("{}不存在", record_name(what)),
            None,
        ),
        AppError::Stale => (
            StatusCode::CONFLICT,
            "stale",
            "该记录已被他人修改，请刷新后重试".into(),
            None,
        ),
        AppError::Duplicate(f) => (
            StatusCode::CONFLICT,
            "duplicate",
            f.message.clone(),
            Some(f.field),
        ),
        AppError::Rule { code, message } => (
            StatusCode::UNPROCESSABLE_ENTITY,
            code,
            message.clone(),
            None,
        ),
        AppError::Internal(_) | AppError::Fault(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "系统内部错误，请稍后重试；如仍失败请把请求编号告诉管理员".into(),
            None,
        ),
    }
}

fn record_name(what: &str) -> &'static str {
    match what {
        "user" => "用户",
        "desk" => "部门",
        "api_token" => "令牌",
        "role" => "角色",
        _ => "记录",
    }
}

fn log_if_fault(e: &AppError) {
    if matches!(e, AppError::Internal(_) | AppError::Fault(_)) {
        tracing::error!(error = %e, cause = ?std::error::Error::source(e), "request failed");
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
        let (status, code, message, field) = classify(&self.0);
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
#[template(path = "error.html")]
pub(crate) struct ErrorPage<'a> {
    pub tr: Tr,
    pub status: u16,
    pub title: &'a str,
    pub message: &'a str,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        log_if_fault(&self.error);
        let (status, _, message, _) = classify(&self.error);
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
