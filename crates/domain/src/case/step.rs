//! The kind-specific steps a case records (DESIGN "Cases": kind steps are events on the
//! common spine): which steps a kind has, and whether one may be recorded now.

use serde::{Deserialize, Serialize};

use super::{EventKind, Kind};
use crate::complaint::{self, ComplaintFacts, ComplaintStep};
use crate::maintenance::{self, MaintenanceFacts, MaintenanceStep};
use crate::policy::Policy;
use crate::repair::{self, RepairFacts, RepairStep};
use crate::returns::{self, ReturnFacts, ReturnStep};
use crate::{FieldError, text};

/// What a step's form (or the API) sends; each step reads the fields it has.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct StepForm {
    pub step: String,
    /// What was done, or the reason a decline or a refusal needs.
    pub note: String,
    // Returns.
    pub decision: String,
    pub packaging_intact: String,
    pub inspection: String,
    pub outcome: String,
    /// In yuan, as people write it (`1299.50`).
    pub refund: String,
    pub method: String,
    pub new_serial: String,
    // Repairs.
    pub technician_id: String,
    pub appointment_on: String,
    pub slot: String,
    pub address: String,
    /// The fault in a few words (不制冷), the same words each time it recurs.
    pub fault: String,
    pub cause: String,
    pub process: String,
    pub result: String,
    pub parts: String,
    pub labour_minutes: String,
    pub choice: String,
    /// A repair's quote in yuan (its items in `parts`), and the customer's answer (yes/no).
    pub quote: String,
    pub accepted: String,
    // Maintenance.
    pub work: String,
    pub next_due_on: String,
    /// The customer's questions and suggestions during the visit.
    pub questions: String,
    // Complaints.
    /// How the customer was reached or answered (phone, letter, email, sms, wechat, visit).
    pub via: String,
    /// The first response: what was said to the customer.
    pub response: String,
    /// The verification: yes or no, and what was found.
    pub substantiated: String,
    pub findings: String,
    /// The schedule told to the customer: by which day, and what will be done.
    pub promised_on: String,
    pub plan: String,
    /// What the customer was answered.
    pub reply: String,
}

/// A required choice from a closed list: empty is "please fill in `what`".
pub fn required<T: std::str::FromStr<Err = FieldError>>(
    raw: &str,
    field: &'static str,
    what: &'static str,
) -> Result<T, FieldError> {
    match raw.trim() {
        "" => Err(FieldError::new(
            field,
            "required",
            text!("field.required", what = crate::Text::new(what)),
        )),
        v => v.parse().map_err(|e: FieldError| e.on(field)),
    }
}

/// Required free text: trimmed, within [`super::MAX_TEXT_CHARS`], not empty ("please fill in
/// `what`").
pub fn required_text(
    raw: &str,
    field: &'static str,
    what: &'static str,
) -> Result<String, FieldError> {
    let v = super::parse_text(raw, field)?;
    if v.is_empty() {
        return Err(FieldError::new(
            field,
            "required",
            text!("field.required", what = crate::Text::new(what)),
        ));
    }
    Ok(v)
}

/// The facts a kind's step records: the entry's data on the timeline, read back typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum StepFacts {
    Return(ReturnFacts),
    Repair(RepairFacts),
    Maintenance(MaintenanceFacts),
    Complaint(ComplaintFacts),
}

impl StepFacts {
    /// The facts of `step` on a case of `kind`, from its form.
    pub fn parse(kind: Kind, step: &str, f: &StepForm) -> Result<StepFacts, FieldError> {
        let unknown = || {
            FieldError::new(
                "step",
                "unknown",
                text!("step.unknown", step = step.to_owned()),
            )
        };
        match kind {
            Kind::Return => {
                let s = step.parse::<ReturnStep>().map_err(|_| unknown())?;
                ReturnFacts::parse(s, f).map(StepFacts::Return)
            }
            Kind::Repair => {
                let s = step.parse::<RepairStep>().map_err(|_| unknown())?;
                RepairFacts::parse(s, f).map(StepFacts::Repair)
            }
            Kind::Maintenance => {
                let s = step.parse::<MaintenanceStep>().map_err(|_| unknown())?;
                MaintenanceFacts::parse(s, f).map(StepFacts::Maintenance)
            }
            Kind::Complaint => {
                let s = step.parse::<ComplaintStep>().map_err(|_| unknown())?;
                ComplaintFacts::parse(s, f).map(StepFacts::Complaint)
            }
            Kind::Inquiry => Err(unknown()),
        }
    }

