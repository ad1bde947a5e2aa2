//! When a clock turns "due soon" (即将超时), and how much time it has left in the words of its
//! unit ("还剩1个工作日", "已超时2小时").
//!
//! A fixed window does not fit every clock: four hours before a working-day deadline that ends
//! at 24:00 is 20:00, after the desk has closed. So the window is the clock's own: by default
//! the last day of a day-unit clock (it is amber for the whole of its last working day) and the
//! last quarter of an hour-unit clock; a policy may name its own length, in the clock's unit.

use chrono::{DateTime, Days, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;

use super::{Context, Due, Unit, add_business_minutes, business_minutes_between, local_to_utc};
use crate::calendar::Calendar;
use crate::{Text, text};

/// The instant a running clock turns due soon: `window` of its units before `due` (the policy's
/// `soon`), or by default 00:00 of the last day for day units and the last quarter (`n` × 15
/// minutes) for hour units. Never before the clock's `start`.
///
/// ```
/// use chrono::{DateTime, Utc};
/// use sanbao_domain::calendar::Calendar;
/// use sanbao_domain::deadline::{Context, Unit, due, soon_at};
/// use sanbao_domain::hours::ServiceHours;
/// let (cal, hours) = (Calendar::cn_statutory(), ServiceHours::default());
/// let ctx = Context { calendar: &cal, hours: &hours, tz: chrono_tz::Asia::Shanghai };
/// let t: DateTime<Utc> = "2026-09-30T18:00:00+08:00".parse().unwrap();
/// // Three working days from 30 September end on 10 October (a 调休 Saturday), 24:00.
/// let d = due(&ctx, Unit::WorkingDays, 3, t);
/// let soon = soon_at(&ctx, Unit::WorkingDays, 3, None, t, &d);
/// assert_eq!(soon.to_rfc3339(), "2026-10-09T16:00:00+00:00"); // 10 October 00:00 in Beijing
/// ```
pub fn soon_at(
    ctx: &Context<'_>,
    unit: Unit,
    n: u32,
    window: Option<u32>,
    start: DateTime<Utc>,
    due: &Due,
) -> DateTime<Utc> {
    let quarter = i64::from(n) * 15;
    let minutes = |w: u32| i64::from(w) * 60;
    let at = match (unit, due.due_date) {
        (Unit::Hours, _) => due.due - chrono::Duration::minutes(window.map_or(quarter, minutes)),
        (Unit::BusinessHours, _) => {
            let total = business_minutes_between(ctx, start, due.due);
            let before = window.map_or(quarter, minutes);
            add_business_minutes(ctx, start, (total - before).max(0)).value
        }
        (Unit::WorkingDays | Unit::Days, Some(last)) => {
            let back = window.unwrap_or(1).saturating_sub(1);
            let first = if unit == Unit::WorkingDays {
                nth_workday_back(ctx.calendar, last, back)
            } else {
                last - Days::new(u64::from(back))
            };
            local_to_utc(ctx.tz, first.and_time(NaiveTime::MIN))
        }
        // A day-unit deadline always has its last day; without one, the instant itself.
        (Unit::WorkingDays | Unit::Days, None) => due.due,
    };
    at.max(start)
}

/// The working day `back` working days before `last` (itself when `back` is 0). The walk is
/// bounded by the window, which the policy keeps within the clock's own length.
fn nth_workday_back(calendar: &Calendar, last: NaiveDate, back: u32) -> NaiveDate {
    let mut d = last;
    let mut left = back;
    // A year of days is more than any window of working days a policy allows to need.
    for _ in 0..(back.saturating_mul(3) + 30).min(4000) {
        if left == 0 {
            break;
        }
        d = d.pred_opt().unwrap_or(d);
        if calendar.is_workday(d) {
            left -= 1;
        }
    }
    d
}

/// How much time a clock has left, or how far past its deadline it is, in the words of its
/// unit: day-unit clocks in (working) days, hour-unit clocks in hours and minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Left {
    /// A day-unit clock whose last day is today: it ends tonight at 24:00.
    Today,
    /// A day-unit clock with `n` more days after today, the last day among them; `working`:
    /// counted in working days.
    Days { n: u32, working: bool },
    /// Minutes to go.
    Minutes(i64),
    /// Minutes past the deadline.
    Overdue(i64),
}

