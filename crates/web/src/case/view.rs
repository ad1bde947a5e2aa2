//! How a case shows on a page: its clocks as chips, a row of a case table, its timeline.

use std::sync::Arc;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sanbao_app::case::{CaseView, TimelineEntry};
use sanbao_domain::calendar::{Calendar, DayKind};
use sanbao_domain::case::{ClockRecord, Coded, EventKind, Satisfaction, State};
use sanbao_domain::deadline::{ClockState, Left};
use sanbao_domain::policy::{clock_label_in, event_label_in};

use crate::AppState;
use crate::layout::Layout;
use crate::session::urlencode;

/// The moment a page is drawn and the calendar its time left is counted on.
pub(crate) struct Now {
    pub at: DateTime<Utc>,
    pub calendar: Arc<Calendar>,
}

impl Now {
    /// Now, on the calendar in force. The deadlines themselves are stored with the case; if
    /// the calendar cannot be read, the words for the time left are counted on the shipped one.
    pub(crate) async fn load(state: &AppState) -> Now {
        let calendar = match state.app.calendar().current().await {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "calendar unreadable: time left counted on the shipped one");
                Arc::new(Calendar::cn_statutory())
            }
        };
        Now {
            at: Utc::now(),
            calendar,
        }
    }
}

/// A clock as a chip: label, due text, and a class for its colour.
pub(crate) struct Chip {
    pub label: String,
    /// "2026-10-10 周六 24:00".
    pub due: String,
    /// "还剩1个工作日", "已超时2小时" (empty once the clock stopped or while it is paused).
    pub left: String,
    /// The deadline falls on a 调休 make-up working day (a weekend day that is worked).
    pub makeup: bool,
    pub class: &'static str,
    pub state_label: &'static str,
    pub rule: String,
    /// The deadline rests on a provisional calendar year (marked 暂定).
    pub provisional: bool,
    /// The case's most urgent clock (the one a phone's card shows).
    pub urgent: bool,
}

const WEEKDAYS_ZH: [&str; 7] = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];
const WEEKDAYS_EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// A deadline as people read it, with its weekday; and the local day it falls on.
fn due_text(layout: &Layout, k: &ClockRecord) -> (String, Option<NaiveDate>) {
    let weekday = |d: NaiveDate| {
        let i = d.weekday().num_days_from_monday() as usize;
        layout.tr.pick(WEEKDAYS_ZH[i], WEEKDAYS_EN[i])
    };
    match (k.due_date, k.due_at) {
        (Some(d), _) => (format!("{d} {} 24:00", weekday(d)), Some(d)),
        (None, Some(t)) => {
            let local = t.with_timezone(&layout.tz);
            let d = local.date_naive();
            (
                format!("{d} {} {}", weekday(d), local.format("%H:%M")),
                Some(d),
            )
        }
        _ => ("—".into(), None),
    }
}

/// The most urgent of a case's clocks: a breached one before one due soon before one on time,
/// then the earliest deadline; a case with no counting clock shows its first.
fn most_urgent(v: &CaseView, now: &Now) -> usize {
    let rank = |k: &ClockRecord| match k.state {
        ClockState::Breached => 0,
        ClockState::Running if k.soon_at.is_some_and(|s| now.at >= s) => 1,
        ClockState::Running => 2,
        _ => 3,
    };
    v.clocks
        .iter()
        .enumerate()
        .min_by_key(|(_, k)| (rank(k), k.due_at))
        .map_or(0, |(i, _)| i)
}

pub(crate) fn chips(layout: &Layout, v: &CaseView, now: &Now) -> Vec<Chip> {
    let tr = layout.tr;
    let urgent = most_urgent(v, now);
    v.clocks
        .iter()
        .enumerate()
        .map(|(i, k)| {
            let (due, day) = due_text(layout, k);
            let soon = k.soon_at.is_some_and(|s| now.at >= s);
            let (class, key) = match k.state {
                ClockState::Breached => ("breached", "clock.breached"),
                ClockState::Paused => ("paused", "clock.paused"),
                ClockState::Met => ("met", "clock.met"),
                ClockState::MetLate => ("met-late", "clock.met_late"),
                _ if soon => ("due-soon", "clock.due_soon"),
                _ => ("on-time", "clock.on_time"),
            };
            let counting = matches!(k.state, ClockState::Running | ClockState::Breached);
            let left = match k.due_at.filter(|_| counting) {
                Some(at) => tr.text(
                    &Left::of(&now.calendar, layout.tz, k.unit, at, k.due_date, now.at).text(),
                ),
                None => String::new(),
            };
            Chip {
                label: clock_label_in(&k.clock, tr.is_en()).to_owned(),
                due,
                left,
                makeup: day
                    .is_some_and(|d| matches!(now.calendar.day_kind(d), DayKind::MakeupWorkday(_))),
                class,
                state_label: tr.t(key),
                rule: k.rule.clone(),
                provisional: k.provisional,
                urgent: i == urgent,
            }
        })
        .collect()
}

/// A case as a row of a case table, in the viewer's language.
pub(crate) struct Row {
    pub number: String,
    pub kind_label: &'static str,
    pub subject: String,
    pub customer: String,
    pub state_label: &'static str,
    pub state_code: &'static str,
    pub assignee: String,
    pub received: String,
    pub chips: Vec<Chip>,
    pub priority: &'static str,
    /// Each tag with its filter link's query value.
    pub tags: Vec<(String, String)>,
}

