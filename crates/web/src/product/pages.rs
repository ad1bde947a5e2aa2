//! The product pages: the catalogue with its add form, and the units page — the warranty
//! lookup (serial, invoice number or phone) and the form that registers a sold unit.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use sanbao_app::AppError;
use sanbao_app::product::UnitView;
use sanbao_domain::FieldError;
use sanbao_domain::case::Coded;
use sanbao_domain::customer::CustomerForm;
use sanbao_domain::product::unit::UnitForm;
use sanbao_domain::product::{ProductForm, Tracking, yuan};
use sanbao_domain::role::Permission;
use serde::Deserialize;

use crate::AppState;
use crate::error::PageError;
use crate::flash::{self, Flash};
use crate::form::{Errors, FormData};
use crate::layout::{Layout, Section};
use crate::page::render_status;
use crate::session::Staff;

/// One input of a form: its name (and error field), label key, value and input type.
struct Field {
    name: &'static str,
    id: String,
    key: &'static str,
    value: String,
    kind: &'static str,
}

fn field(name: &'static str, key: &'static str, value: &str, kind: &'static str) -> Field {
    Field {
        name,
        id: name.replace('.', "-"),
        key,
        value: value.to_owned(),
        kind,
    }
}

struct ProductLine {
    model: String,
    name: String,
    category: String,
    brand: String,
    warranty: String,
    tracking: &'static str,
    price: String,
    supplier_repairs: bool,
    /// The policy its sales run under, by the rules of the policies in force.
    policy: String,
}

#[derive(Template)]
#[template(path = "product/catalogue.html")]
struct CataloguePage {
    layout: Layout,
    rows: Vec<ProductLine>,
    may_add: bool,
    form: ProductForm,
    fields: Vec<Field>,
    trackings: Vec<(&'static str, &'static str)>,
    errors: Errors,
}

pub(super) async fn catalogue(State(state): State<AppState>, staff: Staff) -> Response {
    catalogue_page(&state, &staff, ProductForm::default(), Vec::new()).await
}

async fn catalogue_page(
    state: &AppState,
    staff: &Staff,
    form: ProductForm,
    errs: Vec<FieldError>,
) -> Response {
    let tr = staff.tr;
    let en = tr.is_en();
    let products = match state.app.products().list(staff.actor(), "", 500).await {
        Ok(p) => p,
        Err(e) => return PageError::new(e, tr).into_response(),
    };
    let in_force = match state.app.policies().in_force().await {
        Ok(p) => p,
        Err(e) => return PageError::new(e, tr).into_response(),
    };
    let rows = products
        .into_iter()
        .map(|p| product_line(p, &in_force, tr))
        .collect();
    let status = status_of(&errs);
    let layout = Layout::new(
        staff,
        Section::Products,
        tr.t("nav.products"),
        state.cfg.timezone,
    );
    render_status(
        status,
        &CataloguePage {
            layout,
            rows,
            may_add: staff.actor().can(Permission::ProductManage),
            fields: vec![
                field("model", "products.model", &form.model, "text"),
                field("name", "products.name", &form.name, "text"),
                field("category", "products.category", &form.category, "text"),
                field("brand", "products.brand", &form.brand, "text"),
                field(
                    "manufacturer",
                    "products.manufacturer",
                    &form.manufacturer,
                    "text",
                ),
                field(
                    "specification",
                    "products.specification",
                    &form.specification,
                    "text",
                ),
                field("price", "products.price", &form.price, "text"),
                field(
                    "warranty_months",
                    "products.warranty_months",
                    &form.warranty_months,
                    "number",
                ),
                field(
                    "main_parts",
                    "products.main_parts",
                    &form.main_parts,
                    "text",
                ),
                field(
                    "main_parts_months",
                    "products.main_parts_months",
                    &form.main_parts_months,
                    "number",
                ),
            ],
            form,
            trackings: Tracking::ALL
                .iter()
                .map(|t| (t.code(), t.label(en)))
                .collect(),
            errors: Errors::new(tr, errs),
        },
    )
}

/// A catalogue row: the warranty with its main parts', the policy its sales run under.
fn product_line(
    p: sanbao_app::product::ProductRow,
    in_force: &sanbao_app::admin::policies::InForce,
    tr: crate::i18n::Tr,
) -> ProductLine {
    let months = tr.t("products.months");
    ProductLine {
        policy: policy_of(in_force, &p.category, tr),
        warranty: match (&p.main_parts, p.main_parts_months) {
            (Some(parts), Some(m)) => {
                format!("{} {months}（{parts} {m} {months}）", p.warranty_months)
            }
            _ => format!("{} {months}", p.warranty_months),
        },
        tracking: p.tracking.label(tr.is_en()),
        price: p.price_fen.map(yuan).unwrap_or_default(),
        supplier_repairs: p.supplier_covers_repairs(),
        model: p.model,
        name: p.name,
        category: p.category,
        brand: p.brand,
    }
}

