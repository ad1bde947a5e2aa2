//! The statutory holidays of any year, from the law alone: what a year whose State Council
//! notice is not loaded is known to hold (DESIGN "Time and deadlines", provisional years).
//!
//! 《全国年节及纪念日放假办法》 fixes which days are holidays; the State Council's yearly notice
//! only arranges them (调休 make-up days, bridge days). The text changed three times:
//!
//! | in force | text | holidays |
//! |---|---|---|
//! | 1999-09-18 – 2007 | 国务院令第270号 | 元旦 1; 春节 3 (正月初一–初三); 劳动节 3 (5月1–3日); 国庆节 3 (10月1–3日) |
//! | 2008 – 2013 | 国务院令第513号 | 元旦 1; 春节 3 (除夕, 正月初一–初二); 清明节 1; 劳动节 1; 端午节 1; 中秋节 1; 国庆节 3 |
//! | 2014 – 2024 | 国务院令第644号 | as 2008, but 春节 3 from 正月初一 (初一–初三) |
//! | from 2025 | 国务院令第795号 | 元旦 1; 春节 4 (除夕, 初一–初三); 清明节 1; 劳动节 2 (5月1–2日); 端午节 1; 中秋节 1; 国庆节 3 |
//!
//! Article 6 of every version: a holiday that falls on a Saturday or Sunday is given back on a
//! working day (适逢星期六、星期日，应当在工作日补假). Sanbao gives it back on the first weekday
//! after the holiday's own days that is not itself a holiday; a day that is two holidays at once
//! (中秋节 on 1–3 October) is given back the same way, as the 2020 notice did (国庆节、中秋节
//! eight days). Which weekends become 调休 working days is the notice's to say and is unknown
//! until it is loaded.
//!
//! Lunar dates come from the `chinese-lunisolar-calendar` crate's month tables (1901–2100). The
//! 清明 solar term is the 21st-century rule of thumb `⌊Y·0.2422 + 4.81⌋ − L` April (Y the years
//! since 2000, L the 29 Februaries since 2000), exact for 2001–2100: on 2026-12-02 it was
//! checked year by year against the `tyme4rs` crate's ephemeris (寿星天文历), and the lunar
//! festivals against it too; the one disagreement is 中秋节 2089 (09-19 by the tables, 09-18 by
//! the ephemeris: the eighth month's new moon falls close to midnight), where the tables win.

use chinese_lunisolar_calendar::LunisolarDate;
use chrono::{Datelike, Days, NaiveDate, Weekday};

use super::{ScheduledDay, YearSchedule};

/// The version of 《全国年节及纪念日放假办法》 in force in a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Law {
    /// 国务院令第270号 (1999).
    Of1999,
    /// 国务院令第513号 (2007 amendment, in force 2008-01-01).
    Of2008,
    /// 国务院令第644号 (2013 amendment, in force 2014-01-01).
    Of2014,
    /// 国务院令第795号 (2024 amendment, in force 2025-01-01).
    Of2025,
}

impl Law {
    pub fn in_force(year: i32) -> Law {
        match year {
            ..=2007 => Law::Of1999,
            2008..=2013 => Law::Of2008,
            2014..=2024 => Law::Of2014,
            _ => Law::Of2025,
        }
    }

    /// The decree that made this version, as cited in a schedule's source line.
    pub fn citation(self) -> &'static str {
        match self {
            Law::Of1999 => "《全国年节及纪念日放假办法》（国务院令第270号）",
            Law::Of2008 => "《全国年节及纪念日放假办法》（国务院令第513号修订）",
            Law::Of2014 => "《全国年节及纪念日放假办法》（国务院令第644号修订）",
            Law::Of2025 => "《全国年节及纪念日放假办法》（国务院令第795号修订）",
        }
    }
}

/// One holiday of a year and its days, in the law's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holiday {
    pub name: &'static str,
    pub days: Vec<NaiveDate>,
}

/// The years the lunar tables cover.
pub const LUNAR_YEARS: std::ops::RangeInclusive<i32> = 1902..=2100;

fn ymd(year: i32, month: u32, day: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, day)
}

