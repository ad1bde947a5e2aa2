use proptest::prelude::*;

use super::*;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn cal() -> &'static Calendar {
    static CAL: std::sync::OnceLock<Calendar> = std::sync::OnceLock::new();
    CAL.get_or_init(Calendar::cn_statutory)
}

#[test]
fn every_shipped_year_parses_and_is_loaded() {
    let s = Calendar::shipped_schedules();
    assert_eq!(s.len(), 23);
    for (i, y) in (2004..=2026).enumerate() {
        assert_eq!(s[i].year, y);
        assert!(
            s[i].source.contains("国"),
            "{y} names its notice: {}",
            s[i].source
        );
        assert!(cal().is_loaded(y));
    }
    assert!(!cal().is_loaded(2027));
}

#[test]
fn national_day_2026() {
    // 10-01..10-07 off; 09-20 (Sun) and 10-10 (Sat) are make-up working days.
    for day in 1..=7 {
        assert!(!cal().is_workday(NaiveDate::from_ymd_opt(2026, 10, day).unwrap()));
    }
    assert!(cal().is_workday(d("2026-09-20")));
    assert!(cal().is_workday(d("2026-10-10")));
    assert!(!cal().is_workday(d("2026-10-11")));
    assert_eq!(
        cal().day_kind(d("2026-10-10")),
        DayKind::MakeupWorkday("国庆节调休上班".into())
    );
    assert!(matches!(
        cal().day_kind(d("2026-10-01")),
        DayKind::StatutoryHoliday(_)
    ));
}

#[test]
fn design_worked_examples() {
    // Complaint received 2026-09-30: verification working_days(3) → 10-08, 10-09, 10-10.
    assert_eq!(
        cal().add_workdays(d("2026-09-30"), 3).value,
        d("2026-10-10")
    );
    // Reply working_days(10) → 10-20.
    assert_eq!(
        cal().add_workdays(d("2026-09-30"), 10).value,
        d("2026-10-20")
    );
    // Bought 2026-02-13: 02-14 (make-up day), 02-24, 02-25.
    assert_eq!(
        cal().add_workdays(d("2026-02-13"), 3).value,
        d("2026-02-25")
    );
    assert!(cal().is_workday(d("2026-02-14")) && cal().is_workday(d("2026-02-28")));
    for day in 15..=23 {
        assert!(!cal().is_workday(NaiveDate::from_ymd_opt(2026, 2, day).unwrap()));
    }
}

#[test]
fn make_up_days_2025() {
    // 2025: 01-26 (Sun), 02-08 (Sat), 04-27 (Sun), 09-28 (Sun), 10-11 (Sat) worked.
    for s in [
        "2025-01-26",
        "2025-02-08",
        "2025-04-27",
        "2025-09-28",
        "2025-10-11",
    ] {
        assert!(cal().is_workday(d(s)), "{s}");
        assert!(is_weekend(d(s)));
    }
    // 春节 2025: 01-28..02-04 off.
    assert!(!cal().is_workday(d("2025-01-28")) && !cal().is_workday(d("2025-02-04")));
    assert!(cal().is_workday(d("2025-02-05")));
}

#[test]
fn a_make_up_day_declared_in_the_next_years_notice() {
    // The 2012 notice made Saturday 2011-12-31 a working day.
    assert!(cal().is_workday(d("2011-12-31")));
    // The 2019 notice gave 2018-12-30/31 off and made 2018-12-29 a working day.
    assert!(!cal().is_workday(d("2018-12-31")));
    assert!(cal().is_workday(d("2018-12-29")));
}

#[test]
fn a_year_with_no_schedule_is_flagged() {
    let r = cal().add_workdays(d("2026-12-30"), 5);
    assert_eq!(r.provisional_years, [2027]);
    // 2027 from the law: 12-31 (Thu), 元旦 01-01 (Fri) off, 01-04, 01-05, 01-06, 01-07.
    assert_eq!(r.value, d("2027-01-07"));
    let inside = cal().add_workdays(d("2026-09-30"), 3);
    assert!(inside.is_exact());
    let c = cal().count_workdays(d("2026-12-01"), d("2027-01-31"));
    assert_eq!(c.provisional_years, [2027]);
}

#[test]
fn before_the_first_year_the_weekend_rule_applies() {
    let r = cal().add_workdays(d("2003-12-30"), 3);
    assert_eq!(r.provisional_years, [2003]);
    // 12-31 (Wed), then 2004-01-01 is 元旦 (off), 01-02 (Fri), 01-05 (Mon).
    assert_eq!(r.value, d("2004-01-05"));
    // And counting agrees.
    assert_eq!(
        cal().count_workdays(d("2003-12-30"), d("2004-01-05")).value,
        3
    );
}

