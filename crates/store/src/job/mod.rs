//! The durable job table: work enqueued in the same transaction as the change that asks for
//! it, claimed with a lease (PostgreSQL `FOR UPDATE SKIP LOCKED`; SQLite through its single
//! writer), retried with backoff, dead after its last attempt. A process that dies mid-job
//! leaves the lease to run out, and another process (or the same one restarted) takes the job
//! over: every job runs at least once, and its effect is written to be idempotent.

use chrono::{DateTime, Utc};

use crate::row::{self, Insert, Val};
use crate::{Result, Store, Tx, on_conn, on_pool};

/// A job's state.
pub const QUEUED: &str = "queued";
pub const RUNNING: &str = "running";
pub const DONE: &str = "done";
pub const DEAD: &str = "dead";

/// A job as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct JobRow {
    pub id: i64,
    pub kind: String,
    /// JSON.
    pub payload: String,
    pub state: String,
    pub attempts: i64,
    pub max_attempts: i64,
    pub run_after: DateTime<Utc>,
    pub lease_until: Option<DateTime<Utc>>,
    pub last_error: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

const COLS: &str = "id, kind, payload, state, attempts, max_attempts, run_after, lease_until, \
    last_error, created_at, updated_at, finished_at";

const JOB: Insert = Insert {
    table: "job",
    columns: &[
        "kind",
        "payload",
        "state",
        "dedupe_key",
        "max_attempts",
        "run_after",
        "created_at",
        "updated_at",
    ],
};

/// A job to enqueue.
#[derive(Debug, Clone)]
pub struct NewJob<'a> {
    pub kind: &'a str,
    pub payload: &'a str,
    /// A queued job of the same kind and key makes this one unnecessary.
    pub dedupe_key: Option<&'a str>,
    pub max_attempts: i64,
    pub run_after: DateTime<Utc>,
}

/// Enqueue `job` in the transaction of the change that asks for it; its id, or `None` when
/// an equal job (same kind and dedupe key) is already queued.
pub async fn enqueue(tx: &mut Tx, job: &NewJob<'_>, now: DateTime<Utc>) -> Result<Option<i64>> {
    let sql = JOB.one(
        "ON CONFLICT (kind, dedupe_key) WHERE state = 'queued' AND dedupe_key IS NOT NULL \
         DO NOTHING RETURNING id",
    );
    let values: Vec<Val<'_>> = vec![
        job.kind.into(),
        job.payload.into(),
        QUEUED.into(),
        job.dedupe_key.into(),
        job.max_attempts.into(),
        job.run_after.into(),
        now.into(),
        now.into(),
    ];
    row::fetch_i64(tx, &sql, &values).await
}

/// Is a queued job ready, or a running job's lease lapsed, at `$1`? (Two partial-index probes.)
const ANY_DUE: &str = "SELECT EXISTS (SELECT 1 FROM job WHERE state = 'queued' AND run_after <= $1) \
     OR EXISTS (SELECT 1 FROM job WHERE state = 'running' AND lease_until < $1)";

