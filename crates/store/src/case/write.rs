//! How the rows a case owns are written — by intake on either backend, by the use cases that
//! append to a case, and by the bulk loader — described once (see [`crate::row`]); the case
//! row itself is described in [`super::record`].

use chrono::{DateTime, Utc};
use sanbao_domain::audit::AuditKey;
use sanbao_domain::case::{ClockRecord, EventKind};
use sanbao_domain::customer::CustomerKind;

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
        "seal",
    ],
};

/// A customer as written.
#[derive(Debug, Clone)]
pub struct CustomerWrite {
    pub kind: CustomerKind,
    pub name: String,
    /// The main phone: the phone of the first contact.
    pub phone: String,
    pub address: String,
    pub credit_code: Option<String>,
    /// The name of the person on the phone (for an individual, their own name).
    pub contact_name: String,
    pub created_at: DateTime<Utc>,
}

impl CustomerWrite {
    /// The row's values in [`CUSTOMER`]'s order, sealed with `key`.
    pub(crate) fn values(&self, key: &AuditKey) -> Vec<Val<'_>> {
        let values = vec![
            self.kind.code().into(),
            (&self.name).into(),
            (&self.phone).into(),
            (&self.address).into(),
            self.credit_code.as_deref().into(),
            self.created_at.into(),
            self.created_at.into(),
            1i64.into(),
        ];
        crate::seal::CUSTOMER.append(key, &CUSTOMER, values)
    }
}

impl CustomerWrite {
    /// The customer's first contact: the person whose phone this is.
    pub fn first_contact(&self) -> ContactWrite {
        ContactWrite {
            name: self.contact_name.clone(),
            role: String::new(),
            phone: self.phone.clone(),
            created_at: self.created_at,
        }
    }
}

pub(crate) const CONTACT: Insert = Insert {
    table: "customer_contact",
    columns: &["customer_id", "name", "role", "phone", "created_at", "seal"],
};

/// A contact of a customer: a person and the phone that reaches them.
#[derive(Debug, Clone)]
pub struct ContactWrite {
    pub name: String,
    /// What they are to the customer (采购, 设备科 …), or empty.
    pub role: String,
    pub phone: String,
    pub created_at: DateTime<Utc>,
}

impl ContactWrite {
    /// The row's values in [`CONTACT`]'s order, sealed with `key`.
    pub(crate) fn values(&self, customer_id: i64, key: &AuditKey) -> Vec<Val<'_>> {
        let values = vec![
            customer_id.into(),
            (&self.name).into(),
            (&self.role).into(),
            (&self.phone).into(),
            self.created_at.into(),
        ];
        crate::seal::CONTACT.append(key, &CONTACT, values)
    }
}

/// The customer a phone belongs to (through the contact it is the phone of).
pub(crate) const CUSTOMER_BY_PHONE: &str = "SELECT c.id, c.name FROM customer_contact k \
    JOIN customer c ON c.id = k.customer_id WHERE k.phone = $1";

/// The customer a credit code names.
pub(crate) const CUSTOMER_BY_CREDIT_CODE: &str =
    "SELECT id, name FROM customer WHERE credit_code = $1";

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
        "seal",
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
    /// The row's values in [`EVENT`]'s order, sealed with `key`.
    pub(crate) fn values(&self, case_id: i64, key: &AuditKey) -> Vec<Val<'_>> {
        let values = vec![
            case_id.into(),
            self.at.into(),
            self.actor_id.into(),
            (&self.actor_name).into(),
            self.kind.code().into(),
            (&self.body).into(),
            (&self.data).into(),
        ];
        crate::seal::EVENT.append(key, &EVENT, values)
    }
}

pub(crate) const CLOCK: Insert = Insert {
    table: "case_clock",
    columns: &[
        "case_id",
        "clock",
        "state",
        "due_at",
        "due_date",
        "soon_at",
        "unit",
        "rule",
        "provisional",
    ],
};

pub(crate) fn clock_values(case_id: i64, k: &ClockRecord) -> Vec<Val<'_>> {
    vec![
        case_id.into(),
        (&k.clock).into(),
        k.state.code().into(),
        k.due_at.into(),
        k.due_date.into(),
        k.soon_at.into(),
        k.unit.code().into(),
        (&k.rule).into(),
        k.provisional.into(),
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
