//! Importing customer archives from a file: every card checked by the form's rules and
//! against the credit codes and phones already on file, then all written in one transaction
//! with one audit entry, or nothing written and every bad row named.

use sanbao_domain::audit::{Action, RecordType};
use sanbao_domain::customer::import::{ImportedCard, cards};
use sanbao_domain::role::Permission;
use sanbao_store::customer::write as store_write;
use serde_json::json;

use super::Customers;
use super::archive::{check_unique, writes};
use crate::{Actor, AppError, Result, audit};

impl Customers<'_> {
    /// Add every customer of a file (CSV, UTF-8 or GB18030; one row per contact); how many
    /// cards were written.
    pub async fn import(&self, actor: &Actor, bytes: &[u8]) -> Result<usize> {
        actor.require(Permission::CustomerWrite)?;
        let (cards, mut errs) = cards(bytes)?;
        let now = sanbao_domain::time::now();
        let mut tx = self.app.store.begin().await?;
        for card in &cards {
            if let Err(AppError::Invalid(e)) = check_unique(&mut tx, &card.archive, None).await {
                for err in e.0 {
                    let line = card.line_of(&err.field);
                    let column = ImportedCard::column_of(&err.field);
                    errs.add(line, [err.on_row(column)]);
                }
            }
        }
        errs.into_result()?;
        for card in &cards {
            let (w, contacts) = writes(&card.archive, now);
            store_write::insert(&mut tx, &w, &contacts)
                .await
                .map_err(|e| match e {
                    // Taken by a write that raced this import: nothing is written; retry.
                    sanbao_store::StoreError::Unique => AppError::Stale,
                    e => e.into(),
                })?;
        }
        let changes = json!({"customers": cards.len(), "contacts": cards.iter().map(|c| c.lines.len()).sum::<usize>()});
        audit::record(
            &mut tx,
            actor,
            Action::CustomerImport,
            RecordType::Customer,
            "",
            changes,
        )
        .await?;
        tx.commit().await?;
        Ok(cards.len())
    }
}
