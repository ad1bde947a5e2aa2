//! Persistence for Sanbao on SQLite (embedded default) and PostgreSQL (scale-out).
//!
//! One repository API over both. Each query is written once with `$n` placeholders (both
//! SQLite and PostgreSQL accept them) or built with [`sqlx::QueryBuilder`], which numbers the
//! placeholders per dialect; the [`on_conn!`] and [`on_pool!`] macros expand a body once per
//! backend so each arm is checked against its own driver. Backend-specific SQL is written as an
//! explicit per-backend arm.
//!
//! Writes happen inside a [`Tx`], which the app layer opens per use case so that a change and
//! its audit entry commit together. On SQLite every write runs on a single writer connection:
//! writers queue instead of failing with `SQLITE_BUSY`, and concurrent writes share one durable
//! commit (group commit, see [`writer`]): each request is a savepoint in the batch's
//! `BEGIN IMMEDIATE` transaction and is acknowledged once that batch is committed and synced.
//! Case intake on SQLite runs straight on that connection ([`case::intake`]).
//!
//! Modules follow the features (`case/`, `customer/`, `admin/` …); a row that several paths
//! write is described once ([`row`]).
//!
//! The one `unsafe` block of the workspace lends the writer's raw SQLite handle from sqlx to
//! rusqlite for that (see `writer::Conn::hold_raw`); everything else is safe code.
#![deny(unsafe_code)]

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use std::sync::Arc;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

pub use sanbao_domain::audit::AuditKey;

pub use writer::SqliteTx;

pub mod admin;
pub mod appointment;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod case;
pub mod customer;
pub mod job;
pub mod maintenance;
pub mod notify;
pub mod product;
pub(crate) mod row;
pub mod seal;
pub mod survey;
mod writer;

#[cfg(feature = "testing")]
pub mod testing;

