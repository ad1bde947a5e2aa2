//! Deadlines and clocks (DESIGN "Deadline units", "Clocks on a case").
//!
//! Every function here is pure: the same calendar, hours, time zone and event log give the
//! same answer, so clocks are recomputed from the log whenever anything changes.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Days, NaiveDate, NaiveTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::FieldError;
use crate::calendar::{Calendar, Checked};
use crate::hours::ServiceHours;

/// The unit of a clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// `t + n` hours, wall clock.
    Hours,
    /// `n` hours counted only inside the desk's service hours on its working days.
    BusinessHours,
    /// The end (24:00) of the n-th working day strictly after the date of `t`.
    WorkingDays,
    /// Last day = date of `t` + n, moved to the next working day if it is not one; ends 24:00.
    Days,
}

impl Unit {
    pub fn code(self) -> &'static str {
        match self {
            Unit::Hours => "hours",
            Unit::BusinessHours => "business_hours",
            Unit::WorkingDays => "working_days",
            Unit::Days => "days",
        }
    }

    pub fn is_day_unit(self) -> bool {
        matches!(self, Unit::WorkingDays | Unit::Days)
    }

    /// "24 小时", "3 个工作日" …
    pub fn describe_zh(self, n: u32) -> String {
        match self {
            Unit::Hours => format!("{n} 小时"),
            Unit::BusinessHours => format!("{n} 个服务小时"),
            Unit::WorkingDays => format!("{n} 个工作日"),
            Unit::Days => format!("{n} 日"),
        }
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl TryFrom<String> for Unit {
    type Error = FieldError;
    fn try_from(s: String) -> Result<Self, FieldError> {
        s.parse()
    }
}

impl FromStr for Unit {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, FieldError> {
        match s {
            "hours" => Ok(Unit::Hours),
            "business_hours" => Ok(Unit::BusinessHours),
            "working_days" => Ok(Unit::WorkingDays),
            "days" => Ok(Unit::Days),
            _ => Err(FieldError::new(
                "unit",
                "unknown",
                crate::text!("policy.unit_unknown", value = format!("{s:?}")),
            )),
        }
    }
}

/// What a deadline is computed against.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub calendar: &'a Calendar,
    pub hours: &'a ServiceHours,
    pub tz: Tz,
}

/// A computed deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Due {
    /// The instant the deadline passes (for day units: 24:00 of the last day).
    pub due: DateTime<Utc>,
    /// For day units, the last day.
    pub due_date: Option<NaiveDate>,
    /// Years computed with the weekend rule because their schedule is not loaded.
    pub provisional_years: Vec<i32>,
}

/// 00:00 of the day after `last`, in `tz`: the instant a day-unit deadline ends.
fn end_of_day(tz: Tz, last: NaiveDate) -> DateTime<Utc> {
    local_to_utc(tz, (last + Days::new(1)).and_time(NaiveTime::MIN))
}

fn local_date(tz: Tz, t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&tz).date_naive()
}

fn day_due(ctx: &Context<'_>, last: Checked<NaiveDate>) -> Due {
    Due {
        due: end_of_day(ctx.tz, last.value),
        due_date: Some(last.value),
        provisional_years: last.provisional_years,
    }
}

