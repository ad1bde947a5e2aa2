//! Sold units and their warranty (DESIGN "Eligibility windows").
//!
//! A unit is one sold item by serial number, or one batch of items with its quantity. Its
//! dates — sale, delivery, installation — are what the return windows and the warranty run
//! from; its policy snapshot (name and version) is the policy in force at the sale, which
//! later policy edits never change.

use chrono::{Months, NaiveDate};
use serde::Serialize;

use crate::customer::archive::optional_text;
use crate::customer::{CustomerForm, NewCustomer};
use crate::policy::SaleChannel;
use crate::{FieldError, FieldErrors, text};

use super::{Tracking, parse_model};

/// A unit as typed in (form, API or an import row): every field as text.
#[derive(Debug, Clone, Default)]
pub struct UnitForm {
    pub serial: String,
    pub batch: String,
    pub quantity: String,
    pub model: String,
    pub customer: CustomerForm,
    pub sold_on: String,
    pub delivered_on: String,
    pub installed_on: String,
    pub invoice_no: String,
    /// The policy by name; empty takes the one the rules choose.
    pub policy: String,
    /// How it was sold ([`SaleChannel`] code); empty is a sale in store.
    pub channel: String,
}

/// A checked unit, before its product is looked up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUnit {
    /// The serial number, or for a batch-tracked product the batch number.
    pub serial: String,
    pub quantity: u32,
    pub model: String,
    pub customer: NewCustomer,
    pub dates: SaleDates,
    pub invoice_no: String,
    pub policy: Option<String>,
    pub channel: SaleChannel,
}

/// The dates a unit's windows and warranty run from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SaleDates {
    pub sold_on: NaiveDate,
    pub delivered_on: Option<NaiveDate>,
    pub installed_on: Option<NaiveDate>,
}

impl SaleDates {
    /// The day the warranty runs from: installation, else delivery, else the sale (a product
    /// sold over the counter is delivered when bought).
    pub fn warranty_from(&self) -> NaiveDate {
        self.installed_on
            .or(self.delivered_on)
            .unwrap_or(self.sold_on)
    }

    /// The date of the policy event `event`, if it has happened: `sold` is the sale,
    /// `delivered` and `signed_for` the delivery (a sale without a delivery date was handed
    /// over at the sale), `installed` the installation.
    pub fn of_event(&self, event: &str) -> Option<NaiveDate> {
        match event {
            "sold" => Some(self.sold_on),
            "delivered" | "signed_for" => Some(self.delivered_on.unwrap_or(self.sold_on)),
            "installed" => self.installed_on,
            _ => None,
        }
    }
}

/// The longest serial or batch number.
pub const SERIAL_MAX: usize = 64;

impl NewUnit {
    /// Check every field, naming each bad one; `today` bounds the dates (nothing is sold in
    /// the future). `tracking` is the product's when it is known: a batch needs a quantity.
    pub fn parse(f: &UnitForm, today: NaiveDate) -> Result<NewUnit, FieldErrors> {
        let mut errs = FieldErrors::default();
        let by_batch = f.serial.trim().is_empty() && !f.batch.trim().is_empty();
        let serial = if by_batch {
            errs.check(parse_serial(&f.batch, "batch"))
        } else {
            errs.check(parse_serial(&f.serial, "serial"))
        };
        let quantity = errs.check(parse_quantity(&f.quantity, by_batch));
        let model = errs.check(parse_model(&f.model));
        let customer = NewCustomer::parse(&f.customer, &mut errs);
        let sold_on = errs.check(required_date(&f.sold_on, "sold_on", "label.sold_on"));
        let delivered_on = errs.check(optional_date(&f.delivered_on, "delivered_on"));
        let installed_on = errs.check(optional_date(&f.installed_on, "installed_on"));
        let invoice_no = errs.check(optional_text(
            &f.invoice_no,
            "invoice_no",
            text!("label.invoice_no"),
            40,
        ));
        let channel = match f.channel.trim() {
            "" => Some(SaleChannel::Store),
            c => errs.check(c.parse::<SaleChannel>().map_err(|e| e.on("channel"))),
        };
        let policy = match f.policy.trim() {
            "" => None,
            p => Some(p.to_owned()),
        };
        if let Some(sold) = sold_on {
            if sold > today {
                errs.push(FieldError::new(
                    "sold_on",
                    "future",
                    text!("unit.date_future"),
                ));
            }
            for (field, d) in [
                ("delivered_on", delivered_on),
                ("installed_on", installed_on),
            ] {
                if let Some(Some(d)) = d {
                    if d < sold {
                        errs.push(FieldError::new(
                            field,
                            "before_sale",
                            text!("unit.before_sale"),
                        ));
                    } else if d > today {
                        errs.push(FieldError::new(field, "future", text!("unit.date_future")));
                    }
                }
            }
            if let (Some(Some(d)), Some(Some(i))) = (delivered_on, installed_on)
                && i < d
            {
                errs.push(FieldError::new(
                    "installed_on",
                    "before_delivery",
                    text!("unit.before_delivery"),
                ));
            }
        }
        errs.into_result()?;
        // Every `None` above pushed its error.
        let (Some(customer), Some(sold_on)) = (customer, sold_on) else {
            return Err(FieldErrors::default());
        };
        Ok(NewUnit {
            serial: serial.unwrap_or_default(),
            quantity: quantity.unwrap_or(1),
            model: model.unwrap_or_default(),
            customer,
            dates: SaleDates {
                sold_on,
                delivered_on: delivered_on.flatten(),
                installed_on: installed_on.flatten(),
            },
            invoice_no: invoice_no.unwrap_or_default(),
            policy,
            channel: channel.unwrap_or(SaleChannel::Store),
        })
    }

