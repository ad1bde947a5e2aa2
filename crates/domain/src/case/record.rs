//! A case's record — every field a case keeps — and how one comes to be: a new case as
//! typed, checked into the record intake writes; and edits to a case. A new field of the case
//! is added here (its type, its rule, where it comes from), in the store's row description and
//! in the migrations.

use chrono::{DateTime, NaiveDate, Utc};

use super::{Channel, Kind, Priority, Projection, State};
use crate::customer::{CustomerForm, NewCustomer};
use crate::ids::{CustomerId, DeskId, UserId};
use crate::user::parse_label;
use crate::{FieldError, FieldErrors, text};

/// The longest description or note, in characters.
pub const MAX_TEXT_CHARS: usize = 10_000;

/// A new case as submitted on the intake form or to the API: text as typed.
#[derive(Debug, Clone, Default)]
pub struct NewCaseForm {
    pub kind: String,
    pub channel: String,
    pub customer: CustomerForm,
    pub subject: String,
    pub description: String,
    /// Empty for normal.
    pub priority: String,
    /// When the customer reached us (a letter may be logged later); default now.
    pub received_at: Option<DateTime<Utc>>,
    pub desk_id: Option<DeskId>,
    pub assignee_id: Option<UserId>,
    /// 12315 case number, for regulator transfers.
    pub regulator_ref: String,
    /// The regulator's acceptance date, `YYYY-MM-DD` (regulator transfers).
    pub regulator_accepted_on: String,
    /// The serial (or batch) number of the sold unit the case is about; empty for none.
    pub unit: String,
    /// Why a return is accepted after its window closed (a supervisor's decision); empty for
    /// none.
    pub window_override: String,
    /// What a return or repair request states (reason, proof, packaging, the fault's start).
    pub request: super::RequestForm,
}

/// A complaint a regulator (12315) transferred to us.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegulatorTransfer {
    /// The regulator's case number.
    pub reference: String,
    /// The day the regulator accepted the complaint.
    pub accepted_on: NaiveDate,
}

/// A checked new case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCase {
    pub kind: Kind,
    pub channel: Channel,
    pub priority: Priority,
    pub customer: NewCustomer,
    pub subject: String,
    pub description: String,
    pub received_at: DateTime<Utc>,
    pub desk_id: Option<DeskId>,
    pub assignee_id: Option<UserId>,
    pub regulator: Option<RegulatorTransfer>,
    /// The unit's serial, upper-cased as units keep it.
    pub unit: Option<String>,
    /// Why a late return is accepted anyway.
    pub window_override: Option<String>,
    pub request: Option<super::Request>,
}

impl NewCase {
    /// Check every field of `f` at `now` (company time zone `tz`), naming each bad one.
    pub fn parse(
        f: &NewCaseForm,
        now: DateTime<Utc>,
        tz: chrono_tz::Tz,
    ) -> Result<NewCase, FieldErrors> {
        let mut errs = FieldErrors::default();
        let kind = errs.check(f.kind.parse::<Kind>());
        let channel = errs.check(f.channel.parse::<Channel>());
        let priority = errs.check(parse_priority(&f.priority));
        let customer = NewCustomer::parse(&f.customer, &mut errs);
        let subject = errs.check(parse_subject(&f.subject));
        let description = errs.check(parse_text(&f.description, "description"));
        let received_at = f
            .received_at
            .map(crate::time::truncate_micros)
            .unwrap_or(now);
        errs.check(check_received(received_at, now));
        let day = received_at.with_timezone(&tz).date_naive();
        let regulator = match channel
            .map(|ch| regulator_transfer(ch, &f.regulator_ref, &f.regulator_accepted_on, day))
        {
            Some(Ok(r)) => r,
            Some(Err(e)) => {
                errs.0.extend(e.0);
                None
            }
            None => None,
        };
        let unit = match f.unit.trim() {
            "" => None,
            s => errs.check(crate::product::unit::parse_serial(s, "unit.serial")),
        };
        let window_override = errs
            .check(parse_reason(&f.window_override, "window_override"))
            .flatten();
        let request = match kind.map(|k| super::Request::parse(k, &f.request, day)) {
            Some(Ok(r)) => r,
            Some(Err(e)) => {
                errs.0.extend(e.0);
                None
            }
            None => None,
        };
        errs.into_result()?;
        match (kind, channel, priority, customer, subject, description) {
            (Some(kind), Some(channel), Some(priority), Some(customer), Some(subject), Some(d)) => {
                Ok(NewCase {
                    kind,
                    channel,
                    priority,
                    customer,
                    subject,
                    description: d,
                    received_at,
                    desk_id: f.desk_id,
                    assignee_id: f.assignee_id,
                    regulator,
                    unit,
                    window_override,
                    request,
                })
            }
            // Every `None` above pushed its error.
            _ => Err(FieldErrors::default()),
        }
    }
}

