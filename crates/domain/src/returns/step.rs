//! What each step of a return records, read from its form, and the order the steps keep:
//! approval (退换货审批) → goods back → inspection → refund, exchange or sent back (seed 二.2–二.5).

use serde::{Deserialize, Serialize};

use super::ReturnStep;
use crate::case::{StepForm, required};
use crate::product::unit::parse_serial;
use crate::product::{parse_price, yuan};
use crate::{FieldError, code_enum, text};

code_enum! {
    /// A supervisor's decision on a return request.
    Decision, "decision", "审批结果", "decision" {
        Approved = "approved", "同意退换", "Approved";
        Declined = "declined", "不同意", "Declined";
    }
}

code_enum! {
    /// What the inspection of the returned goods found (seed 二.3: misuse voids the right).
    Inspection, "inspection", "检验结果", "inspection result" {
        Accepted = "accepted", "检验合格", "Accepted";
        Misuse = "misuse", "使用不当，不予退换", "Refused: misuse";
        HumanDamage = "human_damage", "人为损坏，不予退换", "Refused: human damage";
    }
}

code_enum! {
    /// How a return ends.
    Outcome, "outcome", "处理结果", "outcome" {
        Refund = "refund", "退款", "Refund";
        Exchange = "exchange", "换货", "Exchange";
        SentBack = "sent_back", "退回客户", "Sent back to the customer";
    }
}

code_enum! {
    /// How a refund is paid.
    RefundMethod, "method", "退款方式", "refund method" {
        Original = "original", "原路退回", "To the original payment";
        BankTransfer = "bank_transfer", "银行转账", "Bank transfer";
        Cash = "cash", "现金", "Cash";
    }
}

/// The facts of one return step, as its timeline entry keeps them (`step` names it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum ReturnFacts {
    ReturnApproved {
        decision: Decision,
    },
    GoodsReceivedBack {
        packaging_intact: Option<bool>,
    },
    GoodsInspected {
        inspection: Inspection,
    },
    /// Processed; through the API the outcome may be left out (recorded as processed), the
    /// case page always names it.
    ReturnProcessed {
        outcome: Option<Outcome>,
        refund_fen: Option<i64>,
        method: Option<RefundMethod>,
        /// The serial of the unit given in exchange (registered as a new unit).
        new_serial: Option<String>,
    },
}

impl ReturnFacts {
    /// The facts of `step` from its form; a decline or a refused inspection needs its reason
    /// in the note.
    pub fn parse(step: ReturnStep, f: &StepForm) -> Result<ReturnFacts, FieldError> {
        let reason = |why: crate::Text| {
            if f.note.trim().is_empty() {
                Err(FieldError::new("note", "required", why))
            } else {
                Ok(())
            }
        };
        Ok(match step {
            ReturnStep::ReturnApproved => {
                let decision: Decision = required(&f.decision, "decision", "return.decision")?;
                if decision == Decision::Declined {
                    reason(text!("return.decline_reason"))?;
                }
                ReturnFacts::ReturnApproved { decision }
            }
            ReturnStep::GoodsReceivedBack => ReturnFacts::GoodsReceivedBack {
                packaging_intact: match f.packaging_intact.trim() {
                    "" => None,
                    v => Some(crate::import::yes_no(v).ok_or_else(|| {
                        FieldError::new("packaging_intact", "unknown", text!("field.choose"))
                    })?),
                },
            },
            ReturnStep::GoodsInspected => {
                let inspection: Inspection =
                    required(&f.inspection, "inspection", "return.inspection")?;
                if inspection != Inspection::Accepted {
                    reason(text!("return.inspection_reason"))?;
                }
                ReturnFacts::GoodsInspected { inspection }
            }
            ReturnStep::ReturnProcessed => processed(f)?,
        })
    }

