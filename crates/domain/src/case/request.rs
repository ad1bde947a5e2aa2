//! What a return or a repair request states when it is logged (seed 二.2: 消费者须提供购买凭证，
//! 并确保商品的原始包装完好无损; 三.3 and 4.1.1: the fault, and when it started): the reason for
//! a return, the proof of purchase, the packaging, the day the fault began.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::Kind;
use crate::product::unit::parse_date;
use crate::{FieldError, FieldErrors, code_enum, text};

code_enum! {
    /// Why the customer wants to return or exchange the goods.
    ReturnReason, "return_reason", "退换货原因", "reason for the return" {
        Quality = "quality", "质量问题", "Quality problem";
        NotAsDescribed = "not_as_described", "与描述不符", "Not as described";
        /// Only where the unit's policy grants it (七日无理由).
        NoReason = "no_reason", "无理由退货", "No reason";
    }
}

/// The request's fields as typed (every one may be left empty through the API).
#[derive(Debug, Clone, Default)]
pub struct RequestForm {
    pub return_reason: String,
    /// The invoice number the customer gives as proof of purchase.
    pub proof_invoice: String,
    /// `yes` / `no` / empty.
    pub packaging_intact: String,
    /// `YYYY-MM-DD`.
    pub fault_started_on: String,
}

/// The request as its case keeps it (on the intake entry of the timeline).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Request {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<ReturnReason>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub invoice_no: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub packaging_intact: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fault_started_on: Option<NaiveDate>,
}

impl Request {
    /// The request of a case of `kind` logged on `received_on`: a return's reason, proof and
    /// packaging; a repair's first day of the fault (not after the case, not before the
    /// sale). Other kinds state none of these.
    pub fn parse(
        kind: Kind,
        f: &RequestForm,
        received_on: NaiveDate,
    ) -> Result<Option<Request>, FieldErrors> {
        let mut errs = FieldErrors::default();
        let mut r = Request::default();
        match kind {
            Kind::Return => {
                r.reason = match f.return_reason.trim() {
                    "" => None,
                    v => errs.check(v.parse::<ReturnReason>()),
                };
                r.invoice_no = f.proof_invoice.trim().to_owned();
                if r.invoice_no.chars().count() > 40 {
                    errs.push(FieldError::new(
                        "proof_invoice",
                        "too_long",
                        text!(
                            "field.too_long",
                            what = crate::Text::new("label.invoice_no"),
                            max = 40
                        ),
                    ));
                }
                r.packaging_intact = match f.packaging_intact.trim() {
                    "" => None,
                    "yes" | "true" => Some(true),
                    "no" | "false" => Some(false),
                    _ => {
                        errs.push(FieldError::new(
                            "packaging_intact",
                            "unknown",
                            text!("request.packaging_unknown"),
                        ));
                        None
                    }
                };
            }
            Kind::Repair if !f.fault_started_on.trim().is_empty() => {
                match parse_date(&f.fault_started_on, "fault_started_on") {
                    Ok(d) if d > received_on => errs.push(FieldError::new(
                        "fault_started_on",
                        "future",
                        text!("request.fault_after_report"),
                    )),
                    Ok(d) => r.fault_started_on = Some(d),
                    Err(e) => errs.push(e),
                }
            }
            _ => {}
        }
        errs.into_result()?;
        Ok((r != Request::default()).then_some(r))
    }

    /// A fault cannot start before the unit was sold.
    pub fn check_sale(&self, sold_on: NaiveDate) -> Result<(), FieldError> {
        match self.fault_started_on {
            Some(d) if d < sold_on => Err(FieldError::new(
                "fault_started_on",
                "before_sale",
                text!("request.fault_before_sale", sold_on = sold_on.to_string()),
            )),
            _ => Ok(()),
        }
    }

    /// A no-reason return only where the policy grants one.
    pub fn check_policy(&self, policy: &crate::policy::Policy) -> Result<(), FieldError> {
        if self.reason == Some(ReturnReason::NoReason) && !policy.no_reason_returns {
            return Err(FieldError::new(
                "return_reason",
                "not_allowed",
                text!(
                    "request.no_reason_not_allowed",
                    policy = policy.title.clone()
                ),
            ));
        }
        Ok(())
    }

