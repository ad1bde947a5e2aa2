//! Moving a case to another state, with what resolving and closing must record.

use sanbao_domain::audit::{Action, RecordType};
use sanbao_domain::case::{EventKind, Satisfaction, State, check_closing, check_transition};
use sanbao_domain::role::Permission;
use sanbao_store::case::update;
use serde_json::json;

use super::{CaseView, Cases, append};
use crate::{Actor, AppError, Result, audit};

/// What resolving (`resolution`) or closing (`satisfaction`, `precautions`) records, as typed.
#[derive(Debug, Clone, Default)]
pub struct Closing {
    pub resolution: String,
    /// `satisfied`, `fair`, `unsatisfied` or `unreachable`.
    pub satisfaction: String,
    pub precautions: String,
}

impl Cases<'_> {
    /// Move a case to another state (the common spine; 422 with the reason when refused).
    #[tracing::instrument(name = "case.transition", skip_all, fields(number = %number, to = %to))]
    pub async fn transition(
        &self,
        actor: &Actor,
        number: &str,
        to: &str,
        version: i64,
        note: &str,
        closing: &Closing,
    ) -> Result<CaseView> {
        actor.require(Permission::CaseWrite)?;
        let to: State = to.parse()?;
        let satisfaction = match closing.satisfaction.trim() {
            "" => None,
            s => Some(s.parse::<Satisfaction>()?),
        };
        let c = self.visible(actor, number).await?;
        let now = sanbao_domain::time::now();
        if c.version != version {
            return Err(AppError::Stale);
        }
        let from = c.state;
        check_transition(c.kind, from, to, c.resolved_at, now)?;
        if c.kind == sanbao_domain::case::Kind::Complaint {
            let events = sanbao_store::case::row::events(&self.app.store, c.id).await?;
            let recorded = sanbao_domain::case::policy_events(
                events.iter().map(|e| (e.kind, e.data.as_str())),
            );
            sanbao_domain::complaint::check_settling(to, &recorded)?;
        }
        check_closing(to, &closing.resolution, satisfaction, &closing.precautions)?;
        let resolved_at = match to {
            State::Resolved => Some(now),
            State::Closed => c.resolved_at.or(Some(now)),
            State::InProgress if matches!(from, State::Resolved | State::Closed) => None,
            _ => c.resolved_at,
        };
        let projector = self
            .projector_of(&c.policy_name, c.policy_version, c.desk_id)
            .await?;
        let mut tx = self.app.store.begin().await?;
        update::set_state(&mut tx, c.id, version, to, resolved_at, now).await?;
        let mut data = json!({"from": from.code(), "to": to.code()});
        if to == State::Resolved {
            data["resolution"] = json!(closing.resolution.trim());
        }
        if to == State::Closed {
            data["satisfaction"] = json!(satisfaction.map(|s| s.code()));
            data["precautions"] = json!(closing.precautions.trim());
        }
        append(
            &mut tx,
            actor,
            c.id,
            EventKind::State,
            now,
            note.trim(),
            data,
        )
        .await?;
        if to == State::Closed {
            // The customer is invited to rate the service (seed 第四章), by the link the case
            // page shows.
            crate::survey::invite(&mut tx, c.id, now).await?;
        }
        if to == State::Closed && satisfaction == Some(Satisfaction::Unsatisfied) {
            // Seed 5.1: a customer not satisfied is reported to the supervisor at once; the
            // report waits on the supervisor's desk as the follow-up.
            let why = sanbao_domain::text!("case.unsatisfied_escalated").to_string();
            sanbao_store::case::escalation::set_escalated(&mut tx, c.id).await?;
            super::report::escalate_in(&mut tx, actor, &c.number, c.id, &why, now).await?;
        }
        projector.write(&mut tx, c.id, now).await?;
        let changes = json!({"from": from.code(), "to": to.code()});
        audit::record(
            &mut tx,
            actor,
            Action::CaseTransition,
            RecordType::Case,
            &c.number,
            changes,
        )
        .await?;
        tx.commit().await?;
        let c = self.by_id(c.id).await?;
        self.view(actor, c).await
    }
}
