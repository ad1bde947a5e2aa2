//! The product catalogue; [`unit`] holds the units sold of it.

use chrono::{DateTime, Utc};
use sanbao_domain::product::{Product, Tracking};

use crate::row::{self, Insert, Val};
use crate::{Result, Store, StoreError, Tx, on_pool};

pub mod unit;

pub(crate) const PRODUCT: Insert = Insert {
    table: "product",
    columns: &[
        "model",
        "name",
        "category",
        "brand",
        "manufacturer",
        "specification",
        "price_fen",
        "warranty_months",
        "tracking",
        "installation_required",
        "supplier_repairs",
        "main_parts",
        "main_parts_months",
        "created_at",
        "created_by",
        "seal",
    ],
};

/// A product as read.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProductRow {
    pub id: i64,
    pub model: String,
    pub name: String,
    pub category: String,
    pub brand: String,
    pub manufacturer: String,
    pub specification: String,
    pub price_fen: Option<i64>,
    pub warranty_months: i32,
    #[sqlx(try_from = "String")]
    pub tracking: Tracking,
    pub installation_required: bool,
    /// `None` for a product entered before the supplier's terms were kept: not covered.
    pub supplier_repairs: Option<bool>,
    /// The main parts with a longer warranty, and its months (both `None` for none).
    pub main_parts: Option<String>,
    pub main_parts_months: Option<i64>,
    pub created_at: DateTime<Utc>,
}

impl ProductRow {
    /// Whether the supplier's repair terms cover this product.
    pub fn supplier_covers_repairs(&self) -> bool {
        self.supplier_repairs == Some(true)
    }
}

const COLS: &str = "id, model, name, category, brand, manufacturer, specification, price_fen, \
    warranty_months, tracking, installation_required, supplier_repairs, main_parts, main_parts_months, created_at";

/// Write a new product; its id. A model already in the catalogue is [`StoreError::Unique`].
pub async fn insert(tx: &mut Tx, p: &Product, by: Option<i64>, now: DateTime<Utc>) -> Result<i64> {
    let key = tx.audit_key.clone();
    let months = i32::try_from(p.warranty_months).unwrap_or(i32::MAX);
    let values: Vec<Val<'_>> = vec![
        (&p.model).into(),
        (&p.name).into(),
        (&p.category).into(),
        (&p.brand).into(),
        (&p.manufacturer).into(),
        (&p.specification).into(),
        p.price_fen.into(),
        Val::Int32(months),
        p.tracking.code().into(),
        p.installation_required.into(),
        p.supplier_repairs.into(),
        Val::Text(p.main_parts.as_ref().map(|m| m.parts.as_str())),
        Val::Int(p.main_parts.as_ref().map(|m| i64::from(m.months))),
        now.into(),
        by.into(),
    ];
    let values = crate::seal::PRODUCT.append(&key, &PRODUCT, values);
    row::fetch_i64(tx, &PRODUCT.one("RETURNING id"), &values)
        .await?
        .ok_or(StoreError::Stale)
}

/// The catalogue by model, a page after `after_model`.
pub async fn page(store: &Store, after_model: &str, limit: i64) -> Result<Vec<ProductRow>> {
    let sql = format!("SELECT {COLS} FROM product WHERE model > $1 ORDER BY model LIMIT $2");
    Ok(
        on_pool!(store, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(after_model).bind(limit.clamp(1, 500)).fetch_all(c).await)?,
    )
}

/// The product of `model`, if the catalogue has it.
pub async fn by_model(store: &Store, model: &str) -> Result<Option<ProductRow>> {
    let sql = format!("SELECT {COLS} FROM product WHERE model = $1");
    Ok(
        on_pool!(store, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(model).fetch_optional(c).await)?,
    )
}

/// How many products the catalogue holds (the first-run checklist).
pub async fn count(store: &Store) -> Result<i64> {
    Ok(on_pool!(store, c => sqlx::query_scalar("SELECT COUNT(*) FROM product").fetch_one(c).await)?)
}

/// Every model in the catalogue with its id and tracking (an import checks its rows against
/// them in memory).
pub async fn models(store: &Store) -> Result<Vec<(String, i64, String, String)>> {
    Ok(
        on_pool!(store, c => sqlx::query_as("SELECT model, id, tracking, category FROM product")
        .fetch_all(c).await)?,
    )
}
