//! A case's cost ledger (费用台账): what a return or repair cost, and who bears it, checked
//! against the case's policy (the seed's company bears freight, handling and repair).

use sanbao_domain::audit::{Action, RecordType};
use sanbao_domain::case::{CostForm, CostTerms, EventKind, NewCost, Payer};
use sanbao_domain::role::Permission;
use sanbao_store::case::costs::{self as repo, CostRow};
use sanbao_store::case::update;
use serde_json::json;

use super::{Cases, append};
use crate::{Actor, Result, audit};

/// A case's costs with their totals by who bears them (fen).
#[derive(Debug, Clone)]
pub struct Ledger {
    pub costs: Vec<CostRow>,
    pub totals: Vec<(Payer, i64)>,
}

impl Cases<'_> {
    /// Add a cost to case `number` (who works on the case, or its dispatched technician).
    #[tracing::instrument(name = "case.cost", skip_all, fields(number = %number))]
    pub async fn add_cost(&self, actor: &Actor, number: &str, form: &CostForm) -> Result<Ledger> {
        let c = self.visible(actor, number).await?;
        if !(actor.can(Permission::FieldService) && super::step::is_assignee(actor, &c)) {
            actor.require(Permission::CaseWrite)?;
        }
        let policy = self
            .app
            .policies()
            .version(&c.policy_name, c.policy_version)
            .await?;
        let events = sanbao_store::case::row::events(&self.app.store, c.id).await?;
        let quote_accepted =
            sanbao_domain::case::recorded_facts(events.iter().map(|e| (e.kind, e.data.as_str())))
                .iter()
                .any(|s| {
                    matches!(
                        s,
                        sanbao_domain::case::StepFacts::Repair(
                            sanbao_domain::repair::RepairFacts::QuoteAnswered { accepted: true }
                        )
                    )
                });
        let supplier_repairs = sanbao_store::product::unit::of_case(&self.app.store, c.id)
            .await?
            .is_some_and(|u| u.supplier_repairs == Some(true));
        let terms = CostTerms {
            quote_accepted,
            supplier_repairs,
        };
        let cost = NewCost::parse(form, &policy, terms)?;
        let now = sanbao_domain::time::now();
        let mut tx = self.app.store.begin().await?;
        repo::insert(&mut tx, c.id, &cost, (actor.id(), &actor.display_name), now).await?;
        let body = format!(
            "{} ¥{}（{}）{}",
            cost.kind.label_zh(),
            sanbao_domain::product::yuan(cost.amount_fen),
            cost.payer.label_zh(),
            cost.note
        );
        append(
            &mut tx,
            actor,
            c.id,
            EventKind::Note,
            now,
            body.trim_end(),
            json!({"cost": cost}),
        )
        .await?;
        update::touch(&mut tx, c.id, now).await?;
        audit::record(
            &mut tx,
            actor,
            Action::CaseCost,
            RecordType::Case,
            &c.number,
            json!({"cost": cost}),
        )
        .await?;
        tx.commit().await?;
        self.ledger(actor, number).await
    }

    /// The cost ledger of case `number`.
    pub async fn ledger(&self, actor: &Actor, number: &str) -> Result<Ledger> {
        let c = self.visible(actor, number).await?;
        let costs = repo::for_case(&self.app.store, c.id).await?;
        let totals = Payer::ALL
            .iter()
            .map(|p| {
                let sum = costs
                    .iter()
                    .filter(|k| k.payer == *p)
                    .map(|k| k.amount_fen)
                    .sum();
                (*p, sum)
            })
            .filter(|(_, sum)| *sum > 0)
            .collect();
        Ok(Ledger { costs, totals })
    }
}
