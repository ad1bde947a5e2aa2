//! A case's clocks, projected from its facts under its policy (DESIGN "Clocks on a case").

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::{CaseFact, State};
use crate::deadline::{ClockEvent, ClockState, ClockView, Context, Unit, project, soon_at};
use crate::policy::Policy;

/// One clock of a case, projected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseClock {
    pub clock: String,
    pub rule: String,
    pub unit: Unit,
    #[serde(flatten)]
    pub view: ClockView,
    /// When the clock turns due soon (即将超时), by its own window.
    pub soon_at: Option<DateTime<Utc>>,
}

/// A clock as kept on the case: what queues, chips and the API read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClockRecord {
    /// `first_response`, `verification`, `reply`, `dispatch` …
    pub clock: String,
    pub state: ClockState,
    /// The instant the deadline passes (day units: 24:00 of the last day).
    pub due_at: Option<DateTime<Utc>>,
    /// For day units, the last day.
    pub due_date: Option<NaiveDate>,
    /// When it turns due soon: by default the start of its last day (day units) or its last
    /// quarter (hour units); see [`soon_at`].
    pub soon_at: Option<DateTime<Utc>>,
    /// The unit it counts in (its time left is said in it).
    pub unit: Unit,
    /// The rule the deadline comes from.
    pub rule: String,
    /// The deadline rests on a provisional calendar year (holidays from the law, the State
    /// Council's 调休 not yet loaded): it may still move when the year is loaded.
    pub provisional: bool,
}

/// A deadline a recomputation moved (the calendar or the desk's hours changed): the timeline
/// keeps both dates.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MovedDeadline {
    pub clock: String,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// For day units, the last day before and after.
    pub from_date: Option<NaiveDate>,
    pub to_date: Option<NaiveDate>,
}

/// The clocks whose deadline differs between two projections of the same case. A paused
/// clock's deadline drifts later while it waits (the pause is added as it goes), so a paused
/// clock is not a move: its deadline is not final until it runs again.
pub fn moved_deadlines(before: &[ClockRecord], after: &[ClockRecord]) -> Vec<MovedDeadline> {
    after
        .iter()
        .filter(|a| a.state != ClockState::Paused)
        .filter_map(|a| {
            let b = before
                .iter()
                .find(|b| b.clock == a.clock && b.state != ClockState::Paused)?;
            (b.due_at != a.due_at).then(|| MovedDeadline {
                clock: a.clock.clone(),
                from: b.due_at,
                to: a.due_at,
                from_date: b.due_date,
                to_date: a.due_date,
            })
        })
        .collect()
}

/// Every clock of a case and what its queues sort and filter on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Projection {
    pub clocks: Vec<ClockRecord>,
    /// The earliest deadline of a running or breached clock (the queue's order).
    pub next_due: Option<DateTime<Utc>>,
    /// The earliest deadline of a running clock: when the sweeper must look again.
    pub next_check: Option<DateTime<Utc>>,
    /// The earliest instant a running clock turns due soon (the 即将超时 queue).
    pub next_soon: Option<DateTime<Utc>>,
    pub breached: bool,
}

/// Every clock `policy` sets for a case with these facts, at `now`. A clock starts at its
/// event, pauses while the case is in one of its pausing states, and stops at one of its stop
/// events or when the case is resolved, closed or cancelled (reopening does not restart it).
/// A complaint's promised schedule is a clock of its own beside them
/// ([`crate::complaint::schedule_clock`]).
pub fn case_clocks(
    policy: &Policy,
    facts: &[CaseFact],
    ctx: &Context<'_>,
    now: DateTime<Utc>,
) -> Vec<CaseClock> {
    let promised = crate::complaint::schedule_clock(facts, ctx.tz, now);
    policy
        .clocks
        .iter()
        .filter_map(|rule| {
            let start = facts.iter().find_map(|f| match f {
                CaseFact::Event(e, at) if *e == rule.event => Some(*at),
                _ => None,
            })?;
            let events = clock_events(start, facts, &rule.stops_on, &rule.pauses_in);
            let view = project(ctx, rule.unit, rule.n, &events, now);
            let soon_at = view
                .due
                .as_ref()
                .map(|d| soon_at(ctx, rule.unit, rule.n, rule.soon, start, d));
            Some(CaseClock {
                clock: rule.clock.clone(),
                rule: rule.rule.clone(),
                unit: rule.unit,
                view,
                soon_at,
            })
        })
        .chain(promised)
        .collect()
}

/// The start, pauses, resumes and stops of one clock started at `start`.
fn clock_events(
    start: DateTime<Utc>,
    facts: &[CaseFact],
    stops_on: &[String],
    pauses_in: &[String],
) -> Vec<ClockEvent> {
    let mut events = vec![ClockEvent::Start(start)];
    let mut paused = false;
    for f in facts {
        match f {
            CaseFact::Event(e, at) if stops_on.iter().any(|s| s == e) => {
                events.push(ClockEvent::Stop((*at).max(start)));
            }
            CaseFact::State(s, at) => {
                let at = (*at).max(start);
                if matches!(s, State::Resolved | State::Closed | State::Cancelled) {
                    events.push(ClockEvent::Stop(at));
                } else if pauses_in.iter().any(|p| p == s.code()) {
                    if !paused {
                        events.push(ClockEvent::Pause(at));
                        paused = true;
                    }
                } else if paused {
                    events.push(ClockEvent::Resume(at));
                    paused = false;
                }
            }
            CaseFact::Event(..) | CaseFact::Promised(..) => {}
        }
    }
    events
}

