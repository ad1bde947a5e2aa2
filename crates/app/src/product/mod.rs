//! Products and sold units: the catalogue, registering a unit under the policy in force, and
//! the warranty lookup (by serial, invoice number or the customer's phone).

use chrono::NaiveDate;
use sanbao_domain::audit::{Action, RecordType};
use sanbao_domain::case::StepFacts;
use sanbao_domain::contact::Phone;
use sanbao_domain::deadline::Context;
use sanbao_domain::policy::Policy;
use sanbao_domain::product::unit::{NewUnit, RepairSpan, SaleDates, UnitForm, Warranty};
use sanbao_domain::product::{Product, ProductForm};
use sanbao_domain::repair::{self, PastRepair, RepairFacts};
use sanbao_domain::returns::{self, Window};
use sanbao_domain::role::Permission;
use sanbao_domain::{FieldError, case::Kind, case::State, text};
use sanbao_store::StoreError;
use sanbao_store::case::CustomerWrite;
use sanbao_store::product as repo;
pub use sanbao_store::product::ProductRow;
use sanbao_store::product::unit::{self as units, UnitWrite};
pub use sanbao_store::product::unit::{UnitCase, UnitRow};
use serde_json::json;

use crate::{Actor, AppError, Result, audit};

mod exchange;
mod import;
pub use import::Imported;

crate::facade!(
    /// Products and sold units.
    Products,
    products
);

/// A unit with what its warranty and windows are on a day.
#[derive(Debug, Clone)]
pub struct UnitView {
    pub unit: UnitRow,
    pub warranty: Warranty,
    /// The main parts with a longer warranty, and that warranty.
    pub main_parts: Option<(String, Warranty)>,
    /// The policy in force at the sale, by its title.
    pub policy_title: String,
    /// The return and exchange windows of that policy, with their last days.
    pub windows: Vec<Window>,
    /// The cases about the unit, oldest first.
    pub cases: Vec<UnitCase>,
    /// How many repairs of it were completed.
    pub repairs: usize,
    /// Completed repairs by fault, `(fault, times)`, most repaired first.
    pub faults: Vec<(String, u32)>,
    /// A fault repaired often enough under its policy that a new failure may be exchanged or
    /// returned.
    pub repeated: Option<sanbao_domain::repair::RepeatedFailure>,
    /// The customer's phone, masked (the card's audited reveal shows it whole).
    pub phone_shown: String,
    /// Its periodic maintenance plan, with the case its next visit became once queued.
    pub plan: Option<(sanbao_domain::maintenance::Plan, Option<i64>)>,
}

/// Who reads the catalogue and units: service staff, product and quality managers, sales.
const READERS: [Permission; 4] = [
    Permission::CaseRead,
    Permission::ProductManage,
    Permission::QualityManage,
    Permission::SalesWork,
];

fn require_reader(actor: &Actor) -> Result<()> {
    if READERS.iter().any(|p| actor.can(*p)) {
        Ok(())
    } else {
        Err(AppError::Forbidden(Permission::CaseRead))
    }
}

/// Who registers sold units (by hand or by import): service staff, product managers, sales.
pub fn require_unit_writer(actor: &Actor) -> Result<()> {
    if actor.can(Permission::ProductManage) || actor.can(Permission::SalesWork) {
        return Ok(());
    }
    actor.require(Permission::CaseWrite)
}

