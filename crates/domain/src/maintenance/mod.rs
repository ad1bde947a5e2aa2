//! Maintenance (维护保养, seed 4.2): a visit booked at a time and place inside the desk's
//! service hours, the visit itself with the customer's questions and suggestions, and the
//! maintenance report (what was done, the result, when the next one is due).

use chrono::{NaiveDate, NaiveTime, Timelike};
use serde::{Deserialize, Serialize};

use crate::calendar::Calendar;
use crate::case::{StepForm, parse_text, required_text};
use crate::hours::ServiceHours;
use crate::product::unit::parse_date;
use crate::repair::{Dispatch, parse_dispatch, parse_slot};
use crate::{FieldError, code_enum, text};

pub mod plan;
pub use plan::{Plan, PlanForm};

code_enum! {
    /// The steps of a maintenance visit.
    MaintenanceStep, "step", "维护步骤", "maintenance step" {
        /// Time, place and the person sent (seed 4.2.1).
        MaintenanceBooked = "maintenance_booked", "已预约维护", "Maintenance booked";
        /// The report given to the customer (seed 4.2.3).
        MaintenanceDone = "maintenance_done", "维护完成", "Maintenance done";
    }
}

/// The maintenance report (seed 4.2.3), with the customer's questions and suggestions raised
/// during the visit (seed 4.2.2) and their signature.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MaintenanceReport {
    /// What was done.
    pub work: String,
    pub result: String,
    pub next_due_on: Option<NaiveDate>,
    pub questions: String,
    pub signature_id: Option<i64>,
}

/// The facts of one maintenance step, as its timeline entry keeps them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum MaintenanceFacts {
    MaintenanceBooked(Dispatch),
    MaintenanceDone(MaintenanceReport),
}

impl MaintenanceFacts {
    /// The facts of `step` from its form: a booking names its technician, day and window; a
    /// report what was done and the result.
    pub fn parse(step: MaintenanceStep, f: &StepForm) -> Result<MaintenanceFacts, FieldError> {
        Ok(match step {
            MaintenanceStep::MaintenanceBooked => {
                required_text(&f.technician_id, "technician_id", "maintenance.technician")?;
                required_text(&f.appointment_on, "appointment_on", "maintenance.day")?;
                required_text(&f.slot, "slot", "maintenance.slot")?;
                MaintenanceFacts::MaintenanceBooked(parse_dispatch(f)?)
            }
            MaintenanceStep::MaintenanceDone => {
                MaintenanceFacts::MaintenanceDone(MaintenanceReport {
                    work: required_text(&f.work, "work", "maintenance.work")?,
                    result: required_text(&f.result, "result", "maintenance.result")?,
                    next_due_on: match f.next_due_on.trim() {
                        "" => None,
                        v => Some(parse_date(v, "next_due_on")?),
                    },
                    questions: parse_text(&f.questions, "questions")?,
                    signature_id: None,
                })
            }
        })
    }

    /// The step's line on the timeline, in Chinese.
    pub fn summary(&self) -> String {
        match self {
            MaintenanceFacts::MaintenanceBooked(d) => crate::repair::dispatch_summary(d),
            MaintenanceFacts::MaintenanceDone(r) => {
                let mut s = format!("维护内容：{}；结果：{}", r.work, r.result);
                if let Some(d) = r.next_due_on {
                    s.push_str(&format!("；下次维护 {d}"));
                }
                if !r.questions.is_empty() {
                    s.push_str(&format!("；客户问题与建议：{}", r.questions));
                }
                s
            }
        }
    }
}