/// Every field a case keeps, as stored (its id and version are the store's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRecord {
    /// Human number, e.g. `CP-2026-000123` (given by intake inside its write).
    pub number: String,
    pub kind: Kind,
    pub channel: Channel,
    pub customer_id: CustomerId,
    pub subject: String,
    pub description: String,
    pub priority: Priority,
    pub desk_id: Option<DeskId>,
    pub assignee_id: Option<UserId>,
    pub state: State,
    /// The policy the case runs under.
    pub policy_name: String,
    pub policy_version: i32,
    /// When the customer reached us.
    pub received_at: DateTime<Utc>,
    /// The 12315 number of a complaint a regulator transferred to us.
    pub regulator_ref: Option<String>,
    /// The day the regulator accepted it.
    pub regulator_accepted_on: Option<NaiveDate>,
    pub resolved_at: Option<DateTime<Utc>>,
    /// The earliest deadline of a running or breached clock (the queue's order).
    pub next_due_at: Option<DateTime<Utc>>,
    /// When the sweeper must look at the case again.
    pub next_check_at: Option<DateTime<Utc>>,
    /// When its first running clock turns due soon (the 即将超时 queue).
    pub next_soon_at: Option<DateTime<Utc>>,
    pub breached: bool,
    pub escalated: bool,
    /// In the order given.
    pub tags: Vec<String>,
    pub created_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl CaseRecord {
    /// A new case of `kind` from `channel` about `subject`, received at `received_at` and
    /// recorded at `now` under `policy` (`(name, version)`): state new, normal priority, no
    /// desk, assignee, clocks or tags. Every other field has its default here, so whoever
    /// builds a record says only what differs.
    pub fn new(
        kind: Kind,
        channel: Channel,
        subject: String,
        policy: (&str, i32),
        received_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> CaseRecord {
        CaseRecord {
            number: String::new(),
            kind,
            channel,
            customer_id: CustomerId(0),
            subject,
            description: String::new(),
            priority: Priority::Normal,
            desk_id: None,
            assignee_id: None,
            state: State::New,
            policy_name: policy.0.to_owned(),
            policy_version: policy.1,
            received_at,
            regulator_ref: None,
            regulator_accepted_on: None,
            resolved_at: None,
            next_due_at: None,
            next_check_at: None,
            next_soon_at: None,
            breached: false,
            escalated: false,
            tags: Vec::new(),
            created_by: None,
            created_at: now,
            updated_at: now,
        }
    }
}

impl NewCase {
    /// The record of this new case, opened by `created_by` at `now` under `policy`
    /// (`(name, version)`) with the clocks of `projection`. Its number and customer are
    /// given by intake when it writes the case.
    pub fn record(
        &self,
        policy: (&str, i32),
        projection: &Projection,
        created_by: Option<UserId>,
        now: DateTime<Utc>,
    ) -> CaseRecord {
        let regulator = self.regulator.as_ref();
        CaseRecord {
            description: self.description.clone(),
            priority: self.priority,
            desk_id: self.desk_id,
            assignee_id: self.assignee_id,
            regulator_ref: regulator.map(|r| r.reference.clone()),
            regulator_accepted_on: regulator.map(|r| r.accepted_on),
            next_due_at: projection.next_due,
            next_check_at: projection.next_check,
            next_soon_at: projection.next_soon,
            breached: projection.breached,
            created_by,
            ..CaseRecord::new(
                self.kind,
                self.channel,
                self.subject.clone(),
                policy,
                self.received_at,
                now,
            )
        }
    }
}

/// A case's subject: required, at most 120 characters.
pub fn parse_subject(raw: &str) -> Result<String, FieldError> {
    parse_label(raw, "subject", text!("label.subject"), 120)
}

/// A priority; empty means normal.
pub fn parse_priority(raw: &str) -> Result<Priority, FieldError> {
    match raw.trim() {
        "" => Ok(Priority::Normal),
        p => p.parse(),
    }
}

/// Free text (a description, a note): trimmed, at most [`MAX_TEXT_CHARS`] characters; may be
/// empty.
pub fn parse_text(raw: &str, field: &'static str) -> Result<String, FieldError> {
    let s = raw.trim();
    if s.chars().count() > MAX_TEXT_CHARS {
        return Err(FieldError::new(
            field,
            "too_long",
            text!("field.text_too_long", max = MAX_TEXT_CHARS),
        ));
    }
    Ok(s.to_owned())
}

/// A short reason (an override's): trimmed, at most 500 characters; empty is none.
fn parse_reason(raw: &str, field: &'static str) -> Result<Option<String>, FieldError> {
    let s = raw.trim();
    if s.chars().count() > 500 {
        return Err(FieldError::new(
            field,
            "too_long",
            text!("field.text_too_long", max = 500),
        ));
    }
    Ok((!s.is_empty()).then(|| s.to_owned()))
}

/// When the customer reached us: not in the future (five minutes of clock skew allowed), not
/// more than a year ago.
fn check_received(at: DateTime<Utc>, now: DateTime<Utc>) -> Result<(), FieldError> {
    if at > now + chrono::Duration::minutes(5) {
        return Err(FieldError::new(
            "received_at",
            "future",
            text!("case.received_in_future"),
        ));
    }
    if at < now - chrono::Duration::days(366) {
        return Err(FieldError::new(
            "received_at",
            "too_old",
            text!("case.received_too_old"),
        ));
    }
    Ok(())
}

/// A regulator transfer's 12315 number and acceptance date: both required for the regulator
/// channel, the date `YYYY-MM-DD` and not after the day we received the transfer. Other
/// channels carry none. Both fields' errors are reported together.
pub fn regulator_transfer(
    channel: Channel,
    reference: &str,
    accepted_on: &str,
    received_day: NaiveDate,
) -> Result<Option<RegulatorTransfer>, FieldErrors> {
    if channel != Channel::Regulator {
        return Ok(None);
    }
    let mut errs = FieldErrors::default();
    let reference = reference.trim();
    if reference.is_empty() {
        errs.push(FieldError::new(
            "regulator_ref",
            "required",
            text!("case.regulator_ref_required"),
        ));
    }
    let accepted_on = errs.check(regulator_acceptance(accepted_on, received_day));
    errs.into_result()?;
    Ok(accepted_on.map(|accepted_on| RegulatorTransfer {
        reference: reference.to_owned(),
        accepted_on,
    }))
}

/// The date a regulator accepted a complaint it transfers to us.
fn regulator_acceptance(text: &str, received_day: NaiveDate) -> Result<NaiveDate, FieldError> {
    let field = "regulator_accepted_on";
    let text = text.trim();
    if text.is_empty() {
        return Err(FieldError::new(
            field,
            "required",
            text!("case.regulator_date_required"),
        ));
    }
    let d = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| FieldError::new(field, "invalid", text!("field.date_format")))?;
    if d > received_day {
        return Err(FieldError::new(
            field,
            "after_received",
            text!("case.regulator_date_after_received"),
        ));
    }
    Ok(d)
}

