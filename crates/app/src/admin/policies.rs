//! Policies: the shipped presets, saved versions, the active policy, explanations.

use chrono::{DateTime, Utc};
use sanbao_domain::audit::{Action, RecordType};
use sanbao_domain::deadline::Context;
use sanbao_domain::hours::ServiceHours;
use sanbao_domain::policy::{self as dom, Explained, Policy};
use sanbao_domain::role::Permission;
use sanbao_domain::text;
use sanbao_store::admin::calendar as settings;
use sanbao_store::admin::policies::{self as repo, PolicyVersionRow};
use serde_json::json;

use crate::{Actor, AppError, Result, audit};

crate::facade!(
    /// Policies: presets, saved versions, the active one.
    Policies,
    policies
);

/// Parsed policy versions by `(name, version)`: versions never change.
#[derive(Debug, Default)]
pub(crate) struct PolicyCache(std::sync::Mutex<std::collections::HashMap<(String, i32), Policy>>);

const ACTIVE: &str = "active_policy";
/// The policies in force beside the default, in the order a sale is matched against them.
const IN_FORCE: &str = "policies_in_force";

/// A policy at one of its versions.
#[derive(Debug, Clone)]
pub struct Versioned {
    pub policy: Policy,
    pub version: i32,
}

impl AsRef<Policy> for Versioned {
    fn as_ref(&self) -> &Policy {
        &self.policy
    }
}

/// The policies in force: those that cover some sales, in their order, and the default for
/// the rest.
#[derive(Debug, Clone)]
pub struct InForce {
    pub covering: Vec<Versioned>,
    pub default: Versioned,
}

impl InForce {
    /// The policy a sale runs under.
    pub fn choose(&self, facts: &dom::SaleFacts<'_>) -> &Versioned {
        dom::choose(&self.covering, &self.default, facts)
    }
}

/// A policy as listed: the newest text of a preset or a saved policy.
#[derive(Debug, Clone)]
pub struct PolicyInfo {
    pub name: String,
    pub title: String,
    /// 0: the shipped preset as is.
    pub version: i32,
    pub preset: bool,
    /// The default policy.
    pub active: bool,
    /// In force beside the default for the sales it covers.
    pub in_force: bool,
    pub body: String,
}

/// One saved version of a policy.
#[derive(Debug, Clone)]
pub struct PolicyVersion {
    pub name: String,
    pub version: i32,
    pub body: String,
    pub note: String,
    pub created_at: DateTime<Utc>,
    pub created_by_name: Option<String>,
}

impl From<PolicyVersionRow> for PolicyVersion {
    fn from(r: PolicyVersionRow) -> Self {
        PolicyVersion {
            name: r.name,
            version: r.version,
            body: r.body,
            note: r.note,
            created_at: r.created_at,
            created_by_name: r.created_by_name,
        }
    }
}

fn refused(e: dom::PolicyError) -> AppError {
    AppError::Invalid(sanbao_domain::FieldError::new("body", "invalid_policy", e.text()).into())
}