    /// The check that needs the product: a serial-tracked product's unit is one item.
    pub fn check_product(&self, tracking: Tracking) -> Result<(), FieldError> {
        if tracking == Tracking::Serial && self.quantity != 1 {
            return Err(FieldError::new(
                "quantity",
                "serial_one",
                text!("unit.serial_one"),
            ));
        }
        Ok(())
    }
}

/// A serial or batch number: letters, digits and `-_./`, kept upper-case.
pub fn parse_serial(raw: &str, field: &'static str) -> Result<String, FieldError> {
    let s = raw.trim();
    let what = text!("label.serial");
    if s.is_empty() {
        return Err(FieldError::new(
            field,
            "required",
            text!("field.required", what = what),
        ));
    }
    if s.chars().count() > SERIAL_MAX
        || !s
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
    {
        return Err(FieldError::new(
            field,
            "invalid",
            text!("unit.serial_chars", max = SERIAL_MAX),
        ));
    }
    Ok(s.to_ascii_uppercase())
}

fn parse_quantity(raw: &str, by_batch: bool) -> Result<u32, FieldError> {
    match raw.trim() {
        "" if !by_batch => Ok(1),
        s => match s.parse::<u32>() {
            Ok(n) if (1..=1_000_000).contains(&n) => Ok(n),
            _ => Err(FieldError::new(
                "quantity",
                "range",
                text!("unit.quantity_range"),
            )),
        },
    }
}

/// A date written `YYYY-MM-DD`.
pub fn parse_date(raw: &str, field: &'static str) -> Result<NaiveDate, FieldError> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map_err(|_| FieldError::new(field, "date_format", text!("field.date_format")))
}

fn required_date(
    raw: &str,
    field: &'static str,
    what: &'static str,
) -> Result<NaiveDate, FieldError> {
    if raw.trim().is_empty() {
        return Err(FieldError::new(
            field,
            "required",
            text!("field.required", what = crate::Text::new(what)),
        ));
    }
    parse_date(raw, field)
}

fn optional_date(raw: &str, field: &'static str) -> Result<Option<NaiveDate>, FieldError> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    parse_date(raw, field).map(Some)
}

/// One repair of a unit as its warranty sees it: from the fault report to the repair's end
/// (none while it is open).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RepairSpan {
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
}

/// A unit's warranty on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Warranty {
    /// The day it runs from (the start day itself is not counted, 民法典 第二百零一条).
    pub starts_on: NaiveDate,
    /// Its last day, moved later by the days spent in repair.
    pub ends_on: NaiveDate,
    /// Days spent in repair, added to the end (三包: 修理占用时间不计入).
    pub repair_days: i64,
    pub in_warranty: bool,
    /// Days from `today` to the last day (0 on the last day, negative once it has passed).
    pub days_left: i64,
}

