use super::*;
use crate::calendar::Calendar;

macro_rules! notices {
    ($($year:literal),*) => {
        [$(($year, include_str!(concat!("../../../data/cn-notices/", stringify!($year), ".txt")))),*]
    };
}

/// The notices 2020–2026 as published (`data/cn-notices`).
const NOTICES: [(i32, &str); 7] = notices!(2020, 2021, 2022, 2023, 2024, 2025, 2026);

fn day_set(y: &YearSchedule) -> Vec<(NaiveDate, bool)> {
    y.days.iter().map(|d| (d.date, d.off)).collect()
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

#[test]
fn the_notices_2021_to_2026_read_as_the_schedules_we_ship() {
    let shipped = Calendar::shipped_schedules();
    for (year, text) in NOTICES.iter().skip(1) {
        let read = parse_notice(text, None).unwrap_or_else(|e| panic!("{year}: {e:?}"));
        assert_eq!(read.year, *year);
        assert!(read.source.contains("国办发明电"), "{}", read.source);
        let ours = shipped.iter().find(|s| s.year == *year).unwrap();
        assert_eq!(day_set(&read), day_set(ours), "{year}");
    }
}

#[test]
fn the_2020_notice_differs_only_by_the_later_extension_of_spring_festival() {
    let read = parse_notice(NOTICES[0].1, None).unwrap();
    let shipped = Calendar::shipped_schedules();
    let ours = shipped.iter().find(|s| s.year == 2020).unwrap();
    let (a, b) = (day_set(&read), day_set(ours));
    let only_read: Vec<_> = a.iter().filter(|x| !b.contains(x)).collect();
    let only_ours: Vec<_> = b.iter().filter(|x| !a.contains(x)).collect();
    // 国办发明电〔2020〕1号: 01-31 and 02-02 became days off; 02-01 no longer a working day.
    assert_eq!(only_read, [&(d("2020-02-01"), false)]);
    assert_eq!(
        only_ours,
        [
            &(d("2020-01-31"), true),
            &(d("2020-02-01"), true),
            &(d("2020-02-02"), true)
        ]
    );
}

#[test]
fn names_sources_and_make_up_days() {
    let y = parse_notice(NOTICES[6].1, None).unwrap();
    assert_eq!(
        y.source,
        "国务院办公厅关于2026年部分节假日安排的通知（国办发明电〔2025〕7号）"
    );
    let day = |s: &str| y.days.iter().find(|x| x.date == d(s)).unwrap();
    assert_eq!(day("2026-02-14").name, "春节调休上班");
    assert!(!day("2026-02-14").off);
    assert_eq!(day("2026-02-23").name, "春节");
    // The 2025 notice names two holidays on one line.
    let y = parse_notice(NOTICES[5].1, None).unwrap();
    assert!(y.days.iter().any(|x| x.name == "国庆节、中秋节" && x.off));
}

#[test]
fn a_line_that_cannot_be_read_is_named_and_nothing_is_returned() {
    let text = "国务院办公厅关于2027年部分节假日安排的通知\n\
                一、元旦：1月1日放假，共1天。\n\
                二、春节：2月6日至13日放假调休，共7天。2月20日（周六）上班。\n\
                三、清明节：放假，共1天。\n\
                四、劳动节：5月1日至5日放假，共5天。5月3日（周一）上班。";
    let e = parse_notice(text, None).unwrap_err();
    let msgs: Vec<String> = e.0.iter().map(|x| x.message.to_string()).collect();
    assert_eq!(
        msgs,
        [
            "第 3 行：写明共 7 天，但所列日期是 8 天",
            "第 4 行：这一行没有读到放假日期",
        ]
    );
    // Once those lines are right, a make-up day on a Monday is refused too.
    let fixed = text
        .replace("共7天", "共8天")
        .replace("清明节：放假", "清明节：4月5日放假");
    let e = parse_notice(&fixed, None).unwrap_err();
    assert!(e.0[0].message.to_string().contains("2027-05-03"), "{e:?}");
}

#[test]
fn text_without_a_title_or_holidays_is_refused() {
    let e = parse_notice("一、元旦：1月1日放假。", None).unwrap_err();
    assert_eq!(e.0[0].code, "no_year");
    let ok = parse_notice("一、元旦：1月1日放假。", Some(2027)).unwrap();
    assert_eq!(ok.days[0].date, d("2027-01-01"));
    let e = parse_notice(
        "国务院办公厅关于2027年部分节假日安排的通知\n经国务院批准……",
        None,
    )
    .unwrap_err();
    assert_eq!(e.0[0].code, "empty");
}

#[test]
fn ranges_across_the_new_year_and_full_width_digits() {
    let text = "国务院办公厅关于2019年部分节假日安排的通知\n\
                一、元旦：2018年12月30日至2019年1月1日放假调休，共3天。2018年12月29日（星期六）上班。\n\
                二、春节：２月４日至１０日放假调休，共７天。２月２日（星期六）、２月３日（星期日）上班。";
    let y = parse_notice(text, None).unwrap();
    assert_eq!(y.days[0].date, d("2018-12-29"));
    assert!(!y.days[0].off);
    assert!(y.days.iter().any(|x| x.date == d("2019-02-10") && x.off));
    assert!(y.days.iter().any(|x| x.date == d("2019-02-03") && !x.off));
}

#[test]
fn december_days_in_the_new_year_line_belong_to_the_year_before() {
    let y = parse_notice(
        "国务院办公厅关于2019年部分节假日安排的通知\n一、元旦：12月30日至1月1日放假调休，共3天。12月29日（星期六）上班。",
        None,
    )
    .unwrap();
    let on: Vec<String> = y
        .days
        .iter()
        .filter(|x| !x.off)
        .map(|x| x.date.to_string())
        .collect();
    assert_eq!(on, ["2018-12-29"]);
    assert!(y.days.iter().any(|x| x.date == d("2018-12-30") && x.off));
    assert!(y.days.iter().any(|x| x.date == d("2019-01-01") && x.off));
}

#[test]
fn make_up_and_rest_days_after_a_comma_are_read_not_dropped() {
    let y = parse_notice(
        "国务院办公厅关于2027年部分节假日安排的通知\n\
         一、元旦：1月1日放假，1月4日（星期一）补休。\n\
         二、春节：2月6日至12日放假调休，共7天，2月20日（星期六）上班。",
        None,
    )
    .unwrap();
    assert!(y.days.iter().any(|x| x.date == d("2027-01-04") && x.off));
    assert!(y.days.iter().any(|x| x.date == d("2027-02-20") && !x.off));
    // A date in a clause that says neither is refused, not dropped.
    let e = parse_notice(
        "国务院办公厅关于2027年部分节假日安排的通知\n一、元旦：1月1日放假，1月4日另行通知。",
        None,
    )
    .unwrap_err();
    assert!(
        e.0[0].message.to_string().contains("1月4日另行通知"),
        "{e:?}"
    );
}

#[test]
fn full_width_titles_spaced_dates_and_bad_dates_with_their_month() {
    let y = parse_notice(
        "国务院办公厅关于２０２７年部分节假日安排的通知\n一、元旦：2027 年 1 月 1 日放假。",
        None,
    )
    .unwrap();
    assert_eq!(y.year, 2027);
    assert_eq!(y.days[0].date, d("2027-01-01"));
    let e = parse_notice(
        "国务院办公厅关于2027年部分节假日安排的通知\n一、春节：2月6日至12日放假。2月30日（周六）上班。",
        None,
    )
    .unwrap_err();
    assert!(e.0[0].message.to_string().contains("2月30日"), "{e:?}");
}