    /// The step's line on the timeline, in Chinese.
    pub fn summary(&self) -> String {
        match self {
            ReturnFacts::ReturnApproved { decision } => decision.label_zh().to_owned(),
            ReturnFacts::GoodsReceivedBack { packaging_intact } => match packaging_intact {
                Some(true) => "包装完好".to_owned(),
                Some(false) => "包装不完好".to_owned(),
                None => String::new(),
            },
            ReturnFacts::GoodsInspected { inspection } => inspection.label_zh().to_owned(),
            ReturnFacts::ReturnProcessed {
                outcome,
                refund_fen,
                method,
                new_serial,
            } => match outcome {
                Some(Outcome::Refund) => format!(
                    "退款 ¥{}（{}）",
                    yuan(refund_fen.unwrap_or(0)),
                    method.map_or("", RefundMethod::label_zh)
                ),
                Some(Outcome::Exchange) => {
                    format!("换货，新序列号 {}", new_serial.as_deref().unwrap_or(""))
                }
                Some(Outcome::SentBack) => Outcome::SentBack.label_zh().to_owned(),
                None => String::new(),
            },
        }
    }
}

fn processed(f: &StepForm) -> Result<ReturnFacts, FieldError> {
    let outcome: Option<Outcome> = match f.outcome.trim() {
        "" => None,
        v => Some(v.parse()?),
    };
    let (mut refund_fen, mut method, mut new_serial) = (None, None, None);
    match outcome {
        Some(Outcome::Refund) => {
            let fen = parse_price(&f.refund)
                .map_err(|e| e.on("refund"))?
                .filter(|fen| *fen > 0)
                .ok_or_else(|| FieldError::new("refund", "required", text!("return.refund")))?;
            refund_fen = Some(fen);
            method = Some(required(&f.method, "method", "return.method")?);
        }
        Some(Outcome::Exchange) => {
            if f.new_serial.trim().is_empty() {
                return Err(FieldError::new(
                    "new_serial",
                    "required",
                    text!("return.new_serial"),
                ));
            }
            new_serial = Some(parse_serial(&f.new_serial, "new_serial")?);
        }
        Some(Outcome::SentBack) | None => {}
    }
    Ok(ReturnFacts::ReturnProcessed {
        outcome,
        refund_fen,
        method,
        new_serial,
    })
}

