use chrono_tz::Asia::Shanghai;
use proptest::prelude::*;

use super::*;
use crate::hours::Preset;

fn cal() -> &'static Calendar {
    static CAL: std::sync::OnceLock<Calendar> = std::sync::OnceLock::new();
    CAL.get_or_init(Calendar::cn_statutory)
}

fn ctx(hours: &ServiceHours) -> Context<'_> {
    Context {
        calendar: cal(),
        hours,
        tz: Shanghai,
    }
}

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn bj(d: &DateTime<Utc>) -> String {
    d.with_timezone(&Shanghai).to_rfc3339()
}

#[test]
fn design_complaint_example() {
    let h = ServiceHours::default();
    let c = ctx(&h);
    let at = t("2026-09-30T18:00:00+08:00");
    assert_eq!(
        bj(&due(&c, Unit::Hours, 24, at).due),
        "2026-10-01T18:00:00+08:00"
    );
    let v = due(&c, Unit::WorkingDays, 3, at);
    assert_eq!(v.due_date.unwrap().to_string(), "2026-10-10");
    assert_eq!(bj(&v.due), "2026-10-11T00:00:00+08:00");
    let r = due(&c, Unit::WorkingDays, 10, at);
    assert_eq!(r.due_date.unwrap().to_string(), "2026-10-20");
    assert_eq!(bj(&r.due), "2026-10-21T00:00:00+08:00");
}

#[test]
fn design_return_window_example() {
    let h = ServiceHours::default();
    let v = due(
        &ctx(&h),
        Unit::WorkingDays,
        3,
        t("2026-02-13T10:00:00+08:00"),
    );
    assert_eq!(v.due_date.unwrap().to_string(), "2026-02-25");
}

#[test]
fn civil_code_203_last_day_on_a_holiday_moves() {
    // days(7) from 2026-09-26 ends on 2026-10-03, a holiday: the last day becomes 2026-10-08.
    let h = ServiceHours::default();
    let v = due(&ctx(&h), Unit::Days, 7, t("2026-09-26T09:00:00+08:00"));
    assert_eq!(v.due_date.unwrap().to_string(), "2026-10-08");
    assert_eq!(bj(&v.due), "2026-10-09T00:00:00+08:00");
}

#[test]
fn a_case_opened_on_a_holiday() {
    // Received on National Day itself: the day is not counted; 10-08, 10-09, 10-10.
    let h = ServiceHours::default();
    let v = due(
        &ctx(&h),
        Unit::WorkingDays,
        3,
        t("2026-10-03T11:00:00+08:00"),
    );
    assert_eq!(v.due_date.unwrap().to_string(), "2026-10-10");
}

#[test]
fn first_response_across_a_naive_server_clock() {
    // 23:30 in Beijing is 15:30 UTC the same day; 24 h later is 23:30 Beijing next day,
    // whatever the server's own zone.
    let h = ServiceHours::default();
    let v = due(&ctx(&h), Unit::Hours, 24, t("2026-09-30T15:30:00Z"));
    assert_eq!(bj(&v.due), "2026-10-01T23:30:00+08:00");
    // A day unit uses the company's date (10-01 in Beijing, still 09-30 in UTC).
    let d = due(&ctx(&h), Unit::WorkingDays, 1, t("2026-09-30T16:30:00Z"));
    assert_eq!(d.due_date.unwrap().to_string(), "2026-10-08");
}

