//! The State Council's yearly notice (国务院办公厅关于XXXX年部分节假日安排的通知), read as the
//! text an administrator pastes: one line per holiday, e.g.
//!
//! ```text
//! 二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。
//! ```
//!
//! A holiday line names one or more holidays before a colon; its sentence with 放假 gives the
//! days off (one date, or a range with 至 or a dash, the end's year and month taken from the start
//! when left out; "共N天" is checked against the range), its sentence with 上班 the make-up
//! working days. Other lines (the preamble, the closing, the signature) and other sentences
//! (such as the 2024 notice's encouragement to rest on 除夕) are not part of the schedule.
//! Every line that names a holiday and cannot be read is reported with its number and reason;
//! nothing is returned half.

use chrono::{Datelike, Days, NaiveDate};

use super::{ScheduledDay, YearSchedule, import};
use crate::error::{FieldError, FieldErrors};
use crate::text;
use crate::text::Text;

/// The holidays a notice line may name, as the notices write them.
const NAMES: [&str; 7] = [
    "元旦",
    "春节",
    "清明节",
    "劳动节",
    "端午节",
    "中秋节",
    "国庆节",
];

/// A range longer than this is a misreading, not a holiday.
const LONGEST_BREAK: i64 = 20;

fn problem(line: usize, msg: Text) -> FieldError {
    FieldError::new(
        "notice",
        "invalid",
        text!("calendar.import_line", line = line, msg = msg),
    )
}

/// Full-width digits and punctuation as ASCII, so that one reader serves every typing.
fn normalise(line: &str) -> String {
    line.chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            ':' => '：',
            '(' => '（',
            ')' => '）',
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect::<String>()
        .trim()
        .to_owned()
}

/// The year of the title `…关于2026年部分节假日安排的通知`, and the title with its document
/// number when the text gives one.
fn title(text: &str) -> Option<(i32, String)> {
    let at = text.find("年部分节假日安排")?;
    let head = &text[..at];
    let digits: String = head
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let year: i32 = digits.parse().ok()?;
    let mut source = format!("国务院办公厅关于{year}年部分节假日安排的通知");
    if let Some(i) = text.find("国办发明电") {
        let number: String = text[i..].chars().take_while(|c| *c != '号').collect();
        if number.chars().count() < 24 {
            source.push_str(&format!("（{number}号）"));
        }
    }
    Some((year, source))
}

/// Strip an ordinal such as `二、` or `2.` from the start of a line.
fn strip_ordinal(line: &str) -> &str {
    let rest =
        line.trim_start_matches(|c: char| "一二三四五六七八九十".contains(c) || c.is_ascii_digit());
    if rest.len() == line.len() {
        return line;
    }
    rest.strip_prefix('、')
        .or_else(|| rest.strip_prefix('.'))
        .or_else(|| rest.strip_prefix('．'))
        .unwrap_or(line)
        .trim_start()
}

/// The holidays a line is about and the rest of it, or `None` for a line that is not a
/// holiday line.
fn holiday_line(line: &str) -> Option<(Vec<&'static str>, &str)> {
    let line = strip_ordinal(line);
    let (head, body) = line.split_once('：')?;
    let names: Option<Vec<&'static str>> = head
        .split(['、', '和', '，'])
        .map(|n| NAMES.iter().copied().find(|x| *x == n.trim()))
        .collect();
    names.filter(|n| !n.is_empty()).map(|n| (n, body))
}

/// A date as written: `2025年12月31日`, `2月15日` or `23日`.
#[derive(Debug, Clone, Copy)]
struct Written {
    year: Option<i32>,
    month: Option<u32>,
    day: u32,
}