impl Warranty {
    /// The warranty of `months` from `from` — the sale dates' start, or the day of the last
    /// exchange, after which it runs again from the start — with the time spent in `repairs`
    /// not counted (an open repair counts up to `today`), as it stands on `today`.
    pub fn on(from: NaiveDate, months: u32, repairs: &[RepairSpan], today: NaiveDate) -> Warranty {
        let base = from
            .checked_add_months(Months::new(months))
            .unwrap_or(NaiveDate::MAX);
        let repair_days: i64 = repairs
            .iter()
            .filter(|r| r.from >= from)
            .map(|r| (r.to.unwrap_or(today) - r.from).num_days().max(0))
            .sum();
        let ends_on = base
            .checked_add_signed(chrono::Duration::days(repair_days))
            .unwrap_or(NaiveDate::MAX);
        let ends_on = if months == 0 { from } else { ends_on };
        Warranty {
            starts_on: from,
            ends_on,
            repair_days,
            in_warranty: months > 0 && today <= ends_on,
            days_left: (ends_on - today).num_days(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn form() -> UnitForm {
        UnitForm {
            serial: "sn-2026-0001".into(),
            model: "KF-35GW".into(),
            customer: CustomerForm {
                name: "李娜".into(),
                phone: "13812345678".into(),
                ..CustomerForm::default()
            },
            sold_on: "2026-02-13".into(),
            delivered_on: "2026-02-14".into(),
            ..UnitForm::default()
        }
    }

    #[test]
    fn a_unit_is_checked_and_its_serial_upper_cased() {
        let u = NewUnit::parse(&form(), d("2026-12-07")).unwrap();
        assert_eq!(u.serial, "SN-2026-0001");
        assert_eq!(u.quantity, 1);
        assert_eq!(u.dates.warranty_from(), d("2026-02-14"));
        assert_eq!(u.dates.of_event("sold"), Some(d("2026-02-13")));
    }

    #[test]
    fn dates_out_of_order_or_in_the_future_are_refused() {
        let f = UnitForm {
            delivered_on: "2026-02-12".into(),
            installed_on: "2026-12-08".into(),
            ..form()
        };
        let errs = NewUnit::parse(&f, d("2026-12-07")).unwrap_err();
        let fields: Vec<_> = errs.0.iter().map(|e| (e.field.as_ref(), e.code)).collect();
        assert_eq!(
            fields,
            [("delivered_on", "before_sale"), ("installed_on", "future")]
        );
        let f = UnitForm {
            sold_on: "2026/02/13".into(),
            ..form()
        };
        let errs = NewUnit::parse(&f, d("2026-12-07")).unwrap_err();
        assert_eq!(errs.0[0].field, "sold_on");
        let f = UnitForm {
            serial: String::new(),
            batch: "B240101".into(),
            ..form()
        };
        assert_eq!(
            NewUnit::parse(&f, d("2026-12-07")).unwrap_err().0[0].field,
            "quantity"
        );
    }

    #[test]
    fn warranty_runs_from_delivery_and_repair_time_is_not_counted() {
        // Delivered 2026-02-14, 12 months: the last day is 2027-02-14.
        let w = Warranty::on(d("2026-02-14"), 12, &[], d("2027-02-14"));
        assert_eq!(w.ends_on, d("2027-02-14"));
        assert!(w.in_warranty);
        assert_eq!(w.days_left, 0);
        assert!(!Warranty::on(d("2026-02-14"), 12, &[], d("2027-02-15")).in_warranty);
        // A repair from 2026-06-01 to 2026-06-11 adds its 10 days.
        let closed = [RepairSpan {
            from: d("2026-06-01"),
            to: Some(d("2026-06-11")),
        }];
        let w = Warranty::on(d("2026-02-14"), 12, &closed, d("2027-02-20"));
        assert_eq!((w.repair_days, w.ends_on), (10, d("2027-02-24")));
        assert!(w.in_warranty);
    }

    #[test]
    fn an_open_repair_holds_the_warranty_until_it_ends() {
        // In repair since 2027-02-01 and still open on 2027-03-01: the 28 open days are not
        // counted, so the warranty (otherwise over on 2027-02-14) still runs.
        let open = [RepairSpan {
            from: d("2027-02-01"),
            to: None,
        }];
        let w = Warranty::on(d("2026-02-14"), 12, &open, d("2027-03-01"));
        assert_eq!((w.repair_days, w.ends_on), (28, d("2027-03-14")));
        assert!(w.in_warranty);
    }

    #[test]
    fn warranty_restarts_after_an_exchange() {
        // Exchanged on 2026-11-20: the new unit's 12 months run from that day, and repairs of
        // the old one before it no longer count.
        let before = [RepairSpan {
            from: d("2026-06-01"),
            to: Some(d("2026-06-11")),
        }];
        let w = Warranty::on(d("2026-11-20"), 12, &before, d("2026-12-07"));
        assert_eq!(
            (w.starts_on, w.ends_on, w.repair_days),
            (d("2026-11-20"), d("2027-11-20"), 0)
        );
    }

    #[test]
    fn no_warranty_is_never_in_warranty() {
        let w = Warranty::on(d("2026-02-14"), 0, &[], d("2026-02-14"));
        assert!(!w.in_warranty);
    }
}