impl Row {
    pub(crate) fn of(layout: &Layout, v: &CaseView, now: &Now) -> Row {
        let en = layout.tr.is_en();
        Row {
            chips: chips(layout, v, now),
            number: v.number.clone(),
            kind_label: v.kind.label(en),
            subject: v.subject.clone(),
            customer: format!("{} {}", v.customer.name, v.phone_shown),
            state_label: v.state.label(en),
            state_code: v.state.code(),
            assignee: v
                .assignee
                .as_ref()
                .map(|a| a.name.clone())
                .unwrap_or_default(),
            received: layout.time(&v.received_at),
            priority: v.priority.code(),
            tags: tag_links(&v.tags),
        }
    }
}

/// Tags with the query value of their filter link.
pub(crate) fn tag_links(tags: &[String]) -> Vec<(String, String)> {
    tags.iter().map(|t| (t.clone(), urlencode(t))).collect()
}

/// Every value of `T` as `(code, label)` for a select.
pub(crate) fn options<T: Coded>(english: bool) -> Vec<(&'static str, &'static str)> {
    T::ALL
        .iter()
        .map(|v| (v.code(), v.label(english)))
        .collect()
}

/// One entry of the timeline as shown.
#[derive(Clone)]
pub(crate) struct TimelineItem {
    pub at: String,
    pub actor: String,
    /// The entry's kind, for its colour (a class name).
    pub kind: &'static str,
    pub text: String,
    pub body: String,
}

/// The timeline, newest first.
pub(crate) fn timeline(layout: &Layout, events: &[TimelineEntry]) -> Vec<TimelineItem> {
    events
        .iter()
        .rev()
        .map(|e| TimelineItem {
            at: layout.time(&e.at),
            actor: e.actor_name.clone(),
            kind: match e.kind {
                EventKind::PolicyEvent => "clock",
                EventKind::ExtendedService => "escalation",
                k => k.code(),
            },
            text: entry_text(layout, e),
            body: e.body.clone(),
        })
        .collect()
}

/// What an entry says, in the viewer's language.
fn entry_text(layout: &Layout, e: &TimelineEntry) -> String {
    let tr = layout.tr;
    let en = tr.is_en();
    let data = &e.data;
    match e.kind {
        EventKind::State => {
            let lbl = |k: &str| {
                data[k]
                    .as_str()
                    .and_then(|s| s.parse::<State>().ok())
                    .map_or("?", |s| s.label(en))
            };
            let mut text = format!("{} → {}", lbl("from"), lbl("to"));
            if let Some(r) = data["resolution"].as_str().filter(|r| !r.is_empty()) {
                text.push_str(&format!("｜{}：{r}", tr.t("cases.resolution")));
            }
            if let Some(s) = data["satisfaction"].as_str() {
                let s = s.parse::<Satisfaction>().map_or("?", |s| s.label(en));
                text.push_str(&format!("｜{}：{s}", tr.t("cases.satisfaction")));
            }
            if let Some(p) = data["precautions"].as_str().filter(|p| !p.is_empty()) {
                text.push_str(&format!("｜{}：{p}", tr.t("cases.precautions")));
            }
            text
        }
        EventKind::Tags => {
            let list = |k: &str| {
                data[k]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|t| t.as_str())
                            .collect::<Vec<_>>()
                            .join("、")
                    })
                    .filter(|s| !s.is_empty())
                    .unwrap_or_else(|| "—".to_owned())
            };
            format!(
                "{}：{} → {}",
                tr.t("timeline.tags"),
                list("from"),
                list("to")
            )
        }
        EventKind::PolicyEvent => {
            let event = data["event"].as_str().unwrap_or("");
            let shown = event_label_in(event, en);
            format!("{}：{shown}", tr.t("timeline.clock"))
        }
        EventKind::Created => tr.t("timeline.created").to_owned(),
        EventKind::Note => tr.t("timeline.note").to_owned(),
        EventKind::Message => tr.t("timeline.message").to_owned(),
        EventKind::Assignment => tr.t("timeline.assignment").to_owned(),
        EventKind::Escalation => tr.t("timeline.escalation").to_owned(),
        EventKind::Acknowledged => tr.t("timeline.acknowledged").to_owned(),
        EventKind::ExtendedService => tr.t("timeline.extended_service").to_owned(),
        EventKind::Attachment => tr.t("timeline.attachment").to_owned(),
        EventKind::DeadlineMoved => moved_text(layout, data),
    }
}

/// "时限调整：答复 2027-01-08 24:00 → 2027-01-11 24:00".
fn moved_text(layout: &Layout, data: &serde_json::Value) -> String {
    let tr = layout.tr;
    let when = |at: &str, date: &str| match (data[date].as_str(), data[at].as_str()) {
        (Some(d), _) => format!("{d} 24:00"),
        (None, Some(t)) => t
            .parse::<DateTime<Utc>>()
            .map_or_else(|_| t.to_owned(), |t| layout.time(&t)),
        (None, None) => "—".to_owned(),
    };
    format!(
        "{}：{} {} → {}",
        tr.t("timeline.deadline_moved"),
        clock_label_in(data["clock"].as_str().unwrap_or(""), tr.is_en()),
        when("from", "from_date"),
        when("to", "to_date")
    )
}
