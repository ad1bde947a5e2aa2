//! One search box: a case number opens that case; a phone number finds its customer's cases;
//! anything else is searched by words in number, subject, description, notes, customer name
//! and phone.

use sanbao_domain::case::looks_like_number;
use sanbao_domain::role::Permission;
use sanbao_store::case::row as rows;
use sanbao_store::case::{queue, search};

use super::queue::{CaseQuery, filter_for};
use super::{CaseView, Cases, can_see};
use crate::{Actor, Result};

/// Does the typed text look like a phone number (7+ digits, phone punctuation only)?
fn looks_like_phone(q: &str) -> bool {
    q.chars().filter(char::is_ascii_digit).count() >= 7
        && q.chars().all(|c| c.is_ascii_digit() || " -+()".contains(c))
}

impl Cases<'_> {
    /// The newest matches of `q` the actor may see, at most `limit`.
    #[tracing::instrument(name = "case.search", skip_all)]
    pub async fn search(&self, actor: &Actor, q: &str, limit: i64) -> Result<Vec<CaseView>> {
        actor.require(Permission::CaseRead)?;
        let q = q.trim();
        let store = &self.app.store;
        let mut f = filter_for(actor, &CaseQuery::default(), limit)?;
        f.open_only = false;
        let upper = q.to_ascii_uppercase();
        let found = if looks_like_number(&upper) {
            match rows::by_number(store, &upper).await? {
                Some(c) if can_see(actor, &c) => vec![c],
                _ => Vec::new(),
            }
        } else if looks_like_phone(q) {
            let mut out = Vec::new();
            for id in self.app.customers().ids_for_phone(actor, q).await? {
                f.customer_id = Some(id);
                out.extend(queue::list(store, &f).await?);
            }
            out.truncate(limit.max(0) as usize);
            out
        } else {
            let words = sanbao_domain::search::query_words(q);
            search::search(store, &words, &f).await?
        };
        self.views(actor, found).await
    }
}

/// Rebuild a case's search words: number, subject, description, customer name and phone,
/// tags, notes and messages.
pub(crate) async fn reindex(tx: &mut sanbao_store::Tx, case_id: i64) -> Result<()> {
    use sanbao_domain::case::EventKind;
    let Some(c) = rows::by_id_tx(tx, case_id).await? else {
        return Ok(());
    };
    let events = rows::events_tx(tx, case_id).await?;
    let tags = c.tags.join(",");
    let mut parts: Vec<&str> = vec![
        &c.number,
        &c.subject,
        &c.description,
        &c.customer_name,
        &c.customer_phone,
        &tags,
    ];
    parts.extend(
        events
            .iter()
            .filter(|e| matches!(e.kind, EventKind::Note | EventKind::Message))
            .map(|e| e.body.as_str()),
    );
    search::put_search_doc(tx, case_id, &sanbao_domain::search::index_words(&parts)).await?;
    Ok(())
}
