//! Service hours per desk: per weekday a list of intervals, and whether the desk works on
//! statutory holidays (DESIGN "Service hours").

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::FieldError;
use crate::calendar::{Calendar, DayKind};

/// Minutes in a day.
pub const DAY_MINUTES: u16 = 24 * 60;

/// `[start, end)` in minutes after midnight, `start < end <= 1440`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Interval {
    pub start: u16,
    pub end: u16,
}

impl Interval {
    pub fn new(start: u16, end: u16) -> Result<Self, FieldError> {
        if start >= end || end > DAY_MINUTES {
            return Err(FieldError::new(
                "hours",
                "bad_interval",
                crate::text!("hours.bad_interval", start = hhmm(start), end = hhmm(end)),
            ));
        }
        Ok(Self { start, end })
    }

    pub fn minutes(&self) -> u16 {
        self.end - self.start
    }
}

fn hhmm(m: u16) -> String {
    format!("{:02}:{:02}", m / 60, m % 60)
}

impl fmt::Display for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", hhmm(self.start), hhmm(self.end))
    }
}

fn parse_hhmm(s: &str) -> Option<u16> {
    let (h, m) = s.trim().split_once(':')?;
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    (m < 60 && (h < 24 || (h == 24 && m == 0))).then_some(h * 60 + m)
}

/// Parse `09:00-12:00, 13:30-18:00` (empty: closed that day). Intervals must not overlap.
pub fn parse_intervals(text: &str) -> Result<Vec<Interval>, FieldError> {
    let mut out = Vec::new();
    for part in text
        .split([',', '，', ';'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let (a, b) = part.split_once(['-', '–', '~']).ok_or_else(|| {
            FieldError::new(
                "hours",
                "format",
                crate::text!("hours.format", part = format!("{part:?}")),
            )
        })?;
        let (Some(a), Some(b)) = (parse_hhmm(a), parse_hhmm(b)) else {
            return Err(FieldError::new(
                "hours",
                "format",
                crate::text!("hours.bad_time", part = format!("{part:?}")),
            ));
        };
        out.push(Interval::new(a, b)?);
    }
    out.sort();
    for w in out.windows(2) {
        if w[0].end > w[1].start {
            return Err(FieldError::new(
                "hours",
                "overlap",
                crate::text!("hours.overlap", a = w[0].to_string(), b = w[1].to_string()),
            ));
        }
    }
    Ok(out)
}

/// When a desk works.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceHours {
    /// Monday first.
    pub week: [Vec<Interval>; 7],
    /// Open on statutory holidays (with that weekday's intervals).
    pub works_on_statutory_holidays: bool,
}

/// The seed regulations' three schedules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preset {
    /// 每周七天，每天8小时 (09:00–17:00 every day, holidays included).
    SevenDaysEightHours,
    /// 每周一至周五，上午9点至下午5点.
    WeekdaysNineToFive,
    /// 每天8:30-17:30.
    DailyEightThirtyToFiveThirty,
}

impl Preset {
    pub const ALL: [Preset; 3] = [
        Preset::SevenDaysEightHours,
        Preset::WeekdaysNineToFive,
        Preset::DailyEightThirtyToFiveThirty,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Preset::SevenDaysEightHours => "7x8",
            Preset::WeekdaysNineToFive => "weekdays-9-17",
            Preset::DailyEightThirtyToFiveThirty => "daily-0830-1730",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Preset::SevenDaysEightHours => "每周七天，每天 8 小时（09:00–17:00，节假日照常）",
            Preset::WeekdaysNineToFive => "周一至周五 09:00–17:00",
            Preset::DailyEightThirtyToFiveThirty => "每天 08:30–17:30（法定节假日休息）",
        }
    }

    pub fn hours(self) -> ServiceHours {
        let iv = |a, b| vec![Interval { start: a, end: b }];
        match self {
            Preset::SevenDaysEightHours => ServiceHours {
                week: std::array::from_fn(|_| iv(540, 1020)),
                works_on_statutory_holidays: true,
            },
            Preset::WeekdaysNineToFive => ServiceHours {
                week: std::array::from_fn(|i| if i < 5 { iv(540, 1020) } else { Vec::new() }),
                works_on_statutory_holidays: false,
            },
            Preset::DailyEightThirtyToFiveThirty => ServiceHours {
                week: std::array::from_fn(|_| iv(510, 1050)),
                works_on_statutory_holidays: false,
            },
        }
    }

    pub fn from_code(code: &str) -> Option<Preset> {
        Preset::ALL.into_iter().find(|p| p.code() == code)
    }
}

