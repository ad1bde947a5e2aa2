//! A case's timeline: the kinds of entries, and which of them its clocks listen to.
//!
//! The event list is the truth of a case (DESIGN "Cases"): its state and every clock are
//! projections of it. Each entry has a kind, a time, an actor, a text and data (JSON).

use chrono::{DateTime, Utc};

use super::State;
use crate::code_enum;

code_enum! {
    /// What an entry on a case's timeline records.
    EventKind, "kind", "记录类型", "entry kind" {
        Created = "created", "受理", "Logged";
        State = "state", "状态变更", "State change";
        Note = "note", "内部备注", "Internal note";
        Message = "message", "给客户的消息", "Message to the customer";
        Assignment = "assignment", "分派", "Assignment";
        Escalation = "escalation", "上报主管", "Escalation";
        /// A supervisor acknowledged what waited for them on the case (who and when).
        Acknowledged = "acknowledged", "主管确认", "Acknowledged by the supervisor";
        ExtendedService = "extended_service", "延长服务时间", "Extended service hours";
        Attachment = "attachment", "附件", "Attachment";
        Tags = "tags", "标签", "Tags";
        /// An event a policy clock starts or stops at (`complaint_received` …).
        PolicyEvent = "policy_event", "时限事件", "Clock event";
        /// A deadline moved by a change of the calendar or the desk's hours (both dates).
        DeadlineMoved = "deadline_moved", "时限调整", "Deadline moved";
    }
}

/// What happened on a case, as far as its clocks are concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseFact {
    /// A policy event (`complaint_received`, `fault_reported` …) at a time.
    Event(String, DateTime<Utc>),
    /// The case entered a state.
    State(State, DateTime<Utc>),
    /// A complaint's schedule told to the customer: the promised day, and when it was told
    /// (its own clock, [`crate::complaint::schedule_clock`]).
    Promised(chrono::NaiveDate, DateTime<Utc>),
}

/// The clock fact an entry of the timeline is, if any: its kind, data (JSON text) and time.
pub fn fact_of(kind: EventKind, data: &str, at: DateTime<Utc>) -> Option<CaseFact> {
    match kind {
        EventKind::Created => Some(CaseFact::State(State::New, at)),
        EventKind::PolicyEvent => {
            let data: serde_json::Value = serde_json::from_str(data).ok()?;
            let event = data["event"].as_str()?;
            if event == crate::complaint::ComplaintStep::SchedulePromised.code() {
                let day = data["promised_on"].as_str()?.parse().ok()?;
                return Some(CaseFact::Promised(day, at));
            }
            Some(CaseFact::Event(event.to_owned(), at))
        }
        EventKind::State => {
            let data: serde_json::Value = serde_json::from_str(data).ok()?;
            data["to"]
                .as_str()
                .and_then(|s| s.parse().ok())
                .map(|s| CaseFact::State(s, at))
        }
        _ => None,
    }
}

/// The policy events recorded among these entries (kind, data), in order.
pub fn policy_events<'a>(entries: impl IntoIterator<Item = (EventKind, &'a str)>) -> Vec<String> {
    entries
        .into_iter()
        .filter(|(k, _)| *k == EventKind::PolicyEvent)
        .filter_map(|(_, data)| {
            let d: serde_json::Value = serde_json::from_str(data).ok()?;
            d["event"].as_str().map(str::to_owned)
        })
        .collect()
}

/// Has the policy event `event` been recorded among these entries (kind, data)?
pub fn has_policy_event<'a>(
    entries: impl IntoIterator<Item = (EventKind, &'a str)>,
    event: &str,
) -> bool {
    policy_events(entries).iter().any(|e| e == event)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_that_are_clock_facts() {
        let at = DateTime::parse_from_rfc3339("2026-09-30T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            fact_of(EventKind::Created, "{}", at),
            Some(CaseFact::State(State::New, at))
        );
        assert_eq!(
            fact_of(
                EventKind::PolicyEvent,
                r#"{"event":"complaint_received"}"#,
                at
            ),
            Some(CaseFact::Event("complaint_received".into(), at))
        );
        assert_eq!(
            fact_of(EventKind::State, r#"{"from":"new","to":"resolved"}"#, at),
            Some(CaseFact::State(State::Resolved, at))
        );
        assert_eq!(fact_of(EventKind::Note, "{}", at), None);
        assert_eq!(fact_of(EventKind::State, "not json", at), None);
        assert!(has_policy_event(
            [(EventKind::PolicyEvent, r#"{"event":"first_response_sent"}"#)],
            "first_response_sent"
        ));
        assert!(!has_policy_event(
            [(EventKind::Note, r#"{"event":"first_response_sent"}"#)],
            "first_response_sent"
        ));
    }
}
