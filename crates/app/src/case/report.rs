//! Reports to the supervisor: an agent's exception report (seed 5.1: 出现问题或客户不满意，应
//! 立即报告主管), service given outside the service hours (seed 2.2), and the escalation of a
//! breached clock.

use chrono::{DateTime, Utc};
use sanbao_domain::audit::{Action, RecordType};
use sanbao_domain::case::{EventKind, ExtendedService, ReportKind, exception_reason};
use sanbao_domain::role::Permission;
use sanbao_domain::text;
use sanbao_store::Tx;
use sanbao_store::case::escalation as repo;
use sanbao_store::case::row::CaseRow;
use sanbao_store::case::supervisor;
use sanbao_store::notify;
use serde_json::json;

use super::{Cases, append};
use crate::{Actor, AppError, Result, audit};

/// Closed and cancelled cases take no more reports to the supervisor.
fn takes_reports(c: &CaseRow) -> Result<()> {
    if c.state.takes_reports() {
        Ok(())
    } else {
        Err(AppError::rule(
            "case_finished",
            text!("case.finished_no_reports"),
        ))
    }
}

impl Cases<'_> {
    /// Record service given outside the service hours on the case and tell the desk's
    /// supervisor (seed 2.2). Not an escalation: the case keeps its state and flags.
    #[tracing::instrument(name = "case.extended_service", skip_all, fields(number = %number))]
    pub async fn report_extended_service(
        &self,
        actor: &Actor,
        number: &str,
        report: &ExtendedService,
    ) -> Result<()> {
        actor.require(Permission::CaseWrite)?;
        let now = sanbao_domain::time::now();
        report.check(now.with_timezone(&self.app.config.timezone).date_naive())?;
        let c = self.visible(actor, number).await?;
        takes_reports(&c)?;
        let (start, end) = (
            report.start.format("%H:%M").to_string(),
            report.end.format("%H:%M").to_string(),
        );
        // The timeline and the notification are records: written in the company's language.
        let text = text!(
            "case.extended_entry",
            date = report.date,
            start = start.as_str(),
            end = end.as_str(),
            minutes = report.minutes(),
            reason = report.reason.trim()
        )
        .to_string();
        let facts = json!({
            "date": report.date,
            "start": start,
            "end": end,
            "minutes": report.minutes(),
            "customer_informed": report.customer_informed,
        });
        let mut tx = self.app.store.begin().await?;
        append(
            &mut tx,
            actor,
            c.id,
            EventKind::ExtendedService,
            now,
            &text,
            facts,
        )
        .await?;
        supervisor::file(&mut tx, c.id, ReportKind::ExtendedService, &text, now).await?;
        tell_supervisors(&mut tx, c.id, &format!("{}：{text}", c.number), now).await?;
        let changes = json!({"date": report.date, "minutes": report.minutes()});
        audit::record(
            &mut tx,
            actor,
            Action::CaseExtendedService,
            RecordType::Case,
            &c.number,
            changes,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Report a case to its supervisor at once: it is escalated.
    #[tracing::instrument(name = "case.exception", skip_all, fields(number = %number))]
    pub async fn report_exception(&self, actor: &Actor, number: &str, reason: &str) -> Result<()> {
        actor.require(Permission::CaseWrite)?;
        let reason = exception_reason(reason)?;
        let c = self.visible(actor, number).await?;
        takes_reports(&c)?;
        let now = sanbao_domain::time::now();
        let why = text!("case.exception_entry", reason = reason.as_str()).to_string();
        let mut tx = self.app.store.begin().await?;
        repo::set_escalated(&mut tx, c.id).await?;
        escalate_in(&mut tx, actor, &c.number, c.id, &why, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Escalate the breach of `clock` on case `id` unless it was already; `true` when this
    /// call did (exactly once per breached clock, whatever the number of processes).
    pub(crate) async fn escalate_breach(
        &self,
        id: i64,
        clock: &str,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let label = sanbao_domain::policy::clock_label(clock);
        let why = text!("case.breach_escalated", clock = label).to_string();
        let mut tx = self.app.store.begin().await?;
        if !repo::claim_escalation(&mut tx, id, clock, now).await? {
            return Ok(false);
        }
        let c = sanbao_store::case::row::by_id_tx(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound("case"))?;
        repo::set_escalated(&mut tx, id).await?;
        escalate_in(&mut tx, &Actor::system(), &c.number, id, &why, now).await?;
        tx.commit().await?;
        Ok(true)
    }
}

/// The escalation's entry on the timeline, the supervisors told, the audit entry.
pub(super) async fn escalate_in(
    tx: &mut Tx,
    actor: &Actor,
    number: &str,
    id: i64,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    append(tx, actor, id, EventKind::Escalation, now, reason, json!({})).await?;
    supervisor::file(tx, id, ReportKind::Escalation, reason, now).await?;
    tell_supervisors(tx, id, &format!("{number}：{reason}"), now).await?;
    audit::record(
        tx,
        actor,
        Action::CaseEscalate,
        RecordType::Case,
        number,
        json!({"reason": reason}),
    )
    .await
}

/// Notify the case's desk supervisor (else every service supervisor).
async fn tell_supervisors(tx: &mut Tx, case_id: i64, body: &str, now: DateTime<Utc>) -> Result<()> {
    for user in repo::escalation_recipients(tx, case_id).await? {
        notify::notify(tx, user, Some(case_id), body, now).await?;
    }
    Ok(())
}