#[test]
fn company_overrides_win() {
    let extra_off = Override {
        date: d("2026-10-09"),
        working: false,
        note: "公司年会".into(),
    };
    let extra_on = Override {
        date: d("2026-10-11"),
        working: true,
        note: "盘点".into(),
    };
    let c = Calendar::new(&Calendar::shipped_schedules(), &[extra_off, extra_on]);
    assert!(!c.is_workday(d("2026-10-09")));
    assert!(c.is_workday(d("2026-10-11")));
    // 10-08, 10-10, 10-11.
    assert_eq!(c.add_workdays(d("2026-09-30"), 3).value, d("2026-10-11"));
    assert_eq!(
        c.day_kind(d("2026-10-09")),
        DayKind::CompanyDayOff("公司年会".into())
    );
}

#[test]
fn zero_days_is_the_same_day() {
    assert_eq!(
        cal().add_workdays(d("2026-10-01"), 0).value,
        d("2026-10-01")
    );
    assert_eq!(
        cal().count_workdays(d("2026-10-01"), d("2026-10-01")).value,
        0
    );
}

#[test]
fn csv_import_errors_name_the_line() {
    let e = parse_csv(
        2027,
        "date,kind,name\n2027-01-01,off,元旦\n2027-13-01,off,x\n",
    )
    .unwrap_err();
    assert!(e.message.to_string().contains("第 3 行"), "{}", e.message);
    let e = parse_csv(2027, "2027-01-01,maybe,元旦\n").unwrap_err();
    assert!(e.message.to_string().contains("第 1 行") && e.message.to_string().contains("maybe"));
    let e = parse_csv(2027, "2027-01-04,on,周一\n").unwrap_err();
    assert_eq!(e.code, "makeup_on_weekday");
    let e = parse_csv(2027, "2027-01-01,off,a\n2027-01-01,off,b\n").unwrap_err();
    assert_eq!(e.code, "duplicate");
}

