use super::*;
use crate::calendar::Calendar;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn days_of(year: i32, name: &str) -> Vec<String> {
    holidays(year)
        .unwrap()
        .into_iter()
        .find(|h| h.name == name)
        .map(|h| h.days.iter().map(ToString::to_string).collect())
        .unwrap_or_default()
}

/// Every day the law in force in a year makes a holiday is a day off in the schedule the State
/// Council published for it (as shipped), 2004–2026: the law and the notices agree, and the
/// lunar tables and the 清明 rule find the same days the notices did.
#[test]
fn every_statutory_day_is_off_in_the_published_schedules() {
    let published = Calendar::new(&Calendar::shipped_schedules(), &[]);
    for year in 2004..=2026 {
        let hs = holidays(year).unwrap();
        let expected = match Law::in_force(year) {
            Law::Of1999 => 4,
            _ => 7,
        };
        assert_eq!(hs.len(), expected, "{year}");
        for h in hs {
            for day in &h.days {
                assert!(
                    !published.is_workday(*day),
                    "{year} {}: {day} is a working day in the published schedule",
                    h.name
                );
            }
        }
    }
}

#[test]
fn the_law_of_each_era() {
    // 1999 text: 春节 初一–初三, 劳动节 three days, no 清明.
    assert_eq!(
        days_of(2007, "春节"),
        ["2007-02-18", "2007-02-19", "2007-02-20"]
    );
    assert_eq!(days_of(2007, "劳动节").len(), 3);
    assert!(days_of(2007, "清明节").is_empty());
    // 2008: 春节 from 除夕 (2008-02-06), 清明 04-04, 端午 06-08, 中秋 09-14, 劳动节 one day.
    assert_eq!(
        days_of(2008, "春节"),
        ["2008-02-06", "2008-02-07", "2008-02-08"]
    );
    assert_eq!(days_of(2008, "清明节"), ["2008-04-04"]);
    assert_eq!(days_of(2008, "端午节"), ["2008-06-08"]);
    assert_eq!(days_of(2008, "中秋节"), ["2008-09-14"]);
    assert_eq!(days_of(2008, "劳动节"), ["2008-05-01"]);
    // 2014: 春节 from 初一 again (2014-01-31).
    assert_eq!(
        days_of(2014, "春节"),
        ["2014-01-31", "2014-02-01", "2014-02-02"]
    );
    // 2025: 除夕 + three days, 劳动节 two days.
    assert_eq!(
        days_of(2025, "春节"),
        ["2025-01-28", "2025-01-29", "2025-01-30", "2025-01-31"]
    );
    assert_eq!(days_of(2025, "劳动节"), ["2025-05-01", "2025-05-02"]);
}

/// 2030, derived from the law alone. Checked by hand: 春节 2030 (庚戌年正月初一) is Sunday
/// 2030-02-03, 除夕 Saturday 02-02; 清明 falls on 04-05; 端午 (五月初五) Wednesday 06-05; 中秋
/// (八月十五) Thursday 09-12; the same days as the tyme4rs ephemeris gives.
#[test]
fn the_year_2030() {
    let y = provisional_schedule(2030).unwrap();
    let off: Vec<String> = y.days.iter().map(|x| x.date.to_string()).collect();
    assert_eq!(
        off,
        [
            "2030-01-01", // 元旦, Tuesday
            "2030-02-02", // 除夕, Saturday
            "2030-02-03", // 初一, Sunday
            "2030-02-04",
            "2030-02-05",
            "2030-02-06", // 补假 for Saturday
            "2030-02-07", // 补假 for Sunday
            "2030-04-05", // 清明, Friday
            "2030-05-01",
            "2030-05-02",
            "2030-06-05", // 端午
            "2030-09-12", // 中秋
            "2030-10-01",
            "2030-10-02",
            "2030-10-03",
        ]
    );
    assert!(y.days.iter().all(|x| x.off));
    assert_eq!(y.days[5].name, "春节（补假）");
    assert!(y.source.contains("第795号"));
}

