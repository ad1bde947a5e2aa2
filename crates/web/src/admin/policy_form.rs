//! The policy editor's form view: clocks and clauses as rows of fields, read back into a
//! [`PolicyForm`] and saved as the same checked text the TOML view saves.

use sanbao_domain::policy::form::{ClauseFields, ClockFields, PolicyForm};
use sanbao_domain::policy::{self as dom, PAUSE_STATES, STOP_EVENTS};

use crate::form::FormData;
use crate::i18n::Tr;

/// At most this many rows of each kind are read from a submitted form.
const MAX_ROWS: usize = 40;

/// The units a clock may count in, with their message keys.
const UNITS: &[(&str, &str)] = &[
    ("working_days", "policy.unit_working_days"),
    ("hours", "policy.unit_hours"),
    ("business_hours", "policy.unit_business_hours"),
    ("days", "policy.unit_days"),
];

/// A checkbox of a clock row.
pub(super) struct Check {
    pub code: &'static str,
    pub label: &'static str,
    pub checked: bool,
}

/// One clock row as the form shows it (`k` counts from 1, as error fields do).
pub(super) struct ClockRow {
    pub k: usize,
    pub f: ClockFields,
    pub stops: Vec<Check>,
    pub pauses: Vec<Check>,
}

/// One clause row as the form shows it.
pub(super) struct ClauseRow {
    pub k: usize,
    pub f: ClauseFields,
}

/// The form view of the editor: the fields (with one blank row of each kind to add one), the
/// choices of the selects in the reader's language, and the field at fault.
pub(super) struct Editor {
    pub title: String,
    pub summary: String,
    pub basis: String,
    pub clocks: Vec<ClockRow>,
    pub clauses: Vec<ClauseRow>,
    pub clock_opts: Vec<(&'static str, &'static str)>,
    pub event_opts: Vec<(&'static str, &'static str)>,
    pub unit_opts: Vec<(&'static str, &'static str)>,
    /// The cost types, each with whether the company bears it.
    pub costs: Vec<(&'static str, &'static str, bool)>,
    /// What the policy covers: categories as typed, channels and customer kinds checked.
    pub categories: String,
    pub channels: Vec<(&'static str, &'static str, bool)>,
    pub customers: Vec<(&'static str, &'static str, bool)>,
    pub exchange_after_repairs: String,
    pub no_reason_returns: bool,
    /// The field at fault (`clock[2].n`, `title` …) and why.
    pub error: Option<(String, String)>,
}

fn labels(
    table: &'static [(&'static str, &'static str, &'static str)],
    tr: Tr,
) -> Vec<(&'static str, &'static str)> {
    table
        .iter()
        .map(|e| (e.0, if tr.is_en() { e.2 } else { e.1 }))
        .collect()
}

