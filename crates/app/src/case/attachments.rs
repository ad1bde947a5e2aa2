//! Files on a case: checked by their bytes, stored once under their digest in the data
//! directory, shown as thumbnails, and entered on the case's timeline and the audit chain with
//! their SHA-256 (so a swapped file is detectable).

use sanbao_domain::audit::{Action, RecordType};
use std::io::Cursor;

use chrono::{DateTime, Utc};
use sanbao_domain::attachment::{self, MAX_PER_CASE};
use sanbao_domain::case::EventKind;
use sanbao_domain::role::Permission;
use sanbao_domain::text;
use sanbao_domain::text::Text;
use sanbao_store::case::attachments::{self as repo, AttachmentRow, FileStore, NewAttachment};
use sanbao_store::case::row::CaseRow;
use sanbao_store::case::update as case_repo;
use serde_json::json;

use super::{Cases, append};
use crate::{Actor, AppError, OrFault, Result, audit};

/// The longest side of a thumbnail, in pixels.
pub const THUMBNAIL_SIDE: u32 = 320;

/// A file attached to a case.
#[derive(Debug, Clone)]
pub struct Attachment {
    pub id: i64,
    pub sha256: String,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub has_thumbnail: bool,
    pub uploaded_by_name: String,
    pub uploaded_at: DateTime<Utc>,
}

impl From<AttachmentRow> for Attachment {
    fn from(r: AttachmentRow) -> Self {
        Attachment {
            id: r.id,
            sha256: r.sha256,
            name: r.name,
            content_type: r.content_type,
            size: r.size,
            has_thumbnail: r.has_thumbnail,
            uploaded_by_name: r.uploaded_by_name,
            uploaded_at: r.uploaded_at,
        }
    }
}

/// An attached file's bytes and what to send them as.
pub struct FileContent {
    pub file: Attachment,
    pub bytes: Vec<u8>,
    /// `image/jpeg` for thumbnails, the file's own type otherwise.
    pub content_type: String,
}

impl Cases<'_> {
    fn files(&self) -> FileStore {
        FileStore::new(&self.app.config.files_dir)
    }

    /// Attach a file to a case. Refused (naming the field `file`): an empty or too large file,
    /// one that is not a JPEG/PNG/WebP photo or a PDF by its bytes, a photo that cannot be
    /// decoded, a case that already has [`MAX_PER_CASE`] files.
    #[tracing::instrument(name = "case.attach", skip_all, fields(number = %number))]
    pub async fn attach(
        &self,
        actor: &Actor,
        number: &str,
        name: &str,
        bytes: Vec<u8>,
    ) -> Result<Attachment> {
        let c = self.visible(actor, number).await?;
        // A technician adds photos to the cases dispatched to them.
        if !(actor.can(Permission::FieldService) && super::step::is_assignee(actor, &c)) {
            actor.require(Permission::CaseWrite)?;
        }
        self.attach_as(actor, &c, name, bytes).await
    }

    /// Attach a file to case `c`, the actor's right to already checked.
    pub(crate) async fn attach_as(
        &self,
        actor: &Actor,
        c: &CaseRow,
        name: &str,
        bytes: Vec<u8>,
    ) -> Result<Attachment> {
        let upload = attachment::check_upload(name, &bytes)?;
        // A full case is refused before anything is decoded or stored (and again, exactly,
        // inside the transaction).
        if repo::for_case(&self.app.store, c.id).await?.len() >= MAX_PER_CASE {
            return Err(too_many());
        }
        let thumbnail = if upload.file_type.is_image() {
            // One photo decoded at a time: a decoded photo can take a few hundred MB.
            let _turn = THUMBNAILING.acquire().await;
            let copy = bytes.clone();
            let made = tokio::task::spawn_blocking(move || thumbnail(&copy))
                .await
                .or_fault("thumbnail task")?;
            Some(made.map_err(|why| AppError::invalid("file", "unreadable", why))?)
        } else {
            None
        };
        // The bytes are in place before the row that names them commits. A refused or failed
        // transaction leaves an unreferenced file, which is harmless: the same bytes uploaded
        // again find it there.
        let files = self.files();
        let sha = files.put(bytes).await?;
        if let Some(t) = thumbnail {
            files.put_thumbnail(&sha, t).await?;
        }
        let now = sanbao_domain::time::now();
        let mut tx = self.app.store.begin().await?;
        // Touching the case first makes two uploads to one case take turns at the limit.
        case_repo::touch(&mut tx, c.id, now).await?;
        if repo::count_tx(&mut tx, c.id).await? >= MAX_PER_CASE as i64 {
            return Err(too_many());
        }
        let size = i64::try_from(upload.size).unwrap_or(i64::MAX);
        let id = repo::insert(
            &mut tx,
            &NewAttachment {
                case_id: c.id,
                sha256: &sha,
                name: &upload.name,
                content_type: upload.file_type.mime(),
                size,
                has_thumbnail: upload.file_type.is_image(),
                uploaded_by: actor.id(),
                uploaded_by_name: &actor.display_name,
                uploaded_at: now,
            },
        )
        .await?;
        let facts = json!({"attachment_id": id, "sha256": sha, "size": size, "content_type": upload.file_type.mime()});
        append(
            &mut tx,
            actor,
            c.id,
            EventKind::Attachment,
            now,
            &upload.name,
            facts,
        )
        .await?;
        audit::record(
            &mut tx,
            actor,
            Action::CaseAttach,
            RecordType::Case,
            &c.number,
            json!({"name": upload.name, "sha256": sha, "size": size}),
        )
        .await?;
        tx.commit().await?;
        repo::get(&self.app.store, c.id, id)
            .await?
            .map(Attachment::from)
            .ok_or(AppError::NotFound("attachment"))
    }

    /// A case's files, oldest first.
    pub async fn attachments(&self, actor: &Actor, number: &str) -> Result<Vec<Attachment>> {
        let c = self.visible(actor, number).await?;
        let rows = repo::for_case(&self.app.store, c.id).await?;
        Ok(rows.into_iter().map(Attachment::from).collect())
    }

    /// One file of a case (or its thumbnail), for someone who may see the case.
    pub async fn attachment_content(
        &self,
        actor: &Actor,
        number: &str,
        id: i64,
        thumbnail: bool,
    ) -> Result<FileContent> {
        let c = self.visible(actor, number).await?;
        let row = repo::get(&self.app.store, c.id, id)
            .await?
            .ok_or(AppError::NotFound("attachment"))?;
        if thumbnail && !row.has_thumbnail {
            return Err(AppError::NotFound("thumbnail"));
        }
        let files = self.files();
        let path = if thumbnail {
            files.thumbnail_path(&row.sha256)
        } else {
            files.path(&row.sha256)
        };
        let bytes = FileStore::read(path).await?;
        if !thumbnail && sanbao_domain::hex::sha256(&bytes) != row.sha256 {
            // The file on disk is not the one recorded: say so rather than serve it.
            return Err(AppError::fault(format!(
                "attachment {id} of {}: stored bytes do not match their digest",
                c.number
            )));
        }
        Ok(FileContent {
            content_type: if thumbnail {
                "image/jpeg".to_owned()
            } else {
                row.content_type.clone()
            },
            file: row.into(),
            bytes,
        })
    }
}