#[test]
fn weekend_holidays_are_given_back_on_the_next_free_weekday() {
    // 元旦 2028 is a Saturday: given back on Monday 01-03.
    let y = provisional_schedule(2028).unwrap();
    assert!(y.days.iter().any(|x| x.date == d("2028-01-03")));
    // 国庆 2033: 10-01 Saturday, 10-02 Sunday, 10-03 Monday → 补假 10-04 and 10-05.
    let y = provisional_schedule(2033).unwrap();
    for day in ["2033-10-04", "2033-10-05"] {
        assert!(y.days.iter().any(|x| x.date == d(day)), "{day}");
    }
    assert!(!y.days.iter().any(|x| x.date == d("2033-10-06")));
}

#[test]
fn a_day_that_is_two_holidays_is_given_back() {
    // 中秋 2028 is 10-03 (八月十五), inside 国庆 10-01..03: one more day off after the block.
    assert_eq!(days_of(2028, "中秋节"), ["2028-10-03"]);
    let y = provisional_schedule(2028).unwrap();
    let october: Vec<String> = y
        .days
        .iter()
        .filter(|x| x.date.month() == 10)
        .map(|x| x.date.to_string())
        .collect();
    // 10-01 Sunday (owed), 10-03 twice (owed): 10-04 and 10-05 given back.
    assert_eq!(
        october,
        [
            "2028-10-01",
            "2028-10-02",
            "2028-10-03",
            "2028-10-04",
            "2028-10-05"
        ]
    );
}

#[test]
fn qingming_by_the_rule_matches_the_published_days() {
    // From the shipped notices: 清明 as a one-day holiday.
    for (year, day) in [
        (2008, "2008-04-04"),
        (2013, "2013-04-04"),
        (2015, "2015-04-05"),
        (2019, "2019-04-05"),
        (2023, "2023-04-05"),
        (2024, "2024-04-04"),
        (2025, "2025-04-04"),
        (2026, "2026-04-05"),
    ] {
        assert_eq!(qingming(year), Some(d(day)), "{year}");
    }
    assert_eq!(qingming(2100), Some(d("2100-04-05")));
    assert_eq!(qingming(2101), None);
}

#[test]
fn outside_the_tables_there_is_no_answer() {
    assert!(holidays(2003).is_none());
    assert!(holidays(2101).is_none());
    assert!(provisional_schedule(2100).is_some());
}

#[test]
fn the_2026_notice_beside_the_law() {
    let notice = Calendar::shipped_schedules()
        .into_iter()
        .find(|s| s.year == 2026)
        .unwrap();
    let rows = compare(&notice);
    let row = |s: &str| rows.iter().find(|r| r.date == d(s)).unwrap();
    // 元旦: the law's day and the notice's agree; 01-02 (Friday) is a bridge day.
    assert_eq!(row("2026-01-01").law, Mark::Holiday);
    assert_eq!(row("2026-01-01").notice, Mark::Holiday);
    assert!(!row("2026-01-01").differs);
    assert_eq!(row("2026-01-02").notice, Mark::Bridge);
    assert!(row("2026-01-02").differs);
    // 01-04 (Sunday) worked.
    assert_eq!(row("2026-01-04").notice, Mark::MakeUp);
    assert!(row("2026-01-04").differs);
    // 清明 2026-04-05 is a Sunday: the law gives it back on Monday 04-06, and so does the notice.
    assert_eq!(row("2026-04-06").law, Mark::GivenBack);
    assert!(!row("2026-04-06").differs);
    // 春节: 除夕 02-16 by the law, inside the notice's 02-15..23 break.
    assert_eq!(row("2026-02-16").law_name.as_deref(), Some("春节"));
    assert!(rows.windows(2).all(|w| w[0].date < w[1].date));
}
