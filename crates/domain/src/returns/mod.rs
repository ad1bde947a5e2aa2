//! Returns and exchanges (退换货): whether a request is inside the window the unit's policy
//! gives (DESIGN "Eligibility windows").
//!
//! The window is the policy's `request_window` clock (and, where the policy has one, the
//! longer `exchange_window`), counted from the event that clock names — the seed's 购买 is
//! the sale date, 三包's 交付 the delivery — under the policy version snapshotted on the unit.

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::Serialize;

use crate::case::Refused;
use crate::deadline::{Context, due};
use crate::policy::Policy;
use crate::product::unit::SaleDates;
use crate::text;

mod step;
pub use step::{Decision, Inspection, Outcome, RefundMethod, ReturnFacts, check_order};

crate::code_enum! {
    /// The steps of a return or exchange, each an event on the case's timeline.
    ReturnStep, "step", "退换货步骤", "return step" {
        /// A supervisor's decision on the request (退换货审批).
        ReturnApproved = "return_approved", "退换货审批", "Return reviewed";
        /// The goods are back with us: starts the `processing` clock (seed 二.4).
        GoodsReceivedBack = "goods_received_back", "已收到退回商品", "Goods received back";
        /// The returned goods inspected: accepted, or refused for misuse or human damage.
        GoodsInspected = "goods_inspected", "退回商品已检验", "Goods inspected";
        /// Inspected and settled (refund or exchange): stops the `processing` clock.
        ReturnProcessed = "return_processed", "退换货处理完毕", "Return processed";
    }
}

/// The clocks that are the customer's own windows for a return or an exchange.
pub const WINDOW_CLOCKS: [&str; 2] = ["request_window", "exchange_window"];

/// One window of a unit: which clock, from which day, and its last day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Window {
    pub clock: String,
    pub from: NaiveDate,
    /// The last day requests are accepted (until 24:00).
    pub closes_on: NaiveDate,
    /// The last day rests on a calendar year not yet loaded.
    pub provisional: bool,
}

/// The return and exchange windows `policy` gives a unit sold on `dates`. A window whose
/// event has not happened (goods not yet delivered) has not started and is not listed.
pub fn windows(policy: &Policy, dates: &SaleDates, ctx: &Context<'_>) -> Vec<Window> {
    policy
        .clocks
        .iter()
        .filter(|c| WINDOW_CLOCKS.contains(&c.clock.as_str()))
        .filter_map(|c| {
            let from = dates.of_event(&c.event)?;
            let d = due(ctx, c.unit, c.n, local_noon(ctx, from));
            let closes_on = d
                .due_date
                .unwrap_or_else(|| d.due.with_timezone(&ctx.tz).date_naive());
            Some(Window {
                clock: c.clock.clone(),
                from,
                closes_on,
                provisional: !d.provisional_years.is_empty(),
            })
        })
        .collect()
}

/// Is a return or exchange requested at `at` inside a window? The windows still open then,
/// or why not: `return_window_closed`, with the day the last window closed. A policy with no
/// window, or a unit whose windows have not started, refuses nothing.
pub fn check_request(
    policy: &Policy,
    dates: &SaleDates,
    at: DateTime<Utc>,
    ctx: &Context<'_>,
) -> Result<Vec<Window>, Refused> {
    let all = windows(policy, dates, ctx);
    let day = at.with_timezone(&ctx.tz).date_naive();
    let open: Vec<Window> = all.iter().filter(|w| day <= w.closes_on).cloned().collect();
    match all.iter().map(|w| w.closes_on).max() {
        Some(last) if open.is_empty() => Err(Refused::new(
            "return_window_closed",
            text!(
                "return.window_closed",
                date = last.format("%Y-%m-%d").to_string()
            ),
        )),
        _ => Ok(open),
    }
}

/// Midday of `day` in the company's time zone: a day-unit window counts from the date alone.
fn local_noon(ctx: &Context<'_>, day: NaiveDate) -> DateTime<Utc> {
    let noon = day
        .and_hms_opt(12, 0, 0)
        .unwrap_or_else(|| day.and_time(NaiveTime::MIN));
    ctx.tz
        .from_local_datetime(&noon)
        .earliest()
        .map_or_else(|| Utc.from_utc_datetime(&noon), |t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Calendar;
    use crate::hours::ServiceHours;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn sold(on: &str) -> SaleDates {
        SaleDates {
            sold_on: d(on),
            delivered_on: None,
            installed_on: None,
        }
    }

    fn check(p: &Policy, dates: &SaleDates, t: &str) -> Result<Vec<Window>, Refused> {
        let cal = Calendar::cn_statutory();
        let hours = ServiceHours::default();
        let ctx = Context {
            calendar: &cal,
            hours: &hours,
            tz: chrono_tz::Asia::Shanghai,
        };
        check_request(p, dates, at(t), &ctx)
    }

    #[test]
    fn seed_bought_on_the_eve_of_spring_festival() {
        // Bought 2026-02-13; 3 working days: 02-14 (a make-up working Saturday), then the
        // holiday 02-15..02-23, then 02-24 and 02-25.
        let seed = Policy::preset("seed").unwrap();
        let ok = check(&seed, &sold("2026-02-13"), "2026-02-25T23:30:00+08:00").unwrap();
        assert_eq!(ok[0].closes_on, d("2026-02-25"));
        let no = check(&seed, &sold("2026-02-13"), "2026-02-26T00:10:00+08:00").unwrap_err();
        assert_eq!(no.code, "return_window_closed");
        assert_eq!(no.message.to_string(), "退换货申请期限已于2026-02-25届满");
    }

    #[test]
    fn a_policy_edit_leaves_an_old_units_window_alone() {
        // The unit keeps the version in force at its sale: a later version with a 7-day
        // window does not reopen it.
        let old = Policy::preset("seed").unwrap();
        let mut edited = old.clone();
        edited
            .clocks
            .iter_mut()
            .find(|c| c.clock == "request_window")
            .unwrap()
            .n = 7;
        let t = "2026-02-26T10:00:00+08:00";
        assert!(check(&old, &sold("2026-02-13"), t).is_err());
        assert!(check(&edited, &sold("2026-02-13"), t).is_ok());
    }

    #[test]
    fn sanbao_counts_calendar_days_from_delivery_and_keeps_the_exchange_window() {
        let sanbao = Policy::preset("cn-sanbao").unwrap();
        let dates = SaleDates {
            sold_on: d("2026-09-20"),
            delivered_on: Some(d("2026-09-24")),
            installed_on: None,
        };
        // 7 days from 09-24 end on 10-01, a holiday: the last day moves to 10-08.
        let all = check(&sanbao, &dates, "2026-10-08T12:00:00+08:00").unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].closes_on, d("2026-10-08"));
        // On 10-09 only the 15-day exchange window (to 10-09) is open; on 10-10 none.
        let late = check(&sanbao, &dates, "2026-10-09T12:00:00+08:00").unwrap();
        assert_eq!(
            late.iter().map(|w| w.clock.as_str()).collect::<Vec<_>>(),
            ["exchange_window"]
        );
        let no = check(&sanbao, &dates, "2026-10-10T12:00:00+08:00").unwrap_err();
        assert!(no.message.to_string().contains("2026-10-09"));
    }
}
