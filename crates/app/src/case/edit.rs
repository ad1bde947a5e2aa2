//! Editing a case — subject, description, priority, desk, assignee, tags — and assigning many
//! at once from a queue.

use sanbao_domain::audit::{Action, RecordType};
use sanbao_domain::case::{CaseEdit, CaseEditForm, EventKind};
use sanbao_domain::role::Permission;
use sanbao_domain::{DeskId, UserId, text};
use sanbao_store::StoreError;
use sanbao_store::case::update::{self, CaseFields};
use serde_json::json;

use super::search::reindex;
use super::{CaseView, Cases, append};
use crate::{Actor, AppError, Result, audit};

/// A case a bulk action could not change, and why.
#[derive(Debug)]
pub struct BulkRefusal {
    pub number: String,
    pub error: AppError,
}

/// A desk or assignee that does not exist (the foreign key refused it) is bad input.
pub(crate) fn unknown_reference(e: StoreError) -> AppError {
    match e {
        StoreError::Dangling("desk_id") => {
            AppError::invalid("desk_id", "unknown", text!("case.desk_unknown"))
        }
        StoreError::Dangling(_) => {
            AppError::invalid("assignee_id", "unknown", text!("case.assignee_unknown"))
        }
        StoreError::ForeignKey => AppError::invalid(
            "assignee_id",
            "unknown",
            text!("case.desk_or_assignee_unknown"),
        ),
        other => other.into(),
    }
}

/// The permissions that make someone a case's possible assignee: working on cases at the
/// desk, or in the field (a technician is dispatched by being assigned).
const ASSIGNABLE: [Permission; 2] = [Permission::CaseWrite, Permission::FieldService];

fn assignable() -> [&'static str; 2] {
    ASSIGNABLE.map(Permission::code)
}

impl Cases<'_> {
    /// Edit a case's subject, description, priority, desk, assignee and tags (409 when stale).
    /// Moving a case to another desk or person needs `case.assign`; without it one may only
    /// take an unassigned case of its desk.
    #[tracing::instrument(name = "case.update", skip_all, fields(number = %number))]
    pub async fn update(
        &self,
        actor: &Actor,
        number: &str,
        version: i64,
        form: &CaseEditForm,
    ) -> Result<CaseView> {
        actor.require(Permission::CaseWrite)?;
        let c = self.visible(actor, number).await?;
        let moves_desk = form.desk_id.is_some_and(|d| d != c.desk_id);
        let moves_assignee = form.assignee_id.is_some_and(|a| a != c.assignee_id);
        // Taking: an unassigned case of one of the actor's own desks (or of no desk), to oneself.
        let taking = form.assignee_id == Some(actor.user_id)
            && actor.user_id.is_some()
            && c.assignee_id.is_none()
            && !moves_desk
            && c.desk_id.is_none_or(|d| actor.desk_ids.contains(&d));
        if (moves_desk || moves_assignee) && !taking {
            actor.require(Permission::CaseAssign)?;
        }
        if moves_assignee
            && let Some(Some(to)) = form.assignee_id
            && !sanbao_store::admin::users::has_any_permission(&self.app.store, to.0, &assignable())
                .await?
        {
            return Err(AppError::invalid(
                "assignee_id",
                "not_eligible",
                text!("case.assignee_not_eligible"),
            ));
        }
        let edit = CaseEdit::parse(form)?;
        let old_tags = &c.tags;
        let tags = edit.tags.filter(|t| t != old_tags);
        let subject = edit.subject.unwrap_or_else(|| c.subject.clone());
        let description = edit.description.unwrap_or_else(|| c.description.clone());
        let priority = edit.priority.unwrap_or(c.priority);
        let (was_desk, was_assignee) = (c.desk_id.map(|d| d.0), c.assignee_id.map(|u| u.0));
        let desk = edit.desk_id.map_or(was_desk, |d| d.map(|d| d.0));
        let assignee = edit.assignee_id.map_or(was_assignee, |a| a.map(|a| a.0));
        let now = sanbao_domain::time::now();
        let projector = self
            .projector_of(&c.policy_name, c.policy_version, desk.map(DeskId))
            .await?;
        let mut tx = self.app.store.begin().await?;
        let fields = CaseFields {
            subject: &subject,
            description: &description,
            priority,
            desk_id: desk,
            assignee_id: assignee,
        };
        update::update_fields(&mut tx, c.id, version, &fields, now)
            .await
            .map_err(unknown_reference)?;
        if desk != was_desk || assignee != was_assignee {
            let moved = json!({"desk_id": {"from": was_desk, "to": desk}, "assignee_id": {"from": was_assignee, "to": assignee}});
            append(&mut tx, actor, c.id, EventKind::Assignment, now, "", moved).await?;
        }
        if let Some(tags) = &tags {
            update::set_tags(&mut tx, c.id, tags).await?;
            let changed = json!({"from": old_tags, "to": tags});
            append(&mut tx, actor, c.id, EventKind::Tags, now, "", changed).await?;
        }
        projector.write(&mut tx, c.id, now).await?;
        reindex(&mut tx, c.id).await?;
        let changes = json!({"subject": subject, "priority": priority.code(), "desk_id": desk, "assignee_id": assignee, "tags": tags});
        audit::record(
            &mut tx,
            actor,
            Action::CaseUpdate,
            RecordType::Case,
            &c.number,
            changes,
        )
        .await?;
        tx.commit().await?;
        let c = self.by_id(c.id).await?;
        self.view(actor, c).await
    }

    /// Staff a case can be assigned to (those who work on cases, technicians included):
    /// `(id, name)`.
    pub async fn assignees(&self, actor: &Actor) -> Result<Vec<(UserId, String)>> {
        actor.require(Permission::CaseRead)?;
        let users =
            sanbao_store::admin::users::with_any_permission(&self.app.store, &assignable()).await?;
        Ok(users.into_iter().map(|(id, n)| (UserId(id), n)).collect())
    }

    /// The people a repair can be dispatched to: those who do field service.
    pub async fn technicians(&self, actor: &Actor) -> Result<Vec<(UserId, String)>> {
        actor.require(Permission::CaseRead)?;
        let users = sanbao_store::admin::users::with_any_permission(
            &self.app.store,
            &[Permission::FieldService.code()],
        )
        .await?;
        Ok(users.into_iter().map(|(id, n)| (UserId(id), n)).collect())
    }

    /// Assign several cases at once (a queue's bulk action); answers the ones refused, the
    /// others are assigned.
    pub async fn bulk_assign(
        &self,
        actor: &Actor,
        numbers: &[String],
        assignee: Option<UserId>,
    ) -> Result<Vec<BulkRefusal>> {
        // Refused as a whole without the right to work on cases, even with nothing selected.
        actor.require(Permission::CaseWrite)?;
        let mut refused = Vec::new();
        for n in numbers.iter().take(200) {
            let form = CaseEditForm {
                assignee_id: Some(assignee),
                ..CaseEditForm::default()
            };
            let result = match self.visible(actor, n).await {
                Ok(c) => self.update(actor, n, c.version, &form).await.map(|_| ()),
                Err(e) => Err(e),
            };
            if let Err(error) = result {
                refused.push(BulkRefusal {
                    number: n.clone(),
                    error,
                });
            }
        }
        Ok(refused)
    }
}
