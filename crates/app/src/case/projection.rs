//! A case's clocks, recomputed from its event list under its policy and written back (the
//! queue columns and the clock rows are projections, never patched counters).

use chrono::{DateTime, Utc};
use sanbao_domain::case::{
    CaseFact, EventKind, Projection, fact_of, moved_deadlines, project_case,
};
use sanbao_domain::deadline::Context;
use sanbao_domain::hours::ServiceHours;
use sanbao_domain::policy::Policy;
use sanbao_store::Tx;
use sanbao_store::case::row as repo;
use sanbao_store::case::update;

use super::Cases;
use crate::{Actor, App, OrFault, Result};

/// What a projection needs besides the case's events.
pub(crate) struct Projector {
    pub(crate) policy: Policy,
    pub(crate) calendar: std::sync::Arc<sanbao_domain::calendar::Calendar>,
    /// The calendar's revision: a case last computed on another records what moved.
    pub(crate) revision: String,
    /// Record moved deadlines even on the same calendar revision (a desk's hours changed).
    pub(crate) note_moves: bool,
    pub(crate) hours: ServiceHours,
    pub(crate) tz: chrono_tz::Tz,
}

impl Projector {
    /// Everything a projection needs besides the event list, read before the write
    /// transaction opens (a transaction waiting for a second pooled connection can starve the
    /// pool; on SQLite the writer is a single connection). `policy`: the version already in
    /// hand, else the one stored under `name` and `version`.
    pub(crate) async fn load(
        app: &App,
        policy: Option<Policy>,
        name: &str,
        version: i32,
        desk_id: Option<sanbao_domain::DeskId>,
    ) -> Result<Projector> {
        let policy = match policy {
            Some(p) => p,
            None => app.policies().version(name, version).await?,
        };
        let hours = match desk_id {
            Some(d) => app.desks().hours(d).await?.0,
            None => ServiceHours::default(),
        };
        let (calendar, revision) = app.calendar().current_with_revision().await?;
        Ok(Projector {
            policy,
            calendar,
            revision,
            note_moves: false,
            hours,
            tz: app.config.timezone,
        })
    }

    /// The clocks these facts imply at `now`.
    pub(crate) fn project(&self, facts: &[CaseFact], now: DateTime<Utc>) -> Projection {
        let ctx = Context {
            calendar: &self.calendar,
            hours: &self.hours,
            tz: self.tz,
        };
        project_case(&self.policy, facts, &ctx, now)
    }

    /// Recompute a case's clocks from its events (read inside `tx`) and store them. When the
    /// case was last computed on another calendar (or `note_moves`), every deadline that moved
    /// is an entry on its timeline with both dates, whichever change of the case came first.
    pub(crate) async fn write(
        &self,
        tx: &mut Tx,
        case_id: i64,
        now: DateTime<Utc>,
    ) -> Result<Projection> {
        let stored_rev = update::calendar_rev(tx, case_id).await?;
        let new_calendar = stored_rev.as_deref() != Some(self.revision.as_str());
        let before = if new_calendar || self.note_moves {
            repo::clocks_tx(tx, case_id).await?
        } else {
            Vec::new()
        };
        let events = repo::events_tx(tx, case_id).await?;
        let p = self.project(
            &facts(events.iter().map(|e| (e.kind, e.data.as_str(), e.at))),
            now,
        );
        update::write_projection(tx, case_id, &p).await?;
        if new_calendar {
            update::set_calendar_rev(tx, case_id, &self.revision).await?;
        }
        for moved in moved_deadlines(&before, &p.clocks) {
            let data = serde_json::to_value(&moved).or_fault("moved deadline as JSON")?;
            super::append(
                tx,
                &Actor::system(),
                case_id,
                EventKind::DeadlineMoved,
                now,
                "",
                data,
            )
            .await?;
        }
        Ok(p)
    }
}

/// The clock facts of a timeline: each entry's kind, data and time.
pub(crate) fn facts<'a>(
    entries: impl IntoIterator<Item = (EventKind, &'a str, DateTime<Utc>)>,
) -> Vec<CaseFact> {
    entries
        .into_iter()
        .filter_map(|(kind, data, at)| fact_of(kind, data, at))
        .collect()
}

impl Cases<'_> {
    /// The projector of case `c`: its pinned policy, its desk's hours.
    pub(crate) async fn projector_of(
        &self,
        policy_name: &str,
        policy_version: i32,
        desk_id: Option<sanbao_domain::DeskId>,
    ) -> Result<Projector> {
        Projector::load(self.app, None, policy_name, policy_version, desk_id).await
    }

    /// Recompute one case's clocks under a row lock. With `note_moves` (a change of the
    /// calendar or of the desk's hours), every deadline that moved is an entry on the timeline
    /// with both dates.
    pub(crate) async fn reproject(
        &self,
        id: i64,
        now: DateTime<Utc>,
        note_moves: bool,
    ) -> Result<()> {
        let c = self.by_id(id).await?;
        let mut p = self
            .projector_of(&c.policy_name, c.policy_version, c.desk_id)
            .await?;
        p.note_moves = note_moves;
        let mut tx = self.app.store.begin().await?;
        sanbao_store::case::escalation::lock_case(&mut tx, id).await?;
        p.write(&mut tx, id, now).await?;
        tx.commit().await?;
        Ok(())
    }
}