/// A case's clocks as kept on it, with its queue columns.
pub fn project_case(
    policy: &Policy,
    facts: &[CaseFact],
    ctx: &Context<'_>,
    now: DateTime<Utc>,
) -> Projection {
    let clocks = case_clocks(policy, facts, ctx, now);
    let due_of = |wanted: &[ClockState]| {
        clocks
            .iter()
            .filter(|c| wanted.contains(&c.view.state))
            .filter_map(|c| c.view.due.as_ref().map(|d| d.due))
            .min()
    };
    Projection {
        next_due: due_of(&[ClockState::Running, ClockState::Breached]),
        next_check: due_of(&[ClockState::Running]),
        next_soon: clocks
            .iter()
            .filter(|c| c.view.state == ClockState::Running)
            .filter_map(|c| c.soon_at)
            .min(),
        breached: clocks.iter().any(|c| c.view.state == ClockState::Breached),
        clocks: clocks
            .iter()
            .map(|c| ClockRecord {
                clock: c.clock.clone(),
                state: c.view.state,
                due_at: c.view.due.as_ref().map(|d| d.due),
                due_date: c.view.due.as_ref().and_then(|d| d.due_date),
                soon_at: c.soon_at,
                unit: c.unit,
                rule: c.rule.clone(),
                provisional: c
                    .view
                    .due
                    .as_ref()
                    .is_some_and(|d| !d.provisional_years.is_empty()),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Calendar;
    use crate::hours::ServiceHours;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn a_complaint_gets_three_clocks_that_pause_and_stop() {
        let cal = Calendar::cn_statutory();
        let hours = ServiceHours::default();
        let ctx = Context {
            calendar: &cal,
            hours: &hours,
            tz: chrono_tz::Asia::Shanghai,
        };
        let preset = Policy::preset("seed").unwrap();
        // The seed pauses nothing; a company may add pauses in its own policy.
        let mut seed = preset.clone();
        for c in &mut seed.clocks {
            if ["verification", "reply"].contains(&c.clock.as_str()) {
                c.pauses_in = vec!["waiting_customer".into()];
            }
        }
        let received = t("2026-09-30T18:00:00+08:00");
        let mut facts = vec![
            CaseFact::Event("complaint_received".into(), received),
            CaseFact::State(State::New, received),
        ];
        let clocks = case_clocks(&seed, &facts, &ctx, t("2026-09-30T19:00:00+08:00"));
        assert_eq!(
            clocks.iter().map(|c| c.clock.as_str()).collect::<Vec<_>>(),
            ["first_response", "verification", "reply"]
        );
        assert!(clocks.iter().all(|c| c.view.state == ClockState::Running));
        facts.push(CaseFact::State(
            State::WaitingCustomer,
            t("2026-10-08T10:00:00+08:00"),
        ));
        let clocks = case_clocks(&seed, &facts, &ctx, t("2026-10-09T10:00:00+08:00"));
        assert_eq!(
            clocks[1].view.state,
            ClockState::Paused,
            "verification pauses while waiting"
        );
        assert_eq!(
            clocks[0].view.state,
            ClockState::Breached,
            "first response does not pause"
        );
        let as_seeded = case_clocks(&preset, &facts, &ctx, t("2026-10-09T10:00:00+08:00"));
        assert_eq!(
            as_seeded[1].view.state,
            ClockState::Running,
            "the seed's verification does not pause while waiting"
        );
        let p = project_case(&seed, &facts, &ctx, t("2026-10-09T10:00:00+08:00"));
        assert!(p.breached);
        assert_eq!(p.next_due, Some(t("2026-10-01T18:00:00+08:00")));
        assert_eq!(p.next_soon, None, "no clock runs: none turns due soon");
        // Verification and reply pause while waiting; the breached clock needs no more checks.
        assert_eq!(p.next_check, None);
        facts.push(CaseFact::State(
            State::InProgress,
            t("2026-10-09T10:00:00+08:00"),
        ));
        facts.push(CaseFact::State(
            State::Resolved,
            t("2026-10-09T11:00:00+08:00"),
        ));
        let clocks = case_clocks(&seed, &facts, &ctx, t("2026-10-30T10:00:00+08:00"));
        assert_eq!(clocks[1].view.state, ClockState::Met);
        assert_eq!(clocks[2].view.state, ClockState::Met);
        let p = project_case(&seed, &facts, &ctx, t("2026-10-30T10:00:00+08:00"));
        assert_eq!((p.next_due, p.next_check), (None, None));
    }

    #[test]
    fn a_paused_clock_drifting_is_not_a_moved_deadline() {
        let k = |state, due: &str| ClockRecord {
            clock: "reply".into(),
            state,
            due_at: Some(t(due)),
            due_date: None,
            soon_at: None,
            unit: Unit::WorkingDays,
            rule: String::new(),
            provisional: false,
        };
        let running = [k(ClockState::Running, "2027-01-08T16:00:00Z")];
        let later = [k(ClockState::Running, "2027-01-11T16:00:00Z")];
        let moved = moved_deadlines(&running, &later);
        assert_eq!(moved.len(), 1);
        assert_eq!(moved[0].from, Some(t("2027-01-08T16:00:00Z")));
        assert_eq!(moved[0].to, Some(t("2027-01-11T16:00:00Z")));
        assert!(moved_deadlines(&running, &running).is_empty());
        let paused = [k(ClockState::Paused, "2027-01-11T16:00:00Z")];
        assert!(moved_deadlines(&running, &paused).is_empty());
        assert!(moved_deadlines(&paused, &later).is_empty());
    }
}
