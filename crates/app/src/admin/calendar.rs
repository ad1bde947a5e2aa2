//! The working-day calendar as a deployment sees it: the shipped statutory years, years an
//! administrator imported, and company overrides. Cached per process and reloaded when the
//! calendar's revision (a setting bumped by every change, on any node) moves.

use sanbao_domain::audit::{Action, RecordType};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use sanbao_domain::calendar::{self as dom, Calendar, Override, ScheduledDay, YearSchedule};
use sanbao_domain::hours::ServiceHours;
use sanbao_domain::role::Permission;
use sanbao_domain::user::parse_label;
use sanbao_domain::{DeskId, text};
use sanbao_store::Tx;
use sanbao_store::admin::calendar as repo;
use serde_json::json;

use super::desks::Desks;
use crate::{Actor, App, AppError, OrFault, Result, audit};

crate::facade!(
    /// The working-day calendar: statutory years and company days.
    CalendarAdmin,
    calendar
);

const REVISION: &str = "calendar_revision";

fn parse_date(s: &str) -> Result<NaiveDate> {
    s.trim()
        .parse()
        .map_err(|_| AppError::invalid("date", "invalid", text!("field.date_format")))
}
/// How long a node trusts its cached calendar before asking the database for the revision.
const RECHECK: Duration = Duration::from_secs(2);

#[derive(Default)]
pub struct CalendarCache {
    inner: RwLock<Option<Cached>>,
}

impl std::fmt::Debug for CalendarCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CalendarCache")
    }
}

struct Cached {
    revision: String,
    checked: Instant,
    calendar: Arc<Calendar>,
}

/// A company day (an extra day off or working day) as listed on the calendar page.
#[derive(Debug, Clone)]
pub struct CompanyDay {
    pub date: NaiveDate,
    pub working: bool,
    pub note: String,
    pub created_at: DateTime<Utc>,
}

/// A pasted notice as read, beside the law's provisional year.
#[derive(Debug, Clone)]
pub struct NoticePreview {
    pub schedule: YearSchedule,
    /// Every day either side names, ascending.
    pub days: Vec<dom::law::Compared>,
}

/// Where each loaded year's schedule comes from.
#[derive(Debug, Clone)]
pub struct YearInfo {
    pub year: i32,
    pub source: String,
    /// Imported by an administrator (else shipped with Sanbao).
    pub imported: bool,
    pub off_days: usize,
    pub makeup_days: usize,
}

