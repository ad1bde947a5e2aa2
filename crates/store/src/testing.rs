//! A fresh, migrated database per test: a SQLite file in its own temporary folder, or — when
//! `SANBAO_TEST_POSTGRES_URL` names a PostgreSQL server — a new database on that server.
//! Either is removed when the [`TestDb`] is dropped.

use std::path::PathBuf;

use crate::{BackendKind, Store, StoreOptions};

/// The environment variable that switches the suites to PostgreSQL.
pub const POSTGRES_ENV: &str = "SANBAO_TEST_POSTGRES_URL";

pub struct TestDb {
    pub store: Store,
    /// The URL the store was opened with (for a second process or store on the same data).
    pub url: String,
    /// A fresh folder for attached files, removed with the database.
    pub files_dir: PathBuf,
    cleanup: Cleanup,
}

fn files_dir() -> PathBuf {
    std::env::temp_dir().join(format!("sanbao-test-files-{}", random_suffix()))
}

enum Cleanup {
    Dir(PathBuf),
    Postgres { admin_url: String, name: String },
}

fn random_suffix() -> String {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).expect("the OS random source is available");
    sanbao_domain::hex::encode(&b)
}

/// The backend the suites run on in this process.
pub fn backend() -> BackendKind {
    match std::env::var(POSTGRES_ENV) {
        Ok(v) if !v.is_empty() => BackendKind::Postgres,
        _ => BackendKind::Sqlite,
    }
}

impl TestDb {
    /// A new empty, migrated database on the backend chosen by the environment.
    pub async fn new() -> TestDb {
        let db = Self::new_unmigrated().await;
        db.store.migrate().await.expect("migrations apply");
        db
    }

    /// A new database with no tables (for migration tests).
    pub async fn new_unmigrated() -> TestDb {
        match std::env::var(POSTGRES_ENV) {
            Ok(admin_url) if !admin_url.is_empty() => Self::postgres(admin_url).await,
            _ => Self::sqlite().await,
        }
    }

    async fn sqlite() -> TestDb {
        let dir = std::env::temp_dir().join(format!("sanbao-test-{}", random_suffix()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let url = format!("sqlite://{}", dir.join("sanbao.db").display());
        let store = Store::connect(&url, &StoreOptions::new(test_audit_key()))
            .await
            .expect("open SQLite");
        TestDb {
            store,
            url,
            files_dir: files_dir(),
            cleanup: Cleanup::Dir(dir),
        }
    }

    async fn postgres(admin_url: String) -> TestDb {
        let name = format!("sanbao_t_{}", random_suffix());
        let admin = Store::connect(
            &admin_url,
            &StoreOptions {
                max_connections: 1,
                audit_key: test_audit_key(),
            },
        )
        .await
        .expect("connect to the PostgreSQL test server");
        if let crate::Backend::Postgres(p) = &admin.backend {
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(p)
                .await
                .expect("CREATE DATABASE");
        }
        admin.close().await;
        let url = with_database(&admin_url, &name);
        let store = Store::connect(&url, &StoreOptions::new(test_audit_key()))
            .await
            .expect("connect to the test database");
        TestDb {
            store,
            url,
            files_dir: files_dir(),
            cleanup: Cleanup::Postgres { admin_url, name },
        }
    }
}

/// `admin_url` with its database replaced by `name`.
fn with_database(admin_url: &str, name: &str) -> String {
    let (main, query) = match admin_url.split_once('?') {
        Some((m, q)) => (m, Some(q)),
        None => (admin_url, None),
    };
    let scheme_end = main.find("://").map_or(0, |i| i + 3);
    let base = match main[scheme_end..].find('/') {
        Some(i) => &main[..scheme_end + i],
        None => main,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.files_dir);
        match &self.cleanup {
            Cleanup::Dir(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::Postgres { admin_url, name } => {
                let (admin_url, name) = (admin_url.clone(), name.clone());
                // Drop runs inside the test's runtime; use a thread with its own.
                let _ = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .expect("runtime");
                    rt.block_on(async move {
                        if let Ok(admin) = Store::connect(
                            &admin_url,
                            &StoreOptions {
                                max_connections: 1,
                                audit_key: test_audit_key(),
                            },
                        )
                        .await
                            && let crate::Backend::Postgres(p) = &admin.backend
                        {
                            let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                            )))
                            .execute(p)
                            .await;
                            admin.close().await;
                        }
                    });
                })
                .join();
            }
        }
    }
}

/// Run a raw statement, bypassing the app layer (tests that tamper with data on purpose).
pub async fn execute_raw(store: &Store, sql: &str) -> crate::Result<u64> {
    let sql = sql.to_owned();
    Ok(match &store.backend {
        crate::Backend::Sqlite { write, .. } => {
            write
                .exclusive(async |c| {
                    Ok(sqlx::query(sqlx::AssertSqlSafe(sql))
                        .execute(c)
                        .await?
                        .rows_affected())
                })
                .await?
        }
        crate::Backend::Postgres(p) => sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(p)
            .await?
            .rows_affected(),
    })
}

/// `(table, column)` pairs of the migrated schema, sorted (the migration parity test). The
/// search index is backend-specific by design (SQLite FTS5, PostgreSQL tsvector) and left out.
pub async fn schema_columns(store: &Store) -> crate::Result<Vec<(String, String)>> {
    let mut cols: Vec<(String, String)> = match &store.backend {
        crate::Backend::Sqlite { read, .. } => {
            sqlx::query_as(
                "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%'",
            )
            .fetch_all(read)
            .await?
        }
        crate::Backend::Postgres(p) => {
            sqlx::query_as(
                "SELECT table_name::text, column_name::text FROM information_schema.columns \
                 WHERE table_schema = 'public' AND table_name NOT LIKE '_sqlx%'",
            )
            .fetch_all(p)
            .await?
        }
    };
    cols.retain(|(t, _)| !t.starts_with("case_search"));
    cols.sort();
    Ok(cols)
}

/// Every column of one row of `table` (by `id`) as text, by column name (comparing what two
/// write paths stored).
pub async fn row_as_text(
    store: &Store,
    table: &str,
    id: i64,
) -> crate::Result<Vec<(String, Option<String>)>> {
    let columns: Vec<String> = schema_columns(store)
        .await?
        .into_iter()
        .filter(|(t, _)| t == table)
        .map(|(_, c)| c)
        .collect();
    let mut out = Vec::new();
    for col in columns {
        let sql = format!("SELECT CAST({col} AS TEXT) FROM {table} WHERE id = $1");
        let v: Option<String> = crate::on_pool!(store, c => sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(id).fetch_one(c).await)?;
        out.push((col, v));
    }
    Ok(out)
}

/// The audit key of every test database.
pub fn test_audit_key() -> crate::AuditKey {
    crate::AuditKey::from_bytes([0x5a; 32])
}

#[cfg(test)]
mod tests {
    #[test]
    fn database_is_replaced() {
        assert_eq!(
            super::with_database("postgres://root@127.0.0.1:5432/postgres", "t1"),
            "postgres://root@127.0.0.1:5432/t1"
        );
        assert_eq!(
            super::with_database("postgres://127.0.0.1:5432?sslmode=disable", "t1"),
            "postgres://127.0.0.1:5432/t1?sslmode=disable"
        );
    }
}
