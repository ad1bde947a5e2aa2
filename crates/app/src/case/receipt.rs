//! What the person who logged a case is told: its number, where it went, the deadlines the
//! customer was promised, and the customer's other open cases of the same kind — whether or
//! not that person may open the case itself (a complaint goes to the complaint department).

use chrono::{DateTime, Utc};
use sanbao_domain::case::{ClockRecord, Kind};
use sanbao_domain::contact::Phone;
use sanbao_domain::role::Permission;
use sanbao_store::case::queue::{self as queue_repo, CaseFilter};
use sanbao_store::case::row as repo;
use sanbao_store::customer as customer_repo;

use super::{Cases, can_see};
use crate::{Actor, AppError, Result};

/// How long after logging a case its receipt stays readable by the one who logged it.
const RECEIPT_HOURS: i64 = 24;

/// The customer's other open cases of the same kind shown on a receipt, at most.
const OTHERS: i64 = 5;

/// A case as its receipt shows it.
#[derive(Debug, Clone)]
pub struct Receipt {
    pub number: String,
    pub kind: Kind,
    pub received_at: DateTime<Utc>,
    pub customer_name: String,
    /// The desk it went to, if any.
    pub desk: Option<String>,
    pub assignee: Option<String>,
    /// Its clocks, soonest first: the deadlines the customer was promised.
    pub clocks: Vec<ClockRecord>,
    /// The viewer may open the case page.
    pub may_open: bool,
    /// Other open cases of the same kind for this customer.
    pub others: Vec<OtherCase>,
}

/// Another open case of the customer: its subject only where the viewer may see the case.
#[derive(Debug, Clone)]
pub struct OtherCase {
    pub number: String,
    pub subject: Option<String>,
    pub received_at: DateTime<Utc>,
}

impl Cases<'_> {
    /// The receipt of case `number`: for whoever may see the case, and for the one who logged
    /// it during the day after. Others get 404, as for the case itself.
    #[tracing::instrument(name = "case.receipt", skip_all, fields(number = %number))]
    pub async fn receipt(&self, actor: &Actor, number: &str) -> Result<Receipt> {
        let c = repo::by_number(&self.app.store, number.trim())
            .await?
            .ok_or(AppError::NotFound("case"))?;
        let now = sanbao_domain::time::now();
        let logged_it = actor.user_id.is_some()
            && c.record.created_by == actor.user_id
            && now - c.record.created_at < chrono::Duration::hours(RECEIPT_HOURS);
        let may_open = can_see(actor, &c) && actor.can(Permission::CaseRead);
        if !may_open && !logged_it {
            return Err(AppError::NotFound("case"));
        }
        let others = self
            .open_of_same_kind(actor, c.record.customer_id.0, c.record.kind, Some(c.id))
            .await?;
        let v = self.view(actor, c).await?;
        Ok(Receipt {
            number: v.number.clone(),
            kind: v.kind,
            received_at: v.received_at,
            customer_name: v.customer.name.clone(),
            desk: v.desk.as_ref().map(|d| d.name.clone()),
            assignee: v.assignee.as_ref().map(|a| a.name.clone()),
            clocks: v.clocks.clone(),
            may_open,
            others,
        })
    }

    /// Before a case is logged: the open cases of `kind` of the customer with exactly this
    /// phone, so that the agent sees a case already running before entering it again. A
    /// number that is not a whole phone finds nothing (typing ahead must not list others).
    pub async fn open_for_intake(
        &self,
        actor: &Actor,
        phone: &str,
        kind: &str,
    ) -> Result<Vec<OtherCase>> {
        actor.require(Permission::CaseWrite)?;
        let (Ok(phone), Ok(kind)) = (Phone::parse(phone), kind.parse::<Kind>()) else {
            return Ok(Vec::new());
        };
        match customer_repo::customer_id_by_phone(&self.app.store, phone.as_str()).await? {
            Some(id) => self.open_of_same_kind(actor, id, kind, None).await,
            None => Ok(Vec::new()),
        }
    }

    /// The open cases of `kind` for customer `customer_id` (but `except`), newest first; a
    /// case the viewer may not see is listed by number alone.
    pub async fn open_of_same_kind(
        &self,
        actor: &Actor,
        customer_id: i64,
        kind: Kind,
        except: Option<i64>,
    ) -> Result<Vec<OtherCase>> {
        let f = CaseFilter {
            open_only: true,
            kinds: vec![kind],
            customer_id: Some(customer_id),
            limit: OTHERS + 1,
            ..Default::default()
        };
        let rows = queue_repo::list(&self.app.store, &f).await?;
        let mut out: Vec<OtherCase> = rows
            .into_iter()
            .filter(|r| Some(r.id) != except)
            .map(|r| OtherCase {
                subject: can_see(actor, &r).then(|| r.record.subject.clone()),
                number: r.record.number,
                received_at: r.record.received_at,
            })
            .collect();
        out.sort_by_key(|o| std::cmp::Reverse(o.received_at));
        out.truncate(OTHERS as usize);
        Ok(out)
    }
}
