//! Writing a customer's archive card: a new customer with their contacts, an edit of the card
//! and its contacts, and a merge of one customer into another. Every row changed is sealed
//! again in the same transaction.

use chrono::{DateTime, Utc};

use crate::admin::users::stale_unless_one;
use crate::case::write::{CONTACT, CUSTOMER};
use crate::case::{ContactWrite, CustomerWrite};
use crate::row::{self, Val};
use crate::seal::{self, reseal};
use crate::{BackendKind, Result, Tx, on_conn};

/// A contact row of an edit: the stored contact it changes, or none for a new one.
#[derive(Debug, Clone)]
pub struct ContactEdit {
    pub id: Option<i64>,
    pub contact: ContactWrite,
}

/// Write a new customer and their contacts (the first is the main phone); its id.
pub async fn insert(tx: &mut Tx, c: &CustomerWrite, contacts: &[ContactWrite]) -> Result<i64> {
    let key = tx.audit_key.clone();
    let id = row::fetch_i64(tx, &CUSTOMER.one("RETURNING id"), &c.values(&key))
        .await?
        .ok_or(crate::StoreError::Stale)?;
    for k in contacts {
        row::execute(tx, &CONTACT.one(""), &k.values(id, &key)).await?;
    }
    Ok(id)
}

/// The card's own fields, as an edit leaves them.
#[derive(Debug, Clone)]
pub struct CardFields<'a> {
    pub kind: &'a str,
    pub name: &'a str,
    /// The main phone: the first contact's.
    pub phone: &'a str,
    pub address: &'a str,
    pub credit_code: Option<&'a str>,
}

/// Change the card if `version` is current, and make its contacts `contacts`: rows with an id
/// are changed, rows without are added, stored contacts not named are removed. A contact id
/// of another customer is [`crate::StoreError::Stale`].
pub async fn update(
    tx: &mut Tx,
    id: i64,
    version: i64,
    f: &CardFields<'_>,
    contacts: &[ContactEdit],
    now: DateTime<Utc>,
) -> Result<()> {
    let key = tx.audit_key.clone();
    // Phones are unique: the contacts that go or change let go of theirs first.
    let kept: Vec<i64> = contacts.iter().filter_map(|c| c.id).collect();
    let stored = contact_ids(tx, id).await?;
    if kept.iter().any(|k| !stored.contains(k)) {
        return Err(crate::StoreError::Stale);
    }
    for gone in stored.iter().filter(|s| !kept.contains(s)) {
        row::execute(
            tx,
            "DELETE FROM customer_contact WHERE id = $1",
            &[(*gone).into()],
        )
        .await?;
    }
    for k in &kept {
        row::execute(
            tx,
            "UPDATE customer_contact SET phone = '#' || id WHERE id = $1",
            &[(*k).into()],
        )
        .await?;
    }
    // The main phone moves the same way before it is set again.
    row::execute(
        tx,
        "UPDATE customer SET phone = '#' || id WHERE id = $1",
        &[id.into()],
    )
    .await?;
    for c in contacts {
        let k = &c.contact;
        match c.id {
            Some(cid) => {
                row::execute(
                    tx,
                    "UPDATE customer_contact SET name = $1, role = $2, phone = $3 WHERE id = $4",
                    &[
                        (&k.name).into(),
                        (&k.role).into(),
                        (&k.phone).into(),
                        cid.into(),
                    ],
                )
                .await?;
                reseal(tx, &seal::CONTACT, cid).await?;
            }
            None => {
                row::execute(tx, &CONTACT.one(""), &k.values(id, &key)).await?;
            }
        }
    }
    let n = row::execute(
        tx,
        "UPDATE customer SET kind = $1, name = $2, phone = $3, address = $4, credit_code = $5, \
         updated_at = $6, version = version + 1 WHERE id = $7 AND version = $8",
        &[
            f.kind.into(),
            f.name.into(),
            f.phone.into(),
            f.address.into(),
            f.credit_code.into(),
            now.into(),
            id.into(),
            version.into(),
        ],
    )
    .await?;
    stale_unless_one(n)?;
    reseal(tx, &seal::CUSTOMER, id).await
}

async fn contact_ids(tx: &mut Tx, customer: i64) -> Result<Vec<i64>> {
    Ok(on_conn!(tx, c => sqlx::query_scalar(
        "SELECT id FROM customer_contact WHERE customer_id = $1 ORDER BY id")
        .bind(customer).fetch_all(c).await)?)
}

/// What a merge moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Merged {
    pub cases: u64,
    pub contacts: u64,
}

/// Merge customer `from` into `into`: its cases and contacts move (each sealed again, the
/// cases findable by the kept name too), links to it lead to `into` from now on, and it is
/// removed. `into` takes `from`'s address and credit code where it has none.
pub async fn merge(
    tx: &mut Tx,
    from: i64,
    into: i64,
    by: Option<i64>,
    now: DateTime<Utc>,
    search_words: &str,
) -> Result<Merged> {
    // The rows moved are those the updates return: one written meanwhile moves and is
    // resealed with the rest.
    let cases: Vec<i64> = on_conn!(tx, c => sqlx::query_scalar(
        "UPDATE service_case SET customer_id = $1 WHERE customer_id = $2 RETURNING id")
        .bind(into).bind(from).fetch_all(c).await)?;
    let contacts: Vec<i64> = on_conn!(tx, c => sqlx::query_scalar(
        "UPDATE customer_contact SET customer_id = $1 WHERE customer_id = $2 RETURNING id")
        .bind(into).bind(from).fetch_all(c).await)?;
    for id in &cases {
        reseal(tx, &seal::CASE, *id).await?;
    }
    for id in &contacts {
        reseal(tx, &seal::CONTACT, *id).await?;
    }
    add_search_words(tx, &cases, search_words).await?;
    let (address, code): (String, Option<String>) = on_conn!(tx, c => sqlx::query_as(
        "SELECT address, credit_code FROM customer WHERE id = $1")
        .bind(from).fetch_one(c).await)?;
    row::execute(
        tx,
        "UPDATE customer_merge SET into_id = $1 WHERE into_id = $2",
        &[into.into(), from.into()],
    )
    .await?;
    row::execute(
        tx,
        "INSERT INTO customer_merge (from_id, into_id, merged_at, merged_by) VALUES ($1, $2, $3, $4)",
        &[from.into(), into.into(), now.into(), by.into()],
    )
    .await?;
    row::execute(tx, "DELETE FROM customer WHERE id = $1", &[from.into()]).await?;
    row::execute(
        tx,
        "UPDATE customer SET \
         address = CASE WHEN address = '' THEN $1 ELSE address END, \
         credit_code = COALESCE(credit_code, $2), \
         updated_at = $3, version = version + 1 WHERE id = $4",
        &[
            (&address).into(),
            code.as_deref().into(),
            now.into(),
            into.into(),
        ],
    )
    .await?;
    reseal(tx, &seal::CUSTOMER, into).await?;
    Ok(Merged {
        cases: cases.len() as u64,
        contacts: contacts.len() as u64,
    })
}

/// Add `words` to the search words of `cases`.
async fn add_search_words(tx: &mut Tx, cases: &[i64], words: &str) -> Result<()> {
    let sql = match tx.kind() {
        BackendKind::Sqlite => "UPDATE case_search SET doc = doc || ' ' || $1 WHERE rowid = $2",
        BackendKind::Postgres => {
            "UPDATE case_search SET doc = doc || to_tsvector('simple', $1) WHERE case_id = $2"
        }
    };
    for id in cases {
        row::execute(tx, sql, &[Val::from(words), (*id).into()]).await?;
    }
    Ok(())
}
