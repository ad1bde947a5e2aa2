//! The working-day calendar (DESIGN "Time and deadlines").
//!
//! Layers, later wins: weekends off → the statutory schedule of each year (holidays off, 调休
//! make-up days on) → company overrides. A [`Calendar`] is built once from those layers into a
//! day table — a working-day bit per day, the number of working days before each day, and the
//! position of every working day — so that [`Calendar::is_workday`],
//! [`Calendar::add_workdays`] and [`Calendar::count_workdays`] are O(1) inside the table.
//! A year whose schedule is not loaded is *provisional*: its holidays come from the law
//! ([`law`]: 元旦, 春节, 清明, 劳动节, 端午, 中秋, 国庆, weekend holidays given back), its 调休
//! make-up days are unknown, and every answer that touches it names it
//! ([`Checked::provisional_years`]): never silently. Past 2100 only the weekend rule is known.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// One day of a year's statutory schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduledDay {
    pub date: NaiveDate,
    /// `true`: a holiday (off); `false`: a make-up working day (调休上班).
    pub off: bool,
    pub name: String,
}

/// The State Council's arrangement for one year, as published in its annual notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearSchedule {
    pub year: i32,
    /// The notice it comes from (title, document number, date).
    pub source: String,
    /// Sorted by date. A make-up day may fall in the previous calendar year.
    pub days: Vec<ScheduledDay>,
}

/// A company's own change to the calendar: an extra day off or an extra working day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Override {
    pub date: NaiveDate,
    pub working: bool,
    pub note: String,
}

/// What kind of day a date is, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DayKind {
    Weekday,
    Weekend,
    StatutoryHoliday(String),
    MakeupWorkday(String),
    CompanyDayOff(String),
    CompanyWorkday(String),
}

impl DayKind {
    pub fn is_working(&self) -> bool {
        matches!(
            self,
            DayKind::Weekday | DayKind::MakeupWorkday(_) | DayKind::CompanyWorkday(_)
        )
    }

    /// A statutory holiday (desks that "work on statutory holidays" open on these).
    pub fn is_statutory_holiday(&self) -> bool {
        matches!(self, DayKind::StatutoryHoliday(_))
    }
}

/// An answer and the provisional years it rests on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked<T> {
    pub value: T,
    /// Years touched by the computation whose statutory schedule is not loaded (holidays from
    /// the law, 调休 unknown; past 2100 weekends only), ascending.
    pub provisional_years: Vec<i32>,
}

impl<T> Checked<T> {
    pub fn is_exact(&self) -> bool {
        self.provisional_years.is_empty()
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Checked<U> {
        Checked {
            value: f(self.value),
            provisional_years: self.provisional_years,
        }
    }
}

/// The working-day calendar.
#[derive(Clone)]
pub struct Calendar {
    /// 1 January of the first loaded year.
    first: NaiveDate,
    /// `prefix[i]`: working days in `[first, first + i)`; one longer than the table.
    prefix: Vec<u32>,
    /// Day offsets (from `first`) of every working day in the table, ascending.
    nth: Vec<u32>,
    loaded: BTreeSet<i32>,
    /// The span of dates whose years are all loaded, contiguously from the first loaded year:
    /// answers inside it need no per-year check (the common case, kept O(1) and allocation-free).
    exact: (NaiveDate, NaiveDate),
    /// Named days (statutory and company) for display.
    named: BTreeMap<NaiveDate, DayKind>,
    /// Statutory holidays and make-up days alone (no company days): 民法典 第二百零三条 moves a
    /// `days` deadline by the statutory calendar, which a company day cannot shorten.
    statutory: BTreeMap<NaiveDate, bool>,
}

impl fmt::Debug for Calendar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Calendar")
            .field("first", &self.first)
            .field("days", &(self.prefix.len() - 1))
            .field("loaded", &self.loaded)
            .finish()
    }
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Weekdays in `[a, b)` (weekend rule), O(1).
fn weekdays_in(a: NaiveDate, b: NaiveDate) -> u32 {
    if b <= a {
        return 0;
    }
    let days = (b - a).num_days();
    let full_weeks = days / 7;
    let mut n = full_weeks * 5;
    let mut d = a + Days::new((full_weeks * 7) as u64);
    while d < b {
        if !is_weekend(d) {
            n += 1;
        }
        d = d + Days::new(1);
    }
    n as u32
}

