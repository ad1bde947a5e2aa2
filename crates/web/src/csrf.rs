//! CSRF protection for every state-changing page request: the request must come from our own
//! origin (`Sec-Fetch-Site` / `Origin` against `Host`) and carry the session's token, as the
//! form field `_csrf` or the header `X-CSRF-Token`. Before login, the token is the one in the
//! login-form cookie (double submit).

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;
use crate::error::error_page;
use crate::i18n::Tr;
use crate::session::{CurrentSession, LOGIN_CSRF_COOKIE, cookie};

const FORM_LIMIT: usize = 1024 * 1024;

pub(crate) async fn check(State(_): State<AppState>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let session = req.extensions().get::<CurrentSession>();
    let tr = session.map_or_else(Tr::default, |s| Tr::new(s.0.actor.lang));
    if !same_origin(req.headers()) {
        tracing::warn!("cross-site form post refused");
        return refuse(tr);
    }
    let expected = match session {
        Some(s) => Some(s.0.csrf_token.clone()),
        None => cookie(req.headers(), LOGIN_CSRF_COOKIE).map(str::to_owned),
    };
    let Some(expected) = expected.filter(|e| !e.is_empty()) else {
        return refuse(tr);
    };
    if let Some(h) = req
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
    {
        return if constant_time_eq(h, &expected) {
            let mut req = req;
            req.extensions_mut().insert(UploadCsrf::Verified);
            next.run(req).await
        } else {
            refuse(tr)
        };
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if content_type.starts_with("multipart/form-data") {
        // Only an upload route takes a multipart body; anywhere else it is refused here (a
        // handler that reads no body would otherwise run without any token check).
        if !is_upload_path(req.uri().path()) {
            return refuse(tr);
        }
        // An upload is too large to buffer here: the handler reads it as a stream and checks
        // its `_csrf` part against this token before it reads the file.
        let mut req = req;
        req.extensions_mut().insert(UploadCsrf::InBody(expected));
        return next.run(req).await;
    }
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return refuse(tr);
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, FORM_LIMIT).await else {
        return error_page(tr, StatusCode::PAYLOAD_TOO_LARGE, tr.t("error.too_large"));
    };
    let ok = form_value(&bytes, "_csrf").is_some_and(|v| constant_time_eq(v, &expected));
    if !ok {
        return refuse(tr);
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// How an upload's form token is checked: already (the `X-CSRF-Token` header matched), or by
/// the handler against the body's `_csrf` part.
#[derive(Clone)]
pub(crate) enum UploadCsrf {
    Verified,
    InBody(String),
}

/// The import forms (their form token is read from the body, before the file).
const IMPORT_PATHS: [&str; 3] = [
    "/products/import",
    "/products/units/import",
    "/customers/import",
];

/// The page routes that take a file: `/cases/{number}/attachments`, a technician's
/// `/field/{number}/step` (the customer's signature) and the imports.
fn is_upload_path(path: &str) -> bool {
    let under = |prefix: &str, suffix: &str| {
        path.strip_prefix(prefix)
            .and_then(|rest| rest.strip_suffix(suffix))
            .is_some_and(|number| !number.is_empty() && !number.contains('/'))
    };
    IMPORT_PATHS.contains(&path) || under("/cases/", "/attachments") || under("/field/", "/step")
}

pub(crate) fn refuse(tr: Tr) -> Response {
    error_page(tr, StatusCode::FORBIDDEN, tr.t("error.csrf"))
}

/// `Sec-Fetch-Site` (when sent) is same-origin or none, and `Origin` (when sent) is our host.
fn same_origin(h: &axum::http::HeaderMap) -> bool {
    if let Some(site) = h.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && !matches!(site, "same-origin" | "none")
    {
        return false;
    }
    match (
        h.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
        h.get(header::HOST).and_then(|v| v.to_str().ok()),
    ) {
        (Some("null"), _) => false,
        (Some(origin), Some(host)) => origin
            .split_once("://")
            .is_some_and(|(_, rest)| rest.trim_end_matches('/') == host),
        (Some(_), None) => false,
        (None, _) => true,
    }
}

/// The raw value of `key` in an urlencoded body (tokens are hex: no decoding needed).
fn form_value<'a>(body: &'a [u8], key: &str) -> Option<&'a str> {
    std::str::from_utf8(body)
        .ok()?
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v)
}

pub(crate) use sanbao_domain::hex::constant_time_eq;

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderMap;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn only_upload_routes_take_multipart() {
        assert!(is_upload_path("/cases/CP-2026-000001/attachments"));
        assert!(!is_upload_path("/logout"));
        assert!(!is_upload_path("/cases/filters/3/delete"));
        assert!(!is_upload_path("/cases//attachments"));
        assert!(!is_upload_path("/cases/a/b/attachments"));
        assert!(is_upload_path("/field/RP-2026-000001/step"));
        assert!(!is_upload_path("/field//step"));
    }

    #[test]
    fn origin_rules() {
        assert!(same_origin(&headers(&[("host", "sanbao.local:8080")])));
        assert!(same_origin(&headers(&[
            ("host", "sanbao.local:8080"),
            ("origin", "http://sanbao.local:8080")
        ])));
        assert!(!same_origin(&headers(&[
            ("host", "sanbao.local:8080"),
            ("origin", "http://evil.example")
        ])));
        assert!(!same_origin(&headers(&[
            ("host", "sanbao.local:8080"),
            ("sec-fetch-site", "cross-site")
        ])));
    }

    #[test]
    fn form_values() {
        assert_eq!(form_value(b"a=1&_csrf=abc&b=2", "_csrf"), Some("abc"));
        assert_eq!(form_value(b"a=1", "_csrf"), None);
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "ab"));
    }
}