/// Every date written in `s` outside parentheses, in order, with the text after each.
fn dates(s: &str) -> Vec<(Written, usize)> {
    let mut out = Vec::new();
    let mut depth = 0;
    let mut number = String::new();
    let (mut year, mut month) = (None, None);
    for (i, c) in s.char_indices() {
        if c.is_whitespace() {
            // "2027 年 1 月 1 日" as some people type it.
            continue;
        }
        match c {
            '（' => depth += 1,
            '）' => depth -= 1,
            _ if depth > 0 => {}
            '0'..='9' => number.push(c),
            '年' => year = number.parse().ok(),
            '月' => month = number.parse().ok(),
            '日' | '号' => {
                if let Ok(day) = number.parse() {
                    out.push((Written { year, month, day }, i + c.len_utf8()));
                }
                (year, month) = (None, None);
            }
            _ => {
                if !number.is_empty() {
                    (year, month) = (None, None);
                }
            }
        }
        if !c.is_ascii_digit() {
            number.clear();
        }
    }
    out
}

/// The year a date without one belongs to: the notice's, except December in the 元旦 line,
/// which is the December before (a make-up day or the start of the break).
fn year_of(w: Written, year: i32, new_year_line: bool) -> i32 {
    match (w.year, w.month) {
        (Some(y), _) => y,
        (None, Some(12)) if new_year_line => year - 1,
        _ => year,
    }
}

fn resolve(w: Written, year: i32, month: Option<u32>) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(w.year.unwrap_or(year), w.month.or(month)?, w.day)
}

/// A date as it was written, for an error.
fn bad(w: Written) -> Text {
    text!(
        "calendar.notice_bad_date",
        date = format!(
            "{}{}{}日",
            w.year.map(|y| format!("{y}年")).unwrap_or_default(),
            w.month.map(|m| format!("{m}月")).unwrap_or_default(),
            w.day
        )
    )
}

/// The number in `共N天` or `放假N天`.
fn said_count(sentence: &str) -> Option<i64> {
    for marker in ["共", "放假"] {
        if let Some(i) = sentence.find(marker) {
            let rest = &sentence[i + marker.len()..];
            let n: String = rest.chars().take_while(char::is_ascii_digit).collect();
            if !n.is_empty() && rest[n.len()..].starts_with('天') {
                return n.parse().ok();
            }
        }
    }
    None
}

/// The days off written before `放假` in a sentence: one date or a range.
fn days_off(sentence: &str, year: i32, new_year_line: bool) -> Result<Vec<NaiveDate>, Text> {
    let before = &sentence[..sentence.find("放假").unwrap_or(sentence.len())];
    let found = dates(before);
    let Some(&(first, _)) = found.first() else {
        return Err(text!("calendar.notice_no_dates"));
    };
    let from =
        resolve(first, year_of(first, year, new_year_line), None).ok_or_else(|| bad(first))?;
    let to = match found.get(1) {
        Some(&(w, _)) => {
            let to = resolve(w, from.year(), Some(from.month())).ok_or_else(|| bad(w))?;
            // "12月30日至1月1日" with no years written runs into the next year.
            if to < from && w.year.is_none() {
                to.with_year(to.year() + 1).ok_or_else(|| bad(w))?
            } else {
                to
            }
        }
        None => from,
    };
    let len = (to - from).num_days() + 1;
    if !(1..=LONGEST_BREAK).contains(&len) {
        return Err(text!("calendar.notice_range", from = from, to = to));
    }
    if let Some(said) = said_count(sentence)
        && said != len
    {
        return Err(text!("calendar.notice_count", said = said, found = len));
    }
    Ok((0..len).map(|i| from + Days::new(i as u64)).collect())
}

/// Every date of a clause such as `2月14日（周六）、2月28日（周六）上班` (a month carries to the
/// dates after it).
fn listed(clause: &str, year: i32, new_year_line: bool) -> Result<Vec<NaiveDate>, Text> {
    let mut out = Vec::new();
    let mut month = None;
    for (w, _) in dates(clause) {
        let d = resolve(w, year_of(w, year, new_year_line), month).ok_or_else(|| bad(w))?;
        month = Some(d.month());
        out.push(d);
    }
    if out.is_empty() {
        return Err(text!("calendar.notice_no_dates"));
    }
    Ok(out)
}