/// The `n`-th weekday strictly after `d` (weekend rule), O(1). Saturates at the last
/// representable date instead of overflowing.
fn add_weekdays(d: NaiveDate, n: u32) -> NaiveDate {
    if n == 0 {
        return d;
    }
    // Whole weeks, then the remainder day by day.
    let weeks = (n - 1) / 5;
    let mut rem = n - weeks * 5;
    let Some(mut cur) = d.checked_add_days(Days::new(u64::from(weeks) * 7)) else {
        return NaiveDate::MAX;
    };
    while rem > 0 {
        let Some(next) = cur.succ_opt() else {
            return NaiveDate::MAX;
        };
        cur = next;
        if !is_weekend(cur) {
            rem -= 1;
        }
    }
    cur
}

/// The years a schedule may cover: Sanbao ships 2004 onward; 2100 bounds imports and company
/// days so the day table stays small.
pub const YEARS: std::ops::RangeInclusive<i32> = 2004..=2100;

/// A late-December date may be changed by the next year's notice (a make-up day for 元旦):
/// from this day on, the next year must be loaded for an answer to be exact.
const NEXT_NOTICE_FROM: (u32, u32) = (12, 26);

impl Calendar {
    /// Build the calendar from yearly schedules and company overrides.
    pub fn new(schedules: &[YearSchedule], overrides: &[Override]) -> Calendar {
        let loaded: BTreeSet<i32> = schedules.iter().map(|s| s.year).collect();
        let first_year = loaded.first().copied().unwrap_or(2004).min(*YEARS.start());
        let last_year = loaded.last().copied().unwrap_or(0).max(*YEARS.end());
        let first = NaiveDate::from_ymd_opt(first_year, 1, 1).unwrap_or(NaiveDate::MIN);
        let end = NaiveDate::from_ymd_opt(last_year + 1, 1, 1).unwrap_or(NaiveDate::MAX);
        let len = (end - first).num_days().max(0) as usize;

        let mut working: Vec<bool> = (0..len)
            .map(|i| !is_weekend(first + Days::new(i as u64)))
            .collect();
        let mut named = BTreeMap::new();
        let mut statutory = BTreeMap::new();
        // Provisional years first, so that a loaded notice's days (some in the year before
        // its own) win over the law's guess.
        let provisional: Vec<&YearSchedule> = YEARS
            .filter(|y| !loaded.contains(y))
            .filter_map(law::provisional_cached)
            .collect();
        let layers = || provisional.iter().copied().chain(schedules);
        for s in layers() {
            for d in &s.days {
                statutory.insert(d.date, !d.off);
            }
        }
        let mut set = |date: NaiveDate, w: bool, kind: DayKind| {
            let off = (date - first).num_days();
            if off >= 0 && (off as usize) < len {
                working[off as usize] = w;
                named.insert(date, kind);
            }
        };
        for s in layers() {
            for d in &s.days {
                let kind = if d.off {
                    DayKind::StatutoryHoliday(d.name.clone())
                } else {
                    DayKind::MakeupWorkday(d.name.clone())
                };
                set(d.date, !d.off, kind);
            }
        }
        for o in overrides {
            let kind = if o.working {
                DayKind::CompanyWorkday(o.note.clone())
            } else {
                DayKind::CompanyDayOff(o.note.clone())
            };
            set(o.date, o.working, kind);
        }
        let mut prefix = Vec::with_capacity(len + 1);
        let mut nth = Vec::with_capacity(len * 5 / 7 + 1);
        let mut count = 0u32;
        prefix.push(0);
        for (i, w) in working.iter().enumerate() {
            if *w {
                nth.push(i as u32);
                count += 1;
            }
            prefix.push(count);
        }
        let exact = match loaded.first() {
            Some(&lo) => {
                let mut hi = lo;
                while loaded.contains(&(hi + 1)) {
                    hi += 1;
                }
                let (m, d) = NEXT_NOTICE_FROM;
                (
                    NaiveDate::from_ymd_opt(lo, 1, 1).unwrap_or(NaiveDate::MAX),
                    NaiveDate::from_ymd_opt(hi, m, d - 1).unwrap_or(NaiveDate::MIN),
                )
            }
            None => (NaiveDate::MAX, NaiveDate::MIN),
        };
        Calendar {
            first,
            prefix,
            nth,
            loaded,
            exact,
            named,
            statutory,
        }
    }

