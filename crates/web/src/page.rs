//! What every staff page shares: rendering, the error page for rejected requests, 404.

use askama::Template;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};

use crate::error::error_page;
use crate::i18n::Tr;
use crate::session::{CurrentSession, cookie};

/// Extractor rejections (a malformed form, a path id that is not a number) answer axum's plain
/// text; on pages they become the error page, in the user's language, with the same status.
pub(crate) async fn friendly_rejections(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let tr = req.extensions().get::<CurrentSession>().map_or_else(
        || lang_from_headers(req.headers()),
        |s| Tr::new(s.0.actor.lang),
    );
    let res = next.run(req).await;
    let plain = res
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/plain"));
    if res.status().is_client_error() && plain {
        return error_page(tr, res.status(), tr.t("error.bad_request"));
    }
    res
}

/// Render a template, or an error page if rendering fails.
pub(crate) fn render(t: &impl Template) -> Response {
    render_status(StatusCode::OK, t)
}

pub(crate) fn render_status(status: StatusCode, t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed to render");
            error_page(
                Tr::default(),
                StatusCode::INTERNAL_SERVER_ERROR,
                "页面渲染失败 / page failed to render",
            )
        }
    }
}

/// 404 for every unknown path (HTML; the API has its own JSON 404).
pub async fn not_found(req: axum::extract::Request) -> Response {
    if req.uri().path().starts_with("/api/") {
        return crate::ApiError(sanbao_app::AppError::NotFound("route")).into_response();
    }
    let tr = req.extensions().get::<CurrentSession>().map_or_else(
        || lang_from_headers(req.headers()),
        |s| Tr::new(s.0.actor.lang),
    );
    error_page(tr, StatusCode::NOT_FOUND, tr.t("error.no_such_page"))
}

/// The language before login: the `lang` cookie, else Chinese.
pub(crate) fn lang_from_headers(h: &HeaderMap) -> Tr {
    Tr::new(
        cookie(h, "sanbao_lang")
            .and_then(|l| l.parse().ok())
            .unwrap_or_default(),
    )
}
