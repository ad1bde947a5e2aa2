//! What each complaint step records, read from its form, and the order the steps keep: the
//! reply answers what was verified, and a schedule is promised before the reply it leads to.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::ComplaintStep;
use crate::case::{StepForm, required, required_text};
use crate::product::unit::parse_date;
use crate::{FieldError, code_enum, text};

code_enum! {
    /// How the customer was reached or answered.
    Via, "via", "联系方式", "contact channel" {
        Phone = "phone", "电话", "Phone";
        Letter = "letter", "书面函件", "Letter";
        Email = "email", "电子邮件", "Email";
        Sms = "sms", "短信", "Text message";
        Wechat = "wechat", "微信", "WeChat";
        Visit = "visit", "上门", "Visit";
    }
}

/// A contact that reached the complainant: how, and what was said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub via: Via,
    pub response: String,
}

/// The initial verification: was the complaint substantiated, and what was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verification {
    pub substantiated: bool,
    pub findings: String,
}

/// The schedule told to the customer: by when, and what will be done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    pub promised_on: NaiveDate,
    pub plan: String,
}

/// The answer given to the customer, and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reply {
    pub via: Via,
    pub reply: String,
}

/// The facts of one complaint step, as its timeline entry keeps them (`step` names it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum ComplaintFacts {
    FirstResponseSent(Contact),
    ComplaintVerified(Verification),
    SchedulePromised(Schedule),
    ComplaintReplied(Reply),
}

/// A yes/no choice (`yes`/`no`, or `true`/`false` as the API sends it).
fn yes_no(raw: &str, field: &'static str, what: &'static str) -> Result<bool, FieldError> {
    match raw.trim() {
        "yes" | "true" => Ok(true),
        "no" | "false" => Ok(false),
        "" => Err(FieldError::new(
            field,
            "required",
            text!("field.required", what = crate::Text::new(what)),
        )),
        _ => Err(FieldError::new(field, "invalid", text!("complaint.yes_no"))),
    }
}

impl ComplaintFacts {
    /// The facts of `step` from its form: each step's own fields, all required.
    pub fn parse(step: ComplaintStep, f: &StepForm) -> Result<ComplaintFacts, FieldError> {
        Ok(match step {
            ComplaintStep::FirstResponseSent => ComplaintFacts::FirstResponseSent(Contact {
                via: required(&f.via, "via", "complaint.via")?,
                response: required_text(&f.response, "response", "complaint.response")?,
            }),
            ComplaintStep::ComplaintVerified => ComplaintFacts::ComplaintVerified(Verification {
                substantiated: yes_no(
                    &f.substantiated,
                    "substantiated",
                    "complaint.substantiated",
                )?,
                findings: required_text(&f.findings, "findings", "complaint.findings")?,
            }),
            ComplaintStep::SchedulePromised => ComplaintFacts::SchedulePromised(Schedule {
                promised_on: parse_date(
                    &required_text(&f.promised_on, "promised_on", "complaint.promised_on")?,
                    "promised_on",
                )?,
                plan: required_text(&f.plan, "plan", "complaint.plan")?,
            }),
            ComplaintStep::ComplaintReplied => ComplaintFacts::ComplaintReplied(Reply {
                via: required(&f.via, "via", "complaint.via")?,
                reply: required_text(&f.reply, "reply", "complaint.reply")?,
            }),
        })
    }

    /// The step's line on the timeline, in Chinese.
    pub fn summary(&self) -> String {
        match self {
            ComplaintFacts::FirstResponseSent(c) => {
                format!("{}联系客户：{}", c.via.label_zh(), c.response)
            }
            ComplaintFacts::ComplaintVerified(v) => {
                let found = if v.substantiated {
                    "投诉属实"
                } else {
                    "投诉不属实"
                };
                format!("{found}；核实情况：{}", v.findings)
            }
            ComplaintFacts::SchedulePromised(s) => {
                format!("已告知客户在 {} 前：{}", s.promised_on, s.plan)
            }
            ComplaintFacts::ComplaintReplied(r) => {
                format!("经{}答复客户：{}", r.via.label_zh(), r.reply)
            }
        }
    }
}

/// The furthest a schedule may be promised.
pub const MAX_PROMISE_DAYS: u64 = 366;

/// A schedule is promised for today or later (`today` in the company's timezone), within a
/// year.
pub fn check_schedule(s: &Schedule, today: NaiveDate) -> Result<(), FieldError> {
    let latest = today.checked_add_days(chrono::Days::new(MAX_PROMISE_DAYS));
    if latest.is_some_and(|l| s.promised_on > l) {
        return Err(FieldError::new(
            "promised_on",
            "too_far",
            text!("complaint.promised_far"),
        ));
    }
    if s.promised_on < today {
        return Err(FieldError::new(
            "promised_on",
            "past",
            text!("complaint.promised_past", today = today.to_string()),
        ));
    }
    Ok(())
}

/// May `next` follow the complaint steps already `recorded`? The reply answers the
/// verification; a schedule leads to a reply not yet given.
pub fn check_order(recorded: &[ComplaintFacts], next: &ComplaintFacts) -> Result<(), FieldError> {
    let needs = |before: ComplaintStep| {
        FieldError::new("step", "needs", text!("step.needs", before = before.arg()))
    };
    let verified = recorded
        .iter()
        .any(|r| matches!(r, ComplaintFacts::ComplaintVerified(_)));
    let replied = recorded
        .iter()
        .any(|r| matches!(r, ComplaintFacts::ComplaintReplied(_)));
    match next {
        ComplaintFacts::ComplaintReplied(_) if !verified => {
            Err(needs(ComplaintStep::ComplaintVerified))
        }
        ComplaintFacts::SchedulePromised(_) if replied => Err(FieldError::new(
            "step",
            "replied",
            text!("complaint.replied_already"),
        )),
        _ => Ok(()),
    }
}
