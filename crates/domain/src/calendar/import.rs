//! Reading a year's schedule from an import file (CSV or JSON), and checking it.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use super::{ScheduledDay, YEARS, YearSchedule, is_weekend};
use crate::text::Text;
use crate::{FieldError, text};

fn import_error(line: usize, msg: Text) -> FieldError {
    FieldError::new(
        "file",
        "invalid",
        text!("calendar.import_line", line = line, msg = msg),
    )
}

/// Check a schedule (dates unique, make-up days on weekends, dates near the year) and fill
/// in the weekend days a holiday block runs through: notices that say “与周末连休” name only
/// the weekday, but the whole break is the holiday (a desk closed on holidays is closed then).
pub(super) fn validate(year: i32, days: &mut Vec<ScheduledDay>) -> Result<(), FieldError> {
    if !YEARS.contains(&year) {
        return Err(FieldError::new(
            "year",
            "out_of_range",
            text!(
                "calendar.year_out_of_range",
                year = year,
                from = *YEARS.start(),
                to = *YEARS.end()
            ),
        ));
    }
    days.sort_by_key(|d| d.date);
    for w in days.windows(2) {
        if w[0].date == w[1].date {
            return Err(FieldError::new(
                "file",
                "duplicate",
                text!("calendar.date_twice", date = w[0].date),
            ));
        }
    }
    for d in days.iter() {
        if (d.date.year() - year).abs() > 1 {
            return Err(FieldError::new(
                "file",
                "wrong_year",
                text!("calendar.date_wrong_year", date = d.date, year = year),
            ));
        }
        if !d.off && !is_weekend(d.date) {
            return Err(FieldError::new(
                "file",
                "makeup_on_weekday",
                text!("calendar.makeup_on_weekday", date = d.date),
            ));
        }
    }
    let listed: BTreeSet<NaiveDate> = days.iter().map(|d| d.date).collect();
    let mut filled: Vec<ScheduledDay> = Vec::new();
    for d in days.iter().filter(|d| d.off) {
        for step in [-1i64, 1] {
            let mut cur = d.date;
            while let Some(next) = cur.checked_add_signed(chrono::Duration::days(step)) {
                if !is_weekend(next)
                    || listed.contains(&next)
                    || filled.iter().any(|f| f.date == next)
                {
                    break;
                }
                filled.push(ScheduledDay {
                    date: next,
                    off: true,
                    name: d.name.clone(),
                });
                cur = next;
            }
        }
    }
    days.extend(filled);
    days.sort_by_key(|d| d.date);
    Ok(())
}

/// Parse the CSV import format: `date,off|on,name` lines; `#` comment lines (the first one is
/// kept as the source); an optional `date,kind,name` header.
pub fn parse_csv(year: i32, text: &str) -> Result<YearSchedule, FieldError> {
    let mut source = String::new();
    let mut days = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim().trim_start_matches('\u{feff}');
        if line.is_empty() {
            continue;
        }
        if let Some(c) = line.strip_prefix('#') {
            if source.is_empty() {
                source = c.trim().to_owned();
            }
            continue;
        }
        if line.starts_with("date,") {
            continue;
        }
        let mut parts = line.splitn(3, ',').map(str::trim);
        let (Some(date), Some(kind)) = (parts.next(), parts.next()) else {
            return Err(import_error(i + 1, text!("calendar.csv_line")));
        };
        let date: NaiveDate = date.parse().map_err(|_| {
            import_error(
                i + 1,
                text!("calendar.csv_date", date = format!("{date:?}")),
            )
        })?;
        let off = match kind {
            "off" => true,
            "on" => false,
            other => {
                return Err(import_error(
                    i + 1,
                    text!("calendar.csv_kind", kind = format!("{other:?}")),
                ));
            }
        };
        days.push(ScheduledDay {
            date,
            off,
            name: parts.next().unwrap_or("").to_owned(),
        });
    }
    if days.is_empty() {
        return Err(FieldError::new("file", "empty", text!("calendar.no_dates")));
    }
    validate(year, &mut days)?;
    Ok(YearSchedule { year, source, days })
}

#[derive(Deserialize)]
struct JsonYear {
    year: i32,
    days: Vec<JsonDay>,
    #[serde(default)]
    source: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JsonDay {
    name: String,
    date: NaiveDate,
    is_off_day: bool,
}

/// Parse the JSON import format:
/// `{"year":2027,"days":[{"name":"元旦","date":"2027-01-01","isOffDay":true}, …]}`.
pub fn parse_json(text: &str) -> Result<YearSchedule, FieldError> {
    let y: JsonYear = serde_json::from_str(text).map_err(|e| {
        FieldError::new(
            "file",
            "invalid",
            text!(
                "calendar.json_invalid",
                line = e.line(),
                column = e.column(),
                error = e.to_string()
            ),
        )
    })?;
    let mut days: Vec<ScheduledDay> = y
        .days
        .into_iter()
        .map(|d| ScheduledDay {
            date: d.date,
            off: d.is_off_day,
            name: d.name,
        })
        .collect();
    if days.is_empty() {
        return Err(FieldError::new("file", "empty", text!("calendar.no_dates")));
    }
    validate(y.year, &mut days)?;
    Ok(YearSchedule {
        year: y.year,
        source: y.source.unwrap_or_default(),
        days,
    })
}

/// Parse either import format; CSV needs the year (from the file name or the user).
pub fn parse_import(text: &str, year_hint: Option<i32>) -> Result<YearSchedule, FieldError> {
    if text.trim_start().starts_with('{') {
        return parse_json(text);
    }
    let year = year_hint
        .or_else(|| {
            // The year of the most frequent date.
            let mut counts: BTreeMap<i32, usize> = BTreeMap::new();
            for l in text.lines() {
                if let Some(d) = l
                    .split(',')
                    .next()
                    .and_then(|d| d.trim().parse::<NaiveDate>().ok())
                {
                    *counts.entry(d.year()).or_default() += 1;
                }
            }
            counts.into_iter().max_by_key(|(_, n)| *n).map(|(y, _)| y)
        })
        .ok_or_else(|| FieldError::new("file", "empty", text!("calendar.no_dates")))?;
    parse_csv(year, text)
}
