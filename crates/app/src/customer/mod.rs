//! Customers (客户): the customer list, a customer's card with their cases, and finding
//! customers by a typed phone number.

use chrono::{DateTime, Utc};
use sanbao_domain::CustomerId;
use sanbao_domain::audit::{Action, RecordType};
use sanbao_domain::contact::Phone;
use sanbao_domain::customer::CustomerKind;
use sanbao_domain::role::Permission;
use sanbao_domain::text::Text;
use sanbao_store::customer::{self as repo, CustomerFilter};

use crate::case::CaseView;
use crate::{Actor, AppError, Result};

mod archive;
mod import;
pub use archive::{Editing, IntakeMatch, MergeDone};

crate::facade!(
    /// Customers.
    Customers,
    customers
);

/// A customer in the customer list.
#[derive(Debug, Clone)]
pub struct CustomerItem {
    pub id: CustomerId,
    pub kind: CustomerKind,
    pub name: String,
    /// The phone, masked.
    pub phone_shown: String,
    pub created_at: DateTime<Utc>,
    /// How many cases they have.
    pub cases: i64,
}

/// One page of the customer list.
#[derive(Debug, Clone)]
pub struct CustomerPage {
    pub customers: Vec<CustomerItem>,
    /// The cursor of the next page (newest-first listing only).
    pub next_before: Option<i64>,
    /// Why a search found nothing, when the search itself was not usable.
    pub hint: Option<Text>,
}

/// A customer's card.
#[derive(Debug, Clone)]
pub struct CustomerCard {
    pub id: CustomerId,
    pub kind: CustomerKind,
    pub name: String,
    /// Masked, as the address: the whole values come from [`Customers::reveal`].
    pub phone_shown: String,
    pub address: String,
    /// May this viewer reveal the whole phone and address (the personal-data permission)?
    pub may_reveal: bool,
    pub credit_code: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Their contacts, the main one first; phones masked.
    pub contacts: Vec<ContactView>,
    /// Their cases this viewer may see, newest first.
    pub cases: Vec<CaseView>,
}

/// A contact on a customer's card.
#[derive(Debug, Clone)]
pub struct ContactView {
    pub name: String,
    pub role: String,
    /// Masked, unless revealed.
    pub phone: String,
}

/// A customer's personal data, whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revealed {
    pub phone: String,
    pub address: String,
    /// Every contact's phone, in the card's order.
    pub contact_phones: Vec<String>,
}

/// A customer offered while typing a phone number on the intake form.
#[derive(Debug, Clone)]
pub struct PhoneMatch {
    pub name: String,
    /// Masked.
    pub phone: String,
    pub kind: CustomerKind,
}

