//! Customers: the customer list, a customer's card and contacts, and finding customers by a
//! contact's phone, a name or a credit code; [`write`] changes them.

use chrono::{DateTime, Utc};
use sanbao_domain::customer::CustomerKind;

use crate::{Result, Store, Tx, on_conn, on_pool};

pub mod write;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CustomerRow {
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub kind: CustomerKind,
    pub name: String,
    pub phone: String,
    pub address: String,
    pub credit_code: Option<String>,
    pub created_at: DateTime<Utc>,
    pub version: i64,
}

/// A contact of a customer.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ContactRow {
    pub id: i64,
    pub customer_id: i64,
    pub name: String,
    pub role: String,
    pub phone: String,
    pub created_at: DateTime<Utc>,
}

/// A customer in the customer list, with how many cases they have.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CustomerListRow {
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub kind: CustomerKind,
    pub name: String,
    pub phone: String,
    pub created_at: DateTime<Utc>,
    pub cases: i64,
}

/// How the customer list is narrowed.
#[derive(Debug, Clone, Default)]
pub struct CustomerFilter {
    /// Names starting with this.
    pub name_prefix: Option<String>,
    /// Exactly these customers (found by phone).
    pub ids: Option<Vec<i64>>,
    /// Newest first, below this id (the next page).
    pub before_id: Option<i64>,
    pub limit: i64,
}

/// One page of customers: by name when a name prefix is given, else newest first. The case
/// counts come in the same query (one index probe per listed customer).
pub async fn customers_page(store: &Store, f: &CustomerFilter) -> Result<Vec<CustomerListRow>> {
    let limit = f.limit.clamp(1, 200);
    let name_col = match store.kind() {
        crate::BackendKind::Sqlite => "c.name",
        crate::BackendKind::Postgres => "(c.name COLLATE \"C\")",
    };
    on_pool!(store, c => {
        let mut qb = sqlx::QueryBuilder::new(
            "SELECT c.id, c.kind, c.name, c.phone, c.created_at, \
             (SELECT COUNT(*) FROM service_case s WHERE s.customer_id = c.id) AS cases \
             FROM customer c WHERE 1=1");
        if let Some(ids) = &f.ids {
            qb.push(" AND c.id IN (");
            let mut sep = qb.separated(", ");
            sep.push("0");
            for id in ids {
                sep.push_bind(*id);
            }
            qb.push(")");
        }
        if let Some(p) = f.name_prefix.as_deref().filter(|p| !p.is_empty()) {
            // A range on the name index (byte order): every name that starts with `p`.
            qb.push(format!(" AND {name_col} >= ")).push_bind(p.to_owned())
                .push(format!(" AND {name_col} < ")).push_bind(format!("{p}\u{10FFFF}"));
            qb.push(format!(" ORDER BY {name_col}, c.id LIMIT ")).push_bind(limit);
        } else {
            if let Some(b) = f.before_id {
                qb.push(" AND c.id < ").push_bind(b);
            }
            qb.push(" ORDER BY c.id DESC LIMIT ").push_bind(limit);
        }
        Ok(qb.build_query_as::<CustomerListRow>().fetch_all(c).await?)
    })
}

const CUSTOMER_COLS: &str = "id, kind, name, phone, address, credit_code, created_at, version";
const CONTACT_COLS: &str = "id, customer_id, name, role, phone, created_at";

pub async fn customer(store: &Store, id: i64) -> Result<Option<CustomerRow>> {
    let sql = format!("SELECT {CUSTOMER_COLS} FROM customer WHERE id = $1");
    Ok(
        on_pool!(store, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(c).await)?,
    )
}

/// The customer as it is inside a write transaction.
pub async fn customer_tx(tx: &mut Tx, id: i64) -> Result<Option<CustomerRow>> {
    let sql = format!("SELECT {CUSTOMER_COLS} FROM customer WHERE id = $1");
    Ok(
        on_conn!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(c).await)?,
    )
}

/// A customer's contacts, the main one first.
pub async fn contacts(store: &Store, customer: i64) -> Result<Vec<ContactRow>> {
    let sql = format!(
        "SELECT {CONTACT_COLS} FROM customer_contact WHERE customer_id = $1 \
         ORDER BY (phone = (SELECT phone FROM customer WHERE id = $1)) DESC, id"
    );
    Ok(
        on_pool!(store, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(customer).fetch_all(c).await)?,
    )
}

/// A customer's contacts inside a write transaction, in the order they were added.
pub async fn contacts_tx(tx: &mut Tx, customer: i64) -> Result<Vec<ContactRow>> {
    let sql =
        format!("SELECT {CONTACT_COLS} FROM customer_contact WHERE customer_id = $1 ORDER BY id");
    Ok(
        on_conn!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(customer).fetch_all(c).await)?,
    )
}

