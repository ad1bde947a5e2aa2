//! The kind-specific steps a case records (DESIGN "Cases": kind steps are events on the
//! common spine): which steps a kind has, and whether one may be recorded now.

use super::Kind;
use crate::policy::Policy;
use crate::repair::RepairStep;
use crate::returns::ReturnStep;
use crate::{FieldError, text};

/// The step codes a case of `kind` records (complaint steps come with the complaint flow).
pub fn steps_of(kind: Kind) -> Vec<&'static str> {
    match kind {
        Kind::Return => ReturnStep::ALL.iter().map(|s| s.code()).collect(),
        Kind::Repair => RepairStep::ALL.iter().map(|s| s.code()).collect(),
        Kind::Maintenance | Kind::Complaint | Kind::Inquiry => Vec::new(),
    }
}

/// A step's name in Chinese or English (the code itself when unknown).
pub fn step_label(code: &str, english: bool) -> &str {
    let of = |l: &'static str, e: &'static str| if english { e } else { l };
    if let Ok(s) = code.parse::<ReturnStep>() {
        return of(s.label_zh(), s.label_en());
    }
    if let Ok(s) = code.parse::<RepairStep>() {
        return of(s.label_zh(), s.label_en());
    }
    code
}

/// May `step` be recorded on a case of `kind` under `policy`, whose timeline has recorded the
/// policy events `recorded`? It must be one of the kind's steps, not recorded before, and a
/// step that stops a clock the kind starts by another step needs that step first (goods are
/// processed after they are back).
pub fn check_step(
    kind: Kind,
    policy: &Policy,
    recorded: &[&str],
    step: &str,
) -> Result<(), FieldError> {
    let label = || step_label(step, false).to_owned();
    if !steps_of(kind).contains(&step) {
        return Err(FieldError::new(
            "step",
            "unknown",
            text!("step.unknown", step = step.to_owned()),
        ));
    }
    if recorded.contains(&step) {
        return Err(FieldError::new(
            "step",
            "already",
            text!("step.already", step = label()),
        ));
    }
    // Only a clock this kind starts by a step of its own can be not yet started.
    let steps = steps_of(kind);
    let unstarted = policy
        .clocks
        .iter()
        .filter(|c| c.stops_on.iter().any(|s| s == step))
        .any(|c| steps.contains(&c.event.as_str()) && !recorded.contains(&c.event.as_str()));
    if unstarted {
        return Err(FieldError::new(
            "step",
            "not_started",
            text!("step.not_started", step = label()),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_return_is_processed_only_after_the_goods_are_back() {
        let seed = Policy::preset("seed").unwrap();
        let no = check_step(Kind::Return, &seed, &[], "return_processed").unwrap_err();
        assert_eq!(no.code, "not_started");
        assert!(check_step(Kind::Return, &seed, &[], "goods_received_back").is_ok());
        assert!(
            check_step(
                Kind::Return,
                &seed,
                &["goods_received_back"],
                "return_processed"
            )
            .is_ok()
        );
        let twice = check_step(
            Kind::Return,
            &seed,
            &["goods_received_back"],
            "goods_received_back",
        );
        assert_eq!(twice.unwrap_err().code, "already");
    }

    #[test]
    fn a_step_belongs_to_its_kind() {
        let seed = Policy::preset("seed").unwrap();
        assert!(
            check_step(
                Kind::Repair,
                &seed,
                &["fault_reported"],
                "technician_dispatched"
            )
            .is_ok()
        );
        assert_eq!(
            check_step(Kind::Complaint, &seed, &[], "technician_dispatched")
                .unwrap_err()
                .code,
            "unknown"
        );
        assert_eq!(step_label("technician_dispatched", false), "已派工");
    }
}
