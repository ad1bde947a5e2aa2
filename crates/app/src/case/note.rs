//! Internal notes and messages to the customer on a case's timeline.

use sanbao_domain::audit::{Action, RecordType};
use sanbao_domain::case::{EventKind, parse_text};
use sanbao_domain::role::Permission;
use sanbao_domain::{FieldError, text};
use sanbao_store::case::update;
use serde_json::json;

use super::search::reindex;
use super::{Cases, append};
use crate::{Actor, Result, audit};

impl Cases<'_> {
    /// An internal note, or a message to the customer. Neither stops a clock: a message is
    /// only written on the timeline until notifications deliver it, and a complaint's first
    /// response is the contact that reached the customer (the `first_response_sent` step).
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