impl CalendarAdmin<'_> {
    /// The calendar in force.
    pub async fn current(&self) -> Result<Arc<Calendar>> {
        Ok(self.current_with_revision().await?.0)
    }

    /// The calendar in force and its revision (which every change replaces).
    pub(crate) async fn current_with_revision(&self) -> Result<(Arc<Calendar>, String)> {
        let cache = &self.app.calendar_cache;
        if let Ok(guard) = cache.inner.read()
            && let Some(c) = guard.as_ref()
            && c.checked.elapsed() < RECHECK
        {
            return Ok((c.calendar.clone(), c.revision.clone()));
        }
        let revision = repo::setting(&self.app.store, REVISION)
            .await?
            .unwrap_or_default();
        if let Ok(mut guard) = cache.inner.write()
            && let Some(c) = guard.as_mut()
            && c.revision == revision
        {
            c.checked = Instant::now();
            return Ok((c.calendar.clone(), revision));
        }
        let (schedules, _) = self.schedules().await?;
        let overrides: Vec<Override> = repo::overrides(&self.app.store)
            .await?
            .into_iter()
            .map(|o| Override {
                date: o.date,
                working: o.working,
                note: o.note,
            })
            .collect();
        let calendar = Arc::new(Calendar::new(&schedules, &overrides));
        if let Ok(mut guard) = cache.inner.write() {
            *guard = Some(Cached {
                revision: revision.clone(),
                checked: Instant::now(),
                calendar: calendar.clone(),
            });
        }
        Ok((calendar, revision))
    }

    /// Shipped schedules with imported years laid over them, and where each came from.
    async fn schedules(&self) -> Result<(Vec<YearSchedule>, Vec<YearInfo>)> {
        let mut schedules = Calendar::shipped_schedules();
        let mut imported = Vec::new();
        for row in repo::years(&self.app.store).await? {
            let days: Vec<ScheduledDay> = serde_json::from_str(&row.days)
                .or_fault(format!("stored calendar year {}", row.year))?;
            let y = YearSchedule {
                year: row.year,
                source: row.source,
                days,
            };
            imported.push(y.year);
            match schedules.iter_mut().find(|s| s.year == y.year) {
                Some(s) => *s = y,
                None => schedules.push(y),
            }
        }
        schedules.sort_by_key(|s| s.year);
        let info = schedules
            .iter()
            .map(|s| YearInfo {
                year: s.year,
                source: s.source.clone(),
                imported: imported.contains(&s.year),
                off_days: s.days.iter().filter(|d| d.off).count(),
                makeup_days: s.days.iter().filter(|d| !d.off).count(),
            })
            .collect();
        Ok((schedules, info))
    }

    /// Every loaded year and its source, ascending.
    pub async fn years(&self) -> Result<Vec<YearInfo>> {
        Ok(self.schedules().await?.1)
    }

    /// The company's own days off and working days.
    pub async fn company_days(&self) -> Result<Vec<CompanyDay>> {
        let rows = repo::overrides(&self.app.store).await?;
        Ok(rows
            .into_iter()
            .map(|o| CompanyDay {
                date: o.date,
                working: o.working,
                note: o.note,
                created_at: o.created_at,
            })
            .collect())
    }

    /// Import a year's statutory schedule (CSV `date,off|on,name` or the JSON format).
    #[tracing::instrument(name = "calendar.import", skip_all)]
    pub async fn import_year(
        &self,
        actor: &Actor,
        text: &str,
        year_hint: Option<i32>,
        source: Option<&str>,
    ) -> Result<YearSchedule> {
        actor.require(Permission::SettingsManage)?;
        let mut y = dom::parse_import(text, year_hint)?;
        if let Some(s) = source.map(str::trim).filter(|s| !s.is_empty()) {
            y.source = parse_label(s, "source", text!("label.calendar_source"), 300)?;
        }
        if y.source.is_empty() {
            return Err(AppError::invalid(
                "source",
                "required",
                text!("calendar.source_required"),
            ));
        }
        self.load_year(actor, y, Action::CalendarImport).await
    }

    /// Read a pasted State Council notice and set it beside the law's provisional year; loads
    /// nothing. A line it cannot read is an error naming the line and why.
    pub fn read_notice(&self, actor: &Actor, text: &str) -> Result<NoticePreview> {
        actor.require(Permission::SettingsManage)?;
        let schedule = dom::parse_notice(text, None)?;
        let days = dom::law::compare(&schedule);
        Ok(NoticePreview { schedule, days })
    }

    /// Load the year of a pasted State Council notice (after the administrator saw it beside
    /// the law): every open clock is then recomputed, and each deadline that moves says so on
    /// its case's timeline.
    #[tracing::instrument(name = "calendar.import_notice", skip_all)]
    pub async fn import_notice(&self, actor: &Actor, text: &str) -> Result<YearSchedule> {
        let preview = self.read_notice(actor, text)?;
        self.load_year(actor, preview.schedule, Action::CalendarImportNotice)
            .await
    }

    /// Store a year's schedule in place of what was there, audited with the version it
    /// replaces, and start the recomputation of every open case.
    async fn load_year(
        &self,
        actor: &Actor,
        y: YearSchedule,
        action: Action,
    ) -> Result<YearSchedule> {
        // The schedule it replaces, kept in the audit entry so no version is lost.
        let before = repo::years(&self.app.store)
            .await?
            .into_iter()
            .find(|r| r.year == y.year);
        let days = serde_json::to_string(&y.days).or_fault("calendar year as JSON")?;
        let mut tx = self.app.store.begin().await?;
        repo::put_year(
            &mut tx,
            y.year,
            &y.source,
            &days,
            actor.id(),
            sanbao_domain::time::now(),
        )
        .await?;
        audit::record(
            &mut tx,
            actor,
            action,
            RecordType::CalendarYear,
            y.year,
            json!({
                "source": y.source,
                "off": y.days.iter().filter(|d| d.off).count(),
                "on": y.days.iter().filter(|d| !d.off).count(),
                "days": y.days,
                "before": before.map(|b| json!({"source": b.source, "days": b.days})),
            }),
        )
        .await?;
        changed(self.app, &mut tx).await?;
        tx.commit().await?;
        forget(self.app);
        Ok(y)
    }

    /// Add or change a company day: an extra day off or an extra working day.
    #[tracing::instrument(name = "calendar.set_company_day", skip_all, fields(date = %date))]
    pub async fn set_company_day(
        &self,
        actor: &Actor,
        date: &str,
        working: bool,
        note: &str,
    ) -> Result<()> {
        actor.require(Permission::SettingsManage)?;
        let date = parse_date(date)?;
        if !dom::YEARS.contains(&chrono::Datelike::year(&date)) {
            return Err(AppError::invalid(
                "date",
                "out_of_range",
                text!(
                    "calendar.date_out_of_range",
                    from = *dom::YEARS.start(),
                    to = *dom::YEARS.end()
                ),
            ));
        }
        let note = parse_label(note, "note", text!("label.note"), 60)?;
        let mut tx = self.app.store.begin().await?;
        let before = repo::put_override(
            &mut tx,
            date,
            working,
            &note,
            actor.id(),
            sanbao_domain::time::now(),
        )
        .await?;
        audit::record(
            &mut tx,
            actor,
            Action::CalendarOverride,
            RecordType::CalendarOverride,
            date,
            json!({
                "working": working,
                "note": note,
                "before": before.map(|b| json!({"working": b.working, "note": b.note})),
            }),
        )
        .await?;
        changed(self.app, &mut tx).await?;
        tx.commit().await?;
        forget(self.app);
        Ok(())
    }

    #[tracing::instrument(name = "calendar.delete_company_day", skip_all, fields(date = %date))]
    pub async fn delete_company_day(&self, actor: &Actor, date: &str) -> Result<()> {
        actor.require(Permission::SettingsManage)?;
        let date = parse_date(date)?;
        let mut tx = self.app.store.begin().await?;
        let before = repo::delete_override(&mut tx, date)
            .await?
            .ok_or(AppError::NotFound("calendar_override"))?;
        audit::record(
            &mut tx,
            actor,
            Action::CalendarOverrideDelete,
            RecordType::CalendarOverride,
            date,
            json!({"working": before.working, "note": before.note}),
        )
        .await?;
        changed(self.app, &mut tx).await?;
        tx.commit().await?;
        forget(self.app);
        Ok(())
    }
}