/// The customer that `id` was merged into, if it was.
pub async fn merged_into(store: &Store, id: i64) -> Result<Option<i64>> {
    Ok(on_pool!(store, c => sqlx::query_scalar(
        "SELECT into_id FROM customer_merge WHERE from_id = $1")
        .bind(id).fetch_optional(c).await)?)
}

/// Which of these phones belong to a contact, and to which customer: `(phone, customer id,
/// customer name)`.
pub async fn phone_owners_tx(tx: &mut Tx, phones: &[&str]) -> Result<Vec<(String, i64, String)>> {
    if phones.is_empty() {
        return Ok(Vec::new());
    }
    on_conn!(tx, c => {
        let mut qb = sqlx::QueryBuilder::new(
            "SELECT k.phone, c.id, c.name FROM customer_contact k JOIN customer c ON c.id = k.customer_id \
             WHERE k.phone IN (");
        let mut sep = qb.separated(", ");
        for p in phones {
            sep.push_bind(p.to_string());
        }
        qb.push(")");
        Ok(qb.build_query_as().fetch_all(c).await?)
    })
}

/// The customer a credit code names: `(id, name)`.
pub async fn by_credit_code_tx(tx: &mut Tx, code: &str) -> Result<Option<(i64, String)>> {
    Ok(
        on_conn!(tx, c => sqlx::query_as(crate::case::write::CUSTOMER_BY_CREDIT_CODE)
        .bind(code).fetch_optional(c).await)?,
    )
}

/// A customer found for the intake form: by a contact's phone, the name's start or a credit
/// code, with the contact whose phone matched.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct IntakeMatch {
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub kind: CustomerKind,
    pub name: String,
    pub credit_code: Option<String>,
    /// The phone that matched, or the main phone.
    pub phone: String,
    pub contact_name: String,
}

/// Customers whose contact's phone starts with `prefix` (typing ahead), by phone.
pub async fn by_phone_prefix(store: &Store, prefix: &str, limit: i64) -> Result<Vec<IntakeMatch>> {
    // A range on the unique index instead of LIKE (which SQLite cannot serve from it).
    let upper = format!("{prefix}\u{7f}");
    Ok(on_pool!(store, c => sqlx::query_as(
        "SELECT c.id, c.kind, c.name, c.credit_code, k.phone, k.name AS contact_name \
         FROM customer_contact k JOIN customer c ON c.id = k.customer_id \
         WHERE k.phone >= $1 AND k.phone < $2 ORDER BY k.phone LIMIT $3")
        .bind(prefix).bind(upper).bind(limit).fetch_all(c).await)?)
}

/// Organisations and people whose name starts with `prefix`, or whose credit code is `prefix`.
pub async fn by_name_or_code(store: &Store, prefix: &str, limit: i64) -> Result<Vec<IntakeMatch>> {
    let name_col = match store.kind() {
        crate::BackendKind::Sqlite => "name",
        crate::BackendKind::Postgres => "(name COLLATE \"C\")",
    };
    let sql = format!(
        "SELECT id, kind, name, credit_code, phone, '' AS contact_name FROM customer \
         WHERE credit_code = $1 \
         UNION ALL SELECT * FROM (SELECT id, kind, name, credit_code, phone, '' AS contact_name \
         FROM customer WHERE {name_col} >= $1 AND {name_col} < $2 \
         AND (credit_code IS NULL OR credit_code <> $1) ORDER BY {name_col}, id LIMIT $3) n"
    );
    Ok(
        on_pool!(store, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(prefix).bind(format!("{prefix}\u{10FFFF}")).bind(limit).fetch_all(c).await)?,
    )
}

pub async fn count_customers(store: &Store) -> Result<i64> {
    Ok(
        on_pool!(store, c => sqlx::query_scalar("SELECT COUNT(*) FROM customer").fetch_one(c).await)?,
    )
}

/// The customer with a contact of exactly this phone.
pub async fn customer_id_by_phone(store: &Store, phone: &str) -> Result<Option<i64>> {
    Ok(
        on_pool!(store, c => sqlx::query_scalar("SELECT customer_id FROM customer_contact WHERE phone = $1")
        .bind(phone).fetch_optional(c).await)?,
    )
}

/// Customer ids with a contact whose phone starts with `prefix` (phone lookups).
pub async fn customer_ids_by_phone(store: &Store, prefix: &str) -> Result<Vec<i64>> {
    let upper = format!("{prefix}\u{7f}");
    Ok(on_pool!(store, c => sqlx::query_scalar(
        "SELECT DISTINCT customer_id FROM (SELECT customer_id FROM customer_contact \
         WHERE phone >= $1 AND phone < $2 ORDER BY phone LIMIT 50) p")
        .bind(prefix).bind(upper).fetch_all(c).await)?)
}