impl Left {
    /// The time left at `now` of a clock of `unit` ending at `due_at` (day units: on its last
    /// day `due_date`), counted on `calendar` in `tz`.
    ///
    /// ```
    /// use chrono::{DateTime, NaiveDate, Utc};
    /// use sanbao_domain::calendar::Calendar;
    /// use sanbao_domain::deadline::{Left, Unit};
    /// let cal = Calendar::cn_statutory();
    /// let tz = chrono_tz::Asia::Shanghai;
    /// let due: DateTime<Utc> = "2026-10-11T00:00:00+08:00".parse().unwrap(); // 10 October 24:00
    /// let last = NaiveDate::from_ymd_opt(2026, 10, 10);
    /// // On Friday 9 October one working day is left: the 调休 Saturday.
    /// let now: DateTime<Utc> = "2026-10-09T10:00:00+08:00".parse().unwrap();
    /// let left = Left::of(&cal, tz, Unit::WorkingDays, due, last, now);
    /// assert_eq!(left, Left::Days { n: 1, working: true });
    /// assert_eq!(left.text().render(sanbao_domain::text::Lang::ZhCn), "还剩1个工作日");
    /// ```
    pub fn of(
        calendar: &Calendar,
        tz: Tz,
        unit: Unit,
        due_at: DateTime<Utc>,
        due_date: Option<NaiveDate>,
        now: DateTime<Utc>,
    ) -> Left {
        if now >= due_at {
            return Left::Overdue((now - due_at).num_minutes().max(1));
        }
        match due_date.filter(|_| unit.is_day_unit()) {
            Some(last) => {
                let today = now.with_timezone(&tz).date_naive();
                if today >= last {
                    Left::Today
                } else if unit == Unit::WorkingDays {
                    Left::Days {
                        n: calendar.count_workdays(today, last).value,
                        working: true,
                    }
                } else {
                    Left::Days {
                        n: u32::try_from((last - today).num_days()).unwrap_or(u32::MAX),
                        working: false,
                    }
                }
            }
            None => Left::Minutes((due_at - now).num_minutes().max(0)),
        }
    }

    pub fn is_overdue(self) -> bool {
        matches!(self, Left::Overdue(_))
    }

    /// "还剩1个工作日", "今日24:00到期", "还剩2小时15分钟", "已超时2小时" …
    pub fn text(self) -> Text {
        match self {
            Left::Today => text!("left.today"),
            Left::Days { n, working: true } => text!("left.working_days", n = n),
            Left::Days { n, working: false } => text!("left.days", n = n),
            Left::Minutes(m) => text!("left.to_go", span = span(m)),
            Left::Overdue(m) => text!("left.overdue", span = span(m)),
        }
    }
}

