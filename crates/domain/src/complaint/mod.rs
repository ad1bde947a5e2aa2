//! Complaints handled by the book (seed 四、投诉处理机制; 售后服务管理规定 四、六): the first
//! response that reached the customer, the initial verification with its findings, the
//! schedule told to the customer when the matter cannot be solved at once, and the reply —
//! each the step that stops its own clock, never a note on the timeline.

use chrono::{DateTime, Days, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::case::{CaseClock, CaseFact, State};
use crate::deadline::{ClockState, ClockView, Due, Unit};
use crate::{FieldError, text};

mod step;
pub use step::{
    ComplaintFacts, Contact, Reply, Schedule, Verification, Via, check_order, check_schedule,
};

crate::code_enum! {
    /// The steps of a complaint, each an event on the case's timeline.
    ComplaintStep, "step", "投诉处理步骤", "complaint step" {
        /// A contact that reached the complainant (a call with what was said, a visit …):
        /// stops the 24-hour `first_response` clock (售后服务管理规定 六.1).
        FirstResponseSent = "first_response_sent", "已首次回应", "First response given";
        /// The initial verification, substantiated or not, with its findings: stops the
        /// 3-working-day `verification` clock (四.2).
        ComplaintVerified = "complaint_verified", "已初步核实", "Complaint verified";
        /// The matter cannot be solved at once: the schedule told to the customer (四.2),
        /// a clock of its own until the reply.
        SchedulePromised = "schedule_promised", "已告知解决时间表", "Schedule told to the customer";
        /// The answer given to the customer through the service desk (四.3): stops the
        /// 10-working-day `reply` clock and resolves the case.
        ComplaintReplied = "complaint_replied", "已答复", "Complaint answered";
    }
}

/// A complaint is resolved or closed only once the customer has been answered (`recorded`:
/// the policy events on its timeline): a resolution typed on the case would stop every clock
/// without the reply the seed asks for (四.2, 四.3). Withdrawing it (cancelled) needs none.
pub fn check_settling(to: State, recorded: &[impl AsRef<str>]) -> Result<(), FieldError> {
    let replied = ComplaintStep::ComplaintReplied.code();
    if matches!(to, State::Resolved | State::Closed)
        && !recorded.iter().any(|e| e.as_ref() == replied)
    {
        return Err(FieldError::new(
            "to",
            "needs_reply",
            text!("complaint.needs_reply"),
        ));
    }
    Ok(())
}

/// The clock a promised schedule runs as.
pub const SCHEDULE_CLOCK: &str = "schedule";

/// The rule the schedule clock comes from.
pub const SCHEDULE_RULE: &str =
    "售后服务管理规定 四.2：如果不能立即解决，应告知用户解决方案的时间表。";

/// The schedule clock of a complaint whose facts hold a promise: it runs from the promise
/// to 24:00 of the promised day (due soon from its 00:00) and stops at the reply, or when the
/// case is resolved, closed or cancelled. The latest promise counts; `None` when nothing was
/// promised.
pub fn schedule_clock(facts: &[CaseFact], tz: Tz, now: DateTime<Utc>) -> Option<CaseClock> {
    let (day, start) = facts.iter().rev().find_map(|f| match f {
        CaseFact::Promised(day, at) => Some((*day, *at)),
        _ => None,
    })?;
    let local = |d: NaiveDate| {
        tz.from_local_datetime(&d.and_time(NaiveTime::MIN))
            .earliest()
            .map(|t| t.to_utc())
    };
    let due = day
        .checked_add_days(Days::new(1))
        .and_then(local)
        .unwrap_or(start);
    let stopped = facts.iter().find_map(|f| match f {
        CaseFact::Event(e, at) if e == ComplaintStep::ComplaintReplied.code() && *at >= start => {
            Some(*at)
        }
        CaseFact::State(State::Resolved | State::Closed | State::Cancelled, at) if *at >= start => {
            Some(*at)
        }
        _ => None,
    });
    let state = match stopped {
        Some(t) if t <= due => ClockState::Met,
        Some(_) => ClockState::MetLate,
        None if now > due => ClockState::Breached,
        None => ClockState::Running,
    };
    Some(CaseClock {
        clock: SCHEDULE_CLOCK.to_owned(),
        rule: SCHEDULE_RULE.to_owned(),
        // The customer was told a date: its time left is said in days.
        unit: Unit::Days,
        view: ClockView {
            state,
            due: Some(Due {
                due,
                due_date: Some(day),
                provisional_years: Vec::new(),
            }),
            started_at: Some(start),
            stopped_at: stopped,
        },
        soon_at: local(day),
    })
}

#[cfg(test)]
mod tests;
