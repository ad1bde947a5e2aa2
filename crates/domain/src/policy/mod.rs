//! Policies: the after-sales rules as versioned TOML data (DESIGN "Policies").
//!
//! A policy lists its clocks — which event starts each, its unit and length, what stops and
//! pauses it, and the rule text it comes from — and the clauses shown to customers.
//! [`explain`] turns a policy and an event time into every deadline it sets, with the reason.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::deadline::{Context, Due, Unit, due};
use crate::text;
use crate::text::Text;

pub mod applies;
pub mod form;
pub mod statute;

pub use applies::{Applies, SaleChannel, SaleFacts, choose};

/// Clock names used across Sanbao: code, Chinese, English.
pub const CLOCKS: &[(&str, &str, &str)] = &[
    ("first_response", "首次响应", "First response"),
    ("verification", "初步核实", "Verification"),
    ("reply", "答复", "Reply"),
    ("dispatch", "派工", "Dispatch"),
    ("processing", "处理", "Processing"),
    ("request_window", "申请期限", "Request window"),
    ("exchange_window", "换货期限", "Exchange window"),
    ("refund", "退款", "Refund"),
    ("recall_notice", "召回通知", "Recall notice"),
    (
        "adverse_event_report",
        "不良事件报告",
        "Adverse event report",
    ),
];

/// Events that start clocks: code, Chinese, English.
pub const EVENTS: &[(&str, &str, &str)] = &[
    ("complaint_received", "收到投诉", "Complaint received"),
    ("fault_reported", "报修", "Fault reported"),
    ("goods_received_back", "收到退回商品", "Goods received back"),
    ("sold", "购买", "Bought"),
    ("delivered", "交付", "Delivered"),
    ("installed", "安装", "Installed"),
    ("signed_for", "签收", "Signed for"),
    ("recall_class_1", "启动一级召回", "Class I recall started"),
    ("recall_class_2", "启动二级召回", "Class II recall started"),
    ("recall_class_3", "启动三级召回", "Class III recall started"),
    (
        "adverse_event_cluster",
        "获知群体不良事件",
        "Cluster of adverse events known",
    ),
    (
        "adverse_event_death",
        "获知导致死亡的不良事件",
        "Adverse event with death known",
    ),
    (
        "adverse_event_serious",
        "获知导致严重伤害的不良事件",
        "Adverse event with serious injury known",
    ),
];

/// A clock's name in Chinese (the code itself when unknown).
pub fn clock_label(code: &str) -> &str {
    clock_label_in(code, false)
}

pub fn clock_label_in(code: &str, english: bool) -> &str {
    // Not a policy's clock: a complaint's schedule runs from what the customer was told.
    if code == crate::complaint::SCHEDULE_CLOCK {
        return if english {
            "Promised schedule"
        } else {
            "承诺时间表"
        };
    }
    label_in(CLOCKS, code, english)
}

/// What a clock promises the customer, to be said after "by <deadline> we will …": code,
/// Chinese, English. Clocks that are the customer's own window or a report to a regulator
/// promise the customer nothing and are not here.
const PROMISES: &[(&str, &str, &str)] = &[
    ("first_response", "与您联系", "contact you"),
    ("verification", "完成初步核实", "finish checking the facts"),
    ("reply", "给您正式答复", "give you our answer"),
    ("dispatch", "安排维修人员", "send a technician"),
    ("processing", "处理完毕", "finish handling your request"),
    ("refund", "办理退款", "refund you"),
    (
        "schedule",
        "按告知您的时间表解决",
        "solve it on the schedule we gave you",
    ),
];

/// What clock `code` promises the customer, if anything.
pub fn clock_promise_in(code: &str, english: bool) -> Option<&'static str> {
    PROMISES
        .iter()
        .find(|p| p.0 == code)
        .map(|p| if english { p.2 } else { p.1 })
}

/// An event's name in Chinese (the code itself when unknown).
pub fn event_label(code: &str) -> &str {
    event_label_in(code, false)
}

pub fn event_label_in(code: &str, english: bool) -> &str {
    if STOP_EVENTS.iter().any(|e| e.0 == code) {
        return label_in(STOP_EVENTS, code, english);
    }
    label_in(EVENTS, code, english)
}

fn label_in<'a>(
    table: &[(&str, &'static str, &'static str)],
    code: &'a str,
    english: bool,
) -> &'a str {
    match table.iter().find(|c| c.0 == code) {
        Some((_, zh, en)) => {
            if english {
                en
            } else {
                zh
            }
        }
        None => code,
    }
}