    /// The dispatch these facts record, to complete it.
    pub fn dispatch_mut(&mut self) -> Option<&mut repair::Dispatch> {
        match self {
            StepFacts::Repair(RepairFacts::TechnicianDispatched(d))
            | StepFacts::Maintenance(MaintenanceFacts::MaintenanceBooked(d)) => Some(d),
            _ => None,
        }
    }

    /// Where the customer's signature goes: a repair report or a maintenance report.
    pub fn signature_mut(&mut self) -> Option<&mut Option<i64>> {
        match self {
            StepFacts::Repair(RepairFacts::RepairCompleted(r)) => Some(&mut r.signature_id),
            StepFacts::Maintenance(MaintenanceFacts::MaintenanceDone(r)) => {
                Some(&mut r.signature_id)
            }
            _ => None,
        }
    }

    /// The dispatch these facts record (a repair's, or a maintenance booking).
    pub fn dispatch(&self) -> Option<&repair::Dispatch> {
        match self {
            StepFacts::Repair(RepairFacts::TechnicianDispatched(d))
            | StepFacts::Maintenance(MaintenanceFacts::MaintenanceBooked(d)) => Some(d),
            _ => None,
        }
    }

    /// The step's line on the timeline, in Chinese: its name, then what it recorded.
    pub fn summary(&self, step: &str, note: &str) -> String {
        let facts = match self {
            StepFacts::Return(r) => r.summary(),
            StepFacts::Repair(r) => r.summary(),
            StepFacts::Maintenance(m) => m.summary(),
            StepFacts::Complaint(c) => c.summary(),
        };
        let head = step_label(step, false);
        match (facts.is_empty(), note.is_empty()) {
            (true, true) => head.to_owned(),
            (false, true) => format!("{head}：{facts}"),
            (true, false) => format!("{head}：{note}"),
            (false, false) => format!("{head}：{facts}。{note}"),
        }
    }

    /// May these facts follow the steps already `recorded` (the order the kind keeps)?
    pub fn check_order(&self, recorded: &[StepFacts]) -> Result<(), FieldError> {
        match self {
            StepFacts::Return(next) => {
                let done: Vec<ReturnFacts> = of_kind(recorded, |r| match r {
                    StepFacts::Return(r) => Some(r.clone()),
                    _ => None,
                });
                returns::check_order(&done, next)
            }
            StepFacts::Repair(next) => {
                let done: Vec<RepairFacts> = of_kind(recorded, |r| match r {
                    StepFacts::Repair(r) => Some(r.clone()),
                    _ => None,
                });
                repair::check_order(&done, next)
            }
            StepFacts::Maintenance(next) => {
                let done: Vec<MaintenanceFacts> = of_kind(recorded, |r| match r {
                    StepFacts::Maintenance(m) => Some(m.clone()),
                    _ => None,
                });
                maintenance::check_order(&done, next)
            }
            StepFacts::Complaint(next) => {
                let done: Vec<ComplaintFacts> = of_kind(recorded, |r| match r {
                    StepFacts::Complaint(c) => Some(c.clone()),
                    _ => None,
                });
                complaint::check_order(&done, next)
            }
        }
    }

    /// The entry's data: the facts, with `event` naming the policy event it records.
    pub fn data(&self, step: &str) -> serde_json::Value {
        let mut v = serde_json::to_value(self).unwrap_or_default();
        v["event"] = step.into();
        v
    }
}

fn of_kind<T>(recorded: &[StepFacts], pick: impl Fn(&StepFacts) -> Option<T>) -> Vec<T> {
    recorded.iter().filter_map(pick).collect()
}

/// The kind steps among a timeline's entries (kind, data), oldest first.
pub fn recorded_facts<'a>(
    entries: impl IntoIterator<Item = (EventKind, &'a str)>,
) -> Vec<StepFacts> {
    entries
        .into_iter()
        .filter(|(k, _)| *k == EventKind::PolicyEvent)
        .filter_map(|(_, data)| serde_json::from_str(data).ok())
        .collect()
}

