//! Uploads and downloads of attached files, shared by the pages and the API.

use axum::extract::Multipart;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sanbao_app::AppError;
use sanbao_app::case::FileContent;
use sanbao_app::domain::attachment::MAX_BYTES;

/// The body limit of an upload route: one file at the limit plus the multipart framing.
pub(crate) const UPLOAD_BODY_LIMIT: usize = MAX_BYTES + 64 * 1024;

/// One uploaded file.
pub(crate) struct Uploaded {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Read the `file` part of a multipart body. `csrf` (page forms) is the token the body's
/// `_csrf` part must carry, before the file; `None` checks no part (the API, or a page request
/// whose header token was checked). Errors name the field and say why, in Chinese.
pub(crate) async fn read_upload(
    mut mp: Multipart,
    csrf: Option<&str>,
) -> Result<Uploaded, UploadError> {
    let mut csrf_ok = csrf.is_none();
    while let Some(field) = mp.next_field().await.map_err(UploadError::from_multipart)? {
        match field.name() {
            Some("_csrf") if csrf.is_some() => {
                let v = field.text().await.map_err(UploadError::from_multipart)?;
                csrf_ok = csrf.is_some_and(|t| crate::csrf::constant_time_eq(&v, t));
            }
            Some("file") => {
                if !csrf_ok {
                    return Err(UploadError::Csrf);
                }
                let name = field.file_name().unwrap_or_default().to_owned();
                let bytes = field
                    .bytes()
                    .await
                    .map_err(UploadError::from_multipart)?
                    .to_vec();
                return Ok(Uploaded { name, bytes });
            }
            _ => {}
        }
    }
    if !csrf_ok {
        return Err(UploadError::Csrf);
    }
    Err(UploadError::App(AppError::invalid(
        "file",
        "required",
        sanbao_domain::text!("case.file_empty"),
    )))
}

/// Read a multipart form whose text fields come with one file (a repair report with the
/// customer's signature): the fields, and the file `file_field` if one was sent. The form's
/// token must come before anything else is kept.
pub(crate) async fn read_form(
    mut mp: Multipart,
    csrf: Option<&str>,
    file_field: &str,
) -> Result<(crate::form::FormData, Option<Vec<u8>>), UploadError> {
    let mut csrf_ok = csrf.is_none();
    let mut fields = Vec::new();
    let mut file = None;
    while let Some(field) = mp.next_field().await.map_err(UploadError::from_multipart)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "_csrf" && csrf.is_some() {
            let v = field.text().await.map_err(UploadError::from_multipart)?;
            csrf_ok = csrf.is_some_and(|t| crate::csrf::constant_time_eq(&v, t));
            continue;
        }
        if !csrf_ok {
            return Err(UploadError::Csrf);
        }
        if name == file_field {
            let bytes = field.bytes().await.map_err(UploadError::from_multipart)?;
            file = (!bytes.is_empty()).then(|| bytes.to_vec());
        } else {
            let v = field.text().await.map_err(UploadError::from_multipart)?;
            fields.push((name, v));
        }
    }
    if !csrf_ok {
        return Err(UploadError::Csrf);
    }
    Ok((crate::form::FormData(fields), file))
}

pub(crate) enum UploadError {
    /// The page form's token was missing or wrong.
    Csrf,
    App(AppError),
}

impl UploadError {
    fn from_multipart(e: axum::extract::multipart::MultipartError) -> Self {
        UploadError::App(if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::invalid(
                "file",
                "too_large",
                sanbao_domain::text!("case.file_too_large", mb = MAX_BYTES / 1024 / 1024),
            )
        } else {
            AppError::invalid(
                "file",
                "malformed",
                sanbao_domain::text!("case.upload_malformed"),
            )
        })
    }
}

/// A file as a response: its type, its name (UTF-8 names by RFC 6266/5987), never sniffed
/// into something else, cached privately (the bytes behind an id never change).
pub(crate) fn file_response(f: FileContent, download: bool) -> Response {
    let disposition = format!(
        "{}; filename=\"{}\"; filename*=UTF-8''{}",
        if download { "attachment" } else { "inline" },
        ascii_fallback(&f.file.name),
        rfc5987(&f.file.name)
    );
    let mut resp = f.bytes.into_response();
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&f.content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=3600"),
    );
    resp
}

/// The name with everything but printable ASCII replaced, for clients that ignore `filename*`.
fn ascii_fallback(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Percent-encoding of RFC 5987's `value-chars`.
fn rfc5987(name: &str) -> String {
    let mut out = String::with_capacity(name.len() * 3);
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// "12.3 KB", "4.5 MB": a size for people.
pub(crate) fn human_size(bytes: i64) -> String {
    let b = bytes.max(0) as f64;
    if b < 1024.0 {
        format!("{bytes} B")
    } else if b < 1024.0 * 1024.0 {
        format!("{:.1} KB", b / 1024.0)
    } else {
        format!("{:.1} MB", b / 1024.0 / 1024.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_survive_the_header() {
        assert_eq!(rfc5987("收据 1.pdf"), "%E6%94%B6%E6%8D%AE%201.pdf");
        assert_eq!(ascii_fallback("收据 \"1\".pdf"), "__ _1_.pdf");
        assert_eq!(human_size(512), "512 B");
        assert_eq!(human_size(1536), "1.5 KB");
        assert_eq!(human_size(3 * 1024 * 1024), "3.0 MB");
    }
}
