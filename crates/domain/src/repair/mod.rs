//! Repairs (维修): the steps a repair case records and the rules that turn a repair into an
//! exchange or a return.

use chrono::NaiveDate;

use crate::product::unit::Warranty;
use crate::{FieldError, code_enum, text};

pub mod claim;
mod step;
pub use claim::{ClaimForm, ClaimState, ClaimUpdate};
pub use step::{
    Dispatch, Quote, Remedy, RepairFacts, RepairReport, check_order, check_quote, dispatch_summary,
    parse_dispatch, parse_slot,
};

code_enum! {
    /// The steps of a repair, each an event on the case's timeline (the policy's clocks
    /// start and stop at them).
    RepairStep, "step", "维修步骤", "repair step" {
        /// A technician and an appointment: stops the `dispatch` clock (seed 三.3).
        TechnicianDispatched = "technician_dispatched", "已派工", "Technician dispatched";
        Arrived = "arrived", "已到达现场", "Arrived on site";
        /// The repair report: cause, process, result (seed 4.1.4).
        RepairCompleted = "repair_completed", "维修完成", "Repair completed";
        Unrepairable = "unrepairable", "无法修复", "Cannot be repaired";
        /// Out of warranty: what the repair will cost, before any work (收费维修先报价).
        QuoteIssued = "quote_issued", "已报价", "Quote given";
        /// The customer accepts or declines the quote.
        QuoteAnswered = "quote_answered", "客户答复报价", "Quote answered";
    }
}

/// The longest fault name.
pub const FAULT_MAX_CHARS: usize = 40;

/// A fault as the repair report names it: trimmed, inner spaces made one, required and short
/// (the same words each time, so that repairs of the same fault can be counted).
pub fn parse_fault(raw: &str) -> Result<String, FieldError> {
    let fault = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if fault.is_empty() {
        return Err(FieldError::new(
            "fault",
            "required",
            text!("field.required", what = crate::Text::new("repair.fault")),
        ));
    }
    if fault.chars().count() > FAULT_MAX_CHARS {
        return Err(FieldError::new(
            "fault",
            "too_long",
            text!(
                "field.too_long",
                what = crate::Text::new("repair.fault"),
                max = FAULT_MAX_CHARS
            ),
        ));
    }
    Ok(fault)
}

/// One completed repair of a unit: the fault it fixed and the day it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PastRepair {
    pub fault: String,
    pub completed_on: NaiveDate,
}

/// A fault repaired often enough that the unit may now be exchanged or returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepeatedFailure {
    pub fault: String,
    pub repairs: u32,
    pub limit: u32,
}

/// The repeated-failure rule (三包 第十三条: 在三包有效期内，修理两次，仍不能正常使用的，
/// 可换货或退货): a unit still in warranty whose fault has been repaired `limit` times inside
/// the warranty gets the choice of an exchange or a return when it fails again. Repairs
/// after the warranty ended do not count; the fault with the most repairs is named.
pub fn repeated_failure(
    past: &[PastRepair],
    warranty: &Warranty,
    limit: Option<u32>,
) -> Option<RepeatedFailure> {
    let limit = limit.filter(|l| *l > 0)?;
    if !warranty.in_warranty {
        return None;
    }
    let mut counts: Vec<(&str, u32)> = Vec::new();
    for r in past
        .iter()
        .filter(|r| r.completed_on >= warranty.starts_on && r.completed_on <= warranty.ends_on)
    {
        match counts.iter_mut().find(|(f, _)| *f == r.fault) {
            Some((_, n)) => *n += 1,
            None => counts.push((&r.fault, 1)),
        }
    }
    counts
        .into_iter()
        .filter(|(_, n)| *n >= limit)
        .max_by_key(|(_, n)| *n)
        .map(|(fault, repairs)| RepeatedFailure {
            fault: fault.to_owned(),
            repairs,
            limit,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::product::unit::RepairSpan;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn repair(fault: &str, on: &str) -> PastRepair {
        PastRepair {
            fault: fault.into(),
            completed_on: d(on),
        }
    }

    /// A unit delivered 2026-03-02 with a 12-month warranty, looked at on `today`.
    fn warranty(today: &str) -> Warranty {
        Warranty::on(d("2026-03-02"), 12, &[] as &[RepairSpan], d(today))
    }

    #[test]
    fn the_third_failure_of_a_fault_repaired_twice_offers_an_exchange_or_a_return() {
        let past = [
            repair("不制冷", "2026-05-10"),
            repair("噪音大", "2026-06-01"),
            repair("不制冷", "2026-08-20"),
        ];
        let w = warranty("2026-10-12");
        assert_eq!(
            repeated_failure(&past, &w, Some(2)),
            Some(RepeatedFailure {
                fault: "不制冷".into(),
                repairs: 2,
                limit: 2
            })
        );
        // One repair of it is not yet enough; the seed's own rules have no such clause.
        assert_eq!(repeated_failure(&past[..2], &w, Some(2)), None);
        assert_eq!(repeated_failure(&past, &w, None), None);
    }

    #[test]
    fn different_faults_and_repairs_outside_the_warranty_do_not_add_up() {
        let past = [
            repair("不制冷", "2026-05-10"),
            repair("噪音大", "2026-06-01"),
        ];
        assert_eq!(
            repeated_failure(&past, &warranty("2026-10-12"), Some(2)),
            None
        );
        // Out of warranty (ended 2027-03-02): no 三包 remedy at all.
        let twice = [
            repair("不制冷", "2026-05-10"),
            repair("不制冷", "2026-08-20"),
        ];
        assert_eq!(
            repeated_failure(&twice, &warranty("2027-03-03"), Some(2)),
            None
        );
    }

    #[test]
    fn a_fault_is_named_the_same_way_each_time() {
        assert_eq!(parse_fault("  不 制冷 ").unwrap(), "不 制冷");
        assert_eq!(parse_fault(" ").unwrap_err().field, "fault");
        assert_eq!(parse_fault(&"长".repeat(41)).unwrap_err().code, "too_long");
    }
}
