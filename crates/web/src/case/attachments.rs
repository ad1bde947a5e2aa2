//! A case's files on its page: upload (multipart, the form's token checked before the file is
//! read), the file itself and its thumbnail.

use axum::Extension;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use super::detail::after_action;
use crate::AppState;
use crate::csrf::UploadCsrf;
use crate::error::PageError;
use crate::files::{UPLOAD_BODY_LIMIT, UploadError, file_response, read_upload};
use crate::session::Staff;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/cases/{number}/attachments",
            post(upload).layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)),
        )
        .route("/cases/{number}/attachments/{id}", get(file))
        .route("/cases/{number}/attachments/{id}/thumbnail", get(thumbnail))
}

async fn upload(
    State(state): State<AppState>,
    staff: Staff,
    Path(number): Path<String>,
    csrf: Option<Extension<UploadCsrf>>,
    mp: Multipart,
) -> Response {
    let token = match csrf {
        Some(Extension(UploadCsrf::InBody(t))) => Some(t),
        Some(Extension(UploadCsrf::Verified)) => None,
        None => return crate::csrf::refuse(staff.tr),
    };
    let result = match read_upload(mp, token.as_deref()).await {
        Ok(f) => state
            .app
            .cases()
            .attach(staff.actor(), &number, &f.name, f.bytes)
            .await
            .map(|_| ()),
        Err(UploadError::Csrf) => return crate::csrf::refuse(staff.tr),
        Err(UploadError::App(e)) => Err(e),
    };
    after_action(&state, &staff, &number, result, crate::flash::Flash::Saved).await
}

async fn file(
    State(state): State<AppState>,
    staff: Staff,
    Path((number, id)): Path<(String, i64)>,
) -> Response {
    serve(&state, &staff, &number, id, false).await
}

async fn thumbnail(
    State(state): State<AppState>,
    staff: Staff,
    Path((number, id)): Path<(String, i64)>,
) -> Response {
    serve(&state, &staff, &number, id, true).await
}

async fn serve(
    state: &AppState,
    staff: &Staff,
    number: &str,
    id: i64,
    thumbnail: bool,
) -> Response {
    match state
        .app
        .cases()
        .attachment_content(staff.actor(), number, id, thumbnail)
        .await
    {
        Ok(f) => file_response(f, false),
        Err(e) => PageError::new(e, staff.tr).into_response(),
    }
}