/// The rules by which provisional years are computed. When a deployment starts on a version
/// whose rules differ from those its open cases were computed with (before 2026-12: a year
/// without its notice counted weekends only), every open case is recomputed once.
const RULES: (&str, &str) = ("calendar_rules", "law-holidays-1");

/// Enqueue the recomputation of every open case if the calendar rules changed since the
/// database last saw them (idempotent; concurrent starts enqueue one job).
pub(crate) async fn ensure_rules(app: &App) -> Result<()> {
    if repo::setting(&app.store, RULES.0).await?.as_deref() == Some(RULES.1) {
        return Ok(());
    }
    let now = sanbao_domain::time::now();
    let mut tx = app.store.begin().await?;
    repo::put_setting(&mut tx, RULES.0, RULES.1, now).await?;
    app.jobs().enqueue_recompute(&mut tx, now).await?;
    tx.commit().await?;
    app.jobs().wake();
    Ok(())
}

/// Inside a change's transaction: give the calendar a new revision — a random token, so two
/// concurrent changes never write the same value and every node sees each — and enqueue the
/// recomputation of every open case's clocks (a durable job: it survives a crash).
pub(crate) async fn changed(app: &App, tx: &mut Tx) -> Result<()> {
    let now = sanbao_domain::time::now();
    let token = crate::secret::random_hex(8)?;
    repo::put_setting(tx, REVISION, &token, now).await?;
    app.jobs().enqueue_recompute(tx, now).await
}

/// Drop this node's cached calendar (after the change committed, so no request can cache the
/// old calendar under the new revision), and wake the job runner.
pub(crate) fn forget(app: &App) {
    if let Ok(mut guard) = app.calendar_cache.inner.write() {
        *guard = None;
    }
    app.jobs().wake();
}

impl Desks<'_> {
    /// A desk's service hours (the weekday 09:00–17:00 preset until set) and their version.
    pub async fn hours(&self, desk_id: DeskId) -> Result<(ServiceHours, i64)> {
        match repo::hours(&self.app.store, desk_id.0).await? {
            Some((json, version)) => Ok((
                serde_json::from_str(&json).or_fault("stored hours")?,
                version,
            )),
            None => Ok((ServiceHours::default(), 0)),
        }
    }

    /// Every desk's stored hours: `(desk id, hours, version)`.
    pub async fn all_hours(&self) -> Result<Vec<(DeskId, ServiceHours, i64)>> {
        repo::all_hours(&self.app.store)
            .await?
            .into_iter()
            .map(|(id, json, v)| {
                serde_json::from_str(&json)
                    .map(|h| (DeskId(id), h, v))
                    .or_fault("stored hours")
            })
            .collect()
    }

    #[tracing::instrument(name = "desk.set_hours", skip_all, fields(desk = %desk_id))]
    pub async fn set_hours(
        &self,
        actor: &Actor,
        desk_id: DeskId,
        hours: ServiceHours,
        version: i64,
    ) -> Result<()> {
        actor.require(Permission::DeskManage)?;
        hours.validate()?;
        let desk_id = desk_id.0;
        let json = serde_json::to_string(&hours).or_fault("hours as JSON")?;
        let mut tx = self.app.store.begin().await?;
        let before = repo::hours_tx(&mut tx, desk_id).await?;
        if sanbao_store::admin::desks::by_id_tx(&mut tx, desk_id)
            .await?
            .is_none()
        {
            return Err(AppError::NotFound("desk"));
        }
        repo::put_hours(&mut tx, desk_id, &json, version, sanbao_domain::time::now()).await?;
        audit::record(
            &mut tx,
            actor,
            Action::DeskSetHours,
            RecordType::Desk,
            desk_id,
            json!({"from": before.map(|b| b.0), "to": json}),
        )
        .await?;
        changed(self.app, &mut tx).await?;
        tx.commit().await?;
        forget(self.app);
        Ok(())
    }
}