/// One clock a policy sets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClockRule {
    pub clock: String,
    pub event: String,
    pub unit: Unit,
    pub n: u32,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stops_on: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pauses_in: Vec<String>,
    /// Where the rule comes from, quoted.
    pub rule: String,
    /// The promise in plain words for the public policy page; `{n}` stands for the clock's
    /// length, so that changing `n` changes the promise with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public: Option<String>,
    /// How long before its deadline the clock shows as due soon (即将超时), in its own unit;
    /// without it, the last day of a day-unit clock and the last quarter of an hour-unit one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub soon: Option<u32>,
}

impl ClockRule {
    /// The promise as customers read it, with the length filled in.
    pub fn public_text(&self) -> Option<String> {
        self.public
            .as_deref()
            .map(|p| p.replace("{n}", &self.n.to_string()))
    }

    /// A promise that names a length, but never this clock's: the number typed in when the
    /// clock was longer or shorter (the public page would promise what the clock no longer
    /// keeps).
    fn stale_number(&self) -> Option<u64> {
        let text = self.public.as_deref()?.replace("{n}", "");
        let numbers: Vec<u64> = text
            .split(|c: char| !c.is_ascii_digit())
            .filter_map(|d| d.parse().ok())
            .collect();
        let n = u64::from(self.n);
        (!numbers.is_empty() && !numbers.contains(&n)).then(|| numbers[0])
    }
}

/// A rule without a clock, shown to customers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Clause {
    pub title: String,
    pub text: String,
}

/// A policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    pub name: String,
    pub title: String,
    pub summary: String,
    #[serde(default)]
    pub basis: String,
    #[serde(rename = "clock", default)]
    pub clocks: Vec<ClockRule>,
    #[serde(rename = "clause", default)]
    pub clauses: Vec<Clause>,
    /// The costs of a return or repair the company bears whoever caused them (the seed's
    /// 费用 clause: freight, handling and repair): a case's cost ledger refuses to charge them
    /// to the customer. Codes of [`crate::case::CostKind`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub merchant_pays: Vec<String>,
    /// After this many repairs of the same fault inside the warranty, a unit that fails again
    /// may be exchanged or returned (三包: 修理两次仍不能正常使用).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exchange_after_repairs: Option<u32>,
    /// Returns without a reason are granted (七日无理由).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub no_reason_returns: bool,
    /// What sales the policy covers when it is in force beside the default.
    #[serde(default, skip_serializing_if = "Applies::is_empty")]
    pub applies: Applies,
}

/// Why a policy text was refused: the line (1-based, when known), the field, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.text())]
pub struct PolicyError {
    pub line: Option<usize>,
    pub field: String,
    pub message: Text,
}

impl PolicyError {
    /// The whole error as one message: line, field and why.
    pub fn text(&self) -> Text {
        match self.line {
            Some(l) => text!(
                "policy.error_at_line",
                line = l,
                field = self.field.as_str(),
                msg = self.message.clone()
            ),
            None => text!(
                "policy.error",
                field = self.field.as_str(),
                msg = self.message.clone()
            ),
        }
    }
}

/// The presets shipped with Sanbao.
pub const PRESETS: &[(&str, &str)] = &[
    ("seed", include_str!("../../data/policies/seed.toml")),
    (
        "cn-sanbao",
        include_str!("../../data/policies/cn-sanbao.toml"),
    ),
    (
        "cn-online-7day",
        include_str!("../../data/policies/cn-online-7day.toml"),
    ),
    (
        "cn-medical-device",
        include_str!("../../data/policies/cn-medical-device.toml"),
    ),
];

fn line_of(text: &str, byte: usize) -> usize {
    text[..byte.min(text.len())].matches('\n').count() + 1
}

/// The line of the `i`-th `[[clock]]` header (for errors in that table).
fn clock_line(text: &str, i: usize) -> Option<usize> {
    header_line(text, "[[clock]]", i)
}

/// The line of the `i`-th header `header` (`[[clause]]` …).
fn header_line(text: &str, header: &str, i: usize) -> Option<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.trim_start().starts_with(header))
        .nth(i)
        .map(|(n, _)| n + 1)
}

/// A policy text is a page or two; these bounds keep parsing and diffs cheap.
pub const MAX_BYTES: usize = 64 * 1024;
pub const MAX_LINES: usize = 2000;