/// The policy a product's sales to individuals run under, in store and online (one title when
/// they agree): what the rules of the policies in force choose for its category.
fn policy_of(
    in_force: &sanbao_app::admin::policies::InForce,
    category: &str,
    tr: crate::i18n::Tr,
) -> String {
    use sanbao_domain::customer::CustomerKind;
    use sanbao_domain::policy::{SaleChannel, SaleFacts};
    let title = |channel| {
        let facts = SaleFacts {
            category,
            channel,
            customer: CustomerKind::Individual,
        };
        in_force.choose(&facts).policy.title.clone()
    };
    let (store, online) = (title(SaleChannel::Store), title(SaleChannel::Online));
    if store == online {
        store
    } else {
        tr.t("products.policy_by_channel")
            .replace("{store}", &store)
            .replace("{online}", &online)
    }
}

fn status_of(errs: &[FieldError]) -> StatusCode {
    if errs.is_empty() {
        StatusCode::OK
    } else if errs.iter().any(|e| e.code == "taken") {
        StatusCode::CONFLICT
    } else {
        StatusCode::BAD_REQUEST
    }
}

pub(super) async fn create(
    State(state): State<AppState>,
    staff: Staff,
    Form(f): Form<FormData>,
) -> Response {
    let form = ProductForm {
        model: f.get("model").to_owned(),
        name: f.get("name").to_owned(),
        category: f.get("category").to_owned(),
        brand: f.get("brand").to_owned(),
        manufacturer: f.get("manufacturer").to_owned(),
        specification: f.get("specification").to_owned(),
        price: f.get("price").to_owned(),
        warranty_months: f.get("warranty_months").to_owned(),
        tracking: f.get("tracking").to_owned(),
        installation_required: f.checked("installation_required"),
        supplier_repairs: f.checked("supplier_repairs"),
        main_parts: f.get("main_parts").to_owned(),
        main_parts_months: f.get("main_parts_months").to_owned(),
    };
    match state.app.products().create(staff.actor(), &form).await {
        Ok(_) => flash::redirect("/products", Flash::Saved, state.cfg.secure_cookies),
        Err(AppError::Invalid(errs)) => catalogue_page(&state, &staff, form, errs.0).await,
        Err(AppError::Duplicate(e)) => catalogue_page(&state, &staff, form, vec![e]).await,
        Err(e) => PageError::new(e, staff.tr).into_response(),
    }
}

/// A unit as the units page lists it.
struct UnitLine {
    serial: String,
    product: String,
    customer: String,
    phone: String,
    sold_on: String,
    policy: String,
    warranty_ends: String,
    /// The main parts' longer warranty in words, or empty.
    main_parts: String,
    in_warranty: bool,
    days_left: String,
    windows: Vec<String>,
    repairs: usize,
    /// "不制冷 ×2、噪音大 ×1".
    faults: String,
    /// The repeated-failure offer, if the unit's policy grants one.
    repeated: Option<String>,
    /// Its maintenance plan in words, or empty.
    plan: String,
    cases: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "product/units.html")]
struct UnitsPage {
    layout: Layout,
    q: String,
    searched: bool,
    found: Vec<UnitLine>,
    fields: Vec<Field>,
    /// The sales channels and customer kinds, with what the form holds.
    channels: Vec<(&'static str, &'static str)>,
    channel: String,
    kinds: Vec<(&'static str, &'static str)>,
    kind: String,
    may_register: bool,
    errors: Errors,
}

#[derive(Deserialize, Default)]
pub(super) struct UnitsQuery {
    q: Option<String>,
}

pub(super) async fn units(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<UnitsQuery>,
) -> Response {
    let q = q.q.unwrap_or_default();
    units_page(&state, &staff, q, UnitForm::default(), Vec::new()).await
}

async fn units_page(
    state: &AppState,
    staff: &Staff,
    q: String,
    form: UnitForm,
    errs: Vec<FieldError>,
) -> Response {
    let tr = staff.tr;
    let products = state.app.products();
    let found = if q.trim().is_empty() {
        products.recent(staff.actor(), 30).await
    } else {
        products.lookup(staff.actor(), &q).await
    };
    let found = match found {
        Ok(v) => v,
        Err(e) => return PageError::new(e, tr).into_response(),
    };
    let layout = Layout::new(
        staff,
        Section::Products,
        tr.t("products.units"),
        state.cfg.timezone,
    );
    let found = found.into_iter().map(|v| line(&layout, v)).collect();
    render_status(
        status_of(&errs),
        &UnitsPage {
            layout,
            searched: !q.trim().is_empty(),
            q,
            found,
            fields: vec![
                field("serial", "products.serial", &form.serial, "text"),
                field("model", "products.model", &form.model, "text"),
                field(
                    "customer.name",
                    "cases.customer_name",
                    &form.customer.name,
                    "text",
                ),
                field("customer.phone", "cases.phone", &form.customer.phone, "tel"),
                field("sold_on", "products.sold_on", &form.sold_on, "date"),
                field(
                    "delivered_on",
                    "products.delivered_on",
                    &form.delivered_on,
                    "date",
                ),
                field(
                    "installed_on",
                    "products.installed_on",
                    &form.installed_on,
                    "date",
                ),
                field(
                    "invoice_no",
                    "products.invoice_no",
                    &form.invoice_no,
                    "text",
                ),
            ],
            channels: crate::case::options::<sanbao_domain::policy::SaleChannel>(tr.is_en()),
            channel: form.channel.clone(),
            kinds: crate::case::options::<sanbao_domain::customer::CustomerKind>(tr.is_en()),
            kind: form.customer.kind.clone(),
            may_register: staff.actor().can(Permission::CaseWrite)
                || staff.actor().can(Permission::ProductManage),
            errors: Errors::new(tr, errs),
        },
    )
}