    /// The statutory schedules shipped with Sanbao (2004 onward), from
    /// `data/cn-holidays/YYYY.csv`.
    pub fn shipped_schedules() -> Vec<YearSchedule> {
        SHIPPED
            .iter()
            .map(|(year, text)| {
                parse_csv(*year, text).unwrap_or_else(|e| panic!("shipped {year}.csv: {e}"))
            })
            .collect()
    }

    /// The shipped statutory calendar with no company overrides.
    pub fn cn_statutory() -> Calendar {
        Calendar::new(&Calendar::shipped_schedules(), &[])
    }

    pub fn loaded_years(&self) -> impl Iterator<Item = i32> + '_ {
        self.loaded.iter().copied()
    }

    pub fn is_loaded(&self, year: i32) -> bool {
        self.loaded.contains(&year)
    }

    /// Is a deadline on `d` provisional: its year not loaded, or late December with the next
    /// year's notice (which may move a make-up day for 元旦 into it) not loaded?
    pub fn is_provisional(&self, d: NaiveDate) -> bool {
        !self.provisional_between(d, d).is_empty()
    }

    fn offset(&self, d: NaiveDate) -> Option<usize> {
        let off = (d - self.first).num_days();
        (off >= 0 && (off as usize) < self.prefix.len() - 1).then_some(off as usize)
    }

    fn last_day(&self) -> NaiveDate {
        self.first + Days::new((self.prefix.len() - 2) as u64)
    }

    /// Years in `[from, to]` (by date) with no loaded schedule, and the next year when `to` is
    /// late in December and the next notice (which may put a make-up day there) is not loaded.
    pub fn provisional_between(&self, from: NaiveDate, to: NaiveDate) -> Vec<i32> {
        if from >= self.exact.0 && to <= self.exact.1 {
            return Vec::new();
        }
        let mut years: Vec<i32> = (from.year()..=to.year())
            .filter(|y| !self.loaded.contains(y))
            .collect();
        let next = to.year() + 1;
        let (m, d) = NEXT_NOTICE_FROM;
        if (to.month(), to.day()) >= (m, d) && !self.loaded.contains(&next) {
            years.push(next);
        }
        years
    }

    /// Is `d` a working day? O(1).
    pub fn is_workday(&self, d: NaiveDate) -> bool {
        match self.offset(d) {
            Some(i) => self.prefix[i + 1] > self.prefix[i],
            None => !is_weekend(d),
        }
    }

    /// What kind of day `d` is.
    pub fn day_kind(&self, d: NaiveDate) -> DayKind {
        if self.offset(d).is_some()
            && let Some(k) = self.named.get(&d)
        {
            return k.clone();
        }
        if is_weekend(d) {
            DayKind::Weekend
        } else {
            DayKind::Weekday
        }
    }

    /// Named days (holidays, make-up days, company days) in `[from, to]`.
    pub fn named_days(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> impl Iterator<Item = (NaiveDate, &DayKind)> {
        self.named.range(from..=to).map(|(d, k)| (*d, k))
    }

    /// The `n`-th working day strictly after `d` (`d` itself never counts: 民法典 第二百零一条).
    /// `n = 0` gives `d`. O(1) inside the table.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use sanbao_domain::calendar::Calendar;
    /// let cal = Calendar::cn_statutory();
    /// let d = |s: &str| s.parse::<NaiveDate>().unwrap();
    /// // National Day 2026: 10-01..10-07 off, 10-10 (Saturday) a make-up working day.
    /// assert_eq!(cal.add_workdays(d("2026-09-30"), 3).value, d("2026-10-10"));
    /// ```
    pub fn add_workdays(&self, d: NaiveDate, n: u32) -> Checked<NaiveDate> {
        let value = if n == 0 {
            d
        } else {
            match self.offset(d) {
                Some(i) => {
                    let k = self.prefix[i + 1] as usize; // working days in [first, d]
                    let target = k + n as usize - 1;
                    match self.nth.get(target) {
                        Some(off) => self.first + Days::new(u64::from(*off)),
                        None => {
                            let left = (self.nth.len() - k) as u32;
                            add_weekdays(self.last_day(), n - left)
                        }
                    }
                }
                None if d < self.first => {
                    let before = weekdays_in(d + Days::new(1), self.first);
                    if n <= before {
                        add_weekdays(d, n)
                    } else {
                        let rest = n - before;
                        match self.nth.get(rest as usize - 1) {
                            Some(off) => self.first + Days::new(u64::from(*off)),
                            None => add_weekdays(self.last_day(), rest - self.nth.len() as u32),
                        }
                    }
                }
                None => add_weekdays(d, n),
            }
        };
        let from = d.succ_opt().unwrap_or(d).min(value);
        Checked {
            provisional_years: self.provisional_between(from, value),
            value,
        }
    }

    /// Working days strictly after `after` and on or before `through` (0 if `through <= after`),
    /// so that `count_workdays(d, add_workdays(d, n)) == n`. O(1) inside the table.
    pub fn count_workdays(&self, after: NaiveDate, through: NaiveDate) -> Checked<u32> {
        if through <= after {
            return Checked {
                value: 0,
                provisional_years: Vec::new(),
            };
        }
        // Working days in [first-of-range, x] = w(x); answer = w(through) - w(after).
        let value = self.workdays_through(through) - self.workdays_through(after);
        Checked {
            value: value as u32,
            provisional_years: self.provisional_between(after.succ_opt().unwrap_or(after), through),
        }
    }

    /// Working days in `[first, x]`, extended with the weekend rule on both sides (may be
    /// negative before the table).
    fn workdays_through(&self, x: NaiveDate) -> i64 {
        let next = x.succ_opt().unwrap_or(x);
        match self.offset(x) {
            Some(i) => i64::from(self.prefix[i + 1]),
            None if x < self.first => -i64::from(weekdays_in(next, self.first)),
            None => {
                let end = self.last_day() + Days::new(1);
                i64::from(*self.prefix.last().unwrap_or(&0)) + i64::from(weekdays_in(end, next))
            }
        }
    }

    /// `d` if it is a working day, else the next working day after it.
    pub fn workday_on_or_after(&self, d: NaiveDate) -> Checked<NaiveDate> {
        if self.is_workday(d) {
            Checked {
                value: d,
                provisional_years: self.provisional_between(d, d),
            }
        } else {
            self.add_workdays(d, 1)
        }
    }

    /// `d` if it is a working day by the statutory calendar alone (weekends, holidays, 调休;
    /// no company days), else the next such day: the last-day rule of 民法典 第二百零三条.
    pub fn statutory_workday_on_or_after(&self, d: NaiveDate) -> Checked<NaiveDate> {
        let mut cur = d;
        // A holiday block is at most a few weeks long; the bound only guards the loop.
        for _ in 0..60 {
            let working = self
                .statutory
                .get(&cur)
                .copied()
                .unwrap_or(!is_weekend(cur));
            if working {
                break;
            }
            match cur.succ_opt() {
                Some(n) => cur = n,
                None => break,
            }
        }
        Checked {
            provisional_years: self.provisional_between(d, cur),
            value: cur,
        }
    }

    /// Every working day in `[from, to]`, ascending.
    pub fn workdays(&self, from: NaiveDate, to: NaiveDate) -> impl Iterator<Item = NaiveDate> + '_ {
        from.iter_days()
            .take_while(move |d| *d <= to)
            .filter(|d| self.is_workday(*d))
    }
}

macro_rules! shipped {
    ($($year:literal),*) => {
        &[$(($year, include_str!(concat!("../../data/cn-holidays/", stringify!($year), ".csv")))),*]
    };
}

/// The schedules shipped in `data/cn-holidays` (each file one State Council notice).
static SHIPPED: &[(i32, &str)] = shipped!(
    2004, 2005, 2006, 2007, 2008, 2009, 2010, 2011, 2012, 2013, 2014, 2015, 2016, 2017, 2018, 2019,
    2020, 2021, 2022, 2023, 2024, 2025, 2026
);

mod import;
pub mod law;
mod notice;

pub use import::{parse_csv, parse_import, parse_json};
pub use notice::parse_notice;

#[cfg(test)]
mod tests;
