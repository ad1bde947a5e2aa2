//! Deadlines that pass while nobody touches a case: the sweeper notices them and escalates each
//! breach once; a calendar or service-hours change recomputes every open case (a job).

use sanbao_store::case::escalation as repo;

use super::Cases;
use crate::Result;

/// What one sweep did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Sweep {
    pub recomputed: usize,
    pub escalated: usize,
}

/// Open cases recomputed per job run (each run holds its lease for one such batch).
pub(crate) const RECOMPUTE_BATCH: i64 = 500;

impl Cases<'_> {
    /// Recompute cases a running clock of which passed its deadline since their last write,
    /// then escalate every new breach to the desk's supervisor — exactly once per breached
    /// clock, also with several processes sweeping. One failing case is logged and skipped.
    #[tracing::instrument(name = "case.sweep", skip_all)]
    pub async fn sweep_clocks(&self) -> Result<Sweep> {
        let now = sanbao_domain::time::now();
        let store = &self.app.store;
        let mut out = Sweep::default();
        for id in repo::due_for_check(store, now, 500).await? {
            match self.reproject(id, now, false).await {
                Ok(()) => out.recomputed += 1,
                Err(e) => tracing::warn!(case_id = id, error = %e, "clock recompute failed"),
            }
        }
        for (id, clock) in repo::unescalated_breaches(store, 500).await? {
            match self.escalate_breach(id, &clock, now).await {
                Ok(true) => out.escalated += 1,
                Ok(false) => {}
                Err(e) => tracing::warn!(case_id = id, error = %e, "escalation failed"),
            }
        }
        Ok(out)
    }

    /// Recompute the next batch of open cases after case id `after`; answers how many and the
    /// last id done (`None` when there were no more). Repeating a batch changes nothing: each
    /// case's clocks are projected afresh from its events.
    pub(crate) async fn recompute_batch(&self, after: i64) -> Result<Option<(usize, i64)>> {
        let now = sanbao_domain::time::now();
        let ids = repo::open_ids_after(&self.app.store, after, RECOMPUTE_BATCH).await?;
        for id in &ids {
            if let Err(e) = self.reproject(*id, now, true).await {
                tracing::warn!(case_id = id, error = %e, "clock recompute failed");
            }
        }
        Ok(ids.last().map(|last| (ids.len(), *last)))
    }

    /// Recompute the clocks of every open case now (the job does it in batches; the CLI and
    /// tests may call this). Returns how many were recomputed.
    pub async fn recompute_open_cases(&self) -> Result<usize> {
        let (mut after, mut n) = (0, 0);
        while let Some((done, last)) = self.recompute_batch(after).await? {
            n += done;
            after = last;
        }
        Ok(n)
    }
}
