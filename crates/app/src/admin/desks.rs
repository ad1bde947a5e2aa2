//! Departments and service desks.

use sanbao_domain::audit::{Action, RecordType};
use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sanbao_domain::role::Permission;
use sanbao_domain::user::{DeskCode, parse_label};
use sanbao_domain::{DeskId, FieldErrors, UserId, text};
use sanbao_store::StoreError;
use sanbao_store::admin::desks::{self as repo, DeskFields, DeskRow};
use sanbao_store::admin::users;
use serde_json::json;

use super::users::diff;
use crate::{Actor, AppError, Result, audit};

crate::facade!(
    /// Desks (departments, queues) and their service hours.
    Desks,
    desks
);

/// A desk as the pages show it.
#[derive(Debug, Clone)]
pub struct Desk {
    pub id: DeskId,
    pub code: String,
    pub name: String,
    /// One of [`DESK_KINDS`].
    pub kind: String,
    pub supervisor: Option<(UserId, String)>,
    pub active: bool,
    pub members: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
    /// The policy its cases without a unit run under (`None`: the default).
    pub policy: Option<String>,
}

impl From<DeskRow> for Desk {
    fn from(r: DeskRow) -> Self {
        Desk {
            id: DeskId(r.id),
            supervisor: r
                .supervisor_id
                .map(|id| (UserId(id), r.supervisor_name.unwrap_or_default())),
            code: r.code,
            name: r.name,
            kind: r.kind,
            active: r.active,
            members: r.members,
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
            policy: r.policy_name,
        }
    }
}

/// What a desk does; complaint desks see complaints (DESIGN: complaints are private to the
/// complaint department).
pub const DESK_KINDS: &[(&str, &str, &str)] = &[
    ("service", "售后服务", "After-sales service"),
    ("complaint", "投诉处理", "Complaints"),
    ("field", "上门维修", "Field service"),
    ("sales", "销售", "Sales"),
    ("quality", "质量管理", "Quality"),
];

#[derive(Debug, Clone, Default)]
pub struct DeskInput {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub supervisor_id: Option<UserId>,
    pub active: bool,
    /// A policy by name; empty: the default.
    pub policy: String,
    /// For updates: the version the form was read at.
    pub version: i64,
}

struct Parsed {
    code: DeskCode,
    name: String,
    kind: &'static str,
}

fn parse(input: &DeskInput) -> Result<Parsed> {
    let mut errs = FieldErrors::default();
    let code = errs.check(DeskCode::parse(&input.code));
    let name = errs.check(parse_label(&input.name, "name", text!("label.name"), 40));
    let kind = DESK_KINDS.iter().find(|k| k.0 == input.kind).map(|k| k.0);
    if kind.is_none() {
        errs.push(sanbao_domain::FieldError::new(
            "kind",
            "unknown",
            text!("desk.kind_required"),
        ));
    }
    errs.into_result()?;
    match (code, name, kind) {
        (Some(code), Some(name), Some(kind)) => Ok(Parsed { code, name, kind }),
        _ => Err(AppError::fault("a parsed field is missing")),
    }
}

fn duplicate_code(code: &DeskCode) -> AppError {
    AppError::Duplicate(sanbao_domain::FieldError::new(
        "code",
        "taken",
        text!("desk.code_taken", code = code.as_str()),
    ))
}