/// The deadline `n` `unit`s after `start`.
///
/// ```
/// use chrono::{DateTime, Utc};
/// use sanbao_domain::calendar::Calendar;
/// use sanbao_domain::deadline::{due, Context, Unit};
/// use sanbao_domain::hours::ServiceHours;
/// let cal = Calendar::cn_statutory();
/// let hours = ServiceHours::default();
/// let ctx = Context { calendar: &cal, hours: &hours, tz: chrono_tz::Asia::Shanghai };
/// let t: DateTime<Utc> = "2026-09-30T18:00:00+08:00".parse().unwrap();
/// let d = due(&ctx, Unit::WorkingDays, 3, t);
/// assert_eq!(d.due_date.unwrap().to_string(), "2026-10-10");
/// assert_eq!(d.due.to_rfc3339(), "2026-10-10T16:00:00+00:00"); // 2026-10-10 24:00 in Beijing
/// ```
pub fn due(ctx: &Context<'_>, unit: Unit, n: u32, start: DateTime<Utc>) -> Due {
    match unit {
        Unit::Hours => Due {
            due: start + chrono::Duration::hours(i64::from(n)),
            due_date: None,
            provisional_years: Vec::new(),
        },
        Unit::BusinessHours => {
            let r = add_business_minutes(ctx, start, i64::from(n) * 60);
            Due {
                due: r.value,
                due_date: None,
                provisional_years: r.provisional_years,
            }
        }
        Unit::WorkingDays => day_due(ctx, ctx.calendar.add_workdays(local_date(ctx.tz, start), n)),
        Unit::Days => {
            let last = local_date(ctx.tz, start) + Days::new(u64::from(n));
            day_due(ctx, ctx.calendar.statutory_workday_on_or_after(last))
        }
    }
}

/// The longest a business-hours walk looks ahead before giving up (a desk closed that long is
/// a configuration error; the answer is then flagged with the year it stopped in).
const MAX_WALK_DAYS: u32 = 1000;

/// `minutes` of service time after `start`, walking interval by interval (never minute by
/// minute). A deadline that ends exactly at an interval's close is that close, not the next
/// opening.
pub fn add_business_minutes(
    ctx: &Context<'_>,
    start: DateTime<Utc>,
    minutes: i64,
) -> Checked<DateTime<Utc>> {
    let local = start.with_timezone(&ctx.tz);
    let mut date = local.date_naive();
    // Work in seconds after midnight so a start at 09:00:30 keeps its half minute.
    let mut from = i64::from(local.time().num_seconds_from_midnight());
    let mut left = minutes.max(0) * 60;
    let first_day = date;
    for _ in 0..MAX_WALK_DAYS {
        for iv in ctx.hours.intervals_on(ctx.calendar, date) {
            let (s, e) = (i64::from(iv.start) * 60, i64::from(iv.end) * 60);
            if e <= from {
                continue;
            }
            let begin = from.max(s);
            if left <= e - begin {
                let at = date.and_time(NaiveTime::MIN) + chrono::Duration::seconds(begin + left);
                return Checked {
                    value: local_to_utc(ctx.tz, at),
                    provisional_years: ctx.calendar.provisional_between(first_day, date),
                };
            }
            left -= e - begin;
        }
        date = date + Days::new(1);
        from = 0;
    }
    Checked {
        value: end_of_day(ctx.tz, date),
        provisional_years: ctx.calendar.provisional_between(first_day, date),
    }
}

fn local_to_utc(tz: Tz, at: chrono::NaiveDateTime) -> DateTime<Utc> {
    tz.from_local_datetime(&at)
        .earliest()
        .unwrap_or_else(|| tz.from_utc_datetime(&at))
        .with_timezone(&Utc)
}

/// Service minutes inside `[from, to)` (whole minutes, rounded down).
pub fn business_minutes_between(ctx: &Context<'_>, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
    if to <= from {
        return 0;
    }
    let (lf, lt) = (from.with_timezone(&ctx.tz), to.with_timezone(&ctx.tz));
    let (df, dt) = (lf.date_naive(), lt.date_naive());
    let sf = i64::from(lf.time().num_seconds_from_midnight());
    let st = i64::from(lt.time().num_seconds_from_midnight());
    let mut total = 0;
    let mut d = df;
    while d <= dt {
        let lo = if d == df { sf } else { 0 };
        let hi = if d == dt { st } else { 86_400 };
        for iv in ctx.hours.intervals_on(ctx.calendar, d) {
            let s = (i64::from(iv.start) * 60).max(lo);
            let e = (i64::from(iv.end) * 60).min(hi);
            if e > s {
                total += e - s;
            }
        }
        d = d + Days::new(1);
    }
    total / 60
}

