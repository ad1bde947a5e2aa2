//! Satisfaction surveys (客户满意度调查, seed 第四章): when a case closes the customer is
//! invited, by a signed link, to rate it once — CSAT 1–5, NPS 0–10, a comment — before the
//! invitation expires.

use chrono::{DateTime, Duration, Utc};

use crate::audit::AuditKey;
use crate::case::parse_text;
use crate::{FieldError, FieldErrors, text};

/// How long an invitation stays open.
pub const VALID_DAYS: i64 = 30;

/// When an invitation made at `invited_at` expires.
pub fn expires_at(invited_at: DateTime<Utc>) -> DateTime<Utc> {
    invited_at + Duration::days(VALID_DAYS)
}

/// The signature in a case's survey link: it names the case and its invitation, so a link
/// opens that survey alone and cannot be made up for another case.
pub fn token(key: &AuditKey, number: &str, invited_at: DateTime<Utc>) -> String {
    let at = invited_at.timestamp_micros().to_string();
    let mac = key.mac(&["survey-link", number, &at]);
    mac[..32].to_owned()
}

/// Does `given` sign the survey of `number` invited at `invited_at`? (Compared in constant
/// time.)
pub fn verify(key: &AuditKey, number: &str, invited_at: DateTime<Utc>, given: &str) -> bool {
    crate::hex::constant_time_eq(&token(key, number, invited_at), given)
}

/// The survey's answer as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct AnswerForm {
    pub csat: String,
    pub nps: String,
    pub comment: String,
}

/// A checked answer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Answer {
    /// 1 (very unsatisfied) to 5 (very satisfied).
    pub csat: u8,
    /// How likely the customer recommends us, 0–10; the question may be left out.
    pub nps: Option<u8>,
    pub comment: String,
}

impl Answer {
    /// Check every field: the satisfaction is required, the recommendation optional.
    pub fn parse(f: &AnswerForm) -> Result<Answer, FieldErrors> {
        let mut errs = FieldErrors::default();
        let csat = errs.check(score(&f.csat, "csat", 1, 5, true));
        let nps = errs.check(score(&f.nps, "nps", 0, 10, false));
        let comment = errs.check(parse_text(&f.comment, "comment"));
        errs.into_result()?;
        match (csat.flatten(), nps, comment) {
            (Some(csat), Some(nps), Some(comment)) => Ok(Answer { csat, nps, comment }),
            _ => Err(FieldErrors::default()),
        }
    }

    /// The net-promoter group of the recommendation: promoter (9–10), passive (7–8),
    /// detractor (0–6).
    pub fn nps_group(&self) -> Option<&'static str> {
        self.nps.map(|n| match n {
            9..=10 => "promoter",
            7..=8 => "passive",
            _ => "detractor",
        })
    }
}

fn score(
    raw: &str,
    field: &'static str,
    min: u8,
    max: u8,
    required: bool,
) -> Result<Option<u8>, FieldError> {
    let s = raw.trim();
    if s.is_empty() {
        return if required {
            Err(FieldError::new(field, "required", text!("survey.required")))
        } else {
            Ok(None)
        };
    }
    match s.parse::<u8>() {
        Ok(n) if (min..=max).contains(&n) => Ok(Some(n)),
        _ => Err(FieldError::new(
            field,
            "range",
            text!("survey.range", min = u32::from(min), max = u32::from(max)),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> AuditKey {
        AuditKey::from_hex(&"ab".repeat(32)).unwrap()
    }

    #[test]
    fn a_link_signs_its_case_and_invitation_alone() {
        let at = DateTime::parse_from_rfc3339("2026-12-07T10:00:00+08:00")
            .unwrap()
            .to_utc();
        let t = token(&key(), "CP-2026-000001", at);
        assert_eq!(t.len(), 32);
        assert!(verify(&key(), "CP-2026-000001", at, &t));
        assert!(!verify(&key(), "CP-2026-000002", at, &t), "another case");
        let later = at + Duration::seconds(1);
        assert!(
            !verify(&key(), "CP-2026-000001", later, &t),
            "another invitation"
        );
        assert!(!verify(&key(), "CP-2026-000001", at, &t[..31]));
        let other = AuditKey::from_hex(&"cd".repeat(32)).unwrap();
        assert!(
            !verify(&other, "CP-2026-000001", at, &t),
            "another installation"
        );
        assert_eq!(expires_at(at) - at, Duration::days(30));
    }

    #[test]
    fn an_answer_needs_its_rating_in_range() {
        let a = Answer::parse(&AnswerForm {
            csat: "4".into(),
            nps: "9".into(),
            comment: " 师傅很专业 ".into(),
        })
        .unwrap();
        assert_eq!(
            (a.csat, a.nps, a.comment.as_str()),
            (4, Some(9), "师傅很专业")
        );
        assert_eq!(a.nps_group(), Some("promoter"));
        let e = Answer::parse(&AnswerForm {
            csat: "".into(),
            nps: "11".into(),
            comment: String::new(),
        })
        .unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|e| e.field.as_ref()).collect();
        assert_eq!(fields, ["csat", "nps"]);
        let no_nps = Answer::parse(&AnswerForm {
            csat: "2".into(),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(no_nps.nps_group(), None);
    }
}
