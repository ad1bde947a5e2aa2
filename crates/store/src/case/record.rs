//! The case row, described once: its columns as written (by intake on either backend and by
//! the bulk loader), the values of a [`CaseRecord`] in that order, and how a row is read back
//! with its customer, desk and assignee names. A new field of the case touches this file, the
//! domain's record and the migrations.

use chrono::{DateTime, NaiveDate, Utc};
use sanbao_domain::audit::AuditKey;
use sanbao_domain::case::{CaseRecord, Channel, Kind, Priority, State};
use sanbao_domain::{CustomerId, DeskId, UserId};

use crate::row::{Insert, Val};

pub(crate) const CASE: Insert = Insert {
    table: "service_case",
    columns: &[
        "number",
        "kind",
        "channel",
        "customer_id",
        "subject",
        "description",
        "priority",
        "desk_id",
        "assignee_id",
        "state",
        "is_open",
        "policy_name",
        "policy_version",
        "received_at",
        "regulator_ref",
        "regulator_accepted_on",
        "resolved_at",
        "next_due_at",
        "due_key",
        "next_check_at",
        "soon_key",
        "breached",
        "escalated",
        "tags",
        "created_by",
        "created_at",
        "updated_at",
        "version",
        "seal",
    ],
};

/// The values of a new case's row, in [`CASE`]'s column order (a new case is at version 1),
/// sealed with `key`.
pub(crate) fn case_values<'a>(c: &'a CaseRecord, key: &AuditKey) -> Vec<Val<'a>> {
    let values = vec![
        (&c.number).into(),
        c.kind.code().into(),
        c.channel.code().into(),
        c.customer_id.0.into(),
        (&c.subject).into(),
        (&c.description).into(),
        c.priority.code().into(),
        c.desk_id.map(|d| d.0).into(),
        c.assignee_id.map(|u| u.0).into(),
        c.state.code().into(),
        c.state.is_open().into(),
        (&c.policy_name).into(),
        c.policy_version.into(),
        c.received_at.into(),
        c.regulator_ref.as_deref().into(),
        c.regulator_accepted_on.into(),
        c.resolved_at.into(),
        c.next_due_at.into(),
        due_key(c.next_due_at).into(),
        c.next_check_at.into(),
        due_key(c.next_soon_at).into(),
        c.breached.into(),
        c.escalated.into(),
        c.tags.as_slice().into(),
        c.created_by.map(|u| u.0).into(),
        c.created_at.into(),
        c.updated_at.into(),
        1i64.into(),
    ];
    crate::seal::CASE.append(key, &CASE, values)
}

/// A case as read: its record, with its customer's, desk's and assignee's names.
#[derive(Debug, Clone)]
pub struct CaseRow {
    pub id: i64,
    pub record: CaseRecord,
    pub customer_name: String,
    pub customer_phone: String,
    pub desk_name: Option<String>,
    pub assignee_name: Option<String>,
    /// The queue sort key: `next_due_at` in Unix seconds, [`NO_DUE`] without a running clock.
    pub due_key: i64,
    pub version: i64,
}

impl std::ops::Deref for CaseRow {
    type Target = CaseRecord;

    fn deref(&self) -> &CaseRecord {
        &self.record
    }
}

/// The sort key of a case without a running clock: after every dated one.
pub const NO_DUE: i64 = i64::MAX;

/// The queue sort key of a next due time.
pub fn due_key(next_due_at: Option<DateTime<Utc>>) -> i64 {
    next_due_at.map_or(NO_DUE, |d| d.timestamp())
}

pub(crate) const CASE_SELECT: &str = "SELECT s.id, s.number, s.kind, s.channel, s.customer_id, \
    cu.name AS customer_name, cu.phone AS customer_phone, s.subject, s.description, s.priority, \
    s.desk_id, d.name AS desk_name, s.assignee_id, u.display_name AS assignee_name, s.state, \
    s.policy_name, s.policy_version, s.received_at, s.regulator_ref, s.regulator_accepted_on, \
    s.resolved_at, s.next_due_at, s.next_check_at, s.due_key, s.soon_key, s.breached, s.escalated, s.tags, \
    s.created_by, s.created_at, s.updated_at, s.version \
    FROM service_case s JOIN customer cu ON cu.id = s.customer_id \
    LEFT JOIN desk d ON d.id = s.desk_id LEFT JOIN user_account u ON u.id = s.assignee_id";

/// [`CASE_SELECT`]'s columns as the drivers read them.
#[derive(sqlx::FromRow)]
pub(crate) struct Read {
    id: i64,
    number: String,
    #[sqlx(try_from = "String")]
    kind: Kind,
    #[sqlx(try_from = "String")]
    channel: Channel,
    customer_id: i64,
    customer_name: String,
    customer_phone: String,
    subject: String,
    description: String,
    #[sqlx(try_from = "String")]
    priority: Priority,
    desk_id: Option<i64>,
    desk_name: Option<String>,
    assignee_id: Option<i64>,
    assignee_name: Option<String>,
    #[sqlx(try_from = "String")]
    state: State,
    policy_name: String,
    policy_version: i32,
    received_at: DateTime<Utc>,
    regulator_ref: Option<String>,
    regulator_accepted_on: Option<NaiveDate>,
    resolved_at: Option<DateTime<Utc>>,
    next_due_at: Option<DateTime<Utc>>,
    next_check_at: Option<DateTime<Utc>>,
    soon_key: i64,
    due_key: i64,
    breached: bool,
    escalated: bool,
    tags: String,
    created_by: Option<i64>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    version: i64,
}

impl From<Read> for CaseRow {
    fn from(r: Read) -> CaseRow {
        CaseRow {
            id: r.id,
            record: CaseRecord {
                number: r.number,
                kind: r.kind,
                channel: r.channel,
                customer_id: CustomerId(r.customer_id),
                subject: r.subject,
                description: r.description,
                priority: r.priority,
                desk_id: r.desk_id.map(DeskId),
                assignee_id: r.assignee_id.map(UserId),
                state: r.state,
                policy_name: r.policy_name,
                policy_version: r.policy_version,
                received_at: r.received_at,
                regulator_ref: r.regulator_ref,
                regulator_accepted_on: r.regulator_accepted_on,
                resolved_at: r.resolved_at,
                next_due_at: r.next_due_at,
                next_check_at: r.next_check_at,
                next_soon_at: (r.soon_key != NO_DUE)
                    .then(|| DateTime::from_timestamp(r.soon_key, 0))
                    .flatten(),
                breached: r.breached,
                escalated: r.escalated,
                tags: split_tags(&r.tags),
                created_by: r.created_by.map(UserId),
                created_at: r.created_at,
                updated_at: r.updated_at,
            },
            customer_name: r.customer_name,
            customer_phone: r.customer_phone,
            desk_name: r.desk_name,
            assignee_name: r.assignee_name,
            due_key: r.due_key,
            version: r.version,
        }
    }
}

/// The tags of a row's comma-joined column.
fn split_tags(joined: &str) -> Vec<String> {
    joined
        .split(',')
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}
