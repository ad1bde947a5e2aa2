//! Internal notes and messages to the customer on a case's timeline.

use sanbao_domain::audit::{Action, RecordType};
use sanbao_domain::case::{EventKind, has_policy_event, parse_text};
use sanbao_domain::role::Permission;
use sanbao_domain::{FieldError, text};
use sanbao_store::case::row as rows;
use sanbao_store::case::update;
use serde_json::json;

use super::search::reindex;
use super::{Cases, append};
use crate::{Actor, Result, audit};

impl Cases<'_> {
    /// An internal note, or a message to the customer (the first one to a complainant stops
    /// the first-response clock).
    #[tracing::instrument(name = "case.note", skip_all, fields(number = %number))]
    pub async fn note(
        &self,
        actor: &Actor,
        number: &str,
        body: &str,
        to_customer: bool,
    ) -> Result<()> {
        actor.require(Permission::CaseWrite)?;
        let body = parse_text(body, "body")?;
        if body.is_empty() {
            let what = text!("label.body");
            return Err(
                FieldError::new("body", "required", text!("field.required", what = what)).into(),
            );
        }
        let c = self.visible(actor, number).await?;
        let now = sanbao_domain::time::now();
        let projector = self
            .projector_of(&c.policy_name, c.policy_version, c.desk_id)
            .await?;
        let mut tx = self.app.store.begin().await?;
        let kind = if to_customer {
            EventKind::Message
        } else {
            EventKind::Note
        };
        append(&mut tx, actor, c.id, kind, now, &body, json!({})).await?;
        if to_customer {
            let events = rows::events_tx(&mut tx, c.id).await?;
            let sent = events.iter().map(|e| (e.kind, e.data.as_str()));
            if !has_policy_event(sent, "first_response_sent") {
                let stop = json!({"event": "first_response_sent"});
                append(&mut tx, actor, c.id, EventKind::PolicyEvent, now, "", stop).await?;
            }
        }
        update::touch(&mut tx, c.id, now).await?;
        projector.write(&mut tx, c.id, now).await?;
        reindex(&mut tx, c.id).await?;
        let action = if to_customer {
            Action::CaseMessage
        } else {
            Action::CaseNote
        };
        let changes = json!({"chars": body.chars().count()});
        audit::record(&mut tx, actor, action, RecordType::Case, &c.number, changes).await?;
        tx.commit().await?;
        Ok(())
    }
}