/// An edit of a case as submitted: `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct CaseEditForm {
    pub subject: Option<String>,
    pub description: Option<String>,
    pub priority: Option<String>,
    /// `Some(None)` clears the desk.
    pub desk_id: Option<Option<DeskId>>,
    /// `Some(None)` clears the assignee.
    pub assignee_id: Option<Option<UserId>>,
    /// Replaces the case's tags (each item one tag).
    pub tags: Option<Vec<String>>,
}

/// A checked edit: `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseEdit {
    pub subject: Option<String>,
    pub description: Option<String>,
    pub priority: Option<Priority>,
    pub desk_id: Option<Option<DeskId>>,
    pub assignee_id: Option<Option<UserId>>,
    pub tags: Option<Vec<String>>,
}

impl CaseEdit {
    /// Check every field given, with the same rules as intake.
    pub fn parse(f: &CaseEditForm) -> Result<CaseEdit, FieldErrors> {
        let mut errs = FieldErrors::default();
        let edit = CaseEdit {
            subject: f
                .subject
                .as_deref()
                .and_then(|s| errs.check(parse_subject(s))),
            description: f
                .description
                .as_deref()
                .and_then(|d| errs.check(parse_text(d, "description"))),
            priority: f
                .priority
                .as_deref()
                .and_then(|p| errs.check(p.parse::<Priority>())),
            desk_id: f.desk_id,
            assignee_id: f.assignee_id,
            tags: f
                .tags
                .as_deref()
                .and_then(|t| errs.check(crate::tag::parse_tag_list(t))),
        };
        errs.into_result().map(|()| edit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn form() -> NewCaseForm {
        NewCaseForm {
            kind: "complaint".into(),
            channel: "phone".into(),
            customer: CustomerForm {
                name: "张三".into(),
                phone: "13800138000".into(),
                ..Default::default()
            },
            subject: "屏幕漏液".into(),
            ..Default::default()
        }
    }

    const TZ: chrono_tz::Tz = chrono_tz::Asia::Shanghai;

    #[test]
    fn a_good_form_parses_with_its_defaults() {
        let now = t("2026-10-09T10:00:00+08:00");
        let c = NewCase::parse(&form(), now, TZ).unwrap();
        assert_eq!(c.kind, Kind::Complaint);
        assert_eq!(c.priority, Priority::Normal);
        assert_eq!(c.received_at, now);
        assert_eq!(c.customer.phone.as_str(), "13800138000");
        assert_eq!(c.regulator, None);
    }

    #[test]
    fn every_bad_field_is_named() {
        let now = t("2026-10-09T10:00:00+08:00");
        let f = NewCaseForm {
            kind: "fax".into(),
            channel: "pigeon".into(),
            priority: "whenever".into(),
            customer: CustomerForm::default(),
            subject: " ".into(),
            description: "长".repeat(MAX_TEXT_CHARS + 1),
            received_at: Some(t("2026-10-10T10:00:00+08:00")),
            ..Default::default()
        };
        let fields: Vec<String> = NewCase::parse(&f, now, TZ)
            .unwrap_err()
            .0
            .iter()
            .map(|e| e.field.to_string())
            .collect();
        assert_eq!(
            fields,
            [
                "kind",
                "channel",
                "priority",
                "customer.name",
                "customer.phone",
                "subject",
                "description",
                "received_at"
            ]
        );
    }

    #[test]
    fn a_regulator_transfer_needs_its_number_and_a_date_not_after_receipt() {
        let now = t("2026-10-09T10:00:00+08:00");
        let day = NaiveDate::from_ymd_opt(2026, 10, 9).unwrap();
        assert_eq!(
            regulator_transfer(Channel::Phone, "", "2026-10-08", day),
            Ok(None)
        );
        assert_eq!(
            regulator_transfer(Channel::Regulator, "12315-1", " 2026-10-08 ", day)
                .unwrap()
                .unwrap()
                .accepted_on,
            NaiveDate::from_ymd_opt(2026, 10, 8).unwrap()
        );
        let code = |r: &str, d: &str| {
            regulator_transfer(Channel::Regulator, r, d, day)
                .unwrap_err()
                .0[0]
                .code
        };
        assert_eq!(code("", "2026-10-08"), "required");
        let both = regulator_transfer(Channel::Regulator, "", "", day).unwrap_err();
        assert_eq!(both.0.len(), 2);
        assert_eq!(code("12315-1", ""), "required");
        assert_eq!(code("12315-1", "2026/10/08"), "invalid");
        assert_eq!(code("12315-1", "2026-10-10"), "after_received");
        let mut f = form();
        f.channel = "regulator".into();
        let e = NewCase::parse(&f, now, TZ).unwrap_err();
        assert_eq!(e.0[0].field, "regulator_ref");
    }

    #[test]
    fn an_edit_checks_only_what_it_changes() {
        let e = CaseEdit::parse(&CaseEditForm {
            priority: Some("high".into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(e.priority, Some(Priority::High));
        assert_eq!(e.subject, None);
        let errs = CaseEdit::parse(&CaseEditForm {
            subject: Some(String::new()),
            tags: Some(vec!["a b".into()]),
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(errs.0.len(), 2);
    }
}
