//! Durable background jobs: enqueued in the transaction of the change that asks for them,
//! run by every process's runner (each job by one process at a time, under a lease), retried
//! with backoff, dead after their last attempt and shown to administrators. A job's effect may
//! run more than once (a process can die after the effect and before marking it done), so each
//! handler's effect is idempotent.

use sanbao_domain::audit::{Action, RecordType};
use std::time::Duration;

use chrono::{DateTime, Utc};
use sanbao_domain::role::Permission;
use sanbao_domain::text;
use sanbao_domain::text::Text;
use sanbao_store::Tx;
use sanbao_store::job::{self as repo, JobRow, NewJob};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::{Actor, AppError, OrFault, Result, audit, chrono_duration};

crate::facade!(
    /// Background jobs.
    Jobs,
    jobs
);

/// Attempts before a job is dead.
const MAX_ATTEMPTS: i64 = 5;

/// Jobs one runner claims at a time.
const CLAIM: i64 = 4;

/// How often an idle runner looks for due jobs (enqueued by another process, or whose retry
/// time came); a job enqueued in this process wakes it at once.
const POLL: Duration = Duration::from_secs(1);

/// What a job does, with its progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "args")]
pub enum Work {
    /// Recompute the clocks of open cases after this case id (a calendar or service-hours
    /// change); each run does one batch and leaves the rest to a follow-up job.
    #[serde(rename = "case.recompute")]
    RecomputeOpenCases { after: i64 },
}

impl Work {
    fn kind(&self) -> &'static str {
        match self {
            Work::RecomputeOpenCases { .. } => "case.recompute",
        }
    }

    /// What the job is, for the administrator's page.
    pub fn describe(&self) -> Text {
        match self {
            Work::RecomputeOpenCases { after } => text!("job.recompute", after = *after),
        }
    }
}

