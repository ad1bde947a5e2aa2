//! Policies: the shipped presets, saved versions, the active policy, explanations.

use chrono::{DateTime, Utc};
use sanbao_domain::deadline::Context;
use sanbao_domain::hours::ServiceHours;
use sanbao_domain::policy::{self as dom, Explained, Policy};
use sanbao_domain::role::Permission;
use sanbao_store::calendar as settings;
use sanbao_store::policies as repo;
use serde_json::json;

use crate::{Actor, App, AppError, Result, audit};

const ACTIVE: &str = "active_policy";

/// A policy as listed: the newest text of a preset or a saved policy.
#[derive(Debug, Clone)]
pub struct PolicyInfo {
    pub name: String,
    pub title: String,
    /// 0: the shipped preset as is.
    pub version: i32,
    pub preset: bool,
    pub active: bool,
    pub body: String,
}

/// One saved version.
pub use sanbao_store::policies::PolicyVersionRow;

fn refused(e: dom::PolicyError) -> AppError {
    AppError::Invalid(
        sanbao_domain::FieldError::new("body", "invalid_policy", e.to_string()).into(),
    )
}

impl App {
    /// Every policy: the presets (or their newest saved version) and policies saved under new
    /// names.
    pub async fn list_policies(&self) -> Result<Vec<PolicyInfo>> {
        let saved = repo::latest_all(&self.store).await?;
        let active = self.active_policy_name().await?;
        let mut out: Vec<PolicyInfo> = dom::PRESETS
            .iter()
            .map(|(name, text)| {
                let row = saved.iter().find(|r| r.name == *name);
                let body = row.map_or(*text, |r| r.body.as_str()).to_owned();
                PolicyInfo {
                    name: (*name).to_owned(),
                    title: Policy::parse(&body).map(|p| p.title).unwrap_or_default(),
                    version: row.map_or(0, |r| r.version),
                    preset: true,
                    active: active == *name,
                    body,
                }
            })
            .collect();
        for r in saved
            .iter()
            .filter(|r| !dom::PRESETS.iter().any(|p| p.0 == r.name))
        {
            out.push(PolicyInfo {
                name: r.name.clone(),
                title: Policy::parse(&r.body).map(|p| p.title).unwrap_or_default(),
                version: r.version,
                preset: false,
                active: active == r.name,
                body: r.body.clone(),
            });
        }
        Ok(out)
    }

    /// The newest text of a policy.
    pub async fn policy_info(&self, name: &str) -> Result<PolicyInfo> {
        self.list_policies()
            .await?
            .into_iter()
            .find(|p| p.name == name)
            .ok_or(AppError::NotFound("policy"))
    }

    /// The newest version of a policy, parsed.
    pub async fn policy(&self, name: &str) -> Result<(Policy, i32)> {
        let (version, body) = match repo::latest(&self.store, name).await? {
            Some(saved) => saved,
            None => match dom::PRESETS.iter().find(|p| p.0 == name) {
                Some(p) => (0, p.1.to_owned()),
                None => return Err(AppError::NotFound("policy")),
            },
        };
        Ok((self.parsed_policy(name, version, &body)?, version))
    }

    /// One version of a policy (0: the preset as shipped), `None` if there is no such version.
    /// Versions never change: each is read and parsed once (intake needs the active policy on
    /// every case).
    pub(crate) async fn policy_version(&self, name: &str, version: i32) -> Result<Option<Policy>> {
        if let Some(p) = self.cached_policy(name, version) {
            return Ok(Some(p));
        }
        let text = if version == 0 {
            dom::PRESETS
                .iter()
                .find(|p| p.0 == name)
                .map(|p| p.1.to_owned())
        } else {
            sanbao_store::cases::policy_body(&self.store, name, version).await?
        };
        text.map(|t| self.parsed_policy(name, version, &t))
            .transpose()
    }