#[test]
fn a_year_without_a_schedule_is_flagged() {
    let h = ServiceHours::default();
    let v = due(
        &ctx(&h),
        Unit::WorkingDays,
        10,
        t("2026-12-25T10:00:00+08:00"),
    );
    assert_eq!(v.provisional_years, [2027]);
    // A business-hours deadline in late December waits for the next notice too, as a
    // working-days one does (a make-up day for 元旦 may fall there).
    let h = Preset::WeekdaysNineToFive.hours();
    let v = due(
        &ctx(&h),
        Unit::BusinessHours,
        8,
        t("2026-12-28T09:00:00+08:00"),
    );
    assert_eq!(bj(&v.due), "2026-12-28T17:00:00+08:00");
    assert_eq!(v.provisional_years, [2027]);
    let v = due(
        &ctx(&h),
        Unit::BusinessHours,
        8,
        t("2026-12-21T09:00:00+08:00"),
    );
    assert!(v.provisional_years.is_empty());
}

#[test]
fn business_hours_skip_nights_weekends_and_holidays() {
    let h = Preset::WeekdaysNineToFive.hours();
    let c = ctx(&h);
    // Wednesday 2026-09-30 16:00 + 4 service hours: 1 h that day, then National Day, then
    // 10-08 09:00 + 3 h = 12:00.
    let v = due(&c, Unit::BusinessHours, 4, t("2026-09-30T16:00:00+08:00"));
    assert_eq!(bj(&v.due), "2026-10-08T12:00:00+08:00");
    // Exactly filling a day ends at the close, not the next opening.
    let v = due(&c, Unit::BusinessHours, 8, t("2026-10-08T09:00:00+08:00"));
    assert_eq!(bj(&v.due), "2026-10-08T17:00:00+08:00");
    // Before opening counts from the opening.
    let v = due(&c, Unit::BusinessHours, 1, t("2026-10-08T06:00:00+08:00"));
    assert_eq!(bj(&v.due), "2026-10-08T10:00:00+08:00");
    // The make-up Saturday 10-10 is worked on Monday's hours.
    let v = due(&c, Unit::BusinessHours, 10, t("2026-10-09T15:00:00+08:00"));
    // 2 h on Friday, 8 h on the make-up Saturday.
    assert_eq!(bj(&v.due), "2026-10-10T17:00:00+08:00");
}

#[test]
fn pausing_adds_the_paused_time() {
    let h = ServiceHours::default();
    let c = ctx(&h);
    let start = t("2026-09-01T10:00:00+08:00");
    let now = t("2026-09-20T10:00:00+08:00");
    // hours(24): paused 5 h → due 5 h later.
    let ev = [
        ClockEvent::Start(start),
        ClockEvent::Pause(t("2026-09-01T12:00:00+08:00")),
        ClockEvent::Resume(t("2026-09-01T17:00:00+08:00")),
    ];
    let v = project(&c, Unit::Hours, 24, &ev, t("2026-09-01T18:00:00+08:00"));
    assert_eq!(v.state, ClockState::Running);
    assert_eq!(bj(&v.due.unwrap().due), "2026-09-02T15:00:00+08:00");
    // working_days(3) from Tue 09-01: 09-02, 09-03, 09-04. Paused Wed 09-02 10:00 → Fri
    // 09-04 10:00: working days 09-02 and 09-03 are added → 09-08.
    let ev = [
        ClockEvent::Start(start),
        ClockEvent::Pause(t("2026-09-02T10:00:00+08:00")),
        ClockEvent::Resume(t("2026-09-04T10:00:00+08:00")),
    ];
    let v = project(
        &c,
        Unit::WorkingDays,
        3,
        &ev,
        t("2026-09-04T11:00:00+08:00"),
    );
    assert_eq!(v.due.unwrap().due_date.unwrap().to_string(), "2026-09-08");
    // Resolved from a paused state: the stop ends the pause.
    let ev = [
        ClockEvent::Start(start),
        ClockEvent::Pause(t("2026-09-02T10:00:00+08:00")),
        ClockEvent::Stop(t("2026-09-07T10:00:00+08:00")),
    ];
    let v = project(&c, Unit::WorkingDays, 3, &ev, now);
    assert_eq!(v.state, ClockState::Met);
    // Still paused: shown paused, counting the pause up to now.
    let ev = [
        ClockEvent::Start(start),
        ClockEvent::Pause(t("2026-09-02T10:00:00+08:00")),
    ];
    let v = project(
        &c,
        Unit::WorkingDays,
        3,
        &ev,
        t("2026-09-02T11:00:00+08:00"),
    );
    assert_eq!(v.state, ClockState::Paused);
}