    /// The request in a line for the timeline, in Chinese.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        if let Some(r) = self.reason {
            parts.push(format!("原因：{}", r.label_zh()));
        }
        if !self.invoice_no.is_empty() {
            parts.push(format!("购买凭证：发票 {}", self.invoice_no));
        }
        match self.packaging_intact {
            Some(true) => parts.push("原包装完好".to_owned()),
            Some(false) => parts.push("原包装不完好".to_owned()),
            None => {}
        }
        if let Some(d) = self.fault_started_on {
            parts.push(format!("故障始于 {d}"));
        }
        parts.join("；")
    }
}

/// The request a case's intake entry keeps, among its timeline entries (kind, data).
pub fn request_of<'a>(
    entries: impl IntoIterator<Item = (super::EventKind, &'a str)>,
) -> Option<Request> {
    let (_, data) = entries
        .into_iter()
        .find(|(k, _)| *k == super::EventKind::Created)?;
    let v: serde_json::Value = serde_json::from_str(data).ok()?;
    serde_json::from_value(v.get("request")?.clone()).ok()
}

/// Has the customer shown proof of purchase: an invoice number on the request or on the
/// unit's sale, or a receipt attached to the case?
pub fn has_proof(request: Option<&Request>, unit_invoice: &str, attachments: usize) -> bool {
    request.is_some_and(|r| !r.invoice_no.is_empty())
        || !unit_invoice.trim().is_empty()
        || attachments > 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_return_states_its_reason_proof_and_packaging() {
        let f = RequestForm {
            return_reason: "quality".into(),
            proof_invoice: " 044001900111 ".into(),
            packaging_intact: "yes".into(),
            ..RequestForm::default()
        };
        let r = Request::parse(Kind::Return, &f, d("2026-02-25"))
            .unwrap()
            .unwrap();
        assert_eq!(r.reason, Some(ReturnReason::Quality));
        assert_eq!(
            r.summary(),
            "原因：质量问题；购买凭证：发票 044001900111；原包装完好"
        );
        let bad = RequestForm {
            return_reason: "bored".into(),
            packaging_intact: "maybe".into(),
            ..RequestForm::default()
        };
        let e = Request::parse(Kind::Return, &bad, d("2026-02-25")).unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|e| e.field.as_ref()).collect();
        assert_eq!(fields, ["return_reason", "packaging_intact"]);
        // Nothing stated is no request at all.
        let none = Request::parse(Kind::Return, &RequestForm::default(), d("2026-02-25"));
        assert_eq!(none.unwrap(), None);
    }

    #[test]
    fn a_fault_starts_between_the_sale_and_the_report() {
        let f = |day: &str| RequestForm {
            fault_started_on: day.into(),
            ..RequestForm::default()
        };
        let r = Request::parse(Kind::Repair, &f("2026-10-08"), d("2026-10-09"))
            .unwrap()
            .unwrap();
        assert_eq!(r.summary(), "故障始于 2026-10-08");
        assert!(r.check_sale(d("2026-10-01")).is_ok());
        assert_eq!(
            r.check_sale(d("2026-10-09")).unwrap_err().code,
            "before_sale"
        );
        let e = Request::parse(Kind::Repair, &f("2026-10-10"), d("2026-10-09")).unwrap_err();
        assert_eq!(e.0[0].field, "fault_started_on");
    }

    #[test]
    fn no_reason_returns_need_a_policy_that_grants_them() {
        let r = Request {
            reason: Some(ReturnReason::NoReason),
            ..Request::default()
        };
        let seed = crate::policy::Policy::preset("seed").unwrap();
        let online = crate::policy::Policy::preset("cn-online-7day").unwrap();
        assert_eq!(r.check_policy(&seed).unwrap_err().field, "return_reason");
        assert!(r.check_policy(&online).is_ok());
    }

    #[test]
    fn the_request_is_read_back_from_the_intake_entry() {
        use crate::case::EventKind;
        let data = r#"{"state":"new","request":{"reason":"quality","invoice_no":"A1"}}"#;
        let r = request_of([(EventKind::Created, data)]).unwrap();
        assert_eq!(
            (r.reason, r.invoice_no.as_str()),
            (Some(ReturnReason::Quality), "A1")
        );
        assert_eq!(
            request_of([(EventKind::Created, r#"{"state":"new"}"#)]),
            None
        );
    }

    #[test]
    fn proof_is_an_invoice_on_the_request_or_the_sale_or_a_receipt() {
        let with = Request {
            invoice_no: "12345678".into(),
            ..Request::default()
        };
        assert!(has_proof(Some(&with), "", 0));
        assert!(has_proof(None, "INV-1", 0));
        assert!(has_proof(None, "", 1));
        assert!(!has_proof(None, " ", 0));
    }
}
