//! Reading the audit chain: the audit log page and `sanbao audit verify`.

use chrono::{DateTime, Utc};
use sanbao_domain::UserId;
use sanbao_domain::audit::{ChainBreak, ChainVerifier};
use sanbao_domain::role::Permission;
use sanbao_store::audit::{self as repo, AuditFilter, AuditRow};

use crate::{Actor, Result};

crate::facade!(
    /// The audit log.
    AuditLog,
    audit
);

/// One entry of the audit log.
#[derive(Debug, Clone)]
pub struct AuditItem {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<UserId>,
    pub actor_name: String,
    /// `case.create`, `user.update` …
    pub action: String,
    pub record_type: String,
    pub record_id: String,
    /// JSON.
    pub changes: String,
    pub hash: String,
}

impl From<AuditRow> for AuditItem {
    fn from(r: AuditRow) -> Self {
        AuditItem {
            seq: r.seq,
            at: r.at,
            actor_id: r.actor_id.map(UserId),
            actor_name: r.actor_name,
            action: r.action,
            record_type: r.record_type,
            record_id: r.record_id,
            changes: r.changes,
            hash: r.hash,
        }
    }
}

/// A page of the audit log and the cursor of the next page.
pub struct AuditPage {
    pub entries: Vec<AuditItem>,
    pub next_before: Option<i64>,
}

#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub actor_id: Option<UserId>,
    pub record_type: Option<String>,
    pub record_id: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub before_seq: Option<i64>,
}

impl AuditLog<'_> {
    pub async fn list(&self, actor: &Actor, q: AuditQuery, limit: i64) -> Result<AuditPage> {
        actor.require(Permission::AuditRead)?;
        let filter = AuditFilter {
            actor_id: q.actor_id.map(|u| u.0),
            record_type: q.record_type.filter(|s| !s.is_empty()),
            record_id: q.record_id.filter(|s| !s.is_empty()),
            from: q.from,
            to: q.to,
            before_seq: q.before_seq,
            limit: limit + 1,
        };
        let mut entries = repo::list(&self.app.store, &filter).await?;
        let more = entries.len() as i64 > limit;
        entries.truncate(limit.max(0) as usize);
        let next_before = if more {
            entries.last().map(|e| e.seq)
        } else {
            None
        };
        Ok(AuditPage {
            entries: entries.into_iter().map(AuditItem::from).collect(),
            next_before,
        })
    }

    pub async fn record_types(&self, actor: &Actor) -> Result<Vec<String>> {
        actor.require(Permission::AuditRead)?;
        Ok(repo::record_types(&self.app.store).await?)
    }

    /// Walk the whole chain. `Ok(n)` with the number of entries when it holds, else where it
    /// first breaks.
    #[tracing::instrument(name = "audit.verify", skip_all)]
    pub async fn verify(&self, actor: &Actor) -> Result<std::result::Result<u64, ChainBreak>> {
        actor.require(Permission::AuditRead)?;
        let store = &self.app.store;
        let (head_seq, head_hash) = repo::head(store).await?;
        let mut v = ChainVerifier::default();
        let mut after = 0;
        loop {
            let batch = repo::batch_after(store, after, 2000).await?;
            let Some(last) = batch.last() else { break };
            after = last.seq;
            for row in batch {
                if let Err(b) = v.push(&row.into()) {
                    return Ok(Err(b));
                }
            }
        }
        Ok(v.finish(head_seq, &head_hash))
    }
}
