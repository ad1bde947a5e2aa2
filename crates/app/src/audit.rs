//! Writing and reading the audit chain.

use chrono::{DateTime, Utc};
use sanbao_domain::audit::{AuditRecord, ChainBreak, ChainVerifier};
use sanbao_domain::role::Permission;
use sanbao_store::Tx;
use sanbao_store::audit::{self as repo, AuditFilter, AuditRow};

use crate::{Actor, App, Result};

/// Append an entry for a change made by `actor`, inside the change's own transaction.
pub(crate) async fn record(
    tx: &mut Tx,
    actor: &Actor,
    action: &str,
    record_type: &str,
    record_id: impl ToString,
    changes: serde_json::Value,
) -> Result<()> {
    repo::append(tx, entry(actor, action, record_type, record_id, changes)).await?;
    Ok(())
}

/// The record of a change made by `actor`, now.
pub(crate) fn entry(
    actor: &Actor,
    action: &str,
    record_type: &str,
    record_id: impl ToString,
    changes: serde_json::Value,
) -> AuditRecord {
    AuditRecord {
        at: sanbao_domain::time::now(),
        actor_id: actor.user_id,
        actor_name: actor.username.clone(),
        action: action.to_owned(),
        record_type: record_type.to_owned(),
        record_id: record_id.to_string(),
        changes: changes.to_string(),
    }
}

/// A page of the audit log and the cursor of the next page.
pub struct AuditPage {
    pub entries: Vec<AuditRow>,
    pub next_before: Option<i64>,
}

#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub actor_id: Option<i64>,
    pub record_type: Option<String>,
    pub record_id: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub before_seq: Option<i64>,
}

impl App {
    pub async fn audit_list(&self, actor: &Actor, q: AuditQuery, limit: i64) -> Result<AuditPage> {
        actor.require(Permission::AuditRead)?;
        let entries = repo::list(
            &self.store,
            &AuditFilter {
                actor_id: q.actor_id,
                record_type: q.record_type.filter(|s| !s.is_empty()),
                record_id: q.record_id.filter(|s| !s.is_empty()),
                from: q.from,
                to: q.to,
                before_seq: q.before_seq,
                limit: limit + 1,
            },
        )
        .await?;
        Ok(page(entries, limit))
    }

    pub async fn audit_record_types(&self, actor: &Actor) -> Result<Vec<String>> {
        actor.require(Permission::AuditRead)?;
        Ok(repo::record_types(&self.store).await?)
    }

    /// Walk the whole chain. `Ok(n)` with the number of entries when it holds, else where it
    /// first breaks.
    pub async fn audit_verify(
        &self,
        actor: &Actor,
    ) -> Result<std::result::Result<u64, ChainBreak>> {
        actor.require(Permission::AuditRead)?;
        let (head_seq, head_hash) = repo::head(&self.store).await?;
        let mut v = ChainVerifier::default();
        let mut after = 0;
        loop {
            let batch = repo::batch_after(&self.store, after, 2000).await?;
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

fn page(mut entries: Vec<AuditRow>, limit: i64) -> AuditPage {
    let more = entries.len() as i64 > limit;
    entries.truncate(limit.max(0) as usize);
    let next_before = if more {
        entries.last().map(|e| e.seq)
    } else {
        None
    };
    AuditPage {
        entries,
        next_before,
    }
}
