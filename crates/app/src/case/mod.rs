//! Service cases (服务单): intake, reading, queues, search, edits, state changes, notes,
//! reports to the supervisor, attachments, saved filters, and the clocks and escalations that
//! follow from each case's event list. Every change appends to the case's event list and
//! recomputes its clocks from that list in the same transaction.

mod attachments;
mod costs;
mod edit;
mod intake;
mod note;
mod projection;
mod queue;
mod receipt;
mod report;
mod saved_filters;
mod search;
mod step;
mod supervision;
mod sweep;
mod transition;
mod view;

use chrono::{DateTime, Utc};
use sanbao_domain::case::{EventKind, Kind};
use sanbao_domain::contact::Phone;
use sanbao_domain::role::Permission;
use sanbao_store::Tx;
use sanbao_store::case::row::{self as repo, CaseRow};
use sanbao_store::case::{EventWrite, update};

use crate::{Actor, AppError, Result};

pub use attachments::{Attachment, FileContent, THUMBNAIL_SIDE, thumbnail};
pub use costs::Ledger;
pub use edit::BulkRefusal;
pub use queue::{CaseQuery, Queue};
pub use receipt::{OtherCase, Receipt};
pub use saved_filters::{MAX_PER_USER as MAX_SAVED_FILTERS, SavedFilter};
pub use supervision::{Desk, Report, Waiting};
pub use sweep::Sweep;
pub use transition::Closing;
pub use view::{CaseDetail, CasePage, CaseView, Party, TimelineEntry};

pub(crate) use projection::Projector;

crate::facade!(
    /// Service cases.
    Cases,
    cases
);

/// May `actor` see case `c`? A complaint is private to the complaint department, its
/// assignee and supervisors (DESIGN "Security and privacy").
pub(crate) fn can_see(actor: &Actor, c: &CaseRow) -> bool {
    c.kind != Kind::Complaint
        || actor.can(Permission::ComplaintHandle)
        || actor.can(Permission::CaseSupervise)
        || (c.assignee_id.is_some() && c.assignee_id == actor.user_id)
}

/// An address as pages, lists and the API show it: its first characters only. The whole
/// address is read only through [`crate::customer::Customers::reveal`], which is audited.
pub(crate) fn masked_address(address: &str) -> String {
    sanbao_domain::contact::masked_address(address)
}

/// A phone number as pages, lists and the API show it: masked (138****5678). The whole number
/// is read only through [`crate::customer::Customers::reveal`], which is audited.
pub(crate) fn masked_phone(phone: &str) -> String {
    Phone::parse(phone).map_or_else(|_| "****".into(), |p| p.masked())
}

impl Cases<'_> {
    /// A case the actor may see (others answer 404: a complaint's existence is private too).
    pub(crate) async fn visible(&self, actor: &Actor, number: &str) -> Result<CaseRow> {
        actor.require(Permission::CaseRead)?;
        let c = repo::by_number(&self.app.store, number.trim())
            .await?
            .ok_or(AppError::NotFound("case"))?;
        if !can_see(actor, &c) {
            return Err(AppError::NotFound("case"));
        }
        Ok(c)
    }

    pub(crate) async fn by_id(&self, id: i64) -> Result<CaseRow> {
        repo::by_id(&self.app.store, id)
            .await?
            .ok_or(AppError::NotFound("case"))
    }
}

/// Append one entry to a case's timeline.
pub(crate) async fn append(
    tx: &mut Tx,
    actor: &Actor,
    case_id: i64,
    kind: EventKind,
    at: DateTime<Utc>,
    body: &str,
    data: serde_json::Value,
) -> Result<()> {
    update::insert_event(tx, case_id, &event(actor, kind, at, body, data)).await?;
    Ok(())
}

/// An entry of a case's timeline, by `actor`.
pub(crate) fn event(
    actor: &Actor,
    kind: EventKind,
    at: DateTime<Utc>,
    body: &str,
    data: serde_json::Value,
) -> EventWrite {
    EventWrite {
        at,
        actor_id: actor.id(),
        actor_name: actor.display_name.clone(),
        kind,
        body: body.to_owned(),
        data: data.to_string(),
    }
}
