//! Reports an agent makes to the supervisor about a case (seed 2.2 and 5.1).

use chrono::{NaiveDate, NaiveTime};

use crate::user::parse_label;

crate::code_enum! {
    /// What waits on the supervisor's desk for an acknowledgement.
    ReportKind, "report_kind", "上报类型", "report kind" {
        /// A breached clock escalated by the sweeper, or an agent's exception report (seed
        /// 5.1): the case shows as 已升级 until acknowledged.
        Escalation = "escalation", "升级", "Escalation";
        /// Service given outside the service hours (seed 2.2: reported afterwards).
        ExtendedService = "extended_service", "延长服务时间", "Extended service hours";
    }
}
use crate::{FieldError, FieldErrors, text};

/// Service given outside the service hours (seed 2.2: in special cases the hours are
/// extended; the staff tell the customer beforehand and report to the supervisor afterwards).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtendedService {
    pub date: NaiveDate,
    pub start: NaiveTime,
    pub end: NaiveTime,
    /// The customer was told beforehand.
    pub customer_informed: bool,
    pub reason: String,
}

impl ExtendedService {
    /// Check a report made on `today` (company time): the service ended, lasted a positive
    /// time within one day, the customer was told beforehand, and there is a reason.
    pub fn check(&self, today: NaiveDate) -> Result<(), FieldErrors> {
        let mut errs = FieldErrors::default();
        if self.date > today {
            errs.push(FieldError::new(
                "date",
                "future",
                text!("case.extended_in_future"),
            ));
        }
        if self.end <= self.start {
            errs.push(FieldError::new(
                "end",
                "before_start",
                text!("case.extended_end_before_start"),
            ));
        }
        if !self.customer_informed {
            errs.push(FieldError::new(
                "customer_informed",
                "required",
                text!("case.extended_customer_not_told"),
            ));
        }
        let n = self.reason.trim().chars().count();
        if n == 0 {
            errs.push(FieldError::new(
                "reason",
                "required",
                text!("case.extended_reason_required"),
            ));
        } else if n > 500 {
            errs.push(FieldError::new(
                "reason",
                "too_long",
                text!("field.too_long", what = text!("label.reason"), max = 500),
            ));
        }
        errs.into_result()
    }

    /// Read a report from form or JSON fields, each bad one named.
    pub fn parse(
        date: &str,
        start: &str,
        end: &str,
        customer_informed: bool,
        reason: &str,
    ) -> Result<Self, FieldErrors> {
        let mut errs = FieldErrors::default();
        let date = errs.check(
            NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d")
                .map_err(|_| FieldError::new("date", "invalid", text!("field.date_format"))),
        );
        let time = |v: &str, field: &'static str| {
            NaiveTime::parse_from_str(v.trim(), "%H:%M")
                .map_err(|_| FieldError::new(field, "invalid", text!("field.time_format")))
        };
        let start = errs.check(time(start, "start"));
        let end = errs.check(time(end, "end"));
        match (date, start, end) {
            (Some(date), Some(start), Some(end)) => Ok(Self {
                date,
                start,
                end,
                customer_informed,
                reason: reason.to_owned(),
            }),
            _ => Err(errs),
        }
    }

    /// The minutes of service reported.
    pub fn minutes(&self) -> i64 {
        (self.end - self.start).num_minutes()
    }
}

/// An exception report's reason: what went wrong, up to 500 characters.
pub fn exception_reason(raw: &str) -> Result<String, FieldError> {
    parse_label(raw, "reason", text!("label.exception"), 500)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extended_service_needs_the_customer_told_and_a_reason() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let h = |s: &str| NaiveTime::parse_from_str(s, "%H:%M").unwrap();
        let ok = ExtendedService {
            date: d("2026-11-26"),
            start: h("17:30"),
            end: h("19:15"),
            customer_informed: true,
            reason: "更换压缩机，客户要求当天修好".into(),
        };
        assert_eq!(ok.check(d("2026-11-27")), Ok(()));
        assert_eq!(ok.minutes(), 105);
        let bad = ExtendedService {
            date: d("2026-11-28"),
            start: h("19:00"),
            end: h("18:00"),
            customer_informed: false,
            reason: " ".into(),
        };
        let fields: Vec<String> = bad
            .check(d("2026-11-27"))
            .unwrap_err()
            .0
            .iter()
            .map(|e| e.field.to_string())
            .collect();
        assert_eq!(fields, ["date", "end", "customer_informed", "reason"]);
    }
}