/// Case states a clock may pause in, and the events that may stop a clock.
pub const PAUSE_STATES: &[&str] = &["waiting_customer"];
pub const STOP_EVENTS: &[(&str, &str, &str)] = &[
    ("first_response_sent", "已首次回应", "First response sent"),
    ("complaint_verified", "已初步核实", "Complaint verified"),
    ("schedule_promised", "已告知解决时间表", "Schedule told"),
    ("complaint_replied", "已答复", "Complaint answered"),
    ("technician_dispatched", "已派工", "Technician dispatched"),
    ("return_approved", "退换货已审批", "Return reviewed"),
    ("goods_inspected", "退回商品已检验", "Goods inspected"),
    ("return_processed", "退换货已处理", "Return processed"),
    ("arrived", "已到达现场", "Arrived on site"),
    ("repair_completed", "维修完成", "Repair completed"),
    ("unrepairable", "无法修复", "Cannot be repaired"),
    ("quote_issued", "已报价", "Quote given"),
    ("quote_answered", "客户答复报价", "Quote answered"),
    ("maintenance_booked", "已预约维护", "Maintenance booked"),
    ("maintenance_done", "维护完成", "Maintenance done"),
    ("refund_paid", "已退款", "Refund paid"),
    ("recall_notified", "已发召回通知", "Recall notice sent"),
    (
        "adverse_event_reported",
        "不良事件已上报",
        "Adverse event reported",
    ),
];

/// One clock's own fields: a known clock and event, a length in range, known pausing states
/// and stopping events, a rule; the field at fault and why.
fn check_clock(c: &ClockRule) -> Result<(), (&'static str, Text)> {
    if !CLOCKS.iter().any(|k| k.0 == c.clock) {
        let known: Vec<&str> = CLOCKS.iter().map(|k| k.0).collect();
        let value = format!("{:?}", c.clock);
        return Err((
            "clock",
            text!(
                "policy.clock_unknown",
                value = value,
                known = known.join("、")
            ),
        ));
    }
    if !EVENTS.iter().any(|k| k.0 == c.event) {
        let known: Vec<&str> = EVENTS.iter().map(|k| k.0).collect();
        let value = format!("{:?}", c.event);
        return Err((
            "event",
            text!(
                "policy.event_unknown",
                value = value,
                known = known.join("、")
            ),
        ));
    }
    let max = if c.unit == Unit::BusinessHours {
        1000
    } else {
        3650
    };
    if c.n == 0 || c.n > max {
        return Err(("n", text!("policy.n_out_of_range", n = c.n, max = max)));
    }
    if let Some(soon) = c.soon.filter(|s| *s == 0 || *s > c.n) {
        return Err((
            "soon",
            text!("policy.soon_out_of_range", soon = soon, n = c.n),
        ));
    }
    if let Some(s) = c
        .pauses_in
        .iter()
        .find(|s| !PAUSE_STATES.contains(&s.as_str()))
    {
        let value = format!("{s:?}");
        let known = PAUSE_STATES.join("、");
        return Err((
            "pauses_in",
            text!("policy.pause_unknown", value = value, known = known),
        ));
    }
    if let Some(s) = c
        .stops_on
        .iter()
        .find(|s| !STOP_EVENTS.iter().any(|e| e.0 == s.as_str()))
    {
        let value = format!("{s:?}");
        let known: Vec<&str> = STOP_EVENTS.iter().map(|e| e.0).collect();
        let known = known.join("、");
        return Err((
            "stops_on",
            text!("policy.stop_unknown", value = value, known = known),
        ));
    }
    if c.rule.trim().is_empty() {
        return Err(("rule", text!("policy.rule_required")));
    }
    Ok(())
}

