//! PostgreSQL: every table as JSON lines (`row_to_json`), read in one `REPEATABLE READ`
//! transaction, loaded back parents first with `json_populate_recordset`, identities kept
//! (`OVERRIDING SYSTEM VALUE`) and their sequences moved past the highest id.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, Write};
use std::path::Path;

use futures_util::TryStreamExt;
use sqlx::PgPool;

use super::{Snapshot, table_file};
use crate::{BackendKind, Result, StoreError};

/// The list of tables in load order, one per line.
pub const TABLES: &str = "tables.txt";

/// Rows per insert when loading.
const CHUNK: usize = 500;

/// The application's tables, parents before the tables that refer to them.
async fn tables_in_order(c: &mut sqlx::PgConnection) -> Result<Vec<String>> {
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema() \
         AND tablename <> '_sqlx_migrations' ORDER BY tablename",
    )
    .fetch_all(&mut *c)
    .await?;
    let edges: Vec<(String, String)> = sqlx::query_as(
        "SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint \
         WHERE contype = 'f' AND connamespace = current_schema()::regnamespace",
    )
    .fetch_all(&mut *c)
    .await?;
    let mut parents: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (child, parent) in &edges {
        if child != parent {
            parents.entry(child).or_default().insert(parent);
        }
    }
    let mut order = Vec::with_capacity(names.len());
    let mut placed = BTreeSet::new();
    while order.len() < names.len() {
        let before = order.len();
        for n in &names {
            let ready = !placed.contains(n.as_str())
                && parents
                    .get(n.as_str())
                    .is_none_or(|ps| ps.iter().all(|p| placed.contains(*p)));
            if ready {
                placed.insert(n.as_str());
                order.push(n.clone());
            }
        }
        if order.len() == before {
            return Err(StoreError::Refused(
                "外键成环，无法排序 / the tables' foreign keys form a cycle".into(),
            ));
        }
    }
    Ok(order)
}

pub(super) async fn snapshot(pool: &PgPool, dir: &Path) -> Result<Snapshot> {
    let mut tx = pool.begin().await?;
    // Every read below sees the database at one moment; writers go on meanwhile.
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *tx)
        .await?;
    let (schema_version, audit_head, cases): (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT MAX(version) FROM _sqlx_migrations WHERE success), \
         (SELECT seq FROM audit_head WHERE id = 1), (SELECT COUNT(*) FROM service_case)",
    )
    .fetch_one(&mut *tx)
    .await?;
    let tables = tables_in_order(&mut tx).await?;
    for t in &tables {
        let file = std::fs::File::create(table_file(dir, t))?;
        let mut out = std::io::BufWriter::new(file);
        let sql = format!("SELECT row_to_json(t)::text FROM {} t", quote(t));
        let mut rows = sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(sql)).fetch(&mut *tx);
        while let Some(line) = rows.try_next().await? {
            out.write_all(line.as_bytes())?;
            out.write_all(b"\n")?;
        }
        out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    }
    tx.commit().await?;
    std::fs::write(dir.join(TABLES), tables.join("\n") + "\n")?;
    Ok(Snapshot {
        backend: BackendKind::Postgres,
        schema_version,
        audit_head,
        cases,
    })
}

/// A table name as an identifier (names come from the catalogue or the snapshot's list; the
/// quoting keeps a hand-edited list from being SQL).
fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

pub(super) async fn load(pool: &PgPool, dir: &Path, schema_version: i64) -> Result<()> {
    let mut c = pool.acquire().await?;
    let existing: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM pg_tables WHERE schemaname = current_schema()")
            .fetch_one(&mut *c)
            .await?;
    if existing > 0 {
        return Err(StoreError::Refused(
            "目标数据库不是空的，只能恢复到空数据库 / the target database is not empty: restore only into an empty one"
                .into(),
        ));
    }
    drop(c);
    // The schema as the snapshot had it; newer migrations run after the rows are in.
    super::super::POSTGRES_MIGRATOR
        .run_to(schema_version, pool)
        .await?;
    let listed = std::fs::read_to_string(dir.join(TABLES))?;
    let mut tx = pool.begin().await?;
    let tables: Vec<&str> = listed.lines().filter(|l| !l.is_empty()).collect();
    // What the migrations seeded (the chain's head row, built-in rows) gives way to the copy.
    let all: Vec<String> = tables.iter().map(|t| quote(t)).collect();
    if !all.is_empty() {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "TRUNCATE {} CASCADE",
            all.join(", ")
        )))
        .execute(&mut *tx)
        .await?;
    }
    for t in &tables {
        let file = std::fs::File::open(table_file(dir, t))?;
        let sql = format!(
            "INSERT INTO {0} OVERRIDING SYSTEM VALUE SELECT * FROM json_populate_recordset(NULL::{0}, $1::json)",
            quote(t)
        );
        let mut chunk: Vec<String> = Vec::with_capacity(CHUNK);
        for line in std::io::BufReader::new(file).lines() {
            chunk.push(line?);
            if chunk.len() == CHUNK {
                insert_chunk(&mut tx, &sql, &chunk).await?;
                chunk.clear();
            }
        }
        if !chunk.is_empty() {
            insert_chunk(&mut tx, &sql, &chunk).await?;
        }
    }
    reset_identities(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}

async fn insert_chunk(c: &mut sqlx::PgConnection, sql: &str, rows: &[String]) -> Result<()> {
    let array = format!("[{}]", rows.join(","));
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(array)
        .execute(&mut *c)
        .await?;
    Ok(())
}

/// Move every identity sequence past the highest id loaded, so new rows do not collide.
async fn reset_identities(c: &mut sqlx::PgConnection) -> Result<()> {
    let cols: Vec<(String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text FROM information_schema.columns \
         WHERE table_schema = current_schema() AND is_identity = 'YES'",
    )
    .fetch_all(&mut *c)
    .await?;
    for (t, col) in cols {
        let sql = format!(
            "SELECT setval(pg_get_serial_sequence($1, $2), COALESCE(MAX({c}), 0) + 1, false) FROM {t}",
            c = quote(&col),
            t = quote(&t)
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(quote(&t))
            .bind(&col)
            .execute(&mut *c)
            .await?;
    }
    Ok(())
}