fn line(layout: &Layout, v: UnitView) -> UnitLine {
    let tr = layout.tr;
    let en = tr.is_en();
    let w = v.warranty;
    let days_left = if w.in_warranty {
        tr.t("products.days_left")
            .replace("{n}", &w.days_left.to_string())
    } else {
        tr.t("products.expired").to_owned()
    };
    let windows = v
        .windows
        .iter()
        .map(|win| {
            format!(
                "{}：{}",
                sanbao_domain::policy::clock_label_in(&win.clock, en),
                tr.t("products.until")
                    .replace("{date}", &win.closes_on.to_string())
            )
        })
        .collect();
    let u = v.unit;
    UnitLine {
        product: format!("{} {}", u.model, u.product_name),
        customer: u.customer_name,
        phone: v.phone_shown,
        sold_on: u.sold_on.to_string(),
        policy: v.policy_title,
        warranty_ends: w.ends_on.to_string(),
        main_parts: crate::product::main_parts_words(tr, v.main_parts.as_ref()),
        in_warranty: w.in_warranty,
        days_left,
        windows,
        repairs: v.repairs,
        faults: v
            .faults
            .iter()
            .map(|(f, n)| format!("{f} ×{n}"))
            .collect::<Vec<_>>()
            .join("、"),
        plan: v.plan.map_or_else(String::new, |(p, queued)| {
            let words = tr
                .t("products.plan_words")
                .replace("{every}", &p.every_months.to_string())
                .replace("{due}", &p.next_due_on.to_string());
            if queued.is_some() {
                format!("{words}{}", tr.t("products.plan_queued"))
            } else {
                words
            }
        }),
        repeated: v.repeated.as_ref().map(|r| {
            tr.t("unit.repeated")
                .replace("{fault}", &r.fault)
                .replace("{repairs}", &r.repairs.to_string())
                .replace("{limit}", &r.limit.to_string())
        }),
        cases: v
            .cases
            .into_iter()
            .map(|c| {
                (
                    c.number,
                    format!("{} · {}", c.kind.label(en), c.state.label(en)),
                )
            })
            .collect(),
        serial: u.serial,
    }
}

pub(super) async fn register(
    State(state): State<AppState>,
    staff: Staff,
    Form(f): Form<FormData>,
) -> Response {
    let form = UnitForm {
        serial: f.get("serial").to_owned(),
        batch: f.get("batch").to_owned(),
        quantity: f.get("quantity").to_owned(),
        model: f.get("model").to_owned(),
        customer: CustomerForm {
            name: f.get("customer.name").to_owned(),
            phone: f.get("customer.phone").to_owned(),
            kind: f.get("customer.kind").to_owned(),
            ..CustomerForm::default()
        },
        channel: f.get("channel").to_owned(),
        sold_on: f.get("sold_on").to_owned(),
        delivered_on: f.get("delivered_on").to_owned(),
        installed_on: f.get("installed_on").to_owned(),
        invoice_no: f.get("invoice_no").to_owned(),
        policy: String::new(),
    };
    match state.app.products().register(staff.actor(), &form).await {
        Ok(v) => flash::redirect(
            &format!("/products/units?q={}", v.unit.serial),
            Flash::Saved,
            state.cfg.secure_cookies,
        ),
        Err(AppError::Invalid(errs)) => {
            units_page(&state, &staff, String::new(), form, errs.0).await
        }
        Err(AppError::Duplicate(e)) => {
            units_page(&state, &staff, String::new(), form, vec![e]).await
        }
        Err(e) => PageError::new(e, staff.tr).into_response(),
    }
}

pub(super) async fn set_plan(
    State(state): State<AppState>,
    staff: Staff,
    axum::extract::Path(serial): axum::extract::Path<String>,
    Form(f): Form<FormData>,
) -> Response {
    let form = sanbao_domain::maintenance::PlanForm {
        every_months: f.get("every_months").to_owned(),
        first_due_on: f.get("first_due_on").to_owned(),
        lead_days: f.get("lead_days").to_owned(),
    };
    match state
        .app
        .repairs()
        .set_plan(staff.actor(), &serial, &form)
        .await
    {
        Ok(_) => flash::redirect(
            &format!("/products/units?q={}", serial.trim().to_ascii_uppercase()),
            Flash::Saved,
            state.cfg.secure_cookies,
        ),
        Err(AppError::Invalid(errs)) => {
            units_page(&state, &staff, serial, UnitForm::default(), errs.0).await
        }
        Err(e) => PageError::new(e, staff.tr).into_response(),
    }
}
