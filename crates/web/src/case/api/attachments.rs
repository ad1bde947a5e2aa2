//! `/api/v1/cases/{number}/attachments`: files on a case.

use axum::Json;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use sanbao_app::case::Attachment as AttachmentRow;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::ApiActor;
use crate::error::ErrorBody;
use crate::files::{UploadError, file_response, read_upload};
use crate::{ApiError, AppState};

#[derive(Serialize, ToSchema)]
pub struct Attachment {
    pub id: i64,
    /// The file name as uploaded (path removed, shortened to 120 characters).
    pub name: String,
    /// `image/jpeg`, `image/png`, `image/webp` or `application/pdf`, from the file's bytes.
    pub content_type: String,
    pub size: i64,
    /// SHA-256 of the bytes, hex; also in the audit chain.
    pub sha256: String,
    /// Where to fetch the bytes.
    pub url: String,
    /// Where to fetch a JPEG thumbnail (photos only).
    pub thumbnail_url: Option<String>,
    pub uploaded_by: String,
    pub uploaded_at: DateTime<Utc>,
}

impl Attachment {
    fn new(number: &str, a: AttachmentRow) -> Self {
        let url = format!("/api/v1/cases/{number}/attachments/{}", a.id);
        Attachment {
            thumbnail_url: a.has_thumbnail.then(|| format!("{url}?thumbnail=true")),
            url,
            id: a.id,
            name: a.name,
            content_type: a.content_type,
            size: a.size,
            sha256: a.sha256,
            uploaded_by: a.uploaded_by_name,
            uploaded_at: a.uploaded_at,
        }
    }
}

/// The multipart body of an upload.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct AttachmentUpload {
    /// The file (JPEG, PNG, WebP or PDF, at most 10 MB; the type is read from its bytes).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// A case's files, oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/cases/{number}/attachments",
    tag = "cases",
    params(("number" = String, Path, description = "Case number")),
    responses(
        (status = 200, description = "The case's files", body = Vec<Attachment>),
        (status = 404, description = "No such case", body = ErrorBody),
    )
)]
pub async fn list_attachments(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(number): Path<String>,
) -> Result<Json<Vec<Attachment>>, ApiError> {
    let rows = state.app.cases().attachments(&actor, &number).await?;
    Ok(Json(
        rows.into_iter()
            .map(|a| Attachment::new(&number, a))
            .collect(),
    ))
}

/// Attach a file (multipart/form-data, part `file`). A case keeps at most 30 files.
#[utoipa::path(
    post,
    path = "/api/v1/cases/{number}/attachments",
    tag = "cases",
    params(("number" = String, Path, description = "Case number")),
    request_body(content = AttachmentUpload, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Attached", body = Attachment),
        (status = 400, description = "No file, empty, too large, not an accepted type, unreadable, or the case is full", body = ErrorBody),
        (status = 404, description = "No such case", body = ErrorBody),
    )
)]
pub async fn upload_attachment(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(number): Path<String>,
    mp: Multipart,
) -> Result<(StatusCode, Json<Attachment>), ApiError> {
    let f = match read_upload(mp, None).await {
        Ok(f) => f,
        Err(UploadError::App(e)) => return Err(ApiError(e)),
        Err(UploadError::Csrf) => {
            return Err(ApiError(sanbao_app::AppError::fault(
                "an API upload was checked for a form token",
            )));
        }
    };
    let row = state
        .app
        .cases()
        .attach(&actor, &number, &f.name, f.bytes)
        .await?;
    Ok((StatusCode::CREATED, Json(Attachment::new(&number, row))))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FileParams {
    /// `true` for the JPEG thumbnail of a photo.
    #[serde(default)]
    pub thumbnail: bool,
}

/// A file's bytes (or its thumbnail), with its type and name.
#[utoipa::path(
    get,
    path = "/api/v1/cases/{number}/attachments/{id}",
    tag = "cases",
    params(
        ("number" = String, Path, description = "Case number"),
        ("id" = i64, Path, description = "Attachment id"),
        FileParams,
    ),
    responses(
        (status = 200, description = "The bytes", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 404, description = "No such case or file", body = ErrorBody),
    )
)]
pub async fn get_attachment(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((number, id)): Path<(String, i64)>,
    Query(p): Query<FileParams>,
) -> Result<Response, ApiError> {
    let f = state
        .app
        .cases()
        .attachment_content(&actor, &number, id, p.thumbnail)
        .await?;
    Ok(file_response(f, false))
}