/// A length of time as people say it: minutes under an hour, hours (and minutes) under two
/// days, then days and hours.
fn span(minutes: i64) -> Text {
    let (d, h, m) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
    match (minutes, h, m) {
        (..60, _, _) => text!("left.span_minutes", m = m),
        (..2880, _, 0) => text!("left.span_hours", h = minutes / 60),
        (..2880, _, _) => text!("left.span_hours_minutes", h = minutes / 60, m = m),
        (_, 0, _) => text!("left.span_days", d = d),
        _ => text!("left.span_days_hours", d = d, h = h),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deadline::due;
    use crate::hours::ServiceHours;
    use crate::text::Lang;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    const TZ: Tz = chrono_tz::Asia::Shanghai;

    fn soon(unit: Unit, n: u32, window: Option<u32>, start: &str) -> (Due, DateTime<Utc>) {
        let (cal, hours) = (Calendar::cn_statutory(), ServiceHours::default());
        let ctx = Context {
            calendar: &cal,
            hours: &hours,
            tz: TZ,
        };
        let d = due(&ctx, unit, n, t(start));
        let s = soon_at(&ctx, unit, n, window, t(start), &d);
        (d, s)
    }

    #[test]
    fn a_working_day_clock_is_due_soon_from_the_start_of_its_last_working_day() {
        // Eleven working days from 2026-09-28 (Mon) run over the National Day week (1–7 October
        // off, Saturday 10 October worked): the last day is 2026-10-19 (Mon); it is amber from
        // 00:00 that day, not at 20:00.
        let (d, s) = soon(Unit::WorkingDays, 11, None, "2026-09-28T10:00:00+08:00");
        assert_eq!(d.due_date, Some(date("2026-10-19")));
        assert_eq!(s, t("2026-10-19T00:00:00+08:00"));
        // Two working days' warning: back over the weekend to Friday 16 October.
        let (_, s) = soon(Unit::WorkingDays, 11, Some(2), "2026-09-28T10:00:00+08:00");
        assert_eq!(s, t("2026-10-16T00:00:00+08:00"));
    }

    #[test]
    fn a_working_day_warning_counts_a_make_up_saturday_and_skips_the_holiday() {
        // Three working days from 30 September are 8, 9 and 10 October (1–7 October off, the
        // Saturday worked); two days' warning start on Friday 9 October, three on the 8th.
        let (d, s) = soon(Unit::WorkingDays, 3, Some(2), "2026-09-30T18:00:00+08:00");
        assert_eq!(d.due_date, Some(date("2026-10-10")));
        assert_eq!(s, t("2026-10-09T00:00:00+08:00"));
        let (_, s) = soon(Unit::WorkingDays, 3, Some(3), "2026-09-30T18:00:00+08:00");
        assert_eq!(s, t("2026-10-08T00:00:00+08:00"));
        let (_, s) = soon(Unit::Hours, 3, Some(3), "2026-09-30T18:00:00+08:00");
        assert_eq!(s, t("2026-09-30T18:00:00+08:00"), "never before the start");
    }

    #[test]
    fn an_hour_clock_is_due_soon_in_its_last_quarter_or_as_the_policy_says() {
        let (d, s) = soon(Unit::Hours, 24, None, "2026-10-12T09:00:00+08:00");
        assert_eq!(d.due, t("2026-10-13T09:00:00+08:00"));
        assert_eq!(s, t("2026-10-13T03:00:00+08:00"));
        let (_, s) = soon(Unit::Hours, 24, Some(2), "2026-10-12T09:00:00+08:00");
        assert_eq!(s, t("2026-10-13T07:00:00+08:00"));
    }

    #[test]
    fn a_business_hour_clock_warns_in_service_hours() {
        // 8 service hours from Friday 2026-10-16 13:00 (desk 09:00–17:00 on working days) end
        // on Monday 19 October at 13:00; its last quarter (2 service hours) starts at 11:00.
        let (d, s) = soon(Unit::BusinessHours, 8, None, "2026-10-16T13:00:00+08:00");
        assert_eq!(d.due, t("2026-10-19T13:00:00+08:00"));
        assert_eq!(s, t("2026-10-19T11:00:00+08:00"));
        // Five service hours' warning reach back into Friday afternoon.
        let (_, s) = soon(Unit::BusinessHours, 8, Some(5), "2026-10-16T13:00:00+08:00");
        assert_eq!(s, t("2026-10-16T16:00:00+08:00"));
    }

    #[test]
    fn time_left_is_said_in_the_clocks_unit() {
        let cal = Calendar::cn_statutory();
        let zh = |l: Left| l.text().render(Lang::ZhCn);
        let due = t("2026-10-20T00:00:00+08:00");
        let last = Some(date("2026-10-19"));
        let at = |s: &str| Left::of(&cal, TZ, Unit::WorkingDays, due, last, t(s));
        // Friday: Monday is the one working day left.
        assert_eq!(zh(at("2026-10-16T10:00:00+08:00")), "还剩1个工作日");
        assert_eq!(zh(at("2026-10-15T10:00:00+08:00")), "还剩2个工作日");
        assert_eq!(zh(at("2026-10-19T08:00:00+08:00")), "今日24:00到期");
        assert_eq!(zh(at("2026-10-20T02:00:00+08:00")), "已超时2小时");
        assert_eq!(zh(at("2026-10-22T03:00:00+08:00")), "已超时2天3小时");
        let hours = |now: &str| Left::of(&cal, TZ, Unit::Hours, due, None, t(now));
        assert_eq!(zh(hours("2026-10-19T21:45:00+08:00")), "还剩2小时15分钟");
        assert_eq!(zh(hours("2026-10-19T23:20:00+08:00")), "还剩40分钟");
        assert_eq!(
            hours("2026-10-19T21:45:00+08:00").text().render(Lang::En),
            "2 h 15 min left"
        );
        let days = Left::of(
            &cal,
            TZ,
            Unit::Days,
            due,
            last,
            t("2026-10-16T10:00:00+08:00"),
        );
        assert_eq!(zh(days), "还剩3天");
    }
}
