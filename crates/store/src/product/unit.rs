//! Sold units: registering one (with its customer found by phone or created), finding one by
//! serial, invoice or the customer's phone, and the cases about a unit.

use chrono::{DateTime, NaiveDate, Utc};
use sanbao_domain::case::{Kind, State};
use sanbao_domain::policy::SaleChannel;
use sanbao_domain::product::Tracking;

use crate::case::CustomerWrite;
use crate::case::write::CUSTOMER_BY_PHONE;
use crate::row::{self, Insert, Val};
use crate::{Result, Store, StoreError, Tx, on_conn, on_pool};

pub(crate) const UNIT: Insert = Insert {
    table: "unit",
    columns: &[
        "serial",
        "quantity",
        "product_id",
        "customer_id",
        "sold_on",
        "delivered_on",
        "installed_on",
        "invoice_no",
        "policy_name",
        "policy_version",
        "replaces_id",
        "created_at",
        "created_by",
        "channel",
        "seal",
    ],
};

/// A unit as written. A delivery (the sales flow) fills in the same fields.
#[derive(Debug, Clone)]
pub struct UnitWrite {
    pub serial: String,
    pub quantity: u32,
    pub product_id: i64,
    /// Found by the phone, or created.
    pub customer: CustomerWrite,
    pub sold_on: NaiveDate,
    pub delivered_on: Option<NaiveDate>,
    pub installed_on: Option<NaiveDate>,
    pub invoice_no: String,
    pub policy_name: String,
    pub policy_version: i32,
    /// The unit an exchange replaced.
    pub replaces_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<i64>,
    /// How it was sold (`None`: not said).
    pub channel: Option<SaleChannel>,
}

/// What registering a unit wrote.
#[derive(Debug, Clone, Copy)]
pub struct Registered {
    pub id: i64,
    pub customer_id: i64,
    pub customer_created: bool,
}

/// Write a unit, finding its customer by a contact's phone or creating them. A serial already
/// registered is [`StoreError::Unique`].
pub async fn insert(tx: &mut Tx, u: &UnitWrite) -> Result<Registered> {
    let phone = u.customer.phone.clone();
    let found: Option<(i64, String)> = on_conn!(tx, c => sqlx::query_as(CUSTOMER_BY_PHONE)
        .bind(&phone).fetch_optional(c).await)?;
    let (customer_id, customer_created) = match found {
        Some((id, _)) => (id, false),
        None => {
            let first = u.customer.first_contact();
            let id = crate::customer::write::insert(tx, &u.customer, &[first]).await?;
            (id, true)
        }
    };
    let id = insert_for(tx, u, customer_id).await?;
    Ok(Registered {
        id,
        customer_id,
        customer_created,
    })
}

/// Write a unit of a known customer (the replacement an exchange gives); its id. A serial
/// already registered is [`StoreError::Unique`].
pub async fn insert_for(tx: &mut Tx, u: &UnitWrite, customer_id: i64) -> Result<i64> {
    let key = tx.audit_key.clone();
    let values = unit_values(u, customer_id, &key);
    row::fetch_i64(tx, &UNIT.one("RETURNING id"), &values)
        .await?
        .ok_or(StoreError::Stale)
}

