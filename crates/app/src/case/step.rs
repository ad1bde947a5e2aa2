//! Recording a kind's step on a case (goods received back, technician dispatched …): an event
//! on the timeline that the policy's clocks start or stop at.

use sanbao_domain::audit::{Action, RecordType};
use sanbao_domain::case::{EventKind, check_step, parse_text, policy_events, step_label};
use sanbao_domain::role::Permission;
use sanbao_store::case::row as rows;
use sanbao_store::case::update;
use serde_json::json;

use super::search::reindex;
use super::{CaseView, Cases, append};
use crate::{Actor, Result, audit};

impl Cases<'_> {
    /// Record `step` on case `number`, with what was done in `note`; the case with its
    /// clocks recomputed (the clock the step stops is met).
    #[tracing::instrument(name = "case.step", skip_all, fields(number = %number, step = %step))]
    pub async fn step(
        &self,
        actor: &Actor,
        number: &str,
        step: &str,
        note: &str,
    ) -> Result<CaseView> {
        actor.require(Permission::CaseWrite)?;
        let note = parse_text(note, "note")?;
        let c = self.visible(actor, number).await?;
        let now = sanbao_domain::time::now();
        let projector = self
            .projector_of(&c.policy_name, c.policy_version, c.desk_id)
            .await?;
        let mut tx = self.app.store.begin().await?;
        let events = rows::events_tx(&mut tx, c.id).await?;
        let recorded = policy_events(events.iter().map(|e| (e.kind, e.data.as_str())));
        let recorded: Vec<&str> = recorded.iter().map(String::as_str).collect();
        check_step(c.kind, &projector.policy, &recorded, step)?;
        let body = if note.is_empty() {
            step_label(step, false).to_owned()
        } else {
            format!("{}：{note}", step_label(step, false))
        };
        let data = json!({"event": step, "step": step});
        append(
            &mut tx,
            actor,
            c.id,
            EventKind::PolicyEvent,
            now,
            &body,
            data,
        )
        .await?;
        update::touch(&mut tx, c.id, now).await?;
        projector.write(&mut tx, c.id, now).await?;
        reindex(&mut tx, c.id).await?;
        let changes = json!({"step": step, "chars": note.chars().count()});
        audit::record(
            &mut tx,
            actor,
            Action::CaseStep,
            RecordType::Case,
            &c.number,
            changes,
        )
        .await?;
        tx.commit().await?;
        self.view_by_id(actor, c.id).await
    }
}