/// What happened to one clock, in time order (the case layer derives these from its events:
/// the start and stop events of the clock's rule, entering and leaving a pausing state).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockEvent {
    Start(DateTime<Utc>),
    Pause(DateTime<Utc>),
    Resume(DateTime<Utc>),
    Stop(DateTime<Utc>),
}

impl ClockEvent {
    pub fn at(&self) -> DateTime<Utc> {
        match *self {
            ClockEvent::Start(t)
            | ClockEvent::Pause(t)
            | ClockEvent::Resume(t)
            | ClockEvent::Stop(t) => t,
        }
    }
}

crate::code_enum! {
    /// A clock's state as shown on a case.
    ClockState, "state", "时限状态", "clock state" {
        NotStarted = "not_started", "未开始", "Not started";
        Running = "running", "进行中", "Running";
        Paused = "paused", "已暂停", "Paused";
        /// Stopped in time.
        Met = "met", "按时完成", "Met";
        /// Stopped after its deadline.
        MetLate = "met_late", "逾期完成", "Met late";
        /// Running (or paused) past its deadline.
        Breached = "breached", "已超时", "Breached";
    }
}

/// A clock projected from its events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClockView {
    pub state: ClockState,
    /// The deadline with every pause so far added (`None` before the clock starts).
    pub due: Option<Due>,
    pub started_at: Option<DateTime<Utc>>,
    pub stopped_at: Option<DateTime<Utc>>,
}

/// Project one clock of `unit`/`n` from its events at `now`.
///
/// Pauses add time: the paused duration for `hours`; the service minutes paused for
/// `business_hours`; for `working_days` each working day from the pause's day up to (not
/// including) the resume's day, never the event's own day (it is not counted anyway); for
/// `days` each calendar day likewise. A pause that begins after the deadline has passed does
/// not move it; a pause in force when the clock starts counts from the start; an open pause
/// counts up to `now`. Events may come in any order.
pub fn project(
    ctx: &Context<'_>,
    unit: Unit,
    n: u32,
    events: &[ClockEvent],
    now: DateTime<Utc>,
) -> ClockView {
    let Some(start) = events.iter().find_map(|e| match e {
        ClockEvent::Start(t) => Some(*t),
        _ => None,
    }) else {
        return ClockView {
            state: ClockState::NotStarted,
            due: None,
            started_at: None,
            stopped_at: None,
        };
    };
    let base = due(ctx, unit, n, start);
    let start_date = local_date(ctx.tz, start);
    // The first day that counts: the event's own day never does, so pausing on it moves nothing.
    let first_counted = start_date.succ_opt().unwrap_or(start_date);
    let walk = walk(events, start);
    let mut cur = base.clone();
    let mut paused: i64 = 0; // seconds (hours), minutes (business hours) or days
    let open = walk.open_pause.map(|p| (p, now.max(p)));
    for (from, to) in walk.pauses.into_iter().chain(open) {
        // A pause that begins after the deadline has passed does not move it.
        if from >= cur.due || to <= from {
            continue;
        }
        paused += paused_amount(ctx, unit, first_counted, from, to);
        cur = extended(ctx, unit, n, start, start_date, &base, paused);
    }
    let state = match walk.stopped_at {
        Some(t) if t <= cur.due => ClockState::Met,
        Some(_) => ClockState::MetLate,
        None if now > cur.due => ClockState::Breached,
        None if walk.open_pause.is_some() => ClockState::Paused,
        None => ClockState::Running,
    };
    ClockView {
        state,
        due: Some(cur),
        started_at: Some(start),
        stopped_at: walk.stopped_at,
    }
}