impl Policy {
    /// Parse and check a policy text. Errors name the line and field.
    pub fn parse(text: &str) -> Result<Policy, PolicyError> {
        if text.len() > MAX_BYTES || text.lines().count() > MAX_LINES {
            return Err(PolicyError {
                line: None,
                field: "body".into(),
                message: text!("policy.too_long", kb = MAX_BYTES / 1024, lines = MAX_LINES),
            });
        }
        let p: Policy = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| line_of(text, s.start));
            let msg = e.message().to_owned();
            let field = msg.split('`').nth(1).unwrap_or("").to_owned();
            PolicyError {
                line,
                field,
                message: text!("policy.toml_invalid", error = msg),
            }
        })?;
        p.check(text)?;
        Ok(p)
    }

    /// What a new version must also satisfy (versions already stored are read as they were):
    /// every public promise agrees with its clock's length.
    pub fn check_promises(&self, text: &str) -> Result<(), PolicyError> {
        for (i, c) in self.clocks.iter().enumerate() {
            if let Some(found) = c.stale_number() {
                return Err(PolicyError {
                    line: clock_line(text, i),
                    field: format!("clock[{}].public", i + 1),
                    message: text!("policy.public_stale", found = found, n = c.n, hint = "{n}"),
                });
            }
        }
        Ok(())
    }

    fn check(&self, text: &str) -> Result<(), PolicyError> {
        self.check_top(text)?;
        self.check_clauses(text)?;
        if let Some(bad) = self
            .merchant_pays
            .iter()
            .find(|c| c.parse::<crate::case::CostKind>().is_err())
        {
            let known: Vec<&str> = crate::case::CostKind::ALL
                .iter()
                .map(|k| k.code())
                .collect();
            return Err(PolicyError {
                line: None,
                field: "merchant_pays".into(),
                message: text!(
                    "policy.cost_unknown",
                    value = format!("{bad:?}"),
                    known = known.join("、")
                ),
            });
        }
        if self
            .exchange_after_repairs
            .is_some_and(|n| n == 0 || n > 10)
        {
            return Err(PolicyError {
                line: None,
                field: "exchange_after_repairs".into(),
                message: text!("policy.repairs_out_of_range"),
            });
        }
        if let Some(empty) = self.applies.categories.iter().find(|c| c.trim().is_empty()) {
            return Err(PolicyError {
                line: header_line(text, "[applies]", 0),
                field: "applies.categories".into(),
                message: text!("policy.category_empty", value = format!("{empty:?}")),
            });
        }
        for (i, c) in self.clocks.iter().enumerate() {
            let err = |field: &str, message: Text| PolicyError {
                line: clock_line(text, i),
                field: format!("clock[{}].{field}", i + 1),
                message,
            };
            check_clock(c).map_err(|(field, message)| err(field, message))?;
            if self.clocks[..i]
                .iter()
                .any(|o| o.clock == c.clock && o.event == c.event)
            {
                return Err(err(
                    "clock",
                    text!(
                        "policy.clock_twice",
                        event = c.event.as_str(),
                        clock = c.clock.as_str()
                    ),
                ));
            }
        }
        if let Some((clock, message)) = statute::below_minimum(self) {
            let i = self.clocks.iter().position(|c| c.clock == clock);
            return Err(PolicyError {
                line: header_line(text, "[applies]", 0).or(i.and_then(|i| clock_line(text, i))),
                field: "applies".into(),
                message,
            });
        }
        Ok(())
    }

    /// Every clause has a title and a text.
    fn check_clauses(&self, text: &str) -> Result<(), PolicyError> {
        for (i, c) in self.clauses.iter().enumerate() {
            let missing = if c.title.trim().is_empty() {
                "title"
            } else if c.text.trim().is_empty() {
                "text"
            } else {
                continue;
            };
            return Err(PolicyError {
                line: header_line(text, "[[clause]]", i),
                field: format!("clause[{}].{missing}", i + 1),
                message: text!("policy.clause_incomplete"),
            });
        }
        Ok(())
    }

    /// The name, title and summary.
    fn check_top(&self, text: &str) -> Result<(), PolicyError> {
        let top = |field: &str, message: Text| PolicyError {
            line: text
                .lines()
                .position(|l| {
                    l.trim_start().starts_with(&format!("{field} "))
                        || l.trim_start().starts_with(&format!("{field}="))
                })
                .map(|i| i + 1),
            field: field.to_owned(),
            message,
        };
        let valid_name = |s: &str| {
            !s.is_empty()
                && s.len() <= 40
                && s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        };
        if !valid_name(&self.name) {
            return Err(top("name", text!("policy.name_format")));
        }
        if self.title.trim().is_empty() {
            return Err(top("title", text!("policy.title_required")));
        }
        if self.summary.trim().is_empty() {
            return Err(top("summary", text!("policy.summary_required")));
        }
        Ok(())
    }

    /// A shipped preset by name.
    pub fn preset(name: &str) -> Option<Policy> {
        PRESETS
            .iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, text)| Policy::parse(text).ok())
    }

    /// The clocks `event` starts.
    pub fn clocks_for<'a>(&'a self, event: &'a str) -> impl Iterator<Item = &'a ClockRule> + 'a {
        self.clocks.iter().filter(move |c| c.event == event)
    }
}

/// One deadline an event sets, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Explained {
    pub clock: String,
    pub unit: Unit,
    pub n: u32,
    pub due: Due,
    pub rule: String,
}

