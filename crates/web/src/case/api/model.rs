//! The case API's bodies: what it answers and what it takes, with their OpenAPI schemas.

use chrono::{DateTime, NaiveDate, Utc};
use sanbao_app::case::{CaseView, TimelineEntry as Entry};
use sanbao_domain::case::{NewCaseForm, StepForm};
use sanbao_domain::customer::CustomerForm;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct Clock {
    /// `first_response`, `verification`, `reply`, `dispatch`, `processing` …
    pub clock: String,
    /// The instant the deadline passes (day units: 24:00 of the last day), with the company's
    /// offset, e.g. `2026-10-11T00:00:00+08:00`.
    pub due: Option<DateTime<chrono::FixedOffset>>,
    /// For day units, the last day.
    pub due_date: Option<NaiveDate>,
    /// When the clock turns due soon (即将超时): by default 00:00 of the last day for day
    /// units, the last quarter for hour units, or the window its policy sets.
    pub soon_at: Option<DateTime<chrono::FixedOffset>>,
    /// `hours`, `business_hours`, `working_days` or `days`.
    pub unit: String,
    /// `running`, `paused`, `met`, `met_late`, `breached`.
    pub state: String,
    /// The rule the deadline comes from.
    pub rule: String,
    /// The deadline falls in (or counts through) a year whose State Council holiday notice is
    /// not loaded: holidays from the law, 调休 unknown, so it may still move.
    pub provisional: bool,
}

#[derive(Serialize, ToSchema)]
pub struct CaseCustomer {
    pub id: i64,
    pub name: String,
    /// Masked (138****8000) for roles without the personal-data permission.
    pub phone: String,
}

#[derive(Serialize, ToSchema)]
pub struct Case {
    /// Human number, e.g. `CP-2026-000123`.
    pub number: String,
    /// `return`, `repair`, `maintenance`, `complaint` or `inquiry`.
    pub kind: String,
    pub channel: String,
    pub state: String,
    pub priority: String,
    pub subject: String,
    pub description: String,
    pub customer: CaseCustomer,
    pub desk_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub received_at: DateTime<Utc>,
    /// 12315 case number of a regulator transfer.
    pub regulator_ref: Option<String>,
    /// The day the regulator accepted the complaint.
    pub regulator_accepted_on: Option<NaiveDate>,
    /// The policy the case runs under, `name@version`.
    pub policy: String,
    pub clocks: Vec<Clock>,
    pub next_due_at: Option<DateTime<Utc>>,
    pub breached: bool,
    /// Tags, in the order given (lower-case ASCII letters).
    pub tags: Vec<String>,
    /// The states the caller may move the case to now.
    pub allowed_moves: Vec<String>,
    pub created_at: DateTime<Utc>,
    /// Send back with an update; a stale version is answered 409.
    pub version: i64,
}

impl Case {
    pub(super) fn new(v: CaseView, tz: chrono_tz::Tz) -> Self {
        let policy = v.policy();
        let CaseView {
            record: r,
            customer,
            phone_shown,
            desk,
            assignee,
            version,
            clocks,
            allowed_moves,
            ..
        } = v;
        Case {
            policy,
            kind: r.kind.code().to_owned(),
            channel: r.channel.code().to_owned(),
            state: r.state.code().to_owned(),
            priority: r.priority.code().to_owned(),
            number: r.number,
            subject: r.subject,
            description: r.description,
            customer: CaseCustomer {
                id: customer.id.0,
                name: customer.name,
                phone: phone_shown,
            },
            desk_id: desk.map(|d| d.id.0),
            assignee_id: assignee.map(|a| a.id.0),
            received_at: r.received_at,
            regulator_ref: r.regulator_ref,
            regulator_accepted_on: r.regulator_accepted_on,
            clocks: clocks
                .into_iter()
                .map(|k| Clock {
                    clock: k.clock,
                    due: k.due_at.map(|d| d.with_timezone(&tz).fixed_offset()),
                    due_date: k.due_date,
                    soon_at: k.soon_at.map(|d| d.with_timezone(&tz).fixed_offset()),
                    unit: k.unit.code().to_owned(),
                    state: k.state.code().to_owned(),
                    rule: k.rule,
                    provisional: k.provisional,
                })
                .collect(),
            next_due_at: r.next_due_at,
            breached: r.breached,
            tags: r.tags,
            allowed_moves: allowed_moves.iter().map(|s| s.code().to_owned()).collect(),
            created_at: r.created_at,
            version,
        }
    }
}