/// Is the booked visit inside the desk's service hours on its day (seed: 周一至周五 9:00–17:00,
/// with the statutory holidays and 调休 of `cal`)?
pub fn check_booking(d: &Dispatch, hours: &ServiceHours, cal: &Calendar) -> Result<(), FieldError> {
    let (Some(day), false) = (d.appointment_on, d.slot.is_empty()) else {
        return Ok(());
    };
    let (from, to) = parse_slot(&d.slot)?;
    let minutes = |t: NaiveTime| u16::try_from(t.hour() * 60 + t.minute()).unwrap_or(u16::MAX);
    let open = hours.intervals_on(cal, day);
    if open.is_empty() {
        return Err(FieldError::new(
            "appointment_on",
            "closed",
            text!("maintenance.closed_day", day = day.to_string()),
        ));
    }
    let (a, b) = (minutes(from), minutes(to));
    if open.iter().any(|i| i.start <= a && b <= i.end) {
        return Ok(());
    }
    let shown: Vec<String> = open
        .iter()
        .map(|i| {
            format!(
                "{:02}:{:02}-{:02}:{:02}",
                i.start / 60,
                i.start % 60,
                i.end / 60,
                i.end % 60
            )
        })
        .collect();
    Err(FieldError::new(
        "slot",
        "outside_hours",
        text!(
            "maintenance.outside_hours",
            day = day.to_string(),
            hours = shown.join("、")
        ),
    ))
}

/// May `next` follow the maintenance steps `recorded`? A report after a booking, once.
pub fn check_order(
    recorded: &[MaintenanceFacts],
    next: &MaintenanceFacts,
) -> Result<(), FieldError> {
    let booked = recorded
        .iter()
        .any(|r| matches!(r, MaintenanceFacts::MaintenanceBooked(_)));
    match next {
        MaintenanceFacts::MaintenanceDone(_) if !booked => Err(FieldError::new(
            "step",
            "needs",
            text!(
                "step.needs",
                before = MaintenanceStep::MaintenanceBooked.arg()
            ),
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn booking(day: &str, slot: &str) -> Dispatch {
        Dispatch {
            technician_id: Some(1),
            appointment_on: Some(day.parse().unwrap()),
            slot: slot.into(),
            ..Dispatch::default()
        }
    }

    #[test]
    fn a_visit_is_booked_inside_the_service_hours() {
        // The seed's hours: Monday to Friday, 9:00 to 17:00.
        let cal = Calendar::cn_statutory();
        let hours = ServiceHours::default();
        assert!(check_booking(&booking("2026-12-08", "09:00-11:00"), &hours, &cal).is_ok());
        let late = check_booking(&booking("2026-12-08", "16:00-18:00"), &hours, &cal).unwrap_err();
        assert_eq!(late.field, "slot");
        assert_eq!(
            late.message.to_string(),
            "预约时段须在服务时间内（2026-12-08：09:00-17:00）"
        );
        // A Saturday, and National Day, are closed; the 调休 Saturday 2026-10-10 is open.
        let sat = check_booking(&booking("2026-12-12", "09:00-10:00"), &hours, &cal).unwrap_err();
        assert_eq!(sat.field, "appointment_on");
        assert!(check_booking(&booking("2026-10-01", "09:00-10:00"), &hours, &cal).is_err());
        assert!(check_booking(&booking("2026-10-10", "09:00-10:00"), &hours, &cal).is_ok());
    }

    #[test]
    fn a_booking_names_technician_day_and_window_and_the_report_its_work() {
        let e = MaintenanceFacts::parse(MaintenanceStep::MaintenanceBooked, &StepForm::default())
            .unwrap_err();
        assert_eq!(e.field, "technician_id");
        let f = StepForm {
            work: "清洗滤网、检查冷媒压力".into(),
            result: "运行正常".into(),
            next_due_on: "2027-06-01".into(),
            questions: "客户询问夏季能否调高温度".into(),
            ..StepForm::default()
        };
        let done = MaintenanceFacts::parse(MaintenanceStep::MaintenanceDone, &f).unwrap();
        assert_eq!(
            done.summary(),
            "维护内容：清洗滤网、检查冷媒压力；结果：运行正常；下次维护 2027-06-01；客户问题与建议：客户询问夏季能否调高温度"
        );
        assert_eq!(check_order(&[], &done).unwrap_err().code, "needs");
    }
}