/// A job as the administrator's page shows it.
#[derive(Debug, Clone)]
pub struct JobView {
    pub id: i64,
    /// `None` for a kind this version does not know (left by a newer one).
    pub work: Option<Work>,
    pub kind: String,
    pub state: String,
    pub attempts: i64,
    pub max_attempts: i64,
    pub last_error: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<JobRow> for JobView {
    fn from(r: JobRow) -> Self {
        JobView {
            work: decode(&r.kind, &r.payload),
            id: r.id,
            kind: r.kind,
            state: r.state,
            attempts: r.attempts,
            max_attempts: r.max_attempts,
            last_error: r.last_error,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

fn decode(kind: &str, payload: &str) -> Option<Work> {
    let args: serde_json::Value = serde_json::from_str(payload).ok()?;
    serde_json::from_value(json!({"kind": kind, "args": args})).ok()
}

/// The retry time after `attempts` failed attempts: 10 s, 20 s, 40 s … at most an hour.
fn backoff(attempts: i64, now: DateTime<Utc>) -> DateTime<Utc> {
    let secs = 10i64.saturating_mul(1 << attempts.clamp(0, 20)).min(3600);
    now + chrono::Duration::seconds(secs)
}

/// Counts of the jobs that need attention.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JobCounts {
    pub queued: i64,
    pub running: i64,
    pub dead: i64,
}

impl Jobs<'_> {
    /// Enqueue `work` inside `tx` (the change that asks for it commits with it).
    pub(crate) async fn enqueue(
        &self,
        tx: &mut Tx,
        work: &Work,
        dedupe: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let payload = match serde_json::to_value(work).or_fault("job payload")? {
            serde_json::Value::Object(mut m) => m.remove("args").unwrap_or_default(),
            other => other,
        };
        let payload = payload.to_string();
        let job = NewJob {
            kind: work.kind(),
            payload: &payload,
            dedupe_key: dedupe,
            max_attempts: MAX_ATTEMPTS,
            run_after: now,
        };
        repo::enqueue(tx, &job, now).await?;
        Ok(())
    }

    /// Recompute every open case's clocks, from the first (a second request while one is
    /// still queued adds nothing).
    pub(crate) async fn enqueue_recompute(&self, tx: &mut Tx, now: DateTime<Utc>) -> Result<()> {
        let work = Work::RecomputeOpenCases { after: 0 };
        self.enqueue(tx, &work, Some("all"), now).await
    }

    /// Wake this process's runner (after a commit that enqueued work).
    pub fn wake(&self) {
        self.app.jobs_wake.notify_one();
    }

    /// Run this process's share of the jobs until the process ends: whatever is due, then
    /// wait to be woken or for the next poll.
    pub async fn run_forever(&self) {
        loop {
            match self.run_due().await {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "claiming jobs failed"),
            }
            tokio::select! {
                () = self.app.jobs_wake.notified() => {}
                () = tokio::time::sleep(POLL) => {}
            }
        }
    }

    /// Claim the jobs that are due (up to a few) and run them; how many ran.
    pub async fn run_due(&self) -> Result<usize> {
        let now = sanbao_domain::time::now();
        let lease_until = now + chrono_duration(self.app.config.job_lease);
        let worker = &*self.app.worker;
        let jobs = repo::claim(&self.app.store, worker, now, lease_until, CLAIM).await?;
        let n = jobs.len();
        for job in jobs {
            self.run_one(job).await;
        }
        Ok(n)
    }

    /// Run one claimed job, holding its lease while it runs; a failure is retried later or,
    /// after the last attempt, the job is dead.
    #[tracing::instrument(name = "job.run", skip_all, fields(job = job.id, kind = %job.kind))]
    async fn run_one(&self, job: JobRow) {
        let worker = &*self.app.worker;
        let outcome = match decode(&job.kind, &job.payload) {
            Some(work) => self.with_lease(job.id, self.perform(job.id, &work)).await,
            None => Err(AppError::fault(format!("unknown job kind {}", job.kind))),
        };
        if let Err(e) = outcome {
            let now = sanbao_domain::time::now();
            let retry = (job.attempts < job.max_attempts).then(|| backoff(job.attempts, now));
            tracing::warn!(error = %e, attempts = job.attempts, dead = retry.is_none(), "job failed");
            if let Err(e) =
                repo::fail(&self.app.store, job.id, worker, &e.to_string(), retry, now).await
            {
                tracing::warn!(error = %e, "recording a job's failure failed");
            }
        }
    }

    /// Run `work`, extending the lease every third of its length meanwhile. The extension
    /// runs as a task of its own: `work` may be holding the (SQLite) writer at any await
    /// point, and an extension waiting for it inside the same task would wait forever.
    async fn with_lease(&self, id: i64, work: impl Future<Output = Result<()>>) -> Result<()> {
        let lease = self.app.config.job_lease;
        let (store, worker) = (self.app.store.clone(), self.app.worker.clone());
        let heartbeat = tokio::spawn(async move {
            let mut tick = tokio::time::interval(lease / 3);
            tick.tick().await;
            loop {
                tick.tick().await;
                let until = sanbao_domain::time::now() + chrono_duration(lease);
                match repo::extend(&store, id, &worker, until).await {
                    Ok(true) => {}
                    Ok(false) => tracing::warn!(job = id, "the job's lease was taken over"),
                    Err(e) => {
                        tracing::warn!(job = id, error = %e, "extending a job's lease failed")
                    }
                }
            }
        });
        let out = work.await;
        heartbeat.abort();
        out
    }

    /// Do `work` and mark the job done, with any follow-up job, in one transaction.
    async fn perform(&self, id: i64, work: &Work) -> Result<()> {
        let follow_up = match work {
            Work::RecomputeOpenCases { after } => self
                .app
                .cases()
                .recompute_batch(*after)
                .await?
                .map(|(_, last)| Work::RecomputeOpenCases { after: last }),
        };
        let now = sanbao_domain::time::now();
        let mut tx = self.app.store.begin().await?;
        if !repo::complete(&mut tx, id, &self.app.worker, now).await? {
            // Another process took the job over (our lease ran out): it finishes the work.
            return Ok(());
        }
        if let Some(next) = follow_up {
            self.enqueue(&mut tx, &next, None, now).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Jobs in `state` (`queued`, `running`, `done`, `dead`), newest first.
    pub async fn list(&self, actor: &Actor, state: &str, limit: i64) -> Result<Vec<JobView>> {
        actor.require(Permission::SettingsManage)?;
        let rows = repo::list(&self.app.store, state, limit).await?;
        Ok(rows.into_iter().map(JobView::from).collect())
    }

    /// How many jobs wait, run, or are dead.
    pub async fn counts(&self, actor: &Actor) -> Result<JobCounts> {
        actor.require(Permission::SettingsManage)?;
        let mut c = JobCounts::default();
        for (state, n) in repo::counts(&self.app.store).await? {
            match state.as_str() {
                repo::QUEUED => c.queued = n,
                repo::RUNNING => c.running = n,
                repo::DEAD => c.dead = n,
                _ => {}
            }
        }
        Ok(c)
    }

    /// Give a dead job a fresh round of attempts.
    pub async fn retry(&self, actor: &Actor, id: i64) -> Result<()> {
        actor.require(Permission::SettingsManage)?;
        let now = sanbao_domain::time::now();
        let mut tx = self.app.store.begin().await?;
        if !repo::retry(&mut tx, id, now).await? {
            return Err(AppError::NotFound("job"));
        }
        audit::record(
            &mut tx,
            actor,
            Action::JobRetry,
            RecordType::Job,
            id,
            json!({}),
        )
        .await?;
        tx.commit().await?;
        self.wake();
        Ok(())
    }

    /// Delete done jobs older than a week (each process may run it).
    pub async fn purge_done(&self) -> Result<u64> {
        let before = sanbao_domain::time::now() - chrono::Duration::days(7);
        let mut tx = self.app.store.begin().await?;
        let n = repo::purge_done(&mut tx, before).await?;
        tx.commit().await?;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn work_round_trips_through_kind_and_payload() {
        let w = Work::RecomputeOpenCases { after: 41 };
        assert_eq!(w.kind(), "case.recompute");
        assert_eq!(decode("case.recompute", r#"{"after":41}"#), Some(w));
        assert_eq!(decode("case.vanish", "{}"), None);
    }

    #[test]
    fn backoff_doubles_and_stops_at_an_hour() {
        let now = DateTime::parse_from_rfc3339("2026-12-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!((backoff(0, now) - now).num_seconds(), 10);
        assert_eq!((backoff(3, now) - now).num_seconds(), 80);
        assert_eq!((backoff(30, now) - now).num_seconds(), 3600);
    }
}