/// What a clause without `放假` says of its dates: `上班` (make-up days) or `补休` (days off);
/// dates in any other clause are not understood, and refused rather than dropped.
fn other_clause(
    clause: &str,
    year: i32,
    new_year_line: bool,
) -> Result<Option<(bool, Vec<NaiveDate>)>, Text> {
    if clause.contains("上班") {
        return listed(clause, year, new_year_line).map(|d| Some((false, d)));
    }
    if clause.contains("补休") {
        return listed(clause, year, new_year_line).map(|d| Some((true, d)));
    }
    if dates(clause).is_empty() {
        return Ok(None);
    }
    Err(text!("calendar.notice_unread", clause = clause.to_owned()))
}

/// One holiday line's days: off days named after the holidays, make-up days "…调休上班".
fn read_line(names: &[&str], body: &str, year: i32) -> Result<Vec<ScheduledDay>, Text> {
    let name = names.join("、");
    let new_year_line = names.contains(&"元旦");
    let mut days = Vec::new();
    let mut any_off = false;
    let mut push = |off: bool, dates: Vec<NaiveDate>| {
        days.extend(dates.into_iter().map(|date| ScheduledDay {
            date,
            off,
            name: if off {
                name.clone()
            } else {
                format!("{name}调休上班")
            },
        }));
    };
    for sentence in body.split(['。', '；', ';']).map(str::trim) {
        let rest = match sentence.find("放假") {
            Some(i) => {
                any_off = true;
                push(true, days_off(sentence, year, new_year_line)?);
                &sentence[i + "放假".len()..]
            }
            None => sentence,
        };
        for clause in rest.split(['，', ',']) {
            if let Some((off, dates)) = other_clause(clause, year, new_year_line)? {
                any_off |= off;
                push(off, dates);
            }
        }
    }
    if !any_off {
        return Err(text!("calendar.notice_no_dates"));
    }
    Ok(days)
}

/// Read a pasted notice. `year_hint` serves a text without its title.
///
/// ```
/// use sanbao_domain::calendar::parse_notice;
/// let y = parse_notice("国务院办公厅关于2027年部分节假日安排的通知\n一、元旦：1月1日放假，与周末连休。", None).unwrap();
/// assert_eq!(y.year, 2027);
/// assert_eq!(y.days[0].date.to_string(), "2027-01-01");
/// ```
pub fn parse_notice(text: &str, year_hint: Option<i32>) -> Result<YearSchedule, FieldErrors> {
    let whole: String = text.lines().map(normalise).collect::<Vec<_>>().join("\n");
    let (year, source) = match (title(&whole), year_hint) {
        (Some(t), _) => t,
        (None, Some(y)) => (y, format!("国务院办公厅关于{y}年部分节假日安排的通知")),
        (None, None) => {
            return Err(FieldErrors(vec![FieldError::new(
                "notice",
                "no_year",
                text!("calendar.notice_no_year"),
            )]));
        }
    };
    let mut days = Vec::new();
    let mut errors = FieldErrors::default();
    let mut lines = 0;
    for (i, raw) in text.lines().enumerate() {
        let line = normalise(raw);
        let Some((names, body)) = holiday_line(&line) else {
            continue;
        };
        lines += 1;
        match read_line(&names, body, year) {
            Ok(d) => days.extend(d),
            Err(msg) => errors.push(problem(i + 1, msg)),
        }
    }
    if lines == 0 {
        errors.push(FieldError::new(
            "notice",
            "empty",
            text!("calendar.notice_no_holidays"),
        ));
    }
    if !errors.0.is_empty() {
        return Err(errors);
    }
    import::validate(year, &mut days).map_err(|e| FieldErrors(vec![e]))?;
    Ok(YearSchedule { year, source, days })
}

#[cfg(test)]
mod tests;
