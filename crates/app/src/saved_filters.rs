//! Saved queue filters: a person names the filters they use every day and finds them beside
//! the queues.

use sanbao_domain::role::Permission;
use sanbao_domain::user::parse_label;
use sanbao_store::StoreError;
use sanbao_store::saved_filters::{self as repo, SavedFilterRow};
use serde_json::json;

use crate::{Actor, App, AppError, Result, audit};

/// The most filters one person keeps.
pub const MAX_PER_USER: i64 = 20;

/// The longest query string kept.
const MAX_QUERY_CHARS: usize = 1000;

impl App {
    /// The actor's saved filters, by name.
    pub async fn saved_filters(&self, actor: &Actor) -> Result<Vec<SavedFilterRow>> {
        let Some(me) = actor.user_id else {
            return Ok(Vec::new());
        };
        Ok(repo::for_user(&self.store, me).await?)
    }

    /// Save the queue's current filter (its query string, as the web layer wrote it) under a
    /// name; a name already used is answered with the field `name`.
    pub async fn save_filter(
        &self,
        actor: &Actor,
        name: &str,
        query: &str,
    ) -> Result<SavedFilterRow> {
        actor.require(Permission::CaseRead)?;
        let me = actor.user_id.ok_or(AppError::Unauthenticated)?;
        let name = parse_label(name, "name", "名称", 30)?;
        let query = query.trim().trim_start_matches('?');
        // The queue page writes the query percent-encoded: anything but visible ASCII is not one.
        if query.len() > MAX_QUERY_CHARS || !query.chars().all(|c| c.is_ascii_graphic()) {
            return Err(AppError::invalid("query", "invalid", "筛选条件无效"));
        }
        let now = sanbao_domain::time::now();
        let mut tx = self.store.begin().await?;
        if repo::count_tx(&mut tx, me).await? >= MAX_PER_USER {
            return Err(AppError::invalid(
                "name",
                "too_many",
                format!("最多保存 {MAX_PER_USER} 个筛选"),
            ));
        }
        let id = match repo::insert(&mut tx, me, &name, query, now).await {
            Ok(id) => id,
            Err(StoreError::Unique) => {
                return Err(AppError::Duplicate(sanbao_domain::FieldError::new(
                    "name",
                    "taken",
                    "已有同名的筛选",
                )));
            }
            Err(e) => return Err(e.into()),
        };
        audit::record(
            &mut tx,
            actor,
            "filter.save",
            "saved_filter",
            id,
            json!({"name": name, "query": query}),
        )
        .await?;
        tx.commit().await?;
        Ok(SavedFilterRow {
            id,
            name,
            query: query.to_owned(),
        })
    }

    /// Delete one of the actor's saved filters (another person's is not found).
    pub async fn delete_filter(&self, actor: &Actor, id: i64) -> Result<()> {
        let me = actor.user_id.ok_or(AppError::Unauthenticated)?;
        let mut tx = self.store.begin().await?;
        match repo::delete(&mut tx, me, id).await {
            Ok(()) => {}
            Err(StoreError::NotFound) => return Err(AppError::NotFound("saved_filter")),
            Err(e) => return Err(e.into()),
        }
        audit::record(
            &mut tx,
            actor,
            "filter.delete",
            "saved_filter",
            id,
            json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
