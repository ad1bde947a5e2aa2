//! The supervisor's desk: escalations grouped by case (newest first) and extended-service
//! reports, each waiting until a supervisor acknowledges it — who and when, on the timeline.

use chrono::{DateTime, Utc};
use sanbao_domain::audit::{Action, RecordType};
use sanbao_domain::case::{EventKind, ReportKind, parse_text};
use sanbao_domain::role::Permission;
use sanbao_domain::text;
use sanbao_store::case::supervisor as repo;
use serde_json::json;

use super::{CaseView, Cases, append, can_see};
use crate::{Actor, AppError, Result, audit};

/// How many waiting reports the desk reads at most (of each kind), and how many cases it
/// shows: the newest; the rest are in the 已升级 queue, which the desk links to with the
/// count. (At a million cases, 138 cases with their forms made a 300 KB page served at 121
/// a second; see BENCHMARKS.md.)
const DESK_LIMIT: i64 = 60;
pub const DESK_CASES: usize = 30;

/// One report waiting for the supervisor.
#[derive(Debug, Clone)]
pub struct Report {
    pub id: i64,
    pub body: String,
    pub at: DateTime<Utc>,
}

/// A case and what waits on it, newest first.
#[derive(Debug, Clone)]
pub struct Waiting {
    pub case: CaseView,
    pub reports: Vec<Report>,
}

/// What waits on the supervisor's desk.
#[derive(Debug, Clone, Default)]
pub struct Desk {
    /// Escalated cases, the newest escalation first.
    pub escalated: Vec<Waiting>,
    /// Cases with service given outside the service hours, the newest report first.
    pub extended: Vec<Waiting>,
}

impl Cases<'_> {
    /// The supervisor's desk (needs `case.supervise`).
    pub async fn desk(&self, actor: &Actor) -> Result<Desk> {
        actor.require(Permission::CaseSupervise)?;
        Ok(Desk {
            escalated: self.waiting(actor, ReportKind::Escalation).await?,
            extended: self.waiting(actor, ReportKind::ExtendedService).await?,
        })
    }

    /// How many reports of `kind` wait, up to `cap` (the workbench's badge).
    pub async fn waiting_count(&self, actor: &Actor, kind: ReportKind, cap: i64) -> Result<i64> {
        actor.require(Permission::CaseSupervise)?;
        Ok(repo::waiting_count(&self.app.store, kind, cap).await?)
    }

    async fn waiting(&self, actor: &Actor, kind: ReportKind) -> Result<Vec<Waiting>> {
        let (reports, rows) = repo::waiting(&self.app.store, kind, DESK_LIMIT).await?;
        let rows = rows.into_iter().filter(|r| can_see(actor, r)).collect();
        let views = self.views(actor, rows).await?;
        // Reports come newest first: a case's place is that of its newest report.
        let mut out: Vec<Waiting> = Vec::new();
        let mut place = std::collections::HashMap::new();
        let by_id: std::collections::HashMap<i64, CaseView> =
            views.into_iter().map(|v| (v.id.0, v)).collect();
        for r in reports {
            let Some(case) = by_id.get(&r.case_id) else {
                continue;
            };
            let i = *place.entry(r.case_id).or_insert_with(|| {
                out.push(Waiting {
                    case: case.clone(),
                    reports: Vec::new(),
                });
                out.len() - 1
            });
            out[i].reports.push(Report {
                id: r.id,
                body: r.body,
                at: r.created_at,
            });
        }
        out.truncate(DESK_CASES);
        Ok(out)
    }

    /// Acknowledge what waits on case `number` — every escalation (the case is no longer 已升级)
    /// or one extended-service report — with an optional comment; answers how many reports.
    #[tracing::instrument(name = "case.acknowledge", skip_all, fields(number = %number))]
    pub async fn acknowledge(
        &self,
        actor: &Actor,
        number: &str,
        kind: ReportKind,
        report: Option<i64>,
        comment: &str,
    ) -> Result<u32> {
        actor.require(Permission::CaseSupervise)?;
        let by = actor.signed_in()?;
        let comment = parse_text(comment, "comment")?;
        if comment.chars().count() > 500 {
            return Err(AppError::invalid(
                "comment",
                "too_long",
                text!("field.text_too_long", max = 500),
            ));
        }
        let c = self.visible(actor, number).await?;
        let now = sanbao_domain::time::now();
        let mut tx = self.app.store.begin().await?;
        let only = if kind == ReportKind::Escalation {
            None
        } else {
            report
        };
        let n = repo::acknowledge(&mut tx, c.id, kind, only, by, now).await?;
        if n == 0 {
            return Err(AppError::rule(
                "nothing_waiting",
                text!("case.nothing_to_acknowledge"),
            ));
        }
        let n = u32::try_from(n).unwrap_or(u32::MAX);
        let what = kind.arg();
        let body = if comment.is_empty() {
            text!("case.acknowledged_entry", what = what, n = n)
        } else {
            text!(
                "case.acknowledged_entry_comment",
                what = what,
                n = n,
                comment = comment.as_str()
            )
        }
        .to_string();
        let facts = json!({"report": kind.code(), "reports": n});
        append(
            &mut tx,
            actor,
            c.id,
            EventKind::Acknowledged,
            now,
            &body,
            facts,
        )
        .await?;
        if kind == ReportKind::Escalation {
            sanbao_store::case::update::touch(&mut tx, c.id, now).await?;
            repo::clear_escalated(&mut tx, c.id).await?;
        }
        let changes = json!({"report": kind.code(), "reports": n, "comment": comment});
        audit::record(
            &mut tx,
            actor,
            Action::CaseAcknowledge,
            RecordType::Case,
            &c.number,
            changes,
        )
        .await?;
        tx.commit().await?;
        Ok(n)
    }
}
