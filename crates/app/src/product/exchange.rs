//! An exchange (换货): the replacement is a new unit that points at the one it replaced, sold
//! under the same policy snapshot to the same customer, its warranty running from the day of
//! the exchange (三包: 换货后三包有效期自换货之日起重新计算).

use chrono::{DateTime, NaiveDate, Utc};
use sanbao_domain::audit::{Action, RecordType};
use sanbao_domain::{FieldError, text};
use sanbao_store::StoreError;
use sanbao_store::Tx;
use sanbao_store::case::CustomerWrite;
use sanbao_store::product::unit::{self as units, UnitWrite};
use serde_json::json;

use super::Products;
use crate::{Actor, AppError, Result, audit};

impl Products<'_> {
    /// Register `serial` as the unit given in exchange for case `case_id`'s unit, inside the
    /// step's transaction; the new unit's id.
    pub(crate) async fn exchange(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        case_id: i64,
        serial: &str,
        today: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let old = units::of_case(&self.app.store, case_id)
            .await?
            .ok_or_else(|| {
                FieldError::new("new_serial", "no_unit", text!("return.exchange_needs_unit"))
            })?;
        if units::by_serial(&self.app.store, serial).await?.is_some() {
            return Err(taken(serial));
        }
        let write = UnitWrite {
            serial: serial.to_owned(),
            quantity: 1,
            product_id: old.product_id,
            // The customer is the old unit's, by id; these are what the card says.
            customer: CustomerWrite {
                kind: sanbao_domain::customer::CustomerKind::Individual,
                name: old.customer_name.clone(),
                phone: old.customer_phone.clone(),
                address: String::new(),
                credit_code: None,
                contact_name: old.customer_name.clone(),
                created_at: now,
            },
            sold_on: old.sold_on,
            delivered_on: Some(today),
            installed_on: None,
            invoice_no: old.invoice_no.clone(),
            policy_name: old.policy_name.clone(),
            policy_version: old.policy_version,
            replaces_id: Some(old.id),
            created_at: now,
            created_by: actor.id(),
            // An exchange is no sale: it keeps the old unit's terms.
            channel: old.channel.as_deref().and_then(|c| c.parse().ok()),
        };
        let id = match units::insert_for(tx, &write, old.customer_id).await {
            Err(StoreError::Unique) => return Err(taken(serial)),
            other => other?,
        };
        let changes = json!({"replaces": old.serial, "model": old.model, "customer_id": old.customer_id, "delivered_on": today});
        audit::record(
            tx,
            actor,
            Action::UnitRegister,
            RecordType::Unit,
            serial,
            changes,
        )
        .await?;
        Ok(id)
    }
}

fn taken(serial: &str) -> AppError {
    AppError::Duplicate(FieldError::new(
        "new_serial",
        "taken",
        text!("unit.serial_taken", serial = serial.to_owned()),
    ))
}