impl Products<'_> {
    /// Add a product to the catalogue.
    pub async fn create(&self, actor: &Actor, form: &ProductForm) -> Result<ProductRow> {
        actor.require(Permission::ProductManage)?;
        let p = Product::parse(form)?;
        let now = sanbao_domain::time::now();
        let mut tx = self.app.store.begin().await?;
        match repo::insert(&mut tx, &p, actor.id(), now).await {
            Ok(_) => {}
            Err(StoreError::Unique) => return Err(AppError::Duplicate(model_taken(&p.model))),
            Err(e) => return Err(e.into()),
        }
        let changes = json!({"name": p.name, "warranty_months": p.warranty_months, "tracking": p.tracking.code()});
        audit::record(
            &mut tx,
            actor,
            Action::ProductCreate,
            RecordType::Product,
            &p.model,
            changes,
        )
        .await?;
        tx.commit().await?;
        repo::by_model(&self.app.store, &p.model)
            .await?
            .ok_or(AppError::NotFound("product"))
    }

    /// The catalogue by model, a page after `after`.
    pub async fn list(&self, actor: &Actor, after: &str, limit: i64) -> Result<Vec<ProductRow>> {
        require_reader(actor)?;
        Ok(repo::page(&self.app.store, after, limit).await?)
    }

    /// The newest units, with their warranty today.
    pub async fn recent(&self, actor: &Actor, limit: i64) -> Result<Vec<UnitView>> {
        require_reader(actor)?;
        let rows = units::page(&self.app.store, None, limit).await?;
        self.views(rows).await
    }

    /// Register a sold unit: its customer found by phone or created, its policy the one named
    /// or the one in force, snapshotted by version.
    pub async fn register(&self, actor: &Actor, form: &UnitForm) -> Result<UnitView> {
        require_unit_writer(actor)?;
        let now = sanbao_domain::time::now();
        let today = now.with_timezone(&self.app.config.timezone).date_naive();
        let u = NewUnit::parse(form, today)?;
        let product = repo::by_model(&self.app.store, &u.model)
            .await?
            .ok_or_else(|| {
                FieldError::new(
                    "model",
                    "unknown",
                    text!("product.model_unknown", model = u.model.clone()),
                )
            })?;
        u.check_product(product.tracking)?;
        let (policy, version) = match &u.policy {
            Some(name) => self.app.policies().latest(name).await.map_err(|_| {
                AppError::from(FieldError::new(
                    "policy",
                    "unknown",
                    text!("unit.policy_unknown", name = name.clone()),
                ))
            })?,
            None => {
                let facts = sale_facts(&u, &product.category);
                self.app.policies().for_sale(&facts).await?
            }
        };
        let write = unit_write(&u, product.id, (&policy.name, version), actor.id(), now);
        let mut tx = self.app.store.begin().await?;
        let done = match units::insert(&mut tx, &write).await {
            Ok(r) => r,
            // A failed statement ends a PostgreSQL transaction: ask outside it which value
            // was taken (the serial, or the phone a racing write gave another customer).
            Err(StoreError::Unique) => {
                drop(tx);
                if units::by_serial(&self.app.store, &u.serial)
                    .await?
                    .is_some()
                {
                    return Err(AppError::Duplicate(FieldError::new(
                        "serial",
                        "taken",
                        text!("unit.serial_taken", serial = u.serial.clone()),
                    )));
                }
                return Err(AppError::Stale);
            }
            Err(e) => return Err(e.into()),
        };
        let changes = json!({"model": product.model, "customer_id": done.customer_id, "new_customer": done.customer_created, "policy": format!("{}@{version}", policy.name), "channel": u.channel, "sold_on": u.dates.sold_on});
        audit::record(
            &mut tx,
            actor,
            Action::UnitRegister,
            RecordType::Unit,
            &u.serial,
            changes,
        )
        .await?;
        tx.commit().await?;
        self.unit(actor, &u.serial).await
    }

    /// The unit with `serial`, with its warranty today.
    pub async fn unit(&self, actor: &Actor, serial: &str) -> Result<UnitView> {
        require_reader(actor)?;
        let serial = serial.trim().to_ascii_uppercase();
        let row = units::by_serial(&self.app.store, &serial)
            .await?
            .ok_or(AppError::NotFound("unit"))?;
        let mut v = self.views(vec![row]).await?;
        v.pop().ok_or(AppError::NotFound("unit"))
    }

    /// Units found by a serial, an invoice number or the customer's phone.
    pub async fn lookup(&self, actor: &Actor, q: &str) -> Result<Vec<UnitView>> {
        require_reader(actor)?;
        let q = q.trim();
        if q.is_empty() {
            return Ok(Vec::new());
        }
        let store = &self.app.store;
        let mut rows = Vec::new();
        if let Some(r) = units::by_serial(store, &q.to_ascii_uppercase()).await? {
            rows.push(r);
        }
        if rows.is_empty() {
            rows = units::by_invoice(store, q, 20).await?;
        }
        if rows.is_empty()
            && let Ok(phone) = Phone::parse(q)
        {
            rows = units::by_phone(store, phone.as_str(), 20).await?;
        }
        self.views(rows).await
    }

    /// The units with their warranty today: the calendar read once, every unit's cases in
    /// one query, each policy version from the policies' cache.
    async fn views(&self, rows: Vec<UnitRow>) -> Result<Vec<UnitView>> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let tz = self.app.config.timezone;
        let today = sanbao_domain::time::now().with_timezone(&tz).date_naive();
        let ids: Vec<i64> = rows.iter().map(|u| u.id).collect();
        let calendar = self.app.calendar();
        let (mut cases, calendar) = tokio::try_join!(
            async { Ok(units::cases_of(&self.app.store, &ids).await?) },
            calendar.current(),
        )?;
        let hours = sanbao_domain::hours::ServiceHours::default();
        let ctx = Context {
            calendar: &calendar,
            hours: &hours,
            tz,
        };
        let past = self.past_repairs(&cases, tz).await?;
        let plans = sanbao_store::maintenance::of_units(&self.app.store, &ids).await?;
        let mut out = Vec::with_capacity(rows.len());
        for unit in rows {
            let policy = self
                .app
                .policies()
                .version(&unit.policy_name, unit.policy_version)
                .await?;
            let mine: Vec<UnitCase> = cases
                .extract_if(.., |(id, _)| *id == unit.id)
                .map(|(_, c)| c)
                .collect();
            let repaired: Vec<PastRepair> = mine
                .iter()
                .filter_map(|c| past.iter().find(|(id, _)| *id == c.id).map(|p| p.1.clone()))
                .collect();
            let plan = plans
                .iter()
                .find(|p| p.unit_id == unit.id)
                .map(|p| (p.plan(), p.booked_case_id));
            let mut v = view(unit, &policy, mine, &repaired, &ctx, today);
            v.plan = plan;
            out.push(v);
        }
        Ok(out)
    }

    /// The completed repairs among `cases`, `(case id, repair)`: the fault each report named
    /// and the day it was resolved, in one query.
    async fn past_repairs(
        &self,
        cases: &[(i64, UnitCase)],
        tz: chrono_tz::Tz,
    ) -> Result<Vec<(i64, PastRepair)>> {
        let done: Vec<&UnitCase> = cases
            .iter()
            .map(|(_, c)| c)
            .filter(|c| c.kind == Kind::Repair && c.resolved_at.is_some())
            .collect();
        let ids: Vec<i64> = done.iter().map(|c| c.id).collect();
        let steps = sanbao_store::case::row::steps_of(&self.app.store, &ids).await?;
        let mut out = Vec::new();
        for (case_id, data) in steps {
            let Ok(StepFacts::Repair(RepairFacts::RepairCompleted(r))) =
                serde_json::from_str(&data)
            else {
                continue;
            };
            let Some(c) = done.iter().find(|c| c.id == case_id) else {
                continue;
            };
            if let Some(at) = c.resolved_at
                && !r.fault.is_empty()
            {
                out.push((
                    case_id,
                    PastRepair {
                        fault: r.fault,
                        completed_on: at.with_timezone(&tz).date_naive(),
                    },
                ));
            }
        }
        Ok(out)
    }

    /// One unit with its warranty, repairs and windows today.
    pub(crate) async fn view_of(&self, row: UnitRow) -> Result<UnitView> {
        self.views(vec![row])
            .await?
            .pop()
            .ok_or(AppError::NotFound("unit"))
    }

    /// The unit case `case_id` is about, with its warranty today (no permission check: the
    /// caller has shown the case).
    pub(crate) async fn of_case(&self, case_id: i64) -> Result<Option<UnitView>> {
        let Some(row) = units::of_case(&self.app.store, case_id).await? else {
            return Ok(None);
        };
        Ok(self.views(vec![row]).await?.pop())
    }

    /// The unit a return or repair names, with the policy version snapshotted on it.
    pub(crate) async fn for_case(&self, serial: &str) -> Result<(UnitRow, Policy, i32)> {
        let serial = serial.trim().to_ascii_uppercase();
        let unit = units::by_serial(&self.app.store, &serial)
            .await?
            .ok_or_else(|| {
                FieldError::new(
                    "unit.serial",
                    "unknown",
                    text!("unit.unknown", serial = serial.clone()),
                )
            })?;
        let policy = self
            .app
            .policies()
            .version(&unit.policy_name, unit.policy_version)
            .await?;
        let version = unit.policy_version;
        Ok((unit, policy, version))
    }

    /// How many products the catalogue holds.
    pub async fn count(&self) -> Result<i64> {
        Ok(repo::count(&self.app.store).await?)
    }
}