/// A page of cases.
#[derive(Serialize, ToSchema)]
pub struct CaseList {
    pub items: Vec<Case>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseListParams {
    /// Search: a case number, a phone number, or Chinese words (all must match). Returns the
    /// best `limit` matches, newest first, without a cursor.
    pub q: Option<String>,
    /// `mine`, `desk`, `due_soon`, `breached`, `escalated`, `unassigned` or `all` (default;
    /// open cases).
    pub queue: Option<String>,
    pub kind: Option<String>,
    pub state: Option<String>,
    pub channel: Option<String>,
    pub desk_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub customer_id: Option<i64>,
    /// Received at or after (RFC 3339).
    pub received_from: Option<DateTime<Utc>>,
    /// Received before (RFC 3339).
    pub received_to: Option<DateTime<Utc>>,
    /// Only cases with this tag.
    pub tag: Option<String>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
}

#[derive(Deserialize, ToSchema)]
pub struct NewCustomer {
    pub name: String,
    pub phone: String,
    /// `individual` (default) or `organisation`.
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    /// 统一社会信用代码 (organisations).
    #[serde(default)]
    pub credit_code: Option<String>,
    /// For an organisation: the person on the phone. A phone new to an organisation found by
    /// its credit code becomes one of its contacts.
    #[serde(default)]
    pub contact: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct NewCase {
    pub kind: String,
    /// `phone`, `email`, `web`, `visit`, `letter`, `wechat`, `regulator` or `api`.
    pub channel: String,
    pub customer: NewCustomer,
    pub subject: String,
    #[serde(default)]
    pub description: String,
    /// `low`, `normal` (default), `high` or `urgent`.
    #[serde(default)]
    pub priority: Option<String>,
    /// When the customer reached us (default: now). Clocks run from here.
    #[serde(default)]
    pub received_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub desk_id: Option<i64>,
    #[serde(default)]
    pub assignee_id: Option<i64>,
    /// 12315 case number (regulator transfers).
    #[serde(default)]
    pub regulator_ref: Option<String>,
    /// The day the regulator accepted the complaint, `YYYY-MM-DD` (regulator transfers; not
    /// after `received_at`).
    #[serde(default)]
    pub regulator_accepted_on: Option<String>,
    /// The sold unit the case is about. A return is checked against the windows of the
    /// policy in force at the unit's sale (422 `return_window_closed` once they closed); the
    /// case runs under that policy.
    #[serde(default)]
    pub unit: Option<UnitRef>,
    /// Why a return is accepted after its window closed (needs case.supervise); recorded on
    /// the timeline and in the audit log. A unit a repair found unrepairable needs none.
    #[serde(default)]
    pub window_override: Option<String>,
    /// A return's reason: quality | not_as_described | no_reason (only where the unit's
    /// policy grants returns without a reason).
    #[serde(default)]
    pub return_reason: Option<String>,
    /// A return's proof of purchase: the invoice number (or attach the receipt before the
    /// approval).
    #[serde(default)]
    pub proof_invoice: Option<String>,
    /// A return: is the original packaging intact?
    #[serde(default)]
    pub packaging_intact: Option<bool>,
    /// A repair: the day the fault started, `YYYY-MM-DD` (not after the report, not before
    /// the sale).
    #[serde(default)]
    pub fault_started_on: Option<String>,
}

/// A sold unit named by its serial (or batch) number.
#[derive(Deserialize, ToSchema)]
pub struct UnitRef {
    pub serial: String,
}

/// A step of the case's kind with the facts it records. Returns: `return_approved`
/// (`decision`: approved | declined; a decline gives its reason in `note`; needs
/// case.supervise), `goods_received_back` (`packaging_intact`), `goods_inspected`
/// (`inspection`: accepted | misuse | human_damage, a refusal with its reason in `note`),
/// `return_processed` (`outcome`: refund with `refund_fen` and `method` original |
/// bank_transfer | cash; exchange with `new_serial`; sent_back; or none). Repairs:
/// `technician_dispatched` (`technician_id`, `appointment_on`, `slot` `HH:MM-HH:MM`,
/// `address`, all optional; the case goes to the technician), `arrived`, `repair_completed`
/// (`fault`, `cause`, `process`, `result` required; `parts`, `labour_minutes`), `unrepairable`
/// (`choice`: exchange | refund, the reason in `note`); out of warranty `quote_issued`
/// (`quote_fen`, what it covers in `parts`) and `quote_answered` (`accepted`) come before
/// `repair_completed`. Maintenance: `maintenance_booked`
/// (`technician_id`, `appointment_on`, `slot` inside the desk's service hours, `address`),
/// `maintenance_done` (`work`, `result`, `next_due_on`, `questions`). Complaints:
/// `first_response_sent` (`via`, `response`: a contact that reached the customer; a note or
/// a message on the timeline is none), `complaint_verified` (`substantiated`, `findings`),
/// `schedule_promised` (`promised_on`, `plan`), `complaint_replied` (`via`, `reply`; after
/// the verification; resolves the case).
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct NewStep {
    pub step: String,
    /// What was done (for the timeline), or the reason a decline or a refusal needs.
    pub note: String,
    pub decision: String,
    pub packaging_intact: Option<bool>,
    pub inspection: String,
    pub outcome: String,
    /// Integer fen.
    pub refund_fen: Option<i64>,
    pub method: String,
    pub new_serial: String,
    pub technician_id: Option<i64>,
    /// `YYYY-MM-DD`.
    pub appointment_on: String,
    pub slot: String,
    pub address: String,
    /// The fault in a few words, named the same way each time (三包 counts repairs of the
    /// same fault).
    pub fault: String,
    pub cause: String,
    pub process: String,
    pub result: String,
    pub parts: String,
    pub labour_minutes: Option<u32>,
    pub choice: String,
    /// `quote_issued`: the amount in integer fen, what it covers in `parts`.
    pub quote_fen: Option<i64>,
    /// `quote_answered`: does the customer accept the quote?
    pub accepted: Option<bool>,
    /// Maintenance: what was done (with `result`), the next visit's day, the customer's
    /// questions and suggestions.
    pub work: String,
    /// `YYYY-MM-DD`.
    pub next_due_on: String,
    pub questions: String,
    /// Complaints: how the customer was reached (`first_response_sent`) or answered
    /// (`complaint_replied`): phone | letter | email | sms | wechat | visit.
    pub via: String,
    /// `first_response_sent`: what was said to the customer.
    pub response: String,
    /// `complaint_verified`: substantiated or not, with the `findings`.
    pub substantiated: Option<bool>,
    pub findings: String,
    /// `schedule_promised`: the day promised to the customer (`YYYY-MM-DD`, not before
    /// today) and the `plan` told; a clock of its own until the reply.
    pub promised_on: String,
    pub plan: String,
    /// `complaint_replied`: what the customer was answered (the case is then resolved).
    pub reply: String,
}

impl From<NewStep> for StepForm {
    fn from(b: NewStep) -> Self {
        let text = |v: Option<String>| v.unwrap_or_default();
        StepForm {
            step: b.step,
            note: b.note,
            decision: b.decision,
            packaging_intact: text(
                b.packaging_intact
                    .map(|y| if y { "yes" } else { "no" }.to_owned()),
            ),
            inspection: b.inspection,
            outcome: b.outcome,
            // Fen as the yuan the form reads; a negative amount stays refused there.
            refund: text(b.refund_fen.map(|f| {
                if f < 0 {
                    "-".to_owned()
                } else {
                    sanbao_domain::product::yuan(f)
                }
            })),
            method: b.method,
            new_serial: b.new_serial,
            technician_id: text(b.technician_id.map(|i| i.to_string())),
            appointment_on: b.appointment_on,
            slot: b.slot,
            address: b.address,
            fault: b.fault,
            cause: b.cause,
            process: b.process,
            result: b.result,
            parts: b.parts,
            labour_minutes: text(b.labour_minutes.map(|m| m.to_string())),
            choice: b.choice,
            quote: text(b.quote_fen.map(|f| {
                if f < 0 {
                    "-".to_owned()
                } else {
                    sanbao_domain::product::yuan(f)
                }
            })),
            accepted: text(b.accepted.map(|y| if y { "yes" } else { "no" }.to_owned())),
            work: b.work,
            next_due_on: b.next_due_on,
            questions: b.questions,
            via: b.via,
            response: b.response,
            substantiated: text(
                b.substantiated
                    .map(|y| if y { "yes" } else { "no" }.to_owned()),
            ),
            findings: b.findings,
            promised_on: b.promised_on,
            plan: b.plan,
            reply: b.reply,
        }
    }
}

impl From<NewCustomer> for CustomerForm {
    fn from(c: NewCustomer) -> Self {
        CustomerForm {
            name: c.name,
            phone: c.phone,
            kind: c.kind.unwrap_or_default(),
            address: c.address.unwrap_or_default(),
            credit_code: c.credit_code.unwrap_or_default(),
            contact: c.contact.unwrap_or_default(),
        }
    }
}

impl From<NewCase> for NewCaseForm {
    fn from(b: NewCase) -> Self {
        NewCaseForm {
            kind: b.kind,
            channel: b.channel,
            customer: b.customer.into(),
            subject: b.subject,
            description: b.description,
            priority: b.priority.unwrap_or_default(),
            received_at: b.received_at,
            desk_id: b.desk_id.map(Into::into),
            assignee_id: b.assignee_id.map(Into::into),
            regulator_ref: b.regulator_ref.unwrap_or_default(),
            regulator_accepted_on: b.regulator_accepted_on.unwrap_or_default(),
            unit: b.unit.map(|u| u.serial).unwrap_or_default(),
            window_override: b.window_override.unwrap_or_default(),
            request: sanbao_domain::case::RequestForm {
                return_reason: b.return_reason.unwrap_or_default(),
                proof_invoice: b.proof_invoice.unwrap_or_default(),
                packaging_intact: b
                    .packaging_intact
                    .map(|y| if y { "yes" } else { "no" }.to_owned())
                    .unwrap_or_default(),
                fault_started_on: b.fault_started_on.unwrap_or_default(),
            },
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct TimelineEntry {
    pub at: DateTime<Utc>,
    pub actor: String,
    /// `created`, `state`, `note`, `message`, `assignment`, `policy_event` …
    pub kind: String,
    pub body: String,
    pub data: serde_json::Value,
}

impl From<Entry> for TimelineEntry {
    fn from(e: Entry) -> Self {
        TimelineEntry {
            at: e.at,
            actor: e.actor_name,
            kind: e.kind.code().to_owned(),
            body: e.body,
            data: e.data,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CaseDetail {
    #[serde(flatten)]
    pub case: Case,
    pub timeline: Vec<TimelineEntry>,
}

#[derive(Deserialize, ToSchema)]
pub struct CasePatch {
    /// The version read; a stale one is answered 409.
    pub version: i64,
    pub subject: Option<String>,
    pub description: Option<String>,
    pub priority: Option<String>,
    /// `null` clears it.
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub desk_id: Option<Option<i64>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub assignee_id: Option<Option<i64>>,
    /// Replaces the case's tags (at most 10, each up to 16 characters).
    pub tags: Option<Vec<String>>,
}

/// Absent field → `None`; `null` → `Some(None)`.
mod double_option {
    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<i64>>, D::Error> {
        Option::<i64>::deserialize(d).map(Some)
    }
}

#[derive(Deserialize, ToSchema)]
pub struct Transition {
    /// `in_progress`, `waiting_customer`, `resolved`, `closed` or `cancelled`.
    pub to: String,
    pub version: i64,
    #[serde(default)]
    pub note: String,
    /// Required to resolve: the solution as explained to the customer.
    #[serde(default)]
    pub resolution: String,
    /// Required to close: `satisfied`, `fair`, `unsatisfied` or `unreachable`, as confirmed
    /// with the customer.
    #[serde(default)]
    pub satisfaction: String,
    /// Required to close (unless unreachable): the precautions told to the customer.
    #[serde(default)]
    pub precautions: String,
}

#[derive(Deserialize, ToSchema)]
pub struct NewNote {
    pub body: String,
    /// A message to the customer (default: an internal note).
    #[serde(default)]
    pub to_customer: bool,
}

#[derive(Deserialize, ToSchema)]
pub struct ExceptionReport {
    /// What went wrong (up to 500 characters).
    pub reason: String,
}

#[derive(Deserialize, ToSchema)]
pub struct ExtendedServiceReport {
    /// The day of the service, `YYYY-MM-DD` (company time).
    pub date: String,
    /// `HH:MM`.
    pub start: String,
    /// `HH:MM`, after `start`.
    pub end: String,
    /// The customer was told beforehand (required by the regulations).
    pub customer_informed: bool,
    pub reason: String,
}