#[test]
fn json_import() {
    let y = parse_json(
        r#"{"year":2027,"days":[{"name":"元旦","date":"2027-01-01","isOffDay":true},
            {"name":"春节","date":"2027-02-06","isOffDay":false}]}"#,
    )
    .unwrap();
    assert_eq!(y.year, 2027);
    // 2027-01-01 is a Friday: the weekend after it joins the break.
    assert_eq!(y.days.len(), 4);
    assert!(y.days[1].off && y.days[2].off);
    assert!(!y.days[3].off);
    assert!(parse_json(r#"{"year":2027,"days":[{"date":"x"}]}"#).is_err());
    let via = parse_import("# x\n2027-01-01,off,元旦\n", None).unwrap();
    assert_eq!(via.year, 2027);
}

#[test]
fn workdays_lists_the_range() {
    let days: Vec<NaiveDate> = cal().workdays(d("2026-09-28"), d("2026-10-12")).collect();
    assert_eq!(
        days,
        [
            d("2026-09-28"),
            d("2026-09-29"),
            d("2026-09-30"),
            d("2026-10-08"),
            d("2026-10-09"),
            d("2026-10-10"),
            d("2026-10-12")
        ]
    );
}

fn any_date() -> impl Strategy<Value = NaiveDate> {
    // 2000 … 2060: before, inside and after the loaded years.
    (0i64..22_000).prop_map(|o| d("2000-01-01") + chrono::Duration::days(o))
}

proptest! {
    #[test]
    fn add_then_count_round_trips(start in any_date(), n in 0u32..600) {
        let end = cal().add_workdays(start, n).value;
        prop_assert_eq!(cal().count_workdays(start, end).value, n);
        if n > 0 {
            prop_assert!(cal().is_workday(end));
            prop_assert!(end > start);
        }
    }

    #[test]
    fn add_is_monotonic_in_n_and_in_the_start(start in any_date(), n in 1u32..400, shift in 0i64..30) {
        let a = cal().add_workdays(start, n).value;
        let b = cal().add_workdays(start, n + 1).value;
        prop_assert!(b > a);
        let later = start + chrono::Duration::days(shift);
        prop_assert!(cal().add_workdays(later, n).value >= a);
    }

    #[test]
    fn count_matches_a_day_by_day_walk(start in any_date(), len in 0i64..120) {
        let end = start + chrono::Duration::days(len);
        let walked = cal().workdays(start.succ_opt().unwrap(), end).count() as u32;
        prop_assert_eq!(cal().count_workdays(start, end).value, walked);
    }

    #[test]
    fn flags_are_exactly_the_provisional_years(start in any_date(), n in 1u32..300) {
        let r = cal().add_workdays(start, n);
        let from = start.succ_opt().unwrap().year();
        let mut expected: Vec<i32> = (from..=r.value.year()).filter(|y| !(2004..=2026).contains(y)).collect();
        // A date from 26 December on also waits for the next year's notice.
        let next = r.value.year() + 1;
        if (r.value.month(), r.value.day()) >= (12, 26) && !(2004..=2026).contains(&next) {
            expected.push(next);
        }
        prop_assert_eq!(r.provisional_years, expected);
    }
}

/// The check our users run (issue: "holidays from the law"): ten working days from Friday
/// 2026-12-25 skip 元旦 2027 and end on Monday 2027-01-11, provisionally.
#[test]
fn ten_working_days_across_new_year_skip_the_statutory_holiday() {
    let r = cal().add_workdays(d("2026-12-25"), 10);
    assert_eq!(r.value, d("2027-01-11"));
    assert_eq!(r.provisional_years, [2027]);
    assert!(matches!(
        cal().day_kind(d("2027-01-01")),
        DayKind::StatutoryHoliday(ref n) if n == "元旦"
    ));
    assert!(cal().is_provisional(d("2027-01-11")));
    assert!(cal().is_provisional(d("2026-12-28")));
    assert!(!cal().is_provisional(d("2026-12-24")));
}

#[test]
fn a_loaded_notice_wins_over_the_law() {
    // Load a made-up 2027 notice that works on 元旦: the law's guess for 2027 is gone.
    let mut schedules = Calendar::shipped_schedules();
    schedules.push(YearSchedule {
        year: 2027,
        source: "test".into(),
        days: vec![ScheduledDay {
            date: d("2027-01-01"),
            off: false,
            name: "test".into(),
        }],
    });
    let c = Calendar::new(&schedules, &[]);
    assert!(c.is_workday(d("2027-01-01")));
    assert!(c.add_workdays(d("2026-12-25"), 10).is_exact());
    // Lunar new year 2027 (02-06, Saturday) is then an ordinary weekend: the notice said nothing.
    assert!(c.is_workday(d("2027-02-08")));
    assert!(!cal().is_workday(d("2027-02-08")));
}

#[test]
fn late_december_waits_for_the_next_notice() {
    // A make-up day for 元旦 2027 could fall on 2026-12-26..31 (as 2011-12-31 and 2018-12-29 did).
    assert_eq!(
        cal().add_workdays(d("2026-12-20"), 3).provisional_years,
        Vec::<i32>::new()
    );
    assert_eq!(
        cal().add_workdays(d("2026-12-20"), 6).value,
        d("2026-12-28")
    );
    assert_eq!(
        cal().add_workdays(d("2026-12-20"), 6).provisional_years,
        [2027]
    );
}

#[test]
fn huge_counts_do_not_panic() {
    let r = cal().add_workdays(d("2026-01-01"), u32::MAX);
    assert!(r.value > d("3000-01-01"));
    assert!(!r.provisional_years.is_empty());
}

#[test]
fn weekends_inside_a_holiday_are_holidays() {
    // 2024 端午: the notice names 06-10 only ("与周末连休"); 06-08/09 are part of the break.
    assert!(matches!(
        cal().day_kind(d("2024-06-08")),
        DayKind::StatutoryHoliday(_)
    ));
    assert!(matches!(
        cal().day_kind(d("2015-04-04")),
        DayKind::StatutoryHoliday(_)
    ));
    // An ordinary weekend stays a weekend.
    assert_eq!(cal().day_kind(d("2026-11-28")), DayKind::Weekend);
}

#[test]
fn statutory_last_day_ignores_company_days() {
    let c = Calendar::new(
        &Calendar::shipped_schedules(),
        &[Override {
            date: d("2026-10-03"),
            working: true,
            note: "加班".into(),
        }],
    );
    assert!(c.is_workday(d("2026-10-03")));
    assert_eq!(
        c.statutory_workday_on_or_after(d("2026-10-03")).value,
        d("2026-10-08")
    );
}

#[test]
fn imports_are_bounded() {
    assert_eq!(
        parse_csv(2500, "2500-01-01,off,x\n").unwrap_err().code,
        "out_of_range"
    );
}