/// The Gregorian date of day `day` of (non-leap) lunar month `month` in the lunar year that
/// starts in Gregorian `year`.
fn lunar(year: i32, month: u8, day: u8) -> Option<NaiveDate> {
    let y = u16::try_from(year).ok()?;
    LunisolarDate::from_ymd(y, month, false, day)
        .ok()
        .map(LunisolarDate::to_naive_date)
}

/// The day of the 清明 solar term (April) in `year`, 2001–2100.
pub fn qingming(year: i32) -> Option<NaiveDate> {
    if !(2001..=2100).contains(&year) {
        return None;
    }
    let y = year - 2000;
    let februaries = y / 4 - y / 100 + y / 400;
    let day = (f64::from(y) * 0.2422 + 4.81).floor() as i32 - februaries;
    ymd(year, 4, u32::try_from(day).ok()?)
}

fn run(first: NaiveDate, n: u64) -> Vec<NaiveDate> {
    (0..n).map(|i| first + Days::new(i)).collect()
}

/// The holidays the law in force in `year` defines, with their days (`None` outside the lunar
/// tables and before 2004, where 清明 is not computed).
pub fn holidays(year: i32) -> Option<Vec<Holiday>> {
    if year < 2004 || !LUNAR_YEARS.contains(&year) {
        return None;
    }
    let law = Law::in_force(year);
    let new_year = lunar(year, 1, 1)?;
    let eve = new_year.pred_opt()?;
    let h = |name, days| Holiday { name, days };
    let mut out = vec![h("元旦", vec![ymd(year, 1, 1)?])];
    out.push(h(
        "春节",
        match law {
            Law::Of1999 | Law::Of2014 => run(new_year, 3),
            Law::Of2008 => run(eve, 3),
            Law::Of2025 => run(eve, 4),
        },
    ));
    if law != Law::Of1999 {
        out.push(h("清明节", vec![qingming(year)?]));
    }
    let may_days = match law {
        Law::Of1999 => 3,
        Law::Of2008 | Law::Of2014 => 1,
        Law::Of2025 => 2,
    };
    out.push(h("劳动节", run(ymd(year, 5, 1)?, may_days)));
    if law != Law::Of1999 {
        out.push(h("端午节", vec![lunar(year, 5, 5)?]));
        out.push(h("中秋节", vec![lunar(year, 8, 15)?]));
    }
    out.push(h("国庆节", run(ymd(year, 10, 1)?, 3)));
    Some(out)
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The year as the law alone makes it: every holiday off, and every holiday day that fell on a
/// weekend (or on another holiday) given back on the next free weekday. No make-up working
/// days: those are the notice's. `None` where [`holidays`] has no answer.
///
/// ```
/// use sanbao_domain::calendar::law::provisional_schedule;
/// let y = provisional_schedule(2030).unwrap();
/// let off: Vec<String> = y.days.iter().filter(|d| d.off).map(|d| d.date.to_string()).collect();
/// // 春节 2030: 除夕 02-02 (Saturday) and 初一 02-03 (Sunday) are given back on 02-06 and 02-07.
/// assert!(off.iter().any(|d| d == "2030-02-07"));
/// ```
pub fn provisional_schedule(year: i32) -> Option<YearSchedule> {
    let holidays = holidays(year)?;
    let mut off: std::collections::BTreeMap<NaiveDate, String> = Default::default();
    let mut owed = Vec::new();
    for h in &holidays {
        let mut n = 0;
        for d in &h.days {
            if off.contains_key(d) || is_weekend(*d) {
                n += 1;
            }
            off.entry(*d).or_insert_with(|| h.name.to_owned());
        }
        if n > 0 {
            owed.push((h, n));
        }
    }
    for (h, n) in owed {
        let mut d = *h.days.last()?;
        for _ in 0..n {
            loop {
                d = d.succ_opt()?;
                if !is_weekend(d) && !off.contains_key(&d) {
                    break;
                }
            }
            off.insert(d, format!("{}（补假）", h.name));
        }
    }
    Some(YearSchedule {
        year,
        source: format!(
            "{}推算（暂定：国务院办公厅的放假安排尚未载入）",
            Law::in_force(year).citation()
        ),
        days: off
            .into_iter()
            .map(|(date, name)| ScheduledDay {
                date,
                off: true,
                name,
            })
            .collect(),
    })
}

/// What one side of a comparison makes of a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// An ordinary working day.
    Workday,
    /// An ordinary weekend day (or one inside a break).
    Weekend,
    /// A statutory holiday.
    Holiday,
    /// A holiday's weekend day given back (补假, the law's side only).
    GivenBack,
    /// A weekday off by the notice beyond the law's days (调休放假, a bridge day).
    Bridge,
    /// A weekend day made a working day (调休上班, the notice's side only).
    MakeUp,
}

