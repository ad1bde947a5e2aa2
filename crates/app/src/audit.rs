//! Writing the audit chain: every change a use case makes leaves an entry in its own
//! transaction. (Reading and verifying the chain is [`crate::admin::audit`].)

use sanbao_domain::audit::{Action, AuditRecord, RecordType};
use sanbao_store::Tx;
use sanbao_store::audit as repo;

use crate::{Actor, Result};

/// Append an entry for a change made by `actor`, inside the change's own transaction.
pub(crate) async fn record(
    tx: &mut Tx,
    actor: &Actor,
    action: Action,
    record_type: RecordType,
    record_id: impl ToString,
    changes: serde_json::Value,
) -> Result<()> {
    repo::append(tx, entry(actor, action, record_type, record_id, changes)).await?;
    Ok(())
}

/// The record of a change made by `actor`, now.
pub(crate) fn entry(
    actor: &Actor,
    action: Action,
    record_type: RecordType,
    record_id: impl ToString,
    changes: serde_json::Value,
) -> AuditRecord {
    AuditRecord {
        at: sanbao_domain::time::now(),
        actor_id: actor.id(),
        actor_name: actor.username.clone(),
        action: action.code().to_owned(),
        record_type: record_type.code().to_owned(),
        record_id: record_id.to_string(),
        changes: changes.to_string(),
    }
}
