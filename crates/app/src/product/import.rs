//! Importing the catalogue or sold units from a file: every row checked first (by the
//! domain, then against what the database holds), then all of them written in one
//! transaction with one audit entry, or nothing written and every bad row named.

use std::collections::HashMap;

use sanbao_domain::audit::{Action, RecordType};
use sanbao_domain::product::import as table;
use sanbao_domain::product::{Tracking, unit::NewUnit};
use sanbao_domain::role::Permission;
use sanbao_domain::{FieldError, text};
use sanbao_store::product::{self as repo, unit as units};
use serde_json::json;

use super::{Products, model_taken, unit_write};
use crate::{Actor, AppError, Result, audit};

/// What an import wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Imported {
    pub rows: usize,
    /// Customers created for phones no customer had.
    pub customers_created: usize,
}

impl Products<'_> {
    /// Add every product of a catalogue file (CSV, UTF-8 or GB18030).
    pub async fn import_products(&self, actor: &Actor, bytes: &[u8]) -> Result<Imported> {
        actor.require(Permission::ProductManage)?;
        let (products, mut errs) = table::products(bytes)?;
        let known: HashMap<String, i64> = repo::models(&self.app.store)
            .await?
            .into_iter()
            .map(|(m, id, _, _)| (m, id))
            .collect();
        for (line, p) in &products {
            if known.contains_key(&p.model) {
                errs.add(*line, [model_taken(&p.model)]);
            }
        }
        errs.into_result()?;
        let now = sanbao_domain::time::now();
        let mut tx = self.app.store.begin().await?;
        for (_, p) in &products {
            repo::insert(&mut tx, p, actor.id(), now)
                .await
                .map_err(|e| match e {
                    sanbao_store::StoreError::Unique => AppError::Duplicate(model_taken(&p.model)),
                    e => AppError::from(e),
                })?;
        }
        let changes = json!({"rows": products.len()});
        audit::record(
            &mut tx,
            actor,
            Action::ProductImport,
            RecordType::Product,
            "",
            changes,
        )
        .await?;
        tx.commit().await?;
        Ok(Imported {
            rows: products.len(),
            customers_created: 0,
        })
    }

    /// Register every sold unit of a sales file under the policy in force; each unit's
    /// customer is found by phone or created.
    pub async fn import_units(&self, actor: &Actor, bytes: &[u8]) -> Result<Imported> {
        super::require_unit_writer(actor)?;
        let now = sanbao_domain::time::now();
        let today = now.with_timezone(&self.app.config.timezone).date_naive();
        let (rows, mut errs) = table::units(bytes, today)?;
        let products: HashMap<String, (i64, String, String)> = repo::models(&self.app.store)
            .await?
            .into_iter()
            .map(|(m, id, t, category)| (m, (id, t, category)))
            .collect();
        let serials: Vec<&str> = rows.iter().map(|(_, u)| u.serial.as_str()).collect();
        let taken = units::taken_serials(&self.app.store, &serials).await?;
        let mut product_of = Vec::with_capacity(rows.len());
        for (line, u) in &rows {
            match check_unit(u, &products, &taken) {
                Ok(id) => product_of.push(id),
                Err(e) => errs.add(*line, e),
            }
        }
        errs.into_result()?;
        // Each unit runs under the policy in force that covers its sale.
        let policies = self.app.policies().in_force().await?;
        let mut used: std::collections::BTreeMap<String, usize> = Default::default();
        let writes: Vec<_> = rows
            .iter()
            .zip(product_of)
            .map(|((_, u), product_id)| {
                let category = products.get(&u.model).map_or("", |p| p.2.as_str());
                let chosen = policies.choose(&super::sale_facts(u, category));
                let name = format!("{}@{}", chosen.policy.name, chosen.version);
                *used.entry(name).or_default() += 1;
                unit_write(
                    u,
                    product_id,
                    (&chosen.policy.name, chosen.version),
                    actor.id(),
                    now,
                )
            })
            .collect();
        let mut tx = self.app.store.begin().await?;
        let created = units::insert_many(&mut tx, &writes)
            .await
            .map_err(|e| match e {
                // A serial or phone a concurrent write took: nothing is written; retry.
                sanbao_store::StoreError::Unique => AppError::Stale,
                e => AppError::from(e),
            })?;
        let changes = json!({"rows": rows.len(), "new_customers": created, "policies": used});
        audit::record(
            &mut tx,
            actor,
            Action::UnitImport,
            RecordType::Unit,
            "",
            changes,
        )
        .await?;
        tx.commit().await?;
        Ok(Imported {
            rows: rows.len(),
            customers_created: created,
        })
    }
}

/// The product of a unit's row, or what is wrong with the row against the database.
fn check_unit(
    u: &NewUnit,
    products: &HashMap<String, (i64, String, String)>,
    taken: &[String],
) -> std::result::Result<i64, Vec<FieldError>> {
    let mut errs = Vec::new();
    if taken.contains(&u.serial) {
        errs.push(FieldError::new(
            "serial",
            "taken",
            text!("unit.serial_taken", serial = u.serial.clone()),
        ));
    }
    let id = match products.get(&u.model) {
        Some((id, tracking, _)) => {
            let tracking = tracking.parse::<Tracking>().unwrap_or(Tracking::Serial);
            if let Err(e) = u.check_product(tracking) {
                errs.push(e);
            }
            *id
        }
        None => {
            errs.push(FieldError::new(
                "model",
                "unknown",
                text!("product.model_unknown", model = u.model.clone()),
            ));
            0
        }
    };
    if errs.is_empty() { Ok(id) } else { Err(errs) }
}
