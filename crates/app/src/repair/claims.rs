//! Supplier claims (seed 二.3: 供货方的维修条款): the costs booked to the supplier, claimed
//! back from them and tracked until settled or refused — a queue for the after-sales
//! supervisor, each change on the case's timeline and in the audit log.

use sanbao_domain::audit::{Action, RecordType};
use sanbao_domain::case::EventKind;
use sanbao_domain::repair::{ClaimForm, ClaimState, ClaimUpdate};
use sanbao_domain::role::Permission;
use sanbao_store::case::costs::{self as repo, ClaimRow};
use sanbao_store::case::{row as rows, update};
use serde_json::json;

use super::Repairs;
use crate::{Actor, AppError, Result, audit};

/// The open claims' queue holds at most this many (oldest first).
const QUEUE: i64 = 200;

impl Repairs<'_> {
    /// The claims not yet settled or refused, oldest first.
    pub async fn claims(&self, actor: &Actor) -> Result<Vec<ClaimRow>> {
        actor.require(Permission::CaseSupervise)?;
        Ok(repo::open_claims(&self.app.store, QUEUE).await?)
    }

    /// Move the claim of cost `cost_id` on: sent with the supplier's number, then settled or
    /// refused.
    #[tracing::instrument(name = "claim.update", skip_all, fields(cost = cost_id))]
    pub async fn update_claim(&self, actor: &Actor, cost_id: i64, form: &ClaimForm) -> Result<()> {
        actor.require(Permission::CaseSupervise)?;
        let mut tx = self.app.store.begin().await?;
        let (case_id, cost) = repo::by_id_tx(&mut tx, cost_id)
            .await?
            .ok_or(AppError::NotFound("claim"))?;
        let current: ClaimState = cost
            .claim_state
            .as_deref()
            .and_then(|s| s.parse().ok())
            .ok_or(AppError::NotFound("claim"))?;
        let change = ClaimUpdate::parse(current, cost.amount_fen, form)?;
        repo::update_claim(&mut tx, cost_id, current, &change).await?;
        let case = rows::by_id_tx(&mut tx, case_id)
            .await?
            .ok_or(AppError::NotFound("case"))?;
        let now = sanbao_domain::time::now();
        crate::case::append(
            &mut tx,
            actor,
            case_id,
            EventKind::Note,
            now,
            &change.summary(cost.amount_fen),
            json!({"claim": change, "cost_id": cost_id}),
        )
        .await?;
        update::touch(&mut tx, case_id, now).await?;
        audit::record(
            &mut tx,
            actor,
            Action::CaseCost,
            RecordType::Case,
            &case.number,
            json!({"cost_id": cost_id, "claim": {"from": current, "to": change}}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