#[test]
fn breach_and_late_stop() {
    let h = ServiceHours::default();
    let c = ctx(&h);
    let start = t("2026-09-01T10:00:00+08:00");
    let v = project(
        &c,
        Unit::Hours,
        24,
        &[ClockEvent::Start(start)],
        t("2026-09-02T10:00:01+08:00"),
    );
    assert_eq!(v.state, ClockState::Breached);
    let v = project(
        &c,
        Unit::Hours,
        24,
        &[
            ClockEvent::Start(start),
            ClockEvent::Stop(t("2026-09-03T10:00:00+08:00")),
        ],
        t("2026-09-10T10:00:00+08:00"),
    );
    assert_eq!(v.state, ClockState::MetLate);
    let v = project(&c, Unit::Hours, 24, &[], start);
    assert_eq!(v.state, ClockState::NotStarted);
}

#[test]
fn a_calendar_edited_mid_case_moves_the_deadline() {
    let h = ServiceHours::default();
    let start = t("2026-09-30T18:00:00+08:00");
    let before = due(&ctx(&h), Unit::WorkingDays, 3, start);
    let edited = Calendar::new(
        &Calendar::shipped_schedules(),
        &[crate::calendar::Override {
            date: "2026-10-09".parse().unwrap(),
            working: false,
            note: "公司假日".into(),
        }],
    );
    let after = due(
        &Context {
            calendar: &edited,
            hours: &h,
            tz: Shanghai,
        },
        Unit::WorkingDays,
        3,
        start,
    );
    assert_eq!(before.due_date.unwrap().to_string(), "2026-10-10");
    assert_eq!(after.due_date.unwrap().to_string(), "2026-10-12");
}

fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    // 2020 … 2028, any minute.
    (0i64..9 * 365 * 24 * 60).prop_map(|m| t("2020-01-01T00:00:00Z") + chrono::Duration::minutes(m))
}

fn unit() -> impl Strategy<Value = Unit> {
    prop_oneof![
        Just(Unit::Hours),
        Just(Unit::BusinessHours),
        Just(Unit::WorkingDays),
        Just(Unit::Days)
    ]
}

fn preset() -> impl Strategy<Value = Preset> {
    prop_oneof![
        Just(Preset::SevenDaysEightHours),
        Just(Preset::WeekdaysNineToFive),
        Just(Preset::DailyEightThirtyToFiveThirty)
    ]
}

