//! SQLite: the database file as of one read transaction.

use std::path::Path;

use sqlx::SqlitePool;

use super::Snapshot;
use crate::{BackendKind, Result};

/// The snapshot's file name in the archive.
pub const FILE: &str = "sanbao.db";

pub(super) async fn snapshot(read: &SqlitePool, dir: &Path) -> Result<Snapshot> {
    let target = dir.join(FILE);
    let mut c = read.acquire().await?;
    // One statement, one read transaction: the copy is the database at one moment, while the
    // writer goes on (WAL). The copy is compact and complete in itself (no -wal file).
    sqlx::query("VACUUM INTO $1")
        .bind(target.to_string_lossy().into_owned())
        .execute(&mut *c)
        .await?;
    drop(c);
    // Read what the copy holds from the copy itself.
    let copy = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(&target)
        .read_only(true);
    let mut conn = sqlx::ConnectOptions::connect(&copy).await?;
    let (schema_version, audit_head, cases): (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT MAX(version) FROM _sqlx_migrations WHERE success), \
         (SELECT seq FROM audit_head WHERE id = 1), (SELECT COUNT(*) FROM service_case)",
    )
    .fetch_one(&mut conn)
    .await?;
    sqlx::Connection::close(conn).await?;
    Ok(Snapshot {
        backend: BackendKind::Sqlite,
        schema_version,
        audit_head,
        cases,
    })
}