/// What decides the policy a unit is sold under.
pub(super) fn sale_facts<'a>(
    u: &NewUnit,
    category: &'a str,
) -> sanbao_domain::policy::SaleFacts<'a> {
    sanbao_domain::policy::SaleFacts {
        category,
        channel: u.channel,
        customer: u.customer.kind,
    }
}

/// The unit as written: its product, the policy version in force, who and when.
pub(super) fn unit_write(
    u: &NewUnit,
    product_id: i64,
    policy: (&str, i32),
    created_by: Option<i64>,
    now: chrono::DateTime<chrono::Utc>,
) -> UnitWrite {
    UnitWrite {
        serial: u.serial.clone(),
        quantity: u.quantity,
        product_id,
        customer: CustomerWrite {
            kind: u.customer.kind,
            name: u.customer.name.clone(),
            phone: u.customer.phone.as_str().to_owned(),
            address: u.customer.address.clone(),
            credit_code: u
                .customer
                .credit_code
                .as_ref()
                .map(|c| c.as_str().to_owned()),
            contact_name: u.customer.contact_name().to_owned(),
            created_at: now,
        },
        sold_on: u.dates.sold_on,
        delivered_on: u.dates.delivered_on,
        installed_on: u.dates.installed_on,
        invoice_no: u.invoice_no.clone(),
        policy_name: policy.0.to_owned(),
        policy_version: policy.1,
        replaces_id: None,
        created_at: now,
        created_by,
        channel: Some(u.channel),
    }
}

