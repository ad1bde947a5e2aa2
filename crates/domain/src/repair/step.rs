//! What each step of a repair records — the dispatch (派工: technician, appointment,
//! address), the repair report (seed 4.1.4: cause, process, result), an unrepairable unit's
//! remedy (seed 三.4) — read from its form, and the order the steps keep.

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use super::RepairStep;
use crate::case::{StepForm, parse_text, required, required_text};
use crate::product::unit::parse_date;
use crate::{FieldError, code_enum, text};

code_enum! {
    /// What the customer chooses when the unit cannot be repaired (seed 三.4).
    Remedy, "choice", "客户选择", "customer's choice" {
        Exchange = "exchange", "更换", "Replacement";
        Refund = "refund", "退货退款", "Refund";
    }
}

/// A technician sent with an appointment. Through the API every field may be left out (a
/// dispatching system of its own may hold them); the case page asks for all.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Dispatch {
    pub technician_id: Option<i64>,
    /// The technician's name as it was at dispatch (filled in by the use case).
    pub technician: String,
    pub appointment_on: Option<NaiveDate>,
    /// The time window, `HH:MM-HH:MM`.
    pub slot: String,
    pub address: String,
}

/// The repair report (seed 4.1.4) with what was used and the customer's signature.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RepairReport {
    /// The fault in a few words, as the same fault is named each time (三包 counts repairs of
    /// the same fault).
    pub fault: String,
    pub cause: String,
    pub process: String,
    pub result: String,
    pub parts: String,
    pub labour_minutes: Option<u32>,
    /// The attachment holding the signature the customer drew on the technician's screen.
    pub signature_id: Option<i64>,
}

/// A quote for a repair outside the warranty: the amount in fen and what it covers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Quote {
    pub amount_fen: i64,
    pub items: String,
}

/// The facts of one repair step, as its timeline entry keeps them (`step` names it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum RepairFacts {
    TechnicianDispatched(Dispatch),
    Arrived {},
    RepairCompleted(RepairReport),
    Unrepairable { choice: Remedy },
    QuoteIssued(Quote),
    QuoteAnswered { accepted: bool },
}

impl RepairFacts {
    /// The facts of `step` from its form.
    pub fn parse(step: RepairStep, f: &StepForm) -> Result<RepairFacts, FieldError> {
        Ok(match step {
            RepairStep::TechnicianDispatched => {
                RepairFacts::TechnicianDispatched(parse_dispatch(f)?)
            }
            RepairStep::Arrived => RepairFacts::Arrived {},
            RepairStep::RepairCompleted => RepairFacts::RepairCompleted(report(f)?),
            RepairStep::Unrepairable => {
                let choice = required(&f.choice, "choice", "repair.choice")?;
                if f.note.trim().is_empty() {
                    return Err(FieldError::new(
                        "note",
                        "required",
                        text!("repair.unrepairable_reason"),
                    ));
                }
                RepairFacts::Unrepairable { choice }
            }
            RepairStep::QuoteIssued => {
                let amount_fen = crate::product::parse_price(&f.quote)
                    .map_err(|e| e.on("quote"))?
                    .ok_or_else(|| {
                        FieldError::new(
                            "quote",
                            "required",
                            text!("field.required", what = crate::Text::new("repair.quote")),
                        )
                    })?;
                RepairFacts::QuoteIssued(Quote {
                    amount_fen,
                    items: required_text(&f.parts, "parts", "repair.quote_items")?,
                })
            }
            RepairStep::QuoteAnswered => RepairFacts::QuoteAnswered {
                accepted: match f.accepted.trim() {
                    "yes" | "true" => true,
                    "no" | "false" => false,
                    _ => {
                        return Err(FieldError::new(
                            "accepted",
                            "required",
                            text!("repair.quote_answer"),
                        ));
                    }
                },
            },
        })
    }

    /// The step's line on the timeline, in Chinese.
    pub fn summary(&self) -> String {
        match self {
            RepairFacts::TechnicianDispatched(d) => dispatch_summary(d),
            RepairFacts::Arrived {} => String::new(),
            RepairFacts::RepairCompleted(r) => {
                if r.fault.is_empty() {
                    format!("原因：{}；处理：{}；结果：{}", r.cause, r.process, r.result)
                } else {
                    format!(
                        "故障：{}；原因：{}；处理：{}；结果：{}",
                        r.fault, r.cause, r.process, r.result
                    )
                }
            }
            RepairFacts::Unrepairable { choice } => format!("客户选择{}", choice.label_zh()),
            RepairFacts::QuoteIssued(q) => {
                format!("报价 ¥{}：{}", crate::product::yuan(q.amount_fen), q.items)
            }
            RepairFacts::QuoteAnswered { accepted: true } => "客户接受报价".to_owned(),
            RepairFacts::QuoteAnswered { accepted: false } => "客户不接受报价".to_owned(),
        }
    }
}