impl Editor {
    pub fn new(tr: Tr, mut form: PolicyForm, error: Option<(String, String)>) -> Editor {
        // A form shown again keeps the rows typed in, and has one blank row at the end.
        while form.clocks.last().is_some_and(ClockFields::is_blank) {
            form.clocks.pop();
        }
        while form.clauses.last().is_some_and(ClauseFields::is_blank) {
            form.clauses.pop();
        }
        form.clocks.push(ClockFields {
            unit: "working_days".into(),
            ..Default::default()
        });
        form.clauses.push(ClauseFields::default());
        let pause_label = tr.t("policy.pause_waiting_customer");
        let clocks = form
            .clocks
            .into_iter()
            .enumerate()
            .map(|(i, f)| ClockRow {
                k: i + 1,
                stops: STOP_EVENTS
                    .iter()
                    .map(|e| Check {
                        code: e.0,
                        label: if tr.is_en() { e.2 } else { e.1 },
                        checked: f.stops_on.iter().any(|s| s == e.0),
                    })
                    .collect(),
                pauses: PAUSE_STATES
                    .iter()
                    .map(|s| Check {
                        code: s,
                        label: pause_label,
                        checked: f.pauses_in.iter().any(|p| p == s),
                    })
                    .collect(),
                f,
            })
            .collect();
        let en = tr.is_en();
        let costs = sanbao_domain::case::CostKind::ALL
            .iter()
            .map(|k| {
                let on = form.merchant_pays.iter().any(|c| c == k.code());
                (k.code(), if en { k.label_en() } else { k.label_zh() }, on)
            })
            .collect();
        fn checks<T: sanbao_domain::case::Coded>(
            on: &[String],
            en: bool,
        ) -> Vec<(&'static str, &'static str, bool)> {
            T::ALL
                .iter()
                .map(|k| (k.code(), k.label(en), on.iter().any(|c| c == k.code())))
                .collect()
        }
        Editor {
            channels: checks::<dom::SaleChannel>(&form.channels, en),
            customers: checks::<sanbao_domain::customer::CustomerKind>(&form.customers, en),
            categories: form.categories,
            exchange_after_repairs: form.exchange_after_repairs,
            no_reason_returns: form.no_reason_returns,
            costs,
            title: form.title,
            summary: form.summary,
            basis: form.basis,
            clocks,
            clauses: form
                .clauses
                .into_iter()
                .enumerate()
                .map(|(i, f)| ClauseRow { k: i + 1, f })
                .collect(),
            clock_opts: labels(dom::CLOCKS, tr),
            event_opts: labels(dom::EVENTS, tr),
            unit_opts: UNITS.iter().map(|(c, key)| (*c, tr.t(key))).collect(),
            error,
        }
    }

    /// Why the field `clock[k].{name}` was refused, if it was.
    pub fn clock_err(&self, k: &usize, name: &str) -> Option<&str> {
        self.err(&format!("clock[{k}].{name}"))
    }

    /// Why the field `clause[k].{name}` was refused, if it was.
    pub fn clause_err(&self, k: &usize, name: &str) -> Option<&str> {
        self.err(&format!("clause[{k}].{name}"))
    }

    /// Why the field `field` was refused, if it was.
    pub fn err(&self, field: &str) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }
}

/// The form view's fields as submitted (rows `clock[1]…`, `clause[1]…`), for policy `name`.
pub(super) fn read(f: &FormData, name: &str) -> PolicyForm {
    let rows = |key: &str| {
        f.get(key)
            .trim()
            .parse::<usize>()
            .unwrap_or(0)
            .min(MAX_ROWS)
    };
    let clocks = (1..=rows("clock_rows"))
        .filter(|k| !f.checked(&format!("clock[{k}].remove")))
        .map(|k| {
            let get = |name: &str| f.get(&format!("clock[{k}].{name}")).to_owned();
            ClockFields {
                clock: get("clock"),
                event: get("event"),
                unit: get("unit"),
                n: get("n"),
                soon: get("soon"),
                stops_on: f.all(&format!("clock[{k}].stops_on")),
                pauses_in: f.all(&format!("clock[{k}].pauses_in")),
                rule: get("rule"),
                public: get("public"),
            }
        })
        .collect();
    let clauses = (1..=rows("clause_rows"))
        .filter(|k| !f.checked(&format!("clause[{k}].remove")))
        .map(|k| ClauseFields {
            title: f.get(&format!("clause[{k}].title")).to_owned(),
            text: f.get(&format!("clause[{k}].text")).to_owned(),
        })
        .collect();
    PolicyForm {
        name: name.to_owned(),
        title: f.get("title").to_owned(),
        summary: f.get("summary").to_owned(),
        basis: f.get("basis").to_owned(),
        clocks,
        clauses,
        merchant_pays: f.all("merchant_pays"),
        exchange_after_repairs: f.get("exchange_after_repairs").to_owned(),
        no_reason_returns: f.checked("no_reason_returns"),
        categories: f.get("categories").to_owned(),
        channels: f.all("channels"),
        customers: f.all("customers"),
    }
}
