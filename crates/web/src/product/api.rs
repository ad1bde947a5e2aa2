//! `/api/v1/products` and `/api/v1/units`: the catalogue, registering a sold unit, and a
//! unit's warranty by its serial.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use sanbao_app::product::ProductRow;
use sanbao_app::product::UnitView;
use sanbao_domain::product::ProductForm;
use sanbao_domain::product::unit::UnitForm;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::{ApiActor, ApiJson};
use crate::case::NewCustomer;
use crate::error::ErrorBody;
use crate::{ApiError, AppState};

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_products, create_product))
        .routes(routes!(register_unit))
        .routes(routes!(get_unit))
        .routes(routes!(set_plan))
}

#[derive(Deserialize, ToSchema)]
pub struct NewProduct {
    /// Letters, digits and `-_./`; unique in the catalogue.
    pub model: String,
    pub name: String,
    /// Whole months, 0–120.
    pub warranty_months: u32,
    /// `serial` or `batch`.
    pub tracking: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub brand: String,
    #[serde(default)]
    pub manufacturer: String,
    #[serde(default)]
    pub specification: String,
    /// In fen (1299.00 yuan is 129900).
    #[serde(default)]
    pub price_fen: Option<i64>,
    #[serde(default)]
    pub installation_required: bool,
    /// The supplier's quality agreement covers the product's repairs: only then may a case's
    /// cost be charged to (claimed back from) the supplier.
    #[serde(default)]
    pub supplier_repairs: bool,
    /// Main parts warranted longer than the whole unit (压缩机), with their months (both or
    /// neither; longer than `warranty_months`).
    #[serde(default)]
    pub main_parts: Option<String>,
    #[serde(default)]
    pub main_parts_months: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct ProductOut {
    pub model: String,
    pub name: String,
    pub category: String,
    pub brand: String,
    pub manufacturer: String,
    pub specification: String,
    pub price_fen: Option<i64>,
    pub warranty_months: i32,
    /// `serial` or `batch`.
    pub tracking: String,
    pub installation_required: bool,
    pub supplier_repairs: bool,
    pub main_parts: Option<String>,
    pub main_parts_months: Option<i64>,
}

impl From<ProductRow> for ProductOut {
    fn from(p: ProductRow) -> Self {
        ProductOut {
            supplier_repairs: p.supplier_covers_repairs(),
            tracking: p.tracking.code().to_owned(),
            model: p.model,
            name: p.name,
            category: p.category,
            brand: p.brand,
            manufacturer: p.manufacturer,
            specification: p.specification,
            price_fen: p.price_fen,
            warranty_months: p.warranty_months,
            installation_required: p.installation_required,
            main_parts: p.main_parts,
            main_parts_months: p.main_parts_months,
        }
    }
}

/// Main parts' own warranty on a sold unit.
#[derive(Serialize, ToSchema)]
pub struct MainPartsOut {
    pub parts: String,
    pub ends_on: NaiveDate,
    pub in_warranty: bool,
}

#[derive(Serialize, ToSchema)]
pub struct ProductList {
    pub items: Vec<ProductOut>,
}

/// The product catalogue, by model.
#[utoipa::path(
    get,
    path = "/api/v1/products",
    tag = "products",
    responses(
        (status = 200, description = "The catalogue (the first 500 models)", body = ProductList),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "The role lacks case.read", body = ErrorBody),
    )
)]
pub async fn list_products(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<ProductList>, ApiError> {
    let items = state.app.products().list(&actor, "", 500).await?;
    Ok(Json(ProductList {
        items: items.into_iter().map(ProductOut::from).collect(),
    }))
}

/// Add a product to the catalogue.
#[utoipa::path(
    post,
    path = "/api/v1/products",
    tag = "products",
    request_body = NewProduct,
    responses(
        (status = 201, description = "Added", body = ProductOut),
        (status = 400, description = "Invalid field", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "The role lacks product.manage", body = ErrorBody),
        (status = 409, description = "The model is already in the catalogue", body = ErrorBody),
    )
)]
pub async fn create_product(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(b): ApiJson<NewProduct>,
) -> Result<(StatusCode, Json<ProductOut>), ApiError> {
    let form = ProductForm {
        model: b.model,
        name: b.name,
        category: b.category,
        brand: b.brand,
        manufacturer: b.manufacturer,
        specification: b.specification,
        price: b
            .price_fen
            .map(sanbao_domain::product::yuan)
            .unwrap_or_default(),
        warranty_months: b.warranty_months.to_string(),
        tracking: b.tracking,
        installation_required: b.installation_required,
        supplier_repairs: b.supplier_repairs,
        main_parts: b.main_parts.unwrap_or_default(),
        main_parts_months: b
            .main_parts_months
            .map(|m| m.to_string())
            .unwrap_or_default(),
    };
    let p = state.app.products().create(&actor, &form).await?;
    Ok((StatusCode::CREATED, Json(p.into())))
}