impl Desks<'_> {
    pub async fn list(&self, actor: &Actor) -> Result<Vec<Desk>> {
        if !actor.can(Permission::DeskManage) && !actor.can(Permission::UserManage) {
            return Err(AppError::Forbidden(Permission::DeskManage));
        }
        self.active_and_inactive().await
    }

    /// Every desk, for pickers on pages anyone who works on cases sees.
    pub async fn all(&self) -> Result<Vec<Desk>> {
        self.active_and_inactive().await
    }

    async fn active_and_inactive(&self) -> Result<Vec<Desk>> {
        let rows = repo::list(&self.app.store).await?;
        Ok(rows.into_iter().map(Desk::from).collect())
    }

    pub async fn get(&self, actor: &Actor, id: DeskId) -> Result<Desk> {
        actor.require(Permission::DeskManage)?;
        repo::by_id(&self.app.store, id.0)
            .await?
            .map(Desk::from)
            .ok_or(AppError::NotFound("desk"))
    }

    /// The policy named on the form, known to Sanbao; `None` for the default.
    async fn check_policy(&self, name: &str) -> Result<Option<String>> {
        let name = name.trim();
        if name.is_empty() {
            return Ok(None);
        }
        match self.app.policies().latest(name).await {
            Ok(_) => Ok(Some(name.to_owned())),
            Err(AppError::NotFound(_)) => Err(AppError::invalid(
                "policy",
                "unknown",
                text!("unit.policy_unknown", name = name.to_owned()),
            )),
            Err(e) => Err(e),
        }
    }

    async fn check_supervisor(&self, id: Option<UserId>) -> Result<()> {
        if let Some(id) = id {
            match users::by_id(&self.app.store, id.0).await? {
                Some(u) if u.active => {}
                _ => {
                    return Err(AppError::invalid(
                        "supervisor_id",
                        "unknown",
                        text!("desk.supervisor_unknown"),
                    ));
                }
            }
        }
        Ok(())
    }

    #[tracing::instrument(name = "desk.create", skip_all)]
    pub async fn create(&self, actor: &Actor, input: DeskInput) -> Result<DeskId> {
        actor.require(Permission::DeskManage)?;
        let p = parse(&input)?;
        self.check_supervisor(input.supervisor_id).await?;
        let policy = self.check_policy(&input.policy).await?;
        let mut tx = self.app.store.begin().await?;
        let fields = DeskFields {
            code: p.code.as_str(),
            name: &p.name,
            kind: p.kind,
            supervisor_id: input.supervisor_id.map(|u| u.0),
            active: true,
            policy_name: policy.as_deref(),
        };
        let id = match repo::insert(&mut tx, &fields, sanbao_domain::time::now()).await {
            Err(StoreError::Unique) => return Err(duplicate_code(&p.code)),
            other => other?,
        };
        audit::record(
            &mut tx,
            actor,
            Action::DeskCreate,
            RecordType::Desk,
            id,
            json!({"code": p.code.as_str(), "name": p.name, "kind": p.kind, "supervisor_id": input.supervisor_id, "policy": policy}),
        )
        .await?;
        tx.commit().await?;
        Ok(DeskId(id))
    }

    #[tracing::instrument(name = "desk.update", skip_all, fields(desk = %id))]
    pub async fn update(&self, actor: &Actor, id: DeskId, input: DeskInput) -> Result<()> {
        actor.require(Permission::DeskManage)?;
        let id = id.0;
        let p = parse(&input)?;
        self.check_supervisor(input.supervisor_id).await?;
        let policy = self.check_policy(&input.policy).await?;
        let mut tx = self.app.store.begin().await?;
        let before = repo::by_id_tx(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound("desk"))?;
        let fields = DeskFields {
            code: p.code.as_str(),
            name: &p.name,
            kind: p.kind,
            supervisor_id: input.supervisor_id.map(|u| u.0),
            active: input.active,
            policy_name: policy.as_deref(),
        };
        match repo::update(
            &mut tx,
            id,
            input.version,
            &fields,
            sanbao_domain::time::now(),
        )
        .await
        {
            Err(StoreError::Unique) => return Err(duplicate_code(&p.code)),
            other => other?,
        }
        let mut changes = BTreeMap::new();
        diff(
            &mut changes,
            "code",
            json!(before.code),
            json!(p.code.as_str()),
        );
        diff(&mut changes, "name", json!(before.name), json!(p.name));
        diff(&mut changes, "kind", json!(before.kind), json!(p.kind));
        diff(
            &mut changes,
            "supervisor_id",
            json!(before.supervisor_id),
            json!(input.supervisor_id),
        );
        diff(
            &mut changes,
            "policy",
            json!(before.policy_name),
            json!(policy),
        );
        diff(
            &mut changes,
            "active",
            json!(before.active),
            json!(input.active),
        );
        audit::record(
            &mut tx,
            actor,
            Action::DeskUpdate,
            RecordType::Desk,
            id,
            json!(changes),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