/// The step codes a case of `kind` records.
pub fn steps_of(kind: Kind) -> Vec<&'static str> {
    match kind {
        Kind::Return => ReturnStep::ALL.iter().map(|s| s.code()).collect(),
        Kind::Repair => RepairStep::ALL.iter().map(|s| s.code()).collect(),
        Kind::Maintenance => MaintenanceStep::ALL.iter().map(|s| s.code()).collect(),
        Kind::Complaint => ComplaintStep::ALL.iter().map(|s| s.code()).collect(),
        Kind::Inquiry => Vec::new(),
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
    if let Ok(s) = code.parse::<MaintenanceStep>() {
        return of(s.label_zh(), s.label_en());
    }
    if let Ok(s) = code.parse::<ComplaintStep>() {
        return of(s.label_zh(), s.label_en());
    }
    code
}

/// The steps a case of `kind` may record next, in the kind's order: not yet recorded, their
/// clock started, what they follow recorded (a repair's report after its dispatch, an
/// inspection after the goods are back), and nothing after the repair ended.
pub fn open_steps(kind: Kind, policy: &Policy, recorded: &[&str]) -> Vec<&'static str> {
    let done = |s: &str| recorded.contains(&s);
    let ended = done("repair_completed") || done("unrepairable") || done("return_processed");
    steps_of(kind)
        .into_iter()
        .filter(|s| check_step(kind, policy, recorded, s).is_ok())
        .filter(|s| match *s {
            "goods_inspected" => done("goods_received_back"),
            "arrived" | "repair_completed" | "unrepairable" => {
                done("technician_dispatched") && !ended
            }
            "maintenance_done" => done("maintenance_booked"),
            "quote_issued" => done("technician_dispatched") && !ended,
            "quote_answered" => done("quote_issued") && !ended,
            "return_approved" | "goods_received_back" | "technician_dispatched" => !ended,
            "schedule_promised" => done("complaint_verified") && !done("complaint_replied"),
            "complaint_replied" => done("complaint_verified"),
            _ => true,
        })
        .collect()
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
    fn the_page_offers_the_steps_that_may_come_next() {
        let seed = Policy::preset("seed").unwrap();
        assert_eq!(
            open_steps(Kind::Return, &seed, &[]),
            ["return_approved", "goods_received_back"]
        );
        assert_eq!(
            open_steps(
                Kind::Return,
                &seed,
                &["return_approved", "goods_received_back"]
            ),
            ["goods_inspected", "return_processed"]
        );
        assert_eq!(
            open_steps(Kind::Repair, &seed, &["fault_reported"]),
            ["technician_dispatched"]
        );
        let sent = ["fault_reported", "technician_dispatched"];
        assert_eq!(
            open_steps(Kind::Repair, &seed, &sent),
            [
                "arrived",
                "repair_completed",
                "unrepairable",
                "quote_issued"
            ]
        );
        let over = ["technician_dispatched", "arrived", "repair_completed"];
        assert!(open_steps(Kind::Repair, &seed, &over).is_empty());
    }

    #[test]
    fn every_step_is_named_in_chinese_on_the_timeline() {
        for kind in Kind::ALL {
            for step in steps_of(*kind) {
                assert_ne!(crate::policy::event_label(step), step, "{step}");
                assert_ne!(step_label(step, false), step, "{step}");
            }
        }
    }

    #[test]
    fn a_complaint_is_verified_before_it_is_answered() {
        let seed = Policy::preset("seed").unwrap();
        assert_eq!(
            open_steps(Kind::Complaint, &seed, &["complaint_received"]),
            ["first_response_sent", "complaint_verified"]
        );
        let verified = ["complaint_received", "complaint_verified"];
        assert_eq!(
            open_steps(Kind::Complaint, &seed, &verified),
            [
                "first_response_sent",
                "schedule_promised",
                "complaint_replied"
            ]
        );
        assert_eq!(step_label("complaint_verified", false), "已初步核实");
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
            check_step(Kind::Inquiry, &seed, &[], "technician_dispatched")
                .unwrap_err()
                .code,
            "unknown"
        );
        assert_eq!(step_label("technician_dispatched", false), "已派工");
    }
}
