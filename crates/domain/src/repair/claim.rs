//! Supplier claims (供货方索赔, seed 二.3: 供货方的维修条款): a cost the supplier's quality
//! agreement covers is claimed back from them and tracked until it is settled or refused.

use serde::Serialize;

use crate::product::{parse_price, yuan};
use crate::{FieldError, code_enum, text};

code_enum! {
    /// Where a claim against the supplier stands.
    ClaimState, "state", "索赔状态", "claim state" {
        /// Booked to the supplier, not yet sent.
        Open = "open", "待索赔", "To claim";
        Claimed = "claimed", "已提交", "Claimed";
        Settled = "settled", "已结算", "Settled";
        Rejected = "rejected", "被拒绝", "Rejected";
    }
}

impl ClaimState {
    /// Still waiting on us or on the supplier.
    pub fn is_open(self) -> bool {
        matches!(self, ClaimState::Open | ClaimState::Claimed)
    }
}

/// A change to a claim as typed.
#[derive(Debug, Clone, Default)]
pub struct ClaimForm {
    pub state: String,
    /// The supplier's claim or credit-note number.
    pub reference: String,
    /// What the supplier paid, in yuan (settling).
    pub settled: String,
    pub note: String,
}

/// A checked change: the new state and what it records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClaimUpdate {
    pub state: ClaimState,
    pub reference: String,
    pub settled_fen: Option<i64>,
    pub note: String,
}

impl ClaimUpdate {
    /// The next step of a claim now in `current` for `amount_fen`: sent with the supplier's
    /// reference; then settled with what was paid (at most the amount claimed) or refused
    /// with the reason. A settled or refused claim is over.
    pub fn parse(
        current: ClaimState,
        amount_fen: i64,
        f: &ClaimForm,
    ) -> Result<ClaimUpdate, FieldError> {
        let state: ClaimState = crate::case::required(&f.state, "state", "claim.state")?;
        let note = crate::case::parse_text(&f.note, "note")?;
        let allowed = matches!(
            (current, state),
            (ClaimState::Open, ClaimState::Claimed)
                | (
                    ClaimState::Claimed,
                    ClaimState::Settled | ClaimState::Rejected
                )
        );
        if !allowed {
            return Err(FieldError::new(
                "state",
                "order",
                text!("claim.order", from = current.arg(), to = state.arg()),
            ));
        }
        let reference = f.reference.trim().to_owned();
        if state == ClaimState::Claimed && reference.is_empty() {
            return Err(FieldError::new(
                "reference",
                "required",
                text!("claim.reference_required"),
            ));
        }
        if reference.chars().count() > 60 {
            return Err(FieldError::new(
                "reference",
                "too_long",
                text!("field.text_too_long", max = 60),
            ));
        }
        let settled_fen = match state {
            ClaimState::Settled => {
                let paid = parse_price(&f.settled)
                    .map_err(|e| e.on("settled"))?
                    .ok_or_else(|| {
                        FieldError::new("settled", "required", text!("claim.settled_required"))
                    })?;
                if paid > amount_fen {
                    return Err(FieldError::new(
                        "settled",
                        "too_much",
                        text!("claim.settled_too_much", amount = yuan(amount_fen)),
                    ));
                }
                Some(paid)
            }
            _ => None,
        };
        if state == ClaimState::Rejected && note.is_empty() {
            return Err(FieldError::new(
                "note",
                "required",
                text!("claim.reason_required"),
            ));
        }
        Ok(ClaimUpdate {
            state,
            reference,
            settled_fen,
            note,
        })
    }

    /// The change in a line for the case's timeline, in Chinese.
    pub fn summary(&self, amount_fen: i64) -> String {
        match self.state {
            ClaimState::Claimed => format!(
                "已向供货方提交索赔 ¥{}（索赔单号 {}）",
                yuan(amount_fen),
                self.reference
            ),
            ClaimState::Settled => {
                format!("供货方已结算索赔 ¥{}", yuan(self.settled_fen.unwrap_or(0)))
            }
            ClaimState::Rejected => format!("供货方拒绝索赔：{}", self.note),
            ClaimState::Open => String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(state: &str, reference: &str, settled: &str, note: &str) -> ClaimForm {
        ClaimForm {
            state: state.into(),
            reference: reference.into(),
            settled: settled.into(),
            note: note.into(),
        }
    }

    #[test]
    fn a_claim_is_sent_then_settled_or_refused() {
        let sent = ClaimUpdate::parse(
            ClaimState::Open,
            35_000,
            &form("claimed", "GY-2026-118", "", ""),
        )
        .unwrap();
        assert_eq!(
            sent.summary(35_000),
            "已向供货方提交索赔 ¥350.00（索赔单号 GY-2026-118）"
        );
        let paid = ClaimUpdate::parse(ClaimState::Claimed, 35_000, &form("settled", "", "300", ""))
            .unwrap();
        assert_eq!(paid.settled_fen, Some(30_000));
        let refused = ClaimUpdate::parse(
            ClaimState::Claimed,
            35_000,
            &form("rejected", "", "", "超出质保期"),
        );
        assert_eq!(
            refused.unwrap().summary(35_000),
            "供货方拒绝索赔：超出质保期"
        );
    }

    #[test]
    fn a_claim_keeps_its_order_and_its_amount() {
        let e = ClaimUpdate::parse(ClaimState::Open, 35_000, &form("settled", "", "350", ""));
        assert_eq!(e.unwrap_err().field, "state");
        let e = ClaimUpdate::parse(ClaimState::Open, 35_000, &form("claimed", " ", "", ""));
        assert_eq!(e.unwrap_err().field, "reference");
        let e = ClaimUpdate::parse(
            ClaimState::Claimed,
            35_000,
            &form("settled", "", "350.01", ""),
        );
        assert_eq!(e.unwrap_err().code, "too_much");
        let e = ClaimUpdate::parse(ClaimState::Claimed, 35_000, &form("rejected", "", "", ""));
        assert_eq!(e.unwrap_err().field, "note");
        let e = ClaimUpdate::parse(ClaimState::Settled, 35_000, &form("claimed", "X", "", ""));
        assert_eq!(e.unwrap_err().code, "order");
    }
}
