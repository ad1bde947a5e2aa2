//! Saved queue filters: a person names the filters they use every day and finds them beside
//! the queues.

use sanbao_domain::audit::{Action, RecordType};
use sanbao_domain::role::Permission;
use sanbao_domain::text;
use sanbao_domain::user::parse_label;
use sanbao_store::StoreError;
use sanbao_store::case::saved_filters::{self as repo, SavedFilterRow};
use serde_json::json;

use super::Cases;
use crate::{Actor, AppError, Result, audit};

/// A filter someone saved: its name and the queue page's query string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedFilter {
    pub id: i64,
    pub name: String,
    pub query: String,
}

impl From<SavedFilterRow> for SavedFilter {
    fn from(r: SavedFilterRow) -> Self {
        SavedFilter {
            id: r.id,
            name: r.name,
            query: r.query,
        }
    }
}

/// The most filters one person keeps.
pub const MAX_PER_USER: i64 = 20;

/// The longest query string kept.
const MAX_QUERY_CHARS: usize = 1000;

impl Cases<'_> {
    /// The actor's saved filters, by name.
    pub async fn saved_filters(&self, actor: &Actor) -> Result<Vec<SavedFilter>> {
        let Some(me) = actor.id() else {
            return Ok(Vec::new());
        };
        let rows = repo::for_user(&self.app.store, me).await?;
        Ok(rows.into_iter().map(SavedFilter::from).collect())
    }

    /// Save the queue's current filter (its query string, as the web layer wrote it) under a
    /// name; a name already used is answered with the field `name`.
    pub async fn save_filter(&self, actor: &Actor, name: &str, query: &str) -> Result<SavedFilter> {
        actor.require(Permission::CaseRead)?;
        let me = actor.signed_in()?;
        let name = parse_label(name, "name", text!("label.name"), 30)?;
        let query = query.trim().trim_start_matches('?');
        // The queue page writes the query percent-encoded: anything but visible ASCII is not one.
        if query.len() > MAX_QUERY_CHARS || !query.chars().all(|c| c.is_ascii_graphic()) {
            return Err(AppError::invalid(
                "query",
                "invalid",
                text!("case.filter_invalid"),
            ));
        }
        let now = sanbao_domain::time::now();
        let mut tx = self.app.store.begin().await?;
        if repo::count_tx(&mut tx, me).await? >= MAX_PER_USER {
            return Err(AppError::invalid(
                "name",
                "too_many",
                text!("case.filters_too_many", max = MAX_PER_USER),
            ));
        }
        let id = match repo::insert(&mut tx, me, &name, query, now).await {
            Ok(id) => id,
            Err(StoreError::Unique) => {
                return Err(AppError::Duplicate(sanbao_domain::FieldError::new(
                    "name",
                    "taken",
                    text!("case.filter_name_taken"),
                )));
            }
            Err(e) => return Err(e.into()),
        };
        audit::record(
            &mut tx,
            actor,
            Action::FilterSave,
            RecordType::SavedFilter,
            id,
            json!({"name": name, "query": query}),
        )
        .await?;
        tx.commit().await?;
        Ok(SavedFilter {
            id,
            name,
            query: query.to_owned(),
        })
    }

    /// Delete one of the actor's saved filters (another person's is not found).
    pub async fn delete_filter(&self, actor: &Actor, id: i64) -> Result<()> {
        let me = actor.signed_in()?;
        let mut tx = self.app.store.begin().await?;
        match repo::delete(&mut tx, me, id).await {
            Ok(()) => {}
            Err(StoreError::NotFound) => return Err(AppError::NotFound("saved_filter")),
            Err(e) => return Err(e.into()),
        }
        audit::record(
            &mut tx,
            actor,
            Action::FilterDelete,
            RecordType::SavedFilter,
            id,
            json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