/// May `next` follow the return steps already `recorded`? Inspection comes after the goods are
/// back; a refund or an exchange needs an approval and an accepted inspection; goods are sent
/// back only when the request was declined or the inspection refused them.
pub fn check_order(recorded: &[ReturnFacts], next: &ReturnFacts) -> Result<(), FieldError> {
    let needs = |before: ReturnStep| {
        FieldError::new("step", "needs", text!("step.needs", before = before.arg()))
    };
    let decision = recorded.iter().find_map(|r| match r {
        ReturnFacts::ReturnApproved { decision } => Some(*decision),
        _ => None,
    });
    let inspection = recorded.iter().find_map(|r| match r {
        ReturnFacts::GoodsInspected { inspection } => Some(*inspection),
        _ => None,
    });
    let back = recorded
        .iter()
        .any(|r| matches!(r, ReturnFacts::GoodsReceivedBack { .. }));
    match next {
        ReturnFacts::GoodsInspected { .. } if !back => Err(needs(ReturnStep::GoodsReceivedBack)),
        ReturnFacts::ReturnProcessed {
            outcome: Some(Outcome::Refund | Outcome::Exchange),
            ..
        } => match (decision, inspection) {
            (None, _) => Err(needs(ReturnStep::ReturnApproved)),
            (Some(Decision::Declined), _) => Err(FieldError::new(
                "outcome",
                "declined",
                text!("return.was_declined"),
            )),
            (_, None) => Err(needs(ReturnStep::GoodsInspected)),
            (_, Some(i)) if i != Inspection::Accepted => Err(FieldError::new(
                "outcome",
                "refused",
                text!("return.inspection_refused", result = i.arg()),
            )),
            _ => Ok(()),
        },
        ReturnFacts::ReturnProcessed {
            outcome: Some(Outcome::SentBack),
            ..
        } if decision != Some(Decision::Declined)
            && inspection.is_none_or(|i| i == Inspection::Accepted) =>
        {
            Err(FieldError::new(
                "outcome",
                "accepted",
                text!("return.nothing_refused"),
            ))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(f: impl FnOnce(&mut StepForm)) -> StepForm {
        let mut s = StepForm::default();
        f(&mut s);
        s
    }

    fn approved() -> ReturnFacts {
        ReturnFacts::ReturnApproved {
            decision: Decision::Approved,
        }
    }

    fn inspected(i: Inspection) -> ReturnFacts {
        ReturnFacts::GoodsInspected { inspection: i }
    }

    fn back() -> ReturnFacts {
        ReturnFacts::GoodsReceivedBack {
            packaging_intact: Some(true),
        }
    }

    #[test]
    fn a_refund_names_its_amount_in_fen_and_its_method() {
        let f = form(|f| {
            f.outcome = "refund".into();
            f.refund = "1299.5".into();
            f.method = "original".into();
        });
        let facts = ReturnFacts::parse(ReturnStep::ReturnProcessed, &f).unwrap();
        assert_eq!(facts.summary(), "退款 ¥1299.50（原路退回）");
        let no_amount = form(|f| f.outcome = "refund".into());
        let e = ReturnFacts::parse(ReturnStep::ReturnProcessed, &no_amount).unwrap_err();
        assert_eq!((e.field.as_ref(), e.code), ("refund", "required"));
        let bad = form(|f| {
            f.outcome = "exchange".into();
            f.new_serial = "坏 序列号".into();
        });
        let e = ReturnFacts::parse(ReturnStep::ReturnProcessed, &bad).unwrap_err();
        assert_eq!(e.field, "new_serial");
    }

    #[test]
    fn a_decline_and_a_refused_inspection_give_their_reason() {
        let f = form(|f| f.decision = "declined".into());
        let e = ReturnFacts::parse(ReturnStep::ReturnApproved, &f).unwrap_err();
        assert_eq!(e.field, "note");
        let f = form(|f| f.inspection = "misuse".into());
        assert!(ReturnFacts::parse(ReturnStep::GoodsInspected, &f).is_err());
        let f = form(|f| {
            f.inspection = "misuse".into();
            f.note = "进水".into();
        });
        assert!(ReturnFacts::parse(ReturnStep::GoodsInspected, &f).is_ok());
    }

    #[test]
    fn money_moves_only_after_approval_and_an_accepted_inspection() {
        let refund = ReturnFacts::ReturnProcessed {
            outcome: Some(Outcome::Refund),
            refund_fen: Some(100),
            method: Some(RefundMethod::Cash),
            new_serial: None,
        };
        let sent_back = ReturnFacts::ReturnProcessed {
            outcome: Some(Outcome::SentBack),
            refund_fen: None,
            method: None,
            new_serial: None,
        };
        assert_eq!(check_order(&[back()], &refund).unwrap_err().code, "needs");
        assert_eq!(
            check_order(&[approved(), back()], &refund)
                .unwrap_err()
                .message
                .to_string(),
            "须先记录“退回商品已检验”"
        );
        let refused = [approved(), back(), inspected(Inspection::HumanDamage)];
        assert_eq!(check_order(&refused, &refund).unwrap_err().code, "refused");
        assert!(check_order(&refused, &sent_back).is_ok());
        let ok = [approved(), back(), inspected(Inspection::Accepted)];
        assert!(check_order(&ok, &refund).is_ok());
        assert_eq!(check_order(&ok, &sent_back).unwrap_err().code, "accepted");
        assert_eq!(
            check_order(&[], &inspected(Inspection::Accepted))
                .unwrap_err()
                .code,
            "needs"
        );
        // A bare "processed" (the API's) keeps no order beyond the clock's.
        let bare = ReturnFacts::ReturnProcessed {
            outcome: None,
            refund_fen: None,
            method: None,
            new_serial: None,
        };
        assert!(check_order(&[back()], &bare).is_ok());
    }

    #[test]
    fn facts_read_back_from_the_timeline() {
        let f = ReturnFacts::ReturnProcessed {
            outcome: Some(Outcome::Exchange),
            refund_fen: None,
            method: None,
            new_serial: Some("SN-2".into()),
        };
        let mut v = serde_json::to_value(&f).unwrap();
        v["event"] = "return_processed".into();
        assert_eq!(v["step"], "return_processed");
        assert_eq!(serde_json::from_value::<ReturnFacts>(v).unwrap(), f);
        // An entry written before steps had facts reads as the step with none.
        let old =
            serde_json::json!({"event": "goods_received_back", "step": "goods_received_back"});
        assert_eq!(
            serde_json::from_value::<ReturnFacts>(old).unwrap(),
            ReturnFacts::GoodsReceivedBack {
                packaging_intact: None
            }
        );
    }
}
