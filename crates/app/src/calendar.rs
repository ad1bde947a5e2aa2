//! The working-day calendar as a deployment sees it: the shipped statutory years, years an
//! administrator imported, and company overrides. Cached per process and reloaded when the
//! calendar's revision (a setting bumped by every change, on any node) moves.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use sanbao_domain::calendar::{self as dom, Calendar, Override, ScheduledDay, YearSchedule};
use sanbao_domain::hours::ServiceHours;
use sanbao_domain::role::Permission;
use sanbao_domain::user::parse_label;
use sanbao_store::calendar as repo;
use serde_json::json;

use crate::{Actor, App, AppError, Result, audit};

const REVISION: &str = "calendar_revision";

fn parse_date(s: &str) -> Result<NaiveDate> {
    s.trim()
        .parse()
        .map_err(|_| AppError::invalid("date", "invalid", "日期格式应为 YYYY-MM-DD"))
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

/// A company override as listed on the calendar page.
pub use sanbao_store::calendar::OverrideRow;

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

impl App {
    /// The calendar in force.
    pub async fn calendar(&self) -> Result<Arc<Calendar>> {
        if let Ok(guard) = self.calendar_cache.inner.read()
            && let Some(c) = guard.as_ref()
            && c.checked.elapsed() < RECHECK
        {
            return Ok(c.calendar.clone());
        }
        let revision = repo::setting(&self.store, REVISION)
            .await?
            .unwrap_or_default();
        if let Ok(mut guard) = self.calendar_cache.inner.write()
            && let Some(c) = guard.as_mut()
            && c.revision == revision
        {
            c.checked = Instant::now();
            return Ok(c.calendar.clone());
        }
        let (schedules, _) = self.schedules().await?;
        let overrides: Vec<Override> = repo::overrides(&self.store)
            .await?
            .into_iter()
            .map(|o| Override {
                date: o.date,
                working: o.working,
                note: o.note,
            })
            .collect();
        let calendar = Arc::new(Calendar::new(&schedules, &overrides));
        if let Ok(mut guard) = self.calendar_cache.inner.write() {
            *guard = Some(Cached {
                revision,
                checked: Instant::now(),
                calendar: calendar.clone(),
            });
        }
        Ok(calendar)
    }

    /// Shipped schedules with imported years laid over them, and where each came from.
    async fn schedules(&self) -> Result<(Vec<YearSchedule>, Vec<YearInfo>)> {
        let mut schedules = Calendar::shipped_schedules();
        let mut imported = Vec::new();
        for row in repo::years(&self.store).await? {
            let days: Vec<ScheduledDay> = serde_json::from_str(&row.days)
                .map_err(|e| AppError::Fault(format!("stored calendar year {}: {e}", row.year)))?;
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
    pub async fn calendar_years(&self) -> Result<Vec<YearInfo>> {
        Ok(self.schedules().await?.1)
    }

    pub async fn calendar_overrides(&self) -> Result<Vec<OverrideRow>> {
        Ok(repo::overrides(&self.store).await?)
    }

    /// Give the calendar a new revision inside the change's transaction: a random token, so
    /// two concurrent changes never write the same value (every node sees each change).
    async fn bump_revision(&self, tx: &mut sanbao_store::Tx) -> Result<()> {
        let token = crate::secret::random_hex(8)?;
        repo::put_setting(tx, REVISION, &token, sanbao_domain::time::now()).await?;
        Ok(())
    }

    /// Drop this node's cached calendar (after the change committed, so no request can cache
    /// the old calendar under the new revision).
    fn forget_calendar(&self) {
        if let Ok(mut guard) = self.calendar_cache.inner.write() {
            *guard = None;
        }
    }

    /// Import a year's statutory schedule (CSV `date,off|on,name` or the JSON format).
    pub async fn import_calendar_year(
        &self,
        actor: &Actor,
        text: &str,
        year_hint: Option<i32>,
        source: Option<&str>,
    ) -> Result<YearSchedule> {
        actor.require(Permission::SettingsManage)?;
        let mut y = dom::parse_import(text, year_hint)?;
        if let Some(s) = source.map(str::trim).filter(|s| !s.is_empty()) {
            y.source = parse_label(s, "source", "依据（通知名称和文号）", 300)?;
        }
        if y.source.is_empty() {
            return Err(AppError::invalid(
                "source",
                "required",
                "请写明依据：国务院办公厅通知的名称和文号（CSV 第一行以 # 开头，或填写“依据”一栏）",
            ));
        }
        // The schedule it replaces, kept in the audit entry so no version is lost.
        let before = repo::years(&self.store)
            .await?
            .into_iter()
            .find(|r| r.year == y.year);
        let days = serde_json::to_string(&y.days).map_err(|e| AppError::Fault(e.to_string()))?;
        let mut tx = self.store.begin().await?;
        repo::put_year(
            &mut tx,
            y.year,
            &y.source,
            &days,
            actor.user_id,
            sanbao_domain::time::now(),
        )
        .await?;
        audit::record(
            &mut tx,
            actor,
            "calendar.import",
            "calendar_year",
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
        self.bump_revision(&mut tx).await?;
        tx.commit().await?;
        self.forget_calendar();
        self.recompute_open_cases_later();
        Ok(y)
    }

    /// Add or change a company day: an extra day off or an extra working day.
    pub async fn set_calendar_override(
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
                format!(
                    "日期应在 {}–{} 年之间",
                    dom::YEARS.start(),
                    dom::YEARS.end()
                ),
            ));
        }
        let note = parse_label(note, "note", "说明", 60)?;
        let mut tx = self.store.begin().await?;
        let before = repo::put_override(
            &mut tx,
            date,
            working,
            &note,
            actor.user_id,
            sanbao_domain::time::now(),
        )
        .await?;
        audit::record(
            &mut tx,
            actor,
            "calendar.override",
            "calendar_override",
            date,
            json!({
                "working": working,
                "note": note,
                "before": before.map(|b| json!({"working": b.working, "note": b.note})),
            }),
        )
        .await?;
        self.bump_revision(&mut tx).await?;
        tx.commit().await?;
        self.forget_calendar();
        self.recompute_open_cases_later();
        Ok(())
    }

    pub async fn delete_calendar_override(&self, actor: &Actor, date: &str) -> Result<()> {
        actor.require(Permission::SettingsManage)?;
        let date = parse_date(date)?;
        let mut tx = self.store.begin().await?;
        let before = repo::delete_override(&mut tx, date)
            .await?
            .ok_or(AppError::NotFound("calendar_override"))?;
        audit::record(
            &mut tx,
            actor,
            "calendar.override_delete",
            "calendar_override",
            date,
            json!({"working": before.working, "note": before.note}),
        )
        .await?;
        self.bump_revision(&mut tx).await?;
        tx.commit().await?;
        self.forget_calendar();
        self.recompute_open_cases_later();
        Ok(())
    }

    /// A desk's service hours (the weekday 09:00–17:00 preset until set).
    pub async fn desk_hours(&self, desk_id: i64) -> Result<(ServiceHours, i64)> {
        match repo::hours(&self.store, desk_id).await? {
            Some((json, version)) => Ok((
                serde_json::from_str(&json)
                    .map_err(|e| AppError::Fault(format!("stored hours: {e}")))?,
                version,
            )),
            None => Ok((ServiceHours::default(), 0)),
        }
    }

    /// Every desk's stored hours: `(desk id, hours, version)`.
    pub async fn all_desk_hours(&self) -> Result<Vec<(i64, ServiceHours, i64)>> {
        repo::all_hours(&self.store)
            .await?
            .into_iter()
            .map(|(id, json, v)| {
                serde_json::from_str(&json)
                    .map(|h| (id, h, v))
                    .map_err(|e| AppError::Fault(format!("stored hours: {e}")))
            })
            .collect()
    }

    pub async fn set_desk_hours(
        &self,
        actor: &Actor,
        desk_id: i64,
        hours: ServiceHours,
        version: i64,
    ) -> Result<()> {
        actor.require(Permission::DeskManage)?;
        hours.validate()?;
        let json = serde_json::to_string(&hours).map_err(|e| AppError::Fault(e.to_string()))?;
        let mut tx = self.store.begin().await?;
        let before = repo::hours_tx(&mut tx, desk_id).await?;
        if sanbao_store::desks::by_id_tx(&mut tx, desk_id)
            .await?
            .is_none()
        {
            return Err(AppError::NotFound("desk"));
        }
        repo::put_hours(&mut tx, desk_id, &json, version, sanbao_domain::time::now()).await?;
        audit::record(
            &mut tx,
            actor,
            "desk.set_hours",
            "desk",
            desk_id,
            json!({"from": before.map(|b| b.0), "to": json}),
        )
        .await?;
        self.bump_revision(&mut tx).await?;
        tx.commit().await?;
        self.forget_calendar();
        self.recompute_open_cases_later();
        Ok(())
    }
}