/// Write many units at once (an import): the customers their phones reach found in batches,
/// a new customer (with the phone as their first contact) for each phone no one has, and the
/// units in many-row statements; how many customers were created. A serial or phone taken by
/// a concurrent write is [`StoreError::Unique`] and the caller's transaction is refused whole.
pub async fn insert_many(tx: &mut Tx, units: &[UnitWrite]) -> Result<usize> {
    use std::collections::HashMap;
    let key = tx.audit_key.clone();
    let mut owner: HashMap<&str, i64> = HashMap::new();
    let phones: Vec<&str> = {
        let mut seen = std::collections::HashSet::new();
        units
            .iter()
            .map(|u| u.customer.phone.as_str())
            .filter(|p| seen.insert(*p))
            .collect()
    };
    for chunk in phones.chunks(row::ROWS) {
        let found: Vec<(String, i64)> = on_conn!(tx, c => {
            let mut qb = sqlx::QueryBuilder::new(
                "SELECT phone, customer_id FROM customer_contact WHERE phone IN (");
            let mut sep = qb.separated(", ");
            for p in chunk {
                sep.push_bind(p.to_string());
            }
            qb.push(")");
            qb.build_query_as().fetch_all(&mut *c).await?
        });
        for (phone, id) in found {
            if let Some(p) = chunk.iter().find(|p| **p == phone) {
                owner.insert(p, id);
            }
        }
    }
    // The first unit of each new phone names its customer.
    let new: Vec<&UnitWrite> = {
        let mut seen = std::collections::HashSet::new();
        units
            .iter()
            .filter(|u| !owner.contains_key(u.customer.phone.as_str()))
            .filter(|u| seen.insert(u.customer.phone.as_str()))
            .collect()
    };
    let ids = row::reserve_ids(tx, "customer", new.len()).await?;
    let customers = new
        .iter()
        .zip(&ids)
        .map(|(u, id)| row::with_id(*id, u.customer.values(&key)))
        .collect();
    row::insert_rows(tx, &crate::case::write::CUSTOMER, true, customers).await?;
    let firsts: Vec<_> = new.iter().map(|u| u.customer.first_contact()).collect();
    let contacts = firsts
        .iter()
        .zip(&ids)
        .map(|(k, id)| k.values(*id, &key))
        .collect();
    row::insert_rows(tx, &crate::case::write::CONTACT, false, contacts).await?;
    for (u, id) in new.iter().zip(&ids) {
        owner.insert(u.customer.phone.as_str(), *id);
    }
    let mut rows = Vec::with_capacity(units.len());
    for u in units {
        let customer = owner
            .get(u.customer.phone.as_str())
            .copied()
            .ok_or(StoreError::Stale)?;
        rows.push(unit_values(u, customer, &key));
    }
    row::insert_rows(tx, &UNIT, false, rows).await?;
    Ok(new.len())
}

/// A unit's row in [`UNIT`]'s order, its customer's id given, sealed with `key`.
fn unit_values<'a>(
    u: &'a UnitWrite,
    customer_id: i64,
    key: &sanbao_domain::audit::AuditKey,
) -> Vec<Val<'a>> {
    let quantity = i32::try_from(u.quantity).unwrap_or(i32::MAX);
    let values: Vec<Val<'_>> = vec![
        (&u.serial).into(),
        Val::Int32(quantity),
        u.product_id.into(),
        customer_id.into(),
        Some(u.sold_on).into(),
        u.delivered_on.into(),
        u.installed_on.into(),
        (&u.invoice_no).into(),
        (&u.policy_name).into(),
        Val::Int32(u.policy_version),
        u.replaces_id.into(),
        u.created_at.into(),
        u.created_by.into(),
        Val::Text(u.channel.map(SaleChannel::code)),
    ];
    crate::seal::UNIT.append(key, &UNIT, values)
}

/// A unit as read, with its product and customer.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UnitRow {
    pub id: i64,
    pub serial: String,
    pub quantity: i32,
    pub product_id: i64,
    pub model: String,
    pub product_name: String,
    pub warranty_months: i32,
    #[sqlx(try_from = "String")]
    pub tracking: Tracking,
    pub customer_id: i64,
    pub customer_name: String,
    pub customer_phone: String,
    pub sold_on: NaiveDate,
    pub delivered_on: Option<NaiveDate>,
    pub installed_on: Option<NaiveDate>,
    pub invoice_no: String,
    pub policy_name: String,
    pub policy_version: i32,
    pub replaces_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub channel: Option<String>,
    /// The product's supplier repair terms ([`super::ProductRow::supplier_repairs`]).
    pub supplier_repairs: Option<bool>,
    /// The product's main parts with a longer warranty, and its months.
    pub main_parts: Option<String>,
    pub main_parts_months: Option<i64>,
}

const SELECT: &str = "SELECT u.id, u.serial, u.quantity, u.product_id, p.model, \
    p.name AS product_name, p.warranty_months, p.tracking, u.customer_id, \
    c.name AS customer_name, c.phone AS customer_phone, u.sold_on, u.delivered_on, \
    u.installed_on, u.invoice_no, u.policy_name, u.policy_version, u.replaces_id, u.created_at, u.channel, \
    p.supplier_repairs, p.main_parts, p.main_parts_months FROM unit u JOIN product p ON p.id = u.product_id JOIN customer c ON c.id = u.customer_id";