/// A clock's events from its start, in time order: its pauses, the one still open, its stop.
struct Walk {
    /// `[from, to)` of each pause that ended (by a resume or the stop).
    pauses: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    open_pause: Option<DateTime<Utc>>,
    stopped_at: Option<DateTime<Utc>>,
}

/// Walk the events in time order; a pause already in force when the clock starts counts from
/// the start, a stop ends any pause, and nothing after the stop counts.
fn walk(events: &[ClockEvent], start: DateTime<Utc>) -> Walk {
    let mut ordered: Vec<ClockEvent> = events.to_vec();
    ordered.sort_by_key(ClockEvent::at);
    let mut w = Walk {
        pauses: Vec::new(),
        open_pause: None,
        stopped_at: None,
    };
    for e in ordered.iter().filter(|e| e.at() < start) {
        match e {
            ClockEvent::Pause(_) => w.open_pause = Some(start),
            ClockEvent::Resume(_) => w.open_pause = None,
            _ => {}
        }
    }
    for e in ordered.iter().filter(|e| e.at() >= start) {
        match *e {
            ClockEvent::Start(_) => {}
            ClockEvent::Pause(t) => {
                if w.open_pause.is_none() && w.stopped_at.is_none() {
                    w.open_pause = Some(t);
                }
            }
            ClockEvent::Resume(t) => {
                if let Some(p) = w.open_pause.take() {
                    w.pauses.push((p, t));
                }
            }
            ClockEvent::Stop(t) => {
                if w.stopped_at.is_none() {
                    if let Some(p) = w.open_pause.take() {
                        w.pauses.push((p, t));
                    }
                    w.stopped_at = Some(t);
                }
            }
        }
    }
    w
}

/// How much a pause from `from` to `to` adds: seconds for `hours`, service minutes for
/// `business_hours`, the working days (or days) of `[from's day, to's day)` counted from
/// `first_counted` for day units.
fn paused_amount(
    ctx: &Context<'_>,
    unit: Unit,
    first_counted: NaiveDate,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> i64 {
    match unit {
        Unit::Hours => (to - from).num_seconds(),
        Unit::BusinessHours => business_minutes_between(ctx, from, to),
        Unit::WorkingDays | Unit::Days => {
            let a = local_date(ctx.tz, from).max(first_counted);
            let b = local_date(ctx.tz, to);
            if b <= a {
                return 0;
            }
            if unit == Unit::WorkingDays {
                // Working days in [a, b) = count in (a-1, b-1].
                let (before_a, before_b) = (a.pred_opt().unwrap_or(a), b.pred_opt().unwrap_or(b));
                i64::from(ctx.calendar.count_workdays(before_a, before_b).value)
            } else {
                (b - a).num_days()
            }
        }
    }
}

/// The base deadline moved by `paused` (minutes for hour units, days for day units).
fn extended(
    ctx: &Context<'_>,
    unit: Unit,
    n: u32,
    start: DateTime<Utc>,
    start_date: NaiveDate,
    base: &Due,
    paused: i64,
) -> Due {
    match unit {
        Unit::Hours => Due {
            due: base.due + chrono::Duration::seconds(paused),
            ..base.clone()
        },
        Unit::BusinessHours => {
            let r = add_business_minutes(ctx, start, i64::from(n) * 60 + paused);
            Due {
                due: r.value,
                due_date: None,
                provisional_years: r.provisional_years,
            }
        }
        Unit::WorkingDays => {
            let extra = u32::try_from(paused)
                .unwrap_or(u32::MAX - n)
                .min(u32::MAX - n);
            day_due(ctx, ctx.calendar.add_workdays(start_date, n + extra))
        }
        Unit::Days => {
            let last = start_date + Days::new(u64::from(n) + paused.max(0) as u64);
            day_due(ctx, ctx.calendar.statutory_workday_on_or_after(last))
        }
    }
}

mod soon;
pub use soon::{Left, soon_at};

#[cfg(test)]
mod tests;
