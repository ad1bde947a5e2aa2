//! The receipt after intake (受理回执): the number, where the case went, the deadlines the
//! customer was promised and what to tell them — for the one who logged it, whether or not
//! they may open the case (a complaint goes to the complaint department).

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Datelike, Utc};
use sanbao_app::case::{OtherCase, Receipt};
use sanbao_domain::case::{ClockRecord, Coded};
use sanbao_domain::policy::{clock_label_in, clock_promise_in};

use crate::AppState;
use crate::error::PageError;
use crate::layout::{Layout, Section};
use crate::page::render;
use crate::session::Staff;

const WEEKDAYS: [&str; 7] = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];

/// A deadline as people say it: "12月16日（周三）24:00" / "Wed 16 Dec, 24:00".
pub(crate) fn due_words(layout: &Layout, k: &ClockRecord) -> String {
    let en = layout.tr.is_en();
    let (date, time) = match (k.due_date, k.due_at) {
        (Some(d), _) => (d, "24:00".to_owned()),
        (None, Some(t)) => {
            let local = t.with_timezone(&layout.tz);
            (local.date_naive(), local.format("%H:%M").to_string())
        }
        (None, None) => return "—".to_owned(),
    };
    if en {
        format!("{}, {time}", date.format("%a %-d %b %Y"))
    } else {
        let wd = WEEKDAYS[date.weekday().num_days_from_monday() as usize];
        format!(
            "{}年{}月{}日（{wd}）{time}",
            date.year(),
            date.month(),
            date.day()
        )
    }
}

struct Promise {
    label: String,
    due: String,
    promise: Option<&'static str>,
    provisional: bool,
}

#[derive(Template)]
#[template(path = "case/receipt.html")]
struct ReceiptPage {
    layout: Layout,
    r: Receipt,
    kind: &'static str,
    received: String,
    promises: Vec<Promise>,
    script: String,
    others: Vec<(OtherCase, String)>,
}

/// What to tell the customer, in the viewer's language.
fn script(en: bool, kind: &str, number: &str, promises: &[Promise]) -> String {
    let said: Vec<String> = promises
        .iter()
        .filter_map(|p| {
            p.promise.map(|what| {
                if en {
                    format!("{what} by {}", p.due)
                } else {
                    format!("在{}前{what}", p.due)
                }
            })
        })
        .collect();
    match (en, said.is_empty()) {
        (false, true) => format!("您的{kind}已受理，受理编号 {number}。我们会尽快与您联系。"),
        (false, false) => format!(
            "您的{kind}已受理，受理编号 {number}。我们将{}。",
            said.join("，")
        ),
        (true, true) => format!(
            "Your {} is logged as {number}. We will be in touch soon.",
            kind.to_lowercase()
        ),
        (true, false) => format!(
            "Your {} is logged as {number}. We will {}.",
            kind.to_lowercase(),
            said.join(", and ")
        ),
    }
}

pub(super) async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Path(number): Path<String>,
) -> Response {
    let r = match state.app.cases().receipt(staff.actor(), &number).await {
        Ok(r) => r,
        Err(e) => return PageError::new(e, staff.tr).into_response(),
    };
    let tr = staff.tr;
    let en = tr.is_en();
    let layout = Layout::new(
        &staff,
        Section::Cases,
        &format!("{} {}", tr.t("receipt.title"), r.number),
        state.cfg.timezone,
    );
    let promises: Vec<Promise> = r
        .clocks
        .iter()
        .map(|k| Promise {
            label: clock_label_in(&k.clock, en).to_owned(),
            due: due_words(&layout, k),
            promise: clock_promise_in(&k.clock, en),
            provisional: k.provisional,
        })
        .collect();
    let kind = r.kind.label(en);
    let received_at: DateTime<Utc> = r.received_at;
    render(&ReceiptPage {
        script: script(en, kind, &r.number, &promises),
        received: layout.time(&received_at),
        others: r
            .others
            .iter()
            .map(|o| (o.clone(), layout.time(&o.received_at)))
            .collect(),
        kind,
        promises,
        layout,
        r,
    })
}