impl Policies<'_> {
    /// Every policy: the presets (or their newest saved version) and policies saved under new
    /// names.
    pub async fn list(&self) -> Result<Vec<PolicyInfo>> {
        let saved = repo::latest_all(&self.app.store).await?;
        let active = self.active_name().await?;
        let in_force = self.in_force_names().await?;
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
                    in_force: in_force.iter().any(|n| n == name),
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
                in_force: in_force.contains(&r.name),
                body: r.body.clone(),
            });
        }
        Ok(out)
    }

    /// The newest text of a policy.
    pub async fn info(&self, name: &str) -> Result<PolicyInfo> {
        self.list()
            .await?
            .into_iter()
            .find(|p| p.name == name)
            .ok_or(AppError::NotFound("policy"))
    }

    /// The newest version of a policy, parsed.
    pub async fn latest(&self, name: &str) -> Result<(Policy, i32)> {
        let (version, body) = match repo::latest(&self.app.store, name).await? {
            Some(saved) => saved,
            None => match dom::PRESETS.iter().find(|p| p.0 == name) {
                Some(p) => (0, p.1.to_owned()),
                None => return Err(AppError::NotFound("policy")),
            },
        };
        Ok((self.parsed_policy(name, version, &body)?, version))
    }

    /// One version of a policy (0: the preset as shipped): the version a case is pinned to.
    /// A case's version missing is a fault.
    pub async fn version(&self, name: &str, version: i32) -> Result<Policy> {
        self.find_version(name, version)
            .await?
            .ok_or_else(|| AppError::fault(format!("policy {name} v{version} missing")))
    }

    /// One version of a policy (0: the preset as shipped), `None` if there is no such version.
    /// Versions never change: each is read and parsed once (intake needs the active policy on
    /// every case).
    async fn find_version(&self, name: &str, version: i32) -> Result<Option<Policy>> {
        if let Some(p) = self.cached_policy(name, version) {
            return Ok(Some(p));
        }
        let text = if version == 0 {
            dom::PRESETS
                .iter()
                .find(|p| p.0 == name)
                .map(|p| p.1.to_owned())
        } else {
            repo::policy_body(&self.app.store, name, version).await?
        };
        text.map(|t| self.parsed_policy(name, version, &t))
            .transpose()
    }

    fn cached_policy(&self, name: &str, version: i32) -> Option<Policy> {
        self.app
            .policy_cache
            .0
            .lock()
            .ok()
            .and_then(|c| c.get(&(name.to_owned(), version)).cloned())
    }

    /// A policy version parsed once (see [`Policies::version`]).
    fn parsed_policy(&self, name: &str, version: i32, body: &str) -> Result<Policy> {
        if let Some(p) = self.cached_policy(name, version) {
            return Ok(p);
        }
        let key = (name.to_owned(), version);
        let p = Policy::parse(body).map_err(refused)?;
        if let Ok(mut c) = self.app.policy_cache.0.lock() {
            c.insert(key, p.clone());
        }
        Ok(p)
    }

    pub async fn history(&self, name: &str) -> Result<Vec<PolicyVersion>> {
        let rows = repo::history(&self.app.store, name).await?;
        Ok(rows.into_iter().map(PolicyVersion::from).collect())
    }

    /// Save a new version of a policy (a preset's name, or a new name). `expected_version` is
    /// the version the editor started from (0 for a preset as shipped or a new policy).
    #[tracing::instrument(name = "policy.save", skip_all)]
    pub async fn save(
        &self,
        actor: &Actor,
        body: &str,
        expected_version: i32,
        note: &str,
    ) -> Result<i32> {
        actor.require(Permission::SettingsManage)?;
        let p = Policy::parse(body).map_err(refused)?;
        p.check_promises(body).map_err(refused)?;
        let mut tx = self.app.store.begin().await?;
        let version = match repo::insert(
            &mut tx,
            &p.name,
            expected_version,
            body,
            note.trim(),
            actor.id(),
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
            Action::PolicySave,
            RecordType::Policy,
            &p.name,
            json!({"version": version, "note": note.trim()}),
        )
        .await?;
        tx.commit().await?;
        Ok(version)
    }

    async fn active_name(&self) -> Result<String> {
        Ok(settings::setting(&self.app.store, ACTIVE)
            .await?
            .unwrap_or_else(|| "seed".to_owned()))
    }

    /// The policy new sales and cases run under, at its newest version: one single-row read
    /// (the text is read only the first time a version is seen).
    pub async fn active(&self) -> Result<(Policy, i32)> {
        let (name, version) = repo::active_latest(&self.app.store, ACTIVE, "seed").await?;
        let version = version.unwrap_or(0);
        let policy = self
            .find_version(&name, version)
            .await?
            .ok_or(AppError::NotFound("policy"))?;
        Ok((policy, version))
    }

    async fn in_force_names(&self) -> Result<Vec<String>> {
        Ok(settings::setting(&self.app.store, IN_FORCE)
            .await?
            .map(|v| {
                v.split(',')
                    .filter(|n| !n.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default())
    }

    /// Every policy in force, at its newest version: what a sale is matched against.
    pub async fn in_force(&self) -> Result<InForce> {
        let (policy, version) = self.active().await?;
        let mut covering = Vec::new();
        for name in self.in_force_names().await? {
            if name != policy.name
                && let Ok((p, v)) = self.latest(&name).await
            {
                covering.push(Versioned {
                    policy: p,
                    version: v,
                });
            }
        }
        Ok(InForce {
            covering,
            default: Versioned { policy, version },
        })
    }

    /// The policy a sale runs under, at its newest version (its name and version are the
    /// unit's snapshot).
    pub async fn for_sale(&self, facts: &dom::SaleFacts<'_>) -> Result<(Policy, i32)> {
        let all = self.in_force().await?;
        let v = all.choose(facts);
        Ok((v.policy.clone(), v.version))
    }

    /// The policy a desk's cases without a unit run under: the desk's own, else the default.
    pub async fn for_desk(&self, desk: Option<i64>) -> Result<(Policy, i32)> {
        if let Some(id) = desk
            && let Some(name) = sanbao_store::admin::desks::policy_of(&self.app.store, id).await?
            && let Ok(found) = self.latest(&name).await
        {
            return Ok(found);
        }
        self.active().await
    }

    /// Put a policy in force beside the default for the sales its `[applies]` covers, or take
    /// it out. Only a policy that says what it covers can stand beside the default.
    #[tracing::instrument(name = "policy.in_force", skip_all, fields(policy = %name))]
    pub async fn set_in_force(&self, actor: &Actor, name: &str, on: bool) -> Result<()> {
        actor.require(Permission::SettingsManage)?;
        let (p, version) = self.latest(name).await?;
        if on && p.applies.is_empty() {
            return Err(AppError::invalid(
                "applies",
                "required",
                text!("policy.applies_required", name = p.name.clone()),
            ));
        }
        if on && self.active_name().await? == p.name {
            return Err(AppError::invalid(
                "name",
                "default",
                text!("policy.already_default", name = p.name.clone()),
            ));
        }
        let mut names = self.in_force_names().await?;
        names.retain(|n| *n != p.name);
        if on {
            names.push(p.name.clone());
        }
        let mut tx = self.app.store.begin().await?;
        let now = sanbao_domain::time::now();
        settings::put_setting(&mut tx, IN_FORCE, &names.join(","), now).await?;
        audit::record(
            &mut tx,
            actor,
            Action::PolicyActivate,
            RecordType::Policy,
            &p.name,
            json!({"in_force": on, "version": version, "order": names}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    #[tracing::instrument(name = "policy.activate", skip_all, fields(policy = %name))]
    pub async fn activate(&self, actor: &Actor, name: &str) -> Result<()> {
        actor.require(Permission::SettingsManage)?;
        let (p, version) = self.latest(name).await?;
        let before = self.active_name().await?;
        let mut covering = self.in_force_names().await?;
        let was_covering = covering.contains(&p.name);
        covering.retain(|n| *n != p.name);
        let mut tx = self.app.store.begin().await?;
        let now = sanbao_domain::time::now();
        settings::put_setting(&mut tx, ACTIVE, &p.name, now).await?;
        // The default covers everything the others do not: it is not also one of them.
        if was_covering {
            settings::put_setting(&mut tx, IN_FORCE, &covering.join(","), now).await?;
        }
        audit::record(
            &mut tx,
            actor,
            Action::PolicyActivate,
            RecordType::Policy,
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
                text!("policy.event_unknown_short", value = format!("{event:?}")),
            ));
        }
        let calendar = self.app.calendar().current().await?;
        let default_hours = ServiceHours::default();
        let ctx = Context {
            calendar: &calendar,
            hours: hours.unwrap_or(&default_hours),
            tz: self.app.config.timezone,
        };
        Ok(dom::explain(policy, event, at, &ctx))
    }
}
