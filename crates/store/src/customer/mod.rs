//! Customers: the customer list, a customer's card, and finding customers by phone.

use chrono::{DateTime, Utc};
use sanbao_domain::customer::CustomerKind;

use crate::{Result, Store, on_pool};

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

const CUSTOMER_COLS: &str = "id, kind, name, phone, address, credit_code, created_at";

pub async fn customer(store: &Store, id: i64) -> Result<Option<CustomerRow>> {
    let sql = format!("SELECT {CUSTOMER_COLS} FROM customer WHERE id = $1");
    Ok(
        on_pool!(store, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(c).await)?,
    )
}

/// Customers whose phone starts with `prefix` (typing ahead), by phone.
pub async fn customers_by_phone_prefix(
    store: &Store,
    prefix: &str,
    limit: i64,
) -> Result<Vec<CustomerRow>> {
    // A range on the unique index instead of LIKE (which SQLite cannot serve from it).
    let upper = format!("{prefix}\u{7f}");
    let sql = format!(
        "SELECT {CUSTOMER_COLS} FROM customer WHERE phone >= $1 AND phone < $2 ORDER BY phone LIMIT $3"
    );
    Ok(
        on_pool!(store, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(prefix).bind(upper).bind(limit).fetch_all(c).await)?,
    )
}

pub async fn count_customers(store: &Store) -> Result<i64> {
    Ok(
        on_pool!(store, c => sqlx::query_scalar("SELECT COUNT(*) FROM customer").fetch_one(c).await)?,
    )
}

/// The customer with exactly this phone.
pub async fn customer_id_by_phone(store: &Store, phone: &str) -> Result<Option<i64>> {
    Ok(
        on_pool!(store, c => sqlx::query_scalar("SELECT id FROM customer WHERE phone = $1")
        .bind(phone).fetch_optional(c).await)?,
    )
}

/// Customer ids whose phone starts with `prefix` (phone lookups).
pub async fn customer_ids_by_phone(store: &Store, prefix: &str) -> Result<Vec<i64>> {
    let upper = format!("{prefix}\u{7f}");
    Ok(on_pool!(store, c => sqlx::query_scalar(
        "SELECT id FROM customer WHERE phone >= $1 AND phone < $2 ORDER BY phone LIMIT 50")
        .bind(prefix).bind(upper).fetch_all(c).await)?)
}