/// Expand `$body` once per backend with `$c` bound to a `&mut` connection of the open
/// transaction `$tx`.
#[macro_export]
macro_rules! on_conn {
    ($tx:expr, $c:ident => $body:expr) => {
        match &mut $tx.conn {
            $crate::TxConn::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
            $crate::TxConn::Postgres(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}

/// Expand `$body` once per backend with `$c` bound to the store's read pool.
#[macro_export]
macro_rules! on_pool {
    ($store:expr, $c:ident => $body:expr) => {
        match &$store.backend {
            $crate::Backend::Sqlite { read, .. } => {
                let $c = read;
                $body
            }
            $crate::Backend::Postgres(p) => {
                let $c = p;
                $body
            }
        }
    };
}

/// Errors of the store. Callers map `Unique` and `Stale` to user-facing answers; `Database`
/// and `Migrate` are faults to log, never to show.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("a unique value is already taken")]
    Unique,
    #[error("a referenced record does not exist")]
    ForeignKey,
    /// The record this field refers to does not exist (the field is named).
    #[error("{0} refers to no record")]
    Dangling(&'static str),
    #[error("the record was changed by someone else (stale version)")]
    Stale,
    #[error("record not found")]
    NotFound,
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://…")]
    BadUrl(String),
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
    #[error("database error: {0}")]
    Sqlite(#[source] rusqlite::Error),
    /// A restore or backup that cannot go ahead, and why (bilingual, for the operator).
    #[error("{0}")]
    Refused(String),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    #[error("the shared commit failed: {0}")]
    GroupCommit(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Unique,
            sqlx::Error::Database(d) if d.is_foreign_key_violation() => StoreError::ForeignKey,
            _ => StoreError::Database(e),
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ffi;
        match &e {
            rusqlite::Error::QueryReturnedNoRows => StoreError::NotFound,
            rusqlite::Error::SqliteFailure(f, _) => match f.extended_code {
                ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY => {
                    StoreError::Unique
                }
                ffi::SQLITE_CONSTRAINT_FOREIGNKEY => StoreError::ForeignKey,
                _ => StoreError::Sqlite(e),
            },
            _ => StoreError::Sqlite(e),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Which database a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BackendKind {
    Sqlite,
    Postgres,
}

#[doc(hidden)]
#[derive(Clone, Debug)]
pub enum Backend {
    /// SQLite: one writer connection (all write transactions queue on it and share commits)
    /// and a reader pool.
    Sqlite {
        write: Arc<writer::Writer>,
        read: SqlitePool,
    },
    Postgres(PgPool),
}

/// Connection settings beyond the URL.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// Upper bound of pooled connections (readers on SQLite).
    pub max_connections: u32,
    /// The key every audit entry written through this store is hashed with.
    pub audit_key: AuditKey,
}

impl StoreOptions {
    /// Eight connections and `audit_key`.
    pub fn new(audit_key: AuditKey) -> Self {
        Self {
            max_connections: 8,
            audit_key,
        }
    }
}

/// The handle every repository function takes. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    #[doc(hidden)]
    pub backend: Backend,
    audit_key: Arc<AuditKey>,
}

/// An open write transaction. Commit with [`Tx::commit`]; dropping it rolls back. It carries
/// the audit key, so every entry appended inside it is keyed.
pub struct Tx {
    pub(crate) conn: TxConn,
    pub(crate) audit_key: Arc<AuditKey>,
}

pub(crate) enum TxConn {
    Sqlite(SqliteTx),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

impl Tx {
    pub async fn commit(self) -> Result<()> {
        match self.conn {
            TxConn::Sqlite(t) => t.commit().await?,
            TxConn::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    pub fn kind(&self) -> BackendKind {
        match self.conn {
            TxConn::Sqlite(_) => BackendKind::Sqlite,
            TxConn::Postgres(_) => BackendKind::Postgres,
        }
    }
}

static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Store {
    /// Connect to `url` (`sqlite://PATH` or `postgres://…`). A SQLite file and its folder are
    /// created when missing. Does not migrate: call [`Store::migrate`].
    pub async fn connect(url: &str, opts: &StoreOptions) -> Result<Self> {
        if let Some(path) = url.strip_prefix("sqlite://") {
            Self::connect_sqlite(Path::new(path), opts).await
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let o = PgConnectOptions::from_str(url).map_err(|_| StoreError::BadUrl(redact(url)))?;
            let pool = PgPoolOptions::new()
                .max_connections(opts.max_connections.max(2))
                .min_connections(0)
                .acquire_timeout(Duration::from_secs(10))
                .connect_lazy_with(o);
            Ok(Self {
                backend: Backend::Postgres(pool),
                audit_key: Arc::new(opts.audit_key.clone()),
            })
        } else {
            Err(StoreError::BadUrl(redact(url)))
        }
    }

    async fn connect_sqlite(path: &Path, opts: &StoreOptions) -> Result<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let base = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: a commit is on disk before the caller is told it happened.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .pragma("temp_store", "memory");
        let write = Arc::new(writer::connect(&base).await?);
        let read = SqlitePoolOptions::new()
            .max_connections(opts.max_connections.max(1))
            .min_connections(0)
            .acquire_timeout(Duration::from_secs(10))
            .connect_lazy_with(base.read_only(true));
        Ok(Self {
            backend: Backend::Sqlite { write, read },
            audit_key: Arc::new(opts.audit_key.clone()),
        })
    }

    pub fn kind(&self) -> BackendKind {
        match self.backend {
            Backend::Sqlite { .. } => BackendKind::Sqlite,
            Backend::Postgres(_) => BackendKind::Postgres,
        }
    }

    /// Apply pending migrations. On PostgreSQL sqlx holds an advisory lock meanwhile, so several
    /// processes starting together migrate once; on SQLite the single writer serialises them.
    pub async fn migrate(&self) -> Result<()> {
        let had_seals = self.migration_applied(seal::MIGRATION).await
            && self.migration_applied(seal::CONTACTS_MIGRATION).await;
        match &self.backend {
            Backend::Sqlite { write, .. } => {
                write
                    .exclusive(async |c| Ok(SQLITE_MIGRATOR.run(c).await?))
                    .await?
            }
            Backend::Postgres(p) => POSTGRES_MIGRATOR.run(p).await?,
        }
        if !had_seals {
            let sealed = seal::seal_existing(self).await?;
            if sealed > 0 {
                tracing::info!(
                    rows = sealed,
                    "sealed the rows written before seals existed"
                );
            }
        }
        Ok(())
    }

    /// Has migration `version` been applied? (`false` on a database never migrated.)
    async fn migration_applied(&self, version: i64) -> bool {
        let found: std::result::Result<Option<i64>, sqlx::Error> = on_pool!(self, c =>
            sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE version = $1 AND success")
                .bind(version).fetch_optional(c).await);
        matches!(found, Ok(Some(_)))
    }

    /// Open a write transaction (on SQLite a savepoint in the current group-commit batch).
    pub async fn begin(&self) -> Result<Tx> {
        let conn = match &self.backend {
            Backend::Sqlite { write, .. } => TxConn::Sqlite(write.begin().await?),
            Backend::Postgres(p) => TxConn::Postgres(p.begin().await?),
        };
        Ok(Tx {
            conn,
            audit_key: self.audit_key.clone(),
        })
    }

    /// The key this store's audit entries are hashed with.
    pub fn audit_key(&self) -> &AuditKey {
        &self.audit_key
    }

    /// Is the database reachable? (`/readyz`)
    pub async fn ping(&self) -> Result<()> {
        on_pool!(self, c => sqlx::query("SELECT 1").execute(c).await.map(|_| ()))?;
        Ok(())
    }

    /// Pool figures for `/metrics`: (connections open, idle).
    pub fn pool_stats(&self) -> Vec<(&'static str, u32, usize)> {
        match &self.backend {
            Backend::Sqlite { write, read } => vec![
                ("sqlite_write", 1, usize::from(write.idle())),
                ("sqlite_read", read.size(), read.num_idle()),
            ],
            Backend::Postgres(p) => vec![("postgres", p.size(), p.num_idle())],
        }
    }

    /// Close every connection (SQLite checkpoints its WAL on the last close).
    pub async fn close(&self) {
        match &self.backend {
            Backend::Sqlite { write, read } => {
                read.close().await;
                write.close().await;
            }
            Backend::Postgres(p) => p.close().await,
        }
    }
}

/// A database URL with any password replaced by `***`, for logs and `config show`.
///
/// ```
/// assert_eq!(
///     sanbao_store::redact("postgres://sanbao:s3cret@db:5432/sanbao"),
///     "postgres://sanbao:***@db:5432/sanbao"
/// );
/// assert_eq!(sanbao_store::redact("sqlite://data/sanbao.db"), "sqlite://data/sanbao.db");
/// assert_eq!(
///     sanbao_store::redact("postgres://db/sanbao?user=s&password=x1"),
///     "postgres://db/sanbao?user=s&password=***"
/// );
/// ```
pub fn redact(url: &str) -> String {
    let (url, query) = match url.split_once('?') {
        Some((u, q)) => (u, Some(q)),
        None => (url, None),
    };
    let base = redact_userinfo(url);
    match query {
        Some(q) => {
            let q: Vec<String> = q
                .split('&')
                .map(|kv| match kv.split_once('=') {
                    Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
                    _ => kv.to_owned(),
                })
                .collect();
            format!("{base}?{}", q.join("&"))
        }
        None => base,
    }
}

fn redact_userinfo(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
            if userinfo.contains(':') {
                format!("{scheme}://{user}:***@{host}{path}")
            } else {
                url.to_owned()
            }
        }
        None => url.to_owned(),
    }
}