/// Every deadline `event` at `at` starts under `policy`.
pub fn explain(
    policy: &Policy,
    event: &str,
    at: DateTime<Utc>,
    ctx: &Context<'_>,
) -> Vec<Explained> {
    policy
        .clocks_for(event)
        .map(|c| Explained {
            clock: c.clock.clone(),
            unit: c.unit,
            n: c.n,
            due: due(ctx, c.unit, c.n, at),
            rule: c.rule.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_public_promise_follows_the_clock_length_and_a_stale_number_is_refused() {
        let seed = Policy::preset("seed").unwrap();
        let first = seed
            .clocks
            .iter()
            .find(|c| c.clock == "first_response")
            .unwrap();
        assert_eq!(
            first.public_text().unwrap(),
            "收到投诉后 24 小时内给予回应。"
        );
        let text = PRESETS[0].1.replace("n = 24", "n = 12");
        let p = Policy::parse(&text).unwrap();
        let first = p
            .clocks
            .iter()
            .find(|c| c.clock == "first_response")
            .unwrap();
        assert_eq!(
            first.public_text().unwrap(),
            "收到投诉后 12 小时内给予回应。"
        );
        p.check_promises(&text).unwrap();
        // A number typed in, not the placeholder: refused on save when n no longer matches.
        let typed = text.replace("收到投诉后 {n} 小时", "收到投诉后 24 小时");
        let e = Policy::parse(&typed)
            .unwrap()
            .check_promises(&typed)
            .unwrap_err();
        assert_eq!(e.field, "clock[4].public");
        assert!(e.message.to_string().contains("24"), "{e:?}");
        let same = PRESETS[0]
            .1
            .replace("收到投诉后 {n} 小时", "收到投诉后 24 小时");
        Policy::parse(&same).unwrap().check_promises(&same).unwrap();
    }
    use crate::calendar::Calendar;
    use crate::hours::ServiceHours;

    #[test]
    fn every_preset_parses() {
        for (name, text) in PRESETS {
            let p = Policy::parse(text).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(p.name, *name);
        }
    }

    #[test]
    fn seed_complaint_sets_the_three_clocks_of_the_design_example() {
        let cal = Calendar::cn_statutory();
        let hours = ServiceHours::default();
        let ctx = Context {
            calendar: &cal,
            hours: &hours,
            tz: chrono_tz::Asia::Shanghai,
        };
        let p = Policy::preset("seed").unwrap();
        let at = DateTime::parse_from_rfc3339("2026-09-30T18:00:00+08:00")
            .unwrap()
            .to_utc();
        let e = explain(&p, "complaint_received", at, &ctx);
        let got: Vec<(&str, String)> = e
            .iter()
            .map(|x| {
                (
                    x.clock.as_str(),
                    x.due
                        .due
                        .with_timezone(&chrono_tz::Asia::Shanghai)
                        .to_rfc3339(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("first_response", "2026-10-01T18:00:00+08:00".to_owned()),
                ("verification", "2026-10-11T00:00:00+08:00".to_owned()),
                ("reply", "2026-10-21T00:00:00+08:00".to_owned()),
            ]
        );
    }

    #[test]
    fn errors_name_the_line_and_field() {
        let bad = "name = \"x\"\ntitle = \"t\"\nsummary = \"s\"\n\n[[clock]]\nclock = \"reply\"\nevent = \"complaint_received\"\nunit = \"weeks\"\nn = 1\nrule = \"r\"\n";
        let e = Policy::parse(bad).unwrap_err();
        assert!(e.line.is_some(), "{e}");
        let bad = bad.replace("weeks", "days").replace("n = 1", "n = 0");
        let e = Policy::parse(&bad).unwrap_err();
        assert_eq!(e.line, Some(5));
        assert_eq!(e.field, "clock[1].n");
        let e = Policy::parse("name = \"Bad Name\"\ntitle = \"t\"\nsummary = \"s\"\n").unwrap_err();
        assert_eq!((e.line, e.field.as_str()), (Some(1), "name"));
        let e = Policy::parse("name = \"x\"\ntitle = \"t\"\nsummary = \"s\"\ncolour = 1\n")
            .unwrap_err();
        assert_eq!(e.line, Some(4), "{e}");
        let soon = bad.replace("n = 0", "n = 3\nsoon = 4");
        let e = Policy::parse(&soon).unwrap_err();
        assert_eq!(e.field, "clock[1].soon");
        assert!(e.message.to_string().contains("1–3"), "{e}");
        let fine = bad.replace("n = 0", "n = 3\nsoon = 2");
        assert_eq!(Policy::parse(&fine).unwrap().clocks[0].soon, Some(2));
    }
}
