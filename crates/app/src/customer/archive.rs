//! Keeping the customer archive: creating a customer with their contacts, editing the card,
//! merging two customers that are one, and finding a customer for the intake form by name,
//! credit code or any contact's phone. One customer per 统一社会信用代码; one contact per phone.

use std::collections::BTreeMap;

use sanbao_domain::CustomerId;
use sanbao_domain::audit::{Action, RecordType};
use sanbao_domain::contact::Phone;
use sanbao_domain::customer::CustomerKind;
use sanbao_domain::customer::archive::{Archive, ArchiveForm, ContactFields};
use sanbao_domain::role::Permission;
use sanbao_domain::{FieldError, FieldErrors, text};
use sanbao_store::case::{ContactWrite, CustomerWrite};
use sanbao_store::customer::write::{self as store_write, CardFields, ContactEdit};
use sanbao_store::customer::{self as repo, CustomerRow};
use sanbao_store::{StoreError, Tx};
use serde_json::json;

use super::Customers;
use crate::admin::users::diff;
use crate::case::masked_phone;
use crate::{Actor, AppError, Result, audit};

/// The edit form as stored: the card's fields and contacts, whole, and the version read.
#[derive(Debug, Clone)]
pub struct Editing {
    pub form: ArchiveForm,
    pub version: i64,
}

/// A customer the intake form offers: what it fills in, the phone masked.
#[derive(Debug, Clone)]
pub struct IntakeMatch {
    pub id: CustomerId,
    pub kind: CustomerKind,
    pub name: String,
    pub credit_code: Option<String>,
    /// The phone that matched (or the main phone), masked.
    pub phone: String,
    pub contact_name: String,
    /// The phone typed is this contact's whole phone.
    pub exact: bool,
}

/// What a merge did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MergeDone {
    pub into: CustomerId,
    pub cases: u64,
    pub contacts: u64,
}

/// A contact as the audit log keeps it: name, role and the phone masked.
fn contact_line(name: &str, role: &str, phone: &str) -> String {
    [name, role, &masked_phone(phone)]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ")
}