/// The unit with `serial` (serials are kept upper-case).
pub async fn by_serial(store: &Store, serial: &str) -> Result<Option<UnitRow>> {
    let sql = format!("{SELECT} WHERE u.serial = $1");
    Ok(
        on_pool!(store, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(serial).fetch_optional(c).await)?,
    )
}

/// The units an invoice covers.
pub async fn by_invoice(store: &Store, invoice_no: &str, limit: i64) -> Result<Vec<UnitRow>> {
    let sql =
        format!("{SELECT} WHERE u.invoice_no = $1 AND u.invoice_no <> '' ORDER BY u.id LIMIT $2");
    Ok(
        on_pool!(store, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(invoice_no).bind(limit).fetch_all(c).await)?,
    )
}

/// The units of the customer a phone reaches (any of their contacts' phones).
pub async fn by_phone(store: &Store, phone: &str, limit: i64) -> Result<Vec<UnitRow>> {
    let sql = format!(
        "{SELECT} WHERE u.customer_id = (SELECT k.customer_id FROM customer_contact k \
         WHERE k.phone = $1) ORDER BY u.id DESC LIMIT $2"
    );
    Ok(
        on_pool!(store, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(phone).bind(limit).fetch_all(c).await)?,
    )
}

/// The newest units, a page below `before_id`.
pub async fn page(store: &Store, before_id: Option<i64>, limit: i64) -> Result<Vec<UnitRow>> {
    let sql = format!("{SELECT} WHERE u.id < $1 ORDER BY u.id DESC LIMIT $2");
    Ok(
        on_pool!(store, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(before_id.unwrap_or(i64::MAX)).bind(limit.clamp(1, 200)).fetch_all(c).await)?,
    )
}

/// A case about a unit.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UnitCase {
    pub id: i64,
    pub number: String,
    #[sqlx(try_from = "String")]
    pub kind: Kind,
    #[sqlx(try_from = "String")]
    pub state: State,
    pub subject: String,
    pub received_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
}

/// The cases about these units, each with its unit's id, oldest first.
pub async fn cases_of(store: &Store, unit_ids: &[i64]) -> Result<Vec<(i64, UnitCase)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        unit_id: i64,
        #[sqlx(flatten)]
        case: UnitCase,
    }
    if unit_ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<Row> = on_pool!(store, c => {
        let mut qb = sqlx::QueryBuilder::new(
            "SELECT cu.unit_id, s.id, s.number, s.kind, s.state, s.subject, s.received_at, s.resolved_at \
             FROM case_unit cu JOIN service_case s ON s.id = cu.case_id WHERE cu.unit_id IN (");
        let mut sep = qb.separated(", ");
        for id in unit_ids {
            sep.push_bind(*id);
        }
        qb.push(") ORDER BY s.id");
        qb.build_query_as::<Row>().fetch_all(c).await?
    });
    Ok(rows.into_iter().map(|r| (r.unit_id, r.case)).collect())
}

/// The unit a case is about, if it names one.
pub async fn of_case(store: &Store, case_id: i64) -> Result<Option<UnitRow>> {
    let sql = format!("{SELECT} JOIN case_unit cu ON cu.unit_id = u.id WHERE cu.case_id = $1");
    Ok(
        on_pool!(store, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(case_id).fetch_optional(c).await)?,
    )
}

/// Which of `serials` are registered already.
pub async fn taken_serials(store: &Store, serials: &[&str]) -> Result<Vec<String>> {
    let mut taken = Vec::new();
    for chunk in serials.chunks(500) {
        let found: Vec<String> = on_pool!(store, c => {
            let mut qb = sqlx::QueryBuilder::new("SELECT serial FROM unit WHERE serial IN (");
            let mut sep = qb.separated(", ");
            for s in chunk {
                sep.push_bind(s.to_string());
            }
            qb.push(")");
            qb.build_query_scalar().fetch_all(c).await?
        });
        taken.extend(found);
    }
    Ok(taken)
}