/// A dispatch's line on the timeline: who, when, where.
pub fn dispatch_summary(d: &Dispatch) -> String {
    let mut parts = Vec::new();
    if !d.technician.is_empty() {
        parts.push(format!("技术员 {}", d.technician));
    }
    if let Some(day) = d.appointment_on {
        parts.push(format!("预约 {day} {}", d.slot).trim_end().to_owned());
    }
    if !d.address.is_empty() {
        parts.push(format!("地址 {}", d.address));
    }
    parts.join("，")
}

/// A dispatch's fields from its form (each may be left out; see [`Dispatch`]).
pub fn parse_dispatch(f: &StepForm) -> Result<Dispatch, FieldError> {
    let technician_id = match f.technician_id.trim() {
        "" => None,
        v => Some(
            v.parse::<i64>()
                .map_err(|_| FieldError::new("technician_id", "unknown", text!("field.choose")))?,
        ),
    };
    let appointment_on = match f.appointment_on.trim() {
        "" => None,
        v => Some(parse_date(v, "appointment_on")?),
    };
    let slot = f.slot.trim().replace('–', "-");
    if !slot.is_empty() {
        parse_slot(&slot)?;
    }
    let address = parse_text(&f.address, "address")?;
    if address.chars().count() > 200 {
        return Err(FieldError::new(
            "address",
            "too_long",
            text!("field.text_too_long", max = 200),
        ));
    }
    Ok(Dispatch {
        technician_id,
        technician: String::new(),
        appointment_on,
        slot,
        address,
    })
}

/// A time window `HH:MM-HH:MM`, its end after its start.
pub fn parse_slot(slot: &str) -> Result<(NaiveTime, NaiveTime), FieldError> {
    let bad = || FieldError::new("slot", "invalid", text!("repair.slot_format"));
    let (a, b) = slot.split_once('-').ok_or_else(bad)?;
    let t = |s: &str| NaiveTime::parse_from_str(s.trim(), "%H:%M").map_err(|_| bad());
    let (from, to) = (t(a)?, t(b)?);
    if to <= from {
        return Err(bad());
    }
    Ok((from, to))
}

fn report(f: &StepForm) -> Result<RepairReport, FieldError> {
    let labour_minutes = match f.labour_minutes.trim() {
        "" => None,
        v => Some(
            v.parse::<u32>()
                .ok()
                .filter(|m| (1..=1440).contains(m))
                .ok_or_else(|| {
                    FieldError::new("labour_minutes", "range", text!("repair.labour_range"))
                })?,
        ),
    };
    Ok(RepairReport {
        fault: super::parse_fault(&f.fault)?,
        cause: required_text(&f.cause, "cause", "repair.cause")?,
        process: required_text(&f.process, "process", "repair.process")?,
        result: required_text(&f.result, "result", "repair.result")?,
        parts: parse_text(&f.parts, "parts")?,
        labour_minutes,
        signature_id: None,
    })
}

/// May `next` follow the repair steps already `recorded`? Arriving, the report and
/// "unrepairable" come after a dispatch; a repair ends once, repaired or not.
pub fn check_order(recorded: &[RepairFacts], next: &RepairFacts) -> Result<(), FieldError> {
    let dispatched = recorded
        .iter()
        .any(|r| matches!(r, RepairFacts::TechnicianDispatched(_)));
    let ended = recorded.iter().any(|r| {
        matches!(
            r,
            RepairFacts::RepairCompleted(_) | RepairFacts::Unrepairable { .. }
        )
    });
    match next {
        RepairFacts::TechnicianDispatched(_) => Ok(()),
        _ if !dispatched => Err(FieldError::new(
            "step",
            "needs",
            text!(
                "step.needs",
                before = RepairStep::TechnicianDispatched.arg()
            ),
        )),
        RepairFacts::RepairCompleted(_) | RepairFacts::Unrepairable { .. } if ended => {
            Err(FieldError::new("step", "ended", text!("repair.ended")))
        }
        _ => Ok(()),
    }
}