impl Customers<'_> {
    /// A new customer with their contacts.
    #[tracing::instrument(name = "customer.create", skip_all)]
    pub async fn create(&self, actor: &Actor, f: &ArchiveForm) -> Result<CustomerId> {
        actor.require(Permission::CustomerWrite)?;
        let a = Archive::parse(f)?;
        let now = sanbao_domain::time::now();
        let mut tx = self.app.store.begin().await?;
        check_unique(&mut tx, &a, None).await?;
        let (w, contacts) = writes(&a, now);
        let id = store_write::insert(&mut tx, &w, &contacts)
            .await
            .map_err(taken_on_race)?;
        let lines: Vec<String> = contacts
            .iter()
            .map(|c| contact_line(&c.name, &c.role, &c.phone))
            .collect();
        audit::record(
            &mut tx,
            actor,
            Action::CustomerCreate,
            RecordType::Customer,
            id,
            json!({"kind": a.kind.code(), "name": a.name, "credit_code": w.credit_code, "contacts": lines}),
        )
        .await?;
        tx.commit().await?;
        Ok(CustomerId(id))
    }

    /// The card as the edit form shows it: every contact's whole phone and the address, so
    /// opening it is a reveal of personal data, audited as one.
    #[tracing::instrument(name = "customer.edit_form", skip_all, fields(id = id.0))]
    pub async fn editing(&self, actor: &Actor, id: CustomerId) -> Result<Editing> {
        actor.require(Permission::CustomerWrite)?;
        actor.require(Permission::PersonalData)?;
        let c = repo::customer(&self.app.store, id.0)
            .await?
            .ok_or(AppError::NotFound("customer"))?;
        let contacts = repo::contacts(&self.app.store, id.0).await?;
        let mut tx = self.app.store.begin().await?;
        audit::record(
            &mut tx,
            actor,
            Action::CustomerReveal,
            RecordType::Customer,
            id.0,
            json!({ "fields": ["phone", "address", "contacts"] }),
        )
        .await?;
        tx.commit().await?;
        Ok(Editing {
            form: ArchiveForm {
                kind: c.kind.code().to_owned(),
                name: c.name,
                address: c.address,
                credit_code: c.credit_code.unwrap_or_default(),
                contacts: contacts
                    .into_iter()
                    .map(|k| ContactFields {
                        id: Some(k.id),
                        name: k.name,
                        role: k.role,
                        phone: k.phone,
                        remove: false,
                    })
                    .collect(),
            },
            version: c.version,
        })
    }

    /// Change the card and its contacts, if nobody changed it since `version` was read.
    #[tracing::instrument(name = "customer.update", skip_all, fields(id = id.0))]
    pub async fn update(
        &self,
        actor: &Actor,
        id: CustomerId,
        version: i64,
        f: &ArchiveForm,
    ) -> Result<()> {
        actor.require(Permission::CustomerWrite)?;
        actor.require(Permission::PersonalData)?;
        let a = Archive::parse(f)?;
        let now = sanbao_domain::time::now();
        let mut tx = self.app.store.begin().await?;
        let before = repo::customer_tx(&mut tx, id.0)
            .await?
            .ok_or(AppError::NotFound("customer"))?;
        if before.version != version {
            return Err(AppError::Stale);
        }
        check_unique(&mut tx, &a, Some(id.0)).await?;
        let old_contacts = repo::contacts_tx(&mut tx, id.0).await?;
        let edits: Vec<ContactEdit> = a
            .contacts
            .iter()
            .map(|c| ContactEdit {
                id: c.id,
                contact: ContactWrite {
                    name: c.name.clone(),
                    role: c.role.clone(),
                    phone: c.phone.as_str().to_owned(),
                    created_at: now,
                },
            })
            .collect();
        let code = a.credit_code.as_ref().map(|c| c.as_str());
        let fields = CardFields {
            kind: a.kind.code(),
            name: &a.name,
            phone: a.phone().as_str(),
            address: &a.address,
            credit_code: code,
        };
        store_write::update(&mut tx, id.0, version, &fields, &edits, now)
            .await
            .map_err(taken_on_race)?;
        let mut changes = BTreeMap::new();
        diff(
            &mut changes,
            "kind",
            json!(before.kind.code()),
            json!(a.kind.code()),
        );
        diff(&mut changes, "name", json!(before.name), json!(a.name));
        diff(
            &mut changes,
            "credit_code",
            json!(before.credit_code),
            json!(code),
        );
        if before.address != a.address {
            changes.insert("address", json!("changed"));
        }
        let old: Vec<String> = old_contacts
            .iter()
            .map(|k| contact_line(&k.name, &k.role, &k.phone))
            .collect();
        let new: Vec<String> = edits
            .iter()
            .map(|e| contact_line(&e.contact.name, &e.contact.role, &e.contact.phone))
            .collect();
        diff(&mut changes, "contacts", json!(old), json!(new));
        audit::record(
            &mut tx,
            actor,
            Action::CustomerUpdate,
            RecordType::Customer,
            id.0,
            json!(changes),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Merge `from` into `into` (the same person or organisation entered twice): `from`'s
    /// cases and contacts move to `into`, its card is removed and its links lead to `into`.
    /// Two organisations with different credit codes are not one and are refused.
    #[tracing::instrument(name = "customer.merge", skip_all, fields(from = from.0, into = into.0))]
    pub async fn merge(
        &self,
        actor: &Actor,
        from: CustomerId,
        into: CustomerId,
    ) -> Result<MergeDone> {
        actor.require(Permission::CustomerWrite)?;
        if from == into {
            return Err(AppError::invalid(
                "into",
                "same",
                text!("customer.merge_same"),
            ));
        }
        let mut tx = self.app.store.begin().await?;
        let a = repo::customer_tx(&mut tx, from.0)
            .await?
            .ok_or(AppError::NotFound("customer"))?;
        let Some(b) = repo::customer_tx(&mut tx, into.0).await? else {
            return Err(AppError::invalid(
                "into",
                "unknown",
                text!("customer.merge_unknown"),
            ));
        };
        refuse_different_codes(&a, &b)?;
        let words = sanbao_domain::search::index_words(&[&b.name]);
        let by = actor.user_id.map(|u| u.0);
        let m = store_write::merge(
            &mut tx,
            from.0,
            into.0,
            by,
            sanbao_domain::time::now(),
            &words,
        )
        .await?;
        audit::record(
            &mut tx,
            actor,
            Action::CustomerMerge,
            RecordType::Customer,
            into.0,
            json!({"from": format!("{}（{}）", a.name, a.id), "to": format!("{}（{}）", b.name, b.id),
                   "cases": m.cases, "contacts": m.contacts}),
        )
        .await?;
        tx.commit().await?;
        Ok(MergeDone {
            into,
            cases: m.cases,
            contacts: m.contacts,
        })
    }

    /// The customer a merged-away id now is (links to it lead there).
    pub async fn merged_into(&self, actor: &Actor, id: CustomerId) -> Result<Option<CustomerId>> {
        actor.require(Permission::CustomerRead)?;
        Ok(repo::merged_into(&self.app.store, id.0)
            .await?
            .map(CustomerId))
    }

    /// Customers for the intake form: by the start of a contact's phone (roles that see
    /// phones; a masked role by the whole number only), else by the start of the name or the
    /// whole credit code.
    pub async fn for_intake(&self, actor: &Actor, typed: &str) -> Result<Vec<IntakeMatch>> {
        actor.require(Permission::CustomerRead)?;
        let typed = typed.trim();
        let digits: String = typed.chars().filter(char::is_ascii_digit).collect();
        let phone_like = !typed.is_empty()
            && typed
                .chars()
                .all(|c| c.is_ascii_digit() || " -+()".contains(c));
        let rows = if phone_like {
            // A prefix lookup would let a masked role read a number digit by digit.
            if digits.len() < 3
                || (!actor.can(Permission::PersonalData) && Phone::parse(&digits).is_err())
            {
                return Ok(Vec::new());
            }
            repo::by_phone_prefix(&self.app.store, &digits, 8).await?
        } else if typed.chars().count() >= 2 {
            repo::by_name_or_code(&self.app.store, &code_case(typed), 8).await?
        } else {
            return Ok(Vec::new());
        };
        Ok(rows
            .into_iter()
            .map(|r| IntakeMatch {
                id: CustomerId(r.id),
                kind: r.kind,
                exact: phone_like && r.phone == digits,
                phone: masked_phone(&r.phone),
                name: r.name,
                credit_code: r.credit_code,
                contact_name: r.contact_name,
            })
            .collect())
    }
}

/// A credit code is typed in either case (names are kept as typed).
fn code_case(typed: &str) -> String {
    if typed.len() == 18 && typed.chars().all(|c| c.is_ascii_alphanumeric()) {
        typed.to_ascii_uppercase()
    } else {
        typed.to_owned()
    }
}

/// Organisations with two different credit codes are two organisations.
fn refuse_different_codes(a: &CustomerRow, b: &CustomerRow) -> Result<()> {
    match (&a.credit_code, &b.credit_code) {
        (Some(x), Some(y)) if x != y => Err(AppError::rule(
            "customer.merge_codes_differ",
            text!(
                "customer.merge_codes_differ",
                a = x.as_str(),
                b = y.as_str()
            ),
        )),
        _ => Ok(()),
    }
}

/// Refuse a phone that is another customer's contact, or a credit code another customer has,
/// naming the row and the customer it belongs to.
/// A new card as written: the customer and their contacts, the first the main phone.
pub(super) fn writes(
    a: &Archive,
    now: chrono::DateTime<chrono::Utc>,
) -> (CustomerWrite, Vec<ContactWrite>) {
    let w = CustomerWrite {
        kind: a.kind,
        name: a.name.clone(),
        phone: a.phone().as_str().to_owned(),
        address: a.address.clone(),
        credit_code: a.credit_code.as_ref().map(|c| c.as_str().to_owned()),
        contact_name: a.contacts[0].name.clone(),
        created_at: now,
    };
    let contacts = a
        .contacts
        .iter()
        .map(|c| ContactWrite {
            name: c.name.clone(),
            role: c.role.clone(),
            phone: c.phone.as_str().to_owned(),
            created_at: now,
        })
        .collect();
    (w, contacts)
}

/// The credit code and phones of card `a` taken by another customer than `this`: errors on
/// `credit_code` and `contact[k].phone`.
pub(super) async fn check_unique(tx: &mut Tx, a: &Archive, this: Option<i64>) -> Result<()> {
    let mut errs = FieldErrors::default();
    if let Some(code) = &a.credit_code
        && let Some((id, name)) = repo::by_credit_code_tx(tx, code.as_str()).await?
        && Some(id) != this
    {
        errs.push(FieldError::new(
            "credit_code",
            "taken",
            text!("customer.credit_code_taken", name = name),
        ));
    }
    let phones: Vec<&str> = a.contacts.iter().map(|c| c.phone.as_str()).collect();
    for (phone, id, name) in repo::phone_owners_tx(tx, &phones).await? {
        if Some(id) == this {
            continue;
        }
        if let Some(i) = phones.iter().position(|p| *p == phone) {
            errs.push(FieldError::at(
                format!("contact[{}].phone", a.contacts[i].row),
                "taken",
                text!("customer.phone_taken", name = name),
            ));
        }
    }
    Ok(errs.into_result()?)
}

/// A unique value taken by a write that raced this one (PostgreSQL): a conflict to retry.
fn taken_on_race(e: StoreError) -> AppError {
    match e {
        StoreError::Unique => AppError::Stale,
        other => other.into(),
    }
}