proptest! {
    #[test]
    fn day_unit_deadlines_never_end_on_a_non_working_day(start in instant(), n in 1u32..40, u in prop_oneof![Just(Unit::WorkingDays), Just(Unit::Days)]) {
        let h = ServiceHours::default();
        let d = due(&ctx(&h), u, n, start);
        prop_assert!(cal().is_workday(d.due_date.unwrap()));
        prop_assert!(d.due > start);
    }

    #[test]
    fn business_hours_deadlines_fall_inside_service_hours(start in instant(), n in 1u32..60, p in preset()) {
        let h = p.hours();
        let d = due(&ctx(&h), Unit::BusinessHours, n, start).due;
        let local = d.with_timezone(&Shanghai);
        let secs = local.time().num_seconds_from_midnight();
        let ivs = h.intervals_on(cal(), local.date_naive());
        prop_assert!(
            ivs.iter().any(|iv| u32::from(iv.start) * 60 < secs && secs <= u32::from(iv.end) * 60),
            "{} not inside {:?}", local, ivs
        );
        prop_assert_eq!(business_minutes_between(&ctx(&h), start, d), i64::from(n) * 60);
    }

    #[test]
    fn deadlines_are_monotonic_in_n(start in instant(), n in 1u32..30, u in unit()) {
        let h = ServiceHours::default();
        let a = due(&ctx(&h), u, n, start).due;
        let b = due(&ctx(&h), u, n + 1, start).due;
        prop_assert!(b >= a);
    }

    #[test]
    fn pausing_never_makes_a_deadline_earlier(start in instant(), n in 1u32..20, u in unit(), p in 0i64..20_000, len in 0i64..20_000) {
        let h = ServiceHours::default();
        let c = ctx(&h);
        let pause = start + chrono::Duration::minutes(p);
        let resume = pause + chrono::Duration::minutes(len);
        let now = resume + chrono::Duration::minutes(1);
        let plain = project(&c, u, n, &[ClockEvent::Start(start)], now).due.unwrap().due;
        let events = [ClockEvent::Start(start), ClockEvent::Pause(pause), ClockEvent::Resume(resume)];
        let paused = project(&c, u, n, &events, now);
        prop_assert!(paused.due.clone().unwrap().due >= plain);
        // Recomputing from the same log gives the same answer.
        prop_assert_eq!(project(&c, u, n, &events, now), paused);
    }
}

#[test]
fn a_pause_on_the_event_day_moves_nothing() {
    let h = ServiceHours::default();
    let c = ctx(&h);
    let start = t("2026-09-30T18:00:00+08:00");
    let ev = [
        ClockEvent::Start(start),
        ClockEvent::Pause(t("2026-09-30T18:05:00+08:00")),
        ClockEvent::Resume(t("2026-10-08T10:00:00+08:00")),
    ];
    let v = project(
        &c,
        Unit::WorkingDays,
        3,
        &ev,
        t("2026-10-08T11:00:00+08:00"),
    );
    // Only the event day (not counted) and holidays were paused: still 10-10.
    assert_eq!(v.due.unwrap().due_date.unwrap().to_string(), "2026-10-10");
}

#[test]
fn a_pause_in_force_at_the_start_counts_from_the_start() {
    let h = ServiceHours::default();
    let c = ctx(&h);
    let ev = [
        ClockEvent::Pause(t("2026-09-01T09:00:00+08:00")),
        ClockEvent::Start(t("2026-09-01T10:00:00+08:00")),
        ClockEvent::Resume(t("2026-09-01T15:00:00+08:00")),
    ];
    let v = project(&c, Unit::Hours, 24, &ev, t("2026-09-01T16:00:00+08:00"));
    assert_eq!(bj(&v.due.unwrap().due), "2026-09-02T15:00:00+08:00");
}

#[test]
fn events_out_of_order_are_sorted() {
    let h = ServiceHours::default();
    let c = ctx(&h);
    let start = t("2026-09-01T10:00:00+08:00");
    let ev = [
        ClockEvent::Resume(t("2026-09-01T17:00:00+08:00")),
        ClockEvent::Start(start),
        ClockEvent::Pause(t("2026-09-01T12:00:00+08:00")),
    ];
    let v = project(&c, Unit::Hours, 24, &ev, t("2026-09-01T18:00:00+08:00"));
    assert_eq!(bj(&v.due.unwrap().due), "2026-09-02T15:00:00+08:00");
}

#[test]
fn days_follow_the_statutory_calendar_not_company_days() {
    let h = ServiceHours::default();
    let company = Calendar::new(
        &Calendar::shipped_schedules(),
        &[crate::calendar::Override {
            date: "2026-10-03".parse().unwrap(),
            working: true,
            note: "加班".into(),
        }],
    );
    let v = due(
        &Context {
            calendar: &company,
            hours: &h,
            tz: Shanghai,
        },
        Unit::Days,
        7,
        t("2026-09-26T09:00:00+08:00"),
    );
    assert_eq!(v.due_date.unwrap().to_string(), "2026-10-08");
}
