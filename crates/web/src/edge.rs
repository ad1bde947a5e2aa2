//! What every request passes before it reaches a feature: text with control characters is
//! refused with the field named (a NUL would otherwise reach PostgreSQL, which cannot store
//! it, as a 500), a body past the limit is 413 before it is read, and the API's rejections
//! that axum answers in plain text (or not at all) come back in the API's JSON error shape.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::error::{ErrorBody, ErrorDetail, error_page};
use crate::page::lang_from_headers;

/// The largest body read here (forms and JSON); uploads are streamed by their handler.
pub(crate) const BODY_LIMIT: usize = 2 * 1024 * 1024;

/// Tab, line feed and carriage return are text; every other control character is not.
fn is_refused(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

fn has_refused(s: &str) -> bool {
    s.chars().any(is_refused)
}

/// The first `name=value` pair of a query string or form body with a refused character: its
/// name (or `name` itself when the name is at fault).
fn bad_pair(encoded: &[u8]) -> Option<String> {
    form_urlencoded::parse(encoded)
        .find(|(k, v)| has_refused(k) || has_refused(v))
        .map(|(k, _)| k.chars().filter(|c| !is_refused(*c)).collect())
}

/// Where in a JSON document the first refused character is: `customer.name`, `tags[2]`.
fn bad_json_field(v: &Value, at: &str) -> Option<String> {
    match v {
        Value::String(s) => has_refused(s).then(|| at.to_owned()),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, x)| bad_json_field(x, &format!("{at}[{i}]"))),
        Value::Object(map) => map.iter().find_map(|(k, x)| {
            let name = if at.is_empty() {
                k.clone()
            } else {
                format!("{at}.{k}")
            };
            if has_refused(k) {
                return Some(name.chars().filter(|c| !is_refused(*c)).collect());
            }
            bad_json_field(x, &name)
        }),
        _ => None,
    }
}

/// Does a JSON text escape a refused character (`\u0000`…`\u001f` but tab, LF, CR; `\u007f`)?
/// Raw control characters are not valid JSON and fail the parse anyway; this is the cheap
/// test before the document is walked to name the field.
fn escapes_control(bytes: &[u8]) -> bool {
    bytes.windows(6).any(|w| {
        w.starts_with(b"\\u00")
            && match (w[4].to_ascii_lowercase(), w[5].to_ascii_lowercase()) {
                (b'0', d) => !matches!(d, b'9' | b'a' | b'd'),
                (b'1', _) => true,
                (b'7', b'f') => true,
                (b'8' | b'9', _) => true,
                _ => false,
            }
    })
}

/// Refuse control characters in the path, the query string and form or JSON bodies, and
/// bodies past [`BODY_LIMIT`].
pub(crate) async fn check_input(req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let path = percent_encoding::percent_decode_str(req.uri().path()).decode_utf8_lossy();
    if has_refused(&path) {
        return refused(&req, api, "path");
    }
    if let Some(field) = req.uri().query().and_then(|q| bad_pair(q.as_bytes())) {
        return refused(&req, api, &field);
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let form = content_type.starts_with("application/x-www-form-urlencoded");
    let json = content_type.starts_with("application/json");
    if !form && !json {
        return next.run(req).await;
    }
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > BODY_LIMIT as u64) {
        return too_large(&req, api);
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, BODY_LIMIT).await else {
        return too_large(&Request::from_parts(parts, Body::empty()), api);
    };
    let field = if form {
        bad_pair(&bytes)
    } else if escapes_control(&bytes) {
        serde_json::from_slice::<Value>(&bytes)
            .ok()
            .and_then(|v| bad_json_field(&v, ""))
            .or_else(|| Some("body".to_owned()))
    } else {
        None
    };
    let req = Request::from_parts(parts, Body::from(bytes));
    match field {
        Some(f) => refused(&req, api, &f),
        None => next.run(req).await,
    }
}

fn refused(req: &Request, api: bool, field: &str) -> Response {
    let tr = lang_from_headers(req.headers());
    if api {
        return json_error(
            StatusCode::BAD_REQUEST,
            "control_character",
            tr.t("error.control_character_field")
                .replace("{field}", field),
            Some(field.to_owned()),
        );
    }
    // A page names no internal field key: the person sees what to do.
    error_page(tr, StatusCode::BAD_REQUEST, tr.t("error.control_character"))
}

fn too_large(req: &Request, api: bool) -> Response {
    let tr = lang_from_headers(req.headers());
    let message = tr
        .t("error.too_large_limit")
        .replace("{mb}", &(BODY_LIMIT / 1024 / 1024).to_string());
    if api {
        json_error(StatusCode::PAYLOAD_TOO_LARGE, "too_large", message, None)
    } else {
        error_page(tr, StatusCode::PAYLOAD_TOO_LARGE, &message)
    }
}

fn json_error(status: StatusCode, code: &str, message: String, field: Option<String>) -> Response {
    let body = ErrorBody {
        error: ErrorDetail {
            code: code.to_owned(),
            message,
            field,
        },
    };
    (status, axum::Json(body)).into_response()
}

/// The API's answers that axum makes itself — a path that does not parse, a method the route
/// does not take, a timeout, an unsupported media type — are plain text or empty; give them the
/// API's JSON error shape with a code for the status.
pub(crate) async fn api_errors_as_json(req: Request, next: Next) -> Response {
    if !req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    let tr = lang_from_headers(req.headers());
    let res = next.run(req).await;
    let status = res.status();
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return res;
    }
    let (code, key) = match status {
        StatusCode::NOT_FOUND => ("not_found", "error.no_such_page"),
        StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", "error.method_not_allowed"),
        StatusCode::REQUEST_TIMEOUT => ("timeout", "error.timeout"),
        StatusCode::PAYLOAD_TOO_LARGE => ("too_large", "error.too_large"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ("unsupported_media_type", "error.media_type"),
        s if s.is_server_error() => ("internal", "error.internal"),
        _ => ("bad_request", "error.bad_request"),
    };
    let mut out = json_error(status, code, tr.t(key).to_owned(), None);
    // Keep what the answer said besides its body (Allow, Retry-After, security headers).
    for (name, v) in res.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            out.headers_mut().insert(name.clone(), v.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_escapes_of_control_characters_are_found_and_named() {
        assert!(escapes_control(br#"{"a":"x\u0000y"}"#));
        assert!(escapes_control(br#"{"a":"\u001B"}"#));
        assert!(escapes_control(br#"{"a":"\u007f"}"#));
        assert!(!escapes_control(
            br#"{"a":"line\u000aline\u0009tab\u000d"}"#
        ));
        assert!(!escapes_control(br#"{"a":"\u4e2d"}"#));
        let v: Value =
            serde_json::from_str(r#"{"customer":{"name":"a\u0000"},"tags":["ok","b\u0001"]}"#)
                .unwrap();
        assert_eq!(bad_json_field(&v, "").as_deref(), Some("customer.name"));
        let v: Value = serde_json::from_str(r#"{"tags":["ok","b\u0001"]}"#).unwrap();
        assert_eq!(bad_json_field(&v, "").as_deref(), Some("tags[1]"));
    }

    #[test]
    fn form_pairs_name_the_field_and_allow_line_breaks() {
        assert_eq!(
            bad_pair(b"username=a%00b&password=x").as_deref(),
            Some("username")
        );
        assert_eq!(bad_pair(b"body=line%0D%0Anext%09tab"), None);
        assert_eq!(
            bad_pair(b"q=%C2%85"),
            Some("q".to_owned()),
            "C1 controls too"
        );
        assert_eq!(bad_pair(b"a%00=1").as_deref(), Some("a"));
    }
}
