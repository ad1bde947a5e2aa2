//! Moving a case between states, and what resolving and closing must record.

use chrono::{DateTime, Utc};

use super::{Kind, Satisfaction, State};
use crate::text::Text;
use crate::{FieldError, text};

/// Why an action is refused by a rule (answered 422): a stable code and the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Refused {
    pub code: &'static str,
    pub message: Text,
}

impl Refused {
    pub fn new(code: &'static str, message: Text) -> Self {
        Self { code, message }
    }
}

/// Days after resolution or closing in which a customer may reopen (policy default).
pub const REOPEN_DAYS: i64 = 30;

/// Check `from → to` for a case of `kind`. `resolved_at`: when it was last resolved (for the
/// reopen window).
pub fn check_transition(
    kind: Kind,
    from: State,
    to: State,
    resolved_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<(), Refused> {
    use State::*;
    if from == to {
        return Err(Refused::new(
            "same_state",
            text!("case.same_state", state = to.arg()),
        ));
    }
    let allowed = match from {
        New => matches!(to, InProgress | WaitingCustomer | Resolved | Cancelled),
        InProgress => matches!(to, WaitingCustomer | Resolved | Cancelled),
        WaitingCustomer => matches!(to, InProgress | Resolved | Cancelled),
        Resolved => matches!(to, Closed | InProgress),
        Closed => matches!(to, InProgress),
        Cancelled => false,
    };
    if !allowed {
        return Err(Refused::new(
            "illegal_transition",
            text!(
                "case.illegal_transition",
                kind = kind.arg(),
                from = from.arg(),
                to = to.arg()
            ),
        ));
    }
    if matches!(from, Resolved | Closed) && to == InProgress {
        let Some(at) = resolved_at else {
            return Err(Refused::new(
                "reopen_window",
                text!("case.reopen_no_resolution"),
            ));
        };
        let ends = at + chrono::Duration::days(REOPEN_DAYS);
        if now > ends {
            return Err(Refused::new(
                "reopen_window",
                text!(
                    "case.reopen_window",
                    days = REOPEN_DAYS,
                    until = ends.format("%Y-%m-%d").to_string()
                ),
            ));
        }
    }
    Ok(())
}

/// The states a case may move to now: what a page offers (and nothing the rules refuse).
pub fn allowed_moves(
    kind: Kind,
    from: State,
    resolved_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Vec<State> {
    State::ALL
        .iter()
        .copied()
        .filter(|to| check_transition(kind, from, *to, resolved_at, now).is_ok())
        .collect()
}

/// What resolving and closing must record: a resolution summary to resolve; to close, the
/// customer's satisfaction as confirmed with them and the precautions they were told.
pub fn check_closing(
    to: State,
    resolution: &str,
    satisfaction: Option<Satisfaction>,
    precautions: &str,
) -> Result<(), FieldError> {
    match to {
        State::Resolved if resolution.trim().is_empty() => Err(FieldError::new(
            "resolution",
            "required",
            text!("case.resolution_required"),
        )),
        State::Closed if satisfaction.is_none() => Err(FieldError::new(
            "satisfaction",
            "required",
            text!("case.satisfaction_required"),
        )),
        State::Closed
            if precautions.trim().is_empty() && satisfaction != Some(Satisfaction::Unreachable) =>
        {
            Err(FieldError::new(
                "precautions",
                "required",
                text!("case.precautions_required"),
            ))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn legal_and_illegal_transitions_for_every_kind() {
        use State::*;
        let now = t("2026-10-01T10:00:00Z");
        for kind in Kind::ALL {
            for (from, to) in [
                (New, InProgress),
                (InProgress, WaitingCustomer),
                (WaitingCustomer, InProgress),
                (InProgress, Resolved),
                (Resolved, Closed),
                (New, Cancelled),
            ] {
                assert!(
                    check_transition(*kind, from, to, Some(now), now).is_ok(),
                    "{kind} {from}→{to}"
                );
            }
            for (from, to) in [
                (Cancelled, InProgress),
                (Closed, Resolved),
                (New, Closed),
                (WaitingCustomer, Closed),
                (Resolved, Cancelled),
            ] {
                let e = check_transition(*kind, from, to, Some(now), now).unwrap_err();
                assert_eq!(e.code, "illegal_transition", "{kind} {from}→{to}");
            }
        }
        let e = check_transition(Kind::Repair, New, Closed, None, now).unwrap_err();
        assert_eq!(e.message.to_string(), "维修服务单不能从“新建”变为“已关闭”");
    }

    #[test]
    fn reopening_only_within_the_window() {
        let resolved = t("2026-09-01T10:00:00Z");
        assert!(
            check_transition(
                Kind::Repair,
                State::Closed,
                State::InProgress,
                Some(resolved),
                t("2026-09-20T10:00:00Z")
            )
            .is_ok()
        );
        let e = check_transition(
            Kind::Repair,
            State::Closed,
            State::InProgress,
            Some(resolved),
            t("2026-10-02T10:00:00Z"),
        )
        .unwrap_err();
        assert_eq!(e.code, "reopen_window");
    }

    #[test]
    fn the_moves_offered_are_the_moves_allowed() {
        let now = t("2026-10-01T10:00:00Z");
        assert_eq!(
            allowed_moves(Kind::Complaint, State::New, None, now),
            [
                State::InProgress,
                State::WaitingCustomer,
                State::Resolved,
                State::Cancelled
            ]
        );
        assert!(allowed_moves(Kind::Complaint, State::Cancelled, None, now).is_empty());
        assert!(allowed_moves(Kind::Repair, State::Closed, None, now).is_empty());
    }

    #[test]
    fn resolving_and_closing_record_what_the_regulations_ask() {
        assert!(check_closing(State::Resolved, "", None, "").is_err());
        assert!(check_closing(State::Resolved, "已更换主板", None, "").is_ok());
        assert_eq!(
            check_closing(State::Closed, "", None, "")
                .unwrap_err()
                .field,
            "satisfaction"
        );
        assert_eq!(
            check_closing(State::Closed, "", Some(Satisfaction::Satisfied), "")
                .unwrap_err()
                .field,
            "precautions"
        );
        assert!(
            check_closing(
                State::Closed,
                "",
                Some(Satisfaction::Satisfied),
                "勿用湿手触摸"
            )
            .is_ok()
        );
        assert!(check_closing(State::Closed, "", Some(Satisfaction::Unreachable), "").is_ok());
        assert!(check_closing(State::InProgress, "", None, "").is_ok());
    }
}