impl Default for ServiceHours {
    fn default() -> Self {
        Preset::WeekdaysNineToFive.hours()
    }
}

impl ServiceHours {
    /// A schedule with no open minute would make every business-hours deadline infinite.
    pub fn validate(&self) -> Result<(), FieldError> {
        if self.week.iter().all(Vec::is_empty) {
            return Err(FieldError::new(
                "hours",
                "closed",
                crate::text!("hours.no_period"),
            ));
        }
        Ok(())
    }

    /// The intervals the desk works on `d`:
    /// - a statutory holiday: closed, unless the desk works on statutory holidays;
    /// - a company day off: closed;
    /// - a 调休 make-up day or company working day: its own weekday's intervals, or Monday's
    ///   if that weekday is normally closed (a make-up Saturday runs a weekday schedule);
    /// - otherwise that weekday's intervals.
    pub fn intervals_on<'a>(&'a self, cal: &Calendar, d: NaiveDate) -> &'a [Interval] {
        let own = &self.week[d.weekday().num_days_from_monday() as usize];
        match cal.day_kind(d) {
            DayKind::StatutoryHoliday(_) if !self.works_on_statutory_holidays => &[],
            DayKind::CompanyDayOff(_) => &[],
            DayKind::MakeupWorkday(_) | DayKind::CompanyWorkday(_) if own.is_empty() => {
                &self.week[0]
            }
            _ => own,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsing() {
        let v = parse_intervals("13:30-18:00, 09:00-12:00").unwrap();
        assert_eq!(
            v,
            [
                Interval {
                    start: 540,
                    end: 720
                },
                Interval {
                    start: 810,
                    end: 1080
                }
            ]
        );
        assert_eq!(parse_intervals("").unwrap(), []);
        assert_eq!(parse_intervals("00:00-24:00").unwrap()[0].minutes(), 1440);
        assert_eq!(parse_intervals("9-17").unwrap_err().code, "format");
        assert_eq!(
            parse_intervals("18:00-09:00").unwrap_err().code,
            "bad_interval"
        );
        assert_eq!(
            parse_intervals("09:00-12:00,11:00-13:00").unwrap_err().code,
            "overlap"
        );
    }

    #[test]
    fn holidays_and_make_up_days() {
        let cal = Calendar::cn_statutory();
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let weekdays = Preset::WeekdaysNineToFive.hours();
        assert!(weekdays.intervals_on(&cal, d("2026-10-01")).is_empty());
        // 2026-10-10 is a Saturday make-up day: Monday's hours.
        assert_eq!(
            weekdays.intervals_on(&cal, d("2026-10-10")),
            [Interval {
                start: 540,
                end: 1020
            }]
        );
        assert!(weekdays.intervals_on(&cal, d("2026-10-11")).is_empty());
        let seven = Preset::SevenDaysEightHours.hours();
        assert!(!seven.intervals_on(&cal, d("2026-10-01")).is_empty());
        let daily = Preset::DailyEightThirtyToFiveThirty.hours();
        assert!(daily.intervals_on(&cal, d("2026-10-01")).is_empty());
        assert!(!daily.intervals_on(&cal, d("2026-10-11")).is_empty());
    }
}