fn too_many() -> AppError {
    AppError::invalid(
        "file",
        "too_many",
        text!("case.too_many_files", max = MAX_PER_CASE),
    )
}

/// Photos are decoded one at a time per process.
static THUMBNAILING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);

/// A JPEG thumbnail of a photo, turned upright by its EXIF orientation, at most
/// [`THUMBNAIL_SIDE`] pixels on its longer side. Decoding is bounded (dimensions and memory),
/// so a crafted file cannot exhaust the server; a photo that cannot be decoded is refused.
pub fn thumbnail(bytes: &[u8]) -> std::result::Result<Vec<u8>, Text> {
    use image::ImageDecoder;
    let mut reader = image::ImageReader::new(Cursor::new(bytes));
    reader = reader
        .with_guessed_format()
        .map_err(|_| text!("case.photo_unreadable"))?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(16_000);
    limits.max_image_height = Some(16_000);
    // A 50-megapixel phone photo decodes to 150 MB of RGB.
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);
    let unreadable = |e: image::ImageError| match e {
        image::ImageError::Limits(_) => text!("case.photo_too_large"),
        _ => text!("case.photo_broken"),
    };
    let mut decoder = reader.into_decoder().map_err(unreadable)?;
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let img = image::DynamicImage::from_decoder(decoder).map_err(unreadable)?;
    // Small photos stay their size; larger ones shrink to fit the box. Turned upright after
    // shrinking, so the full-size picture is never copied.
    let mut small = if img.width() > THUMBNAIL_SIDE || img.height() > THUMBNAIL_SIDE {
        img.thumbnail(THUMBNAIL_SIDE, THUMBNAIL_SIDE)
    } else {
        img
    };
    small.apply_orientation(orientation);
    let small = small.to_rgb8();
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80)
        .encode_image(&small)
        .map_err(|e| text!("case.thumbnail_failed", error = e.to_string()))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(w, h, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
        });
        let mut out = Vec::new();
        img.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
            .unwrap();
        out
    }

    #[test]
    fn thumbnails_keep_the_aspect_and_fit_the_box() {
        let t = thumbnail(&png(1200, 600)).unwrap();
        let img = image::load_from_memory(&t).unwrap();
        assert_eq!(
            (img.width(), img.height()),
            (THUMBNAIL_SIDE, THUMBNAIL_SIDE / 2)
        );
        // A small photo is not blown up.
        let t = image::load_from_memory(&thumbnail(&png(40, 30)).unwrap()).unwrap();
        assert_eq!((t.width(), t.height()), (40, 30));
    }

    #[test]
    fn a_broken_photo_is_refused_not_panicked_on() {
        let mut broken = png(100, 100);
        broken.truncate(60);
        assert!(thumbnail(&broken).is_err());
        assert!(thumbnail(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]).is_err());
    }
}
