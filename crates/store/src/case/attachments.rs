//! Attachment records, and the content-addressed directory that holds their bytes.
//!
//! A file is stored once under its SHA-256 (`ab/abcdef…`), written to a temporary name, synced
//! and renamed into place, so a reader never sees half a file and a crash leaves at most an
//! unreferenced temporary. Thumbnails live beside them (`thumbs/ab/abcdef….jpg`).

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::{Result, Store, Tx, on_conn, on_pool};

/// The directory of attachment bytes.
#[derive(Debug, Clone)]
pub struct FileStore {
    root: PathBuf,
}

impl FileStore {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// Where the file with this digest lives (whether or not it is there yet).
    pub fn path(&self, sha256: &str) -> PathBuf {
        self.root.join(shard(sha256)).join(sha256)
    }

    /// Where the thumbnail of the file with this digest lives.
    pub fn thumbnail_path(&self, sha256: &str) -> PathBuf {
        self.root
            .join("thumbs")
            .join(shard(sha256))
            .join(format!("{sha256}.jpg"))
    }

    /// Store `bytes` under their digest and return it; storing the same bytes again is a no-op.
    pub async fn put(&self, bytes: Vec<u8>) -> Result<String> {
        let sha = sanbao_domain::hex::sha256(&bytes);
        let path = self.path(&sha);
        let tmp_dir = self.root.join("tmp");
        spawn_io(move || write_once(&tmp_dir, &path, &bytes)).await?;
        Ok(sha)
    }

    /// Store the thumbnail of the file with digest `sha256`.
    pub async fn put_thumbnail(&self, sha256: &str, jpeg: Vec<u8>) -> Result<()> {
        let path = self.thumbnail_path(sha256);
        let tmp_dir = self.root.join("tmp");
        spawn_io(move || write_once(&tmp_dir, &path, &jpeg)).await
    }

    /// The bytes at `path` (a path this store handed out).
    pub async fn read(path: PathBuf) -> Result<Vec<u8>> {
        Ok(tokio::fs::read(path).await?)
    }
}

/// Files spread over 256 directories by their digest's first two hex digits.
fn shard(sha256: &str) -> &str {
    sha256.get(..2).unwrap_or("00")
}

async fn spawn_io(f: impl FnOnce() -> std::io::Result<()> + Send + 'static) -> Result<()> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| std::io::Error::other(e.to_string()))??;
    Ok(())
}

fn write_once(tmp_dir: &Path, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if path.exists() {
        return Ok(());
    }
    let dir = path
        .parent()
        .ok_or_else(|| std::io::Error::other("a stored file has no directory"))?;
    for d in [dir, tmp_dir] {
        if !d.exists() {
            std::fs::create_dir_all(d)?;
            // A new directory survives a crash once its parent's entry is synced too.
            for p in [Some(d), d.parent(), d.parent().and_then(Path::parent)]
                .into_iter()
                .flatten()
            {
                std::fs::File::open(p)?.sync_all()?;
            }
        }
    }
    let mut nonce = [0u8; 8];
    temp_nonce(&mut nonce);
    let tmp = tmp_dir.join(sanbao_domain::hex::encode(&nonce));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)?;
        // The rename is durable once the directory entry is.
        std::fs::File::open(dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// A temporary name that two concurrent uploads never share: the process id, a counter and the
/// clock are enough, as temporaries live only until their rename.
fn temp_nonce(buf: &mut [u8; 8]) {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    buf[..4].copy_from_slice(&(std::process::id() ^ nanos).to_le_bytes());
    buf[4..].copy_from_slice(&n.to_le_bytes());
}

/// One attached file as the case page and the API show it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AttachmentRow {
    pub id: i64,
    pub case_id: i64,
    pub sha256: String,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub has_thumbnail: bool,
    pub uploaded_by: Option<i64>,
    pub uploaded_by_name: String,
    pub uploaded_at: DateTime<Utc>,
}

pub struct NewAttachment<'a> {
    pub case_id: i64,
    pub sha256: &'a str,
    pub name: &'a str,
    pub content_type: &'a str,
    pub size: i64,
    pub has_thumbnail: bool,
    pub uploaded_by: Option<i64>,
    pub uploaded_by_name: &'a str,
    pub uploaded_at: DateTime<Utc>,
}

const COLS: &str = "id, case_id, sha256, name, content_type, size, has_thumbnail, uploaded_by, \
    uploaded_by_name, uploaded_at";

pub async fn insert(tx: &mut Tx, a: &NewAttachment<'_>) -> Result<i64> {
    Ok(on_conn!(tx, c => sqlx::query_scalar(
        "INSERT INTO case_attachment (case_id, sha256, name, content_type, size, has_thumbnail, \
         uploaded_by, uploaded_by_name, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         RETURNING id")
        .bind(a.case_id).bind(a.sha256).bind(a.name).bind(a.content_type).bind(a.size)
        .bind(a.has_thumbnail).bind(a.uploaded_by).bind(a.uploaded_by_name).bind(a.uploaded_at)
        .fetch_one(c).await)?)
}

/// How many files a case has, read inside the transaction that adds one. The caller updates
/// the case row first, so two uploads to one case take turns and cannot both pass the limit.
pub async fn count_tx(tx: &mut Tx, case_id: i64) -> Result<i64> {
    Ok(on_conn!(tx, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM case_attachment WHERE case_id = $1")
        .bind(case_id).fetch_one(c).await)?)
}

/// A case's files, oldest first.
pub async fn for_case(store: &Store, case_id: i64) -> Result<Vec<AttachmentRow>> {
    let sql = format!("SELECT {COLS} FROM case_attachment WHERE case_id = $1 ORDER BY id");
    Ok(
        on_pool!(store, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(case_id).fetch_all(c).await)?,
    )
}

/// One file of one case.
pub async fn get(store: &Store, case_id: i64, id: i64) -> Result<Option<AttachmentRow>> {
    let sql = format!("SELECT {COLS} FROM case_attachment WHERE case_id = $1 AND id = $2");
    Ok(
        on_pool!(store, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(case_id).bind(id).fetch_optional(c).await)?,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn files_are_stored_once_under_their_digest() {
        let dir = std::env::temp_dir().join(format!(
            "sanbao-files-{}-{}",
            std::process::id(),
            chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0)
        ));
        let files = FileStore::new(&dir);
        let a = files.put(b"%PDF-1.7 a letter".to_vec()).await.unwrap();
        let b = files.put(b"%PDF-1.7 a letter".to_vec()).await.unwrap();
        assert_eq!(a, b);
        assert_eq!(a, sanbao_domain::hex::sha256(b"%PDF-1.7 a letter"));
        let path = files.path(&a);
        assert!(path.starts_with(dir.join(&a[..2])));
        assert_eq!(FileStore::read(path).await.unwrap(), b"%PDF-1.7 a letter");
        // No temporaries are left behind.
        assert_eq!(std::fs::read_dir(dir.join("tmp")).unwrap().count(), 0);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
