//! Periodic maintenance plans (定期维护保养): a unit looked after every N months; its visit is
//! put on the desk's queue a set number of days before it is due, and the visit's report
//! (its "next due") or the plan's interval sets the one after.

use chrono::{Days, Months, NaiveDate};
use serde::Serialize;

use crate::{FieldError, FieldErrors, text};

/// The longest interval, and the furthest ahead a visit can be put on the queue.
pub const MAX_MONTHS: u32 = 60;
pub const MAX_LEAD_DAYS: u32 = 60;
/// Without a lead given, the visit is queued two weeks before it is due.
pub const DEFAULT_LEAD_DAYS: u32 = 14;

/// A plan as typed.
#[derive(Debug, Clone, Default)]
pub struct PlanForm {
    pub every_months: String,
    /// The first visit, `YYYY-MM-DD`.
    pub first_due_on: String,
    /// Empty: [`DEFAULT_LEAD_DAYS`].
    pub lead_days: String,
}

/// A checked plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub every_months: u32,
    pub next_due_on: NaiveDate,
    pub lead_days: u32,
}

fn whole(
    raw: &str,
    field: &'static str,
    range: std::ops::RangeInclusive<u32>,
) -> Result<u32, FieldError> {
    raw.trim()
        .parse::<u32>()
        .ok()
        .filter(|n| range.contains(n))
        .ok_or_else(|| {
            FieldError::new(
                field,
                "range",
                text!(
                    "plan.out_of_range",
                    min = *range.start(),
                    max = *range.end()
                ),
            )
        })
}

impl Plan {
    /// Check a plan typed on `today`: an interval of 1–60 months, a first visit not in the
    /// past, a lead of 0–60 days.
    pub fn parse(f: &PlanForm, today: NaiveDate) -> Result<Plan, FieldErrors> {
        let mut errs = FieldErrors::default();
        let every = errs.check(whole(&f.every_months, "every_months", 1..=MAX_MONTHS));
        let first = errs.check(crate::product::unit::parse_date(
            &f.first_due_on,
            "first_due_on",
        ));
        if first.is_some_and(|d| d < today) {
            errs.push(FieldError::new(
                "first_due_on",
                "past",
                text!("plan.first_in_past"),
            ));
        }
        let lead = match f.lead_days.trim() {
            "" => Some(DEFAULT_LEAD_DAYS),
            v => errs.check(whole(v, "lead_days", 0..=MAX_LEAD_DAYS)),
        };
        errs.into_result()?;
        match (every, first, lead) {
            (Some(every_months), Some(next_due_on), Some(lead_days)) => Ok(Plan {
                every_months,
                next_due_on,
                lead_days,
            }),
            _ => Err(FieldErrors::default()),
        }
    }

    /// The day the next visit goes on the desk's queue.
    pub fn opens_on(&self) -> NaiveDate {
        self.next_due_on
            .checked_sub_days(Days::new(u64::from(self.lead_days)))
            .unwrap_or(self.next_due_on)
    }

    /// The plan after a visit on `visited_on`: the next due day the report gave, else the
    /// interval from the visit (a month's last day when the month is shorter).
    #[must_use]
    pub fn after_visit(&self, visited_on: NaiveDate, report_next_due: Option<NaiveDate>) -> Plan {
        let next = report_next_due
            .filter(|d| *d > visited_on)
            .or_else(|| visited_on.checked_add_months(Months::new(self.every_months)))
            .unwrap_or(visited_on);
        Plan {
            next_due_on: next,
            ..*self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn form(every: &str, first: &str, lead: &str) -> PlanForm {
        PlanForm {
            every_months: every.into(),
            first_due_on: first.into(),
            lead_days: lead.into(),
        }
    }

    #[test]
    fn a_half_yearly_plan_queues_its_visit_two_weeks_ahead() {
        let p = Plan::parse(&form("6", "2026-12-09", ""), d("2026-12-07")).unwrap();
        assert_eq!(p.opens_on(), d("2026-11-25"));
        // The report said nothing of the next visit: six months from the visit.
        let next = p.after_visit(d("2026-12-10"), None);
        assert_eq!(next.next_due_on, d("2027-06-10"));
        // The technician's "next due" wins.
        assert_eq!(
            p.after_visit(d("2026-12-10"), Some(d("2027-05-01")))
                .next_due_on,
            d("2027-05-01")
        );
    }

    #[test]
    fn a_month_end_visit_falls_on_the_shorter_months_last_day() {
        let p = Plan::parse(&form("6", "2026-08-31", "0"), d("2026-08-01")).unwrap();
        assert_eq!(
            p.after_visit(d("2026-08-31"), None).next_due_on,
            d("2027-02-28")
        );
        assert_eq!(p.opens_on(), d("2026-08-31"));
    }

    #[test]
    fn bad_plans_name_their_fields() {
        let e = Plan::parse(&form("0", "2026-12-01", "90"), d("2026-12-07")).unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|e| e.field.as_ref()).collect();
        assert_eq!(fields, ["every_months", "first_due_on", "lead_days"]);
    }
}