#[derive(Deserialize, ToSchema)]
pub struct NewUnit {
    /// The serial number (serial-tracked products).
    #[serde(default)]
    pub serial: String,
    /// The batch number (batch-tracked products), with `quantity`.
    #[serde(default)]
    pub batch: String,
    #[serde(default)]
    pub quantity: Option<u32>,
    /// The product's model, as in the catalogue.
    pub model: String,
    /// Found by phone, or created.
    pub customer: NewCustomer,
    /// `YYYY-MM-DD`.
    pub sold_on: String,
    #[serde(default)]
    pub delivered_on: Option<String>,
    #[serde(default)]
    pub installed_on: Option<String>,
    #[serde(default)]
    pub invoice_no: Option<String>,
    /// The policy by name (its latest version); default: the policy in force that covers
    /// the sale (by the product's category, the channel and the customer's kind), else the
    /// default policy.
    #[serde(default)]
    pub policy: Option<String>,
    /// How it was sold: store (default) | online | phone | mail | direct.
    #[serde(default)]
    pub channel: Option<String>,
}

/// A return or exchange window of a unit.
#[derive(Serialize, ToSchema)]
pub struct WindowOut {
    /// `request_window` or `exchange_window`.
    pub clock: String,
    pub from: NaiveDate,
    /// The last day (until 24:00).
    pub closes_on: NaiveDate,
}

/// How many completed repairs fixed one fault.
#[derive(Serialize, ToSchema)]
pub struct FaultCount {
    pub fault: String,
    pub repairs: u32,
}

/// A case about a unit.
#[derive(Serialize, ToSchema)]
pub struct UnitCaseOut {
    pub number: String,
    pub kind: String,
    pub state: String,
    pub subject: String,
}

#[derive(Serialize, ToSchema)]
pub struct UnitOut {
    pub serial: String,
    pub quantity: i32,
    pub model: String,
    pub product_name: String,
    pub customer: crate::case::CaseCustomer,
    pub sold_on: NaiveDate,
    pub delivered_on: Option<NaiveDate>,
    pub installed_on: Option<NaiveDate>,
    pub invoice_no: String,
    /// The policy in force at the sale, `name@version`: later edits never change it.
    pub policy: String,
    pub warranty_starts_on: NaiveDate,
    /// The warranty's last day, moved later by the days spent in repair.
    pub warranty_ends_on: NaiveDate,
    pub in_warranty: bool,
    /// Days to the last day (negative once passed).
    pub warranty_days_left: i64,
    /// The product's main parts with a longer warranty: what they are, its last day, whether
    /// it still holds.
    pub main_parts_warranty: Option<MainPartsOut>,
    /// Completed repairs.
    pub repair_count: usize,
    /// Completed repairs by fault, most repaired first.
    pub faults: Vec<FaultCount>,
    /// Set when the same fault has been repaired as often as the unit's policy allows: a new
    /// failure may be exchanged or returned.
    pub repeated_failure: Option<FaultCount>,
    pub windows: Vec<WindowOut>,
    pub cases: Vec<UnitCaseOut>,
    /// Its periodic maintenance plan, if it has one.
    pub maintenance_plan: Option<PlanOut>,
}

/// A unit's periodic maintenance plan.
#[derive(Serialize, ToSchema)]
pub struct PlanOut {
    pub every_months: u32,
    pub next_due_on: NaiveDate,
    /// The next visit goes on the desk's queue this many days before it is due.
    pub lead_days: u32,
    /// The next visit is on the queue already (a maintenance case was opened for it).
    pub queued: bool,
}

/// A plan to set: every `every_months` months from `first_due_on` (`YYYY-MM-DD`), queued
/// `lead_days` (default 14) before each visit.
#[derive(Deserialize, ToSchema)]
pub struct NewPlan {
    pub every_months: u32,
    pub first_due_on: String,
    #[serde(default)]
    pub lead_days: Option<u32>,
}