/// A unit with what its policy, cases and the calendar make of it on `today`.
fn view(
    unit: UnitRow,
    policy: &Policy,
    cases: Vec<UnitCase>,
    repaired: &[PastRepair],
    ctx: &Context<'_>,
    today: NaiveDate,
) -> UnitView {
    let dates = dates_of(&unit);
    let spans = repair_spans(&cases, ctx.tz);
    let months = u32::try_from(unit.warranty_months).unwrap_or(0);
    let warranty = Warranty::on(dates.warranty_from(), months, &spans, today);
    // The main parts' longer warranty runs from the same day, with the same repairs added.
    let main_parts = unit
        .main_parts
        .clone()
        .zip(unit.main_parts_months)
        .map(|(parts, m)| {
            let m = u32::try_from(m).unwrap_or(0);
            (parts, Warranty::on(dates.warranty_from(), m, &spans, today))
        });
    let repairs = cases
        .iter()
        .filter(|c| c.kind == Kind::Repair && matches!(c.state, State::Resolved | State::Closed))
        .count();
    let mut faults: Vec<(String, u32)> = Vec::new();
    for r in repaired {
        match faults.iter_mut().find(|(f, _)| *f == r.fault) {
            Some((_, n)) => *n += 1,
            None => faults.push((r.fault.clone(), 1)),
        }
    }
    faults.sort_by_key(|f| std::cmp::Reverse(f.1));
    UnitView {
        repeated: repair::repeated_failure(repaired, &warranty, policy.exchange_after_repairs),
        faults,
        policy_title: policy.title.clone(),
        windows: returns::windows(policy, &dates, ctx),
        warranty,
        main_parts,
        cases,
        repairs,
        // Masked for everyone, as on the customer's card: the whole number is an audited
        // reveal there.
        phone_shown: crate::case::masked_phone(&unit.customer_phone),
        plan: None,
        unit,
    }
}

/// The sale dates of a unit as stored.
pub(crate) fn dates_of(u: &UnitRow) -> SaleDates {
    SaleDates {
        sold_on: u.sold_on,
        delivered_on: u.delivered_on,
        installed_on: u.installed_on,
    }
}

/// The repair cases of a unit as warranty time not counted: from the report to resolution.
fn repair_spans(cases: &[UnitCase], tz: chrono_tz::Tz) -> Vec<RepairSpan> {
    let day = |t: chrono::DateTime<chrono::Utc>| -> NaiveDate { t.with_timezone(&tz).date_naive() };
    cases
        .iter()
        .filter(|c| c.kind == Kind::Repair && c.state != State::Cancelled)
        .map(|c| RepairSpan {
            from: day(c.received_at),
            to: c.resolved_at.map(day),
        })
        .collect()
}

pub(super) fn model_taken(model: &str) -> FieldError {
    FieldError::new(
        "model",
        "taken",
        text!("product.model_taken", model = model.to_owned()),
    )
}