/// Claim up to `limit` jobs that are due — queued and ready, or running on a lease that ran
/// out — for `worker` until `lease_until`. Each claim counts an attempt.
pub async fn claim(
    store: &Store,
    worker: &str,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<JobRow>> {
    let skip_locked = match store.kind() {
        crate::BackendKind::Sqlite => "",
        crate::BackendKind::Postgres => " FOR UPDATE SKIP LOCKED",
    };
    // Two index walks (ready queued jobs; running jobs whose lease ran out), not a scan.
    let sql = format!(
        "UPDATE job SET state = 'running', attempts = attempts + 1, lease_until = $1, \
         locked_by = $2, updated_at = $3 WHERE id IN (\
         SELECT id FROM job WHERE id IN (\
         SELECT id FROM (SELECT id FROM job WHERE state = 'queued' AND run_after <= $3 \
         ORDER BY run_after, id LIMIT $4) ready \
         UNION ALL SELECT id FROM (SELECT id FROM job WHERE state = 'running' AND lease_until < $3 \
         ORDER BY lease_until, id LIMIT $4) lapsed) \
         ORDER BY id LIMIT $4{skip_locked}) RETURNING {COLS}"
    );
    // Asked first on the read side: an idle runner polls without taking the writer.
    let due: bool = on_pool!(store, c => sqlx::query_scalar(ANY_DUE).bind(now).fetch_one(c).await)?;
    if !due {
        return Ok(Vec::new());
    }
    let mut tx = store.begin().await?;
    let rows: Vec<JobRow> = on_conn!(&mut tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(lease_until).bind(worker).bind(now).bind(limit)
        .fetch_all(c).await)?;
    tx.commit().await?;
    Ok(rows)
}

/// Hold the lease of a long job a while longer; `false` when `worker` no longer holds it.
pub async fn extend(
    store: &Store,
    id: i64,
    worker: &str,
    lease_until: DateTime<Utc>,
) -> Result<bool> {
    let mut tx = store.begin().await?;
    let n = row::execute(
        &mut tx,
        "UPDATE job SET lease_until = $1 WHERE id = $2 AND locked_by = $3 AND state = 'running'",
        &[lease_until.into(), id.into(), worker.into()],
    )
    .await?;
    tx.commit().await?;
    Ok(n == 1)
}

/// Mark the job done, inside the transaction that writes its last effect (a follow-up job
/// enqueued there commits with it). `false` when `worker` no longer held it.
pub async fn complete(tx: &mut Tx, id: i64, worker: &str, now: DateTime<Utc>) -> Result<bool> {
    let n = row::execute(
        tx,
        "UPDATE job SET state = 'done', lease_until = NULL, finished_at = $1, updated_at = $1, \
         last_error = '' WHERE id = $2 AND locked_by = $3 AND state = 'running'",
        &[now.into(), id.into(), worker.into()],
    )
    .await?;
    Ok(n == 1)
}

/// Record a failed attempt: queued again from `retry_at`, or dead when there is none.
pub async fn fail(
    store: &Store,
    id: i64,
    worker: &str,
    error: &str,
    retry_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<()> {
    let mut tx = store.begin().await?;
    let (state, run_after, finished): (&str, DateTime<Utc>, Option<DateTime<Utc>>) = match retry_at
    {
        Some(at) => (QUEUED, at, None),
        None => (DEAD, now, Some(now)),
    };
    row::execute(
        &mut tx,
        "UPDATE job SET state = $1, run_after = $2, finished_at = $3, last_error = $4, \
         lease_until = NULL, updated_at = $5 WHERE id = $6 AND locked_by = $7 AND state = 'running'",
        &[
            state.into(),
            run_after.into(),
            finished.into(),
            error.into(),
            now.into(),
            id.into(),
            worker.into(),
        ],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Queue a dead job again for a fresh round of attempts (an administrator's retry).
pub async fn retry(tx: &mut Tx, id: i64, now: DateTime<Utc>) -> Result<bool> {
    let n = row::execute(
        tx,
        "UPDATE job SET state = 'queued', attempts = 0, run_after = $1, finished_at = NULL, \
         updated_at = $1 WHERE id = $2 AND state = 'dead'",
        &[now.into(), id.into()],
    )
    .await?;
    Ok(n == 1)
}

/// Jobs in `state`, newest first.
pub async fn list(store: &Store, state: &str, limit: i64) -> Result<Vec<JobRow>> {
    let sql = format!("SELECT {COLS} FROM job WHERE state = $1 ORDER BY id DESC LIMIT $2");
    Ok(
        on_pool!(store, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(state).bind(limit).fetch_all(c).await)?,
    )
}

/// One job.
pub async fn get(store: &Store, id: i64) -> Result<Option<JobRow>> {
    let sql = format!("SELECT {COLS} FROM job WHERE id = $1");
    Ok(
        on_pool!(store, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id).fetch_optional(c).await)?,
    )
}

/// How many jobs are in each state that needs attention (queued, running, dead).
pub async fn counts(store: &Store) -> Result<Vec<(String, i64)>> {
    Ok(on_pool!(store, c => sqlx::query_as(
        "SELECT state, COUNT(*) FROM job WHERE state IN ('queued', 'running', 'dead') GROUP BY state")
        .fetch_all(c).await)?)
}

/// Delete done jobs finished before `before` (they are kept a while for the record).
pub async fn purge_done(tx: &mut Tx, before: DateTime<Utc>) -> Result<u64> {
    row::execute(
        tx,
        "DELETE FROM job WHERE state = 'done' AND finished_at < $1",
        &[before.into()],
    )
    .await
}