impl Mark {
    pub fn is_working(self) -> bool {
        matches!(self, Mark::Workday | Mark::MakeUp)
    }

    /// The message key of this mark's label.
    pub fn label_key(self) -> &'static str {
        match self {
            Mark::Workday => "calendar.mark_workday",
            Mark::Weekend => "calendar.mark_weekend",
            Mark::Holiday => "calendar.mark_holiday",
            Mark::GivenBack => "calendar.mark_given_back",
            Mark::Bridge => "calendar.mark_bridge",
            Mark::MakeUp => "calendar.mark_make_up",
        }
    }
}

/// One day of a notice beside the law's provisional year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compared {
    pub date: NaiveDate,
    pub law: Mark,
    /// The holiday the law gives this day to, if any.
    pub law_name: Option<String>,
    pub notice: Mark,
    /// The name the notice gives this day, if any.
    pub notice_name: Option<String>,
    /// Working by one and not by the other.
    pub differs: bool,
}

/// Every day that the notice or the law names, ascending, with each side's reading of it: the
/// notice's bridge and make-up days, and any day the law gives that the notice does not.
pub fn compare(notice: &YearSchedule) -> Vec<Compared> {
    use std::collections::BTreeMap;
    let law_year = provisional_schedule(notice.year);
    let law: BTreeMap<NaiveDate, &ScheduledDay> = law_year
        .iter()
        .flat_map(|y| &y.days)
        .map(|d| (d.date, d))
        .collect();
    let by_notice: BTreeMap<NaiveDate, &ScheduledDay> =
        notice.days.iter().map(|d| (d.date, d)).collect();
    let mut dates: Vec<NaiveDate> = law.keys().chain(by_notice.keys()).copied().collect();
    dates.sort();
    dates.dedup();
    dates
        .into_iter()
        .map(|date| {
            let plain = if is_weekend(date) {
                Mark::Weekend
            } else {
                Mark::Workday
            };
            let law_day = law.get(&date);
            let law_mark = match law_day {
                Some(d) if d.name.ends_with("（补假）") => Mark::GivenBack,
                Some(_) => Mark::Holiday,
                None => plain,
            };
            let notice_day = by_notice.get(&date);
            let notice_mark = match notice_day {
                Some(d) if !d.off => Mark::MakeUp,
                Some(_) if matches!(law_mark, Mark::Holiday | Mark::GivenBack) => law_mark,
                Some(_) if is_weekend(date) => Mark::Weekend,
                Some(_) => Mark::Bridge,
                None => plain,
            };
            Compared {
                date,
                differs: law_mark.is_working() != notice_mark.is_working(),
                law: law_mark,
                law_name: law_day.map(|d| d.name.trim_end_matches("（补假）").to_owned()),
                notice: notice_mark,
                notice_name: notice_day.map(|d| d.name.trim_end_matches("调休上班").to_owned()),
            }
        })
        .collect()
}

/// [`provisional_schedule`] of every year Sanbao's day table covers, computed once.
pub(super) fn provisional_cached(year: i32) -> Option<&'static YearSchedule> {
    static YEARS: std::sync::OnceLock<Vec<Option<YearSchedule>>> = std::sync::OnceLock::new();
    let all = YEARS.get_or_init(|| super::YEARS.map(provisional_schedule).collect());
    let i = usize::try_from(year - super::YEARS.start()).ok()?;
    all.get(i)?.as_ref()
}

#[cfg(test)]
mod tests;