impl From<UnitView> for UnitOut {
    fn from(v: UnitView) -> Self {
        let u = v.unit;
        UnitOut {
            policy: format!("{}@{}", u.policy_name, u.policy_version),
            customer: crate::case::CaseCustomer {
                id: u.customer_id,
                name: u.customer_name,
                phone: v.phone_shown,
            },
            serial: u.serial,
            quantity: u.quantity,
            model: u.model,
            product_name: u.product_name,
            sold_on: u.sold_on,
            delivered_on: u.delivered_on,
            installed_on: u.installed_on,
            invoice_no: u.invoice_no,
            warranty_starts_on: v.warranty.starts_on,
            warranty_ends_on: v.warranty.ends_on,
            in_warranty: v.warranty.in_warranty,
            warranty_days_left: v.warranty.days_left,
            main_parts_warranty: v.main_parts.as_ref().map(|(parts, w)| MainPartsOut {
                parts: parts.clone(),
                ends_on: w.ends_on,
                in_warranty: w.in_warranty,
            }),
            maintenance_plan: v.plan.map(|(p, queued)| PlanOut {
                every_months: p.every_months,
                next_due_on: p.next_due_on,
                lead_days: p.lead_days,
                queued: queued.is_some(),
            }),
            repair_count: v.repairs,
            faults: v
                .faults
                .into_iter()
                .map(|(fault, repairs)| FaultCount { fault, repairs })
                .collect(),
            repeated_failure: v.repeated.map(|r| FaultCount {
                fault: r.fault,
                repairs: r.repairs,
            }),
            windows: v
                .windows
                .into_iter()
                .map(|w| WindowOut {
                    clock: w.clock,
                    from: w.from,
                    closes_on: w.closes_on,
                })
                .collect(),
            cases: v
                .cases
                .into_iter()
                .map(|c| UnitCaseOut {
                    number: c.number,
                    kind: c.kind.code().to_owned(),
                    state: c.state.code().to_owned(),
                    subject: c.subject,
                })
                .collect(),
        }
    }
}

/// Register a sold unit under the policy in force (or the one named), snapshotted by version.
#[utoipa::path(
    post,
    path = "/api/v1/units",
    tag = "products",
    request_body = NewUnit,
    responses(
        (status = 201, description = "Registered, with its warranty", body = UnitOut),
        (status = 400, description = "Invalid field (an unknown model names `model`)", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "The role may not register units", body = ErrorBody),
        (status = 409, description = "The serial is already registered", body = ErrorBody),
    )
)]
pub async fn register_unit(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(b): ApiJson<NewUnit>,
) -> Result<(StatusCode, Json<UnitOut>), ApiError> {
    let form = UnitForm {
        serial: b.serial,
        batch: b.batch,
        quantity: b.quantity.map(|q| q.to_string()).unwrap_or_default(),
        model: b.model,
        customer: b.customer.into(),
        sold_on: b.sold_on,
        delivered_on: b.delivered_on.unwrap_or_default(),
        installed_on: b.installed_on.unwrap_or_default(),
        invoice_no: b.invoice_no.unwrap_or_default(),
        policy: b.policy.unwrap_or_default(),
        channel: b.channel.unwrap_or_default(),
    };
    let v = state.app.products().register(&actor, &form).await?;
    Ok((StatusCode::CREATED, Json(v.into())))
}

/// A unit with its warranty state, windows, cases and repair count.
#[utoipa::path(
    get,
    path = "/api/v1/units/{serial}",
    tag = "products",
    params(("serial" = String, Path, description = "Serial or batch number")),
    responses(
        (status = 200, description = "The unit", body = UnitOut),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No unit has this serial", body = ErrorBody),
    )
)]
pub async fn get_unit(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(serial): Path<String>,
) -> Result<Json<UnitOut>, ApiError> {
    let v = state.app.products().unit(&actor, &serial).await?;
    Ok(Json(v.into()))
}

/// Put a unit on a periodic maintenance plan (replacing the plan it had): each visit becomes a
/// maintenance case on the desk's queue `lead_days` before it is due.
#[utoipa::path(
    put,
    path = "/api/v1/units/{serial}/maintenance-plan",
    tag = "products",
    params(("serial" = String, Path, description = "Serial or batch number")),
    request_body = NewPlan,
    responses(
        (status = 200, description = "The unit with its plan", body = UnitOut),
        (status = 400, description = "Invalid field (`every_months` 1–60, `first_due_on` not in the past, `lead_days` 0–60)", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "The role may not register units", body = ErrorBody),
        (status = 404, description = "No unit has this serial", body = ErrorBody),
    )
)]
pub async fn set_plan(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(serial): Path<String>,
    ApiJson(b): ApiJson<NewPlan>,
) -> Result<Json<UnitOut>, ApiError> {
    let form = sanbao_domain::maintenance::PlanForm {
        every_months: b.every_months.to_string(),
        first_due_on: b.first_due_on,
        lead_days: b.lead_days.map(|d| d.to_string()).unwrap_or_default(),
    };
    state.app.repairs().set_plan(&actor, &serial, &form).await?;
    let v = state.app.products().unit(&actor, &serial).await?;
    Ok(Json(v.into()))
}