impl Customers<'_> {
    /// Customers whose contact's phone starts with `prefix` (at least 3 digits), for the
    /// intake form.
    pub async fn by_phone(&self, actor: &Actor, prefix: &str) -> Result<Vec<PhoneMatch>> {
        let digits: String = prefix.chars().filter(char::is_ascii_digit).collect();
        Ok(self
            .for_intake(actor, &digits)
            .await?
            .into_iter()
            .map(|c| PhoneMatch {
                name: c.name,
                phone: c.phone,
                kind: c.kind,
            })
            .collect())
    }

    /// Customers a typed phone number finds: by its start for roles that see phones, by the
    /// whole number only for roles that see them masked (a prefix would reveal digits).
    pub(crate) async fn ids_for_phone(&self, actor: &Actor, typed: &str) -> Result<Vec<i64>> {
        let digits: String = typed.chars().filter(char::is_ascii_digit).collect();
        let digits = digits
            .strip_prefix("86")
            .filter(|d| d.len() == 11)
            .unwrap_or(&digits);
        let store = &self.app.store;
        if actor.can(Permission::PersonalData) {
            if digits.len() < 3 {
                return Ok(Vec::new());
            }
            return Ok(repo::customer_ids_by_phone(store, digits).await?);
        }
        Ok(match Phone::parse(digits) {
            Ok(p) => repo::customer_id_by_phone(store, p.as_str())
                .await?
                .into_iter()
                .collect(),
            Err(_) => Vec::new(),
        })
    }

    /// One page of the customer list: newest first, by the start of a name, or by phone.
    pub async fn list(
        &self,
        actor: &Actor,
        q: &str,
        before_id: Option<i64>,
        limit: i64,
    ) -> Result<CustomerPage> {
        actor.require(Permission::CustomerRead)?;
        let q = q.trim();
        let mut f = CustomerFilter {
            before_id,
            limit: limit + 1,
            ..Default::default()
        };
        let phone_like =
            !q.is_empty() && q.chars().all(|c| c.is_ascii_digit() || " -+()".contains(c));
        if phone_like {
            f.ids = Some(self.ids_for_phone(actor, q).await?);
        } else if !q.is_empty() {
            f.name_prefix = Some(q.to_owned());
        }
        let mut rows = repo::customers_page(&self.app.store, &f).await?;
        let hint = (phone_like && rows.is_empty() && !actor.can(Permission::PersonalData))
            .then(|| sanbao_domain::text!("customer.whole_phone_hint"));
        let more = rows.len() as i64 > limit;
        rows.truncate(limit.max(0) as usize);
        let next_before = (more && f.name_prefix.is_none())
            .then(|| rows.last().map(|r| r.id))
            .flatten();
        Ok(CustomerPage {
            customers: rows
                .into_iter()
                .map(|r| CustomerItem {
                    id: CustomerId(r.id),
                    kind: r.kind,
                    phone_shown: crate::case::masked_phone(&r.phone),
                    name: r.name,
                    created_at: r.created_at,
                    cases: r.cases,
                })
                .collect(),
            next_before,
            hint,
        })
    }

    /// A customer's card and their cases (those this viewer may see), newest first.
    pub async fn card(&self, actor: &Actor, id: CustomerId) -> Result<CustomerCard> {
        actor.require(Permission::CustomerRead)?;
        let c = repo::customer(&self.app.store, id.0)
            .await?
            .ok_or(AppError::NotFound("customer"))?;
        let cases = if actor.can(Permission::CaseRead) {
            self.app.cases().of_customer(actor, id, 200).await?
        } else {
            Vec::new()
        };
        let contacts = repo::contacts(&self.app.store, id.0)
            .await?
            .into_iter()
            .map(|k| ContactView {
                phone: crate::case::masked_phone(&k.phone),
                name: k.name,
                role: k.role,
            })
            .collect();
        Ok(CustomerCard {
            id,
            kind: c.kind,
            phone_shown: crate::case::masked_phone(&c.phone),
            name: c.name,
            address: crate::case::masked_address(&c.address),
            may_reveal: actor.can(Permission::PersonalData),
            credit_code: c.credit_code,
            created_at: c.created_at,
            contacts,
            cases,
        })
    }

    /// The whole phone and address of a customer, for a role with the personal-data
    /// permission. Every reveal is an audit entry: who, whose data, which fields, and the case
    /// it was for (when given, it must be one the viewer may see).
    #[tracing::instrument(name = "customer.reveal", skip_all, fields(id = id.0))]
    pub async fn reveal(
        &self,
        actor: &Actor,
        id: CustomerId,
        for_case: Option<&str>,
    ) -> Result<Revealed> {
        actor.require(Permission::CustomerRead)?;
        actor.require(Permission::PersonalData)?;
        let c = repo::customer(&self.app.store, id.0)
            .await?
            .ok_or(AppError::NotFound("customer"))?;
        let case = match for_case.map(str::trim).filter(|n| !n.is_empty()) {
            Some(n) => {
                let row = self.app.cases().visible(actor, n).await?;
                if row.customer_id != id {
                    return Err(AppError::NotFound("case"));
                }
                Some(row.record.number)
            }
            None => None,
        };
        let contact_phones = repo::contacts(&self.app.store, id.0)
            .await?
            .into_iter()
            .map(|k| k.phone)
            .collect();
        let mut fields = vec!["phone", "contacts"];
        if !c.address.is_empty() {
            fields.push("address");
        }
        let mut tx = self.app.store.begin().await?;
        crate::audit::record(
            &mut tx,
            actor,
            Action::CustomerReveal,
            RecordType::Customer,
            id.0,
            serde_json::json!({ "fields": fields, "case": case }),
        )
        .await?;
        tx.commit().await?;
        Ok(Revealed {
            phone: c.phone,
            address: c.address,
            contact_phones,
        })
    }
}
