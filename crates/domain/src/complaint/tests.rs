//! Dated examples of the complaint clocks under the seed, across the 2026 National Day
//! holiday (10-01 to 10-07 off; Saturday 10-10 a make-up working day).

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Asia::Shanghai;

use super::*;
use crate::calendar::Calendar;
use crate::case::{ClockRecord, project_case};
use crate::deadline::Context;
use crate::hours::ServiceHours;
use crate::policy::Policy;

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn clocks(facts: &[CaseFact], now: &str) -> Vec<ClockRecord> {
    let cal = Calendar::cn_statutory();
    let hours = ServiceHours::default();
    let ctx = Context {
        calendar: &cal,
        hours: &hours,
        tz: Shanghai,
    };
    project_case(&Policy::preset("seed").unwrap(), facts, &ctx, t(now)).clocks
}

fn clock<'a>(all: &'a [ClockRecord], name: &str) -> &'a ClockRecord {
    all.iter().find(|c| c.clock == name).unwrap()
}

/// Received on Wednesday 2026-09-30 at 15:00, the day before the holiday.
fn received() -> Vec<CaseFact> {
    let at = t("2026-09-30T15:00:00+08:00");
    vec![
        CaseFact::State(State::New, at),
        CaseFact::Event("complaint_received".into(), at),
    ]
}

#[test]
fn verification_and_reply_count_working_days_across_national_day() {
    let all = clocks(&received(), "2026-10-08T09:00:00+08:00");
    // 10-08, 10-09 and the make-up Saturday 10-10: verified by 24:00 on 10-10.
    assert_eq!(clock(&all, "verification").due_date, Some(d("2026-10-10")));
    // Ten working days: 10-08 … 10-20.
    assert_eq!(clock(&all, "reply").due_date, Some(d("2026-10-20")));
    assert_eq!(clock(&all, "reply").state, ClockState::Running);
}

#[test]
fn each_step_stops_its_own_clock_and_nothing_else() {
    let mut facts = received();
    // Verified on day 2 (10-09): the verification is met, the reply still runs.
    facts.push(CaseFact::Event(
        "complaint_verified".into(),
        t("2026-10-09T11:00:00+08:00"),
    ));
    let all = clocks(&facts, "2026-10-12T09:00:00+08:00");
    assert_eq!(clock(&all, "verification").state, ClockState::Met);
    assert_eq!(clock(&all, "reply").state, ClockState::Running);
    // The first response was never given: 24 hours passed on 10-01 15:00.
    assert_eq!(clock(&all, "first_response").state, ClockState::Breached);
    // Answered on day 9 (10-19): the reply is met, nothing breaches after.
    let at = t("2026-10-19T16:00:00+08:00");
    facts.push(CaseFact::Event("complaint_replied".into(), at));
    facts.push(CaseFact::State(State::Resolved, at));
    let all = clocks(&facts, "2026-11-30T09:00:00+08:00");
    assert_eq!(clock(&all, "reply").state, ClockState::Met);
    assert_eq!(clock(&all, "verification").state, ClockState::Met);
}

#[test]
fn a_promised_schedule_is_a_clock_of_its_own_until_the_reply() {
    let mut facts = received();
    let told = t("2026-10-09T11:00:00+08:00");
    facts.push(CaseFact::Event("complaint_verified".into(), told));
    facts.push(CaseFact::Promised(d("2026-10-16"), told));
    let running = clocks(&facts, "2026-10-15T09:00:00+08:00");
    let s = clock(&running, SCHEDULE_CLOCK);
    assert_eq!(s.state, ClockState::Running);
    assert_eq!(s.due_date, Some(d("2026-10-16")));
    assert_eq!(s.due_at, Some(t("2026-10-17T00:00:00+08:00")));
    assert_eq!(s.soon_at, Some(t("2026-10-16T00:00:00+08:00")));
    assert_eq!(s.unit, Unit::Days);
    // Not answered by the promised day: breached, though the reply clock still runs.
    let late = clocks(&facts, "2026-10-17T08:00:00+08:00");
    assert_eq!(clock(&late, SCHEDULE_CLOCK).state, ClockState::Breached);
    assert_eq!(clock(&late, "reply").state, ClockState::Running);
    // Answered on 10-19: the reply in time, the schedule late.
    let at = t("2026-10-19T16:00:00+08:00");
    facts.push(CaseFact::Event("complaint_replied".into(), at));
    facts.push(CaseFact::State(State::Resolved, at));
    let done = clocks(&facts, "2026-10-20T08:00:00+08:00");
    assert_eq!(clock(&done, "reply").state, ClockState::Met);
    assert_eq!(clock(&done, SCHEDULE_CLOCK).state, ClockState::MetLate);
    // Without a promise there is no schedule clock.
    assert!(
        clocks(&received(), "2026-10-08T09:00:00+08:00")
            .iter()
            .all(|c| c.clock != SCHEDULE_CLOCK)
    );
}

#[test]
fn each_step_needs_its_own_fields_and_the_reply_follows_the_verification() {
    use crate::case::{StepFacts, StepForm};
    let form = StepForm {
        substantiated: "true".into(),
        findings: "核实为安装人员未按规范固定外机".into(),
        ..Default::default()
    };
    let verified = StepFacts::parse(crate::case::Kind::Complaint, "complaint_verified", &form);
    let Ok(StepFacts::Complaint(verified)) = verified else {
        panic!("{verified:?}")
    };
    assert_eq!(
        verified.summary(),
        "投诉属实；核实情况：核实为安装人员未按规范固定外机"
    );
    let empty = StepForm::default();
    let e = ComplaintFacts::parse(ComplaintStep::ComplaintReplied, &empty).unwrap_err();
    assert_eq!((e.field.as_ref(), e.code), ("via", "required"));
    let reply = ComplaintFacts::parse(
        ComplaintStep::ComplaintReplied,
        &StepForm {
            via: "phone".into(),
            reply: "已免费重新安装并赔偿".into(),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(check_order(&[], &reply).unwrap_err().code, "needs");
    assert!(check_order(&[verified], &reply).is_ok());
    let bad_day = StepForm {
        promised_on: "10月16日".into(),
        plan: "更换外机支架".into(),
        ..Default::default()
    };
    let e = ComplaintFacts::parse(ComplaintStep::SchedulePromised, &bad_day).unwrap_err();
    assert_eq!(e.field.as_ref(), "promised_on");
}

#[test]
fn a_schedule_is_promised_from_today_to_a_year_ahead() {
    let today = d("2026-12-07");
    let s = |on: &str| Schedule {
        promised_on: d(on),
        plan: "更换外机支架".into(),
    };
    assert!(check_schedule(&s("2026-12-07"), today).is_ok());
    assert_eq!(
        check_schedule(&s("2026-12-06"), today).unwrap_err().code,
        "past"
    );
    assert_eq!(
        check_schedule(&s("2028-01-01"), today).unwrap_err().code,
        "too_far"
    );
    // Even the calendar's last day makes no panic of the clock.
    let mut facts = received();
    facts.push(CaseFact::Promised(
        NaiveDate::MAX,
        t("2026-10-09T11:00:00+08:00"),
    ));
    let all = clocks(&facts, "2026-10-10T09:00:00+08:00");
    assert_eq!(clock(&all, SCHEDULE_CLOCK).due_date, Some(NaiveDate::MAX));
}
