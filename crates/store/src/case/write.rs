//! How each row of a case is written — by intake on either backend, by the use cases that
//! append to a case, and by the bulk loader — described once (see [`crate::row`]).

use chrono::{DateTime, NaiveDate, Utc};
use sanbao_domain::case::{Channel, ClockRecord, EventKind, Kind, Priority, State};
use sanbao_domain::customer::CustomerKind;

use super::row::due_key;
use crate::row::{Insert, Val};

pub(crate) const CUSTOMER: Insert = Insert {
    table: "customer",
    columns: &[
        "kind",
        "name",
        "phone",
        "address",
        "credit_code",
        "created_at",
        "updated_at",
        "version",
    ],
};

/// A customer as written.
#[derive(Debug, Clone)]
pub struct CustomerWrite {
    pub kind: CustomerKind,
    pub name: String,
    pub phone: String,
    pub address: String,
    pub credit_code: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl CustomerWrite {
    pub(crate) fn values(&self) -> Vec<Val<'_>> {
        vec![
            self.kind.code().into(),
            (&self.name).into(),
            (&self.phone).into(),
            (&self.address).into(),
            self.credit_code.as_deref().into(),
            self.created_at.into(),
            self.created_at.into(),
            1i64.into(),
        ]
    }
}

pub(crate) const CUSTOMER_BY_PHONE: &str = "SELECT id, name FROM customer WHERE phone = $1";

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
        "breached",
        "escalated",
        "tags",
        "created_by",
        "created_at",
        "updated_at",
        "version",
    ],
};

/// A case row as written (a new case is at version 1).
#[derive(Debug, Clone)]
pub struct CaseWrite {
    pub number: String,
    pub kind: Kind,
    pub channel: Channel,
    pub customer_id: i64,
    pub subject: String,
    pub description: String,
    pub priority: Priority,
    pub desk_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub state: State,
    pub policy_name: String,
    pub policy_version: i32,
    pub received_at: DateTime<Utc>,
    pub regulator_ref: Option<String>,
    pub regulator_accepted_on: Option<NaiveDate>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub next_due_at: Option<DateTime<Utc>>,
    pub next_check_at: Option<DateTime<Utc>>,
    pub breached: bool,
    pub escalated: bool,
    /// Comma-joined, in the order given.
    pub tags: String,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl CaseWrite {
    pub(crate) fn values(&self) -> Vec<Val<'_>> {
        vec![
            (&self.number).into(),
            self.kind.code().into(),
            self.channel.code().into(),
            self.customer_id.into(),
            (&self.subject).into(),
            (&self.description).into(),
            self.priority.code().into(),
            self.desk_id.into(),
            self.assignee_id.into(),
            self.state.code().into(),
            self.state.is_open().into(),
            (&self.policy_name).into(),
            self.policy_version.into(),
            self.received_at.into(),
            self.regulator_ref.as_deref().into(),
            self.regulator_accepted_on.into(),
            self.resolved_at.into(),
            self.next_due_at.into(),
            due_key(self.next_due_at).into(),
            self.next_check_at.into(),
            self.breached.into(),
            self.escalated.into(),
            (&self.tags).into(),
            self.created_by.into(),
            self.created_at.into(),
            self.updated_at.into(),
            1i64.into(),
        ]
    }
}

pub(crate) const EVENT: Insert = Insert {
    table: "case_event",
    columns: &[
        "case_id",
        "at",
        "actor_id",
        "actor_name",
        "kind",
        "body",
        "data",
    ],
};

/// An entry of a case's timeline as written.
#[derive(Debug, Clone)]
pub struct EventWrite {
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub kind: EventKind,
    pub body: String,
    /// JSON.
    pub data: String,
}

impl EventWrite {
    pub(crate) fn values(&self, case_id: i64) -> Vec<Val<'_>> {
        vec![
            case_id.into(),
            self.at.into(),
            self.actor_id.into(),
            (&self.actor_name).into(),
            self.kind.code().into(),
            (&self.body).into(),
            (&self.data).into(),
        ]
    }
}

pub(crate) const CLOCK: Insert = Insert {
    table: "case_clock",
    columns: &["case_id", "clock", "state", "due_at", "due_date", "rule"],
};

pub(crate) fn clock_values(case_id: i64, k: &ClockRecord) -> Vec<Val<'_>> {
    vec![
        case_id.into(),
        (&k.clock).into(),
        k.state.code().into(),
        k.due_at.into(),
        k.due_date.into(),
        (&k.rule).into(),
    ]
}

/// A case's search words: SQLite's FTS5 table is keyed by rowid, PostgreSQL keeps a
/// `tsvector` (the words are cut by the app, so both index the same words).
pub(crate) const SEARCH_SQLITE: &str = "INSERT INTO case_search (rowid, doc) VALUES ($1, $2)";
pub(crate) const SEARCH_POSTGRES: &str = "INSERT INTO case_search (case_id, doc) VALUES ($1, to_tsvector('simple', $2)) \
     ON CONFLICT (case_id) DO UPDATE SET doc = excluded.doc";

pub(crate) const IDEMPOTENCY: Insert = Insert {
    table: "idempotency_key",
    columns: &["user_id", "key", "case_id", "created_at"],
};

pub(crate) const IDEMPOTENT_CASE: &str =
    "SELECT case_id FROM idempotency_key WHERE user_id = $1 AND key = $2";

/// Take the next `$3` numbers of a kind (`$1`) and year (`$2`); answers the last one taken.
pub(crate) const RESERVE_NUMBERS: &str = "INSERT INTO case_counter (kind, year, last) \
     VALUES ($1, $2, $3) ON CONFLICT (kind, year) DO UPDATE SET last = case_counter.last + $3 \
     RETURNING last";

/// The desk's and the assignee's names (a missing one is a dangling reference).
pub(crate) const DESK_AND_ASSIGNEE_NAMES: &str = "SELECT (SELECT name FROM desk WHERE id = $1), (SELECT display_name FROM user_account WHERE id = $2)";
