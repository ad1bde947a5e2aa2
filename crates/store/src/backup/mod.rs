//! A consistent copy of the database, taken while Sanbao serves, and loading it back into an
//! empty one. SQLite copies its file (`VACUUM INTO` on a reading connection: one snapshot,
//! writers go on); PostgreSQL writes every table as JSON lines from one `REPEATABLE READ`
//! transaction and loads them with `json_populate_recordset`. The archive around it (the
//! attachments, the checkpoints, the key) is the app's.

mod postgres;
mod sqlite;

use std::path::Path;

use crate::{Backend, BackendKind, Result, Store, StoreError};

/// What a snapshot holds.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Snapshot {
    pub backend: BackendKind,
    /// The last migration applied to the copied database.
    pub schema_version: i64,
    /// The audit chain's head in the snapshot: checkpoints beyond it are not the snapshot's.
    pub audit_head: i64,
    pub cases: i64,
}

/// Write a snapshot of `store`'s database into the empty directory `dir`.
pub async fn snapshot(store: &Store, dir: &Path) -> Result<Snapshot> {
    match &store.backend {
        Backend::Sqlite { read, .. } => sqlite::snapshot(read, dir).await,
        Backend::Postgres(pool) => postgres::snapshot(pool, dir).await,
    }
}

/// Load a snapshot written by [`snapshot`] from `dir` into an empty PostgreSQL database (the
/// schema is made up to the snapshot's version, the rows loaded, then the rest of the
/// migrations run). SQLite snapshots are a database file: the caller puts it in place.
pub async fn load_postgres(store: &Store, dir: &Path, snap: &Snapshot) -> Result<()> {
    let Backend::Postgres(pool) = &store.backend else {
        return Err(StoreError::Refused(
            "这是 PostgreSQL 的备份，目标是 SQLite / a PostgreSQL backup cannot be restored into SQLite"
                .into(),
        ));
    };
    postgres::load(pool, dir, snap.schema_version).await?;
    store.migrate().await
}

/// The file a `sqlite://PATH` URL names.
pub fn sqlite_file(url: &str) -> Option<&Path> {
    url.strip_prefix("sqlite://").map(Path::new)
}

/// The name of a table in the snapshot directory.
fn table_file(dir: &Path, table: &str) -> std::path::PathBuf {
    dir.join(format!("{table}.jsonl"))
}
