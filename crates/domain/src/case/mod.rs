//! Service cases (服务单): kinds, channels, states and their transitions, numbers, intake and
//! edits, the timeline, and the clocks a case's event log implies (DESIGN "Cases").

mod clock;
mod codes;
mod cost;
mod event;
mod next;
mod record;
mod report;
mod step;
mod transition;

pub use crate::code::Coded;
pub use clock::{
    CaseClock, ClockRecord, MovedDeadline, Projection, case_clocks, moved_deadlines, project_case,
};
pub use codes::{
    Channel, Kind, Priority, Satisfaction, State, case_number, looks_like_number, number_year,
};
pub use cost::{CostForm, CostKind, CostTerms, NewCost, Payer};
pub use event::{CaseFact, EventKind, fact_of, has_policy_event, policy_events};
pub use next::{NextStep, Viewer, next_step};
pub use record::{
    CaseEdit, CaseEditForm, CaseRecord, MAX_TEXT_CHARS, NewCase, NewCaseForm, RegulatorTransfer,
    parse_priority, parse_subject, parse_text, regulator_transfer,
};
pub use report::{ExtendedService, ReportKind, exception_reason};
pub mod request;
pub use request::{Request, RequestForm, ReturnReason, has_proof, request_of};
pub use step::{
    StepFacts, StepForm, check_step, open_steps, recorded_facts, required, required_text,
    step_label, steps_of,
};
pub use transition::{REOPEN_DAYS, Refused, allowed_moves, check_closing, check_transition};
