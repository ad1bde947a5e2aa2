//! The one step a case waits for, as the person looking at it can take it: what the case page
//! puts first (on a phone above everything else), so nobody scrolls to find what to do.

use super::State;

/// The next step of a case for its viewer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextStep {
    /// Nobody handles it yet: take it.
    Take,
    /// Given to the viewer and not started: start work.
    Start,
    /// Waiting for the customer, who answered: work on it again.
    Resume,
    /// In the viewer's hands: write what was done and resolve it.
    Resolve,
    /// In the viewer's hands, settled by its kind's steps (a complaint's reply): record the
    /// next of them.
    RecordStep,
    /// Resolved: ask the customer and close it (seed 3.3: confirm satisfaction afterwards).
    Close,
}

/// Who is looking at the case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Viewer {
    /// May work on cases at all.
    pub can_write: bool,
    /// The case has an assignee.
    pub assigned: bool,
    /// The viewer is that assignee.
    pub is_assignee: bool,
    /// The case has kind steps the viewer may record now.
    pub steps_open: bool,
}

/// The next step for `viewer` on a case in `state` that may move to `moves`; none when the
/// case is finished, or it is someone else's to take.
pub fn next_step(state: State, moves: &[State], viewer: Viewer) -> Option<NextStep> {
    if !viewer.can_write {
        return None;
    }
    let may = |s: State| moves.contains(&s);
    match state {
        State::Closed | State::Cancelled => None,
        State::Resolved => may(State::Closed).then_some(NextStep::Close),
        _ if !viewer.assigned => Some(NextStep::Take),
        _ if !viewer.is_assignee => None,
        State::New => may(State::InProgress).then_some(NextStep::Start),
        State::WaitingCustomer => may(State::InProgress).then_some(NextStep::Resume),
        State::InProgress if may(State::Resolved) => Some(NextStep::Resolve),
        State::InProgress => viewer.steps_open.then_some(NextStep::RecordStep),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{Kind, allowed_moves};

    const MINE: Viewer = Viewer {
        can_write: true,
        assigned: true,
        is_assignee: true,
        steps_open: false,
    };

    fn next(state: State, v: Viewer) -> Option<NextStep> {
        let now = chrono::Utc::now();
        next_step(
            state,
            &allowed_moves(Kind::Repair, state, Some(now), now),
            v,
        )
    }

    #[test]
    fn the_assignee_is_led_from_start_to_resolution() {
        assert_eq!(next(State::New, MINE), Some(NextStep::Start));
        assert_eq!(next(State::InProgress, MINE), Some(NextStep::Resolve));
        assert_eq!(next(State::WaitingCustomer, MINE), Some(NextStep::Resume));
        assert_eq!(next(State::Resolved, MINE), Some(NextStep::Close));
        assert_eq!(next(State::Closed, MINE), None);
        assert_eq!(next(State::Cancelled, MINE), None);
    }

    #[test]
    fn an_unassigned_case_is_taken_and_someone_elses_is_left_alone() {
        let free = Viewer {
            assigned: false,
            is_assignee: false,
            ..MINE
        };
        assert_eq!(next(State::New, free), Some(NextStep::Take));
        assert_eq!(next(State::InProgress, free), Some(NextStep::Take));
        let other = Viewer {
            is_assignee: false,
            ..MINE
        };
        assert_eq!(next(State::New, other), None);
        // A resolved case waits for the call-back, whoever makes it.
        assert_eq!(next(State::Resolved, other), Some(NextStep::Close));
        let reader = Viewer {
            can_write: false,
            ..MINE
        };
        assert_eq!(next(State::New, reader), None);
    }

    #[test]
    fn a_complaint_in_hand_leads_to_its_steps_not_a_plain_resolution() {
        let now = chrono::Utc::now();
        // A complaint not yet answered is not offered "resolved": its next step is a step.
        let moves: Vec<State> = allowed_moves(Kind::Complaint, State::InProgress, None, now)
            .into_iter()
            .filter(|s| *s != State::Resolved && *s != State::Closed)
            .collect();
        let open = Viewer {
            steps_open: true,
            ..MINE
        };
        assert_eq!(
            next_step(State::InProgress, &moves, open),
            Some(NextStep::RecordStep)
        );
        assert_eq!(next_step(State::InProgress, &moves, MINE), None);
    }
}