/// The quote rule (free inside the warranty; outside, a quote the customer accepts before
/// work starts): `in_warranty` is the unit's on the day, `None` when the case names no unit.
/// A quote is not given inside the warranty, an answer needs a quote, and a repair outside
/// the warranty is completed only after the customer accepted.
pub fn check_quote(
    recorded: &[RepairFacts],
    next: &RepairFacts,
    in_warranty: Option<bool>,
) -> Result<(), FieldError> {
    let quoted = recorded
        .iter()
        .any(|r| matches!(r, RepairFacts::QuoteIssued(_)));
    let accepted = recorded
        .iter()
        .any(|r| matches!(r, RepairFacts::QuoteAnswered { accepted: true }));
    match next {
        RepairFacts::QuoteIssued(_) if in_warranty == Some(true) => Err(FieldError::new(
            "step",
            "in_warranty",
            text!("repair.free_in_warranty"),
        )),
        RepairFacts::QuoteAnswered { .. } if !quoted => Err(FieldError::new(
            "step",
            "needs",
            text!("step.needs", before = RepairStep::QuoteIssued.arg()),
        )),
        RepairFacts::RepairCompleted(_) if in_warranty == Some(false) && !accepted => Err(
            FieldError::new("step", "needs_quote", text!("repair.quote_first")),
        ),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outside_the_warranty_the_customer_accepts_a_quote_before_the_repair() {
        let report = RepairFacts::RepairCompleted(RepairReport::default());
        let quote = RepairFacts::QuoteIssued(Quote {
            amount_fen: 35_000,
            items: "更换压缩机启动电容、人工".into(),
        });
        let yes = RepairFacts::QuoteAnswered { accepted: true };
        let no = RepairFacts::QuoteAnswered { accepted: false };
        // Inside the warranty: free, and no quote is given.
        assert!(check_quote(&[], &report, Some(true)).is_ok());
        assert_eq!(
            check_quote(&[], &quote, Some(true)).unwrap_err().code,
            "in_warranty"
        );
        // Outside: quote, answer, then the work.
        assert_eq!(
            check_quote(&[], &report, Some(false)).unwrap_err().code,
            "needs_quote"
        );
        assert_eq!(
            check_quote(&[], &yes, Some(false)).unwrap_err().code,
            "needs"
        );
        assert!(check_quote(&[], &quote, Some(false)).is_ok());
        let declined = [quote.clone(), no];
        assert!(check_quote(&declined, &report, Some(false)).is_err());
        let agreed = [quote.clone(), yes];
        assert!(check_quote(&agreed, &report, Some(false)).is_ok());
        // No unit named: nothing to check against.
        assert!(check_quote(&[], &report, None).is_ok());
    }

    #[test]
    fn a_quote_names_its_amount_and_items_and_the_answer_is_yes_or_no() {
        let f = form(|f| {
            f.quote = "350".into();
            f.parts = "启动电容、人工".into();
        });
        let q = RepairFacts::parse(RepairStep::QuoteIssued, &f).unwrap();
        assert_eq!(q.summary(), "报价 ¥350.00：启动电容、人工");
        let e = RepairFacts::parse(RepairStep::QuoteIssued, &form(|f| f.quote = "3.501".into()));
        assert_eq!(e.unwrap_err().field, "quote");
        let e = RepairFacts::parse(RepairStep::QuoteAnswered, &StepForm::default());
        assert_eq!(e.unwrap_err().field, "accepted");
    }

    fn form(f: impl FnOnce(&mut StepForm)) -> StepForm {
        let mut s = StepForm::default();
        f(&mut s);
        s
    }

    #[test]
    fn a_dispatch_reads_its_appointment() {
        let f = form(|f| {
            f.technician_id = "7".into();
            f.appointment_on = "2026-12-08".into();
            f.slot = "09:00–12:00".into();
            f.address = "上海市浦东新区世纪大道100号".into();
        });
        let RepairFacts::TechnicianDispatched(d) =
            RepairFacts::parse(RepairStep::TechnicianDispatched, &f).unwrap()
        else {
            panic!("not a dispatch");
        };
        assert_eq!((d.technician_id, d.slot.as_str()), (Some(7), "09:00-12:00"));
        let late = form(|f| f.slot = "12:00-09:00".into());
        let e = RepairFacts::parse(RepairStep::TechnicianDispatched, &late).unwrap_err();
        assert_eq!(e.field, "slot");
        // The API may send the step alone.
        assert!(RepairFacts::parse(RepairStep::TechnicianDispatched, &StepForm::default()).is_ok());
    }

    #[test]
    fn the_report_names_cause_process_and_result() {
        let e = RepairFacts::parse(RepairStep::RepairCompleted, &StepForm::default()).unwrap_err();
        assert_eq!(
            (e.field.as_ref(), e.message.to_string()),
            ("fault", "请填写故障类别".into())
        );
        let f = form(|f| {
            f.fault = "不制冷".into();
            f.cause = "压缩机启动电容老化".into();
            f.process = "更换启动电容".into();
            f.result = "制冷恢复正常".into();
            f.labour_minutes = "90".into();
        });
        let facts = RepairFacts::parse(RepairStep::RepairCompleted, &f).unwrap();
        assert_eq!(
            facts.summary(),
            "故障：不制冷；原因：压缩机启动电容老化；处理：更换启动电容；结果：制冷恢复正常"
        );
        let f = form(|f| f.labour_minutes = "0".into());
        assert!(RepairFacts::parse(RepairStep::RepairCompleted, &f).is_err());
    }

    #[test]
    fn a_repair_ends_once_and_only_after_a_dispatch() {
        let done = RepairFacts::RepairCompleted(RepairReport::default());
        assert_eq!(check_order(&[], &done).unwrap_err().code, "needs");
        let sent = [RepairFacts::TechnicianDispatched(Dispatch::default())];
        assert!(check_order(&sent, &done).is_ok());
        let over = [sent[0].clone(), done.clone()];
        let no = RepairFacts::Unrepairable {
            choice: Remedy::Refund,
        };
        assert_eq!(check_order(&over, &no).unwrap_err().code, "ended");
        let f = form(|f| f.choice = "exchange".into());
        assert_eq!(
            RepairFacts::parse(RepairStep::Unrepairable, &f)
                .unwrap_err()
                .field,
            "note"
        );
    }
}