    fn cached_policy(&self, name: &str, version: i32) -> Option<Policy> {
        self.policy_cache
            .lock()
            .ok()
            .and_then(|c| c.get(&(name.to_owned(), version)).cloned())
    }

    /// A policy version parsed once (see [`App::policy_version`]).
    pub(crate) fn parsed_policy(&self, name: &str, version: i32, body: &str) -> Result<Policy> {
        if let Some(p) = self.cached_policy(name, version) {
            return Ok(p);
        }
        let key = (name.to_owned(), version);
        let p = Policy::parse(body).map_err(refused)?;
        if let Ok(mut c) = self.policy_cache.lock() {
            c.insert(key, p.clone());
        }
        Ok(p)
    }

    pub async fn policy_history(&self, name: &str) -> Result<Vec<PolicyVersionRow>> {
        Ok(repo::history(&self.store, name).await?)
    }

    /// Save a new version of a policy (a preset's name, or a new name). `expected_version` is
    /// the version the editor started from (0 for a preset as shipped or a new policy).
    pub async fn save_policy(
        &self,
        actor: &Actor,
        body: &str,
        expected_version: i32,
        note: &str,
    ) -> Result<i32> {
        actor.require(Permission::SettingsManage)?;
        let p = Policy::parse(body).map_err(refused)?;
        let mut tx = self.store.begin().await?;
        let version = match repo::insert(
            &mut tx,
            &p.name,
            expected_version,
            body,
            note.trim(),
            actor.user_id,
            sanbao_domain::time::now(),
        )
        .await
        {
            Err(sanbao_store::StoreError::Unique) => return Err(AppError::Stale),
            other => other?,
        };
        audit::record(
            &mut tx,
            actor,
            "policy.save",
            "policy",
            &p.name,
            json!({"version": version, "note": note.trim()}),
        )
        .await?;
        tx.commit().await?;
        Ok(version)
    }

    async fn active_policy_name(&self) -> Result<String> {
        Ok(settings::setting(&self.store, ACTIVE)
            .await?
            .unwrap_or_else(|| "seed".to_owned()))
    }

    /// The policy new sales and cases run under, at its newest version: one single-row read
    /// (the text is read only the first time a version is seen).
    pub async fn active_policy(&self) -> Result<(Policy, i32)> {
        let (name, version) = repo::active_latest(&self.store, ACTIVE, "seed").await?;
        let version = version.unwrap_or(0);
        let policy = self
            .policy_version(&name, version)
            .await?
            .ok_or(AppError::NotFound("policy"))?;
        Ok((policy, version))
    }

    pub async fn set_active_policy(&self, actor: &Actor, name: &str) -> Result<()> {
        actor.require(Permission::SettingsManage)?;
        let (p, version) = self.policy(name).await?;
        let before = self.active_policy_name().await?;
        let mut tx = self.store.begin().await?;
        settings::put_setting(&mut tx, ACTIVE, &p.name, sanbao_domain::time::now()).await?;
        audit::record(
            &mut tx,
            actor,
            "policy.activate",
            "policy",
            &p.name,
            json!({"from": before, "version": version}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every deadline `event` at `at` sets under the policy, on the calendar in force and the
    /// given hours (the weekday preset when none).
    pub async fn explain(
        &self,
        policy: &Policy,
        event: &str,
        at: DateTime<Utc>,
        hours: Option<&ServiceHours>,
    ) -> Result<Vec<Explained>> {
        if !dom::EVENTS.iter().any(|e| e.0 == event) {
            return Err(AppError::invalid(
                "event",
                "unknown",
                format!("未知的事件 {event:?}"),
            ));
        }
        let calendar = self.calendar().await?;
        let default_hours = ServiceHours::default();
        let ctx = Context {
            calendar: &calendar,
            hours: hours.unwrap_or(&default_hours),
            tz: self.config.timezone,
        };
        Ok(dom::explain(policy, event, at, &ctx))
    }
}
